//! The briefing step's cache (binary only: this is file IO): every page's share of the
//! briefings, serialized, in one append-only log `OUT/.cache/pages-<generation>.log`, found
//! through `OUT/.cache/index.bin` (page id → key, input hash, stamp, briefs, place in the log;
//! binary like the records: as JSON it took a tenth of a one-page rebuild to read and write).
//!
//! One file per page cost a new inode per page and run, and on this project's disks creating a
//! file costs about a millisecond (the kernel skips recently freed inodes one by one), more than
//! rendering the page. A run appends the pages it rendered to the log and then replaces the
//! index; a run killed before the index is written leaves bytes nothing refers to, which the
//! next run appends after. When the log holds more dead bytes than live ones it is copied, live
//! entries only, into the next generation before the index names it. A record that does not read
//! back as the page it should be (or not as its hashes say) is a cache miss, never an error: the
//! page is rendered again; a body found damaged only when an output needs it (`Damaged`) makes
//! the step start over without the cache.
//! Deliberately not done: locking (one run at a time is `cargo xtask`'s `out/.lock`).

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use summarize::assembly::Assembly;
use summarize::briefing::ArticleRows;

/// Bumped when what the cache holds changes.
const VERSION: &str = "briefing-cache-7";

/// Dead bytes a log may hold before it is compacted (besides being more than half of it).
const COMPACT_PAST: u64 = 8 << 20;

/// What the index knows about one page.
#[derive(Debug, Clone)]
pub struct Entry {
    pub input: String,
    /// The input's size, mtime (ns) and inode when it was read: a page whose file still has them
    /// is not read again.
    pub stamp: Stamp,
    /// The brief files written for it (paths relative to the output folder).
    /// (Shared: a kept page's entry is cloned into the next index every run.)
    pub briefs: std::sync::Arc<Vec<String>>,
    /// Where its record is in the log, and the length of the record's head (before the lines of
    /// its key-figure candidates, which are read only for the figures shown).
    pub offset: u64,
    pub len: u64,
    pub head: u64,
}

/// A page's record in the log: `[blake3 of the rest of the head][blake3 of body][meta][body]`
/// (the head is all but the body), checked against
/// the page and input it should be when read back. The meta is what every run reads of every
/// page (a few hundred bytes): the page id and input hash; then per row its district, figure
/// count (at least its key-figure candidates) and, when it has parts, the names, roles, event
/// dates and figure weights the assembly is made of, with where each rendered part is in the body
/// (offset from the body's start, length). The body holds the rows as JSON when they are needed
/// whole (an overridden `district.md` or `corpus.md`; else nothing), then the rendered parts kind
/// by kind (articles, people, quotes in the profile, quotes under their speaker, events, in date
/// order, then key-figure lines), each kind's of one district together: a district's parts from
/// one page then lie side by side in the log, as they do in its profile. The body is read only
/// for the parts an output does not already hold (the binary copies the others from the last
/// output), and checked against its hash when it is; a key-figure line has a hash of its own.
/// The records' length-prefixed binary form: counts and lengths as little-endian `u32`, an
/// absent string as length `u32::MAX`.
mod codec {
    use summarize::assembly::{Assembly, Lines, Text};
    use summarize::briefing::{ArticleParts, ArticleRows, EventPart, FigurePart, PersonPart, QuotePart};

    const NONE: u32 = u32::MAX;

    /// The hash a key-figure line is checked against when it is read.
    pub fn line_hash(bytes: &[u8]) -> u64 {
        let hash = blake3::hash(bytes);
        u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap_or_default())
    }

    /// Bytes being written: the meta or the body.
    #[derive(Default)]
    pub struct Writer(pub Vec<u8>);

    impl Writer {
        pub fn u32(&mut self, value: usize) {
            self.0.extend_from_slice(&u32::try_from(value).unwrap_or(NONE - 1).to_le_bytes());
        }
        pub fn u64(&mut self, value: u64) {
            self.0.extend_from_slice(&value.to_le_bytes());
        }
        pub fn i128(&mut self, value: i128) {
            self.0.extend_from_slice(&value.to_le_bytes());
        }
        pub fn str(&mut self, text: &str) {
            self.u32(text.len());
            self.0.extend_from_slice(text.as_bytes());
        }
        fn opt(&mut self, text: Option<&str>) {
            match text {
                Some(text) => self.str(text),
                None => self.0.extend_from_slice(&NONE.to_le_bytes()),
            }
        }
        /// Where `bytes` go in the body: appended to it, (offset, length) written here.
        fn span(&mut self, body: &mut Writer, bytes: &[u8]) {
            self.u32(body.0.len());
            self.u32(bytes.len());
            body.0.extend_from_slice(bytes);
        }
    }

    /// The meta and body of a page's rows (`Cache::record`).
    pub fn write_rows(page: &str, input: &str, rows: &[ArticleRows], json: &str) -> (Vec<u8>, Vec<u8>) {
        let (mut meta, mut body) = (Writer::default(), Writer::default());
        meta.str(page);
        meta.str(input);
        meta.span(&mut body, json.as_bytes());
        // The parts kind by kind, rows of one district together (in row order), so that a
        // district's parts of the page are one run of the log; the spans are written after.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| rows[a].district.cmp(&rows[b].district));
        let parts = |r: usize| rows[r].parts.as_ref();
        let mut spans: Vec<Vec<(usize, usize)>> = vec![Vec::new(); rows.len()];
        let put = |spans: &mut Vec<Vec<(usize, usize)>>, r: usize, body: &mut Writer, bytes: &[u8]| {
            spans[r].push((body.0.len(), bytes.len()));
            body.0.extend_from_slice(bytes);
        };
        for &r in &order {
            if let Some(p) = parts(r) {
                put(&mut spans, r, &mut body, p.article.as_bytes());
            }
        }
        for &r in &order {
            for person in parts(r).map_or(&[][..], |p| &p.people) {
                put(&mut spans, r, &mut body, person.text.as_bytes());
            }
        }
        for &r in &order {
            for quote in parts(r).map_or(&[][..], |p| &p.quotes) {
                put(&mut spans, r, &mut body, quote.district.as_bytes());
            }
        }
        for &r in &order {
            for quote in parts(r).map_or(&[][..], |p| &p.quotes) {
                put(&mut spans, r, &mut body, quote.corpus.as_bytes());
            }
        }
        // Events in timeline order (as the corpus briefing sorts them, stably).
        let mut events: Vec<(usize, usize)> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            events.extend((0..row.parts.as_ref().map_or(0, |p| p.events.len())).map(|e| (r, e)));
        }
        events.sort_by_key(|&(r, e)| parts(r).map(|p| p.events[e].key));
        let mut event_spans: Vec<Vec<(usize, usize)>> =
            rows.iter().map(|row| vec![(0, 0); row.parts.as_ref().map_or(0, |p| p.events.len())]).collect();
        for (r, e) in events {
            if let Some(p) = parts(r) {
                event_spans[r][e] = (body.0.len(), p.events[e].text.len());
                body.0.extend_from_slice(p.events[e].text.as_bytes());
            }
        }
        meta.u32(rows.len());
        for (r, row) in rows.iter().enumerate() {
            meta.str(&row.district);
            let candidates = row.figures.len() + row.parts.as_ref().map_or(0, |p| p.figures.len());
            meta.u32(row.figure_count.max(candidates));
            let Some(p) = &row.parts else {
                meta.0.push(0);
                continue;
            };
            meta.0.push(1);
            let mut at = spans[r].iter().copied();
            let mut span = |meta: &mut Writer| {
                let (offset, len) = at.next().unwrap_or_default();
                meta.u32(offset);
                meta.u32(len);
            };
            span(&mut meta);
            meta.u32(p.people.len());
            for person in &p.people {
                meta.str(&person.name);
                meta.opt(person.role.as_deref());
                span(&mut meta);
            }
            meta.u32(p.quotes.len());
            for quote in &p.quotes {
                meta.opt(quote.speaker.as_deref());
                meta.opt(quote.role.as_deref());
            }
            // The district lines' spans, then the corpus lines' (the order they were put in).
            for _ in 0..2 * p.quotes.len() {
                span(&mut meta);
            }
            meta.u32(p.events.len());
            for (event, &(offset, len)) in p.events.iter().zip(&event_spans[r]) {
                let (year, month, day) = event.key;
                for k in [year, month, day] {
                    meta.0.extend_from_slice(&k.to_le_bytes());
                }
                meta.u32(offset);
                meta.u32(len);
            }
            meta.u32(p.figures.len());
            for figure in &p.figures {
                meta.u32(figure.weight);
                meta.u32(body.0.len());
                meta.u32(figure.district.len());
                meta.u32(figure.corpus.len());
                let start = body.0.len();
                body.0.extend_from_slice(figure.district.as_bytes());
                body.0.extend_from_slice(figure.corpus.as_bytes());
                meta.u64(line_hash(&body.0[start..]));
            }
        }
        (meta.0, body.0)
    }

    /// Reads what `Writer` wrote; `None` at anything it did not write. `body_len` is the length
    /// of the body the spans point into (a span past it is not ours).
    #[derive(Default)]
    pub struct Reader<'a> {
        pub bytes: &'a [u8],
        pub body_len: u64,
    }

    /// What a walk over a record's meta does with each row (`Reader::walk`).
    pub trait Visit<'a> {
        fn row(&mut self, district: &'a str, figure_count: usize, article: Option<(u32, u32)>);
        fn person(&mut self, name: &'a [u8], role: Option<&'a [u8]>, line: (u32, u32));
        fn quote(&mut self, speaker: Option<&'a [u8]>, role: Option<&'a [u8]>, lines: [(u32, u32); 2]);
        fn event(&mut self, key: (u32, u32, u32), line: (u32, u32));
        fn figure(&mut self, weight: usize, at: u32, lines: (usize, usize), hash: u64);
    }

    /// Visits nothing (a walk that only checks).
    pub struct Check;

    impl<'a> Visit<'a> for Check {
        fn row(&mut self, _: &'a str, _: usize, _: Option<(u32, u32)>) {}
        fn person(&mut self, _: &'a [u8], _: Option<&'a [u8]>, _: (u32, u32)) {}
        fn quote(&mut self, _: Option<&'a [u8]>, _: Option<&'a [u8]>, _: [(u32, u32); 2]) {}
        fn event(&mut self, _: (u32, u32, u32), _: (u32, u32)) {}
        fn figure(&mut self, _: usize, _: u32, _: (usize, usize), _: u64) {}
    }

    /// Adds the rows to an assembly, their parts at `base` (the body's offset in the log).
    pub struct Feed<'s, 'a, F> {
        pub assembly: &'s mut Assembly<'a>,
        pub base: u64,
        pub district: Option<summarize::assembly::DistrictId>,
        pub on_row: F,
    }

    impl<'a, F: FnMut(&'a str)> Feed<'_, 'a, F> {
        fn text(&self, (offset, len): (u32, u32)) -> Text<'a> {
            Text::At { offset: self.base + u64::from(offset), len }
        }
    }

    impl<'a, F: FnMut(&'a str)> Visit<'a> for Feed<'_, 'a, F> {
        fn row(&mut self, district: &'a str, figure_count: usize, article: Option<(u32, u32)>) {
            (self.on_row)(district);
            let entry = article.map(|span| self.text(span));
            self.district = Some(self.assembly.article(district, figure_count, entry));
        }
        fn person(&mut self, name: &'a [u8], role: Option<&'a [u8]>, line: (u32, u32)) {
            let line = self.text(line);
            if let Some(d) = self.district {
                self.assembly.person(d, name, role, line);
            }
        }
        fn quote(&mut self, speaker: Option<&'a [u8]>, role: Option<&'a [u8]>, [district, corpus]: [(u32, u32); 2]) {
            let (district, corpus) = (self.text(district), self.text(corpus));
            if let Some(d) = self.district {
                self.assembly.quote(d, speaker, role, district, corpus);
            }
        }
        fn event(&mut self, key: (u32, u32, u32), line: (u32, u32)) {
            let line = self.text(line);
            self.assembly.event(key, line);
        }
        fn figure(&mut self, weight: usize, at: u32, (district, corpus): (usize, usize), hash: u64) {
            let offset = self.base + u64::from(at);
            if let Some(d) = self.district {
                self.assembly.figure(d, weight, Lines::At { offset, district, corpus, hash });
            }
        }
    }

    /// Builds a page's rows (with their parts owned) from its meta and body.
    pub struct Owned<'b> {
        pub body: &'b [u8],
        pub rows: Vec<ArticleRows>,
        pub ok: bool,
    }

    impl Owned<'_> {
        fn text(&mut self, (offset, len): (u32, u32)) -> String {
            let start = offset as usize;
            let text = self.body.get(start..start + len as usize).and_then(|b| std::str::from_utf8(b).ok());
            self.ok &= text.is_some();
            text.unwrap_or_default().to_owned()
        }
        fn name(&mut self, bytes: &[u8]) -> String {
            let text = std::str::from_utf8(bytes).ok();
            self.ok &= text.is_some();
            text.unwrap_or_default().to_owned()
        }
        fn parts(&mut self) -> Option<&mut ArticleParts> {
            self.rows.last_mut().and_then(|row| row.parts.as_mut())
        }
    }

    impl<'a> Visit<'a> for Owned<'_> {
        fn row(&mut self, district: &'a str, figure_count: usize, article: Option<(u32, u32)>) {
            let parts = article.map(|span| ArticleParts { article: self.text(span), ..ArticleParts::default() });
            self.rows.push(ArticleRows {
                district: district.to_owned(),
                figure_count,
                parts,
                ..ArticleRows::default()
            });
        }
        fn person(&mut self, name: &'a [u8], role: Option<&'a [u8]>, line: (u32, u32)) {
            let person = PersonPart { name: self.name(name), role: role.map(|r| self.name(r)), text: self.text(line) };
            if let Some(p) = self.parts() {
                p.people.push(person);
            }
        }
        fn quote(&mut self, speaker: Option<&'a [u8]>, role: Option<&'a [u8]>, [district, corpus]: [(u32, u32); 2]) {
            let quote = QuotePart {
                speaker: speaker.map(|s| self.name(s)),
                role: role.map(|r| self.name(r)),
                district: self.text(district),
                corpus: self.text(corpus),
            };
            if let Some(p) = self.parts() {
                p.quotes.push(quote);
            }
        }
        fn event(&mut self, key: (u32, u32, u32), line: (u32, u32)) {
            let event = EventPart { key, text: self.text(line) };
            if let Some(p) = self.parts() {
                p.events.push(event);
            }
        }
        fn figure(&mut self, weight: usize, at: u32, (district, corpus): (usize, usize), _: u64) {
            let (district_len, corpus_len) =
                (u32::try_from(district).unwrap_or(NONE), u32::try_from(corpus).unwrap_or(NONE));
            let figure = FigurePart {
                weight,
                district: self.text((at, district_len)),
                corpus: self.text((at.saturating_add(district_len), corpus_len)),
            };
            if let Some(p) = self.parts() {
                p.figures.push(figure);
            }
        }
    }

    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let bytes: &'a [u8] = self.bytes;
            let (head, rest) = (bytes.get(..n)?, bytes.get(n..)?);
            self.bytes = rest;
            Some(head)
        }
        fn raw_u32(&mut self) -> Option<u32> {
            Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
        }
        pub fn count(&mut self) -> Option<usize> {
            // Every counted item takes at least 4 bytes: a count past that is not ours.
            let n = self.raw_u32()? as usize;
            (n <= self.bytes.len() / 4).then_some(n)
        }
        pub fn u64(&mut self) -> Option<u64> {
            Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
        }
        pub fn i128(&mut self) -> Option<i128> {
            Some(i128::from_le_bytes(self.take(16)?.try_into().ok()?))
        }
        pub fn number(&mut self) -> Option<usize> {
            self.raw_u32().map(|n| n as usize)
        }
        /// A string's bytes, not checked to be UTF-8.
        pub fn bytes(&mut self) -> Option<&'a [u8]> {
            let n = self.raw_u32()?;
            (n != NONE).then_some(())?;
            self.take(n as usize)
        }
        fn opt_bytes(&mut self) -> Option<Option<&'a [u8]>> {
            let n = self.raw_u32()?;
            if n == NONE {
                return Some(None);
            }
            Some(Some(self.take(n as usize)?))
        }
        /// A string checked to be UTF-8.
        pub fn str(&mut self) -> Option<&'a str> {
            std::str::from_utf8(self.bytes()?).ok()
        }
        pub fn string(&mut self) -> Option<String> {
            self.str().map(str::to_owned)
        }
        /// A span of the body: (offset, length), within it.
        pub fn span(&mut self) -> Option<(u32, u32)> {
            let (offset, len) = (self.raw_u32()?, self.raw_u32()?);
            (u64::from(offset) + u64::from(len) <= self.body_len).then_some((offset, len))
        }

        /// Walks a record's meta past its page and input: its JSON's span, then every row,
        /// shown to `visit`; `None` at anything `write_rows` did not write.
        pub fn walk(&mut self, visit: &mut impl Visit<'a>) -> Option<(u32, u32)> {
            let json = self.span()?;
            for _ in 0..self.count()? {
                let (district, figure_count) = (self.str()?, self.number()?);
                let has_parts = match self.take(1)? {
                    [0] => false,
                    [1] => true,
                    _ => return None,
                };
                if !has_parts {
                    visit.row(district, figure_count, None);
                    continue;
                }
                visit.row(district, figure_count, Some(self.span()?));
                for _ in 0..self.count()? {
                    let (name, role, line) = (self.bytes()?, self.opt_bytes()?, self.span()?);
                    visit.person(name, role, line);
                }
                let quotes = self.count()?;
                let mut who = Vec::with_capacity(quotes);
                for _ in 0..quotes {
                    who.push((self.opt_bytes()?, self.opt_bytes()?));
                }
                let mut district_lines = Vec::with_capacity(quotes);
                for _ in 0..quotes {
                    district_lines.push(self.span()?);
                }
                for ((speaker, role), district_line) in who.into_iter().zip(district_lines) {
                    visit.quote(speaker, role, [district_line, self.span()?]);
                }
                for _ in 0..self.count()? {
                    let key = (self.raw_u32()?, self.raw_u32()?, self.raw_u32()?);
                    visit.event(key, self.span()?);
                }
                for _ in 0..self.count()? {
                    let weight = self.raw_u32()? as usize;
                    let (at, district, corpus) = (self.raw_u32()?, self.raw_u32()?, self.raw_u32()?);
                    let end = u64::from(at) + u64::from(district) + u64::from(corpus);
                    (end <= self.body_len).then_some(())?;
                    visit.figure(weight, at, (district as usize, corpus as usize), self.u64()?);
                }
            }
            self.bytes.is_empty().then_some(json)
        }
    }
}

/// A record read back that does not match its hash, found after the pages were gathered (when
/// the outputs are written): the cache is dropped and the step runs again (`main::briefing`).
#[derive(Debug)]
pub struct Damaged(pub String);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "damaged briefing cache: {}", self.0)
    }
}

impl std::error::Error for Damaged {}

/// Where compaction moved records: (old offset, length, new offset), by old offset.
pub type Moved = Vec<(u64, u64, u64)>;

/// A file's size, mtime (ns) and inode.
pub type Stamp = (u64, i128, u64);

#[derive(Default)]
struct Index {
    version: String,
    key: String,
    generation: u64,
    /// The stamp of the briefs' folder as the run that wrote this index left it, when that run
    /// had no failed page (its briefs are then exactly the folder's files).
    briefs_dir: Option<Stamp>,
    pages: HashMap<String, Entry>,
}

impl Index {
    const NAME: &str = "index.bin";

    fn encode(&self) -> Vec<u8> {
        let mut w = codec::Writer::default();
        w.str(&self.version);
        w.str(&self.key);
        w.u64(self.generation);
        let stamp = |w: &mut codec::Writer, (len, mtime, ino): Stamp| {
            w.u64(len);
            w.i128(mtime);
            w.u64(ino);
        };
        match self.briefs_dir {
            Some(dir) => {
                w.u32(1);
                stamp(&mut w, dir);
            }
            None => w.u32(0),
        }
        w.u32(self.pages.len());
        for (page, e) in &self.pages {
            w.str(page);
            w.str(&e.input);
            stamp(&mut w, e.stamp);
            w.u32(e.briefs.len());
            for brief in e.briefs.iter() {
                w.str(brief);
            }
            w.u64(e.offset);
            w.u64(e.len);
            w.u64(e.head);
        }
        // Its hash last: a damaged index is no index.
        let hash = blake3::hash(&w.0);
        w.0.extend_from_slice(hash.as_bytes());
        w.0
    }

    fn decode(bytes: &[u8]) -> Option<Index> {
        let (bytes, hash) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        (blake3::hash(bytes).as_bytes() == hash).then_some(())?;
        let mut r = codec::Reader { bytes, ..codec::Reader::default() };
        let (version, key, generation) = (r.string()?, r.string()?, r.u64()?);
        let stamp = |r: &mut codec::Reader<'_>| Some((r.u64()?, r.i128()?, r.u64()?));
        let briefs_dir = match r.number()? {
            0 => None,
            _ => Some(stamp(&mut r)?),
        };
        let count = r.count()?;
        let mut pages = HashMap::with_capacity(count);
        for _ in 0..count {
            let (page, input, stamp) = (r.string()?, r.string()?, stamp(&mut r)?);
            let briefs = (0..r.count()?).map(|_| r.string()).collect::<Option<Vec<String>>>()?.into();
            let (offset, len, head) = (r.u64()?, r.u64()?, r.u64()?);
            pages.insert(page, Entry { input, stamp, briefs, offset, len, head });
        }
        r.bytes.is_empty().then_some(Index { version, key, generation, briefs_dir, pages })
    }
}

/// The cache as one run sees it: the last run's index (when made under the same key) and the
/// log to read its records from and append new ones to.
pub struct Cache {
    dir: PathBuf,
    key: String,
    generation: u64,
    /// The last run's entries.
    previous: HashMap<String, Entry>,
    /// This run's entries.
    pages: HashMap<String, Entry>,
    /// The briefs' folder as the last run left it (`Index::briefs_dir`), then as this one does.
    previous_briefs_dir: Option<Stamp>,
    briefs_dir: Option<Stamp>,
    log: File,
    log_len: u64,
    /// Whether the last run's index and log are this run's (else the log is new).
    reused: bool,
}

fn log_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("pages-{generation}.log"))
}

impl Cache {
    /// Opens the cache in `dir` for a run under `key`: the last run's index if it was made
    /// under the same key and its log is there, else an empty cache in a new log.
    pub fn open(dir: &Path, key: &str) -> anyhow::Result<Cache> {
        model::io::create_dir(dir)?;
        let index: Index =
            std::fs::read(dir.join(Index::NAME)).ok().and_then(|bytes| Index::decode(&bytes)).unwrap_or_default();
        let reusable = index.version == VERSION && index.key == key && log_path(dir, index.generation).is_file();
        let (generation, previous, previous_briefs_dir) = if reusable {
            (index.generation, index.pages, index.briefs_dir)
        } else {
            (index.generation + 1, HashMap::new(), None)
        };
        let path = log_path(dir, generation);
        if !reusable {
            // A new log: nothing refers to an old one's bytes.
            std::fs::remove_file(&path).ok();
        }
        let log = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let log_len = log.metadata().with_context(|| format!("reading {}", path.display()))?.len();
        Ok(Cache {
            dir: dir.to_path_buf(),
            key: key.to_owned(),
            generation,
            previous,
            pages: HashMap::new(),
            previous_briefs_dir,
            briefs_dir: None,
            log,
            log_len,
            reused: reusable,
        })
    }

    /// The stamp of the briefs' folder as the last run left it, if it had no failed page.
    pub fn previous_briefs_dir(&self) -> Option<Stamp> {
        self.previous_briefs_dir
    }

    /// The briefs the last run's entries name that this run's entry for the same page does not
    /// (all of them for a page this run did not keep): the only briefs that may be stale when
    /// the folder is as the last run left it.
    pub fn dropped_briefs(&self) -> impl Iterator<Item = &String> {
        self.previous.iter().flat_map(move |(page, e)| {
            let now = self.pages.get(page).map(|now| &now.briefs);
            let same = now.is_some_and(|now| std::sync::Arc::ptr_eq(now, &e.briefs) || now == &e.briefs);
            e.briefs.iter().filter(move |b| !same && !now.is_some_and(|now| now.contains(b)))
        })
    }

    /// Records the stamp of the briefs' folder as this run leaves it (`None` after a failed
    /// page), for the next run.
    pub fn set_briefs_dir(&mut self, stamp: Option<Stamp>) {
        self.briefs_dir = stamp;
    }

    /// The last run's entry for `page`.
    pub fn previous(&self, page: &str) -> Option<&Entry> {
        self.previous.get(page)
    }

    /// The meta of `page`'s record at `entry` (with its two hashes before it: `Entry::head`
    /// bytes), `None` when it does not read back as that page's (a miss: the caller renders the
    /// page again).
    pub fn read_meta(&self, page: &str, entry: &Entry) -> Option<Vec<u8>> {
        let mut head = vec![0; usize::try_from(entry.head).ok()?];
        self.log.read_exact_at(&mut head, entry.offset).ok()?;
        Self::check_meta(&head, page, &entry.input, entry.len.checked_sub(entry.head)?)?;
        Some(head)
    }

    /// Whether `head` is a record's hashes and meta, of `page` and `input`, whose body is
    /// `body_len` bytes.
    fn check_meta(head: &[u8], page: &str, input: &str, body_len: u64) -> Option<()> {
        let meta = head.get(64..)?;
        (blake3::hash(&head[32..]).as_bytes() == &head[..32]).then_some(())?;
        let mut reader = codec::Reader { bytes: meta, body_len };
        (reader.str()? == page && reader.str()? == input).then_some(())?;
        reader.walk(&mut codec::Check).map(|_| ())
    }

    /// The hash of the body of the record whose head (`read_meta`, or the first `Entry::head`
    /// bytes of what `record` made) is `head`.
    pub fn body_hash(head: &[u8]) -> Option<[u8; 32]> {
        head.get(32..64)?.try_into().ok()
    }

    /// Whether `body` is the body `head` was made with.
    pub fn body_is(head: &[u8], body: &[u8]) -> bool {
        Self::body_hash(head).is_some_and(|hash| blake3::hash(body).as_bytes() == &hash)
    }

    /// Whether `bytes` are the key-figure lines whose hash `Lines::At` holds.
    pub fn line_is(bytes: &[u8], hash: u64) -> bool {
        codec::line_hash(bytes) == hash
    }

    /// Adds the rows of a record's head (checked as it was read or made) to `assembly`, calling
    /// `row` with each row's district; its body is at `body` in the log. `None` when it is not a
    /// record's head.
    pub fn feed<'a>(
        head: &'a [u8],
        body: u64,
        body_len: u64,
        assembly: &mut Assembly<'a>,
        row: impl FnMut(&'a str),
    ) -> Option<()> {
        let mut reader = codec::Reader { bytes: head.get(64..)?, body_len };
        let (_page, _input) = (reader.bytes()?, reader.bytes()?);
        let mut feed = codec::Feed { assembly, base: body, district: None, on_row: row };
        reader.walk(&mut feed).map(|_| ())
    }

    /// `len` bytes of the log at `offset`.
    pub fn read_at(&self, offset: u64, len: usize) -> anyhow::Result<Vec<u8>> {
        let mut bytes = vec![0; len];
        self.log.read_exact_at(&mut bytes, offset).context("reading the briefing cache's log")?;
        Ok(bytes)
    }

    /// The rows of `page` recorded at `entry`, owned (what an overridden `district.md` or
    /// `corpus.md` is rendered from), `None` when the record does not read back as that page's.
    pub fn read(&self, page: &str, entry: &Entry) -> Option<Vec<ArticleRows>> {
        let mut bytes = vec![0; usize::try_from(entry.len).ok()?];
        self.log.read_exact_at(&mut bytes, entry.offset).ok()?;
        let (head, body) = bytes.split_at_checked(usize::try_from(entry.head).ok()?)?;
        Self::check_meta(head, page, &entry.input, body.len() as u64)?;
        Self::body_is(head, body).then_some(())?;
        let mut reader = codec::Reader { bytes: &head[64..], body_len: body.len() as u64 };
        let (_page, _input) = (reader.bytes()?, reader.bytes()?);
        let mut owned = codec::Owned { body, rows: Vec::new(), ok: true };
        let (json_at, json_len) = reader.walk(&mut owned)?;
        let mut rows = owned.ok.then_some(owned.rows)?;
        let json = body.get(json_at as usize..(json_at + json_len) as usize)?;
        if !json.is_empty() {
            let whole: Vec<ArticleRows> = serde_json::from_slice(json).ok()?;
            (whole.len() == rows.len()).then_some(())?;
            for (row, whole) in rows.iter_mut().zip(whole) {
                *row = ArticleRows { parts: row.parts.take(), ..whole };
            }
        }
        Some(rows)
    }

    /// The record of `page`'s rows, to `append` (made on any thread), and the length of its
    /// head (its two hashes and its meta, `Entry::head`).
    pub fn record(page: &str, input: &str, rows: &[ArticleRows]) -> anyhow::Result<(Vec<u8>, u64)> {
        // Rows that are not all in their parts are needed whole.
        let json = if rows.iter().any(|r| r.parts.is_none()) {
            serde_json::to_string(rows).context("serializing the briefing cache")?
        } else {
            String::new()
        };
        let (meta, body) = codec::write_rows(page, input, rows, &json);
        let head = 64 + meta.len();
        let mut bytes = Vec::with_capacity(head + body.len());
        // The first hash is over the body's hash and the meta: all of the head.
        let body_hash = blake3::hash(&body);
        let mut hasher = blake3::Hasher::new();
        hasher.update(body_hash.as_bytes());
        hasher.update(&meta);
        bytes.extend_from_slice(hasher.finalize().as_bytes());
        bytes.extend_from_slice(body_hash.as_bytes());
        bytes.extend_from_slice(&meta);
        bytes.extend_from_slice(&body);
        Ok((bytes, head as u64))
    }

    /// Appends `record` (from `Cache::record`) to the log and returns where it went.
    pub fn append(&mut self, record: &[u8]) -> anyhow::Result<(u64, u64)> {
        let offset = self.log_len;
        self.log
            .write_all(record)
            .with_context(|| format!("writing {}", log_path(&self.dir, self.generation).display()))?;
        self.log_len += record.len() as u64;
        Ok((offset, record.len() as u64))
    }

    /// Every brief this run's entries name.
    pub fn kept_briefs(&self) -> impl Iterator<Item = &String> {
        self.pages.values().flat_map(|e| e.briefs.iter())
    }

    /// Keeps `entry` for `page` in this run's index.
    pub fn keep(&mut self, page: String, entry: Entry) {
        self.pages.insert(page, entry);
    }

    /// The log's generation (what offsets into it are valid in).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether this run goes on with the last run's log (else it started a new one, whose
    /// offsets mean other bytes than any kept before, even in a generation of the same number).
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// Writes this run's index (after copying the live records into a new log when most of the
    /// log is dead) and removes the logs it no longer names. Returns the generation the index
    /// names and, when the records moved, where: (old offset, length, new offset), by old offset.
    pub fn finish(self) -> anyhow::Result<(u64, Moved)> {
        self.finish_compacting_past(COMPACT_PAST)
    }

    /// `finish`, compacting once more than `min_dead` bytes and more than half the log are dead.
    fn finish_compacting_past(mut self, min_dead: u64) -> anyhow::Result<(u64, Moved)> {
        let mut moved = Vec::new();
        let live: u64 = self.pages.values().map(|e| e.len).sum();
        let dead = self.log_len.saturating_sub(live);
        if dead > live && dead > min_dead {
            let generation = self.generation + 1;
            let path = log_path(&self.dir, generation);
            let mut file =
                std::io::BufWriter::new(File::create(&path).with_context(|| format!("creating {}", path.display()))?);
            let mut offset = 0;
            let mut entries: Vec<(&String, &mut Entry)> = self.pages.iter_mut().collect();
            entries.sort_by_key(|(_, e)| e.offset);
            for (_, entry) in entries {
                let mut bytes = vec![0; usize::try_from(entry.len).unwrap_or(0)];
                self.log.read_exact_at(&mut bytes, entry.offset).context("reading the briefing cache")?;
                file.write_all(&bytes).with_context(|| format!("writing {}", path.display()))?;
                moved.push((entry.offset, entry.len, offset));
                entry.offset = offset;
                offset += entry.len;
            }
            file.flush().with_context(|| format!("writing {}", path.display()))?;
            self.generation = generation;
        }
        let index = Index {
            version: VERSION.to_owned(),
            key: self.key,
            generation: self.generation,
            briefs_dir: self.briefs_dir,
            pages: self.pages,
        };
        model::io::write_atomic(&self.dir.join(Index::NAME), &index.encode())?;
        // Logs of other generations and the one-file-per-page caches of earlier versions.
        let current = format!("pages-{}.log", self.generation);
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let stale = (name.starts_with("pages-") && name.ends_with(".log") && name != current)
                    || name.ends_with(".json");
                if stale {
                    std::fs::remove_file(entry.path())
                        .with_context(|| format!("removing stale {}", entry.path().display()))?;
                }
            }
        }
        Ok((index.generation, moved))
    }
}

#[cfg(test)]
mod tests {
    use summarize::briefing::ArticleRows;

    use super::{Cache, Entry};

    fn rows(district: &str) -> Vec<ArticleRows> {
        vec![ArticleRows { district: district.to_owned(), figure_count: 3, ..ArticleRows::default() }]
    }

    /// Records `pages` (id, input) in a run of the cache in `dir`, compacting past `min_dead`.
    fn run(dir: &std::path::Path, pages: &[(&str, &str)], min_dead: u64) {
        let mut cache = Cache::open(dir, "key").expect("open");
        for &(page, input) in pages {
            let entry = match cache.previous(page).filter(|e| e.input == input) {
                Some(entry) => entry.clone(),
                None => {
                    let (record, head) = Cache::record(page, input, &rows(input)).expect("record");
                    let (offset, len) = cache.append(&record).expect("append");
                    Entry { input: input.to_owned(), stamp: (0, 0, 0), briefs: Default::default(), offset, len, head }
                }
            };
            cache.keep(page.to_owned(), entry);
        }
        cache.finish_compacting_past(min_dead).expect("finish");
    }

    fn read_all(dir: &std::path::Path, pages: &[&str]) -> Vec<Option<String>> {
        let cache = Cache::open(dir, "key").expect("open");
        pages
            .iter()
            .map(|page| cache.previous(page).and_then(|e| cache.read(page, e)).map(|r| r[0].district.clone()))
            .collect()
    }

    fn log_files(dir: &std::path::Path) -> Vec<(String, u64)> {
        let mut logs: Vec<(String, u64)> = std::fs::read_dir(dir)
            .expect("list")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().expect("stat").len()))
            .collect();
        logs.sort();
        logs
    }

    #[test]
    fn rewritten_pages_leave_dead_bytes_until_the_log_is_compacted() {
        let dir = tempfile::tempdir().expect("tempdir");
        run(dir.path(), &[("a", "a1"), ("b", "b1"), ("c", "c1")], u64::MAX);
        let one = log_files(dir.path());
        run(dir.path(), &[("a", "a2"), ("b", "b1"), ("c", "c1")], u64::MAX);
        let two = log_files(dir.path());
        assert_eq!(two.len(), 1);
        assert!(two[0].1 > one[0].1, "appended: {one:?} {two:?}");
        assert_eq!(read_all(dir.path(), &["a", "b", "c"]), [Some("a2".into()), Some("b1".into()), Some("c1".into())]);
        // Most of the log dead: compacted into the next generation, live records only.
        run(dir.path(), &[("a", "a3")], 0);
        let three = log_files(dir.path());
        assert_eq!(three.len(), 1, "{three:?}");
        assert_ne!(three[0].0, two[0].0);
        let (record, _) = Cache::record("a", "a3", &rows("a3")).expect("record");
        assert_eq!(three[0].1, record.len() as u64);
        assert_eq!(read_all(dir.path(), &["a", "b"]), [Some("a3".into()), None]);
    }

    #[test]
    fn parts_read_back_as_written() {
        use summarize::briefing::{ArticleParts, EventPart, FigurePart, PersonPart, QuotePart};
        let parts = ArticleParts {
            article: "### 标题\n\n".into(),
            people: vec![PersonPart { name: "张三".into(), role: None, text: "- 张三\n".into() }],
            quotes: vec![QuotePart {
                speaker: Some("李四".into()),
                role: Some(String::new()),
                district: "- **李四**\n".into(),
                corpus: "- “好”\n".into(),
            }],
            events: vec![EventPart { key: (2024, 6, 18), text: "- **6月18日**\n".into() }],
            figures: vec![FigurePart { weight: 7, district: "| 3个 |\n".into(), corpus: "- **3个**\n".into() }],
        };
        let mut written = rows("甲区");
        written[0].parts = Some(parts);
        written.push(ArticleRows { district: "乙区".into(), ..ArticleRows::default() });
        let (record, head) = Cache::record("p", "h", &written).expect("record");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = Cache::open(dir.path(), "key").expect("open");
        let (offset, len) = cache.append(&record).expect("append");
        let entry = Entry { input: "h".into(), stamp: (0, 0, 0), briefs: Default::default(), offset, len, head };
        let read = cache.read("p", &entry).expect("reads back");
        assert_eq!(format!("{read:?}"), format!("{written:?}"));
        // Cut short anywhere, it is a miss.
        for cut in [1, 5, record.len() / 2, record.len() - 1] {
            let entry = Entry { len: cut as u64, ..entry.clone() };
            assert!(cache.read("p", &entry).is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn a_flipped_byte_anywhere_in_a_record_is_a_miss_never_other_rows() {
        use summarize::briefing::{ArticleParts, EventPart, FigurePart, PersonPart, QuotePart};
        let parts = ArticleParts {
            article: "### 新馆开馆\n\n".into(),
            people: vec![PersonPart {
                name: "王五".into(),
                role: Some("馆长".into()),
                text: "- 王五（馆长）\n".into(),
            }],
            quotes: vec![QuotePart {
                speaker: Some("王五".into()),
                role: None,
                district: "- **王五**：“欢迎”\n".into(),
                corpus: "- “欢迎”\n".into(),
            }],
            events: vec![EventPart { key: (2024, 5, 1), text: "- **5月1日** 开馆\n".into() }],
            figures: vec![FigurePart { weight: 3, district: "| 5万册 |\n".into(), corpus: "- 5万册\n".into() }],
        };
        let mut written = rows("丙区");
        written[0].parts = Some(parts);
        let (record, head) = Cache::record("p", "h", &written).expect("record");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = Cache::open(dir.path(), "key").expect("open");
        let (offset, len) = cache.append(&record).expect("append");
        let entry = Entry { input: "h".into(), stamp: (0, 0, 0), briefs: Default::default(), offset, len, head };
        let want = format!("{:?}", cache.read("p", &entry).expect("reads back"));
        let log = dir.path().join("pages-1.log");
        for at in 0..record.len() {
            let mut damaged = record.clone();
            damaged[at] ^= 0x20;
            std::fs::write(&log, &damaged).expect("damage the log");
            let read = cache.read("p", &entry).map(|rows| format!("{rows:?}"));
            assert!(read.is_none() || read.as_deref() == Some(want.as_str()), "byte {at}: {read:?}");
            assert!(read.is_none(), "byte {at} is covered by a hash");
            // The meta alone (what a rebuild reads of an unchanged page) is checked as well; a
            // byte of the body is found when the body is read.
            let meta = cache.read_meta("p", &entry);
            assert_eq!(meta.is_none(), (at as u64) < head, "byte {at}");
            if let Some(meta) = meta {
                assert!(!Cache::body_is(&meta, &damaged[head as usize..]), "byte {at}");
            }
        }
    }

    #[test]
    fn a_damaged_log_or_index_is_a_miss_not_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        run(dir.path(), &[("a", "a1"), ("b", "b1")], u64::MAX);
        let (log, len) = log_files(dir.path()).remove(0);
        std::fs::write(dir.path().join(&log), vec![b'x'; len as usize]).expect("damage the log");
        assert_eq!(read_all(dir.path(), &["a", "b"]), [None, None]);
        std::fs::write(dir.path().join("index.bin"), b"{not an index").expect("damage the index");
        assert_eq!(read_all(dir.path(), &["a"]), [None]);
        run(dir.path(), &[("a", "a1")], u64::MAX);
        assert_eq!(read_all(dir.path(), &["a"]), [Some("a1".into())]);
        // A record read back under another page's name is not that page's.
        let cache = Cache::open(dir.path(), "key").expect("open");
        let entry = cache.previous("a").expect("entry").clone();
        assert!(cache.read("b", &entry).is_none());
        // Another key starts over.
        assert!(Cache::open(dir.path(), "other").expect("open").previous("a").is_none());
    }
}
