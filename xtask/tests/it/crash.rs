//! Crash safety, tested as it happens: `build-all` over a few hundred pages is killed with
//! SIGKILL at random moments (after the tools are built, so the kills land in the steps), with
//! seeds edited, added and removed between runs. After every kill the orphaned step processes
//! must stop; after the last, one run must complete and leave every artifact, the database and
//! the manifest whole and in agreement. Two real runs at once over one `out/`: one refuses with
//! exit 3 naming the lock and writes nothing, and the outputs stay whole.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Scratch, assert_exit};

/// A small deterministic generator (xorshift64*), seeded from the clock; the seed is printed so
/// a failure can be replayed with `NEWSDESK_CRASH_SEED`.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed = std::env::var("NEWSDESK_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
        });
        eprintln!("crash test seed: NEWSDESK_CRASH_SEED={seed}");
        Random(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const PAGES: usize = 200;
const KILLS: usize = 8;

fn seed_ids(seeds: &Path) -> BTreeSet<String> {
    std::fs::read_dir(seeds)
        .expect("seeds")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect()
}

/// Edits between runs: a few pages changed, one removed, one added.
fn edit_seeds(seeds: &Path, originals: &[PathBuf], random: &mut Random, round: usize) {
    let ids: Vec<String> = seed_ids(seeds).into_iter().filter(|id| id.starts_with("copy_")).collect();
    for _ in 0..3 {
        let id = &ids[random.below(ids.len() as u64) as usize];
        let path = seeds.join(format!("{id}.txt"));
        let mut text = std::fs::read_to_string(&path).expect("seed");
        text.push_str(&format!("\n\n第{round}轮补记：街道服务中心新增便民窗口。\n"));
        std::fs::write(&path, text).expect("edit");
    }
    let removed = &ids[random.below(ids.len() as u64) as usize];
    let _ = std::fs::remove_file(seeds.join(format!("{removed}.txt")));
    let source = &originals[random.below(originals.len() as u64) as usize];
    let mut text = std::fs::read_to_string(source).expect("seed");
    text.push_str(&format!("\n\n（第{round}轮新增）\n"));
    std::fs::write(seeds.join(format!("copy_new_{round:03}.txt")), text).expect("add");
}

/// Processes (other than this test) whose command line names `needle`.
fn processes_naming(needle: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) || name == me {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) {
            found.push(format!("{name}: {cmdline}"));
        }
    }
    found
}

fn build_all(scratch: &Scratch, force: bool) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(["build-all", "--progress", "none", "--cargo-profile", "dev", "--jobs", "2"]);
    if force {
        command.arg("--force");
    }
    command.arg("--seeds").arg(scratch.seeds()).arg("--out").arg(scratch.out());
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
}

/// Manifest hashes verify, the database holds one row per dataset line, every seed page is in
/// the dataset and every per-page step has one artifact per seed.
fn assert_whole_and_consistent(scratch: &Scratch) {
    let out = scratch.out();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest")).expect("manifest parses");
    let files = manifest["files"].as_array().expect("files");
    assert!(files.len() > 5, "the manifest lists the outputs");
    for file in files {
        let path = out.join(file["path"].as_str().expect("path"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{} listed but unreadable: {e}", path.display()));
        assert_eq!(bytes.len() as u64, file["bytes"].as_u64().expect("bytes"), "{} size", path.display());
        assert_eq!(
            blake3::hash(&bytes).to_hex().as_str(),
            file["blake3"].as_str().expect("hash"),
            "{}",
            path.display()
        );
    }

    let dataset = std::fs::read_to_string(out.join("data").join("articles.jsonl")).expect("dataset");
    let mut pages = BTreeSet::new();
    for line in dataset.lines() {
        let article: serde_json::Value = serde_json::from_str(line).expect("whole JSON lines");
        pages.insert(article["page"].as_str().expect("page").to_owned());
    }
    let seeds = seed_ids(&scratch.seeds());
    assert_eq!(pages, seeds, "the dataset holds exactly the seed pages");

    let count = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from articles').fetchone()[0])")
        .arg(out.join("corpus.sqlite"))
        .output()
        .expect("python3 reads the database");
    assert!(count.status.success(), "{}", String::from_utf8_lossy(&count.stderr));
    let rows: usize = String::from_utf8_lossy(&count.stdout).trim().parse().expect("a count");
    assert_eq!(rows, dataset.lines().count(), "database rows = dataset lines");

    for step in ["split", "clean", "extract", "summarize"] {
        let artifacts: BTreeSet<String> = model::io::list_artifacts(&out.join(step))
            .expect("artifacts")
            .iter()
            .map(|p| model::io::page_id(p))
            .collect();
        assert_eq!(artifacts, seeds, "{step} has one artifact per seed");
        for id in &artifacts {
            model::io::read_page(&model::io::artifact_path(&out.join(step), id)).expect("a whole artifact");
        }
    }
}

#[test]
fn random_sigkills_during_builds_over_hundreds_of_pages_lose_nothing() {
    let scratch = Scratch::with_seeds();
    let originals: Vec<PathBuf> =
        std::fs::read_dir(scratch.seeds()).expect("seeds").map(|e| e.expect("e").path()).collect();
    for n in 0..PAGES {
        let source = &originals[n % originals.len()];
        let mut text = std::fs::read_to_string(source).expect("seed");
        text.push_str(&format!("\n\n（第{n}份）\n"));
        std::fs::write(scratch.seeds().join(format!("copy_{n:03}.txt")), text).expect("copy");
    }
    let mut random = Random::new();

    // The first run builds the tools and every page; a forced second one, with the tools built,
    // is as long as a run the kills should land in, and scales the kill moments (the first
    // run's length would be mostly cargo's, on a fresh checkout minutes, and most kills would
    // come after the run had ended).
    assert_exit(&scratch.xtask(&["build-all"]), 0);
    let started = Instant::now();
    assert_exit(&build_all(&scratch, true).output().expect("a forced build"), 0);
    let full_run_ms = started.elapsed().as_millis() as u64;
    let mut landed = 0;

    let needle = scratch.out().display().to_string();
    for round in 0..KILLS {
        edit_seeds(&scratch.seeds(), &originals, &mut random, round);
        // Mostly forced runs, so that a moment within a full run's length lands in a step.
        let force = random.below(3) != 0;
        let mut child = build_all(&scratch, force).spawn().expect("start build-all");
        let kill_at = Instant::now() + Duration::from_millis(20 + random.below(full_run_ms));
        while Instant::now() < kill_at && child.try_wait().expect("poll build-all").is_none() {
            std::thread::sleep(Duration::from_millis(10));
        }
        if child.try_wait().expect("poll build-all").is_none() {
            landed += 1;
        }
        let _ = child.kill();
        child.wait().expect("reap");
        // Orphaned steps notice within a tenth of a second; allow a generous margin on a
        // loaded machine. This bounds a wait, it measures nothing.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !processes_naming(&needle).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let left = processes_naming(&needle);
        assert!(left.is_empty(), "steps kept running after their orchestrator was killed: {left:?}");
        // Whatever was killed, every output in place is whole.
        assert!(crate::pipeline::assert_all_parse(&scratch.out()) > 0);
    }

    // Not a measure of speed: a run that ended before its kill tested nothing (a forced run is
    // as long as the window, an incremental one shorter, so most land; none landing is a test
    // that did not test).
    eprintln!("{landed} of {KILLS} kills came while the run was going");
    assert!(landed > 0, "no kill came while a run was going");

    assert_exit(&build_all(&scratch, false).output().expect("completing build"), 0);
    assert_whole_and_consistent(&scratch);
    let again = scratch.xtask(&["build-all"]);
    assert_exit(&again, 0);
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing changed"), "the state agrees with the outputs");
}

/// Whether some process holds the `flock` on `out/.lock` (what `File::try_lock` takes), read from
/// `/proc/locks` by the file's inode, so that looking never takes the lock itself.
fn lock_held(out: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(out.join(".lock")) else { return false };
    let inode = meta.ino().to_string();
    let locks = std::fs::read_to_string("/proc/locks").expect("/proc/locks");
    locks.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&"FLOCK")
            && fields.iter().any(|f| f.matches(':').count() == 2 && f.rsplit(':').next() == Some(&inode))
    })
}

/// Every file under `dir` (hidden ones too) with its bytes' hash.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, String> {
    fn walk(dir: &Path, into: &mut std::collections::BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).expect("list").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, into);
            } else if let Ok(bytes) = std::fs::read(&path) {
                into.insert(path, blake3::hash(&bytes).to_hex().to_string());
            }
        }
    }
    let mut files = std::collections::BTreeMap::new();
    walk(dir, &mut files);
    files
}

/// A `build-all` in a process group of its own, which the test can freeze with SIGSTOP (the run
/// and every step and cargo process under it) and thaw with SIGCONT. Killed if the test fails
/// while it is frozen.
struct Run {
    child: std::process::Child,
}

impl Run {
    fn start(scratch: &Scratch, force: bool) -> Run {
        use std::os::unix::process::CommandExt;
        let mut command = build_all(scratch, force);
        command.process_group(0);
        Run { child: command.spawn().expect("start build-all") }
    }

    fn signal(&self, signal: &str) {
        let group = format!("-{}", self.child.id());
        let status = Command::new("kill").args([signal, "--", &group]).status().expect("run kill");
        assert!(status.success(), "kill {signal} {group}");
    }

    fn wait(mut self) -> std::process::ExitStatus {
        let status = self.child.wait().expect("wait for build-all");
        std::mem::forget(self);
        status
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// Two real runs over one `out/`: while one holds the lock (frozen there, so the overlap is
/// certain rather than a matter of timing), a second exits 3 with an error naming the lock and
/// changes no byte of `out/`; the first then completes. Then two runs started together: each
/// completes or exits 3 the same way, and the outputs are whole and agree.
#[test]
fn two_runs_at_once_one_refuses_with_exit_3_and_the_outputs_stay_whole() {
    let scratch = Scratch::with_seeds();
    let originals: Vec<PathBuf> =
        std::fs::read_dir(scratch.seeds()).expect("seeds").map(|e| e.expect("e").path()).collect();
    for n in 0..40 {
        let mut text = std::fs::read_to_string(&originals[n % originals.len()]).expect("seed");
        text.push_str(&format!("\n\n（第{n}份）\n"));
        std::fs::write(scratch.seeds().join(format!("copy_{n:03}.txt")), text).expect("copy");
    }
    assert_exit(&scratch.xtask(&["build-all"]), 0);
    let out = scratch.out();
    let lock = out.join(".lock");
    let refused_clearly = |output: &std::process::Output| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("another run") && stderr.contains(&lock.display().to_string()),
            "the refusal names the lock: {stderr}"
        );
    };

    let first = Run::start(&scratch, true);
    // This bounds a wait for the run to take the lock; it measures nothing.
    let deadline = Instant::now() + Duration::from_secs(300);
    while !lock_held(&out) {
        assert!(Instant::now() < deadline, "the first run never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
    first.signal("-STOP");
    assert!(lock_held(&out), "the first run still holds the lock while frozen");
    let before = snapshot(&out);
    let second = scratch.xtask(&["build-all", "--force"]);
    assert_exit(&second, 3);
    refused_clearly(&second);
    assert_eq!(snapshot(&out), before, "the refused run changed out/");
    first.signal("-CONT");
    assert_eq!(first.wait().code(), Some(0), "the first run completes");
    assert_whole_and_consistent(&scratch);

    // Started together, with nothing held: whichever takes the lock builds, the other completes
    // after it or refuses.
    let mut together: Vec<_> = (0..2)
        .map(|_| {
            let mut command = build_all(&scratch, true);
            command.stderr(Stdio::piped());
            command.spawn().expect("start build-all")
        })
        .collect();
    let outputs: Vec<_> = together.drain(..).map(|c| c.wait_with_output().expect("wait")).collect();
    let codes: Vec<_> = outputs.iter().map(|o| o.status.code()).collect();
    assert!(codes.contains(&Some(0)), "one run completes: {codes:?}");
    for output in &outputs {
        match output.status.code() {
            Some(0) => {}
            Some(3) => refused_clearly(output),
            other => panic!("exit {other:?}: {}", String::from_utf8_lossy(&output.stderr)),
        }
    }
    assert!(!lock_held(&out), "no run is left holding the lock");
    assert_whole_and_consistent(&scratch);
    let again = scratch.xtask(&["build-all"]);
    assert_exit(&again, 0);
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing changed"), "the state agrees with the outputs");
}
