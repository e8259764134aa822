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
tests/fixtures/config/bad/templates-typo/refund_granted.txt.j2: does not render for policy "notout": undefined value: `refund.amout` is undefined (in refund_granted:5)
1 error; nothing started.
"#);
}
