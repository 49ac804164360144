//! The `bundle` binary: all summarized artifacts in, the user-facing bundle out. CLI and glue:
//! it streams the pages one at a time through the library's renderers into temporary files, then
//! renames each into place, hashes everything into `manifest.json` and packs the dated archive.
//!
//! Output root layout: `data/articles.jsonl`, `data/{figures,quotes,people}.csv`,
//! `corpus.sqlite`, `site/…`, `manifest.json`, `dist/<name>-<date>.zip`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bundle::manifest::{self, FileEntry, InputEntry, Manifest};
use bundle::site::{self, DistrictCount, IndexRow, Site, SiteFile};
use bundle::{csv, db};
use clap::Parser;
use model::batch::{self, BatchArgs};
use model::io::TEMP_PREFIX;
use model::options::BundleOptions;

/// Write the dataset, database, site, manifest and archive from summarized pages.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.batch) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(err) => batch::fail_to_start("bundle", &err),
    }
}

/// A file written in pieces into a temporary file beside its destination, renamed into place by
/// `finish`; dropped unfinished, it leaves nothing behind.
struct StreamFile {
    path: PathBuf,
    writer: BufWriter<tempfile::NamedTempFile>,
}

impl StreamFile {
    fn create(path: PathBuf) -> anyhow::Result<StreamFile> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("creating folder {}", dir.display()))?;
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        Ok(StreamFile { path, writer: BufWriter::with_capacity(1 << 16, tmp) })
    }

    fn write(&mut self, text: &str) -> anyhow::Result<()> {
        self.writer.write_all(text.as_bytes()).with_context(|| format!("writing {}", self.path.display()))
    }

    fn finish(self) -> anyhow::Result<()> {
        let path = self.path;
        let tmp = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", path.display()))?;
        tmp.persist(&path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display()))?;
        Ok(())
    }
}

/// Writes one progress event as a JSON line on stdout (`--events`, the protocol of
/// `model::batch`).
fn emit(events: bool, value: serde_json::Value) {
    model::batch::emit(events, &value);
}

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

/// The streamed outputs, open while pages are read.
struct Streams {
    jsonl: StreamFile,
    figures_csv: StreamFile,
    quotes_csv: StreamFile,
    people_csv: StreamFile,
    search_index: StreamFile,
    figures_data: StreamFile,
}

impl Streams {
    fn create(out: &Path) -> anyhow::Result<Streams> {
        let data = out.join("data");
        let site_data = out.join("site").join("data");
        let mut streams = Streams {
            jsonl: StreamFile::create(data.join("articles.jsonl"))?,
            figures_csv: StreamFile::create(data.join("figures.csv"))?,
            quotes_csv: StreamFile::create(data.join("quotes.csv"))?,
            people_csv: StreamFile::create(data.join("people.csv"))?,
            search_index: StreamFile::create(site_data.join("search-index.js"))?,
            figures_data: StreamFile::create(site_data.join("figures-data.js"))?,
        };
        streams.figures_csv.write(&format!("{}{}", csv::BOM, csv::record(csv::FIGURES_HEADER)))?;
        streams.quotes_csv.write(&format!("{}{}", csv::BOM, csv::record(csv::QUOTES_HEADER)))?;
        streams.people_csv.write(&format!("{}{}", csv::BOM, csv::record(csv::PEOPLE_HEADER)))?;
        streams.search_index.write(site::SEARCH_INDEX_HEAD)?;
        streams.figures_data.write(site::FIGURES_DATA_HEAD)?;
        Ok(streams)
    }

    fn add(&mut self, article: &model::Article) -> anyhow::Result<()> {
        self.jsonl.write(&bundle::dataset_line(article))?;
        self.jsonl.write("\n")?;
        self.figures_csv.write(&csv::figure_rows(article))?;
        self.quotes_csv.write(&csv::quote_rows(article))?;
        self.people_csv.write(&csv::people_rows(article))?;
        self.search_index.write(&site::search_entry(article))?;
        self.figures_data.write(&site::figure_entries(article))
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.search_index.write(site::DATA_TAIL)?;
        self.figures_data.write(site::DATA_TAIL)?;
        for file in
            [self.jsonl, self.figures_csv, self.quotes_csv, self.people_csv, self.search_index, self.figures_data]
        {
            file.finish()?;
        }
        Ok(())
    }
}

/// A database under construction: a temporary SQLite file in the output folder, renamed into
/// place (or dropped) at the end.
struct Database {
    tmp: tempfile::TempPath,
    conn: rusqlite::Connection,
}

impl Database {
    /// A fresh database in `dir` with the schema `create` makes.
    fn create(dir: &Path, create: fn(&rusqlite::Connection) -> rusqlite::Result<()>) -> anyhow::Result<Database> {
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(".sqlite")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary database in {}", dir.display()))?
            .into_temp_path();
        let conn = rusqlite::Connection::open(&tmp).with_context(|| format!("opening {}", tmp.display()))?;
        // A fresh file renamed into place at the end: no journal needed while building.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -32768; \
             PRAGMA temp_store = MEMORY; BEGIN;",
        )?;
        create(&conn).context("creating the database schema")?;
        Ok(Database { tmp, conn })
    }

    fn commit(&self) -> anyhow::Result<()> {
        self.conn.execute_batch("COMMIT").context("committing the database")
    }
}

/// Feeds the pages from `pages` into `database` on a thread of its own with `insert`, which
/// numbers articles from 1 in arrival order; commits at the end and hands the database back.
fn spawn_builder(
    database: Database,
    pages: std::sync::mpsc::Receiver<Arc<model::Page>>,
    insert: fn(&rusqlite::Connection, &model::Page, &mut i64) -> rusqlite::Result<()>,
) -> std::thread::JoinHandle<anyhow::Result<Database>> {
    std::thread::spawn(move || {
        let mut next_n = 1;
        for page in pages {
            insert(&database.conn, &page, &mut next_n)
                .with_context(|| format!("adding page {} to the database", page.id))?;
        }
        database.commit()?;
        Ok(database)
    })
}

fn joined(handle: std::thread::JoinHandle<anyhow::Result<Database>>) -> anyhow::Result<Database> {
    handle.join().map_err(|_| anyhow::anyhow!("a database thread panicked"))?
}

/// The whole bundle; returns how many input pages failed.
fn run(args: &BatchArgs) -> anyhow::Result<usize> {
    let options: BundleOptions = args.load_options()?;
    let site = Site::new(read_overrides(&options.templates)?)?;
    let inputs = args.input_paths()?;
    let out = &args.out_dir;
    std::fs::create_dir_all(out).with_context(|| format!("creating output folder {}", out.display()))?;
    let epoch = build_epoch()?;
    let started = std::time::Instant::now();
    emit(args.events, serde_json::json!({"event": "begin", "step": "bundle", "total": inputs.len()}));

    let mut streams = Streams::create(out)?;
    // The database is built on two threads of its own, fed through bounded queues: the tables
    // and the bigram index on one, the trigram index (the costliest part) in a second file on the
    // other, copied in at the end. SQLite's indexing overlaps with rendering the site, and only a
    // few pages are in memory at once.
    let (to_tables, tables_in) = std::sync::mpsc::sync_channel::<Arc<model::Page>>(8);
    let (to_trigrams, trigrams_in) = std::sync::mpsc::sync_channel::<Arc<model::Page>>(8);
    let tables = Database::create(out, |conn| {
        db::create_schema(conn)?;
        db::tune_for_bulk_load(conn, &["articles_bigrams"])
    })?;
    let trigrams = Database::create(out, |conn| {
        db::create_trigram_schema(conn)?;
        db::tune_for_bulk_load(conn, &["articles_fts"])
    })?;
    let tables_thread = spawn_builder(tables, tables_in, db::insert_page);
    let trigrams_thread = spawn_builder(trigrams, trigrams_in, db::insert_trigram_page);
    let articles_dir = out.join("site").join("articles");
    let mut written_pages: BTreeSet<String> = BTreeSet::new();
    let mut index_rows: Vec<IndexRow> = Vec::new();
    let mut counts: BTreeMap<String, DistrictCount> = BTreeMap::new();
    let mut input_entries: Vec<InputEntry> = Vec::new();
    let mut failed = 0;

    for input in &inputs {
        let Some(page) = model::batch::read_combined_input("bundle", args.events, input) else {
            failed += 1;
            continue;
        };
        emit(args.events, serde_json::json!({"event": "page", "page": page.id, "ok": true}));
        input_entries.push(InputEntry {
            page: page.id.clone(),
            file: page.source.file.clone(),
            bytes: page.source.bytes,
            blake3: page.source.blake3.clone(),
        });
        for article in &page.articles {
            streams.add(article)?;
            let file_name = format!("{}.html", site::slug(&article.id));
            model::io::write_atomic(&articles_dir.join(&file_name), site.article_page(article)?.as_bytes())?;
            written_pages.insert(file_name);
            let count = counts.entry(article.district.clone().unwrap_or_default()).or_default();
            count.articles += 1;
            count.figures += article.figures.len();
            index_rows.push(IndexRow::new(article));
        }
        let page = Arc::new(page);
        if to_tables.send(Arc::clone(&page)).is_err() || to_trigrams.send(page).is_err() {
            // A database thread stopped early; its error is reported below.
            break;
        }
    }
    drop((to_tables, to_trigrams));
    streams.finish()?;
    let streamed = started.elapsed();
    let tables = joined(tables_thread)?;
    let trigrams = joined(trigrams_thread)?;
    trigrams.conn.close().map_err(|(_, e)| e).context("closing the trigram database")?;
    db::copy_trigram_index(&tables.conn, &trigrams.tmp).context("copying the trigram index")?;
    db::finish(&tables.conn).context("finishing the database")?;
    // Readers get the default rollback journal back.
    tables.conn.execute_batch("PRAGMA journal_mode = DELETE").context("finishing the database")?;
    tables.conn.close().map_err(|(_, e)| e).context("closing the database")?;
    let database_path = out.join("corpus.sqlite");
    tables
        .tmp
        .persist(&database_path)
        .map_err(|e| e.error)
        .with_context(|| format!("renaming into {}", database_path.display()))?;
    let indexed = started.elapsed();
    remove_stale_pages(&articles_dir, &written_pages)?;

    let site_dir = out.join("site");
    let chart = site::chart_svg(&counts);
    model::io::write_atomic(&site_dir.join("chart.svg"), chart.as_bytes())?;
    model::io::write_atomic(
        &site_dir.join("index.html"),
        site.index_page(&index_rows, &chart, input_entries.len())?.as_bytes(),
    )?;
    model::io::write_atomic(&site_dir.join("search.html"), site.search_page()?.as_bytes())?;
    model::io::write_atomic(&site_dir.join("figures.html"), site.figures_page()?.as_bytes())?;
    for (name, text) in site.assets() {
        model::io::write_atomic(&site_dir.join("assets").join(name), text.as_bytes())?;
    }

    let files = hash_tree(out)?;
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
    let manifest_json = serde_json::to_vec_pretty(&manifest).context("serializing the manifest")?;
    model::io::write_atomic(&out.join("manifest.json"), &manifest_json)?;
    let archive = write_archive(out, &options, epoch, &manifest)?;

    emit(args.events, serde_json::json!({"event": "end", "done": manifest.inputs.len(), "failed": failed}));
    eprintln!(
        "bundle: {} pages, {} articles, {} failed, {} files in {:.2}s (pages {:.2}s, full-text {:.2}s, hashes {:.2}s, \
         archive {:.2}s); archive {}",
        manifest.inputs.len(),
        index_rows.len(),
        failed,
        manifest.files.len(),
        started.elapsed().as_secs_f64(),
        streamed.as_secs_f64(),
        (indexed - streamed).as_secs_f64(),
        (hashed - indexed).as_secs_f64(),
        (started.elapsed() - hashed).as_secs_f64(),
        archive.display()
    );
    Ok(failed)
}

/// Deletes article pages of earlier runs that this run did not write.
fn remove_stale_pages(dir: &Path, written: &BTreeSet<String>) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".html") && !written.contains(name) {
            std::fs::remove_file(&path).with_context(|| format!("removing stale {}", path.display()))?;
        }
    }
    Ok(())
}

/// Whether a path relative to the output root belongs in the manifest: not the pipeline's
/// state, locks, run logs or archives (`.state/`, `.lock`, `runs/`, `dist/`; hidden files in
/// general), not a temporary file, not the manifest itself.
fn in_manifest(relative: &str) -> bool {
    let first = relative.split('/').next().unwrap_or_default();
    let hidden = relative.split('/').any(|part| part.starts_with('.'));
    !hidden && !matches!(first, "dist" | "runs") && relative != "manifest.json"
}

/// Every file under `root` that belongs in the manifest, sorted, with size and blake3.
fn hash_tree(root: &Path) -> anyhow::Result<Vec<FileEntry>> {
    let mut entries = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
            let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
            let path = entry.path();
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if !in_manifest(&relative) {
                continue;
            }
            let file_type = entry.file_type().with_context(|| format!("reading {}", path.display()))?;
            if file_type.is_dir() {
                stack.push(path);
            } else if file_type.is_file() {
                let (bytes, hash) = hash_file(&path)?;
                entries.push(FileEntry { path: relative, bytes, blake3: hash });
            }
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// Size and blake3 (hex) of a file, read in a stream.
fn hash_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(file).with_context(|| format!("hashing {}", path.display()))?;
    let bytes = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    Ok((bytes, hasher.finalize().to_hex().to_string()))
}

/// Packs the manifest's files (less the `archive_skip` folders) and the manifest into
/// `dist/<name>-<date>.zip`, atomically.
fn write_archive(out: &Path, options: &BundleOptions, epoch: i64, manifest: &Manifest) -> anyhow::Result<PathBuf> {
    let stem = format!("{}-{}", site::slug(&options.name), manifest::date(epoch));
    let dist = out.join("dist");
    std::fs::create_dir_all(&dist).with_context(|| format!("creating folder {}", dist.display()))?;
    let path = dist.join(format!("{stem}.zip"));
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(&dist)
        .with_context(|| format!("creating a temporary file in {}", dist.display()))?;
    let (y, mo, d, h, mi, s) = manifest::utc(epoch);
    let modified =
        zip::DateTime::from_date_and_time(y.clamp(1980, 2107) as u16, mo as u8, d as u8, h as u8, mi as u8, s as u8)
            .unwrap_or_default();
    let file_options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // Fast deflate: the archive is for handing over, and level 1 is several times faster.
        .compression_level(Some(1))
        .last_modified_time(modified)
        .unix_permissions(0o644)
        .large_file(true);
    {
        let mut writer = zip::ZipWriter::new(BufWriter::new(tmp.as_file_mut()));
        let skipped = |relative: &str| {
            let first = relative.split('/').next().unwrap_or_default();
            relative.contains('/') && options.archive_skip.iter().any(|skip| skip == first)
        };
        let names = manifest
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|relative| !skipped(relative))
            .chain(std::iter::once("manifest.json"));
        for relative in names {
            writer
                .start_file(format!("{stem}/{relative}"), file_options)
                .with_context(|| format!("adding {relative} to {}", path.display()))?;
            let mut file = std::fs::File::open(out.join(relative))
                .with_context(|| format!("opening {}", out.join(relative).display()))?;
            std::io::copy(&mut file, &mut writer)
                .with_context(|| format!("adding {relative} to {}", path.display()))?;
        }
        let mut buffered = writer.finish().with_context(|| format!("writing {}", path.display()))?;
        buffered.flush().with_context(|| format!("writing {}", path.display()))?;
    }
    tmp.persist(&path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(path)
}
