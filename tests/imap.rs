//! The IMAP client against the project's real Dovecot and Postfix (`scripts/mailstack up`, then
//! `eval "$(scripts/mailstack env)"`). Each test logs in as its own fresh user, so they run in
//! parallel and a rerun never sees an earlier run's mail. Without the stack they fail, naming
//! the command that starts it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mailclerk::intake::imap::{Error, IdleOutcome, ImapSettings, Security, Session};
use tokio::sync::watch;

struct Stack {
    host: String,
    imap_port: u16,
    imaps_port: u16,
    smtp_port: u16,
    ca_file: PathBuf,
    password: String,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set. The IMAP tests need the project's mail stack: run \
             `scripts/mailstack up` and `eval \"$(scripts/mailstack env)\"`, then test again."
        )
    })
}

fn port(name: &str) -> u16 {
    let value = var(name);
    value
        .parse()
        .unwrap_or_else(|_| panic!("{name}={value:?} is not a port number"))
}

fn stack() -> Stack {
    Stack {
        host: var("MAILCLERK_IMAP_HOST"),
        imap_port: port("MAILCLERK_IMAP_PORT"),
        imaps_port: port("MAILCLERK_IMAPS_PORT"),
        smtp_port: port("MAILCLERK_SMTP_PORT"),
        ca_file: PathBuf::from(var("MAILCLERK_CA_FILE")),
        password: var("MAILCLERK_TEST_PASSWORD"),
    }
}

/// A user no other test (or earlier run) has touched: the stack accepts any local part.
fn fresh_user(name: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = Timestamp::now().subsec_nanosecond();
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!(
        "imap-{name}-{}-{n}-{nanos:x}@example.test",
        std::process::id()
    )
}

fn settings(st: &Stack, user: &str) -> ImapSettings {
    ImapSettings {
        host: st.host.clone(),
        port: st.imaps_port,
        security: Security::Implicit,
        ca_file: Some(st.ca_file.clone()),
        user: user.to_owned(),
        password: st.password.clone(),
        timeout: Duration::from_secs(5),
    }
}

async fn connect(st: &Stack, user: &str) -> Session {
    Session::connect(&settings(st, user))
        .await
        .unwrap_or_else(|e| panic!("IMAPS login as {user}: {e:?}"))
}

/// Sends a message through the stack's MX port and returns its Message-ID (without `<>`).
async fn deliver(st: &Stack, to: &str, subject: &str, body: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let id = format!(
        "{}.{}.{}@test.mailclerk",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        Timestamp::now().as_nanosecond()
    );
    let raw = format!(
        "From: Customer <customer@example.test>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
         Message-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    );
    let envelope = Envelope::new(
        Some("customer@example.test".parse().unwrap()),
        vec![to.parse().unwrap()],
    )
    .unwrap();
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(st.host.as_str())
        .port(st.smtp_port)
        .build()
        .send_raw(&envelope, raw.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("SMTP delivery to {to}: {e}"));
    id
}

/// Waits (polling, ~ms per round) until the selected INBOX holds `n` messages.
async fn wait_for_messages(s: &mut Session, n: usize) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        s.noop().await.unwrap();
        let uids = s.uids_from(1).await.unwrap();
        if uids.len() >= n {
            return uids;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} messages arrived",
            uids.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A fresh user with `subjects.len()` delivered messages and a session with INBOX selected.
async fn mailbox_with(st: &Stack, name: &str, subjects: &[&str]) -> (String, Session) {
    let user = fresh_user(name);
    for subject in subjects {
        deliver(st, &user, subject, "Hello.").await;
    }
    let mut s = connect(st, &user).await;
    s.select("INBOX").await.unwrap();
    wait_for_messages(&mut s, subjects.len()).await;
    (user, s)
}

async fn doveadm(args: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/mailstack");
    let out = tokio::process::Command::new(script)
        .arg("doveadm")
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{script} doveadm {args:?}: {e}"));
    assert!(
        out.status.success(),
        "scripts/mailstack doveadm {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn flags(user: &str, folder: &str, uid: u32) -> String {
    let uid = uid.to_string();
    let cmd = ["fetch", "-u", user, "flags", "mailbox", folder, "uid", &uid];
    doveadm(&cmd).await
}

#[tokio::test]
async fn imaps_login_trusts_the_stack_ca() {
    let st = stack();
    let mut s = connect(&st, &fresh_user("imaps")).await;
    assert!(s.can_idle() && s.can_move(), "Dovecot offers IDLE and MOVE");
    let state = s.select("INBOX").await.unwrap();
    assert_eq!(state.exists, 0);
    s.logout().await.unwrap();
}

#[tokio::test]
async fn starttls_and_loopback_plain_log_in() {
    let st = stack();
    let user = fresh_user("starttls");
    for security in [Security::StartTls, Security::Plain] {
        let mut cfg = settings(&st, &user);
        cfg.port = st.imap_port;
        cfg.security = security;
        let mut s = Session::connect(&cfg)
            .await
            .unwrap_or_else(|e| panic!("{security:?}: {e:?}"));
        s.select("INBOX").await.unwrap();
        s.logout().await.unwrap();
    }
}

#[tokio::test]
async fn wrong_password_is_a_login_error_not_transient() {
    let st = stack();
    let mut cfg = settings(&st, &fresh_user("badpass"));
    cfg.password = "not-the-password".into();
    let err = Session::connect(&cfg).await.unwrap_err();
    assert!(matches!(err, Error::Login { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(!err.to_string().contains("not-the-password"), "{err}");
}

#[tokio::test]
async fn a_server_our_roots_do_not_trust_is_a_tls_error() {
    let st = stack();
    let user = fresh_user("untrusted");
    for (security, port) in [
        (Security::Implicit, st.imaps_port),
        (Security::StartTls, st.imap_port),
    ] {
        let mut cfg = settings(&st, &user);
        cfg.security = security;
        cfg.port = port;
        cfg.ca_file = None; // the public web PKI only: the stack's own CA is unknown
        let err = Session::connect(&cfg).await.unwrap_err();
        assert!(matches!(err, Error::Tls { .. }), "{security:?}: {err:?}");
        assert!(!err.is_transient());
    }
}

#[tokio::test]
async fn plain_imap_is_refused_for_remote_hosts() {
    let cfg = ImapSettings {
        host: "imap.example.com".into(),
        port: 143,
        security: Security::Plain,
        ca_file: None,
        user: "u".into(),
        password: "p".into(),
        timeout: Duration::from_secs(1),
    };
    let err = Session::connect(&cfg).await.unwrap_err();
    assert!(matches!(err, Error::PlainNotLocal { .. }), "{err:?}");
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_silent_server_times_out_and_a_closed_port_fails_to_connect() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = listener.local_addr().unwrap().port();
    let _hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock); // accept, never speak
        }
    });
    for security in [Security::Plain, Security::Implicit] {
        let cfg = ImapSettings {
            host: "127.0.0.1".into(),
            port: silent_port,
            security,
            ca_file: None,
            user: "u".into(),
            password: "p".into(),
            timeout: Duration::from_millis(300),
        };
        let started = Instant::now();
        let err = Session::connect(&cfg).await.unwrap_err();
        assert!(
            matches!(err, Error::Timeout { .. }),
            "{security:?}: {err:?}"
        );
        assert!(err.is_transient());
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = ImapSettings {
        host: "127.0.0.1".into(),
        port: closed_port,
        security: Security::Plain,
        ca_file: None,
        user: "u".into(),
        password: "p".into(),
        timeout: Duration::from_secs(1),
    };
    let err = Session::connect(&cfg).await.unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn select_gives_uidvalidity_and_uids_from_ignores_the_star_quirk() {
    let st = stack();
    let (_user, mut s) = mailbox_with(&st, "select", &["one", "two"]).await;
    let state = s.select("INBOX").await.unwrap();
    assert!(state.uid_validity > 0);
    assert_eq!((state.exists, state.uid_next), (2, 3));
    assert_eq!(s.uids_from(0).await.unwrap(), [1, 2]);
    assert_eq!(s.uids_from(2).await.unwrap(), [2]);
    // `UID SEARCH UID 3:*` returns UID 2 (the last message); nothing is new.
    assert_eq!(s.uids_from(3).await.unwrap(), Vec::<u32>::new());
    let err = s.select("No such folder").await.unwrap_err();
    assert!(matches!(err, Error::NoSuchFolder { .. }), "{err:?}");
    assert!(!err.is_transient());
    let err = s.uids_from(1).await.unwrap_err();
    assert!(matches!(err, Error::NotSelected { .. }), "{err:?}");
}

#[tokio::test]
async fn fetch_returns_bytes_and_internaldate_without_setting_seen() {
    let st = stack();
    let (user, mut s) = mailbox_with(&st, "fetch", &["Refund please"]).await;
    let got = s.fetch(&[1, 99], 1 << 20).await.unwrap();
    assert_eq!(got.len(), 1, "UID 99 does not exist: {got:?}");
    let m = &got[0];
    assert_eq!(m.uid, 1);
    let bytes = m.bytes.as_deref().expect("small message downloaded");
    assert_eq!(bytes.len() as u64, m.size);
    assert!(String::from_utf8_lossy(bytes).contains("Subject: Refund please"));
    let age = Timestamp::now().duration_since(m.internal_date).abs();
    assert!(
        age < SignedDuration::from_mins(5),
        "INTERNALDATE {}",
        m.internal_date
    );
    let seen = flags(&user, "INBOX", 1).await;
    assert!(!seen.contains("\\Seen"), "fetch set \\Seen: {seen}");
    assert!(s.fetch(&[], 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn messages_over_the_size_limit_are_not_downloaded() {
    let st = stack();
    let user = fresh_user("size");
    deliver(&st, &user, "small", "short").await;
    let line = "x".repeat(76);
    let big_body = vec![line.as_str(); 300].join("\r\n");
    deliver(&st, &user, "big", &big_body).await;
    let mut s = connect(&st, &user).await;
    s.select("INBOX").await.unwrap();
    wait_for_messages(&mut s, 2).await;
    let got = s.fetch(&[2, 1], 10_000).await.unwrap();
    assert_eq!(got.iter().map(|m| m.uid).collect::<Vec<_>>(), [1, 2]);
    // Delivery order is Postfix's choice, so tell them apart by size.
    let (big, small): (Vec<_>, Vec<_>) = got.iter().partition(|m| m.size > 10_000);
    assert_eq!((big.len(), small.len()), (1, 1), "{got:?}");
    assert_eq!(big[0].bytes, None);
    assert!(small[0].bytes.is_some());
}

#[tokio::test]
async fn move_creates_the_folder_and_leaves_other_messages() {
    let st = stack();
    let (_user, mut s) = mailbox_with(&st, "move", &["a", "b", "c"]).await;
    // Postfix may deliver out of submission order: remember which message UID 2 is.
    let uid2 = s.fetch(&[2], 1 << 20).await.unwrap().remove(0).bytes;
    s.move_uids(&[2], "mailclerk-handled").await.unwrap();
    assert_eq!(s.uids_from(1).await.unwrap(), [1, 3]);
    s.move_uids(&[], "mailclerk-handled").await.unwrap();
    let moved = s.select("mailclerk-handled").await.unwrap();
    assert_eq!(moved.exists, 1);
    let got = s.fetch(&[1], 1 << 20).await.unwrap();
    assert_eq!(got[0].bytes, uid2);
}

#[tokio::test]
async fn without_move_only_the_moved_uids_are_expunged() {
    let st = stack();
    let (user, mut s) = mailbox_with(&st, "copymove", &["a", "b", "c"]).await;
    // Another client marked UID 1 deleted but has not expunged it: it must survive our move.
    let deleted = [
        "flags",
        "add",
        "-u",
        &user,
        "\\Deleted",
        "mailbox",
        "INBOX",
        "uid",
        "1",
    ];
    doveadm(&deleted).await;
    s.disable_move_for_tests();
    s.move_uids(&[2], "Archive").await.unwrap();
    s.noop().await.unwrap();
    assert_eq!(s.uids_from(1).await.unwrap(), [1, 3]);
    assert_eq!(s.select("Archive").await.unwrap().exists, 1);
}

#[tokio::test]
async fn keywords_are_added() {
    let st = stack();
    let (user, mut s) = mailbox_with(&st, "keyword", &["a", "b"]).await;
    s.add_keyword(&[2], "$mailclerk-answered").await.unwrap();
    assert!(
        flags(&user, "INBOX", 2)
            .await
            .contains("$mailclerk-answered")
    );
    assert!(
        !flags(&user, "INBOX", 1)
            .await
            .contains("$mailclerk-answered")
    );
    let err = s.add_keyword(&[1], "two words").await.unwrap_err();
    assert!(matches!(err, Error::BadInput { .. }), "{err:?}");
}

#[tokio::test]
async fn append_to_sent_then_find_its_message_id() {
    let st = stack();
    let (user, mut s) = mailbox_with(&st, "sent", &["a", "b"]).await;
    let reply = b"From: support@example.test\r\nTo: customer@example.test\r\n\
                  Subject: Re: a\r\nMessage-ID: <reply-1@mailclerk.test>\r\n\r\nDone.\r\n";
    s.append("Sent", reply, &["\\Seen"]).await.unwrap();
    s.append("Drafts", reply, &["\\Draft"]).await.unwrap();
    assert!(flags(&user, "Sent", 1).await.contains("\\Seen"));
    assert!(flags(&user, "Drafts", 1).await.contains("\\Draft"));

    assert!(
        s.find_message_id("Sent", "<reply-1@mailclerk.test>")
            .await
            .unwrap()
    );
    assert!(
        s.find_message_id("Sent", "reply-1@mailclerk.test")
            .await
            .unwrap()
    );
    assert!(
        !s.find_message_id("Sent", "<reply-2@mailclerk.test>")
            .await
            .unwrap()
    );
    assert!(
        !s.find_message_id("Sent", "<reply-1@mailclerk>")
            .await
            .unwrap()
    );
    assert!(!s.find_message_id("Never created", "<x@y>").await.unwrap());
    // INBOX (two messages) is selected again, not Sent (one).
    assert_eq!(s.uids_from(1).await.unwrap(), [1, 2]);
    s.move_uids(&[1], "Sent").await.unwrap(); // and read-write again
    assert_eq!(s.uids_from(1).await.unwrap(), [2]);
}

#[tokio::test]
async fn idle_wakes_soon_after_a_delivery() {
    let st = stack();
    let (user, s) = mailbox_with(&st, "idle", &[]).await;
    let (_tx, mut rx) = watch::channel(false);
    let sender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        deliver(&stack(), &user, "wake up", "Hello.").await;
        Instant::now()
    });
    let (mut s, outcome) = s.idle(Duration::from_secs(10), &mut rx).await.unwrap();
    let woke = Instant::now();
    let delivered = sender.await.unwrap();
    assert_eq!(outcome, IdleOutcome::Changed);
    let latency = woke.saturating_duration_since(delivered);
    assert!(
        latency < Duration::from_secs(2),
        "woke {latency:?} after delivery"
    );
    assert_eq!(s.uids_from(1).await.unwrap(), [1]);
}

#[tokio::test]
async fn idle_times_out_cleanly_and_stops_on_shutdown() {
    let st = stack();
    let (_user, s) = mailbox_with(&st, "idle-quiet", &[]).await;
    let (tx, mut rx) = watch::channel(false);

    let started = Instant::now();
    let (mut s, outcome) = s.idle(Duration::from_secs(1), &mut rx).await.unwrap();
    assert_eq!(outcome, IdleOutcome::TimedOut);
    assert!(started.elapsed() < Duration::from_secs(3));
    s.noop().await.unwrap();

    let flip = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.send(true).unwrap();
        tx
    });
    let started = Instant::now();
    let (mut s, outcome) = s.idle(Duration::from_secs(20), &mut rx).await.unwrap();
    assert_eq!(outcome, IdleOutcome::Shutdown);
    assert!(started.elapsed() < Duration::from_secs(2));
    s.noop().await.unwrap();
    let _tx = flip.await.unwrap();
    // Already shut down: returns at once, without idling.
    let (s, outcome) = s.idle(Duration::from_secs(20), &mut rx).await.unwrap();
    assert_eq!(outcome, IdleOutcome::Shutdown);
    s.logout().await.unwrap();
}

#[tokio::test]
async fn a_uidvalidity_change_is_seen_by_select() {
    let st = stack();
    let (user, mut s) = mailbox_with(&st, "uidvalidity", &["a"]).await;
    let before = s.select("INBOX").await.unwrap().uid_validity;
    s.logout().await.unwrap();
    let changed = (before + 1000).to_string();
    doveadm(&[
        "mailbox",
        "update",
        "-u",
        &user,
        "--uid-validity",
        &changed,
        "INBOX",
    ])
    .await;
    let mut s = connect(&st, &user).await;
    let after = s.select("INBOX").await.unwrap();
    assert_eq!(after.uid_validity, before + 1000);
}

#[tokio::test]
async fn a_kick_during_idle_is_a_transient_error() {
    let st = stack();
    let (user, s) = mailbox_with(&st, "kick", &[]).await;
    let (_tx, mut rx) = watch::channel(false);
    let kicked = user.clone();
    let kicker = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        doveadm(&["kick", &kicked]).await;
    });
    let err = s.idle(Duration::from_secs(10), &mut rx).await.unwrap_err();
    kicker.await.unwrap();
    assert!(err.is_transient(), "{err:?}");
    assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    // And the daemon's answer, reconnecting, works.
    connect(&st, &user).await.logout().await.unwrap();
}

/// The daemon spawns tasks around these futures; this fails to compile if one is not `Send`.
#[allow(dead_code)]
fn session_futures_are_send(mut s: Session, rx: &mut watch::Receiver<bool>) {
    fn send<T: Send>(_: T) {}
    send(Session::connect(&settings(&stack(), "u")));
    send(s.select("INBOX"));
    send(s.uids_from(1));
    send(s.fetch(&[1], 1));
    send(s.ensure_folder("x"));
    send(s.move_uids(&[1], "x"));
    send(s.add_keyword(&[1], "k"));
    send(s.append("x", b"", &[]));
    send(s.find_message_id("x", "y"));
    send(s.noop());
    send(s.idle(Duration::from_secs(1), rx));
}

/// Mail that arrives while other commands run is announced with their answers and never again
/// in IDLE: the session remembers it until the next UID SEARCH, so the daemon looks before
/// idling (a missed announcement left a request waiting for the 5-minute catch-up).
#[tokio::test]
async fn new_mail_announced_between_commands_is_remembered_until_the_next_search() {
    let st = stack();
    let (user, mut s) = mailbox_with(&st, "announce", &["first"]).await;
    s.uids_from(1).await.unwrap();
    assert!(!s.mail_announced());
    deliver(&st, &user, "second", "Hello again.").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while !s.mail_announced() {
        assert!(Instant::now() < deadline, "no EXISTS within 5 s");
        s.noop().await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(s.uids_from(1).await.unwrap().len(), 2);
    assert!(!s.mail_announced());
}
