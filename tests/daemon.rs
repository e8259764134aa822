//! The daemon end to end against the project's Dovecot + Postfix: the real binary, real mail
//! through the MX port, answers read back over IMAP.

use std::process::Command;
use std::time::Duration;

use crate::support::{
    Desk, WAIT, body, header, read_folder, wait_event, wait_for, waiting_requests,
};

#[tokio::test(flavor = "multi_thread")]
async fn idle_answers_a_refund_request_once_with_threading_and_files_it() {
    let mut desk = Desk::new("idle", "", "");
    desk.start(&[]);
    // Mail that arrives before the first start is old mail, never answered: the first pass
    // is done once the start is taken.
    wait_event(&desk.events(), |e| e["event"] == "pass_done", WAIT);
    let id = desk.send_request(
        "Refund please",
        "Hello, I would like a refund of my subscription.",
        "",
    );
    let answered = |e: &serde_json::Value| e["event"] == "answered" && e["message_id"] == *id;
    wait_event(&desk.events(), answered, WAIT);
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "one answer; daemon log:\n{}", desk.log());
    let reply = &replies[0];
    assert_eq!(
        header(reply, "In-Reply-To").as_deref(),
        Some(format!("<{id}>").as_str())
    );
    assert_eq!(
        header(reply, "Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    assert_eq!(
        header(reply, "X-Auto-Response-Suppress").as_deref(),
        Some("All")
    );
    assert!(
        header(reply, "Subject")
            .unwrap()
            .starts_with("Re: Refund please")
    );
    assert!(
        body(reply).contains("Your refund of 49.00 USD has been approved."),
        "{}",
        body(reply)
    );
    let sent = wait_for(&desk.stack, &desk.support, "Sent", 1, WAIT).await;
    assert_eq!(sent.len(), 1, "a copy in Sent");
    assert_eq!(header(&sent[0], "Message-ID"), header(reply, "Message-ID"));
    let filed = wait_for(&desk.stack, &desk.support, "mailclerk/answered", 1, WAIT).await;
    assert_eq!(filed.len(), 1, "the request is filed; log:\n{}", desk.log());
    assert!(
        read_folder(&desk.stack, &desk.support, "INBOX")
            .await
            .is_empty()
    );
    let (took, status) = desk.stop();
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        desk.log()
    );
    assert!(took < Duration::from_secs(5), "SIGTERM took {took:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1,
        "still exactly one answer"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_mode_answers_too() {
    let mut desk = Desk::new("poll", "idle = false\npoll_seconds = 1", "");
    desk.start(&[]);
    // Mail that arrives before the first start is old mail, never answered.
    wait_event(&desk.events(), |e| e["event"] == "pass_done", WAIT);
    desk.send_request("Cancel", "Please cancel my subscription.", "");
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "log:\n{}", desk.log());
    assert!(
        body(&replies[0]).contains("Your cancellation is confirmed."),
        "{}",
        body(&replies[0])
    );
    desk.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn draft_mode_saves_the_reply_and_sends_nothing() {
    let desk = Desk::new("draft", "", "mode = \"draft\"");
    // First start: takes the position; nothing there yet.
    assert!(desk.once().status.success());
    desk.send_request("Refund please", "I want a refund.", "");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let out = desk.once();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let drafts = read_folder(&desk.stack, &desk.support, "Drafts").await;
    assert_eq!(drafts.len(), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(body(&drafts[0]).contains("Your refund of 49.00 USD has been approved."));
    assert!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .is_empty(),
        "nothing went out"
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "mailclerk/people")
            .await
            .len(),
        1,
        "a person sends the draft"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_replies_and_bounces_get_no_answer() {
    let desk = Desk::new("auto", "", "");
    assert!(desk.once().status.success());
    desk.send_request(
        "Out of office: refund",
        "I am away. About the refund: back Monday.",
        "Auto-Submitted: auto-replied\r\n",
    );
    let bounce = format!(
        "From: MAILER-DAEMON@mx.customer.example.test\r\nTo: {to}\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-{to}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nYour message about a refund could not be delivered.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.example.test\r\n\r\nFinal-Recipient: rfc822; x@customer.example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n",
        to = desk.support
    );
    crate::support::smtp_send(
        &desk.stack.host,
        desk.stack.smtp_port,
        "",
        &desk.support,
        &bounce,
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let out = desk.once();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "mailclerk/skipped")
            .await
            .len(),
        2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn first_start_answers_none_of_the_old_mail() {
    let desk = Desk::new("old", "", "");
    for i in 0..50 {
        desk.send_request(&format!("Refund {i}"), "I want a refund.", "");
    }
    // All 50 must be delivered before the first start, and in an earlier whole second: the
    // cut-off compares INTERNALDATE (whole seconds), so mail of the start's own second counts
    // as new and is rightly answered. A fixed 500 ms pause allowed both on a loaded machine.
    wait_for(&desk.stack, &desk.support, "INBOX", 50, WAIT).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let out = desk.once();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "INBOX").await.len(),
        50,
        "old mail is left for people"
    );
    assert!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .is_empty(),
        "nothing answered"
    );
    // New mail after the first start is answered.
    desk.send_request("Refund now", "I want a refund.", "");
    wait_for(&desk.stack, &desk.support, "INBOX", 51, WAIT).await;
    assert!(desk.once().status.success());
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT)
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uidvalidity_change_answers_nothing_twice() {
    let desk = Desk::new(
        "uidv",
        "",
        "mode = \"send\"\nfiling = { keywords_only = true }",
    );
    assert!(desk.once().status.success());
    desk.send_request("Refund please", "I want a refund.", "");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(desk.once().status.success());
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT)
            .await
            .len(),
        1
    );
    let status = Command::new("scripts/mailstack")
        .args([
            "doveadm",
            "mailbox",
            "update",
            "-u",
            &desk.support,
            "--uid-validity",
            "4242",
            "INBOX",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let out = desk.once();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("UIDVALIDITY changed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1,
        "no second answer"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_between_send_and_record_never_answers_twice() {
    let mut desk = Desk::new("kill", "", "");
    assert!(desk.once().status.success());
    desk.send_request("Refund please", "I want a refund.", "");
    desk.start(&[("MAILCLERK_CRASH_AT", "after_send")]);
    let status = desk.wait_exit(WAIT);
    assert!(!status.success(), "aborted at the crash point");
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT)
            .await
            .len(),
        1,
        "the reply went out"
    );
    // Restart without the crash point: the claim was never recorded and the reply is not in
    // Sent, so people decide; the customer gets no second answer.
    let out = desk.once();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1,
        "no second answer"
    );
    // The request, and beside it the exact reply that went out (daemon_corners).
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "mailclerk/people")
            .await
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_after_the_sent_copy_counts_as_answered() {
    let mut desk = Desk::new("killsent", "", "");
    assert!(desk.once().status.success());
    desk.send_request("Refund please", "I want a refund.", "");
    desk.start(&[("MAILCLERK_CRASH_AT", "after_sent_copy")]);
    desk.wait_exit(WAIT);
    let out = desk.once();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "mailclerk/answered")
            .await
            .len(),
        1,
        "found in Sent: answered"
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1,
        "no second answer"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_keeps_the_running_config_when_the_new_one_is_broken_then_reloads_a_good_one() {
    let mut desk = Desk::new("hup", "", "");
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let good = std::fs::read_to_string(&desk.config).unwrap();
    std::fs::write(&desk.config, format!("{good}\nbogus_key = 1\n")).unwrap();
    desk.signal("HUP");
    desk.wait_log("New configuration rejected", WAIT);
    desk.send_request("Refund please", "I want a refund.", "");
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT)
            .await
            .len(),
        1,
        "still answering; log:\n{}",
        desk.log()
    );
    std::fs::write(&desk.config, &good).unwrap();
    desk.signal("HUP");
    desk.wait_log("Configuration reloaded", WAIT);
    desk.send_request("Cancel", "Please cancel my subscription.", "");
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 2, WAIT)
            .await
            .len(),
        2,
        "answering after the reload; log:\n{}",
        desk.log()
    );
    let (took, status) = desk.stop();
    assert!(
        status.success() && took < Duration::from_secs(5),
        "{status:?} after {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_cut_off_answers_mail_received_since_then_on_first_start() {
    let since = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .unwrap();
    let desk = Desk::new("since", &format!("answer_since = \"{since}\""), "");
    desk.send_request("Refund please", "I want a refund.", "");
    assert_eq!(
        wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT)
            .await
            .len(),
        1
    );
    let out = desk.once();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT)
            .await
            .len(),
        1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A backlog drained in several batches: each batch's copies in Sent are saved on a second
/// connection while the next batch is answered. Every reply goes out once, has exactly one
/// copy in Sent, and every request is filed.
#[tokio::test(flavor = "multi_thread")]
async fn a_backlog_in_several_batches_has_one_copy_of_each_reply_in_sent() {
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let desk = Desk::new(
        "batches",
        &format!("batch = 2\nanswer_since = \"{since}\""),
        "",
    );
    let customers = waiting_requests(&desk, "bat", 7).await;
    let out = desk.once();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("second connection"), "{log}");
    let mut reply_ids = Vec::new();
    for c in &customers {
        let got = read_folder(&desk.stack, c, "INBOX").await;
        assert_eq!(got.len(), 1, "{c}: one answer; log:\n{log}");
        reply_ids.push(header(&got[0], "Message-ID").unwrap());
    }
    let mut sent_ids: Vec<String> = read_folder(&desk.stack, &desk.support, "Sent")
        .await
        .iter()
        .map(|m| header(m, "Message-ID").unwrap())
        .collect();
    sent_ids.sort();
    reply_ids.sort();
    assert_eq!(
        sent_ids, reply_ids,
        "exactly one copy of each reply in Sent"
    );
    assert_eq!(
        read_folder(&desk.stack, &desk.support, "mailclerk/answered")
            .await
            .len(),
        7
    );
    assert!(
        read_folder(&desk.stack, &desk.support, "INBOX")
            .await
            .is_empty()
    );
}
