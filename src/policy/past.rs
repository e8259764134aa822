//! Consistency with the account's earlier answers (docs/policy.md "History"). The engine
//! decides each request afresh; this step then holds the fresh decision against what the
//! customer was already told:
//!
//! - a refund was already granted: any new refund request goes to people (a second payout
//!   must never be automatic);
//! - a cancellation was already confirmed: a new cancellation request gets the same answer,
//!   with the same dates, marked as a repeat; a refund request after the cancellation took
//!   effect goes to people; any answer whose cancellation date would differ from the one
//!   already given goes to people.

use super::{Decision, History, Intent, Undecidable, decide_afresh};
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
    let only_contact = History {
        prior_contact_on: history.prior_contact_on,
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
    if let Some(now) = &decision.cancellation
        && now.effective != before.effective
        && (intent.wants_refund() || !intent.wants_cancellation())
    {
        return Err(Undecidable::ContradictsEarlier {
            confirmed_on,
            told: before.effective,
            now: now.effective,
        });
    }
    if intent.wants_cancellation() {
        decision.cancellation = Some(before);
        decision.repeats = Some(earlier.received);
    }
    Ok(decision)
}
