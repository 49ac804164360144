//! A small real HTTP/1.1 server on 127.0.0.1 for the tests: scripted replies per path.
//!
//! Each request to a path gets the next reply of that path's script (the last one repeats);
//! unknown paths get 404. Every connection is closed after one reply. It records what it was
//! asked (path, headers) and the most requests it was answering at once, and stops by itself:
//! when dropped, or 60 s after it started.
//! It is not a general server: no keep-alive, no request bodies, no chunked encoding.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One scripted reply.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Announce this Content-Length instead of the body's (larger: a truncated body).
    pub content_length: Option<usize>,
    /// Send no Content-Length at all; the body ends when the connection closes.
    pub no_length: bool,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
            content_length: None,
            no_length: false,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn delay_ms(mut self, ms: u64) -> Reply {
        self.delay = Duration::from_millis(ms);
        self
    }

    pub fn content_length(mut self, length: usize) -> Reply {
        self.content_length = Some(length);
        self
    }

    pub fn without_length(mut self) -> Reply {
        self.no_length = true;
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
}

pub struct Server {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<InFlight>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

/// Requests being answered now, and the most ever at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    most: AtomicUsize,
}

const LIFETIME: Duration = Duration::from_secs(60);

impl Server {
    pub fn start(script: &[(&str, Vec<Reply>)]) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let script: HashMap<String, Vec<Reply>> = script.iter().map(|(p, r)| ((*p).to_owned(), r.clone())).collect();
        let script = Arc::new(script);
        let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(InFlight::default());
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (seen, stop, in_flight) = (seen.clone(), stop.clone(), in_flight.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut workers = Vec::new();
                while !stop.load(Ordering::SeqCst) && started.elapsed() < LIFETIME {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (script, counts, seen) = (script.clone(), counts.clone(), seen.clone());
                            let in_flight = in_flight.clone();
                            workers
                                .push(std::thread::spawn(move || serve(stream, &script, &counts, &seen, &in_flight)));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
                for worker in workers {
                    let _ = worker.join();
                }
            })
        };
        Server { addr, seen, in_flight, stop, accept: Some(accept) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The most requests that were being answered at the same moment.
    pub fn most_in_flight(&self) -> usize {
        self.in_flight.most.load(Ordering::SeqCst)
    }

    /// The requests seen so far for `path`.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().expect("log").iter().filter(|s| s.path == path).cloned().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

fn serve(
    stream: TcpStream,
    script: &HashMap<String, Vec<Reply>>,
    counts: &Mutex<HashMap<String, usize>>,
    seen: &Mutex<Vec<Seen>>,
    in_flight: &InFlight,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                }
            }
        }
    }
    seen.lock().expect("log").push(Seen { path: path.clone(), headers });
    let now = in_flight.now.fetch_add(1, Ordering::SeqCst) + 1;
    in_flight.most.fetch_max(now, Ordering::SeqCst);
    let reply = {
        let mut counts = counts.lock().expect("counts");
        let n = counts.entry(path.clone()).or_default();
        let reply = script.get(&path).and_then(|replies| replies.get((*n).min(replies.len().saturating_sub(1))));
        *n += 1;
        reply.cloned().unwrap_or_else(|| Reply::new(404, "not here"))
    };
    std::thread::sleep(reply.delay);
    // Done before the reply leaves: the client cannot start its next request before that.
    in_flight.now.fetch_sub(1, Ordering::SeqCst);
    let mut head = format!("HTTP/1.1 {} {}\r\nConnection: close\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !reply.no_length {
        head.push_str(&format!("Content-Length: {}\r\n", reply.content_length.unwrap_or(reply.body.len())));
    }
    head.push_str("\r\n");
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
