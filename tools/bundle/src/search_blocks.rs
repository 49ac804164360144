//! The site's search files as a run writes them: the blocks of article texts (only new ones),
//! their bigram codes, and the term shards (only those whose content changed). File IO (a
//! binary-side module of the library, used by `build`).
//!
//! Each block's bigram codes are kept in `<out>/.state/bundle/search/<block>.codes`
//! (`search_index::encode_codes`: one shard's codes can be read alone). The blocks the term
//! shards were last written from are recorded in `shards.json`, with each shard file's stamp; a
//! run compares each block it names with the one at the same place then, shard by shard, and
//! rewrites only the shards in which some block's codes differ, and any shard file that is
//! missing or not as written (every shard when there is no record).
//! The record is removed before the first shard is rewritten and saved after the last, so a
//! run killed in between makes the next one rewrite every shard. Shards are built a group at a
//! time from the codes files, so memory never holds every block's codes.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::hashes::Stamp;
use crate::search_index::{self, CODES_HEADER, SHARDS};

/// Shards built together from one read of each block's codes.
const SHARDS_PER_GROUP: usize = 16;

/// What the term shards on disk were written from.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ShardRecord {
    /// The block names, in block order.
    blocks: Vec<String>,
    /// Each shard file's size, mtime and inode as written: a shard changed since is rewritten.
    stamps: Vec<Stamp>,
}

/// The stamp of shard `shard`'s file in `dir`, if it is there.
fn shard_stamp(dir: &Path, shard: usize) -> Option<Stamp> {
    std::fs::metadata(dir.join(format!("terms-{shard:02x}.js"))).ok().map(|meta| Stamp::of(&meta))
}

/// A block's codes file, opened: its shard offsets.
struct Codes {
    path: PathBuf,
    file: std::fs::File,
    offsets: Vec<u32>,
}

impl Codes {
    fn open(path: PathBuf) -> anyhow::Result<Codes> {
        let mut file = std::fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        let len = file.metadata().with_context(|| format!("reading {}", path.display()))?.len();
        let mut header = vec![0; CODES_HEADER];
        file.read_exact(&mut header).ok();
        let Some(offsets) = search_index::decode_offsets(&header, len) else {
            anyhow::bail!("{} is damaged: delete it and run again", path.display());
        };
        Ok(Codes { path, file, offsets })
    }

    /// The codes of the shards in `shards` (a range), in shard order.
    fn read(&mut self, shards: std::ops::Range<usize>) -> anyhow::Result<Vec<u64>> {
        let (start, end) = (self.offsets[shards.start] as u64, self.offsets[shards.end] as u64);
        let mut bytes = vec![0; ((end - start) * 8) as usize];
        self.file
            .seek(SeekFrom::Start(CODES_HEADER as u64 + start * 8))
            .and_then(|_| self.file.read_exact(&mut bytes))
            .with_context(|| format!("reading {}", self.path.display()))?;
        Ok(search_index::decode_codes(&bytes))
    }

    /// The codes of one shard.
    fn shard(&mut self, shard: usize) -> anyhow::Result<Vec<u64>> {
        self.read(shard..shard + 1)
    }
}

/// Phase 2's search part: the blocks' scripts (written when new) and their bigram codes
/// (computed once per block, on a worker thread).
pub struct SearchBlocks {
    dir: PathBuf,
    codes_dir: PathBuf,
    /// Every block's name, from its members' input hashes and the cache key.
    names: Vec<String>,
    /// Per block: whether its script or its codes must be made (its members' search parts are
    /// then needed).
    needed: Vec<bool>,
    /// Blocks whose codes were saved arrive here from worker threads.
    codes_in: std::sync::mpsc::Receiver<anyhow::Result<usize>>,
    codes_out: std::sync::mpsc::Sender<anyhow::Result<usize>>,
    /// Per block: made in this run.
    made: Vec<bool>,
    written: Vec<(PathBuf, String)>,
    /// The block being filled: its entries.
    entries: String,
    articles: usize,
}

impl SearchBlocks {
    /// The blocks of `inputs` (each page's input hash, in order), `BLOCK_PAGES` pages each.
    pub fn new(dir: PathBuf, codes_dir: PathBuf, key: &str, inputs: &[&str]) -> SearchBlocks {
        let (codes_out, codes_in) = std::sync::mpsc::channel();
        let names: Vec<String> = inputs
            .chunks(search_index::BLOCK_PAGES)
            .map(|members| {
                let mut hasher = blake3::Hasher::new();
                for input in members {
                    hasher.update(input.as_bytes());
                }
                hasher.update(key.as_bytes());
                format!("docs-{}", &hasher.finalize().to_hex()[..16])
            })
            .collect();
        let needed = names
            .iter()
            .map(|name| !dir.join(format!("{name}.js")).is_file() || !codes_dir.join(format!("{name}.codes")).is_file())
            .collect();
        SearchBlocks {
            dir,
            codes_dir,
            made: vec![false; names.len()],
            names,
            needed,
            codes_in,
            codes_out,
            written: Vec::new(),
            entries: String::new(),
            articles: 0,
        }
    }

    /// Whether the page at `index` (among the pages in order) needs its search part read.
    pub fn wants(&self, index: usize) -> bool {
        self.needed[index / search_index::BLOCK_PAGES]
    }

    /// Adds the page at `index`: its article count, and its search part when `wants` said so.
    pub fn add(&mut self, index: usize, articles: usize, part: Option<&str>) -> anyhow::Result<()> {
        self.articles += articles;
        if let Some(part) = part {
            self.entries.push_str(part);
        }
        let block = index / search_index::BLOCK_PAGES;
        let last = index + 1 == (block + 1) * search_index::BLOCK_PAGES;
        if last && self.needed[block] {
            self.make(block)?;
        }
        Ok(())
    }

    fn codes_path(&self, name: &str) -> PathBuf {
        self.codes_dir.join(format!("{name}.codes"))
    }

    /// Writes a needed block's script (if missing) and saves its bigram codes on a worker
    /// thread.
    fn make(&mut self, block: usize) -> anyhow::Result<()> {
        let name = &self.names[block];
        let entries = std::mem::take(&mut self.entries);
        let path = self.dir.join(format!("{name}.js"));
        if !path.is_file() {
            let script = search_index::docs_script(name, &entries);
            model::io::write_atomic(&path, script.as_bytes())?;
            self.written.push((path, blake3::hash(script.as_bytes()).to_hex().to_string()));
        }
        let codes_path = self.codes_path(name);
        let codes_out = self.codes_out.clone();
        self.made[block] = true;
        rayon::spawn(move || {
            let mut codes = Vec::new();
            search_index::add_bigrams(&entries, &mut codes);
            drop(entries);
            search_index::finish_block(&mut codes);
            let saved = model::io::write_atomic(&codes_path, &search_index::encode_codes(&codes));
            let _ = codes_out.send(saved.map(|()| block));
        });
        Ok(())
    }

    /// The shards whose content differs from what `previous` (the blocks they were written
    /// from) gave them: compared block by block, shard by shard.
    fn dirty_shards(&self, previous: Option<&ShardRecord>) -> anyhow::Result<Vec<bool>> {
        let Some(previous) = previous.filter(|p| p.stamps.len() == SHARDS) else { return Ok(vec![true; SHARDS]) };
        let mut dirty: Vec<bool> =
            (0..SHARDS).map(|shard| shard_stamp(&self.dir, shard).as_ref() != Some(&previous.stamps[shard])).collect();
        let blocks = self.names.len().max(previous.blocks.len());
        for block in 0..blocks {
            let (old, new) = (previous.blocks.get(block), self.names.get(block));
            if old == new {
                continue;
            }
            let open = |name: Option<&String>| -> anyhow::Result<Option<Codes>> {
                name.map(|name| Codes::open(self.codes_path(name))).transpose()
            };
            let old = match open(old) {
                Ok(old) => old,
                // The codes the shards were made from are gone: rewrite every shard.
                Err(_) => return Ok(vec![true; SHARDS]),
            };
            let (mut old, mut new) = (old, open(new)?);
            for (shard, dirty) in dirty.iter_mut().enumerate() {
                if *dirty {
                    continue;
                }
                let old_codes = old.as_mut().map(|c| c.shard(shard)).transpose()?.unwrap_or_default();
                let new_codes = new.as_mut().map(|c| c.shard(shard)).transpose()?.unwrap_or_default();
                *dirty = old_codes != new_codes;
            }
        }
        Ok(dirty)
    }

    /// Builds the term shards of `group` that are dirty from every block's codes; returns the
    /// files written.
    fn write_group(
        dir: &Path,
        codes_dir: &Path,
        names: &[String],
        group: std::ops::Range<usize>,
        dirty: &[bool],
    ) -> anyhow::Result<Vec<(PathBuf, String)>> {
        let wanted: Vec<usize> = group.clone().filter(|&s| dirty[s]).collect();
        let (Some(&first), Some(&last)) = (wanted.first(), wanted.last()) else { return Ok(Vec::new()) };
        if names.len() >= 1 << search_index::BLOCK_BITS {
            anyhow::bail!("{} search blocks are more than the term shards can number", names.len());
        }
        let mut postings: Vec<Vec<u64>> = vec![Vec::new(); last + 1 - first];
        for (block, name) in names.iter().enumerate() {
            let mut codes = Codes::open(codes_dir.join(format!("{name}.codes")))?;
            let base = codes.offsets[first] as usize;
            let offsets = codes.offsets.clone();
            let read = codes.read(first..last + 1)?;
            for &shard in &wanted {
                let (start, end) = (offsets[shard] as usize - base, offsets[shard + 1] as usize - base);
                postings[shard - first].extend(read[start..end].iter().map(|&c| search_index::pack(c, block)));
            }
        }
        let mut written = Vec::new();
        for &shard in &wanted {
            let list = &mut postings[shard - first];
            list.sort_unstable();
            let script = search_index::terms_script(shard, list);
            *list = Vec::new();
            let path = dir.join(format!("terms-{shard:02x}.js"));
            model::io::write_atomic(&path, script.as_bytes())?;
            written.push((path, blake3::hash(script.as_bytes()).to_hex().to_string()));
        }
        Ok(written)
    }

    /// Writes the changed term shards and `meta.js`, removes blocks no longer named; returns
    /// the files written.
    pub fn finish(mut self) -> anyhow::Result<Vec<(PathBuf, String)>> {
        // The last block, when it is not full.
        let blocks = self.names.len();
        if blocks > 0 && self.needed[blocks - 1] && !self.made[blocks - 1] {
            self.make(blocks - 1)?;
        }
        for _ in 0..self.made.iter().filter(|&&m| m).count() {
            self.codes_in.recv().map_err(|_| anyhow::anyhow!("a search block's worker thread stopped"))??;
        }
        let record_path = self.codes_dir.join("shards.json");
        let previous: Option<ShardRecord> =
            std::fs::read(&record_path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let dirty = self.dirty_shards(previous.as_ref())?;
        let mut written = std::mem::take(&mut self.written);
        if dirty.iter().any(|&d| d) {
            // Until every changed shard is written, no record says which blocks they hold.
            match std::fs::remove_file(&record_path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", record_path.display()));
                }
                _ => {}
            }
            let groups: Vec<std::ops::Range<usize>> =
                (0..SHARDS).step_by(SHARDS_PER_GROUP).map(|s| s..(s + SHARDS_PER_GROUP).min(SHARDS)).collect();
            let (dir, codes_dir, names) = (&self.dir, &self.codes_dir, &self.names);
            let made: Vec<anyhow::Result<Vec<(PathBuf, String)>>> = groups
                .into_par_iter()
                .map(|group| SearchBlocks::write_group(dir, codes_dir, names, group, &dirty))
                .collect();
            for files in made {
                written.extend(files?);
            }
        }
        let stamps = (0..SHARDS).map(|shard| shard_stamp(&self.dir, shard).unwrap_or_default()).collect();
        let record = ShardRecord { blocks: self.names.clone(), stamps };
        if previous.is_none_or(|p| p.blocks != record.blocks) || dirty.iter().any(|&d| d) {
            let bytes = serde_json::to_vec(&record).context("serializing the search shard record")?;
            model::io::write_atomic(&record_path, &bytes)?;
        }
        let meta = search_index::meta_script(&self.names, self.articles);
        let meta_path = self.dir.join("meta.js");
        if std::fs::read(&meta_path).ok().as_deref() != Some(meta.as_bytes()) {
            model::io::write_atomic(&meta_path, meta.as_bytes())?;
            written.push((meta_path, blake3::hash(meta.as_bytes()).to_hex().to_string()));
        }
        let keep: BTreeSet<String> = self.names.iter().map(|n| format!("{n}.js")).collect();
        let dir = &self.dir;
        for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("docs-") && !keep.contains(&name) {
                std::fs::remove_file(entry.path()).with_context(|| format!("removing {}", entry.path().display()))?;
            }
        }
        let keep_codes: BTreeSet<String> = self.names.iter().map(|n| format!("{n}.codes")).collect();
        crate::build::remove_stale(&self.codes_dir, ".codes", &keep_codes)?;
        Ok(written)
    }
}
