//! The one test harness, for the integration tests and the fault tests alike
//! (`tests/faults.rs` includes it by path): the daemon process ([`daemon`]), the configuration
//! it runs on ([`config`]), the ledger read back, the mail stack's addresses
//! (`scripts/mailstack up`), customers who write through the MX port, and folders read back
//! over IMAP. [`Desk`] is one mailbox and one customer; [`faults::FaultDesk`] a mailbox with a
//! pool of customers and the checker that accounts for every request. Each desk has its own
//! users, so tests run in parallel without seeing each other's mail.
#![allow(dead_code)] // shared by two test binaries; each uses part of it

pub mod blackhole;
pub mod config;
pub mod daemon;
pub mod faults;
pub mod pg;
pub mod receiver;

pub use config::Setup;
pub use daemon::Daemon;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use mailclerk::intake::imap::{Security, Session};

/// The mail stack's addresses, from `eval "$(scripts/mailstack env)"`.
pub struct Stack {
    pub host: String,
    pub imaps_port: u16,
    pub smtp_port: u16,
    pub submission_port: u16,
    pub ca_file: PathBuf,
    pub password: String,
}

impl Stack {
    /// Fails (never skips) when the stack's environment is missing.
    pub fn from_env() -> Stack {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run `eval \"$(scripts/mailstack env)\"` after `scripts/mailstack up` (scripts/test does both)"))
        };
        Stack {
            host: var("MAILCLERK_IMAP_HOST"),
            imaps_port: var("MAILCLERK_IMAPS_PORT").parse().unwrap(),
            smtp_port: var("MAILCLERK_SMTP_PORT").parse().unwrap(),
            submission_port: var("MAILCLERK_SUBMISSION_PORT").parse().unwrap(),
            ca_file: var("MAILCLERK_CA_FILE").into(),
            password: var("MAILCLERK_TEST_PASSWORD"),
        }
    }

    pub fn imap(&self, user: &str) -> mailclerk::intake::imap::ImapSettings {
        mailclerk::intake::imap::ImapSettings {
            host: self.host.clone(),
            port: self.imaps_port,
            security: Security::Implicit,
            ca_file: Some(self.ca_file.clone()),
            user: user.into(),
            password: self.password.clone(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A unique address at the test domain for this test run.
pub fn user(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{tag}-{}-{}@example.test",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A short user-name tag from a test's name (addresses stay well under 64 characters).
pub fn tag(name: &str) -> String {
    name.chars()
        .take(24)
        .map(|c| if c == '_' { '-' } else { c })
        .collect()
}

/// One support mailbox served by a daemon process ([`Daemon`], which a desk derefs to), and
/// its customer.
pub struct Desk {
    pub stack: Stack,
    pub support: String,
    pub customer: String,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    daemon: Daemon,
}

impl Desk {
    /// A NotOut CRM desk whose customer paid 5 days ago (a refund is due), with `handling`
    /// and `source_extra` lines added to the mailbox config.
    pub fn new(tag: &str, source_extra: &str, handling: &str) -> Desk {
        Desk::with_keys(tag, "", source_extra, handling)
    }

    /// As [`Desk::new`], with `mailbox_extra` lines added to the `[[mailbox]]` table itself
    /// (sender authentication, reply budget, ...).
    pub fn with_keys(tag: &str, mailbox_extra: &str, source_extra: &str, handling: &str) -> Desk {
        let stack = Stack::from_env();
        let support = user(&format!("support-{tag}"));
        let customer = user(&format!("cust-{tag}"));
        let dir = tempfile::tempdir().unwrap();
        let paid = jiff::Zoned::now()
            .date()
            .checked_sub(jiff::Span::new().days(5))
            .unwrap();
        std::fs::write(
            dir.path().join("accounts.csv"),
            format!("account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\nA-1,{customer},Ann Customer,monthly,{paid},{paid},49.00,49.00,USD\n"),
        )
        .unwrap();
        let setup = Setup {
            source: format!("catch_up_seconds = 10\n{source_extra}"),
            handling: handling.into(),
            mailbox: mailbox_extra.into(),
            ..Setup::bare()
        };
        let config = setup.write(dir.path(), &stack, &support);
        let daemon = Daemon::new(&config, &dir.path().join("daemon.log"));
        Desk {
            stack,
            support,
            customer,
            dir,
            config,
            daemon,
        }
    }

    /// A desk as [`Desk::new`] with nothing added, its daemon running and past its first
    /// start (so everything delivered from now on is new mail).
    pub fn running(tag: &str) -> Desk {
        let mut desk = Desk::new(tag, "", "");
        desk.start_first();
        desk
    }

    /// Starts the daemon and waits for its first start on the folder.
    pub fn start_first(&mut self) {
        self.start(&[]);
        self.wait_log("First start on this folder", WAIT);
    }

    /// Every row of the desk's reply ledger, oldest first.
    pub fn ledger(&self) -> Vec<mailclerk::store::LedgerRow> {
        ledger(&self.dir.path().join("state/desk.sqlite"))
    }

    /// The ledger row of `message_id` (the whole ledger in the failure when there is none).
    pub fn row(&self, message_id: &str) -> mailclerk::store::LedgerRow {
        let rows = self.ledger();
        rows.iter()
            .find(|r| r.message_id == message_id)
            .cloned()
            .unwrap_or_else(|| panic!("no ledger row for {message_id}: {rows:#?}"))
    }

    /// The customer writes to the desk through the MX port; returns the Message-ID.
    pub fn send_request(&self, subject: &str, body: &str, extra_headers: &str) -> String {
        let id = format!("req-{}@customer.example.test", user("m").replace('@', "."));
        let text = format!(
            "From: Ann Customer <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n{extra_headers}\r\n{body}\r\n",
            from = self.customer,
            to = self.support,
        );
        smtp_send(
            &self.stack.host,
            self.stack.smtp_port,
            &self.customer,
            &self.support,
            &text,
        );
        id
    }

    /// How many messages `user` has in `folder` now.
    pub async fn count(&self, user: &str, folder: &str) -> usize {
        read_folder(&self.stack, user, folder).await.len()
    }
}

impl std::ops::Deref for Desk {
    type Target = Daemon;
    fn deref(&self) -> &Daemon {
        &self.daemon
    }
}

impl std::ops::DerefMut for Desk {
    fn deref_mut(&mut self) -> &mut Daemon {
        &mut self.daemon
    }
}

/// Every row of the ledger in `store`, oldest first, read-only (the daemon may be writing it);
/// none before the daemon has created the store.
pub fn ledger(store: &Path) -> Vec<mailclerk::store::LedgerRow> {
    if !store.exists() {
        return Vec::new();
    }
    try_ledger(store).unwrap_or_else(|err| panic!("{}: {err}", store.display()))
}

/// As [`ledger`], with the store's error (a store being created has no schema yet).
pub fn try_ledger(
    store: &Path,
) -> Result<Vec<mailclerk::store::LedgerRow>, mailclerk::store::Error> {
    mailclerk::store::Store::open_read_only(store)?.ledger()
}

/// Minimal SMTP client for the MX port (no auth, no TLS): the "customer's" mail server.
pub fn smtp_send(host: &str, port: u16, from: &str, to: &str, message: &str) {
    use std::io::{BufRead, BufReader, Write};
    let stream = std::net::TcpStream::connect((host, port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    let expect = |code: &str, reader: &mut BufReader<std::net::TcpStream>| loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(
            line.starts_with(code),
            "SMTP: expected {code}, got {line:?}"
        );
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    };
    expect("220", &mut reader);
    for (cmd, code) in [
        ("EHLO customer.example.test".to_string(), "250"),
        (format!("MAIL FROM:<{from}>"), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".into(), "354"),
    ] {
        write!(w, "{cmd}\r\n").unwrap();
        expect(code, &mut reader);
    }
    let body = message.replace("\r\n.", "\r\n..");
    write!(w, "{body}\r\n.\r\n").unwrap();
    expect("250", &mut reader);
    write!(w, "QUIT\r\n").unwrap();
}

/// Every message in `folder` of `user`, as raw bytes, polling until `n` are there.
pub async fn wait_for(
    stack: &Stack,
    user: &str,
    folder: &str,
    n: usize,
    within: Duration,
) -> Vec<Vec<u8>> {
    let started = Instant::now();
    loop {
        let found = read_folder(stack, user, folder).await;
        if found.len() >= n || started.elapsed() > within {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn read_folder(stack: &Stack, user: &str, folder: &str) -> Vec<Vec<u8>> {
    let mut s = Session::connect(&stack.imap(user)).await.unwrap();
    if s.select(folder).await.is_err() {
        return Vec::new();
    }
    let uids = s.uids_from(1).await.unwrap();
    let fetched = s.fetch(&uids, 50_000_000).await.unwrap();
    let _ = s.logout().await;
    fetched.into_iter().filter_map(|f| f.bytes).collect()
}

pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let msg = mail_parser::MessageParser::default().parse(raw)?;
    msg.header_raw(name).map(|v| v.trim().to_string())
}

pub fn body(raw: &[u8]) -> String {
    let msg = mail_parser::MessageParser::default().parse(raw).unwrap();
    msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default()
}

/// How long a test waits for mail to arrive.
pub const WAIT: Duration = Duration::from_secs(20);

/// Waits until Postfix holds nothing more for `address`: all mail sent to it so far is in its
/// mailbox (at most [`WAIT`], then the caller's count decides). A test that checks "no second
/// answer" reads the mailbox after this instead of after a fixed pause, which was both slower
/// and, under load, too short.
pub async fn delivered(address: &str) {
    let needle = format!("\"address\":\"{}\"", address.to_lowercase());
    let started = Instant::now();
    while postqueue().is_some_and(|q| q.to_lowercase().contains(&needle))
        && started.elapsed() < WAIT
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Postfix's queue as `postqueue -j` lists it (one JSON object a line); None when Postfix is
/// down (then nothing can be in flight).
fn postqueue() -> Option<String> {
    let dir = std::env::var("MAILSTACK_DIR").unwrap_or_default();
    let out = Command::new("postqueue")
        .args(["-c", &format!("{dir}/postfix/etc"), "-j"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True when Postfix's queue is empty, or Postfix is down.
pub fn postfix_queue_empty() -> bool {
    postqueue().is_none_or(|q| q.trim().is_empty())
}

/// Waits until the clock is in a later whole second than now: IMAP's INTERNALDATE has whole
/// seconds, so mail delivered before this counts as older than anything that starts after.
pub async fn next_whole_second() {
    let into = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let into = Duration::from_nanos(u64::from(into));
    tokio::time::sleep(Duration::from_secs(1) - into + Duration::from_millis(20)).await;
}

/// Runs `scripts/mailstack ARGS` and asserts it succeeded.
pub fn mailstack(args: &[&str]) {
    let out = Command::new("scripts/mailstack")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/mailstack {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sends `sig` (`TERM`, `HUP`, `STOP`, ...) to process `pid`.
pub fn signal(pid: u32, sig: &str) {
    assert!(
        Command::new("kill")
            .args([&format!("-{sig}"), &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
}

/// Sends SIGTERM to a daemon and waits for it: how long it took to exit, and its status. Kills
/// it and fails (with `log()`) if it is still running after 20 s.
pub fn terminate(
    mut child: Child,
    log: impl Fn() -> String,
) -> (Duration, std::process::ExitStatus) {
    let started = Instant::now();
    signal(child.id(), "TERM");
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (started.elapsed(), status);
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the daemon did not stop within 20 s; log:\n{}", log());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The accounts file (`accounts.csv` in `dir`): `customers` each have a monthly account paid
/// 5 days ago (a refund is due), with ids `A-0`, `A-1`...
pub fn accounts(dir: &Path, customers: &[impl AsRef<str>]) {
    let paid = jiff::Zoned::now()
        .date()
        .checked_sub(jiff::Span::new().days(5))
        .unwrap();
    let mut csv = String::from(
        "account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\n",
    );
    for (i, c) in customers.iter().enumerate() {
        let c = c.as_ref();
        csv.push_str(&format!(
            "A-{i},{c},Customer {i},monthly,{paid},{paid},49.00,49.00,USD\n"
        ));
    }
    std::fs::write(dir.join("accounts.csv"), csv).unwrap();
}

/// A refund request from `from` with Message-ID `id`, as raw mail.
pub fn request(from: &str, to: &str, id: &str, extra: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Refund please\r\nMessage-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n{extra}\r\nHello,\r\n\r\nI would like a refund please.\r\n"
    )
}

/// `n` customers with accounts (`accounts`), each with one refund request waiting in the
/// desk's INBOX (Message-ID `{tag}-{i}@example.test`); returns the customers' addresses.
pub async fn waiting_requests(desk: &Desk, tag: &str, n: usize) -> Vec<String> {
    let customers: Vec<String> = (0..n).map(|i| user(&format!("{tag}{i}"))).collect();
    accounts(desk.dir.path(), &customers);
    let mut imap = Session::connect(&desk.stack.imap(&desk.support))
        .await
        .unwrap();
    for (i, c) in customers.iter().enumerate() {
        let raw = request(c, &desk.support, &format!("{tag}-{i}@example.test"), "");
        imap.append("INBOX", raw.as_bytes(), &[]).await.unwrap();
    }
    let _ = imap.logout().await;
    customers
}
