//! Turning a fetched body into UTF-8 text: which charset, then `encoding_rs` to decode.
//!
//! The order is the browsers' one, with the configured encoding where a server says nothing:
//! a byte order mark, the `charset=` of the Content-Type header, the source's `encoding`,
//! a `<meta charset>` or `http-equiv` declaration in the first 1024 bytes, and last `chardetng`'s
//! guess (GBK pages without any declaration are common). Pure; it does not read HTML: the split
//! step does, from the bytes `fetch` stores.
//!
//! `self_describing` tells whether the stored bytes alone lead the split step's decoder (BOM,
//! strict UTF-8, then chardetng without hints) to the same encoding; when they do not, the page
//! is stored transcoded to UTF-8 so that split reads the same text.

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
    /// The byte offset of the first byte sequence that is not valid in that encoding (it became
    /// U+FFFD in `text`); such a page is never stored.
    pub malformed: Option<usize>,
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
    let malformed = if malformed { Some(first_malformed(used, body)) } else { None };
    Decoded { text: text.into_owned(), encoding: used.name(), charset_source, malformed }
}

/// The byte offset of the first malformed sequence of `body` in `encoding` (after any BOM).
fn first_malformed(encoding: &'static Encoding, body: &[u8]) -> usize {
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut out = String::with_capacity(decoder.max_utf8_buffer_length(body.len()).unwrap_or(body.len() * 3));
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
    match result {
        // `read` counts the malformed bytes too; they end at `read`, and are at most a few bytes.
        encoding_rs::DecoderResult::Malformed(bad, after) => read.saturating_sub(usize::from(bad) + usize::from(after)),
        _ => read,
    }
}

/// The encoding the split step's decoder finds in `bytes` alone: a BOM's, UTF-8 when valid, else
/// chardetng's unhinted guess (GBK read as GB18030).
pub fn sniffed(bytes: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    same_text_family(detector.guess(None, true))
}

/// GBK and GB18030 decode GBK bytes to the same characters: one family for comparisons.
fn same_text_family(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == encoding_rs::GBK { encoding_rs::GB18030 } else { encoding }
}

/// Whether `bytes`, decoded as `encoding` by the fetcher, are read the same way by the split
/// step from the bytes alone (so they can be stored as downloaded).
pub fn self_describing(bytes: &[u8], encoding: &'static str) -> bool {
    Encoding::for_label(encoding.as_bytes()).is_some_and(|e| same_text_family(e) == sniffed(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(body: &[u8], content_type: Option<&str>, configured: Option<&str>, expect: Expect) {
        let configured = configured.and_then(|l| Encoding::for_label(l.as_bytes()));
        let d = decode(body, content_type, configured, "cn");
        expect.assert_eq(&format!("{} {:?} malformed={:?} {:?}", d.encoding, d.charset_source, d.malformed, d.text));
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
                r#"GBK Header malformed=None "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            &body,
            Some("text/plain; charset=\"gb2312\""),
            Some("utf-8"),
            expect![[
                r#"GBK Header malformed=None "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            &body,
            Some("text/plain"),
            Some("gb18030"),
            expect![[
                r#"gb18030 Config malformed=None "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            &body,
            None,
            None,
            expect![[
                r#"GBK Detected malformed=None "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            text.as_bytes(),
            None,
            None,
            expect![[
                r#"UTF-8 Detected malformed=None "杭州日报讯 今天上午，市政府召开新闻发布会，介绍城市建设的最新进展和下一步的工作安排。""#
            ]],
        );
        check(
            b"\xEF\xBB\xBFab",
            Some("text/plain; charset=gbk"),
            None,
            expect![[r#"UTF-8 ByteOrderMark malformed=None "ab""#]],
        );
        check(
            b"\xB9\xFA",
            Some("text/plain; charset=utf-8"),
            None,
            expect![[r#"UTF-8 Header malformed=Some(0) "��""#]],
        );
    }

    #[test]
    fn meta_declarations() {
        let page = |head: &str| [head.as_bytes(), &gbk("<p>新闻</p>")].concat();
        check(
            &page("<html><head><META charset='gb2312'>"),
            None,
            None,
            expect![[r#"GBK Meta malformed=None "<html><head><META charset='gb2312'><p>新闻</p>""#]],
        );
        check(
            &page(r#"<meta http-equiv="Content-Type" content="text/html; charset=GBK" />"#),
            Some("text/html"),
            None,
            expect![[
                r#"GBK Meta malformed=None "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=GBK\" /><p>新闻</p>""#
            ]],
        );
        assert_eq!(charset_from_meta(b"<meta charset=\"utf-16le\">"), Some(encoding_rs::UTF_8));
        assert_eq!(charset_from_meta(b"<meta name=x><p>charset=gbk</p>"), None);
        assert_eq!(charset_from_meta(b"<meta charset"), None);
        assert_eq!(charset_from_meta(b""), None);
    }
}
