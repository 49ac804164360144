//! The bundle's files: full-text search, the manifest and archive, the dataset, inertness.

use std::collections::BTreeSet;

use crate::fixtures::{self, HOSTILE, TEMPLATE_SYNTAX};

fn hits(conn: &rusqlite::Connection, term: &str) -> Vec<String> {
    bundle::search(conn, term).expect("search").into_iter().map(|h| h.article_id).collect()
}

#[test]
fn full_text_search_finds_two_and_three_character_chinese_terms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let conn = rusqlite::Connection::open(out.join("corpus.sqlite")).expect("open database");
    // The trigram index is built in a file of its own and copied in: it must match the rows.
    conn.execute_batch("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        .expect("trigram index consistent with the articles table");
    assert_eq!(hits(&conn, "下沙"), vec!["p1-1"]);
    assert_eq!(hits(&conn, "西溪路"), vec!["p2-1"]);
    assert_eq!(hits(&conn, "花园"), vec!["p2-1"]);
    assert_eq!(hits(&conn, "企业加速"), vec!["p1-1"], "headline words are searched too");
    assert_eq!(hits(&conn, "沙"), vec!["p1-1"], "one character falls back to LIKE");
    assert!(hits(&conn, "不存在的词").is_empty());
    assert!(hits(&conn, "\"").is_empty(), "a stray quote is no query syntax error");
    let snippet = &bundle::search(&conn, "下沙").expect("search")[0].snippet;
    assert!(snippet.contains("下沙"), "{snippet}");
}

#[test]
fn every_manifest_hash_verifies_and_the_archive_holds_every_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let manifest: bundle::manifest::Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("read manifest")).expect("parse");
    assert_eq!(manifest.built, "2026-09-21T14:13:20Z");
    assert_eq!(manifest.inputs.len(), 3);
    let paths: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for expected in ["corpus.sqlite", "data/articles.jsonl", "data/figures.csv", "site/index.html", "site/chart.svg"] {
        assert!(paths.contains(expected), "{expected} missing from {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.starts_with("dist/") || *p == "manifest.json" || p.contains(".tmp-")));
    for file in &manifest.files {
        let bytes = std::fs::read(out.join(&file.path)).expect("read listed file");
        assert_eq!(bytes.len() as u64, file.bytes, "{}", file.path);
        assert_eq!(blake3::hash(&bytes).to_hex().as_str(), file.blake3, "{}", file.path);
    }
    let archive = out.join("dist").join("newsdesk-2026-09-21.zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).expect("open archive")).expect("read archive");
    assert_eq!(zip.len(), manifest.files.len() + 1);
    let mut entry = zip.by_name("newsdesk-2026-09-21/manifest.json").expect("manifest in archive");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).expect("read manifest from archive");
    assert!(text.contains("corpus.sqlite"));
}

#[test]
fn dataset_lines_follow_the_contract_and_csv_opens_in_excel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let jsonl = std::fs::read_to_string(out.join("data/articles.jsonl")).expect("read jsonl");
    let fields = [
        "id",
        "page",
        "series",
        "kicker",
        "headline",
        "authors",
        "district",
        "street",
        "sections",
        "captions",
        "credits",
        "figures",
        "quotes",
        "people",
        "places",
        "organizations",
        "keywords",
        "summary",
    ];
    let mut lines = 0;
    for line in jsonl.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        for field in fields {
            assert!(value.get(field).is_some(), "{field} missing in {line}");
        }
        lines += 1;
    }
    assert_eq!(lines, 3);
    for name in ["figures.csv", "quotes.csv", "people.csv"] {
        let bytes = std::fs::read(out.join("data").join(name)).expect("read csv");
        assert!(bytes.starts_with("\u{feff}article_id,".as_bytes()), "{name} starts with a BOM and the header");
    }
    let figures = std::fs::read_to_string(out.join("data/figures.csv")).expect("read");
    assert_eq!(figures.lines().count(), 1 + 3, "{figures}");
}

#[test]
fn hostile_page_text_stays_inert_in_site_and_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let page = std::fs::read_to_string(out.join("site/articles/p3-1.html")).expect("read article page");
    assert!(!page.contains(HOSTILE), "raw script in the article page");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;"), "escaped text shown");
    assert!(page.contains(TEMPLATE_SYNTAX) && !page.contains("49"), "template syntax in page text is not evaluated");
    let index = std::fs::read_to_string(out.join("site/index.html")).expect("read index");
    assert!(!index.contains(HOSTILE) && index.contains(TEMPLATE_SYNTAX));
    for data in ["site/data/search-index.js", "site/data/figures-data.js"] {
        let text = std::fs::read_to_string(out.join(data)).expect("read data file");
        assert!(!text.contains("</script>"), "{data}");
    }
    let conn = rusqlite::Connection::open(out.join("corpus.sqlite")).expect("open database");
    let headline: String = conn
        .query_row("SELECT headline FROM articles WHERE id = 'p3-1'", [], |row| row.get(0))
        .expect("hostile article stored");
    assert_eq!(headline, format!("测试{HOSTILE}{TEMPLATE_SYNTAX}"), "stored verbatim, as data");
    assert_eq!(bundle::search(&conn, "alert(1)").expect("search").len(), 1);
}

#[test]
fn a_rebuild_drops_pages_of_articles_that_are_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let stale = out.join("site/articles/gone-1.html");
    std::fs::write(&stale, "old").expect("write stale page");
    fixtures::built(dir.path());
    assert!(!stale.exists());
}
