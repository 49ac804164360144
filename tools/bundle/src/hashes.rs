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

/// One remembered hash.
#[derive(Debug)]
struct Known {
    stamp: Stamp,
    hash: String,
    /// Hashed or recorded in this run: only these are saved.
    used: bool,
}

/// The remembered hashes, by path.
#[derive(Debug, Default)]
pub struct Hashes {
    known: HashMap<PathBuf, Known>,
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
            known.reserve(text.len() / 128);
            for line in text.lines() {
                let mut fields = line.split('\t');
                if let (Some(file), Some(size), Some(mtime), Some(inode), Some(hash), None) =
                    (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
                    && let (Ok(size), Ok(mtime_ns), Ok(inode)) = (size.parse(), mtime.parse(), inode.parse())
                {
                    let stamp = Stamp { size, mtime_ns, inode };
                    known.insert(PathBuf::from(file), Known { stamp, hash: hash.to_owned(), used: false });
                }
            }
        }
        Hashes { known }
    }

    /// Saves the hashes of the paths hashed or recorded since loading that still exist.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        use std::fmt::Write;
        let mut lines: Vec<(&str, &Known)> = self
            .known
            .iter()
            .filter(|(_, known)| known.used)
            .filter_map(|(file, known)| file.to_str().filter(|f| !f.contains(['\t', '\n'])).map(|f| (f, known)))
            .collect();
        lines.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut text = String::with_capacity(lines.iter().map(|(file, _)| file.len() + 112).sum());
        for (file, known) in lines {
            let Stamp { size, mtime_ns, inode } = &known.stamp;
            let _ = writeln!(text, "{file}\t{size}\t{mtime_ns}\t{inode}\t{}", known.hash);
        }
        model::io::write_atomic(path, text.as_bytes())
    }

    /// Remembers `hash` for the file just written at `path`.
    pub fn record(&mut self, path: &Path, hash: String) -> anyhow::Result<()> {
        let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        self.known.insert(path.to_path_buf(), Known { stamp: Stamp::of(&meta), hash, used: true });
        Ok(())
    }

    /// Size and hash of each of `paths`: remembered ones by a `stat`, the others read and
    /// hashed in parallel.
    pub fn hash_all(&mut self, paths: &[PathBuf]) -> anyhow::Result<Vec<(u64, String)>> {
        self.hash_stamped(paths, None)
    }

    /// `hash_all` for files whose stamps the caller just took (from listing their folder).
    pub fn hash_listed(&mut self, paths: &[PathBuf], stamps: &[Stamp]) -> anyhow::Result<Vec<(u64, String)>> {
        self.hash_stamped(paths, Some(stamps))
    }

    fn hash_stamped(&mut self, paths: &[PathBuf], stamps: Option<&[Stamp]>) -> anyhow::Result<Vec<(u64, String)>> {
        let known = &self.known;
        // Per path: its stamp, and its hash when it had to be read (else the remembered one holds).
        let results: Vec<anyhow::Result<(Stamp, Option<String>)>> = paths
            .par_iter()
            .enumerate()
            .map(|(i, path)| {
                let stamp = match stamps.and_then(|stamps| stamps.get(i)) {
                    Some(stamp) => stamp.clone(),
                    None => Stamp::of(&std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?),
                };
                if known.get(path).is_some_and(|k| k.stamp == stamp) {
                    return Ok((stamp, None));
                }
                let (_, hash) = hash_file(path)?;
                // A file changed while being read gets a stamp that will not match next time.
                let after =
                    std::fs::metadata(path).map(|m| Stamp::of(&m)).unwrap_or(Stamp { size: 0, mtime_ns: 0, inode: 0 });
                Ok((after, Some(hash)))
            })
            .collect();
        let mut out = Vec::with_capacity(paths.len());
        for (path, result) in paths.iter().zip(results) {
            let (stamp, hash) = result?;
            let size = stamp.size;
            let entry = match hash {
                Some(hash) => {
                    self.known.insert(path.clone(), Known { stamp, hash, used: true });
                    self.known.get(path)
                }
                None => self.known.get_mut(path).map(|known| {
                    known.used = true;
                    &*known
                }),
            };
            let Some(entry) = entry else { anyhow::bail!("internal error: no hash for {}", path.display()) };
            out.push((size, entry.hash.clone()));
        }
        Ok(out)
    }
}
