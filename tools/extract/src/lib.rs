//! Finds figures, people, quotes, places, organizations, initiatives and keywords in cleaned
//! articles, each with the sentence it stands in.
//!
//! Pure: a `Page` in, a `Page` out; no file system access. Word lists come in as a parsed
//! `Lexicon`, and the segmenter, IDF table and gazetteer as part of an `Extractor`, all built
//! once per process by the binary and shared by reference across pages and threads.
//!
//! - `numbers`: numerals (digits, Chinese numerals, mixtures).
//! - `figures`: quantities with units, approximation, ranges, subject, period, evidence.
//! - `people`: people with roles, quotes with speakers, quoted terms (initiatives).
//! - `entities`: places that are not divisions, organizations, listed names, keywords.
//! - `places`: divisions named (with evidence) and the district, street, city and province an
//!   article is about.
//! - `lexicon`: the word lists of `config/lexicon/extract-*.txt`, parsed.
//! - `idf`: jieba's IDF table for keyword weights, embedded.

pub mod entities;
pub mod figures;
pub mod idf;
pub mod lexicon;
pub mod numbers;
pub mod people;
pub mod periods;
pub mod places;
pub mod sentences;

use jieba_rs::{Jieba, KeywordExtractConfig};
use model::Page;
use model::gazetteer::Gazetteer;
use model::options::ExtractOptions;

pub use lexicon::Lexicon;

/// Everything the extractor loads once per process.
pub struct Extractor {
    pub lexicon: Lexicon,
    pub jieba: Jieba,
    /// jieba's IDF table, as `jieba_rs::TfIdf::default` has it.
    pub idf: idf::Idf,
    /// Which words count as terms for keywords (jieba-rs's defaults: stop words, length).
    pub keyword_config: KeywordExtractConfig,
    /// `None` when no gazetteer was configured: places then come from suffix rules only.
    pub gazetteer: Option<Gazetteer>,
}

impl Extractor {
    /// Builds the segmenter (jieba-rs's embedded dictionary) and IDF table: call once.
    pub fn new(lexicon: Lexicon, gazetteer: Option<Gazetteer>) -> Extractor {
        Extractor {
            lexicon,
            jieba: Jieba::new(),
            idf: idf::Idf::builtin(),
            keyword_config: KeywordExtractConfig::default(),
            gazetteer,
        }
    }
}

/// Reads one file's text for `load`: `Ok(None)` when the file does not exist. The caller does
/// the IO (this library does none); an error should name the file.
pub type ReadFile<'a> = dyn Fn(&std::path::Path) -> anyhow::Result<Option<String>> + Sync + 'a;

/// Builds everything the extractor loads once, from `options` and the files they name, read
/// through `read`: the lexicon files that exist override the embedded ones; the gazetteer is
/// `None` when its folder lacks `areas.csv` or `streets.csv`. The segmenter's dictionary, the
/// IDF table and the gazetteer are independent and each takes a noticeable part of start-up,
/// so they are built on threads of their own. Used by the binary and by xtask's in-process runner.
pub fn load(options: &ExtractOptions, read: &ReadFile<'_>) -> anyhow::Result<Extractor> {
    use anyhow::Context;
    let load_lexicon = || -> anyhow::Result<Lexicon> {
        let mut files = std::collections::HashMap::new();
        for (name, _) in lexicon::FILES {
            if let Some(text) = read(&options.lexicon.join(name))? {
                files.insert((*name).to_owned(), text);
            }
        }
        Ok(Lexicon::from_files(&files)?)
    };
    let load_gazetteer = || -> anyhow::Result<Option<Gazetteer>> {
        let dir = &options.gazetteer;
        let file = |name: &str| read(&dir.join(name));
        let (provinces, cities) = (file("provinces.csv")?, file("cities.csv")?);
        let (Some(areas), Some(streets)) = (file("areas.csv")?, file("streets.csv")?) else {
            return Ok(None);
        };
        let csv = model::gazetteer::GazetteerCsv {
            provinces: provinces.as_deref(),
            cities: cities.as_deref(),
            areas: &areas,
            streets: &streets,
        };
        let gazetteer = Gazetteer::from_csv(csv).with_context(|| format!("gazetteer in {}", dir.display()))?;
        Ok(Some(gazetteer))
    };
    let (jieba, idf, gazetteer, lexicon) = std::thread::scope(|scope| {
        let jieba = scope.spawn(Jieba::new);
        let idf = scope.spawn(idf::Idf::builtin);
        let gazetteer = scope.spawn(load_gazetteer);
        let lexicon = load_lexicon();
        (jieba.join(), idf.join(), gazetteer.join(), lexicon)
    });
    let panicked = |what: &str| anyhow::anyhow!("building the {what} failed");
    Ok(Extractor {
        lexicon: lexicon?,
        jieba: jieba.map_err(|_| panicked("segmenter dictionary"))?,
        idf: idf.map_err(|_| panicked("IDF table"))?,
        keyword_config: KeywordExtractConfig::default(),
        gazetteer: gazetteer.map_err(|_| panicked("gazetteer"))??,
    })
}

/// The division mentions of an article: headline, kicker, subtitle, then the paragraphs with the
/// tags, characters and sentences already made for them. Empty without a gazetteer.
#[allow(clippy::too_many_arguments)]
pub fn article_places(
    article: &model::Article,
    headline_tags: &[jieba_rs::Tag<'_>],
    paragraphs: &[(usize, usize, &str)],
    paragraph_tags: &[Vec<jieba_rs::Tag<'_>>],
    prepared: &[sentences::Prepared],
    extractor: &Extractor,
    options: &ExtractOptions,
) -> Vec<places::Mention> {
    let Some(gazetteer) = extractor.gazetteer.as_ref() else { return Vec::new() };
    let kicker = article.kicker.as_deref().unwrap_or("");
    let subtitle = article.subtitle.as_deref().unwrap_or("");
    let (kicker_tags, subtitle_tags) = (extractor.jieba.tag(kicker, false), extractor.jieba.tag(subtitle, false));
    let text = |zone, text, tags| places::Text { zone, paragraph: 0, text, tags, prepared: None };
    let mut texts = vec![
        text(places::Zone::Headline, &article.headline, headline_tags),
        text(places::Zone::Kicker, kicker, &kicker_tags),
        text(places::Zone::Subtitle, subtitle, &subtitle_tags),
    ];
    for (index, ((&(_, _, text), tags), prepared)) in paragraphs.iter().zip(paragraph_tags).zip(prepared).enumerate() {
        texts.push(places::Text { zone: places::Zone::Body, paragraph: index, text, tags, prepared: Some(prepared) });
    }
    places::mentions(gazetteer, &extractor.lexicon, &texts, &options.home_region)
}

/// Why each article of `page` gets the district it gets: the division mentions with their
/// evidence and resolution, the body weights and the choice, article by article.
pub fn explain_page(page: &Page, extractor: &Extractor, options: &ExtractOptions) -> String {
    let Some(gazetteer) = extractor.gazetteer.as_ref() else { return "no gazetteer configured\n".into() };
    let mut out = String::new();
    for article in &page.articles {
        let paragraphs = indexed_paragraphs(&article.sections);
        let headline_tags = extractor.jieba.tag(&article.headline, false);
        let tags: Vec<_> = paragraphs.iter().map(|(_, _, text)| extractor.jieba.tag(text, false)).collect();
        let prepared: Vec<_> = paragraphs.iter().map(|(_, _, text)| sentences::Prepared::new(text)).collect();
        let mentions = article_places(article, &headline_tags, &paragraphs, &tags, &prepared, extractor, options);
        let about = places::about(gazetteer, &mentions);
        out.push_str(&format!("article {} {}\n", article.id, article.headline));
        out.push_str(&places::explain(gazetteer, &mentions, &about));
    }
    out
}

/// An article's paragraphs (from its sections) with their section and paragraph indexes (what `Location` holds).
fn indexed_paragraphs(sections: &[model::Section]) -> Vec<(usize, usize, &str)> {
    sections
        .iter()
        .enumerate()
        .flat_map(|(s, section)| section.paragraphs.iter().enumerate().map(move |(p, text)| (s, p, text.as_str())))
        .collect()
}

/// Extracts everything from every article of `page`.
pub fn extract_page(mut page: Page, extractor: &Extractor, options: &ExtractOptions) -> Page {
    let lexicon = &extractor.lexicon;
    // The date relative figure periods resolve against: the page id's, else the configured one.
    let page_date = periods::page_date(&page.id).or_else(|| options.page_date.as_deref().and_then(periods::parse_iso));
    for article in &mut page.articles {
        let paragraphs = indexed_paragraphs(&article.sections);

        let mut figures = Vec::new();
        let (mut places, mut organizations) = (Vec::new(), Vec::new());
        let mut listed = Vec::new();
        let mut terms = entities::TermCounts::default();
        let headline_tags = extractor.jieba.tag(&article.headline, false);
        terms.add(&headline_tags, &extractor.keyword_config);
        let mut paragraph_tags = Vec::with_capacity(paragraphs.len());
        // Each paragraph's characters and sentences, made once for every finder.
        let prepared: Vec<sentences::Prepared> =
            paragraphs.iter().map(|(_, _, text)| sentences::Prepared::new(text)).collect();
        for (&(s, p, text), prepared) in paragraphs.iter().zip(&prepared) {
            figures.extend(figures::figures_in_prepared(prepared, s, p, lexicon));
            let tags = extractor.jieba.tag(text, false);
            terms.add(&tags, &extractor.keyword_config);
            entities::places_and_organizations_prepared(prepared, &tags, lexicon, &mut places, &mut organizations);
            listed.extend(entities::listed_names(&tags, lexicon).into_iter().map(|name| (name, text)));
            paragraph_tags.push(tags);
        }
        if let Some(gazetteer) = extractor.gazetteer.as_ref() {
            let mentions =
                article_places(article, &headline_tags, &paragraphs, &paragraph_tags, &prepared, extractor, options);
            let about = places::about(gazetteer, &mentions);
            let name = |d: Option<usize>| d.map(|d| gazetteer.division(d).name.clone());
            article.district = name(about.district);
            article.street = name(about.street);
            article.city = places::city_name(gazetteer, &about);
            article.province = name(about.province);
            let mut divisions = places::places(gazetteer, &mentions);
            places.retain(|p: &model::Place| !divisions.iter().any(|d| d.name == p.name));
            divisions.append(&mut places);
            places = divisions;
        }

        let mut found = people::people_and_quotes_prepared(
            paragraphs.iter().zip(&prepared).map(|(&(s, p, _), prepared)| (s, p, prepared)),
            &article.authors,
            lexicon,
        );
        {
            for (name, text) in listed {
                if !found.people.iter().any(|p| p.name == name) && !article.authors.contains(&name) {
                    let sentence = sentences::sentence_containing(text, &name);
                    found.people.push(model::Person { name, role: None, sentence });
                }
            }
        }

        article.keywords = entities::keywords_from_counts(&terms, &extractor.idf, lexicon, options.keywords);
        // A dateline (本报北京9月30日电) dates the article more closely than its page.
        let base = page_date.map(|date| {
            let lead = paragraphs.first().map_or("", |&(_, _, text)| text);
            periods::dateline_date(lead, date).unwrap_or(date)
        });
        figures::date_periods(&mut figures, base, lexicon);
        article.figures = figures;
        article.quotes = found.quotes;
        article.people = found.people;
        article.initiatives = found.initiatives;
        article.places = places;
        article.organizations = organizations;
    }
    page
}
