//! What only the PostgreSQL store has: two stores (two machines) on one mailbox, many mailboxes
//! in one database, the fence, migrations, and a connection that breaks. Against the real
//! server (`store::testing`).

use std::sync::{Arc, Barrier};

use jiff::Timestamp;

use crate::store::testing::TestDb;
use crate::store::{
    BatchItem, Claim, Error, Fence, LedgerAction, LedgerState, Outcome, Progress, Store,
};

fn item(id: &str) -> BatchItem<'_> {
    BatchItem {
        message_id: id,
        digest: None,
        origin: "imap:INBOX/1",
        received: "2026-03-01T09:00:00Z".parse().unwrap(),
    }
}

/// Two machines' daemons claim the same 300 messages at once, in batches, in single claims,
/// and again after every one was deferred: each message is new to exactly one of them, each
/// time.
#[test]
fn two_stores_on_one_mailbox_claim_each_message_exactly_once() {
    let db = TestDb::new("two_stores_claim");
    let ids: Arc<Vec<String>> = Arc::new((0..300).map(|i| format!("m{i}@x")).collect());
    let race = |round: &str, boots: [&'static str; 2]| -> Vec<Vec<String>> {
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = boots
            .into_iter()
            .map(|boot| {
                let (db, ids, barrier, round) =
                    (db.clone(), ids.clone(), barrier.clone(), round.to_string());
                std::thread::spawn(move || {
                    let mut store = db.store("desk");
                    // Another machine: its claims are never taken over by this one.
                    store.set_claimant(Some(format!("{boot}:1:1")));
                    barrier.wait();
                    let mut mine = Vec::new();
                    for chunk in ids.chunks(25) {
                        if round == "single" {
                            for id in chunk {
                                let at = item(id).received;
                                if store.claim(id, "o", at).unwrap() == Claim::New {
                                    mine.push(id.clone());
                                }
                            }
                        } else {
                            let items: Vec<_> = chunk.iter().map(|id| item(id)).collect();
                            for c in store.claim_batch(&items).unwrap() {
                                if c.claim == Claim::New {
                                    mine.push(c.key);
                                }
                            }
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    };
    let check = |won: Vec<Vec<String>>, round: &str| {
        let mut all: Vec<String> = won.concat();
        all.sort();
        let mut want: Vec<String> = ids.to_vec();
        want.sort();
        assert_eq!(all, want, "{round}: every message new exactly once");
        won
    };
    let won = check(race("batch", ["bootA", "bootB"]), "batch");
    // Nothing new a second time for two other machines (an unattempted claim of another
    // machine is never taken over: it may have been sent from there).
    let again = race("batch", ["bootC", "bootD"]);
    assert!(again.iter().all(Vec::is_empty), "{again:?}");
    // Every message deferred (nothing went out): claimable again, by exactly one.
    let mut store = db.store("desk");
    for (boot, mine) in ["bootA", "bootB"].iter().zip(&won) {
        store.set_claimant(Some(format!("{boot}:1:1")));
        for id in mine {
            store.mark_attempt(id).unwrap();
            store
                .record(
                    id,
                    &Outcome::new(LedgerState::Deferred, LedgerAction::Answer("t".into())),
                )
                .unwrap();
        }
    }
    check(
        race("single", ["bootC", "bootD"]),
        "deferred, single claims",
    );
}

#[test]
fn mailboxes_in_one_database_keep_their_own_rows() {
    let db = TestDb::new("mailboxes_apart");
    let (mut a, mut b) = (db.store("brand-a"), db.store("brand-b"));
    let at = item("m@x").received;
    assert_eq!(a.claim("m@x", "o", at).unwrap(), Claim::New);
    assert_eq!(b.claim("m@x", "o", at).unwrap(), Claim::New);
    let p = Progress {
        uid_validity: 1,
        last_uid: 9,
        first_start: at,
    };
    a.set_progress("INBOX", &p).unwrap();
    assert_eq!(b.progress("INBOX").unwrap(), None);
    assert_eq!(a.ledger().unwrap().len(), 1);
    assert_eq!(b.in_state(LedgerState::Claimed).unwrap(), ["m@x"]);
}

/// A write under a fence goes through only while the lease row names it, at its generation and
/// before its expiry; a refused write changes nothing.
#[test]
fn writes_under_a_fence_need_the_current_lease() {
    let db = TestDb::new("fence");
    let mut admin = db.client();
    let mut store = db.store("desk");
    let lease = |admin: &mut postgres::Client, generation: i64, expires: &str| {
        admin
            .execute(
                &format!(
                    "INSERT INTO mailclerk_lease (mailbox, holder, generation, expires_at)
                     VALUES ('desk', 'i1', $1, now() + interval '{expires}')
                     ON CONFLICT (mailbox) DO UPDATE SET holder = 'i1', generation = $1,
                        expires_at = excluded.expires_at"
                ),
                &[&generation],
            )
            .unwrap();
    };
    let fence = |generation| {
        Some(Fence {
            mailbox: "desk".into(),
            holder: "i1".into(),
            generation,
        })
    };
    let at = item("a@x").received;
    lease(&mut admin, 2, "30 seconds");
    store.set_fence(fence(2)).unwrap();
    assert_eq!(store.claim("a@x", "o", at).unwrap(), Claim::New);
    store.mark_attempt("a@x").unwrap();

    let sent = Outcome::new(LedgerState::Sent, LedgerAction::Answer("t".into()));
    let p = Progress {
        uid_validity: 1,
        last_uid: 3,
        first_start: at,
    };
    type Write = fn(&mut Store, &Outcome, &Progress, Timestamp) -> Result<(), Error>;
    let writes: [(&str, Write); 4] = [
        ("claim", |s, _, _, at| s.claim("b@x", "o", at).map(drop)),
        ("claim_batch", |s, _, _, _| {
            s.claim_batch(&[item("b@x")]).map(drop)
        }),
        ("record", |s, o, _, _| s.record("a@x", o)),
        ("set_progress", |s, _, p, _| s.set_progress("INBOX", p)),
    ];
    let refused = |store: &mut Store, why: &str| {
        for (name, write) in writes {
            let err = write(store, &sent, &p, at).unwrap_err();
            assert!(
                matches!(err, Error::Fenced { generation: 2, .. }) || why == "older",
                "{why} {name}: {err:?}"
            );
            assert!(matches!(err, Error::Fenced { .. }), "{why} {name}: {err:?}");
            assert!(err.is_unavailable() && !err.is_transient(), "{why} {name}");
        }
        // Nothing of them was kept.
        assert_eq!(store.prior("b@x").unwrap(), None, "{why}");
        assert_eq!(
            store.prior("a@x").unwrap().unwrap().state,
            LedgerState::Claimed,
            "{why}"
        );
        assert_eq!(store.progress("INBOX").unwrap(), None, "{why}");
    };
    // Another instance took the lease over: generation 3.
    lease(&mut admin, 3, "30 seconds");
    refused(&mut store, "taken over");
    // Our own generation, but expired.
    lease(&mut admin, 2, "-1 second");
    refused(&mut store, "expired");
    // Current again: the same writes go through.
    lease(&mut admin, 2, "30 seconds");
    for (name, write) in writes {
        write(&mut store, &sent, &p, at).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(
        store.prior("a@x").unwrap().unwrap().state,
        LedgerState::Sent
    );
    // An older generation of ours is refused too.
    store.set_fence(fence(1)).unwrap();
    let err = store.set_progress("INBOX", &p).unwrap_err();
    assert!(
        matches!(err, Error::Fenced { generation: 1, .. }),
        "{err:?}"
    );
    // A SQLite store takes no fence.
    let mut sqlite = Store::open_in_memory().unwrap();
    assert!(matches!(
        sqlite.set_fence(fence(2)),
        Err(Error::FenceUnsupported)
    ));
}

#[test]
fn a_newer_schema_is_refused_and_a_fresh_database_is_not_read() {
    let db = TestDb::new("schema");
    let err = Store::open_postgres_read_only(&db.url, "desk").unwrap_err();
    assert!(matches!(err, Error::NotSetUp { .. }), "{err:?}");
    drop(db.store("desk"));
    // Opening again migrates nothing and works, read-write and read-only.
    drop(db.store("desk"));
    let ro = Store::open_postgres_read_only(&db.url, "desk").unwrap();
    let err = ro.progress("INBOX").map(drop);
    assert!(err.is_ok(), "reads work: {err:?}");
    let mut admin = db.client();
    let versions: Vec<i32> = admin
        .query("SELECT version FROM mailclerk_schema ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1]);
    admin
        .execute("INSERT INTO mailclerk_schema (version) VALUES (99)", &[])
        .unwrap();
    for err in [
        Store::open_postgres(&db.url, "desk").unwrap_err(),
        Store::open_postgres_read_only(&db.url, "desk").unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::DatabaseTooNew { found: 99, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains("newer than this mailclerk knows (1)")
        );
    }
}

#[test]
fn a_broken_connection_fails_one_call_and_is_made_again() {
    let db = TestDb::new("reconnect");
    let mut store = db.store("desk");
    let at = item("a@x").received;
    assert_eq!(store.claim("a@x", "o", at).unwrap(), Claim::New);
    let mut admin = db.client();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    let err = store.claim("b@x", "o", at).unwrap_err();
    assert!(err.is_unavailable() && err.is_transient(), "{err:?}");
    assert_eq!(store.claim("b@x", "o", at).unwrap(), Claim::New);
    assert!(matches!(
        store.claim("a@x", "o", at).unwrap(),
        Claim::Seen(_)
    ));
}

/// The daemon calls the store from `block_in_place` on a runtime worker: the sync client's own
/// runtime must work there.
#[test]
fn the_store_works_inside_block_in_place() {
    let db = TestDb::new("block_in_place");
    let url = db.url.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let claim = rt.block_on(async move {
        tokio::spawn(async move {
            tokio::task::block_in_place(|| {
                let mut store = Store::open_postgres(&url, "desk")?;
                store.claim("a@x", "o", item("a@x").received)
            })
        })
        .await
        .unwrap()
    });
    assert_eq!(claim.unwrap(), Claim::New);
}
