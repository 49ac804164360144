//! File IO shared by the step binaries: atomic writes and artifact reads with context, and the
//! containment rules every reader of page files and templates follows.
//!
//! This is the only module of `model` that touches the file system; step *libraries* never
//! call it (a tidy test checks that), only their thin binaries and `xtask` do.
//!
//! Containment: a page id is one plain file-name part (`check_page_id`), so no artifact path
//! made from it leaves its folder; a page or template file must be a regular file inside its
//! folder (`contained_file`), a symlink that leaves the folder is an error naming the file.
//! Outputs are created `0644` and folders `0755`, less the user's umask (`temp_file_in`).

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
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
    let mut tmp = temp_file_in(dir)?;
    tmp.write_all(bytes).with_context(|| format!("writing {}", path.display()))?;
    tmp.as_file().flush().with_context(|| format!("writing {}", path.display()))?;
    persist(tmp.into_temp_path(), path)
}

/// Puts the finished temporary file `tmp` at `path`, replacing what is there.
///
/// A rename over an existing file makes ext4 (its `auto_da_alloc` heuristic, on by default)
/// allocate the new file's blocks and start writing them before the rename returns: for the
/// 518 MB `data/articles.jsonl` of a 10,000-page corpus that was about 0.3 s of every one-page
/// rebuild. Exchanging the two names (`renameat2` with `RENAME_EXCHANGE`) is as atomic for
/// readers (the path names the old file or the new one, never neither) and is not taken for a
/// replacement; the old file, now under the temporary name, is then removed. Where the exchange
/// is refused (nothing there yet, a file system without it) it is an ordinary rename. Nothing is
/// synced to disk: what this guards against is a run stopped half-way, not a power cut.
pub fn persist(tmp: tempfile::TempPath, path: &Path) -> anyhow::Result<()> {
    let exchanged =
        rustix::fs::renameat_with(rustix::fs::CWD, &*tmp, rustix::fs::CWD, path, rustix::fs::RenameFlags::EXCHANGE);
    match exchanged {
        // The temporary name holds the old file now: removed.
        Ok(()) => tmp.close().with_context(|| format!("removing the previous {}", path.display())),
        Err(_) => tmp.persist(path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display())),
    }
}

/// A temporary file (`.tmp-*`) in `dir` (created, with its parents, `0755` less the umask) to be
/// renamed into place with `persist`. It is created `0644` less the umask, not the private
/// `0600` of `tempfile`'s default: outputs are shared with other users and web servers, and a
/// rename keeps the mode. Every output of the pipeline (artifacts, datasets, databases, site
/// files, archives) should be made with it or `write_atomic`.
pub fn temp_file_in(dir: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    temp_file_with_suffix(dir, "")
}

/// `temp_file_in` with a name suffix (`.sqlite`), for tools that care about the extension.
pub fn temp_file_with_suffix(dir: &Path, suffix: &str) -> anyhow::Result<tempfile::NamedTempFile> {
    create_dir(dir)?;
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(suffix)
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))
}

/// Creates `dir` and its parents, `0755` less the umask.
pub fn create_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .with_context(|| format!("creating folder {}", dir.display()))
}

/// Whether `err` says the disk cannot take our writes at all (full, read-only, over quota, no
/// permission): no later write would succeed, so the run should stop with a clear error rather
/// than fail page after page.
pub fn is_storage_fault(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind;
    err.chain().filter_map(|e| e.downcast_ref::<std::io::Error>()).any(|e| {
        matches!(
            e.kind(),
            ErrorKind::StorageFull
                | ErrorKind::ReadOnlyFilesystem
                | ErrorKind::QuotaExceeded
                | ErrorKind::FileTooLarge
                | ErrorKind::PermissionDenied
        )
    })
}

/// Why a page id is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageIdError {
    #[error("the page id is empty")]
    Empty,
    #[error(
        "the page id `{0}` could leave its folder: it must not start with `.` nor hold `/`, `\\`, or control characters"
    )]
    Escapes(String),
    #[error("the page id `{0}` is longer than 200 bytes")]
    TooLong(String),
}

/// Checks that `id` is one plain file-name part: not empty, not starting with `.` (no `..`, no
/// hidden files), no path separators, NUL or control characters, at most 200 bytes. Every
/// artifact path is `<dir>/<id>.json`, so an id that passes cannot leave `<dir>`.
pub fn check_page_id(id: &str) -> Result<(), PageIdError> {
    if id.is_empty() {
        return Err(PageIdError::Empty);
    }
    if id.starts_with('.') || id.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
        return Err(PageIdError::Escapes(id.to_owned()));
    }
    if id.len() > 200 {
        return Err(PageIdError::TooLong(id.chars().take(40).collect::<String>() + "…"));
    }
    Ok(())
}

/// Checks that `path`, an entry of `dir`, is a regular file inside `dir`. A symlink is followed
/// only when it resolves to a regular file inside `dir` (or anywhere, with `allow_outside`);
/// otherwise the error names the file and where it points. Returns the resolved path.
pub fn contained_file(dir: &Path, path: &Path, allow_outside: bool) -> anyhow::Result<PathBuf> {
    let meta = std::fs::symlink_metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_file() {
        return Ok(path.to_path_buf());
    }
    if !meta.file_type().is_symlink() {
        anyhow::bail!("{} is not a regular file", path.display());
    }
    let target = std::fs::canonicalize(path)
        .with_context(|| format!("{} is a symlink to nothing that can be read", path.display()))?;
    let root = std::fs::canonicalize(dir).with_context(|| format!("resolving {}", dir.display()))?;
    if !target.starts_with(&root) && !allow_outside {
        anyhow::bail!(
            "{} is a symlink to {}, outside {}: refused (copy the file in, or allow symlinks out of the folder)",
            path.display(),
            target.display(),
            dir.display()
        );
    }
    if !std::fs::metadata(&target).with_context(|| format!("reading {}", target.display()))?.is_file() {
        anyhow::bail!("{} is a symlink to {}, which is not a regular file", path.display(), target.display());
    }
    Ok(target)
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
        if !wanted(name) || name.starts_with('.') || path.is_dir() {
            continue;
        }
        // Templates are read only from their folder: a symlink out of it is an error.
        let path = contained_file(dir, &path, false)?;
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
    // Page and article ids name output files (site pages, briefings): one that could leave a
    // folder is refused.
    check_page_id(&page.id).with_context(|| format!("{}", path.display()))?;
    for article in page.articles.iter().filter(|a| !a.id.is_empty()) {
        check_page_id(&article.id).with_context(|| format!("{}: article id", path.display()))?;
    }
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
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let path = entry.path();
        let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default();
        if !name.ends_with(".json") || name.starts_with(TEMP_PREFIX) {
            continue;
        }
        // The listing's file type where it is one (no stat per artifact); a link is followed.
        let is_file = match entry.file_type() {
            Ok(t) if !t.is_symlink() => t.is_file(),
            _ => path.is_file(),
        };
        if is_file {
            paths.push(path);
        }
    }
    // Entries of one folder: by name as bytes, the order a path comparison gives them without
    // parsing components (a tenth of a no-op build at 10,000 pages).
    paths.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_or_put_where_there_was_none() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"first").expect("written where nothing was");
        assert_eq!(std::fs::read(&path).expect("read"), b"first");
        let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).expect("stat"));
        write_atomic(&path, b"second, longer").expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"second, longer");
        let replaced = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).expect("stat"));
        assert_ne!(inode, replaced, "a new file, as a rename makes");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")], "the old file is not left behind");
    }

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
    fn page_ids_that_could_leave_a_folder_are_refused() {
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", ".hidden", "a\nb", "a\0b"] {
            assert!(check_page_id(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["000_be5658622680620e", "rmrb_2023-07-01_01", "页面一", "a..b"] {
            assert_eq!(check_page_id(good), Ok(()), "{good:?} refused");
        }
    }

    #[test]
    fn a_symlink_out_of_the_folder_is_refused_and_one_inside_is_followed() {
        let outside = tempfile::tempdir().expect("tempdir");
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, "not a page").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        let inside = dir.path().join("real.txt");
        std::fs::write(&inside, "page").expect("write");
        let leaving = dir.path().join("leaving.txt");
        std::os::unix::fs::symlink(&secret, &leaving).expect("symlink");
        let staying = dir.path().join("staying.txt");
        std::os::unix::fs::symlink(&inside, &staying).expect("symlink");

        let err = format!("{:#}", contained_file(dir.path(), &leaving, false).expect_err("leaves"));
        assert!(err.contains("leaving.txt") && err.contains("outside"), "{err}");
        assert!(contained_file(dir.path(), &leaving, true).is_ok(), "allowed by the option");
        assert!(contained_file(dir.path(), &staying, false).is_ok());
        assert_eq!(contained_file(dir.path(), &inside, false).expect("regular"), inside);
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        assert!(contained_file(dir.path(), &sub, false).is_err(), "a folder is not a page");
    }

    #[test]
    fn a_template_symlinked_from_outside_its_folder_is_an_error() {
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("x.md"), "{{ secret }}").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(outside.path().join("x.md"), dir.path().join("brief.md")).expect("symlink");
        let err = format!("{:#}", read_template_dir(dir.path(), |_| true).expect_err("refused"));
        assert!(err.contains("brief.md"), "{err}");
    }

    #[test]
    fn outputs_are_created_0644_and_folders_0755_under_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a").join("b").join("out.json");
        write_atomic(&path, b"{}").expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        // The test process' umask is the usual 022 or stricter 002/077; both give these bits off.
        assert_eq!(mode(&path) & !0o644, 0, "no more than 0644: {:o}", mode(&path));
        assert_eq!(mode(dir.path().join("a").as_path()) & !0o755, 0);
        let tmp = temp_file_in(dir.path()).expect("temp");
        assert_eq!(mode(tmp.path()), mode(&path), "temporary outputs get the same mode as written ones");
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
