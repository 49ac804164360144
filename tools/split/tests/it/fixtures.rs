//! Layout fixtures: each page in `tests/fixtures/ok` beside its expected rendering, each page in
//! `tests/fixtures/err` beside its expected error or diagnostics.

use crate::support::{check, files, fixtures, render, splitter};

#[test]
fn ok_fixtures_split_as_expected() {
    for input in files(&fixtures().join("ok"), &["txt", "html"]) {
        let bytes = std::fs::read(&input).expect("read fixture");
        let name = input.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let page_id = model::io::page_id(&input);
        let page = split::split_page(&page_id, name, &bytes, splitter()).expect("fixture decodes");
        check(&render(&page), &input.with_extension("expect"));
    }
}

#[test]
fn err_fixtures_fail_or_warn_as_expected() {
    for input in files(&fixtures().join("err"), &["txt", "bin"]) {
        let bytes = std::fs::read(&input).expect("read fixture");
        let name = input.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let actual = match split::split_page("p", name, &bytes, splitter()) {
            Ok(page) => render(&page),
            Err(err) => format!("error: {err}\n"),
        };
        check(&actual, &input.with_extension("expect"));
    }
}

#[test]
fn html_to_text_is_the_text_format() {
    let html = std::fs::read_to_string(fixtures().join("ok/article.html")).expect("read");
    let text = split::html_to_text(&html);
    assert!(text.starts_with("### 聚焦数字经济\n\n# 滨江区西兴街道"), "{text}");
    assert!(!text.contains("广告") && !text.contains("首页") && !text.contains("版权所有"), "{text}");
}
