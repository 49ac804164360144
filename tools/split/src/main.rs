//! The `split` binary: page texts in, one split artifact per page out. CLI and glue only.

use std::process::ExitCode;

use clap::Parser;
use model::batch::{self, BatchArgs};
use model::options::SplitOptions;

/// Split newspaper page texts (UTF-8, UTF-16, GB18030; text or HTML) into articles.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options: SplitOptions = match cli.batch.load_options() {
        Ok(options) => options,
        Err(err) => return batch::fail_to_start("split", &err),
    };
    batch::run_pages("split", &cli.batch, |page_id, bytes| Ok(split::split_page(page_id, bytes, &options)))
}
