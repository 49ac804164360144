//! Planning and running the pipeline: which pages each step must redo, running the per-page
//! steps in process (`pages`) and the combined steps' binaries once per batch, recording what
//! was done.
//!
//! A page is fresh for a step when the step's key (blake3 of its code: the code identity
//! compiled into xtask for a per-page step, the binary for a combined one; its options and every
//! file its options name) and the page's input hash are those recorded when its output was
//! written, and that output is still there unchanged. Everything else is redone. Combined outputs
//! (briefings, the bundle) have one key over all their inputs. State lives in
//! `out/.state/<step>.json` and is written (atomically) only after the step's outputs are in
//! place, so a run killed at any point leaves state that at worst redoes some work.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::config::{Config, STEPS};
use crate::hashing::{self, HashCache};
use crate::progress::{self, Heartbeat, Mode, StepProgress};

/// Version of the `out/.state/*.json` files; a different one is treated as no state.
const STATE_VERSION: u32 = 1;

/// Where things are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The workspace root (for `cargo build`).
    pub root: PathBuf,
    pub seeds: PathBuf,
    pub out: PathBuf,
}

impl Paths {
    pub fn state_dir(&self) -> PathBuf {
        self.out.join(".state")
    }

    fn step_dir(&self, step: &str) -> PathBuf {
        self.out.join(step)
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub force: bool,
    pub jobs: Option<usize>,
    pub progress: Mode,
    /// Only these pages (empty: all). Named pages are always redone.
    pub pages: Vec<String>,
    /// Cargo profile the step binaries are built with: `release` (default) or `dev`.
    pub profile: String,
    /// Follow symlinks in the seeds folder that lead out of it (refused by default).
    pub allow_symlinks_out: bool,
}

/// What a step has to do with its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One output per page.
    PerPage,
    /// One output per page, then a combined output over all of them.
    PerPageAndCombined,
    /// Only a combined output over all pages.
    Combined,
}

fn kind(step: &str) -> Kind {
    match step {
        "summarize" => Kind::PerPageAndCombined,
        "bundle" => Kind::Combined,
        _ => Kind::PerPage,
    }
}

/// The combined invocation of a step: extra leading arguments and its output folder.
fn combined_command(step: &str, out: &Path) -> (Vec<String>, PathBuf) {
    match step {
        "summarize" => (vec!["briefing".to_owned()], out.join("briefing")),
        _ => (Vec::new(), out.to_path_buf()),
    }
}

/// A file every successful combined run of `step` leaves, to notice a deleted output.
fn combined_marker(step: &str, out: &Path) -> PathBuf {
    match step {
        "summarize" => out.join("briefing"),
        _ => out.join("data").join("articles.jsonl"),
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StepState {
    version: u32,
    key: String,
    pages: BTreeMap<String, PageState>,
    combined: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PageState {
    pub(crate) input: String,
    pub(crate) output: String,
}

impl StepState {
    fn load(path: &Path) -> StepState {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<StepState>(&bytes).ok())
            .filter(|state| state.version == STATE_VERSION)
            .unwrap_or_default()
    }

    /// Writes the state atomically, unless the file already says the same (a no-op build of
    /// 10,000 pages would rewrite 8 MB of unchanged state).
    fn save(&mut self, path: &Path) -> anyhow::Result<()> {
        self.version = STATE_VERSION;
        let bytes = serde_json::to_vec(self).context("serializing step state")?;
        if std::fs::read(path).is_ok_and(|old| old == bytes) {
            return Ok(());
        }
        model::io::write_atomic(path, &bytes)
    }
}

/// What one step did in one run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StepReport {
    pub step: String,
    /// Pages computed.
    pub done: Vec<String>,
    /// Pages whose output was already up to date.
    pub fresh: usize,
    /// Pages that failed, with the reason.
    pub failed: BTreeMap<String, String>,
    /// Pages left out because the previous step has no output for them.
    pub missing: Vec<String>,
    /// Whether the combined output was rebuilt (`None` for steps without one).
    pub combined: Option<bool>,
    /// The combined output failed.
    pub combined_failed: bool,
    pub seconds: f64,
    /// For steps run in process: the time worker threads spent in the step, summed over threads
    /// (close to its CPU time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_seconds: Option<f64>,
    /// Peak resident memory of the step's process, in KiB, where known.
    pub peak_rss_kb: Option<u64>,
}

/// What a whole run did; also written to `out/.state/last-run.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunReport {
    pub steps: Vec<StepReport>,
    pub seconds: f64,
}

impl RunReport {
    pub fn failed(&self) -> bool {
        self.steps.iter().any(|s| !s.failed.is_empty() || s.combined_failed)
    }

    pub fn nothing_done(&self) -> bool {
        self.steps.iter().all(|s| s.done.is_empty() && s.combined != Some(true))
    }

    /// Every page that any step computed.
    pub fn pages_rebuilt(&self) -> BTreeSet<String> {
        self.steps.iter().flat_map(|s| s.done.iter().cloned()).collect()
    }

    /// The closing table: per step, done, fresh, failed, seconds.
    pub fn table(&self) -> String {
        let mut out =
            format!("{:<10} {:>6} {:>6} {:>6} {:>8}  combined\n", "step", "done", "fresh", "failed", "seconds");
        for s in &self.steps {
            let combined = match (s.combined, s.combined_failed) {
                (_, true) => "failed",
                (Some(true), _) => "rebuilt",
                (Some(false), _) => "fresh",
                (None, _) => "-",
            };
            out.push_str(&format!(
                "{:<10} {:>6} {:>6} {:>6} {:>8.2}  {combined}\n",
                s.step,
                s.done.len(),
                s.fresh,
                s.failed.len() + s.missing.len(),
                s.seconds
            ));
        }
        out.push_str(&format!("total {:.2} s", self.seconds));
        out
    }
}

/// The input pages in the seeds folder: `*.txt`, `*.html`, `*.htm`, by page id.
pub fn seed_pages(seeds: &Path) -> anyhow::Result<BTreeMap<String, PathBuf>> {
    Ok(contained_seed_pages(seeds, false)?.0)
}

/// `seed_pages`, and the seed files refused, by page id with the reason: a symlink that leaves
/// the seeds folder (unless `allow_symlinks_out`), anything but a regular file, a page id that
/// could leave an output folder. Refused pages are per-page failures of the run.
pub fn contained_seed_pages(
    seeds: &Path,
    allow_symlinks_out: bool,
) -> anyhow::Result<(BTreeMap<String, PathBuf>, BTreeMap<String, String>)> {
    let pages = listed_seed_pages(seeds)?;
    let mut kept = BTreeMap::new();
    let mut refused = BTreeMap::new();
    for (id, (path, regular)) in pages {
        let checked = model::io::check_page_id(&id)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            // A regular file (as the listing says, without a stat) is in the folder.
            .and_then(|()| {
                if regular { Ok(()) } else { model::io::contained_file(seeds, &path, allow_symlinks_out).map(drop) }
            });
        match checked {
            Ok(_) => {
                kept.insert(id, path);
            }
            Err(err) => {
                refused.insert(id, format!("{err:#}"));
            }
        }
    }
    Ok((kept, refused))
}

/// The page files of `seeds` by page id, each with whether the listing says it is a regular
/// file (else a symlink, for the caller to check).
fn listed_seed_pages(seeds: &Path) -> anyhow::Result<BTreeMap<String, (PathBuf, bool)>> {
    if !seeds.is_dir() {
        bail!(
            "the seeds folder {} does not exist: put page texts (*.txt, *.html) there, or pass --seeds DIR",
            seeds.display()
        );
    }
    let mut pages = BTreeMap::new();
    let entries = std::fs::read_dir(seeds).with_context(|| format!("listing {}", seeds.display()))?;
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", seeds.display()))?;
        // The listing's own file type: no stat per file. Symlinks are listed (and checked by the
        // caller); folders and other files are not pages.
        let kind = entry.file_type().with_context(|| format!("reading {}", entry.path().display()))?;
        if kind.is_file() || kind.is_symlink() {
            paths.push((entry.path(), kind.is_file()));
        }
    }
    // One folder's entries: by name, compared as bytes (a path comparison parses components,
    // which was a tenth of a no-op build at 10,000 pages).
    paths.sort_by(|(a, _), (b, _)| a.as_os_str().cmp(b.as_os_str()));
    for (path, regular) in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        if name.starts_with('.') || !matches!(ext.as_str(), "txt" | "html" | "htm") {
            continue;
        }
        let id = model::io::page_id(&path);
        if let Some((previous, _)) = pages.insert(id.clone(), (path.clone(), regular)) {
            bail!("two seed files have the page id `{id}`: {} and {}", previous.display(), path.display());
        }
    }
    Ok(pages)
}

/// The folder of the cargo profile's binaries.
pub(crate) fn binary_dir(root: &Path, profile: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target = if target.is_relative() { root.join(target) } else { target };
    target.join(if profile == "dev" { "debug" } else { profile })
}

/// The tool crates with a binary: every folder of `tools/` with a `src/main.rs`.
fn tool_binaries(root: &Path) -> anyhow::Result<Vec<String>> {
    let tools = root.join("tools");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&tools).with_context(|| format!("listing {}", tools.display()))? {
        let path = entry.with_context(|| format!("listing {}", tools.display()))?.path();
        if path.join("src").join("main.rs").is_file() {
            names.push(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        }
    }
    names.sort();
    Ok(names)
}

/// Builds the binaries of every tool with cargo (a no-op when they are up to date).
///
/// Always the same set, whatever is about to run: cargo unifies dependency features per
/// invocation, so building different subsets could relink a binary with other bytes and make
/// its pages look stale.
///
/// `NEWSDESK_BIN_DIR` names a folder of binaries already built (the bench's frozen copy): they
/// are used as they are and cargo is not run, so nobody's edit or rebuild changes them mid-run.
pub fn build_tools(paths: &Paths, profile: &str, mode: Mode) -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("NEWSDESK_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let sh = xshell::Shell::new().context("starting a shell")?;
    sh.change_dir(&paths.root);
    let mut args: Vec<String> = vec!["build".into(), "--profile".into(), profile.into()];
    if mode == Mode::None {
        args.push("--quiet".into());
    }
    for tool in tool_binaries(&paths.root)? {
        args.push("--package".into());
        args.push(tool);
    }
    xshell::cmd!(sh, "cargo {args...}").quiet().run().context("building the step binaries failed")?;
    Ok(binary_dir(&paths.root, profile))
}

/// The key of a per-page step, which xtask runs in process (`pages`): the step's code identity
/// as compiled into xtask, its options, and the files those options name.
fn chain_key(config: &Config, step: &str, cache: &mut HashCache) -> anyhow::Result<String> {
    let identity = crate::pages::code_identity(step).with_context(|| format!("`{step}` is not a per-page step"))?;
    let options = config.options.to_json(step).unwrap_or_default();
    let mut parts = vec![step.to_owned(), "in-process".to_owned(), identity.to_owned(), options];
    for resource in config.options.resources(step) {
        parts.push(cache.hash_tree(&resource)?);
    }
    Ok(hashing::hash_strings(parts.iter().map(String::as_str)))
}

/// The key a step's state is kept under: `chain_key` for the per-page steps (summarize's
/// combined output adds its binary in `run_combined`), `step_key` for the combined-only ones.
fn state_key(config: &Config, step: &str, binary: &Path, cache: &mut HashCache) -> anyhow::Result<String> {
    if kind(step) == Kind::Combined { step_key(config, step, binary, cache) } else { chain_key(config, step, cache) }
}

/// The key of a step run as its binary: the binary, its options, and the files those options name.
fn step_key(config: &Config, step: &str, binary: &Path, cache: &mut HashCache) -> anyhow::Result<String> {
    let binary_hash = cache
        .hash_file(binary)?
        .with_context(|| format!("the `{step}` binary {} is missing: was it built?", binary.display()))?;
    let options = config.options.to_json(step).unwrap_or_default();
    let mut parts = vec![step.to_owned(), binary_hash, options];
    for resource in config.options.resources(step) {
        parts.push(cache.hash_tree(&resource)?);
    }
    Ok(hashing::hash_strings(parts.iter().map(String::as_str)))
}

/// The per-page step whose outputs `step` reads (`None`: the seeds).
fn input_step(config: &Config, step: &str) -> Option<&'static str> {
    let index = STEPS.iter().position(|s| *s == step)?;
    STEPS[..index].iter().rev().copied().find(|s| config.enabled(s) && kind(s) != Kind::Combined)
}

/// Removes temporary files left behind by killed runs.
fn sweep_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        // The listing's own file type, not a stat per entry (out/ holds 130,000 files at
        // 10,000 pages); a link is not followed.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if entry.file_name().as_encoded_bytes().starts_with(model::io::TEMP_PREFIX.as_bytes()) {
            let _ = if is_dir { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        } else if is_dir {
            sweep_temporaries(&path);
        }
    }
}

/// Holds `out/.lock` for the life of the run: two runs never write `out/` at once.
pub struct Lock {
    _file: std::fs::File,
}

/// Takes the run lock on `out`. `Ok(None)` means another run holds it.
pub fn lock(out: &Path) -> anyhow::Result<Option<Lock>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Lock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(err)) => Err(err).with_context(|| format!("locking {}", path.display())),
    }
}

/// Everything one step's run needs to know, passed around as one.
struct StepRun<'a> {
    paths: &'a Paths,
    config: &'a Config,
    run: &'a RunOptions,
    step: &'a str,
    binary: &'a Path,
    key: &'a str,
    options_file: &'a Path,
}

/// Decides, per page, whether `step` must redo it.
struct Plan {
    /// (page id, input path, input hash) to compute.
    stale: Vec<(String, PathBuf, String)>,
    fresh: usize,
    missing: Vec<String>,
}

fn plan_pages(
    ctx: &StepRun<'_>,
    state: &StepState,
    pages: &BTreeMap<String, PathBuf>,
    cache: &mut HashCache,
) -> anyhow::Result<Plan> {
    let StepRun { paths, config, run, step, key, .. } = *ctx;
    let mut plan = Plan { stale: Vec::new(), fresh: 0, missing: Vec::new() };
    let from = input_step(config, step);
    let out_dir = paths.step_dir(step);
    for (id, seed) in pages {
        if !run.pages.is_empty() && !run.pages.contains(id) {
            continue;
        }
        let input = match from {
            None => seed.clone(),
            Some(prev) => model::io::artifact_path(&paths.step_dir(prev), id),
        };
        let Some(input_hash) = cache.hash_file(&input)? else {
            plan.missing.push(id.clone());
            continue;
        };
        let output = model::io::artifact_path(&out_dir, id);
        let fresh = !run.force
            && run.pages.is_empty()
            && state.key == key
            && match state.pages.get(id) {
                Some(recorded) => {
                    recorded.input == input_hash && cache.hash_file(&output)?.as_deref() == Some(&*recorded.output)
                }
                None => false,
            };
        if fresh {
            plan.fresh += 1;
        } else {
            plan.stale.push((id.clone(), input, input_hash));
        }
    }
    Ok(plan)
}

/// Reads a step's `model::batch::Event` lines until its stdout closes: pages done go to
/// `ok_pages`, failed ones with their reason to the report.
fn read_events(
    stdout: impl std::io::Read,
    progress: &mut StepProgress,
    ok_pages: &mut BTreeSet<String>,
    report: &mut StepReport,
) {
    for line in std::io::BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        match model::batch::Event::parse(&line) {
            Some(model::batch::Event::Page { page, ok, error, .. }) => {
                progress.page(ok, &page, error.as_deref());
                if ok {
                    ok_pages.insert(page);
                } else {
                    report.failed.insert(page, error.unwrap_or_else(|| "failed".to_owned()));
                }
            }
            Some(model::batch::Event::End { peak_rss_kb, .. }) => {
                report.peak_rss_kb = report.peak_rss_kb.max(peak_rss_kb);
            }
            Some(model::batch::Event::Begin { .. }) | None => {}
        }
    }
}

/// Runs `steps` (enabled ones, in order) over the seeds. Errors mean the run could not proceed.
pub fn run(paths: &Paths, config: &Config, steps: &[&'static str], run: &RunOptions) -> anyhow::Result<RunReport> {
    let started = Instant::now();
    let (pages, refused) = contained_seed_pages(&paths.seeds, run.allow_symlinks_out)?;
    for page in &run.pages {
        if let Some(reason) = refused.get(page) {
            bail!("page `{page}` is refused: {reason}");
        }
        if !pages.contains_key(page) {
            bail!("no page `{page}` in {} (page ids are seed file names without extension)", paths.seeds.display());
        }
    }
    let state_dir = paths.state_dir();
    std::fs::create_dir_all(&state_dir).with_context(|| format!("creating {}", state_dir.display()))?;
    sweep_temporaries(&paths.out);

    let bin_dir = build_tools(paths, &run.profile, run.progress)?;
    let cache_path = state_dir.join("hashes.txt");
    let mut cache = HashCache::load(&cache_path);
    let mut report = RunReport::default();

    let chain: Vec<&'static str> = steps.iter().copied().filter(|s| kind(s) != Kind::Combined).collect();
    let mut chain_reports =
        if chain.is_empty() { Vec::new() } else { run_chain(paths, config, &chain, run, &pages, &mut cache)? };
    cache.save(&cache_path)?;

    for &step in steps {
        let mut step_report = match chain_reports.iter().position(|r| r.step == step) {
            Some(at) => chain_reports.remove(at),
            None => StepReport { step: step.to_owned(), ..StepReport::default() },
        };
        if kind(step) != Kind::PerPage && run.pages.is_empty() {
            let step_started = Instant::now();
            let binary = bin_dir.join(step);
            let key = state_key(config, step, &binary, &mut cache)?;
            let state_path = state_dir.join(format!("{step}.json"));
            let mut state = StepState::load(&state_path);
            let options_file = state_dir.join(format!("{step}.options.json"));
            model::io::write_atomic(&options_file, config.options.to_json(step).unwrap_or_default().as_bytes())?;
            let ctx = StepRun { paths, config, run, step, binary: &binary, key: &key, options_file: &options_file };
            run_combined(&ctx, &pages, &mut state, &mut step_report, &mut cache)?;
            state.key = key.clone();
            state.save(&state_path)?;
            step_report.seconds += step_started.elapsed().as_secs_f64();
        }
        report.steps.push(step_report);
        cache.save(&cache_path)?;
    }
    cache.prune();
    cache.save(&cache_path)?;
    // Refused seed files are failures of the first step, which would have read them.
    if let Some(first) = report.steps.first_mut() {
        first.failed.extend(refused);
    }
    report.seconds = started.elapsed().as_secs_f64();
    let last = serde_json::to_vec_pretty(&report).context("serializing the run report")?;
    model::io::write_atomic(&state_dir.join("last-run.json"), &last)?;
    Ok(report)
}

/// How often the chain's state files are saved while it runs, so that a killed run keeps most of
/// what it finished.
const STATE_SAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// Runs the per-page steps `chain` (enabled, in order) over the seeds in one process (`pages`):
/// plans each page from the state and the hashes of the files on disk, runs the stale ones,
/// records outcomes in each step's state (saved now and then while running, and at the end,
/// always after the outputs they describe) and returns one report per step.
fn run_chain(
    paths: &Paths,
    config: &Config,
    chain: &[&'static str],
    run: &RunOptions,
    pages: &BTreeMap<String, PathBuf>,
    cache: &mut HashCache,
) -> anyhow::Result<Vec<StepReport>> {
    let started = Instant::now();
    let state_dir = paths.state_dir();
    let mut states = Vec::new();
    for &step in chain {
        // The options each step runs with, as its binary takes them (`--options`), for running
        // a step by hand on the same terms.
        let options_file = state_dir.join(format!("{step}.options.json"));
        model::io::write_atomic(&options_file, config.options.to_json(step).unwrap_or_default().as_bytes())?;
        let key = chain_key(config, step, cache)?;
        let mut state = StepState::load(&state_dir.join(format!("{step}.json")));
        if state.key != key {
            // Outputs recorded under another key are stale: forget them so none is trusted.
            state.pages.clear();
            state.key = key;
        }
        states.push(state);
    }
    let from = input_step(config, chain[0]);
    let selected: Vec<(&String, &PathBuf)> =
        pages.iter().filter(|(id, _)| run.pages.is_empty() || run.pages.contains(*id)).collect();
    // Per page its first input, then its output of each step: all looked at in one batch.
    let step_dirs: Vec<PathBuf> = chain.iter().map(|step| paths.step_dir(step)).collect();
    let mut files = Vec::with_capacity(selected.len() * (chain.len() + 1));
    for &(id, seed) in &selected {
        files.push(match from {
            None => seed.clone(),
            Some(prev) => model::io::artifact_path(&paths.step_dir(prev), id),
        });
        files.extend(step_dirs.iter().map(|dir| model::io::artifact_path(dir, id)));
    }
    let mut hashes = cache.hash_files(&files)?.into_iter();
    let mut files = files.into_iter();
    let mut plans = Vec::with_capacity(selected.len());
    for (id, seed) in selected {
        let (Some(first_input), Some(first_input_hash)) = (files.next(), hashes.next()) else { break };
        let outputs: Vec<Option<String>> = hashes.by_ref().take(chain.len()).collect();
        files.by_ref().take(chain.len()).for_each(drop);
        let seed_name = seed.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        plans.push(crate::pages::PagePlan { id: id.clone(), seed_name, first_input, first_input_hash, outputs });
    }
    // Only the first step of a run can lack its input entirely (`run extract` before `run clean`).
    if let Some(prev) = from
        && !plans.is_empty()
        && plans.iter().all(|p| p.first_input_hash.is_none())
    {
        bail!(
            "`{}` needs the output of `{prev}`, which is missing for {} page(s) in {}: run `cargo xtask run {prev}` first (or `cargo xtask build-all`)",
            chain[0],
            plans.len(),
            paths.step_dir(prev).display()
        );
    }

    let steps: Vec<crate::pages::ChainStep> = chain
        .iter()
        .zip(&states)
        .map(|(&name, state)| crate::pages::ChainStep {
            name,
            out_dir: paths.step_dir(name),
            recorded: state.pages.clone(),
        })
        .collect();
    let chain_run =
        crate::pages::ChainRun { config, steps: &steps, redo_all: run.force || !run.pages.is_empty(), jobs: run.jobs };
    let mut reports: Vec<StepReport> =
        chain.iter().map(|s| StepReport { step: (*s).to_owned(), ..StepReport::default() }).collect();
    let label = chain.join("+");
    let mut progress = StepProgress::start(run.progress, &label, plans.len() as u64, "pages");
    let heartbeat = Heartbeat::start(run.progress, &label);
    // Per page, its first failure, until its last step reports.
    let mut first_failure: BTreeMap<String, String> = BTreeMap::new();
    let mut last_save = Instant::now();
    let mut unsaved = false;
    let totals = crate::pages::run(&chain_run, &plans, |outcome| {
        let crate::pages::StepOutcome { page, step, outcome } = outcome;
        let (state, report) = (&mut states[step], &mut reports[step]);
        match outcome {
            crate::pages::Outcome::Fresh => report.fresh += 1,
            crate::pages::Outcome::Missing => report.missing.push(page.clone()),
            crate::pages::Outcome::Done { input, output } => {
                cache.written(&model::io::artifact_path(&step_dirs[step], &page), &output);
                state.pages.insert(page.clone(), PageState { input, output });
                report.done.push(page.clone());
                unsaved = true;
            }
            crate::pages::Outcome::Failed(error) => {
                state.pages.remove(&page);
                first_failure.entry(page.clone()).or_insert_with(|| format!("{}: {error}", chain[step]));
                report.failed.insert(page.clone(), error);
                unsaved = true;
            }
        }
        if step + 1 == chain.len() {
            let failure = first_failure.remove(&page);
            progress.page(failure.is_none(), &page, failure.as_deref());
        }
        if unsaved && last_save.elapsed() >= STATE_SAVE_EVERY {
            // Best effort: the final save reports errors; this one only keeps work a kill would lose.
            for (state, step) in states.iter_mut().zip(chain) {
                let _ = state.save(&state_dir.join(format!("{step}.json")));
            }
            last_save = Instant::now();
            unsaved = false;
        }
    });
    drop(heartbeat);
    progress.finish(started.elapsed().as_secs_f64());
    if let Some(err) = totals.fatal {
        // The run cannot go on (a step could not load, the output folder cannot be written).
        // Outputs in place stay; state is not advanced further, so nothing is trusted wrongly.
        return Err(err);
    }
    let wall = started.elapsed().as_secs_f64();
    let busy: f64 = totals.busy_seconds.iter().sum();
    let peak_rss_kb = model::batch::peak_rss_kb();
    for (index, (state, step)) in states.iter_mut().zip(chain).enumerate() {
        if run.pages.is_empty() {
            remove_vanished(&paths.step_dir(step), pages, state)?;
        }
        state.save(&state_dir.join(format!("{step}.json")))?;
        let report = &mut reports[index];
        report.done.sort();
        report.missing.sort();
        // The steps share one wall-clock phase: each gets the share its threads were busy in it.
        report.seconds = if busy > 0.0 { wall * totals.busy_seconds[index] / busy } else { 0.0 };
        report.busy_seconds = Some(totals.busy_seconds[index]);
        report.peak_rss_kb = peak_rss_kb;
    }
    Ok(reports)
}

/// Deletes the outputs of pages whose seed is gone.
fn remove_vanished(dir: &Path, pages: &BTreeMap<String, PathBuf>, state: &mut StepState) -> anyhow::Result<()> {
    state.pages.retain(|id, _| pages.contains_key(id));
    if !dir.is_dir() {
        return Ok(());
    }
    for path in model::io::list_artifacts(dir)? {
        if !pages.contains_key(&model::io::page_id(&path)) {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

fn run_combined(
    ctx: &StepRun<'_>,
    pages: &BTreeMap<String, PathBuf>,
    state: &mut StepState,
    report: &mut StepReport,
    cache: &mut HashCache,
) -> anyhow::Result<()> {
    let StepRun { paths, config, run, step, binary, key, options_file } = *ctx;
    // Combined steps read the per-page outputs of the step itself if it has them, else its input.
    let source = if kind(step) == Kind::PerPageAndCombined { Some(step) } else { input_step(config, step) };
    let Some(source) = source else { bail!("`{step}` has no input step enabled") };
    let dir = paths.step_dir(source);
    let mut inputs = Vec::new();
    // The binary that makes the combined output (for summarize, the key is the per-page one).
    let binary_hash = cache.hash_file(binary)?.unwrap_or_default();
    let mut parts = vec![key.to_owned(), binary_hash];
    let files: Vec<PathBuf> = pages.keys().map(|id| model::io::artifact_path(&dir, id)).collect();
    let hashes = cache.hash_files(&files)?;
    for ((id, path), hash) in pages.keys().zip(files).zip(hashes) {
        if let Some(hash) = hash {
            parts.push(format!("{id}={hash}"));
            inputs.push(path);
        }
    }
    let combined_key = hashing::hash_strings(parts.iter().map(String::as_str));
    let fresh =
        !run.force && state.combined.as_deref() == Some(&*combined_key) && combined_marker(step, &paths.out).exists();
    if fresh {
        report.combined = Some(false);
        return Ok(());
    }
    let (extra, out_dir) = combined_command(step, &paths.out);
    let list: String = inputs.iter().map(|p| format!("{}\n", p.display())).collect();
    let list_file = paths.state_dir().join(format!("{step}.combined.batch"));
    model::io::write_atomic(&list_file, list.as_bytes())?;
    let started = Instant::now();
    // The bar counts the combined step's page events (its per-page phase), then notes the rest.
    let mut progress = StepProgress::start(run.progress, step, inputs.len() as u64, "pages (combined)");
    progress.note(&format!("writing {} from {} pages", out_dir.display(), inputs.len()));
    let mut command = Command::new(binary);
    command.args(&extra).arg("--options").arg(options_file).arg("--out-dir").arg(&out_dir);
    command.arg("--files-from").arg(&list_file);
    if let Some(jobs) = run.jobs {
        command.arg("--jobs").arg(jobs.to_string());
    }
    // The combined step speaks the event protocol too: its failing pages reach the report, and
    // it stops when this process is gone.
    command.arg("--events");
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let heartbeat = Heartbeat::start(run.progress, step);
    let mut child = command.spawn().with_context(|| format!("starting {}", binary.display()))?;
    let mut read = BTreeSet::new();
    if let Some(stdout) = child.stdout.take() {
        read_events(stdout, &mut progress, &mut read, report);
    }
    let status = child.wait().with_context(|| format!("waiting for {}", binary.display()))?;
    drop(heartbeat);
    // A page it could not read fails the page, not the combined output (exit code 1).
    let ok = status.success() || status.code() == Some(1);
    if !ok {
        progress.note(&format!("the combined output failed: exited with {status}"));
    }
    progress.finish(started.elapsed().as_secs_f64());
    if ok {
        // With failed pages the output is written without them: retried by the next run.
        state.combined = if status.success() { Some(combined_key) } else { None };
        report.combined = Some(true);
    } else if status.code() == Some(2) {
        bail!("`{step}` could not write its combined output ({status}); its error is above");
    } else {
        state.combined = None;
        report.combined_failed = true;
        progress::say(run.progress, &format!("{step}: the combined output failed ({status})"));
    }
    Ok(())
}

/// Per step, how many pages are fresh and how many would be redone; nothing is run.
pub fn status(paths: &Paths, config: &Config, profile: &str) -> anyhow::Result<Vec<(String, usize, usize, String)>> {
    let pages = seed_pages(&paths.seeds)?;
    let bin_dir = build_tools(paths, profile, Mode::None)?;
    let mut cache = HashCache::load(&paths.state_dir().join("hashes.txt"));
    let quiet = RunOptions {
        force: false,
        jobs: None,
        progress: Mode::None,
        pages: Vec::new(),
        profile: profile.to_owned(),
        allow_symlinks_out: false,
    };
    let mut rows = Vec::new();
    // A page stale in one step is stale in every later one: its input will change.
    let mut stale_upstream: BTreeSet<String> = BTreeSet::new();
    for &step in &config.steps {
        let binary = bin_dir.join(step);
        let key = state_key(config, step, &binary, &mut cache)?;
        let state = StepState::load(&paths.state_dir().join(format!("{step}.json")));
        if kind(step) == Kind::Combined {
            let note = if stale_upstream.is_empty() && state.key == key && state.combined.is_some() {
                "combined output fresh"
            } else {
                "combined output stale"
            };
            rows.push((step.to_owned(), 0, 0, note.to_owned()));
            continue;
        }
        let options_file = PathBuf::new();
        let ctx = StepRun { paths, config, run: &quiet, step, binary: &binary, key: &key, options_file: &options_file };
        let plan = plan_pages(&ctx, &state, &pages, &mut cache)?;
        let mut stale: BTreeSet<String> = plan.stale.iter().map(|(id, _, _)| id.clone()).collect();
        stale.extend(plan.missing.iter().cloned());
        stale.extend(stale_upstream.iter().cloned());
        let fresh = pages.len() - stale.len();
        rows.push((step.to_owned(), fresh, stale.len(), String::new()));
        stale_upstream = stale;
    }
    Ok(rows)
}
