//! The daemon's side of the billing hand-off: what a message becomes when billing did not
//! accept its decision.

use std::sync::atomic::Ordering;

use tracing::warn;

use super::{Dest, Handled, Worker, block};
use crate::billing::Gate;
use crate::plan::LedgerAction;
use crate::plan::Plan;
use crate::render::Reply;
use crate::store::{LedgerState, Outcome};

impl Worker<'_> {
    /// Records a message whose reply billing holds back, and says how it was handled; `None`
    /// when billing let the reply through.
    pub(super) fn not_billed(
        &mut self,
        message_id: &str,
        plan: &Plan,
        reply: &Reply,
        gate: Gate,
    ) -> Result<Option<Handled>, crate::store::Error> {
        let base = |state, action: LedgerAction| crate::run::ledger_outcome(plan, state, action);
        let (outcome, handled) = match gate {
            Gate::Proceed => return Ok(None),
            Gate::ToPeople(why) => {
                self.stats.people.fetch_add(1, Ordering::Relaxed);
                (
                    Outcome {
                        reason: Some(why.to_string()),
                        ..base(LedgerState::Review, LedgerAction::to_human(&why))
                    },
                    Handled::File(Dest::People),
                )
            }
            Gate::Later(answer) => {
                warn!(%answer, "Billing unavailable; the reply waits and will be retried.");
                (
                    Outcome {
                        reason: Some(format!("billing unavailable: {answer}")),
                        ..base(LedgerState::Deferred, LedgerAction::answer(reply))
                    },
                    Handled::Deferred,
                )
            }
        };
        block(|| self.store.record(message_id, &outcome))?;
        crate::fault::point("after_record");
        Ok(Some(handled))
    }
}
