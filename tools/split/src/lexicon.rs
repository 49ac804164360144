//! The word lists `split` uses, parsed from the text of `config/lexicon/split-*.txt`.
//!
//! Pure: the binary reads the files (a user's file replaces the built-in list of the same name);
//! the built-in lists are the files of this repository's `config/lexicon/`, embedded at build time
//! so that the library and its tests need no file system. Nothing here decides a line's class; it
//! only answers "is this a credit / a furniture line / a name".

use std::collections::HashSet;

/// The list files `split` reads, by file name, with their built-in text.
pub const FILES: &[(&str, &str)] = &[
    ("split-furniture.txt", include_str!("../../../config/lexicon/split-furniture.txt")),
    ("split-credits.txt", include_str!("../../../config/lexicon/split-credits.txt")),
    ("split-byline-markers.txt", include_str!("../../../config/lexicon/split-byline-markers.txt")),
    ("split-byline-roles.txt", include_str!("../../../config/lexicon/split-byline-roles.txt")),
    ("split-titles.txt", include_str!("../../../config/lexicon/split-titles.txt")),
    ("split-columns.txt", include_str!("../../../config/lexicon/split-columns.txt")),
    ("split-surnames.txt", include_str!("../../../config/lexicon/split-surnames.txt")),
    ("split-fragment-endings.txt", include_str!("../../../config/lexicon/split-fragment-endings.txt")),
    ("split-datelines.txt", include_str!("../../../config/lexicon/split-datelines.txt")),
    ("split-banner-endings.txt", include_str!("../../../config/lexicon/split-banner-endings.txt")),
];

/// Longest run of text a `*` in a credit pattern may stand for, in characters.
const CREDIT_WILDCARD_MAX: usize = 24;

/// A line pattern: literal pieces around `*` wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pieces: Vec<String>,
}

impl Pattern {
    fn parse(text: &str) -> Pattern {
        Pattern { pieces: text.split('*').map(str::to_owned).collect() }
    }

    /// Whether `text` matches the pattern whole; each wildcard takes at least one character and
    /// at most `max`.
    fn matches(&self, text: &str, max: usize) -> bool {
        let Some((first, rest)) = self.pieces.split_first() else { return text.is_empty() };
        let Some(after) = text.strip_prefix(first.as_str()) else { return false };
        // One wildcard between two literals (`图片由*提供`, `*摄`): no search needed.
        if let [last] = rest {
            return after.strip_suffix(last.as_str()).is_some_and(|middle| {
                let n = middle.chars().take(max + 1).count();
                (1..=max).contains(&n)
            });
        }
        // Every literal must occur somewhere: most texts fail that before any search.
        if !rest.iter().all(|piece| after.contains(piece.as_str())) {
            return false;
        }
        wildcard_then(rest, after, max)
    }
}

/// Whether `text` is a wildcard followed by `rest[0]`, a wildcard, `rest[1]`, … (nothing when
/// `rest` is empty).
fn wildcard_then(rest: &[String], text: &str, max: usize) -> bool {
    let Some((literal, more)) = rest.split_first() else { return text.is_empty() };
    let ends = text.char_indices().map(|(offset, _)| offset).skip(1).chain(std::iter::once(text.len()));
    for end in ends.take(max) {
        if let Some(after) = text[end..].strip_prefix(literal.as_str()) {
            if more.is_empty() {
                if after.is_empty() {
                    return true;
                }
            } else if wildcard_then(more, after, max) {
                return true;
            }
        }
    }
    false
}

/// A list of patterns, indexed so that a text is tried only against the patterns that can
/// match it: those whose first literal starts with the text's first character, and (for the
/// patterns that open with a wildcard) those whose last literal ends with its last character.
/// Most lines are neither furniture nor credits, and most are rejected without one comparison.
#[derive(Debug, Clone, Default)]
struct PatternSet {
    patterns: Vec<Pattern>,
    /// Patterns with a leading literal, by its first character.
    by_first: std::collections::HashMap<char, Vec<usize>>,
    /// Patterns opening with a wildcard and closing with a literal, by its last character.
    by_last: std::collections::HashMap<char, Vec<usize>>,
    /// Patterns with wildcards at both ends.
    open: Vec<usize>,
}

impl PatternSet {
    fn new(patterns: Vec<Pattern>) -> PatternSet {
        let mut set = PatternSet { patterns, ..PatternSet::default() };
        for (i, p) in set.patterns.iter().enumerate() {
            let first = p.pieces.first().and_then(|f| f.chars().next());
            let last = p.pieces.last().and_then(|l| l.chars().next_back());
            match (first, last) {
                (Some(c), _) => set.by_first.entry(c).or_default().push(i),
                (None, Some(c)) => set.by_last.entry(c).or_default().push(i),
                (None, None) => set.open.push(i),
            }
        }
        set
    }

    /// Whether a text opening with `first` and closing with `last` has a pattern to try at all.
    fn may_match(&self, first: char, last: char) -> bool {
        !self.open.is_empty() || self.by_first.contains_key(&first) || self.by_last.contains_key(&last)
    }

    /// Whether `text` matches one of the patterns whole (see `Pattern::matches`).
    fn matches(&self, text: &str, max: usize) -> bool {
        let (Some(first), Some(last)) = (text.chars().next(), text.chars().next_back()) else {
            return self.patterns.iter().any(|p| p.matches(text, max));
        };
        let candidates =
            self.by_first.get(&first).into_iter().chain(self.by_last.get(&last)).flatten().chain(&self.open);
        candidates.into_iter().any(|&i| self.patterns[i].matches(text, max))
    }
}

/// The text without whitespace, borrowed when it has none.
fn compact_cow(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_whitespace) {
        std::borrow::Cow::Owned(compact(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// One `split` word list set.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    furniture: PatternSet,
    credits: PatternSet,
    pub markers: Vec<String>,
    /// Byline role words, longest first.
    pub roles: Vec<String>,
    pub titles: Vec<String>,
    pub columns: HashSet<String>,
    /// The longest column label, in bytes (a longer line is no column label).
    column_max_bytes: usize,
    surnames: HashSet<String>,
    fragment_endings: HashSet<char>,
    datelines: PatternSet,
    banner_endings: Vec<String>,
}

/// The entries of a list file: one per line (or several separated by spaces for the surname
/// list), `#` starts a comment.
fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|l| l.split('#').next().unwrap_or_default().trim()).filter(|l| !l.is_empty())
}

impl Lexicon {
    /// The built-in lists.
    pub fn builtin() -> Lexicon {
        Lexicon::from_files(|_| None)
    }

    /// Builds the lists, taking each file's text from `user` when it has one (a user's file
    /// replaces the built-in one) and from the built-in list otherwise.
    pub fn from_files(user: impl Fn(&str) -> Option<String>) -> Lexicon {
        let text = |name: &str| -> String {
            user(name).unwrap_or_else(|| {
                FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| (*t).to_owned()).unwrap_or_default()
            })
        };
        let mut roles: Vec<String> = entries(&text("split-byline-roles.txt")).map(str::to_owned).collect();
        roles.sort_by_key(|r| std::cmp::Reverse(r.chars().count()));
        let mut titles: Vec<String> = entries(&text("split-titles.txt")).map(str::to_owned).collect();
        titles.sort_by_key(|r| std::cmp::Reverse(r.chars().count()));
        let columns: HashSet<String> = entries(&text("split-columns.txt")).map(str::to_owned).collect();
        Lexicon {
            column_max_bytes: columns.iter().map(String::len).max().unwrap_or(0),
            columns,
            furniture: PatternSet::new(entries(&text("split-furniture.txt")).map(Pattern::parse).collect()),
            credits: PatternSet::new(entries(&text("split-credits.txt")).map(Pattern::parse).collect()),
            markers: entries(&text("split-byline-markers.txt")).map(str::to_owned).collect(),
            roles,
            titles,
            surnames: entries(&text("split-surnames.txt"))
                .flat_map(|l| l.split_whitespace())
                .map(str::to_owned)
                .collect(),
            fragment_endings: entries(&text("split-fragment-endings.txt")).filter_map(|e| e.chars().next()).collect(),
            datelines: PatternSet::new(entries(&text("split-datelines.txt")).map(Pattern::parse).collect()),
            banner_endings: entries(&text("split-banner-endings.txt")).map(str::to_owned).collect(),
        }
    }

    /// Whether a line ending in `c` reads as cut off mid-sentence.
    pub fn is_fragment_ending(&self, c: char) -> bool {
        self.fragment_endings.contains(&c)
    }

    /// Whether `text` is a dateline printed before a bracketed byline (`本报讯`, `新华社北京1月2日电`).
    pub fn is_dateline(&self, text: &str) -> bool {
        self.datelines.matches(&compact_cow(text), CREDIT_WILDCARD_MAX)
    }

    /// Whether a whole line is page furniture.
    pub fn is_furniture(&self, line: &str) -> bool {
        self.furniture.matches(&compact_cow(line), 40)
    }

    /// Whether a line too long for one furniture pattern is a run of furniture pieces set apart
    /// by spaces: the editors of facing pages (`一版责编：张三  二版责编：李四  三版责编：…`),
    /// the names often spaced out (`一版责编：张  三  李四`). It opens with a piece, holds two,
    /// and what stands between them is names (a few characters each), not sentences.
    pub fn is_furniture_run(&self, line: &str) -> bool {
        // Pieces are set apart by spaces, ideographic spaces or tabs; a line with none (most
        // running text) is settled by a byte search, not a walk over its characters.
        if ![' ', '\u{3000}', '\t', '\u{a0}'].into_iter().any(|space| line.contains(space)) {
            return false;
        }
        let mut chunks = line.split_whitespace();
        let (Some(first), Some(second)) = (chunks.next(), chunks.next()) else { return false };
        if !self.furniture.matches(first, 40) {
            return false;
        }
        let mut pieces = 1;
        for chunk in std::iter::once(second).chain(chunks) {
            if self.furniture.matches(chunk, 40) {
                pieces += 1;
            } else if chunk.chars().nth(4).is_some() {
                return false;
            }
        }
        pieces >= 2
    }

    /// Whether a whole line is a photo credit (brackets around it ignored).
    pub fn is_credit(&self, line: &str) -> bool {
        let trimmed = strip_brackets(line.trim());
        // Compacting keeps the first and last character: most lines have no pattern to try.
        let (Some(first), Some(last)) = (trimmed.chars().next(), trimmed.chars().next_back()) else {
            return self.credits.matches(trimmed, CREDIT_WILDCARD_MAX);
        };
        if !self.credits.may_match(first, last) {
            return false;
        }
        if trimmed.chars().count() > 60 || trimmed.chars().any(|c| matches!(c, '。' | '，' | '；' | '！' | '？')) {
            return false;
        }
        self.credits.matches(&compact_cow(trimmed), CREDIT_WILDCARD_MAX)
    }

    /// Whether a header line is a page banner by its last word (`数字经济专版`).
    pub fn is_banner(&self, line: &str) -> bool {
        let line = compact_cow(line);
        self.banner_endings.iter().any(|e| line.len() > e.len() && line.ends_with(e.as_str()))
    }

    /// Whether `line` is a column label that opens a boxed piece (`专家点评`).
    pub fn is_column(&self, line: &str) -> bool {
        // Printed bare or in brackets: `记者手记`, `【记者手记】`.
        let inner = strip_brackets(line.trim());
        inner.len() <= self.column_max_bytes.max(1) * 2 && self.columns.contains(compact_cow(inner).as_ref())
    }

    /// Whether `word` is a surname.
    pub fn is_surname(&self, word: &str) -> bool {
        self.surnames.contains(word)
    }

    /// Whether `token` is shaped like a personal name: two or three Han characters starting
    /// with a surname, or four starting with a compound surname.
    pub fn is_name(&self, token: &str) -> bool {
        let chars: Vec<char> = token.chars().collect();
        if !chars.iter().all(|c| is_han(*c)) {
            return false;
        }
        let first: String = chars.iter().take(1).collect();
        let first_two: String = chars.iter().take(2).collect();
        match chars.len() {
            2 | 3 => self.is_surname(&first) || (chars.len() == 3 && self.is_surname(&first_two)),
            4 => self.is_surname(&first_two),
            _ => false,
        }
    }
}

/// Removes one pair of brackets around a whole line: `（本版图片由…提供）`.
pub fn strip_brackets(line: &str) -> &str {
    // Most lines open with no bracket: one look at the first character settles them.
    let Some(first) = line.chars().next() else { return line };
    let close = match first {
        '(' => ')',
        '（' => '）',
        '【' => '】',
        '[' => ']',
        '〔' => '〕',
        '〖' => '〗',
        _ => return line,
    };
    match line[first.len_utf8()..].strip_suffix(close) {
        Some(inner) => inner.trim(),
        None => line,
    }
}

/// The text without any whitespace.
pub fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

pub use model::text::is_han;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_patterns_match_whole_lines_only() {
        let lexicon = Lexicon::builtin();
        assert!(lexicon.is_credit("图片由北干街道提供"));
        assert!(lexicon.is_credit("(本版图片由上城区委宣传部提供)"));
        assert!(lexicon.is_credit("胡鉴 摄"));
        assert!(!lexicon.is_credit("图片由北干街道提供的资料显示，今年增长三成。"));
        assert!(!lexicon.is_credit("摄"));
    }

    #[test]
    fn names_need_a_surname_and_a_plausible_length() {
        let lexicon = Lexicon::builtin();
        assert!(lexicon.is_name("张振"));
        assert!(lexicon.is_name("欧阳明月"));
        assert!(!lexicon.is_name("营商环境"));
        assert!(!lexicon.is_name("钱江新城"));
        assert!(!lexicon.is_name("张"));
    }

    #[test]
    fn furniture_patterns_take_wildcards() {
        let lexicon = Lexicon::builtin();
        assert!(lexicon.is_furniture("专版"));
        assert!(lexicon.is_furniture("责任编辑：张三"));
        assert!(!lexicon.is_furniture("专版报道"));
        assert!(lexicon.is_furniture("2026年3月16日 星期一 责任编辑：周敏"));
        assert!(lexicon.is_furniture_run("一版责编：张三李四  二版责编：王五  三版责编：赵六钱七"));
        assert!(!lexicon.is_furniture_run("一版责编：张三李四"));
        assert!(!lexicon.is_furniture_run("一版责编：张三李四  今天的会议讨论了三件事"));
        assert!(lexicon.is_furniture_run("一版责编：张  三  李四  二版责编：王  五"));
        assert!(!lexicon.is_furniture_run("张  三  一版责编：李四  二版责编：王五"));
    }

    #[test]
    fn column_labels_print_bare_or_in_brackets() {
        let lexicon = Lexicon::builtin();
        assert!(lexicon.is_column("记者手记"));
        assert!(lexicon.is_column("【记者手记】"));
        assert!(!lexicon.is_column("记者手记一则"));
    }
}
