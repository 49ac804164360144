//! Content hashes (blake3) of input and output files, with a stat cache.
//!
//! Freshness is decided by content, never by modification times. Re-hashing every artifact on a
//! no-op build of 10,000 pages would cost seconds, so like git's index we remember each file's
//! hash together with its size, modification time and inode, and hash again only when any of
//! those changed. Within one run a file is asked after once: what the run writes itself it
//! reports (`written`). The cache is an optimization only: deleting it changes no decision.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

/// The first line of the cache file. A file without it (an older format) is an empty cache.
const HEADER: &str = "newsdesk hash cache 1";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    size: u64,
    mtime_ns: i128,
    inode: u64,
    hash: String,
    /// Looked at during this run (so known to exist: `prune` need not ask again).
    seen: bool,
}

impl Stamp {
    fn new(meta: &std::fs::Metadata, hash: String) -> Stamp {
        Stamp { size: meta.len(), mtime_ns: mtime_ns(meta), inode: meta.ino(), hash, seen: true }
    }

    fn matches(&self, meta: &std::fs::Metadata) -> bool {
        self.size == meta.len() && self.mtime_ns == mtime_ns(meta) && self.inode == meta.ino()
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec())
}

/// A persistent map from file path to its content hash, valid while the file's stat is unchanged.
/// Hashed, not ordered: ordered lookups compared paths component by component and were a third
/// of a no-op build at 10,000 pages. Saved as one line per file (`hash size mtime inode path`),
/// which loads in a fraction of the time JSON of the same 50,000 entries took.
#[derive(Debug, Default)]
pub struct HashCache {
    files: HashMap<PathBuf, Stamp>,
    dirty: bool,
}

impl HashCache {
    /// Loads the cache from `path`; a missing or unreadable cache is an empty one, and a line
    /// that does not parse is skipped (its file is hashed again).
    pub fn load(path: &Path) -> HashCache {
        let mut cache = HashCache::default();
        let Ok(bytes) = std::fs::read(path) else { return cache };
        let mut lines = bytes.split(|&b| b == b'\n');
        if lines.next() != Some(HEADER.as_bytes()) {
            return cache;
        }
        for line in lines {
            if let Some((path, stamp)) = parse_line(line) {
                cache.files.insert(path, stamp);
            }
        }
        cache
    }

    /// Writes the cache atomically if anything changed.
    pub fn save(&mut self, path: &Path) -> anyhow::Result<()> {
        if self.dirty {
            let mut out = Vec::with_capacity(self.files.len() * 160);
            out.extend_from_slice(HEADER.as_bytes());
            out.push(b'\n');
            for (file, stamp) in &self.files {
                let name = file.as_os_str().as_bytes();
                // A name with a line break cannot be one line: that file is hashed every run.
                if name.contains(&b'\n') {
                    continue;
                }
                let Stamp { size, mtime_ns, inode, hash, .. } = stamp;
                out.extend_from_slice(format!("{hash} {size} {mtime_ns} {inode} ").as_bytes());
                out.extend_from_slice(name);
                out.push(b'\n');
            }
            model::io::write_atomic(path, &out)?;
            self.dirty = false;
        }
        Ok(())
    }

    /// The blake3 hash (hex) of the file at `path`, or `None` if it does not exist.
    pub fn hash_file(&mut self, path: &Path) -> anyhow::Result<Option<String>> {
        Ok(self.hash_files(std::slice::from_ref(&path))?.pop().flatten())
    }

    /// `hash_file` of each of `paths`, in order. The files are looked at, and those whose stat
    /// changed hashed, on all cores: at 10,000 pages a no-op build asks after 70,000 files.
    /// A file already looked at in this run is not asked after again: what the run itself
    /// writes it reports with `written`.
    pub fn hash_files<P: AsRef<Path> + Sync>(&mut self, paths: &[P]) -> anyhow::Result<Vec<Option<String>>> {
        let mut hashes = vec![None; paths.len()];
        let mut unseen = Vec::new();
        for (index, path) in paths.iter().enumerate() {
            match self.files.get(path.as_ref()) {
                Some(stamp) if stamp.seen => hashes[index] = Some(stamp.hash.clone()),
                _ => unseen.push(index),
            }
        }
        let metas: Vec<std::io::Result<std::fs::Metadata>> =
            unseen.par_iter().with_min_len(256).map(|&index| std::fs::metadata(paths[index].as_ref())).collect();
        let mut changed = Vec::new();
        for (index, meta) in unseen.into_iter().zip(metas) {
            let path = paths[index].as_ref();
            let meta = match meta {
                Ok(meta) => meta,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    if self.files.remove(path).is_some() {
                        self.dirty = true;
                    }
                    continue;
                }
                Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
            };
            match self.files.get_mut(path) {
                Some(stamp) if stamp.matches(&meta) => {
                    stamp.seen = true;
                    hashes[index] = Some(stamp.hash.clone());
                }
                _ => changed.push((index, meta)),
            }
        }
        let fresh: Vec<anyhow::Result<String>> =
            changed.par_iter().map(|(index, _)| hash_path(paths[*index].as_ref())).collect();
        for ((index, meta), hash) in changed.into_iter().zip(fresh) {
            let hash = hash?;
            self.files.insert(paths[index].as_ref().to_path_buf(), Stamp::new(&meta, hash.clone()));
            self.dirty = true;
            hashes[index] = Some(hash);
        }
        Ok(hashes)
    }

    /// Records that this run wrote `path` with contents hashing to `hash` (a file that is gone
    /// again is forgotten).
    pub fn written(&mut self, path: &Path, hash: &str) {
        self.dirty = true;
        match std::fs::metadata(path) {
            Ok(meta) => {
                self.files.insert(path.to_path_buf(), Stamp::new(&meta, hash.to_owned()));
            }
            Err(_) => {
                self.files.remove(path);
            }
        }
    }

    /// A hash over every file below `path` (names and contents), or of `path` itself if it is a
    /// file; a missing path hashes as empty.
    pub fn hash_tree(&mut self, path: &Path) -> anyhow::Result<String> {
        let mut hasher = blake3::Hasher::new();
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        files.sort();
        let hashes = self.hash_files(&files)?;
        for (file, hash) in files.iter().zip(hashes) {
            if let Some(hash) = hash {
                hasher.update(file.strip_prefix(path).unwrap_or(file).to_string_lossy().as_bytes());
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

/// One saved line: `hash size mtime inode path` (the path last, so it may hold spaces).
fn parse_line(line: &[u8]) -> Option<(PathBuf, Stamp)> {
    let mut fields = line.splitn(5, |&b| b == b' ');
    let mut text = || std::str::from_utf8(fields.next()?).ok();
    let hash = text()?;
    let (size, mtime_ns, inode) = (text()?.parse().ok()?, text()?.parse().ok()?, text()?.parse().ok()?);
    let path = fields.next().filter(|p| !p.is_empty())?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let stamp = Stamp { size, mtime_ns, inode, hash: hash.to_owned(), seen: false };
    Some((PathBuf::from(OsStr::from_bytes(path)), stamp))
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
        let saved = dir.path().join("hashes.txt");
        cache.save(&saved).expect("save");
        // Replace through a new inode, as atomic writes do, keeping the size; the next run sees it.
        std::fs::remove_file(&path).expect("remove");
        std::fs::write(&path, "two").expect("write");
        let second = HashCache::load(&saved).hash_file(&path).expect("hash").expect("exists");
        assert_ne!(first, second);
        assert_eq!(second, hash_path(&path).expect("hash"));
    }

    #[test]
    fn a_saved_cache_loads_back_and_a_line_it_cannot_read_is_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (plain, spaced) = (dir.path().join("a.txt"), dir.path().join("b c.txt"));
        std::fs::write(&plain, "one").expect("write");
        std::fs::write(&spaced, "two").expect("write");
        let mut cache = HashCache::default();
        let hashes = cache.hash_files(&[&plain, &spaced]).expect("hash");
        let saved = dir.path().join("hashes.txt");
        cache.save(&saved).expect("save");
        let mut text = std::fs::read_to_string(&saved).expect("read");
        text.push_str("not a stamp\n0123 1 2 3\n");
        std::fs::write(&saved, text).expect("write");

        let loaded = HashCache::load(&saved);
        assert_eq!(loaded.files.len(), 2, "the two good lines, not the bad ones");
        for (path, hash) in [&plain, &spaced].into_iter().zip(&hashes) {
            let stamp = &loaded.files[path.as_path()];
            assert_eq!(Some(&stamp.hash), hash.as_ref());
            assert!(stamp.matches(&std::fs::metadata(path).expect("stat")), "{}", path.display());
        }
        // An older cache (JSON) is no cache: every file is hashed again.
        std::fs::write(&saved, r#"{"files":{}}"#).expect("write");
        assert!(HashCache::load(&saved).files.is_empty());
    }

    #[test]
    fn a_file_the_run_wrote_is_known_by_its_new_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.json");
        std::fs::write(&path, "old").expect("write");
        let mut cache = HashCache::default();
        let old = cache.hash_file(&path).expect("hash").expect("exists");
        model::io::write_atomic(&path, b"new").expect("write");
        let new = hash_path(&path).expect("hash");
        cache.written(&path, &new);
        assert_ne!(old, new);
        assert_eq!(cache.hash_file(&path).expect("hash"), Some(new.clone()));
        // Next run (a fresh load) the stamp still matches the file.
        let saved = dir.path().join("hashes.txt");
        cache.save(&saved).expect("save");
        assert_eq!(HashCache::load(&saved).hash_file(&path).expect("hash"), Some(new));
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
