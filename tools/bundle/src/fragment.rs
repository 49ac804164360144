//! One page's share of every combined output, made in the parallel per-page phase and cached,
//! so that a rebuild only assembles: its dataset lines, CSV rows, figures-table and search
//! entries, its article pages, and the small rows the index page and the chart need.
//!
//! A fragment is stored as one file: a JSON line (`Meta`, with the byte length of each part), a
//! JSON line of its index rows, then the parts themselves, so assembling reads each cached page
//! once and copies bytes. The rows have a line of their own because they are needed only when
//! the index page changes: `Meta` holds their hash.
//! Pure: the build module reads and writes the files.

use serde::{Deserialize, Serialize};

use crate::manifest::InputEntry;
use crate::site::{IndexRow, Site, TemplateError, slug};
use crate::{csv, search_index, site};

/// The parts of a fragment, in their stored order.
pub const PARTS: [&str; 6] = ["jsonl", "figures_csv", "quotes_csv", "people_csv", "figures_data", "search_docs"];

/// What a page contributes besides its text parts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// Hash of the artifact this fragment was made from.
    pub input: String,
    pub entry: InputEntry,
    /// The index page's rows of this page's articles: stored on the second line, read only
    /// when the index page is rendered (empty until then).
    #[serde(skip)]
    pub rows: Vec<IndexRow>,
    /// blake3 (hex) of the rows line, and its length with its newline.
    pub rows_hash: String,
    pub rows_length: usize,
    /// Per article: district (empty for none) and figure count, for the chart.
    pub counts: Vec<(String, usize)>,
    /// The article pages written under `site/articles/`: file name, size, blake3.
    pub html: Vec<(String, u64, String)>,
    /// Byte length of each part, in `PARTS` order.
    pub lengths: Vec<usize>,
    /// blake3 (hex) of each part, in `PARTS` order: a part whose hash is the one in the last
    /// run's file is copied from that file instead of from here.
    #[serde(default)]
    pub hashes: Vec<String>,
}

/// A page's fragment: `Meta` and the parts.
#[derive(Debug, Clone, Default)]
pub struct Fragment {
    pub meta: Meta,
    pub parts: [String; 6],
}

/// An article page to write: file name under `site/articles/` and its HTML.
pub type ArticlePage = (String, String);

/// Renders everything `page` contributes; `input` is the hash of its artifact. Returns the
/// fragment (with the article pages' names, sizes and hashes) and the pages to write.
pub fn render(site: &Site, page: &model::Page, input: &str) -> Result<(Fragment, Vec<ArticlePage>), TemplateError> {
    let mut parts: [String; 6] = Default::default();
    let mut meta = Meta {
        input: input.to_owned(),
        entry: InputEntry {
            page: page.id.clone(),
            file: page.source.file.clone(),
            bytes: page.source.bytes,
            blake3: page.source.blake3.clone(),
        },
        ..Meta::default()
    };
    let mut pages = Vec::new();
    let [jsonl, figures_csv, quotes_csv, people_csv, figures_data, search_docs] = &mut parts;
    for article in &page.articles {
        jsonl.push_str(&crate::dataset_line(article));
        jsonl.push('\n');
        figures_csv.push_str(&csv::figure_rows(article));
        quotes_csv.push_str(&csv::quote_rows(article));
        people_csv.push_str(&csv::people_rows(article));
        figures_data.push_str(&site::figure_entries(article));
        search_docs.push_str(&search_index::doc_entry(article));
        let name = format!("{}.html", slug(&article.id));
        let html = site.article_page(article)?;
        meta.html.push((name.clone(), html.len() as u64, blake3::hash(html.as_bytes()).to_hex().to_string()));
        pages.push((name, html));
        meta.rows.push(IndexRow::new(article));
        meta.counts.push((article.district.clone().unwrap_or_default(), article.figures.len()));
    }
    let rows_line = rows_line(&meta.rows);
    meta.rows_hash = blake3::hash(&rows_line).to_hex().to_string();
    meta.rows_length = rows_line.len();
    meta.lengths = parts.iter().map(String::len).collect();
    meta.hashes = parts.iter().map(|p| blake3::hash(p.as_bytes()).to_hex().to_string()).collect();
    Ok((Fragment { meta, parts }, pages))
}

/// The stored rows line: JSON and a newline.
fn rows_line(rows: &[IndexRow]) -> Vec<u8> {
    let mut line = serde_json::to_vec(rows).unwrap_or_default();
    line.push(b'\n');
    line
}

/// The rows from their stored line (`None` when it is not one).
pub fn decode_rows(line: &[u8]) -> Option<Vec<IndexRow>> {
    serde_json::from_slice(line.strip_suffix(b"\n")?).ok()
}

/// The stored form of a fragment.
pub fn encode(fragment: &Fragment) -> Vec<u8> {
    let mut out = serde_json::to_vec(&fragment.meta).unwrap_or_default();
    out.push(b'\n');
    out.extend_from_slice(&rows_line(&fragment.meta.rows));
    for part in &fragment.parts {
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// The `Meta` of a stored fragment, from the start of its stored form (its first line).
pub fn decode_meta(first_line: &[u8]) -> Option<Meta> {
    let meta: Meta = serde_json::from_slice(first_line.strip_suffix(b"\n").unwrap_or(first_line)).ok()?;
    (meta.lengths.len() == PARTS.len() && meta.hashes.len() == PARTS.len()).then_some(meta)
}

/// A fragment from its stored form; `None` when it is not one (a damaged cache file is redone).
pub fn decode(bytes: &[u8]) -> Option<Fragment> {
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let mut meta: Meta = serde_json::from_slice(&bytes[..newline]).ok()?;
    if meta.lengths.len() != PARTS.len() {
        return None;
    }
    let rows_end = (newline + 1).checked_add(meta.rows_length)?;
    meta.rows = decode_rows(bytes.get(newline + 1..rows_end)?)?;
    let mut parts: [String; 6] = Default::default();
    let mut at = rows_end;
    for (part, &length) in parts.iter_mut().zip(&meta.lengths) {
        let end = at.checked_add(length)?;
        *part = String::from_utf8(bytes.get(at..end)?.to_vec()).ok()?;
        at = end;
    }
    (at == bytes.len()).then_some(Fragment { meta, parts })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_fragment_survives_its_stored_form_and_damage_is_noticed() {
        let site = crate::site::Site::new(Vec::new()).expect("built-in templates");
        let page = model::Page {
            id: "p".into(),
            articles: vec![model::Article {
                id: "p-1".into(),
                headline: "标题".into(),
                sections: vec![model::Section { heading: None, paragraphs: vec!["正文，含逗号。".into()] }],
                ..model::Article::default()
            }],
            ..model::Page::default()
        };
        let (fragment, pages) = super::render(&site, &page, "abc").expect("render");
        assert_eq!(pages.len(), 1);
        let bytes = super::encode(&fragment);
        let back = super::decode(&bytes).expect("decodes");
        assert_eq!(back.parts, fragment.parts);
        assert_eq!(back.meta.input, "abc");
        assert_eq!(back.meta.rows.len(), 1);
        assert_eq!(back.meta.rows[0].headline, "标题");
        let first_line = &bytes[..=bytes.iter().position(|&b| b == b'\n').expect("a meta line")];
        let meta = super::decode_meta(first_line).expect("the meta line decodes alone");
        assert!(meta.rows.is_empty(), "the rows are not on the meta line");
        let rows_line = &bytes[first_line.len()..first_line.len() + meta.rows_length];
        assert_eq!(meta.rows_hash, blake3::hash(rows_line).to_hex().as_str());
        assert_eq!(super::decode_rows(rows_line).expect("rows")[0].id, "p-1");
        assert_eq!(meta.hashes[0], blake3::hash(fragment.parts[0].as_bytes()).to_hex().as_str());
        assert!(super::decode(&bytes[..bytes.len() - 1]).is_none(), "a truncated fragment is refused");
    }
}
