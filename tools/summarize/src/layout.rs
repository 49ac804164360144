//! Where the parts of the last assembled outputs (district profiles, `corpus.md`) lie, so that a
//! rebuild copies what did not change from the old file instead of reading it back from the
//! cache (binary only: this is file IO). `OUT/.cache/layout.bin` lists, per output, the stamp
//! (size, mtime, inode) it had when written and its pieces in order: a run of the cache log's
//! bytes (offset, length; parts of one district from one page lie side by side there) or bytes
//! of the frame (length, hash). A new output's pieces are matched against the old file's: a part
//! found in it, or a frame piece where the old file had the same one, is copied from the old
//! file (`std::io::copy` between files, which Linux does in the kernel); only the rest (the parts
//! of changed pages, frame text that changed) is written from memory or the log. An output whose
//! plan is the whole old file is not written again.
//!
//! The layout is valid for one generation of the log (offsets into it), translated when the
//! log is compacted, and an output only while its stamp is the recorded one; anything else
//! (no layout, a damaged one, a file changed by hand) falls back to reading every part from the
//! log. Deliberately not done: hashing the old file before copying from it (its stamp is
//! trusted, as `xtask`'s hash cache trusts stamps).

use std::collections::HashMap;
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::Context;
use summarize::assembly::Segment;

use crate::cache::Stamp;

/// The layouts' file in the cache folder.
pub const FILE: &str = "layout.bin";

/// Bumped when the file's form changes.
const VERSION: u32 = 1;

/// One piece of an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    /// `len` bytes of the cache log at `offset`.
    At { offset: u64, len: u64 },
    /// `len` bytes of frame text, whose hash is `hash`.
    Bytes { len: u64, hash: u64 },
}

impl Elem {
    fn len(&self) -> u64 {
        match *self {
            Elem::At { len, .. } | Elem::Bytes { len, .. } => len,
        }
    }
}

/// An output's pieces as written, and its stamp then.
#[derive(Debug, Clone, Default)]
pub struct FileLayout {
    pub stamp: Stamp,
    pub elems: Vec<Elem>,
}

/// The layouts of the outputs, by path relative to the output folder.
#[derive(Debug, Default)]
pub struct Layouts {
    pub generation: u64,
    pub files: HashMap<String, FileLayout>,
}

/// Reads the layout file's numbers and names.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

fn hash64(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(blake3::hash(bytes).as_bytes()[..8].try_into().unwrap_or_default())
}

impl Layouts {
    /// The layouts at `path`; none when it is missing, damaged or of another version.
    pub fn load(path: &Path) -> Layouts {
        std::fs::read(path).ok().and_then(|bytes| Self::decode(&bytes)).unwrap_or_default()
    }

    fn decode(bytes: &[u8]) -> Option<Layouts> {
        let (bytes, hash) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        (blake3::hash(bytes).as_bytes() == hash).then_some(())?;
        let mut r = Cursor(bytes);
        (r.u64()? == u64::from(VERSION)).then_some(())?;
        let generation = r.u64()?;
        let count = r.u64()?;
        let mut files = HashMap::new();
        for _ in 0..count {
            let name_len = usize::try_from(r.u64()?).ok()?;
            let name = String::from_utf8(r.take(name_len)?.to_vec()).ok()?;
            let (len, mtime_hi, mtime_lo, ino) = (r.u64()?, r.u64()?, r.u64()?, r.u64()?);
            let mtime = (i128::from(mtime_hi as i64) << 64) | i128::from(mtime_lo);
            let elems_len = usize::try_from(r.u64()?).ok()?;
            let mut elems = Vec::with_capacity(elems_len.min(r.0.len() / 24));
            for _ in 0..elems_len {
                let (kind, a, b) = (r.u64()?, r.u64()?, r.u64()?);
                elems.push(match kind {
                    0 => Elem::At { offset: a, len: b },
                    1 => Elem::Bytes { len: a, hash: b },
                    _ => return None,
                });
            }
            files.insert(name, FileLayout { stamp: (len, mtime, ino), elems });
        }
        r.0.is_empty().then_some(Layouts { generation, files })
    }

    /// Writes the layouts to `path` (with their hash, so a damaged file is no layout).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let mut out: Vec<u8> = Vec::new();
        let put = |out: &mut Vec<u8>, value: u64| out.extend_from_slice(&value.to_le_bytes());
        put(&mut out, u64::from(VERSION));
        put(&mut out, self.generation);
        put(&mut out, self.files.len() as u64);
        for (name, file) in &self.files {
            put(&mut out, name.len() as u64);
            out.extend_from_slice(name.as_bytes());
            let (len, mtime, ino) = file.stamp;
            put(&mut out, len);
            put(&mut out, (mtime >> 64) as i64 as u64);
            put(&mut out, mtime as u64);
            put(&mut out, ino);
            put(&mut out, file.elems.len() as u64);
            for elem in &file.elems {
                let (kind, a, b) = match *elem {
                    Elem::At { offset, len } => (0, offset, len),
                    Elem::Bytes { len, hash } => (1, len, hash),
                };
                put(&mut out, kind);
                put(&mut out, a);
                put(&mut out, b);
            }
        }
        let hash = blake3::hash(&out);
        out.extend_from_slice(hash.as_bytes());
        model::io::write_atomic(path, &out)
    }

    /// Moves the log offsets of every layout as the log's compaction moved the records
    /// (`moved`: old offset, length, new offset, by old offset); a piece of no moved record is
    /// dropped with its file's layout.
    pub fn translate(&mut self, moved: &[(u64, u64, u64)]) {
        self.files.retain(|_, file| {
            file.elems.iter_mut().all(|elem| {
                let Elem::At { offset, len } = elem else { return true };
                let at = moved.partition_point(|&(old, _, _)| old <= *offset);
                let Some(&(old, record_len, new)) = at.checked_sub(1).and_then(|i| moved.get(i)) else {
                    return false;
                };
                if *offset + *len > old + record_len {
                    return false;
                }
                *offset = new + (*offset - old);
                true
            })
        });
    }
}

/// A step of writing an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op<'s> {
    /// `len` bytes of the old file at `from`.
    Copy {
        from: u64,
        len: u64,
    },
    Bytes(&'s [u8]),
    /// `len` bytes of the cache log at `offset`.
    Log {
        offset: u64,
        len: u64,
    },
}

/// The steps that write the output made of `segments`, taking from the old file what its
/// layout `old` says it holds, and the new file's layout (stamp not yet known).
pub fn plan<'s>(segments: impl Iterator<Item = Segment<'s>>, old: Option<&FileLayout>) -> (Vec<Op<'s>>, Vec<Elem>) {
    let empty = FileLayout::default();
    let old = old.unwrap_or(&empty);
    // The old pieces by where they start in the old file, and its runs of the log by offset.
    let mut starts = Vec::with_capacity(old.elems.len());
    let mut by_log: Vec<(u64, u64, u64)> = Vec::new();
    let mut at = 0;
    for elem in &old.elems {
        starts.push(at);
        if let Elem::At { offset, len } = *elem {
            by_log.push((offset, len, at));
        }
        at += elem.len();
    }
    by_log.sort_unstable();
    let mut ops: Vec<Op<'s>> = Vec::new();
    let mut elems: Vec<Elem> = Vec::new();
    let push = |ops: &mut Vec<Op<'s>>, op: Op<'s>| match (ops.last_mut(), op) {
        (Some(Op::Copy { from, len }), Op::Copy { from: next, len: more }) if *from + *len == next => *len += more,
        (Some(Op::Log { offset, len }), Op::Log { offset: next, len: more }) if *offset + *len == next => {
            *len += more;
        }
        _ => ops.push(op),
    };
    for segment in segments {
        match segment {
            Segment::Bytes(bytes) => {
                if bytes.is_empty() {
                    continue;
                }
                let (len, hash) = (bytes.len() as u64, hash64(bytes));
                elems.push(Elem::Bytes { len, hash });
                // The same frame text where the old file had it, right after what was copied.
                let next = match ops.last() {
                    Some(Op::Copy { from, len }) => Some(from + len),
                    None => Some(0),
                    _ => None,
                };
                let same = next
                    .and_then(|n| starts.binary_search(&n).ok())
                    .is_some_and(|i| old.elems.get(i) == Some(&Elem::Bytes { len, hash }));
                match next {
                    Some(from) if same => push(&mut ops, Op::Copy { from, len }),
                    _ => push(&mut ops, Op::Bytes(bytes)),
                }
            }
            Segment::At { offset, len } => {
                let len = u64::from(len);
                if len == 0 {
                    continue;
                }
                match elems.last_mut() {
                    Some(Elem::At { offset: start, len: run }) if *start + *run == offset => *run += len,
                    _ => elems.push(Elem::At { offset, len }),
                }
                let (mut offset, mut left) = (offset, len);
                while left > 0 {
                    let i = by_log.partition_point(|&(start, _, _)| start <= offset);
                    let found = i.checked_sub(1).map(|i| by_log[i]).filter(|&(start, run, _)| offset < start + run);
                    let Some((start, run, out)) = found else {
                        push(&mut ops, Op::Log { offset, len: left });
                        break;
                    };
                    let n = left.min(start + run - offset);
                    push(&mut ops, Op::Copy { from: out + (offset - start), len: n });
                    offset += n;
                    left -= n;
                }
            }
        }
    }
    (ops, elems)
}

/// Whether `ops` are the whole old file of `old_len` bytes, unchanged.
pub fn unchanged(ops: &[Op<'_>], old_len: u64) -> bool {
    matches!(ops, [Op::Copy { from: 0, len }] if *len == old_len)
}

/// Writes the output of `ops` to `path` (a temporary file renamed into place), copying from
/// `old` (the file there now) and reading the log through `log`.
pub fn write(
    path: &Path,
    ops: &[Op<'_>],
    old: Option<&std::fs::File>,
    log: &mut dyn FnMut(u64, u64, &mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = model::io::temp_file_in(dir)?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, tmp);
    let context = || format!("writing {}", path.display());
    for op in ops {
        match *op {
            Op::Bytes(bytes) => writer.write_all(bytes).with_context(context)?,
            Op::Log { offset, len } => log(offset, len, &mut writer)?,
            Op::Copy { from, len } => {
                let mut old = old.context("copying from an old file that is not there")?;
                writer.flush().with_context(context)?;
                old.seek(std::io::SeekFrom::Start(from)).with_context(context)?;
                let copied = std::io::copy(&mut old.take(len), writer.get_mut().as_file_mut()).with_context(context)?;
                anyhow::ensure!(copied == len, "{}: the old file ended early", path.display());
            }
        }
    }
    let tmp = writer.into_inner().map_err(|e| e.into_error()).with_context(context)?;
    model::io::persist(tmp.into_temp_path(), path)
}

#[cfg(test)]
mod tests {
    use super::{Elem, FileLayout, Layouts, Op, plan, unchanged};
    use summarize::assembly::Segment;

    #[test]
    fn a_plan_copies_what_the_old_file_holds_and_reads_the_rest() {
        let old =
            [Segment::Bytes(b"# head\n"), Segment::At { offset: 100, len: 10 }, Segment::At { offset: 110, len: 5 }];
        let (ops, elems) = plan(old.into_iter(), None);
        assert_eq!(ops, [Op::Bytes(b"# head\n"), Op::Log { offset: 100, len: 15 }]);
        assert_eq!(elems.len(), 2, "the two log pieces are one run: {elems:?}");
        let layout = FileLayout { stamp: (22, 0, 0), elems };
        let (same, _) = plan(old.into_iter(), Some(&layout));
        assert!(unchanged(&same, 22), "{same:?}");
        // A changed header, a new part in between, the old runs copied.
        let new = [
            Segment::Bytes(b"# HEAD\n"),
            Segment::At { offset: 100, len: 10 },
            Segment::At { offset: 500, len: 3 },
            Segment::At { offset: 110, len: 5 },
        ];
        let (ops, _) = plan(new.into_iter(), Some(&layout));
        assert_eq!(
            ops,
            [
                Op::Bytes(b"# HEAD\n"),
                Op::Copy { from: 7, len: 10 },
                Op::Log { offset: 500, len: 3 },
                Op::Copy { from: 17, len: 5 }
            ]
        );
        assert!(!unchanged(&ops, 22));
    }

    #[test]
    fn layouts_read_back_as_saved_and_move_with_the_log() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("layout.bin");
        let mut layouts = Layouts { generation: 3, ..Layouts::default() };
        for (name, offset) in [("a.md", 10), ("b.md", 40)] {
            let elems = vec![Elem::Bytes { len: 4, hash: 9 }, Elem::At { offset, len: 5 }];
            layouts.files.insert(name.into(), FileLayout { stamp: (9, -5, 7), elems });
        }
        layouts.save(&path).expect("save");
        let read = Layouts::load(&path);
        assert_eq!(read.generation, 3);
        assert_eq!(read.files.len(), 2);
        assert_eq!(read.files["b.md"].elems, layouts.files["b.md"].elems);
        assert_eq!(read.files["a.md"].stamp, (9, -5, 7));
        // A damaged file is no layout.
        let mut bytes = std::fs::read(&path).expect("read");
        bytes[20] ^= 1;
        std::fs::write(&path, &bytes).expect("write");
        assert!(Layouts::load(&path).files.is_empty());
        // Record at 8..20 moved to 0; the one at 40 is gone.
        let mut moved = read;
        moved.translate(&[(8, 12, 0)]);
        assert_eq!(moved.files.len(), 1);
        assert_eq!(moved.files["a.md"].elems[1], Elem::At { offset: 2, len: 5 });
    }
}
