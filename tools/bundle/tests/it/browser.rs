//! A headless Chromium opens the built site from the file system: searches for a two-character
//! term, sees the matching article, opens it and sees its figures, and saves a screenshot under
//! the workspace's `out/browser/`. Without Chromium the test fails (it never skips).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixtures;

fn chromium() -> Option<PathBuf> {
    let candidates = [std::env::var_os("CHROMIUM").map(PathBuf::from), Some(PathBuf::from("/usr/bin/chromium"))];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

/// Percent-encodes a URL fragment value (UTF-8 bytes outside unreserved ASCII).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Runs headless Chromium with `args` on `url`, killed after a minute; returns stdout.
fn run_chromium(binary: &Path, profile: &Path, args: &[String], url: &str) -> String {
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("poll chromium").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium did not finish within 60 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn headless_chromium_searches_the_site_and_opens_an_article() {
    // A test that cannot run fails: it never passes by skipping.
    let Some(binary) = chromium() else {
        panic!("chromium is not installed (/usr/bin/chromium or $CHROMIUM): apt-get install chromium, as .ci/run does");
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fixtures::built(dir.path());
    let site = out.join("site");
    let profile = dir.path().join("profile");

    let search_url = format!("file://{}#q={}", site.join("search.html").display(), encode("下沙"));
    let dom = run_chromium(&binary, &profile, &["--dump-dom".to_owned()], &search_url);
    let result = "<li class=\"result\"><a href=\"articles/p1-1.html\">下沙片区企业加速集聚</a>";
    assert!(dom.contains(result), "search results lack the matching article:\n{dom}");
    assert!(!dom.contains("articles/p2-1.html"), "an article without the term was listed");

    let article_url = format!("file://{}", site.join("articles/p1-1.html").display());
    let dom = run_chromium(&binary, &profile, &["--dump-dom".to_owned()], &article_url);
    assert!(dom.contains("<mark class=\"figure\" id=\"fig-0\">120家</mark>"), "figure not highlighted:\n{dom}");
    assert!(dom.contains("<a href=\"#fig-1\">8.5亿元</a>"), "figure not linked to its sentence:\n{dom}");

    let figures_url = format!("file://{}", site.join("figures.html").display());
    let dom = run_chromium(&binary, &profile, &["--dump-dom".to_owned()], &figures_url);
    assert!(dom.contains("3 / 3 项") && dom.contains("6000平方米"), "figures table not filled:\n{dom}");

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../out/browser");
    std::fs::create_dir_all(&shots).expect("create screenshot folder");
    let shot = shots.join("search.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &binary,
        &profile,
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,900".to_owned()],
        &search_url,
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 1000, "no screenshot at {}", shot.display());
}
