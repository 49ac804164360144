//! Character classes, sentence boundaries and spacing repairs of Chinese page text, shared by
//! `split` (which measures lines), `clean` (which repairs them), `extract` (whose evidence is a
//! sentence) and `summarize` (whose summaries are sentences): one definition of each, so a
//! figure's evidence sentence and a summary sentence are the same unit. Pure functions over
//! `&str` and `&[char]`; nothing here knows about articles.

/// A Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3007)
}

/// A character written without spaces between words: Han, kana, Hangul (what the search
/// index cuts into bigrams).
pub fn is_cjk(c: char) -> bool {
    is_han(c) || matches!(c as u32, 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// A file-name- and URL-safe form of a name or id: letters (of any script), digits, `-`, `_`
/// and `.` are kept, anything else becomes `_`; no leading dot, never empty.
pub fn slug(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() { "_".to_owned() } else { cleaned.to_owned() }
}

/// Characters that count as "wide" for letter-spacing: Han, CJK punctuation, full-width forms,
/// curly quotes and dashes.
pub fn is_wide(c: char) -> bool {
    is_han(c) || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2014..=0x201F | 0x2026 | 0x00B7)
}

/// Characters that end a sentence: 。！？ and their ASCII forms, and the ellipsis `…`. The
/// semicolon does not: it joins the clauses of one sentence.
pub fn is_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '…')
}

/// Pairs of opening and closing marks whose balance a sentence keeps.
pub const PAIRS: &[(char, char)] =
    &[('“', '”'), ('‘', '’'), ('「', '」'), ('『', '』'), ('（', '）'), ('(', ')'), ('《', '》')];

/// An opening mark of `PAIRS`.
pub fn is_opener(c: char) -> bool {
    PAIRS.iter().any(|&(open, _)| open == c)
}

/// A closing mark of `PAIRS`, or a straight double quote (which may close a quotation).
pub fn is_closer(c: char) -> bool {
    PAIRS.iter().any(|&(_, close)| close == c) || c == '"'
}

/// A quotation mark, curly, corner or straight.
pub fn is_quote_mark(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’' | '"' | '「' | '」' | '『' | '』')
}

/// +1 for an opening mark, -1 for a closing one, 0 otherwise (straight quotes count as neither).
fn mark_depth(c: char) -> i32 {
    if is_opener(c) {
        1
    } else if PAIRS.iter().any(|&(_, close)| close == c) {
        -1
    } else {
        0
    }
}

/// The `[start, end)` character ranges of the sentences of `chars`, covering it entirely and in
/// order. A sentence ends after a run of terminals plus the closing marks right after it, but
/// never inside an open quotation or bracket (`他说：“一。二。”` is one sentence); a line break
/// always ends one (a block that still holds line breaks was not joined into prose). Ranges
/// are not trimmed; whitespace between sentences belongs to the one before.
pub fn sentence_bounds(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth: i32 = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            out.push((start, i + 1));
            start = i + 1;
            depth = 0;
            i += 1;
            continue;
        }
        depth += mark_depth(c);
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len() && (is_terminal(chars[end]) || is_closer(chars[end])) {
            depth += mark_depth(chars[end]);
            end += 1;
        }
        if depth <= 0 {
            out.push((start, end));
            start = end;
            depth = 0;
        }
        i = end;
    }
    if start < chars.len() {
        out.push((start, chars.len()));
    }
    out
}

/// The sentences of `text` as slices of it, trimmed, empty ones left out (see `sentence_bounds`).
pub fn sentences(text: &str) -> Vec<&str> {
    let chars: Vec<char> = text.chars().collect();
    // Byte offset of every character boundary, so char ranges map back to slices of `text`.
    let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    bytes.push(text.len());
    sentence_bounds(&chars)
        .into_iter()
        .map(|(s, e)| text[bytes[s]..bytes[e]].trim())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Removes the spaces of a letter-spaced line (`记 者 从 市 统 计 局`) between wide characters;
/// spaces next to Latin letters or digits stay (`S308 公路`). A line is letter-spaced when at
/// least two thirds of its adjacent wide pairs have one space between them and there are at least two
/// such pairs. Other lines are returned unchanged.
pub fn remove_letter_spacing(text: &str) -> String {
    // Justified lines are a column wide; a long line is not one, and scanning it would only cost.
    // Only a space can be letter-spacing; most lines have none.
    if text.len() > 4096 || !text.contains(' ') {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut spaced, mut tight) = (0usize, 0usize);
    for i in 0..chars.len().saturating_sub(1) {
        if is_wide(chars[i]) && is_wide(chars[i + 1]) && chars[i] != '\u{3000}' && chars[i + 1] != '\u{3000}' {
            tight += 1;
        } else if i + 2 < chars.len() && is_wide(chars[i]) && chars[i + 1] == ' ' && is_wide(chars[i + 2]) {
            spaced += 1;
        }
    }
    if spaced < 2 || spaced <= 2 * tight {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' && i > 0 && i + 1 < chars.len() {
            let before = out.chars().next_back().unwrap_or(' ');
            let after = chars[i + 1..].iter().copied().find(|c| *c != ' ').unwrap_or(' ');
            if is_wide(before) && is_wide(after) {
                continue;
            }
            if out.ends_with(' ') {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_names_and_classes_are_one() {
        assert_eq!(slug("西湖区"), "西湖区");
        assert_eq!(slug("../a b/c"), "_a_b_c");
        assert_eq!(slug(" .hidden"), "hidden");
        assert_eq!(slug("///"), "___");
        assert_eq!(slug(""), "_");
        assert!(is_cjk('中') && is_cjk('か') && is_cjk('한') && !is_cjk('a') && !is_cjk('，'));
    }

    #[test]
    fn letter_spacing_goes_between_han_and_stays_next_to_latin() {
        assert_eq!(
            remove_letter_spacing("记 者 从 市 统 计 局 获 悉 ，今 年 前 三 季 度"),
            "记者从市统计局获悉，今年前三季度"
        );
        assert_eq!(remove_letter_spacing("沿 S308 公 路 建 成 5G 基 站"), "沿 S308 公路建成 5G 基站");
        assert_eq!(
            remove_letter_spacing("两新融合 把牢用好科技创新的 关键变量"),
            "两新融合 把牢用好科技创新的 关键变量"
        );
    }

    #[test]
    fn han_and_wide_classes() {
        assert!(is_han('杭') && !is_han('A') && !is_han('，'));
        assert!(is_wide('，') && is_wide('“') && !is_wide('5'));
    }
    #[test]
    fn sentences_end_after_terminals_and_closers_never_inside_a_quotation() {
        assert_eq!(
            sentences("今天很好。他说：“我们出发吧！明天再来。”大家笑了？还有"),
            ["今天很好。", "他说：“我们出发吧！明天再来。”", "大家笑了？", "还有"]
        );
        assert_eq!(sentences("真的吗？！是的……好吧。"), ["真的吗？！", "是的……", "好吧。"]);
        assert_eq!(sentences("小标题\n正文；第二分句。"), ["小标题", "正文；第二分句。"]);
        assert_eq!(sentences("  "), Vec::<&str>::new());
        let chars: Vec<char> = "甲。乙".chars().collect();
        assert_eq!(sentence_bounds(&chars), [(0, 2), (2, 3)]);
    }
}
