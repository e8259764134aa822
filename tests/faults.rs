//! Faults that disturb the shared mail stack (Dovecot or Postfix stopped and started again).
//! A test binary of its own: cargo runs test binaries one after another, so these never pull
//! the servers out from under the parallel tests of the main integration binary. Within this
//! binary the tests take turns (one lock), since each stops a shared server.

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use support::{Desk, WAIT, body, mailstack, read_folder, wait_for};

/// Starts the server again when dropped, so a failing test never leaves the stack broken for
/// the tests after it.
struct Restart(&'static str);

impl Drop for Restart {
    fn drop(&mut self) {
        let _ = std::process::Command::new("scripts/mailstack")
            .arg(self.0)
            .status();
    }
}

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread")]
async fn dovecot_restart_during_idle_reconnects_and_answers_what_arrived_meanwhile() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut desk = Desk::new("dovecot", "", "");
    desk.start(&[]);
    // Mail that arrives before the first start is old mail, never answered.
    desk.wait_log("First start on this folder", WAIT);
    let restart = Restart("start-dovecot");
    mailstack(&["stop-dovecot"]);
    // Mail arrives while the IMAP server is down: Postfix queues it and delivers on restart.
    desk.send_request("Refund please", "I would like a refund.", "");
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(restart);
    let replies = wait_for(
        &desk.stack,
        &desk.customer,
        "INBOX",
        1,
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        replies.len(),
        1,
        "answered after the reconnect; log:\n{}",
        desk.log()
    );
    assert!(body(&replies[0]).contains("Your refund of 49.00 USD has been approved."));
    let (_, status) = desk.stop();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn postfix_down_while_sending_is_retried_and_answered_once_it_is_back() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut desk = Desk::new("postfix", "", "");
    assert!(desk.once().status.success());
    desk.send_request("Cancel", "Please cancel my subscription.", "");
    // The request must be in the mailbox before the relay goes away.
    assert_eq!(
        wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT)
            .await
            .len(),
        1
    );
    let restart = Restart("start-postfix");
    mailstack(&["stop-postfix"]);
    desk.start(&[]);
    // The reply waits while the relay is down (a loaded machine may take a while to get there).
    desk.wait_log("deferred", Duration::from_secs(30));
    drop(restart);
    let replies = wait_for(
        &desk.stack,
        &desk.customer,
        "INBOX",
        1,
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        replies.len(),
        1,
        "answered once the relay is back; log:\n{}",
        desk.log()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        read_folder(&desk.stack, &desk.customer, "INBOX")
            .await
            .len(),
        1,
        "exactly once"
    );
    let (_, status) = desk.stop();
    assert!(status.success());
}
