//! `cargo xtask refresh` end to end: a real HTTP server on 127.0.0.1 serves one page; refresh
//! fetches it into the seeds, builds it, and the run report names it as rebuilt.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::{Scratch, assert_exit, root};

/// Serves `body` as UTF-8 text to every GET, for a bounded number of connections.
fn serve(body: Vec<u8>) -> u16 {
    serve_as(body, "text/plain; charset=utf-8")
}

/// Serves `body` with the given Content-Type to every GET.
fn serve_as(body: Vec<u8>, content_type: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

#[test]
fn refresh_fetches_a_new_page_builds_it_and_reports_it_rebuilt() {
    let scratch = Scratch::with_seeds();
    let page = std::fs::read(root().join("seeds").join("001_5f3fdb579a47b527.txt")).expect("seed");
    let port = serve(page.clone());
    let sources = scratch.dir.path().join("sources.toml");
    std::fs::write(&sources, format!("[[source]]\nname = \"local\"\nurls = [\"http://127.0.0.1:{port}/today.txt\"]\n"))
        .expect("write sources");

    let output = scratch.xtask(&["refresh", "--sources", sources.to_str().expect("utf-8")]);
    assert_exit(&output, 0);
    let fetched = std::fs::read(scratch.seeds().join("local_today.txt")).expect("the page was fetched into the seeds");
    assert_eq!(fetched, page);

    let runs: Vec<_> =
        std::fs::read_dir(scratch.out().join("runs")).expect("runs").map(|e| e.expect("e").path()).collect();
    assert_eq!(runs.len(), 1, "one run report");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&runs[0]).expect("read")).expect("JSON");
    let rebuilt = report["rebuilt"].as_array().expect("rebuilt list");
    assert!(rebuilt.iter().any(|id| id == "local_today"), "{report}");
    let dataset = std::fs::read_to_string(scratch.out().join("data").join("articles.jsonl")).expect("dataset");
    assert!(dataset.contains("\"page\":\"local_today\""));
}

#[test]
fn a_fetched_html_page_stays_html_and_split_reads_it() {
    let scratch = Scratch::with_seeds();
    let html = "<html><head><meta charset=\"utf-8\"><title>版面</title></head><body>\
                <h1>街道新建便民服务中心</h1><p>本报讯 昨天，城东街道便民服务中心正式启用，\
                居民在家门口就能办理四十多项事务。</p><p>中心负责人介绍，下一步还将增加夜间服务。</p></body></html>";
    let port = serve_as(html.as_bytes().to_vec(), "text/html");
    let sources = scratch.dir.path().join("sources.toml");
    std::fs::write(&sources, format!("[[source]]\nname = \"local\"\nurls = [\"http://127.0.0.1:{port}/news.html\"]\n"))
        .expect("write sources");
    let output = scratch.xtask(&["refresh", "--sources", sources.to_str().expect("utf-8")]);
    assert_exit(&output, 0);
    let stored = std::fs::read(scratch.seeds().join("local_news.html")).expect("stored as HTML");
    assert_eq!(stored, html.as_bytes(), "the bytes as downloaded");
    let dataset = std::fs::read_to_string(scratch.out().join("data").join("articles.jsonl")).expect("dataset");
    let line = dataset.lines().find(|l| l.contains("\"page\":\"local_news\"")).expect("the page is in the dataset");
    assert!(line.contains("便民服务中心") && !line.contains("<p>"), "split read the HTML: {line}");
}
