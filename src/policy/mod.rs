//! The policy engine: a vendor's refund and cancellation policy, read from TOML, applied to one
//! request. Pure: knows no vendor, does no I/O, and takes the time as an argument.
//!
//! The vocabulary (request date, anniversary, current period, late notice...) is
//! policy-spec.md's, and so is every rule of thumb here; what differs between vendors is data
//! in [`schema::Policy`].

pub mod calendar;
pub mod decision;
mod limit;
mod past;
pub mod schema;

use jiff::civil::Date;
use jiff::{Timestamp, Zoned};

use crate::accounts::{Account, Payments};
use crate::classify::Intent;
use calendar::{Period, add_days, anniversary, current_period, days_between};
pub use decision::{
    AccountState, Cancellation, Charge, Clause, Decision, DenyReason, Earlier, History,
    OUTCOME_FIELDS, Refund, Timing,
};
use schema::{Amount, Anchor, Charges, DayKind, Effective, EndsSubscription, Policy, RefundRule};

/// Why the engine will not decide: the facts do not fit the policy, so a person must look.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undecidable {
    #[error("the intent {0:?} is not a refund or cancellation request")]
    NotARequest(Intent),
    #[error("the request date {request} is before the account's sign-up on {signed_up}")]
    BeforeSignUp { request: Date, signed_up: Date },
    #[error("the request date {request} is before the first payment on {first_paid}")]
    BeforeFirstPayment { request: Date, first_paid: Date },
    #[error("the account has never paid and the policy has no free trial")]
    UnpaidWithoutTrial,
    #[error("a refund was already granted for the request received on {on}")]
    AlreadyRefunded { on: Date },
    #[error(
        "the subscription was already cancelled (confirmed for the request received on {confirmed_on}, effective {effective}); a refund now needs a person"
    )]
    AfterCancellation { confirmed_on: Date, effective: Date },
    #[error(
        "this answer would contradict the cancellation confirmed for the request received on {confirmed_on} (effective {told}); now it would be {now}"
    )]
    ContradictsEarlier {
        confirmed_on: Date,
        told: Date,
        now: Date,
    },
}

impl Undecidable {
    /// A short stable name, for scenario files (`expect.undecidable`).
    pub fn code(&self) -> &'static str {
        match self {
            Undecidable::NotARequest(_) => "not_a_request",
            Undecidable::BeforeSignUp { .. } => "before_sign_up",
            Undecidable::BeforeFirstPayment { .. } => "before_first_payment",
            Undecidable::UnpaidWithoutTrial => "unpaid_without_trial",
            Undecidable::AlreadyRefunded { .. } => "already_refunded",
            Undecidable::AfterCancellation { .. } => "after_cancellation",
            Undecidable::ContradictsEarlier { .. } => "contradicts_earlier",
        }
    }
}

/// Applies `policy` to a request with `intent` from `account`, received at `received`, in
/// the light of the account's earlier answers (`history`): a repeated cancellation gets the
/// answer it got before, and a request that would contradict an earlier answer is undecidable.
///
/// # Errors
/// [`Undecidable`] when the facts do not fit the policy or the past; the message goes to people.
pub fn decide(
    policy: &Policy,
    account: &Account,
    intent: Intent,
    received: Timestamp,
    history: &History,
) -> Result<Decision, Undecidable> {
    let decision = decide_afresh(policy, account, intent, received, history)?;
    past::consistent(policy, account, intent, history, decision)
}

/// The decision as if this were the account's first request (only the "prior contact"
/// history counts).
fn decide_afresh(
    policy: &Policy,
    account: &Account,
    intent: Intent,
    received: Timestamp,
    history: &History,
) -> Result<Decision, Undecidable> {
    if !intent.wants_refund() && !intent.wants_cancellation() {
        return Err(Undecidable::NotARequest(intent));
    }
    let received: Zoned = received.to_zoned(policy.calendar.zone.clone());
    let today = received.date();
    if today < account.signed_up_on {
        return Err(Undecidable::BeforeSignUp {
            request: today,
            signed_up: account.signed_up_on,
        });
    }
    let (refund, cancellation) = match &account.paid {
        None => decide_unpaid(policy, intent, today)?,
        Some(paid) => decide_paid(policy, account, paid, intent, today, history)?,
    };
    Ok(Decision {
        received,
        refund,
        cancellation,
        repeats: None,
    })
}

/// The two parts of a decision.
type Parts = (Option<Refund>, Option<Cancellation>);

/// policy-spec "free trial": an account with no first payment is in trial; nothing was
/// charged, and a cancellation takes effect at once.
fn decide_unpaid(policy: &Policy, intent: Intent, today: Date) -> Result<Parts, Undecidable> {
    let trial = policy
        .trial
        .as_ref()
        .ok_or(Undecidable::UnpaidWithoutTrial)?;
    let refund = intent.wants_refund().then(|| Refund::NotApplicable {
        clause: trial.clause.clone(),
        note: trial.note.clone(),
    });
    let cancellation = intent.wants_cancellation().then(|| Cancellation {
        effective: today,
        charges_before_end: 0,
        late_for: None,
        notice_deadline: None,
        account_state: trial.account_state,
        timing: Timing::AtOnce,
        charge_to_come: None,
        clause: trial.clause.clone(),
        note: trial.note.clone(),
    });
    Ok((refund, cancellation))
}

fn decide_paid(
    policy: &Policy,
    account: &Account,
    paid: &Payments,
    intent: Intent,
    today: Date,
    history: &History,
) -> Result<Parts, Undecidable> {
    let period = current_period(paid.first_paid_on, account.plan, today).ok_or(
        Undecidable::BeforeFirstPayment {
            request: today,
            first_paid: paid.first_paid_on,
        },
    )?;
    let mut refund_part = None;
    let mut ends_now = None;
    if intent.wants_refund() {
        let (refund, rule) = decide_refund(policy, account, paid, &period, today, history);
        if let (Refund::Granted { .. }, Some(rule)) = (&refund, rule) {
            let ends = match rule.ends_subscription {
                EndsSubscription::Never => false,
                EndsSubscription::WhenAsked => intent.wants_cancellation(),
                EndsSubscription::Always => true,
            };
            if ends {
                ends_now = Some(rule.clause.clone());
            }
        }
        refund_part = Some(refund);
    }
    let cancellation = match ends_now {
        // A granted refund of the period ends the subscription on the request date, in the
        // state the plan's cancellation rule names, citing the refund clause that says so.
        Some(clause) => Some(Cancellation {
            effective: today,
            charges_before_end: 0,
            late_for: None,
            notice_deadline: None,
            account_state: policy.cancellation_rule(account.plan).account_state,
            timing: Timing::AtOnce,
            charge_to_come: None,
            clause,
            // The plan's own note speaks of the end of the period; the refund's note says it.
            note: None,
        }),
        None if intent.wants_cancellation() => {
            Some(decide_cancellation(policy, account, paid, &period, today))
        }
        None => None,
    };
    Ok((refund_part, cancellation))
}

/// Refund rules in order; the first whose plan, charge and window fit decides. The rule is
/// returned with a grant so the caller can apply its `ends_subscription`.
fn decide_refund<'p>(
    policy: &'p Policy,
    account: &Account,
    paid: &Payments,
    period: &Period,
    today: Date,
    history: &History,
) -> (Refund, Option<&'p RefundRule>) {
    let mut closed_on: Option<Date> = None;
    for rule in policy
        .refund_rules
        .iter()
        .filter(|r| r.plans.contains(&account.plan))
    {
        let anchor = match rule.anchor {
            Anchor::FirstPayment => paid.first_paid_on,
            Anchor::LatestCharge | Anchor::PeriodStart => period.start,
        };
        let window_end = window_last_day(rule, anchor, account);
        // "The guarantee covers the initial subscription only": once anniversary 1 has been
        // charged, a first-charge rule applies only while its own window, counted from the
        // first payment, is still open (policy-spec: day 30 is inside, also when it is the
        // first renewal date). The end named to the customer is that window's end, never the
        // day before the current period.
        if rule.charges == Charges::First && period.index > 0 {
            let first_window = window_last_day(rule, paid.first_paid_on, account);
            let open =
                rule.anchor == Anchor::FirstPayment && first_window.is_some_and(|l| today <= l);
            if !open {
                let first_period_end =
                    add_days(anniversary(paid.first_paid_on, account.plan, 1), -1);
                closed_on = closed_on.or(Some(first_window.unwrap_or(first_period_end)));
                continue;
            }
        }
        if let Some(last_day) = window_end
            && today > last_day
        {
            closed_on = closed_on.or(Some(last_day));
            continue;
        }
        if rule.amount == Amount::Nothing {
            // A closing rule after a window that has passed: the customer is best told when it
            // closed, and this rule's clause says why nothing is refunded now.
            let why = closed_on.map_or(DenyReason::NotRefundable, |last_day| {
                DenyReason::WindowClosed { last_day }
            });
            return (
                Refund::Denied {
                    why,
                    clause: rule.clause.clone(),
                    note: rule.note.clone(),
                },
                None,
            );
        }
        if let Some(valid_days) = rule.prior_contact_days {
            // "After communicating with us": only a contact after the charge, and recent
            // enough, counts; otherwise this request is the contact.
            let contacted = history.prior_contact_on.is_some_and(|c| {
                c >= anchor && c <= today && today <= add_days(c, i64::from(valid_days))
            });
            if !contacted {
                return (
                    Refund::PendingContact {
                        clause: rule.clause.clone(),
                        note: rule.pending_note.clone(),
                    },
                    None,
                );
            }
        }
        let amount = match rule.amount {
            Amount::FirstPayment => paid.first_payment,
            Amount::LatestCharge => paid.last_payment,
            Amount::Prorated => {
                let unused = days_between(today, period.next);
                let whole = days_between(period.start, period.next).max(1);
                paid.last_payment.prorate(unused, whole)
            }
            Amount::Nothing => unreachable!("handled above"),
        };
        return (
            Refund::Granted {
                amount,
                window_end,
                clause: rule.clause.clone(),
                note: rule.note.clone(),
            },
            Some(rule),
        );
    }
    let why = match closed_on {
        Some(last_day) => DenyReason::WindowClosed { last_day },
        None => DenyReason::NotRefundable,
    };
    (
        Refund::Denied {
            why,
            clause: policy.refund_otherwise.clone(),
            note: policy.refund_otherwise_note.clone(),
        },
        None,
    )
}

/// The last day inside a rule's window, or `None` when the rule has no window. With both a day
/// and a period window, the earlier end wins.
fn window_last_day(rule: &RefundRule, anchor: Date, account: &Account) -> Option<Date> {
    let by_days = rule.window_days.map(|n| add_days(anchor, i64::from(n)));
    let by_periods = rule
        .window_periods
        .map(|n| add_days(anniversary(anchor, account.plan, n as i32), -1));
    match (by_days, by_periods) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// policy-spec "current period", "notice N ... before R" and "late notice".
fn decide_cancellation(
    policy: &Policy,
    account: &Account,
    paid: &Payments,
    period: &Period,
    today: Date,
) -> Cancellation {
    let rule = policy.cancellation_rule(account.plan);
    let mut c = Cancellation {
        effective: today,
        charges_before_end: 0,
        late_for: None,
        notice_deadline: None,
        account_state: rule.account_state,
        timing: Timing::AtOnce,
        charge_to_come: None,
        clause: rule.clause.clone(),
        note: rule.note.clone(),
    };
    if rule.effective == Effective::AtOnce {
        return c;
    }
    let r1 = period.next;
    c.effective = r1;
    c.timing = Timing::EndOfPeriod;
    if let Some(notice) = rule.notice {
        let deadline = match notice.kind {
            DayKind::Calendar => add_days(r1, -i64::from(notice.days)),
            DayKind::Business => policy.calendar.business_days_before(r1, notice.days),
        };
        c.notice_deadline = Some(deadline);
        if today > deadline {
            c.effective = anniversary(paid.first_paid_on, account.plan, period.index + 2);
            c.charges_before_end = 1;
            c.late_for = Some(r1);
            c.timing = Timing::LateNotice;
            // The renewal at R1 is charged at the account's latest price.
            c.charge_to_come = Some(Charge {
                on: r1,
                amount: paid.last_payment,
            });
        }
    }
    c
}
