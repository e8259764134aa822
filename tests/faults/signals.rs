//! SIGTERM in the middle of a batch: the message in hand is finished, the process exits 0
//! within 5 s, and a restart handles the rest.

use std::time::Duration;

use crate::SERVERS;
use crate::support::faults::{Counts, FaultDesk, Outcome, Setup, print_row};

const WAIT: Duration = Duration::from_secs(20);

/// SIGTERM while the second message of a batch is between its claim and its reply (held there
/// by a pause point): that reply still goes out, the process exits 0 in time, and the
/// messages after it are untouched until the restart.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_batch_finishes_the_message_in_hand() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("sigterm_mid_batch", 6, Setup::default());
    desk.first_start();
    let requests = desk.send_mix(6);
    desk.wait_delivered(WAIT);
    desk.start(&[
        ("MAILCLERK_PAUSE_AT", "after_claim:2"),
        ("MAILCLERK_PAUSE_MS", "1500"),
    ]);
    desk.wait_log("pause point after_claim reached", WAIT);
    let (took, status) = desk.stop();
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        desk.log()
    );
    assert!(took < Duration::from_secs(5), "SIGTERM took {took:?}");
    let after_stop = desk.check();
    assert_eq!(
        after_stop.outcome_of(&requests[1].id),
        Outcome::Answered,
        "the message in hand was finished; log:\n{}",
        desk.log()
    );
    // The batch was claimed at once; nothing after the message in hand was acted on, and the
    // restart below (another process, same boot) takes those claims over and answers them.
    let acted_on = desk
        .ledger()
        .values()
        .filter(|(state, _)| state != "claimed")
        .count();
    assert_eq!(
        acted_on,
        2,
        "nothing after it was acted on: {:?}",
        desk.ledger()
    );
    let out = desk.once(&[]);
    assert!(out.status.success());
    let report = desk.settle(Duration::from_secs(30)).await;
    print_row(
        &report,
        &format!(
            "SIGTERM with message 2 of 6 in hand; exit 0 after {} ms",
            took.as_millis()
        ),
    );
    report.assert(Counts::clean(6, 4, 1, 1), &desk.log());
}

/// SIGTERM during a drain, at whatever the daemon is doing; then a restart.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_a_drain() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("sigterm_during_drain", 20, Setup::source("batch = 5"));
    desk.uncertain_ok = true;
    desk.first_start();
    desk.send_mix(20);
    desk.wait_delivered(WAIT);
    desk.start(&[]);
    let started = std::time::Instant::now();
    while desk.check().counts.answered == 0 {
        assert!(started.elapsed() < WAIT, "{}", desk.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (took, status) = desk.stop();
    assert!(status.success(), "{status:?}; log:\n{}", desk.log());
    assert!(took < Duration::from_secs(5), "SIGTERM took {took:?}");
    desk.start(&[]);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        &format!(
            "SIGTERM during a drain; exit 0 after {} ms",
            took.as_millis()
        ),
    );
    report.assert(Counts::clean(20, 10, 5, 5), &desk.log());
}
