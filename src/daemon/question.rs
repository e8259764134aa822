//! The confirmation question the relay did not take (issue 16). It must not be lost: the
//! request waits in the folder (ledger `deferred`) and is planned again on a later pass, which
//! keeps a fresh token and sends the question then; the token of the question that never went
//! out is forgotten, so it can confirm nothing. Past the relay's retry window, or on a
//! permanent refusal, the request stays with people without a question, as before.

use jiff::Timestamp;
use tracing::warn;

use super::{Handled, Worker, block};
use crate::error_chain;
use crate::send::SmtpError;
use crate::store;

impl Worker<'_> {
    /// For a question to the owner (token `token`) that `err` kept from the relay: the
    /// message's ledger reason and how the pass goes on when the question waits for a retry;
    /// `None` when it does not (the request then stays with people without a question).
    pub(super) fn question_waits(
        &mut self,
        message_id: &str,
        token: &str,
        err: &SmtpError,
    ) -> Result<Option<(String, Handled)>, store::Error> {
        let handled = match err {
            SmtpError::Deferred { .. } => {
                let now = Timestamp::now();
                let first = block(|| self.store.claimed_at(message_id))?;
                let since = *self
                    .relay_down_since
                    .get_or_insert(first.unwrap_or(now).min(now));
                if now.duration_since(since).unsigned_abs() >= self.retry_window {
                    return Ok(None);
                }
                Handled::Deferred
            }
            // Nothing was offered: the question waits for the person who must act.
            SmtpError::SignIn { action, .. } => Handled::SignIn(action.clone()),
            _ => return Ok(None),
        };
        block(|| self.store.forget_confirmation(token))?;
        let why = format!(
            "the confirmation question was not taken by the relay; it will be asked again: {}",
            error_chain(err)
        );
        warn!(%why, "Confirmation question deferred; it will be sent later.");
        Ok(Some((why, handled)))
    }
}
