//! The daemon end to end against the project's Dovecot + Postfix: the real binary, real mail
//! through the MX port, answers read back over IMAP. Scenarios of one shape are a table of
//! named cases over one runner; each case is a test of its own (so they run in parallel) and
//! names itself in every failure message.

use std::process::Command;
use std::time::Duration;

use crate::support::{
    Desk, WAIT, body, delivered, header, next_whole_second, read_folder, tag, wait_for,
    waiting_requests,
};

/// One `#[tokio::test]` per case: `name: args...;` calls `runner("name", args...)`.
macro_rules! cases {
    ($runner:ident { $($name:ident: $($arg:expr),+;)+ }) => {$(
        #[tokio::test(flavor = "multi_thread")]
        async fn $name() {
            $runner(stringify!($name), $($arg),+).await
        }
    )+};
}

/// A running daemon (IDLE, or polling when `source` says so) answers one request exactly once:
/// threaded, marked as an automatic reply, with a copy in Sent and the request filed; it stops
/// promptly on SIGTERM and sends nothing more.
async fn answers_while_running(name: &str, source: &str, subject: &str, text: &str, says: &str) {
    let mut desk = Desk::new(&tag(name), source, "");
    desk.start(&[]);
    // Mail that arrives before the first start is old mail, never answered: send once the
    // first pass (which takes the position) is done.
    desk.wait_event("pass_done", 1, WAIT);
    let id = desk.send_request(subject, text, "");
    let answered = desk.wait_event("answered", 1, WAIT);
    assert_eq!(answered["message_id"], id.as_str(), "{name}: {answered}");
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "{name}: one answer; log:\n{}", desk.log());
    let reply = &replies[0];
    assert_eq!(
        header(reply, "In-Reply-To").as_deref(),
        Some(format!("<{id}>").as_str()),
        "{name}"
    );
    assert_eq!(
        header(reply, "Auto-Submitted").as_deref(),
        Some("auto-replied"),
        "{name}"
    );
    assert_eq!(
        header(reply, "X-Auto-Response-Suppress").as_deref(),
        Some("All"),
        "{name}"
    );
    let re = header(reply, "Subject").unwrap();
    assert!(re.starts_with(&format!("Re: {subject}")), "{name}: {re}");
    assert!(body(reply).contains(says), "{name}: {}", body(reply));
    let sent = wait_for(&desk.stack, &desk.support, "Sent", 1, WAIT).await;
    assert_eq!(sent.len(), 1, "{name}: a copy in Sent");
    assert_eq!(
        header(&sent[0], "Message-ID"),
        header(reply, "Message-ID"),
        "{name}"
    );
    let filed = wait_for(&desk.stack, &desk.support, "mailclerk/answered", 1, WAIT).await;
    assert_eq!(
        filed.len(),
        1,
        "{name}: the request is filed; log:\n{}",
        desk.log()
    );
    assert_eq!(desk.count(&desk.support, "INBOX").await, 0, "{name}");
    let (took, status) = desk.stop();
    assert!(
        status.success(),
        "{name}: exit status {status:?}; log:\n{}",
        desk.log()
    );
    assert!(
        took < Duration::from_secs(5),
        "{name}: SIGTERM took {took:?}"
    );
    delivered(&desk.customer).await;
    assert_eq!(
        desk.count(&desk.customer, "INBOX").await,
        1,
        "{name}: still exactly one answer"
    );
    assert_eq!(
        desk.count_events("answered"),
        1,
        "{name}: {:?}",
        desk.events()
    );
}

cases! { answers_while_running {
    idle_answers_a_refund_request_once_with_threading_and_files_it: "", "Refund please",
        "Hello, I would like a refund of my subscription.",
        "Your refund of 49.00 USD has been approved.";
    polling_mode_answers_too: "idle = false\npoll_seconds = 1", "Cancel",
        "Please cancel my subscription.", "Your cancellation is confirmed.";
}}

/// The daemon aborts at `crash_at` while answering one request; run again, it answers nothing
/// twice: the customer keeps the one reply that went out, and `folder` of the support mailbox
/// holds `filed` messages.
async fn crash_then_run_again(name: &str, crash_at: &str, folder: &str, filed: usize) {
    let mut desk = Desk::new(&tag(name), "", "");
    desk.once_ok();
    desk.send_request("Refund please", "I want a refund.", "");
    desk.start(&[("MAILCLERK_CRASH_AT", crash_at)]);
    let status = desk.wait_exit(WAIT);
    assert!(!status.success(), "{name}: aborted at the crash point");
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT)
            .await
            .len(),
        1,
        "{name}: the reply went out"
    );
    let log = desk.once_ok();
    delivered(&desk.customer).await;
    assert_eq!(
        desk.count(&desk.customer, "INBOX").await,
        1,
        "{name}: no second answer; log:\n{log}"
    );
    assert_eq!(
        desk.count(&desk.support, folder).await,
        filed,
        "{name}: {folder}; log:\n{log}"
    );
}

cases! { crash_then_run_again {
    // The claim was never recorded and the reply is not in Sent, so people decide: the request,
    // and beside it the exact reply that went out (daemon_corners).
    kill_between_send_and_record_never_answers_twice: "after_send", "mailclerk/people", 2;
    // Found in Sent: answered.
    kill_after_the_sent_copy_counts_as_answered: "after_sent_copy", "mailclerk/answered", 1;
}}

#[tokio::test(flavor = "multi_thread")]
async fn draft_mode_saves_the_reply_and_sends_nothing() {
    let desk = Desk::new("draft", "", "mode = \"draft\"");
    // First start: takes the position; nothing there yet.
    desk.once_ok();
    desk.send_request("Refund please", "I want a refund.", "");
    wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT).await;
    let log = desk.once_ok();
    let drafts = read_folder(&desk.stack, &desk.support, "Drafts").await;
    assert_eq!(drafts.len(), 1, "{log}");
    assert!(body(&drafts[0]).contains("Your refund of 49.00 USD has been approved."));
    delivered(&desk.customer).await;
    assert_eq!(
        desk.count(&desk.customer, "INBOX").await,
        0,
        "nothing went out"
    );
    assert_eq!(
        desk.count(&desk.support, "mailclerk/people").await,
        1,
        "a person sends the draft"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_replies_and_bounces_get_no_answer() {
    let desk = Desk::new("auto", "", "");
    desk.once_ok();
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
    wait_for(&desk.stack, &desk.support, "INBOX", 2, WAIT).await;
    let log = desk.once_ok();
    assert_eq!(
        desk.count(&desk.support, "mailclerk/skipped").await,
        2,
        "{log}"
    );
    delivered(&desk.customer).await;
    assert_eq!(desk.count(&desk.customer, "INBOX").await, 0, "{log}");
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
    next_whole_second().await;
    let log = desk.once_ok();
    assert_eq!(
        desk.count(&desk.support, "INBOX").await,
        50,
        "old mail is left for people; log:\n{log}"
    );
    delivered(&desk.customer).await;
    assert_eq!(
        desk.count(&desk.customer, "INBOX").await,
        0,
        "nothing answered; log:\n{log}"
    );
    // New mail after the first start is answered.
    desk.send_request("Refund now", "I want a refund.", "");
    wait_for(&desk.stack, &desk.support, "INBOX", 51, WAIT).await;
    desk.once_ok();
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
    desk.once_ok();
    desk.send_request("Refund please", "I want a refund.", "");
    wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT).await;
    desk.once_ok();
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
    let log = desk.once_ok();
    assert!(log.contains("UIDVALIDITY changed"), "{log}");
    delivered(&desk.customer).await;
    assert_eq!(
        desk.count(&desk.customer, "INBOX").await,
        1,
        "no second answer"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_keeps_the_running_config_when_the_new_one_is_broken_then_reloads_a_good_one() {
    let mut desk = Desk::new("hup", "", "");
    desk.start(&[]);
    desk.wait_event("pass_done", 1, WAIT);
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
    let log = desk.once_ok();
    assert_eq!(
        wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT)
            .await
            .len(),
        1,
        "{log}"
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
    let log = desk.once_ok();
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
    assert_eq!(desk.count(&desk.support, "mailclerk/answered").await, 7);
    assert_eq!(desk.count(&desk.support, "INBOX").await, 0);
}
