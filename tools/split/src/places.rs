//! Chooses the district and street an article is about, from the gazetteer.
//!
//! The headline decides first (`西湖区留下街道：…`, `临安：…`), then the kicker, then how often
//! each full name comes up in the body. Short forms (`临安` for `临安区`) count in the headline
//! and kicker, where a place name is what a leading `XX：` or `XX` usually is, and with half weight
//! in the body; a street's short form (`留下`) is an everyday word too often to count at all. A
//! street found in the body needs two mentions and must lie in the chosen district. Ambiguous
//! names resolve to the home city when it has them. What is not here: listing every place an
//! article mentions (that is `extract`).

use std::collections::HashMap;

use model::gazetteer::{DivisionKind, Gazetteer};

/// How much body text is searched: the subject of an article shows in its first pages, and a
/// bound keeps a 50 MB line linear and cheap.
const BODY_CHARS: usize = 20_000;

/// The chosen district and street, by full name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chosen {
    pub district: Option<String>,
    pub street: Option<String>,
}

/// Picks the district and street of an article.
pub fn choose(gazetteer: &Gazetteer, home: &str, headline: &str, kicker: &str, body: &str) -> Chosen {
    let body: String = body.chars().filter(|c| !c.is_whitespace()).take(BODY_CHARS).collect();
    let headline: String = headline.chars().filter(|c| !c.is_whitespace()).collect();
    let kicker: String = kicker.chars().filter(|c| !c.is_whitespace()).collect();

    let mut district = None;
    let mut street = None;
    for text in [&headline, &kicker] {
        let (d, s) = first_in(gazetteer, home, text);
        if district.is_none() {
            district = d;
        }
        if street.is_none() {
            street = s;
        }
        if district.is_some() {
            break;
        }
    }
    // A street found in the headline names its district when the headline names none.
    if let (None, Some(s)) = (district, street) {
        let parent = gazetteer.division(s).parent.clone();
        district = gazetteer.divisions().iter().position(|d| d.kind == DivisionKind::District && d.code == parent);
    }
    if district.is_none() {
        district = most_mentioned(gazetteer, home, &body, DivisionKind::District, "", 2, true).map(|(d, _, _)| d);
    }
    let district_code = district.map(|d| gazetteer.division(d).code.clone()).unwrap_or_default();
    // A street named in the headline but lying elsewhere is re-resolved inside the district.
    if let Some(s) = street
        && !district_code.is_empty()
        && !gazetteer.division(s).is_within(&district_code)
    {
        street = gazetteer.resolve(&gazetteer.division(s).name.clone(), DivisionKind::Street, &district_code, home);
        if street.is_some_and(|s| !gazetteer.division(s).is_within(&district_code)) {
            street = None;
        }
    }
    if street.is_none() && !district_code.is_empty() {
        street = most_mentioned(gazetteer, home, &body, DivisionKind::Street, &district_code, 4, false)
            .filter(|&(_, weight, total)| weight * 2 > total)
            .map(|(s, _, _)| s);
    }
    Chosen {
        district: district.map(|d| gazetteer.division(d).name.clone()),
        street: street.map(|s| gazetteer.division(s).name.clone()),
    }
}

/// Whether a short form ending at `end` is used as a name: the text ends there, or punctuation
/// or a space follows (`临安：`), or another place name follows at once (`钱塘下沙街道`).
/// `新建的图书馆` does not name 新建区, nor `钱塘江` 钱塘区, nor `新建3所学校` 新建区.
fn alias_stands_alone(chars: &[char], end: usize, next_match: Option<usize>) -> bool {
    match chars.get(end) {
        None => true,
        Some(c) => !model_is_han(*c) && !c.is_alphanumeric() || next_match == Some(end),
    }
}

/// Whether a two-character full name is the tail of a longer word: `城区` in `中心城区`, `矿区`
/// in `老矿区`. Such names are everyday words; they count when they stand alone or after a
/// province, city, prefecture or league (`河北省赵县`).
fn inside_longer_word(chars: &[char], start: usize, end: usize) -> bool {
    end - start <= 2
        && start > 0
        && chars.get(start - 1).is_some_and(|c| model_is_han(*c) && !matches!(c, '省' | '市' | '州' | '盟'))
}

fn model_is_han(c: char) -> bool {
    crate::lexicon::is_han(c)
}

/// The first district and the first street named in a short text (short forms of districts
/// included).
fn first_in(gazetteer: &Gazetteer, home: &str, text: &str) -> (Option<usize>, Option<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let mut district = None;
    let mut street = None;
    let found = gazetteer.find_names(text);
    for (k, m) in found.iter().enumerate() {
        if m.alias && !alias_stands_alone(&chars, m.end, found.get(k + 1).map(|n| n.start))
            || !m.alias && inside_longer_word(&chars, m.start, m.end)
        {
            continue;
        }
        let name: String = chars[m.start..m.end].iter().collect();
        if district.is_none() {
            district = gazetteer.resolve(&name, DivisionKind::District, "", home);
        }
        if street.is_none() && !m.alias {
            let within = district.map(|d| gazetteer.division(d).code.clone()).unwrap_or_default();
            street = gazetteer.resolve(&name, DivisionKind::Street, &within, home);
        }
    }
    (district, street)
}

/// The division of `kind` mentioned most in `text` (full names weigh 2, short forms 1 when
/// `aliases`), inside `within` when given, with its weight and the weight of all mentions; `None`
/// below `min_weight`. Ties go to the earliest.
fn most_mentioned(
    gazetteer: &Gazetteer,
    home: &str,
    text: &str,
    kind: DivisionKind,
    within: &str,
    min_weight: usize,
    aliases: bool,
) -> Option<(usize, usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut weights: HashMap<usize, (usize, usize)> = HashMap::new();
    let found = gazetteer.find_names(text);
    for (order, m) in found.iter().enumerate() {
        if m.alias && (!aliases || !alias_stands_alone(&chars, m.end, found.get(order + 1).map(|n| n.start)))
            || !m.alias && inside_longer_word(&chars, m.start, m.end)
        {
            continue;
        }
        let name: String = chars[m.start..m.end].iter().collect();
        let Some(division) = gazetteer.resolve(&name, kind, within, home) else { continue };
        if !within.is_empty() && !gazetteer.division(division).is_within(within) {
            continue;
        }
        let entry = weights.entry(division).or_insert((0, order));
        entry.0 += if m.alias { 1 } else { 2 };
    }
    let total = weights.values().map(|(weight, _)| weight).sum();
    weights
        .into_iter()
        .filter(|(_, (weight, _))| *weight >= min_weight)
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(division, (weight, _))| (division, weight, total))
}
