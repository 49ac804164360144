//! The `summarize` binary. CLI and glue only:
//!
//! - `summarize -o OUT INPUTS...`: per page, sets every article's summary (batch mode).
//! - `summarize briefing -o OUT_BRIEFING INPUTS...`: reads all pages one at a time and writes
//!   `articles/<id>.md`, `districts/<district>.md` and `corpus.md` under the output folder.
//!
//! Templates come from the `templates` option's folder (file by file over the built-in ones).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use model::batch::{self, BatchArgs};
use model::options::SummarizeOptions;
use summarize::briefing::{Briefings, Corpus, TemplateSource, slug, summary_of};

/// Summarize articles (per page), or render briefings (`summarize briefing ...`).
#[derive(Parser)]
#[command(version, after_help = "Run `summarize briefing --help` for the combined briefing step.")]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

/// Render the Markdown briefings (article briefs, district profiles, corpus briefing) from
/// summarized pages into the output folder.
#[derive(Parser)]
#[command(name = "summarize briefing", version)]
struct BriefingCli {
    #[command(flatten)]
    batch: BatchArgs,
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "briefing") {
        args.remove(1);
        let cli = BriefingCli::parse_from(args);
        return match briefing(&cli.batch) {
            Ok(0) => ExitCode::SUCCESS,
            Ok(_) => ExitCode::from(1),
            Err(err) => batch::fail_to_start("summarize briefing", &err),
        };
    }
    let cli = Cli::parse_from(args);
    let options: SummarizeOptions = match cli.batch.load_options() {
        Ok(options) => options,
        Err(err) => return batch::fail_to_start("summarize", &err),
    };
    batch::run_artifacts("summarize", &cli.batch, |page| Ok(summarize::summarize_page(page, &options)))
}

/// The user's Markdown templates, which override the built-in ones by file name.
fn read_overrides(dir: &Path) -> anyhow::Result<Vec<TemplateSource>> {
    model::io::read_template_dir(dir, |name| name.ends_with(".md"))
}

/// Deletes the briefs of an earlier run (`*.md` in `dir`) that this run did not write.
fn remove_stale(dir: &Path, written: &BTreeSet<PathBuf>) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        if path.extension().is_some_and(|e| e == "md") && !written.contains(&path) {
            std::fs::remove_file(&path).with_context(|| format!("removing stale {}", path.display()))?;
        }
    }
    Ok(())
}

fn emit(events: bool, value: serde_json::Value) {
    model::batch::emit(events, &value);
}

/// The combined briefing step; returns the number of pages that failed.
fn briefing(args: &BatchArgs) -> anyhow::Result<usize> {
    let options: SummarizeOptions = args.load_options()?;
    let briefings = Briefings::new(read_overrides(&options.templates)?)?;
    let inputs = args.input_paths()?;
    let out = &args.out_dir;
    emit(args.events, serde_json::json!({"event": "begin", "step": "summarize-briefing", "total": inputs.len()}));
    let mut corpus = Corpus::default();
    let mut failed = 0;
    let mut written: BTreeSet<PathBuf> = BTreeSet::new();
    for input in &inputs {
        let Some(page) = model::batch::read_combined_input("summarize briefing", args.events, input) else {
            failed += 1;
            continue;
        };
        corpus.page_count += 1;
        for article in &page.articles {
            let summary = summary_of(article, options.sentences);
            let brief = briefings.article_brief(article, &summary)?;
            let path = out.join("articles").join(format!("{}.md", slug(&article.id)));
            model::io::write_atomic(&path, brief.as_bytes())?;
            written.insert(path);
            corpus.add(article, (!summary.is_empty()).then(|| summary.concat()).as_deref());
        }
        emit(args.events, serde_json::json!({"event": "page", "page": page.id, "ok": true}));
    }
    for profile in corpus.districts.values() {
        let text = briefings.district_profile(profile)?;
        let path = out.join("districts").join(format!("{}.md", profile.slug));
        model::io::write_atomic(&path, text.as_bytes())?;
        written.insert(path);
    }
    remove_stale(&out.join("articles"), &written)?;
    remove_stale(&out.join("districts"), &written)?;
    let text = briefings.corpus_briefing(&corpus)?;
    model::io::write_atomic(&out.join("corpus.md"), text.as_bytes())?;
    emit(args.events, serde_json::json!({"event": "end", "done": corpus.page_count, "failed": failed}));
    if !args.events {
        eprintln!(
            "summarize briefing: {} pages, {} articles, {} districts, {failed} failed, output in {}",
            corpus.page_count,
            corpus.article_count,
            corpus.districts.len(),
            out.display()
        );
    }
    Ok(failed)
}
