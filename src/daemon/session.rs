//! One IMAP session of a mailbox worker: open the relay, the store and the connection, then
//! pass and wait (IDLE, or a poll) until shutdown or until an error ends the session; the
//! worker's state that outlives a session comes in one [`SessionState`].

use std::sync::Arc;
use std::time::Duration;

use tracing::{error, info, warn};

use super::outbox::Relay;
use super::worker::{PassEnd, Worker};
use super::{Backoff, Error, Link, SetupError, SignInBackoff, World, block, sleep_or_shutdown};
use crate::apply::Relay as RelayState;
use crate::clock::Clock;
use crate::config::mail::Auth;
use crate::config::{Config, Filing, ImapSource, Mailbox, Mode, Outbox, Security, Source};
use crate::error_chain;
use crate::event::Event;
use crate::intake::imap::{self, IdleOutcome, ImapSettings, Session};
use crate::mailboxes::open_store_fenced;
use crate::send::Smtp;
use crate::store::{Fence, Store};
use tokio::sync::watch;

/// A mailbox worker's state that outlives one IMAP session (one connection): handed to
/// each session in one piece.
pub(super) struct SessionState<'a> {
    pub(super) cfg: &'a Config,
    pub(super) mailbox: &'a Mailbox,
    pub(super) once: bool,
    pub(super) world: &'a World,
    pub(super) shutdown: &'a mut watch::Receiver<bool>,
    /// Reconnections.
    pub(super) backoff: &'a mut Backoff,
    /// After a refused OAuth2 sign-in.
    pub(super) sign_in: &'a mut SignInBackoff,
    pub(super) link: &'a Link<'a>,
    /// Since when the relay has taken nothing; kept across reconnections.
    pub(super) relay: &'a mut RelayState,
    /// The lease this worker serves under (Postgres store): every store write carries it.
    pub(super) fence: Option<&'a Fence>,
}

/// One IMAP session: passes and waits until shutdown, or an error ends the session.
pub(super) async fn session(st: &mut SessionState<'_>) -> Result<(), Error> {
    let (cfg, mailbox, link) = (st.cfg, st.mailbox, st.link);
    let Source::Imap(source) = &mailbox.source else {
        return Err(Error::Setup(mailbox.name.clone(), SetupError::NotImap));
    };
    let smtp = relay(mailbox, link).map_err(|e| Error::Setup(mailbox.name.clone(), *e))?;
    let relay = match &smtp {
        Some(smtp) => Relay::Smtp(smtp),
        // A draft-mode mailbox drafts every reply; a dry run never reaches the outbox.
        None => Relay::DraftsOnly,
    };
    // The store first: when it cannot be written, no mail is even looked at.
    let fence = st.fence;
    let mut store = block(|| open_store_fenced(mailbox, fence)).map_err(|e| match e {
        crate::mailboxes::Error::Store { source, .. } => Error::Store(source),
        other => Error::Setup(mailbox.name.clone(), SetupError::Open(Box::new(other))),
    })?;
    // Every time the store writes is the world's, as the plans' and events' are.
    store.set_clock(st.world.clock.clone());
    let mut session = open(st, source).await?;
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
        let pause = match next(st, &end, &mut retry) {
            Next::Stop => None,
            Next::Pause(delay) => Some(delay),
            // Mail arrived during the pass (its EXISTS came with another command's answers):
            // IDLE would not announce it again and it would wait for the catch-up.
            Next::Wait if session.mail_announced() => continue,
            Next::Wait if source.idle && session.can_idle() => {
                let (s, outcome) = session.idle(source.catch_up, st.shutdown).await?;
                session = s;
                if outcome == IdleOutcome::Shutdown {
                    None
                } else {
                    continue;
                }
            }
            Next::Wait => Some(source.poll),
        };
        let stop = match pause {
            Some(delay) => sleep_or_shutdown(delay, st.shutdown).await,
            None => true,
        };
        if stop {
            let _ = session.logout().await;
            return match end {
                PassEnd::SignIn(action) if st.once => Err(Error::RelaySignIn { action }),
                _ => Ok(()),
            };
        }
    }
}

/// What a session does after a pass.
enum Next {
    /// Log out and end (a `--once` run, or shutdown).
    Stop,
    /// Wait this long, then pass again (the relay refused us or is down).
    Pause(Duration),
    /// Wait for new mail (IDLE, or the poll interval).
    Wait,
}

/// What follows a pass that ended with `end`; a refused relay sign-in is said here (before a
/// `--once` run ends too: a cron job's log must show it).
fn next(st: &mut SessionState<'_>, end: &PassEnd, retry: &mut Backoff) -> Next {
    let stopping = st.once || *st.shutdown.borrow();
    match end {
        PassEnd::SignIn(action) => {
            let delay = st.sign_in.next_delay();
            let then = if stopping {
                "until the next run".to_string()
            } else {
                format!("trying again in {} s", delay.as_secs())
            };
            error!(
                retry_in_s = delay.as_secs(),
                "Mailbox {}: the SMTP relay refused the sign-in; {action}. Replies wait unanswered; {then}.",
                st.mailbox.name
            );
            if stopping {
                Next::Stop
            } else {
                Next::Pause(delay)
            }
        }
        _ if stopping => Next::Stop,
        PassEnd::Deferred => {
            // The relay is down or busy: new mail is not what we wait for; the tail of the
            // folder is tried again after a growing pause.
            let delay = retry.next_delay();
            warn!(
                retry_in = ?delay,
                "Relay unavailable; replies wait and will be retried."
            );
            Next::Pause(delay)
        }
        PassEnd::Done => {
            retry.reset();
            Next::Wait
        }
    }
}

/// The SMTP relay of a mailbox in send mode (`None` in draft and dry-run modes).
fn relay(mailbox: &Mailbox, link: &Link<'_>) -> Result<Option<Smtp>, Box<SetupError>> {
    match (&mailbox.outbox, mailbox.handling.mode) {
        (Outbox::Smtp(s), Mode::Send) => {
            let smtp = match (s.auth, link.tokens) {
                (Auth::Xoauth2, Some(tokens)) => Smtp::with_tokens(s, tokens.clone()),
                _ => Smtp::new(s),
            };
            // Bounces of our replies come back to the folder read here (`bounce`).
            let smtp = smtp.map(|smtp| smtp.with_return_path(&mailbox.address));
            Ok(Some(smtp.map_err(|e| Box::new(SetupError::Relay(e)))?))
        }
        (_, Mode::Send) => Err(Box::new(SetupError::SendWithoutSmtp)),
        _ => Ok(None),
    }
}

/// Connects, and makes sure the filing folders exist: folders that cannot exist would leave
/// every answered message in place, to be looked at again on every pass; better to take no
/// mail and say why.
async fn open(st: &SessionState<'_>, source: &ImapSource) -> Result<Session, Error> {
    let mailbox = st.mailbox;
    let mut session = connect(mailbox, source, st.link.tokens).await?;
    info!(idle = session.can_idle(), "Connected.");
    crate::metrics::imap_connected(&mailbox.name, true);
    st.world.events.emit(Event::Connected {
        mailbox: mailbox.name.clone(),
    });
    crate::fault::point("after_connect");
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
    Ok(session)
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

/// Connects and signs in: with a password, or with an OAuth2 access token, which is renewed
/// once and tried once more when the server refuses it.
pub(super) async fn connect(
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
