//! Content hashes (blake3) of input and output files, with a stat cache.
//!
//! Freshness is decided by content, never by modification times. Re-hashing every artifact on a
//! no-op build of 10,000 pages would cost seconds, so like git's index we remember each file's
//! hash together with its size, modification time and inode, and hash again only when any of
//! those changed. The cache is an optimization only: deleting it changes no decision.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_ns: i128,
    inode: u64,
    hash: String,
    /// Looked at during this run (so known to exist: `prune` need not ask again).
    #[serde(skip)]
    seen: bool,
}

/// A persistent map from file path to its content hash, valid while the file's stat is unchanged.
/// Hashed, not ordered: ordered lookups compared paths component by component and were a third
/// of a no-op build at 10,000 pages.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HashCache {
    files: HashMap<PathBuf, Stamp>,
    #[serde(skip)]
    dirty: bool,
}

impl HashCache {
    /// Loads the cache from `path`; a missing or unreadable cache is an empty one.
    pub fn load(path: &Path) -> HashCache {
        std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
    }

    /// Writes the cache atomically if anything changed.
    pub fn save(&mut self, path: &Path) -> anyhow::Result<()> {
        if self.dirty {
            let bytes = serde_json::to_vec(self).context("serializing the hash cache")?;
            model::io::write_atomic(path, &bytes)?;
            self.dirty = false;
        }
        Ok(())
    }

    /// The blake3 hash (hex) of the file at `path`, or `None` if it does not exist.
    pub fn hash_file(&mut self, path: &Path) -> anyhow::Result<Option<String>> {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if self.files.remove(path).is_some() {
                    self.dirty = true;
                }
                return Ok(None);
            }
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        let mtime_ns = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
        if let Some(stamp) = self.files.get_mut(path)
            && stamp.size == meta.len()
            && stamp.mtime_ns == mtime_ns
            && stamp.inode == meta.ino()
        {
            stamp.seen = true;
            return Ok(Some(stamp.hash.clone()));
        }
        let hash = hash_path(path)?;
        self.files.insert(
            path.to_path_buf(),
            Stamp { size: meta.len(), mtime_ns, inode: meta.ino(), hash: hash.clone(), seen: true },
        );
        self.dirty = true;
        Ok(Some(hash))
    }

    /// A hash over every file below `path` (names and contents), or of `path` itself if it is a
    /// file; a missing path hashes as empty.
    pub fn hash_tree(&mut self, path: &Path) -> anyhow::Result<String> {
        let mut hasher = blake3::Hasher::new();
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        files.sort();
        for file in files {
            if let Some(hash) = self.hash_file(&file)? {
                hasher.update(file.strip_prefix(path).unwrap_or(&file).to_string_lossy().as_bytes());
                hasher.update(b"\0");
                hasher.update(hash.as_bytes());
            }
        }
        Ok(hasher.finalize().to_hex().to_string())
    }

    /// Forgets files that no longer exist, so the cache does not grow forever. A file looked at
    /// during this run is known to exist; only the others are asked after.
    pub fn prune(&mut self) {
        let before = self.files.len();
        self.files.retain(|path, stamp| stamp.seen || path.exists());
        self.dirty |= self.files.len() != before;
    }
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::metadata(path) else { return Ok(()) };
    if meta.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).with_context(|| format!("listing {}", path.display()))? {
        let entry = entry.with_context(|| format!("listing {}", path.display()))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        collect_files(&entry.path(), files)?;
    }
    Ok(())
}

/// blake3 of a file's contents, streamed.
pub fn hash_path(path: &Path) -> anyhow::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    hasher.update_reader(file).with_context(|| format!("reading {}", path.display()))?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// blake3 of a list of strings, each terminated, so that ["ab","c"] and ["a","bc"] differ.
pub fn hash_strings<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(b"\0");
    }
    hasher.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_gets_a_new_hash_even_with_the_same_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "one").expect("write");
        let mut cache = HashCache::default();
        let first = cache.hash_file(&path).expect("hash").expect("exists");
        // Replace through a new inode, as atomic writes do, keeping the size.
        std::fs::remove_file(&path).expect("remove");
        std::fs::write(&path, "two").expect("write");
        let second = cache.hash_file(&path).expect("hash").expect("exists");
        assert_ne!(first, second);
        assert_eq!(second, hash_path(&path).expect("hash"));
    }

    #[test]
    fn a_missing_file_has_no_hash_and_trees_see_contents() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = HashCache::default();
        assert_eq!(cache.hash_file(&dir.path().join("nope")).expect("ok"), None);
        let empty = cache.hash_tree(dir.path()).expect("tree");
        std::fs::write(dir.path().join("x.txt"), "x").expect("write");
        assert_ne!(cache.hash_tree(dir.path()).expect("tree"), empty);
    }
}
