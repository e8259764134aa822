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
    render::render(
        &templates(),
        &policy,
        &decision,
        &mail,
        &acct,
        &policy.vendor.email,
    )
    .unwrap()
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
        // A repeated cancellation: the answer refers to the first (history from the ledger).
        {
            let policy = Policy::load_id(Path::new("config/policies"), "notout").unwrap();
            let acct = account(PlanKind::Monthly, Some(("2026-03-01", "49.00")), "USD");
            let first = "2026-03-10T15:00:00Z";
            let earlier = |effective: Option<&str>| policy::Earlier {
                received: first.parse().unwrap(),
                intent: Intent::Both,
                effective: effective.map(|d| d.parse().unwrap()),
            };
            let history = History {
                cancelled: Some(earlier(Some("2026-03-10"))),
                refunded: Some(earlier(None)),
                ..History::default()
            };
            let again = "2026-03-12T15:10:00Z";
            let decision = policy::decide(
                &policy,
                &acct,
                Intent::Cancellation,
                again.parse().unwrap(),
                &history,
            )
            .unwrap();
            let reply = render::render(
                &templates(),
                &policy,
                &decision,
                &inbound(lang, again),
                &acct,
                &policy.vendor.email,
            )
            .unwrap();
            insta::assert_snapshot!(format!("{lang}_cancel_repeated"), message_text(&reply));
        }
        // The acknowledgement, closed (Thursday after the close in Tehran) and open.
        let policy = Policy::load_id(Path::new("config/policies"), "crm24").unwrap();
        for (name, now) in [
            ("ack_closed", "2026-11-19T09:40:00Z"),
            ("ack_open", "2026-11-21T06:00:00Z"),
        ] {
            let mail = inbound(lang, now);
            let reply = render::render_ack(
                &templates(),
                &policy,
                &mail,
                now.parse().unwrap(),
                &policy.vendor.email,
            )
            .unwrap();
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
            &policy.vendor.email,
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

/// The demo configuration in `tmp`, with `extra` lines added to the notout mailbox and the
/// templates copied to `tmp/templates` (so a test may break one).
fn demo_with(tmp: &Path, extra: &str) -> std::path::PathBuf {
    let cfg = crate::cli::demo_config(tmp);
    let templates = tmp.join("templates");
    copy_dir(Path::new("templates"), &templates);
    let repo_templates = format!("{:?}", std::env::current_dir().unwrap().join("templates"));
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace(&repo_templates, &format!("{:?}", templates))
        .replacen(
            "name = \"notout\"\n",
            &format!("name = \"notout\"\n{extra}\n"),
            1,
        );
    std::fs::write(&cfg, text).unwrap();
    cfg
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn check_json(cfg: &Path, file: &str) -> serde_json::Value {
    let cfg = mailclerk::config::Config::load(cfg).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    let opts = mailclerk::check::Options {
        json: true,
        ..Default::default()
    };
    let failed = mailclerk::check::check_files(&cfg, &opts, &[file.into()], &mut out).unwrap();
    assert_eq!(failed, 0);
    serde_json::from_slice(&out).unwrap()
}

const GERMAN_DEMO: &str =
    "config/demo/notout/inbox/04-kuendigung-rueckerstattung-german-late-evening.eml";

#[test]
fn an_english_only_mailbox_answers_german_in_english_with_its_own_disclosure() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo_with(
        tmp.path(),
        "languages = [\"en\"]\ndisclosure = { human_contact = \"people@notoutcrm.com\", text = { en = \"Prepared automatically. A person answers at people@notoutcrm.com or +1 555 0100.\" } }",
    );
    let v = check_json(&cfg, GERMAN_DEMO);
    assert_eq!(v["language"], "en", "{v}");
    assert_eq!(v["language_choice"]["because"], "not_enabled");
    assert_eq!(v["reply"]["template"], "refund_and_cancel");
    let body = v["reply"]["body"].as_str().unwrap();
    assert!(
        body.contains("Prepared automatically. A person answers at people@notoutcrm.com"),
        "{body}"
    );
    assert!(
        !body.contains("This reply was prepared automatically"),
        "{body}"
    );
}

#[test]
fn the_default_language_answers_what_cannot_be_told() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo_with(tmp.path(), "default_language = \"de\"");
    // Message 01 is English and long enough: English, though the default is German.
    let v = check_json(
        &cfg,
        "config/demo/notout/inbox/01-refund-within-guarantee.eml",
    );
    assert_eq!(v["language"], "en", "{v}");
    // The disclosure names the mailbox address when no human_contact is set.
    let body = v["reply"]["body"].as_str().unwrap();
    assert!(
        body.contains("To reach a\nperson, write to support@notoutcrm.com."),
        "{body}"
    );
}

#[test]
fn config_check_names_the_file_and_language_of_every_template_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo_with(
        tmp.path(),
        "languages = [\"en\", \"fr\", \"pl\", \"de\"]\ndefault_language = \"es\"",
    );
    std::fs::remove_file(tmp.path().join("templates/fr/refund_denied.txt.j2")).unwrap();
    let err = mailclerk::config::Config::load(&cfg)
        .unwrap_err()
        .to_string();
    let t = tmp.path().join("templates");
    let c = cfg.display();
    assert!(err.contains(&format!("{c} line 19, key mailbox[0].languages[2]: unknown language \"pl\"; expected one of [\"en\", \"de\", \"es\", \"fr\", \"pt\", \"it\", \"nl\"]")), "{err}");
    assert!(err.contains(&format!("{c} line 20, key mailbox[0].default_language: \"es\" is not among languages = [\"en\", \"fr\", \"de\"]")), "{err}");

    // With the settings right, the missing file is named with its language.
    let cfg = demo_with(tmp.path(), "languages = [\"en\", \"fr\", \"de\"]");
    std::fs::remove_file(tmp.path().join("templates/fr/refund_denied.txt.j2")).unwrap();
    let err = mailclerk::config::Config::load(&cfg)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("{}, key fr/refund_denied.txt.j2: missing template for outcome \"refund_denied\" of policy \"notout\" in language fr; add the file or leave \"fr\" out of the mailbox's languages", t.display())), "{err}");

    // A template that parses but fails for one language only: rendered in every language.
    let cfg = demo_with(tmp.path(), "");
    let broken = t.join("de/refund_granted.txt.j2");
    let text = std::fs::read_to_string(&broken)
        .unwrap()
        .replace("refund.amount | money", "refund.amount | date");
    std::fs::write(&broken, text).unwrap();
    let err = mailclerk::config::Config::load(&cfg)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("{}: does not render for policy \"notout\" (language de): invalid operation: date: expected a date such as 2026-06-30, found \"49.00 USD\"", broken.display())), "{err}");
}

#[test]
fn without_a_languages_key_a_mailbox_writes_the_languages_its_templates_have() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo_with(tmp.path(), "");
    for lang in ["es", "fr", "pt", "it", "nl", "de"] {
        std::fs::remove_dir_all(tmp.path().join("templates").join(lang)).unwrap();
    }
    // An English-only templates directory, as before languages existed: still valid, English.
    let v = check_json(&cfg, GERMAN_DEMO);
    assert_eq!(v["language"], "en", "{v}");
    assert_eq!(v["reply"]["template"], "refund_and_cancel");
}

#[test]
fn clause_and_note_translations_are_used_where_the_policy_gives_them() {
    // The shipped NotOut policy translates its clauses and notes.
    let policy = Policy::load_id(Path::new("config/policies"), "notout").unwrap();
    let granted = &CASES[0];
    let acct = account(granted.plan, granted.paid, granted.currency);
    let decision = policy::decide(
        &policy,
        &acct,
        granted.intent,
        granted.received.parse().unwrap(),
        &History::default(),
    )
    .unwrap();
    let reply = |lang| {
        render::render(
            &templates(),
            &policy,
            &decision,
            &inbound(lang, granted.received),
            &acct,
            &policy.vendor.email,
        )
        .unwrap()
        .body
    };
    let de = reply(Lang::De);
    // The vendor's words first, then the translation, marked as such.
    assert!(de.contains("  \"Please contact our support staff at support@notoutcrm.com within 30 days of purchasing your initial subscription.\"\nÜbersetzung (maßgeblich ist allein der Wortlaut oben):\n  „Bitte wenden Sie sich innerhalb von 30 Tagen"), "{de}");
    // A note is not authority: its translation replaces it.
    assert!(
        de.contains("\nErstattungen erscheinen je nach Bank"),
        "{de}"
    );
    assert!(!de.contains("Refunds usually take"), "{de}");
    let en = reply(Lang::En);
    assert!(
        en.contains("Refunds usually take 5-7 business days"),
        "{en}"
    );
    assert!(!en.contains("In English"), "the original is English: {en}");

    // Without a French translation, the French reply quotes the vendor's words only.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("config/policies/notout.toml").unwrap();
    let no_french = text.replace("fr = \"Veuillez contacter", "# fr = \"Veuillez contacter");
    assert_ne!(no_french, text, "the policy changed: adapt this test");
    std::fs::write(tmp.path().join("notout.toml"), &no_french).unwrap();
    let policy = Policy::load_id(tmp.path(), "notout").unwrap();
    let fr = render::render(
        &templates(),
        &policy,
        &decision,
        &inbound(Lang::Fr, granted.received),
        &acct,
        &policy.vendor.email,
    )
    .unwrap()
    .body;
    assert!(
        fr.contains("within 30 days of purchasing your initial subscription.\"\n\n"),
        "{fr}"
    );
    assert!(!fr.contains("Traduction"), "{fr}");

    // A language that does not exist is a config error naming the key.
    std::fs::write(
        tmp.path().join("notout.toml"),
        text.replace("\nde = \"Bitte wenden", "\npl = \"Bitte wenden"),
    )
    .unwrap();
    let err = Policy::load_id(tmp.path(), "notout").unwrap_err();
    assert_eq!(err[0].key, "clauses.guarantee.quote.pl", "{err:?}");
    assert!(
        err[0]
            .problem
            .contains("expected `original` or a language code"),
        "{err:?}"
    );
    std::fs::write(
        tmp.path().join("notout.toml"),
        text.replace("note.de = \"Erstattungen", "note.xx = \"Erstattungen"),
    )
    .unwrap();
    let err = Policy::load_id(tmp.path(), "notout").unwrap_err();
    assert!(
        err[0]
            .to_string()
            .contains("refund.rule[0].note: xx: expected `original` or a language code"),
        "{err:?}"
    );
}

#[test]
fn languages_settings_round_trip_through_choose() {
    // The mailbox's settings decide; detection alone does not.
    let english_only = Languages {
        enabled: vec![Lang::En],
        default: Lang::En,
    };
    let mail = inbound(Lang::De, "2026-03-20T15:00:00Z");
    assert_eq!(
        mailclerk::language::choose(&english_only, &mail.subject, &mail.text).lang(),
        Lang::En
    );
    assert_eq!(
        mailclerk::language::choose(&Languages::default(), &mail.subject, &mail.text).lang(),
        Lang::De
    );
}
