//! Repairs the text of split articles: rejoins sentences broken at column breaks and images,
//! normalizes spacing. Never drops a character of body text.
//!
//! Pure: a `Page` in, a `Page` out; no file system access.

use model::Page;
use model::options::CleanOptions;

/// Cleans every article of `page`.
pub fn clean_page(mut page: Page, _options: &CleanOptions) -> Page {
    for article in &mut page.articles {
        for section in &mut article.sections {
            let mut joined: Vec<String> = Vec::new();
            for block in section.paragraphs.drain(..) {
                match joined.last_mut() {
                    Some(last) if !ends_sentence(last) => last.push_str(block.trim()),
                    _ => joined.push(block.trim().to_owned()),
                }
            }
            section.paragraphs = joined;
        }
    }
    page
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['。', '！', '？', '”', '…', '.', '!', '?'])
}
