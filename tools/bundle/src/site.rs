//! The static site: pages rendered with minijinja (HTML auto-escaping on), the data files its
//! scripts read, and the SVG chart.
//!
//! Everything works from `file://` with no server and no network: the search index and the
//! figures table are JavaScript files that assign a global or call one (browsers block `fetch()` of local
//! files), and the scripts build their output with `textContent`, never `innerHTML`. Built-in
//! templates and assets are compiled into the binary; a user's templates folder overrides them
//! file by file. Deliberately no file IO here, and no client-side framework.

use std::collections::BTreeMap;

use minijinja::{Environment, Value, context};
use model::{Article, Figure};
use serde::Serialize;

/// The built-in templates (`*.html`) and assets, by file name.
pub const DEFAULT_FILES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("figures.html", include_str!("../templates/figures.html")),
    ("style.css", include_str!("../templates/style.css")),
    ("search.js", include_str!("../templates/search.js")),
    ("figures.js", include_str!("../templates/figures.js")),
];

/// The assets copied into `site/assets/` as they are.
pub const ASSETS: &[&str] = &["style.css", "search.js", "figures.js"];

/// The display name of the group of articles with no district.
pub const NO_DISTRICT: &str = "未标注区县";

pub use model::template::{TemplateError, TemplateFile as SiteFile};
use model::template::{merge_overrides, template_error};

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub use model::text::slug;

/// The compiled site templates and the assets.
pub struct Site {
    env: Environment<'static>,
    origins: BTreeMap<String, String>,
    assets: BTreeMap<String, String>,
}

/// A run of paragraph text, a highlighted figure when `figure` is set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub text: String,
    /// Index into the article's figures.
    pub figure: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
struct SectionView {
    heading: Option<String>,
    paragraphs: Vec<Vec<Segment>>,
}

#[derive(Debug, Clone, Serialize)]
struct FigureView<'a> {
    #[serde(flatten)]
    figure: &'a Figure,
    /// Whether the figure is marked in the text (anchor `fig-<index>`).
    placed: bool,
}

/// What the index page lists per article. Small: no body text.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct IndexRow {
    pub id: String,
    pub url: String,
    pub page: String,
    pub headline: String,
    pub district: Option<String>,
    pub street: Option<String>,
    pub summary: Option<String>,
    pub figures: usize,
    pub quotes: usize,
}

impl IndexRow {
    pub fn new(article: &Article) -> IndexRow {
        IndexRow {
            id: article.id.clone(),
            url: format!("articles/{}.html", slug(&article.id)),
            page: article.page.clone(),
            headline: article.headline.clone(),
            district: article.district.clone(),
            street: article.street.clone(),
            summary: article.summary.clone(),
            figures: article.figures.len(),
            quotes: article.quotes.len(),
        }
    }
}

fn char_slice(text: &str, start: usize, end: usize) -> Option<&str> {
    let mut indices = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len()));
    let from = indices.nth(start)?;
    let to = if end == start { from } else { indices.nth(end - start - 1)? };
    text.get(from..to)
}

/// Where figure `figure` stands: (section, paragraph, char start, char end). Its recorded
/// location when that still holds its text, else the first paragraph holding its sentence and
/// text, else the first holding its text.
fn place_figure(article: &Article, figure: &Figure) -> Option<(usize, usize, usize, usize)> {
    if figure.text.is_empty() {
        return None;
    }
    let loc = figure.location;
    if loc.end > loc.start
        && let Some(paragraph) = article.sections.get(loc.section).and_then(|s| s.paragraphs.get(loc.paragraph))
        && char_slice(paragraph, loc.start, loc.end) == Some(figure.text.as_str())
    {
        return Some((loc.section, loc.paragraph, loc.start, loc.end));
    }
    let find = |need_sentence: bool| {
        for (s, section) in article.sections.iter().enumerate() {
            for (p, paragraph) in section.paragraphs.iter().enumerate() {
                if need_sentence && (figure.sentence.is_empty() || !paragraph.contains(&figure.sentence)) {
                    continue;
                }
                let search_from = if need_sentence { paragraph.find(&figure.sentence).unwrap_or(0) } else { 0 };
                if let Some(byte) = paragraph[search_from..].find(&figure.text).map(|b| b + search_from) {
                    let start = paragraph[..byte].chars().count();
                    return Some((s, p, start, start + figure.text.chars().count()));
                }
            }
        }
        None
    };
    find(true).or_else(|| find(false))
}

/// A figure's span in a paragraph: char start, char end, index into the article's figures.
type Mark = (usize, usize, usize);

/// An article's paragraphs as segments, per section, and which figures are marked in them.
#[derive(Debug, Clone, PartialEq)]
pub struct Marked {
    pub sections: Vec<Vec<Vec<Segment>>>,
    pub placed: Vec<bool>,
}

/// The article's sections with its figures cut out as marked segments, and which figures were
/// placed. Overlapping figures keep the first.
pub fn mark_figures(article: &Article) -> Marked {
    // (section, paragraph) → marks
    let mut spans: BTreeMap<(usize, usize), Vec<Mark>> = BTreeMap::new();
    for (index, figure) in article.figures.iter().enumerate() {
        if let Some((s, p, start, end)) = place_figure(article, figure) {
            spans.entry((s, p)).or_default().push((start, end, index));
        }
    }
    let mut placed = vec![false; article.figures.len()];
    let mut sections = Vec::new();
    for (s, section) in article.sections.iter().enumerate() {
        let mut paragraphs = Vec::new();
        for (p, text) in section.paragraphs.iter().enumerate() {
            let mut marks = spans.remove(&(s, p)).unwrap_or_default();
            marks.sort_unstable();
            let chars: Vec<char> = text.chars().collect();
            let mut segments = Vec::new();
            let mut at = 0;
            for (start, end, index) in marks {
                if start < at || end > chars.len() {
                    continue;
                }
                if start > at {
                    segments.push(Segment { text: chars[at..start].iter().collect(), figure: None });
                }
                segments.push(Segment { text: chars[start..end].iter().collect(), figure: Some(index) });
                placed[index] = true;
                at = end;
            }
            if at < chars.len() || segments.is_empty() {
                segments.push(Segment { text: chars[at..].iter().collect(), figure: None });
            }
            paragraphs.push(segments);
        }
        sections.push(paragraphs);
    }
    Marked { sections, placed }
}

impl Site {
    /// Compiles the built-in templates with `overrides` replacing them by file name.
    pub fn new(overrides: Vec<SiteFile>) -> Result<Site, TemplateError> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        // `.html` templates auto-escape (minijinja's default for that extension).
        let mut origins = BTreeMap::new();
        let mut assets = BTreeMap::new();
        for file in merge_overrides(DEFAULT_FILES, overrides) {
            origins.insert(file.name.clone(), file.origin);
            if file.name.ends_with(".html") {
                env.add_template_owned(file.name, file.source).map_err(|e| template_error(&origins, &e))?;
            } else {
                assets.insert(file.name, file.source);
            }
        }
        Ok(Site { env, origins, assets })
    }

    /// The assets to write under `site/assets/`: file name, contents.
    pub fn assets(&self) -> impl Iterator<Item = (&str, &str)> {
        ASSETS.iter().filter_map(|&name| self.assets.get(name).map(|text| (name, text.as_str())))
    }

    fn render(&self, name: &str, ctx: Value) -> Result<String, TemplateError> {
        let template = self.env.get_template(name).map_err(|e| template_error(&self.origins, &e))?;
        template.render(ctx).map_err(|e| template_error(&self.origins, &e))
    }

    /// `articles/<id>.html`: the cleaned text with its figures marked, its people and quotes.
    pub fn article_page(&self, article: &Article) -> Result<String, TemplateError> {
        let Marked { sections: marked, placed } = mark_figures(article);
        let sections: Vec<SectionView> = article
            .sections
            .iter()
            .zip(marked)
            .map(|(section, paragraphs)| SectionView { heading: section.heading.clone(), paragraphs })
            .collect();
        let figures: Vec<FigureView<'_>> =
            article.figures.iter().zip(placed).map(|(figure, placed)| FigureView { figure, placed }).collect();
        self.render(
            "article.html",
            context! {
                root => "../",
                title => &article.headline,
                article => Value::from_serialize(article),
                sections => Value::from_serialize(&sections),
                figures => Value::from_serialize(&figures),
            },
        )
    }

    /// `index.html`: articles grouped by district, and the chart.
    pub fn index_page(&self, rows: &[IndexRow], chart_svg: &str, page_count: usize) -> Result<String, TemplateError> {
        let mut districts: BTreeMap<&str, Vec<&IndexRow>> = BTreeMap::new();
        for row in rows {
            districts.entry(district_name(row.district.as_deref())).or_default().push(row);
        }
        let districts: Vec<Value> = districts
            .into_iter()
            .map(|(name, articles)| context! { name => name, articles => Value::from_serialize(&articles) })
            .collect();
        self.render(
            "index.html",
            context! {
                root => "",
                title => "新闻语料",
                page_count => page_count,
                article_count => rows.len(),
                districts => districts,
                chart => Value::from_safe_string(chart_svg.to_owned()),
            },
        )
    }

    /// `search.html`: the offline search page (its script reads `data/search-index.js`).
    pub fn search_page(&self) -> Result<String, TemplateError> {
        self.render("search.html", context! { root => "", title => "搜索" })
    }

    /// `figures.html`: the figures table (its script reads `data/figures-data.js`).
    pub fn figures_page(&self) -> Result<String, TemplateError> {
        self.render("figures.html", context! { root => "", title => "数据表" })
    }
}

fn district_name(district: Option<&str>) -> &str {
    district.filter(|d| !d.trim().is_empty()).unwrap_or(NO_DISTRICT)
}

/// A JSON value as a line of a JavaScript data file. JSON is valid JavaScript; `<` is escaped
/// too so that the text can never close a script element it is pasted into.
fn js_line(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()).replace('<', "\\u003c")
}

/// The opening of `data/figures-data.js`.
pub const FIGURES_DATA_HEAD: &str = "window.NEWSDESK_FIGURES = [\n";
/// The closing of the data file.
pub const DATA_TAIL: &str = "];\n";

/// The figures table rows of an article.
pub fn figure_entries(article: &Article) -> String {
    let mut out = String::new();
    for (index, f) in article.figures.iter().enumerate() {
        let value = serde_json::json!({
            "article": article.id,
            "url": format!("articles/{}.html#fig-{index}", slug(&article.id)),
            "headline": article.headline,
            "district": article.district,
            "text": f.text,
            "value": f.value.is_finite().then_some(f.value),
            "unit": f.unit,
            "subject": f.subject,
            "period": f.period,
            "period_start": f.period_start,
            "period_end": f.period_end,
        });
        out.push_str(&js_line(&value));
        out.push_str(",\n");
    }
    out
}

/// Per district: how many articles and figures, for the chart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistrictCount {
    pub articles: usize,
    pub figures: usize,
}

/// A horizontal bar chart of the figures extracted per district, articles in the labels.
pub fn chart_svg(counts: &BTreeMap<String, DistrictCount>) -> String {
    const ROW: usize = 28;
    const LABEL: usize = 150;
    const BAR: usize = 420;
    let max = counts.values().map(|c| c.figures).max().unwrap_or(0).max(1);
    let height = ROW * counts.len().max(1) + 40;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"各区县关键数据数量\">\n<title>各区县关键数据数量</title>\n",
        w = LABEL + BAR + 120
    );
    for (row, (name, count)) in counts.iter().enumerate() {
        let y = 20 + row * ROW;
        let width = (count.figures * BAR).div_ceil(max);
        let label = html_escape(district_name(Some(name)));
        svg.push_str(&format!(
            "<g><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\">{label}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{width}\" height=\"{h}\" fill=\"#3b6ea8\"><title>{label}: {f} 项数据，{a} 篇报道</title></rect>\
             <text x=\"{vx}\" y=\"{ty}\" font-size=\"12\">{f} 项 / {a} 篇</text></g>\n",
            lx = LABEL - 8,
            ty = y + 15,
            h = ROW - 8,
            f = count.figures,
            a = count.articles,
            vx = LABEL + width + 6,
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use model::{Article, Figure, Location, Section};

    fn article() -> Article {
        Article {
            id: "p-1".into(),
            headline: "标题".into(),
            sections: vec![Section {
                heading: None, paragraphs: vec!["全年营收达3.5亿元，同比增长12%。".into()]
            }],
            figures: vec![
                Figure {
                    text: "3.5亿元".into(),
                    location: Location { section: 0, paragraph: 0, start: 5, end: 10 },
                    ..Figure::default()
                },
                // A stale location: found again by its text.
                Figure {
                    text: "12%".into(),
                    location: Location { section: 3, paragraph: 9, start: 0, end: 3 },
                    ..Figure::default()
                },
                Figure { text: "不在文中".into(), ..Figure::default() },
            ],
            ..Article::default()
        }
    }

    #[test]
    fn figures_are_cut_out_of_their_paragraphs() {
        let super::Marked { sections, placed } = super::mark_figures(&article());
        let rendered: Vec<String> = sections[0][0]
            .iter()
            .map(|s| match s.figure {
                Some(i) => format!("[{}#{i}]", s.text),
                None => s.text.clone(),
            })
            .collect();
        expect![[r#"全年营收达[3.5亿元#0]，同比增长[12%#1]。"#]].assert_eq(&rendered.concat());
        assert_eq!(placed, vec![true, true, false]);
    }

    #[test]
    fn data_lines_cannot_close_a_script() {
        let mut a = article();
        a.headline = "</script><script>alert(1)</script>".into();
        a.figures.truncate(1);
        let line = super::figure_entries(&a);
        assert!(!line.contains("</script>"), "{line}");
    }
}
