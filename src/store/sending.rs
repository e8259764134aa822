//! Claiming a batch at once, marking each send attempt, and the queue of reply copies for
//! the Sent folder.
//!
//! Why a batch claim is safe: a send needs a claim on disk first, and one `synchronous=FULL`
//! transaction puts a whole batch's claims there at the cost of one sync instead of one per
//! message. Each message is then marked `attempted` just before anything is sent for it, and
//! its outcome recorded after; both are commits without a sync (`synchronous=NORMAL`), which
//! survive the process being killed but not the machine going down. So a claim with no
//! attempt mark is trusted to mean "nothing was sent" only while the machine has not
//! restarted since the claim, and only once its process is gone: the claim keeps the
//! kernel's boot id and the claiming process. A claim from another boot is reconciled
//! against Sent and otherwise handed to people, as any interrupted claim; one of a live
//! other process (two daemons on one store by mistake) is left to it.

use jiff::Timestamp;
use rusqlite::{TransactionBehavior, params};

use super::{Cached, Claim, During, Error, Outcome, Sqlite, seen_in, stamp};

/// One message of a batch to claim.
#[derive(Debug, Clone, Copy)]
pub struct BatchItem<'a> {
    pub message_id: &'a str,
    /// The message's [`super::identity::digest`]; `None` when its bytes are not at hand (an
    /// oversized message not downloaded): then the Message-ID alone identifies it.
    pub digest: Option<&'a str>,
    pub origin: &'a str,
    pub received: Timestamp,
}

/// A batch message's claim, and the key its ledger row has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The Message-ID, or [`super::identity::variant_key`] when that id already belongs to a
    /// different message: every later store call for this message uses this key.
    pub key: String,
    /// The Message-ID was already taken by a different message (this one is new).
    pub id_taken: bool,
    pub claim: Claim,
}

/// A reply's copy, kept in the store with the reply's record until it is saved in the mail
/// server's Sent folder (so a crash in between does not lose it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCopy {
    pub folder: String,
    pub bytes: Vec<u8>,
}

/// A queued copy and the request it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCopy {
    /// The request answered.
    pub message_id: String,
    /// The reply's own Message-ID, as the ledger has it.
    pub reply_message_id: Option<String>,
    pub copy: SentCopy,
}

/// Who claims: this boot of the machine, this process and its start time
/// (`boot_id:pid:start`), if the platform tells them (Linux).
pub(super) fn claimant() -> Option<String> {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let pid = std::process::id();
    Some(format!("{}:{pid}:{}", boot.trim(), start_time(pid)?))
}

/// A process's start time in clock ticks since boot (`/proc/<pid>/stat`, field 22): with the
/// pid, it names one process even after the pid is reused.
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after its last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(str::to_string)
}

/// Whether an unattempted claim made by `theirs` may be taken over by `me`: it is our own
/// (the pass stopped before acting on it), or its process is gone and the machine has not
/// restarted since (so no unsynced attempt mark can have been lost). A live other process
/// (two daemons on one store by mistake) may be about to send: never.
pub(super) fn may_take_over(me: Option<&str>, theirs: Option<&str>) -> bool {
    let (Some(me), Some(theirs)) = (me, theirs) else {
        return false;
    };
    if me == theirs {
        return true;
    }
    let (Some((my_boot, _)), Some((boot, process))) = (me.split_once(':'), theirs.split_once(':'))
    else {
        return false;
    };
    let Some((pid, start)) = process.split_once(':') else {
        return false;
    };
    let alive = pid
        .parse::<u32>()
        .ok()
        .and_then(start_time)
        .is_some_and(|now| now == start);
    my_boot == boot && !alive
}

impl Sqlite {
    /// Claims every message of a batch in one durable transaction. Each item gets what
    /// [`Store::claim`] would give it, except that a message id repeated within the batch is
    /// [`Claim::Seen`] after its first appearance. A [`Claim::New`] message must be marked
    /// with [`Store::mark_attempt`] before anything is sent for it; one left unmarked (the
    /// pass stopped first) is [`Claim::New`] again at its next claim on the same boot.
    ///
    /// # Errors
    /// A failed write: nothing of the batch is claimed, and none of it may be answered.
    pub fn claim_batch(&mut self, items: &[BatchItem<'_>]) -> Result<Vec<Claimed>, Error> {
        let what = || format!("claiming a batch of {} messages", items.len());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during(what)?;
        let now = stamp(self.clock.now());
        let mut claims = Vec::with_capacity(items.len());
        let mut seen_here: Vec<String> = Vec::new();
        for item in items {
            let (key, id_taken) = super::ledger_key(&tx, item)?;
            let fresh = !seen_here.contains(&key)
                && super::claim_in(&tx, &key, item, &now, self.claimant.as_deref(), false)?;
            let claim = if fresh {
                Claim::New
            } else {
                seen_in(&tx, &key)?
            };
            seen_here.push(key.clone());
            claims.push(Claimed {
                key,
                id_taken,
                claim,
            });
        }
        tx.commit().during(what)?;
        Ok(claims)
    }

    /// Marks a batch-claimed message as about to be acted on: from here, whether something
    /// went out is unknown until its outcome is recorded.
    ///
    /// # Errors
    /// [`Error::NotClaimed`] if the message holds no claim, or a failed write.
    pub fn mark_attempt(&mut self, message_id: &str) -> Result<(), Error> {
        let now = stamp(self.clock.now());
        let changed = self.relaxed(|conn| {
            conn.cached_execute(
                "UPDATE ledger SET attempted_at = coalesce(attempted_at, ?2)
                 WHERE message_id = ?1 AND state = 'claimed'",
                params![message_id, now],
            )
            .during(|| format!("marking <{message_id}> as attempted"))
        })?;
        if changed == 0 {
            return Err(Error::NotClaimed {
                message_id: message_id.to_string(),
            });
        }
        Ok(())
    }

    /// Keeps the exact reply about to be offered to the relay with the message's claim (a
    /// commit without a sync: it is there for a restart after the process was killed). The
    /// record clears it. Also marks the attempt, if not yet marked.
    ///
    /// # Errors
    /// [`Error::NotClaimed`] if the message holds no claim, or a failed write.
    pub fn mark_sending(&mut self, message_id: &str, reply: &[u8]) -> Result<(), Error> {
        let now = stamp(self.clock.now());
        let changed = self.relaxed(|conn| {
            conn.cached_execute(
                "UPDATE ledger SET attempted_at = coalesce(attempted_at, ?2), sending = ?3
                 WHERE message_id = ?1 AND state = 'claimed'",
                params![message_id, now, reply],
            )
            .during(|| format!("keeping the reply to <{message_id}> before sending it"))
        })?;
        if changed == 0 {
            return Err(Error::NotClaimed {
                message_id: message_id.to_string(),
            });
        }
        Ok(())
    }

    /// The reply kept by [`Store::mark_sending`] for a message whose send was interrupted.
    ///
    /// # Errors
    /// A failed query.
    pub fn sending(&self, message_id: &str) -> Result<Option<Vec<u8>>, Error> {
        use rusqlite::OptionalExtension;
        let found: Option<Option<Vec<u8>>> = self
            .conn
            .cached_row(
                "SELECT sending FROM ledger WHERE message_id = ?1",
                [message_id],
                |row| row.get(0),
            )
            .optional()
            .during(|| format!("reading the reply kept for <{message_id}>"))?;
        Ok(found.flatten())
    }

    /// [`Store::record`], and in the same transaction the reply's copy queued for Sent.
    ///
    /// # Errors
    /// As [`Store::record`]; then the copy is not queued either.
    pub fn record_with_copy(
        &mut self,
        message_id: &str,
        outcome: &Outcome,
        copy: Option<&SentCopy>,
    ) -> Result<(), Error> {
        let clock = self.clock.clone();
        self.relaxed(|conn| {
            let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
                .during(|| format!("recording the outcome of <{message_id}>"))?;
            Sqlite::record_in(&tx, message_id, outcome, clock.now())?;
            if let Some(copy) = copy {
                tx.cached_execute(
                    "INSERT INTO sent_copy (message_id, folder, bytes, queued_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (message_id) DO UPDATE SET folder = ?2, bytes = ?3",
                    params![message_id, copy.folder, copy.bytes, stamp(clock.now())],
                )
                .during(|| format!("queueing the copy of the answer to <{message_id}>"))?;
            }
            tx.commit()
                .during(|| format!("recording the outcome of <{message_id}>"))
        })
    }

    /// Up to `limit` queued copies, oldest first.
    ///
    /// # Errors
    /// A failed query.
    pub fn pending_copies(&self, limit: usize) -> Result<Vec<PendingCopy>, Error> {
        let what = || "listing the copies waiting for Sent".to_string();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.message_id, s.folder, s.bytes, l.reply_message_id
                 FROM sent_copy s LEFT JOIN ledger l USING (message_id)
                 ORDER BY s.queued_at, s.rowid LIMIT ?1",
            )
            .during(what)?;
        let rows = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                Ok(PendingCopy {
                    message_id: row.get(0)?,
                    reply_message_id: row.get(3)?,
                    copy: SentCopy {
                        folder: row.get(1)?,
                        bytes: row.get(2)?,
                    },
                })
            })
            .during(what)?;
        rows.collect::<Result<Vec<_>, _>>().during(what)
    }

    /// Forgets queued copies: saved in Sent, or given up on.
    ///
    /// # Errors
    /// A failed write.
    pub fn drop_copies(&mut self, message_ids: &[&str]) -> Result<(), Error> {
        self.relaxed(|conn| {
            let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
                .during(|| "forgetting saved copies".to_string())?;
            for id in message_ids {
                tx.cached_execute("DELETE FROM sent_copy WHERE message_id = ?1", [id])
                    .during(|| format!("forgetting the copy for <{id}>"))?;
            }
            tx.commit().during(|| "forgetting saved copies".to_string())
        })
    }

    /// A report says our reply `reply_message_id` bounced: the request it answered goes to
    /// people (state `review`, action `to_human:answer_bounced`, `why` as the reason). The row
    /// keeps its `sent_at`, so the budget still counts the reply. Returns the request's
    /// ledger key, if a row sent that reply.
    ///
    /// # Errors
    /// A failed write.
    pub fn answer_bounced(
        &mut self,
        reply_message_id: &str,
        why: &str,
    ) -> Result<Option<String>, Error> {
        use rusqlite::OptionalExtension;
        let what = || format!("noting that the reply <{reply_message_id}> bounced");
        let key: Option<String> = self
            .conn
            .cached_row(
                "SELECT message_id FROM ledger WHERE reply_message_id = ?1 AND state = 'sent'",
                [reply_message_id],
                |row| row.get(0),
            )
            .optional()
            .during(what)?;
        if let Some(key) = &key {
            self.conn
                .cached_execute(
                    "UPDATE ledger SET state = 'review', action = 'to_human:answer_bounced',
                        reason = ?2, updated_at = ?3 WHERE message_id = ?1",
                    params![key, why, stamp(self.clock.now())],
                )
                .during(what)?;
        }
        Ok(key)
    }

    /// The requests whose sent answers are `replies` (reply Message-IDs), in that order;
    /// replies the ledger does not know as sent are left out.
    ///
    /// # Errors
    /// A failed query.
    pub fn answered_by(&self, replies: &[String]) -> Result<Vec<String>, Error> {
        use rusqlite::OptionalExtension;
        let mut requests = Vec::new();
        for reply in replies {
            let key: Option<String> = self
                .conn
                .cached_row(
                    "SELECT message_id FROM ledger WHERE reply_message_id = ?1 AND state = 'sent'",
                    [reply],
                    |row| row.get(0),
                )
                .optional()
                .during(|| format!("looking up the request answered by <{reply}>"))?;
            requests.extend(key);
        }
        Ok(requests)
    }

    /// The request whose sent answer is one of `ids` (a message's References), answered to
    /// `to`, unless that answer invited a reply (a refund pending the customer's contact). A
    /// message answering our answer then goes to people: a responder that strips every
    /// auto-reply marker gets one answer, not the whole reply budget.
    ///
    /// # Errors
    /// A failed query.
    pub fn answered_in_thread(&self, ids: &[String], to: &str) -> Result<Option<String>, Error> {
        use rusqlite::OptionalExtension;
        let to = crate::accounts::normalize_address(to);
        for id in ids {
            let found: Option<(String, Option<String>)> = self
                .conn
                .cached_row(
                    // Only automatic answers (state 'sent'): a confirmation question sits on a
                    // row for people and asks for exactly such a reply.
                    "SELECT message_id, decision_json FROM ledger
                     WHERE reply_message_id = ?1 AND reply_to = ?2 AND sent_at IS NOT NULL
                       AND state = 'sent'",
                    params![id, to],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .during(|| format!("looking for our answer <{id}>"))?;
            if let Some((key, decision)) = found
                && !decision.unwrap_or_default().contains("pending_contact")
            {
                return Ok(Some(key));
            }
        }
        Ok(None)
    }

    /// Whether the message's claim has an attempt mark.
    #[cfg(test)]
    pub(crate) fn attempted(&self, message_id: &str) -> Result<Option<bool>, Error> {
        use rusqlite::OptionalExtension;
        self.conn
            .cached_row(
                "SELECT attempted_at IS NOT NULL FROM ledger WHERE message_id = ?1",
                [message_id],
                |row| row.get(0),
            )
            .optional()
            .during(|| format!("reading whether <{message_id}> was attempted"))
    }

    /// Runs `f` with commits that do not wait for the disk, then restores `synchronous=FULL`.
    pub(super) fn relaxed<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let set = |conn: &rusqlite::Connection, mode: &str| {
            conn.pragma_update(None, "synchronous", mode)
                .during(|| format!("setting synchronous={mode}"))
        };
        set(&self.conn, "NORMAL")?;
        let result = f(&self.conn);
        set(&self.conn, "FULL")?;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LedgerAction;
    use crate::store::LedgerState;
    use crate::store::Store;
    use crate::store::testing::stores_on_boot;

    fn batch(store: &mut Store, items: &[BatchItem<'_>]) -> Vec<Claim> {
        let claimed = store.claim_batch(items).unwrap();
        claimed.into_iter().map(|c| c.claim).collect()
    }

    fn item<'a>(id: &'a str) -> BatchItem<'a> {
        BatchItem {
            message_id: id,
            digest: None,
            origin: "imap:INBOX/1",
            received: "2026-03-01T09:00:00Z".parse().unwrap(),
        }
    }

    fn is_new(c: &Claim) -> bool {
        matches!(c, Claim::New)
    }

    #[test]
    fn a_repeated_message_id_with_other_content_gets_its_own_row() {
        for (kind, mut store) in stores_on_boot("a_repeated_message_id_with_other_content", "b1") {
            eprintln!("backend: {kind}");
            let with = |digest| BatchItem {
                digest: Some(digest),
                ..item("m@x")
            };
            // Two messages with one id in one batch, and a redelivery of the first.
            let claims = store
                .claim_batch(&[with("d1"), with("d2"), with("d1")])
                .unwrap();
            let keys: Vec<(&str, bool, bool)> = claims
                .iter()
                .map(|c| (c.key.as_str(), c.id_taken, is_new(&c.claim)))
                .collect();
            assert_eq!(
                keys,
                [
                    ("m@x", false, true),
                    ("m@x#d2", true, true),
                    ("m@x", false, false)
                ]
            );
            // Later: each keeps its identity; a third content gets a third row.
            store.mark_attempt("m@x").unwrap();
            store.mark_attempt("m@x#d2").unwrap();
            let again = store
                .claim_batch(&[with("d2"), with("d1"), with("d3")])
                .unwrap();
            let keys: Vec<(&str, bool)> = again
                .iter()
                .map(|c| (c.key.as_str(), is_new(&c.claim)))
                .collect();
            assert_eq!(keys, [("m@x#d2", false), ("m@x", false), ("m@x#d3", true)]);
            // A row from before digests (schema 5) adopts the first digest that claims it.
            batch(&mut store, &[item("old@x")]);
            store.mark_attempt("old@x").unwrap();
            let old = |digest| BatchItem {
                digest: Some(digest),
                ..item("old@x")
            };
            let adopted = store.claim_batch(&[old("e1"), old("e2")]).unwrap();
            assert_eq!(adopted[0].key, "old@x");
            assert!(!is_new(&adopted[0].claim));
            assert_eq!(
                (adopted[1].key.as_str(), is_new(&adopted[1].claim)),
                ("old@x#e2", true)
            );
        }
    }

    #[test]
    fn the_reply_being_sent_is_kept_until_the_record() {
        for (kind, mut store) in stores_on_boot("the_reply_being_sent_is_kept_until_the_r", "b1") {
            eprintln!("backend: {kind}");
            batch(&mut store, &[item("a@x")]);
            assert!(matches!(
                store.mark_sending("b@x", b"x"),
                Err(Error::NotClaimed { .. })
            ));
            store.mark_sending("a@x", b"the reply").unwrap();
            assert_eq!(store.attempted("a@x").unwrap(), Some(true));
            assert_eq!(
                store.sending("a@x").unwrap().as_deref(),
                Some(&b"the reply"[..])
            );
            store
                .record(
                    "a@x",
                    &Outcome::new(
                        LedgerState::Sent,
                        LedgerAction::Answer("refund_granted".into()),
                    ),
                )
                .unwrap();
            assert_eq!(store.sending("a@x").unwrap(), None);
        }
    }

    #[test]
    fn a_batch_claim_is_new_once_and_a_repeated_id_is_seen() {
        for (kind, mut store) in stores_on_boot("a_batch_claim_is_new_once_and_a_repeated", "b1") {
            eprintln!("backend: {kind}");
            let claims = batch(&mut store, &[item("a@x"), item("b@x"), item("a@x")]);
            assert_eq!(
                claims.iter().map(is_new).collect::<Vec<_>>(),
                [true, true, false]
            );
            assert_eq!(store.attempted("a@x").unwrap(), Some(false));
        }
    }

    /// The pass stopped before acting on it: nothing went out, so it is ours again (same
    /// claimant); after a reboot the unsynced attempt mark may have been lost: never again.
    #[test]
    fn an_unattempted_claim_is_new_again_only_on_the_same_boot() {
        for (kind, mut store) in stores_on_boot("an_unattempted_claim_is_new_again_only_o", "b1") {
            eprintln!("backend: {kind}");
            batch(&mut store, &[item("a@x"), item("b@x")]);
            store.mark_attempt("a@x").unwrap();
            let again = batch(&mut store, &[item("a@x"), item("b@x")]);
            assert!(matches!(&again[0], Claim::Seen(p) if p.state == LedgerState::Claimed));
            assert!(is_new(&again[1]));

            store.set_claimant(Some("b2:1:1".into()));
            let rebooted = batch(&mut store, &[item("b@x")]);
            assert!(matches!(&rebooted[0], Claim::Seen(p) if p.state == LedgerState::Claimed));
            assert!(matches!(
                store.claim("b@x", "x", item("b@x").received).unwrap(),
                Claim::Seen(_)
            ));

            // No boot id known (not Linux): never trusted.
            store.set_claimant(None);
            batch(&mut store, &[item("c@x")]);
            assert!(!is_new(&batch(&mut store, &[item("c@x")])[0]));
        }
    }

    #[test]
    fn a_single_claim_counts_as_attempted() {
        for (kind, mut store) in stores_on_boot("a_single_claim_counts_as_attempted", "b1") {
            eprintln!("backend: {kind}");
            let at = item("a@x").received;
            assert_eq!(store.claim("a@x", "x", at).unwrap(), Claim::New);
            assert_eq!(store.attempted("a@x").unwrap(), Some(true));
            assert!(!is_new(&batch(&mut store, &[item("a@x")])[0]));
        }
    }

    #[test]
    fn a_deferred_message_is_claimed_again_and_a_sent_one_never() {
        for (kind, mut store) in stores_on_boot("a_deferred_message_is_claimed_again_and_", "b1") {
            eprintln!("backend: {kind}");
            batch(&mut store, &[item("a@x"), item("b@x")]);
            for id in ["a@x", "b@x"] {
                store.mark_attempt(id).unwrap();
            }
            store
                .record(
                    "a@x",
                    &Outcome::new(LedgerState::Deferred, LedgerAction::Answer("t".into())),
                )
                .unwrap();
            store
                .record(
                    "b@x",
                    &Outcome::new(LedgerState::Sent, LedgerAction::Answer("t".into())),
                )
                .unwrap();
            let again = batch(&mut store, &[item("a@x"), item("b@x")]);
            assert!(is_new(&again[0]));
            assert_eq!(store.attempted("a@x").unwrap(), Some(false));
            assert!(matches!(&again[1], Claim::Seen(p) if p.state == LedgerState::Sent));
        }
    }

    #[test]
    fn marking_needs_a_claim() {
        for (kind, mut store) in stores_on_boot("marking_needs_a_claim", "b1") {
            eprintln!("backend: {kind}");
            assert!(matches!(
                store.mark_attempt("nobody@x"),
                Err(Error::NotClaimed { .. })
            ));
        }
    }

    #[test]
    fn a_copy_is_queued_with_its_record_until_dropped() {
        for (kind, mut store) in stores_on_boot("a_copy_is_queued_with_its_record_until_d", "b1") {
            eprintln!("backend: {kind}");
            batch(&mut store, &[item("a@x"), item("b@x")]);
            store.mark_attempt("a@x").unwrap();
            let copy = SentCopy {
                folder: "Sent".into(),
                bytes: b"Message-ID: <r@x>\r\n\r\nhi\r\n".to_vec(),
            };
            let outcome = Outcome {
                reply_message_id: Some("r@x".into()),
                ..Outcome::new(
                    LedgerState::Sent,
                    LedgerAction::Answer("refund_granted".into()),
                )
            };
            store
                .record_with_copy("a@x", &outcome, Some(&copy))
                .unwrap();
            // A record that fails (c@x was never claimed) queues nothing.
            assert!(
                store
                    .record_with_copy("c@x", &outcome, Some(&copy))
                    .is_err()
            );
            let pending = store.pending_copies(10).unwrap();
            assert_eq!(
                pending,
                [PendingCopy {
                    message_id: "a@x".into(),
                    reply_message_id: Some("r@x".into()),
                    copy,
                }]
            );
            store.drop_copies(&["a@x"]).unwrap();
            assert!(store.pending_copies(10).unwrap().is_empty());
            // SQLite's connection is back to durable commits.
            if let Some(sqlite) = store.sqlite() {
                let sync: i64 = sqlite
                    .conn
                    .pragma_query_value(None, "synchronous", |r| r.get(0))
                    .unwrap();
                assert_eq!(sync, 2);
            }
        }
    }
}

#[cfg(test)]
mod takeover {
    use super::*;

    #[test]
    fn only_our_own_or_a_dead_process_s_claim_on_this_boot_is_taken_over() {
        let me = claimant().expect("Linux has a boot id");
        let boot = me.split(':').next().unwrap();
        assert!(may_take_over(Some(&me), Some(&me)));
        // This test's own process is alive, under another claimant name (a second daemon).
        let live = format!(
            "{boot}:{}:{}",
            std::process::id(),
            start_time(std::process::id()).unwrap()
        );
        assert!(!may_take_over(Some("other:1:1"), Some(&live)));
        let mine_other_start = format!("{boot}:{}:1", std::process::id());
        assert!(
            may_take_over(Some(&me), Some(&mine_other_start)),
            "pid reused: gone"
        );
        assert!(
            may_take_over(Some(&me), Some(&format!("{boot}:4194304:5"))),
            "no such pid"
        );
        assert!(!may_take_over(Some(&me), Some("another-boot:4194304:5")));
        assert!(!may_take_over(None, Some(&me)));
        assert!(!may_take_over(Some(&me), None));
        assert!(!may_take_over(Some(&me), Some("garbage")));
    }
}
