//! Template plumbing shared by the steps that render (`summarize` briefings, `bundle` site):
//! built-in defaults overridden file by file by the user's folder, and minijinja errors mapped
//! to the file and line to fix. Pure: the binaries read the override folder (`io`).
//!
//! It does not configure the environment (escaping, whitespace): each renderer decides that.

use std::collections::BTreeMap;
use std::fmt;

/// A template (or asset) file: its name, where it came from (for error messages), its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    pub name: String,
    /// The override file's path, or `<built-in>/NAME`.
    pub origin: String,
    pub source: String,
}

/// A template that did not compile or render, with the file and line to fix.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

/// The built-in files with `overrides` replacing (or adding to) them by name, sorted by name.
pub fn merge_overrides(defaults: &[(&str, &str)], overrides: Vec<TemplateFile>) -> Vec<TemplateFile> {
    let mut files: BTreeMap<String, TemplateFile> = defaults
        .iter()
        .map(|&(name, source)| {
            let file =
                TemplateFile { name: name.to_owned(), origin: format!("<built-in>/{name}"), source: source.to_owned() };
            (name.to_owned(), file)
        })
        .collect();
    for user in overrides {
        files.insert(user.name.clone(), user);
    }
    files.into_values().collect()
}

/// Maps a minijinja error to the template file and line, following the error's cause chain to
/// the innermost template (an error inside an included template names that one). `origins`
/// maps template names to their files.
pub fn template_error(origins: &BTreeMap<String, String>, err: &minijinja::Error) -> TemplateError {
    let mut innermost = err;
    let mut current: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(cause) = current {
        if let Some(inner) = cause.downcast_ref::<minijinja::Error>()
            && inner.name().is_some()
        {
            innermost = inner;
        }
        current = cause.source();
    }
    let name = innermost.name().unwrap_or("<unknown template>");
    let file = origins.get(name).cloned().unwrap_or_else(|| name.to_owned());
    let message = match innermost.detail() {
        Some(detail) => format!("{}: {detail}", innermost.kind()),
        None => innermost.kind().to_string(),
    };
    TemplateError { file, line: innermost.line(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_replaces_the_built_in_file_of_its_name() {
        let user = TemplateFile { name: "a.md".into(), origin: "/cfg/a.md".into(), source: "mine".into() };
        let merged = merge_overrides(&[("a.md", "built-in"), ("b.md", "other")], vec![user.clone()]);
        assert_eq!(merged[0], user);
        assert_eq!(merged[1].origin, "<built-in>/b.md");
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let mut env = minijinja::Environment::new();
        let err = env.add_template("t.md", "one\n{% if %}\n").expect_err("broken");
        let origins = BTreeMap::from([("t.md".to_owned(), "/cfg/t.md".to_owned())]);
        let error = template_error(&origins, &err).to_string();
        assert!(error.starts_with("/cfg/t.md:2: "), "{error}");
    }
}
