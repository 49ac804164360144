//! Integration tests of `clean`, one binary: every page fixture of `split` cleaned and compared
//! with its `.expect` rendering (joins, reflow, letter-spacing, lost-text diagnostics), and the
//! body-preservation invariant on every seed and fixture.
//!
//! `UPDATE_EXPECT=1 cargo test -p clean` rewrites the `.expect` files; review the diff.

mod props;

use std::path::{Path, PathBuf};

use model::Page;

fn split_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../split/tests/fixtures/ok")
}

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds")
}

fn pages(dir: &Path) -> Vec<(PathBuf, Page)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| e == "txt" || e == "html"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let page = split::split_page(&model::io::page_id(&path), &name, &bytes, &split::Splitter::default())
                .expect("splits");
            (path, page)
        })
        .collect()
}

/// Compares `actual` with the file `expect`; with `UPDATE_EXPECT=1` rewrites it instead.
fn check(actual: &str, expect: &Path) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(expect, actual).expect("write expect file");
        return;
    }
    let expected = std::fs::read_to_string(expect).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs (UPDATE_EXPECT=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
        expect.display()
    );
}

fn render(page: &Page) -> String {
    let mut out = String::new();
    for article in &page.articles {
        out.push_str(&format!("== {} {}\n", article.id, article.headline));
        for section in &article.sections {
            out.push_str(&format!("section: {}\n", section.heading.as_deref().unwrap_or("(lead)")));
            for paragraph in &section.paragraphs {
                out.push_str(&format!("  | {paragraph}\n"));
            }
        }
        for d in article.diagnostics.iter().filter(|d| d.code == "lost-text") {
            out.push_str(&format!("lost-text: {} [{}]\n", d.message, d.text.as_deref().unwrap_or_default()));
        }
    }
    out
}

/// The article bodies' non-whitespace characters, in order.
fn body_chars(page: &Page) -> Vec<String> {
    page.articles
        .iter()
        .map(|a| {
            a.sections
                .iter()
                .flat_map(|s| s.heading.iter().chain(s.paragraphs.iter()))
                .flat_map(|t| t.chars())
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .collect()
}

#[test]
fn fixtures_clean_as_expected() {
    let expect_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (path, page) in pages(&split_fixtures()) {
        let cleaned = clean::clean_page(page, &clean::Cleaner::default());
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        check(&render(&cleaned), &expect_dir.join(format!("{name}.expect")));
    }
}

#[test]
fn cleaning_changes_only_whitespace_on_every_seed_and_fixture() {
    for dir in [seeds(), split_fixtures()] {
        for (path, page) in pages(&dir) {
            let before = body_chars(&page);
            let cleaned = clean::clean_page(page, &clean::Cleaner::default());
            assert_eq!(body_chars(&cleaned), before, "{}", path.display());
        }
    }
}

#[test]
fn cleaning_twice_changes_nothing() {
    for (path, page) in pages(&seeds()) {
        let once = clean::clean_page(page, &clean::Cleaner::default());
        let mut twice = clean::clean_page(once.clone(), &clean::Cleaner::default());
        // The second pass reports the same lost text again; the text itself must not move.
        for (a, b) in twice.articles.iter_mut().zip(&once.articles) {
            a.diagnostics = b.diagnostics.clone();
        }
        assert_eq!(twice, once, "{}", path.display());
    }
}

#[test]
fn explain_names_every_join_with_its_reason() {
    let (_, page) =
        pages(&split_fixtures()).into_iter().find(|(p, _)| p.ends_with("pdf_wrapped.txt")).expect("fixture");
    let text = clean::explain(page, &clean::Cleaner::default());
    assert!(text.contains("join    …"), "{text}");
    assert!(text.contains("wrapped block: line runs on to the next"), "{text}");
}

/// How long it takes is the bench's to show, not a test's.
#[test]
fn a_50_mb_paragraph_and_a_million_wrapped_lines_clean_whole() {
    let long = "这是一段没有换行的超长文字，".repeat(50 * 1024 * 1024 / 42);
    let wrapped = "记者从市统计局获悉今年前三季度全市\n".repeat(1_000_000);
    let page = Page {
        id: "p".into(),
        articles: vec![model::Article {
            id: "p-1".into(),
            sections: vec![model::Section { heading: None, paragraphs: vec![long.clone(), wrapped] }],
            ..model::Article::default()
        }],
        ..Page::default()
    };
    let cleaned = clean::clean_page(page, &clean::Cleaner::default());
    let paragraphs = &cleaned.articles[0].sections[0].paragraphs;
    assert!(paragraphs[0].starts_with(&long));
    let kept: usize = paragraphs.iter().map(|p| p.chars().filter(|c| !c.is_whitespace()).count()).sum();
    assert_eq!(kept, long.chars().count() + 1_000_000 * "记者从市统计局获悉今年前三季度全市".chars().count());
}

#[test]
fn random_pages_of_newspaper_pieces_clean_without_panic_or_lost_characters() {
    // Pieces of real page structure put together at random, split, then cleaned: only whitespace
    // may change, however often the page is cleaned.
    const PIECES: &[&str] = &[
        "\n",
        "\n\n",
        "\n\n\n",
        "　　",
        "  ",
        "# ",
        "**",
        "（",
        "）",
        "——",
        "：",
        "，",
        "。",
        "！",
        "“",
        "”",
        "记者 张三",
        "本报讯（记者 李四）",
        "（记者 王五）",
        "图片由某某提供",
        "一、",
        "专家点评",
        "市民说",
        "今年以来，全市经济增长",
        "iPhone",
        "17",
        "5G 基站",
        "新建",
        "首先，",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for round in 0..300 {
        let mut text = String::new();
        for _ in 0..(round % 60) + 1 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        let (page, _) = split::split_text("p", &text, &split::Splitter::default());
        let before = body_chars(&page);
        let once = clean::clean_page(page, &clean::Cleaner::default());
        assert_eq!(body_chars(&once), before, "round {round}: {text:?}");
        // A second pass no longer sees the indents the first one read, so it may join what the
        // first kept apart; it must still change only whitespace.
        let twice = clean::clean_page(once.clone(), &clean::Cleaner::default());
        assert_eq!(body_chars(&twice), before, "round {round}: {text:?}");
    }
}
