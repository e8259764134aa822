//! `mailclerk check`: runs messages through every stage without sending or recording anything,
//! and prints what mailclerk would do (one JSON object per message per line with `--json`).

use std::io::Write;
use std::path::PathBuf;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::accounts::AccountMatch;
use crate::config::{Config, Mailbox};
use crate::error_chain;
use crate::examine::{self, Examined, Read, decision_json, decision_summary};
use crate::mailboxes;
use crate::parse::{Inbound, RawMail, Unparseable};
use crate::plan::{Action, Plan};
use crate::render::Reply;
use crate::screen::Screen;
use crate::store;

/// Why one file could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the file")]
    File(#[source] std::io::Error),
    #[error("message is {size} bytes, over the {limit}-byte limit; it would go to people unread")]
    TooBig { size: usize, limit: usize },
    #[error(transparent)]
    Unreadable(Unparseable),
    #[error("no mailbox called {0:?} in the configuration")]
    NoSuchMailbox(String),
    #[error(
        "addressed to no configured mailbox (recipients: {}); name one with --mailbox",
        .0.join(", ")
    )]
    NoMailbox(Vec<String>),
    #[error(transparent)]
    Open(mailboxes::Error),
    #[error(transparent)]
    Store(store::Error),
}

/// How `check` reads and prints.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Use this mailbox instead of the one the message is addressed to.
    pub mailbox: Option<String>,
    /// The receipt time, instead of the message's `Received:` header.
    pub received: Option<Timestamp>,
    pub json: bool,
}

/// Checks every file, printing one result (or one error) per file; returns how many files
/// could not be checked. A bad file never stops the others.
///
/// # Errors
/// Only when the report cannot be written.
pub fn check_files(
    cfg: &Config,
    opts: &Options,
    files: &[PathBuf],
    out: &mut dyn Write,
) -> std::io::Result<usize> {
    let mut failed = 0;
    for file in files {
        let result = check_file(cfg, opts, file);
        let line = match (&result, opts.json) {
            (Ok(checked), true) => checked.json.to_string(),
            (Ok(checked), false) => checked.text.clone(),
            (Err(e), true) => {
                json!({ "file": file.display().to_string(), "error": error_chain(e) }).to_string()
            }
            (Err(e), false) => format!("{}: error: {}\n", file.display(), error_chain(e)),
        };
        if result.is_err() {
            failed += 1;
        }
        writeln!(out, "{line}")?;
    }
    Ok(failed)
}

/// One message checked: the JSON line, and the same facts as text for a person.
struct Checked {
    json: Value,
    text: String,
}

fn check_file(cfg: &Config, opts: &Options, file: &PathBuf) -> Result<Checked, Error> {
    let bytes = std::fs::read(file).map_err(Error::File)?;
    if bytes.len() > cfg.max_message_bytes {
        return Err(Error::TooBig {
            size: bytes.len(),
            limit: cfg.max_message_bytes,
        });
    }
    let raw = RawMail {
        origin: file.display().to_string(),
        received: opts.received,
        bytes,
    };
    // Parsed once: the mailbox comes from the recipients, and the same parse is planned.
    let read = examine::read(cfg, &raw);
    let mailbox = pick(cfg, opts, &read)?;
    let store = mailboxes::open_store(mailbox).map_err(Error::Open)?;
    let examined = examine::examine_parsed(cfg, mailbox, &store, read, Timestamp::now())
        .map_err(Error::Store)?;
    match examined {
        Examined::Unreadable { why, .. } => Err(Error::Unreadable(why)),
        Examined::Planned { inbound, plan } => {
            let mut v = json!({
                "file": file.display().to_string(),
                "mailbox": mailbox.name,
                "message_id": inbound.message_id,
                "from": inbound.from.email,
                "received": inbound.received.to_string(),
                "screen": match &plan.screen { Screen::Answerable => "answerable".to_string(), Screen::Skip(r) => format!("skip:{r}") },
                "intent": plan.classified.as_ref().map(|c| c.intent.as_str()),
                "confidence": plan.classified.as_ref().map(|c| (f64::from(c.confidence) * 100.0).round() / 100.0),
                "evidence": plan.classified.as_ref().map(|c| serde_json::to_value(&c.evidence).unwrap_or_default()),
                "reason": plan.classified.as_ref().and_then(|c| c.reason()).map(|r| r.as_str()),
                "probability": plan.classified.as_ref().and_then(|c| c.learned.as_ref()).map(|l| f64::from(l.probability)),
                "model": plan.classified.as_ref().and_then(|c| c.learned.as_ref()).map(|l| serde_json::to_value(l).unwrap_or_default()),
                "account": match &plan.account { Some(AccountMatch::One(a)) => Value::from(a.id.clone()), _ => Value::Null },
                "sender": plan.sender.as_ref().map(|s| json!({ "verified": s.verified(), "detail": s.to_string() })),
                "action": Value::Null,
                "why": Value::Null,
                "decision": Value::Null,
                "reply": Value::Null,
            });
            // The language any reply to this message is written in, and how it was chosen: the
            // reading planning made (of a forward's original), or the text read now.
            let language = crate::language::choose_read(&mailbox.policy.voice.languages, || {
                plan.language
                    .unwrap_or_else(|| crate::language::detect(&inbound.subject, &inbound.text))
            });
            v["language"] = language.lang().code().into();
            v["language_choice"] = serde_json::to_value(language).unwrap_or_default();
            match &plan.action {
                Action::Skip(_) => v["action"] = "skip".into(),
                Action::ToHuman { why, ack } => {
                    v["action"] = "review".into();
                    v["why"] = why.to_string().into();
                    v["why_code"] = why.code().into();
                    if let Some(ack) = ack {
                        v["ack"] = reply_json(ack);
                    }
                }
                Action::Reply { decision, reply } => {
                    v["action"] = "reply".into();
                    if let Some(why) = mailbox.policy.needs_approval(decision) {
                        v["action"] = "draft".into();
                        v["why"] = why.into();
                    }
                    v["decision"] = Value::Object(decision_json(decision));
                    v["summary"] = decision_summary(decision).into();
                    v["reply"] = reply_json(reply);
                }
            }
            let text = human(file, mailbox, &inbound, &plan);
            Ok(Checked { json: v, text })
        }
    }
}

fn pick<'c>(cfg: &'c Config, opts: &Options, read: &Read) -> Result<&'c Mailbox, Error> {
    if let Some(name) = &opts.mailbox {
        return cfg
            .mailbox(name)
            .ok_or_else(|| Error::NoSuchMailbox(name.clone()));
    }
    let recipients = match read {
        Read::Mail(inbound) => &inbound.recipients,
        Read::Unreadable { why, .. } => return Err(Error::Unreadable(why.clone())),
    };
    cfg.mailbox_for(recipients)
        .ok_or_else(|| Error::NoMailbox(recipients.clone()))
}

fn reply_json(reply: &Reply) -> Value {
    json!({ "to": reply.to, "subject": reply.subject, "message_id": reply.message_id, "template": reply.template, "body": reply.body })
}

/// The text `check` prints without `--json`, from the plan itself (the same facts as the
/// JSON line).
fn human(file: &std::path::Path, mailbox: &Mailbox, inbound: &Inbound, plan: &Plan) -> String {
    let intent = match &plan.classified {
        // Rounded as the JSON line rounds it.
        Some(c) => format!(
            "{} ({:.2})",
            c.intent.as_str(),
            (f64::from(c.confidence) * 100.0).round() / 100.0
        ),
        None => "-".into(),
    };
    let screen = match &plan.screen {
        Screen::Answerable => "answerable".to_string(),
        Screen::Skip(r) => format!("skip:{r}"),
    };
    let account = match &plan.account {
        Some(AccountMatch::One(a)) => a.id.as_str(),
        _ => "-",
    };
    let (action, why, summary, reply, ack) = match &plan.action {
        Action::Skip(_) => ("skip", None, None, None, None),
        Action::ToHuman { why, ack } => ("review", Some(why.to_string()), None, None, ack.as_ref()),
        Action::Reply { decision, reply } => match mailbox.policy.needs_approval(decision) {
            Some(why) => (
                "draft",
                Some(why),
                Some(decision_summary(decision)),
                Some(reply),
                None,
            ),
            None => (
                "reply",
                None,
                Some(decision_summary(decision)),
                Some(reply),
                None,
            ),
        },
    };
    let mut text = format!(
        "{}\n  from {} to mailbox {}, received {}\n  screen {screen}, intent {intent}, account {account}\n  action {action}",
        file.display(),
        inbound.from.email,
        mailbox.name,
        inbound.received,
    );
    for part in [why, summary].into_iter().flatten() {
        text.push_str(&format!(": {part}"));
    }
    for (key, mail) in [("reply", reply), ("ack", ack)] {
        if let Some(mail) = mail {
            text.push_str(&format!(
                "\n  {key} to {}, subject {:?}\n    {}",
                mail.to,
                mail.subject,
                mail.body.trim_end().replace('\n', "\n    ")
            ));
        }
    }
    text.push('\n');
    text
}
