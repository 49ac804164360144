//! Progress reporting: indicatif bars on a terminal, plain timestamped lines otherwise (cron, CI),
//! or nothing. Plain mode prints at most every `PLAIN_EVERY` per step but always at a step's start
//! and end, so a long step is never silent for more than a few seconds.

use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressStyle};

const PLAIN_EVERY: Duration = Duration::from_secs(2);
/// How long plain mode may stay silent while a step works without reporting.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Bars on a terminal, plain lines otherwise.
    Auto,
    Bar,
    Plain,
    None,
}

impl Mode {
    pub fn resolve(self) -> Mode {
        match self {
            Mode::Auto if std::io::stderr().is_terminal() => Mode::Bar,
            Mode::Auto => Mode::Plain,
            other => other,
        }
    }
}

/// A UTC timestamp like `2026-11-22T03:40:00Z`.
pub fn timestamp() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Prints a line about the run (not tied to a step) in plain and bar modes.
pub fn say(mode: Mode, message: &str) {
    match mode {
        Mode::None => {}
        Mode::Plain => eprintln!("{} {message}", timestamp()),
        _ => eprintln!("{message}"),
    }
}

/// Progress of one step over a known number of pages.
pub struct StepProgress {
    mode: Mode,
    step: String,
    total: u64,
    done: u64,
    failed: u64,
    bar: Option<ProgressBar>,
    last_line: Instant,
}

impl StepProgress {
    pub fn start(mode: Mode, step: &str, total: u64, what: &str) -> StepProgress {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(step.to_owned());
            bar.set_message(what.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        if mode == Mode::Plain {
            eprintln!("{} {step}: {what}: {total} to do", timestamp());
        }
        StepProgress { mode, step: step.to_owned(), total, done: 0, failed: 0, bar, last_line: Instant::now() }
    }

    /// One page finished, well or not.
    pub fn page(&mut self, ok: bool, page: &str, error: Option<&str>) {
        if ok {
            self.done += 1;
        } else {
            self.failed += 1;
        }
        let failure = (!ok).then(|| format!("{}: {page} failed: {}", self.step, error.unwrap_or("unknown error")));
        match (&self.bar, self.mode) {
            (Some(bar), _) => {
                bar.inc(1);
                if let Some(line) = failure {
                    bar.println(line);
                }
            }
            (None, Mode::Plain) => {
                if let Some(line) = failure {
                    eprintln!("{} {line}", timestamp());
                }
                if self.last_line.elapsed() >= PLAIN_EVERY {
                    eprintln!("{} {}: {}/{} pages", timestamp(), self.step, self.done + self.failed, self.total);
                    self.last_line = Instant::now();
                }
            }
            _ => {}
        }
    }

    /// A note during the step (for example a combined output being written).
    pub fn note(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(message.to_owned()),
            None if self.mode == Mode::Plain => eprintln!("{} {}: {message}", timestamp(), self.step),
            None => {}
        }
    }

    pub fn finish(self, seconds: f64) {
        let line = format!("{}: {} done, {} failed in {seconds:.2} s", self.step, self.done, self.failed);
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.finish_with_message(format!("{} done, {} failed", self.done, self.failed)),
            (None, Mode::Plain) => eprintln!("{} {line}", timestamp()),
            _ => {}
        }
    }
}

/// In plain mode, prints "still working" every few seconds until dropped, so that a step busy
/// with one big page or a combined output never leaves a cron log silent.
pub struct Heartbeat {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    pub fn start(mode: Mode, step: &str) -> Heartbeat {
        if mode != Mode::Plain {
            return Heartbeat { stop: None, thread: None };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let step = step.to_owned();
        let started = Instant::now();
        let thread = std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(HEARTBEAT_EVERY) {
                eprintln!("{} {step}: still working ({} s)", timestamp(), started.elapsed().as_secs());
            }
        });
        Heartbeat { stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
