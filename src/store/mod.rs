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
use rusqlite::{Connection, ErrorCode, Params, Row, TransactionBehavior};

use crate::clock::Clock;

mod accounts;
mod billing;
mod confirm;
mod dispatch;
pub mod identity;
mod ledger;
mod lock;
mod past;
mod pg;
mod progress;
mod reexamine;
mod report;
mod sending;
#[doc(hidden)]
pub mod test_server;
#[cfg(test)]
pub(crate) mod testing;
pub use accounts::ImportReport;
pub use billing::{BillingRow, BillingState, NewBilling, Trail};
pub use confirm::new_token;
pub use dispatch::Store;
pub use ledger::{Claim, HandOff, LedgerAction, LedgerRow, LedgerState, Outcome, Prior};
use ledger::{claim_in, ledger_key, seen_in};
pub use lock::{LockError, PgLockError, PgRunLock, StoreLock};
pub use pg::{Fence, describe as describe_postgres, migrate as migrate_postgres};
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
    /// The URL is not named: it may hold the password.
    #[error("cannot connect to the PostgreSQL store of mailbox {mailbox}")]
    PgConnect {
        mailbox: String,
        source: postgres::Error,
    },
    #[error("PostgreSQL store query failed while {what}")]
    Postgres {
        what: String,
        source: postgres::Error,
    },
    #[error(
        "the PostgreSQL store of mailbox {mailbox} has schema version {found}, newer than this \
         mailclerk knows ({known}); upgrade mailclerk or point it at another database"
    )]
    DatabaseTooNew {
        mailbox: String,
        found: i64,
        known: i64,
    },
    #[error(
        "the PostgreSQL database of mailbox {mailbox} has no mailclerk schema; start the \
         daemon (or `mailclerk run`) once to create it"
    )]
    NotSetUp { mailbox: String },
    /// The write was refused, and nothing of it kept: this instance no longer holds the
    /// mailbox's lease at the generation it acts under.
    #[error(
        "mailbox {mailbox}: {holder} no longer holds the lease at generation {generation}; \
         nothing was written"
    )]
    Fenced {
        mailbox: String,
        holder: String,
        generation: i64,
    },
    #[error("a SQLite store is one machine's; it takes no lease fence")]
    FenceUnsupported,
}

impl Error {
    /// True when another process held the database past the busy timeout: retry later.
    pub fn is_transient(&self) -> bool {
        let source = match self {
            Error::Open { source, .. } | Error::Query { source, .. } => source,
            Error::PgConnect { .. } => return true,
            Error::Postgres { source, .. } => return pg::transient(source),
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
            // Not this instance's mailbox any more: it takes no new mail for it.
            Error::PgConnect { .. } | Error::Fenced { .. } => true,
            Error::Postgres { source, .. } => pg::unavailable(source),
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

/// One mailbox's SQLite database (the default backend of [`Store`]).
#[derive(Debug)]
pub(crate) struct Sqlite {
    conn: Connection,
    /// This boot and process (`boot_id:pid:start`), kept with batch claims: see
    /// [`Store::claim_batch`].
    claimant: Option<String>,
    /// Where the times it writes come from ([`Store::set_clock`]).
    clock: Clock,
}

impl Sqlite {
    /// Opens (or creates, with its parent directories) the store at `path`.
    ///
    /// # Errors
    /// The directory or file cannot be created or opened, is not a SQLite database, will not
    /// switch to WAL, or was written by a newer mailclerk.
    pub fn open(path: &Path) -> Result<Sqlite, Error> {
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
        Sqlite::init(conn, path, true)
    }

    /// A throwaway store for tests and `check` runs; nothing survives it.
    ///
    /// # Errors
    /// Only if SQLite itself fails.
    pub fn open_in_memory() -> Result<Sqlite, Error> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Sqlite::init(conn, path, false)
    }

    fn init(mut conn: Connection, path: &Path, need_wal: bool) -> Result<Sqlite, Error> {
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
        Ok(Sqlite {
            conn,
            claimant: sending::claimant(),
            clock: Clock::System,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Account, PlanKind};
    use crate::money::Currency;

    fn file_store() -> (tempfile::TempDir, Sqlite) {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open(&dir.path().join("m.sqlite")).unwrap();
        (dir, store)
    }

    fn pragma(store: &Sqlite, name: &str) -> String {
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
        let memory = Sqlite::open_in_memory().unwrap();
        assert_eq!(pragma(&memory, "synchronous"), "Integer(2)");
    }

    #[test]
    fn a_schema_5_store_gains_the_digest_column_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let mut store = Sqlite::open(&path).unwrap();
            store
                .claim("m1@x", "imap:INBOX/1", Timestamp::UNIX_EPOCH)
                .unwrap();
            store
                .conn
                .execute_batch("ALTER TABLE ledger DROP COLUMN digest; PRAGMA user_version = 5;")
                .unwrap();
        }
        let mut store = Sqlite::open(&path).unwrap();
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
        let err = Sqlite::open(&path).unwrap_err();
        assert!(matches!(err, Error::Open { .. }), "{err:?}");
        assert!(err.to_string().contains("notes.txt"), "{err}");
    }
}
