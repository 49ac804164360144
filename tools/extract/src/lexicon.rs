//! The word lists the extractor works from: units, approximation words, period words, role words,
//! speech verbs, name followers, organization and place suffixes, stop words, named counts.
//!
//! Each list is a plain text file of `config/lexicon/extract-*.txt` (one entry a line, `#`
//! comments). The shipped files are embedded in the binary as defaults; a user's lexicon folder
//! overrides them file by file. This module only parses text: reading the folder is the binary's
//! job, so the library stays free of file IO.

use std::collections::{HashMap, HashSet};

use model::Approx;
use rustc_hash::{FxHashMap, FxHashSet};

/// The kind of quantity a unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Money,
    Count,
    Percent,
    Multiple,
    Area,
    Length,
    Duration,
    Weight,
    Volume,
    Energy,
    Other,
    /// A numbered name made a figure by `extract-named-counts.txt` (三大 → unit "").
    Named,
}

impl Family {
    fn parse(word: &str) -> Option<Family> {
        Some(match word {
            "money" => Family::Money,
            "count" => Family::Count,
            "percent" => Family::Percent,
            "multiple" => Family::Multiple,
            "area" => Family::Area,
            "length" => Family::Length,
            "duration" => Family::Duration,
            "weight" => Family::Weight,
            "volume" => Family::Volume,
            "energy" => Family::Energy,
            "other" => Family::Other,
            _ => return None,
        })
    }
}

/// One unit as printed, what it measures, and how it is normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub surface: Vec<char>,
    pub family: Family,
    /// The unit written into `Figure::unit`.
    pub canonical: String,
    /// Multiplies the value (成 → 10, as percent).
    pub factor: f64,
}

/// An approximation word and where it stands relative to the number.
#[derive(Debug, Clone, PartialEq)]
pub struct ApproxWord {
    pub surface: Vec<char>,
    /// `None` for a word that only looks like an approximation word (节约).
    pub approx: Option<Approx>,
}

/// A word with a kind (organization and place suffixes).
#[derive(Debug, Clone, PartialEq)]
pub struct Suffix {
    pub surface: String,
    pub kind: String,
}

/// All word lists, parsed. Build once per process; share by reference.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Longest first, so the first match is the longest.
    pub units: Vec<Unit>,
    /// The indexes into `units` by first character, longest first: `unit_at` looks at these only.
    pub units_by_first_char: FxHashMap<char, Vec<usize>>,
    /// Longest first.
    pub approx_before: Vec<ApproxWord>,
    /// Longest first.
    pub approx_after: Vec<ApproxWord>,
    /// Longest first.
    pub periods: Vec<Vec<char>>,
    /// The period words by first character, as indexes into `periods` (longest first): only
    /// these are matched against a text.
    pub periods_by_first_char: FxHashMap<char, Vec<usize>>,
    /// Longest first.
    pub roles: Vec<String>,
    /// The role words by last character, as indexes into `roles` (longest first): only these
    /// are matched against a text.
    pub roles_by_last_char: FxHashMap<char, Vec<usize>>,
    /// Longest first.
    pub speech_verbs: Vec<String>,
    pub name_followers: Vec<String>,
    pub org_suffixes: Vec<Suffix>,
    /// The last characters of the organization suffixes: a quick filter before matching them.
    pub org_suffix_last_chars: FxHashSet<char>,
    pub place_suffixes: Vec<Suffix>,
    /// The last characters of the place suffixes.
    pub place_suffix_last_chars: FxHashSet<char>,
    pub stop_words: HashSet<String>,
    pub named_counts: Vec<Vec<char>>,
    /// Words with a numeral and a measure word that are not quantities (二次元).
    pub not_figures: Vec<Vec<char>>,
    /// Single-character family names.
    pub surnames: FxHashSet<char>,
    /// Two-character family names (欧阳).
    pub compound_surnames: Vec<Vec<char>>,
    /// Cut from the end of a subject phrase (达, 同比增长), longest first.
    pub subject_trim_end: Vec<Vec<char>>,
    /// Cut from the start of a subject phrase (其中, 全年), longest first.
    pub subject_trim_start: Vec<Vec<char>>,
    /// Verbs inside a subject phrase that split off what they act on (实现营收 → 营收).
    pub subject_split: Vec<Vec<char>>,
    /// Words that end a subject read after a figure (5公里的轴线上 → 轴线), longest first.
    pub subject_after_stop: Vec<Vec<char>>,
    /// Change words (同比增长, 下降): also cut from the end; a clause of only these before a figure
    /// measures what the figure before does.
    pub subject_change: Vec<Vec<char>>,
    /// Place words: a division's short form right before one is a place (临安城区).
    pub place_words: Vec<Vec<char>>,
    /// Everyday words that are also short forms of divisions (合作, 资源).
    pub not_places: HashSet<String>,
    /// Dateline openers (本报, 新华社), longest first.
    pub dateline_openers: Vec<Vec<char>>,
    /// Forms of address after a family name (师傅, 女士), longest first.
    pub honorifics: Vec<String>,
    /// Words a speaker phrase may open with that are not part of the speaker (对此, 随后).
    pub speaker_openers: Vec<String>,
}

/// A problem in a lexicon file, with the file and line to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LexiconError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The lexicon files, by name, as shipped in `config/lexicon/` (the embedded defaults).
pub const FILES: &[(&str, &str)] = &[
    ("extract-units.txt", include_str!("../../../config/lexicon/extract-units.txt")),
    ("extract-approx.txt", include_str!("../../../config/lexicon/extract-approx.txt")),
    ("extract-periods.txt", include_str!("../../../config/lexicon/extract-periods.txt")),
    ("extract-roles.txt", include_str!("../../../config/lexicon/extract-roles.txt")),
    ("extract-speech-verbs.txt", include_str!("../../../config/lexicon/extract-speech-verbs.txt")),
    ("extract-name-followers.txt", include_str!("../../../config/lexicon/extract-name-followers.txt")),
    ("extract-org-suffixes.txt", include_str!("../../../config/lexicon/extract-org-suffixes.txt")),
    ("extract-place-suffixes.txt", include_str!("../../../config/lexicon/extract-place-suffixes.txt")),
    ("extract-stopwords.txt", include_str!("../../../config/lexicon/extract-stopwords.txt")),
    ("extract-named-counts.txt", include_str!("../../../config/lexicon/extract-named-counts.txt")),
    ("extract-not-figures.txt", include_str!("../../../config/lexicon/extract-not-figures.txt")),
    ("extract-surnames.txt", include_str!("../../../config/lexicon/extract-surnames.txt")),
    ("extract-subject-trim.txt", include_str!("../../../config/lexicon/extract-subject-trim.txt")),
    ("extract-place-context.txt", include_str!("../../../config/lexicon/extract-place-context.txt")),
    ("extract-honorifics.txt", include_str!("../../../config/lexicon/extract-honorifics.txt")),
    ("extract-speaker-openers.txt", include_str!("../../../config/lexicon/extract-speaker-openers.txt")),
];

/// The entries of a lexicon file: trimmed, non-empty lines without `#` comments, with line numbers.
fn entries(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(index, line)| {
        let line = line.split('#').next().unwrap_or("").trim();
        (!line.is_empty()).then(|| (index + 1, line.split_whitespace().collect()))
    })
}

fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = entries(text).map(|(_, fields)| fields[0].to_owned()).collect();
    out.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    out.dedup();
    out
}

fn suffixes(file: &str, text: &str) -> Result<Vec<Suffix>, LexiconError> {
    let mut out = Vec::new();
    for (line, fields) in entries(text) {
        let Some(kind) = fields.get(1) else {
            return Err(LexiconError { file: file.into(), line, message: "expected `SUFFIX KIND`".into() });
        };
        out.push(Suffix { surface: fields[0].to_owned(), kind: (*kind).to_owned() });
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.surface.chars().count()));
    Ok(out)
}

impl Lexicon {
    /// The lexicon built from the embedded default files.
    pub fn builtin() -> Lexicon {
        // The embedded files are checked by the tests, so this cannot fail in a built binary;
        // an empty lexicon is still a safe fallback.
        Lexicon::from_files(&HashMap::new()).unwrap_or_default()
    }

    /// Parses the lexicon from `overrides` (file name → text), falling back to the embedded
    /// default for each file not given.
    pub fn from_files(overrides: &HashMap<String, String>) -> Result<Lexicon, LexiconError> {
        let text = |name: &str| -> String {
            overrides.get(name).cloned().unwrap_or_else(|| {
                FILES.iter().find(|(file, _)| *file == name).map(|(_, text)| (*text).to_owned()).unwrap_or_default()
            })
        };
        let mut lexicon = Lexicon::default();

        let file = "extract-units.txt";
        for (line, fields) in entries(&text(file)) {
            let error = |message: &str| LexiconError { file: file.into(), line, message: message.into() };
            let family = fields
                .get(1)
                .and_then(|f| Family::parse(f))
                .ok_or_else(|| error("expected `UNIT FAMILY [CANONICAL [FACTOR]]` with a known FAMILY"))?;
            let canonical = fields.get(2).map_or(fields[0], |c| c).to_owned();
            let factor = match fields.get(3) {
                Some(f) => f.parse::<f64>().map_err(|_| error("FACTOR is not a number"))?,
                None => 1.0,
            };
            lexicon.units.push(Unit { surface: fields[0].chars().collect(), family, canonical, factor });
        }
        for word in words(&text("extract-named-counts.txt")) {
            lexicon.units.push(Unit {
                surface: word.chars().collect(),
                family: Family::Named,
                canonical: String::new(),
                factor: 1.0,
            });
        }
        lexicon.units.sort_by_key(|u| std::cmp::Reverse(u.surface.len()));
        lexicon.units.dedup_by(|a, b| a.surface == b.surface);
        for (index, unit) in lexicon.units.iter().enumerate() {
            if let Some(first) = unit.surface.first() {
                lexicon.units_by_first_char.entry(*first).or_default().push(index);
            }
        }

        let file = "extract-approx.txt";
        for (line, fields) in entries(&text(file)) {
            let error = || LexiconError {
                file: file.into(),
                line,
                message: "expected `WORD over|under|about|none before|after`".into(),
            };
            let approx = match fields.get(1).copied() {
                Some("over") => Some(Approx::Over),
                Some("under") => Some(Approx::Under),
                Some("about") => Some(Approx::About),
                Some("none") => None,
                _ => return Err(error()),
            };
            let word = ApproxWord { surface: fields[0].chars().collect(), approx };
            match fields.get(2).copied() {
                Some("before") => lexicon.approx_before.push(word),
                Some("after") => lexicon.approx_after.push(word),
                _ => return Err(error()),
            }
        }
        lexicon.approx_before.sort_by_key(|w| std::cmp::Reverse(w.surface.len()));
        lexicon.approx_after.sort_by_key(|w| std::cmp::Reverse(w.surface.len()));

        lexicon.periods = words(&text("extract-periods.txt")).iter().map(|w| w.chars().collect()).collect();
        for (index, word) in lexicon.periods.iter().enumerate() {
            if let Some(first) = word.first() {
                lexicon.periods_by_first_char.entry(*first).or_default().push(index);
            }
        }
        lexicon.roles = words(&text("extract-roles.txt"));
        for (index, role) in lexicon.roles.iter().enumerate() {
            if let Some(last) = role.chars().last() {
                lexicon.roles_by_last_char.entry(last).or_default().push(index);
            }
        }
        lexicon.speech_verbs = words(&text("extract-speech-verbs.txt"));
        lexicon.name_followers = words(&text("extract-name-followers.txt"));
        lexicon.org_suffixes = suffixes("extract-org-suffixes.txt", &text("extract-org-suffixes.txt"))?;
        lexicon.place_suffixes = suffixes("extract-place-suffixes.txt", &text("extract-place-suffixes.txt"))?;
        let last_chars = |suffixes: &[Suffix]| suffixes.iter().filter_map(|s| s.surface.chars().last()).collect();
        lexicon.org_suffix_last_chars = last_chars(&lexicon.org_suffixes);
        lexicon.place_suffix_last_chars = last_chars(&lexicon.place_suffixes);
        lexicon.stop_words = words(&text("extract-stopwords.txt")).into_iter().collect();
        lexicon.named_counts = words(&text("extract-named-counts.txt")).iter().map(|w| w.chars().collect()).collect();
        lexicon.not_figures = words(&text("extract-not-figures.txt")).iter().map(|w| w.chars().collect()).collect();
        for (_, fields) in entries(&text("extract-surnames.txt")) {
            let word: Vec<char> = fields[0].chars().collect();
            if word.len() == 2 {
                lexicon.compound_surnames.push(word);
            } else {
                lexicon.surnames.extend(word);
            }
        }
        let file = "extract-subject-trim.txt";
        for (line, fields) in entries(&text(file)) {
            let word: Vec<char> = fields[0].chars().collect();
            match fields.get(1).copied() {
                Some("end") => lexicon.subject_trim_end.push(word),
                Some("start") => lexicon.subject_trim_start.push(word),
                Some("split") => lexicon.subject_split.push(word),
                Some("stop") => lexicon.subject_after_stop.push(word),
                Some("change") => {
                    lexicon.subject_trim_end.push(word.clone());
                    lexicon.subject_change.push(word);
                }
                _ => {
                    return Err(LexiconError {
                        file: file.into(),
                        line,
                        message: "expected `WORD end|start|split|stop|change`".into(),
                    });
                }
            }
        }
        let file = "extract-place-context.txt";
        for (line, fields) in entries(&text(file)) {
            let word: Vec<char> = fields[0].chars().collect();
            match fields.get(1).copied() {
                Some("after") => lexicon.place_words.push(word),
                Some("ordinary") => {
                    lexicon.not_places.insert(fields[0].to_owned());
                }
                Some("dateline") => lexicon.dateline_openers.push(word),
                _ => {
                    return Err(LexiconError {
                        file: file.into(),
                        line,
                        message: "expected `WORD after|ordinary|dateline`".into(),
                    });
                }
            }
        }
        lexicon.place_words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        lexicon.dateline_openers.sort_by_key(|w| std::cmp::Reverse(w.len()));
        lexicon.honorifics = words(&text("extract-honorifics.txt"));
        lexicon.speaker_openers = words(&text("extract-speaker-openers.txt"));
        lexicon.subject_trim_end.sort_by_key(|w| std::cmp::Reverse(w.len()));
        lexicon.subject_trim_start.sort_by_key(|w| std::cmp::Reverse(w.len()));
        Ok(lexicon)
    }

    /// The longest unit starting at `chars[at..]`.
    pub fn unit_at(&self, chars: &[char], at: usize) -> Option<&Unit> {
        let rest = chars.get(at..)?;
        let candidates = self.units_by_first_char.get(rest.first()?)?;
        candidates.iter().map(|i| &self.units[*i]).find(|u| rest.starts_with(&u.surface))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse() {
        let lexicon = Lexicon::from_files(&HashMap::new());
        let lexicon = lexicon.as_ref().map_err(ToString::to_string);
        let counts = lexicon.map(|l| (l.units.len() > 50, l.roles.len() > 20, l.approx_before.len() > 5));
        assert_eq!(counts, Ok((true, true, true)));
    }

    #[test]
    fn bad_line_names_file_and_line() {
        let mut files = HashMap::new();
        files.insert("extract-units.txt".to_owned(), "# units\n元 money\n米 furlongs\n".to_owned());
        let error = Lexicon::from_files(&files).err().map(|e| e.to_string());
        expect_test::expect![[r#"
            Some(
                "extract-units.txt:3: expected `UNIT FAMILY [CANONICAL [FACTOR]]` with a known FAMILY",
            )
        "#]]
        .assert_debug_eq(&error);
    }

    #[test]
    fn longest_unit_wins() {
        let lexicon = Lexicon::builtin();
        let chars: Vec<char> = "人次".chars().collect();
        assert_eq!(lexicon.unit_at(&chars, 0).map(|u| u.canonical.as_str()), Some("人次"));
    }
}
