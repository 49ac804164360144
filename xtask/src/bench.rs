//! `cargo xtask bench`: what a user waits for and what the outputs weigh, on a realistic corpus.
//!
//! For each corpus size (default 1,000 and 10,000 pages) it measures, as a user runs them (a
//! fresh `cargo xtask build-all` process each time, tools already built): the cold build end to
//! end and per step (seconds, MB/s, peak resident memory as the step's process reported it from
//! the OS), the no-op rebuild, the rebuild after one page changed, the database and the search
//! data a browser loads before its first query; and the floor to compare against: one jieba-rs
//! pass (HMM on) over the same pages in one process on one thread. Every figure is a median over
//! `--runs`; the report is JSON (`--report`) and a table on stdout.
//!
//! The tools are built once, before anything is measured, and copied with this xtask binary and
//! `config/` into the bench's scratch folder; every measured `build-all` runs those copies
//! (`NEWSDESK_BIN_DIR`), so an edit or a rebuild in the work tree while the bench runs (hours at
//! 10,000 pages) changes nothing it measures.
//!
//! The corpus: pages rendered from `../shared/corpus/*.jsonl` when present (real text, in
//! several layouts), else copies of the seeds made unique by a numbered closing line. Speed is
//! measured here, never asserted in tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;

use crate::gen_corpus;
use crate::pipeline::{self, RunReport};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Corpus sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1000, 10000])]
    pages: Vec<usize>,
    /// Runs of each measurement to take the median of.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Worker threads per step (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Where to write the JSON report (default: target/bench-report.json).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Folder of JSONL corpus files to render pages from (default: ../shared/corpus when it
    /// exists; without one, or with `--corpus seeds`, the seeds are copied).
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,
    /// Cargo profile of the measured tools: `release` (default), or `dev` to reuse the test
    /// build where only a working bench matters, not its figures (CI).
    #[arg(long, default_value = "release", hide = true)]
    cargo_profile: String,
    /// Use this folder as the scratch folder and keep the corpus and the outputs in it
    /// (`pages-N/`, `out-N/`, `bin/`, `config/`) for profiling; default: a temporary folder.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
}

/// The frozen tools: the folder of binaries and the configuration every measured run uses.
struct Frozen {
    bin: PathBuf,
    config: PathBuf,
}

/// Copies a folder tree (regular files and folders; links are followed).
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("listing {}", from.display()))? {
        let entry = entry.with_context(|| format!("listing {}", from.display()))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)
                .with_context(|| format!("copying {} to {}", source.display(), target.display()))?;
        }
    }
    Ok(())
}

/// Builds the tools once (`profile`, release unless CI asks otherwise) and copies them, this
/// xtask binary and `config/` into `scratch`.
fn freeze_tools(root: &Path, scratch: &Path, profile: &str) -> anyhow::Result<Frozen> {
    let paths = pipeline::Paths { root: root.to_path_buf(), seeds: root.join("seeds"), out: root.join("out") };
    let built = pipeline::build_tools(&paths, profile, crate::progress::Mode::None)?;
    let bin = scratch.join("bin");
    std::fs::create_dir_all(&bin).with_context(|| format!("creating {}", bin.display()))?;
    let tools = root.join("tools");
    for entry in std::fs::read_dir(&tools).with_context(|| format!("listing {}", tools.display()))?.flatten() {
        if !entry.path().join("src").join("main.rs").is_file() {
            continue;
        }
        let name = entry.file_name();
        let source = built.join(&name);
        std::fs::copy(&source, bin.join(&name)).with_context(|| format!("copying {}", source.display()))?;
    }
    // The per-page steps run inside xtask: the frozen copy must be an optimized build even
    // when this one (`cargo xtask`, the dev profile) is not, unless the dev tools were asked for.
    let xtask = if profile == "release" {
        crate::pages::optimized_xtask(root)?
    } else {
        std::env::current_exe().context("finding the xtask binary")?
    };
    std::fs::copy(&xtask, bin.join("xtask")).with_context(|| format!("copying {}", xtask.display()))?;
    let config = scratch.join("config");
    copy_tree(&root.join("config"), &config)?;
    Ok(Frozen { bin, config: config.join("pipeline.toml") })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn median_u64(values: Vec<u64>) -> u64 {
    median(values.into_iter().map(|v| v as f64).collect()) as u64
}

/// Writes `count` copies of the seed pages into `dir`, each made unique by a numbered line.
fn copy_seeds(seeds: &Path, dir: &Path, count: usize) -> anyhow::Result<()> {
    let pages = pipeline::seed_pages(seeds)?;
    let texts: Vec<Vec<u8>> = pages
        .values()
        .map(|p| std::fs::read(p).with_context(|| format!("reading {}", p.display())))
        .collect::<Result<_, _>>()?;
    if texts.is_empty() {
        bail!("no seed pages in {} to build a corpus from", seeds.display());
    }
    for n in 0..count {
        let mut text = texts[n % texts.len()].clone();
        text.extend_from_slice(format!("\n\n（第{n}号样张）\n").as_bytes());
        std::fs::write(dir.join(format!("bench_{n:06}.txt")), &text).context("writing the corpus")?;
    }
    Ok(())
}

/// Builds the bench corpus of `count` pages in `dir`: rendered from the JSONL corpus files in
/// `from` when given (each page in a style chosen per copy, so repeats differ in layout), else
/// copies of the seeds.
fn make_corpus(root: &Path, from: Option<&Path>, dir: &Path, count: usize) -> anyhow::Result<&'static str> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let Some(from) = from else {
        copy_seeds(&root.join("seeds"), dir, count)?;
        return Ok("copies of the seeds");
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(from)
        .with_context(|| format!("listing {}", from.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut pages = Vec::new();
    for file in &files {
        pages.extend(gen_corpus::read_corpus(file)?);
    }
    if pages.is_empty() {
        bail!("no corpus pages in {} (*.jsonl)", from.display());
    }
    let styles = gen_corpus::Style::ALL;
    for n in 0..count {
        let page = &pages[n % pages.len()];
        let round = n / pages.len();
        let style = styles[(n * 7 + round) % styles.len()];
        let (name, mut bytes) = gen_corpus::page_file(page, style, 11 + round as u64, false, false);
        if round > 0 {
            // A repeat of a page is made unique, as a reprint with a note would be.
            bytes.extend_from_slice(format!("\n（第{round}次重印）\n").as_bytes());
        }
        let name = name.replace(".txt", &format!("~{round}.txt"));
        std::fs::write(dir.join(&name), &bytes).with_context(|| format!("writing {name}"))?;
    }
    Ok("rendered from the shared corpus, mixed styles")
}

/// The corpus folder to render from: `--corpus`, else `../shared/corpus` beside the workspace.
fn corpus_source(root: &Path, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(given) = given {
        return (given != Path::new("seeds")).then(|| given.to_path_buf());
    }
    let shared = root.parent()?.join("shared").join("corpus");
    shared.is_dir().then_some(shared)
}

/// The page files of a corpus folder and their total size in bytes.
fn corpus_files(dir: &Path) -> anyhow::Result<(Vec<PathBuf>, u64)> {
    let files: Vec<PathBuf> = pipeline::seed_pages(dir)?.into_values().collect();
    let mut bytes = 0;
    for file in &files {
        bytes += std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?.len();
    }
    Ok((files, bytes))
}

/// One `cargo xtask build-all` as a user runs it, tools already built: a fresh process of the
/// frozen xtask; its wall time and its report.
fn build_all(frozen: &Frozen, seeds: &Path, out: &Path, jobs: Option<usize>) -> anyhow::Result<(f64, RunReport)> {
    let mut command = Command::new(frozen.bin.join("xtask"));
    command.env("NEWSDESK_BIN_DIR", &frozen.bin);
    command.args(["build-all", "--progress", "none", "--seeds"]).arg(seeds).arg("--out").arg(out);
    command.arg("--config").arg(&frozen.config);
    if let Some(jobs) = jobs {
        command.arg("--jobs").arg(jobs.to_string());
    }
    let started = Instant::now();
    let status = command.stdin(Stdio::null()).stdout(Stdio::null()).status().context("running build-all")?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("`cargo xtask build-all --seeds {} --out {}` failed ({status})", seeds.display(), out.display());
    }
    let last = out.join(".state").join("last-run.json");
    let bytes = std::fs::read(&last).with_context(|| format!("reading {}", last.display()))?;
    let report: RunReport = serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", last.display()))?;
    Ok((seconds, report))
}

/// One step's cold-build figures.
#[derive(Debug, Clone, Serialize)]
struct StepFigures {
    step: String,
    seconds: f64,
    mb_per_s: f64,
    peak_rss_mb: f64,
}

/// Everything measured at one corpus size.
#[derive(Debug, Clone, Serialize)]
struct SizeReport {
    pages: usize,
    corpus: String,
    megabytes: f64,
    runs: usize,
    cold_s: f64,
    cold_mb_per_s: f64,
    noop_s: f64,
    one_changed_s: f64,
    /// Seconds per step of the one-changed rebuild.
    one_changed_steps: BTreeMap<String, f64>,
    peak_rss_mb: f64,
    jieba_load_s: f64,
    jieba_pass_s: f64,
    cold_over_jieba: f64,
    db_bytes: u64,
    db_over_input: f64,
    search_bytes: u64,
    site_bytes: u64,
    site_files: u64,
    steps: Vec<StepFigures>,
}

/// The site files `search.html` loads before a query is typed: itself and every local script
/// and stylesheet it names (`src="…"`, `href="….css"`).
fn search_bytes(site: &Path) -> u64 {
    let page = site.join("search.html");
    let Ok(html) = std::fs::read_to_string(&page) else { return 0 };
    let mut total = html.len() as u64;
    for attribute in ["src=\"", "href=\""] {
        for piece in html.split(attribute).skip(1) {
            let target = piece.split('"').next().unwrap_or_default();
            let loads = attribute == "src=\"" || target.ends_with(".css");
            if loads && !target.contains("://") {
                total += std::fs::metadata(site.join(target)).map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
}

/// Total size and count of the files under `dir`.
fn tree_size(dir: &Path) -> (u64, u64) {
    let mut bytes = 0;
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                bytes += meta.len();
                files += 1;
            }
        }
    }
    (bytes, files)
}

/// One jieba-rs pass (HMM on) over every page's text, in this process on one thread: seconds to
/// load the dictionary, seconds to segment.
fn jieba_pass(files: &[PathBuf]) -> anyhow::Result<(f64, f64)> {
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read(f).map(|b| String::from_utf8_lossy(&b).into_owned()))
        .collect::<Result<_, _>>()
        .context("reading the corpus")?;
    let started = Instant::now();
    let jieba = jieba_rs::Jieba::new();
    let load = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut words = 0usize;
    for text in &texts {
        words += jieba.cut(text, true).len();
    }
    let pass = started.elapsed().as_secs_f64();
    std::hint::black_box(words);
    Ok((load, pass))
}

/// Appends a line to one page, as an editor's correction would.
fn touch_page(file: &Path, run: usize) -> anyhow::Result<()> {
    let mut text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    text.extend_from_slice(format!("\n本报讯 第{run}次更正：数字有误，已改正。\n").as_bytes());
    std::fs::write(file, text).with_context(|| format!("writing {}", file.display()))
}

fn measure_size(
    frozen: &Frozen,
    root: &Path,
    from: Option<&Path>,
    scratch: &Path,
    pages: usize,
    args: &BenchArgs,
) -> anyhow::Result<SizeReport> {
    let seeds = scratch.join(format!("pages-{pages}"));
    let out = scratch.join(format!("out-{pages}"));
    let corpus = make_corpus(root, from, &seeds, pages)?;
    let (files, bytes) = corpus_files(&seeds)?;
    let megabytes = bytes as f64 / 1e6;
    eprintln!("bench: {} pages, {megabytes:.1} MB ({corpus}), {} runs", files.len(), args.runs);

    let runs = args.runs.max(1);
    let (mut cold, mut noop, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    let mut per_step: Vec<(String, Vec<f64>, Vec<u64>)> = Vec::new();
    let mut changed_steps: Vec<(String, Vec<f64>)> = Vec::new();
    for run in 0..runs {
        if out.exists() {
            std::fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
        }
        let (seconds, report) = build_all(frozen, &seeds, &out, args.jobs)?;
        cold.push(seconds);
        for step in &report.steps {
            let rss = step.peak_rss_kb.unwrap_or(0);
            match per_step.iter_mut().find(|(s, _, _)| *s == step.step) {
                Some((_, times, peaks)) => {
                    times.push(step.seconds);
                    peaks.push(rss);
                }
                None => per_step.push((step.step.clone(), vec![step.seconds], vec![rss])),
            }
        }
        let (noop_seconds, report) = build_all(frozen, &seeds, &out, args.jobs)?;
        if !report.nothing_done() {
            bail!("the no-op build redid work:\n{}", report.table());
        }
        noop.push(noop_seconds);
        let Some(file) = files.get((run * 7919) % files.len().max(1)) else { bail!("the corpus is empty") };
        touch_page(file, run)?;
        let (changed_seconds, report) = build_all(frozen, &seeds, &out, args.jobs)?;
        changed.push(changed_seconds);
        for step in &report.steps {
            match changed_steps.iter_mut().find(|(s, _)| *s == step.step) {
                Some((_, times)) => times.push(step.seconds),
                None => changed_steps.push((step.step.clone(), vec![step.seconds])),
            }
        }
        eprintln!(
            "  run {}: cold {seconds:.2} s, no-op {noop_seconds:.2} s, one changed {changed_seconds:.2} s",
            run + 1
        );
    }
    let (jieba_load_s, jieba_pass_s) = {
        let mut loads = Vec::new();
        let mut passes = Vec::new();
        for _ in 0..runs {
            let (load, pass) = jieba_pass(&files)?;
            loads.push(load);
            passes.push(pass);
        }
        (median(loads), median(passes))
    };
    let steps: Vec<StepFigures> = per_step
        .into_iter()
        .map(|(step, times, peaks)| {
            let seconds = median(times);
            StepFigures {
                step,
                seconds,
                mb_per_s: megabytes / seconds.max(1e-9),
                peak_rss_mb: median_u64(peaks) as f64 / 1024.0,
            }
        })
        .collect();
    let cold_s = median(cold);
    let db_bytes = std::fs::metadata(out.join("corpus.sqlite")).map(|m| m.len()).unwrap_or(0);
    let (site_bytes, site_files) = tree_size(&out.join("site"));
    let report = SizeReport {
        pages: files.len(),
        corpus: corpus.to_owned(),
        megabytes,
        runs,
        cold_s,
        cold_mb_per_s: megabytes / cold_s.max(1e-9),
        noop_s: median(noop),
        one_changed_s: median(changed),
        one_changed_steps: changed_steps.into_iter().map(|(step, times)| (step, median(times))).collect(),
        peak_rss_mb: steps.iter().map(|s| s.peak_rss_mb).fold(0.0, f64::max),
        jieba_load_s,
        jieba_pass_s,
        cold_over_jieba: cold_s / jieba_pass_s.max(1e-9),
        db_bytes,
        db_over_input: db_bytes as f64 / bytes.max(1) as f64,
        search_bytes: search_bytes(&out.join("site")),
        site_bytes,
        site_files,
        steps,
    };
    if args.keep.is_none() {
        std::fs::remove_dir_all(&out).ok();
        std::fs::remove_dir_all(&seeds).ok();
    }
    Ok(report)
}

/// The table printed at the end: one row per size, then each size's steps.
fn table(sizes: &[SizeReport]) -> String {
    let mut out = format!(
        "{:>6} {:>7} {:>7} {:>6} {:>6} {:>8} {:>7} {:>7} {:>6} {:>7} {:>5} {:>8}\n",
        "pages",
        "MB",
        "cold s",
        "MB/s",
        "noop s",
        "1-page s",
        "RSS MB",
        "jieba s",
        "×jieba",
        "db MB",
        "×in",
        "search MB"
    );
    for s in sizes {
        out.push_str(&format!(
            "{:>6} {:>7.1} {:>7.2} {:>6.1} {:>6.2} {:>8.2} {:>7.0} {:>7.2} {:>6.1} {:>7.1} {:>5.2} {:>8.2}\n",
            s.pages,
            s.megabytes,
            s.cold_s,
            s.cold_mb_per_s,
            s.noop_s,
            s.one_changed_s,
            s.peak_rss_mb,
            s.jieba_pass_s,
            s.cold_over_jieba,
            s.db_bytes as f64 / 1e6,
            s.db_over_input,
            s.search_bytes as f64 / 1e6
        ));
    }
    for s in sizes {
        out.push_str(&format!("\ncold build by step, {} pages (and the one-changed rebuild):\n", s.pages));
        for step in &s.steps {
            let changed = s.one_changed_steps.get(&step.step).copied().unwrap_or(0.0);
            out.push_str(&format!(
                "  {:<10} {:>7.2} s {:>7.1} MB/s {:>6.0} MB peak RSS   one changed {:>6.2} s\n",
                step.step, step.seconds, step.mb_per_s, step.peak_rss_mb, changed
            ));
        }
    }
    out
}

pub fn run(root: &Path, args: &BenchArgs) -> anyhow::Result<()> {
    if args.pages.is_empty() || args.pages.contains(&0) {
        bail!("--pages takes one or more corpus sizes above zero, e.g. --pages 1000,10000");
    }
    let from = corpus_source(root, args.corpus.as_deref());
    let temporary;
    let scratch: &Path = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            dir
        }
        None => {
            temporary =
                tempfile::Builder::new().prefix("newsdesk-bench").tempdir().context("creating a scratch folder")?;
            temporary.path()
        }
    };
    // Builds the tools first and once, so that no measured run includes compiling them.
    let frozen = freeze_tools(root, scratch, &args.cargo_profile)?;
    let frozen = &frozen;
    let warm = scratch.join("warm-up");
    copy_seeds(
        &root.join("seeds"),
        &{
            std::fs::create_dir_all(&warm).context("creating the warm-up corpus")?;
            warm.clone()
        },
        1,
    )?;
    build_all(frozen, &warm, &scratch.join("warm-up-out"), args.jobs)?;

    let mut sizes = Vec::new();
    for &pages in &args.pages {
        sizes.push(measure_size(frozen, root, from.as_deref(), scratch, pages, args)?);
    }
    let (Some(largest), Some(smallest)) = (sizes.iter().max_by_key(|s| s.pages), sizes.iter().min_by_key(|s| s.pages))
    else {
        bail!("nothing was measured");
    };
    let mut report = serde_json::to_value(largest).context("serializing the report")?;
    if let Some(map) = report.as_object_mut() {
        map.insert("sizes".into(), serde_json::to_value(&sizes).context("serializing the report")?);
        map.insert(
            "cores".into(),
            serde_json::json!(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
        );
        if largest.pages > smallest.pages {
            map.insert(
                "scaling".into(),
                serde_json::json!({
                    "pages_ratio": largest.pages as f64 / smallest.pages as f64,
                    "time_ratio": largest.cold_s / smallest.cold_s.max(1e-9),
                }),
            );
        }
    }
    print!("{}", table(&sizes));
    if largest.pages > smallest.pages {
        println!(
            "\nscaling: {:.1}× the pages took {:.2}× the time",
            largest.pages as f64 / smallest.pages as f64,
            largest.cold_s / smallest.cold_s.max(1e-9)
        );
    }
    let path = args.report.clone().unwrap_or_else(|| root.join("target").join("bench-report.json"));
    model::io::write_atomic(&path, serde_json::to_string_pretty(&report).unwrap_or_default().as_bytes())?;
    println!("report: {}", path.display());
    Ok(())
}
