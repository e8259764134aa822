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

/// One pass of the directory loop in this process, on `clock`: the report rows.
fn pass_at(cfg: &Path, clock: &mailclerk::clock::Clock) -> Vec<mailclerk::examine::Row> {
    let cfg = mailclerk::config::Config::load(cfg).expect("the test config loads");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (_keep, never) = tokio::sync::watch::channel(false);
    let mut rows = Vec::new();
    runtime
        .block_on(mailclerk::directory::serve(
            &cfg,
            &[0],
            &mailclerk::directory::Options {
                once: true,
                dry_run: false,
            },
            clock,
            &mailclerk::event::Events::new(),
            never,
            |pass| {
                rows.extend(pass.rows.iter().cloned());
                Ok(())
            },
        ))
        .expect("the pass runs");
    rows
}

/// The breaker's hour is read from the injected clock, not waited for: on a hand-wound clock
/// the second answer within the hour goes to people, and a third request two hours later is
/// answered again.
#[test]
fn the_breaker_hour_runs_forward_on_a_manual_clock() {
    use mailclerk::examine::RowAction;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), "max_replies_per_hour = 1");
    // The ledger stamps what it records by the same clock; it starts at the system's time
    // because the requests' INTERNALDATE (their files' time) is now.
    let clock = mailclerk::clock::Clock::manual(jiff::Timestamp::now());
    let actions = |rows: Vec<mailclerk::examine::Row>| -> Vec<RowAction> {
        rows.into_iter().map(|r| r.action).collect()
    };

    put(tmp.path(), "01-refund-within-guarantee.eml", 0);
    assert_eq!(actions(pass_at(&cfg, &clock)), [RowAction::Reply]);

    clock.advance(jiff::SignedDuration::from_mins(10));
    put(tmp.path(), "02-refund-of-annual-renewal-denied.eml", 1);
    let rows = pass_at(&cfg, &clock);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, RowAction::Review, "{:?}", rows[0]);
    assert!(rows[0].decision.contains("breaker open"), "{:?}", rows[0]);

    clock.advance(jiff::SignedDuration::from_hours(2));
    put(tmp.path(), "05-refund-and-cancel-outside-guarantee.eml", 2);
    assert_eq!(actions(pass_at(&cfg, &clock)), [RowAction::Reply]);
}

/// What a pass writes is stamped by the clock it was given, not the system's: on a clock three
/// days ahead, the claim, the record, the reply's sending and the audit trace all read that
/// time back from the store.
#[test]
fn a_pass_on_a_manual_clock_writes_its_times() {
    use jiff::Timestamp;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), "");
    // Whole seconds: the store keeps milliseconds.
    let at = Timestamp::from_second(Timestamp::now().as_second() + 3 * 86_400).unwrap();
    let clock = mailclerk::clock::Clock::manual(at);
    put(tmp.path(), "01-refund-within-guarantee.eml", 0);
    assert_eq!(pass_at(&cfg, &clock).len(), 1);

    let loaded = mailclerk::config::Config::load(&cfg).unwrap();
    let store = mailclerk::store::Store::open_read_only(&loaded.mailboxes[0].store).unwrap();
    let trails = store.trails(None, None).unwrap();
    assert_eq!(trails.len(), 1);
    let t = &trails[0];
    let read = |what: &str, text: &str| -> Timestamp {
        text.parse()
            .unwrap_or_else(|e| panic!("{what} {text:?}: {e}"))
    };
    assert_eq!(read("claimed_at", &t.claimed_at), at);
    assert_eq!(read("updated_at", &t.row.updated_at), at);
    assert_eq!(read("sent_at", t.sent_at.as_deref().expect("answered")), at);
    let trace: serde_json::Value =
        serde_json::from_str(t.trace.as_deref().expect("a trace")).unwrap();
    assert_eq!(
        read("decided_at", trace["decided_at"].as_str().unwrap()),
        at
    );
}
