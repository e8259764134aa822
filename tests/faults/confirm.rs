//! The confirmation question under a relay that defers it (issue 16): the question is sent
//! later, not lost, and its token is the one that confirms.

use std::time::Duration;

use crate::POLICY;
use crate::SERVERS;
use crate::policy::Policy;
use crate::support::{Desk, WAIT, body, header, smtp_send, user, wait_for};

/// A desk that asks the account's owner to confirm unverified requests, sending through
/// `submission_port`, retrying every second or two.
fn confirming_desk(tag: &str, submission_port: u16) -> Desk {
    let desk = Desk::with_keys(
        tag,
        "require_authenticated_sender = true\ntrusted_authserv_id = \"mx.example.test\"\nunverified = \"confirm\"",
        "",
        "",
    );
    let config = std::fs::read_to_string(&desk.config).unwrap();
    let config = config
        .replace(
            &format!("port = {}\n", desk.stack.submission_port),
            &format!("port = {submission_port}\n"),
        )
        .replace(
            "\n[mailbox.handling]",
            "timeout_seconds = 10\nretry_first_seconds = 1\nretry_max_seconds = 2\n\n[mailbox.handling]",
        );
    std::fs::write(&desk.config, config).unwrap();
    desk
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deferred_confirmation_question_is_sent_later_and_its_token_confirms() {
    let _port = POLICY.lock().await;
    let _shared = SERVERS.read().await;
    let policy = Policy::start().await;
    let mut desk = confirming_desk("qdefer", policy.submission_port);
    let owner = desk.customer.clone();
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    policy.refuse_all(Some("450 4.2.0 Mailbox busy, try again later (fault test)"));
    // Nothing authenticates the sender: the owner (the same address here) is asked.
    let id = desk.send_request(
        "Refund please",
        "Hello,\r\n\r\nI would like a refund please.",
        "",
    );
    desk.wait_log("Confirmation question deferred", WAIT);
    let row = desk
        .ledger()
        .into_iter()
        .find(|r| r.message_id == id)
        .unwrap();
    assert_eq!(row.state.as_str(), "deferred", "{row:?}");
    assert!(
        row.reason
            .as_deref()
            .unwrap_or_default()
            .contains("the confirmation question was not taken by the relay"),
        "{row:?}"
    );
    // The relay takes mail again: the question goes out on a later pass.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tries = policy.asked(&owner);
    policy.refuse_all(None);
    let question = wait_for(&desk.stack, &owner, "INBOX", 1, WAIT).await;
    assert_eq!(
        question.len(),
        1,
        "the question arrives; log:\n{}",
        desk.log()
    );
    assert!(tries >= 2, "retried while deferred: {tries} attempts");
    let subject = header(&question[0], "Subject").unwrap();
    let question_id = header(&question[0], "Message-ID").unwrap();
    let row = desk
        .ledger()
        .into_iter()
        .find(|r| r.message_id == id)
        .unwrap();
    assert_eq!(
        (row.state.as_str(), row.action.as_deref()),
        ("review", Some("to_human:awaiting_confirmation")),
        "{row:?}"
    );
    // The owner confirms with the token of the question that went out.
    let confirmation = user("yes").replace('@', ".") + "@customer.example.test";
    let text = format!(
        "From: {owner}\r\nTo: {support}\r\nSubject: Re: {subject}\r\nMessage-ID: <{confirmation}>\r\nIn-Reply-To: {question_id}\r\nReferences: {question_id}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYes, that was me.\r\n",
        support = desk.support,
    );
    smtp_send(
        &desk.stack.host,
        desk.stack.smtp_port,
        &owner,
        &desk.support,
        &text,
    );
    let got = wait_for(&desk.stack, &owner, "INBOX", 2, WAIT).await;
    desk.stop();
    assert_eq!(
        got.len(),
        2,
        "the question and the answer; log:\n{}",
        desk.log()
    );
    assert!(
        got.iter()
            .any(|m| body(m).contains("Your refund of 49.00 USD has been approved.")),
        "{}",
        desk.log()
    );
    let row = desk
        .ledger()
        .into_iter()
        .find(|r| r.message_id == confirmation)
        .unwrap();
    assert_eq!(row.state.as_str(), "sent", "{row:?}");
    // The request (to people, awaiting its owner) and the confirmation (answered once); the
    // owner's INBOX holds the question and one answer.
    println!(
        "FIGURES | confirm_question_deferred | 2 | 1 | 1 | 0 | 0 | 0 | Postfix 450 on every RCPT while the question is asked ({tries} attempts), then accepts |"
    );
}
