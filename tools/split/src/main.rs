//! The `split` binary: page texts in, one split artifact per page out; `split explain FILE`
//! prints each line's label and the features that weighed most. CLI and glue only: reading the
//! lexicon files and the model file, then calling the library.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use model::batch::{self, BatchArgs};
use model::options::SplitOptions;
use split::{Lexicon, Splitter};

/// Split newspaper page texts (UTF-8, UTF-16, GB18030; text or HTML) into articles.
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
    /// Print each input line with its number, its article, the label it was given and its text,
    /// with the features that weighed most for that label; then each article's diagnostics.
    Explain {
        /// The page file.
        file: PathBuf,
        /// The split options as JSON (the `[split]` table of config/pipeline.toml).
        #[arg(long, value_name = "FILE")]
        options: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Explain { file, options }) => match explain(&file, options.as_deref()) {
            Ok(text) => {
                use std::io::Write;
                // A closed pipe (`| head`) is not an error.
                let _ = std::io::stdout().write_all(text.as_bytes());
                ExitCode::SUCCESS
            }
            Err(err) => batch::fail_to_start("split explain", &err),
        },
        None => match &cli.batch {
            Some(batch) => run(batch),
            None => {
                use clap::CommandFactory;
                let _ = Cli::command().print_help();
                ExitCode::from(2)
            }
        },
    }
}

fn run(args: &BatchArgs) -> ExitCode {
    let splitter = match args.load_options::<SplitOptions>().and_then(load_splitter) {
        Ok(splitter) => splitter,
        Err(err) => return batch::fail_to_start("split", &err),
    };
    // The batch driver hands over the page id; the source file name comes from the inputs.
    let names: HashMap<String, String> = match args.input_paths() {
        Ok(paths) => paths.iter().map(|p| (model::io::page_id(p), file_name(p))).collect(),
        Err(err) => return batch::fail_to_start("split", &err),
    };
    batch::run_pages("split", args, |page_id, bytes| {
        let name = names.get(page_id).cloned().unwrap_or_else(|| page_id.to_owned());
        Ok(split::split_page(page_id, &name, bytes, &splitter)?)
    })
}

fn explain(file: &Path, options: Option<&Path>) -> anyhow::Result<String> {
    let options: SplitOptions = match options {
        None => SplitOptions::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading options {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("options in {}", path.display()))?
        }
    };
    let splitter = load_splitter(options)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let page_id = model::io::page_id(file);
    split::explain(&page_id, &file_name(file), &bytes, &splitter).with_context(|| format!("{}", file.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A configured folder; a relative one that does not exist is also looked for under `config/`
/// (so the binary run by hand from the repository finds the project's lists).
fn find_folder(path: &Path) -> Option<PathBuf> {
    if path.is_dir() {
        return Some(path.to_owned());
    }
    let under_config = Path::new("config").join(path);
    (path.is_relative() && under_config.is_dir()).then_some(under_config)
}

fn load_splitter(options: SplitOptions) -> anyhow::Result<Splitter> {
    let lexicon_dir = find_folder(&options.lexicon);
    let lexicon = Lexicon::from_files(|name| {
        let dir = lexicon_dir.as_ref()?;
        std::fs::read_to_string(dir.join(name)).ok()
    });
    let model = match find_file(&options.model) {
        Some(path) => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            split::labeller::Model::parse(&text).with_context(|| format!("split model {}", path.display()))?
        }
        None => split::labeller::Model::builtin(),
    };
    Ok(Splitter { options, lexicon, model })
}

/// A configured file; a relative one that does not exist is also looked for under `config/`.
fn find_file(path: &Path) -> Option<PathBuf> {
    if path.is_file() {
        return Some(path.to_owned());
    }
    let under_config = Path::new("config").join(path);
    (path.is_relative() && under_config.is_file()).then_some(under_config)
}
