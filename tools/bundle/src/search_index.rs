//! The site's offline search data: a small sharded term index instead of every full text.
//!
//! Articles are grouped into blocks (the articles of `BLOCK_PAGES` consecutive input pages).
//! Each block's texts are one script, `data/search/docs-<hash>.js`, named after its contents, so
//! a rebuild rewrites only the blocks whose pages changed. The term index maps every bigram of
//! two indexable characters (CJK, or ASCII letters and digits, lower-cased) to the blocks that
//! contain it, split over `SHARDS` scripts `data/search/terms-XX.js` by a hash `search.js`
//! computes the same way. Before the first query the browser loads only `data/search/meta.js`
//! (the block names and the article count); a query loads the shards of its bigrams, then the
//! candidate blocks, and confirms every hit with a substring match, so results are exactly those
//! of a full scan. A query with no indexable bigram (one character) scans every block.
//! Pure: the build module writes the files.

use model::Article;

use crate::site::slug;

/// Input pages per block of article texts.
pub const BLOCK_PAGES: usize = 32;
/// Term index shards (`terms-00.js` … `terms-ff.js`).
pub const SHARDS: usize = 256;
/// The callback every search data script calls: `NEWSDESK_SEARCH_LOADED(name, data)`.
const CALLBACK: &str = "NEWSDESK_SEARCH_LOADED";

/// Whether `search.js` indexes `c` (already lower-cased) in bigrams.
fn indexable(c: char) -> bool {
    c.is_ascii_alphanumeric() || crate::db::is_cjk(c)
}

/// A bigram as one number: the two code points, 21 bits each.
fn code(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 21) | u64::from(b as u32)
}

/// The shard of a bigram code: `(a * 31 + b) % SHARDS`, as `search.js` computes it.
pub fn shard(code: u64) -> usize {
    let (a, b) = (code >> 21, code & 0x1F_FFFF);
    ((a * 31 + b) % SHARDS as u64) as usize
}

/// The bigram of a code as text.
#[cfg(test)]
fn bigram_text(code: u64) -> String {
    [(code >> 21) as u32, (code & 0x1F_FFFF) as u32].iter().filter_map(|&c| char::from_u32(c)).collect()
}

/// Adds the codes of every indexable bigram of `text` (lower-cased) to `out`, sorted by shard
/// then code and without duplicates once `finish_block` ran.
pub fn add_bigrams(text: &str, out: &mut Vec<u64>) {
    let mut previous: Option<char> = None;
    for c in text.chars().flat_map(char::to_lowercase) {
        if indexable(c) {
            if let Some(p) = previous {
                out.push(code(p, c));
            }
            previous = Some(c);
        } else {
            previous = None;
        }
    }
}

/// Sorts a block's bigram codes by (shard, code) and drops repeats.
pub fn finish_block(codes: &mut Vec<u64>) {
    codes.sort_unstable_by_key(|&c| (shard(c), c));
    codes.dedup();
}

/// The codes of `block` (sorted by `finish_block`) that fall into `shard`.
pub fn shard_slice(block: &[u64], wanted: usize) -> &[u64] {
    let start = block.partition_point(|&c| shard(c) < wanted);
    let end = block.partition_point(|&c| shard(c) <= wanted);
    &block[start..end]
}

/// A JSON value as JavaScript source that can never close a script element.
fn js(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()).replace('<', "\\u003c")
}

/// One article's entry in its block: url, headline, district, and the text searched (headline
/// and paragraphs), followed by a comma and a newline.
pub fn doc_entry(article: &Article) -> String {
    let mut text = article.headline.clone();
    for paragraph in article.paragraphs() {
        text.push('\n');
        text.push_str(paragraph);
    }
    let value = serde_json::json!({
        "url": format!("articles/{}.html", slug(&article.id)),
        "headline": article.headline,
        "district": article.district,
        "text": text,
    });
    format!("{},\n", js(&value))
}

/// The script of one block, from its entries as `doc_entry` made them.
pub fn docs_script(name: &str, entries: &str) -> String {
    format!("{CALLBACK}({}, [\n{entries}]);\n", js(&serde_json::json!(name)))
}

/// Bits of a packed posting (`pack`) that hold the block number: at most 4,194,304 blocks.
pub const BLOCK_BITS: u32 = 22;

/// A bigram code and a block number as one sortable number: sorted, postings come in code
/// order and, per code, in block order.
pub fn pack(code: u64, block: usize) -> u64 {
    (code << BLOCK_BITS) | block as u64
}

/// The script of one term shard from its postings (`pack`ed, sorted, no repeats): bigram → the
/// numbers of the blocks that hold it, in block order.
pub fn terms_script(shard: usize, postings: &[u64]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(64 + postings.len() * 6);
    let _ = writeln!(out, "{CALLBACK}(\"terms-{shard:02x}\", {{");
    let mut current: Option<u64> = None;
    for &posting in postings {
        let (code, block) = (posting >> BLOCK_BITS, posting & ((1 << BLOCK_BITS) - 1));
        if current == Some(code) {
            let _ = write!(out, ",{block}");
            continue;
        }
        if current.is_some() {
            out.push_str("],\n");
        }
        current = Some(code);
        // A bigram's two characters are letters, digits or CJK: nothing to escape in JSON.
        out.push('"');
        out.extend([(code >> 21) as u32, (code & 0x1F_FFFF) as u32].into_iter().filter_map(char::from_u32));
        let _ = write!(out, "\":[{block}");
    }
    if current.is_some() {
        out.push_str("]\n");
    }
    out.push_str("});\n");
    out
}

/// The stored form of a block's bigram codes (sorted by `finish_block`): where each shard's
/// codes start (`SHARDS + 1` little-endian u32 offsets, counted in codes), then the codes as
/// little-endian u64s. A shard's codes can then be read alone.
pub fn encode_codes(codes: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity((SHARDS + 1) * 4 + codes.len() * 8);
    for wanted in 0..=SHARDS {
        out.extend_from_slice(&(codes.partition_point(|&c| shard(c) < wanted) as u32).to_le_bytes());
    }
    for code in codes {
        out.extend_from_slice(&code.to_le_bytes());
    }
    out
}

/// Bytes of the offsets at the start of a stored block (`encode_codes`).
pub const CODES_HEADER: usize = (SHARDS + 1) * 4;

/// The shard offsets of a stored block from its first `CODES_HEADER` bytes; `None` when they
/// do not describe a file of `file_len` bytes.
pub fn decode_offsets(header: &[u8], file_len: u64) -> Option<Vec<u32>> {
    let offsets: Vec<u32> =
        header.get(..CODES_HEADER)?.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    let ordered = offsets.first() == Some(&0) && offsets.windows(2).all(|w| w[0] <= w[1]);
    let last = u64::from(*offsets.last()?);
    (ordered && CODES_HEADER as u64 + last * 8 == file_len).then_some(offsets)
}

/// Codes from their stored little-endian bytes.
pub fn decode_codes(bytes: &[u8]) -> Vec<u64> {
    bytes.chunks_exact(8).map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])).collect()
}

/// `data/search/meta.js`: what the search page loads up front.
pub fn meta_script(blocks: &[String], articles: usize) -> String {
    let value = serde_json::json!({"blocks": blocks, "articles": articles, "shards": SHARDS});
    format!("window.NEWSDESK_SEARCH_META = {};\n", js(&value))
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    #[test]
    fn bigrams_skip_punctuation_and_fold_ascii_case() {
        let mut codes = Vec::new();
        super::add_bigrams("下沙，5G基站", &mut codes);
        super::finish_block(&mut codes);
        let mut texts: Vec<String> = codes.iter().map(|&c| super::bigram_text(c)).collect();
        texts.sort();
        expect![[r#"["5g", "g基", "下沙", "基站"]"#]].assert_eq(&format!("{texts:?}"));
    }

    #[test]
    fn shard_slices_partition_a_block() {
        let mut codes = Vec::new();
        super::add_bigrams("西溪路沿线新开放三处街心花园，总面积约6000平方米", &mut codes);
        super::finish_block(&mut codes);
        let total: usize = (0..super::SHARDS).map(|s| super::shard_slice(&codes, s).len()).sum();
        assert_eq!(total, codes.len());
        assert!(super::shard_slice(&codes, super::shard(codes[0])).contains(&codes[0]));
    }

    /// The shard script as it was first written: one JSON string and list per bigram.
    fn reference_terms_script(shard: usize, terms: &[(u64, Vec<u32>)]) -> String {
        let mut out = format!("{}(\"terms-{shard:02x}\", {{\n", super::CALLBACK);
        for (i, (code, blocks)) in terms.iter().enumerate() {
            let list: Vec<String> = blocks.iter().map(u32::to_string).collect();
            let separator = if i + 1 == terms.len() { "" } else { "," };
            let key = super::js(&serde_json::json!(super::bigram_text(*code)));
            out.push_str(&format!("{key}:[{}]{separator}\n", list.join(",")));
        }
        out.push_str("});\n");
        out
    }

    #[test]
    fn term_shards_from_packed_postings_read_as_the_json_lists() {
        let blocks = ["下沙新区，5G基站", "西溪路下沙", "", "基站下沙"];
        let mut postings = Vec::new();
        let mut terms: std::collections::BTreeMap<u64, Vec<u32>> = Default::default();
        for (block, text) in blocks.iter().enumerate() {
            let mut codes = Vec::new();
            super::add_bigrams(text, &mut codes);
            super::finish_block(&mut codes);
            for &code in &codes {
                postings.push(super::pack(code, block));
                terms.entry(code).or_default().push(block as u32);
            }
        }
        postings.sort_unstable();
        let terms: Vec<(u64, Vec<u32>)> = terms.into_iter().collect();
        assert_eq!(super::terms_script(7, &postings), reference_terms_script(7, &terms));
        expect![[r#"
            NEWSDESK_SEARCH_LOADED("terms-00", {
            });
        "#]]
        .assert_eq(&super::terms_script(0, &[]));
        let script = super::terms_script(0, &postings);
        assert!(script.contains("\"下沙\":[0,1,3],\n"), "{script}");
    }

    #[test]
    fn stored_codes_give_each_shard_back_and_damage_is_noticed() {
        let mut codes = Vec::new();
        super::add_bigrams("西溪路沿线新开放三处街心花园，总面积约6000平方米", &mut codes);
        super::finish_block(&mut codes);
        let bytes = super::encode_codes(&codes);
        let offsets = super::decode_offsets(&bytes, bytes.len() as u64).expect("offsets");
        let body = super::decode_codes(&bytes[super::CODES_HEADER..]);
        for shard in 0..super::SHARDS {
            let (start, end) = (offsets[shard] as usize, offsets[shard + 1] as usize);
            assert_eq!(&body[start..end], super::shard_slice(&codes, shard));
        }
        assert!(super::decode_offsets(&bytes, bytes.len() as u64 - 8).is_none(), "a truncated file is refused");
    }

    #[test]
    fn scripts_cannot_close_a_script_element() {
        let article = model::Article { headline: "</script>".into(), ..model::Article::default() };
        assert!(!super::doc_entry(&article).contains("</script>"));
    }
}
