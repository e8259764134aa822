//! The billing hand-off's steps and the audit trail, in the same database as the ledger.
//!
//! Tables added with `CREATE TABLE IF NOT EXISTS` at every open, not by a schema version: an
//! older mailclerk opening the store ignores them, and they never change a ledger row.
//! Billing steps are written with `synchronous=FULL`: "billing pending" must be on disk before
//! the first try (so a restart reuses its key and bytes), and "reply attempted" before the
//! reply is sent (so a restart knows whether it may send it).

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::ledger::ledger_row;
use super::{Cached, During, Error, LedgerRow, Sqlite, cell, sending, stamp};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS billing (
    message_id TEXT PRIMARY KEY NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    target TEXT NOT NULL,
    decision_sha256 TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_try_at TEXT NOT NULL,
    last_try_at TEXT,
    settled_at TEXT,
    answer TEXT,
    reply_attempted_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS audit (
    message_id TEXT PRIMARY KEY NOT NULL,
    mailbox TEXT NOT NULL,
    received TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    trace TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS audit_by_received ON audit(received);
";

/// Where a hand-off stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingState {
    /// Written before the first try; tried zero or more times, no final answer yet.
    Pending,
    Accepted,
    Refused,
}

impl BillingState {
    pub fn as_str(&self) -> &'static str {
        match self {
            BillingState::Pending => "pending",
            BillingState::Accepted => "accepted",
            BillingState::Refused => "refused",
        }
    }

    pub(super) fn parse(text: &str) -> Option<BillingState> {
        [Self::Pending, Self::Accepted, Self::Refused]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A hand-off as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRow {
    pub message_id: String,
    pub key: String,
    /// `webhook <url>` or `command <argv>`.
    pub target: String,
    pub decision_sha256: String,
    /// The exact bytes sent at every try.
    pub body: Vec<u8>,
    pub state: BillingState,
    pub attempts: u32,
    pub first_try_at: Timestamp,
    pub last_try_at: Option<Timestamp>,
    pub settled_at: Option<Timestamp>,
    /// The billing side's last answer (status and an excerpt), or why it was given up.
    pub answer: Option<String>,
    pub reply_attempted_at: Option<Timestamp>,
}

/// A hand-off to begin: what [`Store::billing_begin`] writes if the message has none yet.
#[derive(Debug, Clone, Copy)]
pub struct NewBilling<'a> {
    pub message_id: &'a str,
    pub key: &'a str,
    pub target: &'a str,
    pub decision_sha256: &'a str,
    pub body: &'a [u8],
}

/// One message's ledger row with its audit trace and hand-off, for `decisions` and `explain`.
#[derive(Debug, Clone)]
pub struct Trail {
    /// The ledger row itself, as `Store::ledger` reads it.
    pub row: LedgerRow,
    pub decision_json: Option<String>,
    pub claimed_at: String,
    pub attempted_at: Option<String>,
    pub sent_at: Option<String>,
    /// The audit trace (JSON) written when the message was decided, if this mailclerk wrote one.
    pub trace: Option<String>,
    pub billing: Option<BillingRow>,
}

const BILLING_COLUMNS: &str = "message_id, idempotency_key, target, decision_sha256, body, state,
    attempts, first_try_at, last_try_at, settled_at, answer, reply_attempted_at";

fn billing_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(BillingRow, String)> {
    let ts = |i: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(row
            .get::<_, Option<String>>(i)?
            .and_then(|t| t.parse().ok()))
    };
    let state: String = row.get(5)?;
    Ok((
        BillingRow {
            message_id: row.get(0)?,
            key: row.get(1)?,
            target: row.get(2)?,
            decision_sha256: row.get(3)?,
            body: row.get(4)?,
            state: BillingState::parse(&state).unwrap_or(BillingState::Pending),
            attempts: row.get(6)?,
            first_try_at: ts(7)?.unwrap_or(Timestamp::UNIX_EPOCH),
            last_try_at: ts(8)?,
            settled_at: ts(9)?,
            answer: row.get(10)?,
            reply_attempted_at: ts(11)?,
        },
        state,
    ))
}

/// [`Store::billing_resumable`]'s rule, from the message's ledger state and claimant and
/// whether its hand-off's reply was never attempted. `one_machine`: every claimant is of this
/// machine (SQLite), so a claim of another boot is of a process that is gone; in a shared
/// database another boot id may be another machine's live daemon.
pub(super) fn resumable(
    me: Option<&str>,
    state: &str,
    theirs: Option<&str>,
    unattempted: bool,
    one_machine: bool,
) -> bool {
    if state != "claimed" || !unattempted {
        return false;
    }
    let other_boot = one_machine
        && match (me.and_then(|m| m.split_once(':')), theirs) {
            (Some((boot, _)), Some(t)) => !t.starts_with(&format!("{boot}:")),
            _ => false,
        };
    // Another boot: every process of it is gone, and the marks were written with a sync.
    other_boot || sending::may_take_over(me, theirs)
}

impl Sqlite {
    /// Writes the hand-off's key and body before the first try, unless the message already
    /// has one; returns the hand-off as stored (the earlier one, if any: its key and bytes are
    /// the ones every try must use).
    ///
    /// # Errors
    /// A failed write.
    pub fn billing_begin(&mut self, new: &NewBilling<'_>) -> Result<BillingRow, Error> {
        let id = new.message_id;
        self.conn
            .cached_execute(
                "INSERT INTO billing (message_id, idempotency_key, target, decision_sha256, body,
                    state, first_try_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6) ON CONFLICT (message_id) DO NOTHING",
                params![
                    id,
                    new.key,
                    new.target,
                    new.decision_sha256,
                    new.body,
                    stamp(self.clock.now())
                ],
            )
            .during(|| format!("writing the billing hand-off of <{id}>"))?;
        self.billing(id)?.ok_or_else(|| Error::Corrupt {
            table: "billing",
            key: id.to_string(),
            problem: "the row vanished as it was written".into(),
        })
    }

    /// The message's hand-off, if it has one.
    ///
    /// # Errors
    /// A failed query.
    pub fn billing(&self, message_id: &str) -> Result<Option<BillingRow>, Error> {
        let sql = format!("SELECT {BILLING_COLUMNS} FROM billing WHERE message_id = ?1");
        let found = self
            .conn
            .cached_row(&sql, [message_id], billing_row)
            .optional()
            .during(|| format!("reading the billing hand-off of <{message_id}>"))?;
        match found {
            Some((row, state)) if BillingState::parse(&state).is_none() => Err(Error::Corrupt {
                table: "billing",
                key: row.message_id,
                problem: format!("unknown state {state:?}"),
            }),
            other => Ok(other.map(|(row, _)| row)),
        }
    }

    /// Counts tries that got no final answer, with the last answer.
    ///
    /// # Errors
    /// A failed write.
    pub fn billing_tried(
        &mut self,
        message_id: &str,
        tries: u32,
        answer: &str,
    ) -> Result<(), Error> {
        self.conn
            .cached_execute(
                "UPDATE billing SET attempts = attempts + ?2, last_try_at = ?3, answer = ?4
                 WHERE message_id = ?1 AND state = 'pending'",
                params![message_id, tries, stamp(self.clock.now()), answer],
            )
            .during(|| format!("counting billing tries of <{message_id}>"))?;
        Ok(())
    }

    /// The final answer: accepted or refused (or given up, which counts as refused).
    ///
    /// # Errors
    /// A failed write.
    pub fn billing_settle(
        &mut self,
        message_id: &str,
        state: BillingState,
        tries: u32,
        answer: &str,
    ) -> Result<(), Error> {
        let now = stamp(self.clock.now());
        self.conn
            .cached_execute(
                "UPDATE billing SET state = ?2, attempts = attempts + ?3, last_try_at = ?4,
                    settled_at = ?4, answer = ?5
                 WHERE message_id = ?1 AND state = 'pending'",
                params![message_id, state.as_str(), tries, now, answer],
            )
            .during(|| format!("recording the billing answer for <{message_id}>"))?;
        Ok(())
    }

    /// Marks, durably, that the reply announcing an accepted hand-off is about to be sent.
    ///
    /// # Errors
    /// A failed write.
    pub fn billing_reply_attempt(&mut self, message_id: &str) -> Result<(), Error> {
        self.conn
            .cached_execute(
                "UPDATE billing SET reply_attempted_at = coalesce(reply_attempted_at, ?2)
                 WHERE message_id = ?1",
                params![message_id, stamp(self.clock.now())],
            )
            .during(|| format!("marking the reply to <{message_id}> as attempted"))?;
        Ok(())
    }

    /// Whether an interrupted message may be handled again from its billing step: it is
    /// still only claimed, has a hand-off whose reply was never attempted (so no reply can
    /// have gone out: that mark is durable and precedes the send), and the process that
    /// claimed it is gone (or is this one). Never for a live other daemon's claim.
    ///
    /// # Errors
    /// A failed query.
    pub fn billing_resumable(&self, message_id: &str) -> Result<bool, Error> {
        let row: Option<(String, Option<String>, bool)> = self
            .conn
            .cached_row(
                "SELECT l.state, l.claimant, b.reply_attempted_at IS NULL
                 FROM ledger l JOIN billing b USING (message_id) WHERE l.message_id = ?1",
                [message_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .during(|| format!("reading whether <{message_id}> may resume"))?;
        Ok(row.is_some_and(|(state, theirs, unattempted)| {
            resumable(
                self.claimant.as_deref(),
                &state,
                theirs.as_deref(),
                unattempted,
                true,
            )
        }))
    }

    /// Keeps the audit trace of a decided message (replaced if it is decided again).
    ///
    /// # Errors
    /// A failed write.
    pub fn record_audit(
        &mut self,
        message_id: &str,
        mailbox: &str,
        received: Timestamp,
        trace: &str,
    ) -> Result<(), Error> {
        let clock = self.clock.clone();
        self.relaxed(|conn| {
            conn.cached_execute(
                "INSERT INTO audit (message_id, mailbox, received, decided_at, trace)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (message_id) DO UPDATE SET decided_at = ?4, trace = ?5",
                params![
                    message_id,
                    mailbox,
                    stamp(received),
                    stamp(clock.now()),
                    trace
                ],
            )
            .during(|| format!("recording the audit trace of <{message_id}>"))
        })?;
        Ok(())
    }

    /// Every ledger row received at or after `since` (all with `None`), with its trace and
    /// hand-off, oldest first; or the one row of `message_id`.
    ///
    /// # Errors
    /// A failed query.
    pub fn trails(
        &self,
        since: Option<Timestamp>,
        message_id: Option<&str>,
    ) -> Result<Vec<Trail>, Error> {
        let what = || "reading the ledger with its audit trail".to_string();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT l.message_id, l.origin, l.received, l.state, l.action, l.intent,
                        l.account_id, l.reason, l.reply_message_id, l.reply_to, l.updated_at,
                        l.decision_json, l.claimed_at, l.attempted_at, l.sent_at, a.trace
                 FROM ledger l LEFT JOIN audit a USING (message_id)
                 WHERE l.received >= ?1 AND (?2 IS NULL OR l.message_id = ?2)
                 ORDER BY l.received, l.rowid",
            )
            .during(what)?;
        let since = since.map_or_else(String::new, stamp);
        let mut rows = Vec::new();
        let mut found = stmt.query(params![since, message_id]).during(what)?;
        // The ledger's own columns first, read as `Store::ledger` reads them.
        while let Some(r) = found.next().during(what)? {
            let row = ledger_row(r)?;
            let key = row.message_id.clone();
            rows.push(Trail {
                decision_json: cell(r, 11, &key)?,
                claimed_at: cell(r, 12, &key)?,
                attempted_at: cell(r, 13, &key)?,
                sent_at: cell(r, 14, &key)?,
                trace: cell(r, 15, &key)?,
                billing: None,
                row,
            });
        }
        drop(found);
        let mut out = Vec::with_capacity(rows.len());
        for mut t in rows {
            // A store created before this table existed (read-only: not created) has none.
            t.billing = self.billing(&t.row.message_id).or_else(|e| match e {
                Error::Query { .. } if !self.has_table("billing")? => Ok(None),
                e => Err(e),
            })?;
            out.push(t);
        }
        Ok(out)
    }

    fn has_table(&self, name: &str) -> Result<bool, Error> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .during(|| format!("looking for table {name}"))?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::stores;
    use crate::store::{Claim, LedgerState, Outcome};
    use crate::store::{HandOff, LedgerAction};

    fn new<'a>(id: &'a str, key: &'a str, body: &'a [u8]) -> NewBilling<'a> {
        NewBilling {
            message_id: id,
            key,
            target: "webhook http://127.0.0.1:1/",
            decision_sha256: "d",
            body,
        }
    }

    #[test]
    fn a_hand_off_keeps_its_first_key_and_bytes() {
        for (kind, mut store) in stores("a_hand_off_keeps_its_first_key_and_bytes") {
            eprintln!("backend: {kind}");
            let first = store.billing_begin(&new("a@x", "k1", b"one")).unwrap();
            assert_eq!(
                (first.key.as_str(), first.state),
                ("k1", BillingState::Pending)
            );
            // A later handling (after a crash, with a changed decision) gets the first one back.
            let again = store.billing_begin(&new("a@x", "k2", b"two")).unwrap();
            assert_eq!(
                (again.key.as_str(), again.body.as_slice()),
                ("k1", &b"one"[..])
            );
            store.billing_tried("a@x", 2, "HTTP 503").unwrap();
            store
                .billing_settle("a@x", BillingState::Accepted, 1, "HTTP 200")
                .unwrap();
            // Settled is final: a late refusal does not overwrite it.
            store
                .billing_settle("a@x", BillingState::Refused, 1, "HTTP 400")
                .unwrap();
            let row = store.billing("a@x").unwrap().unwrap();
            assert_eq!(row.state, BillingState::Accepted);
            assert_eq!(row.attempts, 3);
            assert_eq!(row.answer.as_deref(), Some("HTTP 200"));
            assert!(row.settled_at.is_some() && row.reply_attempted_at.is_none());
        }
    }

    #[test]
    fn only_an_unattempted_reply_of_a_claimed_message_resumes() {
        for (kind, mut store) in stores("only_an_unattempted_reply_of_a_claimed_m") {
            eprintln!("backend: {kind}");
            store.set_claimant(Some("boot:1:1".into()));
            let at = "2026-03-01T09:00:00Z".parse().unwrap();
            assert_eq!(store.claim("a@x", "o", at).unwrap(), Claim::New);
            assert!(!store.billing_resumable("a@x").unwrap(), "no hand-off");
            store.billing_begin(&new("a@x", "k1", b"{}")).unwrap();
            assert!(store.billing_resumable("a@x").unwrap(), "our own claim");
            store.set_claimant(Some("otherboot:1:1".into()));
            // In a shared database another boot may be another machine's live daemon.
            assert_eq!(
                store.billing_resumable("a@x").unwrap(),
                kind == "sqlite",
                "a claim from another boot"
            );
            store.billing_reply_attempt("a@x").unwrap();
            assert!(
                !store.billing_resumable("a@x").unwrap(),
                "the reply may have gone"
            );
            store.claim("b@x", "o", at).unwrap();
            store.billing_begin(&new("b@x", "k2", b"{}")).unwrap();
            store
                .record(
                    "b@x",
                    &Outcome::new(
                        LedgerState::Review,
                        LedgerAction::ToHuman(HandOff::BillingRefused),
                    ),
                )
                .unwrap();
            assert!(!store.billing_resumable("b@x").unwrap(), "recorded");
        }
    }

    /// Every time the store writes comes from its clock ([`Store::set_clock`]), on both
    /// backends: a manual clock's, read back exactly.
    #[test]
    fn the_times_a_store_writes_follow_its_clock() {
        use crate::clock::Clock;
        use jiff::SignedDuration;
        for (kind, mut store) in stores("the_times_a_store_writes_follow_its_clock") {
            eprintln!("backend: {kind}");
            let t0: Timestamp = "2031-05-04T03:02:01Z".parse().unwrap();
            let clock = Clock::manual(t0);
            store.set_clock(clock.clone());
            assert_eq!(store.now(), t0);
            let received = "2026-03-01T09:00:00Z".parse().unwrap();
            assert_eq!(store.claim("a@x", "o", received).unwrap(), Claim::New);
            let minute = SignedDuration::from_mins(1);
            clock.advance(minute);
            store.billing_begin(&new("a@x", "k1", b"{}")).unwrap();
            clock.advance(minute);
            store.billing_tried("a@x", 1, "HTTP 503").unwrap();
            assert_eq!(
                store.billing("a@x").unwrap().unwrap().last_try_at,
                Some(t0 + 2 * minute)
            );
            clock.advance(minute);
            store
                .billing_settle("a@x", BillingState::Accepted, 1, "HTTP 200")
                .unwrap();
            clock.advance(minute);
            store.billing_reply_attempt("a@x").unwrap();
            clock.advance(minute);
            store.record_audit("a@x", "desk", received, "{}").unwrap();
            let at = |n: i64| t0 + SignedDuration::from_mins(n);
            let b = store.billing("a@x").unwrap().unwrap();
            assert_eq!(b.first_try_at, at(1));
            // The settling answer is the last try.
            assert_eq!(b.last_try_at, Some(at(3)));
            assert_eq!(b.settled_at, Some(at(3)));
            assert_eq!(b.reply_attempted_at, Some(at(4)));
            let trail = store.trails(None, Some("a@x")).unwrap().remove(0);
            let read = |text: &str| text.parse::<Timestamp>().unwrap();
            assert_eq!(read(&trail.claimed_at), t0);
            // A claim by this process is its first attempt.
            assert_eq!(trail.attempted_at.as_deref().map(read), Some(t0));
            clock.advance(minute);
            let mut sent = Outcome::new(
                LedgerState::Sent,
                LedgerAction::Answer("refund_granted".into()),
            );
            sent.reply_message_id = Some("<r@x>".into());
            store.record("a@x", &sent).unwrap();
            let trail = store.trails(None, Some("a@x")).unwrap().remove(0);
            assert_eq!(read(&trail.row.updated_at), at(6));
            assert_eq!(trail.sent_at.as_deref().map(read), Some(at(6)));
        }
    }

    #[test]
    fn trails_join_the_audit_and_the_hand_off() {
        for (kind, mut store) in stores("trails_join_the_audit_and_the_hand_off") {
            eprintln!("backend: {kind}");
            let at: Timestamp = "2026-03-01T09:00:00Z".parse().unwrap();
            store.claim("a@x", "o", at).unwrap();
            store
                .claim("b@x", "o", "2026-02-01T09:00:00Z".parse().unwrap())
                .unwrap();
            store.record_audit("a@x", "desk", at, r#"{"x":1}"#).unwrap();
            store.billing_begin(&new("a@x", "k1", b"{}")).unwrap();
            let all = store.trails(None, None).unwrap();
            assert_eq!(all.len(), 2);
            let since = store
                .trails(Some("2026-02-15T00:00:00Z".parse().unwrap()), None)
                .unwrap();
            assert_eq!(since.len(), 1);
            assert_eq!(since[0].trace.as_deref(), Some(r#"{"x":1}"#));
            assert_eq!(since[0].billing.as_ref().unwrap().key, "k1");
            let one = store.trails(None, Some("b@x")).unwrap();
            assert_eq!((one.len(), one[0].billing.is_none()), (1, true));
        }
    }
}
