//! Periods as dates: the printed period of a figure (`今年1至5月`, `截至2025年底`, `上半年`,
//! `去年同期`) resolved to a first and a last day against the page's date, so users can chart it.
//!
//! `resolve` reads one period text; `page_date` finds the date in a page id (`rmrb_20230701_01`,
//! `hz_2026-06-30_03`) and `dateline_date` the date of a dateline (`本报北京9月30日电`). Anything
//! relative (今年, 上周, 前三季度, 1—5月) needs a base date: without one the answer is `None`,
//! never a guess. Vague words (近年来, 此前, 未来, 同期) resolve to nothing either. Calendar maths
//! is jiff's; this module only reads the Chinese.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::lexicon::{CenturyPart, FestivalDay, LengthUnit, Lexicon, PeriodWords, Season, Words};
use crate::numbers::{chinese_digit, digit_value, parse_numeral};

/// A first and a last day, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    fn new(start: Date, end: Date) -> Option<Period> {
        (start <= end).then_some(Period { start, end })
    }

    fn day(day: Date) -> Period {
        Period { start: day, end: day }
    }
}

/// The date of a page from its id: `YYYY-MM-DD` or `YYYYMMDD` inside it, as `fetch` names pages.
pub fn page_date(id: &str) -> Option<Date> {
    let chars: Vec<char> = id.chars().collect();
    let digit = |k: usize| chars.get(k).is_some_and(char::is_ascii_digit);
    let number = |from: usize, len: usize| -> Option<i32> {
        chars.get(from..from + len)?.iter().collect::<String>().parse().ok()
    };
    for i in 0..chars.len() {
        if !digit(i) || (i > 0 && digit(i - 1)) {
            continue;
        }
        let dashed = (0..4).all(|k| digit(i + k))
            && chars.get(i + 4) == Some(&'-')
            && digit(i + 5)
            && digit(i + 6)
            && chars.get(i + 7) == Some(&'-')
            && digit(i + 8)
            && digit(i + 9)
            && !digit(i + 10);
        let packed = (0..8).all(|k| digit(i + k)) && !digit(i + 8);
        let (year, month, day) = if dashed {
            (number(i, 4), number(i + 5, 2), number(i + 8, 2))
        } else if packed {
            (number(i, 4), number(i + 4, 2), number(i + 6, 2))
        } else {
            continue;
        };
        if let (Some(y), Some(m), Some(d)) = (year, month, day)
            && (1900..=2200).contains(&y)
            && let Ok(date) = Date::new(y as i16, m as i8, d as i8)
        {
            return Some(date);
        }
    }
    None
}

/// Parses an ISO date (`2026-06-30`).
pub fn parse_iso(text: &str) -> Option<Date> {
    text.trim().parse().ok()
}

/// The date of a dateline in `text` (`本报北京9月30日电`, `新华社杭州6月5日电`), in the year of
/// `base`, or the year before when the dateline's day would lie more than a month after `base`
/// (a January paper reporting a December event).
pub fn dateline_date(text: &str, base: Date) -> Option<Date> {
    let chars: Vec<char> = text.chars().take(60).collect();
    let end = (0..chars.len()).find(|&k| chars[k] == '电' && k > 0 && matches!(chars[k - 1], '日' | '号'))?;
    let mut k = end - 1;
    let day_end = k;
    while k > 0
        && (digit_value(chars[k - 1]).is_some() || chinese_digit(chars[k - 1]).is_some() || chars[k - 1] == '十')
    {
        k -= 1;
    }
    let day = small_number(&chars[k..day_end])?;
    if k == 0 || chars[k - 1] != '月' {
        return None;
    }
    let month_end = k - 1;
    let mut m = month_end;
    while m > 0
        && (digit_value(chars[m - 1]).is_some() || chinese_digit(chars[m - 1]).is_some() || chars[m - 1] == '十')
    {
        m -= 1;
    }
    let month = small_number(&chars[m..month_end])?;
    let date = Date::new(base.year(), month as i8, day as i8).ok()?;
    if date > base.checked_add(31.days()).ok()? {
        Date::new(base.year() - 1, month as i8, day as i8).ok()
    } else {
        Some(date)
    }
}

/// A month and day of year `y`, day 0 meaning the month's last day.
fn month_day(y: i16, m: i8, d: i8) -> Option<Date> {
    let first = Date::new(y, m, 1).ok()?;
    if d == 0 { Some(first.last_of_month()) } else { Date::new(y, m, d).ok() }
}

/// The day of lunar month `month`, day `day` of the lunar year that starts in `year`, by the
/// Chinese calendar's tables (1901 to 2100); `None` outside them or for a day the month lacks.
fn lunar_date(year: i16, month: u8, day: u8) -> Option<Date> {
    let lunar =
        chinese_lunisolar_calendar::LunisolarDate::from_ymd(u16::try_from(year).ok()?, month, false, day).ok()?;
    let solar = lunar.to_solar_date();
    let (y, m, d) = (solar.to_solar_year().to_u16(), solar.to_solar_month().to_u32(), solar.to_solar_day().to_u32());
    Date::new(i16::try_from(y).ok()?, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// The day of a festival in year `year`: its lunar date, its fixed day, or the day of its solar
/// term by the term formula of this century ([YY × 0.2422 + C] − [YY / 4], 2000 to 2099).
fn festival_day(year: i16, day: FestivalDay) -> Option<Date> {
    match day {
        FestivalDay::Lunar(m, d) => lunar_date(year, m, d),
        FestivalDay::Solar(m, d) => Date::new(year, m, d).ok(),
        FestivalDay::Term(m, c) => {
            if !(2000..=2099).contains(&year) {
                return None;
            }
            let yy = f64::from(year - 2000);
            let d = (yy * 0.2422 + c).floor() - (yy / 4.0).floor();
            Date::new(year, m, d as i8).ok()
        }
    }
}

/// A number of at most two digits or a Chinese numeral below 100 (9, 30, 十二, 三十一).
fn small_number(chars: &[char]) -> Option<i32> {
    if chars.is_empty() {
        return None;
    }
    let n = parse_numeral(chars, 0, &|_| false)?;
    (n.end == chars.len() && n.value >= 0.0 && n.value < 100.0 && n.value.fract() == 0.0).then_some(n.value as i32)
}

/// The period `text` names, resolved against `base` (the page's date). `None` when the text is
/// no period, is too vague to date, or needs a base date that is not known.
pub fn resolve(text: &str, base: Option<Date>, lexicon: &Lexicon) -> Option<Period> {
    // Spaces go, except one between two digits (2018-11-29 18:59), which keeps the day apart
    // from the time.
    let raw: Vec<char> = text.trim().chars().collect();
    let is_digit = |k: usize| raw.get(k).is_some_and(|c| digit_value(*c).is_some());
    let chars: Vec<char> = (0..raw.len())
        .filter(|&k| {
            !raw[k].is_whitespace()
                || (k > 0 && is_digit(k - 1) && !raw[k - 1].is_whitespace() && {
                    let mut n = k;
                    while raw.get(n).is_some_and(|c| c.is_whitespace()) {
                        n += 1;
                    }
                    is_digit(n)
                })
        })
        .map(|k| if raw[k].is_whitespace() { ' ' } else { raw[k] })
        .collect();
    let mut p = Parser { chars: &chars, i: 0, base, whole_text: true, words: &lexicon.period_words };
    p.expression().or_else(|| since_a_date(&chars, base, lexicon))
}

/// 自2021年10月正式运营以来, 自1953年成立以来: a since word, a date and an event, and a closing
/// word: from that date up to the base date. Without a date right after the since word (自开馆以来)
/// there is nothing to date.
fn since_a_date(chars: &[char], base: Option<Date>, lexicon: &Lexicon) -> Option<Period> {
    let words = &lexicon.period_words;
    let open = words.since.iter().find(|(w, _)| chars.starts_with(w)).map(|(w, _)| w.len())?;
    if !words.since_close.iter().any(|(w, _)| chars.ends_with(w)) {
        return None;
    }
    let mut p = Parser { chars, i: open, base, whole_text: false, words };
    let (first, _) = p.span(Context::default())?;
    Period::new(first.start, base?)
}

/// How many characters of the period at the start of `chars` a reader takes (`今年前5个月` of
/// `今年前5个月全市…`), `None` when none starts there. Used to find periods in running text, so
/// it never needs a base date: relative words are measured against a stand-in one.
pub fn period_len(chars: &[char], lexicon: &Lexicon) -> Option<usize> {
    let stand_in = Date::new(2000, 6, 15).ok();
    let mut p = Parser { chars, i: 0, base: stand_in, whole_text: false, words: &lexicon.period_words };
    p.expression_prefix()?;
    Some(p.i).filter(|n| *n > 0)
}

/// How a period is read: `prefix? span (joiner span)? suffix?`.
struct Parser<'a> {
    chars: &'a [char],
    i: usize,
    base: Option<Date>,
    /// Whether the text read is a whole period (the `period` subcommand, a figure's period) or
    /// running text. In running text a time of day alone (下午四点半) dates no figure, and a
    /// two-digit year needs a month or 底/初 after it (98年4月, 19年底): 10年间 is a duration.
    whole_text: bool,
    words: &'a PeriodWords,
}

/// Whether `rest` starts with `word`; the first characters are compared before the rest, since
/// most words of a list fail there (a word list is scanned at many positions).
fn word_at(rest: &[char], word: &[char]) -> bool {
    match word.first() {
        None => true,
        Some(first) => rest.first() == Some(first) && rest.starts_with(word),
    }
}

/// What the first part of a range leaves for the second (2017年8月11日至22日: the year and month).
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    year: Option<i16>,
    month: Option<i8>,
}

impl<'a> Parser<'a> {
    /// The longest word of `list` here, eaten, and its value.
    fn eat_word<T>(&mut self, list: &'a Words<T>) -> Option<&'a T> {
        let rest = self.chars.get(self.i..)?;
        if !list.may_start(rest) {
            return None;
        }
        let (word, value) = list.iter().find(|(w, _)| word_at(rest, w))?;
        self.i += word.len();
        Some(value)
    }

    /// 10年来, 近三年来: a lately word after a length, eaten; not one before a numeral (一个月来一次).
    fn eats_lately(&mut self) -> bool {
        let save = self.i;
        let words = self.words;
        if self.eats(&words.lately) && !self.chars.get(self.i).copied().is_some_and(crate::numbers::starts_numeral) {
            return true;
        }
        self.i = save;
        false
    }

    /// Whether a word of `list` is here (eaten).
    fn eats<T>(&mut self, list: &'a Words<T>) -> bool {
        self.eat_word(list).is_some()
    }

    /// Whether a word of `list` is here, without eating it.
    fn at_word<T>(&self, list: &Words<T>) -> bool {
        self.chars.get(self.i..).is_some_and(|rest| list.may_start(rest) && list.iter().any(|(w, _)| word_at(rest, w)))
    }

    /// Eats `word` if it is here. Compares character by character: this is called at nearly
    /// every position of running text, and collecting the word first cost an allocation a call.
    fn eat(&mut self, word: &str) -> bool {
        let Some(rest) = self.chars.get(self.i..) else { return false };
        let mut len = 0;
        for c in word.chars() {
            if rest.get(len) != Some(&c) {
                return false;
            }
            len += 1;
        }
        self.i += len;
        true
    }

    fn eat_any(&mut self, words: &[&str]) -> bool {
        words.iter().any(|w| self.eat(w))
    }

    fn done(&self) -> bool {
        self.i >= self.chars.len()
    }

    fn expression(&mut self) -> Option<Period> {
        let period = self.expression_prefix()?;
        self.done().then_some(period)
    }

    /// The period at the start of the text, however much text follows it.
    fn expression_prefix(&mut self) -> Option<Period> {
        // 截至2025年底, 到2030年: the state at the end of the period (a stock, a target).
        let words = self.words;
        let until = self.eats(&words.until);
        let since = !until && self.eats(&words.since);
        let (first, context) = self.span(Context::default())?;
        let mut period = first;
        let mut ranged = false;
        if !until {
            let save = self.i;
            if self.eats(&words.joiners) {
                self.eat_any(&["—", "-"]);
                let at_second = self.i;
                self.time_of_day();
                let time_only = self.i > at_second && (self.done() || !self.whole_text);
                if time_only {
                    // 6月28日9:30~11:30: a time of day closing the range keeps its day.
                    ranged = true;
                } else if !matches!(self.chars.get(at_second + 1), Some('天' | '日' | '年')) && {
                    self.i = at_second;
                    self.eat("今")
                } {
                    period = Period::new(first.start, self.base?)?;
                    ranged = true;
                } else if let Some((second, _)) = {
                    self.i = at_second;
                    self.span(context)
                } {
                    period = Period::new(first.start, second.end)?;
                    ranged = true;
                } else {
                    self.i = save;
                }
            }
        }
        if !ranged && self.eats(&words.ongoing) {
            period = Period::new(first.start, self.base?)?;
        } else if !ranged && since {
            self.eats(&words.ongoing);
            period = Period::new(first.start, self.base?)?;
        } else if !ranged && !until && self.eats(&words.before) {
            // 2025年前, 明年6月之前: from the base date to the end of that period.
            period = Period::new(self.base?, period.end)?;
        }
        self.eat("份");
        if until {
            period = Period::day(period.end);
        }
        Some(period)
    }

    /// One span: a year with what narrows it, a month, a day, or a relative word.
    fn span(&mut self, context: Context) -> Option<(Period, Context)> {
        let start = self.i;
        let Some(found) = self.span_without_time(context) else {
            // 早上7点, 15:37 alone: the base day.
            self.i = start;
            if !self.whole_text {
                return None;
            }
            self.time_of_day();
            return (self.i > start).then_some((Period::day(self.base?), context));
        };
        // 6月1日周六: the weekday of a dated day adds nothing.
        let save = self.i;
        let words = self.words;
        if !(self.eats(&words.weekday) && self.eat_any(&["一", "二", "三", "四", "五", "六", "日", "天"])) {
            self.i = save;
        }
        // 农历八月十五当天, 6月1日当晚: a same-day word after a day names that day.
        let save = self.i;
        if found.0.start != found.0.end || self.eat_word(&words.days) != Some(&0) {
            self.i = save;
        }
        // 7月4日晚上7点09分, 下月15号下午6点: the day is what a period keeps of a time of day.
        self.time_of_day();
        Some(found)
    }

    /// A time of day (下午6点, 晚上7点09分18秒, 9点半, 15:37), skipped.
    fn time_of_day(&mut self) {
        let save = self.i;
        self.eat(" ");
        let words = self.words;
        self.eats(&words.dayparts);
        let with_part = self.i > save;
        let is_digit = |k: usize| self.chars.get(k).is_some_and(|c| digit_value(*c).is_some());
        let is_colon = |k: usize| self.chars.get(k).is_some_and(|c| matches!(c, ':' | '：'));
        if is_digit(self.i) && (is_colon(self.i + 1) || (is_digit(self.i + 1) && is_colon(self.i + 2))) {
            while self.chars.get(self.i).is_some_and(|c| digit_value(*c).is_some() || matches!(c, ':' | '：')) {
                self.i += 1;
            }
            return;
        }
        let at_number = self.i;
        if self.number().is_some() && self.eat_any(&["点钟", "点", "时"]) {
            if self.number().is_some() {
                self.eat_any(&["分", "秒", "刻"]);
                if self.number().is_some() {
                    self.eat("秒");
                }
            } else {
                self.eats(&words.clock_after);
            }
            return;
        }
        self.i = if with_part { at_number } else { save };
    }

    fn span_without_time(&mut self, context: Context) -> Option<(Period, Context)> {
        let base = self.base;
        let start = self.i;
        if let Some(p) = self.relative_span() {
            return Some((p, Context::default()));
        }
        self.i = start;
        if let Some(p) = self.numeric_date().or_else(|| self.century()) {
            return Some((p, Context::default()));
        }
        self.i = start;
        let year = self.year();
        let year_value = match year {
            Some(y) => Some(y),
            None => context.year.or(base.map(|b| b.year())),
        };
        // Parts of a year: 上半年, 前三季度, 一季度, 年底, 前5个月.
        if let Some(y) = year_value
            && let Some(p) = self.part_of_year(y, year.is_some())
        {
            return Some((p, Context { year: Some(y), month: None }));
        }
        // Festivals, holidays, seasons, school holidays, lunar dates: 国庆假期, 今夏, 农历八月十五.
        let named_start = self.i;
        if let Some(p) = self.named_time(year) {
            return Some((p, Context::default()));
        }
        self.i = named_start;
        let words = self.words;
        // 月底, 月初, 上半月 with no month written: the base date's month.
        if year.is_none()
            && let Some(base) = base
        {
            let (y, m) = (base.year(), base.month());
            if self.eat("月")
                && let Some(p) = self.part_of_month(y, m)
            {
                return Some((p, Context { year: Some(y), month: Some(m) }));
            }
            self.i = named_start;
            if self.at_word(&words.half_months)
                && let Some(p) = self.part_of_month(y, m)
            {
                return Some((p, Context { year: Some(y), month: Some(m) }));
            }
            self.i = named_start;
        }
        // 今年内, 年内, 2025年内: up to the end of that year, from the base date when it lies in it.
        if let Some(y) = year_value
            && (year.is_some() || self.eat("年"))
            && self.eats(&words.within)
        {
            let first = Date::new(y, 1, 1).ok()?;
            let from = base.filter(|b| b.year() == y).unwrap_or(first);
            return Some((Period::new(from, first.last_of_year())?, Context { year: Some(y), month: None }));
        }
        self.i = named_start;
        let month_start = self.i;
        if let Some((m1, m2)) = self.months() {
            let y = year_value?;
            if m1 == m2
                && let Some(day) = self.days(y, m1)
            {
                return Some((day, Context { year: Some(y), month: Some(m1) }));
            }
            if m1 == m2
                && let Some(p) = self.part_of_month(y, m1)
            {
                return Some((p, Context { year: Some(y), month: Some(m1) }));
            }
            let from = Date::new(y, m1, 1).ok()?;
            let to = Date::new(y, m2, 1).ok()?.last_of_month();
            return Some((Period::new(from, to)?, Context { year: Some(y), month: Some(m2) }));
        }
        self.i = month_start;
        // 22日 after 8月11日至: a day of the month before.
        if year.is_none()
            && let (Some(y), Some(m)) = (context.year, context.month)
            && let Some(day) = self.days(y, m)
        {
            return Some((day, context));
        }
        let y = year?;
        let from = Date::new(y, 1, 1).ok()?;
        Some((Period::new(from, from.last_of_year())?, Context { year: Some(y), month: None }))
    }

    /// A festival, an official holiday, a season, a school holiday, a lunar date or a five-year
    /// plan, in `year` when one was written (2023年中秋, 今年国庆), else in the base date's year.
    fn named_time(&mut self, year: Option<i16>) -> Option<Period> {
        let words = self.words;
        let start = self.i;
        // 十一黄金周: a holiday by its own name.
        if let Some(name) = self.eat_word(&words.holiday_names) {
            return self.in_year(year, |y| self.holiday(y, name));
        }
        // 中秋国庆假期, 五一劳动节, 春节: festivals in a row, maybe a holiday word after them.
        let mut festivals = Vec::new();
        let mut bare_ok = true;
        while let Some(festival) = self.eat_word(&words.festivals) {
            festivals.push(festival);
            let named_after = self.eat("节") || self.at_word(&words.festivals) || self.at_word(&words.holiday_words);
            bare_ok &= !festival.bare || named_after;
            let before_joiner = self.i;
            if self.eat_any(&["、", "和", "与"]) && !self.at_word(&words.festivals) {
                self.i = before_joiner;
            }
        }
        if !festivals.is_empty() {
            // 五一广场, 王国庆, 政治清明, 十一月: such a festival needs 节 or a holiday word after
            // it, unless it is the whole text.
            if !(bare_ok || self.whole_text && self.done()) {
                self.i = start;
                return None;
            }
            if self.eats(&words.holiday_words) {
                return self.in_year(year, |y| {
                    let ranges: Option<Vec<Period>> = festivals.iter().map(|f| self.holiday(y, &f.name)).collect();
                    let ranges = ranges?;
                    Period::new(ranges.iter().map(|p| p.start).min()?, ranges.iter().map(|p| p.end).max()?)
                });
            }
            let days: Option<Vec<Date>> = festivals
                .iter()
                .map(|f| match f.day {
                    FestivalDay::Lunar(m, d) => self.lunar_in_year(year, m, d),
                    day => festival_day(year.or(self.base.map(|b| b.year()))?, day),
                })
                .collect();
            let days = days?;
            return Period::new(*days.iter().min()?, *days.iter().max()?);
        }
        // 今冬明春, 夏季, 今夏: a season, and a second one right after it closing a range.
        if let Some(season) = self.eat_word(&words.seasons).copied() {
            // 冬季平均气温, 冬季两项, 夏季运动会: in running text a season without a year is habitual.
            if !self.whole_text && year.is_none() && season.year.is_none() {
                self.i = start;
                return None;
            }
            let first = self.season(year, season)?;
            let save = self.i;
            if let Some(next) = self.eat_word(&words.seasons).copied()
                && let Some(second) = self.season(year, next)
                && second.end > first.end
            {
                return Period::new(first.start, second.end);
            }
            self.i = save;
            return Some(first);
        }
        // “十四五”时期, 十五五期间: the years of a five-year plan (the third began in 1966).
        self.i = start;
        let quoted = self.eat_any(&["“", "\""]);
        if self.chars.get(self.i) == Some(&'十')
            && let Some(n) = self.chars.get(self.i + 1).and_then(|c| chinese_digit(*c)).filter(|n| *n >= 1.0)
            && self.chars.get(self.i + 2) == Some(&'五')
        {
            self.i += 3;
            if quoted {
                self.eat_any(&["”", "\""]);
            }
            let named = self.eats(&words.plan_words);
            if named || (self.whole_text && self.done()) {
                let first = 1966 + 5 * (10 + n as i16 - 3);
                return Period::new(Date::new(first, 1, 1).ok()?, Date::new(first + 4, 12, 31).ok()?);
            }
        }
        self.i = start;
        // 暑期, 寒假.
        if let Some(((m1, d1), (m2, d2))) = self.eat_word(&words.school).copied() {
            return self.in_year(year, |y| Period::new(month_day(y, m1, d1)?, month_day(y, m2, d2)?));
        }
        // 除夕, 农历八月十五, 正月初一, 腊月二十三.
        let marked = self.eats(&words.lunar_markers);
        // 农历二〇二一年正月初五: the lunar year written after the marker.
        let year = if marked { self.year().or(year) } else { year };
        if self.eats(&words.lunar_eves) {
            return self.in_year(year, |y| lunar_date(y, 1, 1)?.checked_sub(1.day()).ok().map(Period::day));
        }
        let month = match self.eat_word(&words.lunar_months) {
            Some(m) => Some(*m),
            None if marked => {
                let m = self.number().filter(|m| (1..=12).contains(m));
                (m.is_some() && self.eat("月")).then_some(m).flatten().map(|m| m as u8)
            }
            None => None,
        };
        if let Some(month) = month
            && let Some(day) = self.lunar_day()
        {
            return self.lunar_in_year(year, month, day).map(Period::day);
        }
        self.i = start;
        None
    }

    /// A lunar day of a month: 初一 … 初十, 十一 … 三十, 廿三.
    fn lunar_day(&mut self) -> Option<u8> {
        let save = self.i;
        let day = if self.eat("初") {
            self.number().filter(|d| (1..=10).contains(d))
        } else if self.eat("廿") {
            let save_digit = self.i;
            match self.chars.get(self.i).and_then(|c| chinese_digit(*c)) {
                Some(d) if d >= 1.0 => {
                    self.i += 1;
                    Some(20 + d as i32)
                }
                _ => {
                    self.i = save_digit;
                    Some(20)
                }
            }
        } else {
            self.number().filter(|d| (11..=30).contains(d))
        };
        match day {
            Some(d) => {
                self.eat_any(&["日", "号"]);
                Some(d as u8)
            }
            None => {
                self.i = save;
                None
            }
        }
    }

    /// The period `find` gives for `year` when one was written, else for the base date's year
    /// (国庆 is this year's, as 9月30日 is).
    fn in_year(&self, year: Option<i16>, find: impl Fn(i16) -> Option<Period>) -> Option<Period> {
        find(year.or(self.base.map(|b| b.year()))?)
    }

    /// The day of a lunar month and day: in the lunar year written, or else the one that falls in
    /// the base date's year (腊月二十三 in a January paper is that January's, of the lunar year
    /// before).
    fn lunar_in_year(&self, year: Option<i16>, month: u8, day: u8) -> Option<Date> {
        if let Some(y) = year {
            return lunar_date(y, month, day);
        }
        let y = self.base?.year();
        [y, y - 1].into_iter().filter_map(|ly| lunar_date(ly, month, day)).find(|d| d.year() == y)
    }

    /// The official holiday of festival `name` in year `y`, from the holiday table. Running text
    /// is only searched for periods (against a stand-in base date), so there a holiday of a year
    /// the table lacks still counts as one, dated at the base.
    fn holiday(&self, y: i16, name: &str) -> Option<Period> {
        let Some(&((m1, d1), (m2, d2))) = self.words.holidays.get(&(y, name.to_owned())) else {
            return if self.whole_text { None } else { self.base.map(Period::day) };
        };
        // 元旦 12-31 to 01-02: the first day lies in the year before.
        let first_year = if (m1, d1) > (m2, d2) { y - 1 } else { y };
        Period::new(Date::new(first_year, m1, d1).ok()?, Date::new(y, m2, d2).ok()?)
    }

    /// A season's months in year `year` (or the base year, or relative to it): winter runs from
    /// December into the next year, and 今冬 in January is the winter that began in December.
    fn season(&self, year: Option<i16>, season: Season) -> Option<Period> {
        let y = match season.year {
            Some(offset) => {
                let base = self.base?;
                let winter_began_last_year = season.to < season.from && base.month() <= season.to;
                base.year() + offset - i16::from(winter_began_last_year)
            }
            None => year.or(self.base.map(|b| b.year()))?,
        };
        let last_year = if season.to < season.from { y + 1 } else { y };
        Period::new(Date::new(y, season.from, 1).ok()?, Date::new(last_year, season.to, 1).ok()?.last_of_month())
    }

    /// A date in digits with separators: 2019/04/19, 2019-05-27, 2019.9.6, 2008.03 (a month).
    fn numeric_date(&mut self) -> Option<Period> {
        let start = self.i;
        let result = self.numeric_date_here();
        if result.is_none() {
            self.i = start;
        }
        result
    }

    fn digit_run(&mut self, at_most: usize) -> Option<(i32, usize)> {
        let from = self.i;
        let mut text = String::new();
        while self.i - from < at_most
            && let Some(d) = self.chars.get(self.i).and_then(|c| digit_value(*c))
        {
            text.push(char::from_digit(d, 10)?);
            self.i += 1;
        }
        Some((text.parse().ok()?, self.i - from))
    }

    fn numeric_date_here(&mut self) -> Option<Period> {
        let (y, n) = self.digit_run(4)?;
        let sep = *self.chars.get(self.i)?;
        if n != 4 || !matches!(sep, '/' | '-' | '.' | '．') {
            return None;
        }
        self.i += 1;
        let (m, mn) = self.digit_run(2)?;
        if !(1..=2).contains(&mn) || !(1..=12).contains(&m) {
            return None;
        }
        let month = Date::new(y as i16, m as i8, 1).ok()?;
        let after_month = self.i;
        if matches!(self.chars.get(self.i), Some('/' | '-' | '.' | '．'))
            && self.chars.get(self.i + 1).is_some_and(|c| digit_value(*c).is_some())
        {
            self.i += 1;
            if let Some((d, dn)) = self.digit_run(2)
                && (1..=2).contains(&dn)
                && self.chars.get(self.i).is_none_or(|c| digit_value(*c).is_none())
                && let Ok(day) = Date::new(y as i16, m as i8, d as i8)
            {
                return Some(Period::day(day));
            }
            self.i = after_month;
        }
        Period::new(month, month.last_of_month())
    }

    /// A century or a decade: 18世纪, 上世纪80年代, 二十世纪九十年代末期, 20世纪60年代前期.
    fn century(&mut self) -> Option<Period> {
        let start = self.i;
        let words = self.words;
        let century = if let Some(c) = self.eat_word(&words.centuries) {
            Some(*c)
        } else if let Some(n) = self.number()
            && self.eat("世纪")
        {
            Some(n)
        } else {
            None
        };
        let Some(century) = century else {
            self.i = start;
            return None;
        };
        let first_year = (century - 1) * 100;
        let save = self.i;
        let (from, len) = match self.number() {
            Some(decade) if decade % 10 == 0 && decade < 100 && self.eat("年代") => (first_year + decade, 10),
            _ => {
                self.i = save;
                (first_year, 100)
            }
        };
        let part = if len == 10 { 3 } else { 20 };
        let (from, len) = match self.eat_word(&words.century_parts) {
            Some(CenturyPart::Early) => (from, part),
            Some(CenturyPart::Mid) => (from + len * 2 / 5, len / 5),
            Some(CenturyPart::Late) => (from + len - part, part),
            None => (from, len),
        };
        let first = Date::new(from as i16, 1, 1).ok()?;
        Period::new(first, Date::new((from + len - 1) as i16, 12, 31).ok()?)
    }

    /// A year: 2024年, 24年 (a two-digit year), 二〇二四年, 今年, 去年, 明年; also 2024 alone at
    /// the end of the text or before a range joiner.
    fn year(&mut self) -> Option<i16> {
        let base = self.base;
        let words = self.words;
        // 当年 and 同年 are the year the text spoke of last, not the page's: never guessed.
        if self.at_word(&words.unresolved) {
            return None;
        }
        if let Some(offset) = self.eat_word(&words.years) {
            return base.map(|b| b.year() + offset);
        }
        let start = self.i;
        let mut digits = String::new();
        while let Some(c) = self.chars.get(self.i) {
            if let Some(d) = digit_value(*c) {
                digits.push(char::from_digit(d, 10)?);
            } else if let Some(d) = chinese_digit(*c).filter(|_| *c != '两') {
                digits.push(char::from_digit(d as u32, 10)?);
            } else {
                break;
            }
            self.i += 1;
        }
        let followed_by_year =
            self.chars.get(self.i) == Some(&'年') && !matches!(self.chars.get(self.i + 1), Some('代' | '级'));
        let year: Option<i16> = match digits.len() {
            4 if followed_by_year || self.at_boundary() => digits.parse().ok(),
            2 if followed_by_year && (self.whole_text || self.month_follows()) => {
                let yy: i16 = digits.parse().ok()?;
                let now = base.map_or(2030, |b| b.year());
                Some(if 2000 + yy <= now + 10 { 2000 + yy } else { 1900 + yy })
            }
            _ => None,
        };
        match year {
            Some(y) => {
                if followed_by_year {
                    self.i += 1;
                }
                Some(y)
            }
            None => {
                self.i = start;
                None
            }
        }
    }

    /// Whether a month (4月, 十二月) or 底/初/末 follows the 年 at `self.i`.
    fn month_follows(&self) -> bool {
        let rest = self.chars.get(self.i + 1..).unwrap_or_default();
        if matches!(rest.first(), Some('底' | '初' | '末')) {
            return true;
        }
        let digits = rest
            .iter()
            .take_while(|c| digit_value(**c).is_some() || chinese_digit(**c).is_some() || **c == '十')
            .count();
        (1..=3).contains(&digits) && rest.get(digits) == Some(&'月')
    }

    fn at_boundary(&self) -> bool {
        match self.chars.get(self.i) {
            None => true,
            Some(c) => matches!(c, '至' | '到' | '—' | '-' | '–' | '~' | '～' | '－' | '以' | '起'),
        }
    }

    /// A small number here (digits or a Chinese numeral), and where it ends.
    fn number(&mut self) -> Option<i32> {
        let rest = self.chars.get(self.i..)?;
        let n = parse_numeral(rest, 0, &|_| false)?;
        if n.value < 0.0 || n.value.fract() != 0.0 || n.value > 100.0 || n.value_max.is_some() {
            return None;
        }
        self.i += n.end;
        Some(n.value as i32)
    }

    fn part_of_year(&mut self, y: i16, explicit_year: bool) -> Option<Period> {
        let save = self.i;
        let quarter = |first: i8, last: i8| -> Option<Period> {
            Period::new(Date::new(y, first * 3 - 2, 1).ok()?, Date::new(y, last * 3, 1).ok()?.last_of_month())
        };
        let months = |first: i8, last: i8| -> Option<Period> {
            Period::new(Date::new(y, first, 1).ok()?, Date::new(y, last, 1).ok()?.last_of_month())
        };
        let words = self.words;
        // 上半年, 全年, 年底, 首季度; 底, 初, 度 only right after a written year (2024年底).
        if let Some((first, last)) = self.eat_word(&words.year_parts) {
            return months(*first, *last);
        }
        if explicit_year && let Some((first, last)) = self.eat_word(&words.year_suffixes) {
            return months(*first, *last);
        }
        // 前三季度, 前两个季度, 前5个月, 前十一个月, 后三月.
        for (list, from_start) in [(&words.first_of_year, true), (&words.last_of_year, false)] {
            self.i = save;
            if self.eats(list)
                && let Some(n) = self.number()
            {
                self.eat("个");
                if self.eat("季度") && (1..=4).contains(&n) {
                    let n = n as i8;
                    return if from_start { quarter(1, n) } else { quarter(5 - n, 4) };
                }
                if (self.eat("月") || self.eat("个月")) && (1..=12).contains(&n) {
                    let n = n as i8;
                    return if from_start { months(1, n) } else { months(13 - n, 12) };
                }
            }
        }
        self.i = save;
        // 一季度, 第三季度; 二季度末 is its last month, 三季度初 its first.
        self.eat("第");
        if let Some(n) = self.number()
            && self.eat("季度")
            && (1..=4).contains(&n)
        {
            let n = n as i8;
            if self.eats(&words.quarter_ends) {
                return months(n * 3, n * 3);
            }
            if self.eats(&words.quarter_starts) {
                return months(n * 3 - 2, n * 3 - 2);
            }
            return quarter(n, n);
        }
        self.i = save;
        None
    }

    /// A month or a range of months: 5月, 1至5月, 1—5月, 1-五月, 五月份.
    fn months(&mut self) -> Option<(i8, i8)> {
        let save = self.i;
        let Some(m1) = self.number() else {
            self.i = save;
            return None;
        };
        let mut m2 = m1;
        let after_first = self.i;
        let words = self.words;
        if self.eats(&words.joiners) {
            self.eat_any(&["—", "-"]);
            match self.number() {
                Some(n) if self.chars.get(self.i) == Some(&'月') => m2 = n,
                _ => self.i = after_first,
            }
        }
        if !self.eat("月") || !(1..=12).contains(&m1) || !(m1..=12).contains(&m2) {
            self.i = save;
            return None;
        }
        self.eat("份");
        Some((m1 as i8, m2 as i8))
    }

    /// A day or a range of days of month `m` of year `y`: 11日, 12—19日, 9号.
    fn days(&mut self, y: i16, m: i8) -> Option<Period> {
        let save = self.i;
        let d1 = self.number();
        let mut d2 = d1;
        let words = self.words;
        if d1.is_some() && !matches!(self.chars.get(self.i), Some('日' | '号')) {
            let after_first = self.i;
            if self.eats(&words.joiners) {
                d2 = self.number();
            } else {
                self.i = after_first;
            }
        }
        match (d1, d2) {
            (Some(a), Some(b)) if self.eat_any(&["日", "号"]) => {
                let from = Date::new(y, m, a as i8).ok()?;
                let to = Date::new(y, m, b as i8).ok()?;
                Period::new(from, to)
            }
            _ => {
                self.i = save;
                None
            }
        }
    }

    /// 上旬, 中旬, 月底: days of month `m` of year `y`.
    fn part_of_month(&mut self, y: i16, m: i8) -> Option<Period> {
        let words = self.words;
        let save = self.i;
        let (from, to) = *self.eat_word(&words.month_parts)?;
        let first = Date::new(y, m, 1).ok()?;
        let day = |d: i8| if d == 0 { Some(first.last_of_month()) } else { Date::new(y, m, d).ok() };
        let period = day(from).zip(day(to)).and_then(|(a, b)| Period::new(a, b));
        if period.is_none() {
            self.i = save;
        }
        period
    }

    /// A length of time after a number: 年, 个月, 周, 天 (近三年, 未来5年).
    fn length_unit(&mut self, n: i32) -> Option<jiff::Span> {
        let n = n as i64;
        let words = self.words;
        Some(match self.eat_word(&words.lengths)? {
            LengthUnit::Year => n.years(),
            LengthUnit::Month => n.months(),
            LengthUnit::Week => (n * 7).days(),
            LengthUnit::Day => n.days(),
        })
    }

    /// A length of time: a number (or 半) and a unit (三年, 5个月, 半年, 半个月), with the unit
    /// that says how finely it places a time (半年 counts in months).
    fn length(&mut self) -> Option<(jiff::Span, LengthUnit)> {
        let save = self.i;
        let words = self.words;
        let found = if self.eat("半") {
            match self.eat_word(&words.lengths) {
                Some(LengthUnit::Year) => Some((6.months(), LengthUnit::Month)),
                Some(LengthUnit::Month) => Some((15.days(), LengthUnit::Day)),
                _ => None,
            }
        } else {
            self.number().and_then(|n| {
                let at = self.i;
                let unit = *self.eat_word(&words.lengths)?;
                self.i = at;
                Some((self.length_unit(n)?, unit))
            })
        };
        if found.is_none() {
            self.i = save;
        }
        found
    }

    /// Words relative to the base date: 今天, 上月, 本周, 近三年, 两年前, 目前.
    fn relative_span(&mut self) -> Option<Period> {
        let save = self.i;
        let base = self.base;
        let words = self.words;
        if let Some(offset) = self.eat_word(&words.days) {
            return Some(Period::day(base?.checked_add(offset.days()).ok()?));
        }
        if self.eats(&words.now) {
            return Some(Period::day(base?));
        }
        if let Some(offset) = self.eat_word(&words.months) {
            let month = base?.first_of_month().checked_add(offset.months()).ok()?;
            let (y, m) = (month.year(), month.month());
            if let Some(day) = self.days(y, m) {
                return Some(day);
            }
            if let Some(part) = self.part_of_month(y, m) {
                return Some(part);
            }
            return Period::new(month, month.last_of_month());
        }
        // 上周, 下周六, 上个礼拜天, 星期天 (this week's): weeks run Monday to Sunday.
        let week = self.eat_word(&words.weeks).copied();
        let bare_weekday = week.is_none() && self.eats(&words.weekday);
        if week.is_some() || bare_weekday {
            if week.is_some() {
                self.eats(&words.weekday);
            }
            let weekday = match self.chars.get(self.i) {
                Some(c @ ('一' | '二' | '三' | '四' | '五' | '六')) => chinese_digit(*c).map(|d| d as i64 - 1),
                Some('日' | '天') => Some(6),
                Some('末') => Some(5),
                _ => None,
            };
            if bare_weekday && weekday.is_none() {
                self.i = save;
                return None;
            }
            let base = base?;
            let monday = base.checked_sub((base.weekday().to_monday_zero_offset() as i64).days()).ok()?;
            let monday = monday.checked_add((week.unwrap_or(0) * 7).days()).ok()?;
            let Some(d) = weekday else {
                return Period::new(monday, monday.checked_add(6.days()).ok()?);
            };
            let weekend = self.chars.get(self.i) == Some(&'末');
            self.i += 1;
            let day = monday.checked_add(d.days()).ok()?;
            return if weekend { Period::new(day, day.checked_add(1.day()).ok()?) } else { Some(Period::day(day)) };
        }
        if let Some(offset) = self.eat_word(&words.quarters) {
            let base = base?;
            let first = base.first_of_month().checked_sub((((base.month() - 1) % 3) as i64).months()).ok()?;
            let first = first.checked_add((offset * 3).months()).ok()?;
            let last = first.checked_add(2.months()).ok()?.last_of_month();
            return Period::new(first, last);
        }
        // 近三年, 近5年, 过去两年, 近半年, 近30天, 近10年来: the last N units up to the base date.
        self.i = save;
        if self.eats(&words.last_n)
            && let Some((length, _)) = self.length()
        {
            self.eats_lately();
            let base = base?;
            return Period::new(base.checked_sub(length).ok()?, base);
        }
        // 未来5年, 今后两个月: from the base date on.
        self.i = save;
        if self.eats(&words.next_n)
            && let Some((length, _)) = self.length()
        {
            self.eats(&words.within);
            let base = base?;
            return Period::new(base, base.checked_add(length).ok()?);
        }
        self.i = save;
        if let Some((from, to)) = self.eat_word(&words.year_spans) {
            let from = Date::new(base?.year() + from, 1, 1).ok()?;
            return Period::new(from, Date::new(base?.year() + to, 12, 31).ok()?);
        }
        // A length and what places it: 60日内, 半年内 (from the base date until its end); 10年来
        // (up to the base date); 三天前, 20天后, 一个月前, 两周后, 两年前 (the day, week, month or
        // year that far from the base date).
        self.i = save;
        if let Some((length, unit)) = self.length() {
            let base = base?;
            if self.eats(&words.within) {
                return Period::new(base, base.checked_add(length).ok()?);
            }
            if self.eats_lately() {
                return Period::new(base.checked_sub(length).ok()?, base);
            }
            let point = if self.eats(&words.ago) {
                base.checked_sub(length).ok()?
            } else if self.eats(&words.later) {
                base.checked_add(length).ok()?
            } else {
                self.i = save;
                return None;
            };
            return match unit {
                LengthUnit::Day => Some(Period::day(point)),
                LengthUnit::Week => {
                    let monday = point.checked_sub((point.weekday().to_monday_zero_offset() as i64).days()).ok()?;
                    Period::new(monday, monday.checked_add(6.days()).ok()?)
                }
                LengthUnit::Month => Period::new(point.first_of_month(), point.last_of_month()),
                LengthUnit::Year => Period::new(point.first_of_year(), point.last_of_year()),
            };
        }
        self.i = save;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, base: &str, expect: expect_test::Expect) {
        let got = resolve(text, parse_iso(base), &Lexicon::builtin())
            .map_or("null".to_owned(), |p| format!("{}..{}", p.start, p.end));
        expect.assert_eq(&got);
    }

    #[test]
    fn page_dates_from_ids() {
        let dates: Vec<Option<String>> = ["rmrb_20230701_01", "hz_2026-06-30_03", "000_be5658622680620e", "x_20231340"]
            .iter()
            .map(|id| page_date(id).map(|d| d.to_string()))
            .collect();
        assert_eq!(dates, [Some("2023-07-01".into()), Some("2026-06-30".into()), None, None]);
    }

    #[test]
    fn datelines_refine_the_page_date() {
        let base = parse_iso("2023-10-01").unwrap_or_default();
        assert_eq!(
            dateline_date("本报北京9月30日电（记者 王明）", base).map(|d| d.to_string()),
            Some("2023-09-30".into())
        );
        let january = parse_iso("2024-01-02").unwrap_or_default();
        assert_eq!(dateline_date("新华社杭州12月31日电", january).map(|d| d.to_string()), Some("2023-12-31".into()));
        assert_eq!(dateline_date("本报记者 王明", base), None);
    }

    #[test]
    fn relative_periods_resolve_against_the_base() {
        check("今年1至5月", "2026-06-30", expect_test::expect!["2026-01-01..2026-05-31"]);
        check("今年1—5月", "2026-06-30", expect_test::expect!["2026-01-01..2026-05-31"]);
        check("1-5月", "2026-06-30", expect_test::expect!["2026-01-01..2026-05-31"]);
        check("去年同期", "2026-06-30", expect_test::expect!["null"]);
        check("前三季度", "2026-10-20", expect_test::expect!["2026-01-01..2026-09-30"]);
        check("上半年", "2026-07-20", expect_test::expect!["2026-01-01..2026-06-30"]);
        check("去年上半年", "2026-07-20", expect_test::expect!["2025-01-01..2025-06-30"]);
        check("截至2025年底", "2026-06-30", expect_test::expect!["2025-12-31..2025-12-31"]);
        check("近三年", "2026-06-30", expect_test::expect!["2023-06-30..2026-06-30"]);
        check("上周", "2026-07-01", expect_test::expect!["2026-06-22..2026-06-28"]);
        check("今年以来", "2026-06-30", expect_test::expect!["2026-01-01..2026-06-30"]);
        check("一季度", "2026-06-30", expect_test::expect!["2026-01-01..2026-03-31"]);
        check("上个月", "2026-03-15", expect_test::expect!["2026-02-01..2026-02-28"]);
        check("目前", "2026-03-15", expect_test::expect!["2026-03-15..2026-03-15"]);
        check("两年前", "2026-03-15", expect_test::expect!["2024-01-01..2024-12-31"]);
        check("今年前5个月", "2026-06-30", expect_test::expect!["2026-01-01..2026-05-31"]);
    }

    #[test]
    fn absolute_periods_need_no_base() {
        check("2024年", "", expect_test::expect!["2024-01-01..2024-12-31"]);
        check("2024年7月", "", expect_test::expect!["2024-07-01..2024-07-31"]);
        check("2017年8月11日至8月22日", "", expect_test::expect!["2017-08-11..2017-08-22"]);
        check("2017年8月11日至22日", "", expect_test::expect!["2017-08-11..2017-08-22"]);
        check("从2008年——2018年", "", expect_test::expect!["2008-01-01..2018-12-31"]);
        check("2019年4月12-19日", "", expect_test::expect!["2019-04-12..2019-04-19"]);
        check("2018年1－9月份", "", expect_test::expect!["2018-01-01..2018-09-30"]);
        check("二〇〇六年十二月", "", expect_test::expect!["2006-12-01..2006-12-31"]);
        check("1993年上半年", "", expect_test::expect!["1993-01-01..1993-06-30"]);
        check("07年第三季度", "2008-03-02", expect_test::expect!["2007-07-01..2007-09-30"]);
        check("到2030年", "", expect_test::expect!["2030-12-31..2030-12-31"]);
        check("2021年前两个季度", "", expect_test::expect!["2021-01-01..2021-06-30"]);
    }

    #[test]
    fn weekdays_times_of_day_digit_dates_centuries_and_lengths() {
        check("下周六", "2026-07-01", expect_test::expect!["2026-07-11..2026-07-11"]);
        check("上个礼拜天", "2026-07-01", expect_test::expect!["2026-06-28..2026-06-28"]);
        check("6月1日周一早上10点钟", "2026-07-01", expect_test::expect!["2026-06-01..2026-06-01"]);
        check("昨晚8时35分", "2026-07-01", expect_test::expect!["2026-06-30..2026-06-30"]);
        check("2019/04/19", "", expect_test::expect!["2019-04-19..2019-04-19"]);
        check("2018-11-29 18:59", "", expect_test::expect!["2018-11-29..2018-11-29"]);
        check("1999.08-2002.02", "", expect_test::expect!["1999-08-01..2002-02-28"]);
        check("上世纪80年代", "", expect_test::expect!["1980-01-01..1989-12-31"]);
        check("二十世纪九十年代末期", "", expect_test::expect!["1997-01-01..1999-12-31"]);
        check("未来5年", "2026-07-01", expect_test::expect!["2026-07-01..2031-07-01"]);
        check("20天后", "2026-07-01", expect_test::expect!["2026-07-21..2026-07-21"]);
        check("60日内", "2026-07-01", expect_test::expect!["2026-07-01..2026-08-30"]);
        check("3个月内", "2026-07-01", expect_test::expect!["2026-07-01..2026-10-01"]);
        check("两年内", "2026-07-01", expect_test::expect!["2026-07-01..2028-07-01"]);
        check("2025年前", "2023-07-01", expect_test::expect!["2023-07-01..2025-12-31"]);
        check("从上个月到今天", "2026-07-01", expect_test::expect!["2026-06-01..2026-07-01"]);
        check("本月初", "2026-07-01", expect_test::expect!["2026-07-01..2026-07-05"]);
        check("2018年10月底", "", expect_test::expect!["2018-10-25..2018-10-31"]);
    }

    #[test]
    fn lengths_placed_from_the_base_and_parts_without_a_month() {
        // (text, expected) against a Monday, 2021-06-14: a length before 前/后 places the day,
        // week, month or year that far away; with 内 or 来 it spans up to or from the base.
        let cases = [
            ("三天前", "2021-06-11..2021-06-11"),
            ("两周后", "2021-06-28..2021-07-04"),
            ("一个月前", "2021-05-01..2021-05-31"),
            ("半年前", "2020-12-01..2020-12-31"),
            ("近半年", "2020-12-14..2021-06-14"),
            ("半年内", "2021-06-14..2021-12-14"),
            ("10年来", "2011-06-14..2021-06-14"),
            ("近10年来", "2011-06-14..2021-06-14"),
            ("月底", "2021-06-25..2021-06-30"),
            ("上半月", "2021-06-01..2021-06-15"),
            ("二季度末", "2021-06-01..2021-06-30"),
            ("三季度初", "2021-07-01..2021-07-31"),
            ("今年内", "2021-06-14..2021-12-31"),
            ("2025年内", "2025-01-01..2025-12-31"),
            ("本世纪", "2000-01-01..2099-12-31"),
            ("这个周末", "2021-06-19..2021-06-20"),
            ("农历二〇二一年正月初五", "2021-02-16..2021-02-16"),
            ("前几天", "null"),
            ("多年来", "null"),
        ];
        let lexicon = Lexicon::builtin();
        let base = parse_iso("2021-06-14");
        let got: Vec<String> = cases
            .iter()
            .map(|(text, _)| {
                resolve(text, base, &lexicon).map_or("null".to_owned(), |p| format!("{}..{}", p.start, p.end))
            })
            .collect();
        assert_eq!(got, cases.iter().map(|(_, want)| *want).collect::<Vec<_>>());
    }

    #[test]
    fn festivals_holidays_seasons_and_lunar_dates() {
        // (text, base, expected): festivals on their day, holidays from the holiday table,
        // seasons by months, lunar dates by the Chinese calendar; without a written year, the
        // base date's year.
        let cases = [
            ("春节", "2024-01-20", "2024-02-10..2024-02-10"),
            ("2023年春节", "2024-01-20", "2023-01-22..2023-01-22"),
            ("今年中秋", "2024-03-01", "2024-09-17..2024-09-17"),
            ("中秋节", "2023-09-20", "2023-09-29..2023-09-29"),
            ("端午节", "2025-05-20", "2025-05-31..2025-05-31"),
            ("元宵节", "2025-01-20", "2025-02-12..2025-02-12"),
            ("重阳节", "2024-10-01", "2024-10-11..2024-10-11"),
            ("七夕", "2024-08-01", "2024-08-10..2024-08-10"),
            ("清明节", "2024-03-20", "2024-04-04..2024-04-04"),
            ("2023年清明", "", "2023-04-05..2023-04-05"),
            ("元旦", "2023-12-20", "2023-01-01..2023-01-01"),
            ("国庆节", "2024-09-20", "2024-10-01..2024-10-01"),
            ("五一劳动节", "2024-04-20", "2024-05-01..2024-05-01"),
            ("国庆假期", "2023-10-09", "2023-09-29..2023-10-06"),
            ("今年国庆假期", "2024-10-09", "2024-10-01..2024-10-07"),
            ("“十一”黄金周", "2024-10-09", "2024-10-01..2024-10-07"),
            ("中秋国庆假期", "2023-10-09", "2023-09-29..2023-10-06"),
            ("春节假期", "2024-02-20", "2024-02-10..2024-02-17"),
            ("五一假期", "2023-05-04", "2023-04-29..2023-05-03"),
            ("2024年元旦假期", "", "2023-12-30..2024-01-01"),
            ("国庆假期", "2031-10-09", "null"),
            ("“十四五”时期", "", "2021-01-01..2025-12-31"),
            ("十五五", "", "2026-01-01..2030-12-31"),
            ("春节期间", "2025-02-10", "2025-01-28..2025-02-04"),
            ("除夕", "2024-01-20", "2024-02-09..2024-02-09"),
            ("大年初一", "2024-01-20", "2024-02-10..2024-02-10"),
            ("农历八月十五", "2023-09-01", "2023-09-29..2023-09-29"),
            ("正月十五", "2024-02-01", "2024-02-24..2024-02-24"),
            ("腊月二十三", "2024-01-10", "2024-02-02..2024-02-02"),
            ("农历二月初二", "2024-03-01", "2024-03-11..2024-03-11"),
            ("今夏", "2024-05-10", "2024-06-01..2024-08-31"),
            ("今冬", "2024-01-10", "2023-12-01..2024-02-29"),
            ("今冬明春", "2023-11-10", "2023-12-01..2024-05-31"),
            ("春季", "2024-05-10", "2024-03-01..2024-05-31"),
            ("2023年冬季", "", "2023-12-01..2024-02-29"),
            ("去年夏天", "2024-05-10", "2023-06-01..2023-08-31"),
            ("暑期", "2024-06-20", "2024-07-01..2024-08-31"),
            ("今年暑假", "2024-03-20", "2024-07-01..2024-08-31"),
            ("寒假", "2024-12-20", "2024-01-01..2024-02-29"),
            ("春节", "", "null"),
            ("五一", "2024-04-20", "2024-05-01..2024-05-01"),
            ("十一", "2024-04-20", "2024-10-01..2024-10-01"),
            ("清明", "2024-04-20", "2024-04-04..2024-04-04"),
            ("十一月", "2024-04-20", "2024-11-01..2024-11-30"),
        ];
        let lexicon = Lexicon::builtin();
        let got: Vec<String> = cases
            .iter()
            .map(|(text, base, _)| {
                let period = resolve(text, parse_iso(base), &lexicon);
                period.map_or("null".to_owned(), |p| format!("{}..{}", p.start, p.end))
            })
            .collect();
        let want: Vec<&str> = cases.iter().map(|(_, _, want)| *want).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn without_a_base_relative_periods_stay_unresolved() {
        let lexicon = Lexicon::builtin();
        for text in ["今年1至5月", "上半年", "上周", "近三年", "1—5月", "今年以来", "前三季度"] {
            assert_eq!(resolve(text, None, &lexicon), None, "{text}");
        }
        for text in ["近年来", "此前", "未来", "同期", "增长", "", "5个", "当年", "同年"] {
            assert_eq!(resolve(text, parse_iso("2026-06-30"), &lexicon), None, "{text}");
        }
    }
}
