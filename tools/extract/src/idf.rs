//! The IDF table keyword weights are read from: jieba's `idf.txt`, the table
//! `jieba_rs::TfIdf::default` loads, embedded from `data/jieba-idf.txt`.
//!
//! jieba-rs keeps its table private and builds it as a hash map of 270,000 owned strings, which
//! was a third of the extractor's start-up; reading a word's IDF from it meant segmenting the
//! word alone. Here the embedded text is indexed once per process as a hash map of words borrowed
//! from it, and a word's IDF is one lookup. The data file lists the same words with the same
//! printed values, grouped by value (`VALUE WORD WORD …` per line, so each value is parsed once);
//! a test checks it entry by entry against jieba-rs's own table. This module does not segment:
//! counting terms is `entities::TermCounts`'.

use rustc_hash::FxHashMap;

/// The embedded table (see `data/README.md`).
const BUILTIN: &str = include_str!("../data/jieba-idf.txt");

/// Words and their IDFs, and the IDF of a word not listed.
#[derive(Debug, Default)]
pub struct Idf {
    words: FxHashMap<&'static str, f64>,
    /// The lower median of the listed values, duplicates counted: what jieba-rs gives a word its
    /// table does not list.
    median: f64,
}

impl Idf {
    /// jieba's table, as `jieba_rs::TfIdf::default` has it.
    pub fn builtin() -> Idf {
        Idf::parse(BUILTIN)
    }

    /// Reads a table in the grouped format: lines of whitespace-separated fields, a value first
    /// and the words that have it after it. A line whose first field is not a number is skipped,
    /// as jieba-rs skips a line it cannot read; a word listed twice keeps its last value.
    pub fn parse(text: &'static str) -> Idf {
        let mut words = FxHashMap::with_capacity_and_hasher(count_words(text), Default::default());
        // Each value with how many times it was listed, for the median.
        let mut values: Vec<(f64, usize)> = Vec::new();
        for line in text.lines() {
            let mut fields = line.split_whitespace();
            let Some(value) = fields.next().and_then(|field| field.parse::<f64>().ok()) else { continue };
            let mut listed = 0;
            for word in fields {
                words.insert(word, value);
                listed += 1;
            }
            if listed > 0 {
                values.push((value, listed));
            }
        }
        Idf { words, median: lower_median(values) }
    }

    /// The IDF of `word`: its listed value, else the median, as jieba-rs weighs it.
    #[inline]
    pub fn idf(&self, word: &str) -> f64 {
        self.words.get(word).copied().unwrap_or(self.median)
    }

    /// The value a word not listed gets.
    pub fn median(&self) -> f64 {
        self.median
    }

    /// How many words are listed.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no word is listed.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Every listed word with its value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.words.iter().map(|(word, idf)| (*word, *idf))
    }
}

/// An upper bound of the words in `text` (a space before each), to size the map once.
fn count_words(text: &str) -> usize {
    text.bytes().filter(|&b| b == b' ').count()
}

/// The value at ascending index `(n - 1) / 2` of all `n` values listed (each value with its
/// count), which is the one jieba-rs's `select_nth_unstable` picks; 0 for no values.
fn lower_median(mut values: Vec<(f64, usize)>) -> f64 {
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: usize = values.iter().map(|(_, count)| count).sum();
    let mut index = total.saturating_sub(1) / 2;
    for (value, count) in values {
        if index < count {
            return value;
        }
        index -= count;
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grouped_table_reads_as_its_lines_say() {
        // Invented words; five values listed, so the lower median is the third smallest (2.5).
        let idf = Idf::parse("9.5 甲乙 丙丁\n# not a table line\n2.5 戊己\n1.25 庚辛 壬癸\n\n");
        assert_eq!(idf.len(), 5);
        assert_eq!(idf.idf("甲乙"), 9.5);
        assert_eq!(idf.idf("壬癸"), 1.25);
        assert_eq!(idf.idf("未列"), 2.5);
        assert_eq!(idf.median(), 2.5);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_lower_one() {
        let idf = Idf::parse("4 子丑 寅卯\n1 辰巳 午未\n");
        assert_eq!(idf.median(), 1.0);
        assert_eq!(Idf::parse("").median(), 0.0);
    }

    #[test]
    fn a_word_listed_twice_keeps_its_last_value() {
        let idf = Idf::parse("3 申酉\n7 申酉 戌亥\n");
        assert_eq!((idf.len(), idf.idf("申酉"), idf.idf("戌亥")), (2, 7.0, 7.0));
    }

    /// The embedded table is jieba-rs's, entry by entry: its `TfIdf` prints its private table
    /// with `Debug`, each entry as `"word": value` (f64's `Debug` round-trips), and words hold no
    /// space, so `, ` separates entries.
    #[test]
    fn the_embedded_table_is_jieba_rs_s() {
        let theirs = format!("{:?}", jieba_rs::TfIdf::default());
        let table = theirs.split_once("idf_dict: {").expect("a table").1;
        let (table, rest) = table.split_once("}, median_idf: ").expect("a median");
        let median: f64 = rest.split_once(',').expect("fields after the median").0.parse().expect("a number");
        let mut expected: Vec<&str> = table.split(", ").collect();
        expected.sort_unstable();
        let idf = Idf::builtin();
        let mut ours: Vec<String> = idf.iter().map(|(word, value)| format!("{word:?}: {value:?}")).collect();
        ours.sort_unstable();
        assert!(ours.len() > 200_000, "{} words", ours.len());
        assert_eq!(ours.len(), expected.len());
        assert!(ours.iter().zip(&expected).all(|(a, b)| a == b), "the tables differ");
        assert_eq!(idf.median().to_bits(), median.to_bits());
    }
}
