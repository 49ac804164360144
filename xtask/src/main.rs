//! `cargo xtask`: the pipeline orchestrator and the project's developer tasks.
//!
//! It validates `config/pipeline.toml`, builds the step binaries, runs the per-page steps in its
//! own process through the step libraries (`pages`) and the combined steps as their binaries,
//! over the pages that need it (see `pipeline`). It also runs CI (`ci`), benchmarks (`bench`)
//! and the scheduled refresh (`refresh`).
//!
//! Exit codes: 0 all good; 1 finished, some pages failed; 2 could not run; 3 another run holds
//! the lock on the output folder.

mod bench;
mod config;
mod fuzz;
mod gen_corpus;
mod hashing;
mod pages;
mod pipeline;
mod progress;
mod refresh;
mod train_split;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::pipeline::{Paths, RunOptions};
use crate::progress::Mode;

/// The newsdesk pipeline: split → clean → extract → summarize → bundle, incrementally.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every enabled step over the seeds, redoing only what changed.
    BuildAll(BuildArgs),
    /// Run one step (`--page` limits it to pages, which are always redone).
    Run {
        /// The step: split, clean, extract, summarize or bundle.
        step: String,
        /// Only this page (a seed file name without extension); repeatable.
        #[arg(long = "page", value_name = "ID")]
        pages: Vec<String>,
        #[command(flatten)]
        build: BuildArgs,
    },
    /// Per step, how many pages are fresh and how many would be redone.
    Status(PathArgs),
    /// Delete the output folder.
    Clean(PathArgs),
    /// Show how a page was split and cleaned: each line's class and rule, each join's reason.
    Explain {
        /// The page id (a seed file name without extension).
        page: String,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Fetch new and changed pages from config/sources.toml into the seeds, then build.
    Refresh {
        /// The sources file.
        #[arg(long, value_name = "FILE")]
        sources: Option<PathBuf>,
        /// Print what would be fetched; fetch and build nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        build: BuildArgs,
    },
    /// Measure throughput (MB/s), no-op rebuild time and peak memory on a synthetic corpus.
    Bench(bench::BenchArgs),
    /// Render structured corpus pages as page text in styles (web, print, pdf, …).
    GenCorpus(GenCorpusArgs),
    /// Train the splitter's line labeller (writes config/split-model.txt).
    TrainSplit(train_split::TrainArgs),
    /// Score the splitter on rendered held-out corpus pages, per style.
    EvalSplit(train_split::EvalArgs),
    /// Fuzz one target (`--list`: the targets; `--replay`: saved inputs only, as CI does).
    Fuzz(fuzz::FuzzArgs),
    /// What CI runs: formatting, clippy with warnings denied, every test.
    Ci,
}

#[derive(Args, Clone)]
struct GenCorpusArgs {
    /// The structured corpus (one JSON page per line).
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    /// Styles, comma separated: web, web-indent, web-flat, web-indent-flat, print, pdf; `all`;
    /// `mixed` (one style per page, some pages GB18030 or CRLF).
    #[arg(long, value_delimiter = ',', default_value = "mixed")]
    style: Vec<String>,
    /// At most this many corpus pages.
    #[arg(long)]
    pages: Option<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Only pages of these months (`2023-09`), comma separated.
    #[arg(long, value_delimiter = ',')]
    months: Vec<String>,
    /// Write GB18030.
    #[arg(long)]
    gb18030: bool,
    /// Write CRLF line ends.
    #[arg(long)]
    crlf: bool,
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args, Clone)]
struct PathArgs {
    /// Folder of input pages.
    #[arg(long, value_name = "DIR")]
    seeds: Option<PathBuf>,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Pipeline configuration.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args, Clone)]
struct BuildArgs {
    #[command(flatten)]
    paths: PathArgs,
    /// Redo every page, fresh or not.
    #[arg(long)]
    force: bool,
    /// Worker threads per step (default: all cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Progress display.
    #[arg(long, value_enum, default_value = "auto")]
    progress: Mode,
    /// Read seed files that are symlinks to files outside the seeds folder (refused by default:
    /// a page is a regular file inside the seeds folder).
    #[arg(long)]
    allow_symlinks_out: bool,
    /// Cargo profile for the step binaries (tests use `dev` to share the test build).
    #[arg(long, default_value = "release", hide = true)]
    cargo_profile: String,
}

/// The workspace root: xtask lives one level below it.
fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

impl PathArgs {
    fn paths(&self) -> Paths {
        let root = project_root();
        Paths {
            seeds: self.seeds.clone().unwrap_or_else(|| root.join("seeds")),
            out: self.out.clone().unwrap_or_else(|| root.join("out")),
            root,
        }
    }

    fn config(&self) -> anyhow::Result<config::Config> {
        let path = self.config.clone().unwrap_or_else(|| project_root().join("config").join("pipeline.toml"));
        config::load(&path)
    }
}

impl BuildArgs {
    fn run_options(&self, pages: Vec<String>) -> RunOptions {
        RunOptions {
            force: self.force,
            jobs: self.jobs,
            progress: self.progress.resolve(),
            pages,
            profile: self.cargo_profile.clone(),
            allow_symlinks_out: self.allow_symlinks_out,
        }
    }
}

/// The outcome of a command, mapped to the exit code.
enum Outcome {
    Ok,
    SomeFailed,
    Locked(PathBuf),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::SomeFailed) => ExitCode::from(1),
        Ok(Outcome::Locked(out)) => {
            eprintln!(
                "error: another run is using {} (it holds {}); not starting a second one",
                out.display(),
                out.join(".lock").display()
            );
            ExitCode::from(3)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The cargo profile a pipeline command runs the steps with; `None` for other commands.
fn pipeline_profile(command: &Command) -> Option<&str> {
    match command {
        Command::BuildAll(build) | Command::Run { build, .. } | Command::Refresh { build, .. } => {
            Some(&build.cargo_profile)
        }
        Command::Status(_) => Some("release"),
        _ => None,
    }
}

fn dispatch(command: Command) -> anyhow::Result<Outcome> {
    if let Some(profile) = pipeline_profile(&command) {
        // The per-page steps run inside xtask: make sure it is the optimized build.
        pages::reexec_optimized(&project_root(), profile)?;
    }
    match command {
        Command::BuildAll(build) => {
            let config = build.paths.config()?;
            let steps = config.steps.clone();
            build_steps(&build, &config, &steps, Vec::new())
        }
        Command::Run { step, pages, build } => {
            let config = build.paths.config()?;
            let Some(&step) = config::STEPS.iter().find(|s| **s == step) else {
                anyhow::bail!("unknown step `{step}`, expected one of {}", config::STEPS.join(", "));
            };
            if !config.enabled(step) {
                anyhow::bail!("step `{step}` is disabled in {}", config.path.display());
            }
            build_steps(&build, &config, &[step], pages)
        }
        Command::Status(paths_args) => {
            let config = paths_args.config()?;
            let paths = paths_args.paths();
            let rows = pipeline::status(&paths, &config, "release")?;
            println!("{:<10} {:>6} {:>6}", "step", "fresh", "stale");
            for (step, fresh, stale, note) in rows {
                if note.is_empty() {
                    println!("{step:<10} {fresh:>6} {stale:>6}");
                } else {
                    println!("{step:<10} {note}");
                }
            }
            Ok(Outcome::Ok)
        }
        Command::Clean(paths_args) => {
            let paths = paths_args.paths();
            let Some(lock) = pipeline::lock(&paths.out)? else { return Ok(Outcome::Locked(paths.out)) };
            for entry in std::fs::read_dir(&paths.out).with_context(|| format!("listing {}", paths.out.display()))? {
                let path = entry.with_context(|| format!("listing {}", paths.out.display()))?.path();
                if path.file_name().is_some_and(|n| n == ".lock") {
                    continue;
                }
                let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                removed.with_context(|| format!("removing {}", path.display()))?;
            }
            drop(lock);
            eprintln!("removed everything in {}", paths.out.display());
            Ok(Outcome::Ok)
        }
        Command::Explain { page, paths } => {
            let config = paths.config()?;
            refresh::explain(&paths.paths(), &config, &page)?;
            Ok(Outcome::Ok)
        }
        Command::Refresh { sources, dry_run, build } => {
            let config = build.paths.config()?;
            let paths = build.paths.paths();
            let sources = sources.unwrap_or_else(|| project_root().join("config").join("sources.toml"));
            let Some(_lock) = pipeline::lock(&paths.out)? else { return Ok(Outcome::Locked(paths.out)) };
            let run = build.run_options(Vec::new());
            match refresh::refresh(&paths, &config, &sources, dry_run, &run)? {
                refresh::Refreshed::Locked => Ok(Outcome::Locked(paths.seeds)),
                refresh::Refreshed::Done { failed: true } => Ok(Outcome::SomeFailed),
                refresh::Refreshed::Done { failed: false } => Ok(Outcome::Ok),
            }
        }
        Command::Bench(args) => {
            bench::run(&project_root(), &args)?;
            Ok(Outcome::Ok)
        }
        Command::GenCorpus(args) => {
            let mixed = args.style.iter().any(|s| s == "mixed");
            let styles = if mixed || args.style.iter().any(|s| s == "all") {
                gen_corpus::Style::ALL.to_vec()
            } else {
                args.style
                    .iter()
                    .map(|s| gen_corpus::Style::parse(s).with_context(|| format!("unknown style `{s}`")))
                    .collect::<anyhow::Result<_>>()?
            };
            let options = gen_corpus::GenOptions {
                from: args.from,
                styles,
                mixed,
                pages: args.pages,
                seed: args.seed,
                out: args.out.clone(),
                months: args.months,
                gb18030: args.gb18030,
                crlf: args.crlf,
            };
            let written = gen_corpus::generate(&options)?;
            eprintln!("wrote {written} pages to {}", args.out.display());
            Ok(Outcome::Ok)
        }
        Command::TrainSplit(args) => {
            train_split::train(&project_root(), &args)?;
            Ok(Outcome::Ok)
        }
        Command::EvalSplit(args) => {
            train_split::eval(&project_root(), &args)?;
            Ok(Outcome::Ok)
        }
        Command::Fuzz(args) => {
            fuzz::run(&project_root(), &args)?;
            Ok(Outcome::Ok)
        }
        Command::Ci => {
            ci()?;
            Ok(Outcome::Ok)
        }
    }
}

/// Runs `steps` under the output lock and prints the closing summary.
fn build_steps(
    build: &BuildArgs,
    config: &config::Config,
    steps: &[&'static str],
    pages: Vec<String>,
) -> anyhow::Result<Outcome> {
    let paths = build.paths.paths();
    // Check the seeds before creating anything in the output folder.
    pipeline::seed_pages(&paths.seeds)?;
    let Some(_lock) = pipeline::lock(&paths.out)? else { return Ok(Outcome::Locked(paths.out)) };
    let run = build.run_options(pages);
    let report = pipeline::run(&paths, config, steps, &run)?;
    finish(&report, run.progress)
}

fn finish(report: &pipeline::RunReport, mode: Mode) -> anyhow::Result<Outcome> {
    if mode != Mode::None {
        if report.nothing_done() && !report.failed() {
            eprintln!("nothing changed: every step is fresh ({:.2} s)", report.seconds);
        }
        eprintln!("{}", report.table());
    }
    Ok(if report.failed() { Outcome::SomeFailed } else { Outcome::Ok })
}

/// Formatting, clippy with warnings denied, every test: exactly what CI runs.
fn ci() -> anyhow::Result<()> {
    let sh = xshell::Shell::new().context("starting a shell")?;
    sh.change_dir(project_root());
    xshell::cmd!(sh, "cargo fmt --all --check").run().context("`cargo fmt --all` would change files")?;
    xshell::cmd!(sh, "cargo clippy --workspace --all-targets --locked -- -D warnings").run().context("clippy")?;
    xshell::cmd!(sh, "cargo test --workspace --locked").run().context("tests failed")?;
    // The fuzz targets build and run over their seeds and every saved crasher.
    fuzz::run(&project_root(), &fuzz::FuzzArgs::replay_all()).context("fuzz targets")?;
    Ok(())
}
