//! The relay refusing: Postfix answering 4xx (retried with backoff, answered once), 5xx (to
//! people with the reason), and down for longer than the retry window. The refusals come from
//! the real Postfix, told what to say by the test's policy server (`policy.rs`).

use std::time::Duration;

use crate::policy::Policy;
use crate::support::faults::{Counts, Expect, FaultDesk, Setup, print_row};
use crate::support::mailstack;
use crate::{POLICY, Restart, SERVERS};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn relay_4xx_is_retried_with_backoff_and_answered_once() {
    let _port = POLICY.lock().await;
    let _shared = SERVERS.read().await;
    let policy = Policy::start().await;
    let setup = Setup {
        submission_port: Some(policy.submission_port),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new("relay_4xx_retried", 4, setup);
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    policy.refuse_all(Some("450 4.2.0 Mailbox busy, try again later (fault test)"));
    let requests = desk.send_mix(4);
    desk.wait_log_n("Reply deferred", 4, WAIT);
    assert_eq!(desk.check().counts.answered, 0, "nothing went out yet");
    policy.refuse_all(None);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    let attempts = policy.asked(&requests[0].customer);
    print_row(
        &report,
        &format!(
            "Postfix 450 on every RCPT, then accepts; {attempts} attempts for the first reply"
        ),
    );
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
    assert!(attempts >= 5, "retried: {attempts} attempts");
    assert!(
        desk.log().contains("Relay unavailable; replies wait"),
        "{}",
        desk.log()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn relay_5xx_hands_the_request_to_people_with_the_reason() {
    let _port = POLICY.lock().await;
    let _shared = SERVERS.read().await;
    let policy = Policy::start().await;
    let setup = Setup {
        submission_port: Some(policy.submission_port),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new("relay_5xx_to_people", 4, setup);
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    policy.refuse_all(Some("550 5.7.1 Recipient refused by policy (fault test)"));
    let requests = desk.send_mix(4);
    for r in &requests[..2] {
        desk.expect(&r.id, Expect::People);
    }
    let report = desk.settle(Duration::from_secs(60)).await;
    policy.refuse_all(None);
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "Postfix 550 on every RCPT");
    report.assert(Counts::clean(4, 0, 3, 1), &desk.log());
    let ledger = desk.ledger();
    for r in &requests[..2] {
        let (state, reason) = &ledger[&r.id];
        assert_eq!(state, "failed");
        assert!(
            reason.as_deref().unwrap_or("").contains("5.7.1"),
            "the reason names the refusal: {reason:?}"
        );
        assert_eq!(policy.asked(&r.customer), 1, "a 5xx is never retried");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postfix_down_briefly_is_retried_and_answered_once() {
    let _only = SERVERS.write().await;
    let mut desk = FaultDesk::new("postfix_down_briefly", 4, Setup::default());
    desk.first_start();
    desk.send_mix(4);
    desk.wait_delivered(WAIT);
    let restart = Restart("start-postfix");
    mailstack(&["stop-postfix"]);
    desk.start(&[]);
    desk.wait_log_n("Reply deferred", 2, WAIT);
    drop(restart);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "Postfix down ~3 s, within the retry window");
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn postfix_down_longer_than_the_retry_window_hands_the_replies_to_people() {
    let _only = SERVERS.write().await;
    let mut setup = Setup::default();
    setup.outbox.push_str("retry_window_seconds = 4\n");
    let mut desk = FaultDesk::new("postfix_down_past_window", 4, setup);
    desk.first_start();
    let requests = desk.send_mix(4);
    for r in &requests[..2] {
        desk.expect(&r.id, Expect::People);
    }
    desk.wait_delivered(WAIT);
    let restart = Restart("start-postfix");
    mailstack(&["stop-postfix"]);
    desk.start(&[]);
    let during = desk.settle(Duration::from_secs(40)).await;
    drop(restart);
    // Postfix is back: nothing handed to people may be sent after all.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let report = desk.settle(Duration::from_secs(30)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "Postfix down longer than retry_window_seconds = 4");
    during.assert(Counts::clean(4, 0, 3, 1), &desk.log());
    report.assert(Counts::clean(4, 0, 3, 1), &desk.log());
    let ledger = desk.ledger();
    for r in &requests[..2] {
        let (_, reason) = &ledger[&r.id];
        assert!(
            reason.as_deref().unwrap_or("").contains("retry window"),
            "{reason:?}"
        );
    }
}
