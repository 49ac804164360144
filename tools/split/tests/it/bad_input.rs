//! Bad input is a diagnostic or an error, never a panic.

use crate::support::splitter;

/// A 50 MB page on one line is one article holding every character (how long it takes is the
/// bench's to show, not a test's).
#[test]
fn a_50_mb_single_line_is_one_article_with_every_character() {
    let line = "这是一段没有换行的超长文字，".repeat(50 * 1024 * 1024 / 42);
    let page = split::split_page("p", "p.txt", line.as_bytes(), splitter()).expect("decodes");
    assert_eq!(page.articles.len(), 1);
    let chars: usize = page.articles[0].paragraphs().map(|p| p.len()).sum();
    assert_eq!(chars, line.len());
}

#[test]
fn a_page_of_only_captions_has_a_diagnostic() {
    let page = split::split_page("p", "p.txt", "\n\n\n湖边夜景\n\n\n\n古镇一角\n".as_bytes(), splitter()).expect("ok");
    let codes: Vec<&str> = page.articles.iter().flat_map(|a| a.diagnostics.iter().map(|d| d.code.as_str())).collect();
    assert!(codes.contains(&"no-body") || codes.contains(&"no-headline"), "{codes:?}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A deterministic spread of byte soups: every one is either split or refused with an error.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..200 {
        let len = (round * 37) % 700;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Mostly text-like bytes: newlines, spaces, `#`, and UTF-8 lead/continuation bytes.
                [b'\n', b' ', b'#', 0xE4, 0xB8, 0xAD, 0xE3, 0x80, 0x82, b'a'][(state % 10) as usize]
            })
            .collect();
        let _ = split::split_page("p", "p.txt", &bytes, splitter());
    }
}

#[test]
fn random_pages_of_newspaper_pieces_never_panic_and_lose_no_character() {
    // Pieces of real page structure (bylines in brackets, datelines, dashes, emphasis, indents,
    // credits, numbering) put together at random: every page splits, and every character of it
    // lands in exactly one field.
    const PIECES: &[&str] = &[
        "\n",
        "\n\n",
        "\n\n\n",
        "　　",
        "  ",
        "# ",
        "## ",
        "**",
        "（",
        "）",
        "(",
        ")",
        "【",
        "】",
        "——",
        "：",
        "，",
        "。",
        "！",
        "“",
        "”",
        "记者",
        "本报讯",
        "新华社北京3月1日电",
        "张三",
        "李四 ",
        "通讯员",
        "摄",
        "图片由某某提供",
        "一、",
        "（一）",
        "1.",
        "▲",
        "专家点评",
        "相关链接",
        "市民说",
        "今年以来增长",
        "报道",
        "iPhone 17",
        "5G",
        "星期一",
        "城区",
        "新建",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for round in 0..300 {
        let mut text = String::new();
        for _ in 0..(round % 60) + 1 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        let (page, _layout) = split::split_text("p", &text, splitter());
        let diff = split::accounting::differences(
            &split::accounting::text_counts(&text),
            &split::accounting::page_counts(&page),
        );
        assert!(diff.is_empty(), "round {round}: {text:?}\n{}", diff.join("\n"));
    }
}
