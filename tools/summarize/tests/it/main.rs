//! End-to-end tests of the `summarize` binary in both modes on fixture pages written as
//! artifacts into a temporary folder. Not a test of the upstream steps; the summaries of the
//! real pipeline are checked by xtask's end-to-end test, which builds them.

use std::path::{Path, PathBuf};
use std::process::Output;

use model::{Article, Figure, Page, Quote, Section};

const HOSTILE: &str = "<script>alert(1)</script>";
const TEMPLATE_SYNTAX: &str = "{{ 7*7 }}";

fn article(page: &str, headline: &str, district: Option<&str>, paragraphs: &[&str]) -> Article {
    Article {
        id: format!("{page}-1"),
        page: page.to_owned(),
        headline: headline.to_owned(),
        district: district.map(str::to_owned),
        sections: vec![Section { heading: None, paragraphs: paragraphs.iter().map(|p| p.to_string()).collect() }],
        ..Article::default()
    }
}

/// Made-up pages: an ordinary article with a figure, a quote and a dated event, and a hostile one.
fn pages() -> Vec<Page> {
    let mut a = article(
        "p1",
        "老街完成改造重新开街",
        Some("临江区"),
        &[
            "经过一年改造，老街于2025年9月28日重新开街，沿街店铺全部恢复营业。",
            "改造共修缮老建筑46幢，新增停车位300个。",
            "“老街的味道回来了。”在这里住了几十年的居民说。",
            "街道负责人表示，下一步将引入更多特色小店，让老街更有活力。",
        ],
    );
    a.figures = vec![Figure {
        text: "46幢".into(),
        value: 46.0,
        unit: "幢".into(),
        subject: Some("修缮老建筑".into()),
        sentence: "改造共修缮老建筑46幢，新增停车位300个。".into(),
        ..Figure::default()
    }];
    a.quotes = vec![Quote {
        speaker: Some("李华".into()),
        role: Some("居民".into()),
        text: "老街的味道回来了。".into(),
        ..Quote::default()
    }];
    let b = article(
        "p2",
        &format!("标题里有{HOSTILE}{TEMPLATE_SYNTAX}"),
        None,
        &[&format!("正文里也写着{HOSTILE}和{TEMPLATE_SYNTAX}这样的字样，它们只是文字。")],
    );
    [a, b]
        .into_iter()
        .map(|article| Page { id: article.page.clone(), articles: vec![article], ..Page::default() })
        .collect()
}

fn write_artifacts(dir: &Path, pages: &[Page]) -> Vec<PathBuf> {
    pages
        .iter()
        .map(|page| {
            let path = dir.join("in").join(format!("{}.json", page.id));
            model::io::write_page(&path, "extract", page).expect("write fixture");
            path
        })
        .collect()
}

/// Runs the binary in the folder above `out`: run in this package's folder, its default
/// templates folder (`templates`) would be the built-in templates given as overrides.
fn summarize(args: &[&str], out: &Path, inputs: &[PathBuf]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_summarize"))
        .current_dir(out.parent().expect("out has a parent"))
        .args(args)
        .arg("-o")
        .arg(out)
        .args(inputs)
        .output()
        .expect("run summarize")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every summary sentence occurs verbatim in the article's cleaned text.
fn assert_summaries_verbatim(page: &Page) {
    for article in &page.articles {
        let Some(summary) = &article.summary else { continue };
        for sentence in summarize::sentences::split(summary) {
            assert!(
                article.paragraphs().any(|p| p.contains(sentence.text)),
                "{}: summary sentence not in the body: {}",
                article.id,
                sentence.text
            );
            assert!(sentence.whole, "{}: fragment in summary: {}", article.id, sentence.text);
        }
    }
}

#[test]
fn every_summary_sentence_occurs_verbatim_in_its_article() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = write_artifacts(dir.path(), &pages());
    let output = summarize(&[], &dir.path().join("out"), &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let page = model::io::read_page(&dir.path().join("out/p1.json")).expect("read output");
    assert!(page.articles[0].summary.as_deref().is_some_and(|s| s.contains("重新开街")), "{page:?}");
    assert_summaries_verbatim(&page);
}

#[test]
fn briefings_are_written_and_page_text_stays_inert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = write_artifacts(dir.path(), &pages());
    let out = dir.path().join("briefing");
    let output = summarize(&["briefing"], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let brief = read(&out.join("articles/p1-1.md"));
    assert!(brief.starts_with("# 老街完成改造重新开街"), "{brief}");
    assert!(brief.contains("46幢") && brief.contains("李华"), "{brief}");
    let district = read(&out.join("districts/临江区.md"));
    assert!(district.contains("老街完成改造重新开街") && district.contains("修缮老建筑"), "{district}");
    let corpus = read(&out.join("corpus.md"));
    assert!(corpus.contains("2025年9月28日"), "the dated event is in the timeline:\n{corpus}");
    assert!(corpus.contains("### 李华"), "who said what:\n{corpus}");

    let hostile = read(&out.join("articles/p2-1.md"));
    assert!(!hostile.contains("<script>"), "raw HTML in Markdown:\n{hostile}");
    assert!(hostile.contains(r"\<script\>alert(1)\</script\>"), "escaped, shown as text:\n{hostile}");
    assert!(hostile.contains("{{ 7\\*7 }}") && !hostile.contains("49"), "not evaluated:\n{hostile}");
}

fn options_with_template(dir: &Path, name: &str, source: &str) -> PathBuf {
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).expect("create templates");
    std::fs::write(templates.join(name), source).expect("write template");
    let options = dir.join("options.json");
    std::fs::write(&options, serde_json::json!({ "templates": templates }).to_string()).expect("write options");
    options
}

#[test]
fn a_template_override_changes_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = write_artifacts(dir.path(), &pages());
    let options = options_with_template(dir.path(), "brief.md", "BRIEF {{ article.headline }}\n");
    let out = dir.path().join("briefing");
    let output = summarize(&["briefing", "--options", options.to_str().expect("utf-8")], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(read(&out.join("articles/p1-1.md")), "BRIEF 老街完成改造重新开街\n");
    assert!(read(&out.join("corpus.md")).starts_with("# 简报"), "other templates stay built-in");
}

#[test]
fn a_broken_template_names_its_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = write_artifacts(dir.path(), &pages());
    let options = options_with_template(dir.path(), "corpus.md", "# ok\n\n{% for x in %}\n");
    let output =
        summarize(&["briefing", "--options", options.to_str().expect("utf-8")], &dir.path().join("b"), &inputs);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!("{}:3:", dir.path().join("templates/corpus.md").display());
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn a_rerun_removes_briefs_of_articles_that_are_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = write_artifacts(dir.path(), &pages());
    let out = dir.path().join("briefing");
    let stale = out.join("articles/gone-1.md");
    std::fs::create_dir_all(stale.parent().expect("parent")).expect("create folder");
    std::fs::write(&stale, "old").expect("write stale brief");
    let output = summarize(&["briefing"], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!stale.exists() && out.join("articles/p1-1.md").exists());
}

#[test]
fn a_rerun_puts_back_a_deleted_brief_and_removes_a_stray_one() {
    // The second and third runs find the briefs' folder changed since the run before (a file
    // removed, a file added), which a run that finds it as it was left does not list.
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = write_artifacts(dir.path(), &pages());
    let out = dir.path().join("briefing");
    for _ in 0..2 {
        let output = summarize(&["briefing"], &out, &inputs);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let brief = out.join("articles/p2-1.md");
    let text = read(&brief);
    std::fs::remove_file(&brief).expect("delete a brief");
    let output = summarize(&["briefing"], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(read(&brief), text, "rendered again");
    let stray = out.join("articles/gone-1.md");
    std::fs::write(&stray, "old").expect("write a stray brief");
    let output = summarize(&["briefing"], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!stray.exists() && brief.exists());

    // A folder as the last run left it is not listed: the last run's briefs are what is there,
    // and those this run does not write are removed. (Made an hour old: a folder changed in the
    // last moments of a run is listed by the next, since its mtime is taken at a clock tick.)
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let folder = std::fs::File::open(out.join("articles")).expect("open the briefs' folder");
    folder.set_modified(an_hour_ago).expect("set the folder's mtime");
    let output = summarize(&["briefing"], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = summarize(&["briefing"], &out, &inputs[..1]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!brief.exists() && out.join("articles/p1-1.md").exists(), "the brief of a page gone is removed");
}

#[test]
fn a_rebuild_renders_only_changed_pages_and_matches_a_cold_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut fixture = pages();
    let inputs = write_artifacts(dir.path(), &fixture);
    let out = dir.path().join("briefing");
    let output = summarize(&["briefing", "--events"], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let events = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(events.lines().filter(|l| l.contains("\"event\":\"page\"")).count(), 2, "{events}");
    assert!(events.lines().last().is_some_and(|l| l.contains("\"peak_rss_kb\"")), "{events}");
    let untouched = out.join("articles/p2-1.md");
    let before = std::fs::metadata(&untouched).and_then(|m| m.modified()).expect("mtime");
    // The pages' shares are cached in one log with an index, not a file per page (an earlier
    // version's per-page file is removed).
    std::fs::write(out.join(".cache/p1.json"), "{}").expect("write an old cache file");

    fixture[0].articles[0].headline = "老街改造完工".into();
    let inputs = write_artifacts(dir.path(), &fixture);
    let output = summarize(&["briefing"], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(read(&out.join("articles/p1-1.md")).starts_with("# 老街改造完工"));
    let after = std::fs::metadata(&untouched).and_then(|m| m.modified()).expect("mtime");
    assert_eq!(before, after, "an unchanged page's brief is not rendered again");
    let mut cache: Vec<String> = std::fs::read_dir(out.join(".cache"))
        .expect("list the cache")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cache.sort();
    assert_eq!(cache, ["binary.txt", "districts.tsv", "index.bin", "layout.bin", "pages-1.log"]);

    let cold = dir.path().join("cold");
    let output = summarize(&["briefing"], &cold, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for file in ["corpus.md", "districts/临江区.md", "articles/p1-1.md"] {
        assert_eq!(read(&out.join(file)), read(&cold.join(file)), "{file}");
    }
}

#[test]
fn an_overridden_corpus_template_still_gets_every_row() {
    // The built-in corpus briefing is assembled from rendered parts; an override is rendered
    // whole and sees the events, speakers and districts as rows.
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = write_artifacts(dir.path(), &pages());
    let source = "{% for e in events %}{{ e.date.text }}|{{ e.headline }}\n{% endfor %}\
                  {% for s in speakers %}{{ s.speaker }}:{{ s.quotes | length }}\n{% endfor %}\
                  {% for d in districts %}{{ d.name }}={{ d.article_count }}/{{ d.figure_count }}\n{% endfor %}";
    let options = options_with_template(dir.path(), "corpus.md", source);
    let out = dir.path().join("briefing");
    let output = summarize(&["briefing", "--options", options.to_str().expect("utf-8")], &out, &inputs);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        read(&out.join("corpus.md")),
        "2025年9月28日|老街完成改造重新开街\n李华:1\n临江区=1/1\n未标注区县=1/0\n"
    );
    let district = read(&out.join("districts/临江区.md"));
    assert!(district.contains("| 46幢 | 修缮老建筑 |"), "the built-in district profile, rendered whole:\n{district}");
}

/// More invented pages: the fixture's two and four more in two districts, with quotes by the
/// same speaker on several pages and events on the same day.
fn more_pages() -> Vec<Page> {
    let mut pages = pages();
    for n in 3..7 {
        let district = if n % 2 == 0 { "临江区" } else { "东湖县" };
        let mut a = article(
            &format!("p{n}"),
            &format!("第{n}个社区开了食堂"),
            Some(district),
            &[
                &format!("2025年9月28日，第{n}个社区食堂开张，每天供应午餐{n}00份。"),
                "“饭菜可口，价格实惠。”一位老人说。",
            ],
        );
        a.quotes = vec![Quote {
            speaker: Some("李华".into()),
            role: Some("居民".into()),
            text: format!("第{n}家也不错。"),
            ..Quote::default()
        }];
        a.figures =
            vec![Figure {
                text: format!("{n}00份"), value: 100.0 * n as f64, unit: "份".into(), ..Figure::default()
            }];
        pages.push(Page { id: a.page.clone(), articles: vec![a], ..Page::default() });
    }
    pages
}

/// The briefing's files (not its cache), by path, read.
fn briefing_files(out: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["", "districts", "articles"] {
        let Ok(entries) = std::fs::read_dir(out.join(dir)) else { continue };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                let name = Path::new(dir).join(entry.file_name()).to_string_lossy().into_owned();
                files.push((name, read(&entry.path())));
            }
        }
    }
    files.sort();
    files
}

/// Flips a byte of the first `needle` in `file`.
fn flip_in(file: &Path, needle: &str) {
    let mut bytes = std::fs::read(file).expect("read the log");
    let at = bytes.windows(needle.len()).position(|w| w == needle.as_bytes()).expect("found in the log");
    bytes[at + 1] ^= 0x01;
    std::fs::write(file, bytes).expect("damage the log");
}

#[test]
fn a_damaged_cache_or_a_hand_edited_output_gives_the_right_briefings_not_garbage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut fixture = more_pages();
    let inputs = write_artifacts(dir.path(), &fixture);
    let out = dir.path().join("briefing");
    let run = |out: &Path, inputs: &[PathBuf]| {
        let output = summarize(&["briefing"], out, inputs);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    run(&out, &inputs);
    let log = out.join(".cache/pages-1.log");
    let cold = |inputs: &[PathBuf], name: &str| {
        let cold = dir.path().join(name);
        run(&cold, inputs);
        briefing_files(&cold)
    };

    // A part's byte (its record's body), with no layout to copy the old outputs by: the body
    // is read, does not match its hash, and every page is rendered again.
    flip_in(&log, "第5个社区开了食堂");
    std::fs::remove_file(out.join(".cache/layout.bin")).expect("remove the layout");
    fixture[0].articles[0].headline = "老街改造完工".into();
    let inputs = write_artifacts(dir.path(), &fixture);
    let stderr = run(&out, &inputs);
    assert!(stderr.contains("is damaged"), "{stderr}");
    let want = cold(&inputs, "cold-1");
    assert!(want.iter().any(|(_, text)| text.contains("第5个社区开了食堂")));
    assert_eq!(briefing_files(&out), want, "a damaged body");

    // A byte of a record's meta (what every run reads): that page is rendered again.
    let log = std::fs::read_dir(out.join(".cache"))
        .expect("list the cache")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "log"))
        .expect("a log");
    flip_in(&log, "东湖县");
    fixture[1].articles[0].headline = "另一个标题".into();
    let inputs = write_artifacts(dir.path(), &fixture);
    run(&out, &inputs);
    assert_eq!(briefing_files(&out), cold(&inputs, "cold-2"), "a damaged meta");

    // An output changed by hand (same length) is not copied from: its layout no longer holds.
    let corpus = out.join("corpus.md");
    let text = read(&corpus);
    std::fs::write(&corpus, text.replacen("李华", "张三", 1)).expect("edit corpus.md");
    fixture[2].articles[0].headline = "第3个社区的食堂扩建".into();
    let inputs = write_artifacts(dir.path(), &fixture);
    run(&out, &inputs);
    assert_eq!(briefing_files(&out), cold(&inputs, "cold-3"), "a hand-edited output");
}

#[test]
fn one_changed_page_at_a_time_keeps_the_briefings_equal_to_a_cold_build() {
    // Rebuilds copy what did not change from the last outputs: headlines, people, quotes,
    // districts and events change one page at a time, and a page goes and comes back.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut fixture = more_pages();
    let out = dir.path().join("briefing");
    let run = |out: &Path, inputs: &[PathBuf]| {
        let output = summarize(&["briefing"], out, inputs);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    run(&out, &write_artifacts(dir.path(), &fixture));
    for step in 0..6 {
        let n = step % fixture.len();
        let article = &mut fixture[n].articles[0];
        match step {
            0 => article.headline = "改过的标题".into(),
            1 => article.district = Some("新设区".into()),
            2 => article.quotes.push(Quote {
                speaker: Some("赵六".into()),
                text: "新的一句。".into(),
                ..Quote::default()
            }),
            3 => article.quotes.clear(),
            4 => article.sections[0].paragraphs.insert(0, "2024年1月2日，又一件事。".into()),
            _ => article.district = None,
        }
        let mut inputs = write_artifacts(dir.path(), &fixture);
        if step == 5 {
            inputs.remove(0);
        }
        if step == 3 {
            // A new log, whose offsets mean other bytes than the old layout's.
            std::fs::remove_file(out.join(".cache/index.bin")).expect("remove the index");
        }
        run(&out, &inputs);
        let cold = dir.path().join(format!("cold-{step}"));
        run(&cold, &inputs);
        assert_eq!(briefing_files(&out), briefing_files(&cold), "step {step}");
    }
}
