//! Splits the text of one newspaper page into articles.
//!
//! Pure: bytes in, a `Page` with diagnostics out; no file system access.

use model::options::SplitOptions;
use model::{Article, Page, Section, Source};

/// Splits `bytes`, the page text of `page_id`, into articles.
pub fn split_page(page_id: &str, bytes: &[u8], _options: &SplitOptions) -> Page {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines().map(|l| l.trim().trim_start_matches('#').trim()).filter(|l| !l.is_empty());
    let headline = lines.next().unwrap_or_default().to_owned();
    let paragraphs = lines.map(str::to_owned).collect();
    let article = Article {
        id: format!("{page_id}-1"),
        page: page_id.to_owned(),
        headline,
        sections: vec![Section { heading: None, paragraphs }],
        ..Article::default()
    };
    Page {
        id: page_id.to_owned(),
        source: Source {
            format: "text".into(),
            encoding: "UTF-8".into(),
            bytes: bytes.len() as u64,
            ..Source::default()
        },
        articles: vec![article],
        ..Page::default()
    }
}
