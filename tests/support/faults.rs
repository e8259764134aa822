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
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub use super::Setup;
use super::daemon::tail;
use super::{Daemon, Stack, accounts, smtp_send, tag, try_ledger, user};

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

/// Prints a report as a row of the figures table (`FIGURES | test | sent | ... |`).
pub fn print_row(report: &Report, note: &str) {
    let c = report.counts;
    println!(
        "FIGURES | {} | {} | {} | {} | {} | {} | {} | {} |",
        report.name, c.sent, c.answered, c.people, c.skipped, c.lost, c.duplicated, note
    );
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
    daemon: Daemon,
    setup: Setup,
}

impl FaultDesk {
    /// A NotOut CRM desk with `customers` accounts, each paid 5 days ago (a refund is due).
    pub fn new(name: &str, customers: usize, setup: Setup) -> FaultDesk {
        let stack = Stack::from_env();
        let tag = &tag(name);
        let support = user(&format!("desk-{tag}"));
        let dir = tempfile::tempdir().unwrap();
        let base = user(&format!("c-{tag}")).replace("@example.test", "");
        let customers: Vec<String> = (0..customers)
            .map(|i| format!("{base}-{i}@example.test"))
            .collect();
        accounts(dir.path(), &customers);
        let state_dir = setup.state_dir(dir.path());
        let config = setup.write(dir.path(), &stack, &support);
        let daemon = Daemon::logging_once(&config, &dir.path().join("daemon.log"));
        FaultDesk {
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
            daemon,
            setup,
        }
    }

    /// Rewrites the configuration after a change to the setup (then restart or SIGHUP).
    pub fn reconfigure(&mut self, change: impl FnOnce(&mut Setup)) {
        change(&mut self.setup);
        self.write_config();
    }

    fn write_config(&mut self) {
        self.state_dir = self.setup.state_dir(self.dir.path());
        self.config = self
            .setup
            .write(self.dir.path(), &self.stack, &self.support);
    }

    /// The store of the desk's one mailbox.
    pub fn store(&self) -> PathBuf {
        self.state_dir.join("desk.sqlite")
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

    /// The ledger, read-only: Message-ID → (state, reason); empty while the store cannot be
    /// read (not created yet, or on a full disk under test).
    pub fn ledger(&self) -> HashMap<String, (String, Option<String>)> {
        try_ledger(&self.store())
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.message_id, (r.state.as_str().to_string(), r.reason)))
            .collect()
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
    /// the figures stay the same for a while (a late duplicate would show); then checks. With
    /// no daemon at work (only `--once` runs, all ended) nothing can come later: the queue
    /// is read first, and once it is empty the figures are final.
    pub async fn settle(&self, within: Duration) -> Report {
        let started = Instant::now();
        let mut last: Option<Counts> = None;
        loop {
            let queue_empty = postfix_queue_empty();
            let report = self.check();
            let done = report.counts.lost == 0 && report.unfiled == 0 && queue_empty;
            if done && (self.daemon.quiet() || last == Some(report.counts)) {
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

impl std::ops::Deref for FaultDesk {
    type Target = Daemon;
    fn deref(&self) -> &Daemon {
        &self.daemon
    }
}

impl std::ops::DerefMut for FaultDesk {
    fn deref_mut(&mut self) -> &mut Daemon {
        &mut self.daemon
    }
}

impl Drop for FaultDesk {
    fn drop(&mut self) {
        // The daemon first, so the log kept below is complete.
        if self.daemon.running() {
            self.daemon.kill9();
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
    super::header(&raw[..end], name)
}

pub use super::body;

pub use super::postfix_queue_empty;

/// Runs `scripts/mailstack doveadm ARGS`; returns its output.
pub fn doveadm(args: &[&str]) -> Output {
    Command::new("scripts/mailstack")
        .arg("doveadm")
        .args(args)
        .output()
        .unwrap()
}
