//! Putting a finished temporary file in the place of an older one without making the file
//! system write the new one out first. File IO (a binary-side module of the library, used by
//! `build`, `splice`, `search_blocks` and the state files).
//!
//! A rename over an existing file makes ext4 (its `auto_da_alloc` heuristic, on by default)
//! allocate the new file's blocks and start writing them before the rename returns: for the
//! 518 MB `data/articles.jsonl` of a 10,000-page corpus that was about 0.3 s of every one-page
//! rebuild. Exchanging the two names (`renameat2` with `RENAME_EXCHANGE`) is as atomic for
//! readers (the path names the old file or the new one, never neither) and is not taken for a
//! replacement; the old file, now under the temporary name, is then removed. Where the exchange
//! is refused (nothing there yet, a file system without it) it is an ordinary rename.
//! Like every other write of the pipeline nothing is synced to disk: what this guards against is
//! a run stopped half-way, not a power cut.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Puts the temporary file `tmp` at `path`, replacing what is there.
pub fn persist(tmp: tempfile::TempPath, path: &Path) -> anyhow::Result<()> {
    let exchanged =
        rustix::fs::renameat_with(rustix::fs::CWD, &*tmp, rustix::fs::CWD, path, rustix::fs::RenameFlags::EXCHANGE);
    match exchanged {
        // The temporary name holds the old file now: removed.
        Ok(()) => tmp.close().with_context(|| format!("removing the previous {}", path.display())),
        Err(_) => tmp.persist(path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display())),
    }
}

/// Writes `bytes` to a temporary file beside `path` and puts it there (`model::io::write_atomic`,
/// with `persist`).
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = model::io::temp_file_in(dir)?;
    tmp.write_all(bytes).with_context(|| format!("writing {}", path.display()))?;
    tmp.as_file().flush().with_context(|| format!("writing {}", path.display()))?;
    persist(tmp.into_temp_path(), path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_is_replaced_or_put_where_there_was_none() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("a.txt");
        super::write(&path, b"first").expect("written where nothing was");
        assert_eq!(std::fs::read(&path).expect("read"), b"first");
        let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).expect("stat"));
        super::write(&path, b"second, longer").expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"second, longer");
        let replaced = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).expect("stat"));
        assert_ne!(inode, replaced, "a new file, as a rename makes");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")], "the old file is not left behind");
    }
}
