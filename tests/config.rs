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

/// Every `*.toml` under tests/fixtures/config/bad (configurations) and bad/policies (policies)
/// with a `.expected` sidecar: the report, exactly. `MAILCLERK_BLESS=1` rewrites the sidecars
/// (then read the diff).
#[test]
fn every_bad_file_reports_exactly_its_expected_mistakes() {
    let bless = std::env::var_os("MAILCLERK_BLESS").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (dir, load) in [
        (
            "tests/fixtures/config/bad",
            config_errors as fn(&str) -> String,
        ),
        ("tests/fixtures/config/bad/policies", policy_errors),
    ] {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for file in files {
            let sidecar = file.with_extension("expected");
            let got = load(file.to_str().unwrap()) + "\n";
            if bless {
                std::fs::write(&sidecar, &got).unwrap();
            }
            let Ok(want) = std::fs::read_to_string(&sidecar) else {
                continue;
            };
            checked += 1;
            if got != want {
                failures.push(format!(
                    "{}:\n--- want\n{want}--- got\n{got}",
                    file.display()
                ));
            }
        }
    }
    assert!(
        checked >= 8,
        "only {checked} fixtures have a .expected file"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_message_speaks_rust() {
    // serde's and jiff's own wording, which an operator should never have to read.
    let jargon = [
        "invalid type",
        "expected usize",
        "expected u32",
        "expected u16",
        "must be in range",
        "unknown field `",
        "unknown variant `",
        "..=",
    ];
    for dir in [
        "tests/fixtures/config/bad",
        "tests/fixtures/config/bad/policies",
    ] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "expected") {
                let text = std::fs::read_to_string(&p).unwrap();
                for j in jargon {
                    assert!(!text.contains(j), "{}: {j:?} in\n{text}", p.display());
                }
            }
        }
    }
}

#[test]
fn a_template_typo_is_found_at_start_up() {
    insta::assert_snapshot!(config_errors("tests/fixtures/config/bad/template-typo.toml"), @r#"
tests/fixtures/config/bad/templates-typo/refund_granted.txt.j2: does not render for policy "notout" (language en): undefined value: `refund.amout` is undefined (in refund_granted:5)
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
        (
            "amount = \"100.00\"",
            "auto_refund_limit.currency: missing: this key is required",
        ),
        (
            "amount = \"100.00\"\ncurrency = \"USD\"\nper = \"day\"",
            "auto_refund_limit.per: unknown key; expected one of amount, currency",
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
