//! Loading `config/pipeline.toml`: the step order, which steps are enabled, each step's options.
//!
//! Strict: an unknown key, a wrong type, an unknown step or steps out of order is an error that
//! names the file, the line and the column, and says what is valid. This module only parses and
//! validates; it runs nothing.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use model::location::Location;
use model::options::{BundleOptions, CleanOptions, ExtractOptions, SplitOptions, StepOptions, SummarizeOptions};
use serde::Deserialize;

/// The steps of the pipeline in the only order their data allows.
pub const STEPS: [&str; 5] = ["split", "clean", "extract", "summarize", "bundle"];

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from, as given.
    pub path: PathBuf,
    /// Enabled steps, in order.
    pub steps: Vec<&'static str>,
    /// Every step's options, paths made absolute against the configuration folder.
    pub options: StepOptions,
}

impl Config {
    pub fn enabled(&self, step: &str) -> bool {
        self.steps.contains(&step)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineFile {
    #[serde(default = "default_steps")]
    steps: Vec<toml::Spanned<String>>,
    #[serde(default)]
    split: SplitOptions,
    #[serde(default)]
    clean: CleanOptions,
    #[serde(default)]
    extract: ExtractOptions,
    #[serde(default)]
    summarize: SummarizeOptions,
    #[serde(default)]
    bundle: BundleOptions,
}

fn default_steps() -> Vec<toml::Spanned<String>> {
    STEPS.iter().map(|s| toml::Spanned::new(0..0, (*s).to_owned())).collect()
}

/// `FILE:LINE:COLUMN: message` for an error at `span` (a toml span), `FILE: message` without one.
fn located(path: &Path, text: &str, span: Option<Range<usize>>, message: &str) -> anyhow::Error {
    match Location::of_span(text, span) {
        Some(at) => anyhow::anyhow!("{}:{at}: {message}", path.display()),
        None => anyhow::anyhow!("{}: {message}", path.display()),
    }
}

/// Parses and validates the configuration text of `path`.
pub fn parse(path: &Path, text: &str) -> anyhow::Result<Config> {
    let file: PipelineFile = toml::from_str(text).map_err(|err| {
        let message = err.message().trim().replace('\n', " ");
        located(path, text, err.span(), &message)
    })?;

    let mut steps: Vec<&'static str> = Vec::new();
    for step in &file.steps {
        let Some(known) = STEPS.iter().find(|s| **s == step.get_ref()) else {
            let message = format!("unknown step `{}`, expected one of {}", step.get_ref(), STEPS.join(", "));
            return Err(located(path, text, Some(step.span()), &message));
        };
        if steps.contains(known) {
            return Err(located(path, text, Some(step.span()), &format!("step `{known}` is listed twice")));
        }
        let position = |s: &str| STEPS.iter().position(|x| *x == s);
        if let Some(last) = steps.last()
            && position(known) < position(last)
        {
            let message = format!("step `{known}` must come before `{last}`: the order is {}", STEPS.join(" → "));
            return Err(located(path, text, Some(step.span()), &message));
        }
        steps.push(known);
    }

    let mut options = StepOptions {
        split: file.split,
        clean: file.clean,
        extract: file.extract,
        summarize: file.summarize,
        bundle: file.bundle,
    };
    // A step is enabled when it is listed and its table does not switch it off.
    steps.retain(|s| options.enabled(s));
    if !steps.contains(&"split") && !steps.is_empty() {
        bail!("{}: the `split` step cannot be disabled: every other step reads its output", path.display());
    }
    let base = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
    options.resolve_paths(&base);
    Ok(Config { path: path.to_path_buf(), steps, options })
}

/// Reads and validates the configuration file at `path`.
pub fn load(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the pipeline configuration {}", path.display()))?;
    parse(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        format!("{:#}", parse(Path::new("config/pipeline.toml"), text).expect_err("invalid"))
    }

    #[test]
    fn an_unknown_key_names_line_column_and_the_valid_keys() {
        let err = error_of("steps = [\"split\"]\n\n[clean]\nenabled = true\nlexicn = \"x\"\n");
        assert!(err.starts_with("config/pipeline.toml:5:1: unknown field `lexicn`"), "{err}");
        assert!(err.contains("`lexicon`"), "{err}");
    }

    #[test]
    fn a_misspelled_top_level_key_lists_the_tables() {
        let err = error_of("stpes = []\n");
        assert!(err.starts_with("config/pipeline.toml:1:1: unknown field `stpes`"), "{err}");
        assert!(err.contains("`steps`"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_located() {
        let err = error_of("[summarize]\nsentences = \"three\"\n");
        assert!(err.starts_with("config/pipeline.toml:2:13:"), "{err}");
    }

    #[test]
    fn the_column_counts_characters_not_bytes() {
        // `"yes"` is column 39 but at byte offset 46: the four CJK characters are 12 bytes.
        let err = error_of("clean = { lexicon = \"词表目录\", enabled = \"yes\" }\n");
        assert!(err.starts_with("config/pipeline.toml:1:39:"), "{err}");
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let err = error_of("steps = [\"split\", \"extract\", \"clean\"]\n");
        assert!(err.contains("1:30: step `clean` must come before `extract`"), "{err}");
    }

    #[test]
    fn an_unknown_step_is_refused() {
        let err = error_of("steps = [\"split\", \"translate\"]\n");
        assert!(err.contains("unknown step `translate`"), "{err}");
    }

    #[test]
    fn a_step_switched_off_is_left_out_and_paths_are_resolved() {
        let config = parse(Path::new("/p/config/pipeline.toml"), "[clean]\nenabled = false\n").expect("valid");
        assert_eq!(config.steps, vec!["split", "extract", "summarize", "bundle"]);
        assert_eq!(config.options.split.lexicon, PathBuf::from("/p/config/lexicon"));
    }

    #[test]
    fn the_shipped_configuration_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/pipeline.toml");
        let config = load(&path).expect("config/pipeline.toml is valid");
        assert_eq!(config.steps, STEPS.to_vec());
    }
}
