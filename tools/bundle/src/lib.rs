//! Turns summarized pages into what users open: the dataset (`articles.jsonl`, CSV tables), the
//! SQLite database with Chinese full-text search, the static site, and the manifest.
//!
//! - `db`: schema, inserts and `search` (trigram + bigram FTS5) over a connection the binary owns.
//! - `site`: HTML pages (minijinja, auto-escaped), the site's data files and the SVG chart.
//! - `csv`: the CSV tables (UTF-8 with BOM).
//! - `manifest`: the manifest's types and UTC date arithmetic.
//!
//! Pure rendering over one article or page at a time, so the binary can stream any number of
//! pages; the binary does all file IO (temporary files renamed into place, hashing, the archive).

pub mod csv;
pub mod db;
pub mod manifest;
pub mod site;

pub use db::search;

use model::Article;
use serde::Serialize;

/// One line of `out/data/articles.jsonl`, the dataset contract.
#[derive(Serialize)]
pub struct DatasetRecord<'a> {
    pub id: &'a str,
    pub page: &'a str,
    pub series: &'a Option<String>,
    pub kicker: &'a Option<String>,
    pub headline: &'a str,
    pub authors: &'a [String],
    pub district: &'a Option<String>,
    pub street: &'a Option<String>,
    pub sections: &'a [model::Section],
    pub captions: &'a [model::Caption],
    pub credits: &'a [String],
    pub figures: &'a [model::Figure],
    pub quotes: &'a [model::Quote],
    pub people: &'a [model::Person],
    pub places: &'a [model::Place],
    pub organizations: &'a [model::Organization],
    pub keywords: &'a [String],
    pub summary: &'a Option<String>,
}

impl<'a> DatasetRecord<'a> {
    pub fn new(a: &'a Article) -> Self {
        DatasetRecord {
            id: &a.id,
            page: &a.page,
            series: &a.series,
            kicker: &a.kicker,
            headline: &a.headline,
            authors: &a.authors,
            district: &a.district,
            street: &a.street,
            sections: &a.sections,
            captions: &a.captions,
            credits: &a.credits,
            figures: &a.figures,
            quotes: &a.quotes,
            people: &a.people,
            places: &a.places,
            organizations: &a.organizations,
            keywords: &a.keywords,
            summary: &a.summary,
        }
    }
}

/// One JSON line of the dataset for `article`.
pub fn dataset_line(article: &Article) -> String {
    serde_json::to_string(&DatasetRecord::new(article)).unwrap_or_default()
}
