//! Places, organizations, people listed without a role, and keywords: everything that needs the
//! jieba-rs segmenter.
//!
//! Places here are names ending in a place suffix of the lexicon (社区, 路, 公园); divisions of the
//! gazetteer, with their evidence, are `places`'. Organizations are names ending in an
//! organization suffix (有限公司, 学院), grown leftwards over the segmenter's tokens. People
//! without a role are only taken from enumerations of two or more person names (李白、杜甫),
//! where a single mis-tagged word cannot slip in. Keywords are TF-IDF over the segmenter's nouns,
//! counted from the same tags (`TermCounts`), so that each paragraph is segmented once.

use jieba_rs::{Jieba, KeywordExtractConfig};
use model::{Organization, Place};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::idf::Idf;
use crate::lexicon::{Lexicon, Suffix};
use crate::sentences::{Prepared, evidence, sentence_of};

/// Parts of speech that never stand inside a name (conjunctions, prepositions, particles,
/// pronouns, adverbs, punctuation).
fn breaks_name(tag: &str) -> bool {
    tag.starts_with('c') || tag.starts_with('p') || tag.starts_with('u') || tag.starts_with('r') || tag.starts_with('d')
}

fn is_han_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_ascii_alphanumeric())
}

/// The longest of `suffixes` that `word` ends with; `last_chars` are their last characters.
fn suffix_of<'a>(word: &str, suffixes: &'a [Suffix], last_chars: &FxHashSet<char>) -> Option<&'a Suffix> {
    let last = word.chars().next_back()?;
    if !last_chars.contains(&last) {
        return None;
    }
    suffixes.iter().find(|s| word.ends_with(s.surface.as_str()))
}

fn is_proper(tag: &str) -> bool {
    matches!(tag, "ns" | "nr" | "nrt" | "nrfg" | "nz" | "nt" | "j" | "eng")
}

/// A name ending with the token at `index`, grown leftwards over up to `max_tokens` name-like
/// tokens and `max_chars` characters, then cut so that it starts with a proper noun (so 特色园区
/// and 体验中心 are not names, 文三路桂花社区 is). `None` when nothing proper is left.
fn grow_left(tags: &[jieba_rs::Tag<'_>], index: usize, max_tokens: usize, max_chars: usize) -> Option<String> {
    let mut start = index;
    let mut chars = tags[index].word.chars().count();
    while start > 0 && index - start < max_tokens {
        let previous = &tags[start - 1];
        let n = previous.word.chars().count();
        let numeric = previous.word.chars().any(|c| c.is_ascii_digit());
        if !is_han_word(previous.word)
            || breaks_name(previous.tag)
            || previous.tag.starts_with('t')
            || (previous.tag.starts_with('m') && numeric)
            || chars + n > max_chars
        {
            break;
        }
        // A verb starts a clause (建立, 推动) unless it is glued inside a name (远航集团租赁有限公司).
        if previous.tag.starts_with('v') && (start == index || !is_proper(tags[start.saturating_sub(2)].tag)) {
            break;
        }
        chars += n;
        start -= 1;
    }
    while start < index && !is_proper(tags[start].tag) {
        start += 1;
    }
    // `在京中共中央政治局`, `赴沪`: a one-character place abbreviation after a preposition or verb
    // says where, it is not part of the name.
    while start < index
        && tags[start].word.chars().count() == 1
        && matches!(tags[start].tag, "ns" | "j")
        && (start == 0 || breaks_name(tags[start - 1].tag) || tags[start - 1].tag.starts_with('v'))
    {
        start += 1;
    }
    let proper_suffix = is_proper(tags[index].tag) && tags[index].word.chars().count() > 2;
    (start < index || proper_suffix).then(|| tags[start..=index].iter().map(|t| t.word).collect())
}

/// Places and organizations of one paragraph, given its tokens (`Jieba::tag` without HMM: the
/// HMM finds a few more unknown names but is seven times slower).
pub fn places_and_organizations(
    paragraph: &str,
    tags: &[jieba_rs::Tag<'_>],
    lexicon: &Lexicon,
    places: &mut Vec<Place>,
    organizations: &mut Vec<Organization>,
) {
    places_and_organizations_prepared(&Prepared::new(paragraph), tags, lexicon, places, organizations);
}

/// `places_and_organizations` over a paragraph's characters and sentences made already.
pub fn places_and_organizations_prepared(
    paragraph: &Prepared,
    tags: &[jieba_rs::Tag<'_>],
    lexicon: &Lexicon,
    places: &mut Vec<Place>,
    organizations: &mut Vec<Organization>,
) {
    let (chars, spans) = (&paragraph.chars, &paragraph.spans);
    let sentence_at = |at: usize| evidence(chars, sentence_of(spans, at), at, at + 1);
    for (index, tag) in tags.iter().enumerate() {
        if let Some(suffix) = suffix_of(tag.word, &lexicon.org_suffixes, &lexicon.org_suffix_last_chars)
            && let Some(name) = grow_left(tags, index, 5, 16)
        {
            if !organizations.iter().any(|o| o.name == name) {
                organizations.push(Organization { name, kind: suffix.kind.clone(), sentence: sentence_at(tag.start) });
            }
            continue;
        }
        let place_suffix = suffix_of(tag.word, &lexicon.place_suffixes, &lexicon.place_suffix_last_chars);
        // A common noun ending in a suffix (公路, 马路) is not a place; the bare suffix after a
        // proper noun (桂花 社区) or a proper noun with it (文三路) is.
        let place_suffix = place_suffix.filter(|s| s.surface == tag.word || is_proper(tag.tag));
        let name = place_suffix.and_then(|_| grow_left(tags, index, 3, 10));
        if let (Some(name), Some(suffix)) = (name, place_suffix)
            && !places.iter().any(|p| p.name == name || p.name.ends_with(&name))
        {
            places.push(Place { name, kind: suffix.kind.clone(), code: None, sentence: sentence_at(tag.start) });
        }
    }
}

/// Person names listed without a role: runs of two or more names joined by 、 (李白、杜甫).
pub fn listed_names(tags: &[jieba_rs::Tag<'_>], lexicon: &Lexicon) -> Vec<String> {
    let is_name = |t: &jieba_rs::Tag<'_>| {
        t.tag == "nr"
            && (2..=3).contains(&t.word.chars().count())
            && t.word.chars().next().is_some_and(|c| lexicon.surnames.contains(&c))
            && is_han_word(t.word)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        if !is_name(&tags[i]) {
            i += 1;
            continue;
        }
        let mut run = vec![tags[i].word];
        let mut k = i + 1;
        while k + 1 < tags.len() && matches!(tags[k].word, "、" | "和" | "与") && is_name(&tags[k + 1]) {
            run.push(tags[k + 1].word);
            k += 2;
        }
        if run.len() >= 2 {
            out.extend(run.into_iter().map(str::to_owned));
        }
        i = k;
    }
    out
}

/// Whether `tag` is one of the parts of speech keywords are taken from (`tests::KEYWORD_TAGS`,
/// as a list for jieba-rs's own extraction; one match on the string, not nine comparisons: it is
/// asked for every token of every article).
fn is_keyword_tag(tag: &str) -> bool {
    matches!(tag, "n" | "nz" | "vn" | "ns" | "nt" | "nr" | "nrt" | "eng" | "j")
}

/// The `top_k` keywords of `text`: TF-IDF over nouns, without stop words, numbers or punctuation,
/// as jieba-rs's `TfIdf::extract_keywords` weighs them with `KEYWORD_TAGS` (and the same IDF
/// table, `Idf::builtin`). This segments `text`; `keywords_from_counts` gives the same from tags
/// already made.
pub fn keywords(
    text: &str,
    jieba: &Jieba,
    config: &KeywordExtractConfig,
    idf: &Idf,
    lexicon: &Lexicon,
    top_k: usize,
) -> Vec<String> {
    let tags = jieba.tag(text, config.use_hmm());
    let mut counts = TermCounts::default();
    counts.add(&tags, config);
    keywords_from_counts(&counts, idf, lexicon, top_k)
}

/// The first `top_k` clean words of `candidates` (best first): two characters or more, Han or
/// Latin letters only, no stop word, no repeat.
fn pick_keywords<'a>(candidates: impl Iterator<Item = &'a str>, lexicon: &Lexicon, top_k: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in candidates {
        let clean = word.chars().count() >= 2
            && word.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_ascii_alphabetic())
            && !lexicon.stop_words.contains(word);
        if clean && !out.iter().any(|kept| kept == word) {
            out.push(word.to_owned());
        }
        if out.len() == top_k {
            break;
        }
    }
    out
}

/// Whether jieba-rs's TF-IDF counts `word` as a term (its `KeywordExtractConfig::is_keyword`,
/// which is private): long enough and not a stop word, in any case.
fn is_term(config: &KeywordExtractConfig, word: &str) -> bool {
    let (mut chars, mut uppercase) = (0, false);
    for c in word.chars() {
        chars += 1;
        uppercase |= c.is_uppercase();
    }
    let stop = config.stop_words();
    chars >= config.min_keyword_length() && !stop.contains(word) && (!uppercase || !stop.contains(&word.to_lowercase()))
}

/// The term counts of an article's text for TF-IDF, gathered from the tags of its headline and
/// paragraphs (`Jieba::tag` without HMM), which the extractor makes anyway: so an article is
/// segmented once, not once for names and again for keywords. Counting per piece equals
/// counting over the pieces joined by line breaks, as `keywords` does, because the segmenter
/// never makes a word across a line break.
#[derive(Debug, Default)]
pub struct TermCounts<'a> {
    counts: FxHashMap<&'a str, u64>,
}

impl<'a> TermCounts<'a> {
    /// Counts the terms among `tags` as `TfIdf::extract_keywords` would with `KEYWORD_TAGS`.
    pub fn add(&mut self, tags: &[jieba_rs::Tag<'a>], config: &KeywordExtractConfig) {
        for tag in tags.iter().filter(|tag| is_keyword_tag(tag.tag)) {
            // A word counted before is a term: only new words need the check.
            if let Some(count) = self.counts.get_mut(tag.word) {
                *count += 1;
            } else if is_term(config, tag.word) {
                self.counts.insert(tag.word, 1);
            }
        }
    }
}

/// The same keywords as `keywords` over the text the tags of `counts` came from, without
/// segmenting it again.
pub fn keywords_from_counts(counts: &TermCounts<'_>, idf: &Idf, lexicon: &Lexicon, top_k: usize) -> Vec<String> {
    let total: u64 = counts.counts.values().sum();
    // As `TfIdf::extract_keywords`: weight = frequency × IDF / total, best first, ties by word.
    let mut weighted: Vec<(f64, &str)> =
        counts.counts.iter().map(|(word, &count)| (count as f64 * idf.idf(word) / total as f64, *word)).collect();
    // Only the best `keep` are wanted: they are selected first and only they are sorted. The
    // order is total (weights are finite, words distinct), so this is the full sort's prefix.
    let order = |a: &(f64, &str), b: &(f64, &str)| {
        b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(b.1))
    };
    let keep = top_k.saturating_mul(3);
    if keep > 0 && weighted.len() > keep {
        weighted.select_nth_unstable_by(keep - 1, order);
    }
    weighted.truncate(keep);
    weighted.sort_unstable_by(order);
    pick_keywords(weighted.into_iter().map(|(_, word)| word), lexicon, top_k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of speech keywords are taken from.
    const KEYWORD_TAGS: &[&str] = &["n", "nz", "vn", "ns", "nt", "nr", "nrt", "eng", "j"];

    fn check(paragraph: &str, expect: expect_test::Expect) {
        let jieba = Jieba::new();
        let lexicon = Lexicon::builtin();
        let (mut places, mut organizations) = (Vec::new(), Vec::new());
        let tags = jieba.tag(paragraph, false);
        places_and_organizations(paragraph, &tags, &lexicon, &mut places, &mut organizations);
        let mut lines: Vec<String> = places.iter().map(|p| format!("place {} ({})", p.name, p.kind)).collect();
        lines.extend(organizations.iter().map(|o| format!("org {} ({})", o.name, o.kind)));
        lines.extend(listed_names(&tags, &lexicon).into_iter().map(|n| format!("person {n}")));
        expect.assert_eq(&lines.join("\n"));
    }

    #[test]
    fn keyword_tag_match_is_the_list() {
        for tag in KEYWORD_TAGS {
            assert!(is_keyword_tag(tag), "{tag}");
        }
        for tag in ["", "v", "nrfg", "x", "m", "N", "eng "] {
            assert_eq!(is_keyword_tag(tag), KEYWORD_TAGS.contains(&tag), "{tag}");
        }
    }

    /// jieba-rs's own keyword extraction, with the same tags and filter, as `keywords` had it.
    fn jieba_rs_keywords(text: &str, jieba: &Jieba, tfidf: &jieba_rs::TfIdf, top_k: usize) -> Vec<String> {
        use jieba_rs::KeywordExtract;
        let allowed = KEYWORD_TAGS.iter().map(|s| (*s).to_owned()).collect();
        let candidates = tfidf.extract_keywords(jieba, text, top_k.saturating_mul(3), allowed);
        pick_keywords(candidates.iter().map(|k| k.keyword.as_str()), &Lexicon::builtin(), top_k)
    }

    #[test]
    fn keywords_from_tags_equal_jieba_rs_keywords_over_the_joined_text() {
        let (jieba, tfidf, lexicon, idf) =
            (Jieba::new(), jieba_rs::TfIdf::default(), Lexicon::builtin(), Idf::builtin());
        let config = KeywordExtractConfig::default();
        // Invented text, with words the table lists, words it does not (the median), Latin
        // words in upper case and stop words.
        let pieces = [
            "西湖区留下街道：5公里“汽车街”，何以逆风提速？",
            "西湖区留下街道西溪路，是半个多世纪前杭州公交汽车制造厂所在地。几经迭代，如今已成为杭州市品牌最全、\
             最集聚的汽车街区之一。5公里路段，集聚30余家4S店，2025年汽车社零总额达91.16亿元，领跑全区。",
            "",
            "The GDP和APP：AI大模型赋能汽车街区，汽车服务、汽车金融与汽车文化一起发展。Zqxv和Qzvk公司。",
        ];
        for top_k in [0, 1, 8, 40] {
            let mut counts = TermCounts::default();
            for piece in pieces {
                counts.add(&jieba.tag(piece, false), &config);
            }
            let joined = pieces.join("\n");
            let expected = jieba_rs_keywords(&joined, &jieba, &tfidf, top_k);
            assert_eq!(keywords_from_counts(&counts, &idf, &lexicon, top_k), expected, "top {top_k}");
            assert_eq!(keywords(&joined, &jieba, &config, &idf, &lexicon, top_k), expected, "top {top_k}");
        }
    }

    #[test]
    fn an_organization_does_not_swallow_a_place_after_a_preposition() {
        check(
            "在京中共中央政治局委员出席会议。代表团赴沪考察上海交通大学。",
            expect_test::expect![[r#"
                org 中共中央政治局 (government)
                org 上海交通大学 (school)"#]],
        );
    }

    #[test]
    fn suffix_rules_and_listed_names() {
        check(
            "文三路桂花社区和浙江工业职业学院合作，请来周杰伦、林俊杰演出。",
            expect_test::expect![[r#"
                place 文三路 (road)
                place 文三路桂花社区 (community)
                org 浙江工业职业学院 (school)
                person 周杰伦
                person 林俊杰"#]],
        );
    }
}
