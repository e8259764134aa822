//! The one executor: carries out a message's plan over an [`Outbox`] and records what
//! became of it, for directory runs and the daemon alike. The pure core ends in one typed
//! outcome ([`Examined`]: the plan, for mail that cannot be read too); everything that
//! touches mail or the ledger after that is here, so the two ways of running never drift
//! apart (they did: an interrupted claim stayed `claimed` forever in a directory run while
//! the daemon looked for it in Sent).
//!
//! Order per message (reliability-notes §1): the message is claimed by the caller before it
//! comes here; then decide what the plan means for this outbox (approval, a used
//! confirmation, a person who answered by hand, a reply to our own answer), hand the
//! decision to billing, keep the exact reply with the claim, send, record. A claim found
//! unrecorded later is [`Executor::resolve`]d against what the outbox holds: never sent twice.

pub mod bounce;
mod deliver;
pub mod dir;
pub mod outbox;
mod resolve;

use std::time::Duration;

use jiff::Timestamp;
use tracing::{info, warn};

pub use outbox::{Outbox, Reach, Sending, Undelivered};

use crate::clock::Clock;
use crate::config::Mailbox;
use crate::event::{Event, Events};
use crate::examine::{CONFIRMATION_USED, Examined, confirmation_unused, ledger_outcome};
use crate::parse::Inbound;
use crate::plan::{Action, ConfirmStep, HandOff, LedgerAction, Plan};
use crate::store::{LedgerState, Outcome, SentCopy, Store};

/// Where a handled message is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    Answered,
    People,
    Skipped,
}

impl Dest {
    /// Where a message the ledger has settled in `state` is filed; `None` for a claim that
    /// was never recorded (it must be resolved first).
    pub fn settled(state: LedgerState) -> Option<Dest> {
        match state {
            LedgerState::Sent | LedgerState::Drafted => Some(Dest::Answered),
            LedgerState::Skipped => Some(Dest::Skipped),
            LedgerState::Review | LedgerState::Failed | LedgerState::Deferred => Some(Dest::People),
            LedgerState::Claimed => None,
        }
    }
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    File(Dest),
    /// Left where it is, untouched (older than the first start, or a dry run).
    Leave,
    /// The relay (or billing) could not take it now: stop the pass here and retry later.
    Deferred,
    /// The relay refused our OAuth2 sign-in: stop the pass; a person must act (the text).
    SignIn(String),
}

/// The relay's health across messages and passes: since when it has taken nothing, and how
/// long it may go on deferring before what it will not take goes to people.
#[derive(Debug, Clone)]
pub struct Relay {
    pub down_since: Option<Timestamp>,
    pub retry_window: Duration,
}

impl Relay {
    /// A relay with no outage yet.
    pub fn new(retry_window: Duration) -> Relay {
        Relay {
            down_since: None,
            retry_window,
        }
    }
}

/// Everything one message's execution needs. Built per message ([`Executor::new`]; the
/// fields are borrows of the caller's state), so the daemon and the directory pass share it
/// all.
pub struct Executor<'a, O: Outbox> {
    pub mailbox: &'a Mailbox,
    pub store: &'a mut Store,
    pub outbox: &'a mut O,
    pub clock: &'a Clock,
    pub relay: &'a mut Relay,
    pub events: &'a Events,
    /// What the last call recorded in the ledger (the directory report shows its reason).
    pub recorded: Option<Outcome>,
}

/// What the executor is asked to do with one claimed message.
#[derive(Debug, Clone, Copy)]
pub enum Step<'b> {
    /// A new claim: carry out its plan ([`Executor::apply`]), with what the message
    /// reports about our replies.
    Apply(Option<&'b bounce::Report>),
    /// A message the ledger knows, in this state ([`Executor::resolve`]).
    Resolve(LedgerState),
}

impl<'a, O: Outbox> Executor<'a, O> {
    /// The one way an executor is made, by the daemon's worker and the directory pass alike.
    pub fn new(
        mailbox: &'a Mailbox,
        store: &'a mut Store,
        outbox: &'a mut O,
        clock: &'a Clock,
        relay: &'a mut Relay,
        events: &'a Events,
    ) -> Executor<'a, O> {
        Executor {
            mailbox,
            store,
            outbox,
            clock,
            relay,
            events,
            recorded: None,
        }
    }

    /// Carries out `step` for the message `key`.
    ///
    /// # Errors
    /// As [`Executor::apply`] and [`Executor::resolve`].
    pub async fn run(
        &mut self,
        key: &str,
        examined: &Examined,
        step: Step<'_>,
    ) -> Result<Handled, O::Error> {
        match step {
            Step::Apply(bounced) => self.apply(key, examined, bounced).await,
            Step::Resolve(state) => self.resolve(key, examined, state).await,
        }
    }
}

impl<O: Outbox> Executor<'_, O> {
    /// Does what the plan says for a newly claimed message (key `key`), records it, and
    /// tells the events. `bounced` is what the message reports about our replies.
    ///
    /// # Errors
    /// The store or the outbox's medium failed: the message keeps its claim, and is
    /// resolved by a later pass.
    pub async fn apply(
        &mut self,
        key: &str,
        examined: &Examined,
        bounced: Option<&bounce::Report>,
    ) -> Result<Handled, O::Error> {
        let handled = self.act(key, examined, bounced).await?;
        let message_id = key.to_string();
        let mailbox = self.mailbox.name.clone();
        match &handled {
            Handled::File(Dest::Answered) => self.events.emit(Event::Answered {
                mailbox,
                message_id,
            }),
            Handled::File(Dest::People) => self.events.emit(Event::ToPeople {
                mailbox,
                message_id,
            }),
            Handled::File(Dest::Skipped) => self.events.emit(Event::Skipped {
                mailbox,
                message_id,
            }),
            Handled::Deferred | Handled::SignIn(_) => self.events.emit(Event::Deferred {
                mailbox,
                message_id,
            }),
            Handled::Leave => {}
        }
        Ok(handled)
    }

    async fn act(
        &mut self,
        key: &str,
        examined: &Examined,
        bounced: Option<&bounce::Report>,
    ) -> Result<Handled, O::Error> {
        block(|| crate::audit::keep(self.store, self.mailbox, key, examined));
        // Unreadable mail has a plan too (to people): one path for every message.
        let (plan, inbound) = (examined.plan(), examined.mail());
        let mail = inbound.map(|m| (m, plan));
        if matches!(plan.action, Action::Reply { .. })
            && !block(|| confirmation_unused(self.store, plan, key))?
        {
            warn!("The confirmation was already used; handed to people.");
            let outcome = Outcome {
                reason: Some(CONFIRMATION_USED.into()),
                ..ledger_outcome(
                    plan,
                    LedgerState::Review,
                    LedgerAction::ToHuman(HandOff::ConfirmationRejected),
                )
            };
            self.finish(key, outcome, None, mail)?;
            return Ok(Handled::File(Dest::People));
        }
        if let Some(handled) = self.answered_by_hand(key, plan, inbound).await? {
            return Ok(handled);
        }
        match (&plan.action, inbound) {
            (Action::Skip(reason), _) => self.skip(key, plan, inbound, reason, bounced),
            (Action::ToHuman { why, ack }, _) => {
                self.hand_off(key, plan, inbound, why, ack.as_ref()).await
            }
            (Action::Reply { decision, reply }, Some(inbound)) => {
                self.reply(key, plan, inbound, decision, reply).await
            }
            // The core plans replies only for mail it read (`Plan::unreadable` goes to
            // people); a reply with no mail to answer would go to people too, unsent.
            (Action::Reply { reply, .. }, None) => {
                let outcome = Outcome {
                    reason: Some("a reply planned for a message that could not be read".into()),
                    ..ledger_outcome(plan, LedgerState::Failed, LedgerAction::answer(reply))
                };
                self.finish(key, outcome, None, None)?;
                Ok(Handled::File(Dest::People))
            }
        }
    }

    /// For a plan that answers a confirmation: if a person answered the request by hand
    /// (issue 16), records that; `None` to answer it.
    async fn answered_by_hand(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: Option<&Inbound>,
    ) -> Result<Option<Handled>, O::Error> {
        let (Some(ConfirmStep::Use(token)), Action::Reply { .. }) =
            (&plan.confirmation, &plan.action)
        else {
            return Ok(None);
        };
        let Some(pending) = block(|| self.store.confirmation(token))? else {
            return Ok(None);
        };
        let request = pending.request_message_id;
        let Some(seen) = self.outbox.answered_by_hand(&request).await? else {
            return Ok(None);
        };
        let why = format!(
            "the request <{request}> was answered by a person ({seen}); the owner's confirmation gets no automatic answer"
        );
        warn!(%why, "Answered by hand; no automatic answer.");
        let outcome = Outcome {
            reason: Some(why),
            ..ledger_outcome(plan, LedgerState::Review, ANSWERED_BY_HAND)
        };
        self.finish(key, outcome, None, inbound.map(|m| (m, plan)))?;
        Ok(Some(Handled::File(Dest::People)))
    }

    /// A message planned to be skipped; a delivery report about one of our replies is
    /// recorded as such, and a failed one sends the request it answered to people.
    fn skip(
        &mut self,
        key: &str,
        plan: &Plan,
        inbound: Option<&Inbound>,
        reason: &crate::screen::SkipReason,
        bounced: Option<&bounce::Report>,
    ) -> Result<Handled, O::Error> {
        let skipped = ledger_outcome(
            plan,
            LedgerState::Skipped,
            LedgerAction::Skip(reason.clone()),
        );
        let (outcome, dest) = match bounced {
            Some(report) if report.delivery == bounce::Delivery::Delayed => {
                let requests = block(|| self.store.answered_by(&report.replies))?;
                warn!(replies = ?report.replies, requests = ?requests, named_by = report.named_by.as_str(), "The answer is delayed; the relay is still trying, nothing handed over.");
                let outcome = Outcome {
                    reason: Some(report.delay_reason(&requests)),
                    ..skipped
                };
                (outcome, Dest::Skipped)
            }
            Some(report) if !report.failed().is_empty() => {
                let mut requests = Vec::new();
                for id in report.failed() {
                    let why = format!(
                        "the answer bounced: our reply <{id}> could not be delivered (report <{key}>, matched by {})",
                        report.named_by.as_str()
                    );
                    if let Some(request) = block(|| self.store.answer_bounced(id, &why))? {
                        requests.push(request);
                    }
                }
                if requests.is_empty() {
                    info!(%reason, "Skipped; no answer (a report about a reply the ledger does not know as sent).");
                    (skipped, Dest::Skipped)
                } else {
                    warn!(requests = ?requests, "The answer bounced; the request and the report go to people.");
                    let outcome = Outcome {
                        reason: Some(format!(
                            "the answer bounced: the answer to <{}> could not be delivered",
                            requests.join(">, <")
                        )),
                        ..ledger_outcome(
                            plan,
                            LedgerState::Review,
                            LedgerAction::ToHuman(HandOff::AnswerBounced),
                        )
                    };
                    (outcome, Dest::People)
                }
            }
            _ => {
                info!(%reason, "Skipped; no answer.");
                (skipped, Dest::Skipped)
            }
        };
        self.finish(key, outcome, None, inbound.map(|m| (m, plan)))?;
        Ok(Handled::File(dest))
    }

    /// Records `outcome` (with the reply's copy for Sent, if any) and counts it.
    fn finish(
        &mut self,
        key: &str,
        outcome: Outcome,
        copy: Option<SentCopy>,
        mail: Option<(&Inbound, &Plan)>,
    ) -> Result<(), O::Error> {
        block(|| self.store.record_with_copy(key, &outcome, copy.as_ref()))?;
        crate::fault::point("after_record");
        crate::metrics::message(
            &self.mailbox.name,
            &outcome,
            mail.map(|(m, _)| m.received),
            mail.and_then(|(m, plan)| plan.customer_language(m)),
        );
        self.recorded = Some(outcome);
        Ok(())
    }

    /// The relay deferred a mail: since when it has taken nothing, and whether that is now
    /// longer than the retry window (then what it will not take goes to people).
    fn outage(&mut self, key: &str) -> Result<(Duration, bool), O::Error> {
        let now = self.clock.now();
        let first = block(|| self.store.claimed_at(key))?;
        let since = *self
            .relay
            .down_since
            .get_or_insert(first.unwrap_or(now).min(now));
        let waited = now.duration_since(since).unsigned_abs();
        Ok((waited, waited >= self.relay.retry_window))
    }
}

/// The ledger action of a confirmation whose request a person answered by hand.
pub const ANSWERED_BY_HAND: LedgerAction = LedgerAction::ToHuman(HandOff::AnsweredByHand);

/// The store is synchronous (rusqlite) and its calls are short: on the daemon's worker
/// threads they run in place ([`tokio::task::block_in_place`]) rather than on the blocking
/// pool; anywhere else (a directory run's single thread) they simply run.
pub(crate) fn block<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}
