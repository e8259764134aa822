//! The daemon: one task per IMAP mailbox. Each pass reads what is new, claims each message in
//! the ledger, sends (or drafts) the reply, records it, and files the message; then it waits
//! with IDLE (or polls). Connections that drop are reopened with capped, jittered backoff; one
//! bad message never stops the loop, and one failing mailbox never stops the others.
//!
//! Order per batch, and why (reliability-notes §1, store/sending.rs): the batch is parsed and
//! claimed in one durable write; then per message: decide → mark the attempt → send → record
//! (with the reply's copy for Sent queued in the same commit); then the batch's copies are
//! saved in Sent with one MULTIAPPEND and the batch is filed (when more batches follow, the
//! copies are saved on a second connection while the next batch is answered: `copies`). A
//! crash after sending but before recording leaves the message `claimed` and attempted: the
//! next start looks for our deterministic Message-ID in Sent, and without it people decide. A
//! claim never attempted is taken over by the next run on the same boot. Nothing is ever sent
//! twice.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use tokio::sync::watch;
use tracing::{Instrument, error, warn};

use crate::config::{Config, Mailbox, Mode, Outbox, Source};
use crate::error_chain;
use crate::intake::imap;
use crate::send::SmtpError;
use crate::store::{self, Fence};

mod copies;
mod outbox;
mod reasons;
mod reconcile;
mod reexamine;
mod session;
mod worker;

pub use crate::apply::{Dest, Handled};
use crate::apply::{Relay as RelayState, bounce};
use crate::clock::Clock;
use crate::event::Events;
pub use crate::event::Stats;
pub use session::imap_settings;
use session::{SessionState, session};
use worker::Worker;

/// Why a mailbox's session ended. Transient ones are retried after a backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Imap(#[from] imap::Error),
    #[error("the store cannot be used")]
    Store(#[from] store::Error),
    #[error("mailbox {0}")]
    Setup(String, #[source] SetupError),
    /// No OAuth2 access token could be had.
    #[error("mailbox {mailbox}: no OAuth2 access token")]
    Token {
        mailbox: String,
        #[source]
        source: crate::oauth::Error,
    },
    /// The IMAP server refused a renewed access token too, or refused the token for a reason
    /// no renewal changes (`oauth::refusal`).
    #[error("mailbox {mailbox}: the IMAP server refused the OAuth2 access token, renewed or not")]
    SignIn {
        mailbox: String,
        #[source]
        source: imap::Error,
    },
    /// A `--once` pass ended because the SMTP relay refused the sign-in: its replies wait, and
    /// a cron job or a systemd timer must see the run fail, not succeed.
    #[error("the SMTP relay refused the sign-in; {action}; the replies wait unanswered")]
    RelaySignIn { action: String },
}

/// Why a mailbox cannot be served as configured (the operator must change something).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("the daemon reads IMAP sources only")]
    NotImap,
    #[error("mode \"send\" with an IMAP source needs an smtp outbox")]
    SendWithoutSmtp,
    #[error("auth = \"xoauth2\" without [mailbox.oauth2]")]
    Xoauth2WithoutOAuth2,
    #[error(transparent)]
    Relay(SmtpError),
    #[error(transparent)]
    Open(Box<crate::mailboxes::Error>),
    #[error("the filing folder {folder:?} cannot be created, so no mail is taken")]
    Folder {
        folder: String,
        #[source]
        source: imap::Error,
    },
}

impl Error {
    /// Whether reconnecting later may help.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Imap(e) => e.is_transient(),
            Error::Store(e) => e.is_transient(),
            Error::Setup(..) => false,
            Error::Token { source, .. } => source.is_transient(),
            Error::SignIn { .. } | Error::RelaySignIn { .. } => false,
        }
    }

    /// For an OAuth2 sign-in that failed: what the operator must do.
    pub fn sign_in_action(&self) -> Option<String> {
        match self {
            Error::Token { mailbox, source } => Some(source.operator_action(mailbox)),
            Error::SignIn {
                mailbox,
                source: imap::Error::TokenRefused { refusal, .. },
            } if !refusal.renewing_may_help() => Some(refusal.operator_action(mailbox)),
            Error::SignIn { mailbox, .. } => Some(revoked_action(mailbox)),
            _ => None,
        }
    }

    /// The service whose sign-in failed, for the metrics.
    fn service(&self) -> &'static str {
        match self {
            Error::Token { .. } => "oauth",
            _ => "imap",
        }
    }

    /// A password the IMAP server refused.
    fn refused_sign_in(&self) -> bool {
        matches!(
            self,
            Error::Imap(imap::Error::Login { .. } | imap::Error::TokenRefused { .. })
        )
    }

    /// Whether the error is about the connection or the store rather than one message: the
    /// pass stops and the message in hand is tried again later, never skipped.
    fn stops_pass(&self) -> bool {
        match self {
            Error::Imap(e) => e.is_transient(),
            Error::Store(e) => e.is_unavailable(),
            Error::Setup(..)
            | Error::Token { .. }
            | Error::SignIn { .. }
            | Error::RelaySignIn { .. } => true,
        }
    }
}

fn revoked_action(mailbox: &str) -> String {
    format!(
        "consent revoked or access removed: run mailclerk auth login --mailbox {mailbox} (or restore the app's access to the mailbox)"
    )
}

/// Runs one mailbox until `shutdown` turns true (or after one pass with `once`).
///
/// # Errors
/// Only with `once`: the pass failed. Otherwise failures are logged and retried.
pub async fn run_mailbox(
    cfg: Arc<Config>,
    index: usize,
    once: bool,
    world: World,
    mut shutdown: watch::Receiver<bool>,
    fence: Option<Fence>,
) -> Result<(), Error> {
    let span = tracing::error_span!("mailbox", mailbox = %cfg.mailboxes[index].name);
    async move {
        let mailbox = &cfg.mailboxes[index];
        let reconnect_max = match &mailbox.source {
            Source::Imap(s) => s.reconnect_max,
            Source::Dir { .. } => Duration::from_secs(60),
        };
        let mut backoff = Backoff::new(Duration::from_secs(1), reconnect_max);
        // One token source for the life of the worker: IMAP and SMTP share it, and a token
        // renewed for one is good for the other.
        let tokens = token_source(mailbox).map_err(|source| Error::Token {
            mailbox: mailbox.name.clone(),
            source,
        })?;
        let mut sign_in = SignInBackoff::for_mailbox(mailbox);
        // Taken before the first connection: on a first start, mail the server received from
        // here on is new, however long the connection and the first SELECT take. INTERNALDATE
        // has whole seconds, truncated: a message delivered in this very second must not look
        // older than the start.
        let started = Timestamp::from_second(world.clock.now().as_second())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let link = Link {
            tokens: tokens.as_ref(),
            started,
        };
        // Once per worker, not at every reconnection.
        if mailbox.handling.mode == Mode::Send && !mailbox.sender_rule.required {
            warn!(
                "Answering without sender authentication (require_authenticated_sender = false): a forged From can act on an account."
            );
        }
        // Since when the relay has taken no reply; kept across reconnections.
        let mut relay = RelayState::new(match &mailbox.outbox {
            Outbox::Smtp(s) => s.retry_window,
            Outbox::Dir { .. } => Duration::MAX,
        });
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let mut state = SessionState {
                cfg: &cfg,
                mailbox,
                once,
                world: &world,
                shutdown: &mut shutdown,
                backoff: &mut backoff,
                sign_in: &mut sign_in,
                link: &link,
                relay: &mut relay,
                fence: fence.as_ref(),
            };
            let ended = session(&mut state).await;
            crate::metrics::imap_connected(&mailbox.name, false);
            if let Err(e) = &ended {
                crate::metrics::imap_reconnect(&mailbox.name);
                if e.sign_in_action().is_some() || e.refused_sign_in() {
                    crate::metrics::sign_in_failed(&mailbox.name, e.service());
                }
            }
            let delay = match ended {
                Ok(()) => return Ok(()),
                Err(e) if once => return Err(e),
                Err(e) => delay_after(&e, mailbox, &mut backoff, &mut sign_in, reconnect_max),
            };
            if sleep_or_shutdown(delay, &mut shutdown).await {
                return Ok(());
            }
        }
    }
    .instrument(span)
    .await
}

/// How long to wait before connecting again after `e` ended a session, said in the log as
/// what the operator must do: a wrong password or a missing folder will not fix itself, so
/// those are retried slowly; other mailboxes go on meanwhile.
fn delay_after(
    e: &Error,
    mailbox: &Mailbox,
    backoff: &mut Backoff,
    sign_in: &mut SignInBackoff,
    reconnect_max: Duration,
) -> Duration {
    match e {
        e if !e.is_transient() && e.sign_in_action().is_some() => {
            let action = e.sign_in_action().unwrap_or_default();
            let delay = sign_in.next_delay();
            error!(
                err = %error_chain(e),
                retry_in_s = delay.as_secs(),
                "Mailbox {}: OAuth2 sign-in failed; {action}. Its mail waits in the folder; trying again in {} s.",
                mailbox.name,
                delay.as_secs()
            );
            delay
        }
        Error::Store(_) => {
            let delay = backoff.next_delay();
            error!(err = %error_chain(e), retry_in_ms = delay.as_millis() as u64, "The store cannot be used; no new mail is taken until it can. Retrying.");
            delay
        }
        e if e.is_transient() => {
            warn!(err = %error_chain(e), "Connection lost; reconnecting.");
            backoff.next_delay()
        }
        _ if e.refused_sign_in() => {
            let credential = match &mailbox.source {
                Source::Imap(s) => s.credential.as_str(),
                Source::Dir { .. } => "the password",
            };
            let delay = backoff.next_delay().max(reconnect_max);
            error!(err = %error_chain(e), retry_in_s = delay.as_secs(), "Mailbox {}: the IMAP server refused the sign-in; fix {credential} and restart (or reload) mailclerk. Its mail waits in the folder.", mailbox.name);
            delay
        }
        _ => {
            error!(err = %error_chain(e), "Mailbox cannot be read; check its configuration. Retrying later.");
            backoff.next_delay().max(reconnect_max)
        }
    }
}

/// The mailbox's OAuth2 token source, if it signs in with OAuth2.
fn token_source(
    mailbox: &Mailbox,
) -> Result<Option<Arc<crate::oauth::TokenSource>>, crate::oauth::Error> {
    let Some(o) = &mailbox.oauth2 else {
        return Ok(None);
    };
    crate::oauth::TokenSource::new(&mailbox.name, o).map(|t| Some(Arc::new(t)))
}

/// What a session needs beyond the configuration: the mailbox's OAuth2 tokens, if any.
struct Link<'a> {
    tokens: Option<&'a Arc<crate::oauth::TokenSource>>,
    /// When this worker started: the first start's cut-off.
    started: Timestamp,
}

/// The back-off after a refused OAuth2 sign-in: never shorter than the configured minimum
/// (at least a minute by default), doubling to the cap.
struct SignInBackoff {
    backoff: Backoff,
    floor: Duration,
}

impl SignInBackoff {
    /// The mailbox's `[mailbox.oauth2]` retry settings, or a minute doubling to an hour.
    fn for_mailbox(mailbox: &Mailbox) -> SignInBackoff {
        let (retry, retry_max) = mailbox
            .oauth2
            .as_ref()
            .map_or((Duration::from_secs(60), Duration::from_secs(3600)), |o| {
                (o.retry, o.retry_max)
            });
        SignInBackoff {
            backoff: Backoff::new(retry, retry_max),
            floor: retry,
        }
    }

    fn next_delay(&mut self) -> Duration {
        self.backoff.next_delay().max(self.floor)
    }
}

/// What the daemon is given from outside: the clock it reads and where its events go.
#[derive(Debug, Clone)]
pub struct World {
    pub clock: Clock,
    pub events: Arc<Events>,
}

impl World {
    /// The system clock, and events counted (and written where [`crate::event::EVENTS_ENV`]
    /// says).
    pub fn system() -> World {
        World {
            clock: Clock::System,
            events: Arc::new(Events::from_env()),
        }
    }
}

/// The store is synchronous (rusqlite); its calls are short, so they run in place on this
/// worker thread rather than being shipped to the blocking pool.
fn block<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// Sleeps, unless shutdown is asked for first; returns true on shutdown.
async fn sleep_or_shutdown(d: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    if *shutdown.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        changed = shutdown.changed() => changed.is_err() || *shutdown.borrow(),
    }
}

/// Capped exponential backoff with jitter, so that many mailboxes do not reconnect in step.
#[derive(Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    /// Starts at `base`, doubles up to `cap`.
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
        }
    }

    /// The next delay: base × 2^attempt, capped, less up to a quarter of random jitter.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.base.saturating_mul(1u32 << self.attempt.min(16));
        self.attempt = self.attempt.saturating_add(1);
        let d = exp.min(self.cap);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|t| t.subsec_nanos())
            .unwrap_or(0);
        let jitter = d.mul_f64(f64::from(nanos % 1000) / 4000.0);
        d - jitter
    }

    /// Back to the first delay, after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
        let delays: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        for (d, nominal) in delays.iter().zip([1, 2, 4, 8, 8, 8]) {
            let nominal = Duration::from_secs(nominal);
            assert!(
                *d <= nominal && *d >= nominal.mul_f64(0.75),
                "{d:?} vs {nominal:?}"
            );
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
    }
}
