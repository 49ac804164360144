//! No character lost: every non-whitespace character of a page's text is in exactly one field
//! of the split page, on every fixture and every seed.

use std::path::Path;

use split::accounting::{differences, page_counts, text_counts};

use crate::support::{files, fixtures, repo, splitter};

fn assert_accounted(path: &Path) {
    let bytes = std::fs::read(path).expect("read page");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let (text, _source) = split::page_text(name, &bytes).expect("decodes");
    let (page, _layout) = split::split_text("p", &text, splitter());
    let diff = differences(&text_counts(&text), &page_counts(&page));
    assert!(diff.is_empty(), "{}: characters not accounted for:\n{}", path.display(), diff.join("\n"));
}

#[test]
fn every_seed_accounts_for_every_character() {
    let seeds = files(&repo().join("seeds"), &["txt", "html"]);
    assert!(!seeds.is_empty(), "no seeds found");
    for seed in seeds {
        assert_accounted(&seed);
    }
}

#[test]
fn every_fixture_accounts_for_every_character() {
    for fixture in files(&fixtures().join("ok"), &["txt", "html"]) {
        assert_accounted(&fixture);
    }
}
