//! The per-page steps in one process: each page flows split → clean → extract → summarize in
//! memory, pages in parallel on a thread pool, each step's artifact still written to
//! `out/<step>/<page>.json` (for incrementality and debugging).
//!
//! xtask links the step libraries and runs them itself; the step binaries stay for running a
//! step by hand and for the combined steps. Per page, a step is skipped when it is fresh (its
//! key, its input's hash and its output file are those recorded) and redone otherwise; a step's
//! input is the previous step's output made in this run when there is one, else the previous
//! step's artifact on disk, exactly what the step's binary would have read. A page failing in a
//! step is reported and the others go on; the page's later steps then read the artifact the
//! failed step left (as before, when they were separate runs). Dictionaries and models load once
//! per process, on first need, so a run with nothing to do loads none.
//!
//! This module decides per page and runs; what the results mean for the state files and the run
//! report is `pipeline`'s.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};
use std::time::Instant;

use anyhow::Context;
use model::Page;
use rayon::prelude::*;

use crate::config::Config;

/// Set on the optimized xtask that `reexec_optimized` starts, so it never starts another.
const REEXEC_MARK: &str = "NEWSDESK_XTASK_REEXEC";

/// The steps run inside xtask, so they run at xtask's optimization: when this xtask is an
/// unoptimized build (`cargo xtask` is `cargo run` of the dev profile) and the run asks for
/// release tools, builds xtask in release and replaces this process with it (same arguments,
/// same process id, so a signal to this run still reaches it). Returns without doing anything
/// when no switch is needed; also under `NEWSDESK_BIN_DIR` (frozen binaries, no cargo).
pub fn reexec_optimized(root: &Path, profile: &str) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    if !cfg!(debug_assertions)
        || profile != "release"
        || std::env::var_os("NEWSDESK_BIN_DIR").is_some()
        || std::env::var_os(REEXEC_MARK).is_some()
    {
        return Ok(());
    }
    let exe = optimized_xtask(root)?;
    let err = std::process::Command::new(&exe).args(std::env::args_os().skip(1)).env(REEXEC_MARK, "1").exec();
    Err(err).with_context(|| format!("starting {}", exe.display()))
}

/// An optimized xtask binary: this one when it is optimized, else the release build (built now
/// if needed). What a frozen copy of the tools (the bench's) should take, since the per-page
/// steps run inside xtask.
pub fn optimized_xtask(root: &Path) -> anyhow::Result<PathBuf> {
    if !cfg!(debug_assertions) {
        return std::env::current_exe().context("finding the xtask binary");
    }
    let sh = xshell::Shell::new().context("starting a shell")?;
    sh.change_dir(root);
    xshell::cmd!(sh, "cargo build --quiet --profile release --package xtask")
        .quiet()
        .run()
        .context("building xtask (release) to run the steps optimized failed")?;
    Ok(crate::pipeline::binary_dir(root, "release").join("xtask"))
}

/// The code identity of a per-page step as compiled into this xtask (`build.rs`: the step's
/// crates, what they embed, the lock file, compiler and profile); `None` for other steps.
pub fn code_identity(step: &str) -> Option<&'static str> {
    match step {
        "split" => Some(env!("NEWSDESK_CODE_SPLIT")),
        "clean" => Some(env!("NEWSDESK_CODE_CLEAN")),
        "extract" => Some(env!("NEWSDESK_CODE_EXTRACT")),
        "summarize" => Some(env!("NEWSDESK_CODE_SUMMARIZE")),
        _ => None,
    }
}

/// One per-page step of the chain, as the planner left it.
pub struct ChainStep {
    pub name: &'static str,
    pub out_dir: PathBuf,
    /// What was recorded per page under this run's key (empty when the key changed).
    pub recorded: std::collections::BTreeMap<String, crate::pipeline::PageState>,
}

/// One page to take through the chain.
pub struct PagePlan {
    pub id: String,
    /// The seed file's name (split records it as the page's source file).
    pub seed_name: String,
    /// What the first step reads: the seed, or the artifact of the step before the chain.
    pub first_input: PathBuf,
    pub first_input_hash: Option<String>,
    /// Per step of the chain, the hash of its artifact on disk before the run (`None`: none).
    pub outputs: Vec<Option<String>>,
}

/// What one step did with one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Fresh,
    /// Computed: the hash of the input it read and of the artifact it wrote.
    Done {
        input: String,
        output: String,
    },
    Failed(String),
    /// The step's input does not exist.
    Missing,
}

/// One step's outcome for one page, sent to the caller as it happens.
pub struct StepOutcome {
    pub page: String,
    pub step: usize,
    pub outcome: Outcome,
}

/// Totals of a chain run.
pub struct ChainTotals {
    /// Per step, the time worker threads spent in it (seconds, summed over threads).
    pub busy_seconds: Vec<f64>,
    /// The run must stop with this error (a step could not load, the output folder cannot be
    /// written): state must not be advanced.
    pub fatal: Option<anyhow::Error>,
}

/// A step's code and data, loaded at most once per process.
enum Engine {
    Split(Box<split::Splitter>),
    Clean(clean::Cleaner),
    Extract(&'static extract::Extractor, model::options::ExtractOptions),
    Summarize(model::options::SummarizeOptions),
}

/// The step's options as its binary gets them: the JSON of its table, parsed back.
fn options<T: serde::de::DeserializeOwned>(config: &Config, step: &str) -> anyhow::Result<T> {
    let json = config.options.to_json(step).with_context(|| format!("no options for step `{step}`"))?;
    serde_json::from_str(&json).with_context(|| format!("the options of `{step}`"))
}

/// A file's text, `None` when it is not there.
fn read_optional(path: &Path) -> anyhow::Result<Option<String>> {
    if !path.is_file() {
        return Ok(None);
    }
    std::fs::read_to_string(path).map(Some).with_context(|| format!("reading {}", path.display()))
}

/// Loads what `step` needs, as its binary does (paths in the options are already absolute).
fn load(config: &Config, step: &str) -> anyhow::Result<Engine> {
    match step {
        "split" => {
            let options: model::options::SplitOptions = options(config, step)?;
            let lexicon_dir = options.lexicon.is_dir().then(|| options.lexicon.clone());
            let lexicon =
                split::Lexicon::from_files(|name| std::fs::read_to_string(lexicon_dir.as_ref()?.join(name)).ok());
            let model = match read_optional(&options.model)? {
                Some(text) => split::labeller::Model::parse(&text)
                    .with_context(|| format!("split model {}", options.model.display()))?,
                None => split::labeller::Model::builtin(),
            };
            Ok(Engine::Split(Box::new(split::Splitter { options, lexicon, model })))
        }
        "clean" => {
            let options: model::options::CleanOptions = options(config, step)?;
            let dir = options.lexicon.is_dir().then(|| options.lexicon.clone());
            let lexicon =
                clean::CleanLexicon::from_files(|name| std::fs::read_to_string(dir.as_ref()?.join(name)).ok());
            Ok(Engine::Clean(clean::Cleaner { options, lexicon }))
        }
        "extract" => {
            let options: model::options::ExtractOptions = options(config, step)?;
            // Leaked like the binary's: it lives until the process exits.
            let extractor: &'static extract::Extractor = Box::leak(Box::new(extract::load(&options, &read_optional)?));
            Ok(Engine::Extract(extractor, options))
        }
        "summarize" => Ok(Engine::Summarize(options(config, step)?)),
        other => anyhow::bail!("`{other}` is not a per-page step"),
    }
}

/// A step's input: the bytes of a file, or the page the previous step made in this run.
enum Input {
    Bytes(Vec<u8>),
    Page(Page),
}

fn apply(engine: &Engine, plan: &PagePlan, input: Input) -> anyhow::Result<Page> {
    let page = |input: Input| -> anyhow::Result<Page> {
        match input {
            Input::Page(page) => Ok(page),
            Input::Bytes(bytes) => Ok(model::wire::decode(&bytes)?.1),
        }
    };
    Ok(match engine {
        Engine::Split(splitter) => match input {
            Input::Bytes(bytes) => split::split_page(&plan.id, &plan.seed_name, &bytes, splitter)?,
            Input::Page(_) => anyhow::bail!("split reads page texts, not pages"),
        },
        Engine::Clean(cleaner) => clean::clean_page(page(input)?, cleaner),
        Engine::Extract(extractor, options) => extract::extract_page(page(input)?, extractor, options),
        Engine::Summarize(options) => summarize::summarize_page(page(input)?, options),
    })
}

/// How to run the chain.
pub struct ChainRun<'a> {
    pub config: &'a Config,
    pub steps: &'a [ChainStep],
    /// Redo every step of every page (`--force`, or pages named on the command line).
    pub redo_all: bool,
    pub jobs: Option<usize>,
}

/// Runs the chain over `plans` in parallel, calling `on_outcome` on this thread for every step
/// of every page as it finishes (in no particular order between pages; in step order within one).
pub fn run(chain: &ChainRun<'_>, plans: &[PagePlan], mut on_outcome: impl FnMut(StepOutcome)) -> ChainTotals {
    let engines: Vec<OnceLock<Result<Engine, String>>> = chain.steps.iter().map(|_| OnceLock::new()).collect();
    let busy: Vec<AtomicU64> = chain.steps.iter().map(|_| AtomicU64::new(0)).collect();
    let stop = AtomicBool::new(false);
    let fatal: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let fail_run = |err: anyhow::Error| {
        stop.store(true, Ordering::SeqCst);
        if let Ok(mut first) = fatal.lock() {
            first.get_or_insert(err);
        }
    };
    let (sender, receiver) = mpsc::channel::<StepOutcome>();
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let pool = match rayon::ThreadPoolBuilder::new().num_threads(chain.jobs.unwrap_or(0)).build() {
                Ok(pool) => pool,
                Err(err) => return fail_run(anyhow::anyhow!("starting worker threads: {err}")),
            };
            pool.install(|| {
                plans.par_iter().for_each_with(sender, |sender, plan| {
                    let context =
                        PageContext { chain, engines: &engines, busy: &busy, stop: &stop, fail_run: &fail_run };
                    context.page(plan, sender);
                });
            });
        });
        for outcome in receiver {
            on_outcome(outcome);
        }
        let _ = worker.join();
    });
    ChainTotals {
        busy_seconds: busy.iter().map(|b| b.load(Ordering::Relaxed) as f64 / 1e9).collect(),
        fatal: fatal.into_inner().ok().flatten(),
    }
}

struct PageContext<'a, F: Fn(anyhow::Error)> {
    chain: &'a ChainRun<'a>,
    engines: &'a [OnceLock<Result<Engine, String>>],
    busy: &'a [AtomicU64],
    stop: &'a AtomicBool,
    fail_run: &'a F,
}

impl<F: Fn(anyhow::Error)> PageContext<'_, F> {
    /// Takes one page through the chain.
    fn page(&self, plan: &PagePlan, sender: &mpsc::Sender<StepOutcome>) {
        // The output of the previous step made in this run, with its hash.
        let mut carried: Option<(Page, String)> = None;
        for (index, step) in self.chain.steps.iter().enumerate() {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            let started = Instant::now();
            let outcome = self.step(plan, index, step, &mut carried);
            self.busy[index].fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
            if sender.send(StepOutcome { page: plan.id.clone(), step: index, outcome }).is_err() {
                return;
            }
        }
    }

    fn step(&self, plan: &PagePlan, index: usize, step: &ChainStep, carried: &mut Option<(Page, String)>) -> Outcome {
        let from_disk = || {
            if index == 0 {
                plan.first_input.clone()
            } else {
                model::io::artifact_path(&self.chain.steps[index - 1].out_dir, &plan.id)
            }
        };
        let input_hash = match carried {
            Some((_, hash)) => Some(hash.clone()),
            None if index == 0 => plan.first_input_hash.clone(),
            None => plan.outputs[index - 1].clone(),
        };
        let Some(input_hash) = input_hash else { return Outcome::Missing };
        let fresh = !self.chain.redo_all
            && step.recorded.get(&plan.id).is_some_and(|recorded| {
                recorded.input == input_hash && plan.outputs[index].as_deref() == Some(recorded.output.as_str())
            });
        if fresh {
            *carried = None;
            return Outcome::Fresh;
        }
        let (input, input_hash, input_path) = match carried.take() {
            Some((page, hash)) => (Input::Page(page), hash, None),
            None => {
                let path = from_disk();
                match std::fs::read(&path).with_context(|| format!("reading {}", path.display())) {
                    // The hash of what is actually read, which is what the output is made from.
                    Ok(bytes) => {
                        let hash = blake3::hash(&bytes).to_hex().to_string();
                        (Input::Bytes(bytes), hash, Some(path))
                    }
                    Err(err) => return Outcome::Failed(format!("{err:#}")),
                }
            }
        };
        let engine = match self.engines[index]
            .get_or_init(|| load(self.chain.config, step.name).map_err(|e| format!("{e:#}")))
        {
            Ok(engine) => engine,
            Err(err) => {
                (self.fail_run)(anyhow::anyhow!("`{}` could not run: {err}", step.name));
                return Outcome::Failed(err.clone());
            }
        };
        let input_name = input_path.unwrap_or_else(from_disk);
        let page = match model::io::check_page_id(&plan.id)
            .map_err(anyhow::Error::from)
            .and_then(|()| apply(engine, plan, input))
            .with_context(|| format!("{}", input_name.display()))
        {
            Ok(page) => page,
            Err(err) => return Outcome::Failed(format!("{err:#}")),
        };
        let bytes = model::wire::encode(step.name, &page);
        let output = model::io::artifact_path(&step.out_dir, &plan.id);
        if let Err(err) = model::io::write_atomic(&output, &bytes) {
            let message = format!("{err:#}");
            if model::io::is_storage_fault(&err) {
                (self.fail_run)(err.context(format!(
                    "`{}` cannot write its output folder {}",
                    step.name,
                    step.out_dir.display()
                )));
            }
            return Outcome::Failed(message);
        }
        let output_hash = blake3::hash(&bytes).to_hex().to_string();
        *carried = Some((page, output_hash.clone()));
        Outcome::Done { input: input_hash, output: output_hash }
    }
}
