//! Gives every line of a page a class (series, kicker, headline, subtitle, byline, heading,
//! body, caption, credit, furniture) and the article it belongs to.
//!
//! The classes come from the learned line labeller (`labeller::Model`, features from
//! `features`): one best sequence for the whole page under the allowed transitions. Articles
//! follow from the sequence: a header line (series, kicker or headline) after anything that is
//! not the same article's header opens the next article (`labeller::starts_article`).
//!
//! What is not here: building the `Page` (see `lib.rs`), rejoining broken sentences (`clean`).

use crate::features;
use crate::labeller::{self, Model};
use crate::lexicon::Lexicon;
use crate::lines::{self, Line};

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Furniture,
    Series,
    Kicker,
    Headline,
    /// The 副题 printed under the headline.
    Subtitle,
    /// A kicker and the headline printed on one line, joined by `——`.
    KickerHeadline,
    Byline,
    Heading,
    Body,
    Caption,
    /// A caption line that ends with its credit.
    CaptionCredit,
    Credit,
    /// A body line with a bracketed byline printed at its start (`本报讯（记者 张三）近日，…`)
    /// or its end (`…他说。（记者 张三）`).
    BodyByline,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Furniture => "furniture",
            Class::Series => "series",
            Class::Kicker => "kicker",
            Class::Headline => "headline",
            Class::Subtitle => "subtitle",
            Class::KickerHeadline => "kicker+headline",
            Class::Byline => "byline",
            Class::Heading => "heading",
            Class::Body => "body",
            Class::Caption => "caption",
            Class::CaptionCredit => "caption+credit",
            Class::Credit => "credit",
            Class::BodyByline => "body+byline",
        }
    }

    pub fn parse(name: &str) -> Option<Class> {
        labeller::LABELS.into_iter().find(|c| c.as_str() == name)
    }
}

/// The decision for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub class: Class,
    /// The article (index in page order), `None` for furniture before the first article.
    pub article: Option<usize>,
}

/// A page's lines and their decisions, in the same order.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lines: Vec<Line>,
    pub decisions: Vec<Decision>,
    /// Number of articles.
    pub articles: usize,
}

/// Lays out the decoded text of a page.
pub fn layout(text: &str, lexicon: &Lexicon, model: &Model) -> Layout {
    let lines = lines::parse(text);
    let (features, no_title) = features::page_decoding_input(&lines, lexicon);
    let joined: Vec<bool> = lines.iter().map(|l| l.gap == 0).collect();
    let mut classes = model.decode(&features, &joined, &no_title);
    // No header anywhere: the first line that could be a title (short, not furniture by the
    // lexicon, no folio or date, ending no sentence) becomes the headline and the page is
    // decoded again around it, so a headline wrapped over two lines and the text below it are
    // labelled as on any page. A page continued from another (`上接第1版`) opens mid-article
    // and is left without one.
    if !classes.iter().any(|c| labeller::starts_article(None, *c))
        && !lines.iter().take(6).any(|l| l.norm.contains("上接") || l.norm.contains("接上"))
    {
        let title_like = |i: usize| {
            let line = &lines[i];
            !no_title[i]
                && line.len <= 40
                && !line.indent
                && !line.ends_sentence()
                && !line.norm.ends_with(['，', ',', '、'])
                && !features::has_page_ref(&line.norm)
                && !features::has_date(&line.norm)
        };
        if let Some(at) = (0..lines.len().min(6)).find(|&i| title_like(i)) {
            classes = model.decode_with_headline_at(&features, &joined, &no_title, at);
        }
    }
    // A page without any header (a continuation page, a text with no headline at all) is one
    // article: its text is body, never silently page furniture. When that text opens with a
    // short line that ends no sentence (a display page: an advertisement, a poster), the line
    // is its headline; otherwise the article has none.
    if !classes.iter().any(|c| labeller::starts_article(None, *c)) {
        let mut titled = false;
        for (i, (class, line)) in classes.iter_mut().zip(&lines).enumerate() {
            // Short lines the model or the lexicon takes for furniture stay furniture (a folio).
            if line.len <= 40 && (*class == Class::Furniture || lexicon.is_furniture(&line.norm)) {
                continue;
            }
            // A wrapped line running on into the next is no title; display type spaced into
            // phrases is.
            let stands_alone = lines.get(i + 1).is_none_or(|next| next.gap > 0) || line.norm.contains(' ');
            let title = line.len <= 40
                && stands_alone
                && !line.ends_sentence()
                && !line.norm.ends_with(['，', ',', '、'])
                && !line.norm.starts_with(['（', '(']);
            *class = if !titled && title { Class::Headline } else { Class::Body };
            titled = true;
        }
        let mut decisions: Vec<Decision> = classes.iter().map(|&class| Decision { class, article: Some(0) }).collect();
        let any = decisions.iter().any(|d| matches!(d.class, Class::Body | Class::Headline));
        if !any {
            decisions.iter_mut().for_each(|d| d.article = None);
        }
        return Layout { lines, decisions, articles: usize::from(any) };
    }
    // The editors of facing pages printed on one line (`一版责编：…  二版责编：…`) are page
    // furniture wherever they stand, even right under an article's last paragraph.
    for (class, line) in classes.iter_mut().zip(&lines) {
        if matches!(class, Class::Body | Class::BodyByline)
            && (41..=160).contains(&line.len)
            && lexicon.is_furniture_run(&line.text)
        {
            *class = Class::Furniture;
        }
    }
    let (mut decisions, mut articles) = decisions(&classes);
    articles = drop_empty_articles(&mut decisions, articles);
    Layout { lines, decisions, articles }
}

/// An "article" of title lines alone, with no text, caption or section under them, is page
/// furniture the labeller took for a header (a page banner, an advertisement's slogan, an
/// editor's line): its lines become furniture, and the articles after it move up. Returns the
/// number of articles left.
fn drop_empty_articles(decisions: &mut [Decision], articles: usize) -> usize {
    let mut has_content = vec![false; articles];
    for d in decisions.iter() {
        if let Some(k) = d.article
            && matches!(
                d.class,
                Class::Body | Class::BodyByline | Class::Heading | Class::Caption | Class::CaptionCredit
            )
        {
            has_content[k] = true;
        }
    }
    if has_content.iter().all(|c| *c) {
        return articles;
    }
    // New index of each kept article; a dropped one's lines join the article before it.
    let mut new_index = Vec::with_capacity(articles);
    let mut kept = 0;
    for &content in &has_content {
        new_index.push(content.then_some(kept));
        kept += usize::from(content);
    }
    let mut last_kept: Option<usize> = None;
    let mut current: Option<usize> = None;
    for d in decisions.iter_mut() {
        if d.article != current {
            current = d.article;
            if let Some(k) = current.and_then(|k| new_index[k]) {
                last_kept = Some(k);
            }
        }
        match d.article {
            Some(k) if new_index[k].is_none() => {
                d.class = Class::Furniture;
                d.article = last_kept;
            }
            Some(k) => d.article = new_index[k],
            None => {}
        }
    }
    kept
}

/// Each line's article from the label sequence; also the number of articles.
pub fn decisions(classes: &[Class]) -> (Vec<Decision>, usize) {
    let mut article: Option<usize> = None;
    let mut previous: Option<Class> = None;
    let mut out = Vec::with_capacity(classes.len());
    for &class in classes {
        if labeller::starts_article(previous, class) {
            article = Some(article.map_or(0, |k| k + 1));
        }
        out.push(Decision { class, article });
        previous = Some(class);
    }
    (out, article.map_or(0, |k| k + 1))
}

/// `引题—— 主题` printed on one line: the kicker (with its dash) and the headline.
pub fn kicker_split(text: &str) -> Option<(&str, &str)> {
    let at = text.find("——")?;
    let kicker = text[..at + "——".len()].trim();
    let headline = text[at + "——".len()..].trim();
    let kicker_len = kicker.chars().count();
    (kicker_len >= 4 && headline.chars().count() >= 2 && !headline.contains("——")).then_some((kicker, headline))
}
