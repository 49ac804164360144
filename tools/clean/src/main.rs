//! The `clean` binary: split artifacts in, cleaned artifacts out; `clean explain ARTIFACT`
//! prints each join decision with its reason. CLI and glue only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use model::batch::{self, BatchArgs};
use model::options::CleanOptions;

/// Rejoin broken sentences and normalize the text of split pages.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Batch mode (no subcommand). Optional only so that a subcommand parses without it.
    #[command(flatten)]
    batch: Option<BatchArgs>,
}

#[derive(Subcommand)]
enum Command {
    /// Print each join and non-join decision of one split artifact with its reason, then the
    /// lost-text diagnostics.
    Explain {
        /// A split artifact (`out/split/<page>.json`).
        artifact: PathBuf,
        /// The clean options as JSON (the `[clean]` table of config/pipeline.toml).
        #[arg(long, value_name = "FILE")]
        options: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match (cli.command, &cli.batch) {
        (Some(Command::Explain { artifact, options }), _) => match explain(&artifact, options.as_deref()) {
            Ok(text) => {
                use std::io::Write;
                // A closed pipe (`| head`) is not an error.
                let _ = std::io::stdout().write_all(text.as_bytes());
                ExitCode::SUCCESS
            }
            Err(err) => batch::fail_to_start("clean explain", &err),
        },
        (None, Some(args)) => {
            let cleaner = match args.load_options::<CleanOptions>().map(load_cleaner) {
                Ok(cleaner) => cleaner,
                Err(err) => return batch::fail_to_start("clean", &err),
            };
            batch::run_artifacts("clean", args, |page| Ok(clean::clean_page(page, &cleaner)))
        }
        (None, None) => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            ExitCode::from(2)
        }
    }
}

fn explain(artifact: &Path, options: Option<&Path>) -> anyhow::Result<String> {
    let options: CleanOptions = match options {
        None => CleanOptions::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading options {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("options in {}", path.display()))?
        }
    };
    let page = model::io::read_page(artifact)?;
    Ok(clean::explain(page, &load_cleaner(options)))
}

/// The options with the word lists of the configured lexicon folder (a relative folder that
/// does not exist is also looked for under `config/`); lists it lacks are the built-in ones.
fn load_cleaner(options: CleanOptions) -> clean::Cleaner {
    let dir = if options.lexicon.is_dir() {
        Some(options.lexicon.clone())
    } else {
        let under_config = Path::new("config").join(&options.lexicon);
        (options.lexicon.is_relative() && under_config.is_dir()).then_some(under_config)
    };
    let lexicon = clean::CleanLexicon::from_files(|name| std::fs::read_to_string(dir.as_ref()?.join(name)).ok());
    clean::Cleaner { options, lexicon }
}
