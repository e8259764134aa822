//! A pending confirmation that a person answered by hand (issue 16). The request waited with
//! people while its owner was asked; a person may answer it from their mail client meanwhile.
//! When the owner's confirmation then arrives, the customer must not get a second answer: a
//! reply to the request in the Sent folder that we did not write (`Session::find_reply_by_hand`),
//! or the request marked `\Answered` or `$mailclerk-handled` where it was filed for people
//! (`Session::find_marked_answered`), means a person answered it, and the confirmation goes to
//! people with that reason instead.

use std::sync::atomic::Ordering;

use tracing::warn;

use super::{Dest, Error, Handled, Worker, block};
use crate::config::mail::Filing;
use crate::plan::{Action, ConfirmStep, HandOff, LedgerAction, Plan};
use crate::store::{LedgerState, Outcome};

/// The ledger action of a confirmation whose request a person answered by hand.
pub const ANSWERED_BY_HAND: LedgerAction = LedgerAction::ToHuman(HandOff::AnsweredByHand);

impl Worker<'_> {
    /// For a plan that answers a confirmation: if a person answered the request by hand,
    /// records that and says where the confirmation goes; `None` to answer it.
    pub(super) async fn answered_by_hand(
        &mut self,
        message_id: &str,
        plan: &Plan,
        inbound: &crate::parse::Inbound,
    ) -> Result<Option<Handled>, Error> {
        let (Some(ConfirmStep::Use(token)), Action::Reply { .. }) =
            (&plan.confirmation, &plan.action)
        else {
            return Ok(None);
        };
        let Some(pending) = block(|| self.store.confirmation(token))? else {
            return Ok(None);
        };
        let request = pending.request_message_id;
        let mut seen = None;
        if let Some(sent) = &self.mailbox.handling.sent_folder
            && self.session.find_reply_by_hand(sent, &request).await?
        {
            seen = Some(format!("their reply is in {sent}"));
        }
        let people = match &self.mailbox.handling.filing {
            Filing::Folders { to_people, .. } => to_people.clone(),
            Filing::Keywords => self.source.folder.clone(),
        };
        if seen.is_none() && self.session.find_marked_answered(&people, &request).await? {
            seen = Some(format!("the request is marked answered in {people}"));
        }
        let Some(seen) = seen else {
            return Ok(None);
        };
        let why = format!(
            "the request <{request}> was answered by a person ({seen}); the owner's confirmation gets no automatic answer"
        );
        warn!(%why, "Answered by hand; no automatic answer.");
        let outcome = Outcome {
            reason: Some(why),
            ..crate::run::ledger_outcome(plan, LedgerState::Review, ANSWERED_BY_HAND)
        };
        block(|| self.store.record(message_id, &outcome))?;
        crate::metrics::message(
            &self.mailbox.name,
            &outcome,
            Some(inbound.received),
            plan.customer_language(inbound),
        );
        self.stats.people.fetch_add(1, Ordering::Relaxed);
        Ok(Some(Handled::File(Dest::People)))
    }
}
