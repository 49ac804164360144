//! The binary's IO half: the run lock, the pages in `seeds/` and their validators beside them.
//!
//! Layout of a seeds folder:
//! - `<id>.html` or `<id>.txt`: the page as downloaded (HTML stays HTML, for the split step's
//!   HTML reader), in its own encoding when its bytes tell it, else transcoded to UTF-8
//!   (`decode::self_describing`). Replaced only by a whole new version that decoded without a
//!   single malformed byte (temporary file + rename, `model::io::write_atomic`); a page whose
//!   format changed replaces the file of the other extension.
//! - `.fetch/<id>.json`: what we know about that copy (`Stored`): URL, ETag, Last-Modified and
//!   BLAKE3 hashes of the body and of the page file. Validators are sent only while the page file
//!   still hashes to `page_blake3`, so an edited or deleted page is fetched in full again.
//! - `.fetch.lock`: held with `File::try_lock` for the whole run; holds the holder's pid.
//!
//! It does not decide HTTP matters (the library's `http`) nor parse configuration.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use fetch::decode;
use fetch::http::{Client, Outcome, Validators};
use fetch::report::{FailedKind, FailedPage, FetchedPage, PageFailure, Report, UnchangedHow, UnchangedPage};
use fetch::sources::{Format, PlannedPage};
use serde::{Deserialize, Serialize};

/// What we keep about a stored page (`.fetch/<id>.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stored {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// BLAKE3 of the body as received.
    pub body_blake3: String,
    /// BLAKE3 of the page file as written.
    pub page_blake3: String,
    pub encoding: String,
    pub fetched: String,
}

/// The outcome of one page, to be filed into the report.
pub enum PageResult {
    Fetched(FetchedPage),
    Unchanged(UnchangedPage),
    Failed(FailedPage),
}

/// The page file of `id` in `format`.
pub fn page_path(seeds: &Path, id: &str, format: Format) -> PathBuf {
    let extension = match format {
        Format::Html => "html",
        Format::Text => "txt",
    };
    seeds.join(format!("{id}.{extension}"))
}

/// The page file of `id` already in the seeds folder, whatever its extension, with its bytes.
pub fn current_page(seeds: &Path, id: &str) -> Option<(PathBuf, Vec<u8>)> {
    ["txt", "html", "htm"].iter().find_map(|extension| {
        let path = seeds.join(format!("{id}.{extension}"));
        std::fs::read(&path).ok().map(|bytes| (path, bytes))
    })
}

pub fn stored_path(seeds: &Path, id: &str) -> PathBuf {
    seeds.join(".fetch").join(format!("{id}.json"))
}

/// The lock of a seeds folder, released when dropped (or when the process ends, however it ends).
pub struct RunLock {
    _file: File,
}

pub enum LockError {
    /// Another run holds the lock; the text says who, as far as the lock file tells.
    Held(String),
    Io(anyhow::Error),
}

pub fn lock(seeds: &Path, now: &str) -> Result<RunLock, LockError> {
    let path = seeds.join(".fetch.lock");
    let io = |e: std::io::Error| LockError::Io(anyhow::Error::new(e).context(format!("locking {}", path.display())));
    std::fs::create_dir_all(seeds).map_err(io)?;
    let mut file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = if holder.trim().is_empty() { "unknown holder".to_owned() } else { holder.trim().to_owned() };
            return Err(LockError::Held(format!("{} is held by {holder}", path.display())));
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // Who holds it, for the message of a run that finds it taken. Best effort.
    let _ = file.set_len(0).and_then(|()| writeln!(file, "fetch pid {} since {now}", std::process::id()));
    Ok(RunLock { _file: file })
}

/// Removes temporary files that a killed run left in the seeds folder. Safe only under the lock:
/// then no other fetch is writing there, and nothing else writes into seeds/.
pub fn sweep_temporaries(seeds: &Path) {
    for dir in [seeds.to_path_buf(), seeds.join(".fetch")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.filter_map(Result::ok) {
            if entry.file_name().to_string_lossy().starts_with(model::io::TEMP_PREFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// The validators worth sending for `page`: only for the same URL and an untouched page file.
pub fn conditional(stored: Option<&Stored>, page: &PlannedPage, current_hash: Option<&str>) -> Validators {
    match stored {
        Some(s) if s.url == page.url && current_hash == Some(s.page_blake3.as_str()) => {
            Validators { etag: s.etag.clone(), last_modified: s.last_modified.clone() }
        }
        _ => Validators::default(),
    }
}

pub fn read_stored(seeds: &Path, id: &str) -> Option<Stored> {
    let bytes = std::fs::read(stored_path(seeds, id)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Fetches one page and stores it if it changed. Never leaves a partial page behind.
pub fn process(page: &PlannedPage, seeds: &Path, client: &Client, now: &str) -> PageResult {
    let current = current_page(seeds, &page.id);
    let current_hash = current.as_ref().map(|(_, bytes)| hash(bytes));
    let stored = read_stored(seeds, &page.id);
    let validators = conditional(stored.as_ref(), page, current_hash.as_deref());
    let failed = |kind: FailedKind, reason: String, status: Option<u16>, attempts: u32, history: Vec<String>| {
        PageResult::Failed(FailedPage {
            page: page.id.clone(),
            url: page.url.clone(),
            kind,
            reason,
            status,
            attempts,
            history,
        })
    };
    let fetched = match client.fetch(&page.url, &validators) {
        Ok(fetched) => fetched,
        Err(f) => return failed(FailedKind::Http(f.kind), f.reason, f.status, f.attempts, f.history),
    };
    let unchanged = |how: UnchangedHow, history: Vec<String>| {
        PageResult::Unchanged(UnchangedPage {
            page: page.id.clone(),
            url: page.url.clone(),
            how,
            attempts: fetched.attempts,
            history,
        })
    };
    let body = match fetched.outcome {
        Outcome::NotModified if !validators.is_empty() => return unchanged(UnchangedHow::NotModified, fetched.history),
        Outcome::NotModified => {
            let reason = "HTTP 304 Not Modified to a request that was not conditional".to_owned();
            let kind = FailedKind::Page(PageFailure::UnexpectedNotModified);
            return failed(kind, reason, Some(304), fetched.attempts, fetched.history);
        }
        Outcome::Body(body) => body,
    };
    if body.bytes.is_empty() {
        let reason = format!("HTTP {} with an empty body", body.status);
        return failed(
            FailedKind::Page(PageFailure::Empty),
            reason,
            Some(body.status),
            fetched.attempts,
            fetched.history,
        );
    }
    let body_hash = hash(&body.bytes);
    let tld = reqwest::Url::parse(&body.final_url)
        .ok()
        .and_then(|u| u.host_str().and_then(|h| h.rsplit('.').next()).map(str::to_owned))
        .unwrap_or_default();
    let decoded = decode::decode(&body.bytes, body.content_type.as_deref(), page.encoding, &tld);
    if let Some(offset) = decoded.malformed {
        // A page with replacement characters would poison every later step: keep the old one.
        let reason = format!(
            "the body is not valid {} (charset from {:?}): malformed bytes at byte offset {offset}",
            decoded.encoding, decoded.charset_source
        );
        let kind = FailedKind::Page(PageFailure::Malformed);
        return failed(kind, reason, Some(body.status), fetched.attempts, fetched.history);
    }
    let format = page.format.unwrap_or_else(|| guess_format(body.content_type.as_deref(), &body.final_url));
    // The bytes as downloaded when they tell the split step their encoding by themselves.
    let bytes: Vec<u8> = if decode::self_describing(&body.bytes, decoded.encoding) {
        body.bytes.clone()
    } else {
        decoded.text.into_bytes()
    };
    let path = page_path(seeds, &page.id, format);
    let page_hash = hash(&bytes);
    let new_stored = Stored {
        url: page.url.clone(),
        etag: body.validators.etag.clone(),
        last_modified: body.validators.last_modified.clone(),
        body_blake3: body_hash,
        page_blake3: page_hash.clone(),
        encoding: decoded.encoding.to_owned(),
        fetched: now.to_owned(),
    };
    let store = |stored: &Stored| -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(stored).context("encoding validators")?;
        model::io::write_atomic(&stored_path(seeds, &page.id), &json)
    };
    let current_path = current.as_ref().map(|(path, _)| path.clone());
    if current_hash.as_deref() == Some(page_hash.as_str()) && current_path.as_deref() == Some(path.as_path()) {
        // Same bytes: the page stays as it is (its mtime too); only the validators may be new.
        if let Err(e) = store(&new_stored) {
            let kind = FailedKind::Page(PageFailure::Store);
            return failed(kind, format!("{e:#}"), Some(body.status), fetched.attempts, fetched.history);
        }
        return unchanged(UnchangedHow::SameContent, fetched.history);
    }
    // The page first, then its validators: a crash between the two leaves validators that no
    // longer match the page file, so the next run asks unconditionally. A page that changed
    // format loses its old file only once the new one is in place.
    let written = model::io::write_atomic(&path, &bytes).and_then(|()| store(&new_stored)).and_then(|()| {
        match current_path.as_deref().filter(|old| *old != path.as_path()) {
            Some(old) => std::fs::remove_file(old).with_context(|| format!("removing {}", old.display())),
            None => Ok(()),
        }
    });
    if let Err(e) = written {
        let kind = FailedKind::Page(PageFailure::Store);
        return failed(kind, format!("{e:#}"), Some(body.status), fetched.attempts, fetched.history);
    }
    PageResult::Fetched(FetchedPage {
        page: page.id.clone(),
        url: page.url.clone(),
        final_url: Some(body.final_url).filter(|u| *u != page.url),
        status: body.status,
        bytes: body.bytes.len(),
        encoding: decoded.encoding.to_owned(),
        charset_source: decoded.charset_source,
        format,
        new: current.is_none(),
        attempts: fetched.attempts,
        history: fetched.history,
    })
}

/// HTML when the server says so or the URL ends in `.htm`/`.html`/`.shtml`; text otherwise.
fn guess_format(content_type: Option<&str>, url: &str) -> Format {
    let mime = content_type.and_then(|c| c.split(';').next()).map(|m| m.trim().to_ascii_lowercase());
    match mime.as_deref() {
        Some("text/html" | "application/xhtml+xml") => Format::Html,
        Some("text/plain") => Format::Text,
        _ => {
            let path = url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
            if [".htm", ".html", ".shtml", ".xhtml"].iter().any(|ext| path.ends_with(ext)) {
                Format::Html
            } else {
                Format::Text
            }
        }
    }
}

/// Files one page result into the report.
pub fn file(report: &mut Report, result: PageResult) {
    match result {
        PageResult::Fetched(p) => report.fetched.push(p),
        PageResult::Unchanged(p) => report.unchanged.push(p),
        PageResult::Failed(p) => report.failed.push(p),
    }
}
