//! Reading the store for `mailclerk report` (read-only, beside a running daemon) and for the
//! metrics gauges the daemon refreshes after each pass.

use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OpenFlags, params};

use super::{Cached, During, Error, LedgerState, SCHEMA_VERSION, Sqlite, parse_state, stamp};
use crate::budget::BREAKER_WINDOW_SECS;
use crate::clock::Clock;

/// One ledger row as the report needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub received: Timestamp,
    /// When the row last changed: when the message was handled.
    pub handled: Timestamp,
    /// When an automatic mail went out for it, if one did.
    pub sent_at: Option<Timestamp>,
    pub state: LedgerState,
    pub action: Option<String>,
    pub intent: Option<String>,
    /// The decision's fields as recorded (JSON), for answers.
    pub decision_json: Option<String>,
}

/// The counts behind the daemon's store gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    pub deferred: usize,
    pub pending_confirmations: usize,
    /// Automatic mails in the breaker's window.
    pub mails_last_hour: usize,
}

impl Sqlite {
    /// Opens an existing store read-only (`report`, `replay`, `explain`, `decisions`): no schema
    /// is created or migrated, nothing is written,
    /// and a running daemon's lock is not needed (WAL lets a reader in beside the writer).
    ///
    /// # Errors
    /// No such file, not a mailclerk store, or one written by a newer mailclerk.
    pub fn open_read_only(path: &Path) -> Result<Sqlite, Error> {
        let open = |source| Error::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open)?;
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(open)?;
        if found > SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: path.to_path_buf(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        if found == 0 {
            return Err(Error::Corrupt {
                table: "ledger",
                key: path.display().to_string(),
                problem: "not a mailclerk store (no schema version)".into(),
            });
        }
        Ok(Sqlite {
            conn,
            claimant: None,
            clock: Clock::System,
        })
    }

    /// The ledger rows handled at or after `since`, oldest first.
    ///
    /// # Errors
    /// A failed query or a row whose times or state do not read.
    pub fn report_rows(&self, since: Timestamp) -> Result<Vec<ReportRow>, Error> {
        let what = || "reading the ledger for the report".to_string();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT message_id, received, updated_at, sent_at, state, action, intent,
                        decision_json
                 FROM ledger WHERE updated_at >= ?1 ORDER BY updated_at, rowid",
            )
            .during(what)?;
        let mut rows = stmt.query([stamp(since)]).during(what)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().during(what)? {
            let key: String = row.get(0).during(what)?;
            let time = |i: usize| -> Result<Option<Timestamp>, Error> {
                let text: Option<String> = row.get(i).during(what)?;
                text.map(|t| {
                    t.parse().map_err(|e| Error::Corrupt {
                        table: "ledger",
                        key: key.clone(),
                        problem: format!("column {i}: {t:?}: {e}"),
                    })
                })
                .transpose()
            };
            let (received, handled) = (time(1)?, time(2)?);
            let state: String = row.get(4).during(what)?;
            out.push(ReportRow {
                received: received.unwrap_or(Timestamp::UNIX_EPOCH),
                handled: handled.unwrap_or(Timestamp::UNIX_EPOCH),
                sent_at: time(3)?,
                state: parse_state(&state, &key)?,
                action: row.get(5).during(what)?,
                intent: row.get(6).during(what)?,
                decision_json: row.get(7).during(what)?,
            });
        }
        Ok(out)
    }

    /// Deferred replies, unanswered confirmation questions, and automatic mails in the
    /// breaker's window ending `now`.
    ///
    /// # Errors
    /// A failed query.
    pub fn gauges(&self, now: Timestamp) -> Result<Gauges, Error> {
        let count = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<usize, Error> {
            let n: i64 = self
                .conn
                .cached_row(sql, p, |row| row.get(0))
                .during(|| "counting for the metrics".to_string())?;
            Ok(usize::try_from(n).unwrap_or(0))
        };
        let hour_ago = stamp(now - SignedDuration::from_secs(BREAKER_WINDOW_SECS));
        Ok(Gauges {
            deferred: count(
                "SELECT count(*) FROM ledger WHERE state = 'deferred'",
                params![],
            )?,
            pending_confirmations: count(
                "SELECT count(*) FROM confirmation WHERE used_by IS NULL",
                params![],
            )?,
            mails_last_hour: count(
                "SELECT count(*) FROM ledger WHERE sent_at IS NOT NULL AND sent_at >= ?1",
                params![hour_ago],
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{BatchItem, Outcome};
    use crate::store::{HandOff, LedgerAction};

    #[test]
    fn a_read_only_store_reads_rows_and_refuses_a_fresh_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let received: Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
        {
            let mut store = Sqlite::open(&path).unwrap();
            let item = BatchItem {
                message_id: "a@x",
                digest: None,
                origin: "INBOX",
                received,
            };
            store.claim_batch(&[item]).unwrap();
            store
                .record(
                    "a@x",
                    &Outcome::new(
                        LedgerState::Review,
                        LedgerAction::ToHuman(HandOff::NoAccount),
                    ),
                )
                .unwrap();
        }
        let ro = Sqlite::open_read_only(&path).unwrap();
        let rows = ro.report_rows(received).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].received, received);
        assert_eq!(rows[0].action.as_deref(), Some("to_human:no_account"));
        assert!(
            ro.report_rows(Timestamp::now() + SignedDuration::from_hours(1))
                .unwrap()
                .is_empty()
        );
        let g = ro.gauges(Timestamp::now()).unwrap();
        assert_eq!(g, Gauges::default());
        std::fs::write(dir.path().join("empty.sqlite"), b"").unwrap();
        assert!(Sqlite::open_read_only(&dir.path().join("empty.sqlite")).is_err());
        assert!(Sqlite::open_read_only(&dir.path().join("missing.sqlite")).is_err());
    }
}

#[cfg(test)]
mod both {
    use crate::store::testing::stores;
    use crate::store::{LedgerAction, LedgerState, Outcome};
    use jiff::{SignedDuration, Timestamp};

    #[test]
    fn report_rows_counts_and_gauges() {
        for (kind, mut store) in stores("report_rows_gauges") {
            eprintln!("backend: {kind}");
            let before = Timestamp::now() - SignedDuration::from_secs(1);
            let at: Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
            for id in ["a@x", "b@x", "c@x"] {
                store.claim(id, "INBOX", at).unwrap();
            }
            let answer = Outcome {
                reply_to: Some("Ann@Example.com".into()),
                reply_message_id: Some("r@x".into()),
                ..Outcome::new(
                    LedgerState::Sent,
                    LedgerAction::Answer("refund_granted".into()),
                )
            };
            store.record("a@x", &answer).unwrap();
            let ack = Outcome {
                reply_to: Some("ann@example.com".into()),
                acknowledged: true,
                ..Outcome::new(LedgerState::Review, "to_human:unsure".parse().unwrap())
            };
            store.record("b@x", &ack).unwrap();
            store
                .record(
                    "c@x",
                    &Outcome::new(LedgerState::Deferred, LedgerAction::Answer("t".into())),
                )
                .unwrap();
            assert!(matches!(
                store.record("a@x", &ack),
                Err(crate::store::Error::AlreadySent { .. })
            ));
            assert_eq!(
                store.replies_sent_since("ANN@example.com", before).unwrap(),
                2
            );
            assert_eq!(store.mails_sent_since(before).unwrap(), 2);
            assert_eq!(
                store
                    .mails_sent_since(Timestamp::now() + SignedDuration::from_secs(5))
                    .unwrap(),
                0
            );
            let g = store.gauges(Timestamp::now()).unwrap();
            assert_eq!((g.deferred, g.mails_last_hour), (1, 2));
            let rows = store.report_rows(before).unwrap();
            let states: Vec<_> = rows.iter().map(|r| r.state).collect();
            assert_eq!(
                states,
                [
                    LedgerState::Sent,
                    LedgerState::Review,
                    LedgerState::Deferred
                ]
            );
            assert!(rows.iter().all(|r| r.received == at && r.handled >= before));
            assert_eq!(
                store.answered_by(&["r@x".into(), "zz@x".into()]).unwrap(),
                ["a@x"]
            );
            assert_eq!(
                store
                    .answered_in_thread(&["q@x".into(), "r@x".into()], "ann@example.com")
                    .unwrap()
                    .as_deref(),
                Some("a@x")
            );
            assert_eq!(
                store
                    .answer_bounced("r@x", "550 no such user")
                    .unwrap()
                    .as_deref(),
                Some("a@x")
            );
            assert_eq!(
                store.prior("a@x").unwrap().unwrap().state,
                LedgerState::Review
            );
            assert_eq!(
                store.mails_sent_since(before).unwrap(),
                2,
                "the bounce keeps sent_at"
            );
            let ledger = store.ledger().unwrap();
            assert_eq!(ledger.len(), 3);
            assert_eq!(ledger[0].reply_to.as_deref(), Some("ann@example.com"));
            assert!(store.claimed_at("a@x").unwrap().unwrap() >= before);
        }
    }
}
