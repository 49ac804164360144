//! `fetch`: pulls the pages named in a sources file into a seeds folder and writes a run report.
//!
//! Flags, the lock, the thread pool and exit codes only; HTTP, decoding and configuration are in
//! the library, page storage in `run.rs`. Exit codes (documented in README.md):
//! 0 all pages fetched or unchanged, 1 finished with failures, 2 could not run,
//! 3 another run holds the lock.

mod run;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Parser;
use fetch::dates::{Date, utc_timestamp};
use fetch::http::{Client, USER_AGENT};
use fetch::report::{REPORT_VERSION, Report};
use fetch::schedule::run_limited;
use fetch::sources;

/// Fetch e-paper pages into a seeds folder: conditional GET, retries, charset decoding, a lock.
#[derive(Debug, Parser)]
#[command(name = "fetch", version, about)]
struct Args {
    /// The sources file.
    #[arg(long, value_name = "FILE", default_value = "config/sources.toml")]
    sources: PathBuf,
    /// Where pages go (`<id>.txt`), with their validators in `.fetch/` and the lock `.fetch.lock`.
    #[arg(long, value_name = "DIR", default_value = "seeds")]
    seeds: PathBuf,
    /// Write the JSON run report here (for example out/runs/<timestamp>.json).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Print the pages that would be fetched (id, URL, conditional or not) and stop.
    #[arg(long)]
    dry_run: bool,
    /// Requests in flight at once over all hosts (`per_host` in the sources file limits each host).
    #[arg(long, value_name = "N", default_value_t = 4)]
    jobs: usize,
    /// The day that `last_days` counts back from and after which dates are skipped (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
}

const EXIT_FAILURES: u8 = 1;
const EXIT_CANNOT_RUN: u8 = 2;
const EXIT_LOCKED: u8 = 3;

fn main() -> ExitCode {
    let args = Args::parse();
    match real_main(&args) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("fetch: error: {error:#}");
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn real_main(args: &Args) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.sources).with_context(|| format!("reading {}", args.sources.display()))?;
    let config = match sources::parse(&text) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{}:{error}", args.sources.display());
            return Ok(EXIT_CANNOT_RUN);
        }
    };
    let today = match &args.today {
        Some(day) => Date::parse(day).map_err(|e| anyhow::anyhow!("--today: {e}"))?,
        None => Date::from_unix_seconds(unix_now()),
    };
    let (pages, skipped) = sources::plan(&config, today);

    if args.dry_run {
        for page in &pages {
            let stored = run::read_stored(&args.seeds, &page.id);
            let current = run::current_page(&args.seeds, &page.id).map(|(_, bytes)| bytes);
            let current_hash = current.as_deref().map(|b| blake3::hash(b).to_hex().to_string());
            let how = if current.is_none() {
                "new"
            } else if run::conditional(stored.as_ref(), page, current_hash.as_deref()).is_empty() {
                "full"
            } else {
                "conditional"
            };
            println!("{}\t{}\t{how}", page.id, page.url);
        }
        for page in &skipped {
            println!("{}\t{}\tskipped: {}", page.page, page.url, page.reason);
        }
        return Ok(0);
    }

    let started_at = unix_now();
    let started = Instant::now();
    let _lock = match run::lock(&args.seeds, &utc_timestamp(started_at)) {
        Ok(lock) => lock,
        Err(run::LockError::Held(who)) => {
            eprintln!("fetch: another fetch run is in progress ({who}); this run exits without fetching");
            return Ok(EXIT_LOCKED);
        }
        Err(run::LockError::Io(error)) => return Err(error),
    };
    run::sweep_temporaries(&args.seeds);
    let client = Client::new(&config.http).context("building the HTTP client")?;
    let now = utc_timestamp(started_at);
    let results = run_limited(
        &pages,
        |p| p.host.as_str(),
        args.jobs,
        config.http.per_host,
        |page| run::process(page, &args.seeds, &client, &now),
    );

    let mut report = Report {
        version: REPORT_VERSION,
        tool: USER_AGENT.to_owned(),
        started: now.clone(),
        sources: args.sources.display().to_string(),
        seeds: args.seeds.display().to_string(),
        today: today.to_string(),
        skipped,
        ..Report::default()
    };
    results.into_iter().for_each(|result| run::file(&mut report, result));
    report.finished = utc_timestamp(unix_now());
    report.duration_ms = started.elapsed().as_millis() as u64;
    report.count(pages.len());

    for failure in &report.failed {
        eprintln!("fetch: failed {} ({}): {}", failure.page, failure.url, failure.reason);
    }
    let counts = &report.counts;
    eprintln!(
        "fetch: {} fetched, {} unchanged, {} failed, {} skipped in {:.1} s",
        counts.fetched,
        counts.unchanged,
        counts.failed,
        counts.skipped,
        report.duration_ms as f64 / 1000.0
    );
    if let Some(path) = &args.report {
        let json = serde_json::to_vec_pretty(&report).context("encoding the report")?;
        model::io::write_atomic(path, &json)?;
    }
    Ok(if report.failed.is_empty() { 0 } else { EXIT_FAILURES })
}
