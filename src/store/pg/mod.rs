//! The PostgreSQL backend: one database holds the rows of many mailboxes (every table is keyed
//! by the mailbox name first), so that several machines can share one mailbox's ledger and a
//! standby can take over a mailbox from the ledger as its holder left it.
//!
//! One kept connection per store, made again when it broke (the failed call is not retried:
//! whether a write that failed with the connection committed is not known, and the caller
//! already treats a store error as "leave the message for the next pass"). Statements are
//! prepared once per connection.
//!
//! Writes that must be exactly-once run as the SQLite store's do, in one transaction, with the
//! mailbox's claims serialized by a transaction-scoped advisory lock (the equivalent of
//! SQLite's `BEGIN IMMEDIATE`). A store given a [`Fence`] checks in every write transaction
//! that its lease row still names it (`FOR SHARE`, so a taker's update of the lease waits for
//! the write in flight) and fails with [`Error::Fenced`] otherwise, writing nothing.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement};

use super::{During, Error};
use crate::clock::Clock;

mod accounts;
mod cells;
mod ledger;
mod migrate;
mod rest;
mod sending;
#[cfg(test)]
mod tests;

/// The lease a store's writes are made under: only while `holder` holds the mailbox's lease
/// at `generation` (the lease table is pg-lease's, `mailclerk_lease`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub mailbox: String,
    pub holder: String,
    pub generation: i64,
}

/// Whether the store may write (and migrate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    ReadWrite,
    ReadOnly,
}

/// A database URL: kept for reconnecting, never printed.
struct Url(String);

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Url(***)")
    }
}

/// A live connection and its prepared statements.
struct Conn {
    client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("closed", &self.client.is_closed())
            .finish()
    }
}

/// One mailbox's store in a PostgreSQL database.
#[derive(Debug)]
pub(crate) struct Pg {
    /// Behind a mutex because the store's readers take `&self` and a client query `&mut`; the
    /// store is used by one task at a time, so it is never contended.
    conn: Mutex<Option<Conn>>,
    url: Url,
    mailbox: String,
    access: Access,
    fence: Option<Fence>,
    /// As the SQLite store's: this boot and process, kept with claims.
    pub(super) claimant: Option<String>,
    /// Where the times it writes come from ([`Store::set_clock`](super::Store::set_clock)).
    pub(super) clock: Clock,
}

/// A statement runner for one call: the client or the transaction, the connection's prepared
/// statements, and the mailbox every statement's `$1` is.
pub(super) struct Db<'a, C> {
    c: &'a mut C,
    prepared: &'a mut HashMap<&'static str, Statement>,
    pub mailbox: &'a str,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<C: GenericClient> Db<'_, C> {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.c.prepare(sql)?;
        self.prepared.insert(sql, s.clone());
        Ok(s)
    }

    pub fn exec(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.execute(&s, params)
    }

    pub fn opt(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Option<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.query_opt(&s, params)
    }

    pub fn one(&mut self, sql: &'static str, params: Params<'_>) -> Result<Row, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.query_one(&s, params)
    }

    pub fn all(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.query(&s, params)
    }
}

impl Pg {
    /// Connects, refuses a schema newer than this mailclerk's, and (read-write) migrates.
    pub(super) fn connect(url: &str, mailbox: &str, access: Access) -> Result<Pg, Error> {
        blocking(|| Pg::connect_now(url, mailbox, access))
    }

    fn connect_now(url: &str, mailbox: &str, access: Access) -> Result<Pg, Error> {
        let pg = Pg {
            conn: Mutex::new(None),
            url: Url(url.to_string()),
            mailbox: mailbox.to_string(),
            access,
            fence: None,
            claimant: super::sending::claimant(),
            clock: Clock::System,
        };
        {
            let mut guard = pg.live()?;
            let conn = guard.as_mut().expect("live() connected");
            migrate::run(&mut conn.client, mailbox, access)?;
        }
        Ok(pg)
    }

    pub(super) fn set_fence(&mut self, fence: Option<Fence>) {
        self.fence = fence;
    }

    /// The connection, made again if there is none or it broke.
    fn live(&self) -> Result<MutexGuard<'_, Option<Conn>>, Error> {
        // A panic while it was held left at worst a connection in an unknown state: drop it.
        let mut guard = self.conn.lock().unwrap_or_else(|poisoned| {
            let mut g = poisoned.into_inner();
            *g = None;
            g
        });
        if guard.as_ref().is_some_and(|c| c.client.is_closed()) {
            tracing::warn!(mailbox = %self.mailbox, "the PostgreSQL connection broke; connecting again");
            *guard = None;
        }
        if guard.is_none() {
            let mut client =
                Client::connect(&self.url.0, NoTls).map_err(|source| Error::PgConnect {
                    mailbox: self.mailbox.clone(),
                    source,
                })?;
            // A writer cut off from the database mid-transaction leaves it open, holding the
            // lease row `FOR SHARE` (the fence) until the server ends it; a standby's take of
            // the lease waits behind it. No store transaction waits on its client this long.
            client
                .batch_execute("SET idle_in_transaction_session_timeout = '5s'")
                .during(|| "setting the session's idle timeout".into())?;
            if self.access == Access::ReadOnly {
                client
                    .batch_execute("SET default_transaction_read_only = on")
                    .during(|| "making the session read-only".into())?;
            }
            *guard = Some(Conn {
                client,
                prepared: HashMap::new(),
            });
        }
        Ok(guard)
    }

    /// Runs `f` outside a transaction (one statement at a time): reads.
    pub(super) fn read<T: Send>(
        &self,
        f: impl FnOnce(&mut Db<'_, Client>) -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        blocking(|| self.read_now(f))
    }

    fn read_now<T>(
        &self,
        f: impl FnOnce(&mut Db<'_, Client>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut guard = self.live()?;
        let conn = guard.as_mut().expect("live() connected");
        let out = f(&mut Db {
            c: &mut conn.client,
            prepared: &mut conn.prepared,
            mailbox: &self.mailbox,
        });
        forget_if_broken(&mut guard, out)
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`; under a fence, only while
    /// the fence holds the lease (checked first, in the same transaction). `serial`: the
    /// mailbox's claims are serialized, as SQLite's `BEGIN IMMEDIATE` does.
    pub(super) fn write<T: Send>(
        &self,
        what: impl Fn() -> String + Send,
        serial: bool,
        f: impl FnOnce(&mut Db<'_, postgres::Transaction<'_>>) -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        blocking(|| {
            let mut guard = self.live()?;
            let out = Pg::transaction(
                guard.as_mut().expect("live() connected"),
                &self.mailbox,
                self.fence.as_ref(),
                what,
                serial,
                f,
            );
            forget_if_broken(&mut guard, out)
        })
    }

    fn transaction<T>(
        conn: &mut Conn,
        mailbox: &str,
        fence: Option<&Fence>,
        what: impl Fn() -> String,
        serial: bool,
        f: impl FnOnce(&mut Db<'_, postgres::Transaction<'_>>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut tx = conn.client.transaction().during(&what)?;
        let mut db = Db {
            c: &mut tx,
            prepared: &mut conn.prepared,
            mailbox,
        };
        if let Some(fence) = fence {
            let held = db
                .opt(
                    "SELECT 1 FROM mailclerk_lease WHERE mailbox = $1 AND holder = $2
                       AND generation = $3 AND expires_at > now() FOR SHARE",
                    &[&fence.mailbox, &fence.holder, &fence.generation],
                )
                .during(|| format!("checking the lease of mailbox {}", fence.mailbox))?;
            if held.is_none() {
                return Err(Error::Fenced {
                    mailbox: fence.mailbox.clone(),
                    holder: fence.holder.clone(),
                    generation: fence.generation,
                });
            }
        }
        if serial {
            db.exec(
                "SELECT pg_advisory_xact_lock(1835100011, hashtext($1))",
                &[&mailbox],
            )
            .during(&what)?;
        }
        let out = f(&mut db)?;
        tx.commit().during(&what)?;
        Ok(out)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        // Closing a client blocks on its own runtime, which must not happen on a runtime's
        // worker (a store dropped in async code).
        let conn = match self.conn.get_mut() {
            Ok(c) => c.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(conn) = conn {
            blocking(move || drop(conn));
        }
    }
}

/// Runs `f`, which blocks on the sync client's own runtime, where that is allowed: in place
/// outside any runtime, through `block_in_place` on a multi-threaded runtime (the daemon), and
/// on a thread of its own from inside a current-thread runtime (the billing gate, `replay`),
/// where blocking the thread would stop the runtime and the client's runtime may not start.
pub(super) fn blocking<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Err(_) => f(),
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        Ok(_) => std::thread::scope(|s| match s.spawn(f).join() {
            Ok(out) => out,
            Err(panic) => std::panic::resume_unwind(panic),
        }),
    }
}

/// Drops the connection after an error that says it is unusable, so that the next call
/// connects again at once (the client may not have seen the socket close yet).
fn forget_if_broken<T>(
    guard: &mut MutexGuard<'_, Option<Conn>>,
    out: Result<T, Error>,
) -> Result<T, Error> {
    if let Err(Error::Postgres { source, .. }) = &out
        && unavailable(source)
    {
        **guard = None;
    }
    out
}

impl<T> During<T> for Result<T, postgres::Error> {
    fn during(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|source| Error::Postgres {
            what: what(),
            source,
        })
    }
}

/// Brings the database at `url` to this mailclerk's schema without opening a mailbox's store:
/// for the lease, whose tables are part of the schema (migration 1), so that they are written
/// in one place and made under one lock. `label` stands for the mailbox in errors.
///
/// # Errors
/// As [`Store::open_postgres`](super::Store::open_postgres).
pub fn migrate(url: &str, label: &str, timeout: std::time::Duration) -> Result<(), Error> {
    let connect = |source| Error::PgConnect {
        mailbox: label.to_string(),
        source,
    };
    let mut config: postgres::Config = url.parse().map_err(connect)?;
    config.connect_timeout(timeout);
    let mut client = config.connect(NoTls).map_err(connect)?;
    migrate::run(&mut client, label, Access::ReadWrite)
}

/// Where a URL points, without its password: `user@host:port/database`, for messages.
pub fn describe(url: &str) -> String {
    let Ok(config) = url.parse::<postgres::Config>() else {
        return "a PostgreSQL URL that does not read".to_string();
    };
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("?"),
        config.get_dbname().unwrap_or("?")
    )
}

/// Whether a PostgreSQL error says the database cannot be used now (the connection, the
/// server, its resources), rather than something about one statement.
pub(super) fn unavailable(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    if e.is_closed() {
        return true;
    }
    let Some(code) = e.code() else {
        // No SQLSTATE: an I/O or protocol failure on the connection.
        return true;
    };
    let class = &code.code()[..2];
    // 08: connection exception; 53: insufficient resources; 57: operator intervention
    // (shutdown); 58: system error.
    matches!(class, "08" | "53" | "57" | "58") || *code == SqlState::READ_ONLY_SQL_TRANSACTION
}

/// Whether trying again later may help: unavailable, or a conflict with a concurrent
/// transaction.
pub(super) fn transient(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    unavailable(e)
        || e.code().is_some_and(|c| {
            [
                SqlState::T_R_SERIALIZATION_FAILURE,
                SqlState::T_R_DEADLOCK_DETECTED,
                SqlState::LOCK_NOT_AVAILABLE,
            ]
            .contains(c)
        })
}
