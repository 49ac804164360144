//! Splits the text of one newspaper page into articles: series, kicker, headline, byline and
//! authors, district and street, sections of paragraphs, captions with credits, credit lines,
//! page furniture and diagnostics.
//!
//! Pure: bytes in, a `Page` out; no file system access (the binary reads the page, the lexicon
//! files and the gazetteer and passes their contents). The stages, each in its module:
//! `decode` (bytes → text), `html` (an HTML page → the same text format), `lines` (each line on
//! its own), `layout` (each line's class in context), `places` (district and street), and the
//! assembly below. Every non-whitespace character of the page text ends up in exactly one field
//! of the page (`accounting` checks it). Sentences broken at column breaks stay broken here:
//! each printed block is one entry of `Section::paragraphs`, `clean` rejoins them.

pub mod accounting;
pub mod decode;
pub mod html;
pub mod layout;
pub mod lexicon;
pub mod lines;
pub mod places;

use model::gazetteer::Gazetteer;
use model::options::SplitOptions;
use model::{Article, Caption, Diagnostic, Page, Section, Severity, Source};

pub use decode::{DecodeError, Decoded, decode};
pub use html::html_to_text;
pub use layout::{Class, Layout};
pub use lexicon::Lexicon;

/// Everything `split` needs besides the page: options, word lists, gazetteer. Built once per
/// run.
#[derive(Debug, Clone)]
pub struct Splitter {
    pub options: SplitOptions,
    pub lexicon: Lexicon,
    /// Without a gazetteer no district or street is chosen.
    pub gazetteer: Option<Gazetteer>,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter { options: SplitOptions::default(), lexicon: Lexicon::builtin(), gazetteer: None }
    }
}

/// Why a page produced no `Page` at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// Whether the input is an HTML page: by file extension, else by its first tag.
pub fn is_html(file_name: &str, text: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".xhtml") {
        return true;
    }
    let head: String = text.trim_start().chars().take(64).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// The page text `split` lays out: decoded, and reduced from HTML when it is HTML.
pub fn page_text(file_name: &str, bytes: &[u8]) -> Result<(String, Source), SplitError> {
    let decoded = decode(bytes)?;
    let html = is_html(file_name, &decoded.text);
    let text = if html { html_to_text(&decoded.text) } else { decoded.text };
    let source = Source {
        file: file_name.to_owned(),
        format: if html { "html" } else { "text" }.to_owned(),
        encoding: decoded.encoding,
        bytes: bytes.len() as u64,
        blake3: blake3::hash(bytes).to_hex().to_string(),
    };
    Ok((text, source))
}

/// Splits the page file `file_name` (its bytes) with id `page_id` into articles.
pub fn split_page(page_id: &str, file_name: &str, bytes: &[u8], splitter: &Splitter) -> Result<Page, SplitError> {
    let (text, source) = page_text(file_name, bytes)?;
    let mut page = split_text(page_id, &text, splitter).0;
    page.source = source;
    Ok(page)
}

/// Splits decoded page text; also returns the layout (for `explain`).
pub fn split_text(page_id: &str, text: &str, splitter: &Splitter) -> (Page, Layout) {
    let layout = layout::layout(text, &splitter.lexicon);
    let page = assemble(page_id, &layout, splitter);
    (page, layout)
}

/// One line a decision, for people: `  12  heading     short line … | 组织牵引 …`.
pub fn explain(page_id: &str, file_name: &str, bytes: &[u8], splitter: &Splitter) -> Result<String, SplitError> {
    let (text, source) = page_text(file_name, bytes)?;
    let (page, layout) = split_text(page_id, &text, splitter);
    let mut out = format!(
        "page {page_id}: {} {} bytes, {} lines, {} articles\n",
        source.encoding,
        source.bytes,
        text.lines().count(),
        page.articles.len()
    );
    out.push_str("line  art  class            rule | text\n");
    for (line, decision) in layout.lines.iter().zip(&layout.decisions) {
        let article = decision.article.map_or("-".to_owned(), |a| (a + 1).to_string());
        let shown: String = line.raw.chars().take(80).collect();
        let more = if line.raw.chars().nth(80).is_some() { "…" } else { "" };
        out.push_str(&format!(
            "{:>4}  {:>3}  {:<15}  {} | {shown}{more}\n",
            line.no,
            article,
            decision.class.as_str(),
            decision.rule
        ));
    }
    for article in &page.articles {
        out.push_str(&format!(
            "article {}: district {} street {} ({} sections, {} captions, {} credits)\n",
            article.id,
            article.district.as_deref().unwrap_or("-"),
            article.street.as_deref().unwrap_or("-"),
            article.sections.len(),
            article.captions.len(),
            article.credits.len()
        ));
        for diagnostic in &article.diagnostics {
            out.push_str(&format!("  {:?} {}: {}\n", diagnostic.severity, diagnostic.code, diagnostic.message));
        }
    }
    for diagnostic in &page.diagnostics {
        out.push_str(&format!("page {:?} {}: {}\n", diagnostic.severity, diagnostic.code, diagnostic.message));
    }
    Ok(out)
}

/// Appends the next printed line of a wrapped title, with a space only between two Latin
/// letters or digits.
fn append_line(field: &mut String, line: &str) {
    let needs_space = field.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
        && line.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if needs_space {
        field.push(' ');
    }
    field.push_str(line);
}

/// Builds the `Page` from the line decisions.
fn assemble(page_id: &str, layout: &Layout, splitter: &Splitter) -> Page {
    let mut page = Page { id: page_id.to_owned(), ..Page::default() };
    let mut articles: Vec<Article> = (0..layout.articles)
        .map(|k| Article {
            id: format!("{page_id}-{}", k + 1),
            page: page_id.to_owned(),
            sections: vec![Section::default()],
            ..Article::default()
        })
        .collect();
    // The block of the last body line of each article, to group lines into printed blocks.
    let mut last_body_block: Vec<Option<usize>> = vec![None; layout.articles];
    for (line, decision) in layout.lines.iter().zip(&layout.decisions) {
        let Some(article) = decision.article.and_then(|k| articles.get_mut(k)) else {
            page.furniture.push(line.text.clone());
            continue;
        };
        let k = decision.article.unwrap_or_default();
        let text = line.text.clone();
        match decision.class {
            Class::Furniture => {
                if decision.rule.contains("decoration") || decision.rule.contains("extra header") {
                    article.diagnostics.push(
                        Diagnostic::new(
                            Severity::Info,
                            "odd-line",
                            format!("kept as page furniture: {}", decision.rule),
                        )
                        .at_line(line.no)
                        .with_text(text.clone()),
                    );
                }
                page.furniture.push(text);
            }
            // A title wrapped over several lines comes as several lines of one class.
            Class::Series => append_line(article.series.get_or_insert_default(), &text),
            Class::Kicker => append_line(article.kicker.get_or_insert_default(), &text),
            Class::Headline => append_line(&mut article.headline, &text),
            Class::KickerHeadline => match layout::kicker_split(&text) {
                Some((kicker, headline)) => {
                    article.kicker = Some(kicker.to_owned());
                    article.headline = headline.to_owned();
                }
                None => article.headline = text,
            },
            Class::Byline => {
                if let Some(byline) = lines::parse_byline(line, &splitter.lexicon) {
                    article.authors.extend(byline.authors);
                }
                article.byline = Some(match article.byline.take() {
                    Some(previous) => format!("{previous}\n{text}"),
                    None => text,
                });
            }
            Class::Heading => {
                article.sections.push(Section { heading: Some(text), paragraphs: Vec::new() });
                last_body_block[k] = None;
            }
            Class::Body => {
                let section = article.sections.last_mut().expect("an article always has a section");
                match (last_body_block[k], section.paragraphs.last_mut()) {
                    (Some(block), Some(paragraph)) if block == line.block => {
                        paragraph.push('\n');
                        paragraph.push_str(&line.raw);
                    }
                    _ => section.paragraphs.push(line.raw.clone()),
                }
                last_body_block[k] = Some(line.block);
            }
            Class::Caption => article.captions.push(Caption { text, credit: None }),
            Class::CaptionCredit => match lines::split_caption_credit(&text, &splitter.lexicon) {
                Some((caption, credit)) => {
                    article.captions.push(Caption { text: caption, credit: Some(credit.clone()) });
                    article.credits.push(credit);
                }
                None => article.captions.push(Caption { text, credit: None }),
            },
            Class::Credit => article.credits.push(text),
            Class::BodyByline => {
                // The byline part goes to the byline, the rest is body text like any other.
                // Measured on the text without its indent, as the layout measured it.
                let printed = line.raw.trim_start();
                let indent = if line.indent { "\u{3000}\u{3000}" } else { "" };
                let (body, byline, authors) = match lines::trailing_byline(printed, &splitter.lexicon) {
                    Some((at, parsed)) => {
                        (format!("{indent}{}", &printed[..at]), printed[at..].trim().to_owned(), parsed.authors)
                    }
                    None => match lines::leading_byline(printed, &splitter.lexicon) {
                        Some((at, parsed)) => {
                            let body = format!("{indent}{}", printed[at..].trim_start());
                            (body, printed[..at].trim().to_owned(), parsed.authors)
                        }
                        None => (line.raw.clone(), String::new(), Vec::new()),
                    },
                };
                // The same reporter may be named at the top and again at the end.
                for author in authors {
                    if !article.authors.contains(&author) {
                        article.authors.push(author);
                    }
                }
                if !byline.is_empty() {
                    article.byline = Some(match article.byline.take() {
                        Some(previous) => format!("{previous}\n{byline}"),
                        None => byline,
                    });
                }
                let section = article.sections.last_mut().expect("an article always has a section");
                match (last_body_block[k], section.paragraphs.last_mut()) {
                    (Some(block), Some(paragraph)) if block == line.block => {
                        paragraph.push('\n');
                        paragraph.push_str(&body);
                    }
                    _ => section.paragraphs.push(body),
                }
                last_body_block[k] = Some(line.block);
            }
        }
    }
    // The series is the page's banner: an article printed without one stands under the last
    // banner above it (a column label opens a box of its own and is no banner).
    let mut banner: Option<String> = None;
    for article in &mut articles {
        match &article.series {
            Some(series) if !splitter.lexicon.is_column(series) => banner = Some(series.clone()),
            Some(_) => {}
            None => {
                if let Some(banner) = &banner {
                    article.series = Some(banner.clone());
                    article.diagnostics.push(
                        Diagnostic::new(
                            Severity::Info,
                            "series-inherited",
                            "no series printed; the page banner above applies",
                        )
                        .with_text(banner.clone()),
                    );
                }
            }
        }
    }
    for article in &mut articles {
        article.sections.retain(|s| s.heading.is_some() || !s.paragraphs.is_empty());
        if article.headline.is_empty() {
            article.diagnostics.push(Diagnostic::new(Severity::Warning, "no-headline", "no headline found"));
        }
        if article.sections.iter().all(|s| s.paragraphs.is_empty()) {
            article.diagnostics.push(Diagnostic::new(Severity::Warning, "no-body", "no body text found"));
        }
        if let Some(gazetteer) = &splitter.gazetteer {
            let body: String = article.paragraphs().take(50).collect::<Vec<_>>().join("\n");
            let chosen = places::choose(
                gazetteer,
                &splitter.options.home_city,
                &article.headline,
                article.kicker.as_deref().unwrap_or_default(),
                &body,
            );
            article.district = chosen.district;
            article.street = chosen.street;
        }
    }
    if layout.lines.is_empty() {
        page.diagnostics.push(Diagnostic::new(Severity::Warning, "empty-page", "the page has no text"));
    } else if articles.is_empty() {
        page.diagnostics.push(Diagnostic::new(Severity::Warning, "no-articles", "no article found on the page"));
    }
    page.articles = articles;
    page
}
