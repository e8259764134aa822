//! The lease statements against PostgreSQL. Every time is the database's `now()`, never an
//! instance's clock, so instances with skewed clocks still agree on who holds what.

use std::time::Duration;

use tokio_postgres::{Client, NoTls};
use tracing::debug;

use super::Error;
use super::decide::Row;

/// One connection to the lease tables.
pub struct Db {
    client: Client,
    /// Drives the connection; ends (and the client fails fast) when the server goes away.
    driver: tokio::task::JoinHandle<()>,
}

impl Drop for Db {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// What a successful take returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub generation: i64,
    /// Who held the row before (none for a mailbox never leased).
    pub previous: Option<String>,
}

impl Db {
    /// Connects within `timeout` and makes sure the tables exist.
    ///
    /// # Errors
    /// The server cannot be reached in time, refuses the login, or the tables cannot be made.
    pub async fn connect(url: &str, timeout: Duration) -> Result<Db, Error> {
        let mut config: tokio_postgres::Config = url.parse().map_err(Error::Url)?;
        config.connect_timeout(timeout);
        config.application_name("mailclerk-lease");
        // A peer cut off without a FIN (a blackholed route) is noticed by the statement
        // timeouts of the caller; keepalives close such a connection for good afterwards.
        config.keepalives_idle(Duration::from_secs(5));
        let (client, connection) = tokio::time::timeout(timeout, config.connect(NoTls))
            .await
            .map_err(|_| Error::Timeout)?
            .map_err(Error::Db)?;
        let driver = tokio::spawn(async move {
            if let Err(e) = connection.await {
                debug!(err = %e, "Lease connection ended.");
            }
        });
        let db = Db { client, driver };
        // A take or renewal waits for the fenced writes in flight on the lease row (they hold
        // it `FOR SHARE`), the holder's own included. When a writer's client vanished, its
        // transaction stays open until the server ends it: the statement gives up within a
        // round instead, and is not left queued behind it (a take the server ran after this
        // client gave up would hold a lease nobody serves until it expires).
        let lock_timeout = format!("SET lock_timeout = {}", timeout.as_millis().max(1));
        tokio::time::timeout(timeout, db.client.batch_execute(&lock_timeout))
            .await
            .map_err(|_| Error::Timeout)??;
        tokio::time::timeout(timeout, db.ensure_tables(url, timeout))
            .await
            .map_err(|_| Error::Timeout)??;
        Ok(db)
    }

    /// The two tables (`mailclerk_lease`, `mailclerk_instance`) are part of the store's schema
    /// (migration 1; the store's fenced writes read `mailclerk_lease`). In a database no
    /// mailclerk has set up yet, the store's migrations make them, under the store's lock: two
    /// instances starting at once would otherwise race on the catalog.
    async fn ensure_tables(&self, url: &str, timeout: Duration) -> Result<(), Error> {
        let there: bool = self
            .client
            .query_one(
                "SELECT to_regclass('mailclerk_lease') IS NOT NULL
                    AND to_regclass('mailclerk_instance') IS NOT NULL",
                &[],
            )
            .await?
            .get(0);
        if there {
            return Ok(());
        }
        // The store's client is the blocking one.
        let url = url.to_string();
        match tokio::task::spawn_blocking(move || {
            crate::store::migrate_postgres(&url, "(leases)", timeout)
        })
        .await
        {
            Ok(migrated) => migrated.map_err(|e| Error::Schema(Box::new(e))),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(Error::Timeout),
        }
    }

    /// Whether an error came from the server (a statement refused or cancelled, such as a
    /// lock timeout) rather than from the connection: the connection can be kept.
    pub fn is_server_error(e: &Error) -> bool {
        matches!(e, Error::Db(e) if e.code().is_some())
    }

    /// Whether the connection is known to be gone.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Records that `instance` is alive, now by the database's clock.
    ///
    /// # Errors
    /// The statement failed.
    pub async fn heartbeat(&self, instance: &str) -> Result<(), Error> {
        self.client
            .execute(
                "INSERT INTO mailclerk_instance (instance, seen_at) VALUES ($1, now())
                 ON CONFLICT (instance) DO UPDATE SET seen_at = now()",
                &[&instance],
            )
            .await?;
        Ok(())
    }

    /// Removes `instance`'s heartbeat (a clean stop), and heartbeats a day old (ids with a
    /// pid in them pile up otherwise).
    ///
    /// # Errors
    /// The statement failed.
    pub async fn leave(&self, instance: &str) -> Result<(), Error> {
        self.client
            .execute(
                "DELETE FROM mailclerk_instance
                 WHERE instance = $1 OR seen_at < now() - interval '1 day'",
                &[&instance],
            )
            .await?;
        Ok(())
    }

    /// Every lease row, with whether it is live by the database's clock, and the instances
    /// whose heartbeat is younger than `stale`.
    ///
    /// # Errors
    /// The statement failed.
    pub async fn look(&self, stale: Duration) -> Result<(Vec<Row>, Vec<String>), Error> {
        let rows = self
            .client
            .query(
                "SELECT mailbox, holder, generation, expires_at > now() FROM mailclerk_lease",
                &[],
            )
            .await?
            .iter()
            .map(|r| Row {
                mailbox: r.get(0),
                holder: r.get(1),
                generation: r.get(2),
                live: r.get(3),
            })
            .collect();
        let live = self
            .client
            .query(
                "SELECT instance FROM mailclerk_instance
                 WHERE seen_at > now() - make_interval(secs => $1)",
                &[&stale.as_secs_f64()],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok((rows, live))
    }

    /// Takes `mailbox` for `holder` if nobody holds it (no row, or an expired one), with a
    /// new generation. `None`: someone else holds it.
    ///
    /// A row is never deleted, so generations only grow: a fence from an earlier term can
    /// never match again, even under the same instance id. The conflicting row is locked and
    /// its expiry re-read by Postgres before the update, so of two instances taking at once,
    /// one gets it and the other sees it live. An in-flight fenced write holds the row
    /// `FOR SHARE`; the take waits for it to commit.
    ///
    /// # Errors
    /// The statement failed.
    pub async fn take(
        &self,
        mailbox: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Taken>, Error> {
        let row = self
            .client
            .query_opt(
                "WITH before AS (SELECT holder FROM mailclerk_lease WHERE mailbox = $1)
                 INSERT INTO mailclerk_lease AS l (mailbox, holder, generation, expires_at)
                 VALUES ($1, $2, 1, now() + make_interval(secs => $3))
                 ON CONFLICT (mailbox) DO UPDATE
                    SET holder = EXCLUDED.holder,
                        generation = l.generation + 1,
                        expires_at = EXCLUDED.expires_at
                    WHERE l.expires_at <= now()
                 RETURNING l.generation, (SELECT holder FROM before)",
                &[&mailbox, &holder, &ttl.as_secs_f64()],
            )
            .await?;
        Ok(row.map(|r| Taken {
            generation: r.get(0),
            previous: r.get(1),
        }))
    }

    /// Extends a lease this holder has under this generation and that has not expired.
    /// `false`: it expired or changed hands; the holder must stop at once.
    ///
    /// # Errors
    /// The statement failed.
    pub async fn renew(
        &self,
        mailbox: &str,
        holder: &str,
        generation: i64,
        ttl: Duration,
    ) -> Result<bool, Error> {
        let n = self
            .client
            .execute(
                "UPDATE mailclerk_lease SET expires_at = now() + make_interval(secs => $4)
                 WHERE mailbox = $1 AND holder = $2 AND generation = $3 AND expires_at > now()",
                &[&mailbox, &holder, &generation, &ttl.as_secs_f64()],
            )
            .await?;
        Ok(n == 1)
    }

    /// Gives a lease back (its worker has stopped): it expires now, so the next taker gets it
    /// without waiting for the TTL. `false`: it was not ours any more.
    ///
    /// # Errors
    /// The statement failed.
    pub async fn release(
        &self,
        mailbox: &str,
        holder: &str,
        generation: i64,
    ) -> Result<bool, Error> {
        let n = self
            .client
            .execute(
                "UPDATE mailclerk_lease SET expires_at = now()
                 WHERE mailbox = $1 AND holder = $2 AND generation = $3 AND expires_at > now()",
                &[&mailbox, &holder, &generation],
            )
            .await?;
        Ok(n == 1)
    }
}
