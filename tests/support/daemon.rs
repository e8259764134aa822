//! One `mailclerk` process on one configuration file, for every harness that runs the binary
//! (the daemon desks, the fault desks, the OAuth setups): start, `--once`, signals, exit, and
//! its stderr appended to one log file that tests wait on and print when they fail.

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
            .env("RUST_LOG", "mailclerk=info");
        cmd
    }

    /// Starts the daemon (`mailclerk run`) with extra environment.
    pub fn start(&mut self, env: &[(&str, &str)]) {
        assert!(self.child.is_none(), "one daemon per desk at a time");
        self.child = Some(self.spawn(env));
    }

    /// Starts another daemon on the same configuration and log, which this one does not track.
    pub fn spawn(&self, env: &[(&str, &str)]) -> Child {
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
