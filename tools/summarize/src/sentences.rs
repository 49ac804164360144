//! Sentence splitting for Chinese (and mixed) news text, and the test of a *whole* sentence.
//!
//! Sentences are `model::text::sentences`, shared with extract: a sentence ends at `。！？!?` (a
//! run of them, `……` included) plus any closing quotes or
//! brackets that follow, but never inside an open quotation: `他说：“一。二。”` is one sentence.
//! Deliberately no attempt at abbreviations or decimal points: `。` is not used in numbers, and
//! ASCII `.` is not a terminal here.

use model::text::{PAIRS, is_closer, is_terminal};

/// Characters a sentence cannot start with: they continue something before them.
const CONTINUATIONS: &[char] =
    &['，', '、', '；', '：', ',', ';', ':', '。', '！', '？', '”', '’', '」', '』', '）', ')', '》', '…', '—', '-'];

/// One sentence of a paragraph, a slice of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    pub text: &'a str,
    /// Whether it is a whole sentence: ends with a terminal, quotes and brackets balanced, and
    /// does not start with a mark that continues an earlier clause.
    pub whole: bool,
}

/// Splits `paragraph` into sentences, in order, with `model::text::sentences` (the splitter
/// extract's evidence uses too). A line break always ends a sentence (a block that still holds
/// line breaks was not joined into prose, so a line without a terminal is a fragment).
pub fn split(paragraph: &str) -> Vec<Sentence<'_>> {
    model::text::sentences(paragraph).into_iter().map(|text| Sentence { text, whole: is_whole(text) }).collect()
}

/// Whether `text` ends a sentence: its last character other than closing marks is a terminal.
pub fn ends_complete(text: &str) -> bool {
    text.trim_end().chars().rev().find(|&c| !is_closer(c)).is_some_and(is_terminal)
}

/// Whether `text` is a whole sentence on its own.
pub fn is_whole(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    if CONTINUATIONS.contains(&first) {
        return false;
    }
    // It must end with a terminal, possibly followed by closing marks.
    let last_meaningful = text.chars().rev().find(|&c| !is_closer(c));
    if !last_meaningful.is_some_and(is_terminal) {
        return false;
    }
    balanced(text)
}

/// Whether every pair of marks in `text` opens before it closes and all are closed, and straight
/// double quotes come in pairs.
pub fn balanced(text: &str) -> bool {
    let mut stack = Vec::new();
    let mut straight = 0usize;
    for c in text.chars() {
        if c == '"' {
            straight += 1;
        } else if let Some(&(_, close)) = PAIRS.iter().find(|&&(open, _)| open == c) {
            stack.push(close);
        } else if PAIRS.iter().any(|&(_, close)| close == c) && stack.pop() != Some(c) {
            return false;
        }
    }
    stack.is_empty() && straight.is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    fn check(paragraph: &str, expect: Expect) {
        let rendered: Vec<String> = super::split(paragraph)
            .iter()
            .map(|s| format!("{}{}", if s.whole { "+ " } else { "- " }, s.text))
            .collect();
        expect.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn splits_at_terminals_and_keeps_closing_quotes() {
        check(
            "今天天气很好。他说：“我们出发吧！明天再来。”大家都笑了？",
            expect![[r#"
                + 今天天气很好。
                + 他说：“我们出发吧！明天再来。”
                + 大家都笑了？"#]],
        );
    }

    #[test]
    fn a_paragraph_without_a_terminal_is_a_fragment() {
        check("图为市民在公园里散步", expect![[r#"- 图为市民在公园里散步"#]]);
        check(
            "第一句。后半句没有结束",
            expect![[r#"
            + 第一句。
            - 后半句没有结束"#]],
        );
    }

    #[test]
    fn unbalanced_quotes_and_continuations_are_not_whole() {
        check("“没有收尾的引语。", expect![[r#"- “没有收尾的引语。"#]]);
        check("，接着上一段说。", expect![[r#"- ，接着上一段说。"#]]);
        check("书名《未完。", expect![[r#"- 书名《未完。"#]]);
    }

    #[test]
    fn a_line_break_ends_a_sentence() {
        check(
            "小标题\n正文第一句。",
            expect![[r#"
            - 小标题
            + 正文第一句。"#]],
        );
    }

    #[test]
    fn ellipsis_and_mixed_terminals_end_one_sentence() {
        check(
            "真的吗？！是的……好吧。",
            expect![[r#"
            + 真的吗？！
            + 是的……
            + 好吧。"#]],
        );
    }
}
