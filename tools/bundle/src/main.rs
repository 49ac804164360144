//! The `bundle` binary: all summarized artifacts in, the user-facing bundle out. Only the
//! command line: the work is `bundle::build::run` (per-page phase in parallel and cached, then
//! assembly, manifest and archive).
//!
//! Output root layout: `data/articles.jsonl`, `data/{figures,quotes,people}.csv`,
//! `corpus.sqlite`, `site/…`, `manifest.json`, `dist/<name>-<date>.zip`; its cache in
//! `.state/bundle/`.

use std::process::ExitCode;

use clap::Parser;
use model::batch::{self, BatchArgs};

/// Write the dataset, database, site, manifest and archive from summarized pages.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match bundle::build::run(&cli.batch) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(err) => batch::fail_to_start("bundle", &err),
    }
}
