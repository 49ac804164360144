//! An incremental bundle equals a cold one: after each kind of change (a page's text, a page
//! gone, a page added, pages in another order, state files lost or outputs damaged), every file
//! under `data/` and `site/`, the database's rows, its full-text answers and the manifest's file
//! list are what a cold build of the same inputs makes. The corpus is invented text over more
//! pages than one search block holds, so blocks and term shards are replaced one by one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::fixtures::write_pages;
use model::{Article, Figure, Location, Page, Quote, Section};

/// Characters the invented text is made of (no real article's text).
const CHARACTERS: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别手角期根论运农指几九区强放决西被干做必战先回则任取据处府研";

const DISTRICTS: [Option<&str>; 4] = [Some("钱塘区"), Some("西湖区"), None, Some("上城区")];

/// A deterministic stream of numbers (xorshift), so the invented corpus is the same every run.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }

    fn text(&mut self, length: usize) -> String {
        let characters: Vec<char> = CHARACTERS.chars().collect();
        let mut text: String = (0..length).map(|_| characters[self.next(characters.len())]).collect();
        text.push('。');
        text
    }
}

/// Page `n` of the invented corpus, with `version` changing its text.
fn page(n: usize, version: u64) -> Page {
    let id = format!("page{n:03}");
    let mut numbers = Numbers(0x9E37_79B9_7F4A_7C15 ^ (n as u64 * 7919 + version * 104_729));
    let articles = (1..=1 + numbers.next(3))
        .map(|a| {
            let count = 1 + numbers.next(3);
            let paragraphs: Vec<String> = (0..count)
                .map(|_| {
                    let length = 20 + numbers.next(60);
                    numbers.text(length)
                })
                .collect();
            let first = paragraphs[0].clone();
            let figure_text = format!("{}家", 10 + numbers.next(900));
            let paragraphs: Vec<String> = std::iter::once(format!("新增企业{figure_text}。{first}"))
                .chain(paragraphs.into_iter().skip(1))
                .collect();
            Article {
                id: format!("{id}-{a}"),
                page: id.clone(),
                headline: {
                    let length = 6 + numbers.next(10);
                    numbers.text(length)
                },
                district: DISTRICTS[numbers.next(DISTRICTS.len())].map(str::to_owned),
                figures: vec![Figure {
                    text: figure_text.clone(),
                    value: 1.0,
                    unit: "家".into(),
                    sentence: format!("新增企业{figure_text}。"),
                    location: Location { section: 0, paragraph: 0, start: 4, end: 4 + figure_text.chars().count() },
                    ..Figure::default()
                }],
                quotes: vec![Quote { speaker: Some("王明".into()), text: numbers.text(10), ..Quote::default() }],
                summary: Some(paragraphs[0].clone()),
                sections: vec![Section { heading: None, paragraphs }],
                ..Article::default()
            }
        })
        .collect();
    crate::fixtures::page(&id, articles)
}

/// Runs the bundle into `dir/out` on `inputs`, in that order.
fn bundle(dir: &Path, inputs: &[PathBuf]) -> PathBuf {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bundle"))
        .env("SOURCE_DATE_EPOCH", crate::fixtures::EPOCH)
        .arg("-o")
        .arg(dir.join("out"))
        .args(inputs)
        .output()
        .expect("run bundle");
    assert!(output.status.success(), "bundle failed: {}", String::from_utf8_lossy(&output.stderr));
    dir.join("out")
}

/// Every file under `root`'s `data/` and `site/`, by relative path.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.join("data"), root.join("site")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("inside").to_string_lossy().into_owned();
                out.insert(relative, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// The database as a reader sees it: every view's rows (article numbers left out, since a
/// changed page's articles are numbered anew), and the articles each bigram of the corpus finds.
fn database(root: &Path, pages: &[Page]) -> Vec<String> {
    let conn = rusqlite::Connection::open(root.join("corpus.sqlite")).expect("open database");
    conn.execute_batch("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')").expect("index consistent");
    let mut out = Vec::new();
    for view in
        ["pages", "articles", "paragraphs", "captions", "figures", "quotes", "people", "places", "organizations"]
    {
        let mut statement = conn.prepare(&format!("SELECT * FROM {view}")).expect("prepare");
        let columns: Vec<String> = statement.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows: Vec<String> = statement
            .query_map([], |row| {
                let mut cells = Vec::new();
                for (i, column) in columns.iter().enumerate() {
                    if column != "n" {
                        cells.push(match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                            other => format!("{other:?}"),
                        });
                    }
                }
                Ok(format!("{view}: {}", cells.join(" | ")))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        rows.sort();
        out.extend(rows);
    }
    let mut terms: Vec<String> = Vec::new();
    for page in pages {
        for article in &page.articles {
            let text: Vec<char> = article.headline.chars().collect();
            terms.extend(text.windows(2).map(|w| w.iter().collect::<String>()));
        }
    }
    terms.sort();
    terms.dedup();
    for term in terms {
        let hits: Vec<String> =
            bundle::search(&conn, &term).expect("search").into_iter().map(|h| h.article_id).collect();
        out.push(format!("search {term}: {hits:?}"));
    }
    out
}

/// The manifest's files (path, size, hash), less the database, whose bytes depend on its
/// history (row numbers, free pages), not on what it holds.
fn manifest_files(root: &Path) -> Vec<(String, u64, String)> {
    let manifest: bundle::manifest::Manifest =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).expect("read manifest")).expect("parse");
    manifest
        .files
        .into_iter()
        .filter(|f| f.path != "corpus.sqlite" && !f.path.starts_with("in/"))
        .map(|f| (f.path, f.bytes, f.blake3))
        .collect()
}

/// Builds `pages` incrementally in `warm` (whatever it holds) and cold in a new folder, and
/// insists that they agree.
fn assert_same_as_cold(warm: &Path, pages: &[Page], what: &str) {
    let inputs = write_pages(warm, pages);
    let warm_out = bundle(warm, &inputs);
    let cold = tempfile::tempdir().expect("tempdir");
    let cold_inputs = write_pages(cold.path(), pages);
    let cold_out = bundle(cold.path(), &cold_inputs);
    let (warm_files, cold_files) = (files(&warm_out), files(&cold_out));
    let warm_names: Vec<&String> = warm_files.keys().collect();
    let cold_names: Vec<&String> = cold_files.keys().collect();
    assert_eq!(warm_names, cold_names, "{what}: the incremental build has other files");
    for (name, bytes) in &warm_files {
        assert!(bytes == &cold_files[name], "{what}: {name} differs from a cold build's");
    }
    let (warm_rows, cold_rows) = (database(&warm_out, pages), database(&cold_out, pages));
    let differing: Vec<(&String, &String)> = warm_rows.iter().zip(&cold_rows).filter(|(w, c)| w != c).take(3).collect();
    assert!(warm_rows.len() == cold_rows.len() && differing.is_empty(), "{what}: the database differs: {differing:#?}");
    assert_eq!(manifest_files(&warm_out), manifest_files(&cold_out), "{what}: the manifest differs");
}

#[test]
fn every_incremental_build_equals_a_cold_build_of_the_same_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let warm = dir.path();
    // 70 pages: three search blocks, the last one not full.
    let mut pages: Vec<Page> = (0..70).map(|n| page(n, 0)).collect();
    assert_same_as_cold(warm, &pages, "the first build");

    pages[3] = page(3, 1);
    assert_same_as_cold(warm, &pages, "one page's text changed");

    pages[40].articles[0].district = Some("拱墅区".into());
    pages[40].articles[0].headline.push_str("新标题");
    assert_same_as_cold(warm, &pages, "a district and a headline changed");

    pages.remove(10);
    assert_same_as_cold(warm, &pages, "a page gone");

    pages.push(page(70, 0));
    pages.insert(5, page(71, 0));
    assert_same_as_cold(warm, &pages, "pages added, one in the middle");

    pages.swap(0, 68);
    assert_same_as_cold(warm, &pages, "pages in another order");

    for page in &mut pages[20..24] {
        page.articles.truncate(1);
        page.articles[0].sections[0].paragraphs.push("下沙新增口袋公园两处。".into());
    }
    assert_same_as_cold(warm, &pages, "several pages of one block changed");
}

#[test]
fn lost_state_or_damaged_outputs_are_rebuilt_to_what_a_cold_build_makes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let warm = dir.path();
    let mut pages: Vec<Page> = (0..40).map(|n| page(n, 0)).collect();
    assert_same_as_cold(warm, &pages, "the first build");
    let out = warm.join("out");
    let search = out.join("site/data/search");

    // A term shard deleted, another overwritten by hand, the record of the shards' blocks lost
    // (as when a run is killed while rewriting shards): the next run rewrites them all.
    std::fs::remove_file(search.join("terms-00.js")).expect("remove shard");
    std::fs::write(search.join("terms-01.js"), "edited").expect("overwrite shard");
    std::fs::remove_file(out.join(".state/bundle/search/shards.json")).expect("remove record");
    pages[1] = page(1, 1);
    assert_same_as_cold(warm, &pages, "shard record lost");

    // A shard deleted, another edited, while the record is there: those are written again.
    std::fs::remove_file(search.join("terms-7f.js")).expect("remove shard");
    std::fs::write(search.join("terms-80.js"), "edited").expect("overwrite shard");
    assert_same_as_cold(warm, &pages, "a shard deleted and one edited");

    // The index page edited by hand, and a page changed in its body only (its index rows, and
    // so the index page, stay as they were).
    std::fs::write(out.join("site/index.html"), "edited").expect("overwrite index");
    pages[2].articles[0].sections[0].paragraphs.push("下沙新增口袋公园两处。".into());
    assert_same_as_cold(warm, &pages, "the index page edited");
    pages[2].articles[0].sections[0].paragraphs.push("运河边新开放三处街心花园。".into());
    let index = out.join("site/index.html");
    let before = std::fs::metadata(&index).and_then(|m| m.modified()).expect("mtime");
    assert_same_as_cold(warm, &pages, "a body changed");
    let after = std::fs::metadata(&index).and_then(|m| m.modified()).expect("mtime");
    assert_eq!(before, after, "an index page whose rows did not change is not rewritten");

    // The saved stat cache and the dataset's layout lost.
    std::fs::remove_file(out.join(".state/bundle/hashes.tsv")).expect("remove hashes");
    std::fs::remove_file(out.join(".state/bundle/layout.json")).expect("remove layout");
    pages[30] = page(30, 2);
    assert_same_as_cold(warm, &pages, "stat cache and layout lost");

    // The fragments' meta lines and the manifest's listing lost (as after a killed run): the
    // fragments are read and every folder listed again.
    std::fs::remove_file(out.join(".state/bundle/metas.tsv")).expect("remove metas");
    std::fs::remove_file(out.join(".state/bundle/files.tsv")).expect("remove listing");
    pages[31] = page(31, 2);
    assert_same_as_cold(warm, &pages, "meta lines and listing lost");
}

#[test]
fn a_changed_index_template_renders_the_index_again_though_no_page_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pages: Vec<Page> = (0..5).map(|n| page(n, 0)).collect();
    let inputs = write_pages(dir.path(), &pages);
    let out = bundle(dir.path(), &inputs);
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).expect("mkdir");
    std::fs::write(templates.join("index.html"), "<p>自定义首页 {{ article_count }}</p>").expect("write template");
    let options = dir.path().join("options.json");
    std::fs::write(&options, serde_json::json!({ "templates": templates }).to_string()).expect("write options");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bundle"))
        .env("SOURCE_DATE_EPOCH", crate::fixtures::EPOCH)
        .arg("-o")
        .arg(&out)
        .arg("--options")
        .arg(&options)
        .args(&inputs)
        .output()
        .expect("run bundle");
    assert!(output.status.success(), "bundle failed: {}", String::from_utf8_lossy(&output.stderr));
    let articles: usize = pages.iter().map(|p| p.articles.len()).sum();
    let index = std::fs::read_to_string(out.join("site/index.html")).expect("read index");
    assert_eq!(index, format!("<p>自定义首页 {articles}</p>"));
}
