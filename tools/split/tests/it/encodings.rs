//! The same page in every supported encoding and line-end style splits the same.

use encoding_rs::GB18030;

use crate::support::{fixtures, render, splitter};

fn split(bytes: &[u8]) -> String {
    let page = split::split_page("p", "p.txt", bytes, splitter()).expect("decodes");
    // The source line differs by design (encoding, size); the articles must not.
    render(&page).split_once('\n').map(|(_, rest)| rest.to_owned()).unwrap_or_default()
}

#[test]
fn utf8_bom_utf16_gb18030_crlf_and_cr_split_alike() {
    let text = std::fs::read_to_string(fixtures().join("ok/plain_banner_sections.txt")).expect("read");
    let expected = split(text.as_bytes());
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(text.as_bytes());
    let mut utf16le = vec![0xFF, 0xFE];
    utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut utf16be = vec![0xFE, 0xFF];
    utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let gb18030 = GB18030.encode(&text).0.into_owned();
    let crlf = text.replace('\n', "\r\n").into_bytes();
    let cr = text.replace('\n', "\r").into_bytes();
    for (name, bytes) in [
        ("UTF-8 BOM", with_bom),
        ("UTF-16LE", utf16le),
        ("UTF-16BE", utf16be),
        ("GB18030", gb18030),
        ("CRLF", crlf),
        ("CR", cr),
    ] {
        assert_eq!(split(&bytes), expected, "{name}");
    }
}

#[test]
fn the_source_names_the_encoding_and_hash() {
    let text = "# 标题\n\n正文。\n";
    let gb = GB18030.encode(&text.repeat(8)).0.into_owned();
    let page = split::split_page("p", "p.txt", &gb, splitter()).expect("decodes");
    assert_eq!(page.source.encoding, "GB18030");
    assert_eq!(page.source.file, "p.txt");
    assert_eq!(page.source.blake3, blake3::hash(&gb).to_hex().to_string());
}
