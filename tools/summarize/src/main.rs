//! The `summarize` binary: extracted artifacts in, summarized artifacts out. CLI and glue only.

use std::process::ExitCode;

use clap::Parser;
use model::batch::{self, BatchArgs};
use model::options::SummarizeOptions;

/// Summarize articles and render briefings from templates.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options: SummarizeOptions = match cli.batch.load_options() {
        Ok(options) => options,
        Err(err) => return batch::fail_to_start("summarize", &err),
    };
    batch::run_artifacts("summarize", &cli.batch, |page| Ok(summarize::summarize_page(page, &options)))
}
