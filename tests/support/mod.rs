//! The test harness for the daemon against the project's Dovecot + Postfix
//! (`scripts/mailstack up`): a support desk served by the real binary, customers who write
//! through the MX port, and folders read back over IMAP. Each desk has its own users, so tests
//! run in parallel without seeing each other's mail.
#![allow(dead_code)] // shared by two test binaries; each uses part of it

pub mod blackhole;
pub mod pg;
pub mod receiver;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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

/// One support mailbox served by a daemon process, and its customer.
pub struct Desk {
    pub stack: Stack,
    pub support: String,
    pub customer: String,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    child: Option<Child>,
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
        let repo = std::env::current_dir().unwrap();
        // Most desks test delivery, not classification: a plain request must be answered
        // whatever the shipped model's calibration (docs/classifier.md has its own figures). A
        // desk that names its own `auto_answer_threshold` (the hostile run uses the production
        // default) keeps it.
        let threshold = if mailbox_extra.contains("auto_answer_threshold") {
            ""
        } else {
            "auto_answer_threshold = 0.5\n"
        };
        let paid = jiff::Zoned::now()
            .date()
            .checked_sub(jiff::Span::new().days(5))
            .unwrap();
        std::fs::write(
            dir.path().join("accounts.csv"),
            format!("account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\nA-1,{customer},Ann Customer,monthly,{paid},{paid},49.00,49.00,USD\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("password"), &stack.password).unwrap();
        let config = dir.path().join("mailclerk.toml");
        std::fs::write(
            &config,
            format!(
                r#"templates = "{templates}"
state_dir = "{state}"

[[mailbox]]
name = "desk"
address = "{support}"
policy = "{policy}"
accounts_csv = "accounts.csv"
{threshold}{mailbox_extra}

[mailbox.source]
kind = "imap"
host = "{host}"
port = {imaps}
security = "implicit"
ca_file = "{ca}"
user = "{support}"
password_file = "password"
catch_up_seconds = 10
{source_extra}

[mailbox.outbox]
kind = "smtp"
host = "{host}"
port = {submission}
security = "starttls"
ca_file = "{ca}"
user = "{support}"
password_file = "password"

[mailbox.handling]
{handling}
"#,
                templates = repo.join("templates").display(),
                state = dir.path().join("state").display(),
                policy = repo.join("config/policies/notout.toml").display(),
                host = stack.host,
                imaps = stack.imaps_port,
                submission = stack.submission_port,
                ca = stack.ca_file.display(),
            ),
        )
        .unwrap();
        Desk {
            stack,
            support,
            customer,
            dir,
            config,
            child: None,
        }
    }

    /// Starts the daemon (`mailclerk run`), with extra environment.
    pub fn start(&mut self, env: &[(&str, &str)]) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("daemon.log"))
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailclerk"));
        cmd.args(["run", "--config", self.config.to_str().unwrap()])
            .env("RUST_LOG", "mailclerk=info")
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().unwrap());
    }

    /// Runs `mailclerk run --once` to completion.
    pub fn once(&self) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_mailclerk"))
            .args(["run", "--once", "--config", self.config.to_str().unwrap()])
            .env("RUST_LOG", "mailclerk=info")
            .output()
            .unwrap()
    }

    /// Sends SIGTERM and returns how long the daemon took to exit, and its status.
    pub fn stop(&mut self) -> (Duration, std::process::ExitStatus) {
        let child = self.child.take().expect("started");
        terminate(child, || self.log())
    }

    /// Waits for the daemon to exit by itself (e.g. at a crash point).
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("started");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < within,
                "the daemon did not exit; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends a signal to the running daemon.
    pub fn signal(&self, sig: &str) {
        signal(self.child.as_ref().expect("started").id(), sig);
    }

    /// Waits until the daemon's log contains `text`.
    pub fn wait_log(&self, text: &str, within: Duration) {
        let started = Instant::now();
        while !self.log().contains(text) {
            assert!(
                started.elapsed() < within,
                "no {text:?} in the log within {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every row of the desk's reply ledger, oldest first.
    pub fn ledger(&self) -> Vec<mailclerk::store::LedgerRow> {
        mailclerk::store::Store::open(&self.dir.path().join("state/desk.sqlite"))
            .unwrap()
            .ledger()
            .unwrap()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
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
}

impl Drop for Desk {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
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
