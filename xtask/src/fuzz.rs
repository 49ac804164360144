//! `cargo xtask fuzz`: builds and runs the libFuzzer targets of `fuzz/` on the stable toolchain.
//!
//! `--list` prints the targets, one per line; `fuzz <target> --seconds N` builds the target with
//! coverage instrumentation (the flags cargo-fuzz passes, minus the sanitizer, which needs
//! nightly) and runs it for N seconds, or `--runs N` inputs, whichever ends first, over
//! `fuzz/corpus/<target>` (new inputs land there, not committed), `fuzz/seeds/<target>` and
//! `fuzz/regressions/<target>` (committed), printing the number of executions. A crash, or an
//! input that runs over 30 seconds (a hostile page must not hang a run), leaves
//! `fuzz/artifacts/<target>/crash-*` or `timeout-*` (and every run its log, `last-run.log`):
//! copy it into `fuzz/regressions/<target>/` once fixed. A fuzzer process stopped with SIGINT
//! reports its executions so far. `--replay` builds the targets without libFuzzer and runs each
//! over its seeds and regressions, which CI does. It fuzzes nothing by itself.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The fuzz targets (the `[[bin]]`s of fuzz/Cargo.toml).
pub const TARGETS: [&str; 7] =
    ["split_page", "clean_page", "figures", "periods", "people", "pipeline_config", "sources_config"];

/// Flags for the instrumented build: libFuzzer's coverage counters and comparison tracing.
const COVERAGE_FLAGS: &str = "--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
     -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
     -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks";

/// The same without comparison tracing, for `split_page`: two thirds of an instrumented split's
/// time went to libFuzzer's comparison callbacks (perf), holding it to a few hundred inputs a
/// second on a shared machine. Its inputs start from whole pages (the seeds), so the words and
/// patterns comparison tracing would discover are in the corpus already; edge coverage steers
/// the rest at three times the speed.
const EDGE_FLAGS: &str = "--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
     -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
     -Cdebug-assertions -Coverflow-checks";

/// The instrumentation of `target` and the target folder it is built in (one per set of flags,
/// so switching targets does not rebuild every dependency).
fn instrumentation(target: &str) -> (&'static str, &'static str) {
    if target == "split_page" { (EDGE_FLAGS, "fuzz-edges") } else { (COVERAGE_FLAGS, "fuzz") }
}

#[derive(clap::Args)]
pub struct FuzzArgs {
    /// The target to run (see --list).
    target: Option<String>,
    /// Print the targets, one per line.
    #[arg(long)]
    list: bool,
    /// How long to fuzz (60 seconds when neither this nor --runs is given).
    #[arg(long)]
    seconds: Option<u64>,
    /// How many inputs to run at most (on a busy machine, a count reached however long it takes).
    #[arg(long)]
    runs: Option<u64>,
    /// Run every target (or the one named) once over its seeds and regressions, without
    /// libFuzzer: what CI does.
    #[arg(long)]
    replay: bool,
}

impl FuzzArgs {
    /// `--replay` over every target.
    pub fn replay_all() -> FuzzArgs {
        FuzzArgs { target: None, list: false, seconds: None, runs: None, replay: true }
    }
}

fn target_dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    if target.is_relative() { root.join(target) } else { target }
}

/// The input folders of `target` that exist: committed seeds and regressions, and for the page
/// targets the project's seed pages.
fn input_dirs(root: &Path, target: &str) -> Vec<PathBuf> {
    let fuzz = root.join("fuzz");
    let mut dirs = vec![fuzz.join("seeds").join(target), fuzz.join("regressions").join(target)];
    if matches!(target, "split_page" | "clean_page") {
        dirs.push(root.join("seeds"));
    }
    dirs.into_iter().filter(|d| d.is_dir()).collect()
}

/// The longest input libFuzzer makes (longer corpus files, such as the 16 KB seed pages, are cut
/// there): 4 KiB is a long paragraph, a configuration file, or some forty lines of a page with
/// several articles, enough for every layout rule (they look a few lines around a line, and the
/// page-wide measures work on forty lines as on four hundred). An instrumented split costs about
/// half a microsecond per byte, most of it in libFuzzer's comparison tracing, and the splitter is
/// built once per process, so the input length alone sets the speed: with 64 KiB inputs the page
/// targets grew a corpus of whole pages and ran 150 inputs a second; at 4 KiB they run thousands.
/// Whole and huge pages are split by split's own tests (every seed, a 50 MB line).
const MAX_LEN: usize = 4096;

pub fn run(root: &Path, args: &FuzzArgs) -> anyhow::Result<()> {
    if args.list {
        for target in TARGETS {
            println!("{target}");
        }
        return Ok(());
    }
    let targets: Vec<&str> = match &args.target {
        Some(name) => match TARGETS.iter().find(|t| **t == name) {
            Some(target) => vec![target],
            None => bail!("unknown fuzz target `{name}`; `cargo xtask fuzz --list` shows them: {}", TARGETS.join(", ")),
        },
        None if args.replay => TARGETS.to_vec(),
        None => bail!("name a fuzz target (`cargo xtask fuzz --list`), or pass --replay"),
    };
    let sh = xshell::Shell::new().context("starting a shell")?;
    sh.change_dir(root);
    let manifest = root.join("fuzz").join("Cargo.toml");
    if args.replay {
        // The main build's target folder: the replay reuses those of its compiled dependencies
        // that the fuzz workspace resolves with the same features (it has the same dev profile).
        let target_dir = target_dir(root);
        xshell::cmd!(sh, "cargo build --quiet --manifest-path {manifest} --target-dir {target_dir} --bins")
            .run()
            .context("building the fuzz targets")?;
        for target in targets {
            let binary = target_dir.join("debug").join(target);
            let dirs = input_dirs(root, target);
            let output = xshell::cmd!(sh, "{binary} {dirs...}").quiet().read().with_context(|| {
                format!("fuzz target `{target}` failed on a saved input (the last `ok` line is the one before it)")
            })?;
            println!("{target}: {} saved inputs replayed, no crash", output.lines().count());
        }
        return Ok(());
    }
    let target = targets[0];
    let host = host_triple(&sh)?;
    let (flags, folder) = instrumentation(target);
    let target_dir = target_dir(root).join(folder);
    let build = xshell::cmd!(
        sh,
        "cargo build --manifest-path {manifest} --target-dir {target_dir} --release --features libfuzzer --target {host} --bin {target}"
    )
    .env("RUSTFLAGS", flags);
    build.run().with_context(|| format!("building fuzz target `{target}`"))?;
    let binary = target_dir.join(&host).join("release").join(target);
    let fuzz = root.join("fuzz");
    let corpus = fuzz.join("corpus").join(target);
    let artifacts = fuzz.join("artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // libFuzzer: no time limit is 0, no run limit is -1.
    let seconds = args.seconds.unwrap_or(if args.runs.is_some() { 0 } else { 60 });
    let time = format!("-max_total_time={seconds}");
    let runs = format!("-runs={}", args.runs.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX)));
    let prefix = format!("-artifact_prefix={}/", artifacts.display());
    let max_len = format!("-max_len={MAX_LEN}");
    let dirs = input_dirs(root, target);
    let output = xshell::cmd!(
        sh,
        "{binary} {time} {runs} -print_final_stats=1 -rss_limit_mb=2048 -timeout=30 {max_len} {prefix} {corpus} {dirs...}"
    )
    .ignore_status()
    .output()
    .with_context(|| format!("running {}", binary.display()))?;
    let log = String::from_utf8_lossy(&output.stderr);
    // The whole of libFuzzer's log, beside the artifacts (not committed).
    let log_file = artifacts.join("last-run.log");
    std::fs::write(&log_file, log.as_bytes()).with_context(|| format!("writing {}", log_file.display()))?;
    let stat = |name: &str| {
        log.lines().find_map(|line| line.strip_prefix(&format!("stat::{name}:"))).map_or("?", str::trim).to_owned()
    };
    let (runs, per_second) = (stat("number_of_executed_units"), stat("average_exec_per_sec"));
    if log.contains("libFuzzer: run interrupted") {
        println!("{target}: interrupted after {runs} runs ({per_second} a second); no crash until then");
        return Ok(());
    }
    if !output.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
        bail!("fuzz target `{target}` crashed; the input is in {}:\n{}", artifacts.display(), tail.join("\n"));
    }
    let seconds = log.lines().rev().find_map(|line| line.strip_prefix("Done ")).unwrap_or("no summary line");
    println!("{target}: {runs} runs ({seconds}, {per_second} a second); no crash");
    Ok(())
}

fn host_triple(sh: &xshell::Shell) -> anyhow::Result<String> {
    let version = xshell::cmd!(sh, "rustc -vV").quiet().read().context("running rustc -vV")?;
    version.lines().find_map(|l| l.strip_prefix("host: ")).map(str::to_owned).context("rustc -vV names no host")
}
