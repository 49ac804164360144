//! Each step's options: the `[<step>]` tables of `config/pipeline.toml`.
//!
//! They live here, not in the step crates, so that `xtask` can validate the whole configuration
//! before any step runs (an unknown key is an error with file, line and column) without linking
//! the steps. A step binary receives its table as a JSON file (`--options`). Relative paths are
//! resolved by `xtask` against the folder of the configuration file before they reach a step.
//!
//! Every table denies unknown keys. Adding an option: add a field with a default here, document
//! it in `config/pipeline.toml`, and list any file or folder it names in `resources()` so that
//! editing that file re-runs the step.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Resolves a configured path against the configuration folder.
fn resolve(base: &Path, path: &mut PathBuf) {
    if path.is_relative() {
        *path = base.join(&*path);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplitOptions {
    pub enabled: bool,
    /// Folder of user-extensible word lists (credit phrases, role words, furniture).
    pub lexicon: PathBuf,
    /// The line labeller's trained weights (`cargo xtask train-split` writes it); a missing
    /// file means the built-in model.
    pub model: PathBuf,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions { enabled: true, lexicon: PathBuf::from("lexicon"), model: PathBuf::from("split-model.txt") }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanOptions {
    pub enabled: bool,
    /// Folder of user-extensible word lists.
    pub lexicon: PathBuf,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions { enabled: true, lexicon: PathBuf::from("lexicon") }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractOptions {
    pub enabled: bool,
    /// Folder of user-extensible word lists (units, role words, stop words, suffixes).
    pub lexicon: PathBuf,
    /// Folder with the division gazetteer.
    pub gazetteer: PathBuf,
    /// How many keywords to keep per article.
    pub keywords: usize,
    /// The division code (`3301` for Hangzhou) whose places win when a name is ambiguous; empty
    /// for none: an ambiguous name is then left unresolved.
    pub home_region: String,
    /// The date of the pages (`2026-06-30`) when their ids hold none: the base that relative
    /// figure periods (今年, 上半年) resolve against. `None`: unknown, and such periods stay
    /// unresolved.
    pub page_date: Option<String>,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            enabled: true,
            lexicon: PathBuf::from("lexicon"),
            gazetteer: PathBuf::from("gazetteer"),
            keywords: 8,
            home_region: String::new(),
            page_date: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SummarizeOptions {
    pub enabled: bool,
    /// Folder whose templates override the built-in ones, file by file.
    pub templates: PathBuf,
    /// How many sentences a summary has at most.
    pub sentences: usize,
}

impl Default for SummarizeOptions {
    fn default() -> Self {
        SummarizeOptions { enabled: true, templates: PathBuf::from("templates"), sentences: 3 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BundleOptions {
    pub enabled: bool,
    /// Name of the dated archive: `out/dist/<name>-<date>.zip`.
    pub name: String,
    /// Folder whose templates override the built-in site templates, file by file.
    pub templates: PathBuf,
    /// Top-level folders of the output root listed in the manifest but left out of the dated
    /// archive: the per-step intermediate artifacts, which users do not open.
    pub archive_skip: Vec<String>,
    /// Whether to write the dated archive. Off by default: packing the whole bundle costs
    /// seconds on every rebuild however little changed; set it for a build you hand over.
    pub archive: bool,
}

impl Default for BundleOptions {
    fn default() -> Self {
        BundleOptions {
            enabled: true,
            name: "newsdesk".to_owned(),
            templates: PathBuf::from("templates"),
            archive_skip: ["split", "clean", "extract", "summarize"].map(str::to_owned).to_vec(),
            archive: false,
        }
    }
}

/// All step tables of `config/pipeline.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StepOptions {
    pub split: SplitOptions,
    pub clean: CleanOptions,
    pub extract: ExtractOptions,
    pub summarize: SummarizeOptions,
    pub bundle: BundleOptions,
}

impl StepOptions {
    /// Makes every relative path absolute against `base`, the configuration folder.
    pub fn resolve_paths(&mut self, base: &Path) {
        resolve(base, &mut self.split.lexicon);
        resolve(base, &mut self.split.model);
        resolve(base, &mut self.clean.lexicon);
        resolve(base, &mut self.extract.lexicon);
        resolve(base, &mut self.extract.gazetteer);
        resolve(base, &mut self.summarize.templates);
        resolve(base, &mut self.bundle.templates);
    }

    /// Whether `step` is enabled; unknown steps are not.
    pub fn enabled(&self, step: &str) -> bool {
        match step {
            "split" => self.split.enabled,
            "clean" => self.clean.enabled,
            "extract" => self.extract.enabled,
            "summarize" => self.summarize.enabled,
            "bundle" => self.bundle.enabled,
            _ => false,
        }
    }

    /// The options of `step` as JSON, the form a step binary reads with `--options`.
    pub fn to_json(&self, step: &str) -> Option<String> {
        let value = match step {
            "split" => serde_json::to_value(&self.split),
            "clean" => serde_json::to_value(&self.clean),
            "extract" => serde_json::to_value(&self.extract),
            "summarize" => serde_json::to_value(&self.summarize),
            "bundle" => serde_json::to_value(&self.bundle),
            _ => return None,
        };
        value.ok().map(|v| v.to_string())
    }

    /// Files and folders a step reads besides its pages: editing one re-runs the step.
    pub fn resources(&self, step: &str) -> Vec<PathBuf> {
        match step {
            "split" => vec![self.split.lexicon.clone(), self.split.model.clone()],
            "clean" => vec![self.clean.lexicon.clone()],
            "extract" => vec![self.extract.lexicon.clone(), self.extract.gazetteer.clone()],
            "summarize" => vec![self.summarize.templates.clone()],
            "bundle" => vec![self.bundle.templates.clone()],
            _ => Vec::new(),
        }
    }
}
