//! The lease loop: every renewal interval, one round with the database (heartbeat, look,
//! decide, renew / take / give back), and a worker started for each mailbox taken and stopped
//! for each one lost. Between rounds, and while a round waits on the database, each served
//! mailbox's own deadline (`Timing::act_until`) is watched: when it passes, its worker is
//! stopped, whatever the database is doing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tracing::{error, info, warn};

use super::decide::{self, Free, Lost, Step, Timing, View};
use super::sql::Db;
use super::{Error, Fence};
use crate::error_chain;

/// What the loop needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// This instance's id (unique among running instances).
    pub instance: String,
    /// The Postgres URL (the store's).
    pub url: String,
    pub timing: Timing,
    /// The mailboxes this instance may serve (its configuration's names).
    pub mailboxes: Vec<String>,
}

/// Serves a mailbox while its lease is held.
pub trait Work: Send + Sync + 'static {
    /// Starts serving `fence.mailbox`, every store write carrying `fence`. The task should end
    /// soon after `stop` turns true; it is aborted if it does not by the lease's deadline.
    fn start(&self, fence: Fence, stop: watch::Receiver<bool>) -> JoinHandle<()>;
}

/// A mailbox this process holds and serves.
struct Serving {
    fence: Fence,
    /// Stop by then (own monotonic clock): the database's expiry comes `margin` later.
    act_until: Instant,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Serving {
    /// Stops at once: the lease is gone or about to be. Dropping the task drops its IMAP
    /// session; a store write already sent is refused by the fence if it lands late.
    fn stop_now(self) {
        let _ = self.stop.send(true);
        self.task.abort();
        // An aborted worker never says its session ended.
        crate::metrics::imap_connected(&self.fence.mailbox, false);
        crate::metrics::lease_held(&self.fence.mailbox, false);
    }

    /// Asks the worker to finish the message in hand, until the lease's own deadline.
    async fn stop_gently(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout_at(self.act_until, &mut task)
            .await
            .is_err()
        {
            task.abort();
            let _ = task.await;
        }
        crate::metrics::lease_held(&self.fence.mailbox, false);
    }
}

struct Runner<W> {
    settings: Settings,
    work: W,
    db: Option<Arc<Db>>,
    serving: BTreeMap<String, Serving>,
    /// Mailboxes being given back (worker stopping, then the release statement).
    releasing: Arc<Mutex<BTreeSet<String>>>,
    releases: JoinSet<()>,
    /// Since when rounds fail; one warning per outage, not one per round.
    failing_since: Option<Instant>,
}

/// Runs the lease loop until `shutdown` turns true; then stops every worker (each finishing
/// the message in hand, within its lease), gives the leases back and removes this instance's
/// heartbeat.
pub async fn run<W: Work>(settings: Settings, work: W, mut shutdown: watch::Receiver<bool>) {
    info!(
        instance = %settings.instance,
        ttl_s = settings.timing.ttl.as_secs_f64(),
        renew_s = settings.timing.renew.as_secs_f64(),
        "Leases: serving only the mailboxes this instance holds."
    );
    let mut r = Runner {
        settings,
        work,
        db: None,
        serving: BTreeMap::new(),
        releasing: Arc::new(Mutex::new(BTreeSet::new())),
        releases: JoinSet::new(),
        failing_since: None,
    };
    loop {
        let started = Instant::now();
        let earliest = r.serving.values().map(|s| s.act_until).min();
        let deadline = r.settings.timing.round_deadline(started, earliest);
        let result = match tokio::time::timeout_at(deadline, r.round()).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout),
        };
        r.after_round(result);
        r.stop_overdue();
        r.reap_finished();
        while r.releases.try_join_next().is_some() {}
        let next = started + r.settings.timing.renew;
        let wake = r
            .serving
            .values()
            .map(|s| s.act_until)
            .min()
            .map_or(next, |s| s.min(next));
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            r.leave().await;
            return;
        }
    }
}

impl<W: Work> Runner<W> {
    async fn round(&mut self) -> Result<(), Error> {
        if self.db.as_ref().is_none_or(|db| db.is_closed()) {
            self.db = None;
            let db = Db::connect(&self.settings.url, self.settings.timing.renew).await?;
            self.db = Some(Arc::new(db));
        }
        let Some(db) = self.db.clone() else {
            return Err(Error::Timeout);
        };
        let me = self.settings.instance.clone();
        let timing = self.settings.timing;
        db.heartbeat(&me).await?;
        let (rows, live) = db.look(timing.heartbeat_stale()).await?;
        let serving: BTreeMap<String, i64> = self
            .serving
            .iter()
            .map(|(m, s)| (m.clone(), s.fence.generation))
            .collect();
        let releasing = self.releasing.lock().map(|r| r.clone()).unwrap_or_default();
        let steps = decide::decide(&View {
            me: &me,
            mailboxes: &self.settings.mailboxes,
            live: &live,
            rows: &rows,
            serving: &serving,
            releasing: &releasing,
        });
        for step in steps {
            match step {
                Step::Stop { mailbox, lost } => {
                    if let Some(s) = self.serving.remove(&mailbox) {
                        warn!(mailbox = %mailbox, lost = ?lost, "Lease lost; stopped serving the mailbox.");
                        s.stop_now();
                    }
                }
                Step::Release {
                    mailbox,
                    generation,
                    held,
                    share,
                } => {
                    if let Some(s) = self.serving.remove(&mailbox) {
                        info!(mailbox = %mailbox, generation, held, share, "Giving the lease back: more than this instance's share.");
                        self.release(db.clone(), s);
                    }
                }
                Step::Renew {
                    mailbox,
                    generation,
                } => {
                    let sent = Instant::now();
                    if db.renew(&mailbox, &me, generation, timing.ttl).await? {
                        if let Some(s) = self.serving.get_mut(&mailbox) {
                            s.act_until = timing.act_until(sent);
                        }
                    } else if let Some(s) = self.serving.remove(&mailbox) {
                        warn!(mailbox = %mailbox, generation, lost = ?Lost::Expired, "Lease could not be renewed; stopped serving the mailbox.");
                        s.stop_now();
                    }
                }
                Step::Take { mailbox, free } => {
                    let sent = Instant::now();
                    if let Some(taken) = db.take(&mailbox, &me, timing.ttl).await? {
                        self.begin(mailbox, free, taken, timing.act_until(sent));
                    }
                }
            }
        }
        Ok(())
    }

    fn begin(&mut self, mailbox: String, free: Free, taken: super::sql::Taken, act_until: Instant) {
        let fence = Fence {
            mailbox: mailbox.clone(),
            holder: self.settings.instance.clone(),
            generation: taken.generation,
        };
        match (&taken.previous, &free) {
            (Some(previous), _) => {
                // The one line a takeover leaves: whose it was, and the new fencing token.
                info!(
                    mailbox = %mailbox,
                    previous_holder = %previous,
                    generation = taken.generation,
                    "Lease taken over from {previous}; serving the mailbox."
                );
                if previous != &self.settings.instance {
                    crate::metrics::lease_takeover(&mailbox);
                }
            }
            (None, _) => info!(
                mailbox = %mailbox,
                generation = taken.generation,
                "Lease taken; serving the mailbox."
            ),
        }
        let (stop, stop_rx) = watch::channel(false);
        let task = self.work.start(fence.clone(), stop_rx);
        crate::metrics::lease_held(&mailbox, true);
        self.serving.insert(
            mailbox,
            Serving {
                fence,
                act_until,
                stop,
                task,
            },
        );
    }

    /// Stops the worker, then gives the lease back so that another instance need not wait
    /// for it to expire; without a database, it simply expires.
    fn release(&mut self, db: Arc<Db>, s: Serving) {
        let fence = s.fence.clone();
        if let Ok(mut r) = self.releasing.lock() {
            r.insert(fence.mailbox.clone());
        }
        let releasing = self.releasing.clone();
        let timeout = self.settings.timing.renew;
        self.releases.spawn(async move {
            s.stop_gently().await;
            let released = tokio::time::timeout(
                timeout,
                db.release(&fence.mailbox, &fence.holder, fence.generation),
            )
            .await;
            match released {
                Ok(Ok(true)) => info!(mailbox = %fence.mailbox, generation = fence.generation, "Lease given back."),
                Ok(Ok(false)) => {}
                Ok(Err(e)) => warn!(mailbox = %fence.mailbox, err = %error_chain(&e), "Lease not given back; it expires on its own."),
                Err(_) => warn!(mailbox = %fence.mailbox, "Lease not given back in time; it expires on its own."),
            }
            if let Ok(mut r) = releasing.lock() {
                r.remove(&fence.mailbox);
            }
        });
    }

    fn after_round(&mut self, result: Result<(), Error>) {
        match result {
            Ok(()) => {
                if let Some(since) = self.failing_since.take() {
                    info!(
                        after_s = since.elapsed().as_secs_f64(),
                        "Lease database reachable again."
                    );
                }
            }
            Err(e) => {
                // Unless the server itself answered, the connection may be half-open: a fresh
                // one next round.
                if !Db::is_server_error(&e) {
                    self.db = None;
                }
                if self.failing_since.is_none() {
                    self.failing_since = Some(Instant::now());
                    error!(
                        err = %error_chain(&e),
                        serving = self.serving.len(),
                        "Lease round failed (database unreachable or busy); mailboxes whose lease cannot be renewed in time stop being served."
                    );
                }
            }
        }
    }

    /// The self-imposed stop: a mailbox whose lease was not renewed in time stops being
    /// served before the database can give it to another instance.
    fn stop_overdue(&mut self) {
        let now = Instant::now();
        let overdue: Vec<String> = self
            .serving
            .iter()
            .filter(|(_, s)| s.act_until <= now)
            .map(|(m, _)| m.clone())
            .collect();
        for mailbox in overdue {
            if let Some(s) = self.serving.remove(&mailbox) {
                error!(
                    mailbox = %mailbox,
                    generation = s.fence.generation,
                    "Lease not renewed in time; stopped serving the mailbox before it can expire."
                );
                s.stop_now();
            }
        }
    }

    /// A worker that ended on its own (a panic) leaves a lease nobody serves: give it back,
    /// and the next round takes it again with a fresh worker.
    fn reap_finished(&mut self) {
        let done: Vec<String> = self
            .serving
            .iter()
            .filter(|(_, s)| s.task.is_finished())
            .map(|(m, _)| m.clone())
            .collect();
        for mailbox in done {
            if let Some(s) = self.serving.remove(&mailbox) {
                error!(mailbox = %mailbox, "The mailbox's worker ended; giving its lease back.");
                match self.db.clone() {
                    Some(db) => self.release(db, s),
                    None => s.stop_now(),
                }
            }
        }
    }

    async fn leave(mut self) {
        let serving = std::mem::take(&mut self.serving);
        let fences: Vec<Fence> = serving.values().map(|s| s.fence.clone()).collect();
        let stops: Vec<_> = serving.into_values().map(Serving::stop_gently).collect();
        futures::future::join_all(stops).await;
        let timeout = self.settings.timing.renew;
        let me = self.settings.instance.clone();
        let db = self.db.clone();
        let give_back = async {
            let Some(db) = db else { return };
            for f in &fences {
                let _ = db.release(&f.mailbox, &f.holder, f.generation).await;
            }
            let _ = db.leave(&me).await;
        };
        if tokio::time::timeout(timeout, give_back).await.is_err() {
            warn!("Leases not given back in time; they expire on their own.");
        }
        while self.releases.join_next().await.is_some() {}
        info!(released = fences.len(), "Leases given back.");
    }
}

/// How long a takeover may take at most with these timings: the lease's life, one round for
/// the taker to look, and one for its worker to start serving.
pub fn takeover_bound(timing: &Timing) -> Duration {
    timing.ttl + timing.renew * 2
}
