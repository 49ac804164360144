//! The batch driver every per-page step binary shares: one process for a whole batch of pages,
//! spread over a thread pool, each output written atomically, one failing page never stopping
//! the others.
//!
//! A step's `main.rs` parses `BatchArgs` (flattened into its own clap parser), loads its options
//! and dictionaries once, then hands `run_pages` a closure from input bytes to a `Page`.
//!
//! With `--events`, progress goes to stdout as JSON lines, the protocol `xtask` reads: one
//! serialized `Event` per line. Every step speaks it, per-page and combined ones alike:
//!
//! ```text
//! {"event":"begin","step":"clean","total":5}
//! {"event":"page","page":"000_be56…","ok":true,"ms":3}
//! {"event":"page","page":"001_5f3f…","ok":false,"error":"…"}
//! {"event":"end","done":4,"failed":1}
//! ```
//!
//! Without it, failures and a closing summary go to stderr for a person. Exit codes: 0 all pages
//! done, 1 finished with failed pages, 2 could not run at all (also: the output folder turned
//! out full or read-only, and the step stopped at the first such write), 3 the orchestrator that reads
//! `--events` went away (killed), so the step stopped early. A step notices that at its next
//! event (stdout is gone) or, between events, within a tenth of a second (its parent process
//! changed), so an orphaned step never keeps writing `out/` while the next run holds the lock.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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

/// One line of the event protocol (`--events`): what a step tells its orchestrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    /// The step starts on `total` pages.
    Begin { step: String, total: usize },
    /// One page is done (`ok`) or failed with `error`.
    Page {
        page: String,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms: Option<u64>,
    },
    /// The step is finished; for a combined step, its combined output is in place.
    End {
        done: usize,
        failed: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peak_rss_kb: Option<u64>,
    },
}

impl Event {
    /// A page that was done.
    pub fn page_ok(page: &str, ms: Option<u64>) -> Event {
        Event::Page { page: page.to_owned(), ok: true, error: None, ms }
    }

    /// A page that failed, with the reason.
    pub fn page_failed(page: &str, error: String, ms: Option<u64>) -> Event {
        Event::Page { page: page.to_owned(), ok: false, error: Some(error), ms }
    }

    /// Parses one line of a step's stdout; `None` for anything that is not an event.
    pub fn parse(line: &str) -> Option<Event> {
        serde_json::from_str(line).ok()
    }
}

/// Exit code of a step whose orchestrator went away.
pub const EXIT_ORPHANED: i32 = 3;

/// Starts, once per process, a thread that ends the process (exit code 3) as soon as its parent
/// is gone: an orphan is re-parented, so its parent id changes. Called by the first `emit` with
/// events on; steps that run long between events are covered too.
pub fn exit_when_orphaned() {
    static WATCHDOG: std::sync::Once = std::sync::Once::new();
    WATCHDOG.call_once(|| {
        let parent = std::os::unix::process::parent_id();
        let spawned = std::thread::Builder::new().name("orphan-watchdog".to_owned()).spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(EXIT_ORPHANED);
                }
            }
        });
        // Without the thread the step still stops at its next event; nothing else to do.
        drop(spawned);
    });
}

/// Prints an error chain and returns exit code 2: for failures before any page was touched.
pub fn fail_to_start(step: &str, err: &anyhow::Error) -> ExitCode {
    eprintln!("{step}: error: {err:#}");
    ExitCode::from(2)
}

/// Writes one progress event (an `Event`, or for older callers the same JSON as a
/// `serde_json::Value`) as a JSON line on stdout when `events` is on; for steps that do not use
/// `run_pages` (the combined ones).
///
/// When the reader of the events (xtask) is gone, killed or interrupted, the step stops (exit
/// code 3) rather than go on writing `out/` behind the back of the next run. Finished outputs
/// were renamed into place whole; unfinished ones leave only temporary files, which xtask sweeps.
/// Reports one page of a step: the `page` event (done, or failed with the error chain), and the
/// error on stderr when no orchestrator reads events. The value when the page was done.
pub fn page_outcome<T, E: std::fmt::Display>(
    step: &str,
    events: bool,
    page: &str,
    result: Result<T, E>,
    ms: u64,
) -> Option<T> {
    match result {
        Ok(value) => {
            emit(events, &Event::page_ok(page, Some(ms)));
            Some(value)
        }
        Err(err) => {
            let message = format!("{err:#}");
            if !events {
                eprintln!("{step}: error: {message}");
            }
            emit(events, &Event::page_failed(page, message, Some(ms)));
            None
        }
    }
}

pub fn emit<T: Serialize + ?Sized>(events: bool, value: &T) {
    if events {
        exit_when_orphaned();
        let Ok(line) = serde_json::to_string(value) else { return };
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            std::process::exit(EXIT_ORPHANED);
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
            emit(events, &Event::page_failed(&page, message, None));
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
    fn emit(&self, event: Event) {
        let _line = self.stdout.lock().unwrap_or_else(|e| e.into_inner());
        emit(self.events, &event);
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
    reporter.emit(Event::Begin { step: step.to_owned(), total: inputs.len() });
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    // The first error that says the output folder cannot be written (full, read-only): the
    // step stops there rather than fail every page the same way.
    let unwritable: Mutex<Option<String>> = Mutex::new(None);

    pool.install(|| {
        inputs.par_iter().for_each(|input| {
            if unwritable.lock().map(|u| u.is_some()).unwrap_or(true) {
                return;
            }
            let started = Instant::now();
            let page_id = io::page_id(input);
            let result = one_page(step, &args.out_dir, input, &page_id, &work);
            let ms = started.elapsed().as_millis() as u64;
            if let Err(err) = &result
                && err.downcast_ref::<OutputNotWritten>().is_some()
                && io::is_storage_fault(err)
                && let Ok(mut first) = unwritable.lock()
            {
                first.get_or_insert_with(|| format!("{err:#}"));
            }
            match result {
                Ok(()) => {
                    done.fetch_add(1, Ordering::Relaxed);
                    reporter.emit(Event::page_ok(&page_id, Some(ms)));
                }
                Err(err) => {
                    failed.fetch_add(1, Ordering::Relaxed);
                    let message = format!("{err:#}");
                    if !args.events {
                        eprintln!("{step}: {page_id}: error: {message}");
                    }
                    reporter.emit(Event::page_failed(&page_id, message, Some(ms)));
                }
            }
        });
    });

    let (done, failed) = (done.into_inner(), failed.into_inner());
    reporter.emit(Event::End { done, failed, peak_rss_kb: peak_rss_kb() });
    if !args.events {
        eprintln!("{step}: {done} pages done, {failed} failed, output in {}", args.out_dir.display());
    }
    if let Some(reason) = unwritable.into_inner().ok().flatten() {
        eprintln!("{step}: error: the output folder {} cannot be written: {reason}", args.out_dir.display());
        return ExitCode::from(2);
    }
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn one_page<F>(step: &str, out_dir: &Path, input: &Path, page_id: &str, work: &F) -> anyhow::Result<()>
where
    F: Fn(&str, &[u8]) -> anyhow::Result<Page>,
{
    io::check_page_id(page_id).with_context(|| format!("{}", input.display()))?;
    let bytes = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let page = work(page_id, &bytes).with_context(|| format!("{}", input.display()))?;
    io::write_page(&io::artifact_path(out_dir, page_id), step, &page).map_err(|e| e.context(OutputNotWritten))
}

/// Marks an error of writing a page's output (as opposed to reading or processing it).
#[derive(Debug)]
struct OutputNotWritten;

impl std::fmt::Display for OutputNotWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the output was not written")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_the_documented_json_lines() {
        let lines: Vec<String> = [
            Event::Begin { step: "clean".to_owned(), total: 2 },
            Event::page_ok("a", Some(3)),
            Event::page_failed("b", "reading b.json: gone".to_owned(), None),
            Event::End { done: 1, failed: 1, peak_rss_kb: None },
        ]
        .iter()
        .map(|e| serde_json::to_string(e).expect("serialize"))
        .collect();
        let expected = [
            r#"{"event":"begin","step":"clean","total":2}"#,
            r#"{"event":"page","page":"a","ok":true,"ms":3}"#,
            r#"{"event":"page","page":"b","ok":false,"error":"reading b.json: gone"}"#,
            r#"{"event":"end","done":1,"failed":1}"#,
        ];
        assert_eq!(lines, expected);
        for line in &lines {
            let event = Event::parse(line).expect("parses back");
            assert_eq!(&serde_json::to_string(&event).expect("serialize"), line);
        }
    }

    #[test]
    fn the_combined_steps_json_values_parse_as_events() {
        // What summarize briefing and bundle write through `emit` with a `serde_json::Value`.
        let begin = serde_json::json!({"event": "begin", "step": "bundle", "total": 3}).to_string();
        let page = serde_json::json!({"event": "page", "page": "p", "ok": true}).to_string();
        let end = serde_json::json!({"event": "end", "done": 3, "failed": 0}).to_string();
        assert_eq!(Event::parse(&begin), Some(Event::Begin { step: "bundle".to_owned(), total: 3 }));
        assert_eq!(Event::parse(&page), Some(Event::page_ok("p", None)));
        assert_eq!(Event::parse(&end), Some(Event::End { done: 3, failed: 0, peak_rss_kb: None }));
        assert_eq!(Event::parse("cargo: warning"), None);
    }
}
