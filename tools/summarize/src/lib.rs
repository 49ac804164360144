//! Extractive summaries of articles and Markdown briefings rendered from minijinja templates.
//!
//! Pure: pages in, pages and rendered text out; no file system access.

use model::Page;
use model::options::SummarizeOptions;

/// Sets `summary` on every article of `page`: its first sentences.
pub fn summarize_page(mut page: Page, options: &SummarizeOptions) -> Page {
    for article in &mut page.articles {
        let text: String = article.paragraphs().collect::<Vec<_>>().join("");
        let mut summary = String::new();
        for (n, sentence) in text.split_inclusive('。').enumerate() {
            if n >= options.sentences {
                break;
            }
            summary.push_str(sentence);
        }
        article.summary = (!summary.is_empty()).then_some(summary);
    }
    page
}
