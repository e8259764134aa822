//! The classifier's decisions (the learned model guarded by the phrase rules, at the default
//! threshold, and the rules' own reading and evidence), pinned: every message of the labelled corpora
//! (../shared/corpus/*.jsonl when present, bench/*.jsonl), the demo inboxes, every
//! tests/fixtures .eml, a few hundred messages of the benchmark corpus (bench/corpus.rs) and a
//! list of awkward Unicode texts are parsed and classified, and intent, confidence and the whole
//! evidence list must equal tests/golden/classify/<set>.jsonl byte for byte.
//!
//! The rules' part was written by the classifier as it was before its speed work, so any
//! change of a decision, a phrase or an offset shows here; the learned part changes with every
//! retrained model. A deliberate change of the rules or the model rewrites them: `MAILCLERK_UPDATE_GOLDEN=1 cargo test --test integration classify_golden`,
//! then read the diff.

#[path = "../bench/corpus.rs"]
mod corpus;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use mailclerk::classify::{self, ClassifyRules};
use mailclerk::parse::{self, Address, AutoHeaders, Inbound, RawMail};
use sha2::{Digest, Sha256};

const GOLDEN: &str = "tests/golden/classify";
/// Messages of the generated benchmark corpus (one in fifty carries a 1 MB attachment).
const BENCH_MESSAGES: usize = 300;
const MAX_BYTES: usize = 25 * 1024 * 1024;

fn now() -> Timestamp {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

/// One line of a golden file: what the classifier made of one message. The text's hash pins
/// what parsing handed over, so that a change of parsing shows as such.
fn line(id: &str, mail: &Inbound, rules: &ClassifyRules) -> String {
    let by_rules = classify::classify(mail, rules);
    let got = classify::decide::classify(
        mail,
        rules,
        &mailclerk::config::classifier::builtin(),
        classify::decide::DEFAULT_THRESHOLD,
        &classify::decide::Options::DEFAULT,
    );
    assert_eq!(
        got.evidence, by_rules.evidence,
        "{id}: the rules' evidence is kept"
    );
    let digest = Sha256::digest(format!("{}\n{}", mail.subject, mail.text).as_bytes());
    let mut sha = String::new();
    for b in &digest[..8] {
        write!(sha, "{b:02x}").unwrap();
    }
    serde_json::json!({
        "id": id,
        "intent": got.intent.as_str(),
        "confidence": got.confidence,
        "text": sha,
        "rules": { "intent": by_rules.intent.as_str(), "confidence": by_rules.confidence },
        "evidence": got.evidence,
        "learned": got.learned,
    })
    .to_string()
}

fn parsed_line(id: &str, bytes: Vec<u8>, rules: &ClassifyRules) -> String {
    let raw = RawMail {
        origin: id.into(),
        received: Some(now()),
        bytes,
    };
    match parse::parse(&raw, MAX_BYTES) {
        Ok(mail) => line(id, &mail, rules),
        Err(e) => serde_json::json!({ "id": id, "unparseable": e.to_string() }).to_string(),
    }
}

/// A bare message of only a subject and a text, as the classifier sees it after parsing.
fn inbound(subject: &str, text: &str) -> Inbound {
    Inbound {
        message_id: "golden@mailclerk.invalid".into(),
        references: vec![],
        received: now(),
        from: Address {
            name: None,
            email: "customer@customer.example".into(),
        },
        reply_to: None,
        recipients: vec![],
        subject: subject.into(),
        text: text.into(),
        auto: AutoHeaders::default(),
        size: text.len(),
    }
}

/// A labelled row as a plain UTF-8 message, the way a mail client would send it.
fn eml(n: usize, subject: &str, body: &str) -> Vec<u8> {
    let mut out = format!(
        "Received: from mx.customer.example by mail.notoutcrm.com; Thu, 5 Nov 2026 14:00:00 +0000\r\n\
         From: Customer {n} <customer{n}@customer.example>\r\n\
         To: support@notoutcrm.com\r\n\
         Subject: {}\r\n\
         Date: Thu, 5 Nov 2026 14:00:00 +0000\r\n\
         Message-ID: <golden{n}@customer.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
        subject.replace(['\r', '\n'], " ")
    );
    for l in body.lines() {
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Each labelled row twice: through parsing (quotes and signature cut), and its raw body as
/// the text, so that the rules also meet the quoted vendor wording.
fn jsonl(path: &Path, rules: &ClassifyRules) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (n, row) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let row: serde_json::Value = serde_json::from_str(row).unwrap();
        let id = row["id"]
            .as_str()
            .map_or_else(|| n.to_string(), str::to_string);
        let subject = row["subject"].as_str().unwrap_or("");
        let body = row["body"].as_str().unwrap_or("");
        out.push(parsed_line(&id, eml(n, subject, body), rules));
        out.push(line(&format!("{id}/raw"), &inbound(subject, body), rules));
    }
    out
}

fn emls(dirs: &[PathBuf], rules: &ClassifyRules) -> Vec<String> {
    let mut files = Vec::new();
    let mut todo = dirs.to_vec();
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "eml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|f| {
            parsed_line(
                &f.display().to_string(),
                resolve(std::fs::read(f).unwrap()),
                rules,
            )
        })
        .collect()
}

/// The placeholders of tests/fixtures/hostile (see its manifest.toml) resolved the way
/// tests/hostile.rs does, with a fixed date; other files have none and pass unchanged.
fn resolve(bytes: Vec<u8>) -> Vec<u8> {
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        return bytes;
    };
    if !text.contains("@@") {
        return bytes;
    }
    let mut text = text
        .replace("@@FROM@@", "ann@customer.example")
        .replace("@@OTHER@@", "bystander@customer.example")
        .replace("@@DESK@@", "support@example.test");
    while let Some(at) = text.find("@@DATE-") {
        let end = at + text[at + 2..].find("@@").unwrap() + 4;
        text.replace_range(at..end, "Mon, 16 Nov 2026 09:00:00 +0000");
    }
    let text = text.replace('\n', "\r\n");
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("@@") {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find("@@") else {
            out.extend_from_slice(b"@@");
            rest = after;
            continue;
        };
        match &after[..end] {
            "NUL" => out.push(0),
            "CR" => out.push(b'\r'),
            b if b.starts_with("BYTE:") => out.push(u8::from_str_radix(&b[5..], 16).unwrap()),
            other => out.extend_from_slice(format!("@@{other}@@").as_bytes()),
        }
        rest = &after[end + 2..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

fn bench_corpus(rules: &ClassifyRules) -> Vec<String> {
    let opts = corpus::Options {
        count: BENCH_MESSAGES,
        ..corpus::Options::default()
    };
    corpus::generate(&opts)
        .into_iter()
        .enumerate()
        .map(|(i, m)| parsed_line(&format!("bench/{i}"), m.bytes, rules))
        .collect()
}

/// Texts where case folding, lower-casing, word boundaries, typo correction and clipping part
/// ways: the Kelvin sign and the long s fold to k and s, the dotted capital I lower-cases to
/// two characters, typographic quotes and invisible characters are normalised away.
fn edge_cases(rules: &ClassifyRules) -> Vec<String> {
    let long_e = format!("{} please cancel my subscription", "é".repeat(19_990));
    let long_ascii = format!("{}cancel my subscription", "x ".repeat(9_995));
    let cases: Vec<(&str, String)> = vec![
        ("", "CANCEL MY SUBSCRIPTION NOW".into()),
        ("", "please cancel my ſubscription".into()),
        ("", "Bitte \u{212A}ÜNDIGUNG meines Abos".into()),
        ("", "Ich möchte \u{212A}ündigen, bitte.".into()),
        ("", "İ want a refund, İ need my money back".into()),
        ("", "PLEASE REFUND ME. İ DON'T WANT TO CANCEL".into()),
        ("", "I don\u{2019}t want to cancel my account".into()),
        ("", "can\u{00AD}cel my sub\u{200B}scription please".into()),
        ("", "cancel\u{00A0}my\u{2003}subscription".into()),
        ("", "Quiero CANCELAR MI SUSCRIPCIÓN y un REEMBOLSO".into()),
        ("", "JE SOUHAITE RÉSILIER MON ABONNEMENT".into()),
        (
            "",
            "HIERMIT KÜNDIGE ICH MEIN ABO UND BITTE UM RÜCKERSTATTUNG".into(),
        ),
        ("", "cancelé my subscription; refundé".into()),
        ("", "ΑΚΥΡΩΣΗ cancel my account Σ σ ς".into()),
        ("", "pls cancle my subscripton and REFUDN me".into()),
        ("", "I want to delete my ACOUNT".into()),
        ("", "ＣＡＮＣＥＬ my subscription (fullwidth)".into()),
        ("", "ﬁnish with my subscription, reﬁnd? refund!".into()),
        ("", "Cancel   my\tsubscription\r\nplease".into()),
        ("Refund", "".into()),
        ("KÜNDIGUNG", "Danke".into()),
        ("Re: Refund", "cancel my plan please".into()),
        ("", long_e),
        ("", long_ascii),
        ("", "é".repeat(25_000)),
    ];
    cases
        .iter()
        .enumerate()
        .map(|(i, (s, t))| line(&format!("edge/{i}"), &inbound(s, t), rules))
        .collect()
}

/// For a set that lives outside the repository (../shared is another checkout's and may be a
/// newer or older copy): only the messages the golden file has, with the same id and the same
/// text, are held to it; the others are counted and named, not failed, since no change of ours
/// made them differ.
fn check_same_messages(set: &str, lines: Vec<String>, failures: &mut Vec<String>) {
    if std::env::var_os("MAILCLERK_UPDATE_GOLDEN").is_some() {
        return check(set, lines, failures);
    }
    let path = Path::new(GOLDEN).join(format!("{set}.jsonl"));
    let Ok(want) = std::fs::read_to_string(&path) else {
        eprintln!("{}: no golden file, the set is not checked", path.display());
        return;
    };
    let key = |l: &str| -> Option<(String, String)> {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        Some((
            v["id"].as_str()?.to_string(),
            v["text"].as_str()?.to_string(),
        ))
    };
    let pinned: std::collections::HashMap<(String, String), &str> =
        want.lines().filter_map(|l| Some((key(l)?, l))).collect();
    let (mut held, mut other) = (0, 0);
    let mut differing = Vec::new();
    for got in &lines {
        match key(got).and_then(|k| pinned.get(&k)) {
            Some(want) => {
                held += 1;
                if got != want {
                    differing.push(format!("  want {want}\n  got  {got}"));
                }
            }
            None => other += 1,
        }
    }
    eprintln!(
        "{set}: {held} messages held to {}, {other} not in it",
        path.display()
    );
    if !differing.is_empty() {
        failures.push(format!(
            "{set}: {} of {held} pinned messages differ (first 3):\n{}",
            differing.len(),
            differing
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
}

fn check(set: &str, lines: Vec<String>, failures: &mut Vec<String>) {
    let path = Path::new(GOLDEN).join(format!("{set}.jsonl"));
    let got = lines.join("\n") + "\n";
    if std::env::var_os("MAILCLERK_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(GOLDEN).unwrap();
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (MAILCLERK_UPDATE_GOLDEN=1 writes it)",
            path.display()
        )
    });
    if got == want {
        return;
    }
    let actual = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("golden-{set}.jsonl"));
    std::fs::write(&actual, &got).unwrap();
    let differing: Vec<String> = got
        .lines()
        .zip(want.lines())
        .filter(|(g, w)| g != w)
        .take(3)
        .map(|(g, w)| format!("  want {w}\n  got  {g}"))
        .collect();
    failures.push(format!(
        "{set}: {} lines, golden {}; differing lines (first 3):\n{}\n  all of it: diff {} {}",
        got.lines().count(),
        want.lines().count(),
        differing.join("\n"),
        path.display(),
        actual.display()
    ));
}

#[test]
fn classify_golden_decisions_are_unchanged() {
    let rules = mailclerk::config::classify::builtin();
    let mut failures = Vec::new();
    let shared = Path::new("../shared/corpus/dev.jsonl");
    if shared.exists() {
        check_same_messages("shared-dev", jsonl(shared, &rules), &mut failures);
    } else {
        eprintln!("{} is not here: that set is not checked", shared.display());
    }
    check(
        "saas",
        jsonl(Path::new("bench/saas.jsonl"), &rules),
        &mut failures,
    );
    check(
        "saas-holdout",
        jsonl(Path::new("bench/saas-holdout.jsonl"), &rules),
        &mut failures,
    );
    check(
        "demo",
        emls(&[PathBuf::from("config/demo")], &rules),
        &mut failures,
    );
    check(
        "fixtures",
        emls(&[PathBuf::from("tests/fixtures")], &rules),
        &mut failures,
    );
    check("bench-corpus", bench_corpus(&rules), &mut failures);
    check("edge", edge_cases(&rules), &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
