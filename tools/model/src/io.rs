//! File IO shared by the step binaries: atomic writes and artifact reads with context.
//!
//! This is the only module of `model` that touches the file system; step *libraries* never
//! call it (a tidy test checks that), only their thin binaries and `xtask` do.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::doc::Page;
use crate::wire;

/// Prefix of the temporary files `write_atomic` creates; `xtask` sweeps leftovers of killed runs.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Writes `bytes` to `path` so that readers see either the old file or the whole new one:
/// a temporary file in the same folder, renamed into place. Parent folders are created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating folder {}", dir.display()))?;
    // Ordinary file permissions (less the umask), not the private 0600 of temporary files:
    // outputs are shared with other users and web servers.
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("writing {}", path.display()))?;
    tmp.as_file().flush().with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

/// Reads the user's override files from `dir` (missing folder: none): every regular,
/// non-hidden file whose name `wanted` accepts.
pub fn read_template_dir(
    dir: &Path,
    wanted: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<crate::template::TemplateFile>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing templates {}", dir.display()))? {
        let path = entry.with_context(|| format!("listing templates {}", dir.display()))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if !wanted(name) || name.starts_with('.') || !path.is_file() {
            continue;
        }
        let source = std::fs::read_to_string(&path).with_context(|| format!("reading template {}", path.display()))?;
        out.push(crate::template::TemplateFile { name: name.to_owned(), origin: path.display().to_string(), source });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Reads a page artifact, naming the file in any error.
pub fn read_page(path: &Path) -> anyhow::Result<Page> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let (_step, page) = wire::decode(&bytes).with_context(|| format!("{}", path.display()))?;
    Ok(page)
}

/// Writes a page artifact atomically as the output of `step`.
pub fn write_page(path: &Path, step: &str, page: &Page) -> anyhow::Result<()> {
    write_atomic(path, &wire::encode(step, page))
}

/// The page id of an input or artifact file: its name without the extension.
pub fn page_id(path: &Path) -> String {
    path.file_stem().and_then(OsStr::to_str).unwrap_or_default().to_owned()
}

/// The artifact path of `page_id` in `dir`.
pub fn artifact_path(dir: &Path, page_id: &str) -> PathBuf {
    dir.join(format!("{page_id}.json"))
}

/// Lists the page artifacts (`*.json`, not temporary files) of `dir`, sorted by name.
pub fn list_artifacts(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default();
        if name.ends_with(".json") && !name.starts_with(TEMP_PREFIX) && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("a.json");
        write_atomic(&path, b"one").expect("first write");
        write_atomic(&path, b"two").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).expect("stat").permissions());
        assert_eq!(mode & 0o044, 0o044, "others can read outputs: {mode:o}");
    }

    #[test]
    fn a_broken_artifact_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.json");
        std::fs::write(&path, b"{\"format\":").expect("write");
        let err = format!("{:#}", read_page(&path).expect_err("broken"));
        assert!(err.contains("p.json"), "{err}");
    }
}
