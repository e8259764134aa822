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
