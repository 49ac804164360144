//! The dated archive `dist/<name>-<date>.zip`, built incrementally and in parallel. File IO (a
//! binary-side module of the library, used by `build`).
//!
//! An entry whose file has the hash the previous archive's own `manifest.json` recorded is
//! copied from that archive still compressed; the others are deflated (level 1) on all worker
//! threads, a chunk at a time, each into a one-entry archive in memory whose compressed entry is
//! then copied in. Entries stay in manifest order, so the archive does not depend on timing.

use std::collections::HashMap;
use std::io::{BufWriter, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::manifest::Manifest;
use model::io::TEMP_PREFIX;

/// Files deflated in parallel before their entries are copied in: bounds the memory held.
const CHUNK: usize = 64;

/// What goes into the archive: the folder every entry sits under, and (path relative to the
/// output root, blake3) of every file, `manifest.json` last.
pub struct Contents<'a> {
    pub out: &'a Path,
    pub stem: &'a str,
    pub files: Vec<(&'a str, &'a str)>,
    pub modified: zip::DateTime,
}

/// The newest earlier archive in `dist` whose name starts with `prefix` (`<name>-`).
pub fn previous_archive(dist: &Path, prefix: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dist)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.starts_with(prefix) && name.ends_with(".zip") && !name.starts_with(TEMP_PREFIX)
        })
        .collect();
    found.sort();
    found.pop()
}

/// The previous archive opened, with the hash its manifest gives each of its entries (by path
/// relative to the output root) and the folder its entries sit under.
struct Previous {
    zip: zip::ZipArchive<std::fs::File>,
    stem: String,
    hashes: HashMap<String, String>,
}

fn open_previous(path: &Path) -> Option<Previous> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
    let stem = path.file_stem()?.to_str()?.to_owned();
    let mut text = String::new();
    zip.by_name(&format!("{stem}/manifest.json")).ok()?.read_to_string(&mut text).ok()?;
    let manifest: Manifest = serde_json::from_str(&text).ok()?;
    let hashes = manifest.files.into_iter().map(|f| (f.path, f.blake3)).collect();
    Some(Previous { zip, stem, hashes })
}

fn file_options(modified: zip::DateTime) -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // Fast deflate: the archive is for handing over, and level 1 is several times faster.
        .compression_level(Some(1))
        .last_modified_time(modified)
        .unix_permissions(0o644)
        .large_file(true)
}

/// One file deflated into a one-entry archive in memory.
fn deflate_one(out: &Path, name: &str, relative: &str, modified: zip::DateTime) -> anyhow::Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file(name, file_options(modified)).with_context(|| format!("adding {relative}"))?;
    let path = out.join(relative);
    let mut file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    std::io::copy(&mut file, &mut writer).with_context(|| format!("adding {relative}"))?;
    Ok(writer.finish().with_context(|| format!("adding {relative}"))?.into_inner())
}

/// Writes the archive to `path` atomically; returns how many entries were copied unchanged
/// from `previous`.
pub fn write(path: &Path, previous: Option<&Path>, contents: &Contents<'_>) -> anyhow::Result<usize> {
    let dist = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dist).with_context(|| format!("creating folder {}", dist.display()))?;
    let mut previous = previous.and_then(open_previous);
    let mut tmp = model::io::temp_file_in(dist)?;
    let mut copied = 0;
    {
        let mut writer = zip::ZipWriter::new(BufWriter::with_capacity(1 << 20, tmp.as_file_mut()));
        for chunk in contents.files.chunks(CHUNK) {
            let reuse: Vec<bool> = chunk
                .iter()
                .map(|(relative, hash)| {
                    *relative != "manifest.json"
                        && previous.as_ref().is_some_and(|p| p.hashes.get(*relative).map(String::as_str) == Some(*hash))
                })
                .collect();
            let fresh: Vec<Option<anyhow::Result<Vec<u8>>>> = chunk
                .par_iter()
                .zip(&reuse)
                .map(|((relative, _), &reuse)| {
                    (!reuse).then(|| {
                        deflate_one(contents.out, &format!("{}/{relative}", contents.stem), relative, contents.modified)
                    })
                })
                .collect();
            for (((relative, _), reuse), fresh) in chunk.iter().zip(reuse).zip(fresh) {
                let name = format!("{}/{relative}", contents.stem);
                let added = match (fresh, previous.as_mut()) {
                    (Some(bytes), _) => {
                        let mut one = zip::ZipArchive::new(Cursor::new(bytes?))
                            .with_context(|| format!("adding {relative} to {}", path.display()))?;
                        let entry = one.by_index_raw(0).with_context(|| format!("adding {relative}"))?;
                        writer.raw_copy_file(entry)
                    }
                    (None, Some(previous)) if reuse => {
                        let old_name = format!("{}/{relative}", previous.stem);
                        let entry = previous.zip.by_name(&old_name).with_context(|| format!("reading {old_name}"))?;
                        copied += 1;
                        writer.raw_copy_file_rename(entry, &name)
                    }
                    (None, _) => unreachable_entry(relative)?,
                };
                added.with_context(|| format!("adding {relative} to {}", path.display()))?;
            }
        }
        let mut buffered = writer.finish().with_context(|| format!("writing {}", path.display()))?;
        buffered.flush().with_context(|| format!("writing {}", path.display()))?;
    }
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(copied)
}

/// An entry neither deflated nor copied: cannot happen, reported rather than panicking.
fn unreachable_entry(relative: &str) -> anyhow::Result<zip::result::ZipResult<()>> {
    anyhow::bail!("internal error: archive entry {relative} was neither copied nor deflated")
}
