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
use crate::daemon::{self, Stats};
use crate::lease::{self, Fence, Work};

/// Starts a mailbox's daemon worker under a fence.
struct Workers {
    cfg: Arc<Config>,
    stats: Arc<Stats>,
}

impl Work for Workers {
    fn start(&self, fence: Fence, stop: watch::Receiver<bool>) -> JoinHandle<()> {
        let (cfg, stats) = (self.cfg.clone(), self.stats.clone());
        tokio::spawn(async move {
            let Some(index) = cfg.mailboxes.iter().position(|m| m.name == fence.mailbox) else {
                return;
            };
            let name = fence.mailbox.clone();
            match daemon::run_mailbox(cfg, index, false, stats, stop, Some(fence)).await {
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
    stats: Arc<Stats>,
    stop: watch::Receiver<bool>,
) {
    lease::run(settings, Workers { cfg, stats }, stop).await;
}
