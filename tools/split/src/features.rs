//! The features the line labeller sees: what a line looks like on its own (length, how it
//! starts and ends, patterns and lexicon hits) and in its context (the same measures of its
//! neighbours, blank lines around it, its place on the page, its length against the page's
//! typical line).
//!
//! This is the one place features are defined: training (`labeller::train`) and decoding
//! (`labeller::Model::decode`) both call `page_features`. A feature is a short string
//! (`len=13-16`, `-1:end=。`); the model file lists the weight of each feature for each label.
//! No feature names a word from a particular page or paper: patterns and lexicons are generic
//! (datelines, bylines, credits, furniture words, phone numbers, URLs, dates).

use crate::lexicon::Lexicon;
use crate::lines::{
    self, Line, is_closer, is_headingish, is_numbered, is_section_heading_shape, leading_byline, parse_byline,
    split_caption_credit, trailing_byline,
};

/// The features of one line, each a short string, in a fixed order.
pub type LineFeatures = Vec<String>;

/// What a line looks like by itself, in a few coarse measures reused for its neighbours.
#[derive(Debug, Clone)]
struct Shape {
    len: &'static str,
    rel: &'static str,
    end: &'static str,
    start: &'static str,
    gap: &'static str,
    indent: bool,
    /// Pattern and lexicon hits.
    hits: Hits,
}

/// A pattern or lexicon hit of a line. The order is the order its features are sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Hit {
    Md,
    Bold,
    FurnitureWord,
    Credit,
    CaptionCredit,
    Byline,
    TrailingByline,
    LeadingByline,
    Dateline,
    CaptionStart,
    HasTuwei,
    CreditEnd,
    Phone,
    Url,
    Date,
    Weekday,
    PageRef,
    Numbered,
    Headingish,
    HeadingShape,
    Column,
    Banner,
    TagEnd,
    InnerDash,
    ColonInside,
    CommaInside,
    Marks0,
    Marks1,
    Marks2,
    InnerSpace,
    QuotesOpen,
    Digits,
}

impl Hit {
    const ALL: [Hit; 32] = [
        Hit::Md,
        Hit::Bold,
        Hit::FurnitureWord,
        Hit::Credit,
        Hit::CaptionCredit,
        Hit::Byline,
        Hit::TrailingByline,
        Hit::LeadingByline,
        Hit::Dateline,
        Hit::CaptionStart,
        Hit::HasTuwei,
        Hit::CreditEnd,
        Hit::Phone,
        Hit::Url,
        Hit::Date,
        Hit::Weekday,
        Hit::PageRef,
        Hit::Numbered,
        Hit::Headingish,
        Hit::HeadingShape,
        Hit::Column,
        Hit::Banner,
        Hit::TagEnd,
        Hit::InnerDash,
        Hit::ColonInside,
        Hit::CommaInside,
        Hit::Marks0,
        Hit::Marks1,
        Hit::Marks2,
        Hit::InnerSpace,
        Hit::QuotesOpen,
        Hit::Digits,
    ];

    /// The hit's feature name.
    fn name(self) -> &'static str {
        match self {
            Hit::Md => "md",
            Hit::Bold => "bold",
            Hit::FurnitureWord => "furniture-word",
            Hit::Credit => "credit",
            Hit::CaptionCredit => "caption-credit",
            Hit::Byline => "byline",
            Hit::TrailingByline => "trailing-byline",
            Hit::LeadingByline => "leading-byline",
            Hit::Dateline => "dateline",
            Hit::CaptionStart => "caption-start",
            Hit::HasTuwei => "has-tuwei",
            Hit::CreditEnd => "credit-end",
            Hit::Phone => "phone",
            Hit::Url => "url",
            Hit::Date => "date",
            Hit::Weekday => "weekday",
            Hit::PageRef => "page-ref",
            Hit::Numbered => "numbered",
            Hit::Headingish => "headingish",
            Hit::HeadingShape => "heading-shape",
            Hit::Column => "column",
            Hit::Banner => "banner",
            Hit::TagEnd => "tag-end",
            Hit::InnerDash => "inner-dash",
            Hit::ColonInside => "colon-inside",
            Hit::CommaInside => "comma-inside",
            Hit::Marks0 => "marks=0",
            Hit::Marks1 => "marks=1",
            Hit::Marks2 => "marks=2+",
            Hit::InnerSpace => "inner-space",
            Hit::QuotesOpen => "quotes-open",
            Hit::Digits => "digits",
        }
    }
}

/// A line's hits, as a set (bit `Hit as u8`); iterated in `Hit` order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Hits(u64);

// Every hit has its bit.
const _: () = assert!(Hit::ALL.len() <= 64);

impl Hits {
    fn push(&mut self, hit: Hit) {
        self.0 |= 1 << hit as u8;
    }

    fn contains(self, hit: Hit) -> bool {
        self.0 & (1 << hit as u8) != 0
    }

    fn any(self, of: &[Hit]) -> bool {
        of.iter().any(|h| self.contains(*h))
    }

    /// The hits' feature names, in `Hit` order.
    fn names(self) -> impl Iterator<Item = &'static str> {
        Hit::ALL.into_iter().filter(move |h| self.contains(*h)).map(Hit::name)
    }

    /// The names of those hits that are among `of`, in `Hit` order.
    fn names_among(self, of: &'static [Hit]) -> impl Iterator<Item = &'static str> {
        Hit::ALL.into_iter().filter(move |h| self.contains(*h) && of.contains(h)).map(Hit::name)
    }
}

/// Coarse length buckets (characters without whitespace).
fn len_bucket(len: usize) -> &'static str {
    match len {
        0..=4 => "1-4",
        5..=8 => "5-8",
        9..=12 => "9-12",
        13..=16 => "13-16",
        17..=20 => "17-20",
        21..=25 => "21-25",
        26..=30 => "26-30",
        31..=40 => "31-40",
        41..=60 => "41-60",
        61..=120 => "61-120",
        _ => "121+",
    }
}

/// A line's length against the page's median line length.
fn rel_bucket(len: usize, median: usize) -> &'static str {
    let median = median.max(1);
    let ratio = len as f64 / median as f64;
    if ratio < 0.35 {
        "lt.35"
    } else if ratio < 0.6 {
        "lt.6"
    } else if ratio < 0.85 {
        "lt.85"
    } else if ratio < 1.15 {
        "about1"
    } else if ratio < 2.0 {
        "lt2"
    } else {
        "ge2"
    }
}

/// How the text ends, closing quotes and brackets looked through once.
fn end_class(text: &str) -> &'static str {
    let mut chars = text.trim_end().chars().rev();
    let Some(last) = chars.next() else { return "none" };
    let through = if is_closer(last) { chars.next() } else { Some(last) };
    let class = |c: char| match c {
        '。' | '.' => "period",
        '！' | '!' => "bang",
        '？' | '?' => "question",
        '；' | ';' => "semicolon",
        '，' | ',' => "comma",
        '、' => "enum",
        '：' | ':' => "colon",
        '…' => "ellipsis",
        '—' | '-' => "dash",
        c if c.is_ascii_digit() => "digit",
        c if c.is_ascii_alphabetic() => "latin",
        c if crate::lexicon::is_han(c) => "han",
        _ => "other",
    };
    match (is_closer(last), through) {
        (true, Some(c)) => match class(c) {
            "period" => "closer-period",
            "bang" | "question" => "closer-mark",
            _ => "closer",
        },
        (true, None) => "closer",
        (false, Some(c)) => class(c),
        (false, None) => "none",
    }
}

/// How the text starts.
fn start_class(text: &str) -> &'static str {
    let text = text.trim_start();
    if text.starts_with("——") || text.starts_with("--") {
        return "dash";
    }
    let Some(first) = text.chars().next() else { return "none" };
    match first {
        '（' | '(' => "paren",
        '“' | '"' | '「' | '『' => "quote",
        '《' => "title",
        '【' | '[' | '〔' => "square",
        '■' | '●' | '◆' | '▲' | '□' | '○' | '◎' | '★' | '☆' | '▶' | '►' | '·' | '•' => {
            "bullet"
        }
        c if c.is_ascii_digit() => "digit",
        c if c.is_ascii_alphabetic() => "latin",
        c if crate::lexicon::is_han(c) => "han",
        _ => "other",
    }
}

fn count_digits_run(text: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            best = best.max(run);
        } else if c != '-' && c != ' ' {
            run = 0;
        }
    }
    best
}

/// `2023年9月1日`, `2023-09-01`: a calendar date anywhere in the text.
pub(crate) fn has_date(text: &str) -> bool {
    // Four digits and a year mark or separator, within the first `SHORT_LIMIT` characters.
    let mut digits = 0;
    for c in text.chars().take(lines::SHORT_LIMIT) {
        if c.is_ascii_digit() {
            digits += 1;
        } else if digits >= 4 && matches!(c, '年' | '-' | '/' | '.') {
            return true;
        } else {
            digits = 0;
        }
    }
    false
}

/// `第4版`, `下转第4版`, `上接第1版`, `（下转第二版）`: a jump line or folio.
pub(crate) fn has_page_ref(text: &str) -> bool {
    let Some(at) = text.find('第') else { return false };
    let rest = &text[at + '第'.len_utf8()..];
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十〇零".contains(c);
    let after = rest.trim_start_matches(numeral);
    after.len() < rest.len() && after.starts_with('版')
}

fn has_url(text: &str) -> bool {
    if !text.bytes().any(|b| b.is_ascii_alphabetic() || b == b'@') {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    lower.contains("http")
        || lower.contains("www.")
        || lower.contains(".com")
        || lower.contains(".cn")
        || lower.contains('@')
}

/// `本报北京9月30日电`, `新华社北京6月30日电`, `本报讯`: a report dateline at the line's start.
fn dateline_start(text: &str, lexicon: &Lexicon) -> bool {
    let head = head(text.trim_start(), 24);
    if head.starts_with("本报讯") {
        return true;
    }
    if let Some(at) = head.find("电") {
        let before = &head[..at];
        return before.contains('月') && before.contains('日') && lexicon.is_dateline(&head[..at + '电'.len_utf8()]);
    }
    false
}

/// Whether a line can never be a title line (series, kicker, headline, subtitle) on any
/// paper: a line longer than any title, page furniture by the lexicon (`本版责编：…`), a photo
/// credit, a printed date with its weekday, a phone number or a URL. Decoding rules these out
/// (`labeller::Model::decode`), so furniture never becomes a headline.
pub fn never_title(line: &Line, lexicon: &Lexicon) -> bool {
    never_title_shaped(line, &shape(line, width(line), 0, lexicon))
}

/// `never_title` from the hits already found for the line's features.
fn never_title_shaped(line: &Line, shape: &Shape) -> bool {
    if line.len > lines::SHORT_LIMIT {
        return true;
    }
    let hits = shape.hits;
    let dated = || {
        let text = head(&line.norm, 256);
        hits.contains(Hit::Date) && (text.contains("星期") || text.contains('周'))
    };
    // A date and nothing else (`2026年3月1日`): the page's or an event's, never a title.
    let date_only = || {
        hits.contains(Hit::Date)
            && line.norm.chars().all(|c| c.is_whitespace() || c.is_ascii_digit() || "年月日号至—–-/.．".contains(c))
    };
    hits.any(&[Hit::FurnitureWord, Hit::Credit, Hit::Phone, Hit::Url]) || dated() || date_only()
}

/// The pattern and lexicon hits of a line.
fn hits(line: &Line, lexicon: &Lexicon) -> Hits {
    let mut hits = Hits::default();
    // A long line is body whatever it holds past its start and end: its patterns are read
    // from its first and last characters only, so a line costs the same however long it is.
    let text = head(&line.norm, 256);
    let raw_tail = tail(line.raw.trim_start(), 64);
    let short = line.len <= 60;
    if line.md.is_some() {
        hits.push(Hit::Md);
    }
    if line.bold {
        hits.push(Hit::Bold);
    }
    if line.len <= 40 && lexicon.is_furniture(text)
        || (41..=160).contains(&line.len) && lexicon.is_furniture_run(&line.text)
    {
        hits.push(Hit::FurnitureWord);
    }
    if short && lexicon.is_credit(text) {
        hits.push(Hit::Credit);
    }
    if line.len <= 80 && split_caption_credit(&line.text, lexicon).is_some() {
        hits.push(Hit::CaptionCredit);
    }
    if short && parse_byline(line, lexicon).is_some() {
        hits.push(Hit::Byline);
    }
    if trailing_byline(raw_tail, lexicon).is_some() {
        hits.push(Hit::TrailingByline);
    }
    if leading_byline(head(line.raw.trim_start(), 256), lexicon).is_some() {
        hits.push(Hit::LeadingByline);
    }
    if dateline_start(text, lexicon) {
        hits.push(Hit::Dateline);
    }
    if text.starts_with("图为") || text.starts_with("图①") || text.starts_with("上图") || text.starts_with("下图")
    {
        hits.push(Hit::CaptionStart);
    }
    if text.contains("图为") {
        hits.push(Hit::HasTuwei);
    }
    let bare = text.trim_end_matches(is_closer);
    if bare.ends_with('摄') || bare.ends_with("供图") || bare.ends_with("制图") {
        hits.push(Hit::CreditEnd);
    }
    if count_digits_run(text) >= 7 {
        hits.push(Hit::Phone);
    }
    if has_url(text) {
        hits.push(Hit::Url);
    }
    if has_date(text) {
        hits.push(Hit::Date);
    }
    if text.contains("星期") || text.contains("周一") && line.len <= 30 {
        hits.push(Hit::Weekday);
    }
    if has_page_ref(text) {
        hits.push(Hit::PageRef);
    }
    if is_numbered(text) {
        hits.push(Hit::Numbered);
    }
    if is_headingish(line, lexicon) {
        hits.push(Hit::Headingish);
    }
    if is_section_heading_shape(line) {
        hits.push(Hit::HeadingShape);
    }
    if lexicon.is_column(text) || lexicon.is_column(crate::lexicon::strip_brackets(text)) {
        hits.push(Hit::Column);
    }
    if lexicon.is_banner(text) {
        hits.push(Hit::Banner);
    }
    // `拥抱科学 创新成长（深聚焦）`: a bracketed column tag closing a short line.
    if line.len <= 40 && (text.ends_with('）') || text.ends_with(')')) && !text.starts_with(['（', '(']) {
        hits.push(Hit::TagEnd);
    }
    if text.contains("——") && !text.starts_with("——") {
        hits.push(Hit::InnerDash);
    }
    if text.contains(['：', ':']) {
        hits.push(Hit::ColonInside);
    }
    if text.contains(['，', ',']) {
        hits.push(Hit::CommaInside);
    }
    let marks = text.chars().filter(|c| lines::is_final(*c)).count();
    hits.push(match marks {
        0 => Hit::Marks0,
        1 => Hit::Marks1,
        _ => Hit::Marks2,
    });
    if text.contains(' ') || text.contains('\u{3000}') {
        hits.push(Hit::InnerSpace);
    }
    if !lines::quotes_balanced(text) {
        hits.push(Hit::QuotesOpen);
    }
    // A subtitle states a detail (`共计18座城市上榜`) more often than its headline does.
    if short && text.bytes().any(|b| b.is_ascii_digit()) {
        hits.push(Hit::Digits);
    }
    hits
}

/// At most the first `n` characters of `text`.
fn head(text: &str, n: usize) -> &str {
    // A text of at most `n` bytes has at most `n` characters.
    if text.len() <= n {
        return text;
    }
    text.char_indices().nth(n).map_or(text, |(at, _)| &text[..at])
}

/// At most the last `n` characters of `text`.
fn tail(text: &str, n: usize) -> &str {
    if text.len() <= n {
        return text;
    }
    text.char_indices().rev().nth(n.saturating_sub(1)).map_or(text, |(at, _)| &text[at..])
}

fn shape(line: &Line, width: usize, median: usize, lexicon: &Lexicon) -> Shape {
    Shape {
        len: len_bucket(width),
        rel: rel_bucket(width, median),
        end: end_class(tail(&line.norm, 8)),
        start: start_class(head(&line.norm, 8)),
        gap: match line.gap {
            0 => "0",
            1 => "1",
            _ => "2+",
        },
        indent: line.indent,
        hits: hits(line, lexicon),
    }
}

/// How wide a line prints, in full-width characters: Latin letters, digits and ASCII
/// punctuation are half as wide as Han characters, so a wrapped line holding `iPhone 17` has
/// more characters than its neighbours but the same width.
fn width(line: &Line) -> usize {
    let mut halves: usize = 0;
    for c in line.norm.chars().filter(|c| !c.is_whitespace()).take(2 * lines::SHORT_LIMIT + 2) {
        halves += if c.is_ascii() { 1 } else { 2 };
    }
    halves.div_ceil(2)
}

/// The median of a page's line widths (`width`), 0 for an empty page.
fn median_len(widths: &[usize]) -> usize {
    let mut lens = widths.to_vec();
    if lens.is_empty() {
        return 0;
    }
    let mid = lens.len() / 2;
    *lens.select_nth_unstable(mid).1
}

/// The features of every line of a page, in order, as strings (for training and `explain`).
pub fn page_features(lines: &[Line], lexicon: &Lexicon) -> Vec<LineFeatures> {
    let mut out: Vec<LineFeatures> = vec![Vec::new(); lines.len()];
    each_feature(lines, lexicon, |i, f| out[i].push(f.to_owned()));
    out
}

/// The features of every line as hashes (`feature_hash`), what decoding looks up.
pub fn page_feature_hashes(lines: &[Line], lexicon: &Lexicon) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = vec![Vec::new(); lines.len()];
    each_feature_hashed(lines, lexicon, |i, h| out[i].push(h));
    out
}

/// What decoding needs of a page in one pass: every line's feature hashes
/// (`page_feature_hashes`) and whether it can never be a title line (`never_title`).
pub fn page_decoding_input(lines: &[Line], lexicon: &Lexicon) -> (Vec<Vec<u64>>, Vec<bool>) {
    let mut out: Vec<Vec<u64>> = (0..lines.len()).map(|_| Vec::with_capacity(96)).collect();
    let mut no_title = Vec::new();
    features_into(lines, lexicon, &mut Hashes(|i, h| out[i].push(h), Vec::new()), |shapes| {
        no_title = lines.iter().zip(shapes).map(|(l, s)| never_title_shaped(l, s)).collect();
    });
    (out, no_title)
}

/// The hash a feature is looked up by: FxHash over its bytes, finished with a 64-bit mix so
/// every bit of the key is spread (the weight table uses the hash as its own key).
pub fn feature_hash(feature: &str) -> u64 {
    hash_bytes(feature.as_bytes())
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::Hasher as _;
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Where the features go: a feature's text is built piece by piece (`feature!`) into the
/// sink's buffer, then `end` hands it on, as text or as its hash. No `core::fmt`, no
/// allocation once the buffer has grown: a page has some hundred features a line.
trait Sink {
    fn buf(&mut self) -> &mut Vec<u8>;
    fn end(&mut self, line: usize);
}

/// One piece of a feature's text.
trait Piece {
    fn put(&self, buf: &mut Vec<u8>);
}

impl Piece for str {
    fn put(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(self.as_bytes());
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn put(&self, buf: &mut Vec<u8>) {
        (**self).put(buf);
    }
}

impl Piece for bool {
    fn put(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

impl Piece for char {
    fn put(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(self.encode_utf8(&mut [0; 4]).as_bytes());
    }
}

impl Piece for usize {
    fn put(&self, buf: &mut Vec<u8>) {
        if *self < 10 {
            buf.push(b'0' + *self as u8);
        } else {
            buf.extend_from_slice(self.to_string().as_bytes());
        }
    }
}

impl Piece for u8 {
    fn put(&self, buf: &mut Vec<u8>) {
        usize::from(*self).put(buf);
    }
}

/// Sends the feature made of the pieces (text, `&'static str` values, numbers, flags,
/// characters, written as `format!` would) for line `line` to `sink`.
macro_rules! feature {
    ($sink:expr, $line:expr; $($piece:expr),+ $(,)?) => {{
        let sink = &mut *$sink;
        let buf = sink.buf();
        buf.clear();
        $( Piece::put(&$piece, buf); )+
        sink.end($line);
    }};
}

struct Strings<F: FnMut(usize, &str)>(F, Vec<u8>);

impl<F: FnMut(usize, &str)> Sink for Strings<F> {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.1
    }

    fn end(&mut self, line: usize) {
        // Every piece is whole UTF-8 text.
        let text = String::from_utf8_lossy(&self.1);
        (self.0)(line, &text);
    }
}

/// Hands on each feature's hash (`feature_hash`).
struct Hashes<F: FnMut(usize, u64)>(F, Vec<u8>);

impl<F: FnMut(usize, u64)> Sink for Hashes<F> {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.1
    }

    fn end(&mut self, line: usize) {
        (self.0)(line, hash_bytes(&self.1));
    }
}

fn each_feature_hashed(lines: &[Line], lexicon: &Lexicon, sink: impl FnMut(usize, u64)) {
    features_into(lines, lexicon, &mut Hashes(sink, Vec::new()), |_| {});
}

/// Whether blank lines stand between some lines of the page only (`some`), between none or
/// between all: what a blank line means depends on it.
fn page_gaps(lines: &[Line]) -> &'static str {
    let gaps = lines.iter().skip(1).filter(|l| l.gap > 0).count();
    let n = lines.len().saturating_sub(1).max(1);
    match gaps * 10 / n {
        _ if gaps == 0 => "none",
        0..=2 => "few",
        3..=7 => "some",
        _ => "all",
    }
}

/// How many of the page's lines are indented: an unindented line means little on a page where
/// nothing is indented, much where the paragraphs are.
fn page_indents(lines: &[Line]) -> &'static str {
    let indented = lines.iter().filter(|l| l.indent).count();
    match indented * 10 / lines.len().max(1) {
        _ if indented == 0 => "none",
        0..=1 => "few",
        2..=5 => "some",
        _ => "most",
    }
}

/// Calls `sink(line index, feature)` for every feature of every line, in a fixed order.
fn each_feature(lines: &[Line], lexicon: &Lexicon, sink: impl FnMut(usize, &str)) {
    features_into(lines, lexicon, &mut Strings(sink, Vec::new()), |_| {});
}

/// Sends every feature to `sink`; `shaped` sees the lines' shapes once they are measured.
fn features_into(lines: &[Line], lexicon: &Lexicon, sink: &mut impl Sink, shaped: impl FnOnce(&[Shape])) {
    let widths: Vec<usize> = lines.iter().map(width).collect();
    let median = median_len(&widths);
    let shapes: Vec<Shape> = lines.iter().zip(&widths).map(|(l, w)| shape(l, *w, median, lexicon)).collect();
    shaped(&shapes);
    let n = lines.len();
    let page_gaps = page_gaps(lines);
    let page_indents = page_indents(lines);
    let context = Context::new(lines, &shapes);
    // Markdown heading levels mean the same on any page: `#` over `##`. The page's own top
    // level is the reference (a page may start at `##`).
    let top_md = lines.iter().filter_map(|l| l.md).min();
    for i in 0..n {
        let s = &shapes[i];
        feature!(sink, i; "page-gaps=", page_gaps, "*", s.gap);
        feature!(sink, i; "page-gaps=", page_gaps, "*", s.gap, "*", s.end);
        feature!(sink, i; "bias");
        feature!(sink, i; "len=", s.len);
        feature!(sink, i; "rel=", s.rel);
        feature!(sink, i; "end=", s.end);
        feature!(sink, i; "start=", s.start);
        feature!(sink, i; "gap=", s.gap);
        feature!(sink, i; "indent=", s.indent);
        feature!(sink, i; "indent=", s.indent, "*page-indents=", page_indents);
        feature!(sink, i; "len*end=", s.len, "*", s.end);
        feature!(sink, i; "gap*end=", s.gap, "*", s.end);
        feature!(sink, i; "block=", lines[i].block_len.min(3));
        for hit in s.hits.names() {
            feature!(sink, i; "hit=", hit);
            feature!(sink, i; "hit*gap=", hit, "*", s.gap);
        }
        feature!(sink, i; "pos=", i.min(5));
        if i + 1 == n {
            feature!(sink, i; "pos=last");
        }
        // Blank lines after this line (the next line's gap).
        let gap_after = lines.get(i + 1).map_or("end", |l| match l.gap {
            0 => "0",
            1 => "1",
            _ => "2+",
        });
        feature!(sink, i; "gap-after=", gap_after);
        feature!(sink, i; "gaps=", s.gap, ">", gap_after);
        for (offset, name) in [(-2isize, "-2"), (-1, "-1"), (1, "1"), (2, "2")] {
            let j = i as isize + offset;
            if j < 0 || j >= n as isize {
                feature!(sink, i; name, ":none");
                continue;
            }
            let t = &shapes[j as usize];
            feature!(sink, i; name, ":len=", t.len);
            feature!(sink, i; name, ":end=", t.end);
            feature!(sink, i; name, ":start=", t.start);
            if offset.abs() == 1 {
                feature!(sink, i; name, ":rel=", t.rel);
                feature!(sink, i; name, ":gap=", t.gap);
                feature!(sink, i; name, ":indent=", t.indent);
                feature!(sink, i; name, ":end*end=", t.end, "*", s.end);
                feature!(sink, i; name, ":len*len=", t.len, "*", s.len);
                for hit in t.hits.names() {
                    feature!(sink, i; name, ":hit=", hit);
                }
            } else {
                for hit in t.hits.names_among(&[Hit::Byline, Hit::Dateline, Hit::LeadingByline, Hit::Md]) {
                    feature!(sink, i; name, ":hit=", hit);
                }
            }
        }
        // Characters that open and close short lines (`…强调`, `…讲话`, `——…`): learned, not
        // listed; long lines are body whatever their last character.
        if lines[i].len <= 40 {
            let norm = head(&lines[i].norm, 200).trim();
            let mut rev = norm.chars().rev().filter(|c| !c.is_whitespace());
            if let Some(last) = rev.next() {
                feature!(sink, i; "last-char=", last);
                if let Some(before) = rev.next() {
                    feature!(sink, i; "last-2=", before, last);
                }
            }
            if let Some(first) = norm.chars().next() {
                feature!(sink, i; "first-char=", first);
            }
            // Which of two title lines is the headline: a kicker ends `…时强调`, `…——`; a
            // subtitle opens `——…`. Seen from the other line of the pair.
            if let Some(prev) = i.checked_sub(1).map(|j| &lines[j]).filter(|l| l.len <= 40)
                && let Some(last) = prev.norm.trim_end().chars().next_back()
            {
                feature!(sink, i; "-1:last-char=", last);
            }
            if let Some(next) = lines.get(i + 1).filter(|l| l.len <= 40)
                && let Some(first) = next.norm.trim_start().chars().next()
            {
                feature!(sink, i; "1:first-char=", first);
            }
        }
        context.features(i, &shapes, page_gaps, sink);
        if let (Some(level), Some(top)) = (lines[i].md, top_md) {
            feature!(sink, i; "md-rank=", (level - top).min(3));
        }
        for (j, name) in [(i.checked_sub(1), "-1"), (Some(i + 1), "1")] {
            if let (Some(level), Some(top)) = (j.and_then(|j| lines.get(j)).and_then(|l| l.md), top_md) {
                feature!(sink, i; name, ":md-rank=", (level - top).min(3));
            }
        }
        // How a short line's printed width compares with its neighbours': a title broken over
        // two lines fills the first one, a kicker and its headline differ.
        if lines[i].len <= 40 {
            for (j, name) in [(i.checked_sub(1), "-1"), (Some(i + 1), "1")] {
                if let Some(&other) = j.and_then(|j| widths.get(j)) {
                    let diff = other as isize - widths[i] as isize;
                    let bucket = match diff {
                        ..=-4 => "lt-3",
                        -3..=-1 => "-3..-1",
                        0 => "0",
                        1..=3 => "1..3",
                        _ => "gt3",
                    };
                    feature!(sink, i; name, ":width-diff=", bucket, "*", s.end);
                }
            }
        }
        // The header above: how the two lines before relate (a kicker, headline, subtitle run).
        if i >= 1 {
            let p = &shapes[i - 1];
            feature!(sink, i; "-1:gap*gap=", p.gap, "*", s.gap);
            let shorter = lines[i - 1].len < lines[i].len;
            feature!(sink, i; "-1:shorter=", shorter, "*", p.end, "*", s.end);
        }
        if i + 1 < n {
            let shorter = lines[i + 1].len < lines[i].len;
            feature!(sink, i; "+1:shorter=", shorter, "*", shapes[i + 1].end, "*", s.end);
        }
    }
}

/// Whether a line reads as running text: long, or about as long as the page's typical line
/// (wrapped PDF text).
fn is_bodyish(line: &Line, shape: &Shape) -> bool {
    line.len > 60 || line.len >= 12 && matches!(shape.rel, "about1" | "lt2" | "ge2")
}

fn dist_bucket(d: usize) -> &'static str {
    match d {
        1 => "1",
        2 => "2",
        3 => "3",
        4..=5 => "4-5",
        _ => "6+",
    }
}

/// For each line, the index of the nearest later line whose flag is set.
fn next_where(flags: &[bool]) -> Vec<Option<usize>> {
    let mut out = vec![None; flags.len()];
    let mut next = None;
    for i in (0..flags.len()).rev() {
        out[i] = next;
        if flags[i] {
            next = Some(i);
        }
    }
    out
}

/// For each line, the index of the nearest earlier line whose flag is set.
fn prev_where(flags: &[bool]) -> Vec<Option<usize>> {
    let mut out = vec![None; flags.len()];
    let mut prev = None;
    for (i, flag) in flags.iter().enumerate() {
        out[i] = prev;
        if *flag {
            prev = Some(i);
        }
    }
    out
}

/// What lies beyond the immediate neighbours, computed once per page in linear time: the
/// nearest running-text line after and before each line, the nearest report opening (a
/// dateline or a byline) ahead, and the run of short lines a line stands in. A headline is
/// followed, within a few lines, by a byline or a dateline far more often than a section
/// heading is; an article's end is often a bracketed byline.
struct Context {
    /// Index of the next / previous running-text line.
    next_body: Vec<Option<usize>>,
    prev_body: Vec<Option<usize>>,
    /// Distance to the nearest line ahead with a byline or a dateline hit.
    next_opening: Vec<Option<usize>>,
    /// Length of the run of non-running-text lines a line stands in, and its place in it.
    run: Vec<(usize, usize)>,
    bodyish: Vec<bool>,
    /// Index of the next line that closes a report (a bracketed byline or dateline printed at
    /// its end, `（记者 张三）`, `（本报某地1月2日电）`) and of the next lone short line (one short
    /// line between running text, not a credit: a title or a section heading).
    next_closing: Vec<Option<usize>>,
    next_lone: Vec<Option<usize>>,
    /// The lone short line before, and its printed width.
    prev_lone: Vec<Option<usize>>,
    widths: Vec<usize>,
    /// Per run of non-running-text lines (indexed by the run's first line): how much the
    /// running text before the run and the running text after it share (see `Cohesion`).
    cohesion: Vec<Option<Cohesion>>,
}

/// How the words around a run of short lines hang together, measured on Han character
/// bigrams: a section heading sits between two parts of one report, which share their words;
/// a new report's headline sits between two reports, which share few. The same measure means
/// the same on any paper; no word is named.
#[derive(Debug, Clone, Copy)]
struct Cohesion {
    /// Text before against text after.
    across: &'static str,
    /// `across` against the page's median over its runs: `lower`, `alike` or `higher`.
    relative: &'static str,
    /// The run's own words found in the text before, and in the text after.
    back: &'static str,
    ahead: &'static str,
}

/// How many bigrams of running text each side of a run is measured on.
const COHESION_WINDOW: usize = 240;

/// The Han character bigrams of `text`, as codes, appended to `out`.
fn han_bigrams(text: &str, out: &mut Vec<u64>) {
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if crate::lexicon::is_han(c) {
            if let Some(p) = prev {
                out.push((p as u64) << 32 | c as u64);
            }
            prev = Some(c);
        } else if !c.is_whitespace() {
            prev = None;
        }
    }
}

/// A small exact set of bigram codes (open addressing in a fixed table, emptied by clearing
/// only the slots it used): counting shared words costs no sorting and no allocation per run.
/// It holds at most `COHESION_WINDOW` codes; codes are never 0 (a Han character is not NUL).
struct Bits {
    table: Box<[u64; Bits::SLOTS]>,
    used: Vec<usize>,
}

impl Bits {
    const SLOTS: usize = 1024;

    fn new() -> Bits {
        Bits { table: Box::new([0; Bits::SLOTS]), used: Vec::with_capacity(COHESION_WINDOW) }
    }

    fn clear(&mut self) {
        for &slot in &self.used {
            self.table[slot] = 0;
        }
        self.used.clear();
    }

    /// The slot holding `code`, or the empty one where it would go.
    fn slot(&self, code: u64) -> usize {
        let mut slot = (code.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
        while self.table[slot] != 0 && self.table[slot] != code {
            slot = (slot + 1) % Bits::SLOTS;
        }
        slot
    }

    /// Adds `code`; whether it was new (a full set adds nothing and says no).
    fn insert(&mut self, code: u64) -> bool {
        let slot = self.slot(code);
        if self.table[slot] == code || self.used.len() >= COHESION_WINDOW {
            return false;
        }
        self.table[slot] = code;
        self.used.push(slot);
        true
    }

    fn contains(&self, code: u64) -> bool {
        self.table[self.slot(code)] == code
    }
}

/// `shared` of the smaller side's `a` or `b` distinct bigrams, in percent, bucketed.
fn share(shared: usize, a: usize, b: usize) -> Option<usize> {
    (a > 0 && b > 0).then(|| shared * 100 / a.min(b))
}

fn share_bucket(share: usize) -> &'static str {
    match share {
        0..=2 => "0-2",
        3..=5 => "3-5",
        6..=9 => "6-9",
        10..=14 => "10-14",
        15..=24 => "15-24",
        _ => "25+",
    }
}

/// At most this many running-text lines are looked at on each side of a run (lines without
/// Han text add nothing to a window, and must not make the look go on over the whole page).
const COHESION_LINES: usize = 12;

/// Cohesion of each run of non-running-text lines, keyed by its first line. Each side's window
/// is the nearest running text (up to `COHESION_WINDOW` bigrams); a page costs one pass over its
/// characters plus two windows per run.
fn cohesion(lines: &[Line], bodyish: &[bool], run: &[(usize, usize)]) -> Vec<Option<Cohesion>> {
    let n = lines.len();
    // Every line's bigrams in one buffer, line `i`'s at `at[i]..at[i + 1]`.
    let mut grams: Vec<u64> = Vec::new();
    let mut at = Vec::with_capacity(n + 1);
    for line in lines {
        at.push(grams.len());
        han_bigrams(&line.norm, &mut grams);
    }
    at.push(grams.len());
    let line_grams = |j: usize| &grams[at[j]..at[j + 1]];
    let (mut before, mut after, mut own) = (Bits::new(), Bits::new(), Bits::new());
    let mut out = vec![None; n];
    let mut shares: Vec<(usize, Option<usize>)> = Vec::new();
    let mut start = 0;
    while start < n {
        if bodyish[start] {
            start += 1;
            continue;
        }
        let end = start + run[start].0.max(1);
        before.clear();
        after.clear();
        own.clear();
        let (mut before_n, mut taken) = (0, 0);
        for j in (0..start).rev().filter(|&j| bodyish[j]).take(COHESION_LINES) {
            for &code in line_grams(j).iter().rev().take(COHESION_WINDOW - taken) {
                before_n += usize::from(before.insert(code));
                taken += 1;
            }
            if taken >= COHESION_WINDOW {
                break;
            }
        }
        let (mut after_n, mut across, mut taken) = (0, 0, 0);
        for j in (end..n).filter(|&j| bodyish[j]).take(COHESION_LINES) {
            for &code in line_grams(j).iter().take(COHESION_WINDOW - taken) {
                if after.insert(code) {
                    after_n += 1;
                    across += usize::from(before.contains(code));
                }
                taken += 1;
            }
            if taken >= COHESION_WINDOW {
                break;
            }
        }
        let (mut own_n, mut back, mut ahead) = (0, 0, 0);
        for &code in &grams[at[start]..at[end]] {
            if own.insert(code) {
                own_n += 1;
                back += usize::from(before.contains(code));
                ahead += usize::from(after.contains(code));
            }
        }
        let across = share(across, before_n, after_n);
        shares.push((start, across));
        let bucket = |s: Option<usize>| s.map_or("none", share_bucket);
        out[start] = Some(Cohesion {
            across: bucket(across),
            relative: "none",
            back: bucket(share(back, own_n, before_n)),
            ahead: bucket(share(ahead, own_n, after_n)),
        });
        start = end;
    }
    let mut known: Vec<usize> = shares.iter().filter_map(|(_, s)| *s).collect();
    known.sort_unstable();
    if let Some(&median) = known.get(known.len() / 2) {
        for (at, share) in shares {
            if let (Some(share), Some(c)) = (share, out[at].as_mut()) {
                c.relative = if share * 10 < median * 6 {
                    "lower"
                } else if share * 10 > median * 15 {
                    "higher"
                } else {
                    "alike"
                };
            }
        }
    }
    out
}

impl Context {
    fn new(lines: &[Line], shapes: &[Shape]) -> Context {
        let n = lines.len();
        let bodyish: Vec<bool> = lines.iter().zip(shapes).map(|(l, s)| is_bodyish(l, s)).collect();
        let opening: Vec<bool> =
            shapes.iter().map(|s| s.hits.any(&[Hit::Byline, Hit::Dateline, Hit::LeadingByline])).collect();
        let next_body = next_where(&bodyish);
        let next_opening: Vec<Option<usize>> =
            next_where(&opening).iter().enumerate().map(|(i, j)| j.map(|j| j - i)).collect();
        let prev_body = prev_where(&bodyish);
        let mut run = vec![(0, 0); n];
        let mut start = 0;
        while start < n {
            if bodyish[start] {
                start += 1;
                continue;
            }
            let end = (start..n).find(|&j| bodyish[j]).unwrap_or(n);
            for (k, slot) in run[start..end].iter_mut().enumerate() {
                *slot = (end - start, k);
            }
            start = end;
        }
        let closing: Vec<bool> = lines
            .iter()
            .zip(shapes)
            .map(|(l, s)| {
                s.hits.contains(Hit::TrailingByline)
                    || s.hits.contains(Hit::Dateline) && l.norm.trim_start().starts_with(['（', '('])
            })
            .collect();
        let lone: Vec<bool> = (0..n)
            .map(|i| {
                !bodyish[i]
                    && run[i].0 == 1
                    && !closing[i]
                    && !shapes[i].hits.any(&[Hit::Credit, Hit::CreditEnd, Hit::CaptionCredit, Hit::FurnitureWord])
            })
            .collect();
        let next_closing = next_where(&closing);
        let next_lone = next_where(&lone);
        let prev_lone = prev_where(&lone);
        let widths = lines.iter().map(width).collect();
        let cohesion = cohesion(lines, &bodyish, &run);
        Context {
            next_body,
            prev_body,
            next_opening,
            run,
            bodyish,
            next_closing,
            next_lone,
            prev_lone,
            widths,
            cohesion,
        }
    }

    fn features(&self, i: usize, shapes: &[Shape], page_gaps: &str, sink: &mut impl Sink) {
        feature!(sink, i; "bodyish=", self.bodyish[i]);
        // Whether the line runs on from the running text above: no blank line between, and the
        // line above ends without closing its sentence (a wrapped paragraph, not a new title).
        if i >= 1 {
            let (p, s) = (&shapes[i - 1], &shapes[i]);
            feature!(sink, i; "-1:cont=", s.gap, "*", p.end, "*", self.bodyish[i - 1]);
        }
        match self.next_body[i] {
            Some(j) => {
                feature!(sink, i; "next-body-dist=", dist_bucket(j - i));
                let t = &shapes[j];
                feature!(sink, i; "next-body:start=", t.start);
                for hit in t.hits.names_among(&[Hit::Dateline, Hit::LeadingByline, Hit::CaptionStart]) {
                    feature!(sink, i; "next-body:hit=", hit);
                }
            }
            None => feature!(sink, i; "next-body=none"),
        }
        match self.prev_body[i] {
            Some(j) => {
                feature!(sink, i; "prev-body-dist=", dist_bucket(i - j));
                let t = &shapes[j];
                feature!(sink, i; "prev-body:end=", t.end);
                for hit in t.hits.names_among(&[Hit::TrailingByline, Hit::CreditEnd]) {
                    feature!(sink, i; "prev-body:hit=", hit);
                }
            }
            None => feature!(sink, i; "prev-body=none"),
        }
        match self.next_opening[i] {
            Some(d) => feature!(sink, i; "next-opening=", dist_bucket(d)),
            None => feature!(sink, i; "next-opening=none"),
        }
        if !self.bodyish[i] {
            let (len, at) = self.run[i];
            feature!(sink, i; "short-run=", len.min(5), "@", at.min(4));
            // Does the text below end (a closing byline or dateline) before the next title-like
            // line? Then this line heads a report of its own; a section heading is followed by
            // more headings before its article closes.
            let closes_first = match (self.next_closing[i], self.next_lone[i]) {
                (Some(c), Some(l)) => {
                    if c < l {
                        "closing"
                    } else {
                        "lone"
                    }
                }
                (Some(_), None) => "closing",
                (None, Some(_)) => "lone",
                (None, None) => "none",
            };
            feature!(sink, i; "ahead-first=", closes_first);
            feature!(sink, i; "ahead-first=", closes_first, "*run=", len.min(3));
            if let Some(c) = self.cohesion[i - at] {
                feature!(sink, i; "coh=", c.across);
                feature!(sink, i; "coh=", c.across, "*run=", len.min(3), "@", at.min(2));
                feature!(sink, i; "coh=", c.across, "*", closes_first);
                feature!(sink, i; "coh-back=", c.back, "*ahead=", c.ahead);
                feature!(sink, i; "coh-rel=", c.relative);
                feature!(sink, i; "coh-rel=", c.relative, "*", closes_first);
                // Where blank lines mark reports, the words matter less than where none do.
                feature!(sink, i; "coh=", c.across, "*page-gaps=", page_gaps);
                feature!(sink, i; "coh-rel=", c.relative, "*page-gaps=", page_gaps);
            }
            // Headings of one article are printed alike: the width against the lone line before.
            if let Some(j) = self.prev_lone[i] {
                let diff = self.widths[j] as isize - self.widths[i] as isize;
                let bucket = match diff {
                    ..=-6 => "wider",
                    -5..=5 => "alike",
                    _ => "narrower",
                };
                let far = if i - j > 12 { "far" } else { "near" };
                feature!(sink, i; "prev-lone=", bucket, "*", far);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_classes_look_through_closers() {
        assert_eq!(end_class("他说。”"), "closer-period");
        assert_eq!(end_class("标题"), "han");
        assert_eq!(end_class("（记者 张三）"), "closer");
        assert_eq!(end_class(""), "none");
    }

    /// Decoding sees features as hashes; training and the model file see their text. Both
    /// must name the same features.
    #[test]
    fn hashed_features_are_the_hashes_of_the_features() {
        let lines =
            lines::parse("虚构的引题\n一个标题\n\n　　本报讯（记者 王小明）正文第一段，写得完整。\n王小明 摄\n");
        let lexicon = Lexicon::builtin();
        let strings = page_features(&lines, &lexicon);
        let hashes = page_feature_hashes(&lines, &lexicon);
        let expected: Vec<Vec<u64>> = strings.iter().map(|l| l.iter().map(|f| feature_hash(f)).collect()).collect();
        assert_eq!(hashes, expected);
        assert!(strings[0].iter().any(|f| f == "pos=0"));
    }

    /// A short line between two paragraphs on one subject is cohesive; between paragraphs on
    /// two subjects it is not. Invented text.
    #[test]
    fn cohesion_tells_one_report_from_two() {
        let first = "　　新建的滨江公园今天开园，公园里有湖泊、草地和儿童乐园，市民在公园里散步游玩，十分热闹。\n";
        let same = format!(
            "{first}公园的夜景\n　　入夜以后，公园里的灯光亮起来，湖泊和草地都很美，不少市民在公园里散步到很晚。\n"
        );
        let other = format!(
            "{first}晚稻开镰收割\n　　眼下正值秋收时节，农机手驾驶收割机穿梭在稻田之间，金黄的稻谷颗粒饱满，丰收在望。\n"
        );
        let across = |text: &str| {
            let lines = lines::parse(text);
            let strings = page_features(&lines, &Lexicon::builtin());
            strings[1].iter().find(|f| f.starts_with("coh=") && !f.contains('*')).cloned()
        };
        assert_eq!(across(&same).as_deref(), Some("coh=25+"));
        assert_eq!(across(&other).as_deref(), Some("coh=0-2"));
    }

    #[test]
    fn shares_count_against_the_smaller_side() {
        assert_eq!(share(2, 4, 2), Some(100));
        assert_eq!(share(1, 4, 4), Some(25));
        assert_eq!(share(0, 0, 1), None);
        let mut bits = Bits::new();
        assert!(bits.insert(7) && !bits.insert(7) && bits.contains(7));
        bits.clear();
        assert!(!bits.contains(7));
        let mut grams = Vec::new();
        han_bigrams("公园 开园，ab公园", &mut grams);
        // 公园, 园开 and 开园 (letter-spacing is looked through), 公园 again; none across the comma
        // or the Latin letters.
        assert_eq!(grams.len(), 4);
    }

    #[test]
    fn page_refs_and_dates() {
        assert!(has_page_ref("下转第4版"));
        assert!(has_page_ref("（上接第一版）"));
        assert!(!has_page_ref("第一个"));
        assert!(has_date("2026年3月1日 星期日"));
        assert!(!has_date("三月一日"));
    }
}
