//! The hand-off as one step of handling a message: between the decision and the reply.

use tracing::{info, warn};

use super::{Answer, Subject, call, changes_account, prepare};
use crate::accounts::AccountMatch;
use crate::config::Mailbox;
use crate::parse::Inbound;
use crate::plan::{Action, Plan, Why};
use crate::store::{self, BillingState, NewBilling, Store};

/// What the hand-off lets the caller do with the planned reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Send the reply: nothing to hand off, or billing accepted (and the reply attempt is
    /// marked in the ledger).
    Proceed,
    /// Send no reply: people take the message, with this reason.
    ToPeople(Why),
    /// Billing is unavailable, within the give-up window: leave the message for a later pass.
    Later(String),
}

/// Hands the planned decision to billing if the mailbox has a `[mailbox.billing]` and the
/// decision changes money or an account; see the module docs of [`crate::billing`].
///
/// # Errors
/// The store failed; nothing may be sent then.
pub async fn gate(
    store: &mut Store,
    mailbox: &Mailbox,
    ledger_id: &str,
    inbound: &Inbound,
    plan: &Plan,
) -> Result<Gate, store::Error> {
    let Some(settings) = &mailbox.billing else {
        return Ok(Gate::Proceed);
    };
    let (Action::Reply { decision, reply }, Some(AccountMatch::One(account))) =
        (&plan.action, &plan.account)
    else {
        return Ok(Gate::Proceed);
    };
    if !changes_account(decision) {
        return Ok(Gate::Proceed);
    }
    let prepared = prepare(&Subject {
        mailbox: &mailbox.name,
        ledger_id,
        policy_id: &mailbox.policy.id,
        policy_sha256: &mailbox.policy_sha256,
        inbound,
        account,
        decision,
        customer: &reply.to,
    });
    let target = settings.target.describe();
    let row = store.billing_begin(&NewBilling {
        message_id: ledger_id,
        key: &prepared.key,
        target: &target,
        decision_sha256: &prepared.decision_sha256,
        body: &prepared.body,
    })?;
    let refused = |answer: String| {
        Gate::ToPeople(Why::BillingRefused {
            key: row.key.clone(),
            answer,
        })
    };
    if row.decision_sha256 != prepared.decision_sha256 {
        // Decided again after a crash, differently (accounts re-imported meanwhile): what
        // billing was told and what the reply would say may differ. People reconcile.
        warn!(key = %row.key, "The decision changed since billing was called; handed to people.");
        return Ok(refused(format!(
            "the decision changed after billing was called (billing {}: {})",
            row.state.as_str(),
            row.answer.as_deref().unwrap_or("no answer yet")
        )));
    }
    match row.state {
        BillingState::Accepted => {
            store.billing_reply_attempt(ledger_id)?;
            return Ok(Gate::Proceed);
        }
        BillingState::Refused => {
            return Ok(refused(row.answer.clone().unwrap_or_default()));
        }
        BillingState::Pending => {}
    }
    crate::fault::point("before_billing");
    let (answer, tries) = call(settings, &row.key, &row.body, row.attempts).await;
    crate::fault::point("after_billing_call");
    Ok(match answer {
        Answer::Accepted(text) => {
            store.billing_settle(ledger_id, BillingState::Accepted, tries, &text)?;
            info!(key = %row.key, %target, answer = %text, "Billing accepted.");
            crate::fault::point("after_billing_accepted");
            store.billing_reply_attempt(ledger_id)?;
            Gate::Proceed
        }
        Answer::Refused(text) => {
            store.billing_settle(ledger_id, BillingState::Refused, tries, &text)?;
            warn!(key = %row.key, %target, answer = %text, "Billing refused; handed to people, no reply.");
            refused(text)
        }
        Answer::Unavailable(text) => {
            // The store's clock, which wrote `first_try_at`.
            let waited = store.now().duration_since(row.first_try_at).unsigned_abs();
            if waited >= settings.give_up_after {
                let why = format!(
                    "billing gave no answer for {} s over {} tries (give_up_seconds {}): {text}",
                    waited.as_secs(),
                    row.attempts + tries,
                    settings.give_up_after.as_secs()
                );
                store.billing_settle(ledger_id, BillingState::Refused, tries, &why)?;
                warn!(key = %row.key, %why, "Billing given up; handed to people, no reply.");
                refused(why)
            } else {
                store.billing_tried(ledger_id, tries, &text)?;
                warn!(key = %row.key, answer = %text, "Billing unavailable; the message waits.");
                Gate::Later(text)
            }
        }
    })
}
