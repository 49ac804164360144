//! Markdown briefings rendered with minijinja: one brief per article, one profile per district,
//! one corpus briefing.
//!
//! Built-in templates are compiled into the binary (`DEFAULT_TEMPLATES`); a user's templates folder
//! overrides them file by file. The binary reads that folder and hands the sources in, so this
//! module does no file IO. Page text only ever reaches a template as a *value*, never as template
//! source, so `{{ 7*7 }}` printed on a page stays text. Values are escaped for Markdown (see
//! `markdown_escape`), so a page's `<script>` or `*` cannot turn into markup. Deliberately not
//! done: HTML output (that is `bundle`'s site), or any evaluation of page text.

use std::collections::BTreeMap;

use minijinja::{AutoEscape, Environment, Value, context};
use model::{Article, Figure};
use serde::{Deserialize, Serialize};

use crate::events::{self, Event};
use crate::rank;

/// The built-in templates: name, source.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("brief.md", include_str!("../templates/brief.md")),
    ("district.md", include_str!("../templates/district.md")),
    ("corpus.md", include_str!("../templates/corpus.md")),
];

/// How many key figures per district the corpus briefing shows.
const KEY_FIGURES_PER_DISTRICT: usize = 5;
/// How many key figures a district profile shows.
const KEY_FIGURES_PER_PROFILE: usize = 15;
/// The display name of the group of articles with no district.
pub const NO_DISTRICT: &str = "未标注区县";

pub use model::template::{TemplateError, TemplateFile as TemplateSource};
use model::template::{merge_overrides, template_error};

/// Escapes the Markdown characters that would turn text into raw HTML, links, code, emphasis or
/// table cells. `_` is left alone: ids are full of it and CommonMark ignores it inside words.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The compiled briefing templates.
pub struct Briefings {
    env: Environment<'static>,
    /// Template name → the file it came from.
    origins: BTreeMap<String, String>,
}

impl Briefings {
    /// Compiles the built-in templates with `overrides` replacing (or adding to) them by name.
    pub fn new(overrides: Vec<TemplateSource>) -> Result<Briefings, TemplateError> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md") { AutoEscape::Custom("markdown") } else { AutoEscape::None }
        });
        env.set_formatter(|out, state, value| {
            if value.is_none() || value.is_undefined() {
                return Ok(());
            }
            if state.auto_escape() == AutoEscape::Custom("markdown") && !value.is_safe() {
                let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                out.write_str(&markdown_escape(&text))?;
                Ok(())
            } else {
                minijinja::escape_formatter(out, state, &value.clone())
            }
        });
        let mut origins = BTreeMap::new();
        for file in merge_overrides(DEFAULT_TEMPLATES, overrides) {
            origins.insert(file.name.clone(), file.origin);
            env.add_template_owned(file.name, file.source).map_err(|e| template_error(&origins, &e))?;
        }
        Ok(Briefings { env, origins })
    }

    fn render(&self, name: &str, ctx: Value) -> Result<String, TemplateError> {
        let template = self.env.get_template(name).map_err(|e| template_error(&self.origins, &e))?;
        template.render(ctx).map_err(|e| template_error(&self.origins, &e))
    }

    /// The brief of one article (`brief.md`).
    pub fn article_brief(&self, article: &Article, summary: &[&str]) -> Result<String, TemplateError> {
        let events = events::article_events(article);
        self.render(
            "brief.md",
            context! {
                article => Value::from_serialize(article),
                summary_sentences => summary,
                events => Value::from_serialize(&events),
            },
        )
    }

    /// The profile of one district (`district.md`).
    pub fn district_profile(&self, profile: &DistrictProfile) -> Result<String, TemplateError> {
        let key_figures = profile.figures.best(KEY_FIGURES_PER_PROFILE);
        self.render(
            "district.md",
            context! { district => Value::from_serialize(profile), key_figures => Value::from_serialize(&key_figures) },
        )
    }

    /// The briefing over the whole corpus (`corpus.md`).
    pub fn corpus_briefing(&self, corpus: &Corpus) -> Result<String, TemplateError> {
        let districts: Vec<_> = corpus
            .districts
            .values()
            .map(|d| {
                context! {
                    name => &d.name,
                    slug => &d.slug,
                    article_count => d.articles.len(),
                    figure_count => d.figure_count,
                    key_figures => Value::from_serialize(d.figures.best(KEY_FIGURES_PER_DISTRICT)),
                }
            })
            .collect();
        let mut events = corpus.events.clone();
        events.sort_by_key(Event::sort_key);
        self.render(
            "corpus.md",
            context! {
                page_count => corpus.page_count,
                article_count => corpus.article_count,
                districts => districts,
                speakers => Value::from_serialize(corpus.speakers()),
                events => Value::from_serialize(&events),
            },
        )
    }
}

/// An article as listed in a district profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleRow {
    pub id: String,
    pub page: String,
    pub headline: String,
    pub street: Option<String>,
    pub summary: Option<String>,
}

/// A figure with the article it comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FigureRow {
    #[serde(flatten)]
    pub figure: Figure,
    pub article_id: String,
    pub headline: String,
}

/// A quote with the article it comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuoteRow {
    pub speaker: Option<String>,
    pub role: Option<String>,
    pub text: String,
    pub article_id: String,
    pub headline: String,
    pub district: Option<String>,
}

/// A person with the article they appear in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersonRow {
    pub name: String,
    pub role: Option<String>,
    pub article_id: String,
    pub headline: String,
}

/// Everything a district profile shows. Holds no body text, only small rows, and of its figures
/// only their count and the candidates for its key figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DistrictProfile {
    pub name: String,
    /// A file-name-safe form of the name (`districts/<slug>.md`).
    pub slug: String,
    pub articles: Vec<ArticleRow>,
    /// How many figures the district's articles print.
    pub figure_count: usize,
    /// The best figures seen so far (bounded: a district's figures are most of its rows).
    #[serde(skip)]
    pub figures: KeyFigures,
    pub people: Vec<PersonRow>,
    pub quotes: Vec<QuoteRow>,
    /// The (name, role) pairs in `people`: a person is listed once, found in constant time (a
    /// scan of the list per person was quadratic in a district's people).
    #[serde(skip)]
    pub known_people: std::collections::HashSet<(String, Option<String>)>,
}

/// One speaker and what they said, across the corpus.
#[derive(Debug, Clone, Serialize)]
pub struct Speaker {
    pub speaker: String,
    pub role: Option<String>,
    pub quotes: Vec<QuoteRow>,
}

/// The small rows the briefings need, gathered one article at a time.
#[derive(Debug, Default)]
pub struct Corpus {
    pub page_count: usize,
    pub article_count: usize,
    pub districts: BTreeMap<String, DistrictProfile>,
    pub events: Vec<Event>,
}

pub use model::text::slug;

/// One article's share of the corpus briefing: its district and small rows. Made per page in
/// parallel and cached by the binary, so a rebuild only gathers them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArticleRows {
    pub district: String,
    pub article: Option<ArticleRow>,
    /// How many figures the article prints (`figures` may hold only the key-figure candidates).
    #[serde(default)]
    pub figure_count: usize,
    pub figures: Vec<FigureRow>,
    pub people: Vec<PersonRow>,
    pub quotes: Vec<QuoteRow>,
    pub events: Vec<Event>,
}

/// The rows `article` adds to the corpus; `summary` is its summary text.
pub fn article_rows(article: &Article, summary: Option<&str>) -> ArticleRows {
    let district = article.district.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| NO_DISTRICT.to_owned());
    ArticleRows {
        district,
        figure_count: article.figures.len(),
        article: Some(ArticleRow {
            id: article.id.clone(),
            page: article.page.clone(),
            headline: article.headline.clone(),
            street: article.street.clone(),
            summary: summary.map(str::to_owned),
        }),
        // The sentence is dropped: profiles list figures, and it is most of a figure's size.
        figures: article
            .figures
            .iter()
            .map(|f| FigureRow {
                figure: Figure { sentence: String::new(), ..f.clone() },
                article_id: article.id.clone(),
                headline: article.headline.clone(),
            })
            .collect(),
        people: article
            .people
            .iter()
            .map(|person| PersonRow {
                name: person.name.clone(),
                role: person.role.clone(),
                article_id: article.id.clone(),
                headline: article.headline.clone(),
            })
            .collect(),
        quotes: article
            .quotes
            .iter()
            .map(|q| QuoteRow {
                speaker: q.speaker.clone(),
                role: q.role.clone(),
                text: q.text.clone(),
                article_id: article.id.clone(),
                headline: article.headline.clone(),
                district: article.district.clone(),
            })
            .collect(),
        events: events::article_events(article),
    }
}

impl Corpus {
    /// Adds one article's rows; `summary` is its summary text.
    pub fn add(&mut self, article: &Article, summary: Option<&str>) {
        self.add_rows(article_rows(article, summary));
    }

    /// Adds the rows of one article as `article_rows` made them.
    pub fn add_rows(&mut self, rows: ArticleRows) {
        self.article_count += 1;
        let name = rows.district;
        let profile = self.districts.entry(name.clone()).or_insert_with(|| DistrictProfile {
            slug: slug(&name),
            name,
            ..DistrictProfile::default()
        });
        profile.articles.extend(rows.article);
        profile.figure_count += rows.figure_count.max(rows.figures.len());
        for figure in rows.figures {
            profile.figures.add(figure);
        }
        for person in rows.people {
            if profile.known_people.insert((person.name.clone(), person.role.clone())) {
                profile.people.push(person);
            }
        }
        profile.quotes.extend(rows.quotes);
        self.events.extend(rows.events);
    }

    /// Attributed quotes grouped by speaker, speakers in order of first appearance.
    pub fn speakers(&self) -> Vec<Speaker> {
        let mut speakers: Vec<Speaker> = Vec::new();
        // Speaker name → its place in `speakers` (a scan per quote was quadratic).
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for quote in self.districts.values().flat_map(|d| &d.quotes) {
            let Some(name) = quote.speaker.clone() else { continue };
            match index.get(&name) {
                Some(&at) => speakers[at].quotes.push(quote.clone()),
                None => {
                    index.insert(name.clone(), speakers.len());
                    speakers.push(Speaker { speaker: name, role: quote.role.clone(), quotes: vec![quote.clone()] });
                }
            }
        }
        speakers
    }
}

/// How informative a figure is on its own: a subject, a period and a unit each make it more
/// useful; figures printed in Arabic digits are data rather than prose (`三年`), and money and
/// percentages are what briefings quote most.
fn figure_weight(row: &FigureRow) -> usize {
    let figure = &row.figure;
    2 * usize::from(figure.subject.is_some())
        + usize::from(figure.period.is_some())
        + usize::from(!figure.unit.is_empty())
        + 2 * usize::from(figure.text.chars().any(|c| c.is_ascii_digit()))
        + 2 * usize::from(figure.unit.ends_with('元'))
        + usize::from(figure.unit == "%")
}

/// The `limit` most informative figures (`figure_weight`, earlier first among equals), in their
/// original order.
pub fn key_figures(figures: &[FigureRow], limit: usize) -> Vec<FigureRow> {
    let mut ranked: Vec<usize> = (0..figures.len()).collect();
    ranked.sort_by_key(|&i| (std::cmp::Reverse(figure_weight(&figures[i])), i));
    ranked.truncate(limit);
    ranked.sort_unstable();
    ranked.into_iter().map(|i| figures[i].clone()).collect()
}

/// Drops from one page's rows (in order) the figures that cannot be among any district's key
/// figures: of each district's figures on the page only the best `KeyFigures::KEEP` can be, since
/// a figure that as many of the same page beat is beaten by them in the whole district too.
/// `figure_count` keeps counting them all.
pub fn keep_key_figure_candidates(rows: &mut [ArticleRows]) {
    let mut districts: BTreeMap<&str, Vec<(usize, usize, usize)>> = BTreeMap::new();
    for (row, article) in rows.iter().enumerate() {
        for (at, figure) in article.figures.iter().enumerate() {
            districts.entry(article.district.as_str()).or_default().push((figure_weight(figure), row, at));
        }
    }
    let mut keep: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for mut figures in districts.into_values() {
        figures.sort_by_key(|&(weight, row, at)| (std::cmp::Reverse(weight), row, at));
        keep.extend(figures.into_iter().take(KeyFigures::KEEP).map(|(_, row, at)| (row, at)));
    }
    for (row, article) in rows.iter_mut().enumerate() {
        let mut at = 0;
        article.figures.retain(|_| {
            at += 1;
            keep.contains(&(row, at - 1))
        });
    }
}

/// The candidates for a district's key figures, gathered one figure at a time in memory bounded
/// by `KEEP`: whenever twice that many are held, only the best `KEEP` stay (by weight, earlier
/// first), which loses none of the best `KEEP` of all figures added.
#[derive(Debug, Clone, Default)]
pub struct KeyFigures {
    /// (weight, arrival number, figure).
    held: Vec<(usize, usize, FigureRow)>,
    added: usize,
}

impl KeyFigures {
    /// The most key figures any briefing shows.
    const KEEP: usize = KEY_FIGURES_PER_PROFILE;

    pub fn add(&mut self, figure: FigureRow) {
        self.held.push((figure_weight(&figure), self.added, figure));
        self.added += 1;
        if self.held.len() >= 2 * Self::KEEP {
            self.prune(Self::KEEP);
        }
    }

    fn prune(&mut self, limit: usize) {
        self.held.sort_by_key(|&(weight, at, _)| (std::cmp::Reverse(weight), at));
        self.held.truncate(limit);
    }

    /// The best `limit` (at most `KEEP`) figures added, in the order they were added: the same
    /// as `key_figures` over all of them.
    pub fn best(&self, limit: usize) -> Vec<FigureRow> {
        let mut ranked: Vec<&(usize, usize, FigureRow)> = self.held.iter().collect();
        ranked.sort_by_key(|&&(weight, at, _)| (std::cmp::Reverse(weight), at));
        ranked.truncate(limit.min(Self::KEEP));
        ranked.sort_by_key(|&&(_, at, _)| at);
        ranked.into_iter().map(|(_, _, figure)| figure.clone()).collect()
    }
}

/// The summary sentences of `article`: those of its `summary` when a summary was set, else
/// freshly ranked ones.
pub fn summary_of(article: &Article, max_sentences: usize) -> Vec<&str> {
    match &article.summary {
        Some(summary) if !summary.is_empty() => crate::sentences::split(summary).into_iter().map(|s| s.text).collect(),
        _ => rank::summary_sentences(article, max_sentences),
    }
}

#[cfg(test)]
mod tests {
    use super::{FigureRow, KeyFigures, key_figures};

    fn row(n: usize) -> FigureRow {
        // Weights vary with n: a unit on every other figure, a subject on every third, money on
        // every fifth, digits on every seventh.
        let figure = model::Figure {
            text: if n.is_multiple_of(7) { format!("{n}") } else { "三".into() },
            unit: match n % 5 {
                0 => "元".into(),
                1 | 3 => "个".into(),
                _ => String::new(),
            },
            subject: n.is_multiple_of(3).then(|| format!("指标{n}")),
            ..model::Figure::default()
        };
        FigureRow { figure, article_id: format!("a-{n}"), headline: String::new() }
    }

    #[test]
    fn pages_pruned_to_their_candidates_give_the_same_key_figures_and_counts() {
        // Three pages of two articles each, two districts, many figures of equal weight.
        let mut all: Vec<FigureRow> = Vec::new();
        let mut corpus = super::Corpus::default();
        for page in 0..3 {
            let mut rows: Vec<super::ArticleRows> = (0..2)
                .map(|a| {
                    let figures: Vec<FigureRow> = (0..20).map(|f| row(page * 100 + a * 30 + f)).collect();
                    super::ArticleRows {
                        district: if a == 0 { "甲区".into() } else { "乙区".into() },
                        figure_count: figures.len(),
                        figures,
                        ..super::ArticleRows::default()
                    }
                })
                .collect();
            all.extend(rows[0].figures.iter().cloned());
            super::keep_key_figure_candidates(&mut rows);
            assert!(rows.iter().all(|r| r.figures.len() <= 15), "pruned to the candidates");
            for r in rows {
                corpus.add_rows(r);
            }
        }
        let district = &corpus.districts["甲区"];
        assert_eq!(district.figure_count, 60, "every figure is counted");
        let want: Vec<String> = key_figures(&all, 15).into_iter().map(|r| r.article_id).collect();
        let got: Vec<String> = district.figures.best(15).into_iter().map(|r| r.article_id).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn bounded_key_figures_are_the_key_figures_of_all() {
        for count in [0, 1, 14, 15, 29, 30, 31, 200, 1000] {
            let rows: Vec<FigureRow> = (0..count).map(row).collect();
            let mut bounded = KeyFigures::default();
            for r in rows.iter().cloned() {
                bounded.add(r);
            }
            for limit in [5, 15] {
                let want: Vec<String> = key_figures(&rows, limit).into_iter().map(|r| r.article_id).collect();
                let got: Vec<String> = bounded.best(limit).into_iter().map(|r| r.article_id).collect();
                assert_eq!(got, want, "{count} figures, best {limit}");
            }
        }
    }
}
