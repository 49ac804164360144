//! Sentence and clause boundaries of a paragraph, in character offsets.
//!
//! Sentences are `model::text::sentence_bounds`, the one splitter summaries use too: a sentence
//! ends after 。！？!?… (and the closing marks right after them), never inside an open quotation,
//! and at a line break. Clauses (for subjects and speakers) also end at commas, semicolons,
//! colons, quotation marks and brackets. This is a splitter for evidence, not a parser.

/// Characters that end a sentence or one of its semicolon-joined halves (for speaker scans).
pub fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '…' | '!' | '?' | ';')
}

/// Characters that end a clause inside a sentence.
pub fn ends_clause(c: char) -> bool {
    ends_sentence(c)
        || matches!(c, '，' | '、' | '：' | ',' | ':' | '“' | '”' | '（' | '）' | '(' | ')' | '—' | '\n' | '《' | '》')
        || c.is_whitespace()
}

/// A paragraph's characters and sentence ranges, made once per paragraph and shared by the
/// finders (figures, people, places, organizations), which all work in character offsets.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub chars: Vec<char>,
    /// As made by `sentences`.
    pub spans: Vec<(usize, usize)>,
}

impl Prepared {
    pub fn new(text: &str) -> Prepared {
        let chars: Vec<char> = text.chars().collect();
        let spans = sentences(&chars);
        Prepared { chars, spans }
    }
}

/// The `[start, end)` character ranges of the sentences of `chars`, covering it entirely.
pub fn sentences(chars: &[char]) -> Vec<(usize, usize)> {
    model::text::sentence_bounds(chars)
}

/// The sentence range containing character `at` (`spans` as made by `sentences`: sorted).
pub fn sentence_of(spans: &[(usize, usize)], at: usize) -> (usize, usize) {
    let index = spans.partition_point(|(_, e)| *e <= at);
    spans.get(index).copied().filter(|(s, e)| *s <= at && at < *e).unwrap_or((0, 0))
}

/// The evidence text for a span `[start, end)` in sentence `(s, e)`: the whole sentence, trimmed,
/// or a window of it around the span when the sentence is very long (a paragraph without
/// sentence punctuation), so that evidence stays small.
pub fn evidence(chars: &[char], (s, e): (usize, usize), start: usize, end: usize) -> String {
    const MAX: usize = 300;
    const SIDE: usize = 100;
    let (s, e) =
        if e.saturating_sub(s) > MAX { (start.saturating_sub(SIDE).max(s), (end + SIDE).min(e)) } else { (s, e) };
    // Trimmed as `str::trim` does (Unicode white space), before collecting: one allocation.
    let span = chars.get(s..e).unwrap_or_default();
    let start = span.iter().position(|c| !c.is_whitespace()).unwrap_or(span.len());
    let end = span.iter().rposition(|c| !c.is_whitespace()).map_or(start, |k| k + 1);
    collect_exact(&span[start..end.max(start)])
}

/// The string of `chars`, allocated once at its exact length (collecting Han characters grows
/// the buffer several times: each takes three bytes, and only one per character is reserved).
pub fn collect_exact(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
    out.extend(chars);
    out
}

/// The sentence of `text` that contains `needle` (trimmed), or empty.
pub fn sentence_containing(text: &str, needle: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let Some(byte) = text.find(needle) else { return String::new() };
    let at = text[..byte].chars().count();
    evidence(&chars, sentence_of(&sentences(&chars), at), at, at + needle.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: expect_test::Expect) {
        let chars: Vec<char> = input.chars().collect();
        let got: Vec<String> = sentences(&chars).into_iter().map(|(s, e)| chars[s..e].iter().collect()).collect();
        expect.assert_eq(&got.join("|"));
    }

    #[test]
    fn evidence_is_trimmed_like_str_trim() {
        for text in ["\u{3000} 他说：好。\t", "   ", "", "好"] {
            let chars: Vec<char> = text.chars().collect();
            assert_eq!(evidence(&chars, (0, chars.len()), 0, 0), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn splits_after_closing_quote() {
        check("他说：“好。”我们走吧！还有", expect_test::expect!["他说：“好。”|我们走吧！|还有"]);
        check("", expect_test::expect![""]);
    }
}
