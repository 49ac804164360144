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
    let mut data = vec![out.join("site/data/figures-data.js")];
    for entry in std::fs::read_dir(out.join("site/data/search")).expect("search data") {
        data.push(entry.expect("entry").path());
    }
    assert!(data.len() > 2, "{data:?}");
    for path in data {
        let text = std::fs::read_to_string(&path).expect("read data file");
        assert!(!text.contains("</script>"), "{}", path.display());
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

/// Rewrites fixture page `id` as an artifact in `dir/in/` with `edit` applied.
fn edit_page(dir: &std::path::Path, id: &str, edit: impl Fn(&mut model::Page)) {
    let mut page = fixtures::pages().into_iter().find(|p| p.id == id).expect("fixture page");
    edit(&mut page);
    model::io::write_page(&dir.join("in").join(format!("{id}.json")), "summarize", &page).expect("write artifact");
}

/// Runs the bundle on the artifacts already in `dir/in/` (all of them, or `only`).
fn rebuild(dir: &std::path::Path, only: Option<&[&str]>) -> std::path::PathBuf {
    let mut inputs: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("in"))
        .expect("inputs")
        .map(|e| e.expect("entry").path())
        .filter(|p| only.is_none_or(|ids| ids.iter().any(|id| p.ends_with(format!("{id}.json")))))
        .collect();
    inputs.sort();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bundle"))
        .env("SOURCE_DATE_EPOCH", fixtures::EPOCH)
        .arg("-o")
        .arg(dir.join("out"))
        .arg("--options")
        .arg(fixtures::archive_options(dir))
        .args(&inputs)
        .output()
        .expect("run bundle");
    assert!(output.status.success(), "bundle failed: {}", String::from_utf8_lossy(&output.stderr));
    dir.join("out")
}

#[test]
fn the_archive_is_written_only_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = dir.path().join("no-archive.json");
    std::fs::write(&options, "{}").expect("write options");
    let output = fixtures::run_bundle(dir.path(), &["--options", options.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let dist: Vec<_> = std::fs::read_dir(dir.path().join("out/dist")).expect("dist folder").collect();
    assert!(dist.is_empty(), "no archive without `archive = true`");
    let out = fixtures::built(dir.path());
    assert!(out.join("dist/newsdesk-2026-09-21.zip").is_file(), "the archive once asked for");
}

#[test]
fn one_changed_page_replaces_only_its_rows_and_outputs_match_a_cold_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let untouched = out.join("site/articles/p1-1.html");
    let before = std::fs::metadata(&untouched).and_then(|m| m.modified()).expect("mtime");
    edit_page(dir.path(), "p2", |page| {
        page.articles[0].headline = "沿街花园换新颜".into();
        page.articles[0].sections[0].paragraphs = vec!["拱墅区运河边新建口袋公园两处。".into()];
        page.articles[0].figures.clear();
    });
    let out2 = rebuild(dir.path(), None);
    assert_eq!(out, out2);
    let conn = rusqlite::Connection::open(out.join("corpus.sqlite")).expect("open database");
    assert!(hits(&conn, "西溪路").is_empty(), "the old text is gone from the index");
    assert_eq!(hits(&conn, "口袋公园"), vec!["p2-1"]);
    assert_eq!(hits(&conn, "运河"), vec!["p2-1"]);
    assert_eq!(hits(&conn, "下沙"), vec!["p1-1"], "other pages keep their rows");
    let figures: i64 = conn.query_row("SELECT count(*) FROM figures", [], |r| r.get(0)).expect("count");
    assert_eq!(figures, 2);
    let after = std::fs::metadata(&untouched).and_then(|m| m.modified()).expect("mtime");
    assert_eq!(before, after, "an unchanged page's article page is not rewritten");
    // The same inputs built cold give the same dataset and site data.
    let cold = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(cold.path().join("in")).expect("mkdir");
    for entry in std::fs::read_dir(dir.path().join("in")).expect("inputs") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, cold.path().join("in").join(path.file_name().expect("name"))).expect("copy");
    }
    let cold_out = rebuild(cold.path(), None);
    for file in ["data/articles.jsonl", "data/figures.csv", "site/index.html", "site/data/search/meta.js"] {
        let warm = std::fs::read(out.join(file)).expect("read");
        let fresh = std::fs::read(cold_out.join(file)).expect("read");
        assert!(warm == fresh, "{file} differs between the incremental and the cold build");
    }
    every_manifest_entry_verifies(&out);
}

fn every_manifest_entry_verifies(out: &std::path::Path) {
    let manifest: bundle::manifest::Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("read manifest")).expect("parse");
    for file in &manifest.files {
        let bytes = std::fs::read(out.join(&file.path)).expect("read listed file");
        assert_eq!(blake3::hash(&bytes).to_hex().as_str(), file.blake3, "{}", file.path);
    }
    let archive = out.join("dist").join("newsdesk-2026-09-21.zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).expect("open archive")).expect("read archive");
    for file in &manifest.files {
        if file.path.starts_with("in/") {
            continue;
        }
        let mut entry = zip.by_name(&format!("newsdesk-2026-09-21/{}", file.path)).expect("entry in archive");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read entry");
        assert_eq!(blake3::hash(&bytes).to_hex().as_str(), file.blake3, "archived {}", file.path);
    }
}

#[test]
fn a_page_left_out_loses_its_rows_pages_and_search_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::built(dir.path());
    let out = rebuild(dir.path(), Some(&["p1", "p2"]));
    let conn = rusqlite::Connection::open(out.join("corpus.sqlite")).expect("open database");
    let pages: i64 = conn.query_row("SELECT count(*) FROM pages", [], |r| r.get(0)).expect("count");
    assert_eq!(pages, 2);
    assert!(bundle::search(&conn, "alert(1)").expect("search").is_empty());
    assert!(!out.join("site/articles/p3-1.html").exists());
    let jsonl = std::fs::read_to_string(out.join("data/articles.jsonl")).expect("read");
    assert_eq!(jsonl.lines().count(), 2);
    every_manifest_entry_verifies(&out);
}

#[test]
fn the_search_page_loads_a_small_index_whose_shards_name_the_blocks_of_a_term() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let search = out.join("site/data/search");
    let meta = std::fs::read_to_string(search.join("meta.js")).expect("meta");
    assert!(meta.starts_with("window.NEWSDESK_SEARCH_META = {") && meta.contains("\"articles\":3"), "{meta}");
    // 下 U+4E0B, 沙 U+6C99: the shard search.js computes.
    let shard = (0x4E0B * 31 + 0x6C99) % 256;
    let terms = std::fs::read_to_string(search.join(format!("terms-{shard:02x}.js"))).expect("shard");
    assert!(terms.contains("\"下沙\":[0]"), "{terms}");
    let block = meta.split("\"blocks\":[\"").nth(1).and_then(|s| s.split('"').next()).expect("a block name");
    let docs = std::fs::read_to_string(search.join(format!("{block}.js"))).expect("block");
    assert!(docs.contains("下沙片区企业加速集聚") && docs.contains("articles/p1-1.html"));
    assert!(!search.join("../search-index.js").exists(), "no file with every text is loaded up front");
}

#[test]
fn the_database_keeps_each_body_once_and_new_contract_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    edit_page(dir.path(), "p1", |page| {
        page.articles[0].subtitle = Some("园区服务再升级".into());
        page.articles[0].province = Some("浙江省".into());
        page.articles[0].city = Some("杭州市".into());
        page.articles[0].figures[0].period_start = Some("2026-01-01".into());
        page.articles[0].figures[0].period_end = Some("2026-12-31".into());
    });
    for id in ["p2", "p3"] {
        edit_page(dir.path(), id, |_| {});
    }
    let out = rebuild(dir.path(), None);
    let conn = rusqlite::Connection::open(out.join("corpus.sqlite")).expect("open database");
    let (subtitle, city): (String, String) = conn
        .query_row("SELECT subtitle, city FROM articles WHERE id = 'p1-1'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("row");
    assert_eq!((subtitle.as_str(), city.as_str()), ("园区服务再升级", "杭州市"));
    let period: String =
        conn.query_row("SELECT period_end FROM figures WHERE text = '120家'", [], |r| r.get(0)).expect("figure");
    assert_eq!(period, "2026-12-31");
    let texts: Vec<String> = conn
        .prepare("SELECT text FROM paragraphs WHERE article_id = 'p1-1' ORDER BY paragraph")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(texts, fixtures::pages()[0].articles[0].sections[0].paragraphs);
    let jsonl = std::fs::read_to_string(out.join("data/articles.jsonl")).expect("read");
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().expect("a line")).expect("json");
    assert_eq!(first["subtitle"], "园区服务再升级");
    assert_eq!(first["province"], "浙江省");
    let csv = std::fs::read_to_string(out.join("data/figures.csv")).expect("read");
    assert!(csv.contains("2026-01-01,2026-12-31"), "{csv}");
    let page = std::fs::read_to_string(out.join("site/articles/p1-1.html")).expect("page");
    assert!(page.contains("园区服务再升级") && page.contains("浙江省杭州市"), "{page}");
}

/// The texts of one query's rows, in order.
fn texts(conn: &rusqlite::Connection, sql: &str) -> Vec<Option<String>> {
    let mut statement = conn.prepare(sql).expect("prepare");
    statement.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("rows")
}

#[test]
fn texts_stored_as_spans_of_the_body_come_back_whole_and_others_are_kept_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    edit_page(dir.path(), "p1", |page| {
        let article = &mut page.articles[0];
        let second = article.sections[0].paragraphs[1].clone();
        // Two sentences from different paragraphs; a sentence found only in the headline.
        article.summary = Some(format!("{}{second}", article.sections[0].paragraphs[0]));
        article.people[0].sentence = second;
        article.places = vec![model::Place {
            name: "下沙".into(),
            kind: "street".into(),
            code: None,
            sentence: article.headline.clone(),
        }];
    });
    for id in ["p2", "p3"] {
        edit_page(dir.path(), id, |_| {});
    }
    let out = rebuild(dir.path(), None);
    let conn = rusqlite::Connection::open(out.join("corpus.sqlite")).expect("open database");
    let summary = "下沙片区今年新增企业120家，营收达到8.5亿元。园区负责人表示，将继续优化服务。";
    assert_eq!(texts(&conn, "SELECT summary FROM articles WHERE id = 'p1-1'"), vec![Some(summary.to_owned())]);
    let spans = texts(&conn, "SELECT summary_spans FROM article_rows WHERE id = 'p1-1'");
    assert_eq!(spans, vec![Some("[[0,25],[27,16]]".to_owned())], "stored as spans, not as text");
    assert_eq!(texts(&conn, "SELECT summary FROM articles WHERE id = 'p2-1'"), vec![None], "no summary stays NULL");
    assert_eq!(
        texts(&conn, "SELECT sentence FROM figures WHERE article_id = 'p1-1' ORDER BY item"),
        vec![Some("下沙片区今年新增企业120家，营收达到8.5亿元。".to_owned()); 2]
    );
    assert_eq!(
        texts(&conn, "SELECT sentence FROM people WHERE article_id = 'p1-1'"),
        vec![Some("园区负责人表示，将继续优化服务。".to_owned())]
    );
    assert_eq!(texts(&conn, "SELECT sentence FROM places"), vec![Some("下沙片区企业加速集聚".to_owned())]);
    assert_eq!(texts(&conn, "SELECT sentence_text FROM place_rows"), vec![Some("下沙片区企业加速集聚".to_owned())]);
    assert_eq!(texts(&conn, "SELECT text FROM quotes"), vec![Some("服务要跟上企业的脚步。".to_owned())]);
}

#[test]
fn a_dataset_file_edited_by_hand_is_rebuilt_from_the_fragments_not_spliced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let cold_jsonl = std::fs::read(out.join("data/articles.jsonl")).expect("read");
    let cold_csv = std::fs::read(out.join("data/quotes.csv")).expect("read");
    // The same length, other bytes: only the file's stamp tells the layout no longer fits.
    std::fs::write(out.join("data/articles.jsonl"), vec![b'x'; cold_jsonl.len()]).expect("overwrite");
    std::fs::write(out.join("data/quotes.csv"), b"edited").expect("overwrite");
    edit_page(dir.path(), "p2", |page| page.articles[0].headline = "沿街花园换新颜".into());
    let out = rebuild(dir.path(), None);
    let jsonl = std::fs::read_to_string(out.join("data/articles.jsonl")).expect("read");
    assert_eq!(jsonl.lines().count(), String::from_utf8_lossy(&cold_jsonl).lines().count());
    assert!(!jsonl.contains("xxxx") && jsonl.contains("沿街花园换新颜"), "{jsonl}");
    for line in jsonl.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every line is JSON");
    }
    assert_eq!(std::fs::read(out.join("data/quotes.csv")).expect("read"), cold_csv, "an unchanged table is rewritten");
    every_manifest_entry_verifies(&out);
}

/// Replaces `path` by a new file (written beside it and renamed), as every pipeline step writes.
fn replace_file(path: &std::path::Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp-new");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

#[test]
fn the_manifest_follows_files_other_steps_add_replace_and_remove_between_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    // Another step's folder appears, its files are replaced and removed across runs; the
    // manifest of each run has them as they are, though unchanged folders are not listed again.
    let other = out.join("notes");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::write(other.join("a.json"), "一").expect("write");
    std::fs::write(other.join("b.json"), "二").expect("write");
    let listed = |out: &std::path::Path| -> Vec<(String, String)> {
        let manifest: bundle::manifest::Manifest =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("read manifest")).expect("parse");
        manifest.files.into_iter().filter(|f| f.path.starts_with("notes/")).map(|f| (f.path, f.blake3)).collect()
    };
    let hash = |text: &str| blake3::hash(text.as_bytes()).to_hex().to_string();
    let out = rebuild(dir.path(), None);
    assert_eq!(listed(&out), [("notes/a.json".to_owned(), hash("一")), ("notes/b.json".to_owned(), hash("二"))]);
    every_manifest_entry_verifies(&out);
    replace_file(&other.join("a.json"), "三".as_bytes());
    let out = rebuild(dir.path(), None);
    assert_eq!(listed(&out), [("notes/a.json".to_owned(), hash("三")), ("notes/b.json".to_owned(), hash("二"))]);
    std::fs::remove_file(other.join("b.json")).expect("remove");
    let out = rebuild(dir.path(), None);
    assert_eq!(listed(&out), [("notes/a.json".to_owned(), hash("三"))]);
    // A run that stopped before saving its listing leaves none: the next one looks at every file
    // (here one rewritten in place, which only a listing of its folder notices).
    std::fs::write(other.join("a.json"), "四").expect("overwrite");
    std::fs::remove_file(out.join(".state/bundle/files.tsv")).expect("remove listing");
    let out = rebuild(dir.path(), None);
    assert_eq!(listed(&out), [("notes/a.json".to_owned(), hash("四"))]);
    every_manifest_entry_verifies(&out);
}
