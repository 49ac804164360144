//! The SQLite database: schema, per-page inserts and deletes, and Chinese full-text search.
//!
//! Text is stored once. Each article body is in `articles.body`; everything else that quotes it
//! (paragraphs, the evidence sentences of figures, people, places and organizations, quote
//! texts) is stored as a character span into that body, and views with the documented names
//! (`paragraphs`, `figures`, `quotes`, `people`, `places`, `organizations`, `captions`) cut the
//! text back out; a sentence that is not in the body (a headline's, a caption's) is stored as
//! text. Part rows name their article by its number (`articles.n`) and are clustered by it
//! (`WITHOUT ROWID` tables keyed by article and position), so no text keys are repeated and no
//! separate index is needed to find an article's rows. A fresh database is UTF-16 (the build
//! sets `PRAGMA encoding`): two bytes per Chinese character instead of three.
//!
//! One FTS5 index, `articles_fts`, covers headline and body: contentless (it stores no text),
//! over tokens this module makes (overlapping CJK character bigrams, lower-cased ASCII words)
//! through the SQL function `bigrams`, without positions (`detail='none'`). A two-character term
//! is one token, found exactly; a longer one is the AND of its bigrams, a candidate set `search`
//! confirms with `instr` on the stored text; a term with Latin letters or digits and
//! one-character terms fall back to `LIKE`. The index is filled by one statement per run
//! (`index_from`) from the stored text, since FTS5 writes its pending terms out at every
//! statement of a transaction; entries are removed with FTS5's `delete` command over the same
//! tokens. Articles are numbered densely in the order they are inserted, which keeps the index's
//! row id deltas small. Pages are replaced row by row (`delete_page`, `insert_page`), so a
//! rebuild after one changed page touches only that page's rows. The binary's build module owns
//! the connection and the file.
//! Deliberately not done: word segmentation, ranking beyond FTS5's bm25.

use model::{Article, Page};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, params};
use serde::Serialize;

/// The schema version in `PRAGMA user_version`; a database with another one is rebuilt.
pub const SCHEMA_VERSION: i64 = 4;

/// The schema, run once on an empty database. Documented in `tools/bundle/README.md`. The
/// full-text index's tokenizer only has to split the tokens `bigrams` made at the spaces between
/// them (and a query's the same way), so it is FTS5's `ascii`, not `unicode61`, whose Unicode
/// category lookups and case and diacritic folding of every character were a twentieth of a
/// cold bundle's time.
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
CREATE TABLE article_rows (
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
    summary_spans TEXT,
    summary_text TEXT,
    keywords TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE VIEW articles AS
    SELECT n, id, page, series, kicker, headline, subtitle, authors, province, city, district, street,
        coalesce(summary_text, (SELECT group_concat(substr(r.body, json_extract(j.value, '$[0]') + 1,
            json_extract(j.value, '$[1]')), '') FROM json_each(r.summary_spans) j)) AS summary,
        keywords, body
    FROM article_rows r;
CREATE TABLE paragraph_spans (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    section INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    start INTEGER NOT NULL,
    length INTEGER NOT NULL,
    PRIMARY KEY (article, section, paragraph)
) WITHOUT ROWID;
CREATE TABLE section_headings (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    section INTEGER NOT NULL,
    heading TEXT NOT NULL,
    PRIMARY KEY (article, section)
) WITHOUT ROWID;
CREATE TABLE caption_rows (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    item INTEGER NOT NULL,
    text TEXT NOT NULL,
    credit TEXT,
    PRIMARY KEY (article, item)
) WITHOUT ROWID;
CREATE TABLE figure_rows (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    item INTEGER NOT NULL,
    text TEXT NOT NULL,
    value REAL,
    unit TEXT,
    approx TEXT,
    value_max REAL,
    subject TEXT,
    period TEXT,
    period_start TEXT,
    period_end TEXT,
    sentence_start INTEGER,
    sentence_length INTEGER,
    sentence_text TEXT,
    section INTEGER,
    paragraph INTEGER,
    start INTEGER,
    "end" INTEGER,
    PRIMARY KEY (article, item)
) WITHOUT ROWID;
CREATE TABLE quote_rows (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    item INTEGER NOT NULL,
    speaker TEXT,
    role TEXT,
    text_start INTEGER,
    text_length INTEGER,
    text_text TEXT,
    section INTEGER,
    paragraph INTEGER,
    PRIMARY KEY (article, item)
) WITHOUT ROWID;
CREATE TABLE person_rows (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    item INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    sentence_start INTEGER,
    sentence_length INTEGER,
    sentence_text TEXT,
    PRIMARY KEY (article, item)
) WITHOUT ROWID;
CREATE TABLE place_rows (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    item INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT,
    code TEXT,
    sentence_start INTEGER,
    sentence_length INTEGER,
    sentence_text TEXT,
    PRIMARY KEY (article, item)
) WITHOUT ROWID;
CREATE TABLE organization_rows (
    article INTEGER NOT NULL REFERENCES article_rows(n),
    item INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT,
    sentence_start INTEGER,
    sentence_length INTEGER,
    sentence_text TEXT,
    PRIMARY KEY (article, item)
) WITHOUT ROWID;
CREATE VIEW paragraphs AS
    SELECT a.id AS article_id, s.section, h.heading, s.paragraph, substr(a.body, s.start + 1, s.length) AS text
    FROM paragraph_spans s JOIN articles a ON a.n = s.article
    LEFT JOIN section_headings h ON h.article = s.article AND h.section = s.section;
CREATE VIEW captions AS
    SELECT a.id AS article_id, c.item, c.text, c.credit FROM caption_rows c JOIN articles a ON a.n = c.article;
CREATE VIEW figures AS
    SELECT a.id AS article_id, f.item, f.text, f.value, f.unit, f.approx, f.value_max, f.subject, f.period,
        f.period_start, f.period_end,
        coalesce(f.sentence_text, substr(a.body, f.sentence_start + 1, f.sentence_length)) AS sentence,
        f.section, f.paragraph, f.start, f."end"
    FROM figure_rows f JOIN articles a ON a.n = f.article;
CREATE VIEW quotes AS
    SELECT a.id AS article_id, q.item, q.speaker, q.role,
        coalesce(q.text_text, substr(a.body, q.text_start + 1, q.text_length)) AS text, q.section, q.paragraph
    FROM quote_rows q JOIN articles a ON a.n = q.article;
CREATE VIEW people AS
    SELECT a.id AS article_id, p.item, p.name, p.role,
        coalesce(p.sentence_text, substr(a.body, p.sentence_start + 1, p.sentence_length)) AS sentence
    FROM person_rows p JOIN articles a ON a.n = p.article;
CREATE VIEW places AS
    SELECT a.id AS article_id, p.item, p.name, p.kind, p.code,
        coalesce(p.sentence_text, substr(a.body, p.sentence_start + 1, p.sentence_length)) AS sentence
    FROM place_rows p JOIN articles a ON a.n = p.article;
CREATE VIEW organizations AS
    SELECT a.id AS article_id, o.item, o.name, o.kind,
        coalesce(o.sentence_text, substr(a.body, o.sentence_start + 1, o.sentence_length)) AS sentence
    FROM organization_rows o JOIN articles a ON a.n = o.article;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    headline, body, content='', tokenize='ascii', detail='none'
);
"#;

/// The secondary indexes, made by `finish` once a fresh database is filled: an index built over
/// sorted rows is faster to make and packed tighter than one grown row by row in random order.
pub const INDEXES: &str = r#"
CREATE INDEX articles_page ON article_rows(page);
CREATE INDEX articles_district ON article_rows(district, street);
CREATE INDEX figures_unit ON figure_rows(unit, value);
CREATE INDEX quotes_speaker ON quote_rows(speaker);
CREATE INDEX people_name ON person_rows(name);
CREATE INDEX places_name ON place_rows(name);
CREATE INDEX organizations_name ON organization_rows(name);
"#;

/// The tables holding the parts of an article, keyed by `article` (its number).
const CHILD_TABLES: &[&str] = &[
    "paragraph_spans",
    "section_headings",
    "caption_rows",
    "figure_rows",
    "quote_rows",
    "person_rows",
    "place_rows",
    "organization_rows",
];

pub use model::text::is_cjk;

/// The tokens of `text` for the bigram index, space-separated: each run of CJK characters as its
/// overlapping bigrams (a lone character as itself), each run of other letters and digits as one
/// lower-cased word.
pub fn bigram_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    // The previous character of the current CJK run, and whether it has made a bigram yet.
    let mut previous: Option<char> = None;
    let mut paired = false;
    let mut in_word = false;
    let separate = |out: &mut String| {
        if !out.is_empty() {
            out.push(' ');
        }
    };
    let close_run = |out: &mut String, previous: &mut Option<char>, paired: &mut bool| {
        if let Some(lone) = previous.take()
            && !*paired
        {
            separate(out);
            out.push(lone);
        }
        *paired = false;
    };
    for c in text.chars() {
        if is_cjk(c) {
            in_word = false;
            if let Some(first) = previous {
                separate(&mut out);
                out.push(first);
                out.push(c);
                paired = true;
            }
            previous = Some(c);
        } else if c.is_alphanumeric() {
            close_run(&mut out, &mut previous, &mut paired);
            if !in_word {
                separate(&mut out);
                in_word = true;
            }
            out.extend(c.to_lowercase());
        } else {
            close_run(&mut out, &mut previous, &mut paired);
            in_word = false;
        }
    }
    close_run(&mut out, &mut previous, &mut paired);
    out
}

/// An FTS5 string literal: the text in double quotes, inner quotes doubled.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Registers the SQL function `bigrams(text)` (`bigram_tokens`) on a connection that writes the
/// index. Readers do not need it: `search` makes its tokens in Rust.
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("bigrams", 1, FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
        Ok(match ctx.get_raw(0) {
            rusqlite::types::ValueRef::Text(bytes) => bigram_tokens(&String::from_utf8_lossy(bytes)),
            _ => String::new(),
        })
    })
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

/// Removes a page and every row of its articles, full-text entries included (FTS5's `delete`
/// command over the tokens the stored text makes, which are the ones indexed). Needs
/// `register_functions`.
pub fn delete_page(conn: &Connection, page: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO articles_fts (articles_fts, rowid, headline, body) \
         SELECT 'delete', n, bigrams(headline), bigrams(body) FROM article_rows WHERE page = ?1",
    )?
    .execute(params![page])?;
    for table in CHILD_TABLES {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE article IN (SELECT n FROM article_rows WHERE page = ?1)"
        ))?
        .execute(params![page])?;
    }
    conn.prepare_cached("DELETE FROM article_rows WHERE page = ?1")?.execute(params![page])?;
    conn.prepare_cached("DELETE FROM pages WHERE id = ?1")?.execute(params![page])?;
    Ok(())
}

/// The first free article number: articles are numbered densely, in the order they are
/// inserted, so the full-text index stores small row id deltas.
pub fn next_article(conn: &Connection) -> rusqlite::Result<i64> {
    let max: Option<i64> = conn.query_row("SELECT max(n) FROM article_rows", [], |row| row.get(0))?;
    Ok(max.map_or(1, |n| n + 1))
}

/// Lets the full-text index buffer more before writing a segment (8 MiB instead of 1 MiB): the
/// one statement that fills a fresh index then writes fewer, larger segments. Not more: the
/// buffer's real memory is many times the data it counts (a CJK bigram index has very many
/// short terms), and at 32 MiB it was most of the bundle's 595 MB peak at 10,000 pages.
///
/// While the fresh index fills, its segments are not merged as they come (`automerge` 0, and a
/// crisis merge only at 64 segments of a level instead of 16): `finish` merges them all once, so
/// merging them in between was work thrown away. `finish` puts both back to FTS5's defaults,
/// which later runs' updates keep.
pub fn tune_for_bulk_load(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', 8388608); \
         INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 0); \
         INSERT INTO articles_fts(articles_fts, rank) VALUES ('crisismerge', 64);",
    )
}

/// Inserts a page row (with `input`, the hash of the artifact it was made from) and all its
/// articles with their parts, numbered `first` on. Returns the next free number. The full-text
/// index is filled afterwards, for all new articles at once (`index_from`).
pub fn insert_page(conn: &Connection, page: &Page, input: &str, first: i64) -> rusqlite::Result<i64> {
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
    let mut n = first;
    for article in &page.articles {
        insert_article(conn, n, article)?;
        n += 1;
    }
    Ok(n)
}

/// Indexes every article numbered `first` or higher in the full-text index: one statement, so
/// FTS5 builds its segments in memory instead of writing one per article. Needs
/// `register_functions`.
pub fn index_from(conn: &Connection, first: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO articles_fts (rowid, headline, body) SELECT n, bigrams(headline), bigrams(body) FROM article_rows WHERE n >= ?1",
    )?
    .execute(params![first])?;
    Ok(())
}

/// The body text of an article as stored in `articles.body`: paragraphs separated by blank lines.
pub fn body_text(article: &Article) -> String {
    article.paragraphs().collect::<Vec<_>>().join("\n\n")
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// Where `text` stands in `body`, as (character start, character length) for `substr`; `None`
/// when it is not there (then the text itself is stored). The first occurrence is as good as
/// any: it is the same text.
fn span_in(body: &str, text: &str) -> Option<(i64, i64)> {
    if text.is_empty() {
        return None;
    }
    let byte = body.find(text)?;
    Some((body[..byte].chars().count() as i64, text.chars().count() as i64))
}

/// The three columns of a quoted text: its span in the body, or the text when it is not there.
fn text_columns<'t>(body: &str, text: &'t str) -> (Option<i64>, Option<i64>, Option<&'t str>) {
    match span_in(body, text) {
        Some((start, length)) => (Some(start), Some(length), None),
        None => (None, None, Some(text)),
    }
}

/// A summary made of sentences of `body` as the JSON list of their spans, `[[start, length], …]`
/// in characters (the `articles` view joins them back); `None` when a piece is not in the body.
fn summary_spans(body: &str, summary: &str) -> Option<String> {
    let chars: Vec<char> = summary.chars().collect();
    let mut spans = Vec::new();
    for (start, end) in model::text::sentence_bounds(&chars) {
        let piece: String = chars[start..end].iter().collect();
        spans.push(span_in(body, &piece)?);
    }
    (!spans.is_empty()).then(|| serde_json::to_string(&spans).unwrap_or_default())
}

/// Inserts one article as number `n` with its parts (not yet into the full-text index).
pub fn insert_article(conn: &Connection, n: i64, a: &Article) -> rusqlite::Result<()> {
    let body = body_text(a);
    let summary = a.summary.as_deref().map(|summary| match summary_spans(&body, summary) {
        Some(spans) => (Some(spans), None),
        None => (None, Some(summary)),
    });
    let (summary_spans, summary_text) = summary.unwrap_or((None, None));
    conn.prepare_cached(
        "INSERT INTO article_rows (n, id, page, series, kicker, headline, subtitle, authors, province, city, district, street, \
         summary_spans, summary_text, keywords, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
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
        summary_spans,
        summary_text,
        json_list(&a.keywords),
        body,
    ])?;
    let mut paragraph_insert = conn.prepare_cached(
        "INSERT INTO paragraph_spans (article, section, paragraph, start, length) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut heading_insert =
        conn.prepare_cached("INSERT INTO section_headings (article, section, heading) VALUES (?1, ?2, ?3)")?;
    // Offsets in characters into `body`, whose paragraphs are joined by blank lines.
    let mut start = 0usize;
    for (s, section) in a.sections.iter().enumerate() {
        if let Some(heading) = &section.heading {
            heading_insert.execute(params![n, s as i64, heading])?;
        }
        for (p, text) in section.paragraphs.iter().enumerate() {
            let length = text.chars().count();
            paragraph_insert.execute(params![n, s as i64, p as i64, start as i64, length as i64])?;
            start += length + 2;
        }
    }
    let mut caption_insert =
        conn.prepare_cached("INSERT INTO caption_rows (article, item, text, credit) VALUES (?1, ?2, ?3, ?4)")?;
    for (item, c) in a.captions.iter().enumerate() {
        caption_insert.execute(params![n, item as i64, c.text, c.credit])?;
    }
    let mut figure_insert = conn.prepare_cached(
        "INSERT INTO figure_rows (article, item, text, value, unit, approx, value_max, subject, period, period_start, period_end, \
         sentence_start, sentence_length, sentence_text, section, paragraph, start, \"end\")
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    for (item, f) in a.figures.iter().enumerate() {
        let approx = f.approx.map(|x| serde_json::to_value(x).ok().and_then(|v| v.as_str().map(str::to_owned)));
        let (sentence_start, sentence_length, sentence_text) = text_columns(&body, &f.sentence);
        figure_insert.execute(params![
            n,
            item as i64,
            f.text,
            f.value.is_finite().then_some(f.value),
            f.unit,
            approx.flatten(),
            f.value_max.filter(|v| v.is_finite()),
            f.subject,
            f.period,
            f.period_start,
            f.period_end,
            sentence_start,
            sentence_length,
            sentence_text,
            f.location.section as i64,
            f.location.paragraph as i64,
            f.location.start as i64,
            f.location.end as i64
        ])?;
    }
    let mut quote_insert = conn.prepare_cached(
        "INSERT INTO quote_rows (article, item, speaker, role, text_start, text_length, text_text, section, paragraph) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (item, q) in a.quotes.iter().enumerate() {
        let (text_start, text_length, text_text) = text_columns(&body, &q.text);
        quote_insert.execute(params![
            n,
            item as i64,
            q.speaker,
            q.role,
            text_start,
            text_length,
            text_text,
            q.location.section as i64,
            q.location.paragraph as i64
        ])?;
    }
    let mut person_insert = conn.prepare_cached(
        "INSERT INTO person_rows (article, item, name, role, sentence_start, sentence_length, sentence_text) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (item, p) in a.people.iter().enumerate() {
        let (start, length, text) = text_columns(&body, &p.sentence);
        person_insert.execute(params![n, item as i64, p.name, p.role, start, length, text])?;
    }
    let mut place_insert = conn.prepare_cached(
        "INSERT INTO place_rows (article, item, name, kind, code, sentence_start, sentence_length, sentence_text) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (item, p) in a.places.iter().enumerate() {
        let (start, length, text) = text_columns(&body, &p.sentence);
        place_insert.execute(params![n, item as i64, p.name, p.kind, p.code, start, length, text])?;
    }
    let mut organization_insert = conn.prepare_cached(
        "INSERT INTO organization_rows (article, item, name, kind, sentence_start, sentence_length, sentence_text) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (item, o) in a.organizations.iter().enumerate() {
        let (start, length, text) = text_columns(&body, &o.sentence);
        organization_insert.execute(params![n, item as i64, o.name, o.kind, start, length, text])?;
    }
    Ok(())
}

/// Runs after the last insert into a fresh database: makes the secondary indexes, merges the
/// full-text index into one segment and updates the query planner's statistics.
pub fn finish(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(INDEXES)?;
    conn.execute_batch(
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 4); \
         INSERT INTO articles_fts(articles_fts, rank) VALUES ('crisismerge', 16);",
    )?;
    // The merged index leaves the pages of its old segments free: given back to the file system
    // (the database is created with incremental auto-vacuum), so the file is only what it holds.
    conn.execute_batch("INSERT INTO articles_fts(articles_fts) VALUES ('optimize'); ANALYZE;")?;
    // The pragma frees pages as it is stepped: stepped to the end.
    let mut vacuum = conn.prepare("PRAGMA incremental_vacuum")?;
    let mut steps = vacuum.query([])?;
    while steps.next()?.is_some() {}
    Ok(())
}

/// One article that matches a search, with the text around the first match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub article_id: String,
    pub headline: String,
    pub snippet: String,
}

/// Articles whose headline or body contain `term` as a substring, best first; equally good ones
/// (and every `LIKE` match) by article id, so the order does not depend on the article numbers,
/// which follow the order pages reached the database.
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
                 WHERE articles_fts MATCH ?1 {confirm} ORDER BY articles_fts.rank, a.id"
            ),
            tokens.join(" "),
        )
    } else {
        let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        (
            format!(
                "SELECT {columns} FROM articles a WHERE a.headline LIKE ?1 ESCAPE '\\' OR a.body LIKE ?1 ESCAPE '\\' ORDER BY a.id"
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
