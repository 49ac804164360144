//! The document model every step exchanges: a page of articles and what was found in them.
//!
//! These are plain data types with serde derives and no behaviour beyond small helpers. Field
//! names are part of the wire format (see `wire`) and of the dataset contract that `bundle`
//! writes, so renaming one is a breaking change: add fields with `#[serde(default)]` instead.

use serde::{Deserialize, Serialize};

/// One newspaper page: where it came from, the articles found on it, and what was left over.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Page {
    /// The page id: the seed file's name without its extension (`000_be5658622680620e`).
    pub id: String,
    pub source: Source,
    pub articles: Vec<Article>,
    /// Page furniture that belongs to no article: repeated banners (`专版`), column logos.
    pub furniture: Vec<String>,
    /// Problems with the page as a whole (undecodable bytes, no articles found).
    pub diagnostics: Vec<Diagnostic>,
}

/// Where a page's text came from and how it was decoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Source {
    /// The input file name, relative to the seeds folder.
    pub file: String,
    /// `text` or `html`.
    pub format: String,
    /// The encoding the bytes were decoded from (`UTF-8`, `GB18030`, `UTF-16LE`, …).
    pub encoding: String,
    /// Size of the raw input in bytes.
    pub bytes: u64,
    /// blake3 of the raw input, hex.
    pub blake3: String,
}

/// One separately headlined piece on a page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Article {
    /// `<page id>-<n>`, n counting from 1 in page order.
    pub id: String,
    pub page: String,
    /// Banner or column name above the kicker.
    pub series: Option<String>,
    /// Subtitle line printed above (or beside) the headline.
    pub kicker: Option<String>,
    pub headline: String,
    /// The 副题 printed below the headline (`——记…`), `None` when there is none.
    pub subtitle: Option<String>,
    /// Reporters from the byline, spaces inside a name removed.
    pub authors: Vec<String>,
    /// The byline as printed, for the character accounting.
    pub byline: Option<String>,
    /// The province the article is about, full official name (`河南省`), `None` when unknown.
    pub province: Option<String>,
    /// The prefecture-level city the article is about, full official name (`安阳市`).
    pub city: Option<String>,
    /// The district or county the article is about (`西湖区`).
    pub district: Option<String>,
    /// The street or town the article is about (`留下街道`).
    pub street: Option<String>,
    /// The body: a lead section (heading `None`) then one per printed section heading.
    pub sections: Vec<Section>,
    pub captions: Vec<Caption>,
    /// Photo-credit lines as printed (`图片由西湖区留下街道提供`).
    pub credits: Vec<String>,
    pub figures: Vec<Figure>,
    pub quotes: Vec<Quote>,
    pub people: Vec<Person>,
    pub places: Vec<Place>,
    pub organizations: Vec<Organization>,
    /// Named programmes, slogans and quoted terms (`街区党委+汽车联盟+区域化网格`).
    pub initiatives: Vec<Initiative>,
    pub keywords: Vec<String>,
    /// Extractive summary: whole sentences of the cleaned body.
    pub summary: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Article {
    /// All body paragraphs in order, across sections.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().flat_map(|s| s.paragraphs.iter().map(String::as_str))
    }
}

/// A run of body paragraphs under one heading (`None` for the lead before the first heading).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Section {
    pub heading: Option<String>,
    /// After `split`: one entry per printed text block; after `clean`: real paragraphs.
    pub paragraphs: Vec<String>,
}

/// An image caption and the photographer or source credited in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Caption {
    pub text: String,
    pub credit: Option<String>,
}

/// Whether a figure is exact or bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Approx {
    /// 超, 超过, 逾, 余, 多, 以上, 突破, 不少于.
    Over,
    /// 不到, 不足, 近, 以下.
    Under,
    /// 约, 左右, 上下.
    About,
}

/// Where in an article a piece of evidence stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Location {
    /// Index into `Article::sections`.
    pub section: usize,
    /// Index into that section's paragraphs.
    pub paragraph: usize,
    /// Character (not byte) offsets of the span in that paragraph, end exclusive.
    pub start: usize,
    pub end: usize,
}

/// A quantity with its unit, normalized, and the sentence it stands in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Figure {
    /// The exact surface span, qualifiers included (`超1.45亿元`).
    pub text: String,
    /// In base units: 亿 = 1e8, 万 = 1e4; 成 becomes percent.
    pub value: f64,
    /// The unit after scale words are folded in (`元`, `%`, `平方米`, `家`), or empty.
    pub unit: String,
    pub approx: Option<Approx>,
    /// Upper end of a range (`15到20天` → 20).
    pub value_max: Option<f64>,
    /// What is measured, a short phrase from the sentence.
    pub subject: Option<String>,
    /// The time the figure refers to, as printed (`2025年`, `今年1至5月`).
    pub period: Option<String>,
    /// First day of `period` as an ISO date (`2026-01-01`), `None` when unknown or unresolved.
    pub period_start: Option<String>,
    /// Last day of `period` as an ISO date (`2026-05-31`), `None` when unknown or unresolved.
    pub period_end: Option<String>,
    pub sentence: String,
    pub location: Location,
}

/// Direct speech and who said it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Quote {
    /// The speaker's name, or the role phrase when no name is printed; `None` if unattributed.
    pub speaker: Option<String>,
    pub role: Option<String>,
    /// The quoted words without the outer quotation marks.
    pub text: String,
    pub location: Location,
}

/// A named person mentioned in the body (byline authors are not mentions).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    pub name: String,
    pub role: Option<String>,
    pub sentence: String,
}

/// A place: district, street, community, park, building, road.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Place {
    pub name: String,
    /// `district`, `street`, `community`, `park`, `building`, `road`, `area`, …
    pub kind: String,
    /// The national division code when the gazetteer knows the place.
    pub code: Option<String>,
    pub sentence: String,
}

/// A company, school, institution or group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organization {
    pub name: String,
    /// `company`, `school`, `government`, `institution`, `group`, …
    pub kind: String,
    pub sentence: String,
}

/// A named programme, slogan or quoted term.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Initiative {
    pub name: String,
    pub sentence: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Info,
    Warning,
    Error,
}

/// Something a step noticed: broken input is reported, never a panic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case identifier (`lost-text`, `undecodable`, `no-articles`).
    pub code: String,
    pub message: String,
    /// 1-based line of the input page, where one applies.
    pub line: Option<usize>,
    /// The text concerned, where one applies.
    pub text: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity, code: code.to_owned(), message: message.into(), line: None, text: None }
    }

    pub fn at_line(mut self, line: usize) -> Diagnostic {
        self.line = Some(line);
        self
    }

    pub fn with_text(mut self, text: impl Into<String>) -> Diagnostic {
        self.text = Some(text.into());
        self
    }
}
