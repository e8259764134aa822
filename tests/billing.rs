//! The billing hand-off through `mailclerk run` on a directory inbox (the demo's NotOut
//! vendor), against a real HTTP receiver (`support::receiver`) and a real command: every
//! decision that changes money or an account reaches billing under one key before its reply;
//! a refusal sends the message to people with no reply; a crash at each new step resumes
//! under the same key and answers once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mailclerk::store::{LedgerState, Store};

use crate::support::receiver::{Answer, Receiver};

const REFUND: &str = "01-refund-within-guarantee.eml";
const DENIED: &str = "02-refund-of-annual-renewal-denied.eml";
const CANCEL: &str = "03-cancel-end-of-period-html-only.eml";
const AUTO: &str = "06-out-of-office-auto-reply.eml";

const REFUND_ID: &str = "20261105192205.7f3a1c@mail.example.com";
const CANCEL_ID: &str = "DB9PR07MB8123F0A1C2D3E4F5A6B7C8D9E0@DB9PR07MB8123.mail.example.org";
const DENIED_ID: &str = "CAJm8x1Vq0pT4rW2nZ=Hk7dE3uYbQ@mail.oyelaran.example";

/// A NotOut desk over a directory inbox holding `files`, with `billing` lines.
pub struct DirDesk {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl DirDesk {
    pub fn new(files: &[&str], billing: &str) -> DirDesk {
        DirDesk::with_policy(files, billing, None)
    }

    /// With the NotOut policy's text replaced by `policy`.
    pub fn with_policy(files: &[&str], billing: &str, policy: Option<&str>) -> DirDesk {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let repo = std::env::current_dir().unwrap();
        let policy_file = match policy {
            Some(text) => {
                std::fs::create_dir_all(tmp.join("policies")).unwrap();
                std::fs::write(tmp.join("policies/notout.toml"), text).unwrap();
                tmp.join("policies/notout.toml")
            }
            None => repo.join("config/policies/notout.toml"),
        };
        std::fs::create_dir_all(tmp.join("inbox")).unwrap();
        for f in files {
            std::fs::copy(
                repo.join("config/demo/notout/inbox").join(f),
                tmp.join("inbox").join(f),
            )
            .unwrap();
        }
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

{billing}
"#,
            templates = repo.join("templates"),
            state = tmp.join("state"),
            policy = policy_file,
            csv = repo.join("config/demo/notout/accounts.csv"),
            inbox = tmp.join("inbox"),
            out = tmp.join("out"),
        );
        let config = tmp.join("mailclerk.toml");
        std::fs::write(&config, text).unwrap();
        DirDesk { dir, config }
    }

    pub fn run(&self, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailclerk"));
        cmd.args(["run", "--once", "--config", self.config.to_str().unwrap()])
            .env("RUST_LOG", "mailclerk=info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    pub fn run_ok(&self) -> String {
        let out = self.run(&[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Replies written, by the request they answer (In-Reply-To, without brackets).
    pub fn replies(&self) -> Vec<(String, String)> {
        let out = self.dir.path().join("out");
        let mut replies = Vec::new();
        // Files only: replies held for approval are under drafts/.
        for e in std::fs::read_dir(&out).into_iter().flatten().flatten() {
            if !e.path().is_file() {
                continue;
            }
            let text = std::fs::read_to_string(e.path()).unwrap();
            let to = text
                .lines()
                .find_map(|l| l.strip_prefix("In-Reply-To: "))
                .unwrap_or("")
                .trim()
                .trim_matches(['<', '>'])
                .to_string();
            replies.push((to, text));
        }
        replies.sort();
        replies
    }

    pub fn replies_to(&self, id: &str) -> usize {
        self.replies().iter().filter(|(to, _)| to == id).count()
    }

    pub fn ledger(&self) -> Vec<mailclerk::store::LedgerRow> {
        Store::open_read_only(&self.dir.path().join("state/notout.sqlite"))
            .unwrap()
            .ledger()
            .unwrap()
    }

    pub fn row(&self, id: &str) -> mailclerk::store::LedgerRow {
        self.ledger()
            .into_iter()
            .find(|r| r.message_id == id)
            .unwrap_or_else(|| panic!("no ledger row for {id}"))
    }
}

/// Each message called billing under exactly one key, every call signed.
fn assert_one_key_each(receiver: &Receiver, ids: &[&str]) {
    receiver.settle();
    let by = receiver.by_message();
    for id in ids {
        let (keys, _) = by
            .get(*id)
            .unwrap_or_else(|| panic!("{id} never reached billing: {by:?}"));
        assert_eq!(keys.len(), 1, "{id}: keys {keys:?}");
    }
    assert_eq!(by.len(), ids.len(), "only these reach billing: {by:?}");
    assert!(receiver.calls().iter().all(|c| c.signature_ok));
}

#[test]
fn accepted_decisions_reach_billing_once_before_their_replies() {
    let receiver = Receiver::start(|_, _| Answer::now(200));
    let tmp = tempfile::tempdir().unwrap();
    let desk = DirDesk::new(
        &[REFUND, DENIED, CANCEL, AUTO],
        &receiver.config(tmp.path(), ""),
    );
    let report = desk.run_ok();
    assert!(
        report.contains("3 answered, 0 for people, 1 skipped"),
        "{report}"
    );
    // The denied refund changes nothing: no call. The skip: none.
    assert_one_key_each(&receiver, &[REFUND_ID, CANCEL_ID]);
    let calls = receiver.calls();
    let refund = calls
        .iter()
        .find(|c| c.body["message_id"] == REFUND_ID)
        .unwrap();
    let b = &refund.body;
    assert_eq!(b["schema"], "mailclerk.billing.v1");
    assert_eq!(b["idempotency_key"], refund.key.as_str());
    assert_eq!(b["account"]["id"], "NO-1001");
    assert_eq!(b["actions"][0]["type"], "refund");
    assert_eq!(b["actions"][0]["amount"], "49.00");
    assert_eq!(b["actions"][0]["amount_minor"], 4900);
    assert_eq!(b["actions"][0]["currency"], "USD");
    assert_eq!(b["decision"]["refund"], "granted");
    assert_eq!(
        b["policy"]["sha256"].as_str().unwrap(),
        mailclerk::billing::file_sha256(Path::new("config/policies/notout.toml")).unwrap()
    );
    let cancel = calls
        .iter()
        .find(|c| c.body["message_id"] == CANCEL_ID)
        .unwrap();
    assert_eq!(cancel.body["actions"][0]["type"], "cancel_subscription");
    assert_eq!(
        cancel.body["actions"][0]["effective"],
        cancel.body["decision"]["cancellation_effective"]
    );
    for id in [REFUND_ID, CANCEL_ID, DENIED_ID] {
        assert_eq!(desk.replies_to(id), 1, "{id}");
    }
    // A second run finds everything in the ledger: no call, no reply.
    let n = receiver.calls().len();
    desk.run_ok();
    assert_eq!(receiver.calls().len(), n);
    assert_eq!(desk.replies().len(), 3);
}

#[test]
fn a_refusal_sends_the_message_to_people_without_a_reply() {
    let receiver = Receiver::start(|_, _| Answer::now(422));
    let tmp = tempfile::tempdir().unwrap();
    let desk = DirDesk::new(&[REFUND, DENIED, CANCEL], &receiver.config(tmp.path(), ""));
    let report = desk.run_ok();
    assert!(report.contains("1 answered, 2 for people"), "{report}");
    assert_one_key_each(&receiver, &[REFUND_ID, CANCEL_ID]);
    // A 4xx is final: one call each, no retry.
    assert_eq!(receiver.calls().len(), 2);
    for id in [REFUND_ID, CANCEL_ID] {
        assert_eq!(
            desk.replies_to(id),
            0,
            "{id}: no reply promises a refused action"
        );
        let row = desk.row(id);
        assert_eq!(row.state, LedgerState::Review);
        assert_eq!(row.action.as_deref(), Some("to_human:billing_refused"));
        let reason = row.reason.unwrap();
        assert!(reason.contains("HTTP 422"), "{reason}");
        assert!(reason.contains("Idempotency-Key mc1-"), "{reason}");
    }
    assert_eq!(desk.replies_to(DENIED_ID), 1);
    let explained = Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args([
            "explain",
            "--config",
            desk.config.to_str().unwrap(),
            REFUND_ID,
        ])
        .output()
        .unwrap();
    let explained = String::from_utf8_lossy(&explained.stdout);
    for want in [
        format!(
            "billing     webhook {} refused after 1 try under Idempotency-Key mc1-",
            receiver.url
        ),
        "answer: HTTP 422".to_string(),
        "action      to_human:billing_refused (billing did not accept the action".to_string(),
        "reply       none".to_string(),
        "billing refused ".to_string(),
    ] {
        assert!(
            explained.contains(&want),
            "missing {want:?} in:\n{explained}"
        );
    }
    // Refused is final: a later run calls nobody.
    desk.run_ok();
    assert_eq!(receiver.calls().len(), 2);
}

/// 5xx, a timeout, a slow answer: retried within the run under the same key.
#[test]
fn unavailable_billing_is_retried_under_the_same_key() {
    for (name, script, extra, calls_each) in [
        (
            "5xx twice",
            Box::new(|_: &str, n: usize| Answer::now(if n <= 2 { 503 } else { 201 }))
                as Box<dyn Fn(&str, usize) -> Answer + Send + Sync>,
            "retries = 3\nbackoff_ms = 20",
            3,
        ),
        (
            "a timeout, then an answer",
            Box::new(|_: &str, n: usize| {
                if n == 1 {
                    Answer::after(200, 2500)
                } else {
                    Answer::now(200)
                }
            }),
            "timeout_seconds = 0.5\nretries = 2\nbackoff_ms = 20",
            2,
        ),
        (
            "a slow answer within the timeout",
            Box::new(|_: &str, _| Answer::after(200, 700)),
            "timeout_seconds = 5",
            1,
        ),
    ] {
        let receiver = Receiver::start(script);
        let tmp = tempfile::tempdir().unwrap();
        let desk = DirDesk::new(&[REFUND, CANCEL], &receiver.config(tmp.path(), extra));
        let report = desk.run_ok();
        assert!(
            report.contains("2 answered, 0 for people"),
            "{name}: {report}"
        );
        receiver.settle();
        assert_one_key_each(&receiver, &[REFUND_ID, CANCEL_ID]);
        for (id, (_, n)) in receiver.by_message() {
            assert_eq!(n, calls_each, "{name}: {id}");
        }
        assert_eq!(desk.replies().len(), 2, "{name}");
    }
}

/// Down past the retries: the message waits (no reply) and is tried again at the next pass,
/// under its first key; down past the give-up window: to people.
#[test]
fn billing_down_waits_then_answers_and_past_the_window_goes_to_people() {
    let down = Arc::new(AtomicBool::new(true));
    let d = down.clone();
    let receiver =
        Receiver::start(move |_, _| Answer::now(if d.load(Ordering::SeqCst) { 503 } else { 200 }));
    let tmp = tempfile::tempdir().unwrap();
    let desk = DirDesk::new(
        &[REFUND],
        &receiver.config(tmp.path(), "retries = 1\nbackoff_ms = 10"),
    );
    let report = desk.run_ok();
    assert!(report.contains("billing unavailable"), "{report}");
    assert_eq!(desk.replies().len(), 0);
    assert_eq!(desk.row(REFUND_ID).state, LedgerState::Deferred);
    down.store(false, Ordering::SeqCst);
    let report = desk.run_ok();
    assert!(report.contains("1 answered"), "{report}");
    assert_one_key_each(&receiver, &[REFUND_ID]);
    assert_eq!(receiver.by_message()[REFUND_ID].1, 3);
    assert_eq!(desk.replies_to(REFUND_ID), 1);

    let receiver = Receiver::start(|_, _| Answer::now(502));
    let tmp = tempfile::tempdir().unwrap();
    let desk = DirDesk::new(
        &[REFUND],
        &receiver.config(
            tmp.path(),
            "retries = 1\nbackoff_ms = 10\ngive_up_seconds = 0",
        ),
    );
    let report = desk.run_ok();
    assert!(report.contains("0 answered, 1 for people"), "{report}");
    let row = desk.row(REFUND_ID);
    assert_eq!(row.action.as_deref(), Some("to_human:billing_refused"));
    assert!(row.reason.unwrap().contains("gave no answer"));
    assert_eq!(desk.replies().len(), 0);
}

/// `kill -9` (an abort at the fault point) at each new step, then a clean run: one key per
/// decision, one reply per message.
#[test]
fn a_crash_at_each_billing_step_resumes_under_the_same_key() {
    for point in [
        "before_billing",
        "after_billing_call",
        "after_billing_accepted",
    ] {
        let receiver = Receiver::start(|_, _| Answer::now(200));
        let tmp = tempfile::tempdir().unwrap();
        let desk = DirDesk::new(&[REFUND, CANCEL], &receiver.config(tmp.path(), ""));
        // Run n crashes the n-th time the point is reached, until a run gets through.
        let mut crashes = 0;
        for nth in 1..=4 {
            let out = desk.run(&[("MAILCLERK_CRASH_AT", &format!("{point}:{nth}"))]);
            if out.status.success() {
                break;
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(&format!("crash point {point} reached")),
                "{stderr}"
            );
            crashes += 1;
        }
        assert!(crashes >= 1, "{point}: never reached");
        desk.run_ok();
        assert_one_key_each(&receiver, &[REFUND_ID, CANCEL_ID]);
        for id in [REFUND_ID, CANCEL_ID] {
            assert_eq!(desk.replies_to(id), 1, "{point}: {id}");
            assert_eq!(desk.row(id).state, LedgerState::Sent, "{point}: {id}");
        }
        let stderr = String::from_utf8_lossy(&desk.run(&[]).stderr).into_owned();
        assert!(!stderr.contains("resuming"), "{stderr}");
        assert_eq!(desk.replies().len(), 2);
    }
}

/// The command kind: the JSON on stdin, the key in the environment, exit 0 = accepted.
#[test]
fn a_command_accepts_with_exit_0_and_refuses_with_another_status() {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("billing.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\n# Keeps what it was given; refuses cancellations.\n\
         cat > \"$1/$MAILCLERK_IDEMPOTENCY_KEY.json\"\n\
         if grep -q cancel_subscription \"$1/$MAILCLERK_IDEMPOTENCY_KEY.json\"; then\n\
           echo 'plan locked by finance' >&2; exit 3\nfi\necho done\n",
    )
    .unwrap();
    let seen = tmp.path().join("seen");
    std::fs::create_dir(&seen).unwrap();
    let billing = format!(
        "[mailbox.billing]\nkind = \"command\"\nargv = [\"sh\", {:?}, {:?}]\n",
        script.display().to_string(),
        seen.display().to_string()
    );
    let desk = DirDesk::new(&[REFUND, CANCEL], &billing);
    let report = desk.run_ok();
    assert!(report.contains("1 answered, 1 for people"), "{report}");
    let files: Vec<_> = std::fs::read_dir(&seen).unwrap().flatten().collect();
    assert_eq!(files.len(), 2);
    let refund: serde_json::Value = files
        .iter()
        .map(|f| serde_json::from_slice(&std::fs::read(f.path()).unwrap()).unwrap())
        .find(|v: &serde_json::Value| v["message_id"] == REFUND_ID)
        .unwrap();
    assert_eq!(refund["actions"][0]["amount"], "49.00");
    assert_eq!(desk.replies_to(REFUND_ID), 1);
    assert_eq!(desk.replies_to(CANCEL_ID), 0);
    let reason = desk.row(CANCEL_ID).reason.unwrap();
    assert!(reason.contains("exit 3 plan locked by finance"), "{reason}");
}

/// A refund over the policy's `auto_refund_limit` waits for a person's approval: billing is
/// not called for it (the person acts); the cancellation beside it is billed as usual.
#[test]
fn a_refund_held_for_approval_is_not_billed() {
    let receiver = Receiver::start(|_, _| Answer::now(200));
    let tmp = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string("config/policies/notout.toml").unwrap()
        + "\n[auto_refund_limit]\namount = \"10.00\"\ncurrency = \"USD\"\n";
    let desk = DirDesk::with_policy(
        &[REFUND, CANCEL],
        &receiver.config(tmp.path(), ""),
        Some(&policy),
    );
    desk.run_ok();
    assert_one_key_each(&receiver, &[CANCEL_ID]);
    assert_eq!(desk.row(REFUND_ID).state, LedgerState::Drafted);
    assert_eq!(desk.replies_to(CANCEL_ID), 1);
}
