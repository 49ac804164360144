//! The `extract` binary: cleaned artifacts in, artifacts with extractions out. CLI and glue only.
//!
//! `extract figures --text "超2.6亿元"` runs the figure parser on one string and prints the
//! figures as a JSON array of `model::Figure`.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use model::batch::{self, BatchArgs};
use model::options::ExtractOptions;

/// Extract figures, people, quotes, places, organizations and keywords from cleaned pages.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    batch: Option<BatchArgs>,
}

#[derive(Subcommand)]
enum Command {
    /// Parse the figures of one text and print them as a JSON array.
    Figures {
        /// The text to parse.
        #[arg(long)]
        text: String,
        /// Folder of lexicon files overriding the built-in ones, file by file.
        #[arg(long, value_name = "DIR")]
        lexicon: Option<std::path::PathBuf>,
        /// The page date (`2026-06-30`) that relative periods resolve against.
        #[arg(long, value_name = "DATE")]
        base: Option<String>,
    },
    /// Resolve one period text (`今年1至5月`) to its first and last day and print
    /// `{"start":…,"end":…}`, or `null` when it is no period or needs a base date not given.
    Period {
        /// The period as printed.
        #[arg(long)]
        text: String,
        /// The page date (`2026-06-30`) that relative periods resolve against.
        #[arg(long, value_name = "DATE")]
        base: Option<String>,
    },
    /// Show for each article of a cleaned artifact why it gets its district: the division
    /// mentions, their evidence and resolution, the body weights and the choice.
    Explain {
        /// A cleaned (or extracted) artifact, `out/clean/<page>.json`.
        artifact: std::path::PathBuf,
        /// The step options as JSON (as `--options` in batch mode); defaults otherwise.
        #[arg(long, value_name = "FILE")]
        options: Option<std::path::PathBuf>,
        /// The gazetteer folder, overriding the options (`config/gazetteer`).
        #[arg(long, value_name = "DIR")]
        gazetteer: Option<std::path::PathBuf>,
        /// The home region's division code, overriding the options (`3301`).
        #[arg(long, value_name = "CODE")]
        home_region: Option<String>,
    },
}

/// `extract explain`: prints the district reasoning of every article of `artifact`.
fn explain(
    artifact: &Path,
    options: Option<&Path>,
    gazetteer: Option<std::path::PathBuf>,
    home_region: Option<String>,
) -> anyhow::Result<()> {
    let mut options: ExtractOptions = match options {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing options in {}", path.display()))?
        }
        None => ExtractOptions::default(),
    };
    if let Some(gazetteer) = gazetteer {
        options.gazetteer = gazetteer;
    }
    if let Some(home_region) = home_region {
        options.home_region = home_region;
    }
    let page = model::io::read_page(artifact).with_context(|| format!("reading {}", artifact.display()))?;
    let extractor = load_extractor(&options)?;
    print!("{}", extract::explain_page(&page, extractor, &options));
    Ok(())
}

/// The `--base` date, checked: a malformed date is an error, not a silently unknown base.
fn parse_base(base: Option<&str>) -> anyhow::Result<Option<jiff::civil::Date>> {
    base.map(|text| {
        extract::periods::parse_iso(text)
            .ok_or_else(|| anyhow::anyhow!("--base {text:?}: expected a date like 2026-06-30"))
    })
    .transpose()
}

/// Reads the lexicon files of `dir` that exist; the others fall back to the embedded defaults.
fn load_lexicon(dir: Option<&Path>) -> anyhow::Result<extract::Lexicon> {
    let mut files = HashMap::new();
    if let Some(dir) = dir {
        for (name, _) in extract::lexicon::FILES {
            if let Some(text) = read_file(&dir.join(name))? {
                files.insert((*name).to_owned(), text);
            }
        }
    }
    Ok(extract::Lexicon::from_files(&files)?)
}

/// A file's text, `None` when it is not there.
fn read_file(path: &Path) -> anyhow::Result<Option<String>> {
    if !path.is_file() {
        return Ok(None);
    }
    std::fs::read_to_string(path).map(Some).with_context(|| format!("reading {}", path.display()))
}

/// Builds everything the extractor loads once (`extract::load`). The extractor is leaked: it
/// lives until the process exits, and the OS takes its memory back faster than freeing its
/// millions of small allocations would.
fn load_extractor(options: &ExtractOptions) -> anyhow::Result<&'static extract::Extractor> {
    Ok(Box::leak(Box::new(extract::load(options, &read_file)?)))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match (cli.command, cli.batch) {
        (Some(Command::Figures { text, lexicon, base }), _) => {
            let lexicon = match load_lexicon(lexicon.as_deref()) {
                Ok(lexicon) => lexicon,
                Err(err) => return batch::fail_to_start("extract", &err),
            };
            let base = match parse_base(base.as_deref()) {
                Ok(base) => base,
                Err(err) => return batch::fail_to_start("extract", &err),
            };
            let mut figures = extract::figures::figures_in_paragraph(&text, 0, 0, &lexicon);
            extract::figures::date_periods(&mut figures, base, &lexicon);
            match serde_json::to_string_pretty(&figures) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(err) => batch::fail_to_start("extract", &err.into()),
            }
        }
        (Some(Command::Period { text, base }), _) => {
            let base = match parse_base(base.as_deref()) {
                Ok(base) => base,
                Err(err) => return batch::fail_to_start("extract", &err),
            };
            match extract::periods::resolve(&text, base, &extract::Lexicon::builtin()) {
                // ISO dates need no escaping; written by hand to keep `start` before `end`.
                Some(period) => println!(r#"{{"start":"{}","end":"{}"}}"#, period.start, period.end),
                None => println!("null"),
            }
            ExitCode::SUCCESS
        }
        (Some(Command::Explain { artifact, options, gazetteer, home_region }), _) => {
            match explain(&artifact, options.as_deref(), gazetteer, home_region) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => batch::fail_to_start("extract", &err),
            }
        }
        (None, Some(args)) => {
            let options: ExtractOptions = match args.load_options() {
                Ok(options) => options,
                Err(err) => return batch::fail_to_start("extract", &err),
            };
            let extractor = match load_extractor(&options) {
                Ok(extractor) => extractor,
                Err(err) => return batch::fail_to_start("extract", &err),
            };
            batch::run_artifacts("extract", &args, |page| Ok(extract::extract_page(page, extractor, &options)))
        }
        (None, None) => batch::fail_to_start("extract", &anyhow::anyhow!("no inputs; see `extract --help`")),
    }
}
