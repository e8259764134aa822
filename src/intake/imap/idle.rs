//! `IDLE` (RFC 2177): waiting for the server to report a change, for a deadline, or for the
//! shutdown signal, whichever comes first.

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{Response, Status};
use tokio::sync::watch;
use tracing::debug;

use super::error::Failure;
use super::wire::{outcome_text, within};
use super::{Error, IdleOutcome, Session};

impl Session {
    /// Waits for the server to report a change in the selected folder, for `timeout` to pass
    /// (keep it under 29 minutes: servers log idlers out at 30), or for `shutdown` to become
    /// true, then ends IDLE and hands the session back. A `BYE` (server restart, `doveadm kick`)
    /// is an error, since the session is gone.
    ///
    /// # Errors
    /// [`Error::Unsupported`] without `IDLE`; [`Error::Closed`] and the other transient errors
    /// when the connection ends.
    pub async fn idle(
        self,
        timeout: Duration,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<(Session, IdleOutcome), Error> {
        let Session { imap, mut link } = self;
        if !link.caps.idle {
            return Err(link.unsupported("IDLE", "poll with noop() and uids_from() instead"));
        }
        if let Some(why) = &link.broken {
            return Err(Error::Broken {
                server: link.server.clone(),
                why: why.clone(),
            });
        }
        if *shutdown.borrow() {
            return Ok((Session { imap, link }, IdleOutcome::Shutdown));
        }
        let t = link.timeout;
        let mut handle = imap.idle();
        if let Err(f) = within(t, handle.init()).await {
            return Err(link.fail("IDLE", f));
        }
        debug!(?timeout, "Idling.");
        let woke = {
            let (wait, _stop) = handle.wait_with_timeout(timeout);
            // `_stop` must live until here: dropping it interrupts `wait` at once.
            tokio::select! {
                r = wait => Woke::Server(r),
                () = tokio::time::sleep(timeout) => Woke::Deadline,
                () = flipped(shutdown) => Woke::Shutdown,
            }
        };
        let outcome = match woke {
            Woke::Server(Ok(IdleResponse::NewData(resp))) => match resp.parsed() {
                Response::Data {
                    status: Status::Bye,
                    outcome,
                } => {
                    let bye = format!("BYE {}", outcome_text(outcome));
                    return Err(link.fail("IDLE", Failure::Closed(bye)));
                }
                _ => IdleOutcome::Changed,
            },
            Woke::Server(Ok(IdleResponse::Timeout)) | Woke::Deadline => IdleOutcome::TimedOut,
            // We still hold the stop source, so this "interrupt" is the stream ending.
            Woke::Server(Ok(IdleResponse::ManualInterrupt)) => {
                return Err(link.fail("IDLE", Failure::Closed("connection closed".into())));
            }
            Woke::Server(Err(e)) => return Err(link.fail("IDLE", e.into())),
            Woke::Shutdown => IdleOutcome::Shutdown,
        };
        let imap = match within(t, handle.done()).await {
            Ok(imap) => imap,
            Err(f) => return Err(link.fail("DONE", f)),
        };
        while imap.unsolicited_responses.try_recv().is_ok() {}
        debug!(?outcome, "Idle ended.");
        Ok((Session { imap, link }, outcome))
    }
}

enum Woke {
    Server(async_imap::error::Result<IdleResponse>),
    Deadline,
    Shutdown,
}

/// Resolves when the shutdown flag becomes true; never, if its sender is gone (nobody can ask
/// for shutdown any more, and idling must not spin).
async fn flipped(shutdown: &mut watch::Receiver<bool>) {
    if shutdown.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}
