//! The bodies of the fuzz targets, one function per target over arbitrary bytes. Each must not
//! panic, and checks the promises of its parser on whatever it gets:
//!
//! - `split_page`: page bytes (text or HTML, any encoding) decode or fail with an error, never a
//!   panic; a decoded page is split with every non-whitespace character accounted for.
//! - `clean_page`: clean on a page built from the text's lines (any shape of page, split's output one
//!   of them); clean changes only whitespace of the body. (Split then clean ran a tenth as fast
//!   for split's cost, which `split_page` fuzzes; the proptest in clean's tests splits first.)
//! - `figures`: every figure's value is finite and `value <= value_max`.
//! - `periods`, `people`: the period parser and people/quote finder on any text.
//! - `pipeline_config`, `sources_config`: the two TOML configuration parsers (xtask's and
//!   fetch's, included by path so no HTTP stack is built) accept or refuse with a located error.
//!
//! It does no IO except `replay_args`, which reads the files it is given.

use std::sync::OnceLock;

/// fetch's calendar, needed by its sources parser (`crate::dates`).
#[path = "../../tools/fetch/src/dates.rs"]
#[allow(dead_code)]
pub mod dates;

/// fetch's sources parser, as the binary uses it.
#[path = "../../tools/fetch/src/sources.rs"]
#[allow(dead_code)]
pub mod sources;

/// xtask's pipeline configuration parser.
#[path = "../../xtask/src/config.rs"]
#[allow(dead_code)]
pub mod pipeline;

fn splitter() -> &'static split::Splitter {
    static SPLITTER: OnceLock<split::Splitter> = OnceLock::new();
    SPLITTER.get_or_init(split::Splitter::default)
}

fn cleaner() -> &'static clean::Cleaner {
    static CLEANER: OnceLock<clean::Cleaner> = OnceLock::new();
    CLEANER.get_or_init(clean::Cleaner::default)
}

fn extract_lexicon() -> &'static extract::lexicon::Lexicon {
    static LEXICON: OnceLock<extract::lexicon::Lexicon> = OnceLock::new();
    LEXICON.get_or_init(extract::lexicon::Lexicon::builtin)
}

/// The first byte picks the file name (text or HTML), the rest is the page.
pub fn split_page(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let name = if pick % 2 == 0 { "page.txt" } else { "page.html" };
    let Ok((text, _source)) = split::page_text(name, bytes) else { return };
    let (page, _layout) = split::split_text("page", &text, splitter());
    if !split::is_html(name, &text) {
        let (want, got) = (split::accounting::text_counts(&text), split::accounting::page_counts(&page));
        assert!(want == got, "characters lost or added: {:?}", split::accounting::differences(&want, &got));
    }
}

fn body_chars(page: &model::Page) -> Vec<char> {
    page.articles
        .iter()
        .flat_map(|a| a.sections.iter())
        .flat_map(|s| s.paragraphs.iter())
        .flat_map(|p| p.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A page built straight from the text, without split, so that clean is fuzzed on any shape of
/// page (split's output is one of them) at the speed of clean alone: a line `= H` opens an
/// article with headline `H`, `# H` a section with heading `H`, `! C` adds a caption; blank
/// lines end a paragraph, other lines join the current paragraph with their line breaks, as
/// split keeps a printed block's.
pub fn page_of_lines(text: &str) -> model::Page {
    let mut articles: Vec<model::Article> = Vec::new();
    let mut paragraph: Option<String> = None;
    fn article(articles: &mut Vec<model::Article>) -> &mut model::Article {
        if articles.is_empty() {
            articles.push(model::Article { id: "page-1".into(), ..model::Article::default() });
        }
        articles.last_mut().expect("an article")
    }
    fn close(articles: &mut Vec<model::Article>, paragraph: &mut Option<String>) {
        if let Some(text) = paragraph.take() {
            let article = article(articles);
            if article.sections.is_empty() {
                article.sections.push(model::Section::default());
            }
            article.sections.last_mut().expect("a section").paragraphs.push(text);
        }
    }
    for line in text.split('\n') {
        if let Some(headline) = line.strip_prefix("= ") {
            close(&mut articles, &mut paragraph);
            let id = format!("page-{}", articles.len() + 1);
            articles.push(model::Article { id, headline: headline.to_owned(), ..model::Article::default() });
        } else if let Some(heading) = line.strip_prefix("# ") {
            close(&mut articles, &mut paragraph);
            let section = model::Section { heading: Some(heading.to_owned()), paragraphs: Vec::new() };
            article(&mut articles).sections.push(section);
        } else if let Some(caption) = line.strip_prefix("! ") {
            close(&mut articles, &mut paragraph);
            article(&mut articles).captions.push(model::Caption { text: caption.to_owned(), credit: None });
        } else if line.trim().is_empty() {
            close(&mut articles, &mut paragraph);
        } else {
            match &mut paragraph {
                Some(text) => {
                    text.push('\n');
                    text.push_str(line);
                }
                None => paragraph = Some(line.to_owned()),
            }
        }
    }
    close(&mut articles, &mut paragraph);
    model::Page { id: "page".into(), articles, ..model::Page::default() }
}

/// Clean on a page of any shape (`page_of_lines`): only whitespace of the body changes.
pub fn clean(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let page = page_of_lines(&text);
    let before = body_chars(&page);
    let cleaned = clean::clean_page(page, cleaner());
    assert_eq!(before, body_chars(&cleaned), "clean changed more than whitespace");
}

/// Figures of one paragraph: finite values, `value <= value_max`.
pub fn figures(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for figure in extract::figures::figures_in_paragraph(&text, 0, 0, extract_lexicon()) {
        assert!(figure.value.is_finite(), "value {} of {:?}", figure.value, figure.text);
        if let Some(max) = figure.value_max {
            assert!(max.is_finite() && figure.value <= max, "{} > {max} in {:?}", figure.value, figure.text);
        }
    }
}

/// The period parser and the period finder of the figure scanner.
pub fn periods(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let base = jiff::civil::date(2023, 7, 1);
    let lexicon = extract_lexicon();
    let _ = extract::periods::resolve(&text, Some(base), lexicon);
    let _ = extract::periods::resolve(&text, None, lexicon);
    let chars: Vec<char> = text.chars().collect();
    let _ = extract::periods::period_len(&chars, lexicon);
    let _ = extract::periods::page_date(&text);
    let _ = extract::periods::dateline_date(&text, base);
    for (start, end) in extract::figures::periods(&chars, 0, chars.len(), lexicon) {
        assert!(start <= end && end <= chars.len(), "period {start}..{end} outside 0..{}", chars.len());
    }
}

/// People and quotes over paragraphs split at newlines.
pub fn people(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let paragraphs = text.split('\n').enumerate().map(|(i, p)| (0, i, p));
    let _ = extract::people::people_and_quotes(paragraphs, &[], extract_lexicon());
    let chars: Vec<char> = text.chars().collect();
    let _ = extract::people::mentions(&chars, extract_lexicon());
}

/// A configuration error's line and column name a place in `text` (a column may be just past
/// the end of its line).
fn assert_inside(text: &str, line: usize, column: usize, error: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    assert!((1..=lines.len()).contains(&line), "line {line} of {} in {error:?}", lines.len());
    let width = lines[line - 1].chars().count();
    assert!((1..=width + 1).contains(&column), "column {column} of a line of {width} in {error:?}");
}

/// xtask's `config/pipeline.toml` parser: an error is `pipeline.toml:LINE:COLUMN: ...` inside the
/// text, or `pipeline.toml: ...` for one about the whole file.
pub fn pipeline_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Err(err) = pipeline::parse(std::path::Path::new("pipeline.toml"), text) else { return };
    let error = format!("{err:#}");
    let rest = error.strip_prefix("pipeline.toml:").unwrap_or_else(|| panic!("the file is not named: {error:?}"));
    let mut parts = rest.splitn(3, ':');
    if let (Some(Ok(line)), Some(Ok(column))) =
        (parts.next().map(str::parse::<usize>), parts.next().map(str::parse::<usize>))
    {
        assert_inside(text, line, column, &error);
    }
}

/// fetch's `config/sources.toml` parser and planner: an error's position is inside the text.
pub fn sources_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match sources::parse(text) {
        Ok(parsed) => {
            let _ = sources::plan(&parsed, dates::Date::parse("2026-06-02").expect("a date"));
        }
        Err(err) => assert_inside(text, err.line, err.column, &err.to_string()),
    }
}

/// Runs `target` over every file named on the command line (a crasher, a corpus folder's files).
pub fn replay_args(target: fn(&[u8])) {
    for arg in std::env::args_os().skip(1) {
        let path = std::path::PathBuf::from(arg);
        let files: Vec<std::path::PathBuf> = if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(&path)
                .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            files.sort();
            files
        } else {
            vec![path]
        };
        for file in files {
            match std::fs::read(&file) {
                Ok(bytes) => {
                    target(&bytes);
                    println!("ok {}", file.display());
                }
                Err(err) => eprintln!("{}: {err}", file.display()),
            }
        }
    }
}
