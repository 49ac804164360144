//! File hashes remembered by (size, mtime, inode), like git's index: the manifest and the
//! change detection hash only files that changed since the last run. File IO (a binary-side
//! module of the library, used by `build`).
//!
//! Stored as `<out>/.state/bundle/hashes.tsv`: `path TAB size TAB mtime_ns TAB inode TAB blake3`.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

/// What says a file is still the one hashed: its size, mtime and inode.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub inode: u64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            inode: meta.ino(),
        }
    }
}

/// The remembered hashes, by path.
#[derive(Debug, Default)]
pub struct Hashes {
    known: HashMap<PathBuf, (Stamp, String)>,
    /// The paths hashed or recorded in this run: only these are saved.
    used: std::collections::HashSet<PathBuf>,
}

/// Size and blake3 (hex) of a file, read in a stream.
pub fn hash_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(file).with_context(|| format!("hashing {}", path.display()))?;
    let bytes = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    Ok((bytes, hasher.finalize().to_hex().to_string()))
}

impl Hashes {
    /// The remembered hashes in `path`; none when it is missing or unreadable.
    pub fn load(path: &Path) -> Hashes {
        let mut known = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let fields: Vec<&str> = line.split('\t').collect();
                if let [file, size, mtime, inode, hash] = fields[..]
                    && let (Ok(size), Ok(mtime_ns), Ok(inode)) = (size.parse(), mtime.parse(), inode.parse())
                {
                    known.insert(PathBuf::from(file), (Stamp { size, mtime_ns, inode }, hash.to_owned()));
                }
            }
        }
        Hashes { known, used: Default::default() }
    }

    /// Saves the hashes of the paths hashed or recorded since loading that still exist.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let mut lines: Vec<String> = self
            .known
            .iter()
            .filter(|(file, _)| self.used.contains(*file))
            .filter_map(|(file, (stamp, hash))| {
                let file = file.to_str()?;
                (!file.contains(['\t', '\n']))
                    .then(|| format!("{file}\t{}\t{}\t{}\t{hash}\n", stamp.size, stamp.mtime_ns, stamp.inode))
            })
            .collect();
        lines.sort_unstable();
        model::io::write_atomic(path, lines.concat().as_bytes())
    }

    /// Remembers `hash` for the file just written at `path`.
    pub fn record(&mut self, path: &Path, hash: String) -> anyhow::Result<()> {
        let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        self.known.insert(path.to_path_buf(), (Stamp::of(&meta), hash));
        self.used.insert(path.to_path_buf());
        Ok(())
    }

    /// Size and hash of each of `paths`: remembered ones by a `stat`, the others read and
    /// hashed in parallel.
    pub fn hash_all(&mut self, paths: &[PathBuf]) -> anyhow::Result<Vec<(u64, String)>> {
        let known = &self.known;
        let results: Vec<anyhow::Result<(Stamp, String)>> = paths
            .par_iter()
            .map(|path| {
                let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
                let stamp = Stamp::of(&meta);
                if let Some((known_stamp, hash)) = known.get(path)
                    && *known_stamp == stamp
                {
                    return Ok((stamp, hash.clone()));
                }
                let (_, hash) = hash_file(path)?;
                // A file changed while being read gets a stamp that will not match next time.
                let after =
                    std::fs::metadata(path).map(|m| Stamp::of(&m)).unwrap_or(Stamp { size: 0, mtime_ns: 0, inode: 0 });
                Ok((after, hash))
            })
            .collect();
        let mut out = Vec::with_capacity(paths.len());
        for (path, result) in paths.iter().zip(results) {
            let (stamp, hash) = result?;
            out.push((stamp.size, hash.clone()));
            self.used.insert(path.clone());
            self.known.insert(path.clone(), (stamp, hash));
        }
        Ok(out)
    }
}
