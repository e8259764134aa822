//! A mailbox's store, wherever the configuration puts it: its SQLite file (the default), or its
//! rows in the PostgreSQL database of the top-level `store` setting (docs/store.md). The
//! commands open stores through here, so that none of them needs to know which.

use crate::config::Mailbox;
use crate::store::{Error, Store};

/// Whether the mailbox may have a store to read: its SQLite file exists, or it is in a
/// database (which says itself, when opened, whether mailclerk ever set it up).
pub fn exists(m: &Mailbox) -> bool {
    m.postgres.is_some() || m.store.exists()
}

/// Opens the mailbox's store for reading and writing, creating or migrating it.
///
/// # Errors
/// As [`Store::open`] or [`Store::open_postgres`].
pub fn open(m: &Mailbox) -> Result<Store, Error> {
    match &m.postgres {
        Some(pg) => Store::open_postgres(pg.url(), &m.name),
        None => Store::open(&m.store),
    }
}

/// Opens the mailbox's existing store for reading only (`report`, `explain`, `decisions`,
/// `replay`), beside a running daemon.
///
/// # Errors
/// As [`Store::open_read_only`] or [`Store::open_postgres_read_only`].
pub fn open_read_only(m: &Mailbox) -> Result<Store, Error> {
    match &m.postgres {
        Some(pg) => Store::open_postgres_read_only(pg.url(), &m.name),
        None => Store::open_read_only(&m.store),
    }
}
