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
//! back as the page it should be is a cache miss, never an error: the page is rendered again.
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
const VERSION: &str = "briefing-cache-6";

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
    pub briefs: Vec<String>,
    /// Where its record is in the log, and the length of the record's head (before the lines of
    /// its key-figure candidates, which are read only for the figures shown).
    pub offset: u64,
    pub len: u64,
    pub head: u64,
}

/// A page's record in the log, checked against the page and input it should be when read back.
/// All length-prefixed binary (`codec`), so that its rendered parts can be borrowed where they
/// lie (`feed`) rather than parsed: the page id and input hash; the rows as JSON when they are
/// needed whole (an overridden `district.md` or `corpus.md`; else empty); then per row its
/// district, figure count (at least its key-figure candidates) and rendered parts.
/// The records' length-prefixed binary form: counts and lengths as little-endian `u32`, an
/// absent string as length `u32::MAX`.
mod codec {
    use summarize::assembly::{Assembly, Lines};
    use summarize::briefing::{ArticleParts, EventPart, FigurePart, PersonPart, QuotePart};

    const NONE: u32 = u32::MAX;

    /// What was written, and the key-figure lines, which go after it (`feed` does not read them).
    #[derive(Default)]
    pub struct Writer(pub Vec<u8>, pub Vec<u8>);

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

        pub fn parts(&mut self, parts: Option<&ArticleParts>) {
            let Some(parts) = parts else {
                self.0.push(0);
                return;
            };
            self.0.push(1);
            self.str(&parts.article);
            self.u32(parts.people.len());
            for p in &parts.people {
                self.str(&p.name);
                self.opt(p.role.as_deref());
                self.str(&p.text);
            }
            self.u32(parts.quotes.len());
            for q in &parts.quotes {
                self.opt(q.speaker.as_deref());
                self.opt(q.role.as_deref());
                self.str(&q.district);
                // The two lines of a quote end alike (its text and headline): the end is kept once.
                let (district, corpus) = (q.district.as_bytes(), q.corpus.as_bytes());
                let shared = district.iter().rev().zip(corpus.iter().rev()).take_while(|(a, b)| a == b).count();
                self.u32(corpus.len() - shared);
                self.0.extend_from_slice(&corpus[..corpus.len() - shared]);
                self.u32(shared);
            }
            self.u32(parts.events.len());
            for e in &parts.events {
                let (year, month, day) = e.key;
                for k in [year, month, day] {
                    self.0.extend_from_slice(&k.to_le_bytes());
                }
                self.str(&e.text);
            }
            self.u32(parts.figures.len());
            for f in &parts.figures {
                self.u32(f.weight);
                self.u32(f.district.len());
                self.u32(f.corpus.len());
                self.1.extend_from_slice(f.district.as_bytes());
                self.1.extend_from_slice(f.corpus.as_bytes());
            }
        }
    }

    /// Reads what `Writer` wrote; `None` at anything it did not write. `lines` is where the
    /// key-figure lines start in the log (`feed`) and `tail` those lines when they are read too
    /// (owned `parts`).
    #[derive(Default)]
    pub struct Reader<'a> {
        pub bytes: &'a [u8],
        pub lines: u64,
        pub tail: &'a [u8],
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
        /// A string's bytes, not checked to be UTF-8 (a part, written out as it is).
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
        fn opt(&mut self) -> Option<Option<String>> {
            match self.opt_bytes()? {
                None => Some(None),
                Some(bytes) => Some(Some(String::from_utf8(bytes.to_vec()).ok()?)),
            }
        }

        /// Reads one row's parts (as `parts` wrote them) into `assembly` as an article of
        /// `district` with `figure_count` figures, or only walks over them when there is none.
        pub fn feed(
            &mut self,
            mut assembly: Option<&mut Assembly<'a>>,
            district: &'a str,
            figure_count: usize,
        ) -> Option<()> {
            let has_parts = match self.take(1)? {
                [0] => false,
                [1] => true,
                _ => return None,
            };
            let entry = if has_parts { Some(self.bytes()?) } else { None };
            let d = assembly.as_deref_mut().map(|a| a.article(district, figure_count, entry));
            if !has_parts {
                return Some(());
            }
            for _ in 0..self.count()? {
                let (name, role, line) = (self.bytes()?, self.opt_bytes()?, self.bytes()?);
                if let (Some(a), Some(d)) = (assembly.as_deref_mut(), d) {
                    a.person(d, name, role, line);
                }
            }
            for _ in 0..self.count()? {
                let (speaker, role) = (self.opt_bytes()?, self.opt_bytes()?);
                let district_line = self.bytes()?;
                let corpus_line = self.quote_line(district_line)?;
                if let (Some(a), Some(d)) = (assembly.as_deref_mut(), d) {
                    a.quote(d, speaker, role, district_line, corpus_line);
                }
            }
            for _ in 0..self.count()? {
                let key = (self.raw_u32()?, self.raw_u32()?, self.raw_u32()?);
                let line = self.bytes()?;
                if let Some(a) = assembly.as_deref_mut() {
                    a.event(key, line);
                }
            }
            for _ in 0..self.count()? {
                let weight = self.raw_u32()? as usize;
                let (district, corpus) = (self.raw_u32()? as usize, self.raw_u32()? as usize);
                let offset = self.lines;
                self.lines += (district + corpus) as u64;
                if let (Some(a), Some(d)) = (assembly.as_deref_mut(), d) {
                    a.figure(d, weight, Lines::At { offset, district, corpus });
                }
            }
            Some(())
        }

        /// A quote's line under its speaker, as `parts` wrote it after its `district_line`.
        fn quote_line(&mut self, district_line: &'a [u8]) -> Option<[&'a [u8]; 2]> {
            let own_len = self.raw_u32()? as usize;
            let own = self.take(own_len)?;
            let shared = self.raw_u32()? as usize;
            Some([own, district_line.get(district_line.len().checked_sub(shared)?..)?])
        }

        /// `n` bytes of the key-figure lines as a string.
        fn line(&mut self, n: usize) -> Option<String> {
            let tail: &'a [u8] = self.tail;
            let (line, rest) = (tail.get(..n)?, tail.get(n..)?);
            self.tail = rest;
            String::from_utf8(line.to_vec()).ok()
        }

        pub fn parts(&mut self) -> Option<Option<ArticleParts>> {
            match self.take(1)? {
                [0] => return Some(None),
                [1] => {}
                _ => return None,
            }
            let mut parts = ArticleParts { article: self.string()?, ..ArticleParts::default() };
            for _ in 0..self.count()? {
                parts.people.push(PersonPart { name: self.string()?, role: self.opt()?, text: self.string()? });
            }
            for _ in 0..self.count()? {
                let (speaker, role, district) = (self.opt()?, self.opt()?, self.bytes()?);
                let corpus = String::from_utf8(self.quote_line(district)?.concat()).ok()?;
                let district = String::from_utf8(district.to_vec()).ok()?;
                parts.quotes.push(QuotePart { speaker, role, district, corpus });
            }
            for _ in 0..self.count()? {
                let key = (self.raw_u32()?, self.raw_u32()?, self.raw_u32()?);
                parts.events.push(EventPart { key, text: self.string()? });
            }
            for _ in 0..self.count()? {
                let weight = self.raw_u32()? as usize;
                let (district, corpus) = (self.raw_u32()? as usize, self.raw_u32()? as usize);
                parts.figures.push(FigurePart { weight, district: self.line(district)?, corpus: self.line(corpus)? });
            }
            Some(Some(parts))
        }
    }
}

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
            for brief in &e.briefs {
                w.str(brief);
            }
            w.u64(e.offset);
            w.u64(e.len);
            w.u64(e.head);
        }
        w.0
    }

    fn decode(bytes: &[u8]) -> Option<Index> {
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
            let briefs = (0..r.count()?).map(|_| r.string()).collect::<Option<Vec<String>>>()?;
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
        })
    }

    /// The stamp of the briefs' folder as the last run left it, if it had no failed page.
    pub fn previous_briefs_dir(&self) -> Option<Stamp> {
        self.previous_briefs_dir
    }

    /// Every brief the last run's entries name.
    pub fn previous_briefs(&self) -> impl Iterator<Item = &String> {
        self.previous.values().flat_map(|e| &e.briefs)
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

    /// The bytes of `page`'s record at `entry`, `None` when they do not read back as that page's
    /// (a miss: the caller renders the page again). Its parts are only walked over, for `feed`.
    pub fn read_record(&self, page: &str, entry: &Entry) -> Option<Vec<u8>> {
        let mut bytes = vec![0; usize::try_from(entry.head).ok()?];
        self.log.read_exact_at(&mut bytes, entry.offset).ok()?;
        let mut reader = Self::open_record(&bytes, page, &entry.input)?;
        let _json = reader.bytes()?;
        for _ in 0..reader.count()? {
            let (district, figure_count) = (reader.str()?, reader.number()?);
            reader.feed(None, district, figure_count)?;
        }
        // The key-figure lines are the rest of the record.
        (reader.bytes.is_empty() && reader.lines == entry.len.checked_sub(entry.head)?).then_some(bytes)
    }

    /// A reader past the page and input of `record`, when they are `page` and `input`.
    fn open_record<'a>(record: &'a [u8], page: &str, input: &str) -> Option<codec::Reader<'a>> {
        let mut reader = codec::Reader { bytes: record, ..codec::Reader::default() };
        (reader.str()? == page && reader.str()? == input).then_some(reader)
    }

    /// Adds the rows of a record's head (what `read_record` read, or the first `head` bytes of
    /// what `record` made) to `assembly`, calling `row` with each row's district; its key-figure
    /// lines are at `lines` in the log. `None` when it is not a record's head (it was checked as
    /// it was read or made).
    pub fn feed<'a>(
        head: &'a [u8],
        lines: u64,
        assembly: &mut Assembly<'a>,
        mut row: impl FnMut(&'a str),
    ) -> Option<()> {
        let mut reader = codec::Reader { bytes: head, lines, ..codec::Reader::default() };
        let (_page, _input, _json) = (reader.bytes()?, reader.bytes()?, reader.bytes()?);
        for _ in 0..reader.count()? {
            let (district, figure_count) = (reader.str()?, reader.number()?);
            row(district);
            reader.feed(Some(&mut *assembly), district, figure_count)?;
        }
        Some(())
    }

    /// `len` bytes of the log at `offset` (key-figure lines `feed` pointed to).
    pub fn read_at(&self, offset: u64, len: usize) -> anyhow::Result<Vec<u8>> {
        let mut bytes = vec![0; len];
        self.log.read_exact_at(&mut bytes, offset).context("reading the briefing cache's log")?;
        Ok(bytes)
    }

    /// The rows of `page` recorded at `entry`, owned (what an overridden `district.md` or
    /// `corpus.md` is rendered from), `None` when the record does not read back as that page's.
    pub fn read(&self, page: &str, entry: &Entry) -> Option<Vec<ArticleRows>> {
        self.read_record(page, entry)?;
        let mut bytes = vec![0; usize::try_from(entry.len).ok()?];
        self.log.read_exact_at(&mut bytes, entry.offset).ok()?;
        let (head, tail) = bytes.split_at(usize::try_from(entry.head).ok()?);
        let mut reader = Self::open_record(head, page, &entry.input)?;
        reader.tail = tail;
        let json = reader.bytes()?;
        let mut rows: Vec<ArticleRows> = Vec::new();
        let count = reader.count()?;
        for _ in 0..count {
            let (district, figure_count) = (reader.string()?, reader.number()?);
            let parts = reader.parts()?;
            rows.push(ArticleRows { district, figure_count, parts, ..ArticleRows::default() });
        }
        if !json.is_empty() {
            let whole: Vec<ArticleRows> = serde_json::from_slice(json).ok()?;
            (whole.len() == count).then_some(())?;
            for (row, whole) in rows.iter_mut().zip(whole) {
                *row = ArticleRows { parts: row.parts.take(), ..whole };
            }
        }
        Some(rows)
    }

    /// The record of `page`'s rows, to `append` (made on any thread), and the length of its
    /// head (all but the key-figure lines, `Entry::head`).
    pub fn record(page: &str, input: &str, rows: &[ArticleRows]) -> anyhow::Result<(Vec<u8>, u64)> {
        let mut writer = codec::Writer::default();
        writer.str(page);
        writer.str(input);
        // Rows that are not all in their parts are needed whole.
        if rows.iter().any(|r| r.parts.is_none()) {
            let json = serde_json::to_string(rows).context("serializing the briefing cache")?;
            writer.str(&json);
        } else {
            writer.str("");
        }
        writer.u32(rows.len());
        for row in rows {
            writer.str(&row.district);
            let candidates = row.figures.len() + row.parts.as_ref().map_or(0, |p| p.figures.len());
            writer.u32(row.figure_count.max(candidates));
            writer.parts(row.parts.as_ref());
        }
        let head = writer.0.len() as u64;
        let mut bytes = writer.0;
        bytes.extend_from_slice(&writer.1);
        Ok((bytes, head))
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
        self.pages.values().flat_map(|e| &e.briefs)
    }

    /// Keeps `entry` for `page` in this run's index.
    pub fn keep(&mut self, page: String, entry: Entry) {
        self.pages.insert(page, entry);
    }

    /// Writes this run's index (after copying the live records into a new log when most of the
    /// log is dead) and removes the logs it no longer names.
    pub fn finish(self) -> anyhow::Result<()> {
        self.finish_compacting_past(COMPACT_PAST)
    }

    /// `finish`, compacting once more than `min_dead` bytes and more than half the log are dead.
    fn finish_compacting_past(mut self, min_dead: u64) -> anyhow::Result<()> {
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
        Ok(())
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
                    Entry { input: input.to_owned(), stamp: (0, 0, 0), briefs: Vec::new(), offset, len, head }
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
        let entry = Entry { input: "h".into(), stamp: (0, 0, 0), briefs: Vec::new(), offset, len, head };
        let read = cache.read("p", &entry).expect("reads back");
        assert_eq!(format!("{read:?}"), format!("{written:?}"));
        // Cut short anywhere, it is a miss.
        for cut in [1, 5, record.len() / 2, record.len() - 1] {
            let entry = Entry { len: cut as u64, ..entry.clone() };
            assert!(cache.read("p", &entry).is_none(), "cut at {cut}");
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
