//! Computes the code identity of each per-page step that xtask runs in process
//! (`NEWSDESK_CODE_<STEP>`, read by `xtask::pages`): a blake3 hash over what decides the step's
//! machine code, so that a step's pages are redone when its code changed and only then.
//!
//! What is hashed, per step: every file of the step's crate and of each workspace crate it
//! depends on (transitively; `tests/`, `benches/` and `examples/` left out, since they are not
//! compiled into the library), every file those sources embed with `include_str!` or
//! `include_bytes!`, `Cargo.lock` (third-party versions), the root `Cargo.toml` and
//! `xtask/Cargo.toml` (features, which cargo unifies over xtask's whole graph), the compiler's
//! version and the profile settings cargo passes to build scripts. It deliberately does not hash
//! xtask's own sources: editing the orchestrator redoes no page.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The steps xtask runs in process, with their crates' folder names under `tools/`.
const STEPS: [&str; 4] = ["split", "clean", "extract", "summarize"];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().expect("xtask lies in the workspace root").to_path_buf();
    let compiler = compiler_version();
    let mut shared: Vec<u8> = Vec::new();
    for file in ["Cargo.lock", "Cargo.toml", "xtask/Cargo.toml"] {
        let path = root.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        shared.extend_from_slice(file.as_bytes());
        shared.push(0);
        shared.extend_from_slice(&std::fs::read(&path).unwrap_or_default());
        shared.push(0);
    }
    shared.extend_from_slice(compiler.as_bytes());
    for var in ["PROFILE", "OPT_LEVEL", "DEBUG", "TARGET", "CARGO_ENCODED_RUSTFLAGS", "CARGO_CFG_DEBUG_ASSERTIONS"] {
        println!("cargo:rerun-if-env-changed={var}");
        shared.extend_from_slice(format!("{var}={}\n", std::env::var(var).unwrap_or_default()).as_bytes());
    }
    for step in STEPS {
        let mut files = BTreeSet::new();
        for krate in crate_closure(&root, step) {
            let dir = root.join("tools").join(&krate);
            println!("cargo:rerun-if-changed={}", dir.display());
            crate_files(&dir, &dir, &mut files);
        }
        let embedded: Vec<PathBuf> = files.iter().flat_map(|f| embedded_files(f)).collect();
        for file in &embedded {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        files.extend(embedded);
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"newsdesk-step-code-1\0");
        hasher.update(step.as_bytes());
        hasher.update(&[0]);
        hasher.update(&shared);
        for file in &files {
            let relative = file.strip_prefix(&root).unwrap_or(file);
            hasher.update(relative.to_string_lossy().as_bytes());
            hasher.update(&[0]);
            let bytes = std::fs::read(file).unwrap_or_default();
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        let hash = hasher.finalize().to_hex();
        println!("cargo:rustc-env=NEWSDESK_CODE_{}={hash}", step.to_uppercase());
    }
}

/// `rustc -vV` of the compiler cargo uses.
fn compiler_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// The step's crate and every workspace crate (a folder of `tools/`) it depends on, transitively.
/// Dependencies are read from the `[dependencies]` table of each `Cargo.toml` (build
/// dependencies too); a name that is a folder of `tools/` is a workspace crate.
fn crate_closure(root: &Path, step: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![step.to_owned()];
    while let Some(krate) = todo.pop() {
        if !seen.insert(krate.clone()) {
            continue;
        }
        let manifest = std::fs::read_to_string(root.join("tools").join(&krate).join("Cargo.toml")).unwrap_or_default();
        let mut in_dependencies = false;
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                in_dependencies = matches!(line, "[dependencies]" | "[build-dependencies]");
                continue;
            }
            if !in_dependencies {
                continue;
            }
            let name: String =
                line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            if !name.is_empty() && root.join("tools").join(&name).join("Cargo.toml").is_file() {
                todo.push(name);
            }
        }
    }
    seen
}

/// Every file below `dir` but the folders that are not compiled into the library.
fn crate_files(crate_dir: &Path, dir: &Path, files: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let skipped = dir == crate_dir
                && path
                    .file_name()
                    .is_some_and(|n| matches!(n.to_str(), Some("tests" | "benches" | "examples" | "target")));
            if !skipped {
                crate_files(crate_dir, &path, files);
            }
        } else {
            files.insert(path);
        }
    }
}

/// The files a Rust source embeds with `include_str!("…")` or `include_bytes!("…")`, resolved
/// against the source's folder as the compiler does.
fn embedded_files(source: &Path) -> Vec<PathBuf> {
    if source.extension().is_none_or(|e| e != "rs") {
        return Vec::new();
    }
    let text = std::fs::read_to_string(source).unwrap_or_default();
    let dir = source.parent().unwrap_or(Path::new("."));
    let mut found = Vec::new();
    for macro_name in ["include_str!(\"", "include_bytes!(\""] {
        for (at, _) in text.match_indices(macro_name) {
            let rest = &text[at + macro_name.len()..];
            if let Some(end) = rest.find('"') {
                let path = dir.join(&rest[..end]);
                if path.is_file() {
                    found.push(path);
                }
            }
        }
    }
    found
}
