//! The billing hand-off through the real daemon, against a real HTTP receiver on 127.0.0.1
//! (`support::receiver`): accepted, refused, 5xx then accepted, timeouts past the give-up
//! window, and `kill -9` at each new step (`before_billing`, `after_billing_call`,
//! `after_billing_accepted`). The checker accounts for every request as everywhere in this
//! suite; on top, every answered refund or cancellation reached billing under exactly one key
//! (the receiver counts by key, as a real billing side dedupes), and no request billing
//! refused got a reply.

use std::time::Duration;

use crate::SERVERS;
use crate::support::faults::{Counts, Expect, FaultDesk, Kind, Setup, print_row};
use crate::support::receiver::{Answer, Receiver};

/// A desk whose `[mailbox.billing]` points at `receiver`, with `extra` billing lines.
fn desk(name: &str, receiver: &Receiver, extra: &str) -> FaultDesk {
    let mut desk = FaultDesk::new(name, 8, Setup::source("batch = 2"));
    let lines = receiver.config(desk.dir.path(), extra);
    desk.reconfigure(|s| {
        s.handling.push('\n');
        s.handling.push_str(&lines);
    });
    desk
}

/// The requests that change money or an account (refunds and cancellations).
fn billable(desk: &FaultDesk) -> Vec<String> {
    desk.requests
        .iter()
        .filter(|r| matches!(r.kind, Kind::Refund | Kind::Cancel))
        .map(|r| r.id.clone())
        .collect()
}

/// Each billable request reached billing under exactly one key, with valid signatures, and
/// nothing else reached it.
fn assert_one_key_each(desk: &FaultDesk, receiver: &Receiver) {
    receiver.settle();
    let by = receiver.by_message();
    let ids = billable(desk);
    for id in &ids {
        let (keys, calls) = by
            .get(id)
            .unwrap_or_else(|| panic!("{id} never reached billing: {by:?}"));
        assert_eq!(keys.len(), 1, "{id}: {calls} calls under keys {keys:?}");
    }
    assert_eq!(by.len(), ids.len(), "{by:?}");
    assert!(receiver.calls().iter().all(|c| c.signature_ok));
}

async fn once_and_check(desk: &mut FaultDesk, expected: Counts, note: &str) {
    let out = desk.once(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = desk.settle(Duration::from_secs(30)).await;
    print_row(&report, note);
    report.assert(expected, &desk.log());
    desk.assert_sent_copies();
}

#[tokio::test(flavor = "multi_thread")]
async fn billing_accepted_then_answered() {
    let _shared = SERVERS.read().await;
    let receiver = Receiver::start(|_, _| Answer::now(200));
    let mut desk = desk("billing_accepted", &receiver, "");
    desk.first_start();
    desk.send_mix(4);
    desk.wait_delivered(Duration::from_secs(20));
    once_and_check(&mut desk, Counts::clean(4, 2, 1, 1), "billing accepts").await;
    assert_one_key_each(&desk, &receiver);
    assert_eq!(receiver.calls().len(), 2);
    trail_through_the_daemon(&desk, &receiver);
}

fn mailclerk(desk: &FaultDesk, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(args)
        .args(["--config", desk.config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `explain`, `decisions` and `replay` on what the daemon handled: the billing call in the
/// trace, its key in the export, and the filed folders read back over IMAP (EXAMINE).
fn trail_through_the_daemon(desk: &FaultDesk, receiver: &Receiver) {
    let refund = desk
        .requests
        .iter()
        .find(|r| r.kind == Kind::Refund)
        .unwrap();
    let key = receiver
        .calls()
        .iter()
        .find(|c| c.body["message_id"] == refund.id.as_str())
        .unwrap()
        .key
        .clone();
    let explained = mailclerk(desk, &["explain", &refund.id]);
    for want in [
        "classified  refund".to_string(),
        format!(
            "billing     webhook {} accepted after 1 try under Idempotency-Key {key}",
            receiver.url
        ),
        "reply       sent to ".to_string(),
        "filing      answered: moved to folder".to_string(),
        "billing accepted ".to_string(),
        "reply attempted ".to_string(),
    ] {
        assert!(
            explained.contains(&want),
            "missing {want:?} in:\n{explained}"
        );
    }
    let json = mailclerk(
        desk,
        &["decisions", "--since", "2026-01-01", "--format", "json"],
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 2, "{json}");
    let row = rows
        .iter()
        .find(|r| r["message_id"] == refund.id.as_str())
        .unwrap();
    assert_eq!(row["billing_state"], "accepted");
    assert_eq!(row["billing_key"], key.as_str());
    assert_eq!(row["refund_amount"], "49.00");
    let replay = mailclerk(
        desk,
        &["replay", "--mailbox", "desk", "--since", "2026-01-01"],
    );
    assert!(
        replay.contains("4 message(s) replayed: 4 unchanged, 0 changed"),
        "{replay}"
    );
    // Read-only: the calls and the replies are as they were.
    assert_eq!(receiver.calls().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn billing_refused_goes_to_people_without_a_reply() {
    let _shared = SERVERS.read().await;
    let receiver = Receiver::start(|_, _| Answer::now(409));
    let mut desk = desk("billing_refused", &receiver, "");
    desk.first_start();
    desk.send_mix(4);
    for id in billable(&desk) {
        desk.expect(&id, Expect::People);
    }
    desk.wait_delivered(Duration::from_secs(20));
    once_and_check(
        &mut desk,
        Counts::clean(4, 0, 3, 1),
        "billing 409 on every call",
    )
    .await;
    assert_one_key_each(&desk, &receiver);
    let ledger = desk.ledger();
    for id in billable(&desk) {
        let (state, reason) = &ledger[&id];
        assert_eq!(state, "review");
        let reason = reason.as_deref().unwrap_or_default();
        assert!(
            reason.starts_with("billing did not accept the action") && reason.contains("409"),
            "{reason}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn billing_5xx_then_accepted() {
    let _shared = SERVERS.read().await;
    let receiver = Receiver::start(|_, n| Answer::now(if n <= 2 { 503 } else { 200 }));
    let mut desk = desk(
        "billing_5xx_then_ok",
        &receiver,
        "retries = 3\nbackoff_ms = 50",
    );
    desk.first_start();
    desk.send_mix(4);
    desk.wait_delivered(Duration::from_secs(20));
    once_and_check(
        &mut desk,
        Counts::clean(4, 2, 1, 1),
        "503 twice per key, then 200",
    )
    .await;
    assert_one_key_each(&desk, &receiver);
    assert_eq!(receiver.calls().len(), 6);
}

/// Slow answers inside the timeout are waited for; a receiver that never answers in time,
/// past the give-up window, sends the requests to people.
#[tokio::test(flavor = "multi_thread")]
async fn billing_slow_answers_and_timeouts_past_the_window() {
    let _shared = SERVERS.read().await;
    let slow = Receiver::start(|_, _| Answer::after(200, 800));
    let mut desk1 = desk("billing_slow", &slow, "timeout_seconds = 5");
    desk1.first_start();
    desk1.send_mix(4);
    desk1.wait_delivered(Duration::from_secs(20));
    once_and_check(&mut desk1, Counts::clean(4, 2, 1, 1), "answers after 0.8 s").await;
    assert_one_key_each(&desk1, &slow);

    let hung = Receiver::start(|_, _| Answer::after(200, 3000));
    let mut desk2 = desk(
        "billing_timeouts",
        &hung,
        "timeout_seconds = 0.3\nretries = 1\nbackoff_ms = 10\ngive_up_seconds = 0",
    );
    desk2.first_start();
    desk2.send_mix(4);
    for id in billable(&desk2) {
        desk2.expect(&id, Expect::People);
    }
    desk2.wait_delivered(Duration::from_secs(20));
    once_and_check(
        &mut desk2,
        Counts::clean(4, 0, 3, 1),
        "never answers within 0.3 s; give_up_seconds = 0",
    )
    .await;
    assert_one_key_each(&desk2, &hung);
}

/// `kill -9` at `point` until a run gets through, then a clean run: one key per decision,
/// every due answer sent once.
async fn crash_at(name: &str, point: &str) {
    let _shared = SERVERS.read().await;
    let receiver = Receiver::start(|_, _| Answer::now(200));
    let mut desk = desk(name, &receiver, "");
    desk.first_start();
    desk.send_mix(6);
    desk.wait_delivered(Duration::from_secs(20));
    let mut crashes = 0;
    for run in 1..=8 {
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
    once_and_check(
        &mut desk,
        Counts::clean(6, 4, 1, 1),
        &format!("kill -9 at {point}, {crashes} crashes"),
    )
    .await;
    assert_one_key_each(&desk, &receiver);
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_before_billing() {
    crash_at("kill9_before_billing", "before_billing").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_billing_call() {
    crash_at("kill9_after_billing_call", "after_billing_call").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_billing_accepted() {
    crash_at("kill9_after_billing_accepted", "after_billing_accepted").await;
}

/// After SMTP took the reply: billing is never called again (the reply attempt is marked), and
/// the reply is reconciled as everywhere else.
#[tokio::test(flavor = "multi_thread")]
async fn kill9_after_send_with_billing() {
    crash_at("kill9_after_send_with_billing", "after_send").await;
}
