//! The ledger: one row per message, claimed before anything is sent and recorded after, so
//! that no message is ever answered twice; and the counts the reply budget reads from it.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    BatchItem, Cached, During, Error, Sqlite, cell, corrupt, identity, parse_stamp, parse_state,
    sending, stamp,
};
use crate::accounts::normalize_address;
pub use crate::plan::{HandOff, LedgerAction};

/// The ledger key of a message: its Message-ID, unless a row with that id holds a different
/// message (another digest), in which case [`identity::variant_key`]. A row from before
/// digests were kept (schema 5) adopts the first digest that claims it: which of two such
/// messages it was cannot be told any more. Also says whether the id was taken.
pub(super) fn ledger_key(tx: &Connection, item: &BatchItem<'_>) -> Result<(String, bool), Error> {
    let id = item.message_id;
    let Some(digest) = item.digest else {
        return Ok((id.to_string(), false));
    };
    let what = || format!("looking up the ledger identity of <{id}>");
    let held: Option<Option<String>> = tx
        .cached_row(
            "SELECT digest FROM ledger WHERE message_id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()
        .during(what)?;
    match held {
        None => Ok((id.to_string(), false)),
        Some(Some(d)) if d == digest => Ok((id.to_string(), false)),
        Some(None) => {
            tx.cached_execute(
                "UPDATE ledger SET digest = ?2 WHERE message_id = ?1 AND digest IS NULL",
                params![id, digest],
            )
            .during(what)?;
            Ok((id.to_string(), false))
        }
        Some(Some(_)) => Ok((identity::variant_key(id, digest), true)),
    }
}

/// Claims one message in `tx` under `key`; true when it is ours to handle now: never seen,
/// deferred (provably not sent), or claimed and never attempted by a claimant that may be
/// taken over (see `sending`). `attempted`: the caller acts at once, so the claim is its
/// attempt.
pub(super) fn claim_in(
    tx: &Connection,
    key: &str,
    item: &BatchItem<'_>,
    now: &str,
    me: Option<&str>,
    attempted: bool,
) -> Result<bool, Error> {
    let id = key;
    let what = || format!("claiming <{id}>");
    let attempted_at = attempted.then_some(now);
    let inserted = tx
        .cached_execute(
            "INSERT INTO ledger (message_id, origin, received, state, claimed_at, updated_at,
                claimant, attempted_at, digest)
             VALUES (?1, ?2, ?3, 'claimed', ?4, ?4, ?5, ?6, ?7) ON CONFLICT (message_id) DO NOTHING",
            params![id, item.origin, stamp(item.received), now, me, attempted_at, item.digest],
        )
        .during(what)?;
    if inserted == 1 {
        return Ok(true);
    }
    let (state, unattempted, theirs): (String, bool, Option<String>) = tx
        .cached_row(
            "SELECT state, attempted_at IS NULL, claimant FROM ledger WHERE message_id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .during(what)?;
    let ours = state == "deferred"
        || (state == "claimed" && unattempted && sending::may_take_over(me, theirs.as_deref()));
    if ours {
        tx.cached_execute(
            "UPDATE ledger SET state = 'claimed', updated_at = ?2, claimant = ?3,
                attempted_at = ?4
             WHERE message_id = ?1",
            params![id, now, me, attempted_at],
        )
        .during(what)?;
    }
    Ok(ours)
}

/// [`Claim::Seen`] with the ledger's row for a message that was not ours to claim.
pub(super) fn seen_in(conn: &Connection, message_id: &str) -> Result<Claim, Error> {
    let prior = prior_in(conn, message_id)?.ok_or_else(|| Error::Corrupt {
        table: "ledger",
        key: message_id.to_string(),
        problem: "the row vanished while it was being claimed".into(),
    })?;
    Ok(Claim::Seen(prior))
}

pub(super) fn prior_in(conn: &Connection, message_id: &str) -> Result<Option<Prior>, Error> {
    let row: Option<(String, Option<String>, String)> = conn
        .cached_row(
            "SELECT state, action, updated_at FROM ledger WHERE message_id = ?1",
            [message_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .during(|| format!("reading the ledger row of <{message_id}>"))?;
    row.map(|(state, action, updated_at)| {
        Ok(Prior {
            state: parse_state(&state, message_id)?,
            action,
            updated_at,
        })
    })
    .transpose()
}

/// The result of claiming an inbound message before acting on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Never seen: it is ours to handle now.
    New,
    /// Claimed before (maybe by a run that crashed before recording): never answer again.
    Seen(Prior),
}

/// What the ledger already says about a message claimed earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub state: LedgerState,
    pub action: Option<String>,
    /// RFC 3339, when the row last changed.
    pub updated_at: String,
}

/// Where a message stands. `Claimed` with no later state means "maybe sent": people decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerState {
    Claimed,
    Sent,
    Review,
    Skipped,
    Failed,
    /// The relay refused for now (4xx, or it could not be reached before anything was sent):
    /// nothing went out, so the next pass may claim it again.
    Deferred,
    /// The reply was saved as a draft for a person to send (mailbox mode `draft`).
    Drafted,
}

impl LedgerState {
    /// The snake_case name stored in the ledger.
    pub fn as_str(&self) -> &'static str {
        match self {
            LedgerState::Claimed => "claimed",
            LedgerState::Sent => "sent",
            LedgerState::Review => "review",
            LedgerState::Skipped => "skipped",
            LedgerState::Failed => "failed",
            LedgerState::Deferred => "deferred",
            LedgerState::Drafted => "drafted",
        }
    }

    /// The inverse of [`LedgerState::as_str`].
    pub fn parse(text: &str) -> Option<LedgerState> {
        [
            Self::Claimed,
            Self::Sent,
            Self::Review,
            Self::Skipped,
            Self::Failed,
            Self::Deferred,
            Self::Drafted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for LedgerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What became of a claimed message; kept so people can audit every automatic answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: LedgerState,
    /// What was done; stored as its string (`refund_granted`, `to_human:no_account`,
    /// `skip:auto_submitted`).
    pub action: LedgerAction,
    pub intent: Option<String>,
    pub account_id: Option<String>,
    pub decision_json: Option<String>,
    pub reply_message_id: Option<String>,
    /// The address the reply went to; counted by [`Store::replies_sent_since`].
    pub reply_to: Option<String>,
    pub reason: Option<String>,
    /// An automatic mail other than the answer went to `reply_to` (an acknowledgement that
    /// people will answer): it counts against the reply budget like an answer.
    pub acknowledged: bool,
}

impl Outcome {
    /// An outcome with only a state and an action; set the other fields as they apply.
    pub fn new(state: LedgerState, action: LedgerAction) -> Outcome {
        Outcome {
            state,
            action,
            intent: None,
            account_id: None,
            decision_json: None,
            reply_message_id: None,
            reply_to: None,
            reason: None,
            acknowledged: false,
        }
    }
}

/// One ledger row, for `mailclerk` reports and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub message_id: String,
    pub origin: String,
    pub received: Timestamp,
    pub state: LedgerState,
    pub action: Option<String>,
    pub intent: Option<String>,
    pub account_id: Option<String>,
    pub reason: Option<String>,
    pub reply_message_id: Option<String>,
    pub reply_to: Option<String>,
    pub updated_at: String,
}

impl Sqlite {
    /// Claims an inbound message before anything is sent for it. Exactly one caller ever gets
    /// [`Claim::New`] for a message id; every later claim (after a crash, a redelivery, a
    /// second process) gets [`Claim::Seen`] and must not answer.
    ///
    /// # Errors
    /// A failed write; the message must then be left alone, not answered.
    ///
    /// # Examples
    /// ```
    /// use mailclerk::store::{Claim, Store};
    /// let mut store = Store::open_in_memory()?;
    /// let at = "2026-03-01T09:00:00Z".parse()?;
    /// assert_eq!(store.claim("a@x", "inbox/1.eml", at)?, Claim::New);
    /// assert!(matches!(store.claim("a@x", "inbox/1.eml", at)?, Claim::Seen(_)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn claim(
        &mut self,
        message_id: &str,
        origin: &str,
        received: Timestamp,
    ) -> Result<Claim, Error> {
        let what = || format!("claiming <{message_id}>");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during(what)?;
        let now = stamp(self.clock.now());
        let item = BatchItem {
            message_id,
            digest: None,
            origin,
            received,
        };
        let claim = if claim_in(&tx, message_id, &item, &now, self.claimant.as_deref(), true)? {
            Claim::New
        } else {
            seen_in(&tx, message_id)?
        };
        tx.commit().during(what)?;
        Ok(claim)
    }

    /// When the message was first claimed (a deferred reply keeps its first claim time
    /// across retries), if the ledger knows it.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn claimed_at(&self, message_id: &str) -> Result<Option<Timestamp>, Error> {
        let text: Option<String> = self
            .conn
            .cached_row(
                "SELECT claimed_at FROM ledger WHERE message_id = ?1",
                [message_id],
                |row| row.get(0),
            )
            .optional()
            .during(|| format!("reading when <{message_id}> was claimed"))?;
        text.map(|t| {
            parse_stamp(&t).ok_or_else(|| Error::Corrupt {
                table: "ledger",
                key: message_id.to_string(),
                problem: format!("claimed_at {t:?}"),
            })
        })
        .transpose()
    }

    /// What the ledger says about a message now, if it has a row.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn prior(&self, message_id: &str) -> Result<Option<Prior>, Error> {
        prior_in(&self.conn, message_id)
    }

    /// Records what became of a claimed message.
    ///
    /// Committed without waiting for the disk (`synchronous=NORMAL`): it survives the process
    /// being killed at once, and the next durable write of this store (the next batch's
    /// claims, the folder's progress) makes it durable against a power loss. A record that a
    /// power loss rolls back leaves the message `claimed` from another boot, which is
    /// reconciled against Sent and otherwise handed to people, never answered again: the
    /// claim before the send is what must be on disk, and it is (`synchronous=FULL`).
    ///
    /// # Errors
    /// [`Error::NotClaimed`] if the message was never claimed, or a failed write.
    #[cfg(test)]
    pub fn record(&mut self, message_id: &str, outcome: &Outcome) -> Result<(), Error> {
        self.record_with_copy(message_id, outcome, None)
    }

    pub(super) fn record_in(
        conn: &Connection,
        message_id: &str,
        outcome: &Outcome,
        now: Timestamp,
    ) -> Result<(), Error> {
        let reply_to = outcome.reply_to.as_deref().map(normalize_address);
        let changed = conn
            .cached_execute(
                "UPDATE ledger SET state = ?2, action = ?3, intent = ?4, account_id = ?5,
                    decision_json = ?6, reply_message_id = ?7, reply_to = ?8, reason = ?9,
                    updated_at = ?10, sending = NULL,
                    sent_at = CASE WHEN ?2 = 'sent' OR ?11 THEN coalesce(sent_at, ?10) ELSE sent_at END
                 WHERE message_id = ?1 AND (state <> 'sent' OR ?2 = 'sent')",
                params![
                    message_id,
                    outcome.state.as_str(),
                    outcome.action.to_string(),
                    outcome.intent,
                    outcome.account_id,
                    outcome.decision_json,
                    outcome.reply_message_id,
                    reply_to,
                    outcome.reason,
                    stamp(now),
                    outcome.acknowledged,
                ],
            )
            .during(|| format!("recording the outcome of <{message_id}>"))?;
        if changed == 0 {
            return Err(match prior_in(conn, message_id)? {
                Some(prior) if prior.state == LedgerState::Sent => Error::AlreadySent {
                    message_id: message_id.to_string(),
                },
                _ => Error::NotClaimed {
                    message_id: message_id.to_string(),
                },
            });
        }
        Ok(())
    }

    /// Every ledger row, oldest received first.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn ledger(&self) -> Result<Vec<LedgerRow>, Error> {
        let what = || "listing the ledger".to_string();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT message_id, origin, received, state, action, intent, account_id, reason,
                        reply_message_id, reply_to, updated_at
                 FROM ledger ORDER BY received, rowid",
            )
            .during(what)?;
        let mut rows = stmt.query([]).during(what)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().during(what)? {
            out.push(ledger_row(row)?);
        }
        Ok(out)
    }

    /// How many automatic mails (answers and acknowledgements) went to `to` (normalized) at
    /// or after `since`: the per-sender budget that stops a mail loop or a flood from making
    /// us write without end.
    ///
    /// # Errors
    /// A failed query.
    pub fn replies_sent_since(&self, to: &str, since: Timestamp) -> Result<usize, Error> {
        let to = normalize_address(to);
        let n: i64 = self
            .conn
            .cached_row(
                "SELECT count(*) FROM ledger WHERE sent_at IS NOT NULL AND reply_to = ?1 AND sent_at >= ?2",
                params![to, stamp(since)],
                |row| row.get(0),
            )
            .during(|| format!("counting replies to {to:?}"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// How many automatic mails went out at or after `since`, to anyone: the breaker's count.
    ///
    /// # Errors
    /// A failed query.
    pub fn mails_sent_since(&self, since: Timestamp) -> Result<usize, Error> {
        let n: i64 = self
            .conn
            .cached_row(
                "SELECT count(*) FROM ledger WHERE sent_at IS NOT NULL AND sent_at >= ?1",
                params![stamp(since)],
                |row| row.get(0),
            )
            .during(|| "counting the replies of the last hour".to_string())?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

pub(super) fn ledger_row(row: &rusqlite::Row<'_>) -> Result<LedgerRow, Error> {
    let key: String = row
        .get(0)
        .map_err(|e| corrupt("ledger", "?", format!("message_id: {e}")))?;
    let received: String = cell(row, 2, &key)?;
    let state: String = cell(row, 3, &key)?;
    Ok(LedgerRow {
        origin: cell(row, 1, &key)?,
        received: received
            .parse()
            .map_err(|e| corrupt("ledger", &key, format!("received {received:?}: {e}")))?,
        state: parse_state(&state, &key)?,
        action: cell(row, 4, &key)?,
        intent: cell(row, 5, &key)?,
        account_id: cell(row, 6, &key)?,
        reason: cell(row, 7, &key)?,
        reply_message_id: cell(row, 8, &key)?,
        reply_to: cell(row, 9, &key)?,
        updated_at: cell(row, 10, &key)?,
        message_id: key,
    })
}
