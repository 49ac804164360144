//! `config/sources.toml`: parsing, validation and expansion into the list of pages to fetch.
//!
//! Pure: text in, typed sources or an error with line and column out; `plan` turns sources and
//! "today" into page ids and URLs. It does not fetch, read files or look at the clock.
//!
//! ```toml
//! [http]                      # optional; every key has a default (see `HttpSettings`)
//! timeout_ms = 30000
//!
//! [[source]]
//! name = "hzrb"                                     # page id: <name>_<YYYY-MM-DD>_<page>
//! url = "https://example.org/{date}/{page}.txt"     # {date:%Y%m%d}, {page:02} also work
//! dates = { from = "2026-06-01", to = "2026-06-03" } # or { last_days = 3 }
//! pages = 4                                         # or [1, 3] or { from = 2, to = 5 }
//! format = "text"                                   # or "html"; default: from the response
//! encoding = "gbk"                                  # used only when the server does not say
//!
//! [[source]]
//! name = "extra"
//! urls = ["https://example.org/a.txt"]              # page id: <name>_<file stem>
//! ```

use std::collections::BTreeSet;
use std::ops::Range;

use encoding_rs::Encoding;
use model::location::Location;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::dates::Date;

/// A configuration error at a place in the file: print it as `FILE:LINE:COLUMN: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ConfigError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    fn at(text: &str, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        // Without a span (toml gives none for a few whole-document errors) it is the start.
        let Location { line, column } = Location::of(text, span.map_or(0, |s| s.start));
        ConfigError { line, column, message: message.into() }
    }
}

/// The `[http]` table: how politely and how patiently we fetch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Time allowed to open a connection.
    pub connect_timeout_ms: u64,
    /// Time allowed for one whole request, from sending it to the last byte of the body.
    pub timeout_ms: u64,
    /// Further attempts after the first on timeouts, broken connections, 5xx and 429.
    pub retries: u32,
    /// First backoff delay; it doubles with each retry (with jitter) up to `max_backoff_ms`.
    pub backoff_ms: u64,
    pub max_backoff_ms: u64,
    /// The longest `Retry-After` we wait for; a server asking for more makes the page fail.
    pub max_retry_after_s: u64,
    /// Bodies larger than this fail without being stored.
    pub max_body_bytes: u64,
    /// Redirects followed per request; loops fail at once.
    pub max_redirects: usize,
    /// Requests in flight to one host (host and port) at a time.
    pub per_host: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout_ms: 10_000,
            timeout_ms: 60_000,
            retries: 3,
            backoff_ms: 1_000,
            max_backoff_ms: 60_000,
            max_retry_after_s: 300,
            max_body_bytes: 16 * 1024 * 1024,
            max_redirects: 5,
            per_host: 2,
        }
    }
}

/// How a page's body is turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Html,
}

/// All sources of a file.
#[derive(Debug, Clone)]
pub struct Sources {
    pub http: HttpSettings,
    pub sources: Vec<Source>,
}

/// One validated `[[source]]`.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub targets: Targets,
    /// `None`: decided per response from its Content-Type and the URL's extension.
    pub format: Option<Format>,
    /// Used only when neither the header nor a byte order mark names the charset.
    pub encoding: Option<&'static Encoding>,
}

#[derive(Debug, Clone)]
pub enum Targets {
    /// `url` with placeholders, expanded over dates and pages.
    Template { template: Template, dates: Option<DateSpec>, pages: Option<Vec<u32>> },
    /// `urls`: fixed addresses, each with its page id.
    List(Vec<(String, String)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSpec {
    Range { from: Date, to: Date },
    LastDays(u32),
}

/// A parsed URL template: literal text and `{date[:FORMAT]}` / `{page[:0WIDTH]}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Date(String),
    Page { width: usize },
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err("a `}` without its `{` (placeholders are {date}, {date:%Y%m%d}, {page}, {page:02})".into());
            }
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..].find('}').ok_or("a `{` without its `}`")? + open;
            let inner = &rest[open + 1..close];
            let (name, spec) = inner.split_once(':').map_or((inner, None), |(n, s)| (n, Some(s)));
            parts.push(match (name, spec) {
                ("date", None) => Part::Date("%Y-%m-%d".into()),
                ("date", Some(pattern)) => {
                    Date::from_days(0).format(pattern)?;
                    Part::Date(pattern.to_owned())
                }
                ("page", None) => Part::Page { width: 0 },
                ("page", Some(width)) if width.starts_with('0') && width.len() > 1 => {
                    let width = width[1..].parse().map_err(|_| format!("`{{{inner}}}`: the width must be a number"))?;
                    Part::Page { width }
                }
                _ => {
                    return Err(format!(
                        "unknown placeholder `{{{inner}}}` (use {{date}}, {{date:%Y%m%d}}, {{page}} or {{page:02}})"
                    ));
                }
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(Template { parts })
    }

    pub fn has_date(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Date(_)))
    }

    pub fn has_page(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Page { .. }))
    }

    /// The URL for one date and page; the patterns were checked by `parse`.
    pub fn expand(&self, date: Option<Date>, page: Option<u32>) -> String {
        let mut url = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => url.push_str(text),
                Part::Date(pattern) => {
                    url.push_str(&date.and_then(|d| d.format(pattern).ok()).unwrap_or_default());
                }
                Part::Page { width } => url.push_str(&format!("{:0width$}", page.unwrap_or_default())),
            }
        }
        url
    }
}

/// One page to fetch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedPage {
    /// `<name>_<YYYY-MM-DD>_<page>`, `<name>_<YYYY-MM-DD>`, `<name>_<page>` or `<name>_<stem>`.
    pub id: String,
    pub url: String,
    pub source: String,
    #[serde(skip)]
    pub format: Option<Format>,
    #[serde(skip)]
    pub encoding: Option<&'static Encoding>,
    /// `host:port`, the key of the per-host concurrency limit.
    pub host: String,
}

/// A page the configuration names but this run does not fetch, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedPage {
    pub page: String,
    pub url: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    http: HttpSettings,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: Spanned<String>,
    url: Option<Spanned<String>>,
    urls: Option<Spanned<Vec<Spanned<String>>>>,
    dates: Option<Spanned<RawDates>>,
    pages: Option<Spanned<RawPages>>,
    format: Option<Format>,
    encoding: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDates {
    from: Option<String>,
    to: Option<String>,
    last_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "a page count, a list of pages, or { from = N, to = M }")]
enum RawPages {
    Count(u32),
    List(Vec<u32>),
    Range(RawPageRange),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPageRange {
    from: u32,
    to: u32,
}

/// The most pages one source may expand to; a typo such as `pages = 40000` is an error, not a
/// night of requests.
const MAX_PAGES_PER_SOURCE: usize = 10_000;

/// Parses and validates a sources file.
pub fn parse(text: &str) -> Result<Sources, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::at(text, e.span(), e.message()))?;
    let mut names = BTreeSet::new();
    let mut sources = Vec::new();
    for spanned in raw.source {
        let span = spanned.span();
        let raw = spanned.into_inner();
        let err = |span: Range<usize>, message: String| ConfigError::at(text, Some(span), message);
        let name = raw.name.get_ref();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(err(raw.name.span(), format!("source name `{name}`: use letters, digits and `-` only")));
        }
        if !names.insert(name.clone()) {
            return Err(err(raw.name.span(), format!("a second source named `{name}`")));
        }
        let encoding = match &raw.encoding {
            None => None,
            Some(label) => Some(Encoding::for_label(label.get_ref().trim().as_bytes()).ok_or_else(|| {
                err(label.span(), format!("unknown encoding `{}` (try utf-8, gbk, gb18030, big5)", label.get_ref()))
            })?),
        };
        let targets = match (raw.url, raw.urls) {
            (Some(_), Some(urls)) => return Err(err(urls.span(), "give either `url` or `urls`, not both".into())),
            (None, None) => return Err(err(span, format!("source `{name}` needs `url` or `urls`"))),
            (None, Some(urls)) => {
                if let Some(extra) = raw.dates.as_ref().map(Spanned::span).or(raw.pages.as_ref().map(Spanned::span)) {
                    return Err(err(extra, "`dates` and `pages` go with a `url` template, not with `urls`".into()));
                }
                let mut list = Vec::new();
                let mut ids = BTreeSet::new();
                for url in urls.into_inner() {
                    check_url(url.get_ref()).map_err(|m| err(url.span(), m))?;
                    let stem = url_stem(url.get_ref()).map_err(|m| err(url.span(), m))?;
                    let id = format!("{name}_{stem}");
                    if !ids.insert(id.clone()) {
                        return Err(err(url.span(), format!("page id `{id}` is already taken by another URL")));
                    }
                    list.push((id, url.into_inner()));
                }
                if list.is_empty() {
                    return Err(err(span, format!("source `{name}`: `urls` is empty")));
                }
                Targets::List(list)
            }
            (Some(url), None) => {
                let template = Template::parse(url.get_ref()).map_err(|m| err(url.span(), m))?;
                let dates = match raw.dates {
                    None if template.has_date() => {
                        return Err(err(url.span(), "the URL has {date} but the source has no `dates`".into()));
                    }
                    None => None,
                    Some(_) if !template.has_date() => {
                        return Err(err(url.span(), "the source has `dates` but the URL has no {date}".into()));
                    }
                    Some(dates) => Some(date_spec(dates.get_ref()).map_err(|m| err(dates.span(), m))?),
                };
                let pages = match raw.pages {
                    None if template.has_page() => {
                        return Err(err(url.span(), "the URL has {page} but the source has no `pages`".into()));
                    }
                    None => None,
                    Some(_) if !template.has_page() => {
                        return Err(err(url.span(), "the source has `pages` but the URL has no {page}".into()));
                    }
                    Some(pages) => Some(page_list(pages.get_ref()).map_err(|m| err(pages.span(), m))?),
                };
                if dates.is_none() && pages.is_none() {
                    return Err(err(url.span(), "a single fixed URL goes in `urls = [...]`".into()));
                }
                let example = template.expand(Some(Date::from_days(0)), Some(1));
                check_url(&example).map_err(|m| err(url.span(), m))?;
                Targets::Template { template, dates, pages }
            }
        };
        sources.push(Source { name: name.clone(), targets, format: raw.format, encoding });
    }
    Ok(Sources { http: raw.http, sources })
}

fn date_spec(raw: &RawDates) -> Result<DateSpec, String> {
    match (&raw.from, &raw.to, raw.last_days) {
        (Some(from), Some(to), None) => {
            let (from, to) = (Date::parse(from)?, Date::parse(to)?);
            if from > to {
                return Err(format!("`from` ({from}) is after `to` ({to})"));
            }
            if to.to_days() - from.to_days() >= 3660 {
                return Err("a date range longer than ten years".into());
            }
            Ok(DateSpec::Range { from, to })
        }
        (None, None, Some(days)) if (1..=366).contains(&days) => Ok(DateSpec::LastDays(days)),
        (None, None, Some(days)) => Err(format!("`last_days = {days}`: use 1 to 366")),
        _ => Err("`dates` is either { from = \"YYYY-MM-DD\", to = \"YYYY-MM-DD\" } or { last_days = N }".into()),
    }
}

fn page_list(raw: &RawPages) -> Result<Vec<u32>, String> {
    let pages: Vec<u32> = match raw {
        RawPages::Count(n) => (1..=*n).collect(),
        RawPages::List(list) => list.clone(),
        RawPages::Range(RawPageRange { from, to }) if from <= to => (*from..=*to).collect(),
        RawPages::Range(RawPageRange { from, to }) => return Err(format!("`from` ({from}) is after `to` ({to})")),
    };
    if pages.is_empty() {
        return Err("no pages".into());
    }
    if pages.len() > MAX_PAGES_PER_SOURCE {
        return Err(format!("{} pages; at most {MAX_PAGES_PER_SOURCE}", pages.len()));
    }
    let unique: BTreeSet<u32> = pages.iter().copied().collect();
    if unique.len() != pages.len() {
        return Err("a page is listed twice".into());
    }
    Ok(pages)
}

/// Accepts absolute http and https URLs with a host.
fn check_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}`: only http and https URLs are fetched"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host"));
    }
    Ok(parsed)
}

/// The file stem of a URL's last path segment, used in page ids.
fn url_stem(url: &str) -> Result<String, String> {
    let parsed = check_url(url)?;
    let last = parsed.path_segments().and_then(|mut s| s.next_back()).unwrap_or_default();
    let stem = last.rsplit_once('.').map_or(last, |(stem, _)| stem);
    if stem.is_empty() || !stem.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(format!("`{url}`: the file name gives no usable page id (letters, digits, `-`, `_`, `.`)"));
    }
    Ok(stem.to_owned())
}

fn host_key(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => format!("{}:{}", u.host_str().unwrap_or_default(), u.port_or_known_default().unwrap_or_default()),
        Err(_) => url.to_owned(),
    }
}

/// Expands sources into pages for `today`. Dates after today are skipped (they are not out yet).
pub fn plan(sources: &Sources, today: Date) -> (Vec<PlannedPage>, Vec<SkippedPage>) {
    let mut pages = Vec::new();
    let mut skipped = Vec::new();
    for source in &sources.sources {
        let mut push = |id: String, url: String| {
            let host = host_key(&url);
            pages.push(PlannedPage {
                id,
                url,
                source: source.name.clone(),
                format: source.format,
                encoding: source.encoding,
                host,
            });
        };
        match &source.targets {
            Targets::List(list) => list.iter().for_each(|(id, url)| push(id.clone(), url.clone())),
            Targets::Template { template, dates, pages: page_numbers } => {
                let days: Vec<Option<Date>> = match dates {
                    None => vec![None],
                    Some(DateSpec::Range { from, to }) => {
                        (from.to_days()..=to.to_days()).map(|d| Some(Date::from_days(d))).collect()
                    }
                    Some(DateSpec::LastDays(n)) => (0..i64::from(*n)).rev().map(|k| Some(today.add_days(-k))).collect(),
                };
                let numbers: Vec<Option<u32>> = match page_numbers {
                    None => vec![None],
                    Some(list) => list.iter().map(|p| Some(*p)).collect(),
                };
                for day in &days {
                    for number in &numbers {
                        let mut id = source.name.clone();
                        if let Some(day) = day {
                            id.push_str(&format!("_{day}"));
                        }
                        if let Some(number) = number {
                            id.push_str(&format!("_{number}"));
                        }
                        let url = template.expand(*day, *number);
                        if day.is_some_and(|d| d > today) {
                            skipped.push(SkippedPage { page: id, url, reason: format!("date after today ({today})") });
                        } else {
                            push(id, url);
                        }
                    }
                }
            }
        }
    }
    (pages, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    /// Parses `text` and plans it for 2026-06-02; shows the pages or the error.
    fn check(text: &str, expect: Expect) {
        let today = Date::parse("2026-06-02").expect("date");
        let got = match parse(text) {
            Ok(sources) => {
                let (pages, skipped) = plan(&sources, today);
                let mut lines: Vec<String> = pages
                    .iter()
                    .map(|p| {
                        format!("{} {} [{}] {:?} {:?}", p.id, p.url, p.host, p.format, p.encoding.map(|e| e.name()))
                    })
                    .collect();
                lines.extend(skipped.iter().map(|s| format!("skipped {} {}: {}", s.page, s.url, s.reason)));
                lines.join("\n")
            }
            Err(e) => format!("error {e}"),
        };
        expect.assert_eq(&got);
    }

    #[test]
    fn the_minimal_form_from_the_readme() {
        check(
            r#"
[[source]]
name = "hzrb"
url = "https://example.org/{date}/{page}.txt"
dates = { from = "2026-06-01", to = "2026-06-03" }
pages = 2
format = "text"
[[source]]
name = "extra"
urls = ["https://example.org/a.txt", "http://example.org:8080/x/b.html"]
"#,
            expect![[r#"
                hzrb_2026-06-01_1 https://example.org/2026-06-01/1.txt [example.org:443] Some(Text) None
                hzrb_2026-06-01_2 https://example.org/2026-06-01/2.txt [example.org:443] Some(Text) None
                hzrb_2026-06-02_1 https://example.org/2026-06-02/1.txt [example.org:443] Some(Text) None
                hzrb_2026-06-02_2 https://example.org/2026-06-02/2.txt [example.org:443] Some(Text) None
                extra_a https://example.org/a.txt [example.org:443] None None
                extra_b http://example.org:8080/x/b.html [example.org:8080] None None
                skipped hzrb_2026-06-03_1 https://example.org/2026-06-03/1.txt: date after today (2026-06-02)
                skipped hzrb_2026-06-03_2 https://example.org/2026-06-03/2.txt: date after today (2026-06-02)"#]],
        );
    }

    #[test]
    fn last_days_formats_page_lists_and_encoding() {
        check(
            r#"
[http]
timeout_ms = 500
[[source]]
name = "paper-b"
url = "http://e.example.cn/{date:%Y%m}/{date:%d}/node_{page:02}.htm"
dates = { last_days = 2 }
pages = [3, 10]
format = "html"
encoding = "GB2312"
"#,
            expect![[r#"
                paper-b_2026-06-01_3 http://e.example.cn/202606/01/node_03.htm [e.example.cn:80] Some(Html) Some("GBK")
                paper-b_2026-06-01_10 http://e.example.cn/202606/01/node_10.htm [e.example.cn:80] Some(Html) Some("GBK")
                paper-b_2026-06-02_3 http://e.example.cn/202606/02/node_03.htm [e.example.cn:80] Some(Html) Some("GBK")
                paper-b_2026-06-02_10 http://e.example.cn/202606/02/node_10.htm [e.example.cn:80] Some(Html) Some("GBK")"#]],
        );
    }

    /// The shipped file parses, and so does its commented example once uncommented.
    #[test]
    fn the_shipped_sources_file_and_its_example_parse() {
        let shipped = include_str!("../../../config/sources.toml");
        let sources = parse(shipped).expect("config/sources.toml");
        assert_eq!(sources.http, HttpSettings::default(), "the [http] table shows the defaults");
        let example: String = shipped
            .lines()
            .skip_while(|line| !line.starts_with("# [[source]]"))
            .filter(|line| !line.starts_with("# #"))
            .map(|line| format!("{}\n", line.strip_prefix("# ").unwrap_or_default()))
            .collect();
        let example = parse(&example).expect("the example");
        let names: Vec<&str> = example.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["hzrb", "extra"]);
    }

    #[test]
    fn errors_name_line_and_column() {
        // Columns count characters: `"klingon"` is column 60 of the line but at byte offset 63 (日报 is six bytes).
        check(
            "source = [{ name = \"a\", urls = [\"http://x/日报\"], encoding = \"klingon\" }]\n",
            expect!["error 1:60: unknown encoding `klingon` (try utf-8, gbk, gb18030, big5)"],
        );
        check(
            "[[source]]\nname = \"a\"\nurl = \"http://x/{page}\"\npages = 2\nformt = \"text\"\n",
            expect![[r#"
            error 5:1: unknown field `formt`, expected one of `name`, `url`, `urls`, `dates`, `pages`, `format`, `encoding`"#]],
        );
        check(
            "[http]\ntimeout = 5\n",
            expect![[r#"
            error 2:1: unknown field `timeout`, expected one of `connect_timeout_ms`, `timeout_ms`, `retries`, `backoff_ms`, `max_backoff_ms`, `max_retry_after_s`, `max_body_bytes`, `max_redirects`, `per_host`"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurl = \"http://x/{page}\"\npages = { from = 1, upto = 3 }\n",
            expect![[r#"
            error 4:9: a page count, a list of pages, or { from = N, to = M }"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurl = \"http://x/{date}\"\ndates = { from = \"2026-06-01\", last_days = 3 }\n",
            expect![[r#"
            error 4:9: `dates` is either { from = "YYYY-MM-DD", to = "YYYY-MM-DD" } or { last_days = N }"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurl = \"http://x/{date}\"\ndates = { from = \"2026-06-01\", to = \"2026-06-31\" }\n",
            expect![[r#"
            error 4:9: `2026-06-31` is not a day of the calendar"#]],
        );
        check(
            "[[source]]\nname = \"a\"\n  url = \"http://x/{pg}\"\npages = 2\n",
            expect![[r#"
            error 3:9: unknown placeholder `{pg}` (use {date}, {date:%Y%m%d}, {page} or {page:02})"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurl = \"http://x/{date:%H}\"\ndates = { last_days = 1 }\n",
            expect![[r#"
            error 3:7: unsupported date conversion `%H` (use %Y %y %m %n %d %e %j %%)"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurl = \"http://x/{page}\"\n",
            expect![[r#"
            error 3:7: the URL has {page} but the source has no `pages`"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurls = [\"ftp://x/a.txt\"]\n",
            expect![[r#"
            error 3:9: `ftp://x/a.txt`: only http and https URLs are fetched"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurls = [\"http://x/a.txt\", \"http://y/a.html\"]\n",
            expect![[r#"
            error 3:27: page id `a_a` is already taken by another URL"#]],
        );
        check(
            "[[source]]\nname = \"a_b\"\nurls = [\"http://x/a.txt\"]\n",
            expect![[r#"
            error 2:8: source name `a_b`: use letters, digits and `-` only"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurls = [\"http://x/a.txt\"]\nencoding = \"klingon\"\n",
            expect![[r#"
            error 4:12: unknown encoding `klingon` (try utf-8, gbk, gb18030, big5)"#]],
        );
        check(
            "[[source]]\nname = \"a\"\nurls = [\"http://x/a.txt\"]\n[[source]]\nname = \"a\"\nurls = [\"http://x/b.txt\"]\n",
            expect![[r#"
            error 5:8: a second source named `a`"#]],
        );
    }
}
