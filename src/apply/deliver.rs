//! The two plans that send mail: a hand-off to people (with its acknowledgement or the
//! question to the account's owner) and a reply (drafted, or handed to billing and sent).

use tracing::{info, warn};

use super::outbox::{Outbox, Reach, Sending, Undelivered};
use super::{Dest, Executor, Handled, block};
use crate::examine::{AWAITING_CONFIRMATION, decision_json, ledger_outcome, log_to_human};
use crate::parse::Inbound;
use crate::plan::{Action, Ask, ConfirmStep, LedgerAction, Plan, Why};
use crate::policy::{Decision, Refund};
use crate::render::Reply;
use crate::store::{LedgerState, Outcome};

impl<O: Outbox> Executor<'_, O> {
    /// To people: acknowledged, or with the question to the account's registered address
    /// when the plan asks one (only an outbox that sends mail sends either).
    pub(super) async fn hand_off(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: Option<&Inbound>,
        why: &Why,
        ack: Option<&Reply>,
    ) -> Result<Handled, O::Error> {
        log_to_human(why);
        let base = |state, action| ledger_outcome(plan, state, action);
        let sends = self.outbox.reach() == Reach::Sends;
        if let (Some(ConfirmStep::Ask(ask)), true) = (&plan.confirmation, sends) {
            return self.ask(key, plan, inbound, why, ask).await;
        }
        let mut acknowledged = None;
        if let (Some(ack), true) = (ack, sends) {
            match self.mail(ack, Sending::Ack).await {
                Ok(_) => acknowledged = Some(ack.to.clone()),
                Err(e) => warn!(err = %e, "Acknowledgement not sent."),
            }
        }
        let outcome = Outcome {
            reason: Some(why.to_string()),
            acknowledged: acknowledged.is_some(),
            reply_to: acknowledged,
            ..base(LedgerState::Review, LedgerAction::to_human(why))
        };
        self.finish(key, outcome, None, inbound.map(|m| (m, plan)))?;
        Ok(Handled::File(Dest::People))
    }

    /// Asks the account's registered address to confirm (issue 16). A question the relay
    /// could not take now waits (`question_waits`); otherwise the request stays with people.
    async fn ask(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: Option<&Inbound>,
        why: &Why,
        ask: &Ask,
    ) -> Result<Handled, O::Error> {
        let base = |state, action| ledger_outcome(plan, state, action);
        // Kept before it is sent: a question the store forgot could never be answered.
        block(|| self.store.open_confirmation(&ask.pending))?;
        let (mut action, mut asked, mut copy) = (LedgerAction::to_human(why), None, None);
        match self.mail(&ask.mail, Sending::Question).await {
            Ok(bytes) => {
                info!(to = %ask.mail.to, "Asked the account's registered address to confirm.");
                self.relay.down_since = None;
                action = AWAITING_CONFIRMATION;
                asked = Some(ask.mail.to.clone());
                // The question is mail we sent like any answer: its copy goes to Sent too.
                copy = self.outbox.sent_copy(bytes);
            }
            Err(e) => {
                if let Some((reason, handled)) = self.question_waits(key, &ask.pending.token, &e)? {
                    let outcome = Outcome {
                        reason: Some(reason),
                        ..base(LedgerState::Deferred, action)
                    };
                    self.finish(key, outcome, None, inbound.map(|m| (m, plan)))?;
                    return Ok(handled);
                }
                warn!(err = %e, "Confirmation question not sent.");
            }
        }
        let outcome = Outcome {
            reason: Some(why.to_string()),
            acknowledged: asked.is_some(),
            reply_message_id: asked.as_ref().map(|_| ask.mail.message_id.clone()),
            reply_to: asked,
            ..base(LedgerState::Review, action)
        };
        self.finish(key, outcome, copy, inbound.map(|m| (m, plan)))?;
        Ok(Handled::File(Dest::People))
    }

    /// The confirmation question the relay did not take must not be lost: within the
    /// relay's retry window (or until a person fixes the sign-in) the request waits
    /// (`deferred`) and is planned again later with a fresh token; the token of the question
    /// that never went out is forgotten, so it can confirm nothing. `None`: it does not wait.
    fn question_waits(
        &mut self,
        key: &str,
        token: &str,
        err: &Undelivered,
    ) -> Result<Option<(String, Handled)>, O::Error> {
        let handled = match err {
            Undelivered::Deferred(_) => match self.outage(key)? {
                (_, true) => return Ok(None),
                (_, false) => Handled::Deferred,
            },
            Undelivered::SignIn { action, .. } => Handled::SignIn(action.clone()),
            Undelivered::Failed(_) => return Ok(None),
        };
        block(|| self.store.forget_confirmation(token))?;
        let why = format!(
            "the confirmation question was not taken by the relay; it will be asked again: {err}"
        );
        warn!(%why, "Confirmation question deferred; it will be sent later.");
        Ok(Some((why, handled)))
    }

    /// A planned reply: to people when it answers our own answer; drafted when it needs a
    /// person's approval or the outbox only drafts; else handed to billing, then sent.
    pub(super) async fn reply(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: &Inbound,
        decision: &Decision,
        reply: &Reply,
    ) -> Result<Handled, O::Error> {
        let base = |state, action| ledger_outcome(plan, state, action);
        if let Some(handled) = self.reply_to_our_answer(key, plan, inbound, reply)? {
            return Ok(handled);
        }
        let approval = self.mailbox.policy.needs_approval(decision);
        let answered = |state| Outcome {
            decision_json: Some(serde_json::Value::Object(decision_json(decision)).to_string()),
            reply_message_id: Some(reply.message_id.clone()),
            reply_to: Some(reply.to.clone()),
            ..base(state, LedgerAction::answer(reply))
        };
        let message = match crate::send::to_message(reply, self.clock.system_time()) {
            Ok(message) => message,
            Err(e) => {
                let why = crate::error_chain(&e);
                warn!(err = %why, "Reply not sent; handed to people.");
                let outcome = Outcome {
                    reason: Some(why),
                    ..base(LedgerState::Failed, LedgerAction::answer(reply))
                };
                self.finish(key, outcome, None, Some((inbound, plan)))?;
                return Ok(Handled::File(Dest::People));
            }
        };
        if approval.is_some() || self.outbox.reach() == Reach::DraftsOnly {
            // Over the policy's auto_refund_limit, or a mailbox in draft mode: prepared for a
            // person to approve and send; nothing is billed, the person acts.
            self.outbox.draft(&message).await?;
            info!(template = %reply.template, why = approval.as_deref().unwrap_or("draft mode"), "Reply saved as a draft for people to send.");
            let outcome = Outcome {
                reason: approval,
                ..answered(LedgerState::Drafted)
            };
            self.finish(key, outcome, None, Some((inbound, plan)))?;
            return Ok(Handled::File(Dest::People));
        }
        // Billing first: no reply announces what billing has not accepted.
        let gate = crate::billing::gate(self.store, self.mailbox, key, inbound, plan).await?;
        if let Some(handled) = self.not_billed(key, plan, reply, gate)? {
            return Ok(handled);
        }
        // The exact reply is kept with the claim before it is offered: if the process dies
        // before the record, people get the very bytes that may have gone out (`resolve`).
        let bytes = message.formatted();
        block(|| self.store.mark_sending(key, &bytes))?;
        match self.outbox.send(&message, reply, Sending::Reply).await {
            Ok(bytes) => {
                let outcome = answered(LedgerState::Sent);
                self.sent(key, plan, inbound, outcome, bytes)
            }
            Err(e) => self.undelivered(key, plan, inbound, reply, e),
        }
    }

    /// An answer to our own answer goes to people (a marker-less responder would otherwise
    /// get the whole reply budget); `None` for any other reply.
    fn reply_to_our_answer(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: &Inbound,
        reply: &Reply,
    ) -> Result<Option<Handled>, O::Error> {
        let Some(earlier) = block(|| {
            self.store
                .answered_in_thread(&inbound.references, &reply.to)
        })?
        else {
            return Ok(None);
        };
        warn!(earlier = %earlier, "A reply to our answer; handed to people.");
        let outcome = Outcome {
            reason: Some(format!(
                "a reply to our answer to <{earlier}>; people continue the thread"
            )),
            ..ledger_outcome(
                plan,
                LedgerState::Review,
                LedgerAction::ToHuman(crate::plan::HandOff::ReplyToOurAnswer),
            )
        };
        self.finish(key, outcome, None, Some((inbound, plan)))?;
        Ok(Some(Handled::File(Dest::People)))
    }

    /// A reply the outbox took: its copy for Sent recorded with the answer (the record, not
    /// the copy, tells a restart the reply went out), and a contact the policy counts.
    fn sent(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: &Inbound,
        outcome: Outcome,
        bytes: Vec<u8>,
    ) -> Result<Handled, O::Error> {
        self.relay.down_since = None;
        crate::fault::point("after_send");
        let copy = self.outbox.sent_copy(bytes);
        let Action::Reply { decision, reply } = &plan.action else {
            self.finish(key, outcome, copy, Some((inbound, plan)))?;
            return Ok(Handled::File(Dest::Answered));
        };
        info!(template = %reply.template, clauses = ?decision.clause_ids(), "Answered.");
        if let (Some(Refund::PendingContact { .. }), Some(id)) =
            (&decision.refund, crate::examine::planned_account(plan))
        {
            // The contact day is the vendor's calendar day.
            let on = inbound
                .received
                .to_zoned(self.mailbox.policy.calendar.zone.clone())
                .date();
            block(|| self.store.record_contact(&id, on, &inbound.message_id))?;
        }
        self.finish(key, outcome, copy, Some((inbound, plan)))?;
        Ok(Handled::File(Dest::Answered))
    }

    /// A reply the outbox did not take: it waits for the relay (within the retry window) or
    /// for a person to fix the sign-in, or goes to people.
    fn undelivered(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: &Inbound,
        reply: &Reply,
        e: Undelivered,
    ) -> Result<Handled, O::Error> {
        let base = |state| ledger_outcome(plan, state, LedgerAction::answer(reply));
        let (state, reason, handled) = match &e {
            // Nothing was offered: the reply waits, like a deferred one, but a person must
            // act first.
            Undelivered::SignIn { action, .. } => (
                LedgerState::Deferred,
                e.to_string(),
                Handled::SignIn(action.clone()),
            ),
            Undelivered::Deferred(why) => match self.outage(key)? {
                (waited, true) => {
                    let why = format!(
                        "the relay has taken no reply for {} s (retry window {} s): {why}",
                        waited.as_secs(),
                        self.relay.retry_window.as_secs(),
                    );
                    warn!(%why, "Reply not sent; handed to people.");
                    (LedgerState::Failed, why, Handled::File(Dest::People))
                }
                (_, false) => {
                    warn!(err = %why, "Reply deferred; it will be retried.");
                    (LedgerState::Deferred, why.clone(), Handled::Deferred)
                }
            },
            Undelivered::Failed(why) => {
                warn!(err = %why, "Reply not sent; handed to people.");
                (
                    LedgerState::Failed,
                    why.clone(),
                    Handled::File(Dest::People),
                )
            }
        };
        let outcome = Outcome {
            reason: Some(reason),
            ..base(state)
        };
        self.finish(key, outcome, None, Some((inbound, plan)))?;
        Ok(handled)
    }

    /// Records a message whose reply billing holds back, and says how it was handled; `None`
    /// when billing let the reply through.
    fn not_billed(
        &mut self,
        key: &str,
        plan: &Plan,
        reply: &Reply,
        gate: crate::billing::Gate,
    ) -> Result<Option<Handled>, O::Error> {
        use crate::billing::Gate;
        let base = |state, action| ledger_outcome(plan, state, action);
        let (outcome, handled) = match gate {
            Gate::Proceed => return Ok(None),
            Gate::ToPeople(why) => (
                Outcome {
                    reason: Some(why.to_string()),
                    ..base(LedgerState::Review, LedgerAction::to_human(&why))
                },
                Handled::File(Dest::People),
            ),
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
        // Recorded without the message metrics, as billing's own are kept by the gate.
        block(|| self.store.record(key, &outcome))?;
        crate::fault::point("after_record");
        self.recorded = Some(outcome);
        Ok(Some(handled))
    }

    /// Builds and sends an acknowledgement or a question.
    async fn mail(&mut self, mail: &Reply, what: Sending) -> Result<Vec<u8>, Undelivered> {
        let message = crate::send::to_message(mail, self.clock.system_time())
            .map_err(|e| Undelivered::Failed(crate::error_chain(&e)))?;
        self.outbox.send(&message, mail, what).await
    }
}
