//! Running as a service: the tokio runtime, one task per mailbox, signals and systemd.
//!
//! SIGTERM and SIGINT stop gracefully: each mailbox finishes the message in hand, then the
//! process exits 0 (within systemd's stop timeout). SIGHUP reloads the configuration and the
//! policies; a new configuration with errors is rejected and the running one kept. With
//! `Type=notify`, systemd hears READY, STATUS (counts), WATCHDOG and STOPPING.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{error, info, warn};

use crate::config::{Config, Mode, Source};
use crate::daemon::{self, World};
use crate::directory::{self, Options};
use crate::mailboxes::{Locks, Postgres};

/// Why the service could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot start the runtime or install signal handlers")]
    Runtime(#[source] std::io::Error),
    #[error("mailbox {mailbox} failed")]
    Mailbox {
        mailbox: String,
        #[source]
        source: Box<daemon::Error>,
    },
    /// Another mailclerk serves one of the stores.
    #[error(transparent)]
    Locked(crate::mailboxes::Error),
    #[error("the metrics address {addr} cannot be listened on ([metrics] listen)")]
    Metrics {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("mailbox {mailbox}: one pass under a lease failed")]
    Leased {
        mailbox: String,
        #[source]
        source: Box<crate::leased::Error>,
    },
    #[error("mailbox {mailbox}: a directory inbox cannot be served here")]
    Dir {
        mailbox: String,
        #[source]
        source: Box<crate::mailboxes::Error>,
    },
}

/// How long a stop may take before the process exits anyway; systemd's default stop timeout
/// is 90 s, our promise is 5 s.
const STOP_GRACE: Duration = Duration::from_millis(4500);

/// Serves every mailbox of `cfg` (read from `path`, for reloads). With `once`, one pass over
/// each and then exit; with `dry_run`, every mailbox runs in dry-run mode.
///
/// # Errors
/// Another mailclerk serves one of the stores; the runtime cannot start; with `once`, a
/// mailbox whose pass failed.
pub fn run(path: &Path, cfg: Config, once: bool, dry_run: bool) -> Result<(), Error> {
    // Before any connection: a second daemon on the same mailbox must not touch it at all.
    let mut locks = Locks::default();
    locks.take(&cfg, Postgres::Leases).map_err(Error::Locked)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async {
        // Bound before any mailbox starts (a taken port stops the start, named), and kept
        // across reloads: `[metrics] listen` takes effect at a restart.
        let (stop_metrics, metrics_rx) = watch::channel(false);
        let metrics = match cfg.metrics {
            Some(addr) => {
                let listener = crate::metrics::bind(addr)
                    .await
                    .map_err(|source| Error::Metrics { addr, source })?;
                Some(tokio::spawn(crate::metrics::serve(listener, metrics_rx)))
            }
            None => None,
        };
        let result = serve(path.to_path_buf(), cfg, once, dry_run, locks).await;
        let _ = stop_metrics.send(true);
        if let Some(task) = metrics {
            let _ = task.await;
        }
        result
    })
}

async fn serve(
    path: PathBuf,
    mut cfg: Config,
    once: bool,
    dry_run: bool,
    mut locks: Locks,
) -> Result<(), Error> {
    let mut term = signal(SignalKind::terminate()).map_err(Error::Runtime)?;
    let mut int = signal(SignalKind::interrupt()).map_err(Error::Runtime)?;
    let mut hup = signal(SignalKind::hangup()).map_err(Error::Runtime)?;
    let world = World::system();
    let stats = world.events.stats();
    let watchdog = sd_notify::watchdog_enabled()
        .map(|d| d / 2)
        .unwrap_or(Duration::from_secs(30));
    let mut ready_sent = false;
    loop {
        if dry_run {
            for m in &mut cfg.mailboxes {
                m.handling.mode = Mode::DryRun;
            }
        }
        let cfg_now = Arc::new(cfg);
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = spawn_all(&cfg_now, once, &world, &stop_rx);
        if !ready_sent {
            notify(&[NotifyState::Ready]);
            ready_sent = true;
        }
        notify(&[NotifyState::Status(&format!(
            "{} mailbox(es); {}",
            cfg_now.mailboxes.len(),
            stats.line()
        ))]);
        if once {
            let result = join_all(&mut tasks).await;
            info!(stats = %stats.line(), "One pass done.");
            return result;
        }
        let mut tick = tokio::time::interval(watchdog);
        let next = loop {
            tokio::select! {
                _ = term.recv() => break None,
                _ = int.recv() => break None,
                _ = hup.recv() => match Config::load(&path) {
                    Ok(new) => match locks.take(&new, Postgres::Leases) {
                        Ok(()) => {
                            info!("Configuration reloaded; restarting the mailboxes.");
                            notify(&[NotifyState::Reloading]);
                            break Some(new);
                        }
                        Err(e) => error!(err = %crate::error_chain(&e), "New configuration rejected; the running one is kept."),
                    },
                    Err(errors) => error!(errors = %errors, "New configuration rejected; the running one is kept."),
                },
                _ = tick.tick() => notify(&[NotifyState::Watchdog, NotifyState::Status(&stats.line())]),
                Some(done) = tasks.join_next() => {
                    // A mailbox task only ends on its own after a panic; the others go on.
                    if let Err(e) = done {
                        error!(err = %e, "A mailbox task stopped unexpectedly.");
                    }
                }
            }
        };
        let _ = stop.send(true);
        match next {
            None => {
                notify(&[NotifyState::Stopping]);
                info!("Stopping: finishing the messages in hand.");
                if tokio::time::timeout(STOP_GRACE, join_all(&mut tasks))
                    .await
                    .is_err()
                {
                    warn!(
                        "Mailboxes did not stop in time; exiting anyway (the ledger keeps every answer once)."
                    );
                }
                info!(stats = %stats.line(), "Stopped.");
                return Ok(());
            }
            Some(new) => {
                let _ = tokio::time::timeout(STOP_GRACE, join_all(&mut tasks)).await;
                cfg = new;
                notify(&[NotifyState::Ready]);
            }
        }
    }
}

fn spawn_all(
    cfg: &Arc<Config>,
    once: bool,
    world: &World,
    stop: &watch::Receiver<bool>,
) -> JoinSet<Result<(), Error>> {
    let mut tasks = JoinSet::new();
    // With the Postgres store, IMAP mailboxes are served under leases: the lease loop starts
    // and stops their workers; one pass (`--once`) takes each lease for its pass.
    let leases = crate::leased::settings(cfg);
    if let Some(settings) = leases.clone().filter(|_| !once) {
        let (cfg, world, stop) = (cfg.clone(), world.clone(), stop.clone());
        tasks.spawn(async move {
            crate::leased::serve(settings, cfg, world, stop).await;
            Ok(())
        });
    }
    for (i, m) in cfg.mailboxes.iter().enumerate() {
        let (cfg, world, stop, name) = (cfg.clone(), world.clone(), stop.clone(), m.name.clone());
        match &m.source {
            Source::Imap(_) if leases.is_some() && !once => {}
            Source::Imap(_) if let Some(settings) = leases.clone() => {
                tasks.spawn(async move {
                    crate::leased::once(&settings, cfg, i, world, stop)
                        .await
                        .map_err(|source| Error::Leased {
                            mailbox: name,
                            source: Box::new(source),
                        })
                });
            }
            Source::Imap(_) => {
                tasks.spawn(async move {
                    daemon::run_mailbox(cfg, i, once, world, stop, None)
                        .await
                        .map_err(|source| Error::Mailbox {
                            mailbox: name,
                            source: Box::new(source),
                        })
                });
            }
            Source::Dir { .. } => {
                tasks.spawn(async move {
                    // The directory loop, as `mailclerk run` has it; never a dry run here (a
                    // dry-run service marks its mailboxes' mode, which directories ignore).
                    let opts = Options {
                        once,
                        dry_run: false,
                    };
                    directory::serve(&cfg, &[i], &opts, &world.clock, &world.events, stop, |_| {
                        Ok(())
                    })
                    .await
                    .map_err(|source| Error::Dir {
                        mailbox: name,
                        source: Box::new(source),
                    })
                });
            }
        }
    }
    tasks
}

async fn join_all(tasks: &mut JoinSet<Result<(), Error>>) -> Result<(), Error> {
    let mut first = Ok(());
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Err(e)) if first.is_ok() => first = Err(e),
            Ok(_) => {}
            Err(e) => error!(err = %e, "A mailbox task panicked."),
        }
    }
    first
}

/// systemd notifications; a no-op when not started by systemd (no NOTIFY_SOCKET).
fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        warn!(err = %e, "systemd notification failed.");
    }
}
