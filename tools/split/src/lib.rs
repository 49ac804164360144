//! Splits the text of one newspaper page into articles: series, kicker, headline, subtitle,
//! byline and authors, sections of paragraphs, captions with credits, credit lines, page
//! furniture and diagnostics.
//!
//! Pure: bytes in, a `Page` out; no file system access (the binary reads the page, the lexicon
//! files and the model file and passes their contents). The stages, each in its module:
//! `decode` (bytes → text), `html` (an HTML page → the same text format), `lines` (each line on
//! its own), `features` (what the labeller sees of a line and its neighbours), `labeller` (the
//! learned line labeller: model file, Viterbi decoding, training), `layout` (each line's class
//! and article), and the assembly below. Which district or street an article is about is
//! `extract`'s business, not layout's. Every non-whitespace character of the page text ends up in exactly one field
//! of the page (`accounting` checks it). Sentences broken at column breaks stay broken here:
//! each printed block is one entry of `Section::paragraphs`, `clean` rejoins them.

pub mod accounting;
pub mod decode;
pub mod features;
pub mod html;
pub mod labeller;
pub mod layout;
pub mod lexicon;
pub mod lines;
pub mod teacher;

use model::options::SplitOptions;
use model::{Article, Caption, Diagnostic, Page, Section, Severity, Source};

pub use decode::{DecodeError, Decoded, decode};
pub use html::html_to_text;
pub use layout::{Class, Layout};
pub use lexicon::Lexicon;

/// Everything `split` needs besides the page: options, word lists, the line labeller's model.
/// Built once per run.
#[derive(Debug, Clone)]
pub struct Splitter {
    pub options: SplitOptions,
    pub lexicon: Lexicon,
    pub model: labeller::Model,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter { options: SplitOptions::default(), lexicon: Lexicon::builtin(), model: labeller::Model::builtin() }
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
    let layout = layout::layout(text, &splitter.lexicon, &splitter.model);
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
    out.push_str("line  art  label            text\n                            features that weighed most (weight for the label)\n");
    let features = features::page_features(&layout.lines, &splitter.lexicon);
    for ((line, decision), features) in layout.lines.iter().zip(&layout.decisions).zip(&features) {
        let article = decision.article.map_or("-".to_owned(), |a| (a + 1).to_string());
        let shown: String = line.raw.chars().take(80).collect();
        let more = if line.raw.chars().nth(80).is_some() { "…" } else { "" };
        out.push_str(&format!("{:>4}  {:>3}  {:<15}  {shown}{more}\n", line.no, article, decision.class.as_str()));
        let weighed = splitter.model.explain(features, decision.class, 4);
        let weighed: Vec<String> = weighed.iter().map(|(f, w)| format!("{f} {w:+.2}")).collect();
        out.push_str(&format!("                            {}\n", weighed.join(", ")));
    }
    for article in &page.articles {
        out.push_str(&format!(
            "article {}: {:?} ({} sections, {} captions, {} credits)\n",
            article.id,
            article.headline,
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
            Class::Furniture => page.furniture.push(text),
            // A title wrapped over several lines comes as several lines of one class.
            // Header lines are read without their letter-spacing (`标 题` is `标题`).
            Class::Series => append_line(article.series.get_or_insert_default(), &line.norm),
            Class::Kicker => append_line(article.kicker.get_or_insert_default(), &line.norm),
            Class::Headline => append_line(&mut article.headline, &line.norm),
            Class::Subtitle => append_line(article.subtitle.get_or_insert_default(), &line.norm),
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
                // A markdown line read as body keeps its text, not its `#` marks.
                let printed = if line.md.is_some() { &line.text } else { &line.raw };
                match (last_body_block[k], section.paragraphs.last_mut()) {
                    (Some(block), Some(paragraph)) if block == line.block => {
                        paragraph.push('\n');
                        paragraph.push_str(printed);
                    }
                    _ => section.paragraphs.push(printed.clone()),
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
                // A bracketed byline is printed as part of the text: at the start of the lead
                // paragraph (`本报讯（记者 张三）…`), closing the last one (`…他说。（记者 张三）`)
                // or as a paragraph of its own. The text stays whole; the reporters are read
                // from the bracket.
                let printed = line.raw.trim_start();
                let body = line.raw.clone();
                let authors = lines::trailing_byline(printed, &splitter.lexicon)
                    .or_else(|| lines::leading_byline(printed, &splitter.lexicon))
                    .map(|(_, byline)| byline.authors)
                    .or_else(|| lines::parse_byline(line, &splitter.lexicon).map(|b| b.authors))
                    .unwrap_or_default();
                // The same reporter may be named at the top and again at the end.
                for author in authors {
                    if !article.authors.contains(&author) {
                        article.authors.push(author);
                    }
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
    }
    if layout.lines.is_empty() {
        page.diagnostics.push(Diagnostic::new(Severity::Warning, "empty-page", "the page has no text"));
    } else if articles.is_empty() {
        page.diagnostics.push(Diagnostic::new(Severity::Warning, "no-articles", "no article found on the page"));
    }
    page.articles = articles;
    page
}
