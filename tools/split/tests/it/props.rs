//! Properties on generated input (proptest): no panic on arbitrary bytes or text, and the
//! no-character-lost accounting holds on any page-like text.

use proptest::prelude::*;
use split::Splitter;

fn splitter() -> &'static Splitter {
    static SPLITTER: std::sync::OnceLock<Splitter> = std::sync::OnceLock::new();
    SPLITTER.get_or_init(Splitter::default)
}

/// Page-like text: CJK, punctuation, digits, Latin, markup marks, spaces and line breaks.
fn page_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "本报讯",
        "记者",
        "杭州",
        "西湖区",
        "街道",
        "服务",
        "中国服务",
        "发展",
        "。",
        "，",
        "：",
        "“",
        "”",
        "（",
        "）",
        "摄",
        "图为",
        "#",
        "# ",
        "## ",
        "\n",
        "\n\n",
        "  ",
        "\u{3000}",
        "2023年",
        "7月",
        "1.45亿元",
        "12%",
        "A",
        "5G",
        "——",
        "第一版",
        "责任编辑",
        "<p>",
        "</p>",
        "\t",
        "\r\n",
        "本版",
        "|",
        "★",
    ]);
    prop::collection::vec(prop_oneof![pieces.prop_map(str::to_owned), "\\PC{0,6}"], 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), html in any::<bool>()) {
        let name = if html { "page.html" } else { "page.txt" };
        let _ = split::split_page("page", name, &bytes, splitter());
    }

    #[test]
    fn no_character_is_lost_or_added(text in page_text()) {
        let (page, _layout) = split::split_text("page", &text, splitter());
        let (want, got) = (split::accounting::text_counts(&text), split::accounting::page_counts(&page));
        prop_assert!(want == got, "{:?}", split::accounting::differences(&want, &got));
    }
}
