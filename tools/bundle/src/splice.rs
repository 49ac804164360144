//! The streamed combined files (`data/articles.jsonl`, the CSV tables, `site/data/figures-data.js`)
//! rebuilt from what the last run wrote. File IO (a binary-side module of the library, used by
//! `build`).
//!
//! Every page's share of such a file (a fragment part) is remembered with its place in the file
//! (`Layout`, saved in `<out>/.state/bundle/layout.json`). A rebuild writes a new file beside the
//! old one in page order, copying each unchanged page's bytes from the old file in the kernel
//! (`copy_file_range`, contiguous runs in one call) and writing only changed pages' parts; a
//! file whose pages all have the parts they had, in the same order, is not written at all. The
//! old file is trusted only while it has the size, mtime and inode it had when written; else
//! every part comes from the fragments. The new file is renamed into place whole, as before.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::hashes::{self, Stamp};

/// Where each page's part sits in one file as last written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileLayout {
    /// The file's path as written.
    pub path: PathBuf,
    /// Its size, mtime (ns) and inode when written, and its blake3.
    pub stamp: Stamp,
    pub blake3: String,
    /// Per page in file order: page id, part hash, offset, length.
    pub parts: Vec<(String, String, u64, u64)>,
}

/// The layouts of every streamed file, valid under one cache key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Layout {
    pub key: String,
    pub files: Vec<FileLayout>,
}

impl Layout {
    /// The layout saved at `path` if it was made under `key`; else an empty one.
    pub fn load(path: &Path, key: &str) -> Layout {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Layout>(&bytes).ok())
            .filter(|layout| layout.key == key)
            .unwrap_or_else(|| Layout { key: key.to_owned(), files: Vec::new() })
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        model::io::write_atomic(path, &serde_json::to_vec(self).context("serializing the layout")?)
    }

    /// The remembered layout of `path`, if the file there is still the one it describes.
    fn current(&self, path: &Path) -> Option<&FileLayout> {
        let layout = self.files.iter().find(|f| f.path == path)?;
        let meta = std::fs::metadata(path).ok()?;
        (Stamp::of(&meta) == layout.stamp).then_some(layout)
    }
}

/// Where each page's part sits in the old file: its hash, offset, length (a page has one part
/// per file).
type Places = HashMap<String, (String, u64, u64)>;

/// One streamed file being rebuilt.
pub struct Splice {
    path: PathBuf,
    /// The file as the last run wrote it, and where each (page, part hash) sits in it.
    old: Option<(std::fs::File, Places)>,
    /// Set when the new file would be the old one byte for byte: nothing is written.
    unchanged: Option<FileLayout>,
    tmp: Option<tempfile::NamedTempFile>,
    at: u64,
    /// A run of the old file waiting to be copied: start, length.
    pending: Option<(u64, u64)>,
    parts: Vec<(String, String, u64, u64)>,
}

impl Splice {
    /// Starts rebuilding `path`, whose pages will be `sequence` (page id, part hash, length) in
    /// this order, after `head`.
    pub fn create(
        path: PathBuf,
        layout: &Layout,
        sequence: &[(&str, &str, u64)],
        head: &str,
    ) -> anyhow::Result<Splice> {
        let previous = layout.current(&path);
        let same = previous.is_some_and(|old| {
            old.parts.len() == sequence.len()
                && old.parts.first().is_none_or(|first| first.2 == head.len() as u64)
                && old.parts.iter().zip(sequence).all(|(o, n)| o.0 == n.0 && o.1 == n.1 && o.3 == n.2)
        });
        let mut splice = Splice {
            path,
            old: None,
            unchanged: None,
            tmp: None,
            at: 0,
            pending: None,
            parts: Vec::with_capacity(sequence.len()),
        };
        if same && let Some(previous) = previous {
            splice.unchanged = Some(previous.clone());
            return Ok(splice);
        }
        if let Some(previous) = previous
            && let Ok(file) = std::fs::File::open(&splice.path)
        {
            let places =
                previous.parts.iter().map(|(page, hash, at, len)| (page.clone(), (hash.clone(), *at, *len))).collect();
            splice.old = Some((file, places));
        }
        let dir = splice.path.parent().unwrap_or(Path::new("."));
        splice.tmp = Some(model::io::temp_file_in(dir)?);
        splice.write_raw(head)?;
        Ok(splice)
    }

    /// Whether nothing needs writing: every page's part is where it was.
    pub fn unchanged(&self) -> bool {
        self.unchanged.is_some()
    }

    /// Whether `page`'s part with this hash can be copied from the old file.
    pub fn can_copy(&self, page: &str, hash: &str) -> bool {
        self.unchanged.is_some() || self.place(page, hash).is_some()
    }

    /// Adds `page`'s part from the old file (`can_copy` said it is there).
    pub fn copy(&mut self, page: &str, hash: &str) -> anyhow::Result<()> {
        if self.unchanged.is_some() {
            return Ok(());
        }
        let Some((start, len)) = self.place(page, hash) else {
            anyhow::bail!("internal error: page {page} has no part in the previous {}", self.path.display());
        };
        match &mut self.pending {
            Some((run_start, run_len)) if *run_start + *run_len == start => *run_len += len,
            _ => {
                self.flush_pending()?;
                self.pending = Some((start, len));
            }
        }
        self.parts.push((page.to_owned(), hash.to_owned(), self.at, len));
        self.at += len;
        Ok(())
    }

    /// Where `page`'s part with this hash sits in the old file: offset, length.
    fn place(&self, page: &str, hash: &str) -> Option<(u64, u64)> {
        let (_, places) = self.old.as_ref()?;
        places.get(page).filter(|(h, _, _)| h == hash).map(|&(_, at, len)| (at, len))
    }

    /// Adds `page`'s part, written out.
    pub fn write(&mut self, page: &str, hash: &str, text: &str) -> anyhow::Result<()> {
        if self.unchanged.is_some() {
            return Ok(());
        }
        self.flush_pending()?;
        self.parts.push((page.to_owned(), hash.to_owned(), self.at, text.len() as u64));
        self.write_raw(text)
    }

    fn write_raw(&mut self, text: &str) -> anyhow::Result<()> {
        let Some(tmp) = self.tmp.as_mut() else { return Ok(()) };
        tmp.as_file_mut().write_all(text.as_bytes()).with_context(|| format!("writing {}", self.path.display()))?;
        self.at += text.len() as u64;
        Ok(())
    }

    fn flush_pending(&mut self) -> anyhow::Result<()> {
        let (Some((start, len)), Some((old, _)), Some(tmp)) =
            (self.pending.take(), self.old.as_mut(), self.tmp.as_mut())
        else {
            return Ok(());
        };
        old.seek(SeekFrom::Start(start)).with_context(|| format!("reading the previous {}", self.path.display()))?;
        // File to file: the standard library copies in the kernel (copy_file_range).
        let mut source = Read::take(&*old, len);
        let mut target: &std::fs::File = tmp.as_file();
        let copied = std::io::copy(&mut source, &mut target)
            .with_context(|| format!("copying from the previous {}", self.path.display()))?;
        if copied != len {
            anyhow::bail!(
                "the previous {} is shorter than its layout says: delete it and run again",
                self.path.display()
            );
        }
        Ok(())
    }

    /// Appends `tail`, renames the file into place and hashes it; returns its layout.
    pub fn finish(mut self, tail: &str) -> anyhow::Result<FileLayout> {
        if let Some(unchanged) = self.unchanged.take() {
            return Ok(unchanged);
        }
        self.flush_pending()?;
        self.write_raw(tail)?;
        let Some(tmp) = self.tmp.take() else { anyhow::bail!("internal error: {} has no file", self.path.display()) };
        model::io::persist(tmp.into_temp_path(), &self.path)?;
        let (_, blake3) = hashes::hash_file(&self.path)?;
        let meta = std::fs::metadata(&self.path).with_context(|| format!("reading {}", self.path.display()))?;
        Ok(FileLayout { path: self.path, stamp: Stamp::of(&meta), blake3, parts: self.parts })
    }
}
