//! One `mailclerk` process on one configuration file, for every harness that runs the binary
//! (the daemon desks, the fault desks, the OAuth setups): start, `--once`, signals, exit, its
//! stderr appended to one log file printed when a test fails, and its typed events
//! (`MAILCLERK_EVENTS`, src/event.rs) appended to one JSON-lines file that tests wait on.

use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use super::{signal, terminate};

/// How often a wait re-reads the log or the process status: short, because every wait ends on
/// the thing itself and a long step only adds to each test's time.
const STEP: Duration = Duration::from_millis(20);

pub struct Daemon {
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    /// How many untracked daemons [`Daemon::spawn`] started.
    spawned: Cell<usize>,
    /// Whether `--once` runs append their stderr to the log too (the fault desks read one log
    /// for the whole story; the daemon desks wait on the running daemon's lines only).
    log_once: bool,
}

impl Daemon {
    /// A daemon on `config` whose stderr goes to `log`; not started.
    pub fn new(config: &Path, log: &Path) -> Daemon {
        Daemon {
            config: config.to_path_buf(),
            log: log.to_path_buf(),
            child: None,
            spawned: Cell::new(0),
            log_once: false,
        }
    }

    /// As [`Daemon::new`], and `--once` runs append their stderr to the log after a marker line.
    pub fn logging_once(config: &Path, log: &Path) -> Daemon {
        let mut daemon = Daemon::new(config, log);
        daemon.log_once = true;
        daemon
    }

    pub fn config(&self) -> &Path {
        &self.config
    }

    /// `mailclerk ARGS --config CONFIG`, logging at info.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailclerk"));
        cmd.args(args)
            .arg("--config")
            .arg(&self.config)
            .env("RUST_LOG", "mailclerk=info")
            .env(mailclerk::event::EVENTS_ENV, self.events_path());
        cmd
    }

    /// Where the daemon's events go: `events.jsonl` beside the log.
    pub fn events_path(&self) -> PathBuf {
        self.log.with_file_name("events.jsonl")
    }

    /// Every event so far, oldest first (`{"event":"answered","mailbox":…,"message_id":…}`).
    pub fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.events_path())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("event {l:?}: {e}")))
            .collect()
    }

    /// How many events named `event` (`answered`, `pass_done`, ...) there are so far.
    pub fn count_events(&self, event: &str) -> usize {
        self.events().iter().filter(|e| e["event"] == event).count()
    }

    /// Waits until there are at least `n` events named `event`; returns the `n`-th.
    #[track_caller]
    pub fn wait_event(&self, event: &str, n: usize, within: Duration) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let found: Vec<serde_json::Value> = self
                .events()
                .into_iter()
                .filter(|e| e["event"] == event)
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            assert!(
                started.elapsed() < within,
                "not {n} × {event:?} event within {within:?} ({} so far); log:\n{}",
                found.len(),
                tail(&self.log(), 80)
            );
            std::thread::sleep(STEP);
        }
    }

    /// Starts the daemon (`mailclerk run`) with extra environment.
    pub fn start(&mut self, env: &[(&str, &str)]) {
        assert!(self.child.is_none(), "one daemon per desk at a time");
        self.child = Some(self.launch(env));
    }

    /// Starts another daemon on the same configuration and log, which this one does not track
    /// (killed when the returned guard is dropped).
    pub fn spawn(&self, env: &[(&str, &str)]) -> Spawned {
        Spawned(self.launch(env))
    }

    fn launch(&self, env: &[(&str, &str)]) -> Child {
        self.spawned.set(self.spawned.get() + 1);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut cmd = self.command(&["run"]);
        cmd.stdout(Stdio::null()).stderr(log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.spawn().unwrap()
    }

    /// Runs `mailclerk run --once` to completion with extra environment.
    pub fn once(&self, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(&["run", "--once"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        if self.log_once {
            self.note(&format!("---- run --once {env:?}: {}", out.status));
            self.append(&out.stderr);
        }
        out
    }

    /// Runs `mailclerk run --once`, asserts it succeeded, and returns its stderr (the log).
    #[track_caller]
    pub fn once_ok(&self) -> String {
        let out = self.once(&[]);
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "run --once: {}\n{log}", out.status);
        log
    }

    /// Whether no daemon of this desk can be at work: none started (or the one started was
    /// stopped, killed or waited for) and none spawned; `--once` runs have ended.
    pub fn quiet(&self) -> bool {
        self.child.is_none() && self.spawned.get() == 0
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("started").id()
    }

    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// Sends SIGTERM and returns how long the daemon took to exit, and its status.
    pub fn stop(&mut self) -> (Duration, ExitStatus) {
        let child = self.child.take().expect("started");
        terminate(child, || self.log())
    }

    /// `kill -9` of the daemon; waits for it to be gone.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("started");
        let _ = child.kill();
        let _ = child.wait();
        self.note("---- killed with SIGKILL");
    }

    /// Waits for the daemon to exit by itself (e.g. at a crash point).
    #[track_caller]
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("started");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > within {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the daemon did not exit within {within:?}; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(STEP);
        }
    }

    /// Sends a signal (`TERM`, `HUP`, `STOP`, ...) to the daemon.
    pub fn signal(&self, sig: &str) {
        signal(self.pid(), sig);
    }

    /// The daemon's resident set size in kB, from /proc.
    pub fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Adds a line to the log, to mark what the test did when.
    pub fn note(&self, line: &str) {
        self.append(format!("{line}\n").as_bytes());
    }

    fn append(&self, bytes: &[u8]) {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
        {
            let _ = f.write_all(bytes);
        }
    }

    /// Waits until the log contains `text`.
    #[track_caller]
    pub fn wait_log(&self, text: &str, within: Duration) {
        self.wait_log_n(text, 1, within);
    }

    /// Waits until the log contains `text` at least `n` times.
    #[track_caller]
    pub fn wait_log_n(&self, text: &str, n: usize, within: Duration) {
        let started = Instant::now();
        while self.log().matches(text).count() < n {
            assert!(
                started.elapsed() < within,
                "not {n} × {text:?} in the log within {within:?}:\n{}",
                tail(&self.log(), 80)
            );
            std::thread::sleep(STEP);
        }
    }
}

/// A daemon started beside a desk's own: killed and reaped when dropped, so that a test that
/// fails half-way leaves no daemon running to load (and confuse) the tests after it.
pub struct Spawned(pub Child);

impl std::ops::Deref for Spawned {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
