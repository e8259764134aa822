//! `mailclerk run` over directory inboxes: the directory loop ([`crate::directory`]) on one
//! thread, its report table printed after each pass that found something (and after every
//! pass with `--once`). A configuration with IMAP mailboxes runs as the service instead.

use std::io::Write;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Config;
use crate::directory::{self, table};
use crate::event::Events;
use crate::mailboxes::{Locks, Postgres};

pub use crate::directory::{Options, POLL_INTERVAL};
pub use crate::mailboxes::{Error, import_accounts, open_store, pick_mailbox};

/// Runs every mailbox: once, or polling its directory until the process is stopped.
///
/// # Errors
/// A mailbox whose store, accounts, inbox or outbox cannot be used.
pub fn run(cfg: &Config, opts: &Options, out: &mut dyn Write) -> Result<(), Error> {
    let mut locks = Locks::default();
    locks.take(cfg, Postgres::RunLock)?;
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
