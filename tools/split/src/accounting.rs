//! The character accounting: every non-whitespace character of a page's text ends up in exactly
//! one field of the split page (series, kicker, headline, byline, section heading, body
//! paragraph, caption, credit, furniture).
//!
//! Markdown heading marks (`#`) and emphasis marks around a whole line (`**…**`) are markup, not
//! text, and are not counted. Two fields hold
//! copies and are not counted either: a caption's `credit` (the same text is in the article's
//! `credits`) and a series the page banner lends to an article that prints none (marked by a
//! `series-inherited` diagnostic). Tests and `clean` use this; it never changes a page.

use std::collections::BTreeMap;

use model::Page;

/// Character counts.
pub type Counts = BTreeMap<char, usize>;

fn add(counts: &mut Counts, text: &str) {
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        *counts.entry(c).or_default() += 1;
    }
}

/// The non-whitespace characters of page text, heading and emphasis marks excluded.
pub fn text_counts(text: &str) -> Counts {
    let mut counts = Counts::new();
    for line in crate::lines::parse(text) {
        add(&mut counts, &line.text);
    }
    counts
}

/// The non-whitespace characters held by the fields of a page.
pub fn page_counts(page: &Page) -> Counts {
    let mut counts = Counts::new();
    for text in &page.furniture {
        add(&mut counts, text);
    }
    for article in &page.articles {
        let inherited = article.diagnostics.iter().any(|d| d.code == "series-inherited");
        if !inherited {
            add(&mut counts, article.series.as_deref().unwrap_or_default());
        }
        add(&mut counts, article.kicker.as_deref().unwrap_or_default());
        add(&mut counts, &article.headline);
        add(&mut counts, article.subtitle.as_deref().unwrap_or_default());
        add(&mut counts, article.byline.as_deref().unwrap_or_default());
        for section in &article.sections {
            add(&mut counts, section.heading.as_deref().unwrap_or_default());
            for paragraph in &section.paragraphs {
                add(&mut counts, paragraph);
            }
        }
        for caption in &article.captions {
            add(&mut counts, &caption.text);
        }
        for credit in &article.credits {
            add(&mut counts, credit);
        }
    }
    counts
}

/// Differences between two counts, for a failure message: `'x': 3 in text, 2 in page`.
pub fn differences(text: &Counts, page: &Counts) -> Vec<String> {
    let mut out = Vec::new();
    for c in text.keys().chain(page.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (a, b) = (text.get(c).copied().unwrap_or(0), page.get(c).copied().unwrap_or(0));
        if a != b {
            out.push(format!("{c:?}: {a} in the text, {b} in the page"));
        }
    }
    out
}
