//! `cargo xtask bench`: throughput, scaling, no-op rebuild time and peak memory of the whole
//! pipeline on a synthetic corpus made from the seeds.
//!
//! Speed is measured here, never in tests: machines are shared and noisy, so every number is a
//! median over several runs and the scaling is reported as a ratio. The corpus is the seed pages
//! repeated, each copy made unique by a numbered closing line, so no two pages hash alike.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::config;
use crate::pipeline::{self, Paths, RunOptions};
use crate::progress::Mode;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Pages in the synthetic corpus.
    #[arg(long, default_value_t = 2000)]
    pages: usize,
    /// Full builds to take the median of.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Worker threads per step (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Writes `count` pages into `dir` from the project's seeds; returns their total size in bytes.
fn make_corpus(seeds: &Path, dir: &Path, count: usize) -> anyhow::Result<u64> {
    let pages = pipeline::seed_pages(seeds)?;
    let texts: Vec<Vec<u8>> = pages
        .values()
        .map(|p| std::fs::read(p).with_context(|| format!("reading {}", p.display())))
        .collect::<Result<_, _>>()?;
    if texts.is_empty() {
        bail!("no seed pages in {} to build a corpus from", seeds.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut total = 0;
    for n in 0..count {
        let mut text = texts[n % texts.len()].clone();
        text.extend_from_slice(format!("\n\n（第{n}号样张）\n").as_bytes());
        total += text.len() as u64;
        std::fs::write(dir.join(format!("bench_{n:06}.txt")), &text).context("writing the corpus")?;
    }
    Ok(total)
}

struct Measured {
    seconds: f64,
    peak_rss_kb: u64,
    /// Seconds per step, in pipeline order.
    steps: Vec<(String, f64)>,
}

fn full_build(
    root: &Path,
    seeds: &Path,
    out: &Path,
    config: &config::Config,
    jobs: Option<usize>,
) -> anyhow::Result<Measured> {
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("removing {}", out.display()))?;
    }
    let paths = Paths { root: root.to_path_buf(), seeds: seeds.to_path_buf(), out: out.to_path_buf() };
    let run = RunOptions { force: true, jobs, progress: Mode::None, pages: Vec::new(), profile: "release".into() };
    let started = Instant::now();
    let report = pipeline::run(&paths, config, &config.steps, &run)?;
    let seconds = started.elapsed().as_secs_f64();
    if report.failed() {
        bail!("the benchmark build had failures:\n{}", report.table());
    }
    let peak_rss_kb = report.steps.iter().filter_map(|s| s.peak_rss_kb).max().unwrap_or(0);
    let steps = report.steps.iter().map(|s| (s.step.clone(), s.seconds)).collect();
    Ok(Measured { seconds, peak_rss_kb, steps })
}

pub fn run(root: &Path, args: &BenchArgs) -> anyhow::Result<()> {
    let config = config::load(&root.join("config").join("pipeline.toml"))?;
    let scratch = tempfile::Builder::new().prefix("newsdesk-bench").tempdir().context("creating a scratch folder")?;
    let half = (args.pages / 2).max(1);
    let seeds_full = scratch.path().join("seeds-full");
    let seeds_half = scratch.path().join("seeds-half");
    let bytes_full = make_corpus(&root.join("seeds"), &seeds_full, args.pages)?;
    let bytes_half = make_corpus(&root.join("seeds"), &seeds_half, half)?;
    let out = scratch.path().join("out");
    eprintln!("corpus: {} pages, {:.1} MB; {} runs each", args.pages, bytes_full as f64 / 1e6, args.runs);

    // Warm up: builds the release binaries and the page cache.
    full_build(root, &seeds_half, &out, &config, args.jobs)?;
    let mut full = Vec::new();
    let mut halves = Vec::new();
    let mut peak = 0;
    let mut per_step: Vec<(String, Vec<f64>)> = Vec::new();
    for run in 0..args.runs.max(1) {
        let m = full_build(root, &seeds_half, &out, &config, args.jobs)?;
        halves.push(m.seconds);
        let half_seconds = m.seconds;
        let m = full_build(root, &seeds_full, &out, &config, args.jobs)?;
        eprintln!("run {}: full {:.2} s, half {half_seconds:.2} s", run + 1, m.seconds);
        peak = peak.max(m.peak_rss_kb);
        full.push(m.seconds);
        for (step, seconds) in m.steps {
            match per_step.iter_mut().find(|(s, _)| *s == step) {
                Some((_, all)) => all.push(seconds),
                None => per_step.push((step, vec![seconds])),
            }
        }
    }
    let per_step: Vec<(String, f64)> = per_step.into_iter().map(|(s, all)| (s, median(all))).collect();
    // The no-op rebuild as a user runs it: the xtask binary, a fresh process, nothing changed.
    let xtask: PathBuf = std::env::current_exe().context("finding the xtask binary")?;
    let mut noop = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let status = Command::new(&xtask)
            .args(["build-all", "--progress", "none", "--seeds"])
            .arg(&seeds_full)
            .arg("--out")
            .arg(&out)
            .stdin(Stdio::null())
            .status()
            .context("running build-all")?;
        noop.push(started.elapsed().as_secs_f64());
        if !status.success() {
            bail!("the no-op build-all failed ({status})");
        }
    }

    let (full_s, half_s, noop_s) = (median(full), median(halves), median(noop));
    let throughput = bytes_full as f64 / 1e6 / full_s;
    let scaling = full_s / half_s * (bytes_half as f64 / bytes_full as f64) * 2.0;
    let report = serde_json::json!({
        "pages": args.pages,
        "megabytes": bytes_full as f64 / 1e6,
        "full_build_median_seconds": full_s,
        "throughput_mb_per_s": throughput,
        "half_corpus_median_seconds": half_s,
        "scaling_ratio_time_full_over_twice_half": scaling / 2.0,
        "noop_rebuild_median_seconds": noop_s,
        "peak_rss_mb": peak as f64 / 1024.0,
        "target_mb_per_s": 20.0,
        "throughput_ratio_to_target": throughput / 20.0,
        "step_median_seconds": per_step.iter().map(|(s, t)| (s.clone(), serde_json::json!(t))).collect::<serde_json::Map<_, _>>(),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    });
    println!(
        "full build (median of {}): {full_s:.2} s = {throughput:.1} MB/s ({:.2}× the 20 MB/s target)",
        args.runs,
        throughput / 20.0
    );
    println!("scaling: time(N) / (2 × time(N/2)) = {:.2} (1.00 is linear)", scaling / 2.0);
    for (step, seconds) in &per_step {
        println!("  {step:<10} {seconds:>7.2} s  {:>7.1} MB/s", bytes_full as f64 / 1e6 / seconds.max(1e-9));
    }
    println!("no-op rebuild (median of 5): {noop_s:.3} s");
    println!("peak memory of any step: {:.0} MB", peak as f64 / 1024.0);
    let path = root.join("target").join("bench-report.json");
    model::io::write_atomic(&path, serde_json::to_string_pretty(&report).unwrap_or_default().as_bytes())?;
    println!("report: {}", path.display());
    Ok(())
}
