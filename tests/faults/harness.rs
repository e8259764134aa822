//! The fault tests' harness: a support desk served by the real daemon with many customers (one
//! per request, so no per-sender limit can blur a count), requests of known kinds sent through
//! Postfix's MX port, and the checker that accounts for every request afterwards.
//!
//! The checker reads what really happened, from three places: the customers' Maildirs (every
//! reply, grouped by `In-Reply-To`), the support mailbox's folders (where each request was
//! filed, by Message-ID) and the daemon's ledger (read-only). Each request then has exactly one
//! outcome: answered once, answered more than once (duplicated), handed to people, skipped, or
//! lost (no reply, not with people, not skipped). The counts are printed as a table row (for
//! RELIABILITY.md) and each test states the counts it expects in one line.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Stack, accounts, signal, smtp_send, terminate, user};

/// What a request asks for, and so what must become of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A customer 5 days after the first payment asks for a refund: granted.
    Refund,
    /// A customer asks to cancel: confirmed.
    Cancel,
    /// An out-of-office reply (`Auto-Submitted`): skipped, never answered.
    AutoReply,
    /// Someone with no account asks for a refund: handed to people.
    Stranger,
}

/// The usual mix, in order: two answers, a skip, a hand-off.
pub const MIX: [Kind; 4] = [Kind::Refund, Kind::Cancel, Kind::AutoReply, Kind::Stranger];

/// The outcome a request is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Exactly one reply whose body contains this text.
    Answer(&'static str),
    People,
    Skip,
}

impl Kind {
    fn expect(self) -> Expect {
        match self {
            Kind::Refund => Expect::Answer("Your refund of 49.00 USD has been approved."),
            Kind::Cancel => Expect::Answer("Your cancellation is confirmed."),
            Kind::AutoReply => Expect::Skip,
            Kind::Stranger => Expect::People,
        }
    }
}

/// One request sent to the desk.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub customer: String,
    pub kind: Kind,
    pub expect: Expect,
}

/// What became of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Duplicated,
    People,
    Skipped,
    Lost,
}

/// The figures of one run. `wrong` counts requests whose outcome is not what they were due
/// (an answer where none was due, a wrong decision, a reply to nobody's request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub sent: usize,
    pub answered: usize,
    pub people: usize,
    pub skipped: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub wrong: usize,
}

impl Counts {
    /// Expected figures with nothing lost, duplicated or wrong.
    pub fn clean(sent: usize, answered: usize, people: usize, skipped: usize) -> Counts {
        Counts {
            sent,
            answered,
            people,
            skipped,
            ..Counts::default()
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sent {}, answered once {}, to people {}, skipped {}, lost {}, duplicated {}, wrong {}",
            self.sent,
            self.answered,
            self.people,
            self.skipped,
            self.lost,
            self.duplicated,
            self.wrong
        )
    }
}

/// The checker's verdict on every request.
#[derive(Debug, Clone)]
pub struct Report {
    pub name: String,
    pub counts: Counts,
    /// Requests still in the support INBOX (not filed).
    pub unfiled: usize,
    /// One line per request that is not as due, and per stray reply.
    pub problems: Vec<String>,
    /// Per request: its outcome.
    pub outcomes: Vec<(Request, Outcome)>,
}

impl Report {
    /// Asserts the counts (lost, duplicated and wrong are part of them) and prints the table row.
    #[track_caller]
    pub fn assert(&self, expected: Counts, log: &str) {
        assert_eq!(
            self.counts,
            expected,
            "{}: {}\nproblems:\n{}\ndaemon log (last 60 lines):\n{}",
            self.name,
            self.counts,
            self.problems.join("\n"),
            tail(log, 60)
        );
    }

    /// Asserts only that nothing was lost, duplicated or wrong.
    #[track_caller]
    pub fn assert_safe(&self, log: &str) {
        let c = self.counts;
        assert!(
            c.lost == 0 && c.duplicated == 0 && c.wrong == 0,
            "{}: {c}\nproblems:\n{}\ndaemon log (last 60 lines):\n{}",
            self.name,
            self.problems.join("\n"),
            tail(log, 60)
        );
    }

    pub fn outcome_of(&self, id: &str) -> Outcome {
        self.outcomes
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, o)| *o)
            .expect("a request of this desk")
    }
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Prints a report as a row of the figures table (`FIGURES | test | sent | ... |`).
pub fn print_row(report: &Report, note: &str) {
    let c = report.counts;
    println!(
        "FIGURES | {} | {} | {} | {} | {} | {} | {} | {} |",
        report.name, c.sent, c.answered, c.people, c.skipped, c.lost, c.duplicated, note
    );
}

/// How the desk's daemon is configured; `Setup::default()` has test-short timeouts.
#[derive(Debug, Clone)]
pub struct Setup {
    /// IMAP port (a proxy's), instead of the stack's IMAPS port.
    pub imap_port: Option<u16>,
    /// Submission port (the policy-checked one), instead of the stack's.
    pub submission_port: Option<u16>,
    /// Lines for `[mailbox.source]`.
    pub source: String,
    /// Lines for `[mailbox.outbox]`.
    pub outbox: String,
    /// Lines for `[mailbox.handling]`.
    pub handling: String,
    /// More lines for the `[[mailbox]]` table itself.
    pub mailbox: String,
    /// Where the stores live (a tmpfs, for the disk tests).
    pub state_dir: Option<PathBuf>,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            imap_port: None,
            submission_port: None,
            source: "catch_up_seconds = 10\ntimeout_seconds = 5\nreconnect_max_seconds = 2\n"
                .into(),
            outbox: "timeout_seconds = 10\nretry_first_seconds = 1\nretry_max_seconds = 2\n".into(),
            handling: String::new(),
            mailbox: String::new(),
            state_dir: None,
        }
    }
}

impl Setup {
    /// The default, with more `[mailbox.source]` lines.
    pub fn source(extra: &str) -> Setup {
        let mut s = Setup::default();
        s.source.push_str(extra);
        s.source.push('\n');
        s
    }
}

/// A support desk served by the real daemon, with a pool of customers who have accounts.
pub struct FaultDesk {
    pub name: String,
    pub stack: Stack,
    pub support: String,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub state_dir: PathBuf,
    pub requests: Vec<Request>,
    /// Whether a due answer may end with people instead (faults where whether the reply went
    /// out is unknown: the daemon hands those to people, by design).
    pub uncertain_ok: bool,
    customers: Vec<String>,
    next_customer: usize,
    child: Option<Child>,
    setup: Setup,
}

impl FaultDesk {
    /// A NotOut CRM desk with `customers` accounts, each paid 5 days ago (a refund is due).
    pub fn new(name: &str, customers: usize, setup: Setup) -> FaultDesk {
        let stack = Stack::from_env();
        let tag = name.replace('_', "-");
        let tag = &tag[..tag.len().min(24)];
        let support = user(&format!("desk-{tag}"));
        let dir = tempfile::tempdir().unwrap();
        let base = user(&format!("c-{tag}")).replace("@example.test", "");
        let customers: Vec<String> = (0..customers)
            .map(|i| format!("{base}-{i}@example.test"))
            .collect();
        accounts(dir.path(), &customers);
        std::fs::write(dir.path().join("password"), &stack.password).unwrap();
        let state_dir = setup
            .state_dir
            .clone()
            .unwrap_or_else(|| dir.path().join("state"));
        let config = dir.path().join("mailclerk.toml");
        let mut desk = FaultDesk {
            name: name.to_string(),
            stack,
            support,
            dir,
            config,
            state_dir,
            requests: Vec::new(),
            uncertain_ok: false,
            customers,
            next_customer: 0,
            child: None,
            setup,
        };
        desk.write_config();
        desk
    }

    /// Rewrites the configuration after a change to the setup (then restart or SIGHUP).
    pub fn reconfigure(&mut self, change: impl FnOnce(&mut Setup)) {
        change(&mut self.setup);
        self.write_config();
    }

    fn write_config(&mut self) {
        let repo = std::env::current_dir().unwrap();
        let s = &self.setup;
        self.state_dir = s
            .state_dir
            .clone()
            .unwrap_or_else(|| self.dir.path().join("state"));
        let text = format!(
            r#"templates = "{templates}"
state_dir = "{state}"

[[mailbox]]
name = "desk"
address = "{support}"
policy = "{policy}"
accounts_csv = "accounts.csv"
# Delivery under faults, not classification: a plain request must be answered whatever the
# shipped model's calibration (docs/classifier.md has the classifier's own figures).
auto_answer_threshold = 0.5
{mailbox}

[mailbox.source]
kind = "imap"
host = "{host}"
port = {imaps}
security = "implicit"
ca_file = "{ca}"
user = "{support}"
password_file = "password"
{source}

[mailbox.outbox]
kind = "smtp"
host = "{host}"
port = {submission}
security = "starttls"
ca_file = "{ca}"
user = "{support}"
password_file = "password"
{outbox}

[mailbox.handling]
{handling}
"#,
            templates = repo.join("templates").display(),
            state = self.state_dir.display(),
            support = self.support,
            policy = repo.join("config/policies/notout.toml").display(),
            host = self.stack.host,
            imaps = s.imap_port.unwrap_or(self.stack.imaps_port),
            submission = s.submission_port.unwrap_or(self.stack.submission_port),
            ca = self.stack.ca_file.display(),
            source = s.source,
            outbox = s.outbox,
            handling = s.handling,
            mailbox = s.mailbox,
        );
        std::fs::write(&self.config, text).unwrap();
    }

    /// The store of the desk's one mailbox.
    pub fn store(&self) -> PathBuf {
        self.state_dir.join("desk.sqlite")
    }

    /// Starts the daemon (`mailclerk run`) with extra environment; its stderr goes to the log.
    pub fn start(&mut self, env: &[(&str, &str)]) {
        assert!(self.child.is_none(), "one daemon per desk at a time");
        self.child = Some(self.spawn(env));
    }

    /// Starts another daemon on the same configuration, which the desk does not track.
    pub fn spawn(&self, env: &[(&str, &str)]) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailclerk"));
        cmd.args(["run", "--config", self.config.to_str().unwrap()])
            .env("RUST_LOG", "mailclerk=info")
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.spawn().unwrap()
    }

    /// Runs `mailclerk run --once` to completion; its stderr is also appended to the log.
    pub fn once(&self, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailclerk"));
        cmd.args(["run", "--once", "--config", self.config.to_str().unwrap()])
            .env("RUST_LOG", "mailclerk=info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        use std::io::Write;
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let _ = writeln!(log, "---- run --once {env:?}: {}", out.status);
        let _ = log.write_all(&out.stderr);
        out
    }

    /// The first start on the folder (its position is taken at the end), with `--once`.
    pub fn first_start(&self) {
        let out = self.once(&[]);
        assert!(
            out.status.success(),
            "first start failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("started").id()
    }

    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// `kill -9` of the daemon; waits for it to be gone.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("started");
        let _ = child.kill();
        let _ = child.wait();
        self.note("---- killed with SIGKILL");
    }

    /// Sends SIGTERM; returns how long the daemon took to exit, and its status.
    pub fn terminate(&mut self) -> (Duration, std::process::ExitStatus) {
        let child = self.child.take().expect("started");
        terminate(child, || self.log())
    }

    /// Sends a signal (`TERM`, `HUP`, ...) to the daemon.
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

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("daemon.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Adds a line to the daemon log, to mark what the test did when.
    pub fn note(&self, line: &str) {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
        {
            let _ = writeln!(f, "{line}");
        }
    }

    /// Waits until the log contains `text` (at least `n` times).
    #[track_caller]
    pub fn wait_log_n(&self, text: &str, n: usize, within: Duration) {
        let started = Instant::now();
        while self.log().matches(text).count() < n {
            assert!(
                started.elapsed() < within,
                "{}: no {n}× {text:?} in the log within {within:?}:\n{}",
                self.name,
                tail(&self.log(), 80)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[track_caller]
    pub fn wait_log(&self, text: &str, within: Duration) {
        self.wait_log_n(text, 1, within);
    }

    /// Sends one request of `kind` from a fresh customer (a stranger has no account).
    pub fn send(&mut self, kind: Kind) -> Request {
        self.send_padded(kind, 0)
    }

    /// Sends one request with an attachment of `padding` bytes, so fetching it takes a while.
    pub fn send_padded(&mut self, kind: Kind, padding: usize) -> Request {
        let customer = match kind {
            Kind::Stranger => user("stranger"),
            _ => {
                let c = self
                    .customers
                    .get(self.next_customer)
                    .unwrap_or_else(|| panic!("{}: the customer pool is used up", self.name))
                    .clone();
                self.next_customer += 1;
                c
            }
        };
        let n = self.requests.len();
        let id = format!(
            "req-{n}-{}",
            user("m")
                .replace('@', ".")
                .replace("example.test", "customer.example.test")
        );
        let (subject, body, extra) = match kind {
            Kind::Refund | Kind::Stranger => (
                "Refund please",
                "Hello, I would like a refund of my subscription.",
                "",
            ),
            Kind::Cancel => ("Cancel", "Please cancel my subscription.", ""),
            Kind::AutoReply => (
                "Out of office: refund",
                "I am away until Monday. About the refund: I will write again then.",
                "Auto-Submitted: auto-replied\r\n",
            ),
        };
        let text = if padding == 0 {
            format!(
                "From: Customer <{customer}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n{extra}\r\n{body}\r\n",
                to = self.support,
            )
        } else {
            let line =
                "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n";
            let blob = line.repeat(padding / line.len() + 1);
            format!(
                "From: Customer <{customer}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n{extra}\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"invoice.bin\"\r\n\r\n{blob}--b1--\r\n",
                to = self.support,
            )
        };
        smtp_send(
            &self.stack.host,
            self.stack.smtp_port,
            &customer,
            &self.support,
            &text,
        );
        let r = Request {
            id,
            customer,
            kind,
            expect: kind.expect(),
        };
        self.requests.push(r.clone());
        r
    }

    /// Sends `n` requests, cycling through [`MIX`].
    pub fn send_mix(&mut self, n: usize) -> Vec<Request> {
        (0..n).map(|i| self.send(MIX[i % MIX.len()])).collect()
    }

    /// Changes what one request is due (a fault that hands it to people, say).
    pub fn expect(&mut self, id: &str, expect: Expect) {
        self.requests
            .iter_mut()
            .find(|r| r.id == id)
            .expect("a request of this desk")
            .expect = expect;
    }

    /// Waits until every request sent so far is in the support mailbox (any folder).
    #[track_caller]
    pub fn wait_delivered(&self, within: Duration) {
        let started = Instant::now();
        loop {
            let folders = self.support_folders();
            let missing = self
                .requests
                .iter()
                .filter(|r| !folders.contains_key(&r.id))
                .count();
            if missing == 0 {
                return;
            }
            assert!(
                started.elapsed() < within,
                "{}: {missing} requests not delivered to the support mailbox within {within:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Replies in the customers' mailboxes, by the request they answer.
    pub fn replies(&self) -> HashMap<String, Vec<Vec<u8>>> {
        let mut by_request: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
        let customers: HashSet<&str> = self.requests.iter().map(|r| r.customer.as_str()).collect();
        for c in customers {
            for raw in maildir_messages(&maildir(c, None)) {
                let key = header(&raw, "In-Reply-To")
                    .map(|v| v.trim_matches(|ch| ch == '<' || ch == '>').to_string())
                    .unwrap_or_else(|| format!("(no In-Reply-To, to {c})"));
                by_request.entry(key).or_default().push(raw);
            }
        }
        by_request
    }

    /// Each request's Message-ID → the support folders it is in ("INBOX", "mailclerk/people"...).
    pub fn support_folders(&self) -> HashMap<String, Vec<String>> {
        let root = maildir(&self.support, None);
        let mut found: HashMap<String, Vec<String>> = HashMap::new();
        let mut folders = vec![("INBOX".to_string(), root.clone())];
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if let Some(folder) = name.strip_prefix('.')
                    && e.path().is_dir()
                {
                    folders.push((folder.replace('.', "/"), e.path()));
                }
            }
        }
        for (folder, path) in folders {
            if folder == "Sent" || folder == "Drafts" {
                continue;
            }
            for raw in maildir_messages(&path) {
                if let Some(id) = header(&raw, "Message-ID") {
                    let id = id.trim_matches(|c| c == '<' || c == '>').to_string();
                    found.entry(id).or_default().push(folder.clone());
                }
            }
        }
        found
    }

    /// Checks the copies in the support mailbox's Sent folder against the ledger: every
    /// request the ledger has as `sent` has exactly one copy of its answer there, and no other
    /// request has one. (Copies are queued with the record and saved per batch, so a crash
    /// must neither lose nor repeat one.)
    pub fn assert_sent_copies(&self) {
        let mut copies: HashMap<String, usize> = HashMap::new();
        for raw in maildir_messages(&maildir(&self.support, Some("Sent"))) {
            let key = header(&raw, "In-Reply-To")
                .map(|v| v.trim_matches(|ch| ch == '<' || ch == '>').to_string())
                .unwrap_or_default();
            *copies.entry(key).or_default() += 1;
        }
        let sent: HashSet<String> = self
            .ledger()
            .into_iter()
            .filter(|(_, (state, _))| state == "sent")
            .map(|(id, _)| id)
            .collect();
        for id in &sent {
            assert_eq!(
                copies.get(id),
                Some(&1),
                "copies in Sent of the answer to <{id}>: {copies:?}"
            );
        }
        let strays: Vec<&String> = copies.keys().filter(|k| !sent.contains(*k)).collect();
        assert!(
            strays.is_empty(),
            "copies in Sent for requests not recorded as sent: {strays:?}"
        );
    }

    /// The ledger, read-only: Message-ID → (state, reason).
    pub fn ledger(&self) -> HashMap<String, (String, Option<String>)> {
        use rusqlite::{Connection, OpenFlags};
        let Ok(conn) = Connection::open_with_flags(self.store(), OpenFlags::SQLITE_OPEN_READ_ONLY)
        else {
            return HashMap::new();
        };
        let Ok(mut stmt) = conn.prepare("SELECT message_id, state, reason FROM ledger") else {
            return HashMap::new();
        };
        stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
            .map(|rows| rows.flatten().collect())
            .unwrap_or_default()
    }

    /// Accounts for every request now.
    pub fn check(&self) -> Report {
        let replies = self.replies();
        let folders = self.support_folders();
        let ledger = self.ledger();
        let mut counts = Counts {
            sent: self.requests.len(),
            ..Counts::default()
        };
        let mut problems = Vec::new();
        let mut outcomes = Vec::new();
        let mut unfiled = 0;
        let ids: HashSet<&str> = self.requests.iter().map(|r| r.id.as_str()).collect();
        for r in &self.requests {
            let got = replies.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
            let where_ = folders.get(&r.id).cloned().unwrap_or_default();
            let (state, reason) = ledger
                .get(&r.id)
                .map(|(s, why)| (s.as_str(), why.clone()))
                .unwrap_or(("none", None));
            if where_.iter().any(|f| f == "INBOX") {
                unfiled += 1;
            }
            let in_folder = |f: &str| where_.iter().any(|w| w == f);
            let outcome = match got.len() {
                0 if matches!(state, "review" | "failed") || in_folder("mailclerk/people") => {
                    Outcome::People
                }
                0 if state == "skipped" || in_folder("mailclerk/skipped") => Outcome::Skipped,
                0 => Outcome::Lost,
                1 => Outcome::Answered,
                _ => Outcome::Duplicated,
            };
            let fits = match (r.expect, outcome) {
                (Expect::Answer(text), Outcome::Answered) => {
                    let reply = &got[0];
                    let body = body(reply);
                    let auto = header(reply, "Auto-Submitted").as_deref() == Some("auto-replied");
                    body.contains(text) && auto
                }
                (Expect::Answer(_), Outcome::People) => self.uncertain_ok,
                (Expect::People, Outcome::People) | (Expect::Skip, Outcome::Skipped) => true,
                // Lost and duplicated are counted as such, not again as wrong.
                (_, Outcome::Lost | Outcome::Duplicated) => true,
                _ => false,
            };
            match outcome {
                Outcome::Answered => counts.answered += 1,
                Outcome::Duplicated => counts.duplicated += 1,
                Outcome::People => counts.people += 1,
                Outcome::Skipped => counts.skipped += 1,
                Outcome::Lost => counts.lost += 1,
            }
            if !fits {
                counts.wrong += 1;
            }
            if !fits || matches!(outcome, Outcome::Lost | Outcome::Duplicated) {
                problems.push(format!(
                    "  {} ({:?}, due {:?}): {:?}; {} replies; folders {:?}; ledger {state} {}",
                    r.id,
                    r.kind,
                    r.expect,
                    outcome,
                    got.len(),
                    where_,
                    reason.unwrap_or_default()
                ));
            }
            outcomes.push((r.clone(), outcome));
        }
        // A reply that answers none of the requests is an answer where none was due.
        for (key, stray) in replies.iter().filter(|(k, _)| !ids.contains(k.as_str())) {
            counts.wrong += stray.len();
            problems.push(format!("  {} stray replies to {key}", stray.len()));
        }
        Report {
            name: self.name.clone(),
            counts,
            unfiled,
            problems,
            outcomes,
        }
    }

    /// Waits until every request has an outcome, is filed, and Postfix's queue is empty, and
    /// the figures stay the same for a while (a late duplicate would show); then checks.
    pub async fn settle(&self, within: Duration) -> Report {
        let started = Instant::now();
        let mut last: Option<Counts> = None;
        loop {
            let report = self.check();
            let done = report.counts.lost == 0 && report.unfiled == 0 && postfix_queue_empty();
            if done && last == Some(report.counts) {
                return report;
            }
            last = done.then_some(report.counts);
            if started.elapsed() > within {
                return report;
            }
            tokio::time::sleep(if done {
                Duration::from_millis(1500)
            } else {
                Duration::from_millis(250)
            })
            .await;
        }
    }
}

impl Drop for FaultDesk {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // FAULTS_KEEP_LOGS=DIR keeps every test's daemon log, to read what it said.
        if let Ok(dir) = std::env::var("FAULTS_KEEP_LOGS") {
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::copy(
                self.log_path(),
                Path::new(&dir).join(format!("{}.log", self.name)),
            );
        }
        if std::thread::panicking() {
            eprintln!(
                "{}: daemon log kept at {} (test failed)",
                self.name,
                self.log_path().display()
            );
            let _ = std::fs::copy(
                self.log_path(),
                std::env::temp_dir().join(format!("mailclerk-fault-{}.log", self.name)),
            );
        }
    }
}

/// The Maildir of `address` (its INBOX, or `folder` such as "mailclerk/people").
pub fn maildir(address: &str, folder: Option<&str>) -> PathBuf {
    let dir = std::env::var("MAILSTACK_DIR").expect("MAILSTACK_DIR (from scripts/mailstack env)");
    let (local, domain) = address.split_once('@').expect("an address");
    let root = Path::new(&dir)
        .join("mail")
        .join(domain)
        .join(local.to_lowercase())
        .join("Maildir");
    match folder {
        None => root,
        Some(f) => root.join(format!(".{}", f.replace('/', "."))),
    }
}

/// Every message file in a Maildir folder (`new` and `cur`).
pub fn maildir_messages(folder: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(folder.join(sub)) {
            for e in entries.flatten() {
                // A file moved away between listing and reading is simply not there any more.
                if let Ok(bytes) = std::fs::read(e.path()) {
                    out.push(bytes);
                }
            }
        }
    }
    out
}

/// A header's value, looked up in the header block only.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
        .unwrap_or(raw.len());
    crate::support::header(&raw[..end], name)
}

pub fn body(raw: &[u8]) -> String {
    crate::support::body(raw)
}

/// True when Postfix's queue is empty, or Postfix is down (then nothing can be in flight).
pub fn postfix_queue_empty() -> bool {
    let dir = std::env::var("MAILSTACK_DIR").unwrap_or_default();
    let out = Command::new("postqueue")
        .args(["-c", &format!("{dir}/postfix/etc"), "-j"])
        .output();
    match out {
        Ok(o) if o.status.success() => o.stdout.iter().all(|b| b.is_ascii_whitespace()),
        _ => true,
    }
}

/// Runs `scripts/mailstack doveadm ARGS`; returns its output.
pub fn doveadm(args: &[&str]) -> Output {
    Command::new("scripts/mailstack")
        .arg("doveadm")
        .args(args)
        .output()
        .unwrap()
}
