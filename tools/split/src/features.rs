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

use std::fmt::Write as _;

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
    /// Pattern hits, each a feature name.
    hits: Vec<&'static str>,
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
fn has_date(text: &str) -> bool {
    let chars: Vec<char> = text.chars().take(lines::SHORT_LIMIT).collect();
    chars.windows(5).any(|w| w[..4].iter().all(|c| c.is_ascii_digit()) && matches!(w[4], '年' | '-' | '/' | '.'))
}

/// `第4版`, `下转第4版`, `上接第1版`, `（下转第二版）`: a jump line or folio.
fn has_page_ref(text: &str) -> bool {
    let Some(at) = text.find('第') else { return false };
    let rest = &text[at + '第'.len_utf8()..];
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十〇零".contains(c);
    let after = rest.trim_start_matches(numeral);
    after.len() < rest.len() && after.starts_with('版')
}

fn has_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("http")
        || lower.contains("www.")
        || lower.contains(".com")
        || lower.contains(".cn")
        || lower.contains('@')
}

/// `本报北京9月30日电`, `新华社北京6月30日电`, `本报讯`: a report dateline at the line's start.
fn dateline_start(text: &str, lexicon: &Lexicon) -> bool {
    let head: String = text.trim_start().chars().take(24).collect();
    if head.starts_with("本报讯") || head.starts_with("本报讯") {
        return true;
    }
    if let Some(at) = head.find("电") {
        let before = &head[..at];
        return before.contains('月') && before.contains('日') && lexicon.is_dateline(&head[..at + '电'.len_utf8()]);
    }
    false
}

/// The pattern and lexicon hits of a line, each a feature name.
fn hits(line: &Line, lexicon: &Lexicon) -> Vec<&'static str> {
    let mut hits = Vec::new();
    // A long line is body whatever it holds past its start and end: its patterns are read
    // from its first and last characters only, so a line costs the same however long it is.
    let text = head(&line.norm, 256);
    let raw_tail = tail(line.raw.trim_start(), 64);
    let short = line.len <= 60;
    if line.md.is_some() {
        hits.push("md");
    }
    if line.bold {
        hits.push("bold");
    }
    if line.len <= 40 && lexicon.is_furniture(text) {
        hits.push("furniture-word");
    }
    if short && lexicon.is_credit(text) {
        hits.push("credit");
    }
    if line.len <= 80 && split_caption_credit(&line.text, lexicon).is_some() {
        hits.push("caption-credit");
    }
    if short && parse_byline(line, lexicon).is_some() {
        hits.push("byline");
    }
    if trailing_byline(raw_tail, lexicon).is_some() {
        hits.push("trailing-byline");
    }
    if leading_byline(head(line.raw.trim_start(), 256), lexicon).is_some() {
        hits.push("leading-byline");
    }
    if dateline_start(text, lexicon) {
        hits.push("dateline");
    }
    if text.starts_with("图为") || text.starts_with("图①") || text.starts_with("上图") || text.starts_with("下图")
    {
        hits.push("caption-start");
    }
    if text.contains("图为") {
        hits.push("has-tuwei");
    }
    let bare = text.trim_end_matches(is_closer);
    if bare.ends_with('摄') || bare.ends_with("供图") || bare.ends_with("制图") {
        hits.push("credit-end");
    }
    if count_digits_run(text) >= 7 {
        hits.push("phone");
    }
    if has_url(text) {
        hits.push("url");
    }
    if has_date(text) {
        hits.push("date");
    }
    if text.contains("星期") || text.contains("周一") && line.len <= 30 {
        hits.push("weekday");
    }
    if has_page_ref(text) {
        hits.push("page-ref");
    }
    if is_numbered(text) {
        hits.push("numbered");
    }
    if is_headingish(line, lexicon) {
        hits.push("headingish");
    }
    if is_section_heading_shape(line) {
        hits.push("heading-shape");
    }
    if lexicon.is_column(text) || lexicon.is_column(crate::lexicon::strip_brackets(text)) {
        hits.push("column");
    }
    if lexicon.is_banner(text) {
        hits.push("banner");
    }
    // `拥抱科学 创新成长（深聚焦）`: a bracketed column tag closing a short line.
    if line.len <= 40 && (text.ends_with('）') || text.ends_with(')')) && !text.starts_with(['（', '(']) {
        hits.push("tag-end");
    }
    if text.contains("——") && !text.starts_with("——") {
        hits.push("inner-dash");
    }
    if text.contains(['：', ':']) {
        hits.push("colon-inside");
    }
    if text.contains(['，', ',']) {
        hits.push("comma-inside");
    }
    let marks = text.chars().filter(|c| lines::is_final(*c)).count();
    hits.push(match marks {
        0 => "marks=0",
        1 => "marks=1",
        _ => "marks=2+",
    });
    if text.contains(' ') || text.contains('\u{3000}') {
        hits.push("inner-space");
    }
    if !lines::quotes_balanced(text) {
        hits.push("quotes-open");
    }
    hits
}

/// At most the first `n` characters of `text`.
fn head(text: &str, n: usize) -> &str {
    text.char_indices().nth(n).map_or(text, |(at, _)| &text[..at])
}

/// At most the last `n` characters of `text`.
fn tail(text: &str, n: usize) -> &str {
    text.char_indices().rev().nth(n.saturating_sub(1)).map_or(text, |(at, _)| &text[at..])
}

fn shape(line: &Line, median: usize, lexicon: &Lexicon) -> Shape {
    Shape {
        len: len_bucket(line.len),
        rel: rel_bucket(line.len, median),
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

/// The median length of a page's lines (without whitespace), 0 for an empty page.
fn median_len(lines: &[Line]) -> usize {
    let mut lens: Vec<usize> = lines.iter().map(|l| l.len).collect();
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

/// The features of every line as hashes (`feature_hash`), what decoding looks up: each
/// feature is hashed as it is formatted, no string is built.
pub fn page_feature_hashes(lines: &[Line], lexicon: &Lexicon) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = vec![Vec::new(); lines.len()];
    each_feature_hashed(lines, lexicon, |i, h| out[i].push(h));
    out
}

/// FNV-1a over a feature's bytes; written to piece by piece it gives the hash of the whole
/// text, so a feature can be hashed while it is formatted.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    const START: Fnv = Fnv(0xcbf2_9ce4_8422_2325);

    fn eat(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.eat(s.as_bytes());
        Ok(())
    }
}

/// The hash a feature is looked up by.
pub fn feature_hash(feature: &str) -> u64 {
    let mut h = Fnv::START;
    h.eat(feature.as_bytes());
    h.0
}

/// Where `each_feature` sends a feature: formatted into text, or hashed as it is formatted.
trait Sink {
    fn feature(&mut self, line: usize, args: std::fmt::Arguments<'_>);
}

struct Strings<F: FnMut(usize, &str)>(F, String);

impl<F: FnMut(usize, &str)> Sink for Strings<F> {
    fn feature(&mut self, line: usize, args: std::fmt::Arguments<'_>) {
        self.1.clear();
        let _ = self.1.write_fmt(args);
        (self.0)(line, &self.1);
    }
}

struct Hashes<F: FnMut(usize, u64)>(F);

impl<F: FnMut(usize, u64)> Sink for Hashes<F> {
    fn feature(&mut self, line: usize, args: std::fmt::Arguments<'_>) {
        let mut h = Fnv::START;
        match args.as_str() {
            Some(text) => h.eat(text.as_bytes()),
            None => {
                let _ = h.write_fmt(args);
            }
        }
        (self.0)(line, h.0);
    }
}

fn each_feature_hashed(lines: &[Line], lexicon: &Lexicon, sink: impl FnMut(usize, u64)) {
    features_into(lines, lexicon, &mut Hashes(sink));
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

/// Calls `sink(line index, feature)` for every feature of every line, in a fixed order.
fn each_feature(lines: &[Line], lexicon: &Lexicon, sink: impl FnMut(usize, &str)) {
    features_into(lines, lexicon, &mut Strings(sink, String::new()));
}

fn features_into(lines: &[Line], lexicon: &Lexicon, sink: &mut impl Sink) {
    let median = median_len(lines);
    let shapes: Vec<Shape> = lines.iter().map(|l| shape(l, median, lexicon)).collect();
    let n = lines.len();
    let page_gaps = page_gaps(lines);
    for i in 0..n {
        let s = &shapes[i];
        let mut f = ();
        let mut push = |_: &mut (), args: std::fmt::Arguments<'_>| sink.feature(i, args);
        push(&mut f, format_args!("page-gaps={page_gaps}*{}", s.gap));
        push(&mut f, format_args!("page-gaps={page_gaps}*{}*{}", s.gap, s.end));
        push(&mut f, format_args!("bias"));
        push(&mut f, format_args!("len={}", s.len));
        push(&mut f, format_args!("rel={}", s.rel));
        push(&mut f, format_args!("end={}", s.end));
        push(&mut f, format_args!("start={}", s.start));
        push(&mut f, format_args!("gap={}", s.gap));
        push(&mut f, format_args!("indent={}", s.indent));
        push(&mut f, format_args!("len*end={}*{}", s.len, s.end));
        push(&mut f, format_args!("gap*end={}*{}", s.gap, s.end));
        push(&mut f, format_args!("block={}", lines[i].block_len.min(3)));
        for hit in &s.hits {
            push(&mut f, format_args!("hit={hit}"));
            push(&mut f, format_args!("hit*gap={hit}*{}", s.gap));
        }
        push(&mut f, format_args!("pos={}", i.min(5)));
        if i + 1 == n {
            push(&mut f, format_args!("pos=last"));
        }
        // Blank lines after this line (the next line's gap).
        let gap_after = lines.get(i + 1).map_or("end", |l| match l.gap {
            0 => "0",
            1 => "1",
            _ => "2+",
        });
        push(&mut f, format_args!("gap-after={gap_after}"));
        push(&mut f, format_args!("gaps={}>{}", s.gap, gap_after));
        for offset in [-2isize, -1, 1, 2] {
            let j = i as isize + offset;
            if j < 0 || j >= n as isize {
                push(&mut f, format_args!("{offset}:none"));
                continue;
            }
            let t = &shapes[j as usize];
            push(&mut f, format_args!("{offset}:len={}", t.len));
            push(&mut f, format_args!("{offset}:end={}", t.end));
            push(&mut f, format_args!("{offset}:start={}", t.start));
            if offset.abs() == 1 {
                push(&mut f, format_args!("{offset}:rel={}", t.rel));
                push(&mut f, format_args!("{offset}:gap={}", t.gap));
                push(&mut f, format_args!("{offset}:indent={}", t.indent));
                push(&mut f, format_args!("{offset}:end*end={}*{}", t.end, s.end));
                push(&mut f, format_args!("{offset}:len*len={}*{}", t.len, s.len));
                for hit in &t.hits {
                    push(&mut f, format_args!("{offset}:hit={hit}"));
                }
            } else {
                for hit in t.hits.iter().filter(|h| matches!(**h, "byline" | "dateline" | "leading-byline" | "md")) {
                    push(&mut f, format_args!("{offset}:hit={hit}"));
                }
            }
        }
        // Characters that open and close short lines (`…强调`, `…讲话`, `——…`): learned, not
        // listed; long lines are body whatever their last character.
        if lines[i].len <= 40 {
            let norm = head(&lines[i].norm, 200).trim();
            let mut rev = norm.chars().rev().filter(|c| !c.is_whitespace());
            if let Some(last) = rev.next() {
                push(&mut f, format_args!("last-char={last}"));
                if let Some(before) = rev.next() {
                    push(&mut f, format_args!("last-2={before}{last}"));
                }
            }
            if let Some(first) = norm.chars().next() {
                push(&mut f, format_args!("first-char={first}"));
            }
        }
        // The header above: how the two lines before relate (a kicker, headline, subtitle run).
        if i >= 1 {
            let p = &shapes[i - 1];
            push(&mut f, format_args!("-1:gap*gap={}*{}", p.gap, s.gap));
            let shorter = lines[i - 1].len < lines[i].len;
            push(&mut f, format_args!("-1:shorter={shorter}*{}*{}", p.end, s.end));
        }
        if i + 1 < n {
            let shorter = lines[i + 1].len < lines[i].len;
            push(&mut f, format_args!("+1:shorter={shorter}*{}*{}", shapes[i + 1].end, s.end));
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

    /// Decoding hashes features as it formats them; training and the model file see their
    /// text. Both must name the same features.
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

    #[test]
    fn page_refs_and_dates() {
        assert!(has_page_ref("下转第4版"));
        assert!(has_page_ref("（上接第一版）"));
        assert!(!has_page_ref("第一个"));
        assert!(has_date("2026年3月1日 星期日"));
        assert!(!has_date("三月一日"));
    }
}
