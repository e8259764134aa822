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
use mailclerk::render::{self, Reply, Templates};

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

fn policy(vendor: &str) -> Policy {
    Policy::load_id(Path::new("config/policies"), vendor).unwrap()
}

/// Renders `decision` as the reply to `mail` with the shipped templates.
fn render(policy: &Policy, decision: &policy::Decision, mail: &Inbound, acct: &Account) -> Reply {
    render::render(
        &templates(),
        policy,
        decision,
        mail,
        acct,
        &policy.vendor.email,
    )
    .unwrap()
}

/// The message's headers as lettre writes them, then the body as the customer reads it
/// (the wire body is quoted-printable, which is unreadable in a snapshot).
fn message_text(reply: &Reply) -> String {
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let bytes = mailclerk::send::to_message(reply, date)
        .unwrap()
        .formatted();
    let text = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
    let headers = text.split_once("\n\n").map(|(h, _)| h).unwrap_or(&text);
    format!("{headers}\n\n{}", reply.body)
}

/// One reply snapshot: a vendor's decision for an account, rendered and sent through lettre.
struct Case {
    vendor: &'static str,
    account: Account,
    intent: Intent,
    received: &'static str,
    subject: &'static str,
    history: History,
    /// Text the reply's body must contain.
    says: Vec<&'static str>,
    /// Text nowhere in the message.
    never: Vec<&'static str>,
}

impl Case {
    fn new(vendor: &'static str, account: Account, intent: Intent, received: &'static str) -> Case {
        Case {
            vendor,
            account,
            intent,
            received,
            subject: "Re: Re: my subscription",
            history: History::default(),
            says: Vec::new(),
            never: Vec::new(),
        }
    }

    fn subject(self, subject: &'static str) -> Case {
        Case { subject, ..self }
    }

    fn history(self, history: History) -> Case {
        Case { history, ..self }
    }

    fn says(mut self, text: &'static str) -> Case {
        self.says.push(text);
        self
    }

    fn never(mut self, text: &'static str) -> Case {
        self.never.push(text);
        self
    }
}

/// Decides and renders `case`, checks what it must and must not say, and snapshots the whole
/// message under the case's name (`tests/snapshots/integration__replies__{name}.snap`).
fn reply_snapshot(name: &str, case: Case) {
    let policy = policy(case.vendor);
    let received = case.received.parse().unwrap();
    let decision =
        policy::decide(&policy, &case.account, case.intent, received, &case.history).unwrap();
    let reply = render(
        &policy,
        &decision,
        &inbound(case.subject, case.received),
        &case.account,
    );
    let text = message_text(&reply);
    for want in &case.says {
        assert!(
            reply.body.contains(want),
            "{name}: no {want:?} in\n{}",
            reply.body
        );
    }
    for unwanted in &case.never {
        assert!(!text.contains(unwanted), "{name}: {unwanted:?} in\n{text}");
    }
    insta::assert_snapshot!(name, text);
}

/// One `#[test]` per case: `name: case;` calls `reply_snapshot("name", case)`.
macro_rules! cases {
    ($($name:ident: $case:expr;)+) => {$(
        #[test]
        fn $name() {
            reply_snapshot(stringify!($name), $case)
        }
    )+};
}

fn paid(plan: PlanKind, on: &str, amount: &str, currency: &str) -> Account {
    account(plan, Some((on, amount)), currency)
}

/// The decision on a refund request of 2026-03-20 with no history.
fn refund_on_0320(policy: &Policy, acct: &Account) -> policy::Decision {
    let received = "2026-03-20T15:00:00Z".parse().unwrap();
    policy::decide(policy, acct, Intent::Refund, received, &History::default()).unwrap()
}

/// NotOut: the customer cancelled and was refunded on 2026-03-10 (both in one request).
fn cancelled_and_refunded_on_0310() -> History {
    let first: jiff::Timestamp = "2026-03-10T15:00:00Z".parse().unwrap();
    History {
        cancelled: Some(policy::Earlier {
            received: first,
            intent: Intent::Both,
            effective: Some("2026-03-10".parse().unwrap()),
        }),
        refunded: Some(policy::Earlier {
            received: first,
            intent: Intent::Both,
            effective: None,
        }),
        ..History::default()
    }
}

cases! {
    notout_refund_granted: Case::new("notout",
        paid(PlanKind::Monthly, "2026-03-01", "49.00", "USD"), Intent::Refund, "2026-03-20T15:00:00Z");
    notout_refund_denied_names_the_last_day: Case::new("notout",
        paid(PlanKind::Monthly, "2026-03-01", "49.00", "USD"), Intent::Refund, "2026-04-01T15:00:00Z");
    // Demo 05: first paid 2026-05-31; the guarantee ended 2026-06-30, not 2026-10-30.
    notout_denial_months_later_names_the_guarantee_end_not_the_period_start: Case::new("notout",
        paid(PlanKind::Monthly, "2026-05-31", "49.00", "USD"), Intent::Both, "2026-11-18T14:12:00Z")
        .says("ended on 2026-06-30")
        .never("2026-10-30");
    notout_repeated_cancellation_refers_to_the_first_answer: Case::new("notout",
        paid(PlanKind::Monthly, "2026-03-01", "49.00", "USD"), Intent::Cancellation, "2026-03-12T15:10:00Z")
        .subject("cancel my account")
        .history(cancelled_and_refunded_on_0310())
        .says("We already confirmed your cancellation when you wrote on 2026-03-10")
        .says("Your subscription was cancelled on 2026-03-10")
        .never("today");
    notout_both_inside: Case::new("notout",
        paid(PlanKind::Monthly, "2026-03-01", "49.00", "USD"), Intent::Both, "2026-03-10T15:00:00Z");
    notout_cancel_end_of_period: Case::new("notout",
        paid(PlanKind::Annual, "2025-06-15", "490.00", "USD"), Intent::Cancellation, "2026-02-01T15:00:00Z");
    runner_trial_refund_not_applicable: Case::new("crm-runner",
        account(PlanKind::Monthly, None, "USD"), Intent::Refund, "2026-01-08T15:00:00Z");
    runner_pending_contact: Case::new("crm-runner",
        paid(PlanKind::Monthly, "2026-03-15", "39.00", "USD"), Intent::Refund, "2026-03-20T15:00:00Z");
    runner_both_pending_and_late_notice: Case::new("crm-runner",
        paid(PlanKind::Monthly, "2026-03-15", "39.00", "USD"), Intent::Both, "2026-03-20T15:00:00Z");
    runner_yearly_cancel_at_once: Case::new("crm-runner",
        paid(PlanKind::Annual, "2026-01-15", "390.00", "USD"), Intent::Cancellation, "2026-07-01T15:00:00Z");
    smartcalls_late_notice: Case::new("smartcalls",
        paid(PlanKind::Monthly, "2026-02-09", "99.00", "USD"), Intent::Cancellation, "2026-03-03T15:00:00Z");
    crm24_refund_denied_in_rials: Case::new("crm24",
        paid(PlanKind::Monthly, "2026-03-11", "1500000", "IRR"), Intent::Refund, "2026-03-20T08:00:00Z");
}

#[test]
fn crm24_acknowledgement_names_the_next_opening() {
    let policy = policy("crm24");
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
    let policy = policy("notout");
    let a = Account {
        name: "{{ vendor.email }}{% raw %}".into(),
        ..paid(PlanKind::Monthly, "2026-03-01", "49.00", "USD")
    };
    let decision = refund_on_0320(&policy, &a);
    let mut mail = inbound(
        "refund {{ 7*7 }}\r\nBcc: victim@example.org",
        "2026-03-20T15:00:00Z",
    );
    mail.from.name = Some("Eve\r\nBcc: victim@example.org".into());
    let reply = render(&policy, &decision, &mail, &a);
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
    let policy = policy("notout");
    let sources = [(
        "refund_granted".to_string(),
        "Refund of {{ refund.amount }} on {{ refund.paid_on }}".to_string(),
    )]
    .into_iter()
    .collect();
    let broken = Templates::from_sources(sources).unwrap();
    let a = paid(PlanKind::Monthly, "2026-03-01", "49.00", "USD");
    let decision = refund_on_0320(&policy, &a);
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
    let policy = policy("notout");
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
