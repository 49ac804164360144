//! Tidy: the project's conventions, checked as tests.

use std::path::{Path, PathBuf};

use crate::root;

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        if name == "target" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, files);
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&root().join("xtask"), &mut files);
    rust_files(&root().join("tools"), &mut files);
    rust_files(&root().join("fuzz"), &mut files);
    assert!(files.len() > 10, "found the sources");
    files
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<_> = all_rust_files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).expect("read").trim_start().starts_with("//!"))
        .collect();
    assert!(missing.is_empty(), "files without a `//!` doc at the top: {missing:#?}");
}

#[test]
fn no_test_is_ignored_or_expected_to_panic() {
    let needles = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    let offending: Vec<_> = all_rust_files()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).expect("read");
            needles.iter().any(|n| text.contains(n))
        })
        .collect();
    assert!(offending.is_empty(), "ignored or should-panic tests: {offending:#?}");
}

/// Speed is `cargo xtask bench`'s to measure: an assertion on a measured duration fails on a
/// slow or loaded machine and shows nothing about the code. (A bound on a wait, such as a
/// deadline for a child process, compares an instant and panics with what it waited for.)
#[test]
fn no_test_asserts_a_duration() {
    let needle = concat!(".elapsed", "()");
    let mut offending = Vec::new();
    for path in all_rust_files() {
        let text = std::fs::read_to_string(&path).expect("read");
        for (no, line) in text.lines().enumerate() {
            if line.contains("assert") && line.contains(needle) {
                offending.push(format!("{}:{}: {}", path.display(), no + 1, line.trim()));
            }
        }
    }
    assert!(offending.is_empty(), "tests that assert a duration:\n{}", offending.join("\n"));
}

#[test]
fn step_libraries_do_no_file_io() {
    // Libraries are pure functions over the model; only the binary (`main.rs` and the modules
    // it alone declares) and tests touch files.
    let mut offending = Vec::new();
    for step in ["split", "clean", "extract", "summarize"] {
        let src = root().join("tools").join(step).join("src");
        let declared = |file: &str, module: &str| {
            std::fs::read_to_string(src.join(file)).is_ok_and(|text| {
                text.lines().any(|l| l.trim_start().trim_start_matches("pub ") == format!("mod {module};"))
            })
        };
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for path in files {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            let binary_only =
                path.parent() == Some(src.as_path()) && declared("main.rs", &stem) && !declared("lib.rs", &stem);
            if path.file_name().is_some_and(|n| n == "main.rs") || binary_only {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            if code.contains("std::fs") || code.contains("File::open") || code.contains("model::io::") {
                offending.push(path);
            }
        }
    }
    assert!(offending.is_empty(), "file IO in step libraries: {offending:#?}");
}

#[test]
fn every_crate_is_one_level_deep_and_named_after_its_folder() {
    for entry in std::fs::read_dir(root().join("tools")).expect("tools") {
        let dir = entry.expect("entry").path();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("a crate per folder");
        let name = dir.file_name().expect("name").to_string_lossy().into_owned();
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{} is named after its folder", dir.display());
        assert!(manifest.contains("[lints]"), "{} inherits the workspace lints", dir.display());
    }
}

#[test]
fn fuzz_list_names_every_fuzz_target_and_each_has_a_file() {
    let listed =
        std::process::Command::new(env!("CARGO_BIN_EXE_xtask")).args(["fuzz", "--list"]).output().expect("run");
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let listed: Vec<String> = String::from_utf8_lossy(&listed.stdout).lines().map(str::to_owned).collect();
    let manifest = std::fs::read_to_string(root().join("fuzz").join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let bins: Vec<String> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|l| l.trim_end_matches('"').to_owned())
        .filter(|name| name != "newsdesk-fuzz")
        .collect();
    assert_eq!(listed, bins, "`cargo xtask fuzz --list` and fuzz/Cargo.toml agree, one target per line");
    for target in &listed {
        assert!(root().join("fuzz").join("fuzz_targets").join(format!("{target}.rs")).is_file(), "{target}");
    }
}
