//! The support mailbox changing under the daemon: UIDVALIDITY changed, a message deleted by a
//! person while it is being handled, the filing folder deleted, or not creatable at all.

use std::time::Duration;

use crate::SERVERS;
use crate::support::faults::{Counts, FaultDesk, Setup, doveadm, print_row};

const WAIT: Duration = Duration::from_secs(20);

#[track_caller]
fn ok(out: std::process::Output) {
    assert!(
        out.status.success(),
        "doveadm: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The handled requests come back into INBOX (a person moved them) and the folder is
/// renumbered: the daemon reads it all again; the ledger answers none of them twice, and the
/// new requests are answered.
#[tokio::test(flavor = "multi_thread")]
async fn uidvalidity_changed_under_it() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("uidvalidity_changed", 8, Setup::default());
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    desk.send_mix(4);
    desk.settle(Duration::from_secs(30))
        .await
        .assert(Counts::clean(4, 2, 1, 1), &desk.log());
    for folder in [
        "mailclerk/answered",
        "mailclerk/people",
        "mailclerk/skipped",
    ] {
        ok(doveadm(&[
            "move",
            "-u",
            &desk.support,
            "INBOX",
            "mailbox",
            folder,
            "ALL",
        ]));
    }
    ok(doveadm(&[
        "mailbox",
        "update",
        "-u",
        &desk.support,
        "--uid-validity",
        "4242",
        "INBOX",
    ]));
    desk.send_mix(4);
    let report = desk.settle(Duration::from_secs(40)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        "UIDVALIDITY changed with 4 handled requests back in INBOX, 4 new",
    );
    report.assert(Counts::clean(8, 4, 2, 2), &desk.log());
    assert!(desk.log().contains("UIDVALIDITY changed"), "{}", desk.log());
}

/// A person deletes a request after the daemon answered it and before the batch is filed
/// (held after the batch's last record, so the daemon's session has not heard of the expunge
/// when it moves the batch: Dovecot answers `NO [EXPUNGEISSUED]`). The decision stands
/// (answered once), the rest of the batch is filed, and nothing is retried as an error.
#[tokio::test(flavor = "multi_thread")]
async fn message_deleted_while_handled() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("message_deleted_while_handled", 4, Setup::default());
    desk.first_start();
    let requests = desk.send_mix(4);
    desk.wait_delivered(WAIT);
    desk.start(&[
        ("MAILCLERK_PAUSE_AT", "after_record:4"),
        ("MAILCLERK_PAUSE_MS", "1500"),
    ]);
    desk.wait_log("pause point after_record reached", WAIT);
    ok(doveadm(&[
        "expunge",
        "-u",
        &desk.support,
        "mailbox",
        "INBOX",
        "header",
        "Message-ID",
        &requests[0].id,
    ]));
    let report = desk.settle(Duration::from_secs(30)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "request expunged by a person while being handled");
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
    assert!(
        !desk.support_folders().contains_key(&requests[0].id),
        "the deleted request stays deleted"
    );
    let log = desk.log();
    assert!(
        !log.contains("ERROR") && !log.contains("reconnecting"),
        "a message gone before its filing is no error:\n{log}"
    );
}

/// The answered folder is deleted while the daemon runs: the next filing creates it again.
#[tokio::test(flavor = "multi_thread")]
async fn filing_folder_deleted_is_created_again() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("filing_folder_deleted", 8, Setup::default());
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    desk.send_mix(4);
    desk.settle(Duration::from_secs(30))
        .await
        .assert(Counts::clean(4, 2, 1, 1), &desk.log());
    // The two answered requests go with the folder; their answers stand.
    ok(doveadm(&[
        "mailbox",
        "delete",
        "-u",
        &desk.support,
        "mailclerk/answered",
    ]));
    desk.send_mix(4);
    let report = desk.settle(Duration::from_secs(30)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "answered folder deleted while running");
    report.assert(Counts::clean(8, 4, 2, 2), &desk.log());
    let folders = desk.support_folders();
    let refiled = desk.requests[4..]
        .iter()
        .filter(|r| {
            folders
                .get(&r.id)
                .is_some_and(|f| f == &["mailclerk/answered"])
        })
        .count();
    assert_eq!(
        refiled, 2,
        "the new answers are filed in the re-created folder"
    );
}

/// A filing folder the server refuses to create ('.' in a Maildir++ name): the daemon takes no
/// mail and says why; fixed and reloaded (SIGHUP), it answers what waited.
#[tokio::test(flavor = "multi_thread")]
async fn filing_folder_not_creatable() {
    let _shared = SERVERS.read().await;
    let mut desk = FaultDesk::new("filing_folder_not_creatable", 4, Setup::default());
    desk.first_start();
    desk.reconfigure(|s| {
        s.handling = "filing = { answered = \"mailclerk.answered\" }".into();
    });
    desk.start(&[]);
    desk.wait_log("cannot be created", WAIT);
    desk.send_mix(4);
    desk.wait_delivered(WAIT);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let during = desk.check();
    assert_eq!(
        (during.counts.answered, during.unfiled),
        (0, 4),
        "no mail taken while a filing folder cannot exist"
    );
    assert!(desk.ledger().is_empty(), "nothing claimed");
    let why = desk
        .log()
        .lines()
        .find(|l| l.contains("cannot be created"))
        .unwrap_or_default()
        .to_string();
    assert!(
        why.contains("mailclerk.answered") && why.contains("ERROR"),
        "an ERROR naming the folder: {why}"
    );
    desk.reconfigure(|s| s.handling.clear());
    desk.signal("HUP");
    desk.wait_log("Configuration reloaded", WAIT);
    let report = desk.settle(Duration::from_secs(30)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        "filing folder not creatable ('.' in the name), then fixed with SIGHUP",
    );
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
}
