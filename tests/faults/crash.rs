//! `kill -9` at each step of handling a message, then a restart. The crash points
//! (`MAILCLERK_CRASH_AT=<point>:<n>`, src/fault.rs) abort the process at the n-th time it
//! reaches the point: no destructors, no flushing, sockets closed by the kernel, as with
//! SIGKILL. Run r crashes at the r-th time, so each run gets further than the last, and
//! the crashes land on different messages and kinds. Then a clean run, and the checker.
//! The last test sends real SIGKILLs to a daemon in the middle of a drain.

use std::time::Duration;

use crate::SERVERS;
use crate::support::faults::{Counts, FaultDesk, Setup, print_row};

/// Six requests (refund, cancel, out-of-office, stranger, refund, cancel), two per batch;
/// crash at `point` until a run gets through; then a clean run, and the checker. With
/// `uncertain`, a due answer may have gone to people instead.
async fn crash_and_restart(name: &str, point: &str, uncertain: bool, expected: Counts) {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new(name, 8, Setup::source("batch = 2"));
    desk.uncertain_ok = uncertain;
    desk.first_start();
    desk.send_mix(6);
    desk.wait_delivered(Duration::from_secs(20));
    let mut crashes = 0;
    for run in 1..=12 {
        let at = format!("{point}:{run}");
        let out = desk.once(&[("MAILCLERK_CRASH_AT", &at)]);
        if out.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("crash point {point} reached")),
            "run {run} failed without reaching the crash point:\n{stderr}"
        );
        crashes += 1;
    }
    assert!(crashes >= 1, "{name}: the crash point was never reached");
    let out = desk.once(&[]);
    assert!(
        out.status.success(),
        "clean run after the crashes:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = desk.settle(Duration::from_secs(30)).await;
    print_row(&report, &format!("kill -9 at {point}, {crashes} crashes"));
    report.assert(expected, &desk.log());
    desk.assert_sent_copies();
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_fetch() {
    crash_and_restart(
        "kill9_after_fetch",
        "after_fetch",
        false,
        Counts::clean(6, 4, 1, 1),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_decide() {
    crash_and_restart(
        "kill9_after_decide",
        "after_decide",
        false,
        Counts::clean(6, 4, 1, 1),
    )
    .await;
}

/// Claimed, nothing sent: the restart cannot know that, so the due answers whose claim
/// crashed go to people (never a blind resend); the crashed skip stays a skip.
#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_claim() {
    // Crashes at the claims of request 1 (refund), 3 (skip) and 6 (cancel).
    crash_and_restart(
        "kill9_after_claim",
        "after_claim",
        true,
        Counts::clean(6, 2, 3, 1),
    )
    .await;
}

/// SMTP accepted the reply, the process died before the copy in Sent: the customer has the
/// answer once, and people are told it is uncertain.
#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_send() {
    crash_and_restart(
        "kill9_after_send",
        "after_send",
        false,
        Counts::clean(6, 4, 1, 1),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_sent_copy() {
    crash_and_restart(
        "kill9_after_sent_copy",
        "after_sent_copy",
        false,
        Counts::clean(6, 4, 1, 1),
    )
    .await;
}

/// The batch's copies saved in Sent, not yet forgotten: the restart finds them there (it
/// searches first) and saves none twice.
#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_copy_append() {
    crash_and_restart(
        "kill9_after_copy_append",
        "after_copy_append",
        false,
        Counts::clean(6, 4, 1, 1),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_record() {
    crash_and_restart(
        "kill9_after_record",
        "after_record",
        false,
        Counts::clean(6, 4, 1, 1),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_filing() {
    crash_and_restart(
        "kill9_after_filing",
        "after_filing",
        false,
        Counts::clean(6, 4, 1, 1),
    )
    .await;
}

/// Real SIGKILLs, at whatever the daemon is doing: 0.05 to 0.55 s after each start has
/// connected, up to twelve times, while a backlog of 48 requests drains; then a last start
/// drains the rest. A kill between SMTP's 250 and the ledger record can hand a due answer to
/// people; nothing may be lost or answered twice. The kills are timed from the connection, not
/// from the start: a debug build's start-up on a busy machine took longer than a fixed delay,
/// and every kill landed before the drain began.
#[tokio::test(flavor = "multi_thread")]
async fn kill9_repeatedly_during_a_drain() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("kill9_during_drain", 48, Setup::source("batch = 5"));
    desk.uncertain_ok = true;
    desk.first_start();
    desk.send_mix(48);
    desk.wait_delivered(Duration::from_secs(20));
    // How many requests were handled when each kill landed: kills in mid-drain show as
    // numbers between 0 and 48.
    let mut handled_at_kill = Vec::new();
    for i in 0..12u64 {
        let connected = desk.log().matches("Connected.").count();
        desk.start(&[]);
        desk.wait_log_n("Connected.", connected + 1, Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(50 + (i * 173) % 500)).await;
        if !desk.running() {
            panic!("the daemon exited by itself:\n{}", desk.log());
        }
        desk.kill9();
        let r = desk.check();
        let c = r.counts;
        handled_at_kill.push(c.answered + c.people + c.skipped);
        if c.lost == 0 && r.unfiled == 0 {
            break;
        }
    }
    desk.start(&[]);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        &format!(
            "{} SIGKILLs during a drain, with {handled_at_kill:?} handled",
            handled_at_kill.len()
        ),
    );
    report.assert_safe(&desk.log());
    desk.assert_sent_copies();
    let c = report.counts;
    assert_eq!(
        (c.answered + c.people, c.skipped),
        (36, 12),
        "{c}; every due answer is answered once or with people"
    );
    assert!(
        handled_at_kill.iter().any(|n| (1..48).contains(n)),
        "at least one kill landed mid-drain: {handled_at_kill:?}"
    );
}
