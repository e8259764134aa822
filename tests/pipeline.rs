//! Every bundled demo message through every stage (parse, screen, classify, match, decide,
//! render), compared with config/demo/expected.toml, whose outcomes were worked out by hand
//! from policy-spec.md. No server, no clock: the receipt time is the message's Received: header.

use std::path::Path;

use jiff::Timestamp;
use mailclerk::accounts::AccountMatch;
use mailclerk::config::Config;
use mailclerk::examine::{self, Examined};
use mailclerk::language::Lang;
use mailclerk::locale;
use mailclerk::mailboxes;
use mailclerk::parse::RawMail;
use mailclerk::plan::Action;
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
        let store = mailboxes::open_store(mailbox).unwrap();
        let raw = RawMail {
            origin: file.into(),
            received: None,
            bytes: std::fs::read(Path::new("config/demo").join(file)).unwrap(),
        };
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let got = match examine::examine(&cfg, mailbox, &store, &raw, now).unwrap() {
            Examined::Unreadable { why, .. } => {
                toml::Table::from_iter([("error".to_string(), toml::Value::from(why.to_string()))])
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

/// Every date (`YYYY-MM-DD`) in a text.
fn dates_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut found = Vec::new();
    for i in 0..b.len().saturating_sub(9) {
        let shape = [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&k| digit(i + k))
            && b[i + 4] == b'-'
            && b[i + 7] == b'-';
        let bounded = (i == 0 || !digit(i - 1)) && !digit(i + 10);
        if shape && bounded {
            found.push(text[i..i + 10].to_string());
        }
    }
    found
}

/// Every amount written `<number> <ISO code>` in a text.
fn amounts_in(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .filter_map(|w| {
            let number = w[0].trim_start_matches(['(', '"']);
            let code = w[1].trim_end_matches(|c: char| !c.is_ascii_alphabetic());
            let is_number = !number.is_empty()
                && number.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                && number.bytes().any(|c| c.is_ascii_digit());
            (is_number && mailclerk::money::Currency::from_code(code).is_some() && code.len() == 3)
                .then(|| format!("{number} {code}"))
        })
        .collect()
}

/// The demo's replies state only facts of their decision, and state the ones that matter:
/// every date and amount in every reply body is a decision field with the value
/// config/demo/expected.toml gives, and the refund window end, effective date and refund
/// amount are all stated where the decision has them.
#[test]
fn every_date_and_amount_in_every_demo_reply_is_a_decision_fact() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config::load(&crate::cli::demo_config(tmp.path())).unwrap();
    let expected: toml::Table =
        toml::from_str(&std::fs::read_to_string("config/demo/expected.toml").unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut replies = 0;
    let mut dates_checked = 0;
    for m in expected["message"].as_array().unwrap() {
        let file = m["file"].as_str().unwrap();
        let want = m.as_table().unwrap();
        let mailbox = cfg.mailbox(file.split('/').next().unwrap()).unwrap();
        let store = mailboxes::open_store(mailbox).unwrap();
        let raw = RawMail {
            origin: file.into(),
            received: None,
            bytes: std::fs::read(Path::new("config/demo").join(file)).unwrap(),
        };
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let Examined::Planned { plan, .. } =
            examine::examine(&cfg, mailbox, &store, &raw, now).unwrap()
        else {
            continue;
        };
        let Action::Reply { decision, reply } = &plan.action else {
            continue;
        };
        replies += 1;
        assert_eq!(reply.from, mailbox.address, "{file}: From is the mailbox");
        // A reply in another language writes each fact as its locale does ("14. November
        // 2026", "49,00 USD"): the same facts, compared in that form (docs/languages.md).
        let lang = reply
            .template
            .split_once('/')
            .and_then(|(code, _)| Lang::from_code(code))
            .unwrap_or(Lang::En);
        let written = |fact: &str| -> String {
            if lang == Lang::En {
                return fact.to_string();
            }
            if let Ok(d) = fact.parse::<jiff::civil::Date>() {
                return locale::date(lang, d).unwrap();
            }
            match locale::parse_amount(fact) {
                Ok(m) => locale::money(lang, m).unwrap(),
                Err(_) => fact.to_string(),
            }
        };
        let fields = decision.fields();
        let text = |k: &str| fields.get(k).and_then(|v| v.as_str()).map(String::from);
        let wanted = |k: &str| want.get(k).and_then(|v| v.as_str()).map(String::from);
        // The decision's dates, each checked against expected.toml.
        let mut fact_dates = Vec::new();
        for (k, v) in &fields {
            let Some(v) = v.as_str() else { continue };
            let Some(d) = dates_in(v).into_iter().next() else {
                continue;
            };
            if wanted(k).as_deref() != Some(v) {
                failures.push(format!(
                    "{file}: decision {k} = {v:?}, expected.toml {:?}",
                    wanted(k)
                ));
            }
            fact_dates.push(d);
        }
        for d in dates_in(&reply.body) {
            dates_checked += 1;
            if !fact_dates.contains(&d) {
                failures.push(format!(
                    "{file}: the reply states {d}, which is no decision field ({fact_dates:?})"
                ));
            }
        }
        let mut fact_amounts = Vec::new();
        for (amount, currency) in [
            ("refund_amount", "refund_currency"),
            ("charge_to_come_amount", "charge_to_come_currency"),
        ] {
            if let (Some(a), Some(c)) = (text(amount), text(currency)) {
                if wanted(amount).as_deref() != Some(a.as_str()) {
                    failures.push(format!(
                        "{file}: decision {amount} = {a}, expected.toml {:?}",
                        wanted(amount)
                    ));
                }
                fact_amounts.push(format!("{a} {c}"));
            }
        }
        for a in amounts_in(&reply.body) {
            if !fact_amounts.contains(&a) {
                failures.push(format!(
                    "{file}: the reply states {a}, which is no decision field ({fact_amounts:?})"
                ));
            }
        }
        if lang != Lang::En {
            // No date but the facts': every year left once they are taken out is a stray date.
            let mut rest = reply.body.clone();
            for d in &fact_dates {
                dates_checked += 1;
                rest = rest.replace(&written(d), "");
            }
            let b = rest.as_bytes();
            let year = (0..b.len().saturating_sub(3)).find(|&i| {
                b[i..i + 4].iter().all(u8::is_ascii_digit)
                    && b[i..].starts_with(b"20")
                    && (i == 0 || !b[i - 1].is_ascii_digit())
                    && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
            });
            if let Some(at) = year {
                failures.push(format!(
                    "{file}: the {lang} reply states a date that is no decision field: {:?}",
                    rest.get(at.saturating_sub(20)..at + 4)
                        .unwrap_or(&rest[at..at + 4])
                ));
            }
        }
        for a in &fact_amounts {
            if !reply.body.contains(written(a).as_str()) {
                failures.push(format!("{file}: the reply does not state {a}"));
            }
        }
        let must_state = [
            ("received_on", true),
            ("cancellation_effective", true),
            (
                "refund_window_end",
                text("refund").as_deref() == Some("denied"),
            ),
        ];
        for (k, applies) in must_state {
            if let (Some(v), true) = (text(k), applies)
                && !reply.body.contains(written(&v).as_str())
            {
                failures.push(format!("{file}: the reply does not state {k} = {v}"));
            }
        }
    }
    assert!(
        replies >= 20,
        "the demo answers at least 20 messages, got {replies}"
    );
    assert!(dates_checked >= 40, "only {dates_checked} dates checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_fact_scanners_find_what_they_should() {
    assert_eq!(
        dates_in("on 2026-06-30, not 2026-10-30x or 12026-01-01"),
        ["2026-06-30", "2026-10-30"]
    );
    assert_eq!(
        amounts_in("refund of 49.00 USD. (15000000 IRR) and 3 apples"),
        ["49.00 USD", "15000000 IRR"]
    );
}
