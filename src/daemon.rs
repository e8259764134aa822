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
use tracing::{Instrument, error, info, warn};

use crate::config::mail::Auth;
use crate::config::{Config, Filing, ImapSource, Mailbox, Mode, Outbox, Security, Source};
use crate::error_chain;
use crate::examine::{Examined, Read, examine_parsed};
use crate::intake::imap::{self, Fetched, FolderState, IdleOutcome, ImapSettings, Session};
use crate::mailboxes::open_store_fenced;
use crate::parse::RawMail;
use crate::plan::Action;
use crate::send::{Smtp, SmtpError};
use crate::store::{self, BatchItem, Claim, Fence, LedgerState, Progress, Store};

mod copies;
mod outbox;
mod reasons;
mod reexamine;

pub use crate::apply::{Dest, Handled};
use crate::apply::{Executor, Relay as RelayState, bounce};
use crate::clock::Clock;
pub use crate::event::Stats;
use crate::event::{Event, Events};
use outbox::{MailOutbox, Relay};

/// Queued Sent copies read from the store per round.
const COPIES_PER_ROUND: usize = 200;

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
    Open(crate::mailboxes::Error),
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
            Error::SignIn { .. } => false,
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
            Error::Setup(..) | Error::Token { .. } | Error::SignIn { .. } => true,
        }
    }
}

fn revoked_action(mailbox: &str) -> String {
    format!(
        "consent revoked or access removed: run mailclerk auth login --mailbox {mailbox} (or restore the app's access to the mailbox)"
    )
}

/// A fetched message of a batch: parsed unless older than the first start (`read` is then
/// `None`), and claimed unless in a dry run.
struct InHand {
    fetched: Fetched,
    /// Where it came from, as the ledger keeps it.
    origin: String,
    read: Option<Read>,
    /// The message's digest (`store::identity`), taken before the parser has its bytes.
    digest: Option<String>,
    /// What this message reports about our replies (`bounce`), read from its bytes.
    bounced: Option<bounce::Report>,
    claim: Option<store::Claimed>,
}

/// How a pass ended.
enum PassEnd {
    /// Everything new was handled.
    Done,
    /// Stopped at a reply the relay could not take now.
    Deferred,
    /// Stopped because the relay refused the OAuth2 sign-in; what the operator must do.
    SignIn(String),
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
        let tokens = match &mailbox.oauth2 {
            Some(o) => Some(Arc::new(
                crate::oauth::TokenSource::new(&mailbox.name, o).map_err(|source| {
                    Error::Token {
                        mailbox: mailbox.name.clone(),
                        source,
                    }
                })?,
            )),
            None => None,
        };
        let (retry, retry_max) = mailbox.oauth2.as_ref().map_or(
            (Duration::from_secs(60), Duration::from_secs(3600)),
            |o| (o.retry, o.retry_max),
        );
        let mut sign_in = SignInBackoff {
            backoff: Backoff::new(retry, retry_max),
            floor: retry,
        };
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
            match ended {
                Ok(()) => return Ok(()),
                Err(e) if once => return Err(e),
                Err(e) if !e.is_transient() && e.sign_in_action().is_some() => {
                    let action = e.sign_in_action().unwrap_or_default();
                    let delay = sign_in.next_delay();
                    error!(
                        err = %error_chain(&e),
                        retry_in_s = delay.as_secs(),
                        "Mailbox {}: OAuth2 sign-in failed; {action}. Its mail waits in the folder; trying again in {} s.",
                        mailbox.name,
                        delay.as_secs()
                    );
                    if sleep_or_shutdown(delay, &mut shutdown).await {
                        return Ok(());
                    }
                }
                Err(e) => {
                    // A wrong password or a missing folder will not fix itself: say what the
                    // operator must do, then keep trying slowly; other mailboxes go on.
                    let delay = match &e {
                        Error::Store(_) => {
                            let delay = backoff.next_delay();
                            error!(err = %error_chain(&e), retry_in_ms = delay.as_millis() as u64, "The store cannot be used; no new mail is taken until it can. Retrying.");
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
                            error!(err = %error_chain(&e), retry_in_s = delay.as_secs(), "Mailbox {}: the IMAP server refused the sign-in; fix {credential} and restart (or reload) mailclerk. Its mail waits in the folder.", mailbox.name);
                            delay
                        }
                        _ => {
                            error!(err = %error_chain(&e), "Mailbox cannot be read; check its configuration. Retrying later.");
                            backoff.next_delay().max(reconnect_max)
                        }
                    };
                    if sleep_or_shutdown(delay, &mut shutdown).await {
                        return Ok(());
                    }
                }
            }
        }
    }
    .instrument(span)
    .await
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

/// A mailbox worker's state that outlives one IMAP session (one connection): handed to
/// each session in one piece.
struct SessionState<'a> {
    cfg: &'a Config,
    mailbox: &'a Mailbox,
    once: bool,
    world: &'a World,
    shutdown: &'a mut watch::Receiver<bool>,
    /// Reconnections.
    backoff: &'a mut Backoff,
    /// After a refused OAuth2 sign-in.
    sign_in: &'a mut SignInBackoff,
    link: &'a Link<'a>,
    /// Since when the relay has taken nothing; kept across reconnections.
    relay: &'a mut RelayState,
    /// The lease this worker serves under (Postgres store): every store write carries it.
    fence: Option<&'a Fence>,
}

/// One IMAP session: passes and waits until shutdown, or an error ends the session.
async fn session(st: &mut SessionState<'_>) -> Result<(), Error> {
    let (cfg, mailbox, once, link) = (st.cfg, st.mailbox, st.once, st.link);
    let Source::Imap(source) = &mailbox.source else {
        return Err(Error::Setup(mailbox.name.clone(), SetupError::NotImap));
    };
    let smtp = match (&mailbox.outbox, mailbox.handling.mode) {
        (Outbox::Smtp(s), Mode::Send) => {
            let smtp = match (s.auth, link.tokens) {
                (Auth::Xoauth2, Some(tokens)) => Smtp::with_tokens(s, tokens.clone()),
                _ => Smtp::new(s),
            };
            // Bounces of our replies come back to the folder read here (`bounce`).
            let smtp = smtp.map(|smtp| smtp.with_return_path(&mailbox.address));
            Some(smtp.map_err(|e| Error::Setup(mailbox.name.clone(), SetupError::Relay(e)))?)
        }
        (_, Mode::Send) => {
            return Err(Error::Setup(
                mailbox.name.clone(),
                SetupError::SendWithoutSmtp,
            ));
        }
        _ => None,
    };
    let relay = match &smtp {
        Some(smtp) => Relay::Smtp(smtp),
        // A draft-mode mailbox drafts every reply; a dry run never reaches the outbox.
        None => Relay::DraftsOnly,
    };
    // The store first: when it cannot be written, no mail is even looked at.
    let fence = st.fence;
    let mut store = block(|| open_store_fenced(mailbox, fence)).map_err(|e| match e {
        crate::mailboxes::Error::Store { source, .. } => Error::Store(source),
        other => Error::Setup(mailbox.name.clone(), SetupError::Open(other)),
    })?;
    let mut session = connect(mailbox, source, link.tokens).await?;
    info!(idle = session.can_idle(), "Connected.");
    crate::metrics::imap_connected(&mailbox.name, true);
    st.world.events.emit(Event::Connected {
        mailbox: mailbox.name.clone(),
    });
    crate::fault::point("after_connect");
    // Filing folders that cannot exist would leave every answered message in place, to be
    // looked at again on every pass: better to take no mail and say why.
    if let Filing::Folders {
        answered,
        to_people,
        skipped,
    } = &mailbox.handling.filing
        && mailbox.handling.mode != Mode::DryRun
    {
        for folder in [answered, to_people, skipped] {
            match session.ensure_folder(folder).await {
                Ok(()) => {}
                Err(e) if e.is_transient() => return Err(e.into()),
                Err(e) => {
                    return Err(Error::Setup(
                        mailbox.name.clone(),
                        SetupError::Folder {
                            folder: folder.clone(),
                            source: e,
                        },
                    ));
                }
            }
        }
    }
    let (retry_first, retry_max) = match &mailbox.outbox {
        Outbox::Smtp(s) => (s.retry_first, s.retry_max),
        Outbox::Dir { .. } => (Duration::from_secs(5), Duration::from_secs(300)),
    };
    let mut retry = Backoff::new(retry_first, retry_max);
    loop {
        let state = session.select(&source.folder).await?;
        // The reconnection back-off is not reset here: a SELECT proves IMAP works, not the
        // store, and a store that cannot be written fails only in the pass; resetting here
        // made a fresh login every second while the disk was full. Reset after a pass.
        if source.auth == Auth::Xoauth2 {
            st.sign_in.backoff.reset();
        }
        let mut worker = Worker {
            cfg,
            mailbox,
            source,
            store: &mut store,
            relay,
            world: st.world,
            session: &mut session,
            tokens: link.tokens,
            started: link.started,
            relay_state: &mut *st.relay,
            marks_off: Vec::new(),
        };
        let end = worker.pass(&state, st.shutdown).await?;
        st.backoff.reset();
        if matches!(end, PassEnd::Done) {
            pass_metrics(mailbox, &store, &st.world.clock);
            st.world.events.emit(Event::PassDone {
                mailbox: mailbox.name.clone(),
            });
        }
        let stopping = once || *st.shutdown.borrow();
        let mut sign_in_delay = None;
        if let PassEnd::SignIn(action) = &end {
            // Said before a `--once` run ends too: a cron job's log must show it.
            let delay = st.sign_in.next_delay();
            sign_in_delay = Some(delay);
            let next = if stopping {
                "until the next run".to_string()
            } else {
                format!("trying again in {} s", delay.as_secs())
            };
            error!(
                retry_in_s = delay.as_secs(),
                "Mailbox {}: the SMTP relay refused the sign-in; {action}. Replies wait unanswered; {next}.",
                mailbox.name
            );
        }
        if stopping {
            let _ = session.logout().await;
            return Ok(());
        }
        if let Some(delay) = sign_in_delay {
            if sleep_or_shutdown(delay, st.shutdown).await {
                let _ = session.logout().await;
                return Ok(());
            }
            continue;
        }
        if matches!(end, PassEnd::Deferred) {
            // The relay is down or busy: new mail is not what we wait for; the tail of the
            // folder is tried again after a growing pause.
            let delay = retry.next_delay();
            warn!(
                retry_in = ?delay,
                "Relay unavailable; replies wait and will be retried."
            );
            if sleep_or_shutdown(delay, st.shutdown).await {
                let _ = session.logout().await;
                return Ok(());
            }
            continue;
        }
        retry.reset();
        if session.mail_announced() {
            // Mail arrived during the pass (its EXISTS came with another command's answers):
            // IDLE would not announce it again and it would wait for the catch-up.
            continue;
        }
        if source.idle && session.can_idle() {
            let (s, outcome) = session.idle(source.catch_up, st.shutdown).await?;
            session = s;
            if outcome == IdleOutcome::Shutdown {
                let _ = session.logout().await;
                return Ok(());
            }
        } else if sleep_or_shutdown(source.poll, st.shutdown).await {
            let _ = session.logout().await;
            return Ok(());
        }
    }
}

struct Worker<'a> {
    cfg: &'a Config,
    mailbox: &'a Mailbox,
    source: &'a ImapSource,
    store: &'a mut Store,
    relay: Relay<'a>,
    world: &'a World,
    session: &'a mut Session,
    /// For opening the second connection that saves copies in Sent.
    tokens: Option<&'a Arc<crate::oauth::TokenSource>>,
    /// When the worker started (see [`Link::started`]).
    started: Timestamp,
    relay_state: &'a mut RelayState,
    /// Keywords to take off the message just handled before it is filed (set by a
    /// re-examination: the trigger and the earlier reason).
    marks_off: Vec<String>,
}

impl Worker<'_> {
    /// Handles everything after the last UID handled, in bounded batches, and says whether it
    /// stopped early at a reply the relay could not take.
    async fn pass(
        &mut self,
        state: &FolderState,
        shutdown: &watch::Receiver<bool>,
    ) -> Result<PassEnd, Error> {
        let mut background = copies::Background::default();
        let end = self.batches(state, shutdown, &mut background).await;
        // The last batch's copies were saved in place; only an early end leaves one saving.
        let finished = self.finish_copies(&mut background).await;
        background.close().await;
        let end = end?;
        finished?;
        Ok(end)
    }

    /// The pass itself; `background` saves a batch's copies while the next one is answered.
    async fn batches(
        &mut self,
        state: &FolderState,
        shutdown: &watch::Receiver<bool>,
        background: &mut copies::Background,
    ) -> Result<PassEnd, Error> {
        let folder = self.source.folder.clone();
        let dry = self.mailbox.handling.mode == Mode::DryRun;
        let mut progress = match block(|| self.store.progress(&folder))? {
            Some(p) if p.uid_validity == state.uid_validity => p,
            Some(p) => {
                // The server renumbered the folder: read it all again. The ledger (keyed by
                // Message-ID) recognises what was handled, and the first-start time keeps old
                // mail unanswered.
                warn!(
                    old = p.uid_validity,
                    new = state.uid_validity,
                    "UIDVALIDITY changed; re-reading the folder."
                );
                Progress {
                    uid_validity: state.uid_validity,
                    last_uid: 0,
                    first_start: p.first_start,
                }
            }
            None => match self.source.answer_since {
                // First start with a configured cut-off: read the whole folder; what the server
                // received before the cut-off is left alone.
                Some(since) => {
                    info!(existing = state.exists, %since, "First start on this folder; answering mail received since the cut-off.");
                    Progress {
                        uid_validity: state.uid_validity,
                        last_uid: 0,
                        first_start: since,
                    }
                }
                // First start: what the server received before this worker started is left as
                // it is, for people. The position is not UIDNEXT as SELECT saw it: mail
                // delivered between the start and the SELECT would fall below it unseen. It is
                // just before the first message since the day before the start (SEARCH SINCE
                // has whole days in the server's zone); those before the start are each left
                // with a log line (`handle`).
                None => {
                    let first_start = self.started;
                    let day = first_start
                        .to_zoned(jiff::tz::TimeZone::UTC)
                        .date()
                        .yesterday()
                        .unwrap_or(jiff::civil::Date::MIN);
                    let recent = self.session.uids_since(day).await?;
                    let last_uid = match recent.first() {
                        Some(uid) => uid.saturating_sub(1),
                        None => state.uid_next.saturating_sub(1),
                    };
                    info!(
                        existing = state.exists,
                        %first_start,
                        "First start on this folder; mail received before the start is left alone."
                    );
                    Progress {
                        uid_validity: state.uid_validity,
                        last_uid,
                        first_start,
                    }
                }
            },
        };
        if !dry {
            block(|| self.store.set_progress(&folder, &progress))?;
            // Copies a crash kept from reaching Sent (a few may be there already).
            self.save_copies(true).await?;
        }
        // What people asked to have looked at again; retries below the position are read
        // again too (with keyword filing they never leave the folder).
        let asked = if dry {
            reexamine::Asked::default()
        } else {
            reexamine::Asked::find(self).await?
        };
        let first = progress.last_uid.saturating_add(1);
        let mut uids = asked.older_than(first);
        uids.extend(self.session.uids_from(first).await?);
        let batches = uids.chunks(self.source.batch).len();
        for (index, chunk) in uids.chunks(self.source.batch).enumerate() {
            let fetched = self
                .session
                .fetch(chunk, self.cfg.max_message_bytes as u64)
                .await?;
            crate::fault::point("after_fetch");
            let batch = self.read_and_claim(fetched, progress.first_start, dry)?;
            let mut filing: Vec<(u32, Dest)> = Vec::new();
            let mut marks = reasons::Marks::default();
            let mut end = PassEnd::Done;
            for InHand {
                fetched: f,
                origin,
                read,
                claim,
                bounced,
                ..
            } in batch
            {
                // SIGTERM: the message in hand is finished, the next one waits.
                if *shutdown.borrow() {
                    break;
                }
                let span = tracing::error_span!(
                    "message",
                    uid = f.uid,
                    message_id = tracing::field::Empty
                );
                let key = claim.as_ref().map(|c| c.key.clone());
                let trigger = asked.trigger(f.uid);
                let handled = self
                    .handle(read, claim, bounced.as_ref(), &origin, trigger)
                    .instrument(span)
                    .await;
                // What the ledger says now names the reason of a message for people.
                let now = match (&handled, &key) {
                    (Ok(Handled::File(Dest::People)), Some(key)) => {
                        block(|| self.store.prior(key))?
                    }
                    _ => None,
                };
                self.mark(&mut marks, f.uid, trigger, &handled, now.as_ref());
                match handled {
                    Ok(Handled::Deferred) => {
                        end = PassEnd::Deferred;
                        break;
                    }
                    Ok(Handled::SignIn(action)) => {
                        end = PassEnd::SignIn(action);
                        break;
                    }
                    Ok(Handled::File(dest)) => filing.push((f.uid, dest)),
                    Ok(Handled::Leave) => {}
                    // The connection or the store failed, not this message: stop here; it and
                    // the rest are handled when they work again. (What was handled is filed
                    // on the next pass: the ledger knows it.)
                    Err(e) if e.stops_pass() => return Err(e),
                    // One bad message never stops the loop; it stays in the folder for people.
                    Err(e) => {
                        error!(uid = f.uid, err = %error_chain(&e), "Message not handled; left in the folder for people.")
                    }
                }
                // Retries below the position come first: never move it back.
                progress.last_uid = progress.last_uid.max(f.uid);
            }
            if !dry {
                // The previous batch's copies, saved while this batch was sent.
                self.finish_copies(background).await?;
                let more = index + 1 < batches
                    && matches!(end, PassEnd::Done)
                    && !*shutdown.borrow()
                    && background.available();
                if !more {
                    self.save_copies(false).await?;
                    crate::fault::point("after_sent_copy");
                }
                self.file(&filing, &marks).await?;
                crate::fault::point("after_filing");
                // Also makes the batch's records and queued copies durable.
                block(|| self.store.set_progress(&folder, &progress))?;
                if more {
                    self.start_copies(background).await?;
                }
            }
            if !matches!(end, PassEnd::Done) || *shutdown.borrow() {
                return Ok(end);
            }
        }
        Ok(PassEnd::Done)
    }

    /// Parses a fetched batch and claims, in one durable write, every message it may answer
    /// (see [`Store::claim_batch`]). A message older than the first start gets no claim and no
    /// reading: it is left alone. In a dry run nothing is claimed.
    fn read_and_claim(
        &mut self,
        fetched: Vec<Fetched>,
        first_start: Timestamp,
        dry: bool,
    ) -> Result<Vec<InHand>, store::Error> {
        let mut batch: Vec<InHand> = fetched
            .into_iter()
            .map(|mut f| {
                let origin = format!("imap:{}/{}", self.source.folder, f.uid);
                let digest = f.bytes.as_deref().map(store::identity::digest);
                let bounced = f.bytes.as_deref().and_then(bounce::read);
                let read = (f.internal_date >= first_start).then(|| self.read(&mut f, &origin));
                InHand {
                    fetched: f,
                    origin,
                    read,
                    digest,
                    bounced,
                    claim: None,
                }
            })
            .collect();
        if dry {
            return Ok(batch);
        }
        let items: Vec<BatchItem<'_>> = batch
            .iter()
            .filter_map(|h| {
                h.read.as_ref().map(|r| BatchItem {
                    message_id: r.message_id(),
                    digest: h.digest.as_deref(),
                    origin: &h.origin,
                    received: h.fetched.internal_date,
                })
            })
            .collect();
        let claims = block(|| self.store.claim_batch(&items))?;
        let mut claims = claims.into_iter();
        for InHand { read, claim, .. } in &mut batch {
            if read.is_some() {
                *claim = claims.next();
            }
        }
        Ok(batch)
    }

    /// Parses a fetched message; its bytes are moved to the parser, not copied.
    fn read(&self, f: &mut Fetched, origin: &str) -> Read {
        match f.bytes.take() {
            None => Read::Unreadable {
                message_id: format!("oversized-{}-{}@mailclerk.invalid", f.uid, f.size),
                why: format!(
                    "message is {} bytes, over the {}-byte limit; not downloaded",
                    f.size, self.cfg.max_message_bytes
                ),
            },
            Some(bytes) => {
                let raw = RawMail {
                    origin: origin.to_string(),
                    received: Some(f.internal_date),
                    bytes,
                };
                block(|| crate::examine::read(self.cfg, &raw))
            }
        }
    }

    /// Decides and acts on one message of a batch. `read` is `None` for a message older than
    /// the first start; `claim` is `None` in a dry run.
    async fn handle(
        &mut self,
        read: Option<Read>,
        claim: Option<store::Claimed>,
        bounced: Option<&bounce::Report>,
        origin: &str,
        trigger: Option<store::Trigger>,
    ) -> Result<Handled, Error> {
        let Some(read) = read else {
            info!(
                "Received before the first start; left in the folder for people, no answer and no ledger row."
            );
            return Ok(Handled::Leave);
        };
        tracing::Span::current().record("message_id", read.message_id());
        let now = self.world.clock.now();
        let (cfg, mailbox, store) = (self.cfg, self.mailbox, &*self.store);
        let mut examined = block(|| examine_parsed(cfg, mailbox, store, read, now))?;
        crate::fault::point("after_decide");
        let store::Claimed {
            key: message_id,
            id_taken,
            claim,
        } = match claim {
            Some(claim) if self.mailbox.handling.mode != Mode::DryRun => claim,
            _ => {
                info!(plan = %describe(&examined), "Dry run: nothing sent, filed or recorded.");
                return Ok(Handled::Leave);
            }
        };
        if id_taken {
            // Another message already holds this Message-ID in the ledger: this one is handled
            // as the new message it is, under its own key, and its answer gets its own
            // Message-ID (ours is derived from the key), so Sent tells the two apart.
            warn!(ledger_key = %message_id, "Message-ID already used by a different message; handled as a new message.");
            if let Examined::Planned { plan, .. } = &mut examined
                && let Action::Reply { reply, .. } = &mut plan.action
            {
                reply.message_id =
                    crate::render::reply_message_id(&message_id, &self.mailbox.policy.vendor.email);
            }
        }
        match claim {
            Claim::Seen(prior) => {
                // The state now, not at the batch's claim: the same id earlier in this batch
                // (a redelivery) has been handled since.
                let now = block(|| self.store.prior(&message_id))?.unwrap_or(prior);
                if let Some(trigger) = trigger {
                    let (handled, off) = self
                        .reexamine(&message_id, origin, trigger, examined, now.state)
                        .await?;
                    self.marks_off = off;
                    return Ok(handled);
                }
                self.resolve(&message_id, &examined, now.state).await
            }
            Claim::New => {
                block(|| self.store.mark_attempt(&message_id))?;
                crate::fault::point("after_claim");
                self.apply(&message_id, &examined, bounced).await
            }
        }
    }

    /// Carries out a newly claimed message's plan (see [`Executor::apply`]).
    async fn apply(
        &mut self,
        key: &str,
        examined: &Examined,
        bounced: Option<&bounce::Report>,
    ) -> Result<Handled, Error> {
        let mut outbox = MailOutbox {
            relay: self.relay,
            session: &mut *self.session,
            mailbox: self.mailbox,
            folder: &self.source.folder,
        };
        Executor {
            mailbox: self.mailbox,
            store: &mut *self.store,
            outbox: &mut outbox,
            clock: &self.world.clock,
            relay: &mut *self.relay_state,
            events: &self.world.events,
            recorded: None,
        }
        .apply(key, examined, bounced)
        .await
    }

    /// Files a message the ledger knows; resolves an interrupted claim (see
    /// [`Executor::resolve`]).
    async fn resolve(
        &mut self,
        key: &str,
        examined: &Examined,
        state: LedgerState,
    ) -> Result<Handled, Error> {
        let mut outbox = MailOutbox {
            relay: self.relay,
            session: &mut *self.session,
            mailbox: self.mailbox,
            folder: &self.source.folder,
        };
        Executor {
            mailbox: self.mailbox,
            store: &mut *self.store,
            outbox: &mut outbox,
            clock: &self.world.clock,
            relay: &mut *self.relay_state,
            events: &self.world.events,
            recorded: None,
        }
        .resolve(key, examined, state)
        .await
    }

    /// Saves the queued reply copies in Sent on the main connection (one `MULTIAPPEND` per
    /// folder and chunk) and forgets them; see [`copies::append`]. A connection failure stops
    /// the pass and keeps them queued.
    async fn save_copies(&mut self, careful: bool) -> Result<(), Error> {
        loop {
            let pending = block(|| self.store.pending_copies(COPIES_PER_ROUND))?;
            if pending.is_empty() {
                return Ok(());
            }
            copies::append(self.session, &pending, careful).await?;
            let ids: Vec<&str> = pending.iter().map(|p| p.message_id.as_str()).collect();
            block(|| self.store.drop_copies(&ids))?;
        }
    }

    /// Starts saving the queued copies on the second connection (opened on first use), to
    /// overlap with the next batch. Without a second connection they are saved here and now.
    async fn start_copies(&mut self, background: &mut copies::Background) -> Result<(), Error> {
        let pending = block(|| self.store.pending_copies(COPIES_PER_ROUND))?;
        if pending.is_empty() {
            return Ok(());
        }
        if pending.len() == COPIES_PER_ROUND {
            // More than one round's worth (a batch over 200): no overlap, all of them now.
            return self.save_copies(false).await;
        }
        let session = match background.take_session() {
            Some(session) => session,
            None => match connect(self.mailbox, self.source, self.tokens).await {
                Ok(session) => {
                    info!(
                        "Saving copies in Sent on a second connection while the next batch is answered."
                    );
                    session
                }
                Err(e) => {
                    warn!(err = %error_chain(&e), "No second IMAP connection for saving copies in Sent; saving them on the main one.");
                    background.refuse();
                    return self.save_copies(false).await;
                }
            },
        };
        background.start(session, pending);
        Ok(())
    }

    /// Waits for the copies being saved in the background, and forgets them once saved.
    async fn finish_copies(&mut self, background: &mut copies::Background) -> Result<(), Error> {
        match background.finish().await {
            copies::Finished::Nothing => Ok(()),
            copies::Finished::Saved(ids) => {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                block(|| self.store.drop_copies(&ids))?;
                crate::fault::point("after_sent_copy");
                Ok(())
            }
            copies::Finished::Failed(e) => Err(e),
        }
    }

    /// Files handled messages, one command per destination (batched moves cost a fraction of
    /// per-message ones, reliability-notes §8).
    async fn file(&mut self, filing: &[(u32, Dest)], marks: &reasons::Marks) -> Result<(), Error> {
        // Keywords first: a person sees the reason on the message wherever it lands (IMAP
        // keeps keywords on a move), and one moved back is told from a new one by them.
        marks.apply(self.session).await?;
        for dest in [Dest::Answered, Dest::People, Dest::Skipped] {
            let uids: Vec<u32> = filing
                .iter()
                .filter(|(_, d)| *d == dest)
                .map(|(u, _)| *u)
                .collect();
            if uids.is_empty() {
                continue;
            }
            match &self.mailbox.handling.filing {
                Filing::Folders {
                    answered,
                    to_people,
                    skipped,
                } => {
                    let to = match dest {
                        Dest::Answered => answered,
                        Dest::People => to_people,
                        Dest::Skipped => skipped,
                    };
                    self.session.move_uids(&uids, to).await?;
                }
                Filing::Keywords => {
                    let keyword = match dest {
                        Dest::Answered => "$mailclerk-answered",
                        Dest::People => "$mailclerk-people",
                        Dest::Skipped => "$mailclerk-skipped",
                    };
                    self.session.add_keyword(&uids, keyword).await?;
                }
            }
        }
        Ok(())
    }
}

/// The gauges read from the store after a complete pass; a store that cannot be read now
/// leaves them as they were (the next pass tries again).
fn pass_metrics(mailbox: &Mailbox, store: &Store, clock: &Clock) {
    let now = clock.now();
    match store.gauges(now) {
        Ok(g) => crate::metrics::pass_done(
            &mailbox.name,
            crate::metrics::StoreGauges {
                deferred: g.deferred,
                pending_confirmations: g.pending_confirmations,
                mails_last_hour: g.mails_last_hour,
            },
            mailbox.budget.per_hour,
            now,
        ),
        Err(e) => warn!(err = %error_chain(&e), "Metrics: the store's counts could not be read."),
    }
}

fn describe(examined: &Examined) -> String {
    match examined {
        Examined::Unreadable { why, .. } => format!("to people: {why}"),
        Examined::Planned { plan, .. } => match &plan.action {
            Action::Skip(r) => format!("skip: {r}"),
            Action::ToHuman { why, .. } => format!("to people: {why}"),
            Action::Reply { decision, reply } => format!(
                "reply {} ({})",
                reply.template,
                crate::examine::decision_summary(decision)
            ),
        },
    }
}

/// Connects and signs in: with a password, or with an OAuth2 access token, which is renewed
/// once and tried once more when the server refuses it.
async fn connect(
    mailbox: &Mailbox,
    source: &ImapSource,
    tokens: Option<&Arc<crate::oauth::TokenSource>>,
) -> Result<Session, Error> {
    let settings = imap_settings(source);
    let tokens = match (source.auth, tokens) {
        (Auth::Password, _) => return Ok(Session::connect(&settings).await?),
        (Auth::Xoauth2, Some(t)) => t,
        (Auth::Xoauth2, None) => {
            return Err(Error::Setup(
                mailbox.name.clone(),
                SetupError::Xoauth2WithoutOAuth2,
            ));
        }
    };
    let token_err = |source| Error::Token {
        mailbox: mailbox.name.clone(),
        source,
    };
    let bearer = |token| imap::Credential::Bearer {
        token,
        mechanism: imap::BearerMechanism::Auto,
    };
    let token = tokens.access_token().await.map_err(token_err)?;
    match Session::connect_with(&settings, &bearer(token)).await {
        // A refusal that a renewed token cannot change goes to a person at once.
        Err(e @ imap::Error::TokenRefused { refusal, .. }) if !refusal.renewing_may_help() => {
            Err(Error::SignIn {
                mailbox: mailbox.name.clone(),
                source: e,
            })
        }
        Err(imap::Error::TokenRefused { .. }) => {
            warn!("The IMAP server refused the access token; renewing it and trying once more.");
            let token = tokens.renewed().await.map_err(token_err)?;
            Session::connect_with(&settings, &bearer(token))
                .await
                .map_err(|e| match e {
                    e @ imap::Error::TokenRefused { .. } => Error::SignIn {
                        mailbox: mailbox.name.clone(),
                        source: e,
                    },
                    e => e.into(),
                })
        }
        r => Ok(r?),
    }
}

/// The IMAP module's settings from the mailbox's source.
pub fn imap_settings(s: &ImapSource) -> ImapSettings {
    ImapSettings {
        host: s.host.clone(),
        port: s.port,
        security: match s.security {
            Security::Implicit => imap::Security::Implicit,
            Security::Starttls => imap::Security::StartTls,
            Security::Plain => imap::Security::Plain,
        },
        ca_file: s.ca_file.clone(),
        user: s.user.clone(),
        password: s.password.clone(),
        timeout: s.timeout,
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
