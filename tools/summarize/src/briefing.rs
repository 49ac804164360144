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

/// The parts the built-in `district.md` and `corpus.md` are assembled from: the body of each of
/// their long loops as a template of its own, rendered once per article in the parallel per-page
/// phase and cached with the page, and the two files with those loops reduced to joining the
/// rendered parts. A rebuild then renders only the changed pages' parts and joins the rest; a
/// test keeps the assembled files equal to the whole templates. Their names hold a `/`, which no
/// file of a user's templates folder has, so they cannot be overridden; a user who overrides
/// `district.md` or `corpus.md` gets that file rendered whole, as before.
pub const PART_TEMPLATES: &[(&str, &str)] = &[
    ("parts/district.md", include_str!("../templates/parts/district.md")),
    ("parts/district-article.md", include_str!("../templates/parts/district-article.md")),
    ("parts/district-person.md", include_str!("../templates/parts/district-person.md")),
    ("parts/district-quote.md", include_str!("../templates/parts/district-quote.md")),
    ("parts/corpus.md", include_str!("../templates/parts/corpus.md")),
    ("parts/corpus-quote.md", include_str!("../templates/parts/corpus-quote.md")),
    ("parts/corpus-event.md", include_str!("../templates/parts/corpus-event.md")),
    ("parts/district-figure.md", include_str!("../templates/parts/district-figure.md")),
    ("parts/corpus-figure.md", include_str!("../templates/parts/corpus-figure.md")),
];

/// How many key figures per district the corpus briefing shows.
pub(crate) const KEY_FIGURES_PER_DISTRICT: usize = 5;
/// How many key figures a district profile shows.
pub(crate) const KEY_FIGURES_PER_PROFILE: usize = 15;
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
    /// Whether the district profiles and the corpus briefing are assembled from parts: both
    /// `district.md` and `corpus.md` are the built-in ones.
    assembled: bool,
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
        let assembled = !overrides.iter().any(|f| f.name == "district.md" || f.name == "corpus.md");
        let mut origins = BTreeMap::new();
        let parts = PART_TEMPLATES.iter().map(|&(name, source)| TemplateSource {
            name: name.to_owned(),
            origin: format!("<built-in>/{name}"),
            source: source.to_owned(),
        });
        for file in merge_overrides(DEFAULT_TEMPLATES, overrides).into_iter().chain(parts) {
            origins.insert(file.name.clone(), file.origin);
            env.add_template_owned(file.name, file.source).map_err(|e| template_error(&origins, &e))?;
        }
        Ok(Briefings { env, origins, assembled })
    }

    /// The built-in templates only, with the district profiles and the corpus briefing rendered
    /// whole rather than assembled from parts (what a test compares the assembly with).
    #[cfg(test)]
    pub(crate) fn whole() -> Briefings {
        let mut briefings = Briefings::new(Vec::new()).expect("the built-in templates compile");
        briefings.assembled = false;
        briefings
    }

    /// Whether district profiles and the corpus briefing are assembled from per-article parts.
    pub fn assembled(&self) -> bool {
        self.assembled
    }

    pub(crate) fn render(&self, name: &str, ctx: Value) -> Result<String, TemplateError> {
        let template = self.env.get_template(name).map_err(|e| template_error(&self.origins, &e))?;
        template.render(ctx).map_err(|e| template_error(&self.origins, &e))
    }

    /// The brief of one article (`brief.md`).
    pub fn article_brief(&self, article: &Article, summary: &[&str]) -> Result<String, TemplateError> {
        self.article_brief_with(article, summary, &events::article_events(article))
    }

    /// The brief of one article whose dated events are `events` (`events::article_events`).
    pub fn article_brief_with(
        &self,
        article: &Article,
        summary: &[&str],
        events: &[Event],
    ) -> Result<String, TemplateError> {
        self.render(
            "brief.md",
            context! {
                article => Value::from_serialize(article),
                summary_sentences => summary,
                events => Value::from_serialize(events),
            },
        )
    }

    /// When the briefings are assembled, renders an article's rows (`article_rows`, after
    /// `keep_key_figure_candidates`) into its parts, leaving of the rows only its district and
    /// figure count; otherwise leaves them as they are.
    pub fn render_parts(&self, rows: &mut ArticleRows) -> Result<(), TemplateError> {
        if !self.assembled {
            return Ok(());
        }
        let mut parts = ArticleParts::default();
        if let Some(row) = rows.article.take() {
            parts.article = self.render("parts/district-article.md", context! { a => Value::from_serialize(&row) })?;
        }
        for person in std::mem::take(&mut rows.people) {
            let text = self.render("parts/district-person.md", context! { p => Value::from_serialize(&person) })?;
            parts.people.push(PersonPart { name: person.name, role: person.role, text });
        }
        for quote in std::mem::take(&mut rows.quotes) {
            let q = Value::from_serialize(&quote);
            let district = self.render("parts/district-quote.md", context! { q => q.clone() })?;
            let corpus = self.render("parts/corpus-quote.md", context! { q => q })?;
            parts.quotes.push(QuotePart { speaker: quote.speaker, role: quote.role, district, corpus });
        }
        for event in std::mem::take(&mut rows.events) {
            let text = self.render("parts/corpus-event.md", context! { e => Value::from_serialize(&event) })?;
            parts.events.push(EventPart { key: event.sort_key(), text });
        }
        for figure in std::mem::take(&mut rows.figures) {
            let weight = figure_weight(&figure);
            let f = Value::from_serialize(&figure);
            let district = self.render("parts/district-figure.md", context! { f => f.clone() })?;
            let corpus = self.render("parts/corpus-figure.md", context! { f })?;
            parts.figures.push(FigurePart { weight, district, corpus });
        }
        rows.parts = Some(parts);
        Ok(())
    }

    /// The profile of one district (`district.md`), rendered whole from its rows (the
    /// assembled profile is `Briefings::assembled_profile`).
    pub fn district_profile(&self, profile: &DistrictProfile) -> Result<String, TemplateError> {
        let key_figures = Value::from_serialize(profile.figures.best(KEY_FIGURES_PER_PROFILE));
        self.render("district.md", context! { district => Value::from_serialize(profile), key_figures })
    }

    /// The briefing over the whole corpus (`corpus.md`), rendered whole from its rows (the
    /// assembled one is `Briefings::assembled_corpus`).
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

/// One article's share of the assembled briefings, rendered from the parts templates.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArticleParts {
    /// Its entry in its district's profile (`parts/district-article.md`).
    pub article: String,
    pub people: Vec<PersonPart>,
    pub quotes: Vec<QuotePart>,
    pub events: Vec<EventPart>,
    /// The article's key-figure candidates (what `keep_key_figure_candidates` left).
    pub figures: Vec<FigurePart>,
}

/// A person's line in a district profile, with what a district lists a person once by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersonPart {
    pub name: String,
    pub role: Option<String>,
    pub text: String,
}

/// A quote's line in its district's profile and under its speaker in the corpus briefing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuotePart {
    pub speaker: Option<String>,
    pub role: Option<String>,
    pub district: String,
    pub corpus: String,
}

/// A key-figure candidate's lines: in its district's profile and under its district in the
/// corpus briefing, with its weight (`figure_weight`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FigurePart {
    pub weight: usize,
    pub district: String,
    pub corpus: String,
}

/// A dated event's line in the corpus timeline, with its place in the timeline's order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventPart {
    pub key: (u32, u32, u32),
    pub text: String,
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

/// Figure rows as the cache stores them: (figure, article id, headline) tuples. `FigureRow`
/// flattens its figure for the templates, and reading a flattened struct buffers every field
/// first; tuples are read directly.
mod cached_figures {
    use super::FigureRow;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(rows: &[FigureRow], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(rows.iter().map(|r| (&r.figure, &r.article_id, &r.headline)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<FigureRow>, D::Error> {
        let tuples: Vec<(model::Figure, String, String)> = Vec::deserialize(deserializer)?;
        Ok(tuples
            .into_iter()
            .map(|(figure, article_id, headline)| FigureRow { figure, article_id, headline })
            .collect())
    }
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
    #[serde(with = "cached_figures")]
    pub figures: Vec<FigureRow>,
    pub people: Vec<PersonRow>,
    pub quotes: Vec<QuoteRow>,
    pub events: Vec<Event>,
    /// The rendered parts, when the briefings are assembled (`Briefings::render_parts`). Not
    /// serialized: the binary's cache stores them in a form read without parsing JSON.
    #[serde(skip)]
    pub parts: Option<ArticleParts>,
}

/// The rows `article` adds to the corpus; `summary` is its summary text.
pub fn article_rows(article: &Article, summary: Option<&str>) -> ArticleRows {
    article_rows_with(article, summary, events::article_events(article))
}

/// `article_rows` with the article's dated events already found.
pub fn article_rows_with(article: &Article, summary: Option<&str>, events: Vec<Event>) -> ArticleRows {
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
        events,
        parts: None,
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
        let candidates = rows.figures.len() + rows.parts.as_ref().map_or(0, |p| p.figures.len());
        profile.figure_count += rows.figure_count.max(candidates);
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
        keep.extend(figures.into_iter().take(KeyFigures::<FigureRow>::KEEP).map(|(_, row, at)| (row, at)));
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
/// `T` is the figure's row, or its rendered lines (`FigurePart`) when the briefings are assembled.
#[derive(Debug, Clone)]
pub struct KeyFigures<T = FigureRow> {
    /// (weight, arrival number, figure).
    held: Vec<(usize, usize, T)>,
    added: usize,
}

impl<T> Default for KeyFigures<T> {
    fn default() -> Self {
        KeyFigures { held: Vec::new(), added: 0 }
    }
}

impl KeyFigures<FigureRow> {
    pub fn add(&mut self, figure: FigureRow) {
        self.add_weighted(figure_weight(&figure), figure);
    }
}

impl<T: Clone> KeyFigures<T> {
    /// The most key figures any briefing shows.
    const KEEP: usize = KEY_FIGURES_PER_PROFILE;

    /// Adds a figure of weight `weight` (`figure_weight`).
    pub fn add_weighted(&mut self, weight: usize, figure: T) {
        self.held.push((weight, self.added, figure));
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
    pub fn best(&self, limit: usize) -> Vec<T> {
        let mut ranked: Vec<&(usize, usize, T)> = self.held.iter().collect();
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
    use model::Article;

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

    /// Invented articles that reach every branch of district.md and corpus.md: districts with
    /// and without figures, people, quotes and events; a person twice and the same name in two
    /// roles; unattributed quotes and a speaker whose role is their name; events with and
    /// without a printed year; more figures than any briefing keeps; Markdown in the text.
    fn corpus_articles() -> Vec<Article> {
        let figure = |n: usize| model::Figure {
            text: if n.is_multiple_of(3) { format!("{n}亿元") } else { format!("{n}个") },
            unit: if n.is_multiple_of(3) { "元".into() } else { "个".into() },
            subject: n.is_multiple_of(2).then(|| format!("指标*{n}*")),
            period: n.is_multiple_of(5).then(|| "2024年".to_owned()),
            ..model::Figure::default()
        };
        let person = |name: &str, role: Option<&str>| model::Person {
            name: name.into(),
            role: role.map(str::to_owned),
            sentence: String::new(),
        };
        let quote = |speaker: Option<&str>, role: Option<&str>, text: &str| model::Quote {
            speaker: speaker.map(str::to_owned),
            role: role.map(str::to_owned),
            text: text.into(),
            ..model::Quote::default()
        };
        let article = |n: usize, district: Option<&str>, paragraphs: &[&str]| Article {
            id: format!("p{}-{n}", n / 2),
            page: format!("p{}", n / 2),
            headline: format!("第{n}篇报道的标题[链接]"),
            district: district.map(str::to_owned),
            street: n.is_multiple_of(3).then(|| "某某街道".to_owned()),
            sections: vec![model::Section {
                heading: None,
                paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            }],
            ..Article::default()
        };
        let mut a = article(0, Some("甲区"), &["2024年6月18日，新馆开馆。", "7月3日还将举办活动。"]);
        a.figures = (0..40).map(figure).collect();
        a.people = vec![person("张三", Some("馆长")), person("李四", None), person("张三", Some("馆长"))];
        a.quotes = vec![quote(Some("张三"), Some("馆长"), "欢迎大家来<b>参观</b>。"), quote(None, None, "真好。")];
        let mut b = article(1, Some("甲区"), &["没有日期的一段话。"]);
        b.people = vec![person("张三", Some("副馆长")), person("王五", Some("居民"))];
        b.quotes = vec![quote(Some("社区书记"), Some("社区书记"), "我们会继续努力。")];
        b.figures = vec![figure(3)];
        let mut c = article(2, None, &["2023年9月，项目启动。", "9月1日开工。"]);
        c.quotes = vec![quote(Some("张三"), None, "又见面了。")];
        let d = article(3, Some("乙区"), &["乙区的一篇报道，没有数据。"]);
        let mut e = article(4, Some(" "), &["3月5日有一件事。"]);
        e.figures = (40..60).map(figure).collect();
        vec![a, b, c, d, e]
    }

    /// The district profiles and the corpus briefing of `articles`, rendered by `briefings`:
    /// assembled from parts (`crate::assembly`) or whole from rows (`Corpus`).
    fn render_all(briefings: &super::Briefings, articles: &[Article]) -> Vec<(String, String)> {
        let mut corpus = super::Corpus::default();
        let mut pages = Vec::new();
        for page in articles.chunks(2) {
            corpus.page_count += 1;
            let mut rows: Vec<super::ArticleRows> = page
                .iter()
                .enumerate()
                .map(|(k, a)| super::article_rows(a, (k == 0).then_some("一句摘要*强调*。")))
                .collect();
            super::keep_key_figure_candidates(&mut rows);
            for row in &mut rows {
                briefings.render_parts(row).expect("parts render");
            }
            pages.push(rows);
        }
        if briefings.assembled() {
            let mut assembly = crate::assembly::Assembly::default();
            assembly.page_count = corpus.page_count;
            for row in pages.iter().flatten() {
                assembly.add_parts(&row.district, row.figure_count, row.parts.as_ref().expect("parts"));
            }
            let text = |o: crate::assembly::Output<'_>| String::from_utf8(o.to_vec()).expect("utf-8");
            let mut out: Vec<(String, String)> = assembly
                .districts()
                .into_iter()
                .map(|d| {
                    (
                        d.slug.clone(),
                        text(
                            briefings.assembled_profile(&assembly, d, &mut |_, _| Vec::new()).expect("profile renders"),
                        ),
                    )
                })
                .collect();
            out.push((
                "corpus".into(),
                text(briefings.assembled_corpus(&assembly, &mut |_, _| Vec::new()).expect("corpus renders")),
            ));
            return out;
        }
        for row in pages.into_iter().flatten() {
            corpus.add_rows(row);
        }
        let mut out: Vec<(String, String)> = corpus
            .districts
            .values()
            .map(|d| (d.slug.clone(), briefings.district_profile(d).expect("profile renders")))
            .collect();
        out.push(("corpus".into(), briefings.corpus_briefing(&corpus).expect("corpus renders")));
        out
    }

    #[test]
    fn briefings_assembled_from_parts_are_the_whole_templates_rendered() {
        let assembled = super::Briefings::new(Vec::new()).expect("built-in templates");
        assert!(assembled.assembled());
        let whole = super::Briefings::whole();
        let articles = corpus_articles();
        for count in [0, 1, 3, articles.len()] {
            let want = render_all(&whole, &articles[..count]);
            let got = render_all(&assembled, &articles[..count]);
            assert_eq!(got.len(), want.len());
            for ((name, got), (_, want)) in got.iter().zip(&want) {
                assert_eq!(got, want, "{count} articles, {name}");
            }
        }
        let all = render_all(&whole, &articles);
        let corpus = &all.last().expect("corpus").1;
        for seen in ["（无数据）", "（2024年）", "### 社区书记\n", "2024年6月18日", "（无署名引语）"]
        {
            assert_eq!(corpus.contains(seen), seen != "（无署名引语）", "{seen} in\n{corpus}");
        }
    }

    #[test]
    fn overriding_district_or_corpus_renders_them_whole() {
        let file = |name: &str| {
            vec![super::TemplateSource {
                name: name.into(),
                origin: name.into(),
                source: "{{ district.name }}{{ page_count }}".into(),
            }]
        };
        assert!(!super::Briefings::new(file("district.md")).expect("compiles").assembled());
        assert!(!super::Briefings::new(file("corpus.md")).expect("compiles").assembled());
        assert!(super::Briefings::new(file("brief.md")).expect("compiles").assembled());
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
