//! The run report: what one run fetched, found unchanged, failed on (with reasons) and skipped.
//!
//! Written by the binary as one JSON object (`--report`, usually `out/runs/<timestamp>.json`);
//! `cargo xtask refresh` later adds `"rebuilt": [...]` to it, so it stays an object and its
//! fields are only ever added. Pure data, no IO.

use serde::Serialize;

use crate::decode::CharsetSource;
use crate::http::FailureKind;
use crate::sources::{Format, SkippedPage};

/// Bumped when a field changes meaning or goes away (never for additions).
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub version: u32,
    /// `newsdesk-fetch/<version> …`, the User-Agent we sent.
    pub tool: String,
    pub started: String,
    pub finished: String,
    pub duration_ms: u64,
    pub sources: String,
    pub seeds: String,
    pub today: String,
    pub counts: Counts,
    pub fetched: Vec<FetchedPage>,
    pub unchanged: Vec<UnchangedPage>,
    pub failed: Vec<FailedPage>,
    pub skipped: Vec<SkippedPage>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub planned: usize,
    pub fetched: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// A page written (new or changed) in this run.
#[derive(Debug, Clone, Serialize)]
pub struct FetchedPage {
    pub page: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    pub status: u16,
    /// Bytes received, before decoding.
    pub bytes: usize,
    pub encoding: String,
    pub charset_source: CharsetSource,
    pub format: Format,
    /// There was no page with this id before.
    pub new: bool,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

/// How we know a page did not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnchangedHow {
    /// The server answered 304 to our conditional request.
    NotModified,
    /// A full body arrived whose bytes, or decoded text, equal what we hold.
    SameContent,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnchangedPage {
    pub page: String,
    pub url: String,
    pub how: UnchangedHow,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

/// A page that could not be fetched; the page already in seeds/ (if any) is untouched.
#[derive(Debug, Clone, Serialize)]
pub struct FailedPage {
    pub page: String,
    pub url: String,
    /// A stable name: `status`, `timeout`, `connect`, `truncated`, `too-large`, `redirect`,
    /// `retry-after-too-long`, `network`, `empty`, `store`, `malformed`.
    pub kind: FailedKind,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

/// Transport failures plus the ones found after the body arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FailedKind {
    Http(FailureKind),
    Page(PageFailure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageFailure {
    /// A 2xx answer with an empty body (never stored over a page we have).
    Empty,
    /// A 304 to a request that was not conditional.
    UnexpectedNotModified,
    /// Writing the page or its validators failed.
    Store,
    /// Some bytes of the body are not valid in its encoding (the page is not stored).
    Malformed,
}

impl Report {
    pub fn count(&mut self, planned: usize) {
        self.counts = Counts {
            planned,
            fetched: self.fetched.len(),
            unchanged: self.unchanged.len(),
            failed: self.failed.len(),
            skipped: self.skipped.len(),
        };
    }
}
