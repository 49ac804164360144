//! End-to-end tests of `cargo xtask`: each runs the real xtask binary and the real step binaries
//! (built with the `dev` profile, shared with the test build) in temporary folders.
//!
//! They check behaviour, not speed: timing belongs to `cargo xtask bench`.

mod containment;
mod crash;
mod disk;
mod pipeline;
mod refresh;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask has a parent").to_path_buf()
}

/// A scratch project: a copy of the seeds and an output folder.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn with_seeds() -> Scratch {
        let dir = tempfile::tempdir().expect("tempdir");
        let seeds = dir.path().join("seeds");
        std::fs::create_dir_all(&seeds).expect("mkdir seeds");
        for entry in std::fs::read_dir(root().join("seeds")).expect("list seeds") {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, seeds.join(path.file_name().expect("name"))).expect("copy seed");
        }
        Scratch { dir }
    }

    pub fn seeds(&self) -> PathBuf {
        self.dir.path().join("seeds")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Runs `cargo xtask <args> --seeds … --out …` with the dev profile and no progress output.
    pub fn xtask(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
        command.args(args);
        command.arg("--seeds").arg(self.seeds()).arg("--out").arg(self.out());
        command.args(["--cargo-profile", "dev", "--progress", "plain"]);
        command.output().expect("run xtask")
    }

    /// The report of the last run.
    pub fn last_run(&self) -> serde_json::Value {
        let bytes = std::fs::read(self.out().join(".state").join("last-run.json")).expect("last-run.json");
        serde_json::from_slice(&bytes).expect("last-run.json parses")
    }
}

/// Asserts the exit code, showing stderr when it differs.
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "exit code; stderr:\n{}", String::from_utf8_lossy(&output.stderr));
}
