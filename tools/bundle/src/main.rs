//! The `bundle` binary: all summarized artifacts in, the user-facing bundle out. CLI and glue only.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use model::batch::{self, BatchArgs};
use model::options::BundleOptions;

/// Write the dataset, database, site, manifest and archive from summarized pages.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => batch::fail_to_start("bundle", &err),
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let _options: BundleOptions = cli.batch.load_options()?;
    let out: PathBuf = cli.batch.out_dir.clone();
    let mut jsonl = Vec::new();
    for path in cli.batch.input_paths()? {
        let page = model::io::read_page(&path)?;
        for article in &page.articles {
            writeln!(jsonl, "{}", bundle::dataset_line(article)).context("buffering the dataset")?;
        }
    }
    model::io::write_atomic(&out.join("data").join("articles.jsonl"), &jsonl)?;
    Ok(())
}
