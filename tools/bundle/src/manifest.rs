//! `manifest.json`: every output file with its size and blake3 hash, every input page with its
//! hash, the tool versions and the build time. Pure data and date arithmetic; `build` walks the
//! folder and takes the hashes from `hashes`.

use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "newsdesk-manifest";
pub const VERSION: u32 = 1;

/// One file of the bundle, its path relative to the output root with `/` separators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub blake3: String,
}

/// One input page as its `Source` recorded it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputEntry {
    pub page: String,
    pub file: String,
    pub bytes: u64,
    pub blake3: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub name: String,
    /// UTC, RFC 3339 (`2026-11-22T03:00:00Z`); from `SOURCE_DATE_EPOCH` when that is set.
    pub built: String,
    /// Tool name → version.
    pub tools: std::collections::BTreeMap<String, String>,
    pub inputs: Vec<InputEntry>,
    pub files: Vec<FileEntry>,
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A UTC time from Unix seconds: (year, month, day, hour, minute, second).
pub fn utc(epoch_seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
    let (year, month, day) = civil_from_days(epoch_seconds.div_euclid(86_400));
    let secs = epoch_seconds.rem_euclid(86_400);
    (year, month, day, (secs / 3600) as u32, (secs % 3600 / 60) as u32, (secs % 60) as u32)
}

/// `YYYY-MM-DD` of Unix seconds, UTC.
pub fn date(epoch_seconds: i64) -> String {
    let (y, m, d, ..) = utc(epoch_seconds);
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 UTC time of Unix seconds.
pub fn timestamp(epoch_seconds: i64) -> String {
    let (y, mo, d, h, mi, s) = utc(epoch_seconds);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_from_epoch_seconds() {
        assert_eq!(super::timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::date(1_790_000_000), "2026-09-21");
        assert_eq!(super::timestamp(-1), "1969-12-31T23:59:59Z");
    }
}
