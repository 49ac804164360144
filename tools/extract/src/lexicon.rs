//! The word lists the extractor works from: units, approximation words, period words, role words,
//! speech verbs, name followers, organization and place suffixes, stop words, named counts, the
//! period reader's vocabulary with festivals and the official holiday table, and the characters
//! around numbers and names that decide what is a figure or a person.
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
    /// Period words that also modify a noun (未来产业): periods only where no noun follows.
    pub period_modifiers: Vec<Vec<char>>,
    /// Longest first.
    pub roles: Vec<String>,
    /// The role words by last character, as indexes into `roles` (longest first): only these
    /// are matched against a text.
    pub roles_by_last_char: FxHashMap<char, Vec<usize>>,
    /// Longest first.
    pub speech_verbs: Vec<String>,
    pub name_followers: Vec<String>,
    /// The first characters of `speech_verbs`, `name_followers` and `honorifics`: the people
    /// finder looks for these words at most positions of a text, and a position whose character
    /// starts none of them is ruled out with one lookup.
    pub speech_verb_firsts: FxHashSet<char>,
    pub name_follower_firsts: FxHashSet<char>,
    pub honorific_firsts: FxHashSet<char>,
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
    /// The characters a person mention can start with: family names, the first characters of
    /// compound ones and the prefixes of address (小, 老). `people::mentions` looks for a role
    /// and a name only where one of these stands.
    pub name_starts: FxHashSet<char>,
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
    /// The words of the period reader and the official holidays.
    pub period_words: PeriodWords,
    /// What around a number decides whether it is a figure (`extract-figure-context.txt`).
    pub figure_context: FigureContext,
    /// What around a name decides whether it is a person (`extract-name-context.txt`).
    pub name_context: NameContext,
}

/// The kinds of `extract-figure-context.txt` (see that file).
#[derive(Debug, Clone, Default)]
pub struct FigureContext {
    pub ordinal_before: FxHashSet<char>,
    /// Longest first.
    pub not_half: Vec<Vec<char>>,
    pub time_after_point: FxHashSet<char>,
    pub date_after_year: FxHashSet<char>,
    pub conjunctions: FxHashSet<char>,
    pub subject_breaks: FxHashSet<char>,
    pub adverbs: FxHashSet<char>,
    /// Duration units that count no length of time (周年: the 100th anniversary).
    pub not_lengths: HashSet<String>,
    /// Words after a length that do not place it before or after now (前夕, 前后).
    pub not_placing: Vec<Vec<char>>,
}

/// The kinds of `extract-name-context.txt` (see that file).
#[derive(Debug, Clone, Default)]
pub struct NameContext {
    pub not_in_name: FxHashSet<char>,
    pub stops_foreign: FxHashSet<char>,
    pub place_end: FxHashSet<char>,
    pub pronouns: HashSet<String>,
    /// Longest first.
    pub references: Vec<String>,
    pub role_lead: FxHashSet<char>,
    pub copula: FxHashSet<char>,
    pub circumstance: FxHashSet<char>,
    pub before_address: FxHashSet<char>,
    pub address_prefix: FxHashSet<char>,
}

/// The one character of a `WORD KIND` entry whose kind is a character class.
fn one_char(file: &str, line: usize, word: &str) -> Result<char, LexiconError> {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(LexiconError { file: file.into(), line, message: format!("`{word}`: expected one character") }),
    }
}

impl FigureContext {
    fn parse(file: &str, text: &str) -> Result<FigureContext, LexiconError> {
        let mut out = FigureContext::default();
        for (line, fields) in entries(text) {
            let word = fields[0];
            let set = match fields.get(1).copied() {
                Some("not-half") => {
                    out.not_half.push(word.chars().collect());
                    continue;
                }
                Some("not-length") => {
                    out.not_lengths.insert(word.to_owned());
                    continue;
                }
                Some("not-placing") => {
                    out.not_placing.push(word.chars().collect());
                    continue;
                }
                Some("ordinal-before") => &mut out.ordinal_before,
                Some("time-after-point") => &mut out.time_after_point,
                Some("date-after-year") => &mut out.date_after_year,
                Some("conjunction") => &mut out.conjunctions,
                Some("subject-break") => &mut out.subject_breaks,
                Some("adverb") => &mut out.adverbs,
                _ => return Err(unknown_kind(file, line)),
            };
            set.insert(one_char(file, line, word)?);
        }
        out.not_half.sort_by_key(|w| std::cmp::Reverse(w.len()));
        Ok(out)
    }
}

/// A `WORD KIND` line whose kind the file does not define.
fn unknown_kind(file: &str, line: usize) -> LexiconError {
    LexiconError { file: file.into(), line, message: "expected `WORD KIND` with a KIND the file's header lists".into() }
}

impl NameContext {
    fn parse(file: &str, text: &str) -> Result<NameContext, LexiconError> {
        let mut out = NameContext::default();
        for (line, fields) in entries(text) {
            let word = fields[0];
            let set = match fields.get(1).copied() {
                Some("pronoun") => {
                    out.pronouns.insert(word.to_owned());
                    continue;
                }
                Some("reference") => {
                    out.references.push(word.to_owned());
                    continue;
                }
                Some("not-in-name") => &mut out.not_in_name,
                Some("stops-foreign") => &mut out.stops_foreign,
                Some("place-end") => &mut out.place_end,
                Some("role-lead") => &mut out.role_lead,
                Some("copula") => &mut out.copula,
                Some("circumstance") => &mut out.circumstance,
                Some("before-address") => &mut out.before_address,
                Some("address-prefix") => &mut out.address_prefix,
                _ => return Err(unknown_kind(file, line)),
            };
            set.insert(one_char(file, line, word)?);
        }
        out.references.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        Ok(out)
    }
}

/// Words with a value, longest first: the first that matches is the longest. The first
/// characters of the words are kept as a 128-bit filter, so a position no word of the list can
/// start at is ruled out with one test instead of a comparison per word: the period reader
/// tries dozens of lists at most positions of a figure's sentence, and most lists fail there.
#[derive(Debug, Clone)]
pub struct Words<T> {
    list: Vec<(Vec<char>, T)>,
    /// A bit per hash of each word's first character (`first_char_bit`).
    first_chars: u128,
    /// Whether an empty word is listed (it matches anywhere: the filter rules nothing out).
    has_empty: bool,
}

impl<T> Default for Words<T> {
    fn default() -> Self {
        Words { list: Vec::new(), first_chars: 0, has_empty: false }
    }
}

/// The bit of `Words::first_chars` for a first character.
fn first_char_bit(c: char) -> u128 {
    // Fibonacci hashing: the top seven bits of the product are well mixed.
    1 << (u64::from(c).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57)
}

impl<T> Words<T> {
    pub fn push(&mut self, entry: (Vec<char>, T)) {
        match entry.0.first() {
            Some(first) => self.first_chars |= first_char_bit(*first),
            None => self.has_empty = true,
        }
        self.list.push(entry);
    }

    /// Sorts the words longest first (stable: words of one length keep their order).
    fn longest_first(&mut self) {
        self.list.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    }

    /// Whether a word of the list may start `rest`: false only when none can.
    pub fn may_start(&self, rest: &[char]) -> bool {
        self.has_empty || rest.first().is_some_and(|c| self.first_chars & first_char_bit(*c) != 0)
    }
}

impl<T> std::ops::Deref for Words<T> {
    type Target = [(Vec<char>, T)];

    fn deref(&self) -> &Self::Target {
        &self.list
    }
}

/// A month and a day (10, 1).
pub type MonthDay = (i8, i8);

/// A length of time a number counts (近三年, 未来5个月).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    Year,
    Month,
    Week,
    Day,
}

/// A part of a century or decade (80年代末期).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CenturyPart {
    Early,
    Mid,
    Late,
}

/// How a festival's day is found in a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FestivalDay {
    /// A lunar month and day (中秋: 8, 15).
    Lunar(u8, u8),
    /// A fixed month and day (国庆: 10, 1).
    Solar(i8, i8),
    /// A solar term in a month, by the constant of its day formula (清明: 4, 4.81).
    Term(i8, f64),
}

/// A festival word (中秋节) with the festival's name (中秋) and day.
#[derive(Debug, Clone, PartialEq)]
pub struct Festival {
    pub name: String,
    pub day: FestivalDay,
    /// A period in running text only with 节 or a holiday word after it (五一, 十一).
    pub bare: bool,
}

/// A season's months, relative to the base year when `year` is given (今夏).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Season {
    pub from: i8,
    pub to: i8,
    pub year: Option<i16>,
}

/// The words of `extract-period-words.txt` by kind, and the holidays of `extract-holidays.txt`
/// (see those files for what each kind means). Every list is longest first.
#[derive(Debug, Clone, Default)]
pub struct PeriodWords {
    pub years: Words<i16>,
    pub unresolved: Words<()>,
    pub days: Words<i64>,
    pub now: Words<()>,
    pub months: Words<i64>,
    pub weeks: Words<i64>,
    pub weekday: Words<()>,
    pub quarters: Words<i64>,
    pub year_spans: Words<(i16, i16)>,
    pub year_parts: Words<(i8, i8)>,
    pub year_suffixes: Words<(i8, i8)>,
    pub first_of_year: Words<()>,
    pub last_of_year: Words<()>,
    pub month_parts: Words<(i8, i8)>,
    pub lengths: Words<LengthUnit>,
    pub last_n: Words<()>,
    pub next_n: Words<()>,
    pub within: Words<()>,
    pub later: Words<()>,
    pub ago: Words<()>,
    pub until: Words<()>,
    pub since: Words<()>,
    pub ongoing: Words<()>,
    pub before: Words<()>,
    pub joiners: Words<()>,
    pub dayparts: Words<()>,
    pub clock_after: Words<()>,
    pub centuries: Words<i32>,
    pub century_parts: Words<CenturyPart>,
    pub suffixes: Words<()>,
    pub seasons: Words<Season>,
    pub lunar_markers: Words<()>,
    pub lunar_months: Words<u8>,
    pub lunar_eves: Words<()>,
    pub festivals: Words<Festival>,
    pub holiday_names: Words<String>,
    pub holiday_words: Words<()>,
    pub school: Words<(MonthDay, MonthDay)>,
    pub plan_words: Words<()>,
    pub lately: Words<()>,
    /// The since words that open a period in running text when a closing word follows (自).
    pub since_scan: Words<()>,
    pub quarter_ends: Words<()>,
    pub quarter_starts: Words<()>,
    /// The month-part words that name a half of a month (上半月): read alone as the base month's.
    pub half_months: Words<()>,
    /// The official holiday of a festival in a year: (year, festival name) → first and last
    /// (month, day); the first may lie in the year before (元旦 12-31).
    pub holidays: FxHashMap<(i16, String), (MonthDay, MonthDay)>,
    /// Closes a period opened by a `since` word in running text (自开馆以来).
    pub since_close: Words<()>,
    /// Words a period never starts inside (将近, 接近: 近 there is no period).
    pub not_periods: Words<()>,
    /// The first characters of the words that may open a period in running text (years, last-n,
    /// festivals, seasons, lunar dates, holidays).
    pub starts: FxHashSet<char>,
}

impl PeriodWords {
    fn parse(words_file: &str, words: &str, holidays_file: &str, holidays: &str) -> Result<PeriodWords, LexiconError> {
        let mut out = PeriodWords::default();
        for (line, fields) in entries(words) {
            let error = |message: &str| LexiconError { file: words_file.into(), line, message: message.into() };
            let word: Vec<char> = fields[0].chars().collect();
            let kind = *fields.get(1).ok_or_else(|| error("expected `WORD KIND [ARGS]`"))?;
            let args = &fields[2..];
            let int = |k: usize| -> Result<i64, LexiconError> {
                args.get(k)
                    .and_then(|a| a.parse::<i64>().ok())
                    .ok_or_else(|| error(&format!("{kind}: argument {} is not a whole number", k + 1)))
            };
            let small = |k: usize| -> Result<i8, LexiconError> {
                int(k)
                    .and_then(|v| i8::try_from(v).map_err(|_| error(&format!("{kind}: argument {} is too big", k + 1))))
            };
            let w = word.clone();
            match kind {
                "year" => out.years.push((w, int(0)? as i16)),
                "unresolved" => out.unresolved.push((w, ())),
                "day" => out.days.push((w, int(0)?)),
                "now" => out.now.push((w, ())),
                "month" => out.months.push((w, int(0)?)),
                "week" => out.weeks.push((w, int(0)?)),
                "weekday" => out.weekday.push((w, ())),
                "quarter" => out.quarters.push((w, int(0)?)),
                "years" => out.year_spans.push((w, (int(0)? as i16, int(1)? as i16))),
                "year-part" => out.year_parts.push((w, (small(0)?, small(1)?))),
                "year-suffix" => out.year_suffixes.push((w, (small(0)?, small(1)?))),
                "first-of-year" => out.first_of_year.push((w, ())),
                "last-of-year" => out.last_of_year.push((w, ())),
                "month-part" => out.month_parts.push((w, (small(0)?, small(1)?))),
                "length" => {
                    let unit = match args.first().copied() {
                        Some("year") => LengthUnit::Year,
                        Some("month") => LengthUnit::Month,
                        Some("week") => LengthUnit::Week,
                        Some("day") => LengthUnit::Day,
                        _ => return Err(error("length: expected year, month, week or day")),
                    };
                    out.lengths.push((w, unit));
                }
                "last-n" => out.last_n.push((w, ())),
                "next-n" => out.next_n.push((w, ())),
                "within" => out.within.push((w, ())),
                "later" => out.later.push((w, ())),
                "ago" => out.ago.push((w, ())),
                "until" => out.until.push((w, ())),
                "since" => out.since.push((w, ())),
                "ongoing" => out.ongoing.push((w, ())),
                "before" => out.before.push((w, ())),
                "joiner" => out.joiners.push((w, ())),
                "daypart" => out.dayparts.push((w, ())),
                "clock-after" => out.clock_after.push((w, ())),
                "century" => out.centuries.push((w, int(0)? as i32)),
                "century-part" => {
                    let part = match args.first().copied() {
                        Some("early") => CenturyPart::Early,
                        Some("mid") => CenturyPart::Mid,
                        Some("late") => CenturyPart::Late,
                        _ => return Err(error("century-part: expected early, mid or late")),
                    };
                    out.century_parts.push((w, part));
                }
                "suffix" => out.suffixes.push((w, ())),
                "season" => {
                    let year = if args.len() > 2 { Some(int(2)? as i16) } else { None };
                    out.seasons.push((w, Season { from: small(0)?, to: small(1)?, year }));
                }
                "lunar-marker" => out.lunar_markers.push((w, ())),
                "lunar-month" => out.lunar_months.push((w, int(0)? as u8)),
                "lunar-eve" => out.lunar_eves.push((w, ())),
                "festival" | "festival-bare" => {
                    let name = args.first().ok_or_else(|| error("festival: expected `NAME lunar|solar|term M D`"))?;
                    let args = &args[1..];
                    let number = |k: usize| args.get(k).and_then(|a| a.parse::<f64>().ok());
                    let day = match (args.first().copied(), number(1), number(2)) {
                        (Some("lunar"), Some(m), Some(d)) => FestivalDay::Lunar(m as u8, d as u8),
                        (Some("solar"), Some(m), Some(d)) => FestivalDay::Solar(m as i8, d as i8),
                        (Some("term"), Some(m), Some(c)) => FestivalDay::Term(m as i8, c),
                        _ => return Err(error("festival: expected `NAME lunar|solar|term M D`")),
                    };
                    let bare = kind == "festival-bare";
                    out.festivals.push((w, Festival { name: (*name).to_owned(), day, bare }));
                }
                "holiday" => {
                    let name = args.first().ok_or_else(|| error("holiday: expected the festival's NAME"))?;
                    out.holiday_names.push((w, (*name).to_owned()));
                }
                "holiday-word" => out.holiday_words.push((w, ())),
                "school" => out.school.push((w, ((small(0)?, small(1)?), (small(2)?, small(3)?)))),
                "since-close" => out.since_close.push((w, ())),
                "plan-word" => out.plan_words.push((w, ())),
                "lately" => out.lately.push((w, ())),
                "since-scan" => out.since_scan.push((w, ())),
                "quarter-end" => out.quarter_ends.push((w, ())),
                "quarter-start" => out.quarter_starts.push((w, ())),
                "half-month" => {
                    out.half_months.push((w.clone(), ()));
                    out.month_parts.push((w, (small(0)?, small(1)?)));
                }
                "not-period" => out.not_periods.push((w, ())),
                _ => return Err(error(&format!("unknown KIND `{kind}`"))),
            }
            let opens = matches!(
                kind,
                "year"
                    | "unresolved"
                    | "last-n"
                    | "season"
                    | "lunar-marker"
                    | "lunar-month"
                    | "lunar-eve"
                    | "festival"
                    | "festival-bare"
                    | "holiday"
                    | "school"
            );
            if opens && let Some(first) = word.first() {
                out.starts.insert(*first);
            }
        }
        for (line, fields) in entries(holidays) {
            let error = || LexiconError {
                file: holidays_file.into(),
                line,
                message: "expected `YEAR FESTIVAL MM-DD MM-DD`".into(),
            };
            let month_day = |text: Option<&&str>| -> Option<MonthDay> {
                let (m, d) = text?.split_once('-')?;
                Some((m.parse().ok()?, d.parse().ok()?))
            };
            let year: i16 = fields.first().and_then(|y| y.parse().ok()).ok_or_else(error)?;
            let name = fields.get(1).ok_or_else(error)?;
            let (first, last) = month_day(fields.get(2)).zip(month_day(fields.get(3))).ok_or_else(error)?;
            out.holidays.insert((year, (*name).to_owned()), (first, last));
        }
        fn longest_first<T>(list: &mut Words<T>) {
            list.longest_first();
        }
        longest_first(&mut out.years);
        longest_first(&mut out.unresolved);
        longest_first(&mut out.days);
        longest_first(&mut out.now);
        longest_first(&mut out.months);
        longest_first(&mut out.weeks);
        longest_first(&mut out.weekday);
        longest_first(&mut out.quarters);
        longest_first(&mut out.year_spans);
        longest_first(&mut out.year_parts);
        longest_first(&mut out.year_suffixes);
        longest_first(&mut out.first_of_year);
        longest_first(&mut out.last_of_year);
        longest_first(&mut out.month_parts);
        longest_first(&mut out.lengths);
        longest_first(&mut out.last_n);
        longest_first(&mut out.next_n);
        longest_first(&mut out.within);
        longest_first(&mut out.later);
        longest_first(&mut out.ago);
        longest_first(&mut out.until);
        longest_first(&mut out.since);
        longest_first(&mut out.ongoing);
        longest_first(&mut out.before);
        longest_first(&mut out.joiners);
        longest_first(&mut out.dayparts);
        longest_first(&mut out.clock_after);
        longest_first(&mut out.centuries);
        longest_first(&mut out.century_parts);
        longest_first(&mut out.suffixes);
        longest_first(&mut out.seasons);
        longest_first(&mut out.lunar_markers);
        longest_first(&mut out.lunar_months);
        longest_first(&mut out.lunar_eves);
        longest_first(&mut out.festivals);
        longest_first(&mut out.holiday_names);
        longest_first(&mut out.holiday_words);
        longest_first(&mut out.school);
        longest_first(&mut out.since_close);
        longest_first(&mut out.plan_words);
        longest_first(&mut out.lately);
        longest_first(&mut out.since_scan);
        longest_first(&mut out.quarter_ends);
        longest_first(&mut out.quarter_starts);
        longest_first(&mut out.half_months);
        longest_first(&mut out.not_periods);
        Ok(out)
    }
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
    ("extract-period-words.txt", include_str!("../../../config/lexicon/extract-period-words.txt")),
    ("extract-holidays.txt", include_str!("../../../config/lexicon/extract-holidays.txt")),
    ("extract-figure-context.txt", include_str!("../../../config/lexicon/extract-figure-context.txt")),
    ("extract-name-context.txt", include_str!("../../../config/lexicon/extract-name-context.txt")),
];

/// The entries of a lexicon file: trimmed, non-empty lines without `#` comments, with line
/// numbers. A field `\#` is the character `#` itself, not a comment.
fn entries(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(index, line)| {
        let comment = line.match_indices('#').map(|(k, _)| k).find(|&k| !line[..k].ends_with('\\'));
        let line = line[..comment.unwrap_or(line.len())].trim();
        let fields = line.split_whitespace().map(|f| if f == "\\#" { "#" } else { f }).collect();
        (!line.is_empty()).then_some((index + 1, fields))
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

        let periods_text = text("extract-periods.txt");
        lexicon.periods = words(&periods_text).iter().map(|w| w.chars().collect()).collect();
        lexicon.period_modifiers = entries(&periods_text)
            .filter(|(_, fields)| fields.get(1) == Some(&"modifier"))
            .map(|(_, fields)| fields[0].chars().collect())
            .collect();
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
        let (words, holidays) = ("extract-period-words.txt", "extract-holidays.txt");
        lexicon.period_words = PeriodWords::parse(words, &text(words), holidays, &text(holidays))?;
        let file = "extract-figure-context.txt";
        lexicon.figure_context = FigureContext::parse(file, &text(file))?;
        let file = "extract-name-context.txt";
        lexicon.name_context = NameContext::parse(file, &text(file))?;
        let firsts = |words: &[String]| words.iter().filter_map(|w| w.chars().next()).collect();
        lexicon.speech_verb_firsts = firsts(&lexicon.speech_verbs);
        lexicon.name_follower_firsts = firsts(&lexicon.name_followers);
        lexicon.honorific_firsts = firsts(&lexicon.honorifics);
        lexicon.name_starts = lexicon.surnames.iter().copied().collect();
        lexicon.name_starts.extend(lexicon.compound_surnames.iter().filter_map(|s| s.first().copied()));
        lexicon.name_starts.extend(lexicon.name_context.address_prefix.iter().copied());
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
