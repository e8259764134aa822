//! `mailclerk explain`: the whole trace of one message, from the ledger of the mailbox that
//! handled it: screen, classification with evidence, account and the facts used, sender check,
//! policy rules, clauses and the dates computed, budget, billing call, reply, filing, and the
//! time of every step. Reads the stores read-only.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::config::{Config, Filing, Mailbox, Source};
use crate::store::{self, Trail};

/// Why `explain` could not explain.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("mailbox {mailbox}: cannot read the store")]
    Store {
        mailbox: String,
        source: store::Error,
    },
    #[error("no mailbox's ledger knows <{0}>")]
    NotFound(String),
    #[error("no mailbox called {0:?} in the configuration")]
    NoSuchMailbox(String),
    #[error("cannot write the explanation")]
    Write(#[from] std::io::Error),
}

/// The Message-ID named by `arg`: a `.eml` file's (as the ledger keeps it), or the id itself
/// (angle brackets optional).
///
/// # Errors
/// A file that cannot be read or parsed.
pub fn message_id(cfg: &Config, arg: &str) -> Result<String, Error> {
    let path = Path::new(arg);
    if !path.is_file() {
        return Ok(arg
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string());
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: arg.into(),
        source,
    })?;
    let raw = crate::parse::RawMail {
        origin: arg.into(),
        received: None,
        bytes,
    };
    match crate::examine::read(cfg, &raw) {
        crate::examine::Read::Mail(inbound) => Ok(inbound.message_id),
        // Unparseable mail is kept under an id made of its bytes' hash: the same one.
        crate::examine::Read::Unreadable { message_id, .. } => Ok(message_id),
    }
}

/// Finds the message in the (named, or every) mailbox's ledger.
///
/// # Errors
/// A store that cannot be read, or no ledger knows the message.
pub fn find<'c>(
    cfg: &'c Config,
    mailbox: Option<&str>,
    id: &str,
) -> Result<(&'c Mailbox, Trail), Error> {
    if let Some(name) = mailbox
        && cfg.mailbox(name).is_none()
    {
        return Err(Error::NoSuchMailbox(name.into()));
    }
    for m in cfg
        .mailboxes
        .iter()
        .filter(|m| mailbox.is_none_or(|n| n == m.name) && crate::mailbox_store::exists(m))
    {
        let err = |source| Error::Store {
            mailbox: m.name.clone(),
            source,
        };
        let store = crate::mailbox_store::open_read_only(m).map_err(err)?;
        if let Some(t) = store
            .trails(None, Some(id))
            .map_err(err)?
            .into_iter()
            .next()
        {
            return Ok((m, t));
        }
    }
    Err(Error::NotFound(id.into()))
}

/// The trail as one JSON object (`explain --json`).
pub fn to_json(mailbox: &Mailbox, t: &Trail) -> Value {
    let trace: Value = t
        .trace
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    json!({
        "mailbox": mailbox.name,
        "message_id": t.row.message_id,
        "origin": t.row.origin,
        "received": t.row.received.to_string(),
        "state": t.row.state.as_str(),
        "action": t.row.action,
        "reason": t.row.reason,
        "trace": trace,
        "billing": t.billing.as_ref().map(|b| json!({
            "target": b.target,
            "idempotency_key": b.key,
            "state": b.state.as_str(),
            "attempts": b.attempts,
            "answer": b.answer,
            "body": String::from_utf8_lossy(&b.body),
        })),
        "reply": {
            "message_id": t.row.reply_message_id,
            "to": t.row.reply_to,
        },
        "filing": filing(mailbox, t.row.state.as_str()),
        "steps": steps(t, &trace),
    })
}

/// Where the daemon files a message in this state.
fn filing(mailbox: &Mailbox, state: &str) -> String {
    let dest = match state {
        "sent" | "drafted" => "answered",
        "skipped" => "skipped",
        "claimed" => return "not filed yet: the message is still claimed".into(),
        _ => "people",
    };
    match (&mailbox.source, &mailbox.handling.filing) {
        (Source::Dir { .. }, _) => {
            format!("{dest} (a directory inbox: files stay where they are)")
        }
        (
            Source::Imap(_),
            Filing::Folders {
                answered,
                to_people,
                skipped,
            },
        ) => {
            let folder = match dest {
                "answered" => answered,
                "skipped" => skipped,
                _ => to_people,
            };
            format!("{dest}: moved to folder {folder:?}")
        }
        (Source::Imap(_), Filing::Keywords) => format!("{dest}: keyword $mailclerk-{dest}"),
    }
}

/// Every step with its time, in order.
fn steps(t: &Trail, trace: &Value) -> Vec<(String, String)> {
    let mut steps = vec![("claimed".to_string(), t.claimed_at.clone())];
    if let Some(d) = trace["decided_at"].as_str() {
        steps.push(("decided".into(), d.into()));
    }
    if let Some(a) = &t.attempted_at {
        steps.push(("attempted".into(), a.clone()));
    }
    if let Some(b) = &t.billing {
        steps.push(("billing pending".into(), b.first_try_at.to_string()));
        if let Some(s) = b.settled_at {
            steps.push((format!("billing {}", b.state.as_str()), s.to_string()));
        }
        if let Some(r) = b.reply_attempted_at {
            steps.push(("reply attempted".into(), r.to_string()));
        }
    }
    if let Some(s) = &t.sent_at {
        steps.push(("mailed".into(), s.clone()));
    }
    steps.push((
        format!("recorded {}", t.row.state),
        t.row.updated_at.clone(),
    ));
    // In time order; the order above breaks ties (a claim and its attempt mark share a stamp).
    steps.sort_by_key(|(_, at)| at.parse::<jiff::Timestamp>().ok());
    steps
}

/// Writes the trail as text.
///
/// # Errors
/// A failed write.
pub fn write_text(out: &mut dyn Write, mailbox: &Mailbox, t: &Trail) -> std::io::Result<()> {
    let trace: Value = t
        .trace
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let line = |out: &mut dyn Write, k: &str, v: String| writeln!(out, "  {k:<11} {v}");
    let s = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    writeln!(out, "Message <{}>", t.row.message_id)?;
    line(
        out,
        "mailbox",
        format!(
            "{} ({}), policy {} sha256 {}",
            mailbox.name,
            mailbox.policy.vendor.name,
            s(&trace["policy"]["id"]),
            s(&trace["policy"]["sha256"])
        ),
    )?;
    line(out, "origin", t.row.origin.clone())?;
    line(out, "received", t.row.received.to_string())?;
    if trace.is_null() {
        line(
            out,
            "trace",
            "none kept (handled by a mailclerk without the audit trail)".into(),
        )?;
    }
    if let Some(why) = trace["unreadable"].as_str() {
        line(out, "unreadable", why.into())?;
    }
    if !trace["message"]["from"].is_null() {
        line(
            out,
            "from",
            format!(
                "{}, subject {:?}",
                s(&trace["message"]["from"]),
                s(&trace["message"]["subject"])
            ),
        )?;
    }
    if !trace["screen"].is_null() {
        line(out, "screen", s(&trace["screen"]))?;
    }
    let c = &trace["classifier"];
    let mut langs: Vec<String> = c["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["lang"].as_str().map(str::to_string))
        .collect();
    let mut seen = std::collections::HashSet::new();
    langs.retain(|l| seen.insert(l.clone()));
    if !langs.is_empty() {
        line(
            out,
            "language",
            format!("{} (of the evidence)", langs.join(", ")),
        )?;
    }
    if !c.is_null() {
        line(
            out,
            "classified",
            format!(
                "{}, confidence {} ({})",
                s(&c["intent"]),
                c["confidence"],
                s(&c["version"])
            ),
        )?;
        for e in c["evidence"].as_array().into_iter().flatten() {
            let blocked = e["blocked_by"]
                .as_str()
                .map(|b| format!(", blocked by {b}"))
                .unwrap_or_default();
            line(
                out,
                "  evidence",
                format!(
                    "{:?} rule {} ({}, {}, {}) weight {}{blocked}",
                    s(&e["phrase"]),
                    s(&e["rule"]),
                    s(&e["role"]),
                    s(&e["lang"]),
                    s(&e["part"]),
                    e["weight"]
                ),
            )?;
        }
    }
    let a = &trace["account"];
    if !a.is_null() {
        let f = &a["facts"];
        let text = match a["match"].as_str() {
            Some("one") => format!(
                "{} ({}, {}, signed up {}, first paid {}, last payment {})",
                s(&a["id"]),
                s(&f["plan"]),
                s(&f["currency"]),
                s(&f["signed_up_on"]),
                s(&f["first_paid_on"]),
                s(&f["last_payment"])
            ),
            Some("many") => format!("several: {}", a["ids"]),
            Some("mismatch") => format!("mismatch: {}", s(&a["why"])),
            _ => "none".into(),
        };
        line(out, "account", text)?;
    }
    if !trace["screen"].is_null() {
        line(
            out,
            "sender",
            trace["sender"]
                .as_str()
                .unwrap_or("not checked (no trusted_authserv_id)")
                .into(),
        )?;
    }
    if let Some(rules) = trace["rules"].as_array() {
        let clauses: Vec<String> = trace["clauses"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("{} ({:?})", s(&c["id"]), s(&c["title"])))
            .collect();
        line(
            out,
            "policy",
            format!(
                "rules {}; clauses {}",
                rules.iter().map(s).collect::<Vec<_>>().join(", "),
                clauses.join(", ")
            ),
        )?;
    }
    if let Some(d) = trace["decision"].as_object() {
        let fields: Vec<String> = d
            .iter()
            .filter(|(k, _)| *k != "clauses")
            .map(|(k, v)| format!("{k}={}", s(v)))
            .collect();
        line(out, "decision", fields.join(", "))?;
    }
    if !trace["budget"].is_null() {
        line(out, "budget", s(&trace["budget"]))?;
    }
    line(
        out,
        "action",
        format!(
            "{}{}",
            t.row.action.as_deref().unwrap_or(t.row.state.as_str()),
            t.row
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
    )?;
    match &t.billing {
        None if trace["changes_account"] == json!(true) => {
            line(out, "billing", "none configured".into())?
        }
        None => line(
            out,
            "billing",
            "not needed (no money or account change)".into(),
        )?,
        Some(b) => line(
            out,
            "billing",
            format!(
                "{} {} after {} tr{} under Idempotency-Key {}; answer: {}",
                b.target,
                b.state.as_str(),
                b.attempts,
                if b.attempts == 1 { "y" } else { "ies" },
                b.key,
                b.answer.as_deref().unwrap_or("none yet")
            ),
        )?,
    }
    match (&t.row.reply_message_id, t.row.state.as_str()) {
        (Some(id), "sent") => line(
            out,
            "reply",
            format!(
                "sent to {} <{id}> ({})",
                t.row.reply_to.as_deref().unwrap_or("?"),
                s(&trace["reply"]["template"])
            ),
        )?,
        (Some(id), "drafted") => line(out, "reply", format!("saved as a draft <{id}>"))?,
        _ => line(out, "reply", "none".into())?,
    }
    line(out, "filing", filing(mailbox, t.row.state.as_str()))?;
    let steps = steps(t, &trace)
        .into_iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>();
    line(out, "steps", steps.join("; "))
}

/// `mailclerk explain`: finds the message and prints its trail (text, or JSON).
///
/// # Errors
/// See [`Error`].
pub fn explain(
    cfg: &Config,
    mailbox: Option<&str>,
    arg: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let id = message_id(cfg, arg)?;
    let (m, trail) = find(cfg, mailbox, &id)?;
    let looks = crate::mailbox_store::open_read_only(m)
        .and_then(|s| s.reexaminations(&trail.row.message_id))
        .map_err(|source| Error::Store {
            mailbox: m.name.clone(),
            source,
        })?;
    if json {
        let mut v = to_json(m, &trail);
        v["reexaminations"] = looks
            .iter()
            .map(|r| {
                json!({
                    "at": r.at.to_string(),
                    "trigger": r.trigger.as_str(),
                    "origin": r.origin,
                    "earlier_state": r.earlier.state.as_str(),
                    "earlier_action": r.earlier.action,
                    "earlier_reason": r.earlier.reason,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_text(out, m, &trail)?;
        // Each second look a person asked for, with what the ledger said before it.
        for r in &looks {
            writeln!(
                out,
                "  {:<11} {}: {}; earlier {} {}",
                "looked again",
                r.at,
                r.trigger.describe(),
                r.earlier.state.as_str(),
                r.earlier.action.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}
