//! Calendar dates for the fetcher: `YYYY-MM-DD` parsing, day arithmetic, a small strftime
//! subset for URL templates, UTC timestamps and HTTP dates (for `Retry-After`).
//!
//! The calendar is `jiff`'s (proleptic Gregorian) and HTTP dates are `httpdate`'s (all three
//! forms of RFC 9110); this module only keeps the fetcher's own rules: days counted from
//! 1970-01-01 for ranges, the URL template conversions, and no time zones (the desk's "today"
//! is UTC unless `--today` says otherwise, and timestamps are always UTC).

use std::fmt;

use jiff::ToSpan;
use jiff::civil;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(civil::Date);

/// 1970-01-01, day zero of `to_days`.
const EPOCH: civil::Date = civil::date(1970, 1, 1);

impl Date {
    /// Parses exactly `YYYY-MM-DD`, rejecting impossible days such as 2026-02-30.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("`{text}` is not a date of the form YYYY-MM-DD");
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10)
        {
            return Err(bad());
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<i16>().map_err(|_| bad());
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let month = i8::try_from(month).map_err(|_| bad())?;
        let day = i8::try_from(day).map_err(|_| bad())?;
        civil::Date::new(year, month, day).map(Date).map_err(|_| format!("`{text}` is not a day of the calendar"))
    }

    /// The day `days` days after 1970-01-01 (negative: before), clamped to jiff's range
    /// (years -9999 to 9999).
    pub fn from_days(days: i64) -> Date {
        let days = days.clamp(-4_371_587, 2_932_896);
        Date(EPOCH.checked_add(days.days()).unwrap_or(EPOCH))
    }

    /// Days since 1970-01-01.
    pub fn to_days(self) -> i64 {
        self.0.since((jiff::Unit::Day, EPOCH)).map_or(0, |span| i64::from(span.get_days()))
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// The UTC day of a Unix time in seconds.
    pub fn from_unix_seconds(seconds: i64) -> Date {
        Date::from_days(seconds.div_euclid(86_400))
    }

    /// Formats with a strftime subset: `%Y` (2026), `%y` (26), `%m` (06), `%d` (01), `%e` (1),
    /// `%n` (month without zero, 6), `%j` (day of the year, 152) and `%%`. Other conversions
    /// are an error, so that a typo in a URL template is caught when the file is read.
    pub fn format(self, pattern: &str) -> Result<String, String> {
        let mut out = String::with_capacity(pattern.len() + 8);
        let mut chars = pattern.chars();
        let date = self.0;
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('Y') => out.push_str(&format!("{:04}", date.year())),
                Some('y') => out.push_str(&format!("{:02}", date.year().rem_euclid(100))),
                Some('m') => out.push_str(&format!("{:02}", date.month())),
                Some('n') => out.push_str(&date.month().to_string()),
                Some('d') => out.push_str(&format!("{:02}", date.day())),
                Some('e') => out.push_str(&date.day().to_string()),
                Some('j') => out.push_str(&format!("{:03}", date.day_of_year())),
                Some('%') => out.push('%'),
                Some(other) => {
                    return Err(format!("unsupported date conversion `%{other}` (use %Y %y %m %n %d %e %j %%)"));
                }
                None => return Err("a date format ends with a lone `%`".to_owned()),
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), self.0.month(), self.0.day())
    }
}

/// `2026-06-01T08:05:09Z` for a Unix time in seconds.
pub fn utc_timestamp(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(at) => at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => "1970-01-01T00:00:00Z".to_owned(),
    }
}

/// The same instant as a file-name-safe stamp: `20260601T080509Z`.
pub fn utc_file_stamp(seconds: i64) -> String {
    utc_timestamp(seconds).replace(['-', ':'], "")
}

/// Parses an HTTP date (IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, or the obsolete RFC 850
/// and asctime forms that RFC 9110 asks recipients to accept) into Unix seconds. A
/// `Retry-After` we cannot read falls back to our own backoff.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(text.trim()).ok()?;
    let seconds = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn check(input: &str) -> String {
        match Date::parse(input) {
            Ok(d) => format!("{d} days={} +1={} -1={}", d.to_days(), d.add_days(1), d.add_days(-1)),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn parse_and_arithmetic() {
        let got: Vec<String> =
            ["1970-01-01", "2024-02-28", "2024-12-31", "2026-03-01", "2026-02-29", "2026-6-01", "20260601xx"]
                .iter()
                .map(|d| check(d))
                .collect();
        expect![[r#"
            [
                "1970-01-01 days=0 +1=1970-01-02 -1=1969-12-31",
                "2024-02-28 days=19781 +1=2024-02-29 -1=2024-02-27",
                "2024-12-31 days=20088 +1=2025-01-01 -1=2024-12-30",
                "2026-03-01 days=20513 +1=2026-03-02 -1=2026-02-28",
                "error: `2026-02-29` is not a day of the calendar",
                "error: `2026-6-01` is not a date of the form YYYY-MM-DD",
                "error: `20260601xx` is not a date of the form YYYY-MM-DD",
            ]
        "#]]
        .assert_debug_eq(&got);
    }

    #[test]
    fn days_round_trip_over_four_centuries() {
        for days in (-200_000..200_000).step_by(7) {
            let date = Date::from_days(days);
            assert_eq!(date.to_days(), days, "{date}");
            assert_eq!(Date::parse(&date.to_string()).map(Date::to_days), Ok(days));
        }
    }

    #[test]
    fn formats_and_timestamps() {
        let date = Date::parse("2026-06-01").expect("date");
        expect![[r#"
            Ok(
                "2026/06/01 26 6-1 152 100%",
            )
        "#]]
        .assert_debug_eq(&date.format("%Y/%m/%d %y %n-%e %j 100%%"));
        assert!(date.format("%H").is_err());
        assert_eq!(utc_timestamp(1_780_301_109), "2026-06-01T08:05:09Z");
        assert_eq!(utc_file_stamp(1_780_301_109), "20260601T080509Z");
        assert_eq!(parse_http_date("Mon, 01 Jun 2026 08:05:09 GMT"), Some(1_780_301_109));
        assert_eq!(parse_http_date("Monday, 01-Jun-26 08:05:09 GMT"), Some(1_780_301_109));
        assert_eq!(parse_http_date("Mon Jun  1 08:05:09 2026"), Some(1_780_301_109));
        assert_eq!(parse_http_date("Mon, 01 Jun 2026 25:05:09 GMT"), None);
        assert_eq!(parse_http_date("soon"), None);
    }
}
