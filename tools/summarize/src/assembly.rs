//! The assembled district profiles and corpus briefing, joined from rendered parts that are
//! borrowed, not copied: each part is a slice of the cached records the binary holds (or of
//! `ArticleParts`), and an output is its small rendered frame (`parts/district.md`,
//! `parts/corpus.md`) with the parts spliced in where the frame has a marker (`Output`), written
//! piece by piece. At 10,000 pages the parts are 170 MB; reading them back as owned strings and
//! joining them into strings that were cloned into template values was most of a rebuild.
//!
//! Parts are bytes: they were rendered as text by this crate and are written out unchanged, so
//! they are not validated again (what the frame shows of them, names and key figures, is).
//! Deliberately not done: user templates (an overridden `district.md` or `corpus.md` is rendered
//! whole from rows, `briefing::Corpus`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use minijinja::{Value, context};

use crate::briefing::{ArticleParts, Briefings, KEY_FIGURES_PER_DISTRICT, KEY_FIGURES_PER_PROFILE, KeyFigures};
use crate::briefing::{TemplateError, slug};

/// A hash for the short keys looked up once per part (names, roles, speakers): the default
/// SipHash, made to resist chosen keys, was a tenth of the assembly's time, and these keys are
/// the corpus's own. (The multiply-rotate step of rustc's `FxHasher`, over 8 bytes at a time.)
#[derive(Default, Clone, Copy)]
struct QuickHasher(u64);

impl Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u8(&mut self, byte: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, value: usize) {
        self.0 = (self.0.rotate_left(5) ^ value as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type QuickMap<K, V> = HashMap<K, V, BuildHasherDefault<QuickHasher>>;
type QuickSet<K> = HashSet<K, BuildHasherDefault<QuickHasher>>;

/// A name, role or speaker: bytes borrowed from where it was read.
type Part<'a> = &'a [u8];

/// A rendered part: its bytes here, or where the binary's log has them (`At`: offset and
/// length), which an output only points to (`Segment::At`): the binary copies them into the
/// file, from the last output that held them where it can, so a rebuild reads only the parts of
/// the pages that changed.
#[derive(Debug, Clone, Copy)]
pub enum Text<'a> {
    Here(&'a [u8]),
    At { offset: u64, len: u32 },
}

impl Text<'_> {
    pub fn len(&self) -> usize {
        match *self {
            Text::Here(bytes) => bytes.len(),
            Text::At { len, .. } => len as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A quote under its speaker: (speaker, role, line).
type CorpusQuote<'a> = (Option<Part<'a>>, Option<Part<'a>>, Text<'a>);

/// A key-figure candidate's lines (in its district's profile, in the corpus briefing): here, or
/// where the binary's log has them (`At`, its offset and the two lengths), read only for the
/// figures that are shown (`Assembly::figure_reads`, `Assembly::fetched`): most are not.
#[derive(Debug, Clone, Copy)]
pub enum Lines<'a> {
    Here(Part<'a>, Part<'a>),
    /// `hash`: what the binary checks the lines read against (`Assembly::figure_reads`).
    At {
        offset: u64,
        district: usize,
        corpus: usize,
        hash: u64,
    },
}

/// A dated event: (place in the timeline, line).
type EventLine<'a> = ((u32, u32, u32), Text<'a>);

/// One district's parts, in the order their articles came.
#[derive(Debug, Default)]
pub struct District<'a> {
    pub name: &'a str,
    pub slug: String,
    pub article_count: usize,
    pub figure_count: usize,
    articles: Vec<Text<'a>>,
    /// Each person once, by (name, role).
    people: Vec<Text<'a>>,
    known_people: QuickSet<(&'a [u8], Option<&'a [u8]>)>,
    quotes: Vec<Text<'a>>,
    /// (speaker, role, line under the speaker) of each quote, for the corpus briefing.
    corpus_quotes: Vec<CorpusQuote<'a>>,
    /// The key-figure candidates' lines.
    figures: KeyFigures<Lines<'a>>,
}

/// The parts of every article, gathered one article at a time in input order.
#[derive(Debug, Default)]
pub struct Assembly<'a> {
    pub page_count: usize,
    pub article_count: usize,
    districts: Vec<District<'a>>,
    by_name: QuickMap<&'a str, usize>,
    events: Vec<EventLine<'a>>,
    /// The lines of shown key figures that were `Lines::At`, by offset.
    fetched: QuickMap<u64, Vec<u8>>,
    /// The district of the last article (articles of one district tend to come together).
    last: Option<usize>,
}

/// The district an article's parts go to (`Assembly::article`).
#[derive(Debug, Clone, Copy)]
pub struct DistrictId(usize);

impl<'a> Assembly<'a> {
    /// Starts an article of `district` that prints `figure_count` figures (at least as many as
    /// its key-figure candidates) and whose entry in the profile is `entry`.
    pub fn article(&mut self, district: &'a str, figure_count: usize, entry: Option<Text<'a>>) -> DistrictId {
        self.article_count += 1;
        let last = self.last.filter(|&at| self.districts[at].name == district);
        let at = match last.or_else(|| self.by_name.get(district).copied()) {
            Some(at) => at,
            None => {
                self.by_name.insert(district, self.districts.len());
                self.districts.push(District { name: district, slug: slug(district), ..District::default() });
                self.districts.len() - 1
            }
        };
        self.last = Some(at);
        let d = &mut self.districts[at];
        d.figure_count += figure_count;
        if let Some(entry) = entry {
            d.article_count += 1;
            d.articles.push(entry);
        }
        DistrictId(at)
    }

    /// A person of the article (listed once per district by name and role).
    pub fn person(&mut self, d: DistrictId, name: &'a [u8], role: Option<&'a [u8]>, line: Text<'a>) {
        let d = &mut self.districts[d.0];
        if d.known_people.insert((name, role)) {
            d.people.push(line);
        }
    }

    /// A quote of the article: its line in the profile and under its speaker.
    pub fn quote(
        &mut self,
        d: DistrictId,
        speaker: Option<&'a [u8]>,
        role: Option<&'a [u8]>,
        district_line: Text<'a>,
        corpus_line: Text<'a>,
    ) {
        let d = &mut self.districts[d.0];
        d.quotes.push(district_line);
        d.corpus_quotes.push((speaker, role, corpus_line));
    }

    /// A dated event of the article at `key` in the timeline.
    pub fn event(&mut self, key: (u32, u32, u32), line: Text<'a>) {
        self.events.push((key, line));
    }

    /// A key-figure candidate of the article, of weight `weight`.
    pub fn figure(&mut self, d: DistrictId, weight: usize, lines: Lines<'a>) {
        self.districts[d.0].figures.add_weighted(weight, lines);
    }

    /// Where the lines of the key figures shown are, that are not here: (offset, length, hash)
    /// of the best of every district, as many as its profile shows when `profile` says it is
    /// rendered, else as many as the corpus briefing shows.
    pub fn figure_reads(&self, profile: impl Fn(&District<'a>) -> bool) -> Vec<(u64, usize, u64)> {
        let mut reads = Vec::new();
        for d in &self.districts {
            let limit = if profile(d) { KEY_FIGURES_PER_PROFILE } else { KEY_FIGURES_PER_DISTRICT };
            for lines in d.figures.best(limit) {
                if let Lines::At { offset, district, corpus, hash } = lines {
                    reads.push((offset, district + corpus, hash));
                }
            }
        }
        reads
    }

    /// The bytes read at `offset` for `figure_reads`.
    pub fn fetched(&mut self, offset: u64, bytes: Vec<u8>) {
        self.fetched.insert(offset, bytes);
    }

    /// A key figure's (profile, corpus) lines; empty when they were to be fetched and were not.
    fn lines<'s>(&'s self, lines: &Lines<'s>) -> (&'s [u8], &'s [u8]) {
        match *lines {
            Lines::Here(district, corpus) => (district, corpus),
            Lines::At { offset, district, .. } => {
                let bytes = self.fetched.get(&offset).map_or(&[][..], Vec::as_slice);
                bytes.split_at(district.min(bytes.len()))
            }
        }
    }

    /// Adds an article's rendered parts (`Briefings::render_parts`).
    pub fn add_parts(&mut self, district: &'a str, figure_count: usize, parts: &'a ArticleParts) {
        let here = |text: &'a String| Text::Here(text.as_bytes());
        let d = self.article(district, figure_count.max(parts.figures.len()), Some(here(&parts.article)));
        for p in &parts.people {
            self.person(d, p.name.as_bytes(), p.role.as_deref().map(str::as_bytes), here(&p.text));
        }
        for q in &parts.quotes {
            let (speaker, role) = (q.speaker.as_deref().map(str::as_bytes), q.role.as_deref().map(str::as_bytes));
            self.quote(d, speaker, role, here(&q.district), here(&q.corpus));
        }
        for e in &parts.events {
            self.event(e.key, here(&e.text));
        }
        for f in &parts.figures {
            self.figure(d, f.weight, Lines::Here(f.district.as_bytes(), f.corpus.as_bytes()));
        }
    }

    /// The districts in name order (the order of the corpus briefing and of `Corpus`).
    pub fn districts(&self) -> Vec<&District<'a>> {
        let mut districts: Vec<&District<'a>> = self.districts.iter().collect();
        districts.sort_by_key(|d| d.name);
        districts
    }
}

/// A rendered file: its frame's text and the parts spliced into it, in order.
#[derive(Debug, Default)]
pub struct Output<'a> {
    frame: String,
    /// Ranges of `frame` and parts, in order.
    pieces: Vec<Piece<'a>>,
}

#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    Frame(usize, usize),
    Part(Text<'a>),
}

/// A piece of an output: bytes (of the frame, or a part that is here), or a part where the
/// binary's log has it.
#[derive(Debug, Clone, Copy)]
pub enum Segment<'s> {
    Bytes(&'s [u8]),
    At { offset: u64, len: u32 },
}

impl Output<'_> {
    /// The file, piece by piece.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> {
        self.pieces.iter().map(|piece| match *piece {
            Piece::Frame(start, end) => Segment::Bytes(&self.frame.as_bytes()[start..end]),
            Piece::Part(Text::Here(bytes)) => Segment::Bytes(bytes),
            Piece::Part(Text::At { offset, len }) => Segment::At { offset, len },
        })
    }

    /// The file's length in bytes.
    pub fn len(&self) -> usize {
        self.segments()
            .map(|s| match s {
                Segment::Bytes(bytes) => bytes.len(),
                Segment::At { len, .. } => len as usize,
            })
            .sum()
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole file, its parts that are not here read by `read` (offset, length).
    pub fn to_vec_with(&self, read: &mut dyn FnMut(u64, u32) -> Vec<u8>) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for segment in self.segments() {
            match segment {
                Segment::Bytes(bytes) => out.extend_from_slice(bytes),
                Segment::At { offset, len } => out.extend_from_slice(&read(offset, len)),
            }
        }
        out
    }

    /// The whole file, when all its parts are here (tests).
    pub fn to_vec(&self) -> Vec<u8> {
        self.to_vec_with(&mut |_, _| Vec::new())
    }
}

/// Private-use characters around a slot's number in a frame: where its parts go.
const OPEN: char = '\u{F0000}';
const CLOSE: char = '\u{F0001}';

/// The slots of a frame being rendered: each a list of parts, shown in the frame as a marker
/// (or as an empty string when it has no bytes, so the frame's `{% if %}` sees it as empty).
#[derive(Default)]
struct Slots<'a> {
    parts: Vec<Vec<Text<'a>>>,
}

impl<'a> Slots<'a> {
    fn slot(&mut self, parts: Vec<Text<'a>>) -> Value {
        if parts.iter().all(|p| p.is_empty()) {
            return Value::from_safe_string(String::new());
        }
        self.parts.push(parts);
        Value::from_safe_string(format!("{OPEN}{}{CLOSE}", self.parts.len() - 1))
    }

    /// The frame with every slot's parts where its marker is; `None` when the markers are not
    /// each found once (a name in the frame that held a marker character).
    fn splice(self, frame: String) -> Option<Output<'a>> {
        let mut pieces = Vec::new();
        let mut used = vec![false; self.parts.len()];
        let mut start = 0;
        let mut rest = 0;
        while let Some(at) = frame[rest..].find(OPEN).map(|i| i + rest) {
            let digits = at + OPEN.len_utf8();
            let close = frame[digits..].find(CLOSE)? + digits;
            let slot: usize = frame[digits..close].parse().ok()?;
            if std::mem::replace(used.get_mut(slot)?, true) {
                return None;
            }
            pieces.push(Piece::Frame(start, at));
            pieces.extend(self.parts[slot].iter().map(|&p| Piece::Part(p)));
            start = close + CLOSE.len_utf8();
            rest = start;
        }
        if !used.iter().all(|&u| u) {
            return None;
        }
        pieces.push(Piece::Frame(start, frame.len()));
        Some(Output { frame, pieces })
    }
}

fn joined(parts: &[&[u8]]) -> String {
    String::from_utf8_lossy(&parts.concat()).into_owned()
}

/// Parts joined, those not here read by `read` (offset, length).
fn joined_texts(parts: &[Text<'_>], read: &mut dyn FnMut(u64, u32) -> Vec<u8>) -> String {
    let mut bytes = Vec::new();
    for part in parts {
        match *part {
            Text::Here(here) => bytes.extend_from_slice(here),
            Text::At { offset, len } => bytes.extend_from_slice(&read(offset, len)),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

impl Briefings {
    /// A district's profile (`parts/district.md`), assembled from its parts. `read` reads the
    /// parts that are not here (offset, length), which only a frame whose names hold a marker
    /// character needs (it is then rendered whole).
    pub fn assembled_profile<'a>(
        &self,
        assembly: &Assembly<'a>,
        d: &District<'a>,
        read: &mut dyn FnMut(u64, u32) -> Vec<u8>,
    ) -> Result<Output<'a>, TemplateError> {
        let best = d.figures.best(KEY_FIGURES_PER_PROFILE);
        let key_figures: Vec<&[u8]> = best.iter().map(|f| assembly.lines(f).0).collect();
        let mut render = |slots: &mut Slots<'a>, whole: bool| {
            let mut slot = |parts: &[Text<'a>]| {
                if whole { Value::from_safe_string(joined_texts(parts, read)) } else { slots.slot(parts.to_vec()) }
            };
            let district = context! {
                name => d.name,
                slug => &d.slug,
                article_count => d.article_count,
                articles => slot(&d.articles),
                figure_count => d.figure_count,
                people_count => d.people.len(),
                people => slot(&d.people),
                quote_count => d.quotes.len(),
                quotes => slot(&d.quotes),
            };
            let key_figures = Value::from_safe_string(joined(&key_figures));
            self.render("parts/district.md", context! { district, key_figures })
        };
        let mut slots = Slots::default();
        let frame = render(&mut slots, false)?;
        match slots.splice(frame) {
            Some(output) => Ok(output),
            None => Ok(Output::whole(render(&mut Slots::default(), true)?)),
        }
    }

    /// The corpus briefing (`parts/corpus.md`), assembled from every district's parts; `read`
    /// as for `assembled_profile`.
    pub fn assembled_corpus<'a>(
        &self,
        assembly: &Assembly<'a>,
        read: &mut dyn FnMut(u64, u32) -> Vec<u8>,
    ) -> Result<Output<'a>, TemplateError> {
        let districts = assembly.districts();
        let mut events: Vec<EventLine<'a>> = assembly.events.clone();
        events.sort_by_key(|e| e.0);
        let events: Vec<Text<'a>> = events.into_iter().map(|e| e.1).collect();
        // Speakers in order of first appearance, districts in name order.
        let mut speakers: Vec<(Part<'a>, Option<Part<'a>>, Vec<Text<'a>>)> = Vec::new();
        let mut index: QuickMap<&[u8], usize> = QuickMap::default();
        for &(speaker, role, line) in districts.iter().flat_map(|d| &d.corpus_quotes) {
            let Some(name) = speaker else { continue };
            match index.get(name) {
                Some(&at) => speakers[at].2.push(line),
                None => {
                    index.insert(name, speakers.len());
                    speakers.push((name, role, vec![line]));
                }
            }
        }
        let mut render = |slots: &mut Slots<'a>, whole: bool| {
            let mut slot = |parts: &[Text<'a>]| {
                if whole { Value::from_safe_string(joined_texts(parts, read)) } else { slots.slot(parts.to_vec()) }
            };
            let district_values: Vec<Value> = districts
                .iter()
                .map(|d| {
                    let best = d.figures.best(KEY_FIGURES_PER_DISTRICT);
                    let lines: Vec<&[u8]> = best.iter().map(|f| assembly.lines(f).1).collect();
                    context! {
                        name => d.name,
                        slug => &d.slug,
                        article_count => d.article_count,
                        figure_count => d.figure_count,
                        key_figures => Value::from_safe_string(joined(&lines)),
                    }
                })
                .collect();
            let speaker_values: Vec<Value> = speakers
                .iter()
                .map(|(speaker, role, lines)| {
                    context! { speaker => text(speaker), role => role.map(text), quotes => slot(lines) }
                })
                .collect();
            let events = slot(&events);
            self.render(
                "parts/corpus.md",
                context! {
                    page_count => assembly.page_count,
                    article_count => assembly.article_count,
                    districts => district_values,
                    speakers => speaker_values,
                    events,
                },
            )
        };
        let mut slots = Slots::default();
        let frame = render(&mut slots, false)?;
        match slots.splice(frame) {
            Some(output) => Ok(output),
            None => Ok(Output::whole(render(&mut Slots::default(), true)?)),
        }
    }
}

impl Output<'_> {
    fn whole(text: String) -> Self {
        let pieces = vec![Piece::Frame(0, text.len())];
        Output { frame: text, pieces }
    }
}

#[cfg(test)]
mod tests {
    use super::{Slots, Value};

    #[test]
    fn parts_go_where_their_markers_are_and_a_stray_marker_is_refused() {
        let mut slots = Slots::default();
        let t = |bytes: &'static [u8]| super::Text::Here(bytes);
        let a = slots.slot(vec![t(b"A1"), t(b"A2")]);
        let empty = slots.slot(vec![t(b"")]);
        let b = slots.slot(vec![t(b"B")]);
        assert_eq!(empty.as_str(), Some(""));
        let frame = format!("x{a}y{empty}z{b}w");
        let output = slots.splice(frame).expect("every marker once");
        assert_eq!(String::from_utf8(output.to_vec()).expect("utf-8"), "xA1A2yzBw");
        assert_eq!(output.len(), 9);

        let mut slots = Slots::default();
        let a = slots.slot(vec![t(b"A")]);
        assert!(slots.splice(format!("{a}{a}")).is_none(), "twice");
        let mut slots = Slots::default();
        let _ = slots.slot(vec![t(b"A")]);
        assert!(slots.splice("no marker".into()).is_none(), "missing");
        let mut slots = Slots::default();
        let a: Value = slots.slot(vec![t(b"A")]);
        assert!(slots.splice(format!("{a}\u{F0000}9\u{F0001}")).is_none(), "unknown");
    }
}
