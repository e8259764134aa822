//! Rendered replies, snapshot-tested: every outcome of every vendor, through the real policy
//! files and templates, then through lettre with a pinned date so the bytes are stable.

use std::path::Path;
use std::time::{Duration, SystemTime};

use mailclerk::accounts::{Account, Payments, PlanKind};
use mailclerk::classify::Intent;
use mailclerk::money::{Currency, Money};
use mailclerk::parse::{Address, AutoHeaders, Inbound};
use mailclerk::policy::schema::Policy;
use mailclerk::policy::{self, History};
use mailclerk::render::{self, Templates};

fn templates() -> Templates {
    mailclerk::config::load_templates(Path::new("templates")).expect("templates load")
}

fn inbound(subject: &str, received: &str) -> Inbound {
    Inbound {
        message_id: "req-1@mail.example.com".into(),
        references: vec![],
        received: received.parse().unwrap(),
        from: Address {
            name: Some("Ann Example".into()),
            email: "ann@example.com".into(),
        },
        reply_to: None,
        recipients: vec!["support@vendor.example".into()],
        subject: subject.into(),
        text: "Please help.".into(),
        auto: AutoHeaders::default(),
        size: 100,
    }
}

fn account(plan: PlanKind, paid: Option<(&str, &str)>, currency: &str) -> Account {
    let currency = Currency::from_code(currency).unwrap();
    Account {
        id: "A-1".into(),
        name: "Ann Example".into(),
        emails: vec!["ann@example.com".into()],
        plan,
        signed_up_on: "2026-01-01".parse().unwrap(),
        paid: paid.map(|(on, amount)| Payments {
            first_paid_on: on.parse().unwrap(),
            first_payment: Money::parse(amount, currency).unwrap(),
            last_payment: Money::parse(amount, currency).unwrap(),
        }),
        currency,
    }
}

/// Decides, renders, and returns the full message text with a pinned date.
fn reply_text(
    vendor: &str,
    acct: &Account,
    intent: Intent,
    received: &str,
    contact: Option<&str>,
) -> String {
    let policy = Policy::load_id(Path::new("config/policies"), vendor).unwrap();
    let history = History {
        prior_contact_on: contact.map(|c| c.parse().unwrap()),
        ..History::default()
    };
    let decision =
        policy::decide(&policy, acct, intent, received.parse().unwrap(), &history).unwrap();
    let mail = inbound("Re: Re: my subscription", received);
    let reply = render::render(
        &templates(),
        &policy,
        &decision,
        &mail,
        acct,
        &policy.vendor.email,
    )
    .unwrap();
    message_text(&reply)
}

/// The message's headers as lettre writes them, then the body as the customer reads it
/// (the wire body is quoted-printable, which is unreadable in a snapshot).
fn message_text(reply: &render::Reply) -> String {
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let bytes = mailclerk::send::to_message(reply, date)
        .unwrap()
        .formatted();
    let text = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
    let headers = text.split_once("\n\n").map(|(h, _)| h).unwrap_or(&text);
    format!("{headers}\n\n{}", reply.body)
}

#[test]
fn notout_refund_granted() {
    let a = account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "notout",
        &a,
        Intent::Refund,
        "2026-03-20T15:00:00Z",
        None
    ));
}

#[test]
fn notout_refund_denied_names_the_last_day() {
    let a = account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "notout",
        &a,
        Intent::Refund,
        "2026-04-01T15:00:00Z",
        None
    ));
}

#[test]
fn notout_denial_months_later_names_the_guarantee_end_not_the_period_start() {
    // Demo 05: first paid 2026-05-31; the guarantee ended 2026-06-30, not 2026-10-30.
    let a = account(PlanKind::Monthly, Some(("2026-05-31", "49.00")), "USD");
    let text = reply_text("notout", &a, Intent::Both, "2026-11-18T14:12:00Z", None);
    assert!(text.contains("ended on 2026-06-30"), "{text}");
    assert!(!text.contains("2026-10-30"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn notout_repeated_cancellation_refers_to_the_first_answer() {
    let policy = Policy::load_id(Path::new("config/policies"), "notout").unwrap();
    let a = account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD");
    let first = "2026-03-10T15:00:00Z";
    let history = History {
        cancelled: Some(policy::Earlier {
            received: first.parse().unwrap(),
            intent: Intent::Both,
            effective: Some("2026-03-10".parse().unwrap()),
        }),
        refunded: Some(policy::Earlier {
            received: first.parse().unwrap(),
            intent: Intent::Both,
            effective: None,
        }),
        ..History::default()
    };
    let again = "2026-03-12T15:10:00Z";
    let decision = policy::decide(
        &policy,
        &a,
        Intent::Cancellation,
        again.parse().unwrap(),
        &history,
    )
    .unwrap();
    let mail = inbound("cancel my account", again);
    let reply = render::render(
        &templates(),
        &policy,
        &decision,
        &mail,
        &a,
        &policy.vendor.email,
    )
    .unwrap();
    assert!(
        reply
            .body
            .contains("We already confirmed your cancellation when you wrote on 2026-03-10"),
        "{}",
        reply.body
    );
    assert!(
        reply
            .body
            .contains("Your subscription was cancelled on 2026-03-10"),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("today"), "{}", reply.body);
    insta::assert_snapshot!(message_text(&reply));
}

#[test]
fn notout_both_inside() {
    let a = account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "notout",
        &a,
        Intent::Both,
        "2026-03-10T15:00:00Z",
        None
    ));
}

#[test]
fn notout_cancel_end_of_period() {
    let a = account(PlanKind::Annual, Some(("2025-06-15", "490.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "notout",
        &a,
        Intent::Cancellation,
        "2026-02-01T15:00:00Z",
        None
    ));
}

#[test]
fn runner_trial_refund_not_applicable() {
    let a = account(PlanKind::Monthly, None, "USD");
    insta::assert_snapshot!(reply_text(
        "crm-runner",
        &a,
        Intent::Refund,
        "2026-01-08T15:00:00Z",
        None
    ));
}

#[test]
fn runner_pending_contact() {
    let a = account(PlanKind::Monthly, Some(("2026-03-15", "39.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "crm-runner",
        &a,
        Intent::Refund,
        "2026-03-20T15:00:00Z",
        None
    ));
}

#[test]
fn runner_both_pending_and_late_notice() {
    let a = account(PlanKind::Monthly, Some(("2026-03-15", "39.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "crm-runner",
        &a,
        Intent::Both,
        "2026-03-20T15:00:00Z",
        None
    ));
}

#[test]
fn runner_yearly_cancel_at_once() {
    let a = account(PlanKind::Annual, Some(("2026-01-15", "390.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "crm-runner",
        &a,
        Intent::Cancellation,
        "2026-07-01T15:00:00Z",
        None
    ));
}

#[test]
fn smartcalls_late_notice() {
    let a = account(PlanKind::Monthly, Some(("2026-02-09", "99.00")), "USD");
    insta::assert_snapshot!(reply_text(
        "smartcalls",
        &a,
        Intent::Cancellation,
        "2026-03-03T15:00:00Z",
        None
    ));
}

#[test]
fn crm24_refund_denied_in_rials() {
    let a = account(PlanKind::Monthly, Some(("2026-03-11", "1500000")), "IRR");
    insta::assert_snapshot!(reply_text(
        "crm24",
        &a,
        Intent::Refund,
        "2026-03-20T08:00:00Z",
        None
    ));
}

#[test]
fn crm24_acknowledgement_names_the_next_opening() {
    let policy = Policy::load_id(Path::new("config/policies"), "crm24").unwrap();
    // Thursday 2026-11-19 13:10 in Tehran: after the 12:00 close; Friday is closed.
    let mail = inbound("Question about exports", "2026-11-19T09:40:00Z");
    let reply = render::render_ack(
        &templates(),
        &policy,
        &mail,
        "2026-11-19T09:40:00Z".parse().unwrap(),
        &policy.vendor.email,
    )
    .unwrap();
    assert!(
        reply
            .body
            .contains("Saturday 21 November 2026, 09:00 (Asia/Tehran)"),
        "{}",
        reply.body
    );
    insta::assert_snapshot!(message_text(&reply));
}

#[test]
fn customer_text_is_never_template_source_nor_a_header() {
    let policy = Policy::load_id(Path::new("config/policies"), "notout").unwrap();
    let a = Account {
        name: "{{ vendor.email }}{% raw %}".into(),
        ..account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD")
    };
    let decision = policy::decide(
        &policy,
        &a,
        Intent::Refund,
        "2026-03-20T15:00:00Z".parse().unwrap(),
        &History::default(),
    )
    .unwrap();
    let mut mail = inbound(
        "refund {{ 7*7 }}\r\nBcc: victim@example.org",
        "2026-03-20T15:00:00Z",
    );
    mail.from.name = Some("Eve\r\nBcc: victim@example.org".into());
    let reply = render::render(
        &templates(),
        &policy,
        &decision,
        &mail,
        &a,
        &policy.vendor.email,
    )
    .unwrap();
    assert!(
        reply.body.contains("Hello {{ vendor.email }}{% raw %},"),
        "{}",
        reply.body
    );
    assert_eq!(
        reply.subject,
        "Re: refund {{ 7*7 }} Bcc: victim@example.org"
    );
    let text = message_text(&reply);
    assert!(!text.contains("\nBcc:"), "{text}");
    assert!(
        !text.contains("Eve"),
        "the display name is never copied: {text}"
    );
}

#[test]
fn a_template_with_an_undefined_variable_fails_instead_of_sending_blanks() {
    let policy = Policy::load_id(Path::new("config/policies"), "notout").unwrap();
    let sources = [(
        "refund_granted".to_string(),
        "Refund of {{ refund.amount }} on {{ refund.paid_on }}".to_string(),
    )]
    .into_iter()
    .collect();
    let broken = Templates::from_sources(sources).unwrap();
    let a = account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD");
    let decision = policy::decide(
        &policy,
        &a,
        Intent::Refund,
        "2026-03-20T15:00:00Z".parse().unwrap(),
        &History::default(),
    )
    .unwrap();
    let err = render::render(
        &broken,
        &policy,
        &decision,
        &inbound("x", "2026-03-20T15:00:00Z"),
        &a,
        &policy.vendor.email,
    )
    .unwrap_err();
    assert_eq!(err.template, "refund_granted");
    assert!(err.problem.contains("undefined"), "{}", err.problem);
}

/// Every NotOut refund request over two years of first payments and a spread of request days,
/// monthly and annual, decided and rendered: granted exactly while the request date is within
/// 30 days of the first payment (amount: the first payment), and every denial states the
/// guarantee's real end, first payment + 30 days, and no other date but the request date.
#[test]
fn notout_refund_window_over_two_years_of_first_payments() {
    let policy = Policy::load_id(Path::new("config/policies"), "notout").unwrap();
    let templates = templates();
    let start: jiff::civil::Date = "2025-01-01".parse().unwrap();
    let (mut grants, mut denials, mut wrong) = (0, 0, Vec::new());
    for day in 0..730 {
        let first = start.checked_add(jiff::Span::new().days(day)).unwrap();
        for plan in [PlanKind::Monthly, PlanKind::Annual] {
            for offset in [0, 27, 28, 29, 30, 31, 32, 45, 61, 200, 400] {
                let on = first.checked_add(jiff::Span::new().days(offset)).unwrap();
                // 15:00 UTC is 10:00 or 11:00 in New York: the same calendar day.
                let received = format!("{on}T15:00:00Z");
                let mut a = account(plan, Some((&first.to_string(), "49.00")), "USD");
                a.signed_up_on = first;
                if let Some(p) = a.paid.as_mut() {
                    p.last_payment = Money::parse("59.00", a.currency).unwrap();
                }
                let d = policy::decide(
                    &policy,
                    &a,
                    Intent::Refund,
                    received.parse().unwrap(),
                    &History::default(),
                )
                .unwrap();
                let end = first.checked_add(jiff::Span::new().days(30)).unwrap();
                let f = d.fields();
                let kind = f["refund"].as_str().unwrap();
                let window_end = f.get("refund_window_end").and_then(|v| v.as_str());
                let ok = match (offset <= 30, kind) {
                    (true, "granted") => {
                        grants += 1;
                        f["refund_amount"] == "49.00" && window_end == Some(&end.to_string())
                    }
                    (false, "denied") => {
                        denials += 1;
                        let mail = inbound("refund", &received);
                        let reply = render::render(
                            &templates,
                            &policy,
                            &d,
                            &mail,
                            &a,
                            &policy.vendor.email,
                        )
                        .unwrap();
                        let stated: Vec<&str> = reply
                            .body
                            .split(|c: char| !(c.is_ascii_digit() || c == '-'))
                            .filter(|w| w.len() == 10 && w.as_bytes()[4] == b'-')
                            .collect();
                        window_end == Some(&end.to_string())
                            && stated
                                .iter()
                                .all(|s| *s == end.to_string() || *s == on.to_string())
                            && stated.contains(&end.to_string().as_str())
                    }
                    _ => false,
                };
                if !ok {
                    wrong.push(format!("{plan:?} first paid {first}, request {on}: {f:?}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} wrong (first: {:?})",
        wrong.len(),
        grants + denials + wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    assert_eq!(grants, 730 * 2 * 5);
    assert_eq!(denials, 730 * 2 * 6);
    println!("NotOut refund window: {grants} grants, {denials} denials, 0 wrong dates or amounts");
}
