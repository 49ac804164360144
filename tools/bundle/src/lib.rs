//! Turns summarized pages into what users open: the dataset (`articles.jsonl`, CSV tables), the
//! SQLite database with Chinese full-text search, the static site, and the manifest.
//!
//! Pure modules, over one article or page at a time:
//! - `db`: schema, per-page inserts and deletes, and `search` over a connection.
//! - `site`: HTML pages (minijinja, auto-escaped), the figures data and the SVG chart.
//! - `search_index`: the site's sharded offline search index.
//! - `fragment`: one page's share of every combined output, and its cached form.
//! - `csv`: the CSV tables (UTF-8 with BOM, the `csv` crate).
//! - `manifest`: the manifest's types and UTC date arithmetic.
//!
//! File IO, for the binary (like `model::io` and `model::batch`, never used by a step library):
//! - `build`: the whole run, per page in parallel then assembly.
//! - `hashes`: file hashes remembered by `stat`.
//! - `search_blocks`: the site's search files, only changed blocks and term shards rewritten.
//! - `archive`: the dated zip (on request), reusing unchanged entries of the previous one.
//! - `splice`: the dataset, CSV and figures-data files rebuilt by copying unchanged pages' bytes
//!   from the last run's files.
//! - `metas`: every cached fragment's meta line in one file.
//! - `tree`: the manifest's file list, folders unchanged since the last run taken from its record.

pub mod archive;
pub mod build;
pub mod csv;
pub mod db;
pub mod fragment;
pub mod hashes;
pub mod manifest;
pub mod metas;
pub mod search_blocks;
pub mod search_index;
pub mod site;
pub mod splice;
pub mod tree;

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
    pub subtitle: &'a Option<String>,
    pub authors: &'a [String],
    pub province: &'a Option<String>,
    pub city: &'a Option<String>,
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
            subtitle: &a.subtitle,
            authors: &a.authors,
            province: &a.province,
            city: &a.city,
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
