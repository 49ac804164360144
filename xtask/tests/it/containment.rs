//! Containment: nothing outside the seeds folder is published, page ids cannot leave a folder,
//! outputs are readable by others (0644 files, 0755 folders under the umask), nothing but `out/`
//! is written.
//!
//! The seeds folder is the one the user names, so the folder itself may be a symlink (to a
//! real folder anywhere): containment is judged against where it resolves. Inside it, a symlink
//! is followed only when it resolves to a regular file inside that same resolved folder, whatever
//! path it takes (a linked subfolder, `..`); subfolders are never pages.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::{Scratch, assert_exit};

/// Invented text that must never reach an output.
const SECRET: &str = "机密文件内容不得公开发布";

fn all_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every path in the scratch folder outside `out/` (the seeds, the file they link to), with
/// its bytes' hash and mode: what a run must leave alone.
fn everything_but_out(scratch: &Scratch) -> std::collections::BTreeMap<std::path::PathBuf, (String, u32)> {
    fn walk(dir: &Path, skip: &Path, into: &mut std::collections::BTreeMap<std::path::PathBuf, (String, u32)>) {
        for entry in std::fs::read_dir(dir).expect("list") {
            let path = entry.expect("entry").path();
            if path == skip {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            let hash = if meta.is_file() {
                blake3::hash(&std::fs::read(&path).expect("read")).to_hex().to_string()
            } else {
                String::new()
            };
            into.insert(path.clone(), (hash, meta.permissions().mode()));
            if meta.is_dir() {
                walk(&path, skip, into);
            }
        }
    }
    let mut files = std::collections::BTreeMap::new();
    walk(scratch.dir.path(), &scratch.out(), &mut files);
    files
}

#[test]
fn a_symlink_out_of_the_seeds_is_a_failed_page_and_is_never_published() {
    let scratch = Scratch::with_seeds();
    let outside = scratch.dir.path().join("elsewhere");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let secret = outside.join("secret.txt");
    std::fs::write(&secret, format!("# 标题\n\n{SECRET}。\n")).expect("write");
    std::os::unix::fs::symlink(&secret, scratch.seeds().join("leak.txt")).expect("symlink");

    let before = everything_but_out(&scratch);
    let output = scratch.xtask(&["build-all"]);
    assert_exit(&output, 1);
    assert_eq!(everything_but_out(&scratch), before, "a file outside --out was written");
    let report = scratch.last_run();
    let reason = report["steps"][0]["failed"]["leak"].as_str().expect("the refused page is in the report");
    assert!(reason.contains("leak.txt") && reason.contains("outside"), "{reason}");
    assert_never_published(&scratch);

    // The option lets a user who means it follow the link.
    let allowed = scratch.xtask(&["build-all", "--allow-symlinks-out"]);
    assert_exit(&allowed, 0);
    let dataset = std::fs::read_to_string(scratch.out().join("data").join("articles.jsonl")).expect("dataset");
    assert!(dataset.contains(SECRET), "followed when allowed");
}

/// Every dataset line's `page`.
fn published(scratch: &Scratch) -> BTreeSet<String> {
    let dataset = std::fs::read_to_string(scratch.out().join("data").join("articles.jsonl")).expect("dataset");
    dataset
        .lines()
        .map(|line| {
            let article: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            article["page"].as_str().expect("page").to_owned()
        })
        .collect()
}

/// No output file holds `SECRET`, as UTF-8 or as the UTF-16 the database stores bodies in.
/// (The archive in `dist/` is deflated, but it holds copies of files checked here.)
fn assert_never_published(scratch: &Scratch) {
    let utf8 = SECRET.as_bytes().to_vec();
    let utf16: Vec<u8> = SECRET.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut files = Vec::new();
    all_files(&scratch.out(), &mut files);
    assert!(files.len() > 10, "the other pages were built");
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        for needle in [&utf8, &utf16] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == &needle[..]),
                "{} publishes text from outside the seeds",
                file.display()
            );
        }
    }
}

fn seed_ids(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_symlinked_subfolder_that_leaves_the_seeds_publishes_nothing_of_it() {
    let scratch = Scratch::with_seeds();
    let originals = seed_ids(&scratch.seeds());
    let outside = scratch.dir.path().join("elsewhere");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.txt"), format!("# 标题\n\n{SECRET}。\n")).expect("write");
    // A linked folder (not a page: folders never are), a page linked through it (its path stays
    // inside the seeds, its target does not), and a linked folder named like a page.
    std::os::unix::fs::symlink(&outside, scratch.seeds().join("linked")).expect("symlink");
    std::os::unix::fs::symlink(Path::new("linked").join("secret.txt"), scratch.seeds().join("through.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink(&outside, scratch.seeds().join("folder.txt")).expect("symlink");

    let output = scratch.xtask(&["build-all"]);
    assert_exit(&output, 1);
    let report = scratch.last_run();
    let failed = report["steps"][0]["failed"].as_object().expect("failed pages");
    let refused: BTreeSet<&str> = failed.keys().map(String::as_str).collect();
    assert_eq!(refused, BTreeSet::from(["folder", "through"]), "{failed:?}");
    let through = failed["through"].as_str().expect("reason");
    assert!(through.contains("through.txt") && through.contains("outside"), "{through}");
    let folder = failed["folder"].as_str().expect("reason");
    assert!(folder.contains("folder.txt"), "{folder}");
    assert_eq!(published(&scratch), originals, "only the seeds' own pages are published");
    assert_never_published(&scratch);

    // Allowing symlinks out follows the linked page, but a folder is still not a page.
    let allowed = scratch.xtask(&["build-all", "--allow-symlinks-out"]);
    assert_exit(&allowed, 1);
    let failed = scratch.last_run()["steps"][0]["failed"].as_object().expect("failed pages").clone();
    assert_eq!(failed.keys().collect::<Vec<_>>(), ["folder"], "{failed:?}");
    assert!(failed["folder"].as_str().expect("reason").contains("not a regular file"), "{failed:?}");
    assert!(published(&scratch).contains("through"), "followed when allowed");
}

#[test]
fn a_seeds_folder_that_is_a_symlink_is_the_users_folder() {
    let scratch = Scratch::with_seeds();
    let originals = seed_ids(&scratch.seeds());
    // The user's pages live in `library/pages`; `seeds` links to it.
    let library = scratch.dir.path().join("library");
    std::fs::create_dir_all(&library).expect("mkdir");
    let real = library.join("pages");
    std::fs::rename(scratch.seeds(), &real).expect("move the seeds");
    std::os::unix::fs::symlink(&real, scratch.seeds()).expect("symlink the seeds folder");
    // Beside the real folder, not in it: `../secret.txt` from inside leaves it.
    std::fs::write(library.join("secret.txt"), format!("# 标题\n\n{SECRET}。\n")).expect("write");
    std::os::unix::fs::symlink(Path::new("..").join("secret.txt"), real.join("up.txt")).expect("symlink");

    let output = scratch.xtask(&["build-all"]);
    assert_exit(&output, 1);
    let failed = scratch.last_run()["steps"][0]["failed"].as_object().expect("failed pages").clone();
    assert_eq!(failed.keys().collect::<Vec<_>>(), ["up"], "{failed:?}");
    let reason = failed["up"].as_str().expect("reason");
    assert!(reason.contains("up.txt") && reason.contains("outside"), "{reason}");
    assert_eq!(published(&scratch), originals, "every page of the linked folder is built");
    assert_never_published(&scratch);
}

#[test]
fn a_symlink_to_another_page_inside_the_seeds_is_followed() {
    let scratch = Scratch::with_seeds();
    let mut originals = seed_ids(&scratch.seeds());
    let first = originals.first().expect("a seed").clone();
    // One relative link, one absolute link that takes a detour out of the folder and back in.
    std::os::unix::fs::symlink(format!("{first}.txt"), scratch.seeds().join("alias.txt")).expect("symlink");
    let detour = Path::new("..").join("seeds").join(format!("{first}.txt"));
    std::os::unix::fs::symlink(&detour, scratch.seeds().join("detour.txt")).expect("symlink");

    assert_exit(&scratch.xtask(&["build-all"]), 0);
    originals.extend(["alias".to_owned(), "detour".to_owned()]);
    assert_eq!(published(&scratch), originals, "the links are pages of their own");
    let dataset = std::fs::read_to_string(scratch.out().join("data").join("articles.jsonl")).expect("dataset");
    let headlines = |page: &str| -> Vec<String> {
        dataset
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON"))
            .filter(|a| a["page"] == page)
            .map(|a| a["headline"].to_string())
            .collect()
    };
    assert!(!headlines(&first).is_empty());
    assert_eq!(headlines("alias"), headlines(&first), "the link reads the page it names");
    assert_eq!(headlines("detour"), headlines(&first), "the link reads the page it names");
}

#[test]
fn a_seed_whose_id_could_leave_a_folder_is_refused() {
    let scratch = Scratch::with_seeds();
    std::fs::write(scratch.seeds().join("bad\\name.txt"), "# 标题\n\n正文。\n").expect("write");
    let output = scratch.xtask(&["build-all"]);
    assert_exit(&output, 1);
    let report = scratch.last_run();
    let reason = report["steps"][0]["failed"]["bad\\name"].as_str().expect("refused page in the report");
    assert!(reason.contains("could leave its folder"), "{reason}");
}

/// Runs `xtask build-all` over the scratch seeds into `out` under `umask` (set by a shell that
/// then becomes xtask).
fn build_under_umask(scratch: &Scratch, out: &Path, umask: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\""), env!("CARGO_BIN_EXE_xtask"), "build-all"])
        .arg("--seeds")
        .arg(scratch.seeds())
        .arg("--out")
        .arg(out)
        .args(["--cargo-profile", "dev", "--progress", "plain"])
        .output()
        .expect("run xtask")
}

/// Every file and every folder under `dir` whose mode is not `file` or `folder`.
fn wrong_modes(dir: &Path, file: u32, folder: u32) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, file: u32, folder: u32, wrong: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("list") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            let mode = meta.permissions().mode() & 0o7777;
            let want = if meta.is_dir() { folder } else { file };
            if mode != want {
                wrong.push(format!("{} {mode:o}, not {want:o}", path.strip_prefix(root).expect("inside").display()));
            }
            if meta.is_dir() {
                walk(root, &path, file, folder, wrong);
            }
        }
    }
    let mut wrong = Vec::new();
    walk(dir, dir, file, folder, &mut wrong);
    wrong
}

/// Every output (state and lock included) is 0644 and every folder 0755, less the user's umask:
/// exactly 0644/0755 under umask 022, 0640/0750 under 027 (the umask is honoured, not overridden).
#[test]
fn outputs_are_readable_by_others_files_0644_folders_0755() {
    let scratch = Scratch::with_seeds();
    for (umask, file, folder) in [("022", 0o644, 0o755), ("027", 0o640, 0o750)] {
        let out = scratch.dir.path().join(format!("out-{umask}"));
        assert_exit(&build_under_umask(&scratch, &out, umask), 0);
        let mut files = Vec::new();
        all_files(&out, &mut files);
        assert!(files.len() > 20, "a whole build");
        let wrong = wrong_modes(&out, file, folder);
        assert!(wrong.is_empty(), "under umask {umask}:\n{}", wrong.join("\n"));
    }
}
