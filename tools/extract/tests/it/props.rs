//! Properties on generated input (proptest): the figure parser never panics, and every figure's
//! value is finite and at most its `value_max`.

use proptest::prelude::*;

fn lexicon() -> &'static extract::lexicon::Lexicon {
    static LEXICON: std::sync::OnceLock<extract::lexicon::Lexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(extract::lexicon::Lexicon::builtin)
}

/// Number-heavy text: digits, Chinese numerals, scales, units, ranges, approximations.
fn figure_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "0",
        "1",
        "2",
        "5",
        "9",
        "12",
        "1.45",
        "3,000",
        "99999999999999999999",
        ".",
        ",",
        "%",
        "‰",
        "一",
        "二",
        "十",
        "百",
        "千",
        "万",
        "亿",
        "兆",
        "两",
        "零",
        "半",
        "元",
        "美元",
        "个",
        "人次",
        "平方米",
        "公里",
        "吨",
        "家",
        "至",
        "到",
        "-",
        "—",
        "~",
        "约",
        "超",
        "近",
        "逾",
        "多",
        "余",
        "以上",
        "不到",
        "同比增长",
        "下降",
        "分之",
        "三分之一",
        "第",
        "年",
        "月",
        "日",
        "前",
        "季度",
        "，",
        "。",
        " ",
        "e",
        "E",
        "+",
        "∞",
        "NaN",
    ]);
    prop::collection::vec(prop_oneof![4 => pieces.prop_map(str::to_owned), 1 => "\\PC{0,3}"], 0..60)
        .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn figure_values_are_finite_and_ordered(text in figure_text()) {
        for figure in extract::figures::figures_in_paragraph(&text, 0, 0, lexicon()) {
            prop_assert!(figure.value.is_finite(), "{} in {:?}", figure.value, figure.text);
            if let Some(max) = figure.value_max {
                prop_assert!(max.is_finite() && figure.value <= max, "{} > {} in {:?}", figure.value, max, figure.text);
            }
        }
    }

    #[test]
    fn any_text_never_panics(text in "\\PC{0,200}") {
        let _ = extract::figures::figures_in_paragraph(&text, 0, 0, lexicon());
        let _ = extract::periods::resolve(&text, Some(jiff::civil::date(2023, 7, 1)), lexicon());
        let paragraphs = text.split('\n').enumerate().map(|(i, p)| (0, i, p));
        let _ = extract::people::people_and_quotes(paragraphs, &[], lexicon());
    }
}
