//! `cargo xtask gen-corpus`: renders structured corpus pages (`../shared/corpus/*.jsonl`: kicker,
//! headline, subtitle, paragraphs, furniture per article) as the page text real inputs are, in
//! several styles, deterministically (the same corpus, style and seed give the same bytes).
//!
//! The renderer also knows the true label of every line it prints, which is what
//! `cargo xtask train-split` learns from: headers and furniture from the corpus structure, the
//! roles of lines inside an article's paragraphs (byline, heading, caption, credit) from
//! `split::teacher`, the one set of generic rules that names them. The benchmark renders its
//! corpus here too.
//!
//! Styles: `web` (one paragraph per line, a blank line between articles), `web-indent` (the same
//! with U+3000 indents), `web-flat` and `web-indent-flat` (no blank line between articles),
//! `print` (a blank line between every line, like `seeds/`), `pdf` (hard-wrapped at 10–24
//! characters, letter-spaced justified lines, headlines over two lines, folio, date, editor
//! lines, hotlines, URLs, a banner, jump lines). Captions and credits are moved between
//! paragraphs and, in `print` and `pdf`, into broken sentences. Any style can be written in
//! GB18030 and with CRLF line ends (`--encoding`, `--crlf`, or `--style mixed` for a mix).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;
use split::Class;
use split::labeller::SplitMix;

/// One page of the structured corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct CorpusPage {
    pub id: String,
    #[serde(default)]
    pub paper: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub page: String,
    pub articles: Vec<CorpusArticle>,
    #[serde(default)]
    pub furniture: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CorpusArticle {
    pub kicker: Option<String>,
    pub headline: String,
    pub subtitle: Option<String>,
    #[serde(default)]
    pub paragraphs: Vec<String>,
}

/// How a page is printed as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Web,
    WebIndent,
    WebFlat,
    WebIndentFlat,
    Print,
    Pdf,
}

impl Style {
    pub const ALL: [Style; 6] =
        [Style::Web, Style::WebIndent, Style::WebFlat, Style::WebIndentFlat, Style::Print, Style::Pdf];

    pub fn name(self) -> &'static str {
        match self {
            Style::Web => "web",
            Style::WebIndent => "web-indent",
            Style::WebFlat => "web-flat",
            Style::WebIndentFlat => "web-indent-flat",
            Style::Print => "print",
            Style::Pdf => "pdf",
        }
    }

    pub fn parse(name: &str) -> Option<Style> {
        Style::ALL.into_iter().find(|s| s.name() == name)
    }

    fn indent(self) -> bool {
        matches!(self, Style::WebIndent | Style::WebIndentFlat)
    }

    fn gap_between_articles(self) -> bool {
        matches!(self, Style::Web | Style::WebIndent)
    }
}

/// A rendered page: its lines (blank ones included) and each line's true label (`None` for
/// blank lines).
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub lines: Vec<String>,
    pub labels: Vec<Option<Class>>,
}

impl Rendered {
    fn push(&mut self, line: impl Into<String>, label: Class) {
        self.lines.push(line.into());
        self.labels.push(Some(label));
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
            self.labels.push(None);
        }
    }

    pub fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}

/// Reads a corpus file (one JSON page per line).
pub fn read_corpus(path: &Path) -> anyhow::Result<Vec<CorpusPage>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading corpus {}", path.display()))?;
    let mut pages = Vec::new();
    for (no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let page: CorpusPage =
            serde_json::from_str(line).with_context(|| format!("{}:{}: not a corpus page", path.display(), no + 1))?;
        pages.push(page);
    }
    Ok(pages)
}

fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

/// `2023-09-01` → `2023年9月1日 星期五`.
fn printed_date(date: &str) -> Option<String> {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    // Zeller's congruence, Monday = 0.
    let (yy, mm) = if m < 3 { (y - 1, m + 12) } else { (y, m) };
    let h = (d + 13 * (mm + 1) / 5 + yy + yy / 4 - yy / 100 + yy / 400) % 7;
    let weekday = ["六", "日", "一", "二", "三", "四", "五"][h as usize];
    Some(format!("{y}年{m}月{d}日  星期{weekday}"))
}

/// Generic section banners (words any paper prints over a page).
const BANNERS: &[&str] =
    &["要闻", "国内", "国际", "经济", "社会", "文化", "评论", "综合", "专版", "副刊", "民生", "视点"];

/// Whether a corpus "article" is page furniture: the crawl keeps some page-editor boxes
/// (`本版责编：…` over `版式设计：…`) as articles with the editor line for a headline. Rendered
/// and scored as furniture, so the splitter never learns furniture as a headline.
pub fn is_furniture_article(article: &CorpusArticle, lexicon: &split::Lexicon) -> bool {
    let headline: String = article.headline.chars().filter(|c| !c.is_whitespace()).collect();
    headline.chars().count() <= 40 && lexicon.is_furniture(&headline)
}

/// Wraps `text` at `width` full-width characters, as a column of type does (a Latin letter or
/// digit is half as wide as a Han character); returns the printed lines.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let limit = 2 * width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = if c.is_ascii() { 1 } else { 2 };
        if used + w > limit && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push(c);
        used += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Letter-spaces a line the way justified PDF text comes out: a space between characters.
fn letter_space(line: &str) -> String {
    let mut out = String::new();
    for (i, c) in line.chars().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Renders one corpus page in `style`.
pub fn render(page: &CorpusPage, style: Style, rng: &mut SplitMix) -> Rendered {
    static LEXICON: std::sync::OnceLock<split::Lexicon> = std::sync::OnceLock::new();
    let lexicon = LEXICON.get_or_init(split::Lexicon::builtin);
    let mut r = Rendered::default();
    let print = style == Style::Print;
    let pdf = style == Style::Pdf;
    let width = 10 + rng.below(15);
    let pdf_indent = rng.below(10) < 7;
    let furniture_on_top = print || pdf;
    if furniture_on_top {
        if rng.below(2) == 0 {
            r.push(BANNERS[rng.below(BANNERS.len())], Class::Furniture);
            r.blank_if(print);
        }
        if pdf {
            let folio = format!("{}  第{}版", page.paper, page.page.trim_start_matches('0'));
            r.push(folio, Class::Furniture);
            if let Some(date) = printed_date(&page.date) {
                r.push(date, Class::Furniture);
            }
        } else if let Some(date) = printed_date(&page.date).filter(|_| rng.below(2) == 0) {
            r.push(date, Class::Furniture);
            r.blank_if(print);
        }
    }
    let n = page.articles.len();
    for (k, article) in page.articles.iter().enumerate() {
        if k > 0 && (style.gap_between_articles() || print || pdf && rng.below(2) == 0) {
            r.blank();
        }
        if is_furniture_article(article, lexicon) {
            for line in std::iter::once(article.headline.as_str()).chain(article.paragraphs.iter().map(String::as_str))
            {
                if !line.trim().is_empty() {
                    r.push(line.trim(), Class::Furniture);
                    r.blank_if(print);
                }
            }
            continue;
        }
        render_header(&mut r, article, style, rng);
        // Captions and credits move about the article, as on a printed page.
        let mut body: Vec<(String, Class)> = Vec::new();
        let mut pictures: Vec<(String, Class)> = Vec::new();
        let count = article.paragraphs.len();
        for (i, paragraph) in article.paragraphs.iter().enumerate() {
            let paragraph = paragraph.trim();
            if paragraph.is_empty() {
                continue;
            }
            let class = split::teacher::paragraph_class(paragraph, i == 0, i + 1 == count, lexicon);
            let movable = matches!(class, Class::Caption | Class::CaptionCredit | Class::Credit) && i > 0;
            if movable && (print || pdf) && rng.below(2) == 0 {
                pictures.push((paragraph.to_owned(), class));
            } else {
                body.push((paragraph.to_owned(), class));
            }
        }
        for picture in pictures {
            let at = if body.len() > 1 { 1 + rng.below(body.len() - 1) } else { body.len() };
            body.insert(at, picture);
        }
        let jump = (print || pdf) && k + 1 == n && rng.below(4) == 0;
        for (i, (paragraph, class)) in body.iter().enumerate() {
            let is_body = matches!(class, Class::Body | Class::BodyByline);
            if pdf && is_body {
                let lines = wrap(paragraph, width);
                let last = lines.len().saturating_sub(1);
                // A caption printed inside a broken sentence, between two lines of a paragraph.
                let inside = (lines.len() > 2 && rng.below(12) == 0).then(|| 1 + rng.below(lines.len() - 2));
                for (j, line) in lines.iter().enumerate() {
                    if inside == Some(j) {
                        let credit = format!("{} 摄", invented_name(rng));
                        r.push(credit, Class::Credit);
                    }
                    let mut printed = if j < last && rng.below(12) == 0 { letter_space(line) } else { line.clone() };
                    if j == 0 && pdf_indent {
                        printed = format!("\u{3000}\u{3000}{printed}");
                    }
                    let label = if *class == Class::BodyByline {
                        split::teacher::line_class(line, lexicon).unwrap_or(Class::Body)
                    } else {
                        Class::Body
                    };
                    r.push(printed, label);
                }
            } else {
                let indent = is_body && (style.indent() || (print && rng.below(3) == 0));
                let printed = if indent { format!("\u{3000}\u{3000}{paragraph}") } else { paragraph.clone() };
                if print && is_body && i > 0 && rng.below(10) == 0 {
                    // A sentence broken by a picture: the caption stands between its halves.
                    let cs = chars(&printed);
                    if let Some(cut) = cs.iter().position(|c| *c == '，').filter(|p| *p + 1 < cs.len()) {
                        let (a, b): (String, String) = (cs[..=cut].iter().collect(), cs[cut + 1..].iter().collect());
                        r.push(a, Class::Body);
                        r.blank();
                        r.blank_force();
                        r.push(format!("{} 摄", invented_name(rng)), Class::Credit);
                        r.blank();
                        r.push(b, Class::Body);
                        r.blank();
                        continue;
                    }
                }
                r.push(printed, *class);
            }
            if print {
                r.blank();
            }
        }
        if jump {
            r.push(format!("（下转第{}版）", 2 + rng.below(18)), Class::Furniture);
            r.blank_if(print);
        }
    }
    if print || pdf {
        r.blank_if(print);
        for line in &page.furniture {
            r.push(line.clone(), Class::Furniture);
            r.blank_if(print);
        }
        if pdf && rng.below(2) == 0 {
            r.push(format!("新闻热线：{}", phone(rng)), Class::Furniture);
        }
        if pdf && rng.below(3) == 0 {
            r.push(format!("http://www.{}.com.cn", latin(rng, 6)), Class::Furniture);
        }
    }
    while r.lines.last().is_some_and(|l| l.is_empty()) {
        r.lines.pop();
        r.labels.pop();
    }
    r
}

impl Rendered {
    fn blank_if(&mut self, yes: bool) {
        if yes {
            self.blank();
        }
    }

    /// A second blank line (an image gap).
    fn blank_force(&mut self) {
        self.lines.push(String::new());
        self.labels.push(None);
    }
}

fn render_header(r: &mut Rendered, article: &CorpusArticle, style: Style, rng: &mut SplitMix) {
    let print = style == Style::Print;
    let pdf = style == Style::Pdf;
    let clean = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(kicker) = clean(&article.kicker) {
        r.push(kicker, Class::Kicker);
        r.blank_if(print);
    }
    let headline = article.headline.trim();
    let hc = chars(headline);
    if pdf && hc.len() > 12 && rng.below(3) == 0 {
        // A column of display type breaks the headline where the line is full: the first line
        // is the longer one.
        let cut = hc.len() / 2 + rng.below(hc.len() / 2 - 1);
        r.push(hc[..cut].iter().collect::<String>(), Class::Headline);
        r.push(hc[cut..].iter().collect::<String>(), Class::Headline);
    } else if pdf && hc.len() <= 10 && rng.below(4) == 0 {
        r.push(letter_space(headline), Class::Headline);
    } else {
        r.push(headline, Class::Headline);
    }
    r.blank_if(print);
    if let Some(subtitle) = clean(&article.subtitle) {
        r.push(subtitle, Class::Subtitle);
        r.blank_if(print);
    }
}

/// An invented two- or three-character name (for inserted photo credits).
fn invented_name(rng: &mut SplitMix) -> String {
    const SURNAMES: &[char] = &['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
    const GIVEN: &[char] = &['明', '华', '丽', '强', '军', '平', '芳', '杰', '涛', '静', '磊', '霞', '宇', '凡'];
    let mut name = String::new();
    name.push(SURNAMES[rng.below(SURNAMES.len())]);
    for _ in 0..1 + rng.below(2) {
        name.push(GIVEN[rng.below(GIVEN.len())]);
    }
    name
}

fn phone(rng: &mut SplitMix) -> String {
    if rng.below(2) == 0 {
        (0..11).map(|i| if i == 0 { '1' } else { char::from(b'0' + rng.below(10) as u8) }).collect()
    } else {
        let digits: String = (0..8).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
        format!("(0{}){digits}", 10 + rng.below(890))
    }
}

fn latin(rng: &mut SplitMix, n: usize) -> String {
    (0..n).map(|_| char::from(b'a' + rng.below(26) as u8)).collect()
}

/// Options of `cargo xtask gen-corpus`.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub from: PathBuf,
    /// The styles; each page is rendered in each (or, with `mixed`, in one chosen per page).
    pub styles: Vec<Style>,
    pub mixed: bool,
    /// At most this many corpus pages (in corpus order, after the month filter).
    pub pages: Option<usize>,
    pub seed: u64,
    pub out: PathBuf,
    /// Only pages whose date starts with one of these (`2023-09`).
    pub months: Vec<String>,
    /// Write GB18030 instead of UTF-8 (`Some(true)`), or a mix (`None` with `mixed`).
    pub gb18030: bool,
    pub crlf: bool,
}

/// The corpus pages `options` selects.
pub fn select(options: &GenOptions) -> anyhow::Result<Vec<CorpusPage>> {
    let mut pages = read_corpus(&options.from)?;
    if !options.months.is_empty() {
        pages.retain(|p| options.months.iter().any(|m| p.date.starts_with(m.as_str())));
    }
    if let Some(n) = options.pages {
        pages.truncate(n);
    }
    Ok(pages)
}

/// A page rendered for writing: its file name and bytes.
pub fn page_file(page: &CorpusPage, style: Style, seed: u64, gb18030: bool, crlf: bool) -> (String, Vec<u8>) {
    let mut rng = SplitMix(seed ^ blake3_u64(&page.id) ^ blake3_u64(style.name()));
    let rendered = render(page, style, &mut rng);
    let mut text = rendered.text();
    let mut suffix = String::new();
    if crlf {
        text = text.replace('\n', "\r\n");
        suffix.push_str("-crlf");
    }
    let bytes = if gb18030 {
        suffix.push_str("-gb18030");
        encoding_rs::GB18030.encode(&text).0.into_owned()
    } else {
        text.into_bytes()
    };
    (format!("{}~{}{suffix}.txt", page.id, style.name()), bytes)
}

fn blake3_u64(text: &str) -> u64 {
    let hash = blake3::hash(text.as_bytes());
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap_or_default())
}

/// Writes the rendered pages into `options.out`; returns how many files were written.
pub fn generate(options: &GenOptions) -> anyhow::Result<usize> {
    if options.styles.is_empty() {
        bail!("no style given");
    }
    let pages = select(options)?;
    std::fs::create_dir_all(&options.out).with_context(|| format!("creating {}", options.out.display()))?;
    let mut written = 0;
    for page in &pages {
        let variants: Vec<(Style, bool, bool)> = if options.mixed {
            let mut rng = SplitMix(options.seed ^ blake3_u64(&page.id));
            let style = options.styles[rng.below(options.styles.len())];
            vec![(style, rng.below(6) == 0, rng.below(6) == 0)]
        } else {
            options.styles.iter().map(|s| (*s, options.gb18030, options.crlf)).collect()
        };
        for (style, gb, crlf) in variants {
            let (name, bytes) = page_file(page, style, options.seed, gb, crlf);
            let path = options.out.join(&name);
            model::io::write_atomic(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> CorpusPage {
        let article = |k: Option<&str>, h: &str, s: Option<&str>, ps: &[&str]| CorpusArticle {
            kicker: k.map(str::to_owned),
            headline: h.to_owned(),
            subtitle: s.map(str::to_owned),
            paragraphs: ps.iter().map(|p| p.to_string()).collect(),
        };
        CorpusPage {
            id: "demo_20260301_02".into(),
            paper: "示例报".into(),
            date: "2026-03-01".into(),
            page: "02".into(),
            articles: vec![
                article(
                    Some("春风又绿江南岸"),
                    "示范小镇的新故事",
                    Some("——来自一个山区小镇的调查"),
                    &[
                        "本报杭州2月28日电  （记者王小明）这是一个虚构的段落，用来检验渲染器的行为是否稳定。",
                        "第二段也是虚构的文字，说明文字不会丢失。",
                    ],
                ),
                article(None, "另一篇短讯的标题", None, &["短讯的正文只有一段，也以句号结束。"]),
            ],
            furniture: vec!["本版责编：张三".into()],
        }
    }

    #[test]
    fn every_style_labels_every_printed_line_and_loses_no_character() {
        for style in Style::ALL {
            let r = render(&page(), style, &mut SplitMix(3));
            assert_eq!(r.lines.len(), r.labels.len());
            for (line, label) in r.lines.iter().zip(&r.labels) {
                assert_eq!(line.trim().is_empty(), label.is_none(), "{style:?}: {line:?}");
            }
            let printed: String = r.text().chars().filter(|c| !c.is_whitespace()).collect();
            for text in ["示范小镇", "检验渲染器", "说明文字不会丢失", "另一篇短讯"] {
                assert!(printed.contains(text), "{style:?} lost {text}: {printed}");
            }
            // Web text carries no page furniture; printed pages do.
            let furniture = matches!(style, Style::Print | Style::Pdf);
            assert_eq!(printed.contains("本版责编"), furniture, "{style:?}: {printed}");
            assert!(r.labels.contains(&Some(Class::Subtitle)), "{style:?}");
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        let a = page_file(&page(), Style::Pdf, 9, false, false);
        let b = page_file(&page(), Style::Pdf, 9, false, false);
        assert_eq!(a, b);
        assert_eq!(a.0, "demo_20260301_02~pdf.txt");
        let (name, bytes) = page_file(&page(), Style::Web, 9, true, true);
        assert_eq!(name, "demo_20260301_02~web-crlf-gb18030.txt");
        assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    }

    #[test]
    fn dates_print_with_their_weekday() {
        assert_eq!(printed_date("2023-09-01").as_deref(), Some("2023年9月1日  星期五"));
        assert_eq!(printed_date("2026-12-01").as_deref(), Some("2026年12月1日  星期二"));
    }
}
