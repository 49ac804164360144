//! People with the role printed next to them, direct speech with its speaker, and quoted terms.
//!
//! A person is a name printed right after a role phrase (桂花社区党委书记王建国, 总经理赵明):
//! the role phrase ends in a role word of the lexicon, the name starts with a family name and ends
//! where punctuation or a "name follower" (说, 表示, 是, …) starts. A family name with a form of
//! address (王师傅, 吴女士, 小李, 老王) and a foreign name written with `·` (玛丽·安·史密斯) are
//! people too. A quote is text in “…” that reads as speech (it has sentence punctuation or is
//! long); its speaker is found after it (“…”某某说), before it (某某说：“…”, 某某：“…”,
//! 某某深有体会：“…”), inside it (“…，”他说，“…”), or, for a paragraph that opens with a quote,
//! in the paragraph before that ends in a colon or in unclosed speech (multi-paragraph speech).
//! Pronouns (他, 她) and references (该负责人, 这位老师) are the last person named who fits;
//! a speaker given only by a role (值班民警, 一位参与活动的家长, 有人) is that phrase as printed.
//! Quoted terms that are not speech are named initiatives. Deliberately no name dictionary: names
//! without a role or form of address next to them are only found when they speak or were named
//! with a role before.

use model::{Initiative, Location, Person, Quote};

use rustc_hash::FxHashSet;

use crate::lexicon::Lexicon;
use crate::sentences::{Prepared, ends_clause, ends_sentence, evidence, sentence_of};

/// A person named in a paragraph, with character offsets of the name.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub name: String,
    pub role: Option<String>,
    pub start: usize,
    pub end: usize,
}

fn text_of(chars: &[char], start: usize, end: usize) -> String {
    chars.get(start..end).map(|s| s.iter().collect()).unwrap_or_default()
}

use model::text::is_han;

/// Whether `c` never stands inside a person's name (的, 了, 说).
fn not_in_name(c: char, lexicon: &Lexicon) -> bool {
    lexicon.name_context.not_in_name.contains(&c)
}

/// The first (longest) of `words` written at `chars[at..]`; `firsts` are the words' first
/// characters (the words are never empty), checked before any word is compared.
fn word_at<'a>(chars: &[char], at: usize, words: &'a [String], firsts: &FxHashSet<char>) -> Option<&'a String> {
    let rest = chars.get(at..)?;
    if !rest.first().is_some_and(|c| firsts.contains(c)) {
        return None;
    }
    words.iter().find(|w| {
        let mut k = 0;
        w.chars().all(|c| {
            k += 1;
            rest.get(k - 1) == Some(&c)
        })
    })
}

/// Whether `word` is written in `chars` right before `end`.
fn ends_with_word(chars: &[char], end: usize, word: &str) -> bool {
    let mut k = end;
    word.chars().rev().all(|c| {
        if k == 0 || chars[k - 1] != c {
            return false;
        }
        k -= 1;
        true
    })
}

/// The length of the person's name starting at `at`, if one starts there.
pub fn name_at(chars: &[char], at: usize, lexicon: &Lexicon) -> Option<usize> {
    let first = *chars.get(at)?;
    let compound = lexicon.compound_surnames.iter().any(|s| chars.get(at..).is_some_and(|r| r.starts_with(s)));
    if !compound && !lexicon.surnames.contains(&first) {
        return None;
    }
    let lengths: &[usize] = if compound { &[4, 3] } else { &[3, 2] };
    for &n in lengths {
        let Some(candidate) = chars.get(at..at + n) else { continue };
        if !candidate.iter().all(|c| is_han(*c) && !not_in_name(*c, lexicon)) {
            continue;
        }
        if candidate[1..].iter().any(|c| ends_clause(*c)) {
            continue;
        }
        let next = at + n;
        let ends = match chars.get(next) {
            None => true,
            Some(c) if ends_clause(*c) || !is_han(*c) => true,
            Some(_) => {
                word_at(chars, next, &lexicon.name_followers, &lexicon.name_follower_firsts).is_some()
                    || word_at(chars, next, &lexicon.speech_verbs, &lexicon.speech_verb_firsts).is_some()
            }
        };
        // 陈红一早就: a third character that is itself a follower (一, 也, 就) ends a name of two.
        if ends
            && n == 3
            && !compound
            && word_at(chars, at + 2, &lexicon.name_followers, &lexicon.name_follower_firsts).is_some()
        {
            let two_ends = chars.get(at + 2).is_some();
            if two_ends {
                return Some(2);
            }
        }
        if ends {
            return Some(n);
        }
    }
    None
}

/// Where the role phrase ending at `end` starts: at the clause start, without leading
/// prepositions (据, 由, 对).
fn role_start(chars: &[char], end: usize, lexicon: &Lexicon) -> usize {
    let mut start = end;
    while start > 0 && end - start < 25 && !ends_clause(chars[start - 1]) {
        start -= 1;
    }
    // 牵头这项工作的是社区书记王芳: the role starts after the copula.
    let context = &lexicon.name_context;
    if let Some(k) = (start..end).rev().find(|k| context.copula.contains(&chars[*k])) {
        start = k + 1;
    }
    while start < end && context.role_lead.contains(&chars[start]) {
        start += 1;
    }
    start
}

/// The role word (longest) that ends at `end`, if any.
fn role_word_ending_at<'a>(chars: &[char], end: usize, lexicon: &'a Lexicon) -> Option<&'a String> {
    let last = *chars.get(end.checked_sub(1)?)?;
    let candidates = lexicon.roles_by_last_char.get(&last)?;
    candidates.iter().map(|i| &lexicon.roles[*i]).find(|r| ends_with_word(chars, end, r))
}

/// Whether a name may end right before `at`: the text ends, punctuation, or a name follower or
/// speech verb starts there.
fn name_may_end(chars: &[char], at: usize, lexicon: &Lexicon) -> bool {
    match chars.get(at) {
        None => true,
        Some(c) if ends_clause(*c) || !is_han(*c) => true,
        Some(_) => {
            word_at(chars, at, &lexicon.name_followers, &lexicon.name_follower_firsts).is_some()
                || word_at(chars, at, &lexicon.speech_verbs, &lexicon.speech_verb_firsts).is_some()
        }
    }
}

/// A family name with a form of address at `at` (王师傅, 吴女士, 小李, 老王): its length.
pub fn addressed_at(chars: &[char], at: usize, lexicon: &Lexicon) -> Option<usize> {
    let first = *chars.get(at)?;
    let prefixed = lexicon.name_context.address_prefix.contains(&first);
    if !prefixed && !lexicon.surnames.contains(&first) {
        return None;
    }
    // Not the middle of a word (提高老师的待遇), unless a role or a small word comes before:
    // 居民王师傅, 和小李.
    if at > 0
        && is_han(chars[at - 1])
        && !not_in_name(chars[at - 1], lexicon)
        && !lexicon.name_context.before_address.contains(&chars[at - 1])
        && role_word_ending_at(chars, at, lexicon).is_none()
    {
        return None;
    }
    if prefixed {
        let surname = *chars.get(at + 1)?;
        if lexicon.surnames.contains(&surname) && name_may_end(chars, at + 2, lexicon) {
            return Some(2);
        }
        return None;
    }
    if !lexicon.surnames.contains(&first) {
        return None;
    }
    let honorific = word_at(chars, at + 1, &lexicon.honorifics, &lexicon.honorific_firsts)?;
    let n = 1 + honorific.chars().count();
    name_may_end(chars, at + n, lexicon).then_some(n)
}

/// Characters a transliterated name part stops before (伊斯特布鲁克在…, 科尔接受采访).
fn stops_name(c: char, lexicon: &Lexicon) -> bool {
    lexicon.name_context.stops_foreign.contains(&c)
}

/// A foreign name written with `·` around `dot` (玛丽·安·史密斯): its start and end. The name
/// must stand apart on both sides: after punctuation, a small word or a role word (学者玛丽·…),
/// and before punctuation or a speech verb; not inside quotation or title marks (“合作·共赢”), and
/// not a whole paragraph (a heading).
fn dotted_name(chars: &[char], dot: usize, lexicon: &Lexicon) -> Option<(usize, usize)> {
    let part_char = |c: char| is_han(c) && !not_in_name(c, lexicon);
    let stands_after = |k: usize| {
        k == 0
            || !is_han(chars[k - 1])
            || not_in_name(chars[k - 1], lexicon)
            || role_word_ending_at(chars, k, lexicon).is_some()
            || word_at(chars, k.saturating_sub(1), &lexicon.speech_verbs, &lexicon.speech_verb_firsts).is_some()
    };
    let mut start = dot;
    while start > 0 && dot - start < 4 && part_char(chars[start - 1]) {
        start -= 1;
    }
    // The shortest first part that stands apart (a role word or a small word before it).
    let start = (start..dot.saturating_sub(1)).find(|k| stands_after(*k))?;
    let mut end = dot;
    let mut parts = 1;
    let mut last_part = dot;
    while matches!(chars.get(end), Some('·' | '•')) {
        last_part = end + 1;
        let part = end + 1;
        let mut k = part;
        while k < chars.len() && k - part < 8 && part_char(chars[k]) && !matches!(chars[k], '·' | '•') {
            if k > part
                && (word_at(chars, k, &lexicon.speech_verbs, &lexicon.speech_verb_firsts).is_some()
                    || stops_name(chars[k], lexicon))
            {
                break;
            }
            k += 1;
        }
        if k == part {
            return None;
        }
        end = k;
        parts += 1;
    }
    // A long last part running on into the sentence (史密斯参观了, 谢尔顿拿出他): three
    // characters, the common length of a transliterated family name.
    if end - last_part > 4
        && chars.get(end).is_some_and(|c| is_han(*c) && !ends_clause(*c) && !stops_name(*c, lexicon))
        && word_at(chars, end, &lexicon.speech_verbs, &lexicon.speech_verb_firsts).is_none()
    {
        end = last_part + 3;
    }
    let ends_apart = match chars.get(end) {
        None => true,
        Some('·' | '•') => false,
        Some(c) if !is_han(*c) || ends_clause(*c) => true,
        Some(_) => {
            end - last_part == 3
                || word_at(chars, end, &lexicon.speech_verbs, &lexicon.speech_verb_firsts).is_some()
                || not_in_name(chars[end], lexicon)
        }
    };
    let quoted = start > 0 && matches!(chars[start - 1], '“' | '《' | '「' | '‘')
        || chars.get(end).is_some_and(|c| matches!(c, '”' | '》' | '」' | '’'));
    let whole = start == 0 && end == chars.len();
    // 中国·杭州 and 元谷·科技大厦 name places, not a person.
    let place = |part: &[char]| part.last().is_some_and(|c| lexicon.name_context.place_end.contains(c));
    (parts >= 2 && ends_apart && !quoted && !whole && !place(&chars[start..dot]) && !place(&chars[dot + 1..end]))
        .then_some((start, end))
}

/// Persons named after a role phrase in `chars`, and family names with a form of address.
pub fn mentions(chars: &[char], lexicon: &Lexicon) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '·' {
            if let Some((start, end)) = dotted_name(chars, i, lexicon)
                && out.last().is_none_or(|m: &Mention| m.end <= start)
            {
                let role = role_word_ending_at(chars, start, lexicon).map(|r| {
                    let from = role_start(chars, start - r.chars().count(), lexicon);
                    text_of(chars, from, start)
                });
                out.push(Mention { name: text_of(chars, start, end), role, start, end });
                i = end;
                continue;
            }
            i += 1;
            continue;
        }
        // Both kinds of mention start with a family name or a prefix of address: elsewhere
        // there is no role to look for.
        if !lexicon.name_starts.contains(&chars[i]) {
            i += 1;
            continue;
        }
        let role = (i > 0).then(|| role_word_ending_at(chars, i, lexicon)).flatten();
        if let Some(n) = addressed_at(chars, i, lexicon) {
            let role = role.map(|r| text_of(chars, role_start(chars, i - r.chars().count(), lexicon), i));
            out.push(Mention { name: text_of(chars, i, i + n), role, start: i, end: i + n });
            i += n;
            continue;
        }
        if let Some(role) = role
            && let Some(n) = name_at(chars, i, lexicon)
        {
            let role_len = role.chars().count();
            let start = role_start(chars, i - role_len, lexicon);
            let role = text_of(chars, start, i);
            out.push(Mention { name: text_of(chars, i, i + n), role: Some(role), start: i, end: i + n });
            i += n;
            continue;
        }
        i += 1;
    }
    out
}

/// Whether the quoted words read as speech rather than a term or slogan.
fn is_speech(content: &[char]) -> bool {
    content.iter().any(|c| matches!(c, '，' | '。' | '！' | '？' | '；' | '…' | ',' | '!' | '?')) || content.len() >= 25
}

/// The speech verb that ends `chars[..end]`, as its length.
fn verb_ending_at(chars: &[char], end: usize, lexicon: &Lexicon) -> Option<usize> {
    lexicon.speech_verbs.iter().find(|v| ends_with_word(chars, end, v)).map(|v| v.chars().count())
}

/// Everything found in one article's paragraphs.
#[derive(Debug, Default)]
pub struct Found {
    pub quotes: Vec<Quote>,
    pub people: Vec<Person>,
    pub initiatives: Vec<Initiative>,
}

/// A speaker phrase resolved to (speaker, role).
fn resolve_speaker(
    phrase: &[char],
    lexicon: &Lexicon,
    known: &[Mention],
    last_person: Option<&Mention>,
) -> Option<(String, Option<String>)> {
    let text: String = phrase.iter().collect();
    let text = text.trim().to_owned();
    if text.is_empty() || text.chars().count() > 30 {
        return None;
    }
    let text = lexicon.speaker_openers.iter().find_map(|w| text.strip_prefix(w.as_str())).unwrap_or(&text).to_owned();
    if text.is_empty() {
        return None;
    }
    if lexicon.name_context.pronouns.contains(&text) {
        let named = known.iter().rev().find(|m| m.role.as_deref() != Some(m.name.as_str()));
        return named.or(last_person).map(|m| (m.name.clone(), m.role.clone()));
    }
    let chars: Vec<char> = text.chars().collect();
    // 该负责人, 这位老师, 该同志: the last person whose role ends so, else the last person.
    for reference in &lexicon.name_context.references {
        if let Some(rest) = text.strip_prefix(reference)
            && !rest.is_empty()
            && rest.chars().count() <= 6
        {
            let fitting = known.iter().rev().find(|m| m.role.as_deref().is_some_and(|r| r.ends_with(rest)));
            if let Some(m) = fitting.or(last_person) {
                return Some((m.name.clone(), m.role.clone()));
            }
        }
    }
    let found = mentions(&chars, lexicon);
    if let Some(m) = found.last() {
        return Some((m.name.clone(), m.role.clone()));
    }
    if let Some(m) = known.iter().rev().find(|m| m.name.chars().count() >= 2 && text.contains(m.name.as_str())) {
        return Some((m.name.clone(), m.role.clone()));
    }
    // 玛丽·安·史密斯说: a foreign name alone.
    if chars.contains(&'·')
        && chars.len() <= 20
        && text.split('·').all(|part| !part.is_empty() && part.chars().all(|c| is_han(c) && !not_in_name(c, lexicon)))
    {
        return Some((text, None));
    }
    // 伊斯特布鲁克说 after 约翰·伊斯特布鲁克: the last part of a foreign name stands for it.
    if let Some(m) =
        known.iter().rev().find(|m| m.name.contains('·') && m.name.rsplit('·').next() == Some(text.as_str()))
    {
        return Some((m.name.clone(), m.role.clone()));
    }
    // 习近平总书记说: a name, then a role word.
    for n in [3, 2] {
        if chars.len() > n
            && lexicon.surnames.contains(&chars[0])
            && chars[..n].iter().all(|c| is_han(*c) && !not_in_name(*c, lexicon))
            && lexicon.roles.iter().any(|r| r.chars().eq(chars[n..].iter().copied()))
        {
            return Some((text_of(&chars, 0, n), Some(text_of(&chars, n, chars.len()))));
        }
    }
    // 秘书长科尔曼表示: a role word, then a name the surname list does not know.
    for r in (1..chars.len().saturating_sub(1)).rev() {
        let rest = &chars[r..];
        if (2..=5).contains(&rest.len())
            && rest.iter().all(|c| is_han(*c) && !not_in_name(*c, lexicon))
            && role_word_ending_at(&chars, r, lexicon).is_some()
            && role_word_ending_at(&chars, chars.len(), lexicon).is_none()
        {
            let start = role_start(&chars, r, lexicon);
            return Some((text_of(&chars, r, chars.len()), Some(text_of(&chars, start, r))));
        }
    }
    if role_word_ending_at(&chars, chars.len(), lexicon).is_some() {
        let start = role_start(&chars, chars.len(), lexicon);
        let role = text_of(&chars, start, chars.len());
        return Some((role.clone(), Some(role)));
    }
    if name_at(&chars, 0, lexicon) == Some(chars.len()) {
        return Some((text, None));
    }
    // 张华接着说, 张华笑着说: a name, then how it was said.
    if let Some(n) = name_at(&chars, 0, lexicon) {
        return Some((text_of(&chars, 0, n), None));
    }
    // 海外侨胞特邀嘉宾林楚钦说: a description, then a name.
    for n in [3, 2] {
        if chars.len() >= n + 2 {
            let at = chars.len() - n;
            let name = &chars[at..];
            let surname_first = lexicon.surnames.contains(&name[0])
                && !(n == 2 && chars.len() >= 3 && lexicon.surnames.contains(&chars[at - 1]));
            if surname_first && name.iter().all(|c| is_han(*c) && !not_in_name(*c, lexicon)) {
                let start = role_start(&chars, at, lexicon);
                let role = (start < at).then(|| text_of(&chars, start, at));
                return Some((text_of(&chars, at, chars.len()), role));
            }
        }
    }
    // 仝宗旗说, 斯奇奥切特表示: a short phrase of name characters is the speaker as printed.
    if (2..=6).contains(&chars.len()) && chars.iter().all(|c| is_han(*c) && !not_in_name(*c, lexicon)) {
        return Some((text, None));
    }
    // 王建国在接受采访时说, 负责人对记者说: the speaker is the part before the circumstance.
    if let Some(cut) = chars.iter().position(|c| lexicon.name_context.circumstance.contains(c))
        && cut >= 1
        && cut < chars.len()
    {
        return resolve_speaker(&chars[..cut], lexicon, known, last_person);
    }
    None
}

/// The speaker of the last `某某表示，` / `某某说：` in the paragraph before `open` (at most a
/// few sentences back, outside quotes), resolved to a named person.
fn earlier_speaker(
    chars: &[char],
    open: usize,
    lexicon: &Lexicon,
    known: &[Mention],
) -> Option<(String, Option<String>)> {
    let from = open.saturating_sub(120);
    let mut inside = false;
    let mut last = None;
    for k in from..open {
        match chars[k] {
            '“' => inside = true,
            '”' => inside = false,
            _ => {}
        }
        if inside || k == 0 || ends_clause(chars[k - 1]) {
            continue;
        }
        let Some(verb) = word_at(chars, k, &lexicon.speech_verbs, &lexicon.speech_verb_firsts) else { continue };
        let after = k + verb.chars().count();
        if !chars.get(after).is_some_and(|c| matches!(c, '，' | '：' | ',' | ':')) {
            continue;
        }
        let mut start = k;
        while start > from && k - start < 30 && !ends_clause(chars[start - 1]) {
            start -= 1;
        }
        if let Some((name, role)) = resolve_speaker(&chars[start..k], lexicon, known, known.last()) {
            let named: Vec<char> = name.chars().collect();
            if name_at(&named, 0, lexicon) == Some(named.len()) || known.iter().any(|m| m.name == name) {
                last = Some((name, role));
            }
        }
    }
    last
}

/// Finds people, quotes and quoted terms in the paragraphs of an article, in order.
/// `paragraphs` yields (section index, paragraph index, text); `authors` are left out of people.
pub fn people_and_quotes<'a>(
    paragraphs: impl Iterator<Item = (usize, usize, &'a str)>,
    authors: &[String],
    lexicon: &Lexicon,
) -> Found {
    people_and_quotes_prepared(paragraphs.map(|(s, p, text)| (s, p, Prepared::new(text))), authors, lexicon)
}

/// `people_and_quotes` over paragraphs whose characters and sentences are made already.
pub fn people_and_quotes_prepared<P: std::borrow::Borrow<Prepared>>(
    paragraphs: impl Iterator<Item = (usize, usize, P)>,
    authors: &[String],
    lexicon: &Lexicon,
) -> Found {
    let mut found = Found::default();
    let mut known: Vec<Mention> = Vec::new();
    // Who speaks on into the next paragraph: the paragraph ended in `某某表示：` or in a quote
    // left open (multi-paragraph speech opens every paragraph with “ and closes only the last).
    let mut pending: Option<(String, Option<String>)> = None;
    for (section, paragraph, prepared) in paragraphs {
        let carried = pending.take();
        let Prepared { chars, spans } = prepared.borrow();
        let here = mentions(chars, lexicon);
        for m in &here {
            if authors.iter().any(|a| a == &m.name) {
                continue;
            }
            if !found.people.iter().any(|p| p.name == m.name) {
                found.people.push(Person {
                    name: m.name.clone(),
                    role: m.role.clone(),
                    sentence: evidence(chars, sentence_of(spans, m.start), m.start, m.end),
                });
            }
        }
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '“' {
                i += 1;
                continue;
            }
            let open = i;
            let mut close = open + 1;
            while close < chars.len() && chars[close] != '”' {
                close += 1;
            }
            let content = &chars[open + 1..close];
            i = close + 1;
            let sentence = evidence(chars, sentence_of(spans, open), open, close.min(open + 1));
            if !is_speech(content) {
                let name: String = content.iter().collect();
                let length = content.len();
                if (2..=30).contains(&length) && !found.initiatives.iter().any(|x| x.name == name) {
                    found.initiatives.push(Initiative { name, sentence });
                }
                continue;
            }
            // Everyone named before this quote, in this paragraph or earlier ones.
            let mut before_here: Vec<Mention> = known.clone();
            before_here.extend(here.iter().filter(|m| m.end <= open).cloned());
            let last_person = before_here.last();

            let mut speaker = None;
            if open == 0 {
                speaker.clone_from(&carried);
            }
            // Before: 某某说：“…”, 某某深有体会：“…”, “…”某某说，“…”.
            if speaker.is_none() && open > 0 && matches!(chars[open - 1], '：' | ':' | '，' | ',') {
                let end = open - 1;
                let mut start = end;
                while start > 0 && end - start < 60 && !ends_sentence(chars[start - 1]) && chars[start - 1] != '”' {
                    start -= 1;
                }
                let mut clause_start = end;
                while clause_start > start && !ends_clause(chars[clause_start - 1]) {
                    clause_start -= 1;
                }
                if let Some(v) = verb_ending_at(chars, end, lexicon) {
                    let phrase = chars.get(clause_start..end.saturating_sub(v)).unwrap_or_default();
                    speaker = resolve_speaker(phrase, lexicon, &before_here, last_person);
                } else if chars[open - 1] == '：' || chars[open - 1] == ':' {
                    let in_chunk: Vec<&Mention> = here.iter().filter(|m| m.start >= start && m.end <= end).collect();
                    if let Some(m) = in_chunk.last() {
                        speaker = Some((m.name.clone(), m.role.clone()));
                    } else if let Some(m) = before_here.iter().rev().find(|m| {
                        let chunk = text_of(chars, start, end);
                        chunk.contains(&m.name)
                    }) {
                        speaker = Some((m.name.clone(), m.role.clone()));
                    } else {
                        // 张华：“…”, 一位家长：“…”: the clause before the colon names the speaker.
                        let phrase = chars.get(clause_start..end).unwrap_or_default();
                        speaker = resolve_speaker(phrase, lexicon, &before_here, last_person);
                    }
                }
            }
            // After: “…”某某说。 / “…”某某介绍，
            if speaker.is_none() && close < chars.len() {
                let start = close + 1;
                let mut end = start;
                while end < chars.len() && end < start + 30 && !ends_clause(chars[end]) {
                    end += 1;
                }
                if let Some(v) = verb_ending_at(chars, end, lexicon)
                    && end - v > start
                {
                    speaker = resolve_speaker(&chars[start..end - v], lexicon, &before_here, last_person);
                }
            }
            // 汪文斌表示，十年扬帆再起航。“…”: the last person the paragraph has speaking before it.
            if speaker.is_none() && is_speech(content) {
                speaker = earlier_speaker(chars, open, lexicon, &before_here);
            }
            // A quoted phrase that runs on into the sentence (“线上能办，线下就近办”模式)
            // is a term, not speech.
            let terminal = content.last().is_some_and(|c| matches!(c, '。' | '！' | '？' | '…' | '!' | '?'));
            let runs_on = chars.get(close + 1).is_some_and(|c| !ends_clause(*c));
            if speaker.is_none() && !terminal && runs_on {
                let name: String = content.iter().collect();
                if content.len() <= 30 && !found.initiatives.iter().any(|x| x.name == name) {
                    found.initiatives.push(Initiative { name, sentence });
                }
                continue;
            }
            // The speaker is now the last person named, for the pronouns that follow.
            if let Some((name, role)) = &speaker {
                let m = before_here.iter().find(|m| &m.name == name).cloned();
                known.push(m.unwrap_or(Mention { name: name.clone(), role: role.clone(), start: 0, end: 0 }));
            }
            if close >= chars.len() {
                pending.clone_from(&speaker);
            }
            found.quotes.push(Quote {
                speaker: speaker.as_ref().map(|(s, _)| s.clone()),
                role: speaker.and_then(|(_, r)| r),
                text: content.iter().collect(),
                location: Location { section, paragraph, start: open + 1, end: close },
            });
        }
        // 张华在接受记者采访时表示： at the end of a paragraph: the next one is the speech.
        if let Some(colon) = chars.iter().rposition(|c| !c.is_whitespace())
            && matches!(chars[colon], '：' | ':')
            && !chars[..colon].contains(&'“')
        {
            let mut start = colon;
            while start > 0 && colon - start < 60 && !ends_sentence(chars[start - 1]) {
                start -= 1;
            }
            let mut clause_start = colon;
            while clause_start > start && !ends_clause(chars[clause_start - 1]) {
                clause_start -= 1;
            }
            let mut before_here = known.clone();
            before_here.extend(here.iter().cloned());
            let phrase_end = colon - verb_ending_at(chars, colon, lexicon).unwrap_or(0);
            let phrase = chars.get(clause_start..phrase_end).unwrap_or_default();
            pending = resolve_speaker(phrase, lexicon, &before_here, before_here.last());
        }
        known.extend(here);
    }
    // A speaker given only by a role phrase (街道相关负责人) is that phrase; it has no role of its
    // own beside it. (Inside, `known` keeps role == name to tell such speakers from named ones.)
    for quote in &mut found.quotes {
        if quote.role.is_some() && quote.role == quote.speaker {
            quote.role = None;
        }
    }
    // Speakers named without a role printed next to them are people too.
    for quote in &found.quotes {
        if let (Some(name), None) = (&quote.speaker, &quote.role) {
            let chars: Vec<char> = name.chars().collect();
            if name_at(&chars, 0, lexicon) == Some(chars.len())
                && !found.people.iter().any(|p| &p.name == name)
                && !authors.contains(name)
            {
                found.people.push(Person { name: name.clone(), role: None, sentence: String::new() });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(paragraphs: &[&str], expect: expect_test::Expect) {
        let lexicon = Lexicon::builtin();
        let found = people_and_quotes(paragraphs.iter().enumerate().map(|(i, p)| (0, i, *p)), &[], &lexicon);
        let mut lines = Vec::new();
        for p in &found.people {
            lines.push(format!("person {} ({})", p.name, p.role.as_deref().unwrap_or("-")));
        }
        for q in &found.quotes {
            let prefix: String = q.text.chars().take(8).collect();
            lines.push(format!(
                "quote {prefix} <- {} ({})",
                q.speaker.as_deref().unwrap_or("-"),
                q.role.as_deref().unwrap_or("-")
            ));
        }
        for x in &found.initiatives {
            lines.push(format!("term {}", x.name));
        }
        expect.assert_eq(&lines.join("\n"));
    }

    #[test]
    fn roles_before_names() {
        check(
            &["社区党委书记王建国说，服务站已开通。", "公司成立后，总经理赵明带队考察。集团总经理欧阳华表示同意。"],
            expect_test::expect![[r#"
                person 王建国 (社区党委书记)
                person 赵明 (总经理)
                person 欧阳华 (集团总经理)"#]],
        );
    }

    #[test]
    fn speaker_after_the_quote() {
        check(
            &["“以前要跑好几趟，现在一次就办完了。”区商务局相关负责人介绍。"],
            expect_test::expect!["quote 以前要跑好几趟， <- 区商务局相关负责人 (-)"],
        );
        check(
            &["“以前要跑好几趟，现在一次办完。”社区主任李红梅说，服务站很受欢迎。"],
            expect_test::expect![[r#"
                person 李红梅 (社区主任)
                quote 以前要跑好几趟， <- 李红梅 (社区主任)"#]],
        );
    }

    #[test]
    fn speaker_before_the_quote() {
        check(
            &["研究院院长孙立说：“我们要把产品做好，让更多企业用上。”"],
            expect_test::expect![[r#"
                person 孙立 (研究院院长)
                quote 我们要把产品做好 <- 孙立 (研究院院长)"#]],
        );
        check(
            &["门店负责人周敏深有体会：“以前订单靠跑，现在线上就能接。”"],
            expect_test::expect![[r#"
                person 周敏 (门店负责人)
                quote 以前订单靠跑，现 <- 周敏 (门店负责人)"#]],
        );
    }

    #[test]
    fn pronoun_and_continued_speech() {
        check(
            &[
                "退休教师周敏是最早报名的志愿者。“能帮上忙，我很开心。”她说。",
                "“第一句，很重要。”区相关负责人说，“第二句也是。”",
            ],
            expect_test::expect![[r#"
                person 周敏 (退休教师)
                quote 能帮上忙，我很开 <- 周敏 (退休教师)
                quote 第一句，很重要。 <- 区相关负责人 (-)
                quote 第二句也是。 <- 区相关负责人 (-)"#]],
        );
    }

    #[test]
    fn speaker_with_circumstance() {
        check(
            &["社区书记陈红在接受采访时说：“我们会继续做好服务，让居民满意。”"],
            expect_test::expect![[r#"
                person 陈红 (社区书记)
                quote 我们会继续做好服 <- 陈红 (社区书记)"#]],
        );
        check(
            &["街道相关负责人对记者说：“服务没有终点，只有连续不断的新起点。”"],
            expect_test::expect!["quote 服务没有终点，只 <- 街道相关负责人 (-)"],
        );
    }

    #[test]
    fn no_panic_on_ragged_text() {
        let text = "“”“说：”：“书记王说”，第1.5万亿元—至到%成半“近”0.";
        let chars: Vec<char> = text.chars().collect();
        let lexicon = Lexicon::builtin();
        for start in 0..chars.len() {
            let tail: String = chars[start..].iter().collect();
            let found = people_and_quotes(std::iter::once((0, 0, tail.as_str())), &[], &lexicon);
            let figures = crate::figures::figures_in_paragraph(&tail, 0, 0, &lexicon);
            assert!(found.quotes.len() <= 4 && figures.len() <= 4, "{tail}");
        }
    }

    #[test]
    fn long_paragraph_without_sentence_ends_is_read_whole() {
        // Every scan backwards is bounded, so this is linear, not quadratic, in the length (a
        // quadratic reading would not finish; no clock is read here).
        let text = "“书记王明说超3000人，".repeat(20_000);
        let lexicon = Lexicon::builtin();
        let found = people_and_quotes(std::iter::once((0, 0, text.as_str())), &[], &lexicon);
        let figures = crate::figures::figures_in_paragraph(&text, 0, 0, &lexicon);
        assert_eq!((found.quotes.len(), figures.len()), (1, 20_000));
    }

    #[test]
    fn unattributed_quote_and_terms() {
        check(
            &["比如，“我们针对年轻群体推出课程，效果很好。”", "形成“小事不出村、大事不出镇”的“邻里汇”机制。"],
            expect_test::expect![[r#"
                quote 我们针对年轻群体 <- - (-)
                term 小事不出村、大事不出镇
                term 邻里汇"#]],
        );
    }
}
