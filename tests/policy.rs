//! The policy engine against the real policy files in config/policies: every clause of every
//! seed, each boundary day on both sides, month-end clamping, the time-zone edge, business
//! days across holidays; then every shared acceptance scenario as a named case.

use std::path::{Path, PathBuf};

use mailclerk::accounts::{Account, Payments, PlanKind};
use mailclerk::classify::Intent;
use mailclerk::money::{Currency, Money};
use mailclerk::policy::schema::Policy;
use mailclerk::policy::{self, Decision, History, Refund};

fn policy(id: &str) -> Policy {
    Policy::load_id(Path::new("config/policies"), id).unwrap_or_else(|e| panic!("{id}: {e:?}"))
}

/// `paid` is (first_paid_on, first_payment, last_payment).
fn account(plan: &str, signed: &str, paid: Option<(&str, &str, &str)>, currency: &str) -> Account {
    let currency = Currency::from_code(currency).unwrap();
    Account {
        id: "A1".into(),
        name: "Ann".into(),
        emails: vec!["ann@example.com".into()],
        plan: PlanKind::parse(plan).unwrap(),
        signed_up_on: signed.parse().unwrap(),
        paid: paid.map(|(on, first, last)| Payments {
            first_paid_on: on.parse().unwrap(),
            first_payment: Money::parse(first, currency).unwrap(),
            last_payment: Money::parse(last, currency).unwrap(),
        }),
        currency,
    }
}

/// A decision in one short line: `refund:granted 49.00 [guarantee] + cancel:2026-03-10 cancelled 0 [guarantee]`.
fn line(d: &Decision) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &d.refund {
        let amount = match r {
            Refund::Granted { amount, .. } => format!(" {amount}"),
            _ => String::new(),
        };
        parts.push(format!("refund:{}{amount} [{}]", r.kind(), r.clause().id));
    }
    if let Some(c) = &d.cancellation {
        parts.push(format!(
            "cancel:{} {} {} [{}]",
            c.effective,
            c.account_state.as_str(),
            c.charges_before_end,
            c.clause.id
        ));
    }
    parts.join(" + ")
}

struct Case {
    name: &'static str,
    policy: &'static str,
    plan: &'static str,
    signed: &'static str,
    paid: Option<(&'static str, &'static str, &'static str)>,
    intent: Intent,
    received: &'static str,
    contact: Option<&'static str>,
    want: &'static str,
}

const M: &str = "monthly";
const A: &str = "annual";

fn run(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let currency = if c.policy == "crm24" { "IRR" } else { "USD" };
        let acct = account(c.plan, c.signed, c.paid, currency);
        let history = History {
            prior_contact_on: c.contact.map(|d| d.parse().unwrap()),
            ..History::default()
        };
        let got = match policy::decide(
            &policy(c.policy),
            &acct,
            c.intent,
            c.received.parse().unwrap(),
            &history,
        ) {
            Ok(d) => line(&d),
            Err(e) => format!("undecidable: {e}"),
        };
        if got != c.want {
            failures.push(format!("{}:\n  want {}\n  got  {got}", c.name, c.want));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

use Intent::{Both, Cancellation as Cancel, Refund as Ref};

#[test]
fn notout() {
    let p = Some(("2026-03-01", "49.00", "49.00"));
    run(&[
        Case {
            name: "guarantee day 0",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-03-01T15:00:00Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee]",
        },
        Case {
            name: "guarantee day 30 is inside",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-03-31T15:00:00Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee]",
        },
        Case {
            name: "day 30 late evening New York is 03:30 UTC next day",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-04-01T03:59:59Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee]",
        },
        Case {
            name: "midnight New York starts day 31",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-04-01T04:00:00Z",
            contact: None,
            want: "refund:denied [guarantee]",
        },
        Case {
            name: "day 31 is outside",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-04-01T15:00:00Z",
            contact: None,
            want: "refund:denied [guarantee]",
        },
        Case {
            // policy-spec: granted while the request date is within 30 days of the first
            // payment, also once a short February has renewed; the amount is the first payment.
            name: "renewal charged inside 30 days: still the guarantee, first payment",
            policy: "notout",
            plan: M,
            signed: "2026-02-01",
            paid: Some(("2026-02-01", "49.00", "59.00")),
            intent: Ref,
            received: "2026-03-03T15:00:00Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee]",
        },
        Case {
            name: "and the day after day 30 it is a renewal's refund: denied",
            policy: "notout",
            plan: M,
            signed: "2026-02-01",
            paid: Some(("2026-02-01", "49.00", "59.00")),
            intent: Ref,
            received: "2026-03-04T15:00:00Z",
            contact: None,
            want: "refund:denied [guarantee]",
        },
        Case {
            name: "day 30 on the first renewal date (April has 30 days): granted",
            policy: "notout",
            plan: M,
            signed: "2026-04-01",
            paid: Some(("2026-04-01", "49.00", "49.00")),
            intent: Ref,
            received: "2026-05-01T15:00:00Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee]",
        },
        Case {
            name: "day 30 on the renewal date, with a cancellation: at once",
            policy: "notout",
            plan: M,
            signed: "2026-04-01",
            paid: Some(("2026-04-01", "49.00", "49.00")),
            intent: Both,
            received: "2026-05-01T15:00:00Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee] + cancel:2026-05-01 cancelled 0 [guarantee]",
        },
        Case {
            name: "the day before that renewal",
            policy: "notout",
            plan: M,
            signed: "2026-02-01",
            paid: Some(("2026-02-01", "49.00", "49.00")),
            intent: Ref,
            received: "2026-02-28T15:00:00Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee]",
        },
        Case {
            name: "annual inside pays the first payment",
            policy: "notout",
            plan: A,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "490.00", "490.00")),
            intent: Ref,
            received: "2026-02-09T15:00:00Z",
            contact: None,
            want: "refund:granted 490.00 [guarantee]",
        },
        Case {
            name: "annual day 31",
            policy: "notout",
            plan: A,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "490.00", "490.00")),
            intent: Ref,
            received: "2026-02-10T15:00:00Z",
            contact: None,
            want: "refund:denied [refund_after_term]",
        },
        Case {
            name: "cancel monthly ends at R1",
            policy: "notout",
            plan: M,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "49.00", "49.00")),
            intent: Cancel,
            received: "2026-05-09T15:00:00Z",
            contact: None,
            want: "cancel:2026-05-10 cancelled 0 [cancel_end_of_period]",
        },
        Case {
            name: "cancel on the anniversary ends a period later",
            policy: "notout",
            plan: M,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "49.00", "49.00")),
            intent: Cancel,
            received: "2026-05-10T15:00:00Z",
            contact: None,
            want: "cancel:2026-06-10 cancelled 0 [cancel_end_of_period]",
        },
        Case {
            name: "Jan 31 clamps to Feb 28",
            policy: "notout",
            plan: M,
            signed: "2026-01-31",
            paid: Some(("2026-01-31", "49.00", "49.00")),
            intent: Cancel,
            received: "2026-02-27T15:00:00Z",
            contact: None,
            want: "cancel:2026-02-28 cancelled 0 [cancel_end_of_period]",
        },
        Case {
            name: "and recovers to Mar 31, not Mar 28",
            policy: "notout",
            plan: M,
            signed: "2026-01-31",
            paid: Some(("2026-01-31", "49.00", "49.00")),
            intent: Cancel,
            received: "2026-02-28T15:00:00Z",
            contact: None,
            want: "cancel:2026-03-31 cancelled 0 [cancel_end_of_period]",
        },
        Case {
            name: "annual cancel at the end of the paid year",
            policy: "notout",
            plan: A,
            signed: "2025-06-15",
            paid: Some(("2025-06-15", "490.00", "490.00")),
            intent: Cancel,
            received: "2026-02-01T15:00:00Z",
            contact: None,
            want: "cancel:2026-06-15 cancelled 0 [cancel_end_of_period]",
        },
        Case {
            name: "both inside: refund and cancel at once",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Both,
            received: "2026-03-10T15:00:00Z",
            contact: None,
            want: "refund:granted 49.00 [guarantee] + cancel:2026-03-10 cancelled 0 [guarantee]",
        },
        Case {
            name: "both outside: denied, cancel at R1",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Both,
            received: "2026-06-10T15:00:00Z",
            contact: None,
            want: "refund:denied [guarantee] + cancel:2026-07-01 cancelled 0 [cancel_end_of_period]",
        },
        Case {
            name: "never paid and no trial: people decide",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: None,
            intent: Ref,
            received: "2026-03-10T15:00:00Z",
            contact: None,
            want: "undecidable: the account has never paid and the policy has no free trial",
        },
        Case {
            name: "request before sign-up",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-02-10T15:00:00Z",
            contact: None,
            want: "undecidable: the request date 2026-02-10 is before the account's sign-up on 2026-03-01",
        },
        Case {
            name: "not a request",
            policy: "notout",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Intent::Other,
            received: "2026-03-10T15:00:00Z",
            contact: None,
            want: "undecidable: the intent Other is not a refund or cancellation request",
        },
    ]);
}

#[test]
fn crm_runner() {
    let p = Some(("2026-03-15", "39.00", "39.00"));
    let y = Some(("2026-01-15", "390.00", "390.00"));
    let r = "crm-runner";
    run(&[
        Case {
            name: "trial cancel blocks at once",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: None,
            intent: Cancel,
            received: "2026-03-08T15:00:00Z",
            contact: None,
            want: "cancel:2026-03-08 blocked 0 [trial]",
        },
        Case {
            name: "trial refund: nothing charged",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: None,
            intent: Ref,
            received: "2026-03-08T15:00:00Z",
            contact: None,
            want: "refund:not_applicable [trial]",
        },
        Case {
            name: "trial both",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: None,
            intent: Both,
            received: "2026-03-14T15:00:00Z",
            contact: None,
            want: "refund:not_applicable [trial] + cancel:2026-03-14 blocked 0 [trial]",
        },
        Case {
            name: "first request in the first month: offer help",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-03-20T15:00:00Z",
            contact: None,
            want: "refund:pending_contact [monthly_refund]",
        },
        Case {
            name: "after contact: refund and end at once",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-03-25T15:00:00Z",
            contact: Some("2026-03-20"),
            want: "refund:granted 39.00 [monthly_refund] + cancel:2026-03-25 cancelled 0 [monthly_refund]",
        },
        Case {
            name: "last day of the first month, after contact",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-04-14T15:00:00Z",
            contact: Some("2026-04-10"),
            want: "refund:granted 39.00 [monthly_refund] + cancel:2026-04-14 cancelled 0 [monthly_refund]",
        },
        Case {
            name: "anniversary 1 is outside the first month",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-04-15T15:00:00Z",
            contact: Some("2026-04-10"),
            want: "refund:denied [monthly_refund_after_trial]",
        },
        Case {
            name: "contact before the payment does not count",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-03-20T15:00:00Z",
            contact: Some("2026-03-10"),
            want: "refund:pending_contact [monthly_refund]",
        },
        Case {
            name: "contact on the payment day, request 30 days later",
            policy: r,
            plan: M,
            signed: "2026-01-01",
            paid: Some(("2026-01-01", "39.00", "39.00")),
            intent: Ref,
            received: "2026-01-31T15:00:00Z",
            contact: Some("2026-01-01"),
            want: "refund:granted 39.00 [monthly_refund] + cancel:2026-01-31 cancelled 0 [monthly_refund]",
        },
        Case {
            name: "contact the day before the payment does not count",
            policy: r,
            plan: M,
            signed: "2025-12-01",
            paid: Some(("2026-01-01", "39.00", "39.00")),
            intent: Ref,
            received: "2026-01-20T15:00:00Z",
            contact: Some("2025-12-31"),
            want: "refund:pending_contact [monthly_refund]",
        },
        Case {
            name: "both in the first month without contact: notice rule",
            policy: r,
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Both,
            received: "2026-03-20T15:00:00Z",
            contact: None,
            want: "refund:pending_contact [monthly_refund] + cancel:2026-05-15 cancelled 1 [notice]",
        },
        Case {
            name: "notice: 30 days before R1 is in time",
            policy: r,
            plan: M,
            signed: "2026-01-01",
            paid: Some(("2026-01-15", "39.00", "39.00")),
            intent: Cancel,
            received: "2026-05-16T15:00:00Z",
            contact: None,
            want: "cancel:2026-06-15 cancelled 0 [notice]",
        },
        Case {
            name: "notice: 29 days before R1 is late",
            policy: r,
            plan: M,
            signed: "2026-01-01",
            paid: Some(("2026-01-15", "39.00", "39.00")),
            intent: Cancel,
            received: "2026-05-17T15:00:00Z",
            contact: None,
            want: "cancel:2026-07-15 cancelled 1 [notice]",
        },
        Case {
            name: "yearly refund denied",
            policy: r,
            plan: A,
            signed: "2026-01-01",
            paid: y,
            intent: Ref,
            received: "2026-01-20T15:00:00Z",
            contact: None,
            want: "refund:denied [yearly]",
        },
        Case {
            name: "yearly cancel suspends at once",
            policy: r,
            plan: A,
            signed: "2026-01-01",
            paid: y,
            intent: Cancel,
            received: "2026-07-01T15:00:00Z",
            contact: None,
            want: "cancel:2026-07-01 suspended 0 [yearly]",
        },
        Case {
            name: "yearly both",
            policy: r,
            plan: A,
            signed: "2026-01-01",
            paid: y,
            intent: Both,
            received: "2026-07-01T15:00:00Z",
            contact: None,
            want: "refund:denied [yearly] + cancel:2026-07-01 suspended 0 [yearly]",
        },
    ]);
}

#[test]
fn crm24() {
    let p = Some(("2026-03-11", "1500000", "1500000"));
    run(&[
        Case {
            name: "free use: nothing to refund",
            policy: "crm24",
            plan: M,
            signed: "2026-03-01",
            paid: None,
            intent: Ref,
            received: "2026-03-05T08:00:00Z",
            contact: None,
            want: "refund:not_applicable [free_use]",
        },
        Case {
            name: "free use: cancel at once",
            policy: "crm24",
            plan: M,
            signed: "2026-03-01",
            paid: None,
            intent: Cancel,
            received: "2026-03-05T08:00:00Z",
            contact: None,
            want: "cancel:2026-03-05 cancelled 0 [free_use]",
        },
        Case {
            name: "paid: no payment is refunded",
            policy: "crm24",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Ref,
            received: "2026-03-20T08:00:00Z",
            contact: None,
            want: "refund:denied [no_refund]",
        },
        Case {
            name: "23:59 in Tehran is still the day before the anniversary",
            policy: "crm24",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Cancel,
            received: "2026-04-10T20:29:59Z",
            contact: None,
            want: "cancel:2026-04-11 cancelled 0 [paid_use]",
        },
        Case {
            name: "00:00 in Tehran is the anniversary",
            policy: "crm24",
            plan: M,
            signed: "2026-03-01",
            paid: p,
            intent: Cancel,
            received: "2026-04-10T20:30:00Z",
            contact: None,
            want: "cancel:2026-05-11 cancelled 0 [paid_use]",
        },
        Case {
            name: "annual",
            policy: "crm24",
            plan: A,
            signed: "2026-03-01",
            paid: Some(("2026-03-11", "15000000", "15000000")),
            intent: Both,
            received: "2026-09-20T08:00:00Z",
            contact: None,
            want: "refund:denied [no_refund] + cancel:2027-03-11 cancelled 0 [paid_use]",
        },
    ]);
}

#[test]
fn smartcalls() {
    let p = Some(("2026-02-09", "99.00", "99.00"));
    let j = Some(("2026-01-01", "99.00", "99.00"));
    let s = "smartcalls";
    run(&[
        Case {
            name: "refund always denied",
            policy: s,
            plan: M,
            signed: "2026-02-09",
            paid: p,
            intent: Ref,
            received: "2026-02-09T15:00:00Z",
            contact: None,
            want: "refund:denied [non_refundable]",
        },
        Case {
            name: "annual refund denied",
            policy: s,
            plan: A,
            signed: "2025-09-01",
            paid: Some(("2025-09-01", "990.00", "990.00")),
            intent: Ref,
            received: "2025-09-02T15:00:00Z",
            contact: None,
            want: "refund:denied [non_refundable]",
        },
        Case {
            name: "exactly 5 business days",
            policy: s,
            plan: M,
            signed: "2026-02-09",
            paid: p,
            intent: Cancel,
            received: "2026-03-02T15:00:00Z",
            contact: None,
            want: "cancel:2026-03-09 deactivated 0 [notice]",
        },
        Case {
            name: "4 business days is late",
            policy: s,
            plan: M,
            signed: "2026-02-09",
            paid: p,
            intent: Cancel,
            received: "2026-03-03T15:00:00Z",
            contact: None,
            want: "cancel:2026-04-09 deactivated 1 [notice]",
        },
        Case {
            name: "late evening local on the deadline",
            policy: s,
            plan: M,
            signed: "2026-02-09",
            paid: p,
            intent: Cancel,
            received: "2026-03-03T04:59:00Z",
            contact: None,
            want: "cancel:2026-03-09 deactivated 0 [notice]",
        },
        Case {
            name: "Memorial Day in the window: deadline Fri May 22",
            policy: s,
            plan: M,
            signed: "2026-01-01",
            paid: j,
            intent: Cancel,
            received: "2026-05-22T15:00:00Z",
            contact: None,
            want: "cancel:2026-06-01 deactivated 0 [notice]",
        },
        Case {
            name: "the Tuesday after Memorial Day is late",
            policy: s,
            plan: M,
            signed: "2026-01-01",
            paid: j,
            intent: Cancel,
            received: "2026-05-26T15:00:00Z",
            contact: None,
            want: "cancel:2026-07-01 deactivated 1 [notice]",
        },
        Case {
            name: "the weekend before is late too",
            policy: s,
            plan: M,
            signed: "2026-01-01",
            paid: j,
            intent: Cancel,
            received: "2026-05-23T15:00:00Z",
            contact: None,
            want: "cancel:2026-07-01 deactivated 1 [notice]",
        },
        Case {
            name: "Thanksgiving in the window: deadline Fri Nov 20 for Mon Nov 30",
            policy: s,
            plan: M,
            signed: "2026-01-30",
            paid: Some(("2026-01-30", "99.00", "99.00")),
            intent: Cancel,
            received: "2026-11-20T15:00:00Z",
            contact: None,
            want: "cancel:2026-11-30 deactivated 0 [notice]",
        },
        Case {
            name: "Thanksgiving window, Mon Nov 23 is late",
            policy: s,
            plan: M,
            signed: "2026-01-30",
            paid: Some(("2026-01-30", "99.00", "99.00")),
            intent: Cancel,
            received: "2026-11-23T15:00:00Z",
            contact: None,
            want: "cancel:2026-12-30 deactivated 1 [notice]",
        },
        Case {
            name: "annual ends with the paid year",
            policy: s,
            plan: A,
            signed: "2025-09-01",
            paid: Some(("2025-09-01", "990.00", "990.00")),
            intent: Cancel,
            received: "2026-08-31T15:00:00Z",
            contact: None,
            want: "cancel:2026-09-01 deactivated 0 [full_year]",
        },
        Case {
            name: "both",
            policy: s,
            plan: M,
            signed: "2026-02-09",
            paid: p,
            intent: Both,
            received: "2026-03-03T15:00:00Z",
            contact: None,
            want: "refund:denied [non_refundable] + cancel:2026-04-09 deactivated 1 [notice]",
        },
    ]);
}

#[test]
fn fifth_vendor_needs_only_a_file() {
    let f = "fairplay";
    let yearly = Some(("2026-01-01", "365.00", "365.00"));
    run(&[
        Case {
            name: "any charge within 14 days",
            policy: f,
            plan: M,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "20.00", "25.00")),
            intent: Ref,
            received: "2026-03-24T12:00:00Z",
            contact: None,
            want: "refund:granted 25.00 [fourteen_days]",
        },
        Case {
            name: "day 15 after the renewal",
            policy: f,
            plan: M,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "20.00", "25.00")),
            intent: Ref,
            received: "2026-03-25T12:00:00Z",
            contact: None,
            want: "refund:denied [no_late_refund]",
        },
        Case {
            name: "annual day 45: prorated, and the subscription ends",
            policy: f,
            plan: A,
            signed: "2026-01-01",
            paid: yearly,
            intent: Ref,
            received: "2026-02-15T12:00:00Z",
            contact: None,
            want: "refund:granted 320.00 [annual_prorated] + cancel:2026-02-15 closed 0 [annual_prorated]",
        },
        Case {
            name: "annual day 60 is the last prorated day",
            policy: f,
            plan: A,
            signed: "2026-01-01",
            paid: yearly,
            intent: Ref,
            received: "2026-03-02T12:00:00Z",
            contact: None,
            want: "refund:granted 305.00 [annual_prorated] + cancel:2026-03-02 closed 0 [annual_prorated]",
        },
        Case {
            name: "annual day 61",
            policy: f,
            plan: A,
            signed: "2026-01-01",
            paid: yearly,
            intent: Ref,
            received: "2026-03-03T12:00:00Z",
            contact: None,
            want: "refund:denied [no_late_refund]",
        },
        Case {
            name: "prorating rounds half up",
            policy: f,
            plan: A,
            signed: "2026-01-01",
            paid: Some(("2026-01-01", "99.99", "99.99")),
            intent: Ref,
            received: "2026-02-15T12:00:00Z",
            contact: None,
            want: "refund:granted 87.66 [annual_prorated] + cancel:2026-02-15 closed 0 [annual_prorated]",
        },
        Case {
            name: "cancel at once, no notice",
            policy: f,
            plan: M,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "20.00", "20.00")),
            intent: Cancel,
            received: "2026-05-09T12:00:00Z",
            contact: None,
            want: "cancel:2026-05-09 closed 0 [cancel_any_time]",
        },
        Case {
            name: "both within 14 days",
            policy: f,
            plan: M,
            signed: "2026-01-10",
            paid: Some(("2026-01-10", "20.00", "20.00")),
            intent: Both,
            received: "2026-01-12T12:00:00Z",
            contact: None,
            want: "refund:granted 20.00 [fourteen_days] + cancel:2026-01-12 closed 0 [fourteen_days]",
        },
    ]);
}

#[test]
fn acceptance_scenarios_each_pass_by_name() {
    let dir = Path::new("tests/fixtures/acceptance");
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    let report = mailclerk::scenario::run_files(Path::new("config/policies"), &files);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let failed: Vec<String> = report
        .outcomes
        .iter()
        .filter(|o| !o.problems.is_empty())
        .map(|o| format!("{}: {}", o.id, o.problems.join("; ")))
        .collect();
    assert!(
        failed.is_empty(),
        "failing scenarios:\n{}",
        failed.join("\n")
    );
    let shared = report
        .outcomes
        .iter()
        .filter(|o| o.file.ends_with("policy-scenarios.toml"))
        .count();
    assert_eq!(shared, 34, "all 34 shared scenarios ran");
    assert!(
        report.outcomes.len() > 34,
        "the fifth vendor's scenarios ran too"
    );
}
