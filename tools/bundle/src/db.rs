//! The SQLite database: schema, per-page inserts and deletes, and Chinese full-text search.
//!
//! Each article body is stored once, in `articles.body`; `paragraphs` is a view that cuts it
//! back into paragraphs (`paragraph_spans` keeps their character offsets). One FTS5 index,
//! `articles_fts`, covers headline and body: contentless (it stores no text), over tokens this
//! module makes (overlapping CJK character bigrams, lower-cased ASCII words), without positions
//! (`detail='none'`). A two-character term is one token, found exactly; a longer one is the
//! AND of its bigrams, a candidate set `search` confirms with `instr` on the stored text; a term
//! with Latin letters or digits and one-character terms fall back to `LIKE`. Pages are replaced
//! row by row (`delete_page`, `insert_page`), so a rebuild after one changed page touches only
//! that page's rows. The binary's build module owns the connection and the file.
//! Deliberately not done: word segmentation, ranking beyond FTS5's bm25.

use model::{Article, Page};
use rusqlite::{Connection, params};
use serde::Serialize;

/// The schema version in `PRAGMA user_version`; a database with another one is rebuilt.
pub const SCHEMA_VERSION: i64 = 2;

/// The schema, run once on an empty database. Documented in `tools/bundle/README.md`.
pub const SCHEMA: &str = r#"
CREATE TABLE pages (
    id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    format TEXT,
    encoding TEXT,
    bytes INTEGER,
    blake3 TEXT,
    input TEXT
);
CREATE TABLE articles (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    page TEXT NOT NULL REFERENCES pages(id),
    series TEXT,
    kicker TEXT,
    headline TEXT NOT NULL,
    subtitle TEXT,
    authors TEXT NOT NULL,
    province TEXT,
    city TEXT,
    district TEXT,
    street TEXT,
    summary TEXT,
    keywords TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE paragraph_spans (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    section INTEGER NOT NULL,
    heading TEXT,
    paragraph INTEGER NOT NULL,
    start INTEGER NOT NULL,
    length INTEGER NOT NULL,
    UNIQUE (article_id, section, paragraph)
);
CREATE VIEW paragraphs AS
    SELECT s.id, s.article_id, s.section, s.heading, s.paragraph, substr(a.body, s.start + 1, s.length) AS text
    FROM paragraph_spans s JOIN articles a ON a.id = s.article_id;
CREATE TABLE captions (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    text TEXT NOT NULL,
    credit TEXT
);
CREATE TABLE figures (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    text TEXT NOT NULL,
    value REAL,
    unit TEXT,
    approx TEXT,
    value_max REAL,
    subject TEXT,
    period TEXT,
    period_start TEXT,
    period_end TEXT,
    sentence TEXT,
    section INTEGER,
    paragraph INTEGER,
    start INTEGER,
    "end" INTEGER
);
CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    speaker TEXT,
    role TEXT,
    text TEXT NOT NULL,
    section INTEGER,
    paragraph INTEGER
);
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    name TEXT NOT NULL,
    role TEXT,
    sentence TEXT
);
CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    name TEXT NOT NULL,
    kind TEXT,
    code TEXT,
    sentence TEXT
);
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    name TEXT NOT NULL,
    kind TEXT,
    sentence TEXT
);
CREATE INDEX articles_page ON articles(page);
CREATE INDEX articles_district ON articles(district, street);
CREATE INDEX captions_article ON captions(article_id);
CREATE INDEX figures_article ON figures(article_id);
CREATE INDEX figures_unit ON figures(unit, value);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker ON quotes(speaker);
CREATE INDEX people_article ON people(article_id);
CREATE INDEX people_name ON people(name);
CREATE INDEX places_article ON places(article_id);
CREATE INDEX places_name ON places(name);
CREATE INDEX organizations_article ON organizations(article_id);
CREATE INDEX organizations_name ON organizations(name);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    headline, body, content='', contentless_delete=1, tokenize='unicode61', detail='none'
);
"#;

/// The tables holding one row per article part, keyed by `article_id`.
const CHILD_TABLES: &[&str] =
    &["paragraph_spans", "captions", "figures", "quotes", "people", "places", "organizations"];

/// Whether `c` is written without spaces between words (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The tokens of `text` for the bigram index, space-separated: each run of CJK characters as its
/// overlapping bigrams (a lone character as itself), each run of other letters and digits as one
/// lower-cased word.
pub fn bigram_tokens(text: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, tokens: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => tokens.push(run[0].to_string()),
            _ => tokens.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut tokens);
            word.extend(c.to_lowercase());
        } else {
            flush_run(&mut run, &mut tokens);
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
        }
    }
    flush_run(&mut run, &mut tokens);
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens.join(" ")
}

/// An FTS5 string literal: the text in double quotes, inner quotes doubled.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Creates the schema on a fresh database. Call inside the build's transaction.
pub fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION};"))
}

/// The schema version of an open database (0 for an empty one).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Page id → the input hash its rows were made from, for every page in the database.
pub fn page_inputs(conn: &Connection) -> rusqlite::Result<std::collections::BTreeMap<String, String>> {
    let mut statement = conn.prepare("SELECT id, coalesce(input, '') FROM pages")?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    rows.collect()
}

/// Removes a page and every row of its articles, full-text entries included.
pub fn delete_page(conn: &Connection, page: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM articles_fts WHERE rowid IN (SELECT n FROM articles WHERE page = ?1)")?
        .execute(params![page])?;
    for table in CHILD_TABLES {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE article_id IN (SELECT id FROM articles WHERE page = ?1)"
        ))?
        .execute(params![page])?;
    }
    conn.prepare_cached("DELETE FROM articles WHERE page = ?1")?.execute(params![page])?;
    conn.prepare_cached("DELETE FROM pages WHERE id = ?1")?.execute(params![page])?;
    Ok(())
}

/// The first article number free for a page's block of numbers: articles of one page are
/// numbered `block << 12` on, so numbers never depend on the order pages arrive in.
pub fn next_block(conn: &Connection) -> rusqlite::Result<i64> {
    let max: Option<i64> = conn.query_row("SELECT max(n) FROM articles", [], |row| row.get(0))?;
    Ok(max.map_or(0, |n| (n >> PAGE_BITS) + 1))
}

/// Bits of an article number that count articles within their page.
pub const PAGE_BITS: u32 = 12;

/// Lets the full-text index buffer more before writing a segment (32 MiB instead of 1 MiB)
/// and merge less often: a bulk build then sorts and merges far fewer, larger segments.
pub fn tune_for_bulk_load(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', 33554432);
         INSERT INTO articles_fts(articles_fts, rank) VALUES ('crisismerge', 64);",
    )
}

/// Inserts a page row (with `input`, the hash of the artifact it was made from) and all its
/// articles with their paragraphs, captions, figures, quotes, people, places and organizations.
/// Articles are numbered `block << PAGE_BITS` on (`articles.n`, the full-text rowid).
pub fn insert_page(conn: &Connection, page: &Page, input: &str, block: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO pages (id, file, format, encoding, bytes, blake3, input) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        page.id,
        page.source.file,
        page.source.format,
        page.source.encoding,
        page.source.bytes as i64,
        page.source.blake3,
        input
    ])?;
    let first = block << PAGE_BITS;
    for (index, article) in page.articles.iter().enumerate() {
        if index >= 1 << PAGE_BITS {
            return Err(rusqlite::Error::ToSqlConversionFailure(
                format!("page {} has more than {} articles", page.id, 1 << PAGE_BITS).into(),
            ));
        }
        insert_article(conn, first + index as i64, article)?;
    }
    Ok(())
}

/// The body text of an article as stored in `articles.body`: paragraphs separated by blank lines.
pub fn body_text(article: &Article) -> String {
    article.paragraphs().collect::<Vec<_>>().join("\n\n")
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// Inserts one article as number `n` with its rows, and into the full-text index.
pub fn insert_article(conn: &Connection, n: i64, a: &Article) -> rusqlite::Result<()> {
    let body = body_text(a);
    conn.prepare_cached(
        "INSERT INTO articles (n, id, page, series, kicker, headline, subtitle, authors, province, city, district, street, summary, keywords, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        n,
        a.id,
        a.page,
        a.series,
        a.kicker,
        a.headline,
        a.subtitle,
        json_list(&a.authors),
        a.province,
        a.city,
        a.district,
        a.street,
        a.summary,
        json_list(&a.keywords),
        body,
    ])?;
    conn.prepare_cached("INSERT INTO articles_fts (rowid, headline, body) VALUES (?1, ?2, ?3)")?.execute(params![
        n,
        bigram_tokens(&a.headline),
        bigram_tokens(&body)
    ])?;
    let mut paragraph_insert = conn.prepare_cached(
        "INSERT INTO paragraph_spans (article_id, section, heading, paragraph, start, length) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    // Offsets in characters into `body`, whose paragraphs are joined by blank lines.
    let mut start = 0usize;
    for (s, section) in a.sections.iter().enumerate() {
        for (p, text) in section.paragraphs.iter().enumerate() {
            let length = text.chars().count();
            paragraph_insert.execute(params![
                a.id,
                s as i64,
                section.heading,
                p as i64,
                start as i64,
                length as i64
            ])?;
            start += length + 2;
        }
    }
    let mut caption_insert =
        conn.prepare_cached("INSERT INTO captions (article_id, text, credit) VALUES (?1, ?2, ?3)")?;
    for c in &a.captions {
        caption_insert.execute(params![a.id, c.text, c.credit])?;
    }
    let mut figure_insert = conn.prepare_cached(
        "INSERT INTO figures (article_id, text, value, unit, approx, value_max, subject, period, period_start, period_end, sentence, section, paragraph, start, \"end\")
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for f in &a.figures {
        let approx = f.approx.map(|x| serde_json::to_value(x).ok().and_then(|v| v.as_str().map(str::to_owned)));
        figure_insert.execute(params![
            a.id,
            f.text,
            f.value.is_finite().then_some(f.value),
            f.unit,
            approx.flatten(),
            f.value_max.filter(|v| v.is_finite()),
            f.subject,
            f.period,
            f.period_start,
            f.period_end,
            f.sentence,
            f.location.section as i64,
            f.location.paragraph as i64,
            f.location.start as i64,
            f.location.end as i64
        ])?;
    }
    let mut quote_insert = conn.prepare_cached(
        "INSERT INTO quotes (article_id, speaker, role, text, section, paragraph) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for q in &a.quotes {
        quote_insert.execute(params![
            a.id,
            q.speaker,
            q.role,
            q.text,
            q.location.section as i64,
            q.location.paragraph as i64
        ])?;
    }
    let mut person_insert =
        conn.prepare_cached("INSERT INTO people (article_id, name, role, sentence) VALUES (?1, ?2, ?3, ?4)")?;
    for p in &a.people {
        person_insert.execute(params![a.id, p.name, p.role, p.sentence])?;
    }
    let mut place_insert =
        conn.prepare_cached("INSERT INTO places (article_id, name, kind, code, sentence) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for p in &a.places {
        place_insert.execute(params![a.id, p.name, p.kind, p.code, p.sentence])?;
    }
    let mut organization_insert =
        conn.prepare_cached("INSERT INTO organizations (article_id, name, kind, sentence) VALUES (?1, ?2, ?3, ?4)")?;
    for o in &a.organizations {
        organization_insert.execute(params![a.id, o.name, o.kind, o.sentence])?;
    }
    Ok(())
}

/// Runs after the last insert: updates the query planner's statistics.
pub fn finish(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("ANALYZE;")
}

/// One article that matches a search, with the text around the first match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub article_id: String,
    pub headline: String,
    pub snippet: String,
}

/// Articles whose headline or body contain `term` as a substring, best first.
///
/// A term of CJK characters only, two or more of them, is looked up in the full-text index (one
/// bigram token: exact; more: the AND of its bigrams, confirmed with `instr`); anything else
/// (one character, Latin letters or digits, punctuation) is a `LIKE` scan.
pub fn search(conn: &Connection, term: &str) -> rusqlite::Result<Vec<Hit>> {
    let term = term.trim();
    let length = term.chars().count();
    if length == 0 {
        return Ok(Vec::new());
    }
    // The snippet: up to 60 characters around the first occurrence in the body.
    let columns = "a.id, a.headline, substr(a.body, max(instr(a.body, ?2) - 20, 1), 60)";
    let (sql, query) = if length >= 2 && term.chars().all(is_cjk) {
        let tokens: Vec<String> = bigram_tokens(term).split(' ').map(fts_phrase).collect();
        let confirm = if tokens.len() > 1 { "AND (instr(a.headline, ?2) > 0 OR instr(a.body, ?2) > 0)" } else { "" };
        (
            format!(
                "SELECT {columns} FROM articles_fts JOIN articles a ON a.n = articles_fts.rowid \
                 WHERE articles_fts MATCH ?1 {confirm} ORDER BY articles_fts.rank, a.n"
            ),
            tokens.join(" "),
        )
    } else {
        let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        (
            format!(
                "SELECT {columns} FROM articles a WHERE a.headline LIKE ?1 ESCAPE '\\' OR a.body LIKE ?1 ESCAPE '\\' ORDER BY a.n"
            ),
            format!("%{escaped}%"),
        )
    };
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![query, term], |row| {
        Ok(Hit { article_id: row.get(0)?, headline: row.get(1)?, snippet: row.get(2)? })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    #[test]
    fn bigram_tokens_cover_cjk_runs_and_ascii_words() {
        expect!["西溪 溪路 路的 5g 基站 站和 新 能源"].assert_eq(&super::bigram_tokens("西溪路的5G基站和 新，能源"));
    }

    #[test]
    fn bigram_tokens_of_odd_input_do_not_panic() {
        expect![[r#""#]].assert_eq(&super::bigram_tokens("，。！"));
        expect![[r#"下"#]].assert_eq(&super::bigram_tokens("下"));
    }
}
