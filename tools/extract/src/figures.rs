//! Figures: quantities with a unit or measure word, normalized, with what they measure (subject),
//! the time they refer to (period), their sentence and character offsets.
//!
//! `scan` finds the quantities of a text (number, scale, unit, approximation, range) and leaves
//! out what is not a quantity: calendar dates and years, ordinals, codes and model names, and
//! numbered names unless the lexicon lists them. `figures_in_paragraph` adds subject, period and
//! sentence. Deliberately no segmentation here: subjects are cut from the sentence by
//! punctuation and lexicon words, so the parser works on a single string without a dictionary.

use model::{Approx, Figure, Location};

use crate::lexicon::{Family, Lexicon, Words};
use crate::numbers::{Numeral, digit_value, is_minus, parse_numeral, scale_value, starts_numeral};
use crate::sentences::{Prepared, ends_clause, evidence, sentence_of};

/// A quantity found by `scan`, in character offsets of the scanned text.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
    pub family: Family,
    pub approx: Option<Approx>,
}

/// Characters that join the two ends of a range (10到12天, 5至8层, 300万-500万元, 2——3万).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '—' | '–' | '~' | '～' | '－' | '〜' | '−')
}

/// The length of the range joiner at `chars[at]`: 到, 至, or one or two dashes (1万元--5万元).
fn joiner_len(chars: &[char], at: usize) -> Option<usize> {
    match chars.get(at)? {
        '到' | '至' => Some(1),
        c if is_dash(*c) => Some(if chars.get(at + 1).copied().is_some_and(is_dash) { 2 } else { 1 }),
        _ => None,
    }
}

/// Characters before a number that make it an ordinal, a rank or part of a code.
fn blocks_before(c: char, lexicon: &Lexicon) -> bool {
    lexicon.figure_context.ordinal_before.contains(&c) || c.is_ascii_alphabetic()
}

/// Whether the 半 at `at` stands inside a word (上半年, 一半, 多半, 大半): not a quantity.
fn inside_half_word(chars: &[char], at: usize, lexicon: &Lexicon) -> bool {
    lexicon
        .figure_context
        .not_half
        .iter()
        .any(|w| w.iter().position(|c| *c == '半').is_some_and(|k| at >= k && starts_with_at(chars, at - k, w)))
}

fn text_of(chars: &[char], start: usize, end: usize) -> String {
    chars.get(start..end).map(|s| s.iter().collect()).unwrap_or_default()
}

fn starts_with_at(chars: &[char], at: usize, word: &[char]) -> bool {
    // The first characters are compared before the rest: word lists are scanned at every offset
    // of a paragraph, and most words fail there.
    match word.first() {
        None => at <= chars.len(),
        Some(first) => chars.get(at) == Some(first) && chars[at..].starts_with(word),
    }
}

/// The length of the longest word of `list` (longest first) at `chars[at..]`.
fn word_len_at<T>(chars: &[char], at: usize, list: &Words<T>) -> Option<usize> {
    if !list.may_start(chars.get(at..).unwrap_or_default()) {
        return None;
    }
    list.iter().find(|(w, _)| starts_with_at(chars, at, w)).map(|(w, _)| w.len())
}

fn ends_with_at(chars: &[char], end: usize, word: &[char]) -> bool {
    end >= word.len() && chars.get(end - word.len()..end) == Some(word)
}

/// Finds every quantity in `chars`.
pub fn scan(chars: &[char], lexicon: &Lexicon) -> Vec<Quantity> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let may_start = starts_numeral(c)
            || (is_minus(c)
                && chars.get(i + 1).and_then(|n| digit_value(*n)).is_some()
                && !chars.get(i.wrapping_sub(1)).is_some_and(|p| p.is_ascii_alphanumeric() || is_dash(*p)));
        if !may_start || (i > 0 && continues_number(chars[i - 1])) {
            i += 1;
            continue;
        }
        match quantity_at(chars, i, lexicon) {
            Some(q) => {
                i = q.end.max(i + 1);
                out.push(q);
            }
            None => {
                // Skip the whole numeral so that its tail is not read as a second number.
                i = numeral_at(chars, i, lexicon).map_or(i + 1, |n| n.end.max(i + 1));
            }
        }
    }
    out
}

fn continues_number(c: char) -> bool {
    digit_value(c).is_some() || matches!(c, '.' | '．' | ',')
}

fn numeral_at(chars: &[char], at: usize, lexicon: &Lexicon) -> Option<Numeral> {
    let unit_here = |i: usize| lexicon.unit_at(chars, i).is_some_and(|u| u.surface.len() > 1);
    parse_numeral(chars, at, &unit_here)
}

/// Skips an inclusion note after a number (1万(含)-5万元, 50万元（含）以上).
fn skip_included(chars: &[char], at: usize) -> usize {
    for note in [['(', '含', ')'], ['（', '含', '）']] {
        if starts_with_at(chars, at, &note) {
            return at + 3;
        }
    }
    at
}

/// The scale word of a numeral's last character when it is a small one (十 百 千): the place a
/// following 几 counts in (十几 = 10..20, 二十几 = 20..30).
fn last_small_scale(chars: &[char], numeral: &Numeral) -> Option<f64> {
    let last = *chars.get(numeral.end.checked_sub(1)?)?;
    scale_value(last).filter(|s| *s < 1e4)
}

/// The place value of the last non-zero digit of a whole number (3000 → 1000, 120 → 10).
fn last_place(value: f64) -> Option<f64> {
    if value <= 0.0 || value.fract() != 0.0 || value > 1e15 {
        return None;
    }
    let mut place = 1.0;
    while (value / (place * 10.0)).fract() == 0.0 {
        place *= 10.0;
    }
    Some(place)
}

/// Big scale words (万 亿) from `at` on: their product and where they end.
fn big_scales(chars: &[char], at: usize, lexicon: &Lexicon) -> (f64, usize) {
    let mut k = at;
    let mut scale = 1.0;
    while let Some(s) = chars.get(k).and_then(|c| scale_value(*c)) {
        if s < 1e4 || lexicon.unit_at(chars, k).is_some_and(|u| u.surface.len() > 1) {
            break;
        }
        scale *= s;
        k += 1;
    }
    (scale, k)
}

/// The quantity whose number starts at `at`, if it is one.
fn quantity_at(chars: &[char], at: usize, lexicon: &Lexicon) -> Option<Quantity> {
    let first = numeral_at(chars, at, lexicon)?;
    let before = at.checked_sub(1).map(|k| chars[k]);
    if before.is_some_and(|c| blocks_before(c, lexicon)) {
        return None;
    }
    if first.half && inside_half_word(chars, at, lexicon) {
        return None;
    }
    if chars.get(first.end) == Some(&'分') && chars.get(first.end + 1) == Some(&'之') {
        return fraction_in_words(chars, at, &first, lexicon);
    }
    if first.digits && chars.get(first.end) == Some(&'/') {
        return fraction_in_digits(chars, at, &first, lexicon);
    }
    let mut start = at;
    let mut j = first.end;
    let mut approx = None;
    let mut value = first.value;
    let mut value_max = first.value_max;
    let mut scaled = first.scaled;
    // 几十万, 数十亿, 上百座: a vague count of tens, hundreds, … as a range of one order.
    let leads_with_scale = !first.digits && chars.get(at).and_then(|c| scale_value(*c)).is_some();
    let vague_prefix = leads_with_scale && matches!(before, Some('几' | '数'))
        || (before == Some('上') && first.scale_only && first.value >= 100.0);
    if vague_prefix && value_max.is_none() {
        start = at - 1;
        value_max = Some(value * 10.0);
    }
    // 十几块, 二十几个, 十几万: some more in the last place.
    if !first.digits
        && value_max.is_none()
        && chars.get(j) == Some(&'几')
        && let Some(place) = last_small_scale(chars, &first)
    {
        let (scale, k) = big_scales(chars, j + 1, lexicon);
        value_max = Some((value + place) * scale);
        value *= scale;
        scaled |= scale > 1.0;
        j = k;
    }
    // 30多家, 30余家, 3000多万元: 多/余 between the number and its scale or unit.
    if value_max.is_none() && matches!(chars.get(j), Some('多') | Some('余')) && (first.digits || !first.one_word) {
        let (scale, k) = big_scales(chars, j + 1, lexicon);
        if lexicon.unit_at(chars, k).is_some() || scale > 1.0 {
            approx = Some(Approx::Over);
            // 3000多 is 3000..4000, 30余 30..40, 一百二十多 120..130: up to one more in the last
            // place that is written.
            value_max = last_place(value).map(|place| (value + place) * scale);
            value *= scale;
            scaled |= scale > 1.0;
            j = k;
        }
    }
    // 一整天
    if chars.get(j) == Some(&'整') {
        j += 1;
    }

    // A range: 10到12天, 七千到九千亿元 (the scale shared), 从8500到3万港元 (not shared: 8500 is
    // more than 3), 1万元--5万元 (the unit repeated), 1万(含)-5万元.
    if value_max.is_none() && approx.is_none() && !first.negative {
        let first_unit = lexicon.unit_at(chars, j).filter(|u| {
            let k = skip_included(chars, j + u.surface.len());
            joiner_len(chars, k).is_some()
        });
        let k = skip_included(chars, j + first_unit.map_or(0, |u| u.surface.len()));
        if let Some(len) = joiner_len(chars, k)
            && chars.get(k + len).copied().is_some_and(starts_numeral)
            && let Some(second) = numeral_at(chars, k + len, lexicon)
            && !second.half
        {
            let same_unit = first_unit
                .is_none_or(|u| lexicon.unit_at(chars, second.end).is_some_and(|v| v.canonical == u.canonical));
            let mut low = value;
            if first_unit.is_none() && first.trailing_scale < second.trailing_scale && value <= second.mantissa() {
                low = crate::numbers::tidy(value * second.trailing_scale);
            }
            let high = second.value_max.unwrap_or(second.value);
            if same_unit && low <= high {
                value = low;
                value_max = Some(high);
                scaled |= second.scaled;
                j = second.end;
            }
        }
    }
    j = skip_included(chars, j);

    // 5 公里: a space PDF extraction left between a number and a Chinese unit.
    if chars.get(j) == Some(&' ')
        && lexicon.unit_at(chars, j + 1).is_some_and(|u| !u.surface.iter().all(char::is_ascii))
    {
        j += 1;
    }
    let unit = lexicon.unit_at(chars, j);
    let mut after_unit = j + unit.map_or(0, |u| u.surface.len());
    let next = chars.get(after_unit).copied();

    // Calendar dates: 2024年, 7月15日, 1—4月, 7号.
    match unit {
        None if matches!(chars.get(j), Some('年' | '月' | '日' | '号' | '时')) => {
            return None;
        }
        Some(u) if u.canonical == "年" && first.digits && first.integer && first.integer_digits == 4 => return None,
        // 98年4月: a two-digit year of a date.
        Some(u)
            if u.canonical == "年"
                && first.integer
                && next.and_then(digit_value).is_some()
                && (1..=2).any(|k| chars.get(after_unit + k) == Some(&'月')) =>
        {
            return None;
        }
        Some(u) if u.canonical == "年" && next.is_some_and(|c| lexicon.figure_context.date_after_year.contains(&c)) => {
            return None;
        }
        _ => {}
    }
    // Codes and model names: 5G, 3D, 365X, 3C产品, 1+X.
    let ascii_unit = unit.is_some_and(|u| u.surface.iter().all(char::is_ascii));
    if (next.is_some_and(|c| c.is_ascii_alphanumeric()) && (unit.is_none() || ascii_unit))
        || matches!(next, Some('+') | Some('＋'))
    {
        return None;
    }
    if unit.is_none() && chars.get(j).is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '+' | '＋' | '.')) {
        return None;
    }
    // 两位数, 三位数: a count of digits, not of people.
    if next == Some('数') {
        return None;
    }
    // 三个月前, 两年后, 20天之后: a length placed before or after now is a time, not a quantity;
    // 100周年前夕 and 两年前后 are not placed so.
    let words = &lexicon.period_words;
    let context = &lexicon.figure_context;
    if unit.is_some_and(|u| u.family == Family::Duration && !context.not_lengths.contains(&u.canonical))
        && (word_len_at(chars, after_unit, &words.ago).is_some()
            || word_len_at(chars, after_unit, &words.later).is_some())
        && !context.not_placing.iter().any(|w| starts_with_at(chars, after_unit, w))
    {
        return None;
    }

    // Approximation words before the number (超, 近, 约) and after it or its unit (以上, 左右).
    let prefix =
        lexicon.approx_before.iter().find(|w| ends_with_at(chars, start, &w.surface)).filter(|w| w.approx.is_some());
    if let Some(word) = prefix {
        start -= word.surface.len();
        approx = word.approx;
    }

    let (mut unit_text, family, factor) = match unit {
        Some(u) => (u.canonical.clone(), u.family, u.factor),
        None => (String::new(), Family::Other, 1.0),
    };
    // 元/股, 元/标吨, 万元/亩: a unit per another unit.
    if let Some(u) = unit
        && chars.get(after_unit) == Some(&'/')
        && let Some(per) = lexicon.unit_at(chars, after_unit + 1)
        && !u.canonical.contains('/')
    {
        unit_text = format!("{}/{}", u.canonical, per.canonical);
        after_unit += 1 + per.surface.len();
    }
    // 港币两千九百六十元, 新台币 177.1 亿元: a currency named before the number.
    if unit_text == "元" {
        let mut k = start;
        while k > 0 && chars[k - 1] == ' ' {
            k -= 1;
        }
        if let Some(currency) = lexicon
            .units
            .iter()
            .find(|u| u.family == Family::Money && u.canonical != "元" && ends_with_at(chars, k, &u.surface))
        {
            unit_text = currency.canonical.clone();
        }
    }
    // 十块三毛, 一百三十五块六角七分钱, 六十四万零一百四十三元一角七分, 肆佰叁拾萬圆整.
    let mut cents = 0.0;
    if unit_text == "元" && value_max.is_none() {
        let (extra, end) = small_change(chars, after_unit, lexicon);
        cents = extra;
        after_unit = end;
    }
    if unit.is_some_and(|u| u.canonical == "点") {
        // 下午3点 is a time of day; 3.96点 and 3000点 are index points.
        let time_of_day = first.integer && !first.negative && value <= 24.0;
        let clock = chars.get(after_unit).is_some_and(|c| lexicon.figure_context.time_after_point.contains(c));
        if time_of_day || clock {
            return None;
        }
    }
    if unit.is_none() {
        // A bare number is a figure only when it is big and scaled: 突破7000万 (users), 破3亿, 三百万.
        let chinese_with_digit = !first.digits && !first.scale_only;
        if !(scaled && value >= 1e4 && (first.digits || prefix.is_some() || chinese_with_digit || vague_prefix)) {
            return None;
        }
    }
    if first.scale_only && prefix.is_none() && !vague_prefix && family != Family::Money {
        // 万人级, 千家万户, 百年: a scale word alone is a word part unless 近/超 makes it a number.
        return None;
    }
    if first.one_word
        && value_max.is_none()
        && !matches!(family, Family::Duration | Family::Length | Family::Area | Family::Weight | Family::Volume)
    {
        // 一家, 一个, 一条: the article "a", not a count.
        return None;
    }
    if first.half && !matches!(family, Family::Duration | Family::Length | Family::Area | Family::Weight) {
        return None;
    }

    let mut end = skip_included(chars, after_unit);
    if let Some(word) = lexicon.approx_after.iter().find(|w| starts_with_at(chars, end, &w.surface))
        && (approx.is_none() || approx == word.approx)
        && value_max.is_none()
    {
        let is_within = word.surface.iter().collect::<String>().ends_with('内');
        if !is_within || family == Family::Duration {
            approx = word.approx;
            end += word.surface.len();
        }
    } else if end != after_unit {
        end = after_unit;
    }
    // 二次元, 一次性, 最后一公里, 沪深300: words that merely contain a numeral and a measure word.
    for word in &lexicon.not_figures {
        let lo = at.saturating_sub(word.len());
        if (lo..=at).any(|s| starts_with_at(chars, s, word) && s + word.len() > at) {
            return None;
        }
    }
    let value = crate::numbers::tidy(value * factor + cents);
    let value_max = value_max.map(|v| crate::numbers::tidy(v * factor));
    Some(Quantity { start, end, value, value_max, unit: unit_text, family, approx })
}

/// 三毛, 六角七分, 一角七分 after 元 or 块, and 钱 or 整 closing the amount: the value in 元 and
/// where the amount ends.
fn small_change(chars: &[char], at: usize, lexicon: &Lexicon) -> (f64, usize) {
    let mut end = at;
    let mut extra = 0.0;
    for (word, worth) in [('毛', 0.1), ('角', 0.1), ('分', 0.01)] {
        if let Some(n) = numeral_at(chars, end, lexicon)
            && n.value < 10.0
            && n.value_max.is_none()
            && chars.get(n.end) == Some(&word)
        {
            extra += n.value * worth;
            end = n.end + 1;
            if word != '分' && chars.get(end) == Some(&'钱') {
                break;
            }
        }
    }
    if matches!(chars.get(end), Some('钱' | '整')) {
        end += 1;
    }
    (extra, end)
}

/// 三分之一, 百分之三十, 千分之五: a fraction written in words, as a percentage.
fn fraction_in_words(chars: &[char], at: usize, denominator: &Numeral, lexicon: &Lexicon) -> Option<Quantity> {
    let numerator = numeral_at(chars, denominator.end + 2, lexicon)?;
    if numerator.half || denominator.value == 0.0 || denominator.value_max.is_some() {
        return None;
    }
    let prefix =
        lexicon.approx_before.iter().find(|w| ends_with_at(chars, at, &w.surface)).filter(|w| w.approx.is_some());
    let percent = |v: f64| crate::numbers::tidy(v / denominator.value * 100.0);
    Some(Quantity {
        start: at - prefix.map_or(0, |w| w.surface.len()),
        end: numerator.end,
        value: percent(numerator.value),
        value_max: numerator.value_max.map(percent),
        unit: "%".to_owned(),
        family: Family::Percent,
        approx: prefix.and_then(|w| w.approx),
    })
}

/// 1/3, 2/5: a small fraction written with digits, as a percentage. Anything that may be a date
/// (9/30), a ratio of big numbers or a path is left alone.
fn fraction_in_digits(chars: &[char], at: usize, numerator: &Numeral, lexicon: &Lexicon) -> Option<Quantity> {
    let slash = numerator.end;
    let denominator = numeral_at(chars, slash + 1, lexicon).filter(|d| d.digits && d.integer)?;
    let after = chars.get(denominator.end).copied();
    if !numerator.integer
        || numerator.scaled
        || denominator.value > 10.0
        || denominator.value == 0.0
        || numerator.value >= denominator.value
        || numerator.value == 0.0
        || after.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '月' | '日' | '号'))
    {
        return None;
    }
    Some(Quantity {
        start: at,
        end: denominator.end,
        value: crate::numbers::tidy(numerator.value / denominator.value * 100.0),
        value_max: None,
        unit: "%".to_owned(),
        family: Family::Percent,
        approx: None,
    })
}

/// A span of text naming a time (`2024年`, `今年1至4月`, `截至2024年底`, `今年以来`).
fn date_end(chars: &[char], at: usize, lexicon: &Lexicon) -> Option<usize> {
    let words = &lexicon.period_words;
    let digits_from = |i: usize| {
        let mut k = i;
        while chars.get(k).and_then(|c| crate::numbers::digit_value(*c)).is_some() {
            k += 1;
        }
        k - i
    };
    let mut i = at;
    let mut any = false;
    if let Some(len) = word_len_at(chars, i, &words.years).or_else(|| word_len_at(chars, i, &words.unresolved)) {
        i += len;
        any = true;
    }
    let n = digits_from(i);
    if n == 4 && chars.get(i + 4) == Some(&'年') {
        i += 5;
        any = true;
    }
    // Months: 4月, 1至4月, 1—4月, 7月15日.
    let n = digits_from(i);
    if (1..=2).contains(&n) {
        let mut k = i + n;
        if let Some(len) = joiner_len(chars, k) {
            let m = digits_from(k + len);
            if (1..=2).contains(&m) {
                k += len + m;
            }
        }
        if chars.get(k) == Some(&'月') {
            k += 1;
            let d = digits_from(k);
            if (1..=2).contains(&d) && matches!(chars.get(k + d), Some('日') | Some('号')) {
                k += d + 1;
            }
            i = k;
            any = true;
        }
    }
    if !any {
        return None;
    }
    if let Some(len) = word_len_at(chars, i, &words.suffixes) {
        i += len;
    }
    Some(i)
}

/// The time expressions of `chars[from..to]`, as `[start, end)` ranges in order.
pub fn periods(chars: &[char], from: usize, to: usize, lexicon: &Lexicon) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        let c = chars[i];
        let words = &lexicon.period_words;
        // 截至2024年底, 截至目前; 到2030年 (a one-character word needs a digit after it).
        if let Some(len) = word_len_at(chars, i, &words.until) {
            let k = i + len;
            if let Some(end) = period_end(chars, k, to, lexicon)
                && (len > 1 || chars.get(k).and_then(|c| crate::numbers::digit_value(*c)).is_some())
            {
                out.push((i, end));
                i = end;
                continue;
            }
        }
        // 自开馆以来: a since word and its closing word in one clause (only 自: 从根本上扭转了…以来 is
        // no period).
        if let Some(len) = word_len_at(chars, i, &words.since_scan) {
            let mut k = i + len;
            let mut closed = None;
            while k < to && k < i + 20 && !ends_clause(chars[k]) {
                if let Some(close) = word_len_at(chars, k, &words.since_close) {
                    closed = Some(k + close);
                    break;
                }
                k += 1;
            }
            if let Some(end) = closed {
                out.push((i, end));
                i = end;
                continue;
            }
        }
        if starts_numeral(c)
            && (i == from || !continues_number(chars[i - 1]))
            && let Some(end) = within_end(chars, i, lexicon)
        {
            out.push((i, end.min(to)));
            i = end;
            continue;
        }
        // A numeral opens a period only as the first character of a festival or holiday (五一假期,
        // 十一黄金周): 十月 in 《十月》杂志 or 八月节 is no period.
        let opens_word = || {
            !starts_numeral(c)
                || word_len_at(chars, i, &words.festivals).is_some()
                || word_len_at(chars, i, &words.holiday_names).is_some()
        };
        let may_start = c.is_ascii_digit() || (words.starts.contains(&c) && opens_word());
        let may_start_word = lexicon.periods_by_first_char.contains_key(&c);
        // 将近两年, 接近9成: 近 inside an approximation word starts no period (checked only
        // where a period may start: it scans every such word at every offset).
        let inside_word = || {
            words
                .not_periods
                .iter()
                .any(|(w, _)| (1..w.len()).any(|k| i >= from + k && starts_with_at(chars, i - k, w)))
        };
        if (may_start || may_start_word)
            && (i == from || !chars[i - 1].is_ascii_digit())
            && !inside_word()
            && let Some(end) = period_end(chars, i, to, lexicon)
        {
            out.push((i, end.min(to)));
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// Where the period starting at `at` ends: the longer of the printed-date rules and what
/// `periods::period_len` reads (今年前5个月, 今年一季度, 近三年, 上周).
fn period_end(chars: &[char], at: usize, to: usize, lexicon: &Lexicon) -> Option<usize> {
    let by_rule = date_end(chars, at, lexicon).max(word_period_end(chars, at, lexicon));
    let read = chars.get(at..to.max(at)).and_then(|rest| crate::periods::period_len(rest, lexicon)).map(|n| at + n);
    by_rule.max(read)
}

/// A time span ending in 内 (4年内, 三年内, 6个月内): the period of the figures after it.
fn within_end(chars: &[char], at: usize, lexicon: &Lexicon) -> Option<usize> {
    let numeral = numeral_at(chars, at, lexicon)?;
    let unit = lexicon.unit_at(chars, numeral.end)?;
    if unit.family != Family::Duration {
        return None;
    }
    let end = numeral.end + unit.surface.len();
    (chars.get(end) == Some(&'内')).then_some(end + 1)
}

fn word_period_end(chars: &[char], at: usize, lexicon: &Lexicon) -> Option<usize> {
    let candidates = lexicon.periods_by_first_char.get(chars.get(at)?)?;
    let word = candidates.iter().map(|i| &lexicon.periods[*i]).find(|w| starts_with_at(chars, at, w))?;
    let mut end = at + word.len();
    // 未来产业, 未来社区: a word that also modifies a noun is part of the noun when one follows it
    // directly; 未来，… and 未来的 stay periods (a number after it is read by `periods`).
    if lexicon.period_modifiers.contains(word)
        && chars.get(end).is_some_and(|c| {
            ('\u{4e00}'..='\u{9fff}').contains(c) && !starts_numeral(*c) && !lexicon.figure_context.adverbs.contains(c)
        })
    {
        return None;
    }
    if starts_with_at(chars, end, &['以', '来']) {
        end += 2;
    }
    Some(end)
}

/// Everything about the figures of one paragraph.
pub fn figures_in_paragraph(paragraph: &str, section: usize, paragraph_index: usize, lexicon: &Lexicon) -> Vec<Figure> {
    figures_in_prepared(&Prepared::new(paragraph), section, paragraph_index, lexicon)
}

/// `figures_in_paragraph` over a paragraph's characters and sentences made already.
pub fn figures_in_prepared(
    paragraph: &Prepared,
    section: usize,
    paragraph_index: usize,
    lexicon: &Lexicon,
) -> Vec<Figure> {
    let chars = &paragraph.chars;
    let quantities = scan(chars, lexicon);
    if quantities.is_empty() {
        return Vec::new();
    }
    let spans = &paragraph.spans;
    let starts: Vec<usize> = quantities.iter().map(|q| q.start).collect();
    // Every time expression of the paragraph, found once, sentence by sentence, up to the
    // sentence of the last quantity: a figure looks only at its own sentence and those before
    // it, so the sentences after the last figure are not read.
    let last_sentence = quantities.last().map_or(0, |q| spans.partition_point(|(_, e)| *e <= q.start));
    let all_periods: Vec<(usize, usize)> =
        spans.iter().take(last_sentence.saturating_add(1)).flat_map(|(s, e)| periods(chars, *s, *e, lexicon)).collect();
    let mut out = Vec::new();
    // The carried period of the sentence starting at the offset, for the figures after the first
    // in a sentence (it depends only on where the sentence starts).
    let mut carried_at: Option<(usize, Option<String>)> = None;
    for (index, q) in quantities.iter().enumerate() {
        let (s_start, s_end) = sentence_of(spans, q.start);
        let in_sentence: Vec<(usize, usize)> = all_periods
            .iter()
            .copied()
            .filter(|(ps, pe)| *ps >= s_start && *pe <= s_end && (*pe <= q.start || *ps >= q.end))
            .collect();
        // The period of a sentence without its own carries over from the sentences before, when
        // it names a time (2025年, 今年1—5月), not when it is a vague word (同期, 未来, 此前)
        // that only its own sentence explains.
        let carried = match &carried_at {
            Some((at, carried)) if *at == s_start => carried.clone(),
            _ => {
                let carried = carried_period(chars, &all_periods, s_start, lexicon);
                carried_at = Some((s_start, carried.clone()));
                carried
            }
        };
        let period =
            in_sentence.iter().rev().find(|(_, pe)| *pe <= q.start).map(|(a, b)| text_of(chars, *a, *b)).or(carried);
        let previous = index.checked_sub(1).and_then(|k| quantities.get(k));
        let subject = match subject_of(chars, q, &starts, (s_start, s_end), &in_sentence, previous, lexicon) {
            Subject::Phrase(phrase) => Some(phrase),
            // 同比增长27.3%, 增长至350家: the figure before in the sentence says what.
            Subject::SameAsBefore => {
                out.last().filter(|f: &&Figure| f.location.start >= s_start).and_then(|f| f.subject.clone())
            }
            Subject::Unknown => None,
        };
        out.push(Figure {
            text: text_of(chars, q.start, q.end),
            value: q.value,
            unit: q.unit.clone(),
            approx: q.approx,
            value_max: q.value_max,
            subject,
            period,
            period_start: None,
            period_end: None,
            sentence: evidence(chars, (s_start, s_end), q.start, q.end),
            location: Location { section, paragraph: paragraph_index, start: q.start, end: q.end },
        });
    }
    out
}

/// The period a sentence starting at `s_start` carries over from the sentences before: the
/// last of `all_periods` before it, when it names a time.
fn carried_period(chars: &[char], all_periods: &[(usize, usize)], s_start: usize, lexicon: &Lexicon) -> Option<String> {
    all_periods.iter().rev().find(|(_, pe)| *pe <= s_start).map(|(a, b)| text_of(chars, *a, *b)).filter(|text| {
        // A holiday of a year the holiday table lacks still names a time.
        let chars: Vec<char> = text.chars().collect();
        crate::periods::resolve(text, jiff::civil::Date::new(2000, 6, 15).ok(), lexicon).is_some()
            || crate::periods::period_len(&chars, lexicon) == Some(chars.len())
    })
}

/// Fills `period_start` and `period_end` of every figure from its printed period resolved
/// against `base`, the date of the page or its dateline; without a base, relative periods stay
/// `None` (see `periods::resolve`).
pub fn date_periods(figures: &mut [Figure], base: Option<jiff::civil::Date>, lexicon: &Lexicon) {
    for figure in figures {
        let period = figure.period.as_deref().and_then(|text| crate::periods::resolve(text, base, lexicon));
        figure.period_start = period.map(|p| p.start.to_string());
        figure.period_end = period.map(|p| p.end.to_string());
    }
}

fn is_quote_mark(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’' | '"' | '「' | '」')
}

/// A clause boundary for subjects: quotation marks do not end a subject (“网约车司机”超4000人).
fn ends_subject(c: char) -> bool {
    ends_clause(c) && !is_quote_mark(c)
}

/// What `subject_of` found: a phrase, or "the same as the figure before" (从120家增长至350家).
enum Subject {
    Phrase(String),
    SameAsBefore,
    Unknown,
}

/// What a figure measures: the counted noun after a count (50余家门店 → 门店), or the phrase
/// before an amount (商圈零售总额达38.6亿元 → 商圈零售总额).
fn subject_of(
    chars: &[char],
    q: &Quantity,
    starts: &[usize],
    (s_start, s_end): (usize, usize),
    periods: &[(usize, usize)],
    previous: Option<&Quantity>,
    lexicon: &Lexicon,
) -> Subject {
    // After: skip 的 and an opening quote, then up to the clause end or the next figure.
    let mut a = q.end;
    let after_de = chars.get(a) == Some(&'的');
    if after_de {
        a += 1;
    }
    if chars.get(a).copied().is_some_and(is_quote_mark) {
        a += 1;
    }
    let mut b = a;
    // A conjunction right after the figure (12%和15.4%) starts no subject, nor does a time word
    // (100周年前夕, 两年前后).
    let conjunction = chars.get(a).is_some_and(|c| lexicon.figure_context.conjunctions.contains(c))
        || lexicon.figure_context.not_placing.iter().any(|w| starts_with_at(chars, a, w));
    while !conjunction && b < s_end && b < a + 12 {
        let c = chars[b];
        if ends_subject(c)
            || (b > a && (starts.binary_search(&b).is_ok() || lexicon.figure_context.subject_breaks.contains(&c)))
            || (b >= a + 2 && lexicon.subject_after_stop.iter().any(|w| starts_with_at(chars, b, w)))
        {
            break;
        }
        b += 1;
    }
    let after: String = text_of(chars, a, b).trim_matches(is_quote_mark).to_owned();

    // Before: from the clause start (after the last period in it) to the figure, less a currency
    // named before the number and the spaces PDF text leaves (出口额达新台币 177.1 亿元).
    let skip_spaces = |mut k: usize| {
        while k > s_start && chars[k - 1] == ' ' {
            k -= 1;
        }
        k
    };
    let mut anchor = skip_spaces(q.start);
    if let Some(currency) = lexicon
        .units
        .iter()
        .find(|u| u.family == Family::Money && u.surface.len() >= 2 && ends_with_at(chars, anchor, &u.surface))
        && anchor >= s_start + currency.surface.len()
    {
        anchor = skip_spaces(anchor - currency.surface.len());
    }
    let mut c0 = anchor;
    while c0 > s_start && anchor - c0 < 40 && !ends_subject(chars[c0 - 1]) {
        c0 -= 1;
    }
    // A period leading the clause (2024年商圈零售总额达…) is not part of the subject; one inside
    // it (增速比一季度回落) is kept with the rest.
    for (ps, pe) in periods {
        if *pe > c0 && *pe <= q.start && *ps < q.start && *ps <= c0 + 2 {
            c0 = *pe;
        }
    }
    let clause_start = c0;
    // Two figures of one kind in a clause (增长12%和15.4%): the second's subject starts after the first.
    let after_previous = previous.filter(|p| p.family == q.family && p.end > c0 && p.end <= q.start);
    if let Some(previous) = after_previous {
        c0 = previous.end;
    }
    let mut c1 = anchor;
    let changes_from = matches!(chars.get(c1.wrapping_sub(1)), Some('从') | Some('由'));
    // 从120家增长至350家: the second figure measures the same as the first.
    let changes_to = matches!(chars.get(c1.wrapping_sub(1)), Some('至') | Some('到'))
        && (clause_start..c1).any(|k| matches!(chars[k], '从' | '由'));
    if changes_from {
        c1 -= 1;
    }
    // Whether the clause had words before the figure that trimming may remove (同比增长).
    let had_words = c1 > c0;
    let words_before = (c0, c1);
    // 园区软件企业实现营收 → 营收: a verb inside splits off what it acts on.
    for word in &lexicon.subject_split {
        let mut k = c1;
        while k >= c0 + word.len() {
            if ends_with_at(chars, k, word) && c1 >= k + 2 {
                c0 = k;
                break;
            }
            k -= 1;
        }
    }
    loop {
        let mut changed = false;
        if let Some(w) = lexicon.subject_trim_end.iter().find(|w| c1 >= c0 + w.len() && ends_with_at(chars, c1, w)) {
            c1 -= w.len();
            changed = true;
        }
        if let Some(w) = lexicon.subject_trim_start.iter().find(|w| c0 + w.len() <= c1 && starts_with_at(chars, c0, w))
        {
            c0 += w.len();
            changed = true;
        }
        if !changed {
            break;
        }
    }
    if c1 > c0 + 20 {
        c0 = c1 - 20;
    }
    let before: String = text_of(chars, c0, c1).trim_matches(is_quote_mark).to_owned();

    if changes_to {
        return Subject::SameAsBefore;
    }
    // Counts name what they count after them (50余家门店); so do ages (60岁以上老人).
    let counted = matches!(q.family, Family::Count | Family::Length | Family::Area | Family::Duration | Family::Named)
        || (q.family == Family::Other && !q.unit.is_empty());
    let pick = if changes_from {
        before
    } else if counted || (after_de && !q.unit.is_empty()) {
        if !after.is_empty() { after } else { before }
    } else if before.chars().count() >= 2 {
        before
    } else {
        after
    };
    let pick = pick.trim().to_owned();
    match (pick.is_empty(), had_words) {
        (false, _) => Subject::Phrase(pick),
        // Only change words before the figure (同比增长27.3%): it measures what the one before does.
        (true, true)
            if after_previous.is_some()
                || lexicon
                    .subject_change
                    .iter()
                    .any(|w| (words_before.0..words_before.1).any(|k| starts_with_at(chars, k, w))) =>
        {
            Subject::SameAsBefore
        }
        (true, _) => Subject::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the figures of `input`, one per line: text = value [..max] unit approx | subject | period.
    fn check(input: &str, expect: expect_test::Expect) {
        let lexicon = Lexicon::builtin();
        let figures = figures_in_paragraph(input, 0, 0, &lexicon);
        let lines: Vec<String> = figures
            .iter()
            .map(|f| {
                let approx = f.approx.map_or(String::new(), |a| format!(" {a:?}").to_lowercase());
                let max = f.value_max.map_or(String::new(), |m| format!("..{m}"));
                format!(
                    "{} = {}{} {}{} | {} | {}",
                    f.text,
                    f.value,
                    max,
                    if f.unit.is_empty() { "\"\"" } else { &f.unit },
                    approx,
                    f.subject.as_deref().unwrap_or("-"),
                    f.period.as_deref().unwrap_or("-"),
                )
            })
            .collect();
        expect.assert_eq(&lines.join("\n"));
    }

    #[test]
    fn numeral_forms() {
        check("总额达72.35亿元。", expect_test::expect!["72.35亿元 = 7235000000 元 | 总额 | -"]);
        check("规模达4.17万亿元", expect_test::expect!["4.17万亿元 = 4170000000000 元 | 规模 | -"]);
        check("产值2468.91亿元", expect_test::expect!["2468.91亿元 = 246891000000 元 | 产值 | -"]);
        check("投资三亿元", expect_test::expect!["三亿元 = 300000000 元 | 投资 | -"]);
        check("吸引近千名", expect_test::expect!["近千名 = 1000 名 under | - | -"]);
        check("只需半小时", expect_test::expect!["半小时 = 0.5 小时 | - | -"]);
        check("忙了一整天", expect_test::expect!["一整天 = 1 天 | 忙 | -"]);
        check("18万名游客", expect_test::expect!["18万名 = 180000 名 | 游客 | -"]);
        check("二十四小时营业", expect_test::expect!["二十四小时 = 24 小时 | 营业 | -"]);
    }

    #[test]
    fn unit_families() {
        check(
            "新增17家企业、5个项目、420台车、35位学生、9所高校、11款新车、80余场活动、2356次、40多处场所。",
            expect_test::expect![[r#"
                17家 = 17 家 | 企业 | -
                5个 = 5 个 | 项目 | -
                420台 = 420 台 | 车 | -
                35位 = 35 位 | 学生 | -
                9所 = 9 所 | 高校 | -
                11款 = 11 款 | 新车 | -
                80余场 = 80..90 场 over | 活动 | -
                2356次 = 2356 次 | - | -
                40多处 = 40..50 处 over | 场所 | -"#]],
        );
        check(
            "超260万人次，占比33.4%，超7成，提高4倍",
            expect_test::expect![[r#"
                超260万人次 = 2600000 人次 over | - | -
                33.4% = 33.4 % | 占比 | -
                超7成 = 70 % over | - | -
                4倍 = 4 倍 | - | -"#]],
        );
        check(
            "面积3万平方米，0.82平方公里，6公里路段",
            expect_test::expect![[r#"
                3万平方米 = 30000 平方米 | 面积 | -
                0.82平方公里 = 0.82 平方公里 | - | -
                6公里 = 6 公里 | 路段 | -"#]],
        );
        check(
            "45秒、4小时、9天、5个月、三年、65岁以上老人、气温30℃",
            expect_test::expect![[r#"
                45秒 = 45 秒 | - | -
                4小时 = 4 小时 | - | -
                9天 = 9 天 | - | -
                5个月 = 5 个月 | - | -
                三年 = 3 年 | - | -
                65岁以上 = 65 岁 over | 老人 | -
                30℃ = 30 ℃ | 气温 | -"#]],
        );
        check("用户突破7000万。", expect_test::expect![[r#"突破7000万 = 70000000 "" over | 用户 | -"#]]);
    }

    #[test]
    fn percent_in_words_and_vague_counts() {
        check(
            "占百分之三十，近百分之5，十几家，几十个，数十年",
            expect_test::expect![[r#"
                百分之三十 = 30 % | - | -
                近百分之5 = 5 % under | - | -
                十几家 = 10..20 家 | - | -
                几十个 = 10..100 个 | - | -
                数十年 = 10..100 年 | - | -"#]],
        );
    }

    #[test]
    fn more_unit_families_and_approximation_words() {
        check(
            "运输3吨，蓄水5立方米，装机100千瓦，高达8成，多达12项，大约3公里，将近两年，接近9成，不超过5天，不低于3倍，6个月之内",
            expect_test::expect![[r#"
                3吨 = 3 吨 | 运输 | -
                5立方米 = 5 立方米 | 蓄水 | -
                100千瓦 = 100 千瓦 | 装机 | -
                高达8成 = 80 % over | - | -
                多达12项 = 12 项 over | - | -
                大约3公里 = 3 公里 about | - | -
                将近两年 = 2 年 under | - | -
                接近9成 = 90 % under | - | -
                不超过5天 = 5 天 under | - | -
                不低于3倍 = 3 倍 over | - | -
                6个月之内 = 6 个月 under | - | -"#]],
        );
    }

    #[test]
    fn look_alike_words_are_not_figures_or_approximations() {
        check("运输成本节约15%，二次元、一次性、二维码", expect_test::expect!["15% = 15 % | 运输成本 | -"]);
    }

    #[test]
    fn named_counts_only_when_the_lexicon_lists_them() {
        let mut files = std::collections::HashMap::new();
        files.insert("extract-named-counts.txt".to_owned(), "大\n".to_owned());
        let lexicon = Lexicon::from_files(&files).unwrap_or_default();
        let figures: Vec<(String, f64, String)> = figures_in_paragraph("建设五大中心，打造八大工程", 0, 0, &lexicon)
            .into_iter()
            .map(|f| (f.text, f.value, f.unit))
            .collect();
        expect_test::expect![[r#"
            [
                (
                    "五大",
                    5.0,
                    "",
                ),
                (
                    "八大",
                    8.0,
                    "",
                ),
            ]
        "#]]
        .assert_debug_eq(&figures);
    }

    #[test]
    fn second_figure_of_a_clause_and_inner_periods() {
        check(
            "上半年全市GDP同比增长5.6%，增速比一季度回落0.3个百分点；景区收入分别增长12%和15.4%。",
            expect_test::expect![[r#"
                5.6% = 5.6 % | 全市GDP | 上半年
                0.3个百分点 = 0.3 个百分点 | 增速比一季度 | 一季度
                12% = 12 % | 景区收入 | 一季度
                15.4% = 15.4 % | 景区收入 | 一季度"#]],
        );
        check(
            "最高时速80公里/小时，房价3.5万元/平方米",
            expect_test::expect![[r#"
            80公里/小时 = 80 公里/小时 | 最高时速 | -
            3.5万元/平方米 = 35000 元/平方米 | 房价 | -"#]],
        );
        check(
            "单程时间从半天压缩至半小时",
            expect_test::expect![[r#"
            半天 = 0.5 天 | 单程时间 | -
            半小时 = 0.5 小时 | 单程时间 | -"#]],
        );
    }

    #[test]
    fn ranges() {
        check(
            "节省10到12天，位于5至8层，投资300万-500万元，1-2万元",
            expect_test::expect![[r#"
                10到12天 = 10..12 天 | - | -
                5至8层 = 5..8 层 | 位于 | -
                300万-500万元 = 3000000..5000000 元 | 投资 | -
                1-2万元 = 10000..20000 元 | - | -"#]],
        );
    }

    #[test]
    fn approximation_words() {
        check(
            "超4000人，超过15位，逾百家，50余家，2000多家，2小时以上，突破3.4亿，不少于5年，至少6个",
            expect_test::expect![[r#"
                超4000人 = 4000 人 over | - | -
                超过15位 = 15 位 over | - | -
                逾百家 = 100 家 over | - | -
                50余家 = 50..60 家 over | - | -
                2000多家 = 2000..3000 家 over | - | -
                2小时以上 = 2 小时 over | - | -
                突破3.4亿 = 340000000 "" over | - | -
                不少于5年 = 5 年 over | - | -
                至少6个 = 6 个 over | - | -"#]],
        );
        check(
            "不到90秒，不足10%，近20家，40%以下，4年内，约7公里，30人左右，50亩上下",
            expect_test::expect![[r#"
                不到90秒 = 90 秒 under | - | -
                不足10% = 10 % under | - | -
                近20家 = 20 家 under | - | -
                40%以下 = 40 % under | - | -
                4年内 = 4 年 under | - | -
                约7公里 = 7 公里 about | - | 4年内
                30人左右 = 30 人 about | - | 4年内
                50亩上下 = 50 亩 about | - | 4年内"#]],
        );
    }

    #[test]
    fn exclusions() {
        check(
            "2024年7月15日，第三届、第二批、前三、3C产品、G60、5G、3D、A12、365X、1+X、3+2、四大板块、三位数、下半年、一家企业、八大行动",
            expect_test::expect![""],
        );
    }

    #[test]
    fn subject_and_period() {
        check(
            "2024年，滨江大道商圈零售总额达38.6亿元，位居全市前列。",
            expect_test::expect!["38.6亿元 = 3860000000 元 | 滨江大道商圈零售总额 | 2024年"],
        );
        check(
            "今年1—4月全市新能源车销量同比增长27.3%。",
            expect_test::expect!["27.3% = 27.3 % | 全市新能源车销量 | 今年1—4月"],
        );
        check(
            "截至2024年底，全市共有高新技术企业612家。今年以来，新引进企业35家，实现营收9.2亿元。",
            expect_test::expect![[r#"
                612家 = 612 家 | 高新技术企业 | 截至2024年底
                35家 = 35 家 | 新引进企业 | 今年以来
                9.2亿元 = 920000000 元 | 营收 | 今年以来"#]],
        );
        check(
            "到2030年，培育企业240家，自开馆以来举办90余场展览。",
            expect_test::expect![[r#"
                240家 = 240 家 | 培育企业 | 到2030年
                90余场 = 90..100 场 over | 展览 | 自开馆以来"#]],
        );
    }
}
