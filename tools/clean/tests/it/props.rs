//! Properties on generated input (proptest): clean never panics and changes only whitespace of
//! the body, whatever split made of the text.

use proptest::prelude::*;

fn page_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "本报讯",
        "杭州",
        "社区",
        "服务",
        "。",
        "，",
        "“",
        "”",
        "（",
        "）",
        "摄",
        "#",
        "# ",
        "\n",
        "\n\n",
        " ",
        "  ",
        "\u{3000}",
        "5G",
        "S308",
        "公路",
        "基站",
        "2023年",
        "的",
        "了",
        "和",
        "A",
        "b",
        "-",
        "\r\n",
    ]);
    prop::collection::vec(prop_oneof![pieces.prop_map(str::to_owned), "\\PC{0,4}"], 0..150).prop_map(|v| v.concat())
}

fn body(page: &model::Page) -> Vec<char> {
    let paragraphs = page.articles.iter().flat_map(|a| a.sections.iter()).flat_map(|s| s.paragraphs.iter());
    paragraphs.flat_map(|p| p.chars()).filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn clean_changes_only_whitespace(text in page_text()) {
        let (page, _layout) = split::split_text("page", &text, &split::Splitter::default());
        let before = body(&page);
        let cleaned = clean::clean_page(page, &clean::Cleaner::default());
        prop_assert_eq!(before, body(&cleaned));
    }
}
