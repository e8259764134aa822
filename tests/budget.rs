//! The reply budget through `mailclerk run`: at most N automatic mails to one address a day,
//! and the hourly breaker that sends everything to people and says so as an ERROR.

use std::path::Path;
use std::process::{Command, Output};

/// A one-mailbox config (the demo's Notout vendor) over `inbox`, with extra mailbox keys.
fn config(tmp: &Path, extra: &str) -> std::path::PathBuf {
    let repo = std::env::current_dir().unwrap();
    let text = format!(
        r#"templates = {templates:?}
state_dir = {state:?}

[[mailbox]]
name = "notout"
address = "support@notoutcrm.com"
policy = {policy:?}
accounts_csv = {csv:?}
source = {{ kind = "dir", path = {inbox:?} }}
outbox = {{ kind = "dir", path = {out:?} }}
{extra}
"#,
        templates = repo.join("templates"),
        state = tmp.join("state"),
        policy = repo.join("config/policies/notout.toml"),
        csv = repo.join("config/demo/notout/accounts.csv"),
        inbox = tmp.join("inbox"),
        out = tmp.join("out"),
    );
    std::fs::create_dir_all(tmp.join("inbox")).unwrap();
    let file = tmp.join("mailclerk.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Copies a demo message into the inbox under a new Message-ID.
fn put(tmp: &Path, demo: &str, n: usize) {
    let text = std::fs::read_to_string(Path::new("config/demo/notout/inbox").join(demo)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let id = lines
        .iter_mut()
        .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .expect("the demo message has a Message-ID");
    *id = format!("Message-ID: <budget-{n}@customer.example>");
    std::fs::write(
        tmp.join("inbox").join(format!("{n:02}-{demo}")),
        lines.join("\n") + "\n",
    )
    .unwrap();
}

fn run(cfg: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(["run", "--config", cfg.to_str().unwrap(), "--once"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn one_sender_gets_at_most_its_budget_of_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), "max_replies_per_sender = 2");
    // The same cancellation four times: the history rule repeats the first answer (a repeated
    // refund would go to people before the budget is reached), so the budget is what stops it.
    for n in 0..4 {
        put(tmp.path(), "03-cancel-end-of-period-html-only.eml", n);
    }
    let out = run(&cfg);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("4 new message(s): 2 answered, 2 for people, 0 skipped"),
        "{report}"
    );
    assert_eq!(
        report
            .matches("automatic mails already went to this address in 24 hours (limit 2)")
            .count(),
        2,
        "{report}"
    );
    // A later run still counts the answers already sent: the budget lives in the ledger.
    put(tmp.path(), "03-cancel-end-of-period-html-only.eml", 9);
    let report = String::from_utf8_lossy(&run(&cfg).stdout).to_string();
    assert!(
        report.contains("1 new message(s): 0 answered, 1 for people"),
        "{report}"
    );
}

#[test]
fn the_breaker_stops_all_answers_and_logs_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), "max_replies_per_hour = 2");
    for (n, demo) in [
        "01-refund-within-guarantee.eml",
        "02-refund-of-annual-renewal-denied.eml",
        "05-refund-and-cancel-outside-guarantee.eml",
    ]
    .iter()
    .enumerate()
    {
        put(tmp.path(), demo, n);
    }
    let out = run(&cfg);
    let report = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains("3 new message(s): 2 answered, 1 for people, 0 skipped"),
        "{report}"
    );
    assert!(report.contains("breaker open"), "{report}");
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("ERROR") && l.contains("Breaker open"))
        .collect();
    assert_eq!(errors.len(), 1, "{log}");
}
