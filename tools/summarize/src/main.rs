//! The `summarize` binary. CLI and glue only:
//!
//! - `summarize -o OUT INPUTS...`: per page, sets every article's summary (batch mode).
//! - `summarize briefing -o OUT_BRIEFING INPUTS...`: renders each page's article briefs on all
//!   worker threads and writes `articles/<id>.md`, then `districts/<district>.md` and
//!   `corpus.md` under the output folder. Each page's share of the district and corpus
//!   briefings is cached (`cache`: one log and an index in `OUT_BRIEFING/.cache/`) with the
//!   page's hash, so a rebuild renders only the pages that changed (or all, when the binary,
//!   options or templates did) and gathers the rest; the district profiles and `corpus.md` are
//!   copied from their last version where it holds their pieces (`layout`). A file whose text is
//!   already on disk is not written again. Progress goes out on the batch event protocol.
//!
//! Templates come from the `templates` option's folder (file by file over the built-in ones).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use model::batch::{self, BatchArgs};
use model::options::SummarizeOptions;
use rayon::prelude::*;
mod cache;
mod layout;

use summarize::assembly::{Assembly, Output};
use summarize::briefing::{
    ArticleRows, Briefings, Corpus, TemplateSource, article_rows_with, keep_key_figure_candidates, slug, summary_of,
};

/// Summarize articles (per page), or render briefings (`summarize briefing ...`).
#[derive(Parser)]
#[command(version, after_help = "Run `summarize briefing --help` for the combined briefing step.")]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

/// Render the Markdown briefings (article briefs, district profiles, corpus briefing) from
/// summarized pages into the output folder.
#[derive(Parser)]
#[command(name = "summarize briefing", version)]
struct BriefingCli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "briefing") {
        args.remove(1);
        let cli = BriefingCli::parse_from(args);
        return match briefing(&cli.batch) {
            Ok(0) => ExitCode::SUCCESS,
            Ok(_) => ExitCode::from(1),
            Err(err) => batch::fail_to_start("summarize briefing", &err),
        };
    }
    let cli = Cli::parse_from(args);
    let options: SummarizeOptions = match cli.batch.load_options() {
        Ok(options) => options,
        Err(err) => return batch::fail_to_start("summarize", &err),
    };
    batch::run_artifacts("summarize", &cli.batch, |page| Ok(summarize::summarize_page(page, &options)))
}

/// The user's Markdown templates, which override the built-in ones by file name.
fn read_overrides(dir: &Path) -> anyhow::Result<Vec<TemplateSource>> {
    model::io::read_template_dir(dir, |name| name.ends_with(".md"))
}

/// Deletes the files of an earlier run (`*.<extension>` in `dir`) that this run did not keep.
fn remove_stale(dir: &Path, extension: &str, written: &HashSet<PathBuf>) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        if path.extension().is_some_and(|e| e == extension) && !written.contains(&path) {
            std::fs::remove_file(&path).with_context(|| format!("removing stale {}", path.display()))?;
        }
    }
    Ok(())
}

/// The brief files in `dir` as `articles/<name>` (how a cache names them): one listing instead of
/// a `stat` per brief (45,000 at 10,000 pages).
fn list_briefs(dir: &Path) -> HashSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return HashSet::new() };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .map(|name| format!("articles/{name}"))
        .collect()
}

/// A folder's stamp (as `cache::Entry::stamp`): any file made, renamed or removed in it changes
/// its mtime.
fn dir_stamp(dir: &Path) -> Option<cache::Stamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).ok()?;
    Some((meta.len(), i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()), meta.ino()))
}

/// `dir_stamp`, when the folder's mtime is far enough in the past that a change made after now
/// cannot leave it the same (timestamps are taken at a clock tick, a few milliseconds, not at
/// the nanosecond they show); else `None`, and the next run lists the folder.
fn settled_dir_stamp(dir: &Path) -> Option<cache::Stamp> {
    let modified = std::fs::metadata(dir).and_then(|m| m.modified()).ok()?;
    let age = std::time::SystemTime::now().duration_since(modified).ok()?;
    (age >= std::time::Duration::from_millis(50)).then(|| dir_stamp(dir)).flatten()
}

/// The briefs on disk at the start of a run: listed, or, when the folder is as the last run
/// (with no failed page) left it, the briefs that run recorded, without listing 45,000 files.
enum Existing {
    Listed(HashSet<String>),
    AsLeft,
}

impl Existing {
    fn contains(&self, brief: &str) -> bool {
        match self {
            Existing::Listed(listed) => listed.contains(brief),
            // Only asked about briefs of the last run's entries, which are all there.
            Existing::AsLeft => true,
        }
    }
}

/// The digest each district profile was last rendered from (`slug TAB digest` lines).
fn read_digests(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(slug, digest)| (slug.to_owned(), digest.to_owned()))
        .collect()
}

/// Emits `events` (`batch::emit`) in one write: a write per page was 10,000 system calls here
/// and as many wake-ups of the reader.
fn emit_all(events: bool, lines: &[batch::Event]) {
    use std::io::Write;
    if !events || lines.is_empty() {
        return;
    }
    batch::exit_when_orphaned();
    let mut text = String::new();
    for line in lines {
        if let Ok(line) = serde_json::to_string(line) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
        std::process::exit(batch::EXIT_ORPHANED);
    }
}

/// Pages read (or rendered) together on the worker threads before their rows are gathered.
const CHUNK_PAGES: usize = 256;

/// Bumped when what the cache holds changes (with `cache::VERSION`).
const CACHE_VERSION: &str = "briefing-cache-7";

/// One page's share of the briefings in this run: its entry for the cache index, and either
/// its record (when the briefings are assembled from parts: its head read from the log, or all
/// of it just made) or its rows (when they are rendered whole); `fresh` when the record is new,
/// to be appended to the cache's log.
struct PageShare {
    entry: cache::Entry,
    rows: Vec<ArticleRows>,
    record: Vec<u8>,
    fresh: bool,
}

/// What makes the cache valid: this binary, the options and the templates. The binary's hash
/// (25 MB read and hashed every run) is remembered in `cache_dir` by the binary's stamp (size,
/// mtime, inode, as the cache remembers its inputs).
fn cache_key(options: &SummarizeOptions, overrides: &[TemplateSource], cache_dir: &Path) -> anyhow::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(CACHE_VERSION.as_bytes());
    let exe = std::env::current_exe().context("finding the summarize binary")?;
    hasher.update(binary_hash(&exe, &cache_dir.join("binary.txt"))?.as_bytes());
    hasher.update(serde_json::to_string(options).unwrap_or_default().as_bytes());
    for file in overrides {
        hasher.update(file.name.as_bytes());
        hasher.update(&[0]);
        hasher.update(file.source.as_bytes());
        hasher.update(&[0]);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// The hash of the file at `exe`, from `remembered` (`stamp TAB hash`) when its stamp is the one
/// there, else hashed and remembered.
fn binary_hash(exe: &Path, remembered: &Path) -> anyhow::Result<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(exe).with_context(|| format!("reading {}", exe.display()))?;
    let stamp = format!("{} {} {} {}", meta.len(), meta.mtime(), meta.mtime_nsec(), meta.ino());
    let known = std::fs::read_to_string(remembered).unwrap_or_default();
    if let Some((known_stamp, hash)) = known.trim_end().split_once('\t')
        && known_stamp == stamp
        && hash.len() == 64
    {
        return Ok(hash.to_owned());
    }
    let file = std::fs::File::open(exe).with_context(|| format!("opening {}", exe.display()))?;
    let hash = blake3::Hasher::new()
        .update_reader(file)
        .with_context(|| format!("hashing {}", exe.display()))?
        .finalize()
        .to_hex()
        .to_string();
    model::io::write_atomic(remembered, format!("{stamp}\t{hash}\n").as_bytes())?;
    Ok(hash)
}

/// Writes `bytes` to `path` unless the file already holds exactly them: a rewrite is a new
/// file (written beside it and renamed), and creating one costs more than reading the old one.
fn write_if_changed(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let same = std::fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes);
    if same { Ok(()) } else { model::io::write_atomic(path, bytes) }
}

/// One page of the briefing step: its cached rows when the page and key are unchanged, else
/// its briefs rendered and written and its rows to be cached.
fn briefing_page(
    input: &Path,
    out: &Path,
    cache: &cache::Cache,
    briefings: &Briefings,
    options: &SummarizeOptions,
    existing: &Existing,
) -> anyhow::Result<PageShare> {
    let stamp_of = |path: &Path| -> anyhow::Result<(u64, i128, u64)> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        Ok((meta.len(), i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()), meta.ino()))
    };
    let id = model::io::page_id(input);
    let stamp = stamp_of(input)?;
    let cached = cache.previous(&id).filter(|e| e.briefs.iter().all(|b| existing.contains(b)));
    // What a cached page brings: its record's bytes when assembling, else its rows.
    let reuse = |entry: &cache::Entry| -> Option<(Vec<ArticleRows>, Vec<u8>)> {
        if briefings.assembled() {
            cache.read_meta(&id, entry).map(|head| (Vec::new(), head))
        } else {
            cache.read(&id, entry).map(|rows| (rows, Vec::new()))
        }
    };
    if let Some(entry) = cached.filter(|e| e.stamp == stamp)
        && let Some((rows, record)) = reuse(entry)
    {
        return Ok(PageShare { entry: entry.clone(), rows, record, fresh: false });
    }
    let bytes = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let hash = blake3::hash(&bytes).to_hex().to_string();
    if let Some(entry) = cached.filter(|e| e.input == hash)
        && let Some((rows, record)) = reuse(entry)
    {
        // Same contents, touched file: remember the new stamp.
        let entry = cache::Entry { stamp, ..entry.clone() };
        return Ok(PageShare { entry, rows, record, fresh: false });
    }
    let (_step, page) = model::wire::decode(&bytes).with_context(|| format!("{}", input.display()))?;
    let mut briefs = Vec::new();
    let mut rows = Vec::new();
    for article in &page.articles {
        let summary = summary_of(article, options.sentences);
        let events = summarize::events::article_events(article);
        let brief = briefings.article_brief_with(article, &summary, &events)?;
        let relative = format!("articles/{}.md", slug(&article.id));
        write_if_changed(&out.join(&relative), brief.as_bytes())?;
        briefs.push(relative);
        let summary = (!summary.is_empty()).then(|| summary.concat());
        rows.push(article_rows_with(article, summary.as_deref(), events));
    }
    // Only the figures that could be a district's key figures are cached (most are not).
    keep_key_figure_candidates(&mut rows);
    for row in &mut rows {
        briefings.render_parts(row)?;
    }
    let (record, head) = cache::Cache::record(&id, &hash, &rows)?;
    if briefings.assembled() {
        // The record holds all the rows are needed for.
        rows = Vec::new();
    }
    let entry = cache::Entry { input: hash, stamp, briefs: briefs.into(), offset: 0, len: 0, head };
    Ok(PageShare { entry, rows, record, fresh: true })
}

/// The bodies of the records this run's outputs are assembled from (`records`: input hash,
/// body offset, body length, head), read from the log only for the parts an old output does not
/// hold, each checked against its record's hash once (`cache::Damaged` when it is not); the
/// bodies of the records made in this run are here from the start. Shared by the threads that
/// write the outputs.
struct Bodies<'r> {
    records: &'r [(String, u64, u64, Vec<u8>)],
    /// Indexes into `records`, by body offset.
    by_offset: Vec<usize>,
    loaded: std::sync::Mutex<HashMap<u64, Vec<u8>>>,
}

impl<'r> Bodies<'r> {
    fn new(records: &'r [(String, u64, u64, Vec<u8>)], loaded: HashMap<u64, Vec<u8>>) -> Self {
        let mut by_offset: Vec<usize> = (0..records.len()).collect();
        by_offset.sort_unstable_by_key(|&i| records[i].1);
        Bodies { records, by_offset, loaded: std::sync::Mutex::new(loaded) }
    }

    /// The record whose body holds `offset`: (body offset, body length, head).
    fn record(&self, offset: u64) -> Option<(u64, u64, &'r [u8])> {
        let at = self.by_offset.partition_point(|&i| self.records[i].1 <= offset);
        let &(_, start, len, ref head) = &self.records[*self.by_offset.get(at.checked_sub(1)?)?];
        (offset < start + len).then_some((start, len, head.as_slice()))
    }

    /// Runs `f` on the body of the record holding `offset` (read and checked once) and its
    /// offset.
    fn with_body<T>(
        &self,
        cache: &cache::Cache,
        offset: u64,
        f: impl FnOnce(u64, &[u8]) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let damaged = || cache::Damaged(format!("no record holds offset {offset}"));
        let (start, len, head) = self.record(offset).ok_or_else(damaged)?;
        let mut loaded = self.loaded.lock().map_err(|_| anyhow::anyhow!("a briefing thread failed"))?;
        let body = match loaded.entry(start) {
            std::collections::hash_map::Entry::Occupied(body) => body.into_mut(),
            std::collections::hash_map::Entry::Vacant(place) => {
                let body = cache.read_at(start, usize::try_from(len)?)?;
                if !cache::Cache::body_is(head, &body) {
                    return Err(cache::Damaged(format!("the record at {start} does not match its hash")).into());
                }
                place.insert(body)
            }
        };
        f(start, body.as_slice())
    }

    /// Writes `len` bytes of the log at `offset` (within records' bodies) to `out`.
    fn copy(&self, cache: &cache::Cache, offset: u64, len: u64, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
        let (mut offset, end) = (offset, offset + len);
        while offset < end {
            offset += self.with_body(cache, offset, |start, body| {
                let from = usize::try_from(offset - start)?;
                let to = usize::try_from((end - start).min(body.len() as u64))?;
                let bytes = body
                    .get(from..to)
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| cache::Damaged(format!("offset {offset}")))?;
                out.write_all(bytes).context("writing a briefing")?;
                Ok(bytes.len() as u64)
            })?;
        }
        Ok(())
    }

    /// `len` bytes of the log at `offset`: key-figure lines, checked against `hash`.
    fn line(&self, cache: &cache::Cache, offset: u64, len: usize, hash: u64) -> anyhow::Result<Vec<u8>> {
        let here = |start: u64| -> Option<Vec<u8>> {
            let loaded = self.loaded.lock().ok()?;
            let from = usize::try_from(offset - start).ok()?;
            loaded.get(&start).and_then(|body| body.get(from..from + len)).map(<[u8]>::to_vec)
        };
        let bytes = match self.record(offset).and_then(|(start, _, _)| here(start)) {
            Some(bytes) => bytes,
            None => cache.read_at(offset, len)?,
        };
        if !cache::Cache::line_is(&bytes, hash) {
            return Err(cache::Damaged(format!("the key-figure lines at {offset} do not match their hash")).into());
        }
        Ok(bytes)
    }
}

/// Reads a part for an output rendered whole (`Briefings::assembled_profile`), remembering in
/// `damaged` why it could not.
fn read_part(
    cache: &cache::Cache,
    bodies: &Bodies<'_>,
    offset: u64,
    len: u32,
    damaged: &mut Option<anyhow::Error>,
) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Err(err) = bodies.copy(cache, offset, u64::from(len), &mut bytes) {
        damaged.get_or_insert(err);
    }
    bytes
}

/// A file's stamp (as `cache::Entry::stamp`).
fn file_stamp(path: &Path) -> Option<cache::Stamp> {
    dir_stamp(path)
}

/// Writes `output` to `out/relative` unless the file already holds exactly it, copying from
/// the file there what its layout (`old`, when still valid) says it holds; returns the file's
/// new layout.
fn write_output(
    out: &Path,
    relative: &str,
    output: &Output<'_>,
    old: Option<&layout::FileLayout>,
    cache: &cache::Cache,
    bodies: &Bodies<'_>,
) -> anyhow::Result<layout::FileLayout> {
    use std::io::Read;
    let path = out.join(relative);
    let current = file_stamp(&path);
    let old = old.filter(|old| current == Some(old.stamp));
    let (ops, elems) = layout::plan(output.segments(), old);
    if let (Some(old), Some(_)) = (old, current)
        && layout::unchanged(&ops, old.stamp.0)
    {
        return Ok(layout::FileLayout { stamp: old.stamp, elems });
    }
    let mut log = |offset: u64, len: u64, out: &mut dyn std::io::Write| bodies.copy(cache, offset, len, out);
    // Without a layout, the file is compared with what it would be (a rewrite of an unchanged
    // file makes the next steps hash it again).
    let len = output.len() as u64;
    if old.is_none() && current.is_some_and(|c| c.0 == len) {
        let same = std::fs::File::open(&path).is_ok_and(|file| {
            let mut old = std::io::BufReader::with_capacity(1 << 20, file);
            let mut buffer = Vec::new();
            let mut expected = Vec::new();
            ops.iter().all(|op| {
                expected.clear();
                let bytes: &[u8] = match *op {
                    layout::Op::Bytes(bytes) => bytes,
                    layout::Op::Log { offset, len } => {
                        if log(offset, len, &mut expected).is_err() {
                            return false;
                        }
                        &expected
                    }
                    layout::Op::Copy { .. } => return false,
                };
                buffer.resize(bytes.len(), 0);
                old.read_exact(&mut buffer).is_ok() && buffer == bytes
            })
        });
        if same && let Some(stamp) = current {
            return Ok(layout::FileLayout { stamp, elems });
        }
    }
    let old_file = match old {
        Some(_) => Some(std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?),
        None => None,
    };
    layout::write(&path, &ops, old_file.as_ref(), &mut log)?;
    let stamp = file_stamp(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(layout::FileLayout { stamp, elems })
}

/// The combined briefing step; returns the number of pages that failed. A cache found damaged
/// while the outputs are written (a record that does not match its hash) is dropped and the
/// step runs again, rendering every page, without telling its progress twice.
fn briefing(args: &BatchArgs) -> anyhow::Result<usize> {
    match briefing_run(args, true) {
        Err(err) if err.downcast_ref::<cache::Damaged>().is_some() => {
            let dir = args.out_dir.join(".cache");
            if !args.events {
                eprintln!(
                    "summarize briefing: the cache in {} is damaged ({err:#}); rendering every page",
                    dir.display()
                );
            }
            for name in ["index.bin", layout::FILE] {
                match std::fs::remove_file(dir.join(name)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(e).with_context(|| format!("removing {}", dir.join(name).display()));
                    }
                    _ => {}
                }
            }
            briefing_run(args, false)
        }
        result => result,
    }
}

/// One run of the briefing step; `first` when its progress has not been told yet.
fn briefing_run(args: &BatchArgs, first: bool) -> anyhow::Result<usize> {
    let events = args.events && first;
    let options: SummarizeOptions = args.load_options()?;
    let overrides = read_overrides(&options.templates)?;
    let out = &args.out_dir;
    let key = cache_key(&options, &overrides, &out.join(".cache"))?;
    let briefings = Briefings::new(overrides)?;
    let inputs = args.input_paths()?;
    batch::emit(events, &batch::Event::Begin { step: "summarize-briefing".into(), total: inputs.len() });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| anyhow::anyhow!("starting worker threads: {e}"))?;
    let mut cache = cache::Cache::open(&out.join(".cache"), &key)?;
    let briefs_dir = out.join("articles");
    let existing = match cache.previous_briefs_dir() {
        Some(stamp) if dir_stamp(&briefs_dir) == Some(stamp) => Existing::AsLeft,
        _ => Existing::Listed(list_briefs(&briefs_dir)),
    };
    let mut failed = 0;
    let mut corpus = Corpus::default();
    // The heads of the pages' records, in input order, with their input hashes and where their
    // bodies are in the log (assembled briefings); the bodies of those made in this run.
    let mut records: Vec<(String, u64, u64, Vec<u8>)> = Vec::new();
    let mut fresh_bodies: HashMap<u64, Vec<u8>> = HashMap::new();
    let mut digests: BTreeMap<String, blake3::Hasher> = BTreeMap::new();
    let mut digest = |district: &str, input_hash: &str| {
        // A district's profile is made from its rows, which its pages' artifacts decide.
        if !digests.contains_key(district) {
            let mut hasher = blake3::Hasher::new();
            hasher.update(key.as_bytes());
            digests.insert(district.to_owned(), hasher);
        }
        if let Some(digest) = digests.get_mut(district) {
            digest.update(input_hash.as_bytes());
        }
    };
    // A chunk of pages at a time, gathered in input order as it comes: only one chunk's rows are
    // held besides what the corpus keeps of them.
    for chunk in inputs.chunks(CHUNK_PAGES) {
        let (pages, page_events): (Vec<Option<PageShare>>, Vec<batch::Event>) = pool.install(|| {
            chunk
                .par_iter()
                .map(|input| {
                    let started = std::time::Instant::now();
                    let id = model::io::page_id(input);
                    let result = briefing_page(input, out, &cache, &briefings, &options, &existing);
                    let ms = Some(started.elapsed().as_millis() as u64);
                    match result {
                        Ok(page) => (Some(page), batch::Event::page_ok(&id, ms)),
                        Err(err) => {
                            let message = format!("{err:#}");
                            if !args.events {
                                eprintln!("summarize briefing: error: {message}");
                            }
                            (None, batch::Event::page_failed(&id, message, ms))
                        }
                    }
                })
                .unzip()
        });
        emit_all(events, &page_events);
        for (input, page) in chunk.iter().zip(pages) {
            let Some(page) = page else {
                failed += 1;
                continue;
            };
            corpus.page_count += 1;
            let mut entry = page.entry;
            if page.fresh {
                (entry.offset, entry.len) = cache.append(&page.record)?;
            }
            let input_hash = entry.input.clone();
            let (head_len, body, body_len) = (entry.head, entry.offset + entry.head, entry.len - entry.head);
            cache.keep(model::io::page_id(input), entry);
            for rows in page.rows {
                digest(&rows.district, &input_hash);
                corpus.add_rows(rows);
            }
            if briefings.assembled() {
                let mut record = page.record;
                let head_len = usize::try_from(head_len).unwrap_or(usize::MAX).min(record.len());
                let head = if page.fresh {
                    // The body stays in the record's buffer, the head is copied out.
                    let head = record[..head_len].to_vec();
                    record.drain(..head_len);
                    fresh_bodies.insert(body, record);
                    head
                } else {
                    record
                };
                records.push((input_hash, body, body_len, head));
            }
        }
    }
    let mut assembly = Assembly::default();
    assembly.page_count = corpus.page_count;
    for (input_hash, body, body_len, head) in &records {
        cache::Cache::feed(head, *body, *body_len, &mut assembly, |district| digest(district, input_hash))
            .context("reading back the briefing cache's records")?;
    }
    let bodies = Bodies::new(&records, fresh_bodies);
    let layouts_path = out.join(".cache").join(layout::FILE);
    let mut layouts = layout::Layouts::load(&layouts_path);
    if !cache.reused() || layouts.generation != cache.generation() {
        layouts.files.clear();
    }
    let mut new_layouts = layout::Layouts::default();
    // A profile whose rows came from the same artifacts as last time is not rendered again.
    let digests_path = out.join(".cache").join("districts.tsv");
    let previous = read_digests(&digests_path);
    let mut made = BTreeMap::new();
    let mut written: HashSet<PathBuf> = HashSet::new();
    let mut profile = |name: &str, slug: &str| -> anyhow::Result<Option<PathBuf>> {
        let digest = digests.get(name).map(|h| h.finalize().to_hex().to_string()).unwrap_or_default();
        let path = out.join("districts").join(format!("{slug}.md"));
        let stale = previous.get(slug) != Some(&digest) || !path.is_file();
        made.insert(slug.to_owned(), digest);
        written.insert(path.clone());
        Ok(stale.then_some(path))
    };
    if briefings.assembled() {
        let mut render: Vec<(&str, PathBuf)> = Vec::new();
        for district in assembly.districts() {
            if let Some(path) = profile(district.name, &district.slug)? {
                render.push((district.name, path));
            }
        }
        // The lines of the key figures shown: in the profiles rendered and in corpus.md.
        let names: HashSet<&str> = render.iter().map(|(name, _)| *name).collect();
        for (offset, len, hash) in assembly.figure_reads(|d| names.contains(d.name)) {
            assembly.fetched(offset, bodies.line(&cache, offset, len, hash)?);
        }
        // The profiles on one thread, corpus.md on another (the largest profile and corpus.md
        // are most of the bytes).
        let assembly = &assembly;
        let districts = assembly.districts();
        let (profiles, corpus_md) = pool.install(|| {
            rayon::join(
                || -> anyhow::Result<Vec<(String, layout::FileLayout)>> {
                    let mut written = Vec::new();
                    for (name, path) in &render {
                        let Some(district) = districts.iter().find(|d| d.name == *name) else { continue };
                        let file = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                        let relative = format!("districts/{file}");
                        let mut damaged = None;
                        let mut read = |offset: u64, len: u32| read_part(&cache, &bodies, offset, len, &mut damaged);
                        let output = briefings.assembled_profile(assembly, district, &mut read)?;
                        if let Some(err) = damaged.take() {
                            return Err(err);
                        }
                        let old = layouts.files.get(&relative);
                        written.push((relative.clone(), write_output(out, &relative, &output, old, &cache, &bodies)?));
                    }
                    Ok(written)
                },
                || -> anyhow::Result<layout::FileLayout> {
                    let mut damaged = None;
                    let mut read = |offset: u64, len: u32| read_part(&cache, &bodies, offset, len, &mut damaged);
                    let output = briefings.assembled_corpus(assembly, &mut read)?;
                    if let Some(err) = damaged.take() {
                        return Err(err);
                    }
                    write_output(out, "corpus.md", &output, layouts.files.get("corpus.md"), &cache, &bodies)
                },
            )
        });
        // A damaged cache on either thread is what the caller starts over for.
        let (profiles, corpus_md) = match (profiles, corpus_md) {
            (Err(err), _) | (_, Err(err)) => return Err(err),
            (Ok(profiles), Ok(corpus_md)) => (profiles, corpus_md),
        };
        new_layouts.files.extend(profiles);
        new_layouts.files.insert("corpus.md".to_owned(), corpus_md);
        // The profiles not rendered again keep their layouts.
        for district in &districts {
            let relative = format!("districts/{}.md", district.slug);
            if let Some(old) = layouts.files.remove(&relative) {
                new_layouts.files.entry(relative).or_insert(old);
            }
        }
    } else {
        for (name, district) in &corpus.districts {
            if let Some(path) = profile(name, &district.slug)? {
                write_if_changed(&path, briefings.district_profile(district)?.as_bytes())?;
            }
        }
    }
    let lines: String = made.iter().map(|(slug, digest)| format!("{slug}\t{digest}\n")).collect();
    model::io::write_atomic(&digests_path, lines.as_bytes())?;
    // The briefs there at the start that this run did not write (a listing of every brief is
    // not made twice; with the folder as the last run left it, only those its entries named and
    // this run's entries for the same pages do not can be, and usually there are none).
    let stale: Vec<&String> = match &existing {
        Existing::Listed(listed) => listed.iter().collect(),
        Existing::AsLeft => cache.dropped_briefs().collect(),
    };
    let briefs_written: HashSet<&str> =
        if stale.is_empty() { HashSet::new() } else { cache.kept_briefs().map(String::as_str).collect() };
    for stale in stale
        .into_iter()
        .filter(|b| Path::new(b).extension().is_some_and(|e| e == "md") && !briefs_written.contains(b.as_str()))
    {
        let path = out.join(stale);
        match std::fs::remove_file(&path) {
            // Two pages of the last run may have named the same brief.
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(err).with_context(|| format!("removing stale {}", path.display()));
            }
            _ => {}
        }
    }
    cache.set_briefs_dir(if failed == 0 { settled_dir_stamp(&briefs_dir) } else { None });
    remove_stale(&out.join("districts"), "md", &written)?;
    if !briefings.assembled() {
        write_if_changed(&out.join("corpus.md"), briefings.corpus_briefing(&corpus)?.as_bytes())?;
    }
    let (generation, moved) = cache.finish()?;
    if briefings.assembled() {
        new_layouts.generation = generation;
        if !moved.is_empty() {
            new_layouts.translate(&moved);
        }
        new_layouts.save(&layouts_path)?;
    }
    let (article_count, district_count) = if briefings.assembled() {
        (assembly.article_count, assembly.districts().len())
    } else {
        (corpus.article_count, corpus.districts.len())
    };
    batch::emit(args.events, &batch::Event::End { done: corpus.page_count, failed, peak_rss_kb: batch::peak_rss_kb() });
    if !args.events {
        eprintln!(
            "summarize briefing: {} pages, {article_count} articles, {district_count} districts, {failed} failed, output in {}",
            corpus.page_count,
            out.display()
        );
    }
    // The process exits next: freeing every row one by one (a tenth of a rebuild's time at
    // 10,000 pages) would only delay it.
    std::mem::forget(assembly);
    std::mem::forget(bodies);
    std::mem::forget(records);
    std::mem::forget(corpus);
    Ok(failed)
}
