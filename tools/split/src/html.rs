//! Reduces an e-paper article page (HTML) to page text through a real HTML parser (html5ever via
//! `scraper`): headings become `#` lines (`<h1>` → `#`, `<h2>` → `##`, …), every other block
//! (paragraph, list item, table cell, division with text of its own) a paragraph, figure captions
//! a paragraph after an extra blank line (the "image gap" `split` reads as a caption), `<br>` a
//! line break. Scripts, styles, navigation, forms and the like are dropped.
//!
//! The result is the same text format as a plain page, so the layout rules meet one input
//! shape. What is not here: deciding which heading is the headline (that is the layout's job).

use scraper::{ElementRef, Html, Node};

/// Elements whose content is never page text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "nav", "footer", "form", "select", "button", "iframe", "svg",
    "canvas", "audio", "video", "object", "embed", "map", "input", "textarea",
];

/// Elements that end the current paragraph before and after them.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "aside",
    "blockquote",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "figure",
    "figcaption",
    "pre",
    "address",
    "center",
    "hr",
    "body",
    "html",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "caption",
    "founder-content",
];

/// The text of an HTML page, in the page text format `split` reads.
pub fn html_to_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let mut out = Writer::default();
    walk(document.root_element(), &mut out);
    out.flush();
    if !out.blocks.iter().any(|b| b.starts_with('#')) {
        // No heading in the body: the document title is the best headline there is.
        let title = scraper::Selector::parse("title").ok().and_then(|s| document.select(&s).next());
        if let Some(title) = title {
            let text = collapse(&title.text().collect::<String>());
            if !text.is_empty() {
                out.blocks.insert(0, format!("# {text}"));
            }
        }
    }
    let mut text = String::new();
    for block in &out.blocks {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(block);
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

#[derive(Default)]
struct Writer {
    blocks: Vec<String>,
    current: String,
    /// Prefix of the block being collected: `# ` for headings, `\n` (an extra blank line) for
    /// captions.
    prefix: String,
}

impl Writer {
    fn text(&mut self, text: &str) {
        let collapsed = collapse_keep_edges(text);
        if collapsed.trim().is_empty() {
            if !self.current.is_empty() && !self.current.ends_with([' ', '\n']) && !collapsed.is_empty() {
                self.current.push(' ');
            }
            return;
        }
        self.current.push_str(&collapsed);
    }

    fn line_break(&mut self) {
        let trimmed = self.current.trim_end_matches(' ').len();
        self.current.truncate(trimmed);
        self.current.push('\n');
    }

    fn flush(&mut self) {
        let lines: Vec<&str> =
            self.current.split('\n').map(|l| l.trim_matches(' ')).filter(|l| !l.is_empty()).collect();
        if !lines.is_empty() {
            let body = lines.join("\n");
            self.blocks.push(format!("{}{}", self.prefix, body));
        }
        self.current.clear();
        self.prefix.clear();
    }
}

fn walk(element: ElementRef<'_>, out: &mut Writer) {
    let name = element.value().name();
    if SKIPPED.contains(&name) {
        return;
    }
    let is_block = BLOCKS.contains(&name);
    if is_block {
        out.flush();
        if let Some(level) = heading_level(name) {
            out.prefix = format!("{} ", "#".repeat(level));
        } else if name == "figcaption" || name == "caption" {
            out.prefix = "\n".to_owned();
        }
    }
    for child in element.children() {
        match child.value() {
            Node::Text(text) => out.text(text),
            Node::Element(e) if e.name() == "br" => out.line_break(),
            Node::Element(_) => {
                if let Some(child) = ElementRef::wrap(child) {
                    let prefix = out.prefix.clone();
                    walk(child, out);
                    // A nested inline element keeps the block's prefix.
                    if out.prefix.is_empty() && !out.current.is_empty() {
                        out.prefix = prefix;
                    }
                }
            }
            _ => {}
        }
    }
    if is_block {
        out.flush();
    }
}

fn heading_level(name: &str) -> Option<usize> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// Runs of ASCII whitespace become one space; other whitespace (the U+3000 indent) stays.
fn collapse_keep_edges(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() || c == '\u{a0}' {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn collapse(text: &str) -> String {
    collapse_keep_edges(text).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_captions_keep_their_order() {
        let html = r#"<!DOCTYPE html><html><head><title>站点 - 新闻</title><script>var x = "<p>no</p>";</script></head>
<body><nav><a href="/">首页</a></nav>
<div class="article"><h3>引题在此</h3><h1>标题<span>一行</span></h1>
<p>　　第一段，<b>加粗</b>文字。</p><figure><img src="a.jpg"><figcaption>图片说明</figcaption></figure>
<p>第二段<br>换行。</p></div><footer>版权所有</footer></body></html>"#;
        assert_eq!(
            html_to_text(html),
            "### 引题在此\n\n# 标题一行\n\n　　第一段，加粗文字。\n\n\n图片说明\n\n第二段\n换行。\n"
        );
    }

    #[test]
    fn without_headings_the_title_is_the_headline() {
        assert_eq!(html_to_text("<title>标题</title><p>正文。</p>"), "# 标题\n\n正文。\n");
    }
}
