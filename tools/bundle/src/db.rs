//! The SQLite database: schema, one-article inserts, and Chinese full-text search.
//!
//! Two FTS5 indexes cover the articles (headline and body): `articles_fts` with the trigram
//! tokenizer (substring search for terms of three or more characters, and what Datasette's
//! search box uses), and `articles_bigrams`, a contentless index over tokens this module makes
//! (overlapping CJK character bigrams, lower-cased ASCII words), which finds two-character terms
//! such as `下沙` that trigrams cannot. `search` picks the right one; one-character terms fall back
//! to `LIKE`. The binary owns the connection and the file; this module only runs SQL on it.
//! Deliberately not done: word segmentation, ranking across the two indexes.

use model::{Article, Page};
use rusqlite::{Connection, params};
use serde::Serialize;

/// The schema, run once on an empty database. Documented in `tools/bundle/README.md`.
pub const SCHEMA: &str = r#"
CREATE TABLE pages (
    id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    format TEXT,
    encoding TEXT,
    bytes INTEGER,
    blake3 TEXT
);
CREATE TABLE articles (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    page TEXT NOT NULL REFERENCES pages(id),
    series TEXT,
    kicker TEXT,
    headline TEXT NOT NULL,
    authors TEXT NOT NULL,
    district TEXT,
    street TEXT,
    summary TEXT,
    keywords TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    section INTEGER NOT NULL,
    heading TEXT,
    paragraph INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (article_id, section, paragraph)
);
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
CREATE VIRTUAL TABLE articles_bigrams USING fts5(
    headline, body, content='', tokenize='unicode61', detail='none'
);
"#;

/// The trigram index. It can be built in a database of its own on another thread and copied in
/// with `copy_trigram_index`: it reads nothing from `articles` while rows are inserted.
pub const TRIGRAM_TABLE: &str = r#"
CREATE VIRTUAL TABLE articles_fts USING fts5(
    headline, body, content="articles", content_rowid="n", tokenize="trigram"
);
"#;

/// The shadow tables FTS5 keeps for an external-content table.
const FTS_SHADOW_TABLES: &[&str] = &["data", "idx", "docsize", "config"];

/// Whether `c` is written without spaces between words (Han, kana, Hangul).
fn is_cjk(c: char) -> bool {
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
    conn.execute_batch(TRIGRAM_TABLE)
}

/// Creates only the trigram index, in a database of its own.
pub fn create_trigram_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(TRIGRAM_TABLE)
}

/// Replaces the trigram index of `conn`'s database with the one built in the database file
/// `other` (by `create_trigram_schema` and `insert_trigram_page` over the same pages in the same
/// order), by copying FTS5's shadow tables in a transaction of its own; call it outside one.
/// `conn` must not have used `articles_fts` before.
pub fn copy_trigram_index(conn: &Connection, other: &std::path::Path) -> rusqlite::Result<()> {
    // Outside any transaction: a database attached in one cannot be detached in it.
    conn.execute("ATTACH DATABASE ?1 AS trigram", params![other.to_string_lossy()])?;
    let mut copy = String::from("BEGIN;");
    for shadow in FTS_SHADOW_TABLES {
        copy.push_str(&format!(
            "DELETE FROM main.articles_fts_{shadow}; \
             INSERT INTO main.articles_fts_{shadow} SELECT * FROM trigram.articles_fts_{shadow};"
        ));
    }
    copy.push_str("COMMIT;");
    let copied = conn.execute_batch(&copy);
    if copied.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    let detached = conn.execute_batch("DETACH DATABASE trigram");
    copied.and(detached)
}

/// Lets the full-text indexes buffer more before writing a segment (32 MiB instead of 1 MiB)
/// and merge less often: a bulk build then sorts and merges far fewer, larger segments.
pub fn tune_for_bulk_load(conn: &Connection, tables: &[&str]) -> rusqlite::Result<()> {
    for table in tables {
        conn.execute_batch(&format!(
            "INSERT INTO {table}({table}, rank) VALUES ('hashsize', 33554432);
             INSERT INTO {table}({table}, rank) VALUES ('crisismerge', 64);"
        ))?;
    }
    Ok(())
}

/// Inserts a page row and all its articles with their paragraphs, captions, figures, quotes,
/// people, places and organizations. Articles are numbered (`articles.n`, the full-text rowid)
/// from `next_n` on, which is advanced past them.
pub fn insert_page(conn: &Connection, page: &Page, next_n: &mut i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO pages (id, file, format, encoding, bytes, blake3) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        page.id,
        page.source.file,
        page.source.format,
        page.source.encoding,
        page.source.bytes as i64,
        page.source.blake3
    ])?;
    for article in &page.articles {
        insert_article(conn, *next_n, article)?;
        *next_n += 1;
    }
    Ok(())
}

/// Adds the articles of `page` to the trigram index, numbered from `next_n` on like
/// `insert_page` numbers them.
pub fn insert_trigram_page(conn: &Connection, page: &Page, next_n: &mut i64) -> rusqlite::Result<()> {
    let mut insert = conn.prepare_cached("INSERT INTO articles_fts (rowid, headline, body) VALUES (?1, ?2, ?3)")?;
    for article in &page.articles {
        insert.execute(params![*next_n, article.headline, body_text(article)])?;
        *next_n += 1;
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

/// Inserts one article as number `n` with its rows, and into the bigram index. The trigram
/// index is filled separately (`insert_trigram_page`).
pub fn insert_article(conn: &Connection, n: i64, a: &Article) -> rusqlite::Result<()> {
    let body = body_text(a);
    conn.prepare_cached(
        "INSERT INTO articles (n, id, page, series, kicker, headline, authors, district, street, summary, keywords, body)
         VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        a.id,
        a.page,
        a.series,
        a.kicker,
        a.headline,
        json_list(&a.authors),
        a.district,
        a.street,
        a.summary,
        json_list(&a.keywords),
        body,
        n
    ])?;
    conn.prepare_cached("INSERT INTO articles_bigrams (rowid, headline, body) VALUES (?1, ?2, ?3)")?
        .execute(params![n, bigram_tokens(&a.headline), bigram_tokens(&body)])?;
    let mut paragraph_insert = conn.prepare_cached(
        "INSERT INTO paragraphs (article_id, section, heading, paragraph, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (s, section) in a.sections.iter().enumerate() {
        for (p, text) in section.paragraphs.iter().enumerate() {
            paragraph_insert.execute(params![a.id, s as i64, section.heading, p as i64, text])?;
        }
    }
    let mut caption_insert =
        conn.prepare_cached("INSERT INTO captions (article_id, text, credit) VALUES (?1, ?2, ?3)")?;
    for c in &a.captions {
        caption_insert.execute(params![a.id, c.text, c.credit])?;
    }
    let mut figure_insert = conn.prepare_cached(
        "INSERT INTO figures (article_id, text, value, unit, approx, value_max, subject, period, sentence, section, paragraph, start, \"end\")
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
/// Terms of three or more characters use the trigram index, two-character terms the bigram
/// index, one-character terms a `LIKE` scan.
pub fn search(conn: &Connection, term: &str) -> rusqlite::Result<Vec<Hit>> {
    let term = term.trim();
    let length = term.chars().count();
    if length == 0 {
        return Ok(Vec::new());
    }
    // The snippet: up to 60 characters around the first occurrence in the body.
    let columns = "a.id, a.headline, substr(a.body, max(instr(a.body, ?2) - 20, 1), 60)";
    let (sql, query) = if length >= 3 {
        (
            format!(
                "SELECT {columns} FROM articles_fts JOIN articles a ON a.n = articles_fts.rowid \
                 WHERE articles_fts MATCH ?1 ORDER BY articles_fts.rank, a.n"
            ),
            fts_phrase(term),
        )
    } else {
        let tokens = bigram_tokens(term);
        // The bigram index stores no positions (`detail='none'`, a third of the size), so it
        // answers one-token queries only; anything else falls back to a scan.
        if tokens.is_empty() || tokens.contains(' ') || length == 1 {
            let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            (
                format!(
                    "SELECT {columns} FROM articles a WHERE a.headline LIKE ?1 ESCAPE '\\' OR a.body LIKE ?1 ESCAPE '\\' ORDER BY a.n"
                ),
                format!("%{escaped}%"),
            )
        } else {
            (
                format!(
                    "SELECT {columns} FROM articles_bigrams JOIN articles a ON a.n = articles_bigrams.rowid \
                     WHERE articles_bigrams MATCH ?1 ORDER BY articles_bigrams.rank, a.n"
                ),
                fts_phrase(&tokens),
            )
        }
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
