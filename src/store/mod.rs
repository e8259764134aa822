//! The per-mailbox SQLite store: accounts imported from billing, contact history, and the
//! ledger that lets each inbound message be answered at most once. I/O edge: no other module
//! sees a rusqlite type.
//!
//! The database runs in WAL mode with `synchronous=FULL` (reliability-notes item 9): with
//! NORMAL, a power loss can roll back the last commits, and a rolled-back "sent" row is a
//! duplicate reply. Timestamps are stored as RFC 3339 text in UTC with fixed millisecond
//! width (so text order is time order), dates as `YYYY-MM-DD`, money as minor units next to
//! the account's currency code.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::types::FromSql;
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Params, Row, TransactionBehavior, params,
};

use crate::accounts::{Account, Payments, PlanKind, normalize_address};
use crate::money::{Currency, Money};
use crate::policy::History;

mod billing;
mod confirm;
pub mod identity;
mod lock;
mod past;
mod progress;
mod reexamine;
mod report;
mod sending;
pub use billing::{BillingRow, BillingState, NewBilling, Trail};
pub use confirm::new_token;
pub use lock::{LockError, StoreLock};
pub use progress::Progress;
pub use reexamine::{Earlier, NotAgain, Reexamination, Reopen, Trigger};
pub use report::{Gauges, ReportRow};
pub use sending::{BatchItem, Claimed, PendingCopy, SentCopy};

/// Bumped with every schema change; a store written by a newer mailclerk is refused rather
/// than misread.
pub const SCHEMA_VERSION: i64 = 6;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS account (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    plan TEXT NOT NULL,
    signed_up_on TEXT NOT NULL,
    currency TEXT NOT NULL,
    first_paid_on TEXT,
    first_payment_minor INTEGER,
    last_payment_minor INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS account_email (
    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    email TEXT NOT NULL,
    PRIMARY KEY (account_id, email)
) STRICT;
CREATE INDEX IF NOT EXISTS account_email_by_email ON account_email(email);
CREATE TABLE IF NOT EXISTS contact (
    account_id TEXT NOT NULL REFERENCES account(id),
    message_id TEXT NOT NULL,
    on_day TEXT NOT NULL,
    PRIMARY KEY (account_id, message_id)
) STRICT;
CREATE TABLE IF NOT EXISTS ledger (
    message_id TEXT PRIMARY KEY NOT NULL,
    origin TEXT NOT NULL,
    received TEXT NOT NULL,
    state TEXT NOT NULL,
    action TEXT,
    intent TEXT,
    account_id TEXT,
    decision_json TEXT,
    reply_message_id TEXT,
    reply_to TEXT,
    reason TEXT,
    claimed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    claimant TEXT,
    attempted_at TEXT,
    -- Schema 6: the message's digest (`identity`); NULL for rows from before it.
    digest TEXT,
    -- Schema 6: the exact reply being sent, kept from just before the send until the record,
    -- so that an interrupted send leaves people the very bytes that may have gone out.
    sending BLOB
) STRICT;
CREATE INDEX IF NOT EXISTS ledger_by_received ON ledger(received);
-- Schema 2's index for answers only: the budget now counts acknowledgements too (below).
DROP INDEX IF EXISTS ledger_sent_by_reply_to;
CREATE INDEX IF NOT EXISTS ledger_mailed_by_reply_to ON ledger(reply_to, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ledger_mailed ON ledger(sent_at) WHERE sent_at IS NOT NULL;
-- Schema 6: bounces of our replies are matched by the reply's Message-ID.
CREATE INDEX IF NOT EXISTS ledger_by_reply ON ledger(reply_message_id) WHERE reply_message_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS confirmation (
    token TEXT PRIMARY KEY NOT NULL,
    request_message_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    address TEXT NOT NULL,
    intent TEXT NOT NULL,
    subject TEXT NOT NULL,
    request_received TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_by TEXT,
    used_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS sent_copy (
    message_id TEXT PRIMARY KEY NOT NULL,
    folder TEXT NOT NULL,
    bytes BLOB NOT NULL,
    queued_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS progress (
    folder TEXT PRIMARY KEY NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    first_start TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
";

/// Why the store could not do what was asked. Each variant names the file, table or message
/// involved; [`Error::is_transient`] tells the daemon whether a retry may help.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot create the directory {path} for the store")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the store at {path}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the store at {path} keeps journal mode {mode:?}, not WAL; a reply could be sent twice after a crash"
    )]
    NoWal { path: PathBuf, mode: String },
    #[error(
        "the store at {path} has schema version {found}, newer than this mailclerk knows ({known}); \
         upgrade mailclerk or point it at another store"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("store query failed while {what}")]
    Query {
        what: String,
        source: rusqlite::Error,
    },
    #[error("the store's {table} row {key:?} is corrupt: {problem}; fix or re-import it")]
    Corrupt {
        table: &'static str,
        key: String,
        problem: String,
    },
    #[error("account {account_id:?} cannot be stored: {problem}")]
    Invalid { account_id: String, problem: String },
    #[error("no account {account_id:?} in the store; import the accounts first")]
    UnknownAccount { account_id: String },
    #[error("message <{message_id}> was never claimed, so its outcome cannot be recorded")]
    NotClaimed { message_id: String },
    /// A reply went out: the record of it is never overwritten by a later outcome.
    #[error("message <{message_id}> is recorded as answered; that record is kept")]
    AlreadySent { message_id: String },
}

impl Error {
    /// True when another process held the database past the busy timeout: retry later.
    pub fn is_transient(&self) -> bool {
        let source = match self {
            Error::Open { source, .. } | Error::Query { source, .. } => source,
            _ => return false,
        };
        matches!(
            source.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        )
    }

    /// True when the store as a whole cannot be used now (locked by another process, the disk
    /// full, read-only, an I/O error, or it would not open), as opposed to a problem with one
    /// message's row. The daemon then takes no new mail until the store works again.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::CreateDir { .. } | Error::Open { .. } | Error::NoWal { .. } => true,
            Error::Query { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(
                    ErrorCode::DatabaseBusy
                        | ErrorCode::DatabaseLocked
                        | ErrorCode::DiskFull
                        | ErrorCode::ReadOnly
                        | ErrorCode::SystemIoFailure
                        | ErrorCode::CannotOpen
                        | ErrorCode::PermissionDenied
                        | ErrorCode::OutOfMemory
                        | ErrorCode::DatabaseCorrupt
                        | ErrorCode::NotADatabase
                )
            ),
            _ => false,
        }
    }
}

/// The ledger key of a message: its Message-ID, unless a row with that id holds a different
/// message (another digest), in which case [`identity::variant_key`]. A row from before
/// digests were kept (schema 5) adopts the first digest that claims it: which of two such
/// messages it was cannot be told any more. Also says whether the id was taken.
fn ledger_key(tx: &Connection, item: &BatchItem<'_>) -> Result<(String, bool), Error> {
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
fn claim_in(
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
fn seen_in(conn: &Connection, message_id: &str) -> Result<Claim, Error> {
    let prior = prior_in(conn, message_id)?.ok_or_else(|| Error::Corrupt {
        table: "ledger",
        key: message_id.to_string(),
        problem: "the row vanished while it was being claimed".into(),
    })?;
    Ok(Claim::Seen(prior))
}

fn prior_in(conn: &Connection, message_id: &str) -> Result<Option<Prior>, Error> {
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

/// Statements through the connection's cache of prepared statements: the daemon runs the same
/// dozen statements for every message, and parsing one costs SQLite more than running it.
trait Cached {
    /// `Connection::query_row`, through the statement cache.
    fn cached_row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>;

    /// `Connection::execute`, through the statement cache.
    fn cached_execute<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;

    /// The first column of every row, as text, through the statement cache.
    fn cached_strings<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<Vec<String>>;
}

impl Cached for Connection {
    fn cached_row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn cached_execute<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn cached_strings<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<Vec<String>> {
        self.prepare_cached(sql)?
            .query_map(params, |row| row.get(0))?
            .collect()
    }
}

/// Names the step a rusqlite call belonged to, so the error says what was being done.
trait During<T> {
    fn during(self, what: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T> During<T> for rusqlite::Result<T> {
    fn during(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|source| Error::Query {
            what: what(),
            source,
        })
    }
}

/// One mailbox's database. Synchronous: the daemon calls it from `spawn_blocking`.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// This boot and process (`boot_id:pid:start`), kept with batch claims: see
    /// [`Store::claim_batch`].
    claimant: Option<String>,
}

/// What an import changed, for the operator's summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
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
    /// A short name of what was done, e.g. `refund_granted`, `to_human:no_account` (with the
    /// [`crate::plan::Why`] code), `skip:auto_submitted`.
    pub action: String,
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
    pub fn new(state: LedgerState, action: impl Into<String>) -> Outcome {
        Outcome {
            state,
            action: action.into(),
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

impl Store {
    /// Opens (or creates, with its parent directories) the store at `path`.
    ///
    /// # Errors
    /// The directory or file cannot be created or opened, is not a SQLite database, will not
    /// switch to WAL, or was written by a newer mailclerk.
    pub fn open(path: &Path) -> Result<Store, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::init(conn, path, true)
    }

    /// A throwaway store for tests and `check` runs; nothing survives it.
    ///
    /// # Errors
    /// Only if SQLite itself fails.
    pub fn open_in_memory() -> Result<Store, Error> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::init(conn, path, false)
    }

    fn init(mut conn: Connection, path: &Path, need_wal: bool) -> Result<Store, Error> {
        let open = |source| Error::Open {
            path: path.to_path_buf(),
            source,
        };
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open)?;
        if need_wal && !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::NoWal {
                path: path.to_path_buf(),
                mode,
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open)?;
        // Room for every statement the store runs (`Cached`), so none is parsed twice.
        conn.set_prepared_statement_cache_capacity(64);
        // IMMEDIATE: two processes opening a fresh store must not both create the schema.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(open)?;
        let found: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(open)?;
        if found > SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: path.to_path_buf(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        if found < SCHEMA_VERSION {
            // Columns added since schema 1 (CREATE TABLE IF NOT EXISTS keeps an older table).
            if found > 0 {
                for (column, kind) in [
                    ("claimant", "TEXT"),
                    ("attempted_at", "TEXT"),
                    ("digest", "TEXT"),
                    ("sending", "BLOB"),
                ] {
                    let has: i64 = tx
                        .query_row(
                            "SELECT count(*) FROM pragma_table_info('ledger') WHERE name = ?1",
                            [column],
                            |row| row.get(0),
                        )
                        .map_err(open)?;
                    if has == 0 {
                        tx.execute_batch(&format!("ALTER TABLE ledger ADD COLUMN {column} {kind}"))
                            .map_err(open)?;
                    }
                }
            }
            tx.execute_batch(SCHEMA).map_err(open)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(open)?;
        }
        // The billing and audit tables: created when missing, whatever the version.
        tx.execute_batch(billing::SCHEMA).map_err(open)?;
        tx.execute_batch(reexamine::SCHEMA).map_err(open)?;
        tx.commit().map_err(open)?;
        Ok(Store {
            conn,
            claimant: sending::claimant(),
        })
    }

    /// Upserts accounts by id in one transaction: a re-import updates changed rows and
    /// replaces their address lists; accounts missing from `accounts` are kept, since earlier
    /// answers and contact history refer to them.
    ///
    /// # Errors
    /// A payment in another currency than its account's, or a failed write (then nothing of
    /// this import is kept).
    pub fn import_accounts(&mut self, accounts: &[Account]) -> Result<ImportReport, Error> {
        let what = || format!("importing {} accounts", accounts.len());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during(what)?;
        let mut report = ImportReport::default();
        for account in accounts {
            let account = canonical(account)?;
            match load_account(&tx, &account.id) {
                Ok(Some(old)) if old == account => report.unchanged += 1,
                Ok(None) => {
                    write_account(&tx, &account)?;
                    report.inserted += 1;
                }
                // A corrupt row is replaced by the fresh one: re-importing is the repair.
                Ok(Some(_)) | Err(Error::Corrupt { .. }) => {
                    write_account(&tx, &account)?;
                    report.updated += 1;
                }
                Err(e) => return Err(e),
            }
        }
        tx.commit().during(what)?;
        Ok(report)
    }

    /// Every account listing `email` (compared normalized), ordered by id. Several means the
    /// matcher must not guess.
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn accounts_for(&self, email: &str) -> Result<Vec<Account>, Error> {
        let wanted = normalize_address(email);
        let what = || format!("looking up accounts for {wanted:?}");
        // Sorted and deduplicated here: see `load_account`.
        let mut ids = self
            .conn
            .cached_strings(
                "SELECT account_id FROM account_email WHERE email = ?1",
                [&wanted],
            )
            .during(what)?;
        ids.sort_unstable();
        ids.dedup();
        load_accounts(&self.conn, &ids)
    }

    /// How many accounts the store holds (for `accounts import` and the startup log).
    ///
    /// # Errors
    /// A failed query.
    pub fn account_count(&self) -> Result<usize, Error> {
        let n: i64 = self
            .conn
            .cached_row("SELECT count(*) FROM account", [], |row| row.get(0))
            .during(|| "counting accounts".into())?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The latest recorded contact with the account, on which the policy's "after
    /// communicating with us" clauses depend, and the earlier answers the history rule
    /// holds a new decision against (`past.rs`).
    ///
    /// # Errors
    /// A failed query or a stored day that is not a date.
    pub fn history(&self, account_id: &str) -> Result<History, Error> {
        // The latest day found here, not by max(): see `load_account`.
        let what = || format!("reading the history of account {account_id:?}");
        let latest = self
            .conn
            .cached_strings(
                "SELECT on_day FROM contact WHERE account_id = ?1",
                [account_id],
            )
            .during(what)?
            .into_iter()
            .max();
        let prior_contact_on = latest
            .map(|day| parse_date(&day, "contact", account_id))
            .transpose()?;
        let (cancelled, refunded) = self.earlier_answers(account_id)?;
        Ok(History {
            prior_contact_on,
            cancelled,
            refunded,
        })
    }

    /// Records that we answered `message_id` for this account on day `on`. Recording the same
    /// message again replaces its day rather than counting twice.
    ///
    /// # Errors
    /// [`Error::UnknownAccount`] if the account was never imported, or a failed write.
    pub fn record_contact(
        &mut self,
        account_id: &str,
        on: Date,
        message_id: &str,
    ) -> Result<(), Error> {
        let result = self.conn.cached_execute(
            "INSERT INTO contact (account_id, message_id, on_day) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, message_id) DO UPDATE SET on_day = excluded.on_day",
            params![account_id, message_id, on.to_string()],
        );
        match result {
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                Err(Error::UnknownAccount {
                    account_id: account_id.to_string(),
                })
            }
            other => other
                .map(drop)
                .during(|| format!("recording contact with {account_id:?} for <{message_id}>")),
        }
    }

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
        let now = stamp(Timestamp::now());
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
    pub fn record(&mut self, message_id: &str, outcome: &Outcome) -> Result<(), Error> {
        self.record_with_copy(message_id, outcome, None)
    }

    fn record_in(conn: &Connection, message_id: &str, outcome: &Outcome) -> Result<(), Error> {
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
                    outcome.action,
                    outcome.intent,
                    outcome.account_id,
                    outcome.decision_json,
                    outcome.reply_message_id,
                    reply_to,
                    outcome.reason,
                    stamp(Timestamp::now()),
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

/// RFC 3339 in UTC with exactly three fractional digits, so that text order is time order.
fn stamp(ts: Timestamp) -> String {
    format!("{ts:.3}")
}

/// The inverse of [`stamp`].
fn parse_stamp(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// The account as stored: addresses normalized and deduplicated, payments in its currency.
fn canonical(account: &Account) -> Result<Account, Error> {
    let mut emails: Vec<String> = Vec::new();
    for email in account.emails.iter().map(|e| normalize_address(e)) {
        if !email.is_empty() && !emails.contains(&email) {
            emails.push(email);
        }
    }
    if let Some(paid) = &account.paid {
        for money in [paid.first_payment, paid.last_payment] {
            if money.currency() != account.currency {
                return Err(Error::Invalid {
                    account_id: account.id.clone(),
                    problem: format!(
                        "a payment is in {}, the account in {}",
                        money.currency(),
                        account.currency
                    ),
                });
            }
        }
    }
    Ok(Account {
        emails,
        ..account.clone()
    })
}

fn write_account(conn: &Connection, a: &Account) -> Result<(), Error> {
    let what = || format!("writing account {:?}", a.id);
    conn.cached_execute(
        "INSERT INTO account (id, name, plan, signed_up_on, currency, first_paid_on,
                              first_payment_minor, last_payment_minor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, plan = excluded.plan,
            signed_up_on = excluded.signed_up_on, currency = excluded.currency,
            first_paid_on = excluded.first_paid_on,
            first_payment_minor = excluded.first_payment_minor,
            last_payment_minor = excluded.last_payment_minor",
        params![
            a.id,
            a.name,
            a.plan.as_str(),
            a.signed_up_on.to_string(),
            a.currency.code(),
            a.paid.map(|p| p.first_paid_on.to_string()),
            a.paid.map(|p| p.first_payment.minor()),
            a.paid.map(|p| p.last_payment.minor()),
        ],
    )
    .during(what)?;
    conn.cached_execute("DELETE FROM account_email WHERE account_id = ?1", [&a.id])
        .during(what)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO account_email (account_id, position, email) VALUES (?1, ?2, ?3)",
        )
        .during(what)?;
    for (position, email) in a.emails.iter().enumerate() {
        insert
            .execute(params![a.id, position as i64, email])
            .during(what)?;
    }
    Ok(())
}

/// The accounts of `ids` that exist, in that order.
fn load_accounts(conn: &Connection, ids: &[String]) -> Result<Vec<Account>, Error> {
    let mut accounts = Vec::new();
    for id in ids {
        accounts.extend(load_account(conn, id)?);
    }
    Ok(accounts)
}

fn load_account(conn: &Connection, id: &str) -> Result<Option<Account>, Error> {
    let what = || format!("reading account {id:?}");
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, plan, signed_up_on, currency, first_paid_on, first_payment_minor,
                    last_payment_minor FROM account WHERE id = ?1",
        )
        .during(what)?;
    let mut rows = stmt.query([id]).during(what)?;
    let Some(row) = rows.next().during(what)? else {
        return Ok(None);
    };
    let row = AccountRow::read(row).map_err(|e| corrupt("account", id, e.to_string()))?;
    drop(rows);
    // Ordered here, not by ORDER BY: this SQLite prepares a statement that sorts (or takes a
    // min or max) again at every run, which costs more than the lookup itself (BENCHMARKS.md).
    let mut emails_stmt = conn
        .prepare_cached("SELECT position, email FROM account_email WHERE account_id = ?1")
        .during(what)?;
    let mut emails = emails_stmt
        .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .during(what)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| corrupt("account_email", id, e.to_string()))?;
    emails.sort_unstable();
    let emails = emails.into_iter().map(|(_, email)| email).collect();
    row.into_account(id, emails).map(Some)
}

/// An account row's cells, read without interpreting them.
struct AccountRow {
    name: String,
    plan: String,
    signed_up_on: String,
    currency: String,
    first_paid_on: Option<String>,
    first_payment: Option<i64>,
    last_payment: Option<i64>,
}

impl AccountRow {
    /// A cell of the wrong type can only come from corruption; the caller says so.
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
        Ok(AccountRow {
            name: row.get(0)?,
            plan: row.get(1)?,
            signed_up_on: row.get(2)?,
            currency: row.get(3)?,
            first_paid_on: row.get(4)?,
            first_payment: row.get(5)?,
            last_payment: row.get(6)?,
        })
    }

    fn into_account(self, id: &str, emails: Vec<String>) -> Result<Account, Error> {
        let bad = |problem: String| corrupt("account", id, problem);
        let plan = PlanKind::parse(&self.plan)
            .ok_or_else(|| bad(format!("unknown plan {:?}", self.plan)))?;
        let currency = Currency::from_code(&self.currency)
            .ok_or_else(|| bad(format!("unknown currency {:?}", self.currency)))?;
        let paid = match (self.first_paid_on, self.first_payment, self.last_payment) {
            (None, _, _) => None,
            (Some(day), Some(first), Some(last)) => Some(Payments {
                first_paid_on: parse_date(&day, "account", id)?,
                first_payment: Money::from_minor(first, currency),
                last_payment: Money::from_minor(last, currency),
            }),
            (Some(_), _, _) => {
                return Err(bad("first_paid_on is set but a payment is missing".into()));
            }
        };
        Ok(Account {
            id: id.to_string(),
            name: self.name,
            emails,
            plan,
            signed_up_on: parse_date(&self.signed_up_on, "account", id)?,
            paid,
            currency,
        })
    }
}

fn ledger_row(row: &rusqlite::Row<'_>) -> Result<LedgerRow, Error> {
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

fn cell<T: FromSql>(row: &rusqlite::Row<'_>, i: usize, key: &str) -> Result<T, Error> {
    row.get(i)
        .map_err(|e| corrupt("ledger", key, format!("column {i}: {e}")))
}

fn parse_state(text: &str, message_id: &str) -> Result<LedgerState, Error> {
    LedgerState::parse(text)
        .ok_or_else(|| corrupt("ledger", message_id, format!("unknown state {text:?}")))
}

fn parse_date(text: &str, table: &'static str, key: &str) -> Result<Date, Error> {
    text.parse()
        .map_err(|e| corrupt(table, key, format!("{text:?} is not a date: {e}")))
}

fn corrupt(table: &'static str, key: &str, problem: String) -> Error {
    Error::Corrupt {
        table,
        key: key.to_string(),
        problem,
    }
}

/// Account lookups for matching a message (issue 3): by id, by name, and the whole match.
impl Store {
    /// The account whose id is `id`, compared case-insensitively (customers write ids as they
    /// like).
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn account_by_id(&self, id: &str) -> Result<Option<Account>, Error> {
        let what = || format!("looking up account {id:?}");
        // The least id chosen here, not by SQL: see `load_account`.
        let found = self
            .conn
            .cached_strings(
                "SELECT id FROM account WHERE id = ?1 COLLATE NOCASE",
                [id.trim()],
            )
            .during(what)?
            .into_iter()
            .min();
        match found {
            Some(id) => load_account(&self.conn, &id),
            None => Ok(None),
        }
    }

    /// Every account whose name is `name` (ASCII case-insensitive), ordered by id.
    ///
    /// # Errors
    /// A failed query or a corrupt account row.
    pub fn accounts_named(&self, name: &str) -> Result<Vec<Account>, Error> {
        let what = || format!("looking up accounts named {name:?}");
        // Sorted here: see `load_account`.
        let mut ids = self
            .conn
            .cached_strings(
                "SELECT id FROM account WHERE name = ?1 COLLATE NOCASE",
                [name.trim()],
            )
            .during(what)?;
        ids.sort_unstable();
        load_accounts(&self.conn, &ids)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("m.sqlite")).unwrap();
        (dir, store)
    }

    fn pragma(store: &Store, name: &str) -> String {
        store
            .conn
            .pragma_query_value(None, name, |row| row.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    }

    fn account(id: &str) -> Account {
        Account {
            id: id.into(),
            name: "N".into(),
            emails: vec![format!("{id}@example.com")],
            plan: PlanKind::Monthly,
            signed_up_on: jiff::civil::date(2026, 1, 5),
            paid: None,
            currency: Currency::from_code("USD").unwrap(),
        }
    }

    #[test]
    fn opens_in_wal_with_full_sync_and_foreign_keys() {
        let (_dir, store) = file_store();
        assert_eq!(pragma(&store, "journal_mode"), r#"Text("wal")"#);
        assert_eq!(pragma(&store, "synchronous"), "Integer(2)"); // FULL
        assert_eq!(pragma(&store, "foreign_keys"), "Integer(1)");
        assert_eq!(
            pragma(&store, "user_version"),
            format!("Integer({SCHEMA_VERSION})")
        );
        let memory = Store::open_in_memory().unwrap();
        assert_eq!(pragma(&memory, "synchronous"), "Integer(2)");
    }

    #[test]
    fn a_schema_5_store_gains_the_digest_column_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let mut store = Store::open(&path).unwrap();
            store
                .claim("m1@x", "imap:INBOX/1", Timestamp::UNIX_EPOCH)
                .unwrap();
            store
                .conn
                .execute_batch("ALTER TABLE ledger DROP COLUMN digest; PRAGMA user_version = 5;")
                .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(pragma(&store, "user_version"), "Integer(6)");
        let item = BatchItem {
            message_id: "m1@x",
            digest: Some("d1"),
            origin: "imap:INBOX/1",
            received: Timestamp::UNIX_EPOCH,
        };
        let claimed = store.claim_batch(&[item]).unwrap();
        assert_eq!(claimed[0].key, "m1@x", "the old row is this message");
        assert!(matches!(claimed[0].claim, Claim::Seen(_)));
        let digest: Option<String> = store
            .conn
            .query_row(
                "SELECT digest FROM ledger WHERE message_id = 'm1@x'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(digest.as_deref(), Some("d1"));
    }

    #[test]
    fn stamps_sort_as_time_does() {
        let a: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-03-01T12:00:00.5Z".parse().unwrap();
        assert_eq!(
            (stamp(a).as_str(), stamp(b).as_str()),
            ("2026-03-01T12:00:00.000Z", "2026-03-01T12:00:00.500Z")
        );
        assert!(stamp(a) < stamp(b));
    }

    #[test]
    fn corrupt_rows_name_their_table_and_key() {
        let (_dir, mut store) = file_store();
        store.import_accounts(&[account("a1")]).unwrap();
        store
            .claim(
                "m1@x",
                "inbox/1.eml",
                "2026-03-01T12:00:00Z".parse().unwrap(),
            )
            .unwrap();
        store
            .record_contact("a1", jiff::civil::date(2026, 3, 1), "m1@x")
            .unwrap();
        let sql = "UPDATE account SET plan = 'weekly'; UPDATE ledger SET state = 'lost';
                   UPDATE contact SET on_day = 'yesterday';";
        store.conn.execute_batch(sql).unwrap();
        for (err, want) in [
            (
                store.accounts_for("a1@example.com").unwrap_err(),
                r#"account row "a1" is corrupt: unknown plan "weekly""#,
            ),
            (
                store.ledger().unwrap_err(),
                r#"ledger row "m1@x" is corrupt: unknown state "lost""#,
            ),
            (
                store.claim("m1@x", "o", Timestamp::UNIX_EPOCH).unwrap_err(),
                r#"ledger row "m1@x""#,
            ),
            (
                store.history("a1").unwrap_err(),
                r#"contact row "a1" is corrupt: "yesterday" is not a date"#,
            ),
        ] {
            assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
            assert!(err.to_string().contains(want), "{err}");
        }
        store
            .conn
            .execute_batch("UPDATE ledger SET state = 'sent', received = 'soon'")
            .unwrap();
        assert!(
            store
                .ledger()
                .unwrap_err()
                .to_string()
                .contains(r#"ledger row "m1@x" is corrupt: received "soon""#)
        );
        // Re-importing is the repair for a corrupt account.
        let report = store.import_accounts(&[account("a1")]).unwrap();
        assert_eq!(
            report,
            ImportReport {
                inserted: 0,
                updated: 1,
                unchanged: 0
            }
        );
        assert_eq!(
            store.accounts_for("a1@example.com").unwrap(),
            [account("a1")]
        );
    }

    #[test]
    fn ledger_states_round_trip() {
        for state in [
            LedgerState::Claimed,
            LedgerState::Sent,
            LedgerState::Review,
            LedgerState::Skipped,
            LedgerState::Failed,
        ] {
            assert_eq!(LedgerState::parse(state.as_str()), Some(state));
        }
        assert_eq!(LedgerState::parse("Sent"), None);
    }

    #[test]
    fn a_busy_database_is_transient() {
        let busy = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(5), None);
        let err = Error::Query {
            what: "claiming m1".into(),
            source: busy,
        };
        assert!(err.is_transient());
        assert!(
            !Error::NotClaimed {
                message_id: "m1".into()
            }
            .is_transient()
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "x".repeat(4096)).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, Error::Open { .. }), "{err:?}");
        assert!(err.to_string().contains("notes.txt"), "{err}");
    }
}
