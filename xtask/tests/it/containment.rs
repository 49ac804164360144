//! Containment: nothing outside the seeds folder is published, page ids cannot leave a folder,
//! outputs are readable by others (0644 files, 0755 folders under the umask).

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

#[test]
fn a_symlink_out_of_the_seeds_is_a_failed_page_and_is_never_published() {
    let scratch = Scratch::with_seeds();
    let outside = scratch.dir.path().join("elsewhere");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let secret = outside.join("secret.txt");
    std::fs::write(&secret, format!("# 标题\n\n{SECRET}。\n")).expect("write");
    std::os::unix::fs::symlink(&secret, scratch.seeds().join("leak.txt")).expect("symlink");

    let output = scratch.xtask(&["build-all"]);
    assert_exit(&output, 1);
    let report = scratch.last_run();
    let reason = report["steps"][0]["failed"]["leak"].as_str().expect("the refused page is in the report");
    assert!(reason.contains("leak.txt") && reason.contains("outside"), "{reason}");
    let mut files = Vec::new();
    all_files(&scratch.out(), &mut files);
    assert!(files.len() > 10, "the other pages were built");
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        assert!(!String::from_utf8_lossy(&bytes).contains(SECRET), "{} publishes the linked file", file.display());
    }

    // The option lets a user who means it follow the link.
    let allowed = scratch.xtask(&["build-all", "--allow-symlinks-out"]);
    assert_exit(&allowed, 0);
    let dataset = std::fs::read_to_string(scratch.out().join("data").join("articles.jsonl")).expect("dataset");
    assert!(dataset.contains(SECRET), "followed when allowed");
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

#[test]
fn outputs_are_readable_by_others_files_0644_folders_0755() {
    let scratch = Scratch::with_seeds();
    assert_exit(&scratch.xtask(&["build-all"]), 0);
    let mut files = Vec::new();
    all_files(&scratch.out(), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let name = file.file_name().expect("name").to_string_lossy().into_owned();
        if name == ".lock" || file.starts_with(scratch.out().join(".state")) {
            continue;
        }
        let mode = std::fs::metadata(file).expect("stat").permissions().mode() & 0o777;
        // The test runs under the usual umask 022: exactly 0644.
        if mode & 0o044 != 0o044 {
            wrong.push(format!("{} {mode:o}", file.strip_prefix(scratch.out()).expect("inside").display()));
        }
    }
    assert!(wrong.is_empty(), "outputs others cannot read:\n{}", wrong.join("\n"));
    for dir in ["data", "site", "split", "dist", "briefing"] {
        let mode = std::fs::metadata(scratch.out().join(dir)).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode & 0o055, 0o055, "{dir} is {mode:o}");
    }
}
