//! Extractive summaries of articles and Markdown briefings rendered from minijinja templates.
//!
//! - `sentences`: sentence splitting and the test of a whole sentence.
//! - `rank`: TextRank-style centrality with a lead bias; picks whole sentences verbatim.
//! - `events`: dated sentences for the corpus timeline.
//! - `briefing`: the templates (built-in, overridable file by file) and the rows they show.
//! - `assembly`: the built-in district profiles and corpus briefing joined from borrowed parts.
//!
//! Pure: pages in, pages and rendered text out; no file system access (the binary reads the
//! user's template folder and writes the files).

pub mod assembly;
pub mod briefing;
pub mod events;
pub mod rank;
pub mod sentences;

use model::Page;
use model::options::SummarizeOptions;

/// Sets `summary` on every article of `page`: its most central whole sentences, in body order.
pub fn summarize_page(mut page: Page, options: &SummarizeOptions) -> Page {
    for article in &mut page.articles {
        article.summary = rank::summarize_article(article, options.sentences);
    }
    page
}
