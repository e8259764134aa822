//! The one `Store` the rest of mailclerk sees, over its two backends: the embedded SQLite file
//! per mailbox ([`Sqlite`], the default) and a PostgreSQL database shared by many mailboxes and
//! machines ([`Pg`]). Each method runs the same operation on whichever backend the store was
//! opened with; what the two have in common beyond their SQL (deciding from the rows read) is
//! written once, in the modules named after the operation.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;

use super::pg::{self, Fence, Pg};
use super::{
    BatchItem, BillingRow, BillingState, Claim, Claimed, Error, Gauges, ImportReport, LedgerRow,
    LedgerState, NewBilling, Outcome, PendingCopy, Prior, Progress, Reexamination, Reopen,
    ReportRow, SentCopy, Sqlite, Trail, Trigger,
};
use crate::accounts::Account;
use crate::confirm::Pending;
use crate::policy::History;

/// A mailbox's store: accounts, contact history, the ledger that lets each inbound message be
/// answered at most once, and the daemon's reading position. Synchronous: the daemon calls it
/// from `block_in_place`.
#[derive(Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Sqlite(Sqlite),
    Postgres(Box<Pg>),
}

/// The same call on whichever backend `$store` holds.
macro_rules! on {
    ($store:expr, $b:ident => $call:expr) => {
        match $store {
            Backend::Sqlite($b) => $call,
            Backend::Postgres($b) => $call,
        }
    };
}

impl Store {
    /// Opens (or creates, with its parent directories) the SQLite store at `path`.
    ///
    /// # Errors
    /// The directory or file cannot be created or opened, is not a SQLite database, will not
    /// switch to WAL, or was written by a newer mailclerk.
    pub fn open(path: &Path) -> Result<Store, Error> {
        Sqlite::open(path).map(Store::from)
    }

    /// A throwaway SQLite store for tests and `check` runs; nothing survives it.
    ///
    /// # Errors
    /// Only if SQLite itself fails.
    pub fn open_in_memory() -> Result<Store, Error> {
        Sqlite::open_in_memory().map(Store::from)
    }

    /// Opens an existing SQLite store read-only (`report`, `replay`, `explain`, `decisions`).
    ///
    /// # Errors
    /// No such file, not a mailclerk store, or one written by a newer mailclerk.
    pub fn open_read_only(path: &Path) -> Result<Store, Error> {
        Sqlite::open_read_only(path).map(Store::from)
    }

    /// Connects to the PostgreSQL database at `url` as the store of mailbox `mailbox` (one
    /// database holds many mailboxes' rows, each keyed by its mailbox name), migrating its
    /// schema first. The URL is never written into an error or a log.
    ///
    /// # Errors
    /// The database cannot be reached or signed in to, or its schema is newer than this
    /// mailclerk knows.
    pub fn open_postgres(url: &str, mailbox: &str) -> Result<Store, Error> {
        Pg::connect(url, mailbox, pg::Access::ReadWrite).map(Store::from)
    }

    /// [`Store::open_postgres`] for reading only: no migration, and the session refuses writes.
    ///
    /// # Errors
    /// As [`Store::open_postgres`], and a database mailclerk never set up.
    pub fn open_postgres_read_only(url: &str, mailbox: &str) -> Result<Store, Error> {
        Pg::connect(url, mailbox, pg::Access::ReadOnly).map(Store::from)
    }

    /// From now on, every write checks in its own transaction that `fence` still holds the
    /// mailbox's lease ([`Error::Fenced`] otherwise, and nothing is written). PostgreSQL only:
    /// a SQLite store is one machine's file, guarded by its lock file.
    ///
    /// # Errors
    /// [`Error::FenceUnsupported`] on a SQLite store.
    pub fn set_fence(&mut self, fence: Option<Fence>) -> Result<(), Error> {
        match &mut self.backend {
            Backend::Postgres(pg) => {
                pg.set_fence(fence);
                Ok(())
            }
            Backend::Sqlite(_) => Err(Error::FenceUnsupported),
        }
    }

    /// `sqlite` or `postgres`, for the startup log.
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Where the times the store writes come from (claims, outcomes, billing, progress,
    /// audit): the system clock unless set, so that a process on a
    /// [`Clock::Manual`](crate::clock::Clock::Manual) writes the times its plans and events
    /// were made at.
    pub fn set_clock(&mut self, clock: crate::clock::Clock) {
        on!(&mut self.backend, b => b.clock = clock)
    }

    /// The time now by the store's clock ([`Store::set_clock`]).
    pub fn now(&self) -> Timestamp {
        on!(&self.backend, b => b.clock.now())
    }

    #[cfg(test)]
    pub(crate) fn set_claimant(&mut self, claimant: Option<String>) {
        on!(&mut self.backend, b => b.claimant = claimant)
    }

    #[cfg(test)]
    pub(crate) fn attempted(&self, message_id: &str) -> Result<Option<bool>, Error> {
        on!(&self.backend, b => b.attempted(message_id))
    }

    #[cfg(test)]
    pub(crate) fn sqlite(&self) -> Option<&Sqlite> {
        match &self.backend {
            Backend::Sqlite(s) => Some(s),
            Backend::Postgres(_) => None,
        }
    }

    // The ledger (ledger.rs, sending.rs).

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
        on!(&mut self.backend, b => b.claim(message_id, origin, received))
    }

    /// Claims every message of a batch in one durable transaction (see `sending.rs`).
    ///
    /// # Errors
    /// A failed write: nothing of the batch is claimed, and none of it may be answered.
    pub fn claim_batch(&mut self, items: &[BatchItem<'_>]) -> Result<Vec<Claimed>, Error> {
        on!(&mut self.backend, b => b.claim_batch(items))
    }

    /// When the message was first claimed, if the ledger knows it.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn claimed_at(&self, message_id: &str) -> Result<Option<Timestamp>, Error> {
        on!(&self.backend, b => b.claimed_at(message_id))
    }

    /// What the ledger says about a message now, if it has a row.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn prior(&self, message_id: &str) -> Result<Option<Prior>, Error> {
        on!(&self.backend, b => b.prior(message_id))
    }

    /// Records what became of a claimed message.
    ///
    /// # Errors
    /// [`Error::NotClaimed`] if the message was never claimed, [`Error::AlreadySent`] over a
    /// sent record, or a failed write.
    pub fn record(&mut self, message_id: &str, outcome: &Outcome) -> Result<(), Error> {
        self.record_with_copy(message_id, outcome, None)
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
        on!(&mut self.backend, b => b.record_with_copy(message_id, outcome, copy))
    }

    /// Every ledger row, oldest received first.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn ledger(&self) -> Result<Vec<LedgerRow>, Error> {
        on!(&self.backend, b => b.ledger())
    }

    /// How many automatic mails went to `to` (normalized) at or after `since`.
    ///
    /// # Errors
    /// A failed query.
    pub fn replies_sent_since(&self, to: &str, since: Timestamp) -> Result<usize, Error> {
        on!(&self.backend, b => b.replies_sent_since(to, since))
    }

    /// How many automatic mails went out at or after `since`, to anyone: the breaker's count.
    ///
    /// # Errors
    /// A failed query.
    pub fn mails_sent_since(&self, since: Timestamp) -> Result<usize, Error> {
        on!(&self.backend, b => b.mails_sent_since(since))
    }

    /// Marks a batch-claimed message as about to be acted on.
    ///
    /// # Errors
    /// [`Error::NotClaimed`] if the message holds no claim, or a failed write.
    pub fn mark_attempt(&mut self, message_id: &str) -> Result<(), Error> {
        on!(&mut self.backend, b => b.mark_attempt(message_id))
    }

    /// Keeps the exact reply about to be offered to the relay with the message's claim.
    ///
    /// # Errors
    /// [`Error::NotClaimed`] if the message holds no claim, or a failed write.
    pub fn mark_sending(&mut self, message_id: &str, reply: &[u8]) -> Result<(), Error> {
        on!(&mut self.backend, b => b.mark_sending(message_id, reply))
    }

    /// The reply kept by [`Store::mark_sending`] for a message whose send was interrupted.
    ///
    /// # Errors
    /// A failed query.
    pub fn sending(&self, message_id: &str) -> Result<Option<Vec<u8>>, Error> {
        on!(&self.backend, b => b.sending(message_id))
    }

    /// Up to `limit` queued copies, oldest first.
    ///
    /// # Errors
    /// A failed query.
    pub fn pending_copies(&self, limit: usize) -> Result<Vec<PendingCopy>, Error> {
        on!(&self.backend, b => b.pending_copies(limit))
    }

    /// Forgets queued copies: saved in Sent, or given up on.
    ///
    /// # Errors
    /// A failed write.
    pub fn drop_copies(&mut self, message_ids: &[&str]) -> Result<(), Error> {
        on!(&mut self.backend, b => b.drop_copies(message_ids))
    }

    /// A report says our reply `reply_message_id` bounced: the request goes to people.
    /// Returns the request's ledger key, if a row sent that reply.
    ///
    /// # Errors
    /// A failed write.
    pub fn answer_bounced(
        &mut self,
        reply_message_id: &str,
        why: &str,
    ) -> Result<Option<String>, Error> {
        on!(&mut self.backend, b => b.answer_bounced(reply_message_id, why))
    }

    /// The requests whose sent answers are `replies` (reply Message-IDs), in that order.
    ///
    /// # Errors
    /// A failed query.
    pub fn answered_by(&self, replies: &[String]) -> Result<Vec<String>, Error> {
        on!(&self.backend, b => b.answered_by(replies))
    }

    /// The request whose sent answer is one of `ids`, answered to `to`, unless that answer
    /// invited a reply.
    ///
    /// # Errors
    /// A failed query.
    pub fn answered_in_thread(&self, ids: &[String], to: &str) -> Result<Option<String>, Error> {
        on!(&self.backend, b => b.answered_in_thread(ids, to))
    }

    // Reading position (progress.rs).

    /// The reading position in `folder`, if mailclerk has read it before.
    ///
    /// # Errors
    /// The query fails, or the row is corrupt.
    pub fn progress(&self, folder: &str) -> Result<Option<Progress>, Error> {
        on!(&self.backend, b => b.progress(folder))
    }

    /// Records the reading position in `folder`; durable when it returns.
    ///
    /// # Errors
    /// The write fails.
    pub fn set_progress(&mut self, folder: &str, p: &Progress) -> Result<(), Error> {
        on!(&mut self.backend, b => b.set_progress(folder, p))
    }

    /// The message ids of ledger rows in `state`, oldest first.
    ///
    /// # Errors
    /// The query fails.
    pub fn in_state(&self, state: LedgerState) -> Result<Vec<String>, Error> {
        on!(&self.backend, b => b.in_state(state))
    }

    // Accounts (accounts.rs).

    /// Upserts accounts by id in one transaction.
    ///
    /// # Errors
    /// A payment in another currency than its account's, or a failed write (then nothing of
    /// this import is kept).
    pub fn import_accounts(&mut self, accounts: &[Account]) -> Result<ImportReport, Error> {
        on!(&mut self.backend, b => b.import_accounts(accounts))
    }

    /// Every account listing `email` (compared normalized), ordered by id.
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn accounts_for(&self, email: &str) -> Result<Vec<Account>, Error> {
        on!(&self.backend, b => b.accounts_for(email))
    }

    /// The account with this id, if imported.
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn account_by_id(&self, id: &str) -> Result<Option<Account>, Error> {
        on!(&self.backend, b => b.account_by_id(id))
    }

    /// Every account with this name (trimmed, compared without case), ordered by id.
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn accounts_named(&self, name: &str) -> Result<Vec<Account>, Error> {
        on!(&self.backend, b => b.accounts_named(name))
    }

    /// How many accounts the store holds.
    ///
    /// # Errors
    /// A failed query.
    pub fn account_count(&self) -> Result<usize, Error> {
        on!(&self.backend, b => b.account_count())
    }

    /// The latest recorded contact with the account and its earlier answers.
    ///
    /// # Errors
    /// A failed query or a stored day that is not a date.
    pub fn history(&self, account_id: &str) -> Result<History, Error> {
        on!(&self.backend, b => b.history(account_id))
    }

    /// Records that we answered `message_id` for this account on day `on`.
    ///
    /// # Errors
    /// [`Error::UnknownAccount`] if the account was never imported, or a failed write.
    pub fn record_contact(
        &mut self,
        account_id: &str,
        on: Date,
        message_id: &str,
    ) -> Result<(), Error> {
        on!(&mut self.backend, b => b.record_contact(account_id, on, message_id))
    }

    /// Matches a message to one account by its sender (or forwarded customer), with
    /// plus-addressing and account references as `rules` allow ([`crate::accounts::decide`]).
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn match_account(
        &self,
        mail: &crate::parse::Inbound,
        rules: &crate::accounts::MatchRules,
    ) -> Result<crate::accounts::AccountMatch, Error> {
        use crate::accounts::{Found, Reference, match_message};
        match_message(mail, rules, |lookups| {
            let by_base_address = match &lookups.base_address {
                Some(base) => self.accounts_for(base)?,
                None => Vec::new(),
            };
            let mut referenced = Vec::new();
            for reference in &lookups.references {
                referenced.push(match reference {
                    Reference::Id { id, .. } => self.account_by_id(id)?.into_iter().collect(),
                    Reference::Name { name, .. } => self.accounts_named(name)?,
                });
            }
            Ok(Found {
                by_address: self.accounts_for(&lookups.address)?,
                by_base_address,
                referenced,
            })
        })
    }

    // Confirmations (confirm.rs).

    /// Keeps a confirmation asked for, before the question is sent.
    ///
    /// # Errors
    /// A failed write (a token used twice included).
    pub fn open_confirmation(&mut self, p: &Pending) -> Result<(), Error> {
        on!(&mut self.backend, b => b.open_confirmation(p))
    }

    /// Forgets the confirmation with `token` unless it was used.
    ///
    /// # Errors
    /// A failed write.
    pub fn forget_confirmation(&mut self, token: &str) -> Result<(), Error> {
        on!(&mut self.backend, b => b.forget_confirmation(token))
    }

    /// The confirmation issued with `token`, if any.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn confirmation(&self, token: &str) -> Result<Option<Pending>, Error> {
        on!(&self.backend, b => b.confirmation(token))
    }

    /// Marks the confirmation used by message `by`; false when another message already used it.
    ///
    /// # Errors
    /// A failed write.
    pub fn use_confirmation(&mut self, token: &str, by: &str) -> Result<bool, Error> {
        on!(&mut self.backend, b => b.use_confirmation(token, by))
    }

    // Billing hand-off and audit (billing.rs).

    /// Writes the hand-off's key and body before the first try, unless the message already has
    /// one; returns the hand-off as stored.
    ///
    /// # Errors
    /// A failed write.
    pub fn billing_begin(&mut self, new: &NewBilling<'_>) -> Result<BillingRow, Error> {
        on!(&mut self.backend, b => b.billing_begin(new))
    }

    /// The message's hand-off, if it has one.
    ///
    /// # Errors
    /// A failed query.
    pub fn billing(&self, message_id: &str) -> Result<Option<BillingRow>, Error> {
        on!(&self.backend, b => b.billing(message_id))
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
        on!(&mut self.backend, b => b.billing_tried(message_id, tries, answer))
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
        on!(&mut self.backend, b => b.billing_settle(message_id, state, tries, answer))
    }

    /// Marks, durably, that the reply announcing an accepted hand-off is about to be sent.
    ///
    /// # Errors
    /// A failed write.
    pub fn billing_reply_attempt(&mut self, message_id: &str) -> Result<(), Error> {
        on!(&mut self.backend, b => b.billing_reply_attempt(message_id))
    }

    /// Whether an interrupted message may be handled again from its billing step.
    ///
    /// # Errors
    /// A failed query.
    pub fn billing_resumable(&self, message_id: &str) -> Result<bool, Error> {
        on!(&self.backend, b => b.billing_resumable(message_id))
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
        on!(&mut self.backend, b => b.record_audit(message_id, mailbox, received, trace))
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
        on!(&self.backend, b => b.trails(since, message_id))
    }

    // Second looks (reexamine.rs).

    /// Reopens a message handed to people for a second examination, now at `origin`.
    ///
    /// # Errors
    /// A failed query or write, or a message the ledger does not know ([`Error::NotClaimed`]).
    pub fn reopen(
        &mut self,
        message_id: &str,
        origin: &str,
        trigger: Trigger,
    ) -> Result<Reopen, Error> {
        on!(&mut self.backend, b => b.reopen(message_id, origin, trigger))
    }

    /// Every re-examination of `message_id`, oldest first.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn reexaminations(&self, message_id: &str) -> Result<Vec<Reexamination>, Error> {
        on!(&self.backend, b => b.reexaminations(message_id))
    }

    // Reports and gauges (report.rs).

    /// The ledger rows handled at or after `since`, oldest first.
    ///
    /// # Errors
    /// A failed query or a row whose times or state do not read.
    pub fn report_rows(&self, since: Timestamp) -> Result<Vec<ReportRow>, Error> {
        on!(&self.backend, b => b.report_rows(since))
    }

    /// Deferred replies, unanswered confirmation questions, and automatic mails in the
    /// breaker's window ending `now`.
    ///
    /// # Errors
    /// A failed query.
    pub fn gauges(&self, now: Timestamp) -> Result<Gauges, Error> {
        on!(&self.backend, b => b.gauges(now))
    }
}

impl From<Sqlite> for Store {
    fn from(s: Sqlite) -> Store {
        Store {
            backend: Backend::Sqlite(s),
        }
    }
}

impl From<Pg> for Store {
    fn from(p: Pg) -> Store {
        Store {
            backend: Backend::Postgres(Box::new(p)),
        }
    }
}
