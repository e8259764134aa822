//! Every bundled demo message through every stage (parse, screen, classify, match, decide,
//! render), compared with config/demo/expected.toml, whose outcomes were worked out by hand
//! from policy-spec.md. No server, no clock: the receipt time is the message's Received: header.

use std::path::Path;

use jiff::Timestamp;
use mailclerk::accounts::AccountMatch;
use mailclerk::config::Config;
use mailclerk::parse::RawMail;
use mailclerk::plan::Action;
use mailclerk::run::{self, Examined};
use mailclerk::screen::Screen;

#[test]
fn demo_messages_get_their_expected_outcomes() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config::load(&crate::cli::demo_config(tmp.path())).unwrap();
    let expected: toml::Table =
        toml::from_str(&std::fs::read_to_string("config/demo/expected.toml").unwrap()).unwrap();
    let messages = expected["message"].as_array().unwrap();
    let mut failures = Vec::new();
    for m in messages {
        let file = m["file"].as_str().unwrap();
        let mailbox = cfg.mailbox(file.split('/').next().unwrap()).unwrap();
        let store = run::open_store(mailbox).unwrap();
        let raw = RawMail {
            origin: file.into(),
            received: None,
            bytes: std::fs::read(Path::new("config/demo").join(file)).unwrap(),
        };
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let got = match run::examine(&cfg, mailbox, &store, &raw, now).unwrap() {
            Examined::Unreadable { why, .. } => {
                toml::Table::from_iter([("error".to_string(), toml::Value::from(why))])
            }
            Examined::Planned { plan, .. } => {
                let mut t = toml::Table::new();
                t.insert("file".into(), file.into());
                t.insert(
                    "screen".into(),
                    match &plan.screen {
                        Screen::Answerable => "answerable".to_string(),
                        Screen::Skip(r) => format!("skip:{r}"),
                    }
                    .into(),
                );
                if let Some(c) = &plan.classified {
                    t.insert("intent".into(), c.intent.as_str().into());
                }
                if let Some(AccountMatch::One(a)) = &plan.account {
                    t.insert("account".into(), a.id.clone().into());
                }
                let action = match &plan.action {
                    Action::Skip(_) => "skip",
                    Action::ToHuman { why, .. } => {
                        t.insert("why".into(), why.code().into());
                        "review"
                    }
                    Action::Reply { decision, .. } => {
                        for (k, v) in decision.fields() {
                            t.insert(
                                k,
                                if let Some(n) = v.as_u64() {
                                    toml::Value::from(n as i64)
                                } else {
                                    v.as_str().unwrap().into()
                                },
                            );
                        }
                        "reply"
                    }
                };
                t.insert("action".into(), action.into());
                t
            }
        };
        let want = m.as_table().unwrap();
        if &got != want {
            failures.push(format!("{file}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(messages.len() >= 20, "the demo has at least 20 messages");
    assert!(
        failures.is_empty(),
        "{} of {} demo messages differ:\n{}",
        failures.len(),
        messages.len(),
        failures.join("\n")
    );
}
