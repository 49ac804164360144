//! Extractive summaries: whole sentences of the cleaned body, ranked by a TextRank-style
//! centrality (personalized PageRank over a sentence-similarity graph) with a lead bias.
//!
//! Similarity is the overlap of character bigrams, normalized as in the TextRank paper, so it
//! needs no word segmentation and works for any language written without spaces. The lead bias
//! is the personalization vector: early paragraphs and sentences that echo the headline are
//! where the random surfer restarts. Deliberately not done: abstractive rewriting, cross-article
//! ranking, or any sentence that is not printed verbatim in the body.

use model::Article;

use crate::sentences;

/// Sentences considered per article at most; the graph is quadratic in them.
const MAX_CANDIDATES: usize = 300;
/// A sentence shorter than this (in characters) says too little to summarize an article.
const MIN_CHARS: usize = 8;
/// A sentence longer than this is likely a run-on list or a mis-split block.
const MAX_CHARS: usize = 180;
/// Summaries stop adding sentences past this many characters.
const BUDGET_CHARS: usize = 260;
const DAMPING: f64 = 0.85;
const ITERATIONS: usize = 60;
/// Power iteration stops once the scores move less than this in total.
const CONVERGED: f64 = 1e-9;

/// A candidate sentence and where it stands.
struct Candidate<'a> {
    text: &'a str,
    paragraph: usize,
    bigrams: Vec<u64>,
}

/// Whether `c` is a letter or digit (`char::is_alphanumeric`), answered without Unicode tables
/// for the characters that make up most of a Chinese text: CJK ideographs are all letters, and
/// the common CJK and full-width punctuation is neither. The table lookup behind
/// `is_alphanumeric` was a tenth of the per-page step's time.
fn is_letter_or_digit(c: char) -> bool {
    match c {
        '\u{4E00}'..='\u{9FFF}' => true,
        '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' | '\u{2010}'..='\u{2027}' => false,
        '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// Sorted, deduplicated character bigrams of the letters and digits of `text`.
fn bigrams(text: &str) -> Vec<u64> {
    let mut grams: Vec<u64> = Vec::with_capacity(text.len() / 3);
    let mut previous: Option<char> = None;
    for c in text.chars().filter(|&c| is_letter_or_digit(c)) {
        if let Some(p) = previous {
            grams.push((u64::from(p) << 32) | u64::from(c));
        }
        previous = Some(c);
    }
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// TextRank similarity: shared bigrams over the log sizes; 0 for empty sets.
fn similarity(a: &[u64], b: &[u64]) -> f64 {
    if a.len() < 2 || b.len() < 2 {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / ((a.len() as f64).ln() + (b.len() as f64).ln())
}

/// Whether a sentence may appear in a summary: whole, of a sensible length, not caption or
/// credit text (cleaning may have left a caption inside the body).
fn eligible(article: &Article, text: &str) -> bool {
    let chars = text.chars().count();
    if !(MIN_CHARS..=MAX_CHARS).contains(&chars) || !sentences::is_whole(text) {
        return false;
    }
    let is_caption = |other: &str| {
        let other = other.trim();
        other.chars().count() >= MIN_CHARS && (other.contains(text) || text.contains(other))
    };
    !article.captions.iter().any(|c| is_caption(&c.text)) && !article.credits.iter().any(|c| is_caption(c))
}

/// The summary sentences of `article`, at most `max_sentences`, in body order.
pub fn summary_sentences(article: &Article, max_sentences: usize) -> Vec<&str> {
    if max_sentences == 0 {
        return Vec::new();
    }
    let mut candidates = Vec::new();
    let mut paragraph = 0;
    for section in &article.sections {
        // A paragraph that follows one cut off mid-sentence (a column break the layout kept)
        // starts mid-sentence too: its first sentence is a fragment. A heading ends that.
        let mut previous_complete = true;
        for text in &section.paragraphs {
            for (k, sentence) in sentences::split(text).into_iter().enumerate() {
                let continuation = k == 0 && !previous_complete;
                if !continuation && candidates.len() < MAX_CANDIDATES && eligible(article, sentence.text) {
                    candidates.push(Candidate { text: sentence.text, paragraph, bigrams: bigrams(sentence.text) });
                }
            }
            previous_complete = sentences::ends_complete(text);
            paragraph += 1;
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    let scores = rank(article, &candidates);
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));

    let mut chosen: Vec<usize> = Vec::new();
    let mut length = 0;
    for index in order {
        if chosen.len() >= max_sentences || length >= BUDGET_CHARS {
            break;
        }
        // Past the budget only the first sentence may go; a shorter one further down may fit.
        let chars = candidates[index].text.chars().count();
        if !chosen.is_empty() && length + chars > BUDGET_CHARS {
            continue;
        }
        // Skip near-repeats of a sentence already chosen.
        let repeat = chosen.iter().any(|&c| similarity(&candidates[c].bigrams, &candidates[index].bigrams) > 2.5);
        if repeat {
            continue;
        }
        length += chars;
        chosen.push(index);
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|i| candidates[i].text).collect()
}

/// The summary of `article` as one string: its summary sentences joined, `None` if it has none.
pub fn summarize_article(article: &Article, max_sentences: usize) -> Option<String> {
    let sentences = summary_sentences(article, max_sentences);
    (!sentences.is_empty()).then(|| sentences.concat())
}

/// Personalized PageRank over the similarity graph of `candidates`.
fn rank(article: &Article, candidates: &[Candidate<'_>]) -> Vec<f64> {
    let n = candidates.len();
    let headline = bigrams(&article.headline);
    let kicker = article.kicker.as_deref().map(bigrams).unwrap_or_default();
    // The restart vector: lead bias, echo of the headline, questions discounted.
    let mut restart: Vec<f64> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let lead = 1.0 / (1.0 + 0.6 * c.paragraph as f64) + 1.0 / (2.0 + i as f64);
            let echo = similarity(&headline, &c.bigrams) + similarity(&kicker, &c.bigrams) * 0.5;
            let question = if c.text.ends_with('？') || c.text.ends_with('?') { 0.4 } else { 1.0 };
            (lead + echo) * question
        })
        .collect();
    let total: f64 = restart.iter().sum();
    restart.iter_mut().for_each(|r| *r /= total.max(f64::MIN_POSITIVE));

    // Each sentence's bigrams as a bitset over the article's bigram vocabulary: the overlap of
    // two sentences is then a popcount, not a merge of two sorted lists.
    // The vocabulary is the sorted union of the sentences' sorted bigrams; a bigram's id is its
    // place in it.
    let mut vocabulary: Vec<u64> = candidates.iter().flat_map(|c| c.bigrams.iter().copied()).collect();
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let words = vocabulary.len().div_ceil(64);
    let bitsets: Vec<Vec<u64>> = candidates
        .iter()
        .map(|c| {
            let mut bits = vec![0u64; words];
            for gram in &c.bigrams {
                if let Ok(id) = vocabulary.binary_search(gram) {
                    bits[id / 64] |= 1 << (id % 64);
                }
            }
            bits
        })
        .collect();
    let logs: Vec<f64> = candidates.iter().map(|c| (c.bigrams.len() as f64).ln()).collect();

    let mut weights = vec![0.0; n * n];
    let mut out_sum = vec![0.0; n];
    for i in 0..n {
        if candidates[i].bigrams.len() < 2 {
            continue;
        }
        for j in (i + 1)..n {
            if candidates[j].bigrams.len() < 2 {
                continue;
            }
            let common: u32 = bitsets[i].iter().zip(&bitsets[j]).map(|(a, b)| (a & b).count_ones()).sum();
            let w = f64::from(common) / (logs[i] + logs[j]);
            weights[i * n + j] = w;
            weights[j * n + i] = w;
            out_sum[i] += w;
            out_sum[j] += w;
        }
    }
    // Row i of `inflow` holds what sentence i receives from each j per unit of j's score. The
    // weights are symmetric, so it is row i of the weights over the column sums.
    let inverse_out: Vec<f64> = out_sum.iter().map(|&o| if o > 0.0 { 1.0 / o } else { 0.0 }).collect();
    for i in 0..n {
        for j in 0..n {
            weights[i * n + j] *= inverse_out[j];
        }
    }
    let inflow = weights;
    let mut scores = restart.clone();
    let mut next = vec![0.0; n];
    let mut received = vec![0.0; n];
    for _ in 0..ITERATIONS {
        // Mass of sentences with no edges goes back to the restart vector.
        let dangling: f64 = (0..n).filter(|&j| out_sum[j] == 0.0).map(|j| scores[j]).sum();
        inflow_times(&inflow, n, &scores, &mut received);
        for i in 0..n {
            next[i] = (1.0 - DAMPING) * restart[i] + DAMPING * (received[i] + dangling * restart[i]);
        }
        let change: f64 = next.iter().zip(&scores).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut scores, &mut next);
        if change < CONVERGED {
            break;
        }
    }
    // The restart vector again as a tie-breaker towards the lead.
    scores.iter().zip(&restart).map(|(s, r)| s + 0.25 * r).collect()
}

/// `received[i]` = row `i` of the `n`×`n` matrix `inflow` times `scores`, each row summed left to
/// right. Four rows go at once: a row's sum is a chain of dependent additions, so one row at a
/// time waits on each; four independent chains overlap. Every sum keeps its order, so the
/// result is bit for bit that of one row at a time (and so are the summaries).
fn inflow_times(inflow: &[f64], n: usize, scores: &[f64], received: &mut [f64]) {
    let mut i = 0;
    while i + 4 <= n {
        let rows = [
            &inflow[i * n..][..n],
            &inflow[(i + 1) * n..][..n],
            &inflow[(i + 2) * n..][..n],
            &inflow[(i + 3) * n..][..n],
        ];
        let mut sums = [0.0f64; 4];
        for (j, &s) in scores.iter().enumerate() {
            sums[0] += rows[0][j] * s;
            sums[1] += rows[1][j] * s;
            sums[2] += rows[2][j] * s;
            sums[3] += rows[3][j] * s;
        }
        received[i..i + 4].copy_from_slice(&sums);
        i += 4;
    }
    for (k, slot) in received.iter_mut().enumerate().skip(i) {
        *slot = inflow[k * n..(k + 1) * n].iter().zip(scores).map(|(w, s)| w * s).sum();
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use model::{Article, Caption, Section};

    fn article(headline: &str, paragraphs: &[&str], captions: &[&str]) -> Article {
        Article {
            headline: headline.to_owned(),
            sections: vec![Section { heading: None, paragraphs: paragraphs.iter().map(|p| p.to_string()).collect() }],
            captions: captions.iter().map(|c| Caption { text: c.to_string(), credit: None }).collect(),
            ..Article::default()
        }
    }

    fn check(article: &Article, max: usize, expect: Expect) {
        let sentences = super::summary_sentences(article, max);
        for sentence in &sentences {
            assert!(article.paragraphs().any(|p| p.contains(sentence)), "not verbatim: {sentence}");
        }
        expect.assert_eq(&sentences.join("\n"));
    }

    #[test]
    fn central_lead_sentences_win_and_stay_in_body_order() {
        let a = article(
            "河畔新建口袋公园开放",
            &[
                "河畔新建的口袋公园本周正式开放，附近居民多了一处散步的好去处。",
                "公园占地约三千平方米，设有步道、儿童游乐区和休息长廊。",
                "天气晴朗。",
                "据介绍，口袋公园的建设听取了周边居民的意见，步道和长廊都按居民建议设计。",
                "下一步，街道还将在河畔再建两处口袋公园，方便更多居民散步休闲。",
            ],
            &[],
        );
        check(
            &a,
            2,
            expect![[r#"
                河畔新建的口袋公园本周正式开放，附近居民多了一处散步的好去处。
                下一步，街道还将在河畔再建两处口袋公园，方便更多居民散步休闲。"#]],
        );
    }

    #[test]
    fn fragments_captions_and_open_quotes_are_never_chosen() {
        let a = article(
            "社区食堂开张",
            &[
                "图为社区食堂开张当天居民排队就餐的场景",
                "社区食堂开张当天，居民排队就餐的场景十分热闹。",
                "“饭菜实惠又好吃。",
                "社区食堂每天供应午餐和晚餐，老年居民就餐可享受优惠。",
            ],
            &["社区食堂开张当天，居民排队就餐的场景十分热闹。"],
        );
        check(&a, 3, expect![[r#"社区食堂每天供应午餐和晚餐，老年居民就餐可享受优惠。"#]]);
    }

    #[test]
    fn a_paragraph_after_one_cut_off_mid_sentence_starts_with_a_fragment() {
        let a = article(
            "公园开放",
            &[
                "新建的公园本周正式开放，市民可以免费入园。其次，这是为居民打造的",
                "休闲空间，园内设有步道和长廊，适合散步。",
            ],
            &[],
        );
        check(&a, 3, expect![[r#"新建的公园本周正式开放，市民可以免费入园。"#]]);
    }

    #[test]
    fn the_fast_letter_test_is_char_is_alphanumeric() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(super::is_letter_or_digit(c), c.is_alphanumeric(), "{c:?} U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn four_rows_at_a_time_sum_like_one_row_at_a_time() {
        for n in [1usize, 3, 4, 5, 9, 16] {
            let inflow: Vec<f64> = (0..n * n).map(|k| ((k * 7919) % 101) as f64 / 37.0).collect();
            let scores: Vec<f64> = (0..n).map(|k| 1.0 / (1.0 + k as f64)).collect();
            let mut received = vec![f64::NAN; n];
            super::inflow_times(&inflow, n, &scores, &mut received);
            for i in 0..n {
                let want: f64 = inflow[i * n..(i + 1) * n].iter().zip(&scores).map(|(w, s)| w * s).sum();
                assert_eq!(received[i].to_bits(), want.to_bits(), "n {n}, row {i}");
            }
        }
    }

    #[test]
    fn no_sentences_means_no_summary() {
        assert_eq!(super::summarize_article(&article("空", &[], &[]), 3), None);
        assert_eq!(super::summarize_article(&article("空", &["一段很长的文字但是没有结束的标点"], &[]), 3), None);
        let one = article("一", &["这是一篇只有一句话的报道。"], &[]);
        assert_eq!(super::summarize_article(&one, 0), None);
    }
}
