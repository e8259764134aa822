//! A message the ledger already knows: filed as it was handled; a claim never recorded is
//! resolved against what the outbox holds (the Sent folder, the outbox directory), and never
//! answered again.

use tracing::{info, warn};

use super::outbox::Outbox;
use super::{Dest, Executor, Handled, block};
use crate::examine::{Examined, ledger_outcome};
use crate::plan::{Action, LedgerAction};
use crate::store::{LedgerState, Outcome};

impl<O: Outbox> Executor<'_, O> {
    /// Where a message the ledger knows (in `state`) is filed; an interrupted claim is
    /// resolved here, the same way for every outbox.
    ///
    /// # Errors
    /// The store or the outbox's medium failed.
    pub async fn resolve(
        &mut self,
        key: &str,
        examined: &Examined,
        state: LedgerState,
    ) -> Result<Handled, O::Error> {
        if state == LedgerState::Claimed && block(|| self.store.billing_resumable(key))? {
            info!(
                "Interrupted before the reply was sent; resuming at the billing step, under the same key."
            );
            return self.apply(key, examined, None).await;
        }
        Ok(Handled::File(match Dest::settled(state) {
            Some(dest) => dest,
            None => self.interrupted(key, examined).await?,
        }))
    }

    /// A claim that was never recorded: a skip is simply a skip (nothing is ever sent for
    /// one); a reply found where the outbox keeps what went out counts as answered; anything
    /// else goes to people with the exact bytes that may have gone out.
    async fn interrupted(&mut self, key: &str, examined: &Examined) -> Result<Dest, O::Error> {
        let plan = examined.plan();
        if let Action::Skip(reason) = &plan.action {
            let outcome = ledger_outcome(
                plan,
                LedgerState::Skipped,
                LedgerAction::Skip(reason.clone()),
            );
            block(|| self.store.record(key, &outcome))?;
            self.recorded = Some(outcome);
            return Ok(Dest::Skipped);
        }
        let reply = match &plan.action {
            Action::Reply { reply, .. } => Some(reply.message_id.clone()),
            _ => None,
        };
        let found = match &reply {
            Some(id) => self.outbox.holds(id).await?,
            None => false,
        };
        let outcome = if found {
            info!("Interrupted after sending; the reply went out, so it counts as answered.");
            Outcome {
                reply_message_id: reply,
                ..Outcome::new(LedgerState::Sent, LedgerAction::Reconciled)
            }
        } else {
            let kept = match block(|| self.store.sending(key))? {
                Some(bytes) => {
                    self.outbox
                        .keep_for_people(&bytes, reply.as_deref())
                        .await?
                }
                None => None,
            };
            warn!(
                kept = kept.as_deref().unwrap_or("nowhere"),
                "Interrupted while answering; whether the reply went out is unknown, so people take it."
            );
            let reason = match (&kept, &reply) {
                (Some(folder), Some(id)) => format!(
                    "interrupted while answering; not found in Sent; the exact reply that may have gone out (<{id}>) is in {folder}"
                ),
                _ => "interrupted while answering; not found in Sent".into(),
            };
            Outcome {
                reason: Some(reason),
                ..Outcome::new(LedgerState::Review, LedgerAction::Interrupted)
            }
        };
        block(|| self.store.record(key, &outcome))?;
        crate::metrics::message(&self.mailbox.name, &outcome, None, None);
        let dest = if found { Dest::Answered } else { Dest::People };
        self.recorded = Some(outcome);
        Ok(dest)
    }
}
