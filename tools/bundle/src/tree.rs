//! The manifest's file list without a `stat` of every file: what the last run listed, folder by
//! folder, is kept with each folder's stamp, and a folder whose stamp has not changed is not
//! listed again. File IO (a binary-side module of the library, used by `build`).
//!
//! Stored as `<out>/.state/bundle/files.tsv`: per folder a line `D TAB path TAB trusted TAB size
//! TAB mtime_ns TAB inode`, its subfolders (`S TAB name`) and files (`F TAB name TAB size TAB
//! mtime_ns TAB inode TAB blake3`). A file is added, removed or replaced by a rename in its
//! folder, which changes the folder's mtime, so an unchanged folder holds the files it held
//! (a file rewritten in place, without a rename, is noticed once its folder changes). A folder
//! is trusted only when its mtime was older than the listing by more than the clock's
//! granularity: a change in the same tick would leave the stamp as it was.
//!
//! A changed folder is listed again. Its files are taken, in this order, from what this run
//! wrote or hashed already (`Known`: the files it wrote, its inputs), from the record when the
//! folder is one only the bundle writes (`data/`, `site/`) and the entry has the inode the
//! record gives it, else by a `stat` (a file with the recorded stamp keeps its hash; others are
//! read and hashed, in parallel). The record is removed when a run starts and saved when it
//! ends, so after a killed run every folder is listed and every file `stat`ed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::os::unix::fs::DirEntryExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use rayon::prelude::*;

use crate::hashes::{self, Hashes, Stamp};

/// Longer than any file system clock tick: a folder changed less than this before it was
/// listed is listed again next time.
const TICK: Duration = Duration::from_millis(50);

/// One file as listed: name, stamp, blake3.
#[derive(Debug, Clone)]
struct FileRecord {
    name: String,
    stamp: Stamp,
    hash: String,
}

/// One folder as listed.
#[derive(Debug, Clone, Default)]
struct DirRecord {
    /// The folder's stamp when listed, if it can be trusted next time.
    stamp: Option<Stamp>,
    subdirs: Vec<String>,
    files: Vec<FileRecord>,
}

/// What the last run listed, by folder path relative to the output root (`""` for the root).
#[derive(Debug, Default)]
pub struct Record {
    dirs: HashMap<String, DirRecord>,
}

/// Files whose stamp and hash this run already knows, by path relative to the output root.
pub type Known = HashMap<String, (Stamp, String)>;

/// One file of the manifest: path relative to the output root, size, blake3.
pub type Listed = (String, u64, String);

/// Folders whose files the caller knows by name without listing them (the article pages'
/// folder, when it was as listed when the run started and only the run changed it since).
pub type Exact = HashMap<String, Vec<String>>;

fn parse_stamp(size: &str, mtime: &str, inode: &str) -> Option<Stamp> {
    Some(Stamp { size: size.parse().ok()?, mtime_ns: mtime.parse().ok()?, inode: inode.parse().ok()? })
}

impl Record {
    /// The record at `path`; empty when it is missing or damaged.
    pub fn load(path: &Path) -> Record {
        let Ok(text) = std::fs::read_to_string(path) else { return Record::default() };
        Record::parse(&text).unwrap_or_default()
    }

    fn parse(text: &str) -> Option<Record> {
        let mut dirs = HashMap::new();
        let mut current: Option<(String, DirRecord)> = None;
        for line in text.lines() {
            let mut fields = line.split('\t');
            match fields.next()? {
                "D" => {
                    if let Some((path, dir)) = current.take() {
                        dirs.insert(path, dir);
                    }
                    let (path, trusted, size, mtime, inode) =
                        (fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?);
                    let stamp = parse_stamp(size, mtime, inode)?;
                    let stamp = (trusted == "1").then_some(stamp);
                    current = Some((path.to_owned(), DirRecord { stamp, ..DirRecord::default() }));
                }
                "S" => current.as_mut()?.1.subdirs.push(fields.next()?.to_owned()),
                "F" => {
                    let (name, size, mtime, inode, hash) =
                        (fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?);
                    let stamp = parse_stamp(size, mtime, inode)?;
                    current.as_mut()?.1.files.push(FileRecord { name: name.to_owned(), stamp, hash: hash.to_owned() });
                }
                _ => return None,
            }
        }
        if let Some((path, dir)) = current.take() {
            dirs.insert(path, dir);
        }
        Some(Record { dirs })
    }

    /// The names of the files of the folder at `relative` (under `root`) as listed, if the
    /// folder still has the stamp it had then (nothing was added, replaced or removed since).
    /// Call before this run writes in it.
    pub fn unchanged_files(&self, root: &Path, relative: &str) -> Option<Vec<String>> {
        let dir = self.dirs.get(relative)?;
        let stamp = Stamp::of(&std::fs::metadata(root.join(relative)).ok()?);
        (dir.stamp.as_ref() == Some(&stamp)).then(|| dir.files.iter().map(|f| f.name.clone()).collect())
    }

    /// Saves the record atomically.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let mut paths: Vec<&String> = self.dirs.keys().collect();
        paths.sort_unstable();
        let mut text = String::with_capacity(self.dirs.values().map(|d| d.files.len() * 128).sum::<usize>() + 4096);
        for path in paths {
            let dir = &self.dirs[path];
            let (trusted, stamp) = match &dir.stamp {
                Some(stamp) => ("1", stamp.clone()),
                None => ("0", Stamp::default()),
            };
            let _ = writeln!(text, "D\t{path}\t{trusted}\t{}\t{}\t{}", stamp.size, stamp.mtime_ns, stamp.inode);
            for sub in &dir.subdirs {
                let _ = writeln!(text, "S\t{sub}");
            }
            for file in &dir.files {
                let Stamp { size, mtime_ns, inode } = &file.stamp;
                let _ = writeln!(text, "F\t{}\t{size}\t{mtime_ns}\t{inode}\t{}", file.name, file.hash);
            }
        }
        model::io::write_atomic(path, text.as_bytes())
    }
}

/// Whether only the bundle writes in the folder at `relative` (so an entry with the inode the
/// record gives it is the file the record describes).
fn bundle_owned(relative: &str) -> bool {
    let first = relative.split('/').next().unwrap_or_default();
    matches!(first, "data" | "site")
}

/// Whether an entry at `relative` (a path under the root, `/`-separated) belongs in the
/// manifest as far as its own name goes: not hidden, not `dist/`, `runs/` or the manifest at
/// the root.
fn listed_name(parent: &str, name: &str) -> bool {
    if name.starts_with('.') || name.contains(['\t', '\n']) {
        return false;
    }
    !(parent.is_empty() && matches!(name, "dist" | "runs" | "manifest.json"))
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_owned() } else { format!("{parent}/{name}") }
}

/// A file of a listed folder still to be settled by a `stat`: its relative path and name.
struct Pending {
    dir: String,
    name: String,
    /// The record's entry of that name, if any.
    previous: Option<FileRecord>,
    /// The folder entry it was listed from: its `stat` goes through the open folder, not the
    /// whole path.
    entry: Option<std::fs::DirEntry>,
}

/// Every file under `root` that belongs in the manifest, sorted by path, with its size and
/// hash, and the record of this listing. `fallback` holds hashes remembered by stamp from
/// elsewhere (the old stat cache), used before a file is read.
pub fn list(
    root: &Path,
    old: &Record,
    known: &Known,
    exact: &Exact,
    fallback: &Hashes,
) -> anyhow::Result<(Vec<Listed>, Record)> {
    let mut record = Record::default();
    let mut listed: Vec<Listed> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut stack = vec![String::new()];
    // The folders holding a file this run knows: in the others no name is looked up.
    let known_dirs: std::collections::HashSet<&str> =
        known.keys().map(|path| path.rsplit_once('/').map_or("", |(dir, _)| dir)).collect();
    while let Some(relative) = stack.pop() {
        let path = if relative.is_empty() { root.to_path_buf() } else { root.join(&relative) };
        let now = SystemTime::now();
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if !meta.is_dir() {
            continue;
        }
        let stamp = Stamp::of(&meta);
        let trusted = meta.modified().is_ok_and(|m| m + TICK < now);
        let previous = old.dirs.get(&relative);
        let mut dir = DirRecord { stamp: trusted.then(|| stamp.clone()), ..DirRecord::default() };
        let knows = known_dirs.contains(relative.as_str());
        let known_here = |name: &str| if knows { known.get(&join(&relative, name)) } else { None };
        if let Some(previous) = previous.filter(|p| p.stamp.as_ref() == Some(&stamp)) {
            // Unchanged: the files it held, less what this run rewrote in place (the database).
            dir.subdirs = previous.subdirs.clone();
            for file in &previous.files {
                let file = match known_here(&file.name) {
                    Some((stamp, hash)) => {
                        FileRecord { name: file.name.clone(), stamp: stamp.clone(), hash: hash.clone() }
                    }
                    None => file.clone(),
                };
                listed.push((join(&relative, &file.name), file.stamp.size, file.hash.clone()));
                dir.files.push(file);
            }
        } else if let (Some(names), Some(previous)) = (exact.get(&relative), previous) {
            // Known by name: as listed, less and plus what this run removed and wrote.
            dir.subdirs = previous.subdirs.clone();
            let by_name: HashMap<&str, &FileRecord> = previous.files.iter().map(|f| (f.name.as_str(), f)).collect();
            for name in names {
                let full = join(&relative, name);
                if let Some((stamp, hash)) = known.get(&full) {
                    listed.push((full, stamp.size, hash.clone()));
                    dir.files.push(FileRecord { name: name.clone(), stamp: stamp.clone(), hash: hash.clone() });
                } else if let Some(file) = by_name.get(name.as_str()) {
                    listed.push((full, file.stamp.size, file.hash.clone()));
                    dir.files.push((*file).clone());
                } else {
                    pending.push(Pending { dir: relative.clone(), name: name.clone(), previous: None, entry: None });
                }
            }
        } else {
            let owned = bundle_owned(&relative);
            let by_name: HashMap<&str, &FileRecord> =
                previous.map(|p| p.files.iter().map(|f| (f.name.as_str(), f)).collect()).unwrap_or_default();
            let entries = std::fs::read_dir(&path).with_context(|| format!("listing {}", path.display()))?;
            for entry in entries {
                let entry = entry.with_context(|| format!("listing {}", path.display()))?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if !listed_name(&relative, name) {
                    continue;
                }
                let file_type = entry.file_type().with_context(|| format!("reading {}", entry.path().display()))?;
                if file_type.is_dir() {
                    dir.subdirs.push(name.to_owned());
                    continue;
                }
                if !file_type.is_file() {
                    continue;
                }
                if let Some((stamp, hash)) = known_here(name) {
                    listed.push((join(&relative, name), stamp.size, hash.clone()));
                    dir.files.push(FileRecord { name: name.to_owned(), stamp: stamp.clone(), hash: hash.clone() });
                } else if let Some(file) = by_name.get(name).filter(|f| owned && f.stamp.inode == entry.ino()) {
                    listed.push((join(&relative, name), file.stamp.size, file.hash.clone()));
                    dir.files.push((*file).clone());
                } else {
                    let previous = by_name.get(name).map(|f| (*f).clone());
                    let name = name.to_owned();
                    pending.push(Pending { dir: relative.clone(), name, previous, entry: Some(entry) });
                }
            }
        }
        for sub in &dir.subdirs {
            stack.push(join(&relative, sub));
        }
        record.dirs.insert(relative, dir);
    }
    // The files settled by a `stat`, and read when their stamp is not one remembered.
    let settled: Vec<anyhow::Result<FileRecord>> = pending
        .par_iter()
        .map(|p| {
            let path = || root.join(join(&p.dir, &p.name));
            // Through the listed folder (a regular file, so no link to follow), else the path.
            let meta = match &p.entry {
                Some(entry) => entry.metadata(),
                None => std::fs::metadata(path()),
            };
            let meta = meta.with_context(|| format!("reading {}", path().display()))?;
            let stamp = Stamp::of(&meta);
            if let Some(previous) = p.previous.as_ref().filter(|f| f.stamp == stamp) {
                return Ok(FileRecord { name: p.name.clone(), stamp, hash: previous.hash.clone() });
            }
            let path = path();
            if let Some(hash) = fallback.remembered(&path, &stamp) {
                return Ok(FileRecord { name: p.name.clone(), stamp, hash });
            }
            let (_, hash) = hashes::hash_file(&path)?;
            // A file changed while being read gets a stamp that will not match next time.
            let after = std::fs::metadata(&path).map(|m| Stamp::of(&m)).unwrap_or_default();
            Ok(FileRecord { name: p.name.clone(), stamp: after, hash })
        })
        .collect();
    for (p, file) in pending.into_iter().zip(settled) {
        let file = file?;
        listed.push((join(&p.dir, &p.name), file.stamp.size, file.hash.clone()));
        if let Some(dir) = record.dirs.get_mut(&p.dir) {
            dir.files.push(file);
        }
    }
    listed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok((listed, record))
}

/// The stamps of `paths` (files this run wrote, with their hashes), relative to `root`; a path
/// outside `root` or gone is left out.
pub fn known_files(root: &Path, files: Vec<(PathBuf, String)>) -> Known {
    files
        .into_par_iter()
        .filter_map(|(path, hash)| {
            let relative = relative_to(root, &path)?;
            let meta = std::fs::metadata(&path).ok()?;
            Some((relative, (Stamp::of(&meta), hash)))
        })
        .collect()
}

/// `path` relative to `root`, `/`-separated, if it is under it.
pub fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = relative.components().map(|c| c.as_os_str().to_str()).collect();
    let parts = parts?;
    (!parts.is_empty()).then(|| parts.join("/"))
}
