//! `decisions`, `explain` and `replay` on the demo (directory mailboxes), after one
//! `mailclerk run --once`: the audit trail as finance and an operator read it, and a policy
//! edit tried on handled mail without touching anything.

use std::path::Path;
use std::process::{Command, Output};

use crate::cli::demo_config;

fn mailclerk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = mailclerk(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The demo, run once in `tmp`; returns its config path as a string.
fn demo(tmp: &Path) -> String {
    let cfg = demo_config(tmp);
    let cfg = cfg.to_str().unwrap().to_string();
    ok(&["run", "--config", &cfg, "--once"]);
    cfg
}

#[test]
fn decisions_export_every_decision_for_finance() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo(tmp.path());
    let json = ok(&[
        "decisions",
        "--config",
        &cfg,
        "--since",
        "2026-01-01",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    // The demo answers 21 of its 31 messages; each answer rests on a decision.
    assert_eq!(rows.len(), 21, "{json}");
    let refund = rows
        .iter()
        .find(|r| r["message_id"] == "20261105192205.7f3a1c@mail.example.com")
        .unwrap();
    let sha = mailclerk::billing::file_sha256(Path::new("config/policies/notout.toml")).unwrap();
    for (k, v) in [
        ("mailbox", "notout"),
        ("account_id", "NO-1001"),
        ("intent", "refund"),
        ("refund", "granted"),
        ("refund_amount", "49.00"),
        ("currency", "USD"),
        ("rules", "refund:granted"),
        ("clauses", "guarantee"),
        ("policy_id", "notout"),
        ("policy_sha256", sha.as_str()),
        ("state", "sent"),
    ] {
        assert_eq!(refund[k], v, "{k}: {refund}");
    }
    assert!(refund["confidence"].as_f64().unwrap() > 0.5);
    assert!(
        refund["classifier"]
            .as_str()
            .unwrap()
            .starts_with("rules+model/")
    );
    assert!(refund["decided_at"].as_str().is_some() && refund["sent_at"].as_str().is_some());

    let csv = ok(&["decisions", "--config", &cfg, "--since", "2026-01-01"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        mailclerk::audit::COLUMNS.join(","),
        "a header row"
    );
    assert_eq!(lines.count(), 21);

    let one = ok(&[
        "decisions",
        "--config",
        &cfg,
        "--since",
        "2026-11-10",
        "--mailbox",
        "notout",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&one).unwrap();
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(r["mailbox"], "notout");
        assert!(r["received"].as_str().unwrap() >= "2026-11-10", "{r}");
    }
    let bad = mailclerk(&["decisions", "--config", &cfg, "--since", "last week"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected a day such as 2026-11-01"));
}

#[test]
fn explain_prints_the_whole_trace_of_one_message() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo(tmp.path());
    let file = "config/demo/notout/inbox/05-refund-and-cancel-outside-guarantee.eml";
    let by_file = ok(&["explain", "--config", &cfg, file]);
    let by_id = ok(&[
        "explain",
        "--config",
        &cfg,
        "<20261118141155.3b9e0d@mail.kestrel-analytics.example>",
    ]);
    assert_eq!(by_file, by_id);
    for want in [
        "Message <20261118141155.3b9e0d@mail.kestrel-analytics.example>",
        "mailbox     notout (NotOut CRM), policy notout sha256 ",
        "screen      answerable",
        "classified  both, confidence ",
        "  evidence  \"refund this\" rule en.refund.ask (refund, en, body)",
        "account     NO-1005 (monthly, USD, signed up 2026-05-31, first paid 2026-05-31",
        "sender      not checked",
        "policy      rules refund:denied, cancellation:end_of_period; clauses guarantee",
        "decision    account_state=cancelled, cancellation=confirmed, cancellation_effective=2026-11-30",
        "budget      within",
        "billing     none configured",
        "reply       sent to priya@kestrel-analytics.example <mailclerk.",
        "filing      answered (a directory inbox",
        "steps       claimed ",
    ] {
        assert!(by_file.contains(want), "missing {want:?} in:\n{by_file}");
    }
    // A message handed to people says why; a skipped one says so.
    let people = ok(&[
        "explain",
        "--config",
        &cfg,
        "config/demo/smartcalls/inbox/08-dmarc-fail-spoofed-from.eml",
    ]);
    assert!(
        people.contains("sender      unverified: dmarc=fail"),
        "{people}"
    );
    assert!(
        people.contains("action      to_human:unauthenticated"),
        "{people}"
    );
    let json = ok(&["explain", "--config", &cfg, "--json", file]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["trace"]["classifier"]["intent"], "both");
    assert_eq!(v["state"], "sent");
    let unknown = mailclerk(&["explain", "--config", &cfg, "nobody@nowhere"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no mailbox's ledger knows"));
}

/// Replay reads, never writes: the ledger and the outbox are the same afterwards.
#[test]
fn replay_shows_what_a_policy_edit_would_change() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo(tmp.path());
    let store = tmp.path().join("state/notout.sqlite");
    let before = std::fs::read(&store).unwrap();
    let same = ok(&[
        "replay",
        "--config",
        &cfg,
        "--mailbox",
        "notout",
        "--since",
        "2026-01-01",
    ]);
    assert!(
        same.contains("8 message(s) replayed: 8 unchanged, 0 changed"),
        "{same}"
    );
    // The money-back guarantee cut from 30 days to 10.
    let policy = std::fs::read_to_string("config/policies/notout.toml").unwrap();
    assert!(policy.contains("window_days = 30"));
    let dir = tmp.path().join("try");
    std::fs::create_dir(&dir).unwrap();
    let new = dir.join("notout.toml");
    std::fs::write(&new, policy.replace("window_days = 30", "window_days = 10")).unwrap();
    let changed = ok(&[
        "replay",
        "--config",
        &cfg,
        "--mailbox",
        "notout",
        "--since",
        "2026-01-01",
        "--policy",
        new.to_str().unwrap(),
    ]);
    assert!(
        changed.contains("CHANGED  <20261105192205.7f3a1c@mail.example.com>"),
        "{changed}"
    );
    assert!(
        changed.contains("then: reply refund granted 49.00 [clauses guarantee]"),
        "{changed}"
    );
    assert!(changed.contains("now:  reply refund denied"), "{changed}");
    assert!(
        changed.contains("changed; 0 older than --since"),
        "{changed}"
    );
    assert!(changed.contains("×"), "a summary of the changes: {changed}");
    // --since leaves older mail out.
    let late = ok(&[
        "replay",
        "--config",
        &cfg,
        "--mailbox",
        "notout",
        "--since",
        "2026-11-15",
    ]);
    assert!(late.contains("older than --since left out"), "{late}");
    assert!(
        !late.contains("20261105192205.7f3a1c@mail.example.com"),
        "{late}"
    );
    // Any directory of .eml files: one never handled says so.
    let eml = tmp.path().join("eml");
    std::fs::create_dir(&eml).unwrap();
    let text =
        std::fs::read_to_string("config/demo/notout/inbox/01-refund-within-guarantee.eml").unwrap();
    std::fs::write(eml.join("a.eml"), &text).unwrap();
    std::fs::write(
        eml.join("b.eml"),
        text.replace(
            "20261105192205.7f3a1c@mail.example.com",
            "fresh-1@mail.example.com",
        ),
    )
    .unwrap();
    let from_dir = ok(&[
        "replay",
        "--config",
        &cfg,
        "--mailbox",
        "notout",
        "--since",
        "2026-01-01",
        "--dir",
        eml.to_str().unwrap(),
    ]);
    assert!(from_dir.contains("then: not in the ledger"), "{from_dir}");
    assert!(
        from_dir.contains("2 message(s) replayed: 1 unchanged, 1 changed"),
        "{from_dir}"
    );
    assert_eq!(
        std::fs::read(&store).unwrap(),
        before,
        "the store is unchanged"
    );
}

/// `replay --classifier` decides with another model file: the shipped one gives the same
/// decisions as the configured (built-in) one, and a file that is not a model is refused
/// plainly, before anything is read.
#[test]
fn replay_tries_another_classifier_model() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = demo(tmp.path());
    let args = |model: &str| {
        mailclerk(&[
            "replay",
            "--config",
            &cfg,
            "--mailbox",
            "notout",
            "--since",
            "2026-01-01",
            "--classifier",
            model,
        ])
    };
    let same = args("config/classifier/model.bin");
    let text = String::from_utf8_lossy(&same.stdout);
    assert!(same.status.success(), "{text}");
    assert!(
        text.contains("8 message(s) replayed: 8 unchanged, 0 changed"),
        "{text}"
    );
    let junk = tmp.path().join("junk.bin");
    std::fs::write(&junk, b"not a model").unwrap();
    let refused = args(junk.to_str().unwrap());
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("the classifier to try cannot be used") && err.contains("junk.bin"),
        "{err}"
    );
}
