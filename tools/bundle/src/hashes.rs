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

/// The most bytes one thread hashes in one piece: a larger input is split into BLAKE3 subtrees
/// hashed on all threads and joined (`tree_hash`).
const LEAF: u64 = 4 << 20;

/// Size and blake3 (hex) of a file: read in a stream, or a large one in pieces in parallel.
pub fn hash_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let bytes = file.metadata().with_context(|| format!("reading {}", path.display()))?.len();
    let hash = if bytes <= LEAF {
        let mut hasher = blake3::Hasher::new();
        hasher.update_reader(&file).with_context(|| format!("hashing {}", path.display()))?;
        hasher.finalize()
    } else {
        use std::os::unix::fs::FileExt;
        let read_at = |offset: u64, buf: &mut [u8]| file.read_exact_at(buf, offset);
        tree_hash(bytes, &read_at).with_context(|| format!("hashing {}", path.display()))?
    };
    Ok((bytes, hash.to_hex().to_string()))
}

/// The blake3 hash of `len` bytes that `read_at(offset, buffer)` fills in: the tree's two halves
/// hashed on worker threads and joined at the root. Equals `blake3::hash` of the same bytes.
pub fn tree_hash(
    len: u64,
    read_at: &(dyn Fn(u64, &mut [u8]) -> std::io::Result<()> + Sync),
) -> std::io::Result<blake3::Hash> {
    use blake3::hazmat::{Mode, left_subtree_len, merge_subtrees_root};
    if len <= blake3::CHUNK_LEN as u64 {
        let mut buf = vec![0; len as usize];
        read_at(0, &mut buf)?;
        return Ok(blake3::hash(&buf));
    }
    let left = left_subtree_len(len);
    let (l, r) = rayon::join(|| subtree(0, left, read_at), || subtree(left, len - left, read_at));
    Ok(merge_subtrees_root(&l?, &r?, Mode::Hash))
}

/// The chaining value of the subtree of `len` bytes at `offset` (a subtree of the BLAKE3 tree:
/// `tree_hash` and this function only ever split where the tree does).
fn subtree(
    offset: u64,
    len: u64,
    read_at: &(dyn Fn(u64, &mut [u8]) -> std::io::Result<()> + Sync),
) -> std::io::Result<blake3::hazmat::ChainingValue> {
    use blake3::hazmat::{HasherExt, Mode, left_subtree_len, merge_subtrees_non_root};
    if len <= LEAF {
        // One buffer per thread, reused: a fresh one per piece was zeroed and faulted in again.
        thread_local! {
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        return BUFFER.with_borrow_mut(|buf| {
            buf.resize(len as usize, 0);
            read_at(offset, buf)?;
            let mut hasher = blake3::Hasher::new();
            hasher.set_input_offset(offset);
            hasher.update(buf);
            Ok(hasher.finalize_non_root())
        });
    }
    let left = left_subtree_len(len);
    let (l, r) = rayon::join(|| subtree(offset, left, read_at), || subtree(offset + left, len - left, read_at));
    Ok(merge_subtrees_non_root(&l?, &r?, Mode::Hash))
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

    /// The hash remembered for `path` if it was taken at `stamp`.
    pub fn remembered(&self, path: &Path, stamp: &Stamp) -> Option<String> {
        self.known.get(path).filter(|k| &k.stamp == stamp).map(|k| k.hash.clone())
    }

    /// The stamp and hash of `path` as this run hashed or looked it up (`hash_all`).
    pub fn current(&self, path: &Path) -> Option<(Stamp, String)> {
        self.known.get(path).filter(|k| k.used).map(|k| (k.stamp.clone(), k.hash.clone()))
    }

    /// Size and hash of each of `paths`: remembered ones by a `stat`, the others read and
    /// hashed in parallel.
    pub fn hash_all(&mut self, paths: &[PathBuf]) -> anyhow::Result<Vec<(u64, String)>> {
        self.hash_stamped(paths, None)
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_tree_hash_in_pieces_is_blake3_of_the_whole() {
        // Around the piece size and the chunk size, and several pieces with a short last one.
        let sizes = [0, 1, 1024, 1025, 4 << 20, (4 << 20) + 1, (8 << 20) - 1, (9 << 20) + 4097, 17 << 20];
        let data: Vec<u8> = (0..(17u64 << 20)).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for size in sizes {
            let bytes = &data[..size];
            let read_at = |offset: u64, buf: &mut [u8]| {
                buf.copy_from_slice(&bytes[offset as usize..offset as usize + buf.len()]);
                Ok(())
            };
            let hash = super::tree_hash(size as u64, &read_at).expect("in memory");
            assert_eq!(hash, blake3::hash(bytes), "{size} bytes");
        }
    }
}
