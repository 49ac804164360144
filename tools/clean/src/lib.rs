//! Repairs the text of split articles: reflows hard-wrapped lines (PDF extraction), removes the
//! letter-spacing of justified lines, rejoins sentences broken at column breaks and images, and
//! reports text that is visibly lost instead of gluing what does not fit.
//!
//! Pure: a `Page` in, a `Page` out; no file system access. Only whitespace changes: the
//! non-whitespace characters of every article's body stay the same and in the same order
//! (tests check it on every seed). Each decision to join or not is recorded with its reason for
//! `clean explain`. What is not here: deciding what is body and what is a caption (`split`).

use model::options::CleanOptions;
use model::{Article, Diagnostic, Page, Severity};

/// The list files `clean` reads, by file name, with their built-in text.
pub const LEXICON_FILES: &[(&str, &str)] = &[
    ("clean-paragraph-endings.txt", include_str!("../../../config/lexicon/clean-paragraph-endings.txt")),
    ("clean-paragraph-openers.txt", include_str!("../../../config/lexicon/clean-paragraph-openers.txt")),
];

/// `clean`'s word lists.
#[derive(Debug, Clone, Default)]
pub struct CleanLexicon {
    /// Endings that close a paragraph, longest first.
    endings: Vec<String>,
    /// Words that open a paragraph when a comma follows.
    openers: Vec<String>,
}

impl CleanLexicon {
    /// The built-in lists.
    pub fn builtin() -> CleanLexicon {
        CleanLexicon::from_files(|_| None)
    }

    /// Builds the lists, each file's text from `user` when it has one, else the built-in one.
    pub fn from_files(user: impl Fn(&str) -> Option<String>) -> CleanLexicon {
        let text = |name: &str| -> String {
            user(name).unwrap_or_else(|| {
                LEXICON_FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| (*t).to_owned()).unwrap_or_default()
            })
        };
        let entries = |text: String| -> Vec<String> {
            let mut list: Vec<String> = text
                .lines()
                .map(|l| l.split('#').next().unwrap_or_default().trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect();
            list.sort_by_key(|e| std::cmp::Reverse(e.chars().count()));
            list
        };
        CleanLexicon {
            endings: entries(text("clean-paragraph-endings.txt")),
            openers: entries(text("clean-paragraph-openers.txt")),
        }
    }

    /// The paragraph-closing ending of `text`, closing quotes and brackets looked through.
    ///
    /// A bracketed remark after a finished sentence closes the paragraph too (`…他说。（记者 张三）`,
    /// `…。（本报北京9月1日电）`), and so does a paragraph that is only such a remark.
    fn ending<'a>(&'a self, text: &str) -> Option<&'a str> {
        let trimmed = text.trim_end();
        if let Some(inner) = trimmed.strip_suffix(['）', ')'])
            && let Some(open) = inner.rfind(['（', '('])
        {
            let before = inner[..open].trim_end();
            if before.is_empty() {
                return Some("）");
            }
            if let Some(ending) = self.plain_ending(before) {
                return Some(ending);
            }
        }
        self.plain_ending(trimmed)
    }

    fn plain_ending<'a>(&'a self, text: &str) -> Option<&'a str> {
        let body = text.trim_end_matches(is_closer);
        self.endings.iter().find(|e| body.ends_with(e.as_str())).map(String::as_str)
    }

    /// The opener word `text` starts with, followed by a comma.
    fn opener<'a>(&'a self, text: &str) -> Option<&'a str> {
        self.openers
            .iter()
            .find(|o| text.strip_prefix(o.as_str()).is_some_and(|rest| rest.starts_with(['，', ','])))
            .map(String::as_str)
    }
}

/// Options and word lists, built once per run.
#[derive(Debug, Clone)]
pub struct Cleaner {
    pub options: CleanOptions,
    pub lexicon: CleanLexicon,
}

impl Default for Cleaner {
    fn default() -> Self {
        Cleaner { options: CleanOptions::default(), lexicon: CleanLexicon::builtin() }
    }
}

/// One decision between two pieces of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub article: String,
    pub section: usize,
    /// The last characters before the boundary and the first after it.
    pub left: String,
    pub right: String,
    pub joined: bool,
    pub reason: &'static str,
}

/// Cleans every article of `page`.
pub fn clean_page(page: Page, cleaner: &Cleaner) -> Page {
    clean_page_explained(page, cleaner).0
}

/// Cleans every article of `page` and returns the join decisions too.
pub fn clean_page_explained(mut page: Page, cleaner: &Cleaner) -> (Page, Vec<Decision>) {
    let mut decisions = Vec::new();
    for article in &mut page.articles {
        clean_article(article, &cleaner.lexicon, &mut decisions);
    }
    (page, decisions)
}

/// `clean explain`: one line per join decision, then the diagnostics.
pub fn explain(page: Page, cleaner: &Cleaner) -> String {
    let (page, decisions) = clean_page_explained(page, cleaner);
    let mut out = format!("page {}: {} join decisions\n", page.id, decisions.len());
    for d in &decisions {
        out.push_str(&format!(
            "{} s{}  {:<7} …{} | {}…  {}\n",
            d.article,
            d.section,
            if d.joined { "join" } else { "no-join" },
            d.left,
            d.right,
            d.reason
        ));
    }
    for article in &page.articles {
        for diagnostic in article.diagnostics.iter().filter(|d| d.code == "lost-text") {
            out.push_str(&format!(
                "{} {:?} {}: {} [{}]\n",
                article.id,
                diagnostic.severity,
                diagnostic.code,
                diagnostic.message,
                diagnostic.text.as_deref().unwrap_or_default()
            ));
        }
    }
    out
}

/// One piece of text: a printed line or a paragraph being built.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    /// Starts with a paragraph indent.
    indent: bool,
}

fn clean_article(article: &mut Article, lexicon: &CleanLexicon, decisions: &mut Vec<Decision>) {
    for field in [&mut article.series, &mut article.kicker].into_iter().flatten() {
        *field = tidy_line(field);
    }
    article.headline = tidy_line(&article.headline);
    for caption in &mut article.captions {
        caption.text = tidy_line(&caption.text);
    }
    let id = article.id.clone();
    let section_count = article.sections.len();
    // The article's printed text, blocks on lines of their own, for the "does it fit" check.
    let context: String =
        article.sections.iter().flat_map(|s| s.paragraphs.iter()).fold(String::new(), |mut acc, p| {
            acc.push('\n');
            acc.push_str(p);
            acc
        });
    let context = (context.len() <= CONTEXT_LIMIT).then_some(context.as_str());
    let mut diagnostics = Vec::new();
    for (s, section) in article.sections.iter_mut().enumerate() {
        if let Some(heading) = &section.heading {
            section.heading = Some(tidy_line(heading));
        }
        let mut record = |left: &str, right: &str, joined: bool, reason: &'static str| {
            decisions.push(Decision {
                article: id.clone(),
                section: s,
                left: tail(left, 12),
                right: head(right, 12),
                joined,
                reason,
            });
        };
        // Blocks → paragraphs inside each block → paragraphs across blocks.
        let mut units: Vec<Piece> = Vec::new();
        for block in &section.paragraphs {
            units.extend(reflow_block(block, lexicon, &mut record));
        }
        let mut paragraphs: Vec<Piece> = Vec::new();
        for unit in units {
            let Some(last) = paragraphs.last_mut() else {
                paragraphs.push(unit);
                continue;
            };
            match join_verdict(&last.text, &unit, lexicon, context) {
                Verdict::Join(reason) => {
                    record(&last.text, &unit.text, true, reason);
                    glue(&mut last.text, &unit.text);
                }
                Verdict::Keep(reason) => {
                    record(&last.text, &unit.text, false, reason);
                    paragraphs.push(unit);
                }
                Verdict::Lost(reason) => {
                    record(&last.text, &unit.text, false, reason);
                    diagnostics.push(
                        Diagnostic::new(
                            Severity::Warning,
                            "lost-text",
                            format!("text seems lost between two blocks: {reason}"),
                        )
                        .with_text(format!(
                            "{}|{}",
                            tail(&last.text, 12),
                            head(&unit.text, 12)
                        )),
                    );
                    paragraphs.push(unit);
                }
            }
        }
        // A paragraph that begins inside a quotation whose opening mark is missing.
        for (p, paragraph) in paragraphs.iter().enumerate() {
            let previous_complete = p == 0 || lexicon.ending(&paragraphs[p - 1].text).is_some();
            if previous_complete && starts_inside_quote(&paragraph.text) {
                diagnostics.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "lost-text",
                        "a paragraph closes a quotation that never opened: its beginning is missing",
                    )
                    .with_text(head(&paragraph.text, 16)),
                );
            }
        }
        if let Some(last) = paragraphs.last()
            && lexicon.ending(&last.text).is_none()
        {
            let place = if s + 1 == section_count { "the article" } else { "a section" };
            diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    "lost-text",
                    format!("{place} ends mid-sentence: the continuation is missing"),
                )
                .with_text(tail(&last.text, 16)),
            );
        }
        section.paragraphs = paragraphs.into_iter().map(|p| p.text).filter(|p| !p.is_empty()).collect();
    }
    article.diagnostics.extend(diagnostics);
}

enum Verdict {
    Join(&'static str),
    Keep(&'static str),
    Lost(&'static str),
}

/// Articles longer than this (in bytes) skip the repeated-phrase check, which searches the
/// article once per join.
const CONTEXT_LIMIT: usize = 200_000;

/// Whether `right` continues `left`. `context`, the article's text, lets a join be refused when
/// the first words of `right` are a phrase the article prints elsewhere, always after another
/// character than the one `left` ends with (`…以企业为中心的` + `区到商务社区` where the article
/// says `从传统社区到商务社区`): the words between are lost.
fn join_verdict(left: &str, right: &Piece, lexicon: &CleanLexicon, context: Option<&str>) -> Verdict {
    if lexicon.ending(left).is_some() {
        return Verdict::Keep("left ends its paragraph (clean-paragraph-endings.txt)");
    }
    if right.text.is_empty() {
        return Verdict::Keep("nothing to join");
    }
    if right.indent {
        return Verdict::Lost("left stops mid-sentence but right opens an indented paragraph");
    }
    if lexicon.opener(&right.text).is_some() {
        return Verdict::Lost("left stops mid-sentence but right opens a paragraph (clean-paragraph-openers.txt)");
    }
    if let Some(context) = context
        && phrase_follows_elsewhere(left, &right.text, context)
    {
        return Verdict::Lost(
            "left stops mid-sentence but right opens with a phrase the article prints after other words",
        );
    }
    Verdict::Join("left stops mid-sentence; right continues it")
}

/// The repeated-phrase check of `join_verdict`.
fn phrase_follows_elsewhere(left: &str, right: &str, context: &str) -> bool {
    const PHRASE: usize = 6;
    let phrase: String = right.chars().take(PHRASE).collect();
    let Some(last) = left.chars().next_back() else { return false };
    if phrase.chars().count() < PHRASE || phrase.chars().any(|c| !is_han(c)) {
        return false;
    }
    let mut before_elsewhere = Vec::new();
    for (at, _) in context.match_indices(&phrase) {
        match context[..at].chars().next_back() {
            Some(c) if !c.is_whitespace() => before_elsewhere.push(c),
            _ => {}
        }
    }
    !before_elsewhere.is_empty() && !before_elsewhere.contains(&last)
}

/// Splits a printed block into paragraphs: a hard-wrapped block (lines of one column width)
/// is reflowed, breaking only where a line ends a sentence short of the column or the next line
/// is indented; in other blocks every line is a paragraph unless it stops mid-sentence.
fn reflow_block(
    block: &str,
    lexicon: &CleanLexicon,
    record: &mut impl FnMut(&str, &str, bool, &'static str),
) -> Vec<Piece> {
    let lines: Vec<Piece> = block
        .split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let trimmed = l.trim_start();
            let indent = trimmed.len() != l.len()
                && (l[..l.len() - trimmed.len()].contains('\u{3000}') || l.len() - trimmed.len() >= 2);
            Piece { text: remove_letter_spacing(l.trim()), indent }
        })
        .collect();
    if lines.len() <= 1 {
        return lines;
    }
    // A paragraph indent takes two ems of the column: an indented line is full when its text is
    // two ems shorter than the others.
    let widths: Vec<f32> = lines.iter().map(|l| width(&l.text) + if l.indent { 2.0 } else { 0.0 }).collect();
    let column = widths.iter().copied().fold(0.0, f32::max);
    let full = |w: f32| w >= column - 1.5;
    let full_lines = widths[..widths.len() - 1].iter().filter(|w| full(**w)).count();
    let wrapped = column <= 40.0 && lines.len() >= 2 && full_lines * 10 >= (lines.len() - 1) * 6;
    let mut out: Vec<Piece> = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        let Some(last) = out.last_mut() else {
            out.push(line);
            continue;
        };
        if wrapped {
            if line.indent {
                record(&last.text, &line.text, false, "wrapped block: next line is indented");
                out.push(line);
            } else if !full(widths[i - 1]) && lexicon.ending(&last.text).is_some() {
                record(&last.text, &line.text, false, "wrapped block: short line ending a sentence");
                out.push(line);
            } else {
                record(&last.text, &line.text, true, "wrapped block: line runs on to the next");
                glue(&mut last.text, &line.text);
            }
        } else {
            match join_verdict(&last.text, &line, lexicon, None) {
                Verdict::Join(reason) => {
                    record(&last.text, &line.text, true, reason);
                    glue(&mut last.text, &line.text);
                }
                Verdict::Keep(reason) | Verdict::Lost(reason) => {
                    record(&last.text, &line.text, false, reason);
                    out.push(line);
                }
            }
        }
    }
    out
}

/// Appends `right` to `left`, with a space only between two Latin words (`iPhone` + `17`); a
/// number broken over two lines (`1` + `356.48亿元`) is one number again.
fn glue(left: &mut String, right: &str) {
    let (before, after) = (left.chars().next_back(), right.chars().next());
    let needs_space = before.is_some_and(|c| c.is_ascii_alphanumeric())
        && after.is_some_and(|c| c.is_ascii_alphanumeric())
        && !(before.is_some_and(|c| c.is_ascii_digit()) && after.is_some_and(|c| c.is_ascii_digit()));
    if needs_space {
        left.push(' ');
    }
    left.push_str(right);
}

/// Display width in ems: wide characters 1, others one half.
fn width(text: &str) -> f32 {
    text.chars().map(|c| if is_wide(c) { 1.0 } else { 0.5 }).sum()
}

/// Whether the first quotation mark of `text` is a closing one.
fn starts_inside_quote(text: &str) -> bool {
    text.chars().find(|c| matches!(c, '“' | '”')).is_some_and(|c| c == '”')
}

/// A single-line field: letter-spacing removed, surrounding whitespace trimmed.
fn tidy_line(text: &str) -> String {
    remove_letter_spacing(text.trim())
}

fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '》' | '〉' | '】' | '"' | '\'')
}

pub use model::text::remove_letter_spacing;
use model::text::{is_han, is_wide};

/// The last `n` characters (read from the end: a long paragraph costs nothing).
fn tail(text: &str, n: usize) -> String {
    let mut chars: Vec<char> = text.chars().rev().take(n).collect();
    chars.reverse();
    chars.into_iter().collect()
}

fn head(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glue_spaces_latin_words_only() {
        let glued = |left: &str, right: &str| {
            let mut text = left.to_owned();
            glue(&mut text, right);
            text
        };
        assert_eq!(glued("订单 iPhone", "17 型号"), "订单 iPhone 17 型号");
        assert_eq!(glued("总产值1", "356.48亿元"), "总产值1356.48亿元");
        assert_eq!(glued("新建 5G 基站46", "个"), "新建 5G 基站46个");
    }

    #[test]
    fn a_bracketed_remark_after_a_sentence_closes_the_paragraph() {
        let lexicon = CleanLexicon::builtin();
        assert!(lexicon.ending("虚构的居民说。（记者 王小明）").is_some());
        assert!(lexicon.ending("（本报记者 王小明）").is_some());
        assert!(lexicon.ending("产值增长了三成（同比）").is_none());
        assert!(lexicon.ending("产值增长了三成").is_none());
        assert!(lexicon.ending("他说：“好。”").is_some());
    }
}
