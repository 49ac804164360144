//! Numerals: digits (ASCII and full-width, with decimals, thousands separators `,` `，` and
//! spaces, a leading minus, `k`/`w` abbreviations), Chinese numerals (〇 一 二 两 三 … 十 百 千 万
//! 亿), financial numerals (壹 贰 叁 … 拾 佰 仟 萬 億), `半`, mixtures (4.17万亿, 18万, 三亿, 两个亿)
//! and adjacent numerals that name a range (三五百 = 300..500, 八九亿, 十五六).
//!
//! Only the number itself: units, approximation words and whether a number is a figure at all
//! are decided by `figures`.

/// A numeral found in a text, in character offsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Numeral {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    /// The upper end of adjacent numerals (三五百: 500), `None` for a single number.
    pub value_max: Option<f64>,
    /// Written with digits (possibly followed by scale words).
    pub digits: bool,
    /// How many digits before the decimal point (a 4-digit integer may be a year).
    pub integer_digits: usize,
    /// Contains a scale word (百 千 万 亿).
    pub scaled: bool,
    /// Only scale words, no digit (万, 亿, 万亿): "ten thousand" or just a word part.
    pub scale_only: bool,
    /// The plain numeral 一 (mostly an article, "a", not a quantity).
    pub one_word: bool,
    /// The numeral 半.
    pub half: bool,
    pub integer: bool,
    /// The product of the scale words that end the numeral after its last digit (3万 → 1e4,
    /// 九千亿 → 1e8, 3百 → 100, 15k → 1e3): what a range's first number may share (七千到九千亿).
    pub trailing_scale: f64,
    /// Starts with a minus sign (-2.06亿).
    pub negative: bool,
}

impl Numeral {
    fn plain(start: usize, end: usize, value: f64) -> Numeral {
        Numeral {
            start,
            end,
            value,
            value_max: None,
            digits: false,
            integer_digits: 0,
            scaled: false,
            scale_only: false,
            one_word: false,
            half: false,
            integer: true,
            trailing_scale: 1.0,
            negative: false,
        }
    }

    /// The value without the trailing scale (九千亿 → 9000, 3万 → 3).
    pub fn mantissa(&self) -> f64 {
        tidy(self.value / self.trailing_scale)
    }
}

/// Rounds away the binary noise of scaling decimals (9.2 × 1e8 = 919999999.9999999) by
/// keeping 12 significant digits.
pub fn tidy(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let digits = 12 - value.abs().log10().ceil() as i32;
    let factor = 10f64.powi(digits.clamp(-300, 300));
    (value * factor).round() / factor
}

pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// A minus sign that may start a negative number (-2.06亿元).
pub fn is_minus(c: char) -> bool {
    matches!(c, '-' | '－' | '−')
}

/// A Chinese digit, plain or financial (壹 贰 叁).
pub fn chinese_digit(c: char) -> Option<f64> {
    Some(match c {
        '〇' | '零' => 0.0,
        '一' | '壹' => 1.0,
        '二' | '两' | '贰' | '貳' => 2.0,
        '三' | '叁' | '參' => 3.0,
        '四' | '肆' => 4.0,
        '五' | '伍' => 5.0,
        '六' | '陆' | '陸' => 6.0,
        '七' | '柒' => 7.0,
        '八' | '捌' => 8.0,
        '九' | '玖' => 9.0,
        _ => return None,
    })
}

/// A financial form of a digit or scale word (壹 陆 拾 萬).
fn is_financial(c: char) -> bool {
    matches!(
        c,
        '壹' | '贰'
            | '貳'
            | '叁'
            | '參'
            | '肆'
            | '伍'
            | '陆'
            | '陸'
            | '柒'
            | '捌'
            | '玖'
            | '拾'
            | '佰'
            | '仟'
            | '萬'
            | '億'
    )
}

/// A scale word, plain or financial (拾 佰 仟 萬 億).
pub fn scale_value(c: char) -> Option<f64> {
    Some(match c {
        '十' | '拾' => 10.0,
        '百' | '佰' => 100.0,
        '千' | '仟' => 1e3,
        '万' | '萬' => 1e4,
        '亿' | '億' => 1e8,
        _ => return None,
    })
}

/// Whether `c` can start a numeral.
pub fn starts_numeral(c: char) -> bool {
    digit_value(c).is_some() || chinese_digit(c).is_some() || scale_value(c).is_some() || c == '半'
}

/// Parses the numeral starting at `chars[at]` (a minus sign followed by a digit included).
/// `stop_scale_at` says, for a position, whether a unit starts there that begins with a scale
/// character (千米, 千克): such a character is not consumed as a scale word.
pub fn parse_numeral(chars: &[char], at: usize, stop_scale_at: &dyn Fn(usize) -> bool) -> Option<Numeral> {
    let first = *chars.get(at)?;
    if first == '半' {
        return Some(Numeral { half: true, integer: false, ..Numeral::plain(at, at + 1, 0.5) });
    }
    if is_minus(first) && chars.get(at + 1).and_then(|c| digit_value(*c)).is_some() {
        let n = parse_digits(chars, at + 1, stop_scale_at)?;
        return Some(Numeral { start: at, value: -n.value, negative: true, ..n });
    }
    if digit_value(first).is_some() {
        return parse_digits(chars, at, stop_scale_at);
    }
    parse_chinese(chars, at, stop_scale_at)
}

/// Whether a digit-group separator stands at `chars[i]`: exactly three digits follow it (then no
/// digit), and the group before it has one to three digits.
fn separates_groups(chars: &[char], i: usize, group_len: usize) -> bool {
    let c = chars[i];
    let is_digit_at = |k: usize| chars.get(k).and_then(|c| digit_value(*c)).is_some();
    let three_follow = (1..=3).all(|k| is_digit_at(i + k));
    match c {
        // ASCII commas are always separators when three digits follow (2,928,502).
        ',' => three_follow,
        // A full-width comma or a space is one only in a strict group pattern (82，225.00, 1 000).
        '，' | ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' => {
            three_follow && !is_digit_at(i + 4) && (1..=3).contains(&group_len)
        }
        _ => false,
    }
}

fn parse_digits(chars: &[char], at: usize, stop_scale_at: &dyn Fn(usize) -> bool) -> Option<Numeral> {
    let mut i = at;
    let mut text = String::new();
    let mut integer_digits = 0;
    let mut group_len = 0;
    let mut grouped = false;
    while i < chars.len() {
        if let Some(d) = digit_value(chars[i]) {
            text.push(char::from_digit(d, 10)?);
            integer_digits += 1;
            group_len += 1;
            i += 1;
        } else if (grouped || group_len <= 3 || chars[i] == ',') && separates_groups(chars, i, group_len) {
            grouped = true;
            group_len = 0;
            i += 1;
        } else {
            break;
        }
    }
    let mut integer = true;
    if matches!(chars.get(i), Some('.') | Some('．')) && chars.get(i + 1).and_then(|c| digit_value(*c)).is_some() {
        text.push('.');
        i += 1;
        integer = false;
        while let Some(d) = chars.get(i).and_then(|c| digit_value(*c)) {
            text.push(char::from_digit(d, 10)?);
            i += 1;
        }
    }
    let mut value: f64 = text.parse().ok()?;
    let mut scaled = false;
    let mut trailing_scale = 1.0;
    // 15k, 30w: thousands and ten-thousands as printed in informal text; not 15kg, 30W.
    if let Some(c @ ('k' | 'K' | 'w')) = chars.get(i).copied()
        && !chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric())
    {
        let scale = if c == 'w' { 1e4 } else { 1e3 };
        value *= scale;
        trailing_scale *= scale;
        scaled = true;
        i += 1;
    }
    // 177.1 亿元: PDF text may leave a space between the number and its scale word.
    let mut k = i;
    while chars.get(k) == Some(&' ') && k < i + 2 {
        k += 1;
    }
    if k > i && chars.get(k).and_then(|c| scale_value(*c)).is_some_and(|s| s >= 100.0) {
        i = k;
    }
    while let Some(scale) = chars.get(i).and_then(|c| scale_value(*c)) {
        if scale == 10.0 || stop_scale_at(i) {
            break;
        }
        value *= scale;
        trailing_scale *= scale;
        scaled = true;
        i += 1;
    }
    Some(Numeral {
        value: tidy(value),
        digits: true,
        integer_digits,
        scaled,
        integer: integer && !scaled,
        trailing_scale,
        ..Numeral::plain(at, i, 0.0)
    })
}

/// The state machine over Chinese numeral characters. `pick_high` chooses, at a pair of adjacent
/// digits (三五百), the second one; otherwise the first. Returns the value, the end, whether a
/// digit and a scale word were seen, the trailing scale and whether a pair was seen.
struct ChineseRun {
    value: f64,
    end: usize,
    any_digit: bool,
    scaled: bool,
    trailing_scale: f64,
    pair: bool,
}

fn run_chinese(chars: &[char], at: usize, stop_scale_at: &dyn Fn(usize) -> bool, pick_high: bool) -> ChineseRun {
    // total: completed 亿/万 groups; section: the part below 万; digit: the pending digit.
    let mut total = 0.0;
    let mut section = 0.0;
    let mut digit: Option<f64> = None;
    let mut i = at;
    let mut any_digit = false;
    let mut scaled = false;
    let mut pair = false;
    let mut big_trailing = 1.0;
    while i < chars.len() {
        let c = chars[i];
        if c == '〇' || c == '零' {
            // 一百零五: a zero is a placeholder between digits, not a digit of its own.
            if digit.is_some() {
                break;
            }
            any_digit = true;
            big_trailing = 1.0;
        } else if let Some(d) = chinese_digit(c) {
            if let Some(previous) = digit {
                // Two digits in a row are one numeral only as a range of neighbours followed by
                // a scale word or the end of the numeral (三五百, 八九亿, 十五六个), and only once.
                let next_is_digit = chars.get(i + 1).is_some_and(|n| chinese_digit(*n).is_some());
                if pair || d <= previous || d - previous > 2.0 || next_is_digit {
                    break;
                }
                pair = true;
                if pick_high {
                    digit = Some(d);
                }
            } else {
                digit = Some(d);
            }
            any_digit = true;
            big_trailing = 1.0;
        } else if let Some(scale) = scale_value(c) {
            if stop_scale_at(i) {
                break;
            }
            scaled |= scale >= 100.0;
            if scale >= 1e4 {
                // 三千五百万: everything so far is multiplied; 万 alone is one 万.
                let group = section + digit.take().unwrap_or(0.0);
                if scale >= 1e8 {
                    let base = total + group;
                    total = if base == 0.0 { 1.0 } else { base } * scale;
                } else {
                    total += if group == 0.0 { 1.0 } else { group } * scale;
                }
                section = 0.0;
            } else {
                section += digit.take().unwrap_or(1.0) * scale;
            }
            if scale >= 1e4 {
                big_trailing *= scale;
            } else {
                big_trailing = 1.0;
            }
        } else if c == '个'
            && (digit.is_some() || section > 0.0)
            && chars.get(i + 1).and_then(|n| scale_value(*n)).is_some_and(|s| s >= 1e4)
        {
            // 两个亿: the measure word between a numeral and its scale word.
        } else {
            break;
        }
        i += 1;
    }
    // The scale a range's first number may share: the big scale words that end the numeral
    // (一百五十万 → 万, 九千亿 → 亿), or the one scale word of a digit and a scale (三百, 三仟).
    let trailing_scale = if big_trailing > 1.0 {
        big_trailing
    } else if i == at + 2 && chinese_digit(chars[at]).is_some() {
        scale_value(chars[at + 1]).unwrap_or(1.0)
    } else {
        1.0
    };
    ChineseRun { value: total + section + digit.unwrap_or(0.0), end: i, any_digit, scaled, trailing_scale, pair }
}

fn parse_chinese(chars: &[char], at: usize, stop_scale_at: &dyn Fn(usize) -> bool) -> Option<Numeral> {
    let low = run_chinese(chars, at, stop_scale_at, false);
    if low.end == at {
        return None;
    }
    // 陆, 伍 alone are family names far more often than financial numerals (陆元 is a person).
    if low.end == at + 1 && is_financial(chars[at]) {
        return None;
    }
    let value_max = low.pair.then(|| run_chinese(chars, at, stop_scale_at, true).value);
    let one_word = low.end == at + 1 && matches!(chars[at], '一' | '壹');
    Some(Numeral {
        value: low.value,
        value_max,
        scaled: low.scaled,
        scale_only: !low.any_digit && low.scaled,
        one_word,
        trailing_scale: low.trailing_scale,
        ..Numeral::plain(at, low.end, 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: expect_test::Expect) {
        let chars: Vec<char> = input.chars().collect();
        let got = parse_numeral(&chars, 0, &|_| false)
            .map(|n| {
                let text: String = chars[n.start..n.end].iter().collect();
                format!(
                    "{text} = {}{}{}{}{}",
                    n.value,
                    n.value_max.map_or(String::new(), |m| format!("..{m}")),
                    if n.digits { " digits" } else { "" },
                    if n.scale_only { " scale-only" } else { "" },
                    if n.one_word { " one-word" } else { "" }
                )
            })
            .unwrap_or_else(|| "none".into());
        expect.assert_eq(&got);
    }

    #[test]
    fn digits() {
        check("72.35亿元", expect_test::expect!["72.35亿 = 7235000000 digits"]);
        check("4.17万亿元", expect_test::expect!["4.17万亿 = 4170000000000 digits"]);
        check("1,234.56亿", expect_test::expect!["1,234.56亿 = 123456000000 digits"]);
        check("１８万名", expect_test::expect!["１８万 = 180000 digits"]);
        check("2356次", expect_test::expect!["2356 = 2356 digits"]);
        check("5,0", expect_test::expect!["5 = 5 digits"]);
    }

    #[test]
    fn chinese() {
        check("三亿元", expect_test::expect!["三亿 = 300000000"]);
        check("二十四小时", expect_test::expect!["二十四 = 24"]);
        check("十大", expect_test::expect!["十 = 10"]);
        check("一百零五", expect_test::expect!["一百零五 = 105"]);
        check("一亿五千万", expect_test::expect!["一亿五千万 = 150000000"]);
        check("两千零二十四", expect_test::expect!["两千零二十四 = 2024"]);
        check("三千五百万", expect_test::expect!["三千五百万 = 35000000"]);
        check("万人", expect_test::expect!["万 = 10000 scale-only"]);
        check("万亿", expect_test::expect!["万亿 = 1000000000000 scale-only"]);
        check("一整天", expect_test::expect!["一 = 1 one-word"]);
        check("半小时", expect_test::expect!["半 = 0.5"]);
        check("三四个", expect_test::expect!["三四 = 3..4"]);
    }

    #[test]
    fn scale_not_taken_from_a_unit() {
        let chars: Vec<char> = "5千米".chars().collect();
        let n = parse_numeral(&chars, 0, &|i| chars.get(i) == Some(&'千'));
        assert_eq!(n.map(|n| (n.end, n.value)), Some((1, 5.0)));
    }
}
