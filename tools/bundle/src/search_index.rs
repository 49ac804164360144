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

/// The script of one term shard: bigram → the numbers of the blocks that hold it.
pub fn terms_script(shard: usize, terms: &[(u64, Vec<u32>)]) -> String {
    let mut out = format!("{CALLBACK}(\"terms-{shard:02x}\", {{\n");
    for (i, (code, blocks)) in terms.iter().enumerate() {
        let list: Vec<String> = blocks.iter().map(u32::to_string).collect();
        let separator = if i + 1 == terms.len() { "" } else { "," };
        out.push_str(&format!("{}:[{}]{separator}\n", js(&serde_json::json!(bigram_text(*code))), list.join(",")));
    }
    out.push_str("});\n");
    out
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

    #[test]
    fn scripts_cannot_close_a_script_element() {
        let article = model::Article { headline: "</script>".into(), ..model::Article::default() };
        assert!(!super::doc_entry(&article).contains("</script>"));
    }
}
