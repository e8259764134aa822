//! `mailclerk run` over directory inboxes: the directory loop ([`crate::directory`]) on one
//! thread, its report table printed after each pass that found something (and after every
//! pass with `--once`). A configuration with IMAP mailboxes runs as the service instead.

use std::io::Write;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Config;
use crate::directory::{self, table};
use crate::event::Events;

pub use crate::directory::{Options, POLL_INTERVAL};
pub use crate::mailboxes::{Error, import_accounts, open_store, pick_mailbox};

/// Runs every mailbox: once, or polling its directory until the process is stopped.
///
/// # Errors
/// A mailbox whose store, accounts, inbox or outbox cannot be used.
pub fn run(cfg: &Config, opts: &Options, out: &mut dyn Write) -> Result<(), Error> {
    let _held = hold_mailboxes(cfg)?;
    // One worker thread is all a directory run needs, but a multi-thread runtime: there the
    // store's synchronous calls run through block_in_place, which the PostgreSQL client (a
    // runtime of its own inside) requires; on a current-thread runtime it panics.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let all: Vec<usize> = (0..cfg.mailboxes.len()).collect();
    // Stopped by the process ending: nothing ever sends on it.
    let (_keep, never) = watch::channel(false);
    let events = Events::from_env();
    runtime.block_on(directory::serve(
        cfg,
        &all,
        opts,
        &Clock::System,
        &events,
        never,
        |pass| {
            if opts.once || !pass.rows.is_empty() {
                table::write_report(out, &pass.rows, pass.already, opts.dry_run)?;
            }
            Ok(())
        },
    ))
}

/// What a run holds while it works: each SQLite store's lock file (a second run, or a daemon,
/// on the same store is refused) and each PostgreSQL mailbox's advisory lock (a second run on
/// another machine waits for this one). Without them the executor could not tell a claim an
/// earlier run left, which it settles against the outbox, from one another run is working on.
fn hold_mailboxes(cfg: &Config) -> Result<Vec<Held>, Error> {
    let mut held = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Mailboxes may share one store: it is locked once.
    for m in cfg.mailboxes.iter().filter(|m| seen.insert(&m.store)) {
        held.push(match &m.postgres {
            Some(pg) => Held::Postgres(Box::new(crate::store::PgRunLock::hold(pg.url(), &m.name)?)),
            None => Held::File(
                crate::store::StoreLock::acquire(&m.store).map_err(|source| Error::Locked {
                    mailbox: m.name.clone(),
                    source,
                })?,
            ),
        });
    }
    Ok(held)
}

/// Held for the life of the run; dropping releases.
#[allow(dead_code)]
enum Held {
    File(crate::store::StoreLock),
    Postgres(Box<crate::store::PgRunLock>),
}
