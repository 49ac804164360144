//! Fixture pages made up for these tests (not taken from the seeds or the gold data), and a
//! helper that runs the bundle binary on them.

use std::path::{Path, PathBuf};
use std::process::Output;

use model::{Article, Figure, Location, Page, Person, Quote, Section, Source};

/// A figure whose location is computed from its text in `paragraph`.
fn figure(paragraph: &str, text: &str, value: f64, unit: &str, subject: &str) -> Figure {
    let byte = paragraph.find(text).expect("fixture figure is in its paragraph");
    let start = paragraph[..byte].chars().count();
    Figure {
        text: text.to_owned(),
        value,
        unit: unit.to_owned(),
        subject: Some(subject.to_owned()),
        sentence: paragraph.to_owned(),
        location: Location { section: 0, paragraph: 0, start, end: start + text.chars().count() },
        ..Figure::default()
    }
}

fn article(page: &str, n: usize, headline: &str, district: &str, paragraphs: &[&str]) -> Article {
    Article {
        id: format!("{page}-{n}"),
        page: page.to_owned(),
        headline: headline.to_owned(),
        district: Some(district.to_owned()),
        sections: vec![Section { heading: None, paragraphs: paragraphs.iter().map(|p| p.to_string()).collect() }],
        ..Article::default()
    }
}

pub const HOSTILE: &str = "<script>alert(1)</script>";
pub const TEMPLATE_SYNTAX: &str = "{{ 7*7 }}";

/// Three pages: a 下沙 article with figures and a quote, a 西溪路 article, and a hostile one.
pub fn pages() -> Vec<Page> {
    let p1 = "下沙片区今年新增企业120家，营收达到8.5亿元。";
    let mut a = article("p1", 1, "下沙片区企业加速集聚", "钱塘区", &[p1, "园区负责人表示，将继续优化服务。"]);
    a.figures = vec![figure(p1, "120家", 120.0, "家", "新增企业"), figure(p1, "8.5亿元", 8.5e8, "元", "营收")];
    a.quotes = vec![Quote {
        speaker: Some("王明".into()),
        role: Some("园区负责人".into()),
        text: "服务要跟上企业的脚步。".into(),
        ..Quote::default()
    }];
    a.people = vec![Person { name: "王明".into(), role: Some("园区负责人".into()), sentence: String::new() }];
    a.summary = Some(p1.to_owned());

    let p2 = "西溪路沿线新开放三处街心花园，总面积约6000平方米。";
    let mut b = article("p2", 1, "沿街花园添绿意", "西湖区", &[p2]);
    b.figures = vec![figure(p2, "6000平方米", 6000.0, "平方米", "总面积")];

    let hostile_paragraph = format!("有人在留言中写下{HOSTILE}和{TEMPLATE_SYNTAX}这样的字样。");
    let c = article("p3", 1, &format!("测试{HOSTILE}{TEMPLATE_SYNTAX}"), "上城区", &[&hostile_paragraph]);

    [("p1", a), ("p2", b), ("p3", c)].into_iter().map(|(id, article)| page(id, vec![article])).collect()
}

/// A summarize artifact's page `id` holding `articles`, from a 100-byte text file.
pub fn page(id: &str, articles: Vec<Article>) -> Page {
    Page {
        id: id.to_owned(),
        source: Source {
            file: format!("{id}.txt"),
            format: "text".into(),
            encoding: "UTF-8".into(),
            bytes: 100,
            blake3: "00".repeat(32),
        },
        articles,
        ..Page::default()
    }
}

/// Writes `pages` as summarize artifacts into `dir/in` (emptied first), in order.
pub fn write_pages(dir: &Path, pages: &[Page]) -> Vec<PathBuf> {
    let input = dir.join("in");
    let _ = std::fs::remove_dir_all(&input);
    pages
        .iter()
        .map(|page| {
            let path = input.join(format!("{}.json", page.id));
            model::io::write_page(&path, "summarize", page).expect("write artifact");
            path
        })
        .collect()
}

/// Writes the fixture pages as summarize artifacts into `dir/in/`; returns their paths.
pub fn write_artifacts(dir: &Path) -> Vec<PathBuf> {
    write_pages(dir, &pages())
}

/// The fixed build time of the tests: 2026-09-21T14:13:20Z.
pub const EPOCH: &str = "1790000000";

/// Options with the archive on (`dir/archive.json`), which the tests' builds use unless they
/// pass options of their own.
pub fn archive_options(dir: &Path) -> PathBuf {
    let path = dir.join("archive.json");
    std::fs::write(&path, r#"{"archive": true}"#).expect("write options");
    path
}

/// Runs the bundle binary into `dir/out` with the given extra arguments (the archive on unless
/// they give `--options`).
pub fn run_bundle(dir: &Path, extra: &[&str]) -> Output {
    let inputs = write_artifacts(dir);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bundle"));
    command.env("SOURCE_DATE_EPOCH", EPOCH).arg("-o").arg(dir.join("out"));
    if !extra.contains(&"--options") {
        command.arg("--options").arg(archive_options(dir));
    }
    command.args(extra).args(&inputs).output().expect("run bundle")
}

/// Runs the bundle binary and insists that it succeeded; returns the output root.
pub fn built(dir: &Path) -> PathBuf {
    let output = run_bundle(dir, &[]);
    assert!(output.status.success(), "bundle failed: {}", String::from_utf8_lossy(&output.stderr));
    dir.join("out")
}
