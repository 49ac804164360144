//! Gives every line of a page a class (series, kicker, headline, byline, heading, body, caption,
//! credit, furniture), the article it belongs to, and the rule that decided it.
//!
//! The order of the rules is the design:
//! 1. Lines that say what they are whatever their place: furniture words and page datelines,
//!    bracketed report datelines (`（本报北京3月8日电）`), credit lines, captions with a printed
//!    credit (the lexicons).
//! 2. Article headers: the run of short lines at the top of the page; on a marked-up page every
//!    run of `#` lines holding a top-level heading, or deeper `#` lines right above a byline; on a
//!    plain page a run of short lines followed by a byline (or by a paragraph opening with
//!    `本报讯（记者 …）`), opened by a column label (`专家点评`), or following an article's close
//!    (a bracketed byline `（记者 …）`, a report dateline, or a credit line before a two-line
//!    header). A title wrapped over a block of two or three short lines is one header line. The
//!    last line of a run is the headline (unless a `——副题` subtitle follows it), the one above it
//!    the kicker, the one above that the series; a page banner (`…专版`) or a line above a
//!    `引题—— 主题` headline is the series.
//! 3. The rest of each article, line by line with its neighbours: byline (also inside the first
//!    or last paragraph, in brackets), section headings (short lines between complete
//!    paragraphs, `#` lines, or bold or numbered lines on a marked-up page), captions (short lines
//!    after an image gap of two or more blank lines, inside a broken sentence, or unmarked on a
//!    marked-up page; a full sentence alone after an image gap), body.
//!
//! What is not here: building the `Page` (see `lib.rs`), rejoining broken sentences (`clean`).

use crate::lexicon::Lexicon;
use crate::lines::{
    self, Line, is_headingish, is_logo_block, leading_byline, parse_byline, split_caption_credit, trailing_byline,
};

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
    /// A body line with a bracketed byline printed at its start (`本报讯（记者 张三）近日，…`)
    /// or its end (`…他说。（记者 张三）`).
    BodyByline,
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
            Class::BodyByline => "body+byline",
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

/// The most lines a header (series, kicker, headline and extra banner lines) is looked for in.
const MAX_HEADER_LINES: usize = 6;

/// The longest a page or column label (`要闻`, `新闻纵深`, `民生实事`) is, in characters.
const MAX_LABEL_CHARS: usize = 8;

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
            } else if self.is_dateline_trailer(i) {
                self.decided[i] = Some((Class::Furniture, "bracketed dateline closing a report (split-datelines.txt)"));
            } else if line.is_short(if line.block_len == 1 { 80 } else { 60 })
                && split_caption_credit(&line.text, self.lexicon).is_some()
            {
                // A caption printed between the lines of a block (text without blank lines) is
                // recognized by its credit alone, and only when it is short.
                self.decided[i] = Some((Class::CaptionCredit, "caption ending in a credit (split-credits.txt)"));
            } else if line.is_short(60) && self.lexicon.is_credit(&line.norm) {
                self.decided[i] = Some((Class::Credit, "credit line (split-credits.txt)"));
            }
        }
    }

    /// A bracketed dateline on a line of its own, closing a report: `（本报北京3月8日电）`.
    fn is_dateline_trailer(&self, i: usize) -> bool {
        let line = &self.lines[i];
        line.md.is_none()
            && line.is_short(30)
            && line.norm.starts_with(['（', '('])
            && self.lexicon.is_dateline(crate::lexicon::strip_brackets(&line.norm))
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
                && (line.md.is_some() || self.is_header_shaped(i) && self.byline_at(i).is_none());
            // Header lines stand one blank line apart; a short line after an image gap is a
            // caption.
            if !fits || !run.is_empty() && line.gap >= 2 && line.md.is_none() {
                break;
            }
            run.push(i);
            i += 1;
        }
        if let Some(top) = md_top {
            self.end_marked_up_header(&mut run, top);
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
                if self.end_marked_up_header(&mut run, top) {
                    let next = run.last().map_or(n, |&j| j + 1);
                    let byline = (next < n && self.byline_at(next).is_some()).then_some(next);
                    candidates.push(Header::new(run, byline, 0));
                } else if let Some(&last) = run.last()
                    && last + 1 < n
                    && self.byline_at(last + 1).is_some()
                {
                    // Deeper headings right above a byline: a headline set a level lower.
                    let byline = Some(last + 1);
                    let from = run.len().saturating_sub(MAX_HEADER_LINES);
                    candidates.push(Header::new(run[from..].to_vec(), byline, 0));
                }
            }
        } else {
            // A run of short lines followed by a byline, or by a paragraph that opens with a
            // dateline and a bracketed byline (`本报讯（记者 张三）…`).
            for b in covered_until + 1..n {
                let (strong, byline_line) = match self.byline_at(b) {
                    // Two names or more under a one-line header are a byline as surely as a mark.
                    Some(byline) => (byline.strong || byline.titled || byline.authors.len() >= 2, true),
                    None if self.decided[b].is_none()
                        && self.lines[b].md.is_none()
                        && !is_headingish(&self.lines[b], self.lexicon)
                        && leading_byline(&self.lines[b].text, self.lexicon).is_some() =>
                    {
                        (true, false)
                    }
                    None => continue,
                };
                let mut run = Vec::new();
                let mut j = b;
                // Headers are a few lines; the bound keeps a page of short lines linear.
                while j > covered_until + 1 && run.len() < MAX_HEADER_LINES {
                    j -= 1;
                    if self.decided[j].is_some() || !self.is_header_shaped(j) || self.byline_at(j).is_some() {
                        break;
                    }
                    run.insert(0, j);
                }
                // A short line after an image gap is the image's caption, unless it is a column
                // label.
                if run.first().is_some_and(|&f| self.lines[f].gap >= 2 && !self.lexicon.is_column(&self.lines[f].norm))
                {
                    let caption_block = self.lines[run[0]].block;
                    run.retain(|&j| self.lines[j].block != caption_block);
                }
                if run.len() >= 2 || !run.is_empty() && strong {
                    candidates.push(Header::new(run, byline_line.then_some(b), 0));
                }
            }
            // An article that closes with a bracketed byline (`（记者 张三）`, on its own line or
            // at the end of the last paragraph) is followed by the next article's header, which
            // may have no byline: the short lines right after the closing byline, when text
            // follows them.
            // A bracketed dateline (`（本报北京3月8日电）`) closes a report the same way. A
            // photo-credit line (`图片由某某提供`) usually closes an article too; after one, a
            // kicker and a headline (two short lines or more) open the next.
            for e in covered_until + 1..n {
                let after_credit = matches!(self.decided[e], Some((Class::Credit, _)));
                let closing = if self.decided[e].is_some() {
                    after_credit || self.is_dateline_trailer(e)
                } else {
                    self.closes_article(e)
                };
                if !closing {
                    continue;
                }
                let mut run = Vec::new();
                let mut j = e + 1;
                while j < n
                    && run.len() < MAX_HEADER_LINES
                    && self.decided[j].is_none()
                    && is_headingish(&self.lines[j], self.lexicon)
                    && self.byline_at(j).is_none()
                    && (run.is_empty() || self.lines[j].gap < 2)
                {
                    run.push(j);
                    j += 1;
                }
                let text_follows = j < n && self.decided[j].is_none() && self.lines[j].gap < 2;
                let enough = if after_credit { run.len() >= 2 } else { !run.is_empty() };
                if enough && self.lines[run[0]].gap < 2 && text_follows {
                    let byline = self.byline_at(j).is_some().then_some(j);
                    candidates.push(Header::new(run, byline, 0));
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
                    && run.len() < MAX_HEADER_LINES
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

    /// Ends a run of `#` lines where its header ends, and tells whether it holds a top-level
    /// heading. On a marked-up page the header ends at its last top-level heading; `#` lines
    /// after it are the article's section headings. Unless the byline stands right under deeper
    /// headings: then they belong to the header (`# 专题` / `## 标题` / `记者 张三`, or
    /// `# 标题` / `## 副题` / `记者 张三`; `assign_header` tells which).
    fn end_marked_up_header(&self, run: &mut Vec<usize>, top: usize) -> bool {
        let n = self.lines.len();
        let Some(last_top) = run.iter().rposition(|&j| self.lines[j].md == Some(top)) else { return false };
        let byline_below = |run: &[usize]| run.last().is_some_and(|&j| j + 1 < n && self.byline_at(j + 1).is_some());
        if !byline_below(run) || byline_below(&run[..=last_top]) {
            run.truncate(last_top + 1);
        }
        true
    }

    /// Whether line `i` can be a header line: headingish on its own, or a line of a title wrapped
    /// over a block of two or three short lines (text extracted from a PDF keeps the printed
    /// line breaks of a long headline: `萧山区：加快锻造杭州都市圈` / `现代服务业区域中心`).
    fn is_header_shaped(&self, i: usize) -> bool {
        let line = &self.lines[i];
        if is_headingish(line, self.lexicon) {
            return true;
        }
        if line.md.is_some() || !(2..=3).contains(&line.block_len) {
            return false;
        }
        let start = (0..=i).rev().take_while(|&j| self.lines[j].block == line.block).last().unwrap_or(i);
        let block = &self.lines[start..(start + line.block_len).min(self.lines.len())];
        let joined: String = block.iter().map(|l| l.norm.trim()).collect();
        let body = joined.trim_end_matches(lines::is_closer);
        block.iter().all(|l| l.len <= 24 && l.md.is_none() && !l.indent)
            && (start..start + block.len()).all(|j| self.decided[j].is_none() && self.byline_at(j).is_none())
            && !block.iter().any(|l| {
                let end = l.norm.trim_end().chars().next_back().unwrap_or(' ');
                matches!(end, '。' | '；' | '，' | '、' | '：' | ';' | ',' | ':')
            })
            && !body.chars().any(|c| matches!(c, '。' | '；' | ';'))
            && body.matches('，').count() <= 1
            && lines::quotes_balanced(&joined)
            && !body.chars().next_back().is_some_and(|c| self.lexicon.is_fragment_ending(c))
            && block.iter().map(|l| l.len).sum::<usize>() <= 48
    }

    /// Whether line `i` closes an article with a bracketed byline: on a line of its own, or at
    /// the end of a paragraph.
    fn closes_article(&self, i: usize) -> bool {
        let line = &self.lines[i];
        if line.md.is_some() {
            return false;
        }
        let own_line = line.norm.trim_start().starts_with(['（', '('])
            && self.byline_at(i).is_some_and(|b| b.strong && !b.authors.is_empty());
        own_line || !is_headingish(line, self.lexicon) && trailing_byline(&line.text, self.lexicon).is_some()
    }

    /// Gives the header lines their roles.
    fn assign_header(&mut self, header: &Header, md_top: Option<usize>) {
        if let Some(b) = header.byline {
            self.decided[b] = Some((Class::Byline, "byline under the header"));
        }
        let lines = self.lines;
        // A title wrapped over the lines of one block is one header line; its first line stands
        // for it below, and its other lines get the same class at the end.
        let units: Vec<&[usize]> = header
            .run
            .chunk_by(|&a, &b| b == a + 1 && lines[a].block == lines[b].block && lines[a].md.is_none())
            .collect();
        let firsts: Vec<usize> = units.iter().map(|unit| unit[0]).collect();
        let single = |i: usize| units.iter().any(|unit| unit.len() == 1 && unit[0] == i);
        self.assign_units(&firsts, md_top, single);
        for unit in units {
            let decided = self.decided[unit[0]];
            for &j in &unit[1..] {
                self.decided[j] = decided;
            }
        }
    }

    /// `assign_header` on the header's units, each given by its first line.
    fn assign_units(&mut self, firsts: &[usize], md_top: Option<usize>, single: impl Fn(usize) -> bool) {
        let lines = self.lines;
        let mut run = firsts;
        // A subtitle printed under the headline opens with a dash (`——副题`), or on a marked-up
        // page is a deeper heading under a top-level one that is a headline, not a page label
        // (labels are short: `# 新闻纵深` / `## 标题` make a series and a headline): it is the
        // kicker and the line above it the headline.
        let is_subtitle = |subtitle: usize, above: usize| {
            let dash = lines[subtitle].norm.trim_start().starts_with("——")
                && !lines[subtitle].norm.trim_start().trim_start_matches('—').trim().is_empty();
            let deeper = md_top.is_some_and(|top| {
                lines[subtitle].md.is_some_and(|level| level > top)
                    && lines[above].md == Some(top)
                    && lines[above].len > MAX_LABEL_CHARS
            });
            dash || deeper
        };
        if let [.., above, subtitle] = *run
            && is_subtitle(subtitle, above)
        {
            run = &run[..run.len() - 1];
            if let Some((&headline, above)) = run.split_last() {
                self.decided[headline] = Some((Class::Headline, "header line above the subtitle"));
                run = above;
            }
            // The kicker is the line printed above the headline when there is one; a subtitle
            // under it then has no field of its own.
            self.decided[subtitle] = Some(if run.is_empty() {
                (Class::Kicker, "subtitle under the headline (opened by ——, or a deeper heading)")
            } else {
                (Class::Furniture, "extra header line: a subtitle under the headline, the kicker stands above")
            });
            self.assign_above(run, md_top, false);
            return;
        }
        let Some((&headline, above)) = run.split_last() else { return };
        // `引题—— 主题` on one line; a single line above it is then the series (a banner). Under
        // a line, the two printed lines must show where they were joined (a space after the
        // dash), since a headline may hold a dash of its own.
        let joined_with_space =
            |text: &str| text.split_once("——").is_some_and(|(_, after)| after.starts_with(char::is_whitespace));
        let kicker_joined = single(headline)
            && kicker_split(&lines[headline].text).is_some()
            && (above.is_empty() || above.len() == 1 && joined_with_space(&lines[headline].text));
        self.decided[headline] = Some(if kicker_joined {
            (Class::KickerHeadline, "header line holding a kicker and the headline joined by ——")
        } else {
            (Class::Headline, "last line of the header")
        });
        self.assign_above(above, md_top, kicker_joined);
    }

    /// Gives the header lines above the headline their roles: kicker (unless the headline line
    /// holds it), series, then furniture.
    fn assign_above(&mut self, above: &[usize], md_top: Option<usize>, has_kicker: bool) {
        let lines = self.lines;
        let is_top = |i: usize| md_top.is_some() && lines[i].md == md_top;
        let mut rest = above;
        if has_kicker {
            if let Some((&series, before)) = rest.split_last() {
                self.decided[series] = Some((Class::Series, "header line above a headline holding its kicker"));
                rest = before;
            }
        } else if let Some((&last, before)) = rest.split_last() {
            if self.lexicon.is_column(&lines[last].norm) {
                self.decided[last] = Some((Class::Series, "column label above the headline (split-columns.txt)"));
                rest = before;
            } else if is_top(last) {
                self.decided[last] = Some((Class::Series, "top-level heading above the headline"));
                rest = before;
            } else if self.lexicon.is_banner(&lines[last].norm) {
                self.decided[last] = Some((Class::Series, "page banner above the headline (split-banner-endings.txt)"));
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
            let mut decision = self.body_line(i, end, &mut has_byline, first_content, sentence_open, marked_up);
            if decision.0 == Class::Body {
                if trailing_byline(&line.text, self.lexicon).is_some() {
                    decision = (Class::BodyByline, "paragraph closed by a bracketed byline");
                    has_byline = true;
                } else if !has_byline && leading_byline(&line.text, self.lexicon).is_some() {
                    decision = (Class::BodyByline, "paragraph opened by a dateline and a bracketed byline");
                    has_byline = true;
                }
            }
            if decision.0 == Class::BodyByline {
                sentence_open = trailing_byline(&line.text, self.lexicon).is_none() && !line.ends_sentence();
            } else if decision.0 == Class::Body {
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
                // A heading set in bold or numbered (`**一、…**`, `（一）…`) is marked in its own
                // way.
                if (line.bold || lines::is_numbered(&line.norm)) && lines::is_section_heading_shape(line) {
                    return (Class::Heading, "short bold or numbered line on a marked-up page");
                }
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
                return (Class::Body, "short line with a comma, a sentence or a whole quotation inside: text");
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
