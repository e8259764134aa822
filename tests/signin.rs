//! Issue 18's clear failures on the project's Dovecot + Postfix: a wrong SMTP password at run
//! time is an ERROR naming the credential (never a deferral retried for hours), and
//! `mailclerk config check --connect` signs in to every server and says which credential or
//! server fails.

use crate::support::{Desk, WAIT, delivered, read_folder, wait_for};

/// Gives the desk's SMTP outbox a password file of its own (`smtp-password`), holding
/// `password`.
pub(crate) fn smtp_password(desk: &Desk, password: &str) -> std::path::PathBuf {
    let file = desk.dir.path().join("smtp-password");
    std::fs::write(&file, password).unwrap();
    let config = std::fs::read_to_string(&desk.config).unwrap();
    let (head, outbox) = config.split_once("[mailbox.outbox]").unwrap();
    let outbox = outbox.replacen(
        "password_file = \"password\"",
        "password_file = \"smtp-password\"",
        1,
    );
    std::fs::write(&desk.config, format!("{head}[mailbox.outbox]{outbox}")).unwrap();
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_smtp_password_is_an_error_naming_the_file_and_the_reply_waits_until_it_is_fixed_and_reloaded()
 {
    let mut desk = Desk::new("smtp535", "", "");
    let file = smtp_password(&desk, "not the password");
    let metrics = crate::metrics::start_with_metrics(&mut desk);
    desk.wait_log("First start on this folder", WAIT);
    let id = desk.send_request("Refund please", "I would like a refund please.", "");
    desk.wait_log("refused the sign-in", WAIT);
    let log = desk.log();
    let line = log
        .lines()
        .find(|l| l.contains("refused the sign-in"))
        .unwrap();
    assert!(line.contains("ERROR"), "{line}");
    assert!(line.contains("Mailbox desk"), "{line}");
    assert!(
        line.contains(&file.display().to_string()),
        "names the password file: {line}"
    );
    assert!(line.contains("password_file"), "names the key: {line}");
    assert!(line.contains("fix "), "says what to do: {line}");
    assert!(!log.contains("Reply deferred"), "not a deferral:\n{log}");
    assert!(!log.contains("handed to people"), "{log}");
    // Counted where the alert rule (MailclerkSignInFailing) looks.
    let (_, text) = crate::metrics::get(&metrics, "/metrics");
    assert!(
        crate::metrics::sample(
            &text,
            r#"mailclerk_sign_in_failures_total{mailbox="desk",service="smtp"}"#
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert_eq!(
        crate::metrics::sample(&text, r#"mailclerk_smtp_up{mailbox="desk"}"#),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        crate::metrics::sample(
            &text,
            r#"mailclerk_sign_in_refused{mailbox="desk",service="smtp"}"#
        ),
        Some(1.0),
        "the state the alert rule reads: {text}"
    );
    // The daemon waits out its sign-in back-off (a minute): nothing went out meanwhile.
    waits_for_the_relay(&desk, &id).await;

    // The operator fixes the file and reloads (systemctl reload): answered, once.
    std::fs::write(&file, &desk.stack.password).unwrap();
    desk.signal("HUP");
    desk.wait_log("Configuration reloaded", WAIT);
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "answered; log:\n{}", desk.log());
    // The relay took the reply: the refusal is over and the alert resolves.
    let (_, text) = crate::metrics::get(&metrics, "/metrics");
    assert_eq!(
        crate::metrics::sample(
            &text,
            r#"mailclerk_sign_in_refused{mailbox="desk",service="smtp"}"#
        ),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        wait_for(&desk.stack, &desk.support, "mailclerk/answered", 1, WAIT)
            .await
            .len(),
        1
    );
    let (_, status) = desk.stop();
    assert!(status.success(), "{status:?}\n{}", desk.log());
    delivered(&desk.customer).await;
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1,
        "exactly one answer"
    );
}

/// A `--once` run (a cron job, a systemd timer) whose relay refuses the sign-in fails with a
/// status a scheduler sees, says why, and leaves the request in the INBOX for the next run.
#[tokio::test(flavor = "multi_thread")]
async fn a_once_run_whose_relay_refuses_the_sign_in_exits_non_zero_and_the_request_waits() {
    let desk = Desk::new("once535", "", "");
    let file = smtp_password(&desk, "not the password");
    desk.once_ok();
    let id = desk.send_request("Refund please", "I would like a refund please.", "");
    let out = desk.once(&[]);
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("refused the sign-in"), "{log}");
    assert!(
        log.contains(&file.display().to_string()),
        "names the password file: {log}"
    );
    waits_for_the_relay(&desk, &id).await;

    // Fixed, the next run answers it once and succeeds.
    std::fs::write(&file, &desk.stack.password).unwrap();
    desk.once_ok();
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "answered; log:\n{}", desk.log());
}

/// A refused relay sign-in left request `id` waiting: deferred in the ledger for that reason,
/// nothing at the customer, the request still in the INBOX.
async fn waits_for_the_relay(desk: &Desk, id: &str) {
    let rows = desk.ledger();
    let row = rows.iter().find(|r| r.message_id == id).unwrap();
    assert_eq!(
        row.state,
        mailclerk::store::LedgerState::Deferred,
        "{row:?}"
    );
    assert!(
        row.reason
            .as_deref()
            .unwrap_or("")
            .contains("sign-in refused"),
        "{row:?}"
    );
    assert!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .is_empty(),
        "nothing went out"
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "INBOX").await.len(),
        1,
        "the request waits in the INBOX"
    );
}

/// `mailclerk config check --connect`: its exit status and what it printed.
fn connect_check(desk: &Desk) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(["config", "check", "--connect", "--config"])
        .arg(&desk.config)
        .output()
        .unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A port on this machine where nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Replaces `port = N` in the config section that starts with `section`.
fn set_port(desk: &Desk, section: &str, port: u16) {
    let config = std::fs::read_to_string(&desk.config).unwrap();
    let (head, rest) = config.split_once(section).unwrap();
    let start = rest.find("\nport = ").unwrap() + 1;
    let end = start + rest[start..].find('\n').unwrap();
    let rest = format!("{}port = {port}{}", &rest[..start], &rest[end..]);
    std::fs::write(&desk.config, format!("{head}{section}{rest}")).unwrap();
}

#[test]
fn config_check_connect_signs_in_and_names_the_credential_or_server_that_fails() {
    type Setup = fn(&Desk);
    /// Name, what goes wrong, exit status, what the output says and what it must not say.
    type Case = (
        &'static str,
        Setup,
        i32,
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: [Case; 6] = [
        (
            "good credentials",
            |_| {},
            0,
            &[
                "mailbox desk: OK",
                "IMAP",
                "signed in with mailbox[0].source.password_file (",
                "opened \"INBOX\"",
                "not there yet (mailclerk creates them): \"mailclerk/answered\"",
                "SMTP",
                "signed in with mailbox[0].outbox.password_file (",
                "nothing sent",
                "Every server took its credentials.",
            ],
            &["FAILED"],
        ),
        (
            "wrong IMAP password",
            |desk| {
                smtp_password(desk, &desk.stack.password);
                std::fs::write(desk.dir.path().join("password"), "wrong").unwrap();
            },
            69,
            &[
                "mailbox desk: FAILED",
                "FAILED: the server refused the sign-in (",
                "check mailbox[0].source.password_file (",
                "/password)",
                "signed in with mailbox[0].outbox.password_file (",
                "sign-in or connection failed for mailbox(es): desk",
            ],
            &["FAILED: the relay"],
        ),
        (
            "wrong SMTP password",
            |desk| {
                smtp_password(desk, "wrong");
            },
            69,
            &[
                "mailbox desk: FAILED",
                "signed in with mailbox[0].source.password_file (",
                "FAILED: the relay refused the sign-in (",
                "535",
                "check mailbox[0].outbox.password_file (",
                "/smtp-password)",
            ],
            &[],
        ),
        (
            "nothing listening",
            |desk| {
                set_port(desk, "[mailbox.source]", closed_port());
                set_port(desk, "[mailbox.outbox]", closed_port());
            },
            69,
            &[
                "IMAP   127.0.0.1:",
                "FAILED: cannot connect (",
                "check host and port",
                "check host, port and security, and that the relay runs",
            ],
            &["signed in"],
        ),
        (
            "a configuration error is not a connection failure",
            |desk| {
                let config = std::fs::read_to_string(&desk.config).unwrap();
                std::fs::write(&desk.config, format!("{config}\nbogus_key = 1\n")).unwrap();
            },
            78,
            &["bogus_key"],
            &["mailbox desk:"],
        ),
        (
            "draft mode uses no relay",
            |desk| {
                smtp_password(desk, "wrong");
                let config = std::fs::read_to_string(&desk.config).unwrap();
                let config = config.replace(
                    "[mailbox.handling]\n",
                    "[mailbox.handling]\nmode = \"draft\"\n",
                );
                std::fs::write(&desk.config, config).unwrap();
            },
            0,
            &[
                "mailbox desk: OK",
                "not tried: this mode sends nothing",
                "\"Drafts\"",
            ],
            &["FAILED"],
        ),
    ];
    for (name, setup, status, said, not_said) in cases {
        let desk = Desk::new("connect", "", "");
        setup(&desk);
        let (code, out) = connect_check(&desk);
        assert_eq!(code, Some(status), "{name}:\n{out}");
        for s in said {
            assert!(out.contains(s), "{name}: no {s:?} in:\n{out}");
        }
        for s in not_said {
            assert!(!out.contains(s), "{name}: {s:?} in:\n{out}");
        }
    }
}
