//! The fetch step: e-paper pages from the web into `seeds/`, safely enough for cron.
//!
//! - `sources`: `config/sources.toml`, strict, with line:column errors; expands into pages.
//! - `dates`: `{date}` templates, day ranges and timestamps over jiff and httpdate.
//! - `http`: one page over HTTP (conditional GET, retries, caps). Network only.
//! - `decode`: charset (header, configuration, meta, detection) and UTF-8 decoding.
//! - `schedule`: a thread pool with a per-host limit.
//! - `report`: the JSON run report.
//!
//! The library never touches the file system: the lock, the pages and their validators on disk
//! belong to the binary (`main.rs`, `run.rs`).

pub mod dates;
pub mod decode;
pub mod http;
pub mod report;
pub mod schedule;
pub mod sources;
