//! Configuration errors: every mistake is reported, each with its file, key (or line) and what
//! was expected; the command exits 78.

use std::path::Path;

use mailclerk::config::Config;
use mailclerk::policy::schema::Policy;

fn config_errors(file: &str) -> String {
    Config::load(Path::new(file))
        .expect_err("the config must be rejected")
        .to_string()
}

fn policy_errors(file: &str) -> String {
    Policy::load(Path::new(file))
        .expect_err("the policy must be rejected")
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_shipped_configs_are_valid() {
    // config/mailclerk.toml needs its systemd credentials: tested through the binary in cli.rs.
    let cfg = Config::load(Path::new("config/demo.toml"))
        .unwrap_or_else(|e| panic!("config/demo.toml:\n{e}"));
    assert_eq!(cfg.mailboxes.len(), 4);
    for id in ["notout", "crm-runner", "crm24", "smartcalls", "fairplay"] {
        Policy::load_id(Path::new("config/policies"), id).unwrap_or_else(|e| panic!("{id}: {e:?}"));
    }
}

#[test]
fn unknown_policy_key_names_its_path_and_the_known_keys() {
    insta::assert_snapshot!(policy_errors("tests/fixtures/config/bad/policies/typo.toml"), @r#"tests/fixtures/config/bad/policies/typo.toml:13: refund.rule[0].windw_days: unknown field `windw_days`, expected one of `plans`, `charges`, `anchor`, `window_days`, `window_periods`, `amount`, `prior_contact_days`, `ends_subscription`, `clause`, `note`, `pending_note`"#);
}

#[test]
fn wrong_type_names_key_and_line() {
    insta::assert_snapshot!(policy_errors("tests/fixtures/config/bad/policies/wrong-type.toml"), @r#"tests/fixtures/config/bad/policies/wrong-type.toml:13: refund.rule[0].window_days: invalid type: string "30d", expected u32"#);
}

#[test]
fn every_semantic_mistake_in_a_policy_is_listed() {
    insta::assert_snapshot!(policy_errors("tests/fixtures/config/bad/policies/semantics.toml"), @r#"
tests/fixtures/config/bad/policies/semantics.toml: vendor.email: expected an email address, found "not-an-address"
tests/fixtures/config/bad/policies/semantics.toml: calendar.time_zone: unknown time zone "Asia/Teheran"; expected an IANA name such as "America/New_York"
tests/fixtures/config/bad/policies/semantics.toml: calendar.working_days[2]: expected a weekday such as "mon", found "funday"
tests/fixtures/config/bad/policies/semantics.toml: calendar.hours[0]: opens at 17:00:00 but closes at 09:00:00; expected open before close
tests/fixtures/config/bad/policies/semantics.toml: refund.rule[0].prior_contact_days: a rule that refunds nothing cannot ask for prior contact
tests/fixtures/config/bad/policies/semantics.toml: refund.otherwise_clause: no clause "missing_clause" under [clauses]; expected one of ["c"]
tests/fixtures/config/bad/policies/semantics.toml: cancellation.rule[0].notice_days: a cancellation effective at once has no notice period; use effective = "end_of_period"
tests/fixtures/config/bad/policies/semantics.toml: cancellation.rule: no rule covers the annual plan; every plan must be cancellable
tests/fixtures/config/bad/policies/semantics.toml: replies.refund_grunted: unknown outcome; expected one of ["refund_granted", "refund_denied", "refund_not_applicable", "refund_pending_contact", "cancel_confirmed", "cancel_late_notice", "refund_and_cancel", "ack_human"]
"#);
}

#[test]
fn not_toml_gives_the_line() {
    insta::assert_snapshot!(config_errors("tests/fixtures/config/bad/not-toml.toml"), @r#"
tests/fixtures/config/bad/not-toml.toml:4: not valid TOML: unclosed array table, expected `]`
1 error; nothing started.
"#);
}

#[test]
fn unknown_key_in_a_source() {
    insta::assert_snapshot!(config_errors("tests/fixtures/config/bad/unknown-key.toml"), @r#"
tests/fixtures/config/bad/unknown-key.toml:8: mailbox[0].source: unknown field `hots`, expected one of `host`, `port`, `security`, `ca_file`, `user`, `auth`, `password_file`, `password_env`, `password_credential`, `folder`, `idle`, `poll_seconds`, `catch_up_seconds`, `batch`, `timeout_seconds`, `answer_since`, `reconnect_max_seconds`
1 error; nothing started.
"#);
}

#[test]
fn all_mistakes_across_files_are_collected() {
    insta::assert_snapshot!(config_errors("tests/fixtures/config/bad/many.toml"), @r#"
tests/fixtures/config/bad/no-such-templates: cannot read the templates directory: No such file or directory (os error 2)
tests/fixtures/config/bad/many.toml: classify.refund[1]: invalid regular expression "(unclosed": regex parse error: (unclosed ^ error: unclosed group
tests/fixtures/config/bad/many.toml: max_message_bytes: expected at least 1024 bytes, found 10
tests/fixtures/config/bad/many.toml: mailbox[0].name: expected letters, digits, - or _, found "support desk"
tests/fixtures/config/bad/many.toml: mailbox[0].address: expected an email address, found "support.example.com"
tests/fixtures/config/bad/many.toml: mailbox[0].trusted_authserv_id: expected the authserv-id your mail server writes in Authentication-Results (for example "mx.vendor.example"): require_authenticated_sender = true needs it
tests/fixtures/config/bad/policies/semantics.toml: vendor.email: expected an email address, found "not-an-address"
tests/fixtures/config/bad/policies/semantics.toml: calendar.time_zone: unknown time zone "Asia/Teheran"; expected an IANA name such as "America/New_York"
tests/fixtures/config/bad/policies/semantics.toml: calendar.working_days[2]: expected a weekday such as "mon", found "funday"
tests/fixtures/config/bad/policies/semantics.toml: calendar.hours[0]: opens at 17:00:00 but closes at 09:00:00; expected open before close
tests/fixtures/config/bad/policies/semantics.toml: refund.rule[0].prior_contact_days: a rule that refunds nothing cannot ask for prior contact
tests/fixtures/config/bad/policies/semantics.toml: refund.otherwise_clause: no clause "missing_clause" under [clauses]; expected one of ["c"]
tests/fixtures/config/bad/policies/semantics.toml: cancellation.rule[0].notice_days: a cancellation effective at once has no notice period; use effective = "end_of_period"
tests/fixtures/config/bad/policies/semantics.toml: cancellation.rule: no rule covers the annual plan; every plan must be cancellable
tests/fixtures/config/bad/policies/semantics.toml: replies.refund_grunted: unknown outcome; expected one of ["refund_granted", "refund_denied", "refund_not_applicable", "refund_pending_contact", "cancel_confirmed", "cancel_late_notice", "refund_and_cancel", "ack_human"]
tests/fixtures/config/bad/many.toml: mailbox[0].source.path: expected a directory of .eml files, found nothing at tests/fixtures/config/bad/no-such-inbox
tests/fixtures/config/bad/many.toml: mailbox[1].trusted_authserv_id: expected a host name such as "mx.vendor.example" (the authserv-id your mail server writes in Authentication-Results), found "mx vendor.example"
tests/fixtures/config/bad/many.toml: mailbox[1].max_replies_per_hour: expected at least 1 (to stop automatic answers, set handling.mode = "draft")
tests/fixtures/config/bad/policies/no-such-policy.toml: cannot read the file: No such file or directory (os error 2)
tests/fixtures/config/bad/many.toml: mailbox[1].accounts_csv: no such file: tests/fixtures/config/bad/no-such.csv
20 errors; nothing started.
"#);
}

#[test]
fn a_template_typo_is_found_at_start_up() {
    insta::assert_snapshot!(config_errors("tests/fixtures/config/bad/template-typo.toml"), @r#"
tests/fixtures/config/bad/templates-typo/refund_granted.txt.j2: does not render for policy "notout": undefined value: `refund.amout` is undefined (in refund_granted:5)
1 error; nothing started.
"#);
}

/// `auto_refund_limit`: every mistake names the key and what was expected; a valid limit
/// holds back exactly the refunds above it, or in another currency.
#[test]
fn auto_refund_limit_is_validated_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string("config/policies/notout.toml").unwrap();
    let with_limit = |name: &str, table: &str| {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, format!("{shipped}\n[auto_refund_limit]\n{table}\n")).unwrap();
        path
    };
    let errors = |table: &str| -> String {
        Policy::load(&with_limit("bad", table))
            .expect_err("rejected")
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let cases = [
        (
            "amount = \"100.00\"\ncurrency = \"XYZ\"",
            "auto_refund_limit.currency: unknown currency \"XYZ\"; expected an ISO 4217 code such as \"USD\"",
        ),
        (
            "amount = \"100 USD\"\ncurrency = \"USD\"",
            "auto_refund_limit.amount: expected an amount in USD such as \"100.00\" (a plain number, the currency goes in auto_refund_limit.currency), found \"100 USD\"",
        ),
        (
            "amount = \"100.001\"\ncurrency = \"USD\"",
            "auto_refund_limit.amount: expected an amount in USD such as \"100.00\"",
        ),
        (
            "amount = \"-5\"\ncurrency = \"USD\"",
            "auto_refund_limit.amount: expected an amount in USD",
        ),
        ("amount = \"100.00\"", "missing field `currency`"),
        (
            "amount = \"100.00\"\ncurrency = \"USD\"\nper = \"day\"",
            "unknown field `per`",
        ),
    ];
    for (table, want) in cases {
        let got = errors(table);
        assert!(
            got.contains(want),
            "{table:?}:\n  want {want}\n  got  {got}"
        );
        assert!(got.contains("bad.toml"), "names the file: {got}");
    }

    use mailclerk::accounts::{Account, Payments, PlanKind};
    use mailclerk::classify::Intent;
    use mailclerk::money::{Currency, Money};
    use mailclerk::policy::{self, History};
    let policy =
        Policy::load(&with_limit("ok", "amount = \"100.00\"\ncurrency = \"USD\"")).unwrap();
    let decide = |amount: &str, currency: &str| {
        let c = Currency::from_code(currency).unwrap();
        let account = Account {
            id: "A-1".into(),
            name: "Ann".into(),
            emails: vec![],
            plan: PlanKind::Annual,
            signed_up_on: "2026-03-01".parse().unwrap(),
            paid: Some(Payments {
                first_paid_on: "2026-03-01".parse().unwrap(),
                first_payment: Money::parse(amount, c).unwrap(),
                last_payment: Money::parse(amount, c).unwrap(),
            }),
            currency: c,
        };
        let d = policy::decide(
            &policy,
            &account,
            Intent::Refund,
            "2026-03-10T15:00:00Z".parse().unwrap(),
            &History::default(),
        )
        .unwrap();
        policy.needs_approval(&d)
    };
    assert_eq!(decide("100.00", "USD"), None, "at the limit: sent");
    assert_eq!(
        decide("100.01", "USD").as_deref(),
        Some("a refund of 100.01 USD is above auto_refund_limit (100.00 USD)")
    );
    assert_eq!(
        decide("90.00", "EUR").as_deref(),
        Some("a refund of 90.00 EUR is in another currency than auto_refund_limit (100.00 USD)")
    );
}
