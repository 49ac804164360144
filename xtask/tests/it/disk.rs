//! Disk faults: an unwritable output folder and a full disk give a clear error and exit code 2,
//! and every output of the previous run stays as it was.
//!
//! Run as root (as CI is), the test mounts a small tmpfs as the output folder: remounted
//! read-only it is unwritable even for root, filled up it is a full disk. A user who is not
//! root gets the unwritable case from file permissions, and no full disk (there is no way to
//! make one without privileges).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::{Scratch, assert_exit};

/// Every file below `dir` (but the lock) with its hash.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.file_name().is_some_and(|n| n != ".lock" && n != "filler") {
                let bytes = std::fs::read(&path).expect("read");
                let name = path.strip_prefix(root).expect("inside").display().to_string();
                out.insert(name, blake3::hash(&bytes).to_hex().to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A tmpfs mounted on `dir`, unmounted when dropped.
struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(dir).expect("mkdir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount").args(["-o", &format!("remount,{options}")]).arg(&self.0).status();
        assert!(status.is_ok_and(|s| s.success()), "remount {options}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

fn edit_a_seed(scratch: &Scratch) {
    let seed = scratch.seeds().join("000_be5658622680620e.txt");
    let mut text = std::fs::read_to_string(&seed).expect("seed");
    text.push_str("\n\n补记：这一段让页面需要重建。\n");
    std::fs::write(&seed, text).expect("edit");
}

fn assert_clear_error(output: &std::process::Output, words: &[&str]) {
    assert_exit(output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error:"), "{stderr}");
    assert!(words.iter().any(|w| stderr.contains(w)), "the error says why ({words:?}): {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unwritable_or_full_output_folder_exits_2_and_keeps_the_previous_outputs() {
    let scratch = Scratch::with_seeds();
    let mount = if is_root() { Mount::tmpfs(&scratch.out(), "64m") } else { None };
    assert!(mount.is_some() || !is_root(), "root can mount a tmpfs here");
    assert_exit(&scratch.xtask(&["build-all"]), 0);
    let before = snapshot(&scratch.out());
    assert!(before.len() > 20, "a whole build to protect");
    edit_a_seed(&scratch);

    // Unwritable.
    match &mount {
        Some(mount) => mount.remount("ro"),
        None => {
            use std::os::unix::fs::PermissionsExt;
            for dir in [scratch.out(), scratch.out().join(".state")] {
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
            }
        }
    }
    let output = scratch.xtask(&["build-all"]);
    assert_clear_error(&output, &["Read-only file system", "Permission denied"]);
    assert_eq!(snapshot(&scratch.out()), before, "the previous outputs are intact");

    let Some(mount) = mount else {
        eprintln!("not root: no small filesystem to fill, the full-disk case needs root");
        return;
    };
    // Full: fill the filesystem to the last byte, then build what changed.
    mount.remount("rw");
    {
        use std::io::Write;
        let mut filler = std::fs::File::create(scratch.out().join("filler")).expect("filler");
        let block = vec![0u8; 1 << 16];
        while filler.write_all(&block).is_ok() {}
        let _ = filler.write_all(&[0u8; 512]);
        while filler.write_all(&[0u8]).is_ok() {}
    }
    let output = scratch.xtask(&["build-all"]);
    assert_clear_error(&output, &["No space left on device"]);
    assert_eq!(snapshot(&scratch.out()), before, "the previous outputs are intact");

    // With room again, the next run completes.
    std::fs::remove_file(scratch.out().join("filler")).expect("remove filler");
    assert_exit(&scratch.xtask(&["build-all"]), 0);
    assert_ne!(snapshot(&scratch.out()), before, "the edited page was built");
}
