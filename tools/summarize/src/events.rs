//! Dated events: whole sentences of a body that name a point in time (`6月18日`, `2024年3月`),
//! with a sort key, for the corpus briefing's timeline.
//!
//! Only Arabic-digit dates are read. Ranges (`1—5月`, `3至5月`) and bare years (`2025年`) are
//! periods, not events, and are skipped. A date without a year takes the latest year the
//! article mentions, if any. Deliberately not done: Chinese-numeral dates, relative dates
//! (`昨天`, `上周`), or resolving a date against the paper's issue date.

use model::Article;
use serde::{Deserialize, Serialize};

use crate::sentences;

/// A point in time as printed, with its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Date {
    /// The date as printed (`2024年6月18日`, `6月18日`).
    pub text: String,
    pub year: Option<u32>,
    pub month: u32,
    pub day: Option<u32>,
}

/// A sentence that names a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub date: Date,
    /// The year used for ordering: the printed one, or the article's latest.
    pub sort_year: Option<u32>,
    pub sentence: String,
    pub article_id: String,
    pub headline: String,
    pub district: Option<String>,
}

impl Event {
    /// Key for chronological order; undated years sort first.
    pub fn sort_key(&self) -> (u32, u32, u32) {
        (self.sort_year.unwrap_or(0), self.date.month, self.date.day.unwrap_or(0))
    }
}

/// A number followed by a unit character, with its byte span.
struct Number {
    value: u32,
    unit: char,
    start: usize,
    end: usize,
}

/// The runs of ASCII digits directly followed by `年`, `月`, `日` or `号` in `text`.
fn numbers(text: &str) -> Vec<Number> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if let Some(unit) = text[i..].chars().next().filter(|c| matches!(c, '年' | '月' | '日' | '号'))
            && let Ok(value) = text[start..i].parse::<u32>()
        {
            out.push(Number { value, unit, start, end: i + unit.len_utf8() });
        }
    }
    out
}

/// Whether the text just before byte `at` makes the number the end of a range.
fn ends_a_range(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(|c| matches!(c, '—' | '-' | '－' | '~' | '～' | '至' | '到' | '、'))
}

/// The first point-in-time date of `sentence`.
pub fn find_date(sentence: &str) -> Option<Date> {
    let numbers = numbers(sentence);
    for (k, n) in numbers.iter().enumerate() {
        if n.unit != '月' || !(1..=12).contains(&n.value) || ends_a_range(sentence, n.start) {
            continue;
        }
        let year = k
            .checked_sub(1)
            .map(|p| &numbers[p])
            .filter(|p| p.unit == '年' && p.end == n.start && (1900..=2100).contains(&p.value));
        let day = numbers
            .get(k + 1)
            .filter(|d| matches!(d.unit, '日' | '号') && d.start == n.end && (1..=31).contains(&d.value));
        // A month alone ("5月") is too vague to be an event unless the year is printed with it.
        if year.is_none() && day.is_none() {
            continue;
        }
        // "6月1日—3日" and "6月1日至" start a range; the start still dates the event.
        let start = year.map_or(n.start, |y| y.start);
        let end = day.map_or(n.end, |d| d.end);
        return Some(Date {
            text: sentence[start..end].to_owned(),
            year: year.map(|y| y.value),
            month: n.value,
            day: day.map(|d| d.value),
        });
    }
    None
}

/// The dated events of `article`, one per sentence, in body order.
pub fn article_events(article: &Article) -> Vec<Event> {
    let mut latest_year = None;
    let mut events: Vec<Event> = Vec::new();
    for paragraph in article.paragraphs() {
        let mut any_month = false;
        for n in numbers(paragraph) {
            if n.unit == '年' && (1900..=2100).contains(&n.value) {
                latest_year = latest_year.max(Some(n.value));
            }
            any_month |= n.unit == '月';
        }
        // Every event names a month: a paragraph without one needs no sentence split.
        if !any_month {
            continue;
        }
        for sentence in sentences::split(paragraph) {
            if !sentence.whole {
                continue;
            }
            if let Some(date) = find_date(sentence.text) {
                events.push(Event {
                    sort_year: date.year,
                    date,
                    sentence: sentence.text.to_owned(),
                    article_id: article.id.clone(),
                    headline: article.headline.clone(),
                    district: article.district.clone(),
                });
            }
        }
    }
    for event in &mut events {
        event.sort_year = event.sort_year.or(latest_year);
    }
    events
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    fn check(sentence: &str, expect: Expect) {
        let found = super::find_date(sentence).map(|d| format!("{} {:?}-{}-{:?}", d.text, d.year, d.month, d.day));
        expect.assert_eq(&found.unwrap_or_else(|| "none".to_owned()));
    }

    #[test]
    fn points_in_time_are_events() {
        check("2024年6月18日，新馆开馆。", expect![[r#"2024年6月18日 Some(2024)-6-Some(18)"#]]);
        check("活动将于7月3日举行。", expect![[r#"7月3日 None-7-Some(3)"#]]);
        check("项目于2023年9月启动。", expect![[r#"2023年9月 Some(2023)-9-None"#]]);
    }

    #[test]
    fn periods_and_ranges_are_not() {
        check("2025年全年销售额增长。", expect![[r#"none"#]]);
        check("今年1—5月销量下降。", expect![[r#"none"#]]);
        check("5月份客流回升。", expect![[r#"none"#]]);
        check("共有13月份的说法。", expect![[r#"none"#]]);
    }
}
