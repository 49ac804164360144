//! The `clean` binary: split artifacts in, cleaned artifacts out. CLI and glue only.

use std::process::ExitCode;

use clap::Parser;
use model::batch::{self, BatchArgs};
use model::options::CleanOptions;

/// Rejoin broken sentences and normalize the text of split pages.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options: CleanOptions = match cli.batch.load_options() {
        Ok(options) => options,
        Err(err) => return batch::fail_to_start("clean", &err),
    };
    batch::run_artifacts("clean", &cli.batch, |page| Ok(clean::clean_page(page, &options)))
}
