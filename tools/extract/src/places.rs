//! Divisions an article names, and the district, street, city and province it is about.
//!
//! Mentions: the gazetteer's names (`model::gazetteer`), matched only at the segmenter's word
//! boundaries. A full name (`西湖区`, `留下街道`) counts where it is a word of its own; one made of
//! an everyday word and a one-character suffix (`合作` + `市`) counts only with the evidence a
//! short form needs. A short form (`临安` for `临安区`), and a two-character full name (`城区`),
//! counts only where it stands as a place: right after a division it lies in (`甘南合作`,
//! `天津河北区`), right before one that lies in it (`钱塘下沙街道`), before a place word of the
//! lexicon (`临安城区`), at the head of a headline or kicker (`临安：`), in a dateline
//! (`本报临安讯`), or as a word the segmenter tags as a proper name; never when it is one of the
//! lexicon's everyday words (`合作`, `资源`, `和平`) or the segmenter reads it as one. A short
//! form that names several levels (`河北`: 河北省 and 天津's 河北区) names the highest unless a
//! neighbouring division says otherwise; street short forms (`留下`) count only beside their
//! district.
//!
//! Resolution: a name several divisions share resolves to the one inside a division the article
//! names unambiguously, then to the one inside the home region, else to none: no guess.
//!
//! Aboutness (`about`): the district named first in the headline, else the kicker or subtitle,
//! else the dateline, else the one dominating the body (weight at least `MIN_BODY`, twice the
//! runner-up and half of all district weight); null for an article that names no district that
//! way (national, several districts equally, a single passing mention). The street is chosen the
//! same way inside the district; the city and province are the district's, or, without one, a
//! city or province chosen by the same rules. What is not here: places that are not divisions
//! (roads, communities: `entities`).

use jieba_rs::Tag;
use model::Place;
use model::gazetteer::{DivisionKind, Gazetteer};

use crate::lexicon::Lexicon;
use crate::sentences::{Prepared, evidence, sentence_of};

/// Where in the article a mention stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Headline,
    Kicker,
    Subtitle,
    Dateline,
    Body,
}

impl Zone {
    fn as_str(self) -> &'static str {
        match self {
            Zone::Headline => "headline",
            Zone::Kicker => "kicker",
            Zone::Subtitle => "subtitle",
            Zone::Dateline => "dateline",
            Zone::Body => "body",
        }
    }
}

/// Why a name was taken as a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A full name standing as a word.
    FullName,
    /// Right after a division it lies in (`甘南合作`).
    Parent,
    /// Right before a division that lies in it (`钱塘下沙街道`).
    Child,
    /// Before a place word (`临安城区`).
    PlaceWord,
    /// At the head of a headline or kicker (`临安：`).
    Position,
    /// In a dateline (`本报临安讯`).
    Dateline,
    /// A word the segmenter tags as a proper name.
    Token,
    /// A full name made of an everyday word and a suffix (`合作` + `市`), standing as words.
    PlainFullName,
}

impl Evidence {
    fn as_str(self) -> &'static str {
        match self {
            Evidence::FullName => "full name",
            Evidence::Parent => "after its parent",
            Evidence::Child => "before its child",
            Evidence::PlaceWord => "before a place word",
            Evidence::Position => "headline position",
            Evidence::Dateline => "dateline",
            Evidence::Token => "proper-noun token",
            Evidence::PlainFullName => "full name of an everyday word",
        }
    }

    /// The weight of a body mention for aboutness.
    fn weight(self) -> u32 {
        match self {
            Evidence::Token | Evidence::PlainFullName => 1,
            _ => 2,
        }
    }
}

/// One text of an article with its tokens (`Jieba::tag` without HMM).
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    pub zone: Zone,
    /// The paragraph's position among the article's paragraphs (0 outside the body).
    pub paragraph: usize,
    pub text: &'a str,
    pub tags: &'a [Tag<'a>],
    /// The text's characters and sentences when made already (a body paragraph's).
    pub prepared: Option<&'a Prepared>,
}

/// A division named in an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// As printed (`临安`, `西湖区`).
    pub name: String,
    pub zone: Zone,
    pub paragraph: usize,
    /// Character offsets in the text.
    pub start: usize,
    pub end: usize,
    pub evidence: Evidence,
    /// The divisions (gazetteer indexes) it may denote, all of one level.
    pub candidates: Vec<usize>,
    /// The one it denotes, once resolved.
    pub division: Option<usize>,
    /// How it was resolved: `unique`, `neighbour`, `article`, `home`, or `ambiguous`.
    pub resolved_by: &'static str,
    pub sentence: String,
}

/// Parts of speech of a word that is a name.
fn is_proper(tag: &str) -> bool {
    matches!(tag, "ns" | "nr" | "nrt" | "nrfg" | "nz" | "j")
}

fn level(kind: DivisionKind) -> u8 {
    match kind {
        DivisionKind::Province => 0,
        DivisionKind::City => 1,
        DivisionKind::District => 2,
        DivisionKind::Street => 3,
    }
}

/// Whether division `inner` lies inside division `outer` (by code prefix, not equal).
fn lies_in(gazetteer: &Gazetteer, inner: usize, outer: usize) -> bool {
    let (inner, outer) = (&gazetteer.division(inner).code, &gazetteer.division(outer).code);
    inner.len() > outer.len() && inner.starts_with(outer.as_str())
}

/// The code prefixes of the divisions containing a code: province, city, district.
fn ancestor_codes(code: &str) -> impl Iterator<Item = &str> {
    [2, 4, 6].into_iter().filter(move |n| *n < code.len()).map(move |n| &code[..n])
}

/// Token boundaries and the token covering each character of a text.
struct Tokens<'a> {
    /// `boundary[k]`: a token starts (or the text ends) at character `k`.
    boundary: Vec<bool>,
    /// The token index at each character.
    token_at: Vec<usize>,
    tags: &'a [Tag<'a>],
}

impl<'a> Tokens<'a> {
    fn new(chars: usize, tags: &'a [Tag<'a>]) -> Tokens<'a> {
        let mut boundary = vec![false; chars + 1];
        let mut token_at = vec![0; chars];
        let mut at = 0;
        for (index, tag) in tags.iter().enumerate() {
            if at <= chars {
                boundary[at] = true;
            }
            for _ in tag.word.chars() {
                if at < chars {
                    token_at[at] = index;
                }
                at += 1;
            }
        }
        boundary[chars.min(at)] = true;
        if at != chars {
            // The tokens do not cover the text (they always should): every character a boundary.
            boundary.iter_mut().for_each(|b| *b = true);
        }
        Tokens { boundary, token_at, tags }
    }

    /// The tag of the one token spanning exactly `[start, end)`, if one does.
    fn single(&self, start: usize, end: usize) -> Option<&'a str> {
        let token = *self.token_at.get(start)?;
        (self.token_at.get(end - 1) == Some(&token) && self.boundary[end]).then(|| self.tags[token].tag)
    }

    /// The tag of the token starting at `start`.
    fn first_tag(&self, start: usize) -> &'a str {
        self.token_at.get(start).map_or("x", |t| self.tags[*t].tag)
    }
}

/// The divisions `name` may denote as a full name, or with `alias` as any name.
fn entries(gazetteer: &Gazetteer, name: &str, full_only: bool) -> Vec<usize> {
    gazetteer.lookup(name).iter().filter(|(_, alias)| !full_only || !alias).map(|(i, _)| *i).collect()
}

/// Keeps the candidates of the highest level only.
fn highest_level(gazetteer: &Gazetteer, mut candidates: Vec<usize>) -> Vec<usize> {
    if let Some(top) = candidates.iter().map(|i| level(gazetteer.division(*i).kind)).min() {
        candidates.retain(|i| level(gazetteer.division(*i).kind) == top);
    }
    candidates.sort_unstable();
    candidates.dedup();
    candidates
}

/// Whether `chars[at..]` starts with a place word of the lexicon.
fn place_word_at(chars: &[char], at: usize, lexicon: &Lexicon) -> bool {
    lexicon.place_words.iter().any(|w| chars.get(at..).is_some_and(|rest| rest.starts_with(w)))
}

fn is_break(c: char) -> bool {
    c.is_whitespace() || matches!(c, '：' | ':' | '，' | ',' | '·' | '、' | '|' | '丨' | '—' | '“' | '”' | '（' | '）')
}

/// The division mentions of one text, in order.
fn scan(gazetteer: &Gazetteer, lexicon: &Lexicon, text: &Text<'_>, out: &mut Vec<Mention>) {
    let owned: Prepared;
    let Prepared { chars, spans } = match text.prepared {
        Some(prepared) => prepared,
        None => {
            owned = Prepared::new(text.text);
            &owned
        }
    };
    if chars.len() < 2 {
        return;
    }
    let tokens = Tokens::new(chars.len(), text.tags);
    let first_of_text = out.len();
    let dateline_end = if text.zone == Zone::Body { dateline_names_end(chars, lexicon) } else { None };
    let mut i = 0;
    while i + 1 < chars.len() {
        if !tokens.boundary[i] && dateline_end.is_none_or(|end| i >= end) {
            i += 1;
            continue;
        }
        let mut taken = None;
        for (len, only_alias) in gazetteer.names_at(&chars[i..]) {
            let j = i + len;
            let in_dateline = dateline_end.is_some_and(|end| j <= end);
            let previous = out[first_of_text..].last().filter(|m| m.end == i);
            if let Some(mention) =
                judge(gazetteer, lexicon, chars, &tokens, text, i, j, only_alias, in_dateline, previous)
            {
                taken = Some(mention);
                break;
            }
        }
        match taken {
            Some(mut mention) => {
                i = mention.end;
                if dateline_end.is_some_and(|end| mention.end <= end) {
                    mention.zone = Zone::Dateline;
                }
                mention.sentence = evidence(chars, sentence_of(spans, mention.start), mention.start, mention.end);
                out.push(mention);
            }
            None => i += 1,
        }
    }
}

/// Where the names of a dateline at the start of a paragraph end (`本报临安讯`,
/// `本报北京9月30日电`, `新华社杭州电`): after an opener of the lexicon, names, then an optional
/// date and 电 or 讯.
fn dateline_names_end(chars: &[char], lexicon: &Lexicon) -> Option<usize> {
    let opener = lexicon.dateline_openers.iter().find(|w| chars.starts_with(w))?;
    let start = opener.len();
    let mut k = start;
    while k < chars.len() && k < start + 12 && !chars[k].is_ascii_digit() && !matches!(chars[k], '电' | '讯') {
        k += 1;
    }
    let names_end = k;
    while k < chars.len() && k < names_end + 8 && (chars[k].is_ascii_digit() || matches!(chars[k], '月' | '日')) {
        k += 1;
    }
    (names_end > start && matches!(chars.get(k), Some('电' | '讯'))).then_some(names_end)
}

/// Whether the name `chars[i..j]` is a place here, and which divisions it may be.
#[allow(clippy::too_many_arguments)]
fn judge(
    gazetteer: &Gazetteer,
    lexicon: &Lexicon,
    chars: &[char],
    tokens: &Tokens<'_>,
    text: &Text<'_>,
    i: usize,
    j: usize,
    only_alias: bool,
    in_dateline: bool,
    previous: Option<&Mention>,
) -> Option<Mention> {
    let name: String = chars[i..j].iter().collect();
    let full = if only_alias { Vec::new() } else { entries(gazetteer, &name, true) };
    let all = entries(gazetteer, &name, false);
    let within_previous = |candidates: &[usize]| -> Vec<usize> {
        previous
            .map(|p| {
                candidates.iter().copied().filter(|c| p.candidates.iter().any(|o| lies_in(gazetteer, *c, *o))).collect()
            })
            .unwrap_or_default()
    };
    let ordinary = lexicon.not_places.contains(&name);
    // A full name of three characters or more, unless it is an everyday word plus a suffix.
    if !full.is_empty() && j - i >= 3 && !ordinary {
        let first_token_end = (i + 1..=j).find(|k| tokens.boundary[*k]).unwrap_or(j);
        let stem_plain = first_token_end < j && !is_proper(tokens.first_tag(i)) && j - first_token_end == 1;
        // `西湖区委`: the suffix is glued to the next word; the stem must then be a name.
        let glued = !tokens.boundary[j] && {
            let stem_end = j - 1;
            tokens.boundary[stem_end] && is_proper(tokens.first_tag(i))
        };
        if (tokens.boundary[j] || glued)
            && !stem_plain
            && !lexicon.not_places.contains(&chars[i..j - 1].iter().collect::<String>())
        {
            let near = within_previous(&full);
            let (candidates, evidence) = if near.is_empty() {
                (highest_level(gazetteer, full), Evidence::FullName)
            } else {
                (near, Evidence::Parent)
            };
            return Some(mention(text, &name, i, j, evidence, candidates));
        }
    }
    if !tokens.boundary[j] && !in_dateline {
        return None;
    }
    // A short form, a two-character full name, or a full name of an everyday word and a suffix.
    let near = within_previous(&all);
    if !near.is_empty() {
        return Some(mention(text, &name, i, j, Evidence::Parent, highest_level(gazetteer, near)));
    }
    if ordinary {
        return None;
    }
    let single = tokens.single(i, j);
    if in_dateline {
        return Some(mention(text, &name, i, j, Evidence::Dateline, non_street(gazetteer, all)?));
    }
    let plain_word = single.is_some_and(|tag| !is_proper(tag)) || (single.is_none() && !is_proper(tokens.first_tag(i)));
    // Right before a division lying in it: 钱塘下沙街道.
    let child: Vec<usize> = gazetteer
        .names_at(chars.get(j..).unwrap_or_default())
        .flat_map(|(len, _)| entries(gazetteer, &chars[j..j + len].iter().collect::<String>(), false))
        .collect();
    let parents: Vec<usize> =
        all.iter().copied().filter(|p| child.iter().any(|c| lies_in(gazetteer, *c, *p))).collect();
    if !parents.is_empty() && !plain_word {
        return Some(mention(text, &name, i, j, Evidence::Child, highest_level(gazetteer, parents)));
    }
    if plain_word {
        // 合作市 standing as words counts only where a division containing it is named too.
        let whole = !full.is_empty() && j - i >= 3 && tokens.boundary[j];
        return whole.then(|| mention(text, &name, i, j, Evidence::PlainFullName, highest_level(gazetteer, full)));
    }
    let evidence = if place_word_at(chars, j, lexicon) {
        Evidence::PlaceWord
    } else if matches!(text.zone, Zone::Headline | Zone::Kicker | Zone::Subtitle)
        && (i == 0 || is_break(chars[i - 1]))
        && chars.get(j).is_none_or(|c| is_break(*c))
    {
        Evidence::Position
    } else if single.is_some_and(is_proper) {
        Evidence::Token
    } else {
        return None;
    };
    Some(mention(text, &name, i, j, evidence, non_street(gazetteer, all)?))
}

/// The candidates of the highest level, unless that is the street level: a street's short form
/// alone (`留下`) is too often an everyday word.
fn non_street(gazetteer: &Gazetteer, candidates: Vec<usize>) -> Option<Vec<usize>> {
    let candidates = highest_level(gazetteer, candidates);
    let street = candidates.first().is_none_or(|c| gazetteer.division(*c).kind == DivisionKind::Street);
    (!street).then_some(candidates)
}

fn mention(
    text: &Text<'_>,
    name: &str,
    start: usize,
    end: usize,
    evidence: Evidence,
    candidates: Vec<usize>,
) -> Mention {
    Mention {
        name: name.to_owned(),
        zone: text.zone,
        paragraph: text.paragraph,
        start,
        end,
        evidence,
        candidates,
        division: None,
        resolved_by: "ambiguous",
        sentence: String::new(),
    }
}

/// All division mentions of an article's texts, resolved: a name several divisions share
/// resolves to the one inside a division the article names unambiguously, then to the one in
/// `home` (a code prefix), else stays unresolved.
pub fn mentions(gazetteer: &Gazetteer, lexicon: &Lexicon, texts: &[Text<'_>], home: &str) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for text in texts {
        scan(gazetteer, lexicon, text, &mut out);
    }
    // A district's or street's short form that is only a proper-noun token (贵南 of 贵南高铁, a
    // person's given name) needs a division containing it named in the article, or the home
    // region: the segmenter tags many words as place names.
    let named: rustc_hash::FxHashSet<&str> = out
        .iter()
        .filter(|m| {
            !matches!(m.evidence, Evidence::Token | Evidence::PlainFullName)
                || m.candidates.iter().any(|c| level(gazetteer.division(*c).kind) < 2)
        })
        .flat_map(|m| m.candidates.iter().map(|c| gazetteer.division(*c).code.as_str()))
        .collect();
    let corroborated = |c: usize| {
        let division = gazetteer.division(c);
        level(division.kind) < 2
            || division.is_within(home)
            || ancestor_codes(&division.code).any(|a| named.contains(a))
    };
    let kept: Vec<Vec<usize>> = out
        .iter()
        .map(|m| match m.evidence {
            Evidence::Token | Evidence::PlainFullName => {
                m.candidates.iter().copied().filter(|c| corroborated(*c)).collect()
            }
            _ => m.candidates.clone(),
        })
        .collect();
    let mut out: Vec<Mention> = out
        .into_iter()
        .zip(kept)
        .filter(|(_, candidates)| !candidates.is_empty())
        .map(|(m, candidates)| Mention { candidates, ..m })
        .collect();
    for m in &mut out {
        if m.candidates.len() == 1 {
            m.division = m.candidates.first().copied();
            m.resolved_by = if m.evidence == Evidence::Parent { "neighbour" } else { "unique" };
        }
    }
    // Twice, so that a name resolved in the first round can anchor another.
    for _ in 0..2 {
        let anchors: rustc_hash::FxHashSet<String> =
            out.iter().filter_map(|m| m.division).map(|d| gazetteer.division(d).code.clone()).collect();
        for m in out.iter_mut().filter(|m| m.division.is_none()) {
            let inside: Vec<usize> = m
                .candidates
                .iter()
                .copied()
                .filter(|c| ancestor_codes(&gazetteer.division(*c).code).any(|a| anchors.contains(a)))
                .collect();
            if inside.len() == 1 {
                m.division = inside.first().copied();
                m.resolved_by = "article";
            }
        }
    }
    for m in out.iter_mut().filter(|m| m.division.is_none()) {
        let home: Vec<usize> =
            m.candidates.iter().copied().filter(|c| gazetteer.division(*c).is_within(home)).collect();
        if home.len() == 1 {
            m.division = home.first().copied();
            m.resolved_by = "home";
        }
    }
    out
}

/// The smallest body weight of a district (or street, city, province) chosen from the body:
/// two full-name mentions.
pub const MIN_BODY: u32 = 4;

/// What an article is about, with the reasons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct About {
    pub province: Option<usize>,
    pub city: Option<usize>,
    pub district: Option<usize>,
    pub street: Option<usize>,
    /// Why the district is what it is (or none), in words.
    pub reason: String,
    /// The body weight of each district named, highest first.
    pub district_weights: Vec<(usize, u32)>,
}

/// The division of `level_kind` that `m` names or lies in.
fn at_level(gazetteer: &Gazetteer, division: usize, kind: DivisionKind) -> Option<usize> {
    let d = gazetteer.division(division);
    if d.kind == kind {
        return Some(division);
    }
    let n = match kind {
        DivisionKind::Province => 2,
        DivisionKind::City => 4,
        DivisionKind::District => 6,
        DivisionKind::Street => return None,
    };
    if level(d.kind) < level(kind) || d.code.len() <= n {
        return None;
    }
    gazetteer.index_of_code(&d.code[..n]).filter(|i| gazetteer.division(*i).kind == kind)
}

/// Chooses the division of `kind` an article is about from its mentions, inside `within` (a
/// division index) when given: (choice, reason, body weights).
fn choose(
    gazetteer: &Gazetteer,
    mentions: &[Mention],
    kind: DivisionKind,
    within: Option<usize>,
) -> (Option<usize>, String, Vec<(usize, u32)>) {
    let fits = |d: usize| within.is_none_or(|w| d == w || lies_in(gazetteer, d, w));
    let named = |zone: Zone| -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        for m in mentions.iter().filter(|m| m.zone == zone) {
            if let Some(d) = m.division.and_then(|d| at_level(gazetteer, d, kind)).filter(|d| fits(*d))
                && !found.contains(&d)
            {
                found.push(d);
            }
        }
        found
    };
    let mut weights: Vec<(usize, u32)> = Vec::new();
    for m in mentions.iter().filter(|m| m.zone == Zone::Body) {
        let Some(d) = m.division.and_then(|d| at_level(gazetteer, d, kind)).filter(|d| fits(*d)) else { continue };
        // A mention of a division inside it counts for it too, at one point.
        let w = if m.division == Some(d) { m.evidence.weight() } else { 1 };
        match weights.iter_mut().find(|(x, _)| *x == d) {
            Some(entry) => entry.1 += w,
            None => weights.push((d, w)),
        }
    }
    weights.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let kind_name = kind.as_str();
    for zone in [Zone::Headline, Zone::Kicker, Zone::Subtitle, Zone::Dateline] {
        let found = named(zone);
        match found.as_slice() {
            [] => {}
            [one] => {
                let reason = format!("{kind_name} {} named in the {}", gazetteer.division(*one).name, zone.as_str());
                return (Some(*one), reason, weights);
            }
            several => {
                // A headline naming several, one of them dominating the body, is about that one.
                if let Some((d, _)) = weights.first().filter(|(d, w)| several.contains(d) && *w >= MIN_BODY) {
                    let reason = format!(
                        "{kind_name} {} first in the body of those in the {}",
                        gazetteer.division(*d).name,
                        zone.as_str()
                    );
                    return (Some(*d), reason, weights);
                }
                let names: Vec<&str> = several.iter().map(|d| gazetteer.division(*d).name.as_str()).collect();
                return (None, format!("the {} names several: {}", zone.as_str(), names.join(", ")), weights);
            }
        }
    }
    let total: u32 = weights.iter().map(|(_, w)| w).sum();
    let Some(&(best, weight)) = weights.first() else {
        return (None, format!("no {kind_name} named"), weights);
    };
    let second = weights.get(1).map_or(0, |(_, w)| *w);
    let name = &gazetteer.division(best).name;
    let (choice, reason) = if weight < MIN_BODY {
        (None, format!("evidence thin: {name} weighs {weight} < {MIN_BODY}"))
    } else if weight < 2 * second {
        (None, format!("no {kind_name} dominates: {name} {weight}, next {second}"))
    } else if weight * 2 < total {
        (None, format!("spread over many: {name} {weight} of {total}"))
    } else {
        (Some(best), format!("{name} dominates the body: {weight} of {total}, next {second}"))
    };
    (choice, reason, weights)
}

/// Chooses the district, street, city and province an article is about.
pub fn about(gazetteer: &Gazetteer, mentions: &[Mention]) -> About {
    let (district, reason, district_weights) = choose(gazetteer, mentions, DivisionKind::District, None);
    let mut about = About { district, reason, district_weights, ..About::default() };
    // A street in the headline or kicker names its district when nothing else does.
    let (street, _, _) = choose(gazetteer, mentions, DivisionKind::Street, about.district);
    about.street = street;
    if about.district.is_none()
        && let Some(s) = street
        && let Some(d) = at_level(gazetteer, s, DivisionKind::District)
        && mentions.iter().any(|m| m.zone != Zone::Body && m.division == Some(s))
    {
        about.district = Some(d);
        about.reason = format!("district of street {} named outside the body", gazetteer.division(s).name);
    }
    if about.district.is_none() {
        about.street = None;
    }
    match about.district {
        Some(d) => {
            about.city = at_level(gazetteer, d, DivisionKind::City);
            about.province = at_level(gazetteer, d, DivisionKind::Province);
        }
        None => {
            about.city = choose(gazetteer, mentions, DivisionKind::City, None).0;
            about.province = match about.city {
                Some(c) => at_level(gazetteer, c, DivisionKind::Province),
                None => choose(gazetteer, mentions, DivisionKind::Province, None).0,
            };
        }
    }
    about
}

/// The article's `places` entries for its division mentions: one per name as printed.
pub fn places(gazetteer: &Gazetteer, mentions: &[Mention]) -> Vec<Place> {
    let mut out: Vec<Place> = Vec::new();
    for m in mentions {
        if out.iter().any(|p| p.name == m.name) {
            continue;
        }
        let kind = m.candidates.first().map_or("area", |c| gazetteer.division(*c).kind.as_str());
        out.push(Place {
            name: m.name.clone(),
            kind: kind.to_owned(),
            code: m.division.map(|d| gazetteer.division(d).code.clone()),
            sentence: m.sentence.clone(),
        });
    }
    out
}

/// The full name of a municipality's city level is the municipality (北京市 has no city row).
pub fn city_name(gazetteer: &Gazetteer, about: &About) -> Option<String> {
    if let Some(c) = about.city {
        return Some(gazetteer.division(c).name.clone());
    }
    let province = about.province.map(|p| gazetteer.division(p))?;
    matches!(province.code.as_str(), "11" | "12" | "31" | "50").then(|| province.name.clone())
}

/// The mentions and the choice in words, for `extract explain`.
pub fn explain(gazetteer: &Gazetteer, mentions: &[Mention], about: &About) -> String {
    let name = |d: Option<usize>| d.map_or("-".to_owned(), |d| gazetteer.division(d).name.clone());
    let mut out = String::new();
    for m in mentions {
        let candidates: Vec<String> = m
            .candidates
            .iter()
            .take(4)
            .map(|c| format!("{} {}", gazetteer.division(*c).code, gazetteer.division(*c).name))
            .collect();
        let more = if m.candidates.len() > 4 { format!(" +{}", m.candidates.len() - 4) } else { String::new() };
        out.push_str(&format!(
            "  {} {} [{}] -> {} ({}; {}{})\n",
            m.zone.as_str(),
            m.name,
            m.evidence.as_str(),
            name(m.division),
            m.resolved_by,
            candidates.join(", "),
            more
        ));
    }
    let weights: Vec<String> =
        about.district_weights.iter().map(|(d, w)| format!("{} {w}", gazetteer.division(*d).name)).collect();
    out.push_str(&format!("  body weights: {}\n", if weights.is_empty() { "-".into() } else { weights.join(", ") }));
    out.push_str(&format!(
        "  district {} ({}); street {}; city {}; province {}\n",
        name(about.district),
        about.reason,
        name(about.street),
        city_name(gazetteer, about).unwrap_or_else(|| "-".into()),
        name(about.province)
    ));
    out
}
