//! Turning a fetched body into UTF-8 text: which charset, then `encoding_rs` to decode.
//!
//! The order is the browsers' one, with the configured encoding where a server says nothing:
//! a byte order mark, the `charset=` of the Content-Type header, the source's `encoding`,
//! a `<meta charset>` or `http-equiv` declaration in the first 1024 bytes, and last `chardetng`'s
//! guess (GBK pages without any declaration are common). Pure; it does not strip HTML (`html`).

use encoding_rs::Encoding;
use serde::Serialize;

/// Where the charset of a body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CharsetSource {
    ByteOrderMark,
    Header,
    Config,
    Meta,
    Detected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding used, e.g. `GBK`, `UTF-8`.
    pub encoding: &'static str,
    pub charset_source: CharsetSource,
    /// Whether some bytes were not valid in that encoding (they became U+FFFD).
    pub malformed: bool,
}

/// The charset named by a Content-Type header value, if it names one `encoding_rs` knows.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// The charset declared by a `<meta charset=…>` or `<meta http-equiv … content="…; charset=…">`
/// tag within the first 1024 bytes. A byte-level scan, like the HTML prescan, so it works
/// before the encoding is known.
pub fn charset_from_meta(body: &[u8]) -> Option<&'static Encoding> {
    let head = body[..body.len().min(1024)].to_ascii_lowercase();
    let mut rest = head.as_slice();
    while let Some(at) = find(rest, b"<meta") {
        let tag = &rest[at..];
        let end = tag.iter().position(|&b| b == b'>').unwrap_or(tag.len());
        let tag = &tag[..end];
        if let Some(pos) = find(tag, b"charset") {
            let value = tag[pos + b"charset".len()..].trim_ascii_start();
            if let Some(value) = value.strip_prefix(b"=") {
                let value = value.trim_ascii_start();
                let value = value.strip_prefix(b"\"").or(value.strip_prefix(b"'")).unwrap_or(value);
                let len = value.iter().position(|b| b" \t\r\n\"';/>".contains(b)).unwrap_or(value.len());
                if let Some(encoding) = Encoding::for_label(&value[..len]) {
                    // A page that says UTF-16 in ASCII bytes is not UTF-16 (HTML spec).
                    return Some(encoding.output_encoding());
                }
            }
        }
        rest = &rest[at + end.max(1)..];
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes `body`. `content_type` is the response header, `configured` the source's `encoding`,
/// `tld` the last label of the host (`cn`), a hint for detection.
pub fn decode(body: &[u8], content_type: Option<&str>, configured: Option<&'static Encoding>, tld: &str) -> Decoded {
    let (encoding, charset_source) = if let Some((encoding, _)) = Encoding::for_bom(body) {
        (encoding, CharsetSource::ByteOrderMark)
    } else if let Some(encoding) = content_type.and_then(charset_from_content_type) {
        (encoding, CharsetSource::Header)
    } else if let Some(encoding) = configured {
        (encoding, CharsetSource::Config)
    } else if let Some(encoding) = charset_from_meta(body) {
        (encoding, CharsetSource::Meta)
    } else {
        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(body, true);
        let tld = Some(tld.as_bytes()).filter(|t| !t.is_empty() && t.is_ascii());
        (detector.guess(tld, true), CharsetSource::Detected)
    };
    let (text, used, malformed) = encoding.decode(body);
    Decoded { text: text.into_owned(), encoding: used.name(), charset_source, malformed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(body: &[u8], content_type: Option<&str>, configured: Option<&str>, expect: Expect) {
        let configured = configured.and_then(|l| Encoding::for_label(l.as_bytes()));
        let d = decode(body, content_type, configured, "cn");
        expect.assert_eq(&format!("{} {:?} malformed={} {:?}", d.encoding, d.charset_source, d.malformed, d.text));
    }

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn charset_sources_in_order() {
        let text = "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。";
        let body = gbk(text);
        check(
            &body,
            Some("text/plain; charset=GBK"),
            None,
            expect![[
                r#"GBK Header malformed=false "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            &body,
            Some("text/plain; charset=\"gb2312\""),
            Some("utf-8"),
            expect![[
                r#"GBK Header malformed=false "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            &body,
            Some("text/plain"),
            Some("gb18030"),
            expect![[
                r#"gb18030 Config malformed=false "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            &body,
            None,
            None,
            expect![[
                r#"GBK Detected malformed=false "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            text.as_bytes(),
            None,
            None,
            expect![[
                r#"UTF-8 Detected malformed=false "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            b"\xEF\xBB\xBFab",
            Some("text/plain; charset=gbk"),
            None,
            expect![[r#"UTF-8 ByteOrderMark malformed=false "ab""#]],
        );
        check(b"\xB9\xFA", Some("text/plain; charset=utf-8"), None, expect![[r#"UTF-8 Header malformed=true "��""#]]);
    }

    #[test]
    fn meta_declarations() {
        let page = |head: &str| [head.as_bytes(), &gbk("<p>新闻</p>")].concat();
        check(
            &page("<html><head><META charset='gb2312'>"),
            None,
            None,
            expect![[r#"GBK Meta malformed=false "<html><head><META charset='gb2312'><p>新闻</p>""#]],
        );
        check(
            &page(r#"<meta http-equiv="Content-Type" content="text/html; charset=GBK" />"#),
            Some("text/html"),
            None,
            expect![[
                r#"GBK Meta malformed=false "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=GBK\" /><p>新闻</p>""#
            ]],
        );
        assert_eq!(charset_from_meta(b"<meta charset=\"utf-16le\">"), Some(encoding_rs::UTF_8));
        assert_eq!(charset_from_meta(b"<meta name=x><p>charset=gbk</p>"), None);
        assert_eq!(charset_from_meta(b"<meta charset"), None);
        assert_eq!(charset_from_meta(b""), None);
    }
}
