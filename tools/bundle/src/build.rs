//! The whole bundle run: per-page work in parallel and cached, then assembly. File IO (a
//! binary-side module of the library; the binary only parses its arguments and calls `run`).
//!
//! 1. Per page, on all worker threads: the artifact's hash (remembered by `stat`), and unless a
//!    cached fragment (`<out>/.state/bundle/pages/<page>.frag`) was made from the same artifact
//!    by the same bundle (binary, options, templates), the page is rendered (`fragment::render`)
//!    and its article pages written. Pages whose rows in `corpus.sqlite` came from another
//!    artifact go to the database thread, which replaces just their rows.
//! 2. Assembly in input order: `data/` files and `site/data/figures-data.js` (`splice`: unchanged
//!    pages' bytes copied from the last run's files, a fragment read only for a changed page),
//!    the search blocks (only new ones written, each block's bigram codes kept in
//!    `.state/bundle/search/`) and term shards, the index page and chart.
//! 3. The manifest from the last run's listing (`tree`: folders unchanged since are not listed
//!    again, changed files' hashes come from this run's writes and inputs before a `stat`), the
//!    state for the next run (`metas`, the listing, the stat cache), and, when asked for
//!    (`archive = true`), the archive, whose unchanged entries are copied from the previous one.
//!
//! Progress goes out on the batch event protocol (`model::batch`): a `page` event per page of
//! phase 1, an `end` event with the peak memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use model::batch::{BatchArgs, Event};
use model::options::BundleOptions;
use rayon::prelude::*;

use crate::fragment::{self, Meta};
use crate::hashes::Hashes;
use crate::manifest::{self, FileEntry, Manifest};
use crate::metas::{self, Metas};
use crate::search_blocks::SearchBlocks;
use crate::site::{self, DistrictCount, IndexRow, Site, SiteFile};
use crate::{archive, csv, db, splice, tree};

/// The article pages' folder, relative to the output root.
const ARTICLES: &str = "site/articles";

/// Bumped when the fragment format or what goes into one changes.
const CACHE_VERSION: &str = "bundle-cache-4";

/// The build time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
fn build_epoch() -> anyhow::Result<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value.trim().parse().with_context(|| format!("SOURCE_DATE_EPOCH `{value}` is not a number")),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)),
    }
}

/// The user's site templates and assets, which override the built-in ones by file name.
fn read_overrides(dir: &Path) -> anyhow::Result<Vec<SiteFile>> {
    model::io::read_template_dir(dir, |name| {
        name.ends_with(".html") || site::DEFAULT_FILES.iter().any(|&(n, _)| n == name)
    })
}

/// What makes cached fragments valid: this binary, the options and the templates.
fn cache_key(options: &BundleOptions, overrides: &[SiteFile], hashes: &mut Hashes) -> anyhow::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(CACHE_VERSION.as_bytes());
    let exe = std::env::current_exe().context("finding the bundle binary")?;
    let exe_hash = hashes.hash_all(&[exe])?.pop().map(|(_, hash)| hash).unwrap_or_default();
    hasher.update(exe_hash.as_bytes());
    hasher.update(serde_json::to_string(options).unwrap_or_default().as_bytes());
    for file in overrides {
        hasher.update(file.name.as_bytes());
        hasher.update(&[0]);
        hasher.update(file.source.as_bytes());
        hasher.update(&[0]);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// The database being written: a fresh one in a temporary file, or the existing one updated in
/// one transaction.
struct Database {
    conn: rusqlite::Connection,
    /// Set for a fresh database, renamed into place at the end.
    fresh: Option<tempfile::TempPath>,
    /// Page id → input hash of the rows already there.
    inputs: BTreeMap<String, String>,
}

impl Database {
    fn open(out: &Path, rebuild: bool) -> anyhow::Result<Database> {
        let path = out.join("corpus.sqlite");
        if !rebuild && path.is_file() {
            let conn = rusqlite::Connection::open(&path).with_context(|| format!("opening {}", path.display()))?;
            let usable = db::schema_version(&conn).ok() == Some(db::SCHEMA_VERSION);
            if usable && let Ok(inputs) = db::page_inputs(&conn) {
                conn.execute_batch("PRAGMA cache_size = -32768; BEGIN IMMEDIATE;")
                    .with_context(|| format!("starting a transaction on {}", path.display()))?;
                db::register_functions(&conn).with_context(|| format!("opening {}", path.display()))?;
                return Ok(Database { conn, fresh: None, inputs });
            }
        }
        let tmp = model::io::temp_file_with_suffix(out, ".sqlite")?.into_temp_path();
        let conn = rusqlite::Connection::open(&tmp).with_context(|| format!("opening {}", tmp.display()))?;
        // A fresh file renamed into place at the end: no journal needed while building.
        conn.execute_batch(
            "PRAGMA encoding = 'UTF-16le'; PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -32768; \
             PRAGMA temp_store = MEMORY; BEGIN;",
        )?;
        db::register_functions(&conn).with_context(|| format!("opening {}", tmp.display()))?;
        db::create_schema(&conn).context("creating the database schema")?;
        db::tune_for_bulk_load(&conn).context("creating the database schema")?;
        Ok(Database { conn, fresh: Some(tmp), inputs: BTreeMap::new() })
    }
}

/// A page for the database thread: the page and its input hash.
type DbPage = (Arc<model::Page>, String);

/// Replaces the rows of every page it is sent; once that channel closes, indexes the new
/// articles (and finishes a fresh database) while the caller assembles the other outputs, then
/// drops the pages not in the set `keep` delivers and commits, or puts the fresh database in
/// place.
fn database_thread(
    database: Database,
    pages: std::sync::mpsc::Receiver<DbPage>,
    keep: std::sync::mpsc::Receiver<BTreeSet<String>>,
    out: PathBuf,
) -> std::thread::JoinHandle<anyhow::Result<()>> {
    std::thread::spawn(move || {
        let Database { conn, fresh, inputs } = database;
        // New articles are numbered on from the highest number there (densely, in the order
        // pages arrive) and indexed for full-text search together at the end. Not in chunks as
        // they come: this thread is the slowest of the run, and while it indexed a chunk the
        // page threads stood blocked on the channel, so nothing was gained.
        let first = db::next_article(&conn)?;
        let mut next = first;
        for (page, input) in pages {
            if inputs.contains_key(&page.id) {
                db::delete_page(&conn, &page.id)
                    .with_context(|| format!("removing page {} from the database", page.id))?;
            }
            next = db::insert_page(&conn, &page, &input, next)
                .with_context(|| format!("adding page {} to the database", page.id))?;
        }
        // Indexed while the main thread assembles the other outputs: the new articles are all
        // in, and which old pages go does not change what the new ones are.
        db::index_from(&conn, first).context("indexing the new articles for full-text search")?;
        if let Some(tmp) = fresh {
            // A fresh file has no old pages to drop: it is finished now too, and renamed into
            // place only once the run is complete (else the temporary file goes).
            conn.execute_batch("COMMIT").context("committing the database")?;
            db::finish(&conn).context("finishing the database")?;
            // Readers get the default rollback journal back.
            conn.execute_batch("PRAGMA journal_mode = DELETE").context("finishing the database")?;
            conn.close().map_err(|(_, e)| e).context("closing the database")?;
            keep.recv().context("the bundle stopped before the database was complete")?;
            let path = out.join("corpus.sqlite");
            model::io::persist(tmp, &path)?;
            return Ok(());
        }
        // No set arrives when the run stopped early: then nothing is committed.
        let keep = keep.recv().context("the bundle stopped before the database was complete")?;
        for id in inputs.keys().filter(|id| !keep.contains(*id)) {
            db::delete_page(&conn, id).with_context(|| format!("removing page {id} from the database"))?;
        }
        conn.execute_batch("COMMIT").context("committing the database")?;
        Ok(())
    })
}

/// What phase 1 learned about one input.
struct PageResult {
    /// The fragment's file.
    fragment: PathBuf,
    meta: Meta,
    /// Whether `meta.rows` holds the page's index rows (a fragment's meta line alone has none).
    rows_loaded: bool,
    /// The fragment's stamp and its meta line (its first line, without the newline), for
    /// `metas.tsv`.
    stamp: crate::hashes::Stamp,
    line: Vec<u8>,
}

/// What `site/index.html` was last rendered from (a digest of every page's rows, the page count
/// and the chart), and the file's stamp then: the page is rendered again only when either
/// differs, and only then are the pages' rows read.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct IndexState {
    digest: String,
    stamp: crate::hashes::Stamp,
}

impl IndexState {
    fn load(path: &Path) -> IndexState {
        std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
    }

    fn is_current(&self, index: &Path, digest: &str) -> bool {
        let stamp = std::fs::metadata(index).map(|meta| crate::hashes::Stamp::of(&meta));
        self.digest == digest && stamp.is_ok_and(|stamp| stamp == self.stamp)
    }

    fn written(index: &Path, digest: String) -> anyhow::Result<IndexState> {
        let meta = std::fs::metadata(index).with_context(|| format!("reading {}", index.display()))?;
        Ok(IndexState { digest, stamp: crate::hashes::Stamp::of(&meta) })
    }

    fn save(&self, path: &Path) -> anyhow::Result<()> {
        model::io::write_atomic(path, &serde_json::to_vec(self).context("serializing the index state")?)
    }
}

/// The index rows of a cached fragment: its second line, `length` bytes (newline included) at
/// `offset`. Read exactly: a buffered read of each fragment's start copied 64 KiB of the 10,000
/// fragments' parts for every rendering of the index page.
fn read_rows(path: &Path, offset: u64, length: usize) -> anyhow::Result<Vec<IndexRow>> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut line = vec![0; length];
    file.read_exact_at(&mut line, offset).with_context(|| format!("reading {}", path.display()))?;
    fragment::decode_rows(&line).with_context(|| format!("{} is damaged: delete it and run again", path.display()))
}

/// Files written with their hashes, for the manifest.
type Written = Vec<(PathBuf, String)>;

/// The meta of a cached fragment (its first line only), its stamp and that line (without its
/// newline), if the file is whole.
fn read_meta(path: &Path) -> Option<(Meta, crate::hashes::Stamp, Vec<u8>)> {
    let file = std::fs::File::open(path).ok()?;
    let stamp = crate::hashes::Stamp::of(&file.metadata().ok()?);
    let mut reader = std::io::BufReader::with_capacity(1 << 14, file);
    let mut line = Vec::new();
    std::io::BufRead::read_until(&mut reader, b'\n', &mut line).ok()?;
    let meta = fragment::decode_meta(&line)?;
    let whole =
        line.len() as u64 + meta.rows_length as u64 + meta.lengths.iter().map(|&l| l as u64).sum::<u64>() == stamp.size;
    line.pop();
    whole.then_some((meta, stamp, line))
}

/// Phase 1 for one input: the fragment's meta, after rendering the page when needed.
#[allow(clippy::too_many_arguments)]
fn one_page(
    input: &Path,
    input_hash: &str,
    site: &Site,
    pages_dir: &Path,
    articles_dir: &Path,
    db_inputs: &BTreeMap<String, String>,
    to_db: &std::sync::mpsc::SyncSender<DbPage>,
    metas: &Metas,
) -> anyhow::Result<(PageResult, Written)> {
    let stem = model::io::page_id(input);
    let name = format!("{}.frag", site::slug(&stem));
    let fragment_path = pages_dir.join(&name);
    // The meta line the last run saved while the fragment is as it left it, else the fragment's.
    let saved = metas
        .get(&name, &fragment_path)
        .and_then(|(stamp, line)| fragment::decode_meta(line).map(|meta| (meta, stamp.clone(), line.to_vec())));
    let cached = saved.or_else(|| read_meta(&fragment_path)).filter(|(meta, _, _)| meta.input == input_hash);
    let in_db = |id: &str| db_inputs.get(id).map(String::as_str) == Some(input_hash);
    if let Some((cached, stamp, line)) = cached.as_ref()
        && in_db(&cached.entry.page)
    {
        let result = PageResult {
            fragment: fragment_path,
            meta: cached.clone(),
            rows_loaded: false,
            stamp: stamp.clone(),
            line: line.clone(),
        };
        return Ok((result, Vec::new()));
    }
    let page = model::io::read_page(input)?;
    let mut written = Vec::new();
    let rows_loaded = cached.is_none();
    let (meta, stamp, line) = match cached {
        Some(cached) => cached,
        None => {
            let (fragment, article_pages) = fragment::render(site, &page, input_hash)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| format!("rendering {}", input.display()))?;
            for ((name, html), (_, _, hash)) in article_pages.iter().zip(&fragment.meta.html) {
                let path = articles_dir.join(name);
                model::io::write_atomic(&path, html.as_bytes())?;
                written.push((path, hash.clone()));
            }
            let encoded = fragment::encode(&fragment);
            model::io::write_atomic(&fragment_path, &encoded)?;
            let stamp = std::fs::metadata(&fragment_path)
                .map(|m| crate::hashes::Stamp::of(&m))
                .with_context(|| format!("reading {}", fragment_path.display()))?;
            let line = encoded[..encoded.iter().position(|&b| b == b'\n').unwrap_or(0)].to_vec();
            (fragment.meta, stamp, line)
        }
    };
    if !in_db(&page.id) {
        // The database thread stopped only on an error, which it reports itself.
        let _ = to_db.send((Arc::new(page), input_hash.to_owned()));
    }
    Ok((PageResult { fragment: fragment_path, meta, rows_loaded, stamp, line }, written))
}

/// The streamed outputs of the assembly, in `fragment::PARTS` order (less the search part):
/// path relative to the output root, head, tail.
fn stream_files() -> [(&'static str, String, &'static str); 5] {
    [
        ("data/articles.jsonl", String::new(), ""),
        ("data/figures.csv", format!("{}{}", csv::BOM, csv::record(csv::FIGURES_HEADER)), ""),
        ("data/quotes.csv", format!("{}{}", csv::BOM, csv::record(csv::QUOTES_HEADER)), ""),
        ("data/people.csv", format!("{}{}", csv::BOM, csv::record(csv::PEOPLE_HEADER)), ""),
        ("site/data/figures-data.js", site::FIGURES_DATA_HEAD.to_owned(), site::DATA_TAIL),
    ]
}

/// Deletes the files in `dir` ending in `suffix` that are not in `keep`.
pub(crate) fn remove_stale(dir: &Path, suffix: &str, keep: &BTreeSet<String>) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(suffix) && !keep.contains(name) {
            std::fs::remove_file(&path).with_context(|| format!("removing stale {}", path.display()))?;
        }
    }
    Ok(())
}

/// The whole bundle; returns how many input pages failed. Meant to be a process's last work:
/// its large tables are not freed (the exit does that at once).
pub fn run(args: &BatchArgs) -> anyhow::Result<usize> {
    let options: BundleOptions = args.load_options()?;
    let overrides = read_overrides(&options.templates)?;
    let inputs = args.input_paths()?;
    let out = &args.out_dir;
    std::fs::create_dir_all(out).with_context(|| format!("creating output folder {}", out.display()))?;
    let epoch = build_epoch()?;
    let started = Instant::now();
    model::batch::emit(args.events, &Event::Begin { step: "bundle".into(), total: inputs.len() });

    // What earlier runs left: remembered hashes, fragments made under the same key.
    let state_dir = out.join(".state").join("bundle");
    let hashes_path = state_dir.join("hashes.tsv");
    let mut hashes = Hashes::load(&hashes_path);
    // The last run's listing, removed until this run saves its own: a run stopped before then
    // leaves none, and the next one looks at every file.
    let files_path = state_dir.join("files.tsv");
    let previous_listing = tree::Record::load(&files_path);
    match std::fs::remove_file(&files_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("removing {}", files_path.display()));
        }
        _ => {}
    }
    // Likewise every fragment's meta line.
    let metas_path = state_dir.join("metas.tsv");
    let metas = Metas::load(&metas_path);
    match std::fs::remove_file(&metas_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("removing {}", metas_path.display()));
        }
        _ => {}
    }
    let key = cache_key(&options, &overrides, &mut hashes)?;
    let site = Site::new(overrides)?;
    let pages_dir = state_dir.join("pages");
    std::fs::create_dir_all(&pages_dir).with_context(|| format!("creating {}", pages_dir.display()))?;
    let key_path = state_dir.join("key");
    let same_key = std::fs::read_to_string(&key_path).is_ok_and(|k| k.trim() == key);
    if !same_key {
        std::fs::remove_dir_all(&pages_dir).with_context(|| format!("clearing {}", pages_dir.display()))?;
        std::fs::create_dir_all(&pages_dir).with_context(|| format!("creating {}", pages_dir.display()))?;
    }
    let input_hashes = hashes.hash_all(&inputs)?;
    let database = Database::open(out, !same_key)?;
    let db_inputs = database.inputs.clone();
    // Saved now: fragments are only trusted under the key they were made with.
    model::io::write_atomic(&key_path, key.as_bytes())?;

    // Phase 1: per page, in parallel; the database thread takes the pages whose rows change.
    let (to_db, db_in) = std::sync::mpsc::sync_channel::<DbPage>(16);
    let (send_keep, keep) = std::sync::mpsc::channel();
    let db_thread = database_thread(database, db_in, keep, out.clone());
    let articles_dir = out.join("site").join("articles");
    std::fs::create_dir_all(&articles_dir).with_context(|| format!("creating {}", articles_dir.display()))?;
    // The article pages' folder as the last run left it, if nobody changed it since: its files.
    let articles_before = previous_listing.unchanged_files(out, ARTICLES);
    // One pool for the whole run (phase 1, the search blocks, the shards, hashing, the archive).
    // Already set up only when a caller in this process did so: then that one is used.
    let _ = rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build_global();
    let failed = AtomicUsize::new(0);
    let results: Vec<Option<(PageResult, Written)>> = {
        inputs
            .par_iter()
            .zip(&input_hashes)
            .map(|(input, (_, hash))| {
                let page_started = Instant::now();
                let result = one_page(input, hash, &site, &pages_dir, &articles_dir, &db_inputs, &to_db, &metas);
                let ms = page_started.elapsed().as_millis() as u64;
                let page = model::io::page_id(input);
                let done = model::batch::page_outcome("bundle", args.events, &page, result, ms);
                if done.is_none() {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                done
            })
            .collect()
    };
    drop(to_db);
    let rendered = started.elapsed();

    // Phase 2: assembly in input order. Unchanged pages' parts are copied from the files the
    // last run wrote; a fragment is read only for a part that is not there.
    let results: Vec<(PageResult, Written)> = results.into_iter().flatten().collect();
    let layout_path = state_dir.join("layout.json");
    let layout = splice::Layout::load(&layout_path, &key);
    let mut splices = Vec::new();
    for (part, (relative, head, _)) in stream_files().iter().enumerate() {
        let sequence: Vec<(&str, &str, u64)> = results
            .iter()
            .map(|(r, _)| (r.meta.entry.page.as_str(), r.meta.hashes[part].as_str(), r.meta.lengths[part] as u64))
            .collect();
        splices.push(splice::Splice::create(out.join(relative), &layout, &sequence, head)?);
    }
    let search_dir = out.join("site").join("data").join("search");
    std::fs::create_dir_all(&search_dir).with_context(|| format!("creating {}", search_dir.display()))?;
    let codes_dir = state_dir.join("search");
    std::fs::create_dir_all(&codes_dir).with_context(|| format!("creating {}", codes_dir.display()))?;
    let block_inputs: Vec<&str> = results.iter().map(|(r, _)| r.meta.input.as_str()).collect();
    let mut blocks = SearchBlocks::new(search_dir, codes_dir, &key, &block_inputs);
    // Per page: its rows when they are at hand, else its fragment with where its rows line
    // starts and its length; and each page's rows hash.
    let mut page_rows: Vec<Result<Vec<IndexRow>, (PathBuf, u64, usize)>> = Vec::new();
    let mut index_digest = blake3::Hasher::new();
    // The key covers the templates, which make the page too.
    index_digest.update(key.as_bytes());
    let mut articles = 0;
    let mut counts: BTreeMap<String, DistrictCount> = BTreeMap::new();
    let mut input_entries = Vec::new();
    let mut article_pages: BTreeSet<String> = BTreeSet::new();
    let mut fragments: BTreeSet<String> = BTreeSet::new();
    let mut saved_metas: Vec<(String, crate::hashes::Stamp, Vec<u8>)> = Vec::new();
    let mut written: Vec<(PathBuf, String)> = Vec::new();
    for (index, (result, mut page_written)) in results.into_iter().enumerate() {
        let mut meta = result.meta;
        let page = meta.entry.page.as_str();
        let needs_fragment = blocks.wants(index)
            || splices.iter().enumerate().any(|(part, splice)| !splice.can_copy(page, &meta.hashes[part]));
        let fragment = if needs_fragment {
            let bytes =
                std::fs::read(&result.fragment).with_context(|| format!("reading {}", result.fragment.display()))?;
            Some(
                fragment::decode(&bytes)
                    .with_context(|| format!("{} is damaged: delete it and run again", result.fragment.display()))?,
            )
        } else {
            None
        };
        for (part, splice) in splices.iter_mut().enumerate() {
            let hash = &meta.hashes[part];
            match &fragment {
                Some(fragment) if !splice.can_copy(page, hash) => splice.write(page, hash, &fragment.parts[part])?,
                _ => splice.copy(page, hash)?,
            }
        }
        let search_part = fragment.as_ref().filter(|_| blocks.wants(index)).map(|f| f.parts[5].as_str());
        blocks.add(index, meta.counts.len(), search_part)?;
        articles += meta.counts.len();
        for (district, figures) in &meta.counts {
            let count = counts.entry(district.clone()).or_default();
            count.articles += 1;
            count.figures += figures;
        }
        article_pages.extend(meta.html.iter().map(|(name, _, _)| name.clone()));
        let fragment_name = result.fragment.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        fragments.insert(fragment_name.clone());
        let rows_at = (result.line.len() + 1) as u64;
        saved_metas.push((fragment_name, result.stamp, result.line));
        index_digest.update(meta.rows_hash.as_bytes());
        index_digest.update(b"\n");
        page_rows.push(match fragment {
            Some(fragment) => Ok(fragment.meta.rows),
            None if result.rows_loaded => Ok(std::mem::take(&mut meta.rows)),
            None => Err((result.fragment, rows_at, meta.rows_length)),
        });
        input_entries.push(meta.entry);
        written.append(&mut page_written);
    }
    // The streamed files are finished (renamed into place and hashed) in parallel.
    let tails: Vec<&str> = stream_files().iter().map(|(_, _, tail)| *tail).collect();
    let laid_out: Vec<anyhow::Result<(bool, splice::FileLayout)>> = splices
        .into_par_iter()
        .zip(tails)
        .map(|(splice, tail)| {
            let unchanged = splice.unchanged();
            splice.finish(tail).map(|layout| (unchanged, layout))
        })
        .collect();
    let mut new_layout = splice::Layout { key: key.clone(), files: Vec::new() };
    let mut any_written = false;
    for result in laid_out {
        let (unchanged, file) = result?;
        if !unchanged {
            any_written = true;
            written.push((file.path.clone(), file.blake3.clone()));
        }
        new_layout.files.push(file);
    }
    // Files all as they were: the layout saved is this one.
    if any_written {
        new_layout.save(&layout_path)?;
    }
    written.extend(blocks.finish()?);
    // The article pages: when their folder was as the last run listed it, the stale ones are
    // the listed ones no page has now, and the folder's files are known without listing it.
    let mut exact = tree::Exact::new();
    match &articles_before {
        Some(before) => {
            for name in before.iter().filter(|name| name.ends_with(".html") && !article_pages.contains(*name)) {
                let path = articles_dir.join(name);
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(e).with_context(|| format!("removing stale {}", path.display()));
                    }
                    _ => {}
                }
            }
            let others = before.iter().filter(|name| !name.ends_with(".html")).cloned();
            exact.insert(ARTICLES.to_owned(), article_pages.iter().cloned().chain(others).collect());
        }
        None => remove_stale(&articles_dir, ".html", &article_pages)?,
    }
    remove_stale(&pages_dir, ".frag", &fragments)?;
    // The data file of the old search design, if an earlier build left one.
    let _ = std::fs::remove_file(out.join("site").join("data").join("search-index.js"));

    let site_dir = out.join("site");
    let chart = site::chart_svg(&counts);
    index_digest.update(format!("{}\n", input_entries.len()).as_bytes());
    index_digest.update(chart.as_bytes());
    let index_path = site_dir.join("index.html");
    let index_state = state_dir.join("index.json");
    let index = IndexState::load(&index_state);
    let digest = index_digest.finalize().to_hex().to_string();
    if !index.is_current(&index_path, &digest) {
        // The rows of the pages whose fragments were not read: their second line.
        let rows: Vec<anyhow::Result<Vec<IndexRow>>> = page_rows
            .into_par_iter()
            .map(|rows| match rows {
                Ok(rows) => Ok(rows),
                Err((fragment, offset, length)) => read_rows(&fragment, offset, length),
            })
            .collect();
        let mut index_rows = Vec::with_capacity(articles);
        for page in rows {
            index_rows.extend(page?);
        }
        let html = site.index_page(&index_rows, &chart, input_entries.len())?;
        drop(index_rows);
        let _ = std::fs::remove_file(&index_state);
        model::io::write_atomic(&index_path, html.as_bytes())?;
        written.push((index_path.clone(), blake3::hash(html.as_bytes()).to_hex().to_string()));
        IndexState::written(&index_path, digest)?.save(&index_state)?;
    }
    let mut small: Vec<(PathBuf, String)> = vec![
        (site_dir.join("chart.svg"), chart),
        (site_dir.join("search.html"), site.search_page()?),
        (site_dir.join("figures.html"), site.figures_page()?),
    ];
    small.extend(site.assets().map(|(name, text)| (site_dir.join("assets").join(name), text.to_owned())));
    for (path, text) in small {
        // Rewritten only when it changed, so its remembered hash holds.
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            model::io::write_atomic(&path, text.as_bytes())?;
            written.push((path, blake3::hash(text.as_bytes()).to_hex().to_string()));
        }
    }
    let assembled = started.elapsed();

    // The database: pages no longer among the inputs go, then it is committed. A page that
    // failed keeps its earlier rows.
    let mut keep: BTreeSet<String> = input_entries.iter().map(|e| e.page.clone()).collect();
    keep.extend(inputs.iter().map(|i| model::io::page_id(i)));
    let _ = send_keep.send(keep);
    db_thread.join().map_err(|_| anyhow::anyhow!("the database thread panicked"))??;
    let indexed = started.elapsed();

    // Phase 3: manifest and archive.
    // The files this run wrote or hashed have their hashes; the listing settles the rest.
    let mut known = tree::known_files(out, written);
    for input in &inputs {
        if let (Some(relative), Some(current)) = (tree::relative_to(out, input), hashes.current(input)) {
            known.entry(relative).or_insert(current);
        }
    }
    let (listed, listing) = tree::list(out, &previous_listing, &known, &exact, &hashes)?;
    drop(known);
    let files: Vec<FileEntry> =
        listed.into_iter().map(|(path, bytes, blake3)| FileEntry { path, bytes, blake3 }).collect();
    let hashed = started.elapsed();
    let manifest = Manifest {
        format: manifest::FORMAT.to_owned(),
        version: manifest::VERSION,
        name: options.name.clone(),
        built: manifest::timestamp(epoch),
        tools: BTreeMap::from([
            ("bundle".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
            ("sqlite".to_owned(), rusqlite::version().to_owned()),
            ("artifact-format".to_owned(), format!("{} v{}", model::wire::FORMAT, model::wire::VERSION)),
        ]),
        inputs: input_entries,
        files,
    };
    // The manifest, and meanwhile the state that lets the next run skip work.
    let (manifest_json, saved) = rayon::join(
        || -> anyhow::Result<Vec<u8>> {
            let json = serde_json::to_vec_pretty(&manifest).context("serializing the manifest")?;
            model::io::write_atomic(&out.join("manifest.json"), &json)?;
            Ok(json)
        },
        || -> anyhow::Result<()> {
            hashes.save(&hashes_path)?;
            listing.save(&files_path)?;
            let metas = saved_metas.iter().map(|(name, stamp, line)| (name.as_str(), stamp, line.as_slice()));
            metas::save(&metas_path, metas)
        },
    );
    let manifest_json = manifest_json?;
    saved?;
    let manifest_hash = blake3::hash(&manifest_json).to_hex().to_string();
    let manifested = started.elapsed();
    // The archive only on request (`archive = true`); its folder always exists.
    let dist = out.join("dist");
    std::fs::create_dir_all(&dist).with_context(|| format!("creating folder {}", dist.display()))?;
    let archived = if options.archive {
        let (path, copied) = write_archive(out, &options, epoch, &manifest, &manifest_hash)?;
        format!("archive {} ({copied} entries reused)", path.display())
    } else {
        "no archive (archive = false)".to_owned()
    };

    let failed = failed.into_inner();
    model::batch::emit(
        args.events,
        &Event::End { done: manifest.inputs.len(), failed, peak_rss_kb: model::batch::peak_rss_kb() },
    );
    eprintln!(
        "bundle: {} pages, {} articles, {failed} failed, {} files in {:.2}s (pages {:.2}s, assembly {:.2}s, \
         database {:.2}s, hashes {:.2}s, manifest {:.2}s, archive {:.2}s); {archived}",
        manifest.inputs.len(),
        articles,
        manifest.files.len(),
        started.elapsed().as_secs_f64(),
        rendered.as_secs_f64(),
        (assembled - rendered).as_secs_f64(),
        (indexed - assembled).as_secs_f64(),
        (hashed - indexed).as_secs_f64(),
        (manifested - hashed).as_secs_f64(),
        (started.elapsed() - manifested).as_secs_f64(),
    );
    // The run is the process's last work: its large tables (listings, manifest, stat cache,
    // meta lines, layouts, names) are left to the exit rather than freed one allocation at a
    // time, which was a twentieth of a one-page rebuild.
    std::mem::forget((manifest, listing, previous_listing, hashes, metas, saved_metas));
    std::mem::forget((layout, new_layout, article_pages, fragments, exact, articles_before, db_inputs, inputs));
    Ok(failed)
}

/// Packs the manifest's files (less the `archive_skip` folders) and the manifest into
/// `dist/<name>-<date>.zip`; returns its path and how many entries were reused.
fn write_archive(
    out: &Path,
    options: &BundleOptions,
    epoch: i64,
    manifest: &Manifest,
    manifest_hash: &str,
) -> anyhow::Result<(PathBuf, usize)> {
    let prefix = format!("{}-", site::slug(&options.name));
    let stem = format!("{prefix}{}", manifest::date(epoch));
    let dist = out.join("dist");
    let path = dist.join(format!("{stem}.zip"));
    let previous = archive::previous_archive(&dist, &prefix);
    let (y, mo, d, h, mi, s) = manifest::utc(epoch);
    let modified =
        zip::DateTime::from_date_and_time(y.clamp(1980, 2107) as u16, mo as u8, d as u8, h as u8, mi as u8, s as u8)
            .unwrap_or_default();
    let skipped = |relative: &str| {
        let first = relative.split('/').next().unwrap_or_default();
        relative.contains('/') && options.archive_skip.iter().any(|skip| skip == first)
    };
    let files: Vec<(&str, &str)> = manifest
        .files
        .iter()
        .filter(|f| !skipped(&f.path))
        .map(|f| (f.path.as_str(), f.blake3.as_str()))
        .chain(std::iter::once(("manifest.json", manifest_hash)))
        .collect();
    let contents = archive::Contents { out, stem: &stem, files, modified };
    let copied = archive::write(&path, previous.as_deref(), &contents)?;
    Ok((path, copied))
}
