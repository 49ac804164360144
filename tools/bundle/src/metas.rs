//! Every cached fragment's meta line in one file, so a rebuild learns what each page contributes
//! from one read instead of opening every fragment. File IO (a binary-side module of the
//! library, used by `build`).
//!
//! Stored as `<out>/.state/bundle/metas.tsv`: per fragment `file name TAB size TAB mtime_ns TAB
//! inode TAB meta line` (the fragment's own first line, JSON without raw tabs or newlines). A
//! line is used only while its fragment has the stamp it gives; else the fragment itself is
//! read. Removed when a run starts and saved when it ends, so it only ever describes fragments
//! a finished run left.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;

use crate::hashes::Stamp;

/// The saved meta lines, by fragment file name.
#[derive(Debug, Default)]
pub struct Metas {
    lines: HashMap<String, (Stamp, Vec<u8>)>,
}

impl Metas {
    /// The lines saved at `path`; none when it is missing or damaged.
    pub fn load(path: &Path) -> Metas {
        let Ok(bytes) = std::fs::read(path) else { return Metas::default() };
        let mut lines = HashMap::with_capacity(bytes.len() / 1024);
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let mut fields = line.splitn(5, |&b| b == b'\t');
            let (Some(name), Some(size), Some(mtime), Some(inode), Some(meta)) =
                (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Metas::default();
            };
            let number = |field: &[u8]| std::str::from_utf8(field).ok().and_then(|s| s.parse::<i128>().ok());
            let (Ok(name), Some(size), Some(mtime_ns), Some(inode)) =
                (std::str::from_utf8(name), number(size), number(mtime), number(inode))
            else {
                return Metas::default();
            };
            let stamp = Stamp { size: size as u64, mtime_ns, inode: inode as u64 };
            lines.insert(name.to_owned(), (stamp, meta.to_vec()));
        }
        Metas { lines }
    }

    /// The saved meta line of fragment `name` if the fragment at `path` still has its stamp.
    pub fn get(&self, name: &str, path: &Path) -> Option<(&Stamp, &[u8])> {
        let (stamp, line) = self.lines.get(name)?;
        let now = Stamp::of(&std::fs::metadata(path).ok()?);
        (now == *stamp).then_some((stamp, line.as_slice()))
    }
}

/// Saves `entries` (fragment file name, its stamp, its meta line) atomically at `path`.
pub fn save<'a>(path: &Path, entries: impl Iterator<Item = (&'a str, &'a Stamp, &'a [u8])>) -> anyhow::Result<()> {
    let mut out = Vec::new();
    for (name, stamp, line) in entries {
        if name.contains(['\t', '\n']) || line.contains(&b'\n') {
            continue;
        }
        let _ = write!(out, "{name}\t{}\t{}\t{}\t", stamp.size, stamp.mtime_ns, stamp.inode);
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    model::io::write_atomic(path, &out)
}
