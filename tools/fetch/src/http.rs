//! One page over HTTP, done properly: a conditional GET, timeouts, retries with exponential
//! backoff and jitter (honouring `Retry-After`), caps on body size and redirects, http(s) only.
//!
//! Network IO only: this module never touches the file system. It answers "not modified",
//! "here is the whole body" or "failed, and why"; deciding what to store is the caller's job.

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::Client as HttpClient;
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER};
use reqwest::redirect::Policy;
use serde::Serialize;

use crate::sources::HttpSettings;

/// Names the tool and its version in every request, so that a site's operator can tell who we are.
pub const USER_AGENT: &str = concat!("newsdesk-fetch/", env!("CARGO_PKG_VERSION"), " (e-paper archiver; reqwest)");

/// The validators of the copy we hold, sent as `If-None-Match` / `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A whole body, received in full (its length matched any Content-Length and the cap).
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub status: u16,
    pub content_type: Option<String>,
    pub validators: Validators,
    /// The URL after redirects.
    pub final_url: String,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// 304: the copy we hold is current.
    NotModified,
    Body(Body),
}

/// A successful fetch with the attempts it took.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub outcome: Outcome,
    pub attempts: u32,
    /// One line per failed attempt before the success.
    pub history: Vec<String>,
}

/// Why a fetch failed: a short, stable machine name for reports and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The server answered with a status other than 2xx or 304.
    Status,
    /// Connecting or the whole request took longer than allowed.
    Timeout,
    /// No connection could be made.
    Connect,
    /// The connection ended before the body announced by Content-Length arrived.
    Truncated,
    /// The body is larger than `max_body_bytes`.
    TooLarge,
    /// A redirect loop, too many redirects, or a redirect to another scheme.
    Redirect,
    /// The server asked us to come back later than `max_retry_after_s`.
    RetryAfterTooLong,
    /// Any other transport error.
    Network,
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub reason: String,
    pub status: Option<u16>,
    pub attempts: u32,
    pub history: Vec<String>,
}

/// The outcome of one attempt, before retry decisions.
struct AttemptError {
    kind: FailureKind,
    reason: String,
    status: Option<u16>,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl AttemptError {
    fn new(kind: FailureKind, reason: String, retryable: bool) -> AttemptError {
        AttemptError { kind, reason, status: None, retryable, retry_after: None }
    }
}

/// A configured HTTP client; cheap to share between threads.
pub struct Client {
    http: HttpClient,
    settings: HttpSettings,
}

impl Client {
    pub fn new(settings: &HttpSettings) -> Result<Client, reqwest::Error> {
        let max_redirects = settings.max_redirects;
        let policy = Policy::custom(move |attempt| {
            let scheme = attempt.url().scheme().to_owned();
            if !matches!(scheme.as_str(), "http" | "https") {
                return attempt.error(format!("redirect to a {scheme}: URL; only http and https are fetched"));
            }
            if attempt.previous().iter().any(|seen| seen == attempt.url()) {
                let mut chain: Vec<&str> = attempt.previous().iter().map(|u| u.as_str()).collect();
                chain.push(attempt.url().as_str());
                let chain = chain.join(" -> ");
                return attempt.error(format!("redirect loop: {chain}"));
            }
            if attempt.previous().len() > max_redirects {
                return attempt.error(format!("more than {max_redirects} redirects (max_redirects)"));
            }
            attempt.follow()
        });
        let http = HttpClient::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
            .timeout(Duration::from_millis(settings.timeout_ms))
            .redirect(policy)
            .build()?;
        Ok(Client { http, settings: settings.clone() })
    }

    /// Fetches `url`, conditionally when `validators` are given, retrying what is worth retrying.
    pub fn fetch(&self, url: &str, validators: &Validators) -> Result<Fetched, Failure> {
        let mut history = Vec::new();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match self.attempt(url, validators) {
                Ok(outcome) => return Ok(Fetched { outcome, attempts: attempt, history }),
                Err(error) => error,
            };
            let fail = |history: Vec<String>, reason: String, kind: FailureKind| Failure {
                kind,
                reason,
                status: error.status,
                attempts: attempt,
                history,
            };
            if !error.retryable || attempt > self.settings.retries {
                return Err(fail(history, error.reason.clone(), error.kind));
            }
            let delay = match error.retry_after {
                Some(wait) if wait.as_secs() > self.settings.max_retry_after_s => {
                    let reason = format!(
                        "{}; Retry-After asks for {} s, more than max_retry_after_s = {}",
                        error.reason,
                        wait.as_secs(),
                        self.settings.max_retry_after_s
                    );
                    return Err(fail(history, reason, FailureKind::RetryAfterTooLong));
                }
                Some(wait) => wait,
                None => backoff(&self.settings, attempt),
            };
            history.push(format!("attempt {attempt}: {}; retrying in {} ms", error.reason, delay.as_millis()));
            std::thread::sleep(delay);
        }
    }

    fn attempt(&self, url: &str, validators: &Validators) -> Result<Outcome, AttemptError> {
        let started = Instant::now();
        let total = Duration::from_millis(self.settings.timeout_ms);
        let mut request = self.http.get(url);
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().map_err(|e| classify(&e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified);
        }
        if !status.is_success() {
            let retryable = status.is_server_error()
                || status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::REQUEST_TIMEOUT;
            let retry_after = match status {
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                    header(response.headers(), RETRY_AFTER).and_then(|v| parse_retry_after(&v, unix_now()))
                }
                _ => None,
            };
            return Err(AttemptError {
                kind: FailureKind::Status,
                reason: format!("HTTP {status}"),
                status: Some(status.as_u16()),
                retryable,
                retry_after,
            });
        }
        let cap = self.settings.max_body_bytes;
        let declared = response.content_length();
        if let Some(length) = declared.filter(|&l| l > cap) {
            let reason = format!("Content-Length {length} is over max_body_bytes = {cap}");
            return Err(AttemptError::new(FailureKind::TooLarge, reason, false));
        }
        let headers = response.headers().clone();
        let final_url = response.url().to_string();
        let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(cap) as usize);
        let mut buffer = vec![0; 64 * 1024];
        loop {
            match response.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    if bytes.len() as u64 + n as u64 > cap {
                        let reason = format!("the body is over max_body_bytes = {cap}");
                        return Err(AttemptError::new(FailureKind::TooLarge, reason, false));
                    }
                    bytes.extend_from_slice(&buffer[..n]);
                    if started.elapsed() > total {
                        let reason = format!("the body took longer than timeout_ms = {}", self.settings.timeout_ms);
                        return Err(AttemptError::new(FailureKind::Timeout, reason, true));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(classify_read(&e, bytes.len() as u64, declared)),
            }
        }
        if let Some(length) = declared.filter(|&l| l != bytes.len() as u64) {
            let reason = format!("the connection closed after {} of {length} bytes", bytes.len());
            return Err(AttemptError::new(FailureKind::Truncated, reason, true));
        }
        Ok(Outcome::Body(Body {
            bytes,
            status: status.as_u16(),
            content_type: header(&headers, CONTENT_TYPE),
            validators: Validators { etag: header(&headers, ETAG), last_modified: header(&headers, LAST_MODIFIED) },
            final_url,
        }))
    }
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// An error and its causes on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn classify(error: &reqwest::Error) -> AttemptError {
    let reason = chain(error);
    if error.is_timeout() {
        AttemptError::new(FailureKind::Timeout, reason, true)
    } else if error.is_redirect() {
        AttemptError::new(FailureKind::Redirect, reason, false)
    } else if error.is_connect() {
        AttemptError::new(FailureKind::Connect, reason, true)
    } else {
        AttemptError::new(FailureKind::Network, reason, true)
    }
}

fn classify_read(error: &std::io::Error, received: u64, declared: Option<u64>) -> AttemptError {
    let reason = chain(error);
    let timed_out = error.kind() == std::io::ErrorKind::TimedOut
        || error.get_ref().and_then(|e| e.downcast_ref::<reqwest::Error>()).is_some_and(reqwest::Error::is_timeout);
    if timed_out {
        AttemptError::new(FailureKind::Timeout, reason, true)
    } else if declared.is_some_and(|length| received < length) {
        let length = declared.unwrap_or_default();
        AttemptError::new(
            FailureKind::Truncated,
            format!("the body ended after {received} of {length} bytes: {reason}"),
            true,
        )
    } else {
        AttemptError::new(FailureKind::Network, reason, true)
    }
}

/// The delay before retry number `attempt` (1 = the first retry): `backoff_ms` doubled per
/// retry, capped at `max_backoff_ms`, of which a random half is jitter ("equal jitter"), so
/// that many clients that failed together do not come back together.
pub fn backoff(settings: &HttpSettings, attempt: u32) -> Duration {
    let exponential = settings.backoff_ms.saturating_mul(1 << attempt.saturating_sub(1).min(30));
    let ceiling = exponential.min(settings.max_backoff_ms);
    let half = ceiling / 2;
    Duration::from_millis(ceiling - half + random_below(half + 1))
}

/// A random number below `bound`, from the standard library's randomly seeded hasher: enough for
/// jitter, without a dependency.
fn random_below(bound: u64) -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(Instant::now()) % bound.max(1)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// `Retry-After`: delay seconds or an HTTP date (relative to `now`, Unix seconds).
pub fn parse_retry_after(value: &str, now: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = crate::dates::parse_http_date(value)?;
    Some(Duration::from_secs(at.saturating_sub(now).max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stays_under_the_cap() {
        let settings = HttpSettings { backoff_ms: 100, max_backoff_ms: 1000, ..HttpSettings::default() };
        for _ in 0..50 {
            let ms: Vec<u128> = (1..=6).map(|a| backoff(&settings, a).as_millis()).collect();
            for (attempt, (ms, ceiling)) in ms.iter().zip([100, 200, 400, 800, 1000, 1000]).enumerate() {
                assert!((ceiling / 2..=ceiling).contains(ms), "retry {}: {ms} ms", attempt + 1);
            }
        }
        assert!(backoff(&settings, 200).as_millis() <= 1000);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after(" 2 ", 0), Some(Duration::from_secs(2)));
        let now = crate::dates::parse_http_date("Mon, 01 Jun 2026 08:05:09 GMT").expect("date");
        assert_eq!(parse_retry_after("Mon, 01 Jun 2026 08:06:09 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Mon, 01 Jun 2026 08:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
