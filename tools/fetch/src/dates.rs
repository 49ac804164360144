//! Calendar dates without a date crate: `YYYY-MM-DD` parsing, day arithmetic, a small strftime
//! subset for URL templates, UTC timestamps and HTTP dates (for `Retry-After`).
//!
//! Proleptic Gregorian calendar, days counted from 1970-01-01 (Howard Hinnant's civil-from-days
//! algorithms). Deliberately no time zones: the desk's "today" is UTC unless `--today` says
//! otherwise, and timestamps are always UTC.

use std::fmt;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD`, rejecting impossible days such as 2026-02-30.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("`{text}` is not a date of the form YYYY-MM-DD");
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(bad());
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, String> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) { part.parse().map_err(|_| bad()) } else { Err(bad()) }
        };
        let year = number(0..4)? as i32;
        let month = number(5..7)?;
        let day = number(8..10)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(format!("`{text}` is not a day of the calendar"));
        }
        Ok(Date { year, month, day })
    }

    /// The day `days` days after 1970-01-01 (negative: before).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Days since 1970-01-01.
    pub fn to_days(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if year >= 0 { year } else { year - 399 } / 400;
        let yoe = year - era * 400;
        let month = i64::from(self.month);
        let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
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
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('Y') => out.push_str(&format!("{:04}", self.year)),
                Some('y') => out.push_str(&format!("{:02}", self.year.rem_euclid(100))),
                Some('m') => out.push_str(&format!("{:02}", self.month)),
                Some('n') => out.push_str(&self.month.to_string()),
                Some('d') => out.push_str(&format!("{:02}", self.day)),
                Some('e') => out.push_str(&self.day.to_string()),
                Some('j') => {
                    let first = Date { year: self.year, month: 1, day: 1 };
                    out.push_str(&format!("{:03}", self.to_days() - first.to_days() + 1));
                }
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
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `2026-06-01T08:05:09Z` for a Unix time in seconds.
pub fn utc_timestamp(seconds: i64) -> String {
    let date = Date::from_unix_seconds(seconds);
    let in_day = seconds.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", in_day / 3600, in_day / 60 % 60, in_day % 60)
}

/// The same instant as a file-name-safe stamp: `20260601T080509Z`.
pub fn utc_file_stamp(seconds: i64) -> String {
    utc_timestamp(seconds).replace(['-', ':'], "")
}

/// Parses an HTTP date in the preferred IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`) into
/// Unix seconds. The obsolete RFC 850 and asctime forms are not accepted (RFC 9110 only
/// requires recipients to try); a `Retry-After` we cannot read falls back to our own backoff.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_weekday, day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month))?
        + 1;
    let date = Date::parse(&format!("{year:0>4}-{month:02}-{day:0>2}")).ok()?;
    let hms: Vec<i64> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else { return None };
    if *h > 23 || *m > 59 || *s > 60 {
        return None;
    }
    Some(date.to_days() * 86_400 + h * 3600 + m * 60 + s)
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
        assert_eq!(parse_http_date("Monday, 01-Jun-26 08:05:09 GMT"), None);
    }
}
