//! The batch driver every per-page step binary shares: one process for a whole batch of pages,
//! spread over a thread pool, each output written atomically, one failing page never stopping
//! the others.
//!
//! A step's `main.rs` parses `BatchArgs` (flattened into its own clap parser), loads its options
//! and dictionaries once, then hands `run_pages` a closure from input bytes to a `Page`.
//!
//! With `--events`, progress goes to stdout as JSON lines, the protocol `xtask` reads:
//!
//! ```text
//! {"event":"begin","step":"clean","total":5}
//! {"event":"page","page":"000_be56…","ok":true,"ms":3}
//! {"event":"page","page":"001_5f3f…","ok":false,"error":"…"}
//! {"event":"end","done":4,"failed":1}
//! ```
//!
//! Without it, failures and a closing summary go to stderr for a person. Exit codes: 0 all pages
//! done, 1 finished with failed pages, 2 could not run at all, 3 the reader of `--events` went
//! away (the orchestrator was killed), so the step stopped early.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::doc::Page;
use crate::io;

/// The command-line arguments every per-page step takes.
#[derive(Debug, Clone, clap::Args)]
pub struct BatchArgs {
    /// Input files: page texts for `split`, artifacts of the previous step otherwise.
    pub inputs: Vec<PathBuf>,
    /// Read more input paths from this file, one per line (for batches too long for argv).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// Folder to write one `<page>.json` artifact per input into.
    #[arg(long, short, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// The step's options as a JSON object (the step's table of config/pipeline.toml); defaults
    /// when absent.
    #[arg(long, value_name = "FILE")]
    pub options: Option<PathBuf>,
    /// Worker threads; all cores when absent.
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Report progress as JSON lines on stdout (what `cargo xtask` reads).
    #[arg(long)]
    pub events: bool,
}

impl BatchArgs {
    /// All input paths: the positional ones, then those of `--files-from`.
    pub fn input_paths(&self) -> anyhow::Result<Vec<PathBuf>> {
        let mut paths = self.inputs.clone();
        if let Some(list) = &self.files_from {
            let text = std::fs::read_to_string(list).with_context(|| format!("reading {}", list.display()))?;
            paths.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from));
        }
        Ok(paths)
    }

    /// The step's options from `--options`, or their defaults.
    pub fn load_options<T: DeserializeOwned + Default>(&self) -> anyhow::Result<T> {
        match &self.options {
            None => Ok(T::default()),
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("reading options {}", path.display()))?;
                serde_json::from_str(&text).with_context(|| format!("options in {}", path.display()))
            }
        }
    }
}

/// Prints an error chain and returns exit code 2: for failures before any page was touched.
pub fn fail_to_start(step: &str, err: &anyhow::Error) -> ExitCode {
    eprintln!("{step}: error: {err:#}");
    ExitCode::from(2)
}

/// Writes one progress event as a JSON line on stdout when `events` is on; for steps that do
/// not use `run_pages` (the combined ones).
///
/// When the reader of the events (xtask) is gone, killed or interrupted, the step stops (exit
/// code 3) rather than go on writing `out/` behind the back of the next run. Finished outputs
/// were renamed into place whole; unfinished ones leave only temporary files, which xtask sweeps.
pub fn emit(events: bool, value: &serde_json::Value) {
    if events {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{value}").and_then(|()| out.flush()).is_err() {
            std::process::exit(3);
        }
    }
}

/// Reads one input page of a combined step (one that reads every page, like `bundle`). A page
/// that cannot be read is reported (stderr, or a failed `page` event with `--events`) and
/// `None` is returned, so the caller counts it and goes on with the others.
pub fn read_combined_input(step: &str, events: bool, input: &Path) -> Option<Page> {
    match io::read_page(input) {
        Ok(page) => Some(page),
        Err(err) => {
            let message = format!("{err:#}");
            if !events {
                eprintln!("{step}: error: {message}");
            }
            let page = io::page_id(input);
            emit(events, &serde_json::json!({"event": "page", "page": page, "ok": false, "error": message}));
            None
        }
    }
}

struct Reporter {
    events: bool,
    // Serializes whole lines between worker threads.
    stdout: Mutex<()>,
}

impl Reporter {
    fn emit(&self, value: serde_json::Value) {
        let _line = self.stdout.lock().unwrap_or_else(|e| e.into_inner());
        emit(self.events, &value);
    }
}

/// Runs `work` over every input in parallel and writes each result to
/// `<out_dir>/<page id>.json` as an artifact of `step`.
///
/// `work` gets the page id and the raw input bytes. An error from it, or from reading or writing,
/// fails that page only.
pub fn run_pages<F>(step: &str, args: &BatchArgs, work: F) -> ExitCode
where
    F: Fn(&str, &[u8]) -> anyhow::Result<Page> + Sync,
{
    let inputs = match args.input_paths() {
        Ok(inputs) => inputs,
        Err(err) => return fail_to_start(step, &err),
    };
    if let Err(err) = std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("creating output folder {}", args.out_dir.display()))
    {
        return fail_to_start(step, &err);
    }
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build() {
        Ok(pool) => pool,
        Err(err) => return fail_to_start(step, &anyhow::anyhow!("starting worker threads: {err}")),
    };

    let reporter = Reporter { events: args.events, stdout: Mutex::new(()) };
    reporter.emit(serde_json::json!({"event": "begin", "step": step, "total": inputs.len()}));
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);

    pool.install(|| {
        inputs.par_iter().for_each(|input| {
            let started = Instant::now();
            let page_id = io::page_id(input);
            let result = one_page(step, &args.out_dir, input, &page_id, &work);
            let ms = started.elapsed().as_millis() as u64;
            match result {
                Ok(()) => {
                    done.fetch_add(1, Ordering::Relaxed);
                    reporter.emit(serde_json::json!({"event": "page", "page": page_id, "ok": true, "ms": ms}));
                }
                Err(err) => {
                    failed.fetch_add(1, Ordering::Relaxed);
                    let message = format!("{err:#}");
                    if !args.events {
                        eprintln!("{step}: {page_id}: error: {message}");
                    }
                    reporter.emit(
                        serde_json::json!({"event": "page", "page": page_id, "ok": false, "error": message, "ms": ms}),
                    );
                }
            }
        });
    });

    let (done, failed) = (done.into_inner(), failed.into_inner());
    reporter.emit(serde_json::json!({"event": "end", "done": done, "failed": failed, "peak_rss_kb": peak_rss_kb()}));
    if !args.events {
        eprintln!("{step}: {done} pages done, {failed} failed, output in {}", args.out_dir.display());
    }
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn one_page<F>(step: &str, out_dir: &Path, input: &Path, page_id: &str, work: &F) -> anyhow::Result<()>
where
    F: Fn(&str, &[u8]) -> anyhow::Result<Page>,
{
    let bytes = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let page = work(page_id, &bytes).with_context(|| format!("{}", input.display()))?;
    io::write_page(&io::artifact_path(out_dir, page_id), step, &page)
}

/// The peak resident memory of this process in KiB (Linux `VmHWM`), for the benchmarks.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `run_pages` for steps whose input is the artifact of an earlier step: decodes it first.
pub fn run_artifacts<F>(step: &str, args: &BatchArgs, work: F) -> ExitCode
where
    F: Fn(Page) -> anyhow::Result<Page> + Sync,
{
    run_pages(step, args, |_page_id, bytes| {
        let (_step, page) = crate::wire::decode(bytes)?;
        work(page)
    })
}
