//! Where a byte offset of a text is, as the 1-based line and column a person looks for: the
//! position of a configuration error from the byte span the `toml` crate gives
//! (`toml::de::Error::span`, `toml::Spanned::span`). Both TOML readers (xtask's
//! `config/pipeline.toml` and fetch's `config/sources.toml`) locate their errors here, so they
//! count the same way. Pure; it knows nothing of TOML itself (model does not depend on `toml`).

use std::fmt;
use std::ops::Range;

/// A 1-based line and a 1-based column counted in characters (not bytes), printed `LINE:COLUMN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` of `text`. An offset inside a character is that character;
    /// one past the end (or beyond) is the end of the text. A `\n` belongs to the line it ends.
    pub fn of(text: &str, offset: usize) -> Location {
        let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location { line, column: before[line_start..].chars().count() + 1 }
    }

    /// The location of the start of `span`, the form the `toml` crate reports; `None` when it
    /// reports no span.
    pub fn of_span(text: &str, span: Option<Range<usize>>) -> Option<Location> {
        span.map(|span| Location::of(text, span.start))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::Location;

    /// Renders the location of every listed offset as `offset → line:column`, one a line (model
    /// has no expect-test; the expected lines sit beside each input all the same).
    fn check(text: &str, offsets: &[usize], expect: &[&str]) {
        let got: Vec<String> = offsets.iter().map(|&o| format!("{o} → {}", Location::of(text, o))).collect();
        assert_eq!(got, expect, "locations in {text:?}");
    }

    #[test]
    fn lines_and_columns_are_one_based() {
        check(
            "ab\ncd\n",
            &[0, 1, 2, 3, 4, 5, 6],
            &["0 → 1:1", "1 → 1:2", "2 → 1:3", "3 → 2:1", "4 → 2:2", "5 → 2:3", "6 → 3:1"],
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // `名称 = 1`: 名 and 称 are three bytes each, so the space after them is byte 12, column 3.
        check("[源]\n名称 = 1", &[0, 6, 9, 12, 13], &["0 → 1:1", "6 → 2:1", "9 → 2:2", "12 → 2:3", "13 → 2:4"]);
    }

    #[test]
    fn an_offset_inside_a_character_or_past_the_end_does_not_panic() {
        // Byte 2 is inside 源 (bytes 1..4): it is that character's column.
        check("a源\nb", &[2, 3, 4, 6, 100], &["2 → 1:2", "3 → 1:2", "4 → 1:3", "6 → 2:2", "100 → 2:2"]);
        check("", &[0, 5], &["0 → 1:1", "5 → 1:1"]);
    }

    #[test]
    fn a_carriage_return_stays_on_the_line_it_ends() {
        check("a\r\nb", &[1, 2, 3], &["1 → 1:2", "2 → 1:3", "3 → 2:1"]);
    }

    #[test]
    fn a_span_is_located_at_its_start_and_no_span_at_nothing() {
        let text = "x = 1\ny = [\n";
        assert_eq!(Location::of_span(text, Some(6..11)), Some(Location { line: 2, column: 1 }));
        assert_eq!(Location::of_span(text, Some(8..9)), Some(Location { line: 2, column: 3 }));
        assert_eq!(Location::of_span(text, None), None);
        assert_eq!(Location { line: 12, column: 3 }.to_string(), "12:3");
    }
}
