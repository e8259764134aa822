//! The SQLite store and `accounts import`, on temporary files: upserts, lookups by address,
//! the exactly-once ledger, contact history, and CSV files that must be refused whole.

use std::path::Path;

use jiff::{SignedDuration, Timestamp, civil::date};
use mailclerk::account_csv;
use mailclerk::accounts::{Account, PlanKind};
use mailclerk::money::{Currency, Money};
use mailclerk::screen::SkipReason;
use mailclerk::store::{
    Claim, Error, HandOff, ImportReport, LedgerAction, LedgerState, Outcome, Store,
};

const RECEIVED: &str = "2026-03-02T09:15:00Z";

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn fixture(name: &str) -> std::path::PathBuf {
    // Relative, so the file name in error text is the same on every machine.
    Path::new("tests/fixtures/csv").join(name)
}

fn account(id: &str, emails: &[&str]) -> Account {
    Account {
        id: id.into(),
        name: format!("Name of {id}"),
        emails: emails.iter().map(|e| e.to_string()).collect(),
        plan: PlanKind::Monthly,
        signed_up_on: date(2026, 1, 5),
        paid: None,
        currency: Currency::from_code("USD").expect("USD"),
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("mailbox.sqlite")).expect("open store");
    (dir, store)
}

/// What `accounts import` does: read the whole file, import only if all of it is good.
fn import_file(store: &mut Store, path: &Path) -> Result<ImportReport, String> {
    let accounts = account_csv::read(path).map_err(|e| e.to_string())?;
    store.import_accounts(&accounts).map_err(|e| e.to_string())
}

fn ids(accounts: &[Account]) -> Vec<&str> {
    accounts.iter().map(|a| a.id.as_str()).collect()
}

#[test]
fn import_then_reimport_updates_and_replaces_emails() {
    let (_dir, mut store) = temp_store();
    let first = [
        account("a1", &["ann@example.com", "ann@old.example"]),
        account("b2", &["bob@example.com"]),
    ];
    let report = store.import_accounts(&first).unwrap();
    assert_eq!(
        report,
        ImportReport {
            inserted: 2,
            updated: 0,
            unchanged: 0
        }
    );

    let mut a1 = account("a1", &["Ann@New.example"]);
    a1.plan = PlanKind::Annual;
    let report = store
        .import_accounts(&[a1, account("c3", &["cy@example.com"])])
        .unwrap();
    assert_eq!(
        report,
        ImportReport {
            inserted: 1,
            updated: 1,
            unchanged: 0
        }
    );

    // The old address list is replaced, not merged; b2, absent from the file, is kept.
    assert!(store.accounts_for("ann@old.example").unwrap().is_empty());
    let found = store.accounts_for("ANN@new.example").unwrap();
    assert_eq!((ids(&found), found[0].plan), (vec!["a1"], PlanKind::Annual));
    assert_eq!(found[0].emails, ["ann@new.example"]);
    assert_eq!(ids(&store.accounts_for("bob@example.com").unwrap()), ["b2"]);
    assert_eq!(store.account_count().unwrap(), 3);

    let again = store
        .import_accounts(&[account("b2", &["bob@example.com"])])
        .unwrap();
    assert_eq!(
        again,
        ImportReport {
            inserted: 0,
            updated: 0,
            unchanged: 1
        }
    );
}

#[test]
fn accounts_round_trip_with_payments() {
    let (_dir, mut store) = temp_store();
    let irr = Currency::from_code("IRR").unwrap();
    let mut paid = account("p1", &["pay@example.com"]);
    paid.currency = irr;
    paid.paid = Some(mailclerk::accounts::Payments {
        first_paid_on: date(2026, 1, 19),
        first_payment: Money::from_minor(1_500_000, irr),
        last_payment: Money::from_minor(1_200_000, irr),
    });
    store.import_accounts(std::slice::from_ref(&paid)).unwrap();
    assert_eq!(store.accounts_for("pay@example.com").unwrap(), [paid]);
}

#[test]
fn a_payment_in_another_currency_is_refused() {
    let (_dir, mut store) = temp_store();
    let mut odd = account("x1", &["x@example.com"]);
    odd.paid = Some(mailclerk::accounts::Payments {
        first_paid_on: date(2026, 1, 19),
        first_payment: Money::from_minor(4900, Currency::from_code("EUR").unwrap()),
        last_payment: Money::from_minor(4900, Currency::from_code("USD").unwrap()),
    });
    let err = store
        .import_accounts(&[account("ok", &["ok@example.com"]), odd])
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid { ref account_id, .. } if account_id == "x1"),
        "{err}"
    );
    assert_eq!(
        store.account_count().unwrap(),
        0,
        "the whole import is rolled back"
    );
}

#[test]
fn several_accounts_sharing_an_address_are_all_returned() {
    let (_dir, mut store) = temp_store();
    let report = import_file(&mut store, &fixture("good.csv")).unwrap();
    assert_eq!(
        report,
        ImportReport {
            inserted: 4,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(
        ids(&store.accounts_for(" Billing@ACME.example ").unwrap()),
        ["acme-001", "solo-003"]
    );
    assert_eq!(
        ids(&store.accounts_for("dara@example.ir").unwrap()),
        ["irr-004"]
    );
    assert!(store.accounts_for("nobody@example.com").unwrap().is_empty());
    let again = import_file(&mut store, &fixture("good.csv")).unwrap();
    assert_eq!(
        again,
        ImportReport {
            inserted: 0,
            updated: 0,
            unchanged: 4
        }
    );
}

#[test]
fn claim_twice_is_seen() {
    let (_dir, mut store) = temp_store();
    assert_eq!(
        store
            .claim("m1@example.com", "inbox/1.eml", ts(RECEIVED))
            .unwrap(),
        Claim::New
    );
    match store
        .claim("m1@example.com", "inbox/1-again.eml", ts(RECEIVED))
        .unwrap()
    {
        Claim::Seen(prior) => assert_eq!((prior.state, prior.action), (LedgerState::Claimed, None)),
        Claim::New => panic!("claimed twice"),
    }
    assert_eq!(store.ledger().unwrap().len(), 1);
}

#[test]
fn record_then_claim_is_seen_as_sent() {
    let (_dir, mut store) = temp_store();
    store
        .import_accounts(&[account("a1", &["ann@example.com"])])
        .unwrap();
    store
        .claim("m2@example.com", "inbox/2.eml", ts("2026-03-02T10:00:00Z"))
        .unwrap();
    store
        .claim("m1@example.com", "inbox/1.eml", ts(RECEIVED))
        .unwrap();
    let sent = Outcome {
        intent: Some("refund".into()),
        account_id: Some("a1".into()),
        decision_json: Some(r#"{"refund":"granted"}"#.into()),
        reply_message_id: Some("<reply-m1@mailclerk.example>".into()),
        reply_to: Some("Ann@Example.com".into()),
        ..Outcome::new(
            LedgerState::Sent,
            LedgerAction::Answer("refund_granted".into()),
        )
    };
    store.record("m1@example.com", &sent).unwrap();

    let Claim::Seen(prior) = store
        .claim("m1@example.com", "inbox/1.eml", ts(RECEIVED))
        .unwrap()
    else {
        panic!("a sent message was claimable again");
    };
    assert_eq!(
        (prior.state, prior.action.as_deref()),
        (LedgerState::Sent, Some("refund_granted"))
    );
    assert!(
        prior.updated_at.parse::<Timestamp>().is_ok(),
        "{}",
        prior.updated_at
    );

    let rows = store.ledger().unwrap();
    let summary: Vec<_> = rows
        .iter()
        .map(|r| (r.message_id.as_str(), r.state, r.origin.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("m1@example.com", LedgerState::Sent, "inbox/1.eml"),
            ("m2@example.com", LedgerState::Claimed, "inbox/2.eml")
        ],
        "ordered by received"
    );
    assert_eq!(rows[0].received, ts(RECEIVED));
    assert_eq!(rows[0].reply_to.as_deref(), Some("ann@example.com"));
    assert_eq!(
        rows[0].reply_message_id.as_deref(),
        Some("<reply-m1@mailclerk.example>")
    );

    let hour = SignedDuration::from_hours(1);
    let now = Timestamp::now();
    assert_eq!(
        store
            .replies_sent_since("ANN@example.com", now - hour)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .replies_sent_since("ann@example.com", now + hour)
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .replies_sent_since("bob@example.com", now - hour)
            .unwrap(),
        0
    );
}

#[test]
fn recording_an_unclaimed_message_is_an_error() {
    let (_dir, mut store) = temp_store();
    let err = store
        .record(
            "never@example.com",
            &Outcome::new(LedgerState::Skipped, LedgerAction::Skip(SkipReason::List)),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotClaimed { .. }), "{err:?}");
    insta::assert_snapshot!(err, @"message <never@example.com> was never claimed, so its outcome cannot be recorded");
}

#[test]
fn everything_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dirs/mailbox.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        store
            .import_accounts(&[account("a1", &["ann@example.com"])])
            .unwrap();
        store
            .claim("m1@example.com", "inbox/1.eml", ts(RECEIVED))
            .unwrap();
        store
            .record(
                "m1@example.com",
                &Outcome::new(
                    LedgerState::Review,
                    LedgerAction::ToHuman(HandOff::NoAccount),
                ),
            )
            .unwrap();
        store
            .record_contact("a1", date(2026, 3, 2), "m1@example.com")
            .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.account_count().unwrap(), 1);
    assert_eq!(
        store.history("a1").unwrap().prior_contact_on,
        Some(date(2026, 3, 2))
    );
    match store
        .claim("m1@example.com", "inbox/1.eml", ts(RECEIVED))
        .unwrap()
    {
        Claim::Seen(prior) => assert_eq!(prior.state, LedgerState::Review),
        Claim::New => panic!("the ledger was lost on reopen"),
    }
}

#[test]
fn history_is_the_latest_contact() {
    let (_dir, mut store) = temp_store();
    store
        .import_accounts(&[
            account("a1", &["ann@example.com"]),
            account("b2", &["bob@example.com"]),
        ])
        .unwrap();
    assert_eq!(store.history("a1").unwrap().prior_contact_on, None);
    store
        .record_contact("a1", date(2026, 3, 2), "m1@x")
        .unwrap();
    store
        .record_contact("a1", date(2026, 2, 10), "m0@x")
        .unwrap();
    store
        .record_contact("b2", date(2026, 4, 1), "m9@x")
        .unwrap();
    assert_eq!(
        store.history("a1").unwrap().prior_contact_on,
        Some(date(2026, 3, 2))
    );
    // The same message recorded again moves its day instead of adding a contact.
    store
        .record_contact("a1", date(2026, 3, 5), "m1@x")
        .unwrap();
    assert_eq!(
        store.history("a1").unwrap().prior_contact_on,
        Some(date(2026, 3, 5))
    );
    assert_eq!(store.history("nobody").unwrap().prior_contact_on, None);

    let err = store
        .record_contact("nobody", date(2026, 3, 5), "m2@x")
        .unwrap_err();
    assert!(matches!(err, Error::UnknownAccount { .. }), "{err:?}");
}

#[test]
fn a_bad_csv_reports_every_error_and_imports_nothing() {
    let (_dir, mut store) = temp_store();
    let text = import_file(&mut store, &fixture("bad-rows.csv")).unwrap_err();
    insta::assert_snapshot!(text, @r#"
    tests/fixtures/csv/bad-rows.csv:3: email: expected an address such as "ann@example.com", found "carol.example.com"
    tests/fixtures/csv/bad-rows.csv:4: plan: expected "monthly" or "annual", found "weekly"
    tests/fixtures/csv/bad-rows.csv:4: signed_up_on: expected a date as YYYY-MM-DD, found "2026/01/05"
    tests/fixtures/csv/bad-rows.csv:5: first_payment: expected a decimal amount such as "49.00", found "49,00"
    tests/fixtures/csv/bad-rows.csv:6: first_paid_on: expected a day on or after signed_up_on (2026-02-01), found "2026-01-15"
    tests/fixtures/csv/bad-rows.csv:7: first_payment: expected empty or 0 because first_paid_on is empty (never paid), found "49.00"
    tests/fixtures/csv/bad-rows.csv:8: first_payment: expected an amount because first_paid_on is set, found nothing
    tests/fixtures/csv/bad-rows.csv:9: currency: expected an ISO 4217 currency code such as "USD", found "DOLLARS"
    tests/fixtures/csv/bad-rows.csv:10: account_id: expected each account once, found "ok-001" again (first on line 2)
    tests/fixtures/csv/bad-rows.csv:11: expected 9 fields as in the header, found 5
    10 errors in tests/fixtures/csv/bad-rows.csv; nothing imported.
    "#);
    assert_eq!(store.account_count().unwrap(), 0);
}

#[test]
fn a_missing_column_is_named() {
    let (_dir, mut store) = temp_store();
    let text = import_file(&mut store, &fixture("missing-column.csv")).unwrap_err();
    insta::assert_snapshot!(text, @r#"
    tests/fixtures/csv/missing-column.csv:1: expected a column named "first_paid_on" in the header, found none
    tests/fixtures/csv/missing-column.csv:1: expected a column named "currency" in the header, found none
    2 errors in tests/fixtures/csv/missing-column.csv; nothing imported.
    "#);
    assert_eq!(store.account_count().unwrap(), 0);
}

#[test]
fn a_store_from_a_newer_mailclerk_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mailbox.sqlite");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", mailclerk::store::SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = Store::open(&path).unwrap_err();
    let newer = mailclerk::store::SCHEMA_VERSION + 1;
    assert!(
        matches!(err, Error::TooNew { found, .. } if found == newer),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!(
            "newer than this mailclerk knows ({})",
            mailclerk::store::SCHEMA_VERSION
        )),
        "{err}"
    );
}

#[test]
fn a_sent_record_is_never_overwritten() {
    use mailclerk::store::{Claim, Error, LedgerState, Outcome, Store};
    let mut store = Store::open_in_memory().unwrap();
    let at: jiff::Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
    assert_eq!(store.claim("m1@x", "file", at).unwrap(), Claim::New);
    store
        .record(
            "m1@x",
            &Outcome::new(
                LedgerState::Sent,
                LedgerAction::Answer("refund_granted".into()),
            ),
        )
        .unwrap();
    let err = store
        .record(
            "m1@x",
            &Outcome::new(
                LedgerState::Failed,
                LedgerAction::Answer("refund_granted".into()),
            ),
        )
        .unwrap_err();
    assert!(matches!(err, Error::AlreadySent { .. }), "{err}");
    assert!(
        matches!(store.claim("m1@x", "file", at).unwrap(), Claim::Seen(p) if p.state == LedgerState::Sent)
    );
    assert!(matches!(
        store
            .record(
                "nope@x",
                &Outcome::new(LedgerState::Sent, LedgerAction::Answer("x".into()))
            )
            .unwrap_err(),
        Error::NotClaimed { .. }
    ));
}
