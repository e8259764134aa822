//! Mailbox leases in PostgreSQL, for running several instances against one shared store.
//!
//! Each instance takes a lease per mailbox (a row in `mailclerk_lease`: holder, generation,
//! expiry by the database's clock) and serves only the mailboxes it holds. Leases are renewed
//! every few seconds; a holder that has not renewed successfully for `ttl - margin` by its own
//! monotonic clock stops serving before the lease can expire elsewhere. The generation is the
//! fencing token: the Postgres store refuses a write whose `(mailbox, holder, generation)` no
//! longer holds a live lease, the second guard behind that self-imposed stop. Instances
//! heartbeat into `mailclerk_instance`, and each holds at most its share of the mailboxes,
//! so they spread (`decide`).
//!
//! `decide` is the pure part (which leases to renew, take, give back or stop); `sql` the
//! statements; `runner` the loop that starts and stops each mailbox's worker. docs/ha.md is
//! the operator's side.

pub mod decide;
pub mod runner;
pub mod sql;

pub use decide::{Timing, TimingError};
pub use runner::{Settings, Work, run};

/// A lease as a write carries it: the store checks that this holder still holds this
/// generation of the mailbox's lease, unexpired, in the same transaction as the write.
pub use crate::store::Fence;

/// What went wrong talking to the lease tables. The runner never stops on one: it stops
/// serving what it cannot renew, and tries the database again next round.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the Postgres URL cannot be read")]
    Url(#[source] tokio_postgres::Error),
    #[error("Postgres did not answer in time")]
    Timeout,
    #[error("Postgres refused or failed")]
    Db(#[from] tokio_postgres::Error),
    #[error("the lease tables could not be made")]
    Schema(#[source] Box<crate::store::Error>),
}

/// The instance id when none is configured: host name and process id, unique among the
/// instances running at one time.
pub fn default_instance() -> String {
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}
