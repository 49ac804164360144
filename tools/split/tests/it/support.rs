//! Shared test helpers: the splitter with the shipped model, the one `check` that
//! compares a rendering with its `.expect` file, and the page rendering itself.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use model::{Article, Page};
use split::Splitter;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The splitter with built-in lexicons and the shipped model, built once.
pub fn splitter() -> &'static Splitter {
    static SPLITTER: OnceLock<Splitter> = OnceLock::new();
    SPLITTER.get_or_init(Splitter::default)
}

/// Files of a folder with one of the extensions, sorted.
pub fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e)))
        .collect();
    paths.sort();
    paths
}

/// Compares `actual` with the file `expect`; with `UPDATE_EXPECT=1` rewrites it instead.
pub fn check(actual: &str, expect: &Path) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(expect, actual).expect("write expect file");
        return;
    }
    let expected = std::fs::read_to_string(expect).unwrap_or_default();
    if expected != actual {
        panic!(
            "{} differs (UPDATE_EXPECT=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
            expect.display()
        );
    }
}

/// A page for people: every field a fixture is about.
pub fn render(page: &Page) -> String {
    let mut out = format!("source: {} {} {} bytes\n", page.source.format, page.source.encoding, page.source.bytes);
    if !page.furniture.is_empty() {
        out.push_str(&format!("furniture: {}\n", page.furniture.join(" / ")));
    }
    for d in &page.diagnostics {
        out.push_str(&format!("page diagnostic: {}: {}\n", d.code, d.message));
    }
    for article in &page.articles {
        render_article(article, &mut out);
    }
    out
}

fn render_article(article: &Article, out: &mut String) {
    out.push_str(&format!("\n== {}\n", article.id));
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    out.push_str(&format!("series:   {}\n", opt(&article.series)));
    out.push_str(&format!("kicker:   {}\n", opt(&article.kicker)));
    out.push_str(&format!("headline: {}\n", article.headline));
    out.push_str(&format!("subtitle: {}\n", opt(&article.subtitle)));
    out.push_str(&format!("byline:   {} → [{}]\n", opt(&article.byline), article.authors.join(", ")));
    for section in &article.sections {
        out.push_str(&format!("section:  {}\n", section.heading.as_deref().unwrap_or("(lead)")));
        for paragraph in &section.paragraphs {
            out.push_str(&format!("  | {}\n", paragraph.replace('\n', "⏎")));
        }
    }
    for caption in &article.captions {
        out.push_str(&format!("caption:  {} [{}]\n", caption.text, opt(&caption.credit)));
    }
    for credit in &article.credits {
        out.push_str(&format!("credit:   {credit}\n"));
    }
    for d in &article.diagnostics {
        let line = d.line.map(|l| format!(" line {l}")).unwrap_or_default();
        out.push_str(&format!("diagnostic: {}{line}: {}\n", d.code, d.text.as_deref().unwrap_or(&d.message)));
    }
}
