//! Gives every line of a page a class (series, kicker, headline, byline, heading, body, caption,
//! credit, furniture), the article it belongs to, and the rule that decided it.
//!
//! The order of the rules is the design:
//! 1. Lines that say what they are whatever their place: furniture words, credit lines,
//!    captions with a printed credit (the lexicons).
//! 2. Article headers: the run of short lines at the top of the page; on a marked-up page every
//!    run of `#` lines holding a top-level heading; on a plain page a run of short lines followed
//!    by a byline, or opened by a column label (`专家点评`). The last line of a run is the headline,
//!    the one above it the kicker, the one above that the series.
//! 3. The rest of each article, line by line with its neighbours: byline, section headings
//!    (short lines between complete paragraphs, or `#` lines), captions (short lines after an
//!    image gap of two or more blank lines, inside a broken sentence, or unmarked on a marked-up
//!    page; a full sentence alone after an image gap), body.
//!
//! What is not here: building the `Page` (see `lib.rs`), rejoining broken sentences (`clean`).

use crate::lexicon::Lexicon;
use crate::lines::{self, Line, is_headingish, is_logo_block, parse_byline, split_caption_credit};

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Furniture,
    Series,
    Kicker,
    Headline,
    /// A kicker and the headline printed on one line, joined by `——`.
    KickerHeadline,
    Byline,
    Heading,
    Body,
    Caption,
    /// A caption line that ends with its credit.
    CaptionCredit,
    Credit,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Furniture => "furniture",
            Class::Series => "series",
            Class::Kicker => "kicker",
            Class::Headline => "headline",
            Class::KickerHeadline => "kicker+headline",
            Class::Byline => "byline",
            Class::Heading => "heading",
            Class::Body => "body",
            Class::Caption => "caption",
            Class::CaptionCredit => "caption+credit",
            Class::Credit => "credit",
        }
    }
}

/// The decision for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub class: Class,
    /// Why, in a few words (what `split explain` prints).
    pub rule: &'static str,
    /// The article (index in page order), `None` for furniture before the first article.
    pub article: Option<usize>,
}

/// A page's lines and their decisions, in the same order.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lines: Vec<Line>,
    pub decisions: Vec<Decision>,
    /// Number of articles.
    pub articles: usize,
}

struct Header {
    /// Header lines in page order, the headline last.
    run: Vec<usize>,
    byline: Option<usize>,
    /// The article's first line.
    start: usize,
    /// The first line after the header.
    body_start: usize,
}

impl Header {
    fn new(run: Vec<usize>, byline: Option<usize>, fallback: usize) -> Header {
        let start = run.first().or(byline.as_ref()).copied().unwrap_or(fallback);
        let body_start = byline.or(run.last().copied()).map_or(fallback, |last| last + 1);
        Header { run, byline, start, body_start }
    }
}

/// Lays out the decoded text of a page.
pub fn layout(text: &str, lexicon: &Lexicon) -> Layout {
    let lines = lines::parse(text);
    let mut pass = Pass { lines: &lines, lexicon, decided: vec![None; lines.len()] };
    pass.self_evident();
    let md_top = lines.iter().filter_map(|l| l.md).min();
    let headers = pass.headers(md_top);
    let articles = headers.len();
    let mut article_of = vec![None; lines.len()];
    for (k, header) in headers.iter().enumerate() {
        let start = if k == 0 { 0 } else { header.start };
        let end = headers.get(k + 1).map_or(lines.len(), |h| h.start);
        for slot in &mut article_of[start..end] {
            *slot = Some(k);
        }
    }
    for (k, header) in headers.iter().enumerate() {
        pass.assign_header(header, md_top);
        let start = header.body_start;
        let end = headers.get(k + 1).map_or(lines.len(), |h| h.start);
        pass.body(start.min(end), end, header.byline.is_some(), md_top.is_some());
    }
    let decisions = pass
        .decided
        .iter()
        .zip(&article_of)
        .map(|(decided, article)| {
            let (class, rule) = decided.unwrap_or((Class::Furniture, "outside every article"));
            Decision { class, rule, article: *article }
        })
        .collect();
    Layout { lines, decisions, articles }
}

struct Pass<'a> {
    lines: &'a [Line],
    lexicon: &'a Lexicon,
    decided: Vec<Option<(Class, &'static str)>>,
}

impl Pass<'_> {
    fn is_furniture(&self, i: usize) -> bool {
        matches!(self.decided[i], Some((Class::Furniture, _)))
    }

    /// Step 1: lines whose words say what they are.
    fn self_evident(&mut self) {
        for (i, line) in self.lines.iter().enumerate() {
            if line.md.is_some() {
                continue;
            }
            if line.is_short(40) && self.lexicon.is_furniture(&line.norm) {
                self.decided[i] = Some((Class::Furniture, "furniture word (split-furniture.txt)"));
            } else if line.block_len == 1
                && line.is_short(80)
                && split_caption_credit(&line.text, self.lexicon).is_some()
            {
                self.decided[i] = Some((Class::CaptionCredit, "caption ending in a credit (split-credits.txt)"));
            } else if line.is_short(60) && self.lexicon.is_credit(&line.norm) {
                self.decided[i] = Some((Class::Credit, "credit line (split-credits.txt)"));
            }
        }
    }

    fn byline_at(&self, i: usize) -> Option<lines::Byline> {
        if self.decided[i].is_some() || self.lines[i].md.is_some() {
            return None;
        }
        parse_byline(&self.lines[i], self.lexicon)
    }

    /// Step 2: the article headers, in page order.
    fn headers(&self, md_top: Option<usize>) -> Vec<Header> {
        let n = self.lines.len();
        let mut headers: Vec<Header> = Vec::new();
        // The page's first header: the short lines at the top.
        let Some(first) = (0..n).find(|&i| self.decided[i].is_none()) else { return headers };
        let mut run = Vec::new();
        let mut i = first;
        while i < n {
            if self.is_furniture(i) {
                i += 1;
                continue;
            }
            let line = &self.lines[i];
            let fits = self.decided[i].is_none()
                && (line.md.is_some() || is_headingish(line, self.lexicon) && self.byline_at(i).is_none());
            // Header lines stand one blank line apart; a short line after an image gap is a
            // caption.
            if !fits || !run.is_empty() && line.gap >= 2 && line.md.is_none() {
                break;
            }
            run.push(i);
            i += 1;
        }
        // On a marked-up page the header ends at its last top-level heading; `#` lines after it
        // are the article's section headings.
        if let Some(top) = md_top
            && let Some(last_top) = run.iter().rposition(|&j| self.lines[j].md == Some(top))
        {
            run.truncate(last_top + 1);
        }
        let next = run.last().map_or(first, |&j| j + 1);
        let byline = (next < n && self.byline_at(next).is_some()).then_some(next);
        let page_header = Header::new(run, byline, first);
        let mut covered_until = page_header.body_start.saturating_sub(1);
        headers.push(page_header);

        let mut candidates: Vec<Header> = Vec::new();
        if let Some(top) = md_top {
            // Every later run of `#` lines holding a top-level heading.
            let mut i = covered_until + 1;
            while i < n {
                if self.lines[i].md.is_none() || self.decided[i].is_some() {
                    i += 1;
                    continue;
                }
                let mut run = Vec::new();
                while i < n && (self.lines[i].md.is_some() || self.is_furniture(i)) {
                    if self.lines[i].md.is_some() {
                        run.push(i);
                    }
                    i += 1;
                }
                if let Some(last_top) = run.iter().rposition(|&j| self.lines[j].md == Some(top)) {
                    run.truncate(last_top + 1);
                    let next = run.last().map_or(n, |&j| j + 1);
                    let byline = (next < n && self.byline_at(next).is_some()).then_some(next);
                    candidates.push(Header::new(run, byline, 0));
                }
            }
        } else {
            // A run of short lines followed by a byline.
            for b in covered_until + 1..n {
                let Some(byline) = self.byline_at(b) else { continue };
                let mut run = Vec::new();
                let mut j = b;
                while j > covered_until + 1 {
                    j -= 1;
                    let line = &self.lines[j];
                    if self.decided[j].is_some() || !is_headingish(line, self.lexicon) || self.byline_at(j).is_some() {
                        break;
                    }
                    run.insert(0, j);
                }
                // A short line after an image gap is the image's caption, unless it is a column
                // label.
                if run.first().is_some_and(|&f| self.lines[f].gap >= 2 && !self.lexicon.is_column(&self.lines[f].norm))
                {
                    run.remove(0);
                }
                if run.len() >= 2 || !run.is_empty() && (byline.strong || byline.titled) {
                    candidates.push(Header::new(run, Some(b), 0));
                }
            }
            // A column label and the short lines under it.
            for c in covered_until + 1..n {
                if self.decided[c].is_some() || !self.lexicon.is_column(&self.lines[c].norm) {
                    continue;
                }
                let mut run = vec![c];
                let mut j = c + 1;
                while j < n
                    && self.decided[j].is_none()
                    && is_headingish(&self.lines[j], self.lexicon)
                    && self.byline_at(j).is_none()
                {
                    run.push(j);
                    j += 1;
                }
                if run.len() >= 2 {
                    let byline = (j < n && self.byline_at(j).is_some()).then_some(j);
                    candidates.push(Header::new(run, byline, 0));
                }
            }
        }
        candidates.sort_by_key(|h| h.start);
        for candidate in candidates {
            if candidate.start > covered_until {
                covered_until = candidate.body_start - 1;
                headers.push(candidate);
            }
        }
        headers
    }

    /// Gives the header lines their roles.
    fn assign_header(&mut self, header: &Header, md_top: Option<usize>) {
        if let Some(b) = header.byline {
            self.decided[b] = Some((Class::Byline, "byline under the header"));
        }
        let Some((&headline, above)) = header.run.split_last() else { return };
        let lines = self.lines;
        let is_top = |i: usize| md_top.is_some() && lines[i].md == md_top;
        let kicker_joined = above.is_empty() && kicker_split(&lines[headline].text).is_some();
        self.decided[headline] = Some(if kicker_joined {
            (Class::KickerHeadline, "header line holding a kicker and the headline joined by ——")
        } else {
            (Class::Headline, "last line of the header")
        });
        let mut rest = above;
        if let Some((&last, before)) = rest.split_last() {
            if self.lexicon.is_column(&lines[last].norm) {
                self.decided[last] = Some((Class::Series, "column label above the headline (split-columns.txt)"));
                rest = before;
            } else if is_top(last) {
                self.decided[last] = Some((Class::Series, "top-level heading above the headline"));
                rest = before;
            } else {
                self.decided[last] = Some((Class::Kicker, "header line just above the headline"));
                rest = before;
                if let Some((&series, before)) = rest.split_last() {
                    self.decided[series] = Some((Class::Series, "header line above the kicker"));
                    rest = before;
                }
            }
        }
        for &extra in rest {
            self.decided[extra] = Some((Class::Furniture, "extra header line above the series"));
        }
    }

    /// Step 3: the lines of one article after its header, `start..end`.
    fn body(&mut self, start: usize, end: usize, mut has_byline: bool, marked_up: bool) {
        let lines = self.lines;
        let mut sentence_open = false;
        let mut first_content = true;
        let mut i = start;
        while i < end {
            if self.decided[i].is_some() {
                first_content &= self.is_furniture(i);
                i += 1;
                continue;
            }
            let line = &lines[i];
            // A block of a few unpunctuated characters a line that no text follows: a logo.
            let block_end = (i..end).find(|&j| lines[j].block != line.block).unwrap_or(end);
            if line.block_len >= 2
                && block_end - i == line.block_len
                && is_logo_block(&lines[i..block_end])
                && !(block_end..end).any(|j| self.decided[j].is_none() && lines[j].len > 40)
            {
                for j in i..block_end {
                    self.decided[j] = Some((Class::Furniture, "column logo printed over several short lines"));
                }
                i = block_end;
                continue;
            }
            let decision = self.body_line(i, end, &mut has_byline, first_content, sentence_open, marked_up);
            if decision.0 == Class::Body {
                sentence_open = !line.ends_sentence();
            } else if decision.0 == Class::Heading {
                sentence_open = false;
            }
            first_content = false;
            self.decided[i] = Some(decision);
            i += 1;
        }
    }

    fn body_line(
        &self,
        i: usize,
        end: usize,
        has_byline: &mut bool,
        first_content: bool,
        sentence_open: bool,
        marked_up: bool,
    ) -> (Class, &'static str) {
        let line = &self.lines[i];
        if !*has_byline
            && let Some(byline) = self.byline_at(i)
            && (byline.strong || byline.titled || first_content || byline.authors.len() >= 2)
        {
            *has_byline = true;
            return (Class::Byline, "byline: names, with a mark or role word or right under the header");
        }
        if line.md.is_some() {
            return (Class::Heading, "markdown heading inside an article");
        }
        let next = (i + 1..end).find(|&j| !self.is_furniture(j));
        let text_follows = (i + 1..end).any(|j| {
            self.decided[j].is_none() && !is_headingish(&self.lines[j], self.lexicon) && self.lines[j].md.is_none()
        });
        if is_headingish(line, self.lexicon) {
            if line.gap >= 2 {
                return (Class::Caption, "short line after an image gap (two or more blank lines)");
            }
            if sentence_open && text_follows {
                return (Class::Caption, "short line inside a broken sentence");
            }
            if marked_up {
                // The page marks its headings, so an unmarked short line between complete
                // paragraphs is text.
                return (Class::Body, "short unmarked line on a page whose headings are marked");
            }
            let Some(next) = next else {
                return (Class::Caption, "short line at the end of an article");
            };
            let next_line = &self.lines[next];
            if self.decided[next].is_none()
                && is_headingish(next_line, self.lexicon)
                && next_line.gap < 2
                && next_line.md.is_none()
            {
                return (Class::Furniture, "short line stacked above another short line (decoration)");
            }
            if matches!(self.decided[next], Some((Class::Credit | Class::CaptionCredit, _))) {
                return (Class::Caption, "short line above a credit");
            }
            if !lines::is_section_heading_shape(line) {
                return (Class::Body, "short line with a comma or a sentence inside: text");
            }
            return (Class::Heading, "short line without closing punctuation between paragraphs");
        }
        if line.block_len == 1
            && line.gap >= 2
            && line.md.is_none()
            && line.is_short(60)
            && !sentence_open
            && lines::quotes_balanced(&line.norm)
            && line.norm.chars().filter(|c| lines::is_final(*c)).count() <= 2
        {
            return (Class::Caption, "one short sentence alone after an image gap");
        }
        (Class::Body, "text")
    }
}

/// A line `引题—— 主题` split into (kicker with its dash, headline).
pub fn kicker_split(text: &str) -> Option<(&str, &str)> {
    let at = text.find("——")?;
    let kicker = text[..at + "——".len()].trim();
    let headline = text[at + "——".len()..].trim();
    let kicker_len = kicker.chars().count();
    (kicker_len >= 4 && headline.chars().count() >= 2 && !headline.contains("——")).then_some((kicker, headline))
}
