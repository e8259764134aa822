//! Consistency with the account's earlier answers (docs/policy.md "History"). The engine
//! decides each request afresh; this step then holds the fresh decision against what the
//! customer was already told:
//!
//! - a refund was already granted: any new refund request goes to people (a second payout
//!   must never be automatic);
//! - a cancellation was already confirmed: a new cancellation request gets the same answer,
//!   with the same dates, marked as a repeat; a refund request after the cancellation took
//!   effect goes to people; a refund granted now that ends the subscription at once moves
//!   the end earlier, as the policy says; an earlier answer that can no longer be rebuilt
//!   from the account goes to people.

use super::{Decision, History, Intent, Refund, Timing, Undecidable, decide_afresh};
use crate::accounts::Account;
use crate::policy::schema::Policy;

pub(super) fn consistent(
    policy: &Policy,
    account: &Account,
    intent: Intent,
    history: &History,
    mut decision: Decision,
) -> Result<Decision, Undecidable> {
    let today = decision.received.date();
    let local = |ts: jiff::Timestamp| policy.calendar.local_date(ts);
    if intent.wants_refund()
        && let Some(refunded) = &history.refunded
    {
        return Err(Undecidable::AlreadyRefunded {
            on: local(refunded.received),
        });
    }
    let Some(earlier) = &history.cancelled else {
        return Ok(decision);
    };
    let confirmed_on = local(earlier.received);
    // The earlier answer, decided again as of its own receipt: the same dates and clause.
    // Only a contact from before that request counted then (its own offer of help is recorded
    // on its own day).
    let only_contact = History {
        prior_contact_on: history.prior_contact_on.filter(|c| *c < confirmed_on),
        ..History::default()
    };
    let before = decide_afresh(
        policy,
        account,
        earlier.intent,
        earlier.received,
        &only_contact,
    )
    .ok()
    .and_then(|d| d.cancellation);
    let before = match before {
        Some(c) if earlier.effective.is_none_or(|told| told == c.effective) => c,
        // The account or the policy changed since: what we said then cannot be rebuilt.
        other => {
            return Err(Undecidable::ContradictsEarlier {
                confirmed_on,
                told: earlier.effective.unwrap_or(confirmed_on),
                now: other.map_or(today, |c| c.effective),
            });
        }
    };
    if intent.wants_refund() && before.effective <= today {
        return Err(Undecidable::AfterCancellation {
            confirmed_on,
            effective: before.effective,
        });
    }
    // A refund granted now that ends the subscription at once moves the confirmed end
    // earlier: the policy says so (CRM RUNNER: "a refund granted later moves the
    // cancellation to at once"; NotOut: a refunded period ends at once).
    let moved_by_refund = matches!(decision.refund, Some(Refund::Granted { .. }))
        && decision
            .cancellation
            .as_ref()
            .is_some_and(|now| now.timing == Timing::AtOnce && now.effective < before.effective);
    if !moved_by_refund && intent.wants_cancellation() {
        decision.cancellation = Some(before);
        decision.repeats = Some(earlier.received);
    }
    Ok(decision)
}
