//! Issue 18 on the project's Dovecot + Postfix: the reason a message was handed to people, as
//! an IMAP keyword a mail client shows, and the second look a person asks for by moving the
//! message back to the INBOX or marking it `$mailclerk-retry`.

use std::time::Duration;

use mailclerk::intake::imap::Session;
use mailclerk::store::{LedgerState, Store, Trigger};

use crate::support::{Desk, WAIT, accounts, body, delivered, read_folder, user, wait_for};

const PEOPLE: &str = "mailclerk/people";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `mailclerk run --once`, which must succeed; returns its log.
fn pass(desk: &Desk) -> String {
    desk.once_ok()
}

/// The UIDs in `folder` that carry `keyword`, as a mail client's search sees them.
async fn with_keyword(desk: &Desk, folder: &str, keyword: &str) -> Vec<u32> {
    let mut s = Session::connect(&desk.stack.imap(&desk.support))
        .await
        .unwrap();
    s.select(folder).await.unwrap();
    let found = s.uids_with_keyword(keyword).await.unwrap();
    let _ = s.logout().await;
    found
}

/// What a person does in a mail client: moves every message of `from` to `to`.
async fn move_all(desk: &Desk, from: &str, to: &str) {
    let mut s = Session::connect(&desk.stack.imap(&desk.support))
        .await
        .unwrap();
    s.select(from).await.unwrap();
    let uids = s.uids_from(1).await.unwrap();
    assert!(!uids.is_empty(), "nothing in {from} to move");
    s.move_uids(&uids, to).await.unwrap();
    let _ = s.logout().await;
}

async fn mark_all(desk: &Desk, folder: &str, keyword: &str) {
    let mut s = Session::connect(&desk.stack.imap(&desk.support))
        .await
        .unwrap();
    s.select(folder).await.unwrap();
    let uids = s.uids_from(1).await.unwrap();
    s.add_keyword(&uids, keyword).await.unwrap();
    let _ = s.logout().await;
}

fn store(desk: &Desk) -> Store {
    Store::open(&desk.dir.path().join("state/desk.sqlite")).unwrap()
}

/// How many of the customer's messages say the refund was approved, and how many in all.
async fn answers(desk: &Desk) -> (usize, usize) {
    let got = read_folder(&desk.stack, &desk.customer, "INBOX").await;
    let approved = got
        .iter()
        .filter(|m| body(m).contains("Your refund of 49.00 USD has been approved."))
        .count();
    (approved, got.len())
}

/// No account → people with `$mailclerk-no-account`; moved back without an account → people
/// again, logged; the account imported, moved back → answered once; the answered request
/// moved back → no second answer.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_moved_back_after_its_account_is_imported_is_answered_exactly_once() {
    let desk = Desk::new("reex", "", "");
    accounts(desk.dir.path(), &[user("someone-else")]);
    pass(&desk);
    let id = desk.send_request("Refund please", "I would like a refund please.", "");
    assert_eq!(
        wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT)
            .await
            .len(),
        1
    );
    let log = pass(&desk);
    assert_eq!(
        read_folder(&desk.stack, &desk.support, PEOPLE).await.len(),
        1,
        "{log}"
    );
    assert_eq!(
        with_keyword(&desk, PEOPLE, "$mailclerk-no-account")
            .await
            .len(),
        1,
        "the reason is on the message; log:\n{log}"
    );
    assert_eq!(
        with_keyword(&desk, PEOPLE, "$mailclerk-people").await.len(),
        1
    );
    let (approved, before) = answers(&desk).await;
    assert_eq!(approved, 0, "no account: no refund");

    // Moved back, still no account: one more look, people again, said in the log.
    move_all(&desk, PEOPLE, "INBOX").await;
    let log = pass(&desk);
    assert!(
        log.contains(&format!(
            "re-examining <{id}>: moved back to INBOX by a person"
        )),
        "{log}"
    );
    assert!(log.contains("earlier for people: no_account"), "{log}");
    assert!(log.contains("still for people (no_account)"), "{log}");
    assert_eq!(
        with_keyword(&desk, PEOPLE, "$mailclerk-no-account")
            .await
            .len(),
        1,
        "back with its reason; log:\n{log}"
    );
    assert!(
        read_folder(&desk.stack, &desk.support, "INBOX")
            .await
            .is_empty()
    );
    // A pass with nothing moved examines nothing again: no loop.
    let log = pass(&desk);
    assert!(!log.contains("re-examining"), "{log}");

    // The account is imported; moved back once more: answered, once.
    accounts(desk.dir.path(), std::slice::from_ref(&desk.customer));
    move_all(&desk, PEOPLE, "INBOX").await;
    let log = pass(&desk);
    assert!(
        log.contains(&format!("re-examined <{id}>: answered.")),
        "{log}"
    );
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", before + 1, WAIT).await;
    assert_eq!(replies.len(), before + 1, "one answer; log:\n{log}");
    assert_eq!(answers(&desk).await.0, 1);
    let filed = read_folder(&desk.stack, &desk.support, "mailclerk/answered").await;
    assert_eq!(filed.len(), 1, "{log}");
    // Answered: the people marks are off it.
    assert!(
        with_keyword(&desk, "mailclerk/answered", "$mailclerk-people")
            .await
            .is_empty()
    );
    assert!(
        with_keyword(&desk, "mailclerk/answered", "$mailclerk-no-account")
            .await
            .is_empty()
    );
    let s = store(&desk);
    let row = s.prior(&id).unwrap().unwrap();
    assert_eq!(row.state, LedgerState::Sent);
    let kept = s.reexaminations(&id).unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().all(|r| r.trigger == Trigger::MovedBack));
    assert!(
        kept.iter()
            .all(|r| r.earlier.action.as_deref() == Some("to_human:no_account"))
    );
    drop(s);
    // `explain` shows both second looks.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(["explain", "--config"])
        .arg(&desk.config)
        .arg(&id)
        .output()
        .unwrap();
    let explained = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(explained.matches("looked again").count(), 2, "{explained}");
    assert!(
        explained.contains("moved back to INBOX by a person; earlier review to_human:no_account"),
        "{explained}"
    );

    // The answered request moved back (by mistake, or to have it looked at): no second answer.
    move_all(&desk, "mailclerk/answered", "INBOX").await;
    let log = pass(&desk);
    assert!(!log.contains("re-examining"), "{log}");
    delivered(&desk.customer).await;
    assert_eq!(
        answers(&desk).await,
        (1, before + 1),
        "no second answer; log:\n{log}"
    );
    assert_eq!(store(&desk).reexaminations(&id).unwrap().len(), 2);
}

/// Keyword filing: the message stays in the INBOX with `$mailclerk-people` and its reason; a
/// person marks it `$mailclerk-retry` after importing the account; it is answered once and
/// the marks come off. Marking it again answers nothing twice.
#[tokio::test(flavor = "multi_thread")]
async fn keyword_filing_shows_the_reason_and_a_retry_mark_asks_for_a_second_look() {
    let desk = Desk::new("reexkw", "", "filing = { keywords_only = true }");
    accounts(desk.dir.path(), &[user("someone-else")]);
    pass(&desk);
    let id = desk.send_request("Refund please", "I would like a refund please.", "");
    wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT).await;
    let log = pass(&desk);
    assert_eq!(
        with_keyword(&desk, "INBOX", "$mailclerk-people")
            .await
            .len(),
        1,
        "{log}"
    );
    assert_eq!(
        with_keyword(&desk, "INBOX", "$mailclerk-no-account")
            .await
            .len(),
        1,
        "{log}"
    );
    // Still flagged for people, nobody asked: the next pass leaves it be.
    let log = pass(&desk);
    assert!(!log.contains("re-examining"), "{log}");
    let (_, before) = answers(&desk).await;

    accounts(desk.dir.path(), std::slice::from_ref(&desk.customer));
    mark_all(&desk, "INBOX", "$mailclerk-retry").await;
    let log = pass(&desk);
    assert!(
        log.contains(&format!(
            "re-examining <{id}>: marked $mailclerk-retry by a person"
        )),
        "{log}"
    );
    wait_for(&desk.stack, &desk.customer, "INBOX", before + 1, WAIT).await;
    assert_eq!(answers(&desk).await, (1, before + 1), "{log}");
    assert_eq!(
        with_keyword(&desk, "INBOX", "$mailclerk-answered")
            .await
            .len(),
        1
    );
    for gone in [
        "$mailclerk-retry",
        "$mailclerk-people",
        "$mailclerk-no-account",
    ] {
        assert!(
            with_keyword(&desk, "INBOX", gone).await.is_empty(),
            "{gone}"
        );
    }
    assert_eq!(
        store(&desk).reexaminations(&id).unwrap()[0].trigger,
        Trigger::RetryKeyword
    );

    // Marked again after the answer: refused, said in the log, the mark taken off.
    mark_all(&desk, "INBOX", "$mailclerk-retry").await;
    let log = pass(&desk);
    assert!(log.contains("not examined again: it was answered"), "{log}");
    assert!(
        with_keyword(&desk, "INBOX", "$mailclerk-retry")
            .await
            .is_empty()
    );
    let log2 = pass(&desk);
    assert!(!log2.contains(&id), "{log2}");
    delivered(&desk.customer).await;
    assert_eq!(answers(&desk).await, (1, before + 1), "no second answer");
}

/// A second look whose reply must wait (here the relay refuses the password): the retry mark
/// stays on, so the next pass reads the message again, below the folder position, and
/// answers it once the relay takes it.
#[tokio::test(flavor = "multi_thread")]
async fn a_retry_whose_reply_waits_keeps_its_mark_until_the_reply_goes_out() {
    let desk = Desk::new("reexwait", "", "filing = { keywords_only = true }");
    accounts(desk.dir.path(), &[user("someone-else")]);
    pass(&desk);
    let id = desk.send_request("Refund please", "I would like a refund please.", "");
    wait_for(&desk.stack, &desk.support, "INBOX", 1, WAIT).await;
    pass(&desk);
    let (_, before) = answers(&desk).await;
    accounts(desk.dir.path(), std::slice::from_ref(&desk.customer));
    let password = crate::signin::smtp_password(&desk, "not the password");
    mark_all(&desk, "INBOX", "$mailclerk-retry").await;
    // The pass fails (status 1: its reply waits), as a cron job must see it.
    let out = desk.once(&[]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains(&format!("re-examining <{id}>")), "{log}");
    assert!(log.contains("refused the sign-in"), "{log}");
    assert_eq!(
        with_keyword(&desk, "INBOX", "$mailclerk-retry").await.len(),
        1,
        "the mark stays while the reply waits; log:\n{log}"
    );
    assert_eq!(answers(&desk).await, (0, before));

    std::fs::write(&password, &desk.stack.password).unwrap();
    let log = pass(&desk);
    wait_for(&desk.stack, &desk.customer, "INBOX", before + 1, WAIT).await;
    assert_eq!(answers(&desk).await, (1, before + 1), "{log}");
    assert!(
        with_keyword(&desk, "INBOX", "$mailclerk-retry")
            .await
            .is_empty()
    );
    assert_eq!(
        with_keyword(&desk, "INBOX", "$mailclerk-answered")
            .await
            .len(),
        1
    );
    let log = pass(&desk);
    assert!(!log.contains(&id), "{log}");
    assert_eq!(answers(&desk).await, (1, before + 1), "no second answer");
}

/// The running daemon (IDLE), as people work with it: the operator imports the missing
/// account with `mailclerk accounts import` while it runs, a person marks the message
/// `$mailclerk-retry` in their client, and the answer goes out without a restart.
#[tokio::test(flavor = "multi_thread")]
async fn the_running_daemon_answers_a_retry_after_an_account_import() {
    let mut desk = Desk::new("reexidle", "", "filing = { keywords_only = true }");
    accounts(desk.dir.path(), &[user("someone-else")]);
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let id = desk.send_request("Refund please", "I would like a refund please.", "");
    let started = std::time::Instant::now();
    while with_keyword(&desk, "INBOX", "$mailclerk-no-account")
        .await
        .is_empty()
    {
        assert!(started.elapsed() < WAIT, "log:\n{}", desk.log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (_, before) = answers(&desk).await;

    let csv = desk.dir.path().join("export.csv");
    accounts(desk.dir.path(), std::slice::from_ref(&desk.customer));
    std::fs::copy(desk.dir.path().join("accounts.csv"), &csv).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(["accounts", "import", "--config"])
        .arg(&desk.config)
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    mark_all(&desk, "INBOX", "$mailclerk-retry").await;
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", before + 1, WAIT).await;
    assert_eq!(replies.len(), before + 1, "log:\n{}", desk.log());
    assert_eq!(answers(&desk).await.0, 1);
    desk.wait_log(&format!("re-examined <{id}>: answered."), WAIT);
    let (_, status) = desk.stop();
    assert!(status.success(), "{}", desk.log());
}
