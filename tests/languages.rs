//! Replies in the seven languages: every template of every language, snapshot-tested through
//! the real policies; the language read from the customer's own text; a mailbox that turns
//! languages off; the clause translations and the disclosure line.

use std::path::Path;
use std::time::{Duration, SystemTime};

use mailclerk::accounts::{Account, Payments, PlanKind};
use mailclerk::classify::Intent;
use mailclerk::language::{Lang, Languages};
use mailclerk::money::{Currency, Money};
use mailclerk::parse::{Address, AutoHeaders, Inbound};
use mailclerk::policy::schema::Policy;
use mailclerk::policy::{self, History};
use mailclerk::render::{self, Templates};

fn templates() -> Templates {
    mailclerk::config::load_templates(Path::new("templates")).expect("templates load")
}

/// What a customer writes, per language (written for these tests).
fn customer_text(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Hello, I would like to stop my subscription and get my money back, please.",
        Lang::De => {
            "Guten Tag, bitte kündigen Sie mein Abonnement und erstatten Sie mir den letzten Betrag."
        }
        Lang::Es => {
            "Buenos días, quiero cancelar mi suscripción y que me devuelvan el último pago."
        }
        Lang::Fr => {
            "Bonjour, je souhaite résilier mon abonnement et être remboursé du dernier paiement."
        }
        Lang::Pt => {
            "Bom dia, quero cancelar a minha assinatura e receber de volta o último pagamento."
        }
        Lang::It => {
            "Buongiorno, vorrei disdire il mio abbonamento e avere il rimborso dell'ultimo pagamento."
        }
        Lang::Nl => {
            "Goedendag, ik wil mijn abonnement opzeggen en de laatste betaling terugkrijgen."
        }
    }
}

fn inbound(lang: Lang, received: &str) -> Inbound {
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
        subject: "Re: my subscription".into(),
        text: customer_text(lang).into(),
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

/// The message as lettre writes it (pinned date), headers then the readable body.
fn message_text(reply: &render::Reply) -> String {
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let bytes = mailclerk::send::to_message(reply, date)
        .unwrap()
        .formatted();
    let text = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
    let headers = text.split_once("\n\n").map(|(h, _)| h).unwrap_or(&text);
    format!("{headers}\n\n{}", reply.body)
}

/// One case per template: the vendor, account, intent and time that lead to it.
struct Case {
    name: &'static str,
    template: &'static str,
    vendor: &'static str,
    plan: PlanKind,
    paid: Option<(&'static str, &'static str)>,
    currency: &'static str,
    intent: Intent,
    received: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "refund_granted",
        template: "refund_granted",
        vendor: "notout",
        plan: PlanKind::Monthly,
        paid: Some(("2026-03-01", "1249.00")),
        currency: "USD",
        intent: Intent::Refund,
        received: "2026-03-20T15:00:00Z",
    },
    Case {
        name: "refund_denied",
        template: "refund_denied",
        vendor: "notout",
        plan: PlanKind::Monthly,
        paid: Some(("2026-03-01", "49.00")),
        currency: "USD",
        intent: Intent::Refund,
        received: "2026-04-01T15:00:00Z",
    },
    Case {
        name: "refund_denied_rials",
        template: "refund_denied",
        vendor: "crm24",
        plan: PlanKind::Monthly,
        paid: Some(("2026-03-11", "1500000")),
        currency: "IRR",
        intent: Intent::Refund,
        received: "2026-03-20T08:00:00Z",
    },
    Case {
        name: "refund_not_applicable",
        template: "refund_not_applicable",
        vendor: "crm-runner",
        plan: PlanKind::Monthly,
        paid: None,
        currency: "USD",
        intent: Intent::Refund,
        received: "2026-01-08T15:00:00Z",
    },
    Case {
        name: "refund_pending_contact",
        template: "refund_pending_contact",
        vendor: "crm-runner",
        plan: PlanKind::Monthly,
        paid: Some(("2026-03-15", "39.00")),
        currency: "USD",
        intent: Intent::Refund,
        received: "2026-03-20T15:00:00Z",
    },
    Case {
        name: "refund_and_cancel",
        template: "refund_and_cancel",
        vendor: "notout",
        plan: PlanKind::Monthly,
        paid: Some(("2026-03-01", "49.00")),
        currency: "EUR",
        intent: Intent::Both,
        received: "2026-03-10T15:00:00Z",
    },
    Case {
        name: "refund_and_cancel_late",
        template: "refund_and_cancel",
        vendor: "crm-runner",
        plan: PlanKind::Monthly,
        paid: Some(("2026-03-15", "39.00")),
        currency: "USD",
        intent: Intent::Both,
        received: "2026-03-20T15:00:00Z",
    },
    Case {
        name: "cancel_confirmed",
        template: "cancel_confirmed",
        vendor: "notout",
        plan: PlanKind::Annual,
        paid: Some(("2025-06-15", "490.00")),
        currency: "USD",
        intent: Intent::Cancellation,
        received: "2026-02-01T15:00:00Z",
    },
    Case {
        name: "cancel_confirmed_at_once",
        template: "cancel_confirmed",
        vendor: "crm-runner",
        plan: PlanKind::Annual,
        paid: Some(("2026-01-15", "390.00")),
        currency: "USD",
        intent: Intent::Cancellation,
        received: "2026-07-01T15:00:00Z",
    },
    Case {
        name: "cancel_late_notice",
        template: "cancel_late_notice",
        vendor: "smartcalls",
        plan: PlanKind::Monthly,
        paid: Some(("2026-02-09", "99.00")),
        currency: "USD",
        intent: Intent::Cancellation,
        received: "2026-03-03T15:00:00Z",
    },
];

fn render_case(case: &Case, lang: Lang) -> render::Reply {
    let policy = Policy::load_id(Path::new("config/policies"), case.vendor).unwrap();
    let acct = account(case.plan, case.paid, case.currency);
    let decision = policy::decide(
        &policy,
        &acct,
        case.intent,
        case.received.parse().unwrap(),
        &History::default(),
    )
    .unwrap();
    let mail = inbound(lang, case.received);
    render::render(&templates(), &policy, &decision, &mail, &acct).unwrap()
}

#[test]
fn every_template_in_every_language() {
    for lang in Lang::ALL {
        for case in CASES {
            let reply = render_case(case, lang);
            assert_eq!(
                reply.template,
                mailclerk::localize::template_name(lang, case.template),
                "{lang} {}",
                case.name
            );
            insta::assert_snapshot!(format!("{lang}_{}", case.name), message_text(&reply));
        }
        // The acknowledgement, closed (Thursday after the close in Tehran) and open.
        let policy = Policy::load_id(Path::new("config/policies"), "crm24").unwrap();
        for (name, now) in [
            ("ack_closed", "2026-11-19T09:40:00Z"),
            ("ack_open", "2026-11-21T06:00:00Z"),
        ] {
            let mail = inbound(lang, now);
            let reply =
                render::render_ack(&templates(), &policy, &mail, now.parse().unwrap()).unwrap();
            assert_eq!(
                reply.template,
                mailclerk::localize::template_name(lang, "ack_human")
            );
            insta::assert_snapshot!(format!("{lang}_{name}"), message_text(&reply));
        }
        // The confirmation question, to the account's registered address.
        let policy = Policy::load_id(Path::new("config/policies"), "notout").unwrap();
        let acct = account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD");
        let mail = inbound(lang, "2026-03-20T15:00:00Z");
        let token = "0123456789abcdef0123456789abcdef";
        let reply = render::render_confirm(
            &templates(),
            &policy,
            &mail,
            &acct,
            "ann@example.com",
            token,
        )
        .unwrap();
        assert!(
            reply.subject.ends_with(&format!("[confirm:{token}]")),
            "{}",
            reply.subject
        );
        let answer = Inbound {
            subject: format!("Re: {}", reply.subject),
            ..inbound(lang, "2026-03-21T15:00:00Z")
        };
        assert_eq!(mailclerk::confirm::tokens(&answer), vec![token.to_string()]);
        insta::assert_snapshot!(format!("{lang}_confirm_sender"), message_text(&reply));
    }
}
