//! `config check`'s rehearsal: every template of a policy rendered once, in every enabled
//! language, with made-up values.

use jiff::Timestamp;

use super::{
    CONFIRM_TEMPLATE, RenderError, Templates, render_ack_in, render_confirm_in, render_in,
};
use crate::parse::Inbound;
use crate::policy::schema::Policy;
use crate::policy::{Cancellation, Clause, Decision, Refund, Timing};

/// Renders every outcome's template of `policy` once with made-up values, so that a template
/// naming a variable that does not exist is found by `config check` at start-up rather than
/// on a customer's message.
///
/// # Errors
/// Every outcome whose template fails, with the reason.
pub fn rehearse(templates: &Templates, policy: &Policy) -> Result<(), Vec<RenderError>> {
    use crate::accounts::{Account, PlanKind};
    use crate::money::{Currency, Money};
    use crate::parse::{Address, AutoHeaders};
    use crate::policy::{AccountState, DenyReason};
    use jiff::civil::date;

    let currency = Currency::from_code("USD").expect("USD is known");
    let clause = Clause {
        id: "rehearsal".into(),
        title: "Rehearsal".into(),
        quote: "Rehearsal.".into(),
    };
    let account = Account {
        id: "rehearsal".into(),
        name: "Rehearsal".into(),
        emails: vec!["rehearsal@example.com".into()],
        plan: PlanKind::Monthly,
        signed_up_on: date(2026, 1, 1),
        paid: None,
        currency,
    };
    let mail = Inbound {
        message_id: "rehearsal@example.com".into(),
        references: vec![],
        received: Timestamp::UNIX_EPOCH,
        from: Address {
            name: None,
            email: "rehearsal@example.com".into(),
        },
        reply_to: None,
        recipients: vec![],
        subject: "Rehearsal".into(),
        text: String::new(),
        auto: AutoHeaders::default(),
        size: 0,
    };
    let note = Some("Note.".to_string());
    let refunds = [
        Refund::Granted {
            amount: Money::from_minor(4900, currency),
            window_end: Some(date(2026, 1, 31)),
            clause: clause.clone(),
            note: note.clone(),
        },
        Refund::Granted {
            amount: Money::from_minor(4900, currency),
            window_end: None,
            clause: clause.clone(),
            note: None,
        },
        Refund::Denied {
            why: DenyReason::WindowClosed {
                last_day: date(2026, 1, 31),
            },
            clause: clause.clone(),
            note: None,
        },
        Refund::Denied {
            why: DenyReason::NotRefundable,
            clause: clause.clone(),
            note: note.clone(),
        },
        Refund::NotApplicable {
            clause: clause.clone(),
            note: None,
        },
        Refund::PendingContact {
            clause: clause.clone(),
            note: note.clone(),
        },
    ];
    let cancel = |timing, late: bool| Cancellation {
        effective: date(2026, 3, 1),
        charges_before_end: u32::from(late),
        late_for: late.then(|| date(2026, 2, 1)),
        notice_deadline: late.then(|| date(2026, 1, 2)),
        account_state: AccountState::Cancelled,
        timing,
        charge_to_come: late.then(|| crate::policy::Charge {
            on: date(2026, 2, 1),
            amount: Money::from_minor(4900, currency),
        }),
        clause: clause.clone(),
        note: if late { None } else { note.clone() },
    };
    let cancellations = [
        cancel(Timing::AtOnce, false),
        cancel(Timing::EndOfPeriod, false),
        cancel(Timing::LateNotice, true),
    ];
    let received = Timestamp::UNIX_EPOCH.to_zoned(policy.calendar.zone.clone());
    let decision =
        |refund: Option<&Refund>, cancellation: Option<&Cancellation>, repeats| Decision {
            received: received.clone(),
            refund: refund.cloned(),
            cancellation: cancellation.cloned(),
            repeats,
        };
    let mut decisions = Vec::new();
    for r in &refunds {
        decisions.push(decision(Some(r), None, None));
        for c in &cancellations {
            decisions.push(decision(Some(r), Some(c), None));
        }
    }
    for c in &cancellations {
        decisions.push(decision(None, Some(c), None));
        decisions.push(decision(None, Some(c), Some(received.timestamp())));
    }
    let from = "rehearsal@example.com";
    let mut errors: Vec<RenderError> = Vec::new();
    let mut push = |e: RenderError| {
        if !errors.contains(&e) {
            errors.push(e);
        }
    };
    for &lang in &policy.voice.languages.enabled {
        for d in &decisions {
            if let Err(e) = render_in(templates, policy, d, &mail, &account, from, lang) {
                push(e);
            }
        }
        // Open now and closed now: each branch of the acknowledgement.
        for now in [
            Timestamp::UNIX_EPOCH,
            Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(24 * 4 + 14),
        ] {
            if let Err(e) = render_ack_in(templates, policy, &mail, now, from, lang) {
                push(e);
            }
        }
        if templates.has(CONFIRM_TEMPLATE)
            && let Err(e) = render_confirm_in(
                templates,
                policy,
                &mail,
                &account,
                (
                    "rehearsal@example.com",
                    "0123456789abcdef0123456789abcdef",
                    from,
                ),
                lang,
            )
        {
            push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
