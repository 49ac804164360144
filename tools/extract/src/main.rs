//! The `extract` binary: cleaned artifacts in, artifacts with extractions out. CLI and glue only.

use std::process::ExitCode;

use clap::Parser;
use model::batch::{self, BatchArgs};
use model::options::ExtractOptions;

/// Extract figures, people, quotes, places, organizations and keywords from cleaned pages.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options: ExtractOptions = match cli.batch.load_options() {
        Ok(options) => options,
        Err(err) => return batch::fail_to_start("extract", &err),
    };
    batch::run_artifacts("extract", &cli.batch, |page| Ok(extract::extract_page(page, &options)))
}
