//! End-to-end tests of the `fetch` binary against a real HTTP server on 127.0.0.1 (`server.rs`).
//!
//! One test per case of the spec. Every failing case checks that the page already in seeds/ is
//! byte-identical afterwards and that the run report names the page and the kind of failure.
//! Timeouts and backoff are set small in the sources file so the suite runs in seconds. No test
//! reaches beyond the loopback address.

mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use server::{Reply, Server};

/// A temporary seeds folder, sources file and report path.
struct Desk {
    dir: tempfile::TempDir,
}

const HTTP_SETTINGS: &str = "[http]
connect_timeout_ms = 1000
timeout_ms = 700
retries = 2
backoff_ms = 20
max_backoff_ms = 100
max_retry_after_s = 5
max_body_bytes = 4096
max_redirects = 4
per_host = 2
";

impl Desk {
    fn new() -> Desk {
        Desk { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn seeds(&self) -> PathBuf {
        self.dir.path().join("seeds")
    }

    fn report_path(&self) -> PathBuf {
        self.dir.path().join("out").join("runs").join("run.json")
    }

    fn page(&self, id: &str) -> PathBuf {
        self.seeds().join(format!("{id}.txt"))
    }

    /// Writes a sources file with one source `t` fetching `urls`.
    fn sources(&self, urls: &[String]) -> PathBuf {
        self.sources_with(HTTP_SETTINGS, urls)
    }

    fn sources_with(&self, settings: &str, urls: &[String]) -> PathBuf {
        let list: Vec<String> = urls.iter().map(|u| format!("{u:?}")).collect();
        self.sources_text(&format!("{settings}\n[[source]]\nname = \"t\"\nurls = [{}]\n", list.join(", ")))
    }

    fn sources_text(&self, text: &str) -> PathBuf {
        let path = self.dir.path().join("sources.toml");
        std::fs::write(&path, text).expect("write sources");
        path
    }

    /// Puts a page into seeds/ as if an earlier run had fetched it.
    fn seed(&self, id: &str, bytes: &[u8]) {
        std::fs::create_dir_all(self.seeds()).expect("seeds");
        std::fs::write(self.page(id), bytes).expect("seed page");
    }

    fn command(&self, sources: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fetch"));
        command
            .arg("--sources")
            .arg(sources)
            .arg("--seeds")
            .arg(self.seeds())
            .arg("--report")
            .arg(self.report_path())
            .args(["--today", "2026-06-02"]);
        for proxy in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            command.env_remove(proxy);
        }
        command
    }

    fn run(&self, sources: &Path) -> Run {
        let output = self.command(sources).output().expect("run fetch");
        Run::new(output, &self.report_path())
    }
}

/// A finished run: exit code, stderr and the report it wrote.
struct Run {
    code: i32,
    stderr: String,
    report: Value,
}

impl Run {
    fn new(output: Output, report: &Path) -> Run {
        let report = std::fs::read(report).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
        Run {
            code: output.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            report,
        }
    }

    fn list(&self, key: &str) -> Vec<Value> {
        self.report[key].as_array().cloned().unwrap_or_default()
    }

    /// The one failure of the run; checks it names `page` and `kind`.
    fn failure(&self, page: &str, kind: &str) -> Value {
        let failed = self.list("failed");
        assert_eq!(failed.len(), 1, "one failure expected: {}\n{}", self.report, self.stderr);
        let failure = failed[0].clone();
        assert_eq!(failure["page"], page, "{failure}");
        assert_eq!(failure["kind"], kind, "{failure}");
        assert!(failure["reason"].as_str().is_some_and(|r| !r.is_empty()), "{failure}");
        assert_eq!(self.code, 1, "a failure exits 1: {}", self.stderr);
        assert!(self.stderr.contains(page), "stderr names the page: {}", self.stderr);
        failure
    }
}

const OLD: &[u8] = "旧的一版：这一页已经在 seeds/ 里。\n".as_bytes();

/// The common tail of every failing case: the page we had is byte-identical.
fn assert_untouched(desk: &Desk, id: &str) {
    assert_eq!(std::fs::read(desk.page(id)).expect("page still there"), OLD, "{id} changed");
    let leftovers: Vec<_> = std::fs::read_dir(desk.seeds())
        .expect("list seeds")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn ok_200_writes_the_page_its_validators_and_the_report() {
    let server = Server::start(&[(
        "/a.txt",
        vec![
            Reply::new(200, "第一版 要闻\n正文。\n")
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("ETag", "\"v1\""),
        ],
    )]);
    let desk = Desk::new();
    desk.seed(".tmp-killed", b"half a page from a killed run");
    let run = desk.run(&desk.sources(&[server.url("/a.txt")]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(desk.page("t_a")).expect("page"), "第一版 要闻\n正文。\n");
    assert!(!desk.page(".tmp-killed").exists(), "leftovers of killed runs are swept under the lock");
    let fetched = run.list("fetched");
    assert_eq!(fetched.len(), 1, "{}", run.report);
    assert_eq!(fetched[0]["page"], "t_a");
    assert_eq!(fetched[0]["new"], true);
    assert_eq!(fetched[0]["encoding"], "UTF-8");
    assert_eq!(run.report["counts"]["fetched"], 1);
    let stored: Value =
        serde_json::from_slice(&std::fs::read(desk.seeds().join(".fetch/t_a.json")).expect("validators"))
            .expect("json");
    assert_eq!(stored["etag"], "\"v1\"");
    assert_eq!(stored["url"], server.url("/a.txt"));
    let user_agent = server.seen("/a.txt")[0].headers.get("user-agent").cloned().unwrap_or_default();
    assert!(user_agent.starts_with("newsdesk-fetch/"), "{user_agent}");
}

#[test]
fn not_modified_on_the_second_run_changes_nothing() {
    let modified = "Mon, 01 Jun 2026 08:05:09 GMT";
    let server = Server::start(&[(
        "/a.txt",
        vec![
            Reply::new(200, "第一版\n").header("ETag", "\"v1\"").header("Last-Modified", modified),
            Reply::new(304, ""),
        ],
    )]);
    let desk = Desk::new();
    let sources = desk.sources(&[server.url("/a.txt")]);
    assert_eq!(desk.run(&sources).code, 0);
    let page_before = std::fs::read(desk.page("t_a")).expect("page");
    let modified_before = std::fs::metadata(desk.page("t_a")).and_then(|m| m.modified()).expect("mtime");
    let stored_before = std::fs::read(desk.seeds().join(".fetch/t_a.json")).expect("validators");

    let run = desk.run(&sources);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen = server.seen("/a.txt");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].headers.get("if-none-match").map(String::as_str), Some("\"v1\""));
    assert_eq!(seen[1].headers.get("if-modified-since").map(String::as_str), Some(modified));
    let unchanged = run.list("unchanged");
    assert_eq!(unchanged.len(), 1, "{}", run.report);
    assert_eq!(unchanged[0]["how"], "not-modified");
    assert!(run.list("fetched").is_empty());
    assert_eq!(std::fs::read(desk.page("t_a")).expect("page"), page_before);
    assert_eq!(std::fs::metadata(desk.page("t_a")).and_then(|m| m.modified()).expect("mtime"), modified_before);
    assert_eq!(std::fs::read(desk.seeds().join(".fetch/t_a.json")).expect("validators"), stored_before);
}

#[test]
fn a_page_edited_locally_is_fetched_unconditionally() {
    let server = Server::start(&[("/a.txt", vec![Reply::new(200, "第一版\n").header("ETag", "\"v1\"")])]);
    let desk = Desk::new();
    let sources = desk.sources(&[server.url("/a.txt")]);
    assert_eq!(desk.run(&sources).code, 0);
    desk.seed("t_a", OLD);
    let run = desk.run(&sources);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen = server.seen("/a.txt");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].headers.get("if-none-match"), None, "validators describe a file we no longer have");
    assert_eq!(std::fs::read_to_string(desk.page("t_a")).expect("page"), "第一版\n");
    assert_eq!(run.list("fetched")[0]["new"], false);
}

#[test]
fn not_found_is_a_failure_without_retries() {
    let server = Server::start(&[]);
    let desk = Desk::new();
    desk.seed("t_gone", OLD);
    let run = desk.run(&desk.sources(&[server.url("/gone.txt")]));
    let failure = run.failure("t_gone", "status");
    assert_eq!(failure["status"], 404);
    assert_eq!(failure["attempts"], 1);
    assert_eq!(server.seen("/gone.txt").len(), 1);
    assert_untouched(&desk, "t_gone");
}

#[test]
fn server_error_then_ok_is_retried() {
    let server = Server::start(&[("/a.txt", vec![Reply::new(500, "oops"), Reply::new(200, "新的一版\n")])]);
    let desk = Desk::new();
    desk.seed("t_a", OLD);
    let run = desk.run(&desk.sources(&[server.url("/a.txt")]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fetched = run.list("fetched");
    assert_eq!(fetched.len(), 1, "{}", run.report);
    assert_eq!(fetched[0]["attempts"], 2);
    assert_eq!(fetched[0]["new"], false);
    assert!(fetched[0]["history"][0].as_str().is_some_and(|h| h.contains("500")), "{}", fetched[0]);
    assert_eq!(std::fs::read_to_string(desk.page("t_a")).expect("page"), "新的一版\n");
}

#[test]
fn too_many_requests_waits_for_retry_after() {
    let server = Server::start(&[
        ("/a.txt", vec![Reply::new(429, "slow down").header("Retry-After", "1"), Reply::new(200, "第二版\n")]),
        ("/b.txt", vec![Reply::new(429, "come back tomorrow").header("Retry-After", "86400")]),
    ]);
    let desk = Desk::new();
    desk.seed("t_b", OLD);
    let run = desk.run(&desk.sources(&[server.url("/a.txt"), server.url("/b.txt")]));
    assert_eq!(server.seen("/a.txt").len(), 2);
    // What the fetcher decided to wait, from its own history (no test measures a duration).
    let fetched = run.list("fetched");
    let history = fetched[0]["history"][0].as_str().unwrap_or_default();
    assert!(history.contains("429") && history.contains("retrying in 1000 ms"), "{history}");
    assert_eq!(std::fs::read_to_string(desk.page("t_a")).expect("page"), "第二版\n");
    // A Retry-After beyond max_retry_after_s fails the page at once instead of sleeping.
    let failure = run.failure("t_b", "retry-after-too-long");
    assert_eq!(failure["status"], 429);
    assert_eq!(server.seen("/b.txt").len(), 1);
    assert_untouched(&desk, "t_b");
}

#[test]
fn a_response_slower_than_the_timeout_fails() {
    let server = Server::start(&[("/slow.txt", vec![Reply::new(200, "太晚了\n").delay_ms(2500)])]);
    let desk = Desk::new();
    desk.seed("t_slow", OLD);
    let run = desk.run(&desk.sources(&[server.url("/slow.txt")]));
    let failure = run.failure("t_slow", "timeout");
    assert_eq!(failure["attempts"], 3, "timeouts are retried");
    assert_eq!(server.seen("/slow.txt").len(), 3, "one request per attempt");
    assert_untouched(&desk, "t_slow");
}

#[test]
fn a_truncated_body_is_not_stored() {
    let server = Server::start(&[("/cut.txt", vec![Reply::new(200, "只来了一半".repeat(10)).content_length(2000)])]);
    let desk = Desk::new();
    desk.seed("t_cut", OLD);
    let run = desk.run(&desk.sources(&[server.url("/cut.txt")]));
    let failure = run.failure("t_cut", "truncated");
    assert_eq!(failure["attempts"], 3, "truncation is retried");
    assert!(failure["reason"].as_str().is_some_and(|r| r.contains("2000")), "{failure}");
    assert_untouched(&desk, "t_cut");
}

#[test]
fn a_body_over_the_cap_is_not_stored() {
    let big = "太长".repeat(1000).into_bytes();
    let server = Server::start(&[
        ("/big.txt", vec![Reply::new(200, big.clone())]),
        ("/stream.txt", vec![Reply::new(200, big).without_length()]),
    ]);
    let desk = Desk::new();
    desk.seed("t_big", OLD);
    let run = desk.run(&desk.sources(&[server.url("/big.txt")]));
    let failure = run.failure("t_big", "too-large");
    assert!(failure["reason"].as_str().is_some_and(|r| r.contains("Content-Length 6000")), "{failure}");
    assert_eq!(failure["attempts"], 1, "a cap is not retried");
    assert_untouched(&desk, "t_big");

    // Without a Content-Length the cap holds while reading.
    desk.seed("t_stream", OLD);
    let run = desk.run(&desk.sources(&[server.url("/stream.txt")]));
    let failure = run.failure("t_stream", "too-large");
    assert!(failure["reason"].as_str().is_some_and(|r| r.contains("max_body_bytes = 4096")), "{failure}");
    assert_untouched(&desk, "t_stream");
}

/// A generic news paragraph, long enough for charset detection.
const NEWS: &str = "本报讯 昨天上午，市政府召开新闻发布会，介绍今年以来城市建设和民生保障的最新进展。\
                    发布会上，有关部门负责人表示，下一步将继续推进老旧小区改造，完善公共服务设施，\
                    让群众的获得感、幸福感和安全感更加充实。";

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

#[test]
fn a_gbk_page_with_a_charset_header_is_stored_as_downloaded() {
    let body = gbk(&format!("{NEWS}\n"));
    let server = Server::start(&[(
        "/gbk.txt",
        vec![Reply::new(200, body.clone()).header("Content-Type", "text/plain; charset=GBK")],
    )]);
    let desk = Desk::new();
    let run = desk.run(&desk.sources(&[server.url("/gbk.txt")]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The bytes tell their encoding (detection finds GBK), so they are kept as they came.
    assert_eq!(std::fs::read(desk.page("t_gbk")).expect("page"), body);
    let fetched = &run.list("fetched")[0];
    assert_eq!(fetched["encoding"], "GBK");
    assert_eq!(fetched["charset_source"], "header");
}

#[test]
fn a_gbk_html_page_without_a_charset_is_detected_and_stored_as_html() {
    let html = format!("<html><head><title>版面</title></head><body><h1>要闻</h1><p>{NEWS}</p></body></html>");
    let server =
        Server::start(&[("/node_1.htm", vec![Reply::new(200, gbk(&html)).header("Content-Type", "text/html")])]);
    let desk = Desk::new();
    desk.seed("t_node_1", OLD);
    let run = desk.run(&desk.sources(&[server.url("/node_1.htm")]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    // HTML stays HTML, for the split step's HTML reader, and replaces the old text file.
    assert_eq!(std::fs::read(desk.seeds().join("t_node_1.html")).expect("html page"), gbk(&html));
    assert!(!desk.page("t_node_1").exists(), "the page of the old format is gone");
    let fetched = &run.list("fetched")[0];
    assert_eq!(fetched["encoding"], "GBK");
    assert_eq!(fetched["charset_source"], "detected");
    assert_eq!(fetched["format"], "html");
}

#[test]
fn a_body_with_malformed_bytes_is_a_failure_and_the_page_is_untouched() {
    let mut body = format!("{NEWS}\n").into_bytes();
    let at = NEWS.find('，').expect("a comma");
    body.splice(at..at, [0xFF, 0xFE, 0x80]);
    let server =
        Server::start(&[("/bad.txt", vec![Reply::new(200, body).header("Content-Type", "text/plain; charset=utf-8")])]);
    let desk = Desk::new();
    desk.seed("t_bad", OLD);
    let run = desk.run(&desk.sources(&[server.url("/bad.txt")]));
    let failure = run.failure("t_bad", "malformed");
    let reason = failure["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("UTF-8") && reason.contains(&format!("byte offset {at}")), "{reason}");
    assert_untouched(&desk, "t_bad");
    assert!(!desk.seeds().join(".fetch").join("t_bad.json").exists(), "no validators for a page not stored");
}

#[test]
fn a_redirect_loop_fails_at_once() {
    let server = Server::start(&[
        ("/loop1.txt", vec![Reply::new(302, "").header("Location", "/loop2.txt")]),
        ("/loop2.txt", vec![Reply::new(302, "").header("Location", "/loop1.txt")]),
    ]);
    let desk = Desk::new();
    desk.seed("t_loop1", OLD);
    let run = desk.run(&desk.sources(&[server.url("/loop1.txt")]));
    let failure = run.failure("t_loop1", "redirect");
    assert!(failure["reason"].as_str().is_some_and(|r| r.contains("redirect loop")), "{failure}");
    assert_eq!(failure["attempts"], 1);
    assert_eq!(server.seen("/loop1.txt").len(), 1);
    assert_untouched(&desk, "t_loop1");
}

#[test]
fn two_runs_started_at_once_one_waits_out() {
    let server = Server::start(&[("/a.txt", vec![Reply::new(200, "慢慢来\n").delay_ms(1500)])]);
    let desk = Desk::new();
    let settings = HTTP_SETTINGS.replace("timeout_ms = 700", "timeout_ms = 10000");
    let sources = desk.sources_with(&settings, &[server.url("/a.txt")]);
    let spawn = || desk.command(&sources).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn fetch");
    let (first, second) = (spawn(), spawn());
    let second = second.wait_with_output().expect("second output");
    let first = first.wait_with_output().expect("first output");
    let mut codes = [first.status.code(), second.status.code()];
    codes.sort();
    assert_eq!(codes, [Some(0), Some(3)], "one run fetches, the other exits 3");
    let loser = if second.status.code() == Some(3) { &second } else { &first };
    let message = String::from_utf8_lossy(&loser.stderr);
    assert!(message.contains("another fetch run is in progress"), "{message}");
    assert_eq!(server.seen("/a.txt").len(), 1, "only the lock holder fetched");
    assert_eq!(std::fs::read_to_string(desk.page("t_a")).expect("page"), "慢慢来\n");
}

#[test]
fn a_bad_sources_file_exits_2_naming_file_line_and_column() {
    let desk = Desk::new();
    let sources =
        desk.sources_text("[[source]]\nname = \"t\"\nurls = [\"http://127.0.0.1:9/a.txt\"]\nformt = \"text\"\n");
    let run = desk.run(&sources);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("sources.toml:4:1: unknown field `formt`"), "{}", run.stderr);
    assert_eq!(run.report, Value::Null, "no report for a run that could not start");
}

#[test]
fn dry_run_lists_pages_and_fetches_nothing() {
    let server = Server::start(&[]);
    let desk = Desk::new();
    let url = format!("http://{}/{{date}}/{{page:02}}.txt", server.addr);
    let sources = desk
        .sources_text(&format!("[[source]]\nname = \"p\"\nurl = \"{url}\"\ndates = {{ last_days = 2 }}\npages = 2\n"));
    let output = desk.command(&sources).arg("--dry-run").output().expect("dry run");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout).replace(&server.addr.to_string(), "HOST");
    expect_test::expect![[r#"
        p_2026-06-01_1	http://HOST/2026-06-01/01.txt	new
        p_2026-06-01_2	http://HOST/2026-06-01/02.txt	new
        p_2026-06-02_1	http://HOST/2026-06-02/01.txt	new
        p_2026-06-02_2	http://HOST/2026-06-02/02.txt	new
    "#]]
    .assert_eq(&stdout);
    assert!(server.seen("/2026-06-01/01.txt").is_empty());
    assert!(!desk.report_path().exists());
}

#[test]
fn no_more_than_per_host_requests_at_once() {
    let paths: Vec<String> = (1..=6).map(|i| format!("/p{i}.txt")).collect();
    let script: Vec<(&str, Vec<Reply>)> =
        paths.iter().map(|p| (p.as_str(), vec![Reply::new(200, "版面\n").delay_ms(300)])).collect();
    let server = Server::start(&script);
    let desk = Desk::new();
    let urls: Vec<String> = paths.iter().map(|p| server.url(p)).collect();
    let run = desk.run(&desk.sources(&urls));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen: usize = paths.iter().map(|p| server.seen(p).len()).sum();
    assert_eq!(seen, 6);
    // per_host = 2: the server counted the requests it was answering at the same moment.
    let most = server.most_in_flight();
    assert!((1..=2).contains(&most), "{most} requests in flight at once, per_host is 2");
}
