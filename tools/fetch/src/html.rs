//! HTML → page text for the fetcher: the call site of the split step's HTML path.
//!
//! The split step owns HTML handling (`split::html_to_text` turns a page's HTML into the page
//! text format it reads: `#` headings, blank-line paragraphs); this module only adapts it to the
//! fetcher, so that a page fetched as HTML is stored as the same text the split step would make
//! of it. It does not parse HTML itself.

/// The text of an HTML document in the page text format, ending with a newline unless empty.
pub fn html_to_text(html: &str) -> String {
    let mut text = split::html_to_text(html);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_goes_and_text_stays() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body><h1>标题</h1>\
                    <div>第一段<b>加粗</b>文字</div><script>x()</script><p>Hello <i>big</i> world</p></body></html>";
        let text = html_to_text(html);
        for kept in ["标题", "第一段加粗文字", "Hello big world"] {
            assert!(text.contains(kept), "{kept} missing from {text:?}");
        }
        for dropped in ["<", "x()", "p{}"] {
            assert!(!text.contains(dropped), "{dropped} left in {text:?}");
        }
        assert!(text.ends_with('\n'));
        assert_eq!(html_to_text(""), "");
    }
}
