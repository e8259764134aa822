//! A configured mailbox opened for work: picked by name, its store opened with its
//! `accounts_csv` imported first, its store's lock held while a process serves it; and
//! `mailclerk accounts import`, which loads a CSV into a store by hand.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{Config, Mailbox};
use crate::store::{self, Fence, PgRunLock, Store, StoreLock};
use crate::{account_csv, intake};

/// Why a mailbox cannot be used. A single bad message never stops a run; these are about a
/// whole mailbox.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("mailbox {mailbox}: the store cannot be used")]
    Store {
        mailbox: String,
        source: store::Error,
    },
    #[error("mailbox {mailbox}: the accounts file is invalid")]
    Accounts {
        mailbox: String,
        source: account_csv::CsvErrors,
    },
    #[error("mailbox {mailbox}: cannot read the inbox")]
    Intake {
        mailbox: String,
        source: intake::Error,
    },
    #[error("mailbox {mailbox}: the outbox cannot be used")]
    Outbox {
        mailbox: String,
        source: Box<crate::apply::dir::Error>,
    },
    /// Directory inboxes are for the demo and for trying policies: their replies go to a
    /// directory, and IMAP mailboxes are served by the daemon.
    #[error("mailbox {mailbox}: a directory pass cannot use {what}; {hint}")]
    Unsupported {
        mailbox: String,
        what: &'static str,
        hint: &'static str,
    },
    #[error("there is more than one mailbox; name one with --mailbox ({0})")]
    WhichMailbox(String),
    #[error("no mailbox called {0:?} in the configuration")]
    NoSuchMailbox(String),
    #[error("mailbox {mailbox}: cannot keep the store's owner and mode ({})", path.display())]
    Ownership {
        mailbox: String,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the runtime")]
    Runtime(#[source] std::io::Error),
    #[error("cannot write the report")]
    Report(#[from] std::io::Error),
    #[error("mailbox {mailbox}: another mailclerk is serving its store")]
    Locked {
        mailbox: String,
        #[source]
        source: crate::store::LockError,
    },
    #[error(transparent)]
    PgLocked(#[from] crate::store::PgLockError),
}

/// Opens a mailbox's store, importing its `accounts_csv` first when one is configured.
///
/// # Errors
/// The store cannot be opened, or the CSV is invalid (then nothing of it is imported).
pub fn open_store(mailbox: &Mailbox) -> Result<Store, Error> {
    open_store_fenced(mailbox, None)
}

/// [`open_store`], with a `fence` (a lease held on the Postgres store): every write of the
/// store is made under it, the import included.
///
/// # Errors
/// As [`open_store`]; a fence on a SQLite store.
pub fn open_store_fenced(mailbox: &Mailbox, fence: Option<&Fence>) -> Result<Store, Error> {
    let store_err = |source| Error::Store {
        mailbox: mailbox.name.clone(),
        source,
    };
    let mut store = crate::mailbox_store::open(mailbox).map_err(store_err)?;
    if let Some(f) = fence {
        store.set_fence(Some(f.clone())).map_err(store_err)?;
    }
    if let Some(csv) = &mailbox.accounts_csv {
        let accounts = account_csv::read(csv).map_err(|source| Error::Accounts {
            mailbox: mailbox.name.clone(),
            source,
        })?;
        store.import_accounts(&accounts).map_err(store_err)?;
    }
    Ok(store)
}

/// `accounts import`: loads a CSV into the named (or only) mailbox's store.
///
/// # Errors
/// An unknown mailbox, an invalid CSV (nothing imported), or a store failure.
pub fn import_accounts(cfg: &Config, mailbox: Option<&str>, csv: &Path) -> Result<String, Error> {
    let mailbox = pick_mailbox(cfg, mailbox)?;
    let accounts = account_csv::read(csv).map_err(|source| Error::Accounts {
        mailbox: mailbox.name.clone(),
        source,
    })?;
    // Run by root (a shell, cron), the store keeps the service user's owner and mode.
    let ownership = |source| Error::Ownership {
        mailbox: mailbox.name.clone(),
        path: mailbox.store.clone(),
        source,
    };
    let owner = match mailbox.postgres {
        Some(_) => None,
        None => Some(crate::ownership::intended(&mailbox.store).map_err(ownership)?),
    };
    if let Some(owner) = owner {
        crate::ownership::prepare(&mailbox.store, owner).map_err(ownership)?;
    }
    let mut store = crate::mailbox_store::open(mailbox).map_err(|source| Error::Store {
        mailbox: mailbox.name.clone(),
        source,
    })?;
    let r = store
        .import_accounts(&accounts)
        .map_err(|source| Error::Store {
            mailbox: mailbox.name.clone(),
            source,
        })?;
    drop(store);
    if let Some(owner) = owner {
        crate::ownership::restore(&mailbox.store, owner).map_err(ownership)?;
    }
    Ok(format!(
        "{}: imported {} account(s) into mailbox {}: {} new, {} updated, {} unchanged",
        csv.display(),
        accounts.len(),
        mailbox.name,
        r.inserted,
        r.updated,
        r.unchanged
    ))
}

/// The mailbox named `name`, or the only one.
///
/// # Errors
/// No such mailbox, or several and none named.
pub fn pick_mailbox<'c>(cfg: &'c Config, name: Option<&str>) -> Result<&'c Mailbox, Error> {
    match name {
        Some(name) => cfg
            .mailbox(name)
            .ok_or_else(|| Error::NoSuchMailbox(name.into())),
        None if cfg.mailboxes.len() == 1 => Ok(&cfg.mailboxes[0]),
        None => Err(Error::WhichMailbox(
            cfg.mailboxes
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Whether a PostgreSQL mailbox's store is locked too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Postgres {
    /// Its advisory lock, for the life of the process: a second directory run on another
    /// machine waits for this one.
    RunLock,
    /// Not at all: the service shares a PostgreSQL store on purpose, and its leases, not a
    /// lock, keep one holder per mailbox.
    Leases,
}

/// What a process holds on its mailboxes' stores while it works: each SQLite store's lock
/// file (a second run or daemon on the same store is refused) and, for a directory run,
/// each PostgreSQL mailbox's advisory lock. Without them the executor could not tell a claim
/// an earlier process left, which it settles against the outbox, from one another process is
/// working on. Dropping releases them.
#[derive(Debug, Default)]
pub struct Locks {
    /// By store path: mailboxes may share one store, and it is locked once.
    held: HashMap<PathBuf, Held>,
}

#[derive(Debug)]
enum Held {
    File(#[allow(dead_code)] StoreLock),
    Postgres(#[allow(dead_code)] Box<PgRunLock>),
}

impl Locks {
    /// Takes the lock of every mailbox's store in `cfg` not held yet (a reload keeps what it
    /// holds and adds the new stores').
    ///
    /// # Errors
    /// Another mailclerk holds one of the stores; what was taken before stays held.
    pub fn take(&mut self, cfg: &Config, postgres: Postgres) -> Result<(), Error> {
        for m in &cfg.mailboxes {
            if self.held.contains_key(&m.store) {
                continue;
            }
            let held =
                match (&m.postgres, postgres) {
                    (Some(_), Postgres::Leases) => continue,
                    (Some(pg), Postgres::RunLock) => {
                        Held::Postgres(Box::new(PgRunLock::hold(pg.url(), &m.name)?))
                    }
                    (None, _) => Held::File(StoreLock::acquire(&m.store).map_err(|source| {
                        Error::Locked {
                            mailbox: m.name.clone(),
                            source,
                        }
                    })?),
                };
            self.held.insert(m.store.clone(), held);
        }
        Ok(())
    }
}
