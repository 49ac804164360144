//! `cargo xtask refresh` (fetch, then the incremental build, then the run report) and
//! `cargo xtask explain` (the split and clean binaries' explanations of one page).
//!
//! The fetching itself, its lock on the seeds folder and its run report are the `fetch` tool's;
//! this module only sequences the tools and adds what the build did to the report.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::config::Config;
use crate::pipeline::{self, Paths, RunOptions};
use crate::progress::{self, Mode};

pub enum Refreshed {
    /// Another fetch holds the seeds folder.
    Locked,
    Done {
        failed: bool,
    },
}

/// A new report path under `out/runs/`, named by the UTC time.
fn report_path(out: &Path) -> PathBuf {
    let stamp: String = progress::timestamp().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let dir = out.join("runs");
    let mut path = dir.join(format!("{stamp}.json"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!("{stamp}-{n}.json"));
    }
    path
}

pub fn refresh(
    paths: &Paths,
    config: &Config,
    sources: &Path,
    dry_run: bool,
    run: &RunOptions,
) -> anyhow::Result<Refreshed> {
    let bin_dir = pipeline::build_tools(paths, &run.profile, run.progress)?;
    std::fs::create_dir_all(&paths.seeds).with_context(|| format!("creating {}", paths.seeds.display()))?;
    let report = report_path(&paths.out);
    let mut command = Command::new(bin_dir.join("fetch"));
    command.arg("--sources").arg(sources).arg("--seeds").arg(&paths.seeds).arg("--report").arg(&report);
    if dry_run {
        command.arg("--dry-run");
    }
    if let Some(jobs) = run.jobs {
        command.arg("--jobs").arg(jobs.to_string());
    }
    command.stdin(Stdio::null());
    progress::say(run.progress, &format!("fetching the sources of {}", sources.display()));
    let status = command.status().context("starting the fetch tool")?;
    let fetch_failed = match status.code() {
        Some(0) => false,
        Some(1) => true,
        Some(3) => return Ok(Refreshed::Locked),
        _ => bail!("fetching could not run ({status}); the seeds are unchanged"),
    };
    if dry_run {
        return Ok(Refreshed::Done { failed: fetch_failed });
    }

    progress::say(run.progress, "building");
    let built = pipeline::run(paths, config, &config.steps, run)?;
    if run.progress != Mode::None {
        eprintln!("{}", built.table());
    }
    // Add what the build did to the fetch report.
    if let Ok(bytes) = std::fs::read(&report)
        && let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice(&bytes)
    {
        object.insert("rebuilt".to_owned(), serde_json::json!(built.pages_rebuilt()));
        object.insert("build".to_owned(), serde_json::json!({"failed": built.failed(), "steps": built.steps}));
        let bytes = serde_json::to_vec_pretty(&object).context("serializing the run report")?;
        model::io::write_atomic(&report, &bytes)?;
        progress::say(run.progress, &format!("run report: {}", report.display()));
    }
    Ok(Refreshed::Done { failed: fetch_failed || built.failed() })
}

/// Prints the split step's reasons for every line of `page`, then the clean step's joins.
pub fn explain(paths: &Paths, config: &Config, page: &str) -> anyhow::Result<()> {
    let pages = pipeline::seed_pages(&paths.seeds)?;
    let Some(seed) = pages.get(page) else {
        bail!("no page `{page}` in {} (page ids are seed file names without extension)", paths.seeds.display());
    };
    let bin_dir = pipeline::build_tools(paths, "release", Mode::None)?;
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let write_options = |step: &str| -> anyhow::Result<PathBuf> {
        let path = scratch.path().join(format!("{step}.options.json"));
        std::fs::write(&path, config.options.to_json(step).unwrap_or_default())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    };
    let split_options = write_options("split")?;
    let clean_options = write_options("clean")?;

    let status = Command::new(bin_dir.join("split"))
        .arg("explain")
        .arg("--options")
        .arg(&split_options)
        .arg(seed)
        .status()
        .context("starting split")?;
    if !status.success() {
        bail!("`split explain` failed ({status})");
    }
    let split_dir = scratch.path().join("split");
    let status = Command::new(bin_dir.join("split"))
        .arg("--options")
        .arg(&split_options)
        .arg("--out-dir")
        .arg(&split_dir)
        .arg(seed)
        .stderr(Stdio::null())
        .status()
        .context("starting split")?;
    if !status.success() {
        bail!("`split` failed on {} ({status})", seed.display());
    }
    println!();
    let status = Command::new(bin_dir.join("clean"))
        .arg("explain")
        .arg("--options")
        .arg(&clean_options)
        .arg(model::io::artifact_path(&split_dir, page))
        .status()
        .context("starting clean")?;
    if !status.success() {
        bail!("`clean explain` failed ({status})");
    }
    Ok(())
}
