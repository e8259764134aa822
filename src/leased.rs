//! Serving under leases, with the Postgres store: instead of one worker per configured
//! mailbox for the life of the process, the lease loop ([`crate::lease`]) starts a mailbox's
//! worker when this instance takes the mailbox's lease and stops it (dropping its IMAP
//! session) when the lease is lost or given back. The worker's store carries the lease's
//! fence, so a write that lands after the lease moved on is refused by the database.
//! Directory inboxes are one machine's and are not leased.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{error, info};

use crate::config::{Config, Source};
use crate::daemon::{self, World};
use crate::lease::sql::Db;
use crate::lease::{self, Fence, Work};

/// Why a one-pass run (`run --once`) of a leased mailbox failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the lease could not be taken")]
    Lease(#[from] lease::Error),
    #[error(transparent)]
    Mailbox(#[from] daemon::Error),
}

/// Starts a mailbox's daemon worker under a fence.
struct Workers {
    cfg: Arc<Config>,
    world: World,
}

impl Work for Workers {
    fn start(&self, fence: Fence, stop: watch::Receiver<bool>) -> JoinHandle<()> {
        let (cfg, world) = (self.cfg.clone(), self.world.clone());
        tokio::spawn(async move {
            let Some(index) = cfg.mailboxes.iter().position(|m| m.name == fence.mailbox) else {
                return;
            };
            let name = fence.mailbox.clone();
            match daemon::run_mailbox(cfg, index, false, world, stop, Some(fence)).await {
                Ok(()) => info!(mailbox = %name, "Stopped serving the mailbox."),
                Err(e) => {
                    error!(mailbox = %name, err = %crate::error_chain(&e), "The mailbox's worker failed.");
                }
            }
        })
    }
}

/// The names of the mailboxes served under leases: those read over IMAP.
pub fn leased_mailboxes(cfg: &Config) -> Vec<String> {
    cfg.mailboxes
        .iter()
        .filter(|m| matches!(m.source, Source::Imap(_)))
        .map(|m| m.name.clone())
        .collect()
}

/// The lease loop's settings from the configuration; `None` without a Postgres store.
pub fn settings(cfg: &Config) -> Option<lease::Settings> {
    let url = cfg
        .mailboxes
        .iter()
        .find_map(|m| m.postgres.as_ref())?
        .url()
        .to_string();
    Some(lease::Settings {
        instance: cfg
            .lease
            .instance
            .clone()
            .unwrap_or_else(lease::default_instance),
        url,
        timing: cfg.lease.timing,
        mailboxes: leased_mailboxes(cfg),
    })
}

/// Runs the lease loop for `cfg`'s IMAP mailboxes until `stop`; then every worker finishes
/// the message in hand and the leases are given back.
pub async fn serve(
    settings: lease::Settings,
    cfg: Arc<Config>,
    world: World,
    stop: watch::Receiver<bool>,
) {
    lease::run(settings, Workers { cfg, world }, stop).await;
}

/// `run --once` on a leased mailbox: one pass under a lease taken for it, given back after;
/// a mailbox another instance holds is left to it (logged, not an error).
///
/// # Errors
/// The lease table cannot be reached, or the pass failed.
pub async fn once(
    settings: &lease::Settings,
    cfg: Arc<Config>,
    index: usize,
    world: World,
    stop: watch::Receiver<bool>,
) -> Result<(), Error> {
    let name = cfg.mailboxes[index].name.clone();
    let timing = settings.timing;
    let db = Db::connect(&settings.url, timing.renew).await?;
    let Some(taken) = db.take(&name, &settings.instance, timing.ttl).await? else {
        info!(mailbox = %name, "Another instance holds the mailbox's lease; this pass leaves it alone.");
        return Ok(());
    };
    let fence = Fence {
        mailbox: name.clone(),
        holder: settings.instance.clone(),
        generation: taken.generation,
    };
    // One pass is short, but not bounded: keep the lease alive while it runs.
    let pass = daemon::run_mailbox(cfg, index, true, world, stop, Some(fence.clone()));
    tokio::pin!(pass);
    let mut renew = tokio::time::interval(timing.renew);
    let result = loop {
        tokio::select! {
            result = &mut pass => break result,
            _ = renew.tick() => {
                if !matches!(db.renew(&name, &fence.holder, fence.generation, timing.ttl).await, Ok(true)) {
                    // The fence refuses the pass's writes from now on; it ends with a store error.
                    error!(mailbox = %name, "The lease of this pass could not be renewed.");
                }
            }
        }
    };
    let _ = db.release(&name, &fence.holder, fence.generation).await;
    result.map_err(Error::from)
}
