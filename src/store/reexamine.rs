//! A second look at a message handed to people, when a person asks for one (moved back to the
//! INBOX, or marked `$mailclerk-retry`). The ledger row is reopened as a fresh claim only when
//! nothing automatic ever went out for it: a message that was answered, drafted, asked to
//! confirm, or whose send is of unknown outcome is never reopened, so the one-answer rule
//! holds. Each re-examination is kept as a row of its own, with what the ledger said before.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::plan::LedgerAction;

use super::{Cached, During, Error, LedgerState, Sqlite, parse_state, stamp};

/// Created when missing, whatever the schema version (like the billing tables): a store
/// without it simply has no re-examinations yet.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reexamination (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    trigger TEXT NOT NULL,
    origin TEXT NOT NULL,
    earlier_state TEXT NOT NULL,
    earlier_action TEXT,
    earlier_reason TEXT,
    at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS reexamination_by_message ON reexamination(message_id);
";

/// What made a person's request for a second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The message came back to the INBOX carrying the keyword mailclerk gave it when it
    /// filed it for people.
    MovedBack,
    /// A person set `$mailclerk-retry` on it.
    RetryKeyword,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::MovedBack => "moved_back",
            Trigger::RetryKeyword => "retry_keyword",
        }
    }

    pub fn parse(text: &str) -> Option<Trigger> {
        [Trigger::MovedBack, Trigger::RetryKeyword]
            .into_iter()
            .find(|t| t.as_str() == text)
    }

    /// For the log: what the person did.
    pub fn describe(self) -> &'static str {
        match self {
            Trigger::MovedBack => "moved back to INBOX by a person",
            Trigger::RetryKeyword => "marked $mailclerk-retry by a person",
        }
    }
}

/// What the ledger said before a re-examination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    pub state: LedgerState,
    pub action: Option<String>,
    pub reason: Option<String>,
}

/// Why a message is not examined again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAgain {
    /// Its answer went out (or was saved as a draft, or a confirmation question was sent):
    /// a second one would contradict or duplicate it.
    Answered,
    /// Whether an answer went out is not known (an interrupted send, a failed one, a claim in
    /// progress): never risk a second.
    Unknown,
    /// Skipped (not a request), or waiting for the relay: nothing for a person to retry.
    NotWithPeople,
    /// It is where the ledger last saw it (the keyword was set, the move not yet done):
    /// nobody moved it.
    NotMoved,
}

impl NotAgain {
    pub fn describe(self) -> &'static str {
        match self {
            NotAgain::Answered => "it was answered (or a draft or question went out) already",
            NotAgain::Unknown => "whether an answer went out is unknown",
            NotAgain::NotWithPeople => "it was not handed to people",
            NotAgain::NotMoved => "it was not moved",
        }
    }
}

/// The outcome of [`Store::reopen`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reopen {
    /// Claimed again (and marked attempted): act on it and record the outcome.
    Reopened(Earlier),
    Refused(NotAgain),
}

/// One re-examination, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reexamination {
    pub message_id: String,
    pub trigger: Trigger,
    pub origin: String,
    pub earlier: Earlier,
    pub at: Timestamp,
}

/// Why a row may not be reopened, if it may not: only a `review` row handed over by a
/// decision (`to_human:*`) with no reply Message-ID and no reply being sent, and (when moved
/// back) found somewhere else than where the ledger last saw it.
pub(super) fn refusal(
    state: LedgerState,
    action: Option<&str>,
    has_reply: bool,
    sending: bool,
    same_place: bool,
    trigger: Trigger,
) -> Option<NotAgain> {
    let handed_over = action
        .and_then(|a| a.parse::<LedgerAction>().ok())
        .is_some_and(|a| matches!(a, LedgerAction::ToHuman(_)));
    match state {
        LedgerState::Sent | LedgerState::Drafted => Some(NotAgain::Answered),
        LedgerState::Claimed | LedgerState::Failed => Some(NotAgain::Unknown),
        LedgerState::Skipped | LedgerState::Deferred => Some(NotAgain::NotWithPeople),
        LedgerState::Review if has_reply => Some(NotAgain::Answered),
        LedgerState::Review if sending || !handed_over => Some(NotAgain::Unknown),
        LedgerState::Review if trigger == Trigger::MovedBack && same_place => {
            Some(NotAgain::NotMoved)
        }
        LedgerState::Review => None,
    }
}

impl Sqlite {
    /// Reopens a message handed to people for a second examination, now at `origin`, in one
    /// durable transaction: only a `review` row for which no mail other than an
    /// acknowledgement went out (no reply Message-ID, no reply being sent) and that was handed
    /// over by a decision (`to_human:*`); an interrupted send is `interrupted`, never reopened.
    ///
    /// # Errors
    /// A failed query or write, or a message the ledger does not know ([`Error::NotClaimed`]).
    pub fn reopen(
        &mut self,
        message_id: &str,
        origin: &str,
        trigger: Trigger,
    ) -> Result<Reopen, Error> {
        let what = || format!("reopening <{message_id}> for a second examination");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during(what)?;
        type Row = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            bool,
            String,
        );
        let row: Option<Row> = tx
            .cached_row(
                "SELECT state, action, reason, reply_message_id, sending IS NOT NULL, origin
                 FROM ledger WHERE message_id = ?1",
                [message_id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()
            .during(what)?;
        let Some((state, action, reason, reply_id, sending, was_at)) = row else {
            return Err(Error::NotClaimed {
                message_id: message_id.to_string(),
            });
        };
        let state = parse_state(&state, message_id)?;
        let refused = refusal(
            state,
            action.as_deref(),
            reply_id.is_some(),
            sending,
            was_at == origin,
            trigger,
        );
        if let Some(why) = refused {
            return Ok(Reopen::Refused(why));
        }
        let now = stamp(self.clock.now());
        tx.cached_execute(
            "UPDATE ledger SET state = 'claimed', origin = ?2, updated_at = ?3, claimant = ?4,
                attempted_at = ?3
             WHERE message_id = ?1 AND state = 'review'",
            params![message_id, origin, now, self.claimant],
        )
        .during(what)?;
        tx.cached_execute(
            "INSERT INTO reexamination (message_id, trigger, origin, earlier_state,
                earlier_action, earlier_reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                message_id,
                trigger.as_str(),
                origin,
                state.as_str(),
                action,
                reason,
                now
            ],
        )
        .during(what)?;
        tx.commit().during(what)?;
        Ok(Reopen::Reopened(Earlier {
            state,
            action,
            reason,
        }))
    }

    /// Every re-examination of `message_id`, oldest first.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn reexaminations(&self, message_id: &str) -> Result<Vec<Reexamination>, Error> {
        let what = || format!("reading the re-examinations of <{message_id}>");
        // A store only ever opened read-only by this version has no table yet: no looks.
        let table: Option<String> = self
            .conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'reexamination'",
                [],
                |r| r.get(0),
            )
            .optional()
            .during(what)?;
        if table.is_none() {
            return Ok(Vec::new());
        }
        type Row = (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = self
            .conn
            .prepare_cached(
                "SELECT trigger, origin, earlier_state, earlier_action, earlier_reason, at
                 FROM reexamination WHERE message_id = ?1 ORDER BY id",
            )
            .and_then(|mut st| {
                st.query_map([message_id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect()
            })
            .during(what)?;
        rows.into_iter()
            .map(|(trigger, origin, state, action, reason, at)| {
                let corrupt = |problem: String| Error::Corrupt {
                    table: "reexamination",
                    key: message_id.to_string(),
                    problem,
                };
                Ok(Reexamination {
                    message_id: message_id.to_string(),
                    trigger: Trigger::parse(&trigger)
                        .ok_or_else(|| corrupt(format!("trigger {trigger:?}")))?,
                    origin,
                    earlier: Earlier {
                        state: parse_state(&state, message_id)?,
                        action,
                        reason,
                    },
                    at: super::parse_stamp(&at).ok_or_else(|| corrupt(format!("at {at:?}")))?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::testing::stores;
    use crate::store::{BatchItem, Outcome};

    fn handed_over(store: &mut Store, id: &str, outcome: Outcome) {
        let at = "2026-03-01T09:00:00Z".parse().unwrap();
        store
            .claim_batch(&[BatchItem {
                message_id: id,
                digest: None,
                origin: "imap:INBOX/1",
                received: at,
            }])
            .unwrap();
        store.mark_attempt(id).unwrap();
        store.record(id, &outcome).unwrap();
    }

    #[test]
    fn only_messages_nothing_went_out_for_are_reopened() {
        for (kind, mut store) in stores("only_messages_nothing_went_out_for_are_r") {
            eprintln!("backend: {kind}");
            let review = |action: &str| Outcome::new(LedgerState::Review, action.parse().unwrap());
            let cases: Vec<(&str, Outcome, Trigger, &str, Option<NotAgain>)> = vec![
                (
                    "no-account",
                    review("to_human:no_account"),
                    Trigger::MovedBack,
                    "imap:INBOX/7",
                    None,
                ),
                (
                    "retry",
                    review("to_human:unsure"),
                    Trigger::RetryKeyword,
                    "imap:INBOX/1",
                    None,
                ),
                (
                    "same-place",
                    review("to_human:unsure"),
                    Trigger::MovedBack,
                    "imap:INBOX/1",
                    Some(NotAgain::NotMoved),
                ),
                (
                    "sent",
                    Outcome::new(LedgerState::Sent, "refund_granted".parse().unwrap()),
                    Trigger::MovedBack,
                    "imap:INBOX/7",
                    Some(NotAgain::Answered),
                ),
                (
                    "drafted",
                    Outcome::new(LedgerState::Drafted, "refund_granted".parse().unwrap()),
                    Trigger::MovedBack,
                    "imap:INBOX/7",
                    Some(NotAgain::Answered),
                ),
                (
                    "failed",
                    Outcome::new(LedgerState::Failed, "refund_granted".parse().unwrap()),
                    Trigger::MovedBack,
                    "imap:INBOX/7",
                    Some(NotAgain::Unknown),
                ),
                (
                    "interrupted",
                    review("interrupted"),
                    Trigger::MovedBack,
                    "imap:INBOX/7",
                    Some(NotAgain::Unknown),
                ),
                (
                    "skipped",
                    Outcome::new(LedgerState::Skipped, "skip:auto_submitted".parse().unwrap()),
                    Trigger::RetryKeyword,
                    "imap:INBOX/7",
                    Some(NotAgain::NotWithPeople),
                ),
                (
                    "bounced",
                    Outcome {
                        reply_message_id: Some("r@x".into()),
                        ..review("to_human:answer_bounced")
                    },
                    Trigger::MovedBack,
                    "imap:INBOX/7",
                    Some(NotAgain::Answered),
                ),
            ];
            for (id, outcome, trigger, origin, refused) in cases {
                handed_over(&mut store, id, outcome.clone());
                let got = store.reopen(id, origin, trigger).unwrap();
                match refused {
                    Some(why) => {
                        assert_eq!(got, Reopen::Refused(why), "{id}");
                        assert_eq!(
                            store.prior(id).unwrap().unwrap().state,
                            outcome.state,
                            "{id}"
                        );
                        assert!(store.reexaminations(id).unwrap().is_empty(), "{id}");
                    }
                    None => {
                        assert!(
                            matches!(got, Reopen::Reopened(ref e) if e.action.as_deref() == Some(outcome.action.to_string().as_str())),
                            "{id}: {got:?}"
                        );
                        assert_eq!(
                            store.prior(id).unwrap().unwrap().state,
                            LedgerState::Claimed
                        );
                        let kept = store.reexaminations(id).unwrap();
                        assert_eq!(kept.len(), 1);
                        assert_eq!(kept[0].trigger, trigger);
                        assert_eq!(kept[0].origin, origin);
                        // Recording the second outcome works on the reopened claim.
                        store
                            .record(
                                id,
                                &Outcome::new(LedgerState::Sent, "refund_granted".parse().unwrap()),
                            )
                            .unwrap();
                        assert_eq!(
                            store.reopen(id, "imap:INBOX/9", trigger).unwrap(),
                            Reopen::Refused(NotAgain::Answered)
                        );
                    }
                }
            }
            assert!(matches!(
                store.reopen("unknown", "imap:INBOX/1", Trigger::MovedBack),
                Err(Error::NotClaimed { .. })
            ));
        }
    }
}
