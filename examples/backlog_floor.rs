//! Helpers for `bench/backlog` and `bench/memory`, against the mail stack of
//! `eval "$(scripts/mailstack env)"`:
//!
//! ```text
//! backlog_floor accounts --count N [--paid YYYY-MM-DD]         accounts CSV on stdout
//! backlog_floor maildir --dir D --count N [--all-kinds] [--seed S]
//!                                                              the corpus as a Maildir (D/cur), for
//!                                                              `doveadm import` (APPEND costs an
//!                                                              fsync per message)
//! backlog_floor floor --user U --count N [--batch B] [--seed S]
//!                                                              the I/O floor of a backlog drain
//! ```
//!
//! The floor does only the I/O that `mailclerk run --once` must do for the same mailbox, with
//! nothing in between: log in, fetch every message (in batches of `--batch`, like the daemon),
//! send one pre-rendered reply per message over ONE SMTP connection (submission, STARTTLS,
//! AUTH once, then MAIL/RCPT/DATA per reply), and move every message to `floor/answered`.
//! The corpus is `bench/corpus.rs` with a fixed seed, so every mailbox gets the same bytes.

#[path = "../bench/corpus.rs"]
mod corpus;

use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use mailclerk::intake::imap::{ImapSettings, Security, Session};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("{name} is not set: eval \"$(scripts/mailstack env)\" first");
        std::process::exit(2)
    })
}

struct Args {
    cmd: String,
    user: String,
    count: usize,
    seed: u64,
    batch: usize,
    all_kinds: bool,
    dir: String,
    paid: String,
}

fn args() -> Args {
    let mut a = Args {
        cmd: String::new(),
        user: String::new(),
        count: 2000,
        seed: 5,
        batch: 100,
        all_kinds: false,
        dir: String::new(),
        paid: String::new(),
    };
    let mut it = std::env::args().skip(1);
    a.cmd = it.next().unwrap_or_default();
    while let Some(flag) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match flag.as_str() {
            "--user" => a.user = value(),
            "--count" => a.count = value().parse().expect("--count N"),
            "--seed" => a.seed = value().parse().expect("--seed N"),
            "--batch" => a.batch = value().parse().expect("--batch N"),
            "--dir" => a.dir = value(),
            "--paid" => a.paid = value(),
            "--all-kinds" => a.all_kinds = true,
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn corpus_options(a: &Args) -> corpus::Options {
    corpus::Options {
        count: a.count,
        seed: a.seed,
        requests_only: !a.all_kinds,
        support: "support@notoutcrm.com",
        customer_domain: "customer.example",
    }
}

fn imap_settings(user: &str) -> ImapSettings {
    ImapSettings {
        host: env("MAILCLERK_IMAP_HOST"),
        port: env("MAILCLERK_IMAPS_PORT").parse().unwrap(),
        security: Security::Implicit,
        ca_file: Some(env("MAILCLERK_CA_FILE").into()),
        user: user.into(),
        password: env("MAILCLERK_TEST_PASSWORD"),
        timeout: Duration::from_secs(60),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a = args();
    match a.cmd.as_str() {
        "accounts" => {
            let paid = if a.paid.is_empty() {
                jiff::Zoned::now()
                    .date()
                    .checked_sub(jiff::Span::new().days(5))
                    .unwrap()
                    .to_string()
            } else {
                a.paid.clone()
            };
            print!("{}", corpus::accounts_csv(&corpus_options(&a), &paid));
        }
        "maildir" => maildir(&a),
        "floor" => floor(&a).await,
        _ => {
            eprintln!("usage: backlog_floor accounts|maildir|floor ... (see the source's header)");
            std::process::exit(2);
        }
    }
}

fn maildir(a: &Args) {
    let cur = std::path::Path::new(&a.dir).join("cur");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(std::path::Path::new(&a.dir).join(sub)).unwrap();
    }
    let messages = corpus::generate(&corpus_options(a));
    for (i, m) in messages.iter().enumerate() {
        // Maildir names sort by their time part; the UIDs follow the corpus order.
        let name = format!(
            "{}.M{i:07}P1.bench,S={}:2,",
            1_700_000_000 + i,
            m.bytes.len()
        );
        std::fs::write(cur.join(name), &m.bytes).unwrap();
    }
    eprintln!("wrote {} messages to {}", messages.len(), cur.display());
}

/// A reply of the size and shape of mailclerk's (headers, threading, a 700-byte body), built
/// before the clock starts.
fn rendered_reply(m: &corpus::Message, i: usize) -> (Envelope, Vec<u8>) {
    let from: lettre::Address = "support@notoutcrm.com".parse().unwrap();
    let to: lettre::Address = m.from.parse().unwrap();
    let body = "Dear customer,\r\n\r\nWe have refunded your first payment of 49.00 USD, as our \
                One-Month Full Refund Guarantee promises.\r\n"
        .repeat(5);
    let text = format!(
        "From: NotOut CRM <support@notoutcrm.com>\r\nTo: {to}\r\nSubject: Re: your request\r\n\
         Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <floor-{i}@notoutcrm.com>\r\n\
         In-Reply-To: <{id}>\r\nReferences: <{id}>\r\nAuto-Submitted: auto-replied\r\n\
         X-Auto-Response-Suppress: All\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}",
        id = m.message_id
    );
    (
        Envelope::new(Some(from), vec![to]).unwrap(),
        text.into_bytes(),
    )
}

async fn smtp_connect(user: &str) -> AsyncSmtpConnection {
    let host = env("MAILCLERK_IMAP_HOST");
    let port: u16 = env("MAILCLERK_SUBMISSION_PORT").parse().unwrap();
    let pem = std::fs::read(env("MAILCLERK_CA_FILE")).unwrap();
    let tls = TlsParameters::builder(host.clone())
        .add_root_certificate(Certificate::from_pem(&pem).unwrap())
        .build_rustls()
        .unwrap();
    let hello = ClientId::Domain("floor.example.test".into());
    // TCP_NODELAY: lettre writes the body and the final "." separately; with Nagle's
    // algorithm the second write waits for the server's delayed ACK (40 ms a message).
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .unwrap();
    tcp.set_nodelay(true).unwrap();
    let mut c = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
        .await
        .unwrap();
    c.starttls(tls, &hello).await.unwrap();
    c.auth(
        &[Mechanism::Plain],
        &Credentials::new(user.into(), env("MAILCLERK_TEST_PASSWORD")),
    )
    .await
    .unwrap();
    c
}

async fn floor(a: &Args) {
    let messages = corpus::generate(&corpus_options(a));
    let replies: std::collections::HashMap<String, (Envelope, Vec<u8>)> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.message_id.clone(), rendered_reply(m, i)))
        .collect();
    drop(messages);
    let started = Instant::now();
    let mut imap = Session::connect(&imap_settings(&a.user)).await.unwrap();
    let mut smtp = smtp_connect(&a.user).await;
    imap.select("INBOX").await.unwrap();
    let uids = imap.uids_from(1).await.unwrap();
    let (mut fetch_t, mut send_t, mut move_t) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut sent = 0;
    for chunk in uids.chunks(a.batch) {
        let t = Instant::now();
        let fetched = imap.fetch(chunk, 10_000_000).await.unwrap();
        fetch_t += t.elapsed();
        let t = Instant::now();
        for f in &fetched {
            // The reply is looked up by the request's Message-ID, the least a responder must
            // read of a message.
            let bytes = f.bytes.as_deref().unwrap_or_default();
            let id = find_message_id(bytes).expect("every corpus message has a Message-ID");
            let (envelope, reply) = &replies[id];
            smtp.send(envelope, reply).await.unwrap();
            sent += 1;
        }
        send_t += t.elapsed();
        let t = Instant::now();
        let moved: Vec<u32> = fetched.iter().map(|f| f.uid).collect();
        imap.move_uids(&moved, "floor/answered").await.unwrap();
        move_t += t.elapsed();
    }
    let _ = smtp.quit().await;
    let _ = imap.logout().await;
    println!(
        "floor: {} messages fetched, {sent} replies sent, moved; {:.2} s (fetch {:.2} s, send {:.2} s, move {:.2} s)",
        uids.len(),
        started.elapsed().as_secs_f64(),
        fetch_t.as_secs_f64(),
        send_t.as_secs_f64(),
        move_t.as_secs_f64()
    );
}

fn find_message_id(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(4096)];
    let line = head
        .split(|b| *b == b'\n')
        .find(|l| l.len() > 11 && l[..11].eq_ignore_ascii_case(b"message-id:"))?;
    let id = std::str::from_utf8(&line[11..]).ok()?;
    Some(id.trim().trim_start_matches('<').trim_end_matches('>'))
}
