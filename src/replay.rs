//! `mailclerk replay`: what the current policy (or a new one) would decide for mail already
//! handled, next to what was decided then. Read-only: nothing is sent, moved, flagged or
//! recorded. The messages come from a directory mailbox's `.eml` files, from the folders an
//! IMAP mailbox files into (opened with `EXAMINE`), or from any directory of `.eml` files.
//!
//! What is replayed is the decision: screen, classification, account match, sender check and
//! policy, with the store's accounts and contact history as they are now. The reply budget and
//! confirmations depend on what else went out at the time and are not replayed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::Value;

use crate::accounts::AccountMatch;
use crate::budget::RecentReplies;
use crate::classify::model::Model;
use crate::config::{Config, ConfigErrors, Filing, Mailbox, Source};
use crate::parse::RawMail;
use crate::plan::{self, Action, Facts, LedgerAction, Rules};
use crate::policy::History;
use crate::policy::schema::Policy;
use crate::store::{self, Store, Trail};

/// What to replay.
#[derive(Debug, Clone)]
pub struct Options {
    pub mailbox: String,
    pub since: Timestamp,
    /// A policy file to decide with instead of the mailbox's.
    pub policy: Option<PathBuf>,
    /// A directory of `.eml` files to read instead of the mailbox's own mail.
    pub dir: Option<PathBuf>,
    /// A classifier model file (`mailclerk classifier train`) to decide with instead of the
    /// configured one.
    pub classifier: Option<PathBuf>,
}

/// Why a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no mailbox called {0:?} in the configuration")]
    NoSuchMailbox(String),
    #[error("the policy to try is invalid:\n{0}")]
    Policy(ConfigErrors),
    #[error("mailbox {mailbox}: cannot read the store")]
    Store {
        mailbox: String,
        source: store::Error,
    },
    #[error("cannot read the messages")]
    Intake(#[from] crate::intake::Error),
    #[error("cannot read the mailbox over IMAP")]
    Imap(#[from] crate::intake::imap::Error),
    #[error("mailbox {0}: replay over IMAP signs in with a password only (not OAuth2)")]
    OAuth(String),
    #[error("cannot start the IMAP client")]
    Runtime(#[source] std::io::Error),
    #[error("cannot write the report")]
    Write(#[from] std::io::Error),
    #[error("the classifier to try cannot be used: {0}")]
    Classifier(String),
}

/// A message to replay, and where it was found.
#[derive(Debug, Clone)]
pub struct Item {
    pub origin: String,
    pub received: Option<Timestamp>,
    pub bytes: Vec<u8>,
}

/// One message replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    pub message_id: String,
    pub origin: String,
    pub then: String,
    pub now: String,
}

impl Replayed {
    pub fn changed(&self) -> bool {
        self.then != self.now
    }
}

/// A decision's fields (the ledger's `decision_json`, or [`crate::examine::decision_json`]) in a
/// few words, with its clauses: `refund granted 49.00; cancel from 2026-12-20 (deactivated)
/// [clauses a, b]`.
pub fn summarize(fields: &serde_json::Map<String, Value>) -> String {
    let s = |k: &str| fields.get(k).and_then(Value::as_str).unwrap_or("");
    let mut parts = Vec::new();
    match s("refund") {
        "" => {}
        "granted" => parts.push(format!("refund granted {}", s("refund_amount"))),
        kind => parts.push(format!("refund {}", kind.replace('_', " "))),
    }
    if !s("cancellation").is_empty() {
        parts.push(format!(
            "cancel from {} ({})",
            s("cancellation_effective"),
            s("account_state")
        ));
    }
    let clauses: Vec<&str> = fields
        .get("clauses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    format!("{} [clauses {}]", parts.join("; "), clauses.join(", "))
}

/// What was decided then, from the audit trace when there is one, else from the ledger row.
pub fn then(trail: Option<&Trail>) -> String {
    let Some(t) = trail else {
        return "not in the ledger".into();
    };
    let trace: Value = t
        .trace
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let action = trace["action"]
        .as_str()
        .map(str::to_string)
        .or_else(|| t.row.action.clone())
        .unwrap_or_else(|| t.row.state.as_str().to_string());
    let decision = trace["decision"].as_object().cloned().or_else(|| {
        t.decision_json
            .as_deref()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .and_then(|v| v.as_object().cloned())
    });
    match action.parse() {
        Ok(LedgerAction::ToHuman(code)) => return format!("people: {code}"),
        Ok(LedgerAction::Skip(reason)) => return format!("skip: {reason}"),
        _ => {}
    }
    match decision {
        Some(d) => format!("reply {}", summarize(&d)),
        None if t.row.state == store::LedgerState::Claimed => {
            "interrupted (claimed, never recorded)".into()
        }
        None => format!("{} ({action})", t.row.state),
    }
}

/// What `policy` decides now for one message, with the store's facts.
///
/// # Errors
/// A failed store query.
pub fn now(
    cfg: &Config,
    mailbox: &Mailbox,
    policy: &Policy,
    model: &Model,
    store: &Store,
    item: &Item,
) -> Result<(String, String), store::Error> {
    let raw = RawMail {
        origin: item.origin.clone(),
        received: item.received,
        bytes: item.bytes.clone(),
    };
    let inbound = match crate::examine::read(cfg, &raw) {
        crate::examine::Read::Mail(m) => *m,
        crate::examine::Read::Unreadable { message_id, .. } => {
            return Ok((message_id, "people: unreadable".into()));
        }
    };
    let customer = crate::customer::Customer::resolve(&inbound, &mailbox.matching.forwarders);
    let account = match customer.request(&inbound) {
        Some(request) => store.match_account(request, &mailbox.matching)?,
        None => AccountMatch::None,
    };
    // The account's history as it stood when the message came: its own answer, and
    // anything answered after it, left out (the latest refund is all the store keeps: an
    // earlier one hidden behind a later one is not seen).
    let history = match &account {
        AccountMatch::One(a) => {
            let h = store.history(&a.id)?;
            let day = policy.calendar.local_date(inbound.received);
            History {
                prior_contact_on: h.prior_contact_on.filter(|d| *d < day),
                cancelled: h.cancelled.filter(|e| e.received < inbound.received),
                refunded: h.refunded.filter(|e| e.received < inbound.received),
            }
        }
        _ => History::default(),
    };
    let rules = Rules {
        policy,
        model,
        ..crate::examine::rules(cfg, mailbox)
    };
    let facts = Facts {
        customer,
        account,
        history,
        recent: RecentReplies::default(),
        confirmation: None,
        fresh_token: None,
    };
    let plan = plan::plan(&inbound, &facts, &rules, inbound.received);
    let verdict = match &plan.action {
        Action::Reply { decision, .. } => {
            format!(
                "reply {}",
                summarize(&crate::examine::decision_json(decision))
            )
        }
        Action::ToHuman { why, .. } => format!("people: {}", why.code()),
        Action::Skip(reason) => format!("skip: {reason}"),
    };
    Ok((inbound.message_id, verdict))
}

/// The messages of a directory: every `.eml` file in it.
///
/// # Errors
/// The directory or a file cannot be read.
pub fn from_dir(dir: &Path) -> Result<Vec<Item>, crate::intake::Error> {
    let mut items = Vec::new();
    for f in crate::intake::list_dir(dir)? {
        items.push(Item {
            origin: f.path.display().to_string(),
            received: None,
            bytes: crate::intake::read(&f.path)?,
        });
    }
    Ok(items)
}

/// The messages in the folders an IMAP mailbox files into (the watched folder too, with
/// keyword filing), each opened with `EXAMINE`.
///
/// # Errors
/// The server cannot be reached or a folder read.
pub async fn from_imap(mailbox: &Mailbox, max_bytes: usize) -> Result<Vec<Item>, Error> {
    let Source::Imap(source) = &mailbox.source else {
        return Ok(Vec::new());
    };
    if source.auth == crate::config::mail::Auth::Xoauth2 {
        return Err(Error::OAuth(mailbox.name.clone()));
    }
    let folders: Vec<&str> = match &mailbox.handling.filing {
        Filing::Folders {
            answered,
            to_people,
            skipped,
        } => vec![answered, to_people, skipped],
        Filing::Keywords => vec![&source.folder],
    };
    let mut session =
        crate::intake::imap::Session::connect(&crate::daemon::imap_settings(source)).await?;
    let mut items = Vec::new();
    for folder in folders {
        match session.examine(folder).await {
            Ok(_) => {}
            Err(crate::intake::imap::Error::NoSuchFolder { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
        let uids = session.uids_from(1).await?;
        for chunk in uids.chunks(100) {
            for f in session.fetch(chunk, max_bytes as u64).await? {
                if let Some(bytes) = f.bytes {
                    items.push(Item {
                        origin: format!("imap:{folder}/{}", f.uid),
                        received: Some(f.internal_date),
                        bytes,
                    });
                }
            }
        }
    }
    let _ = session.logout().await;
    Ok(items)
}

/// `mailclerk replay`: prints per message what was decided then and what would be now, and
/// a summary; returns the replayed messages.
///
/// # Errors
/// See [`Error`].
pub fn replay(cfg: &Config, opts: &Options, out: &mut dyn Write) -> Result<Vec<Replayed>, Error> {
    let mailbox = cfg
        .mailbox(&opts.mailbox)
        .ok_or_else(|| Error::NoSuchMailbox(opts.mailbox.clone()))?;
    let tried;
    let policy = match &opts.policy {
        Some(path) => {
            tried = Policy::load(path).map_err(|e| Error::Policy(ConfigErrors(e)))?;
            &tried
        }
        None => &mailbox.policy,
    };
    let model = match &opts.classifier {
        Some(path) => std::fs::read(path)
            .map_err(|e| format!("{}: {e}", path.display()))
            .and_then(|b| Model::from_bytes(&b).map_err(|e| format!("{}: {e}", path.display())))
            .map(std::sync::Arc::new)
            .map_err(Error::Classifier)?,
        None => cfg.model.clone(),
    };
    let items = match (&opts.dir, &mailbox.source) {
        (Some(dir), _) => from_dir(dir)?,
        (None, Source::Dir { path }) => from_dir(path)?,
        (None, Source::Imap(_)) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?
            .block_on(from_imap(mailbox, cfg.max_message_bytes))?,
    };
    let store_err = |source| Error::Store {
        mailbox: mailbox.name.clone(),
        source,
    };
    // A mailbox that never ran has no store: every message is "not in the ledger".
    let store = if crate::mailbox_store::exists(mailbox) {
        crate::mailbox_store::open_read_only(mailbox).map_err(store_err)?
    } else {
        Store::open_in_memory().map_err(store_err)?
    };
    let mut done = Vec::new();
    let mut older = 0;
    for item in &items {
        let trail_of = |id: &str| -> Result<Option<Trail>, Error> {
            Ok(store
                .trails(None, Some(id))
                .map_err(store_err)?
                .into_iter()
                .next())
        };
        let (id, verdict) = now(cfg, mailbox, policy, &model, &store, item).map_err(store_err)?;
        let trail = trail_of(&id)?;
        let received = trail
            .as_ref()
            .map(|t| t.row.received)
            .or(item.received)
            .or_else(|| received_of(cfg, item));
        if received.is_some_and(|r| r < opts.since) {
            older += 1;
            continue;
        }
        done.push(Replayed {
            message_id: id,
            origin: item.origin.clone(),
            then: then(trail.as_ref()),
            now: verdict,
        });
    }
    write_report(out, mailbox, policy, opts, &done, older)?;
    Ok(done)
}

fn received_of(cfg: &Config, item: &Item) -> Option<Timestamp> {
    let raw = RawMail {
        origin: item.origin.clone(),
        received: item.received,
        bytes: item.bytes.clone(),
    };
    match crate::examine::read(cfg, &raw) {
        crate::examine::Read::Mail(m) => Some(m.received),
        crate::examine::Read::Unreadable { .. } => None,
    }
}

fn write_report(
    out: &mut dyn Write,
    mailbox: &Mailbox,
    policy: &Policy,
    opts: &Options,
    done: &[Replayed],
    older: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Replay of mailbox {} since {} with policy {}{} (read-only: nothing sent, moved or recorded)",
        mailbox.name,
        opts.since,
        policy.id,
        opts.policy
            .as_ref()
            .map(|p| format!(" from {}", p.display()))
            .unwrap_or_default()
    )?;
    for r in done {
        if r.changed() {
            writeln!(out, "CHANGED  <{}>", r.message_id)?;
            writeln!(out, "         then: {}", r.then)?;
            writeln!(out, "         now:  {}", r.now)?;
        } else {
            writeln!(out, "same     <{}>  {}", r.message_id, r.now)?;
        }
    }
    let changed: Vec<&Replayed> = done.iter().filter(|r| r.changed()).collect();
    writeln!(
        out,
        "\n{} message(s) replayed: {} unchanged, {} changed; {} older than --since left out.",
        done.len(),
        done.len() - changed.len(),
        changed.len(),
        older
    )?;
    let mut moves: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &changed {
        *moves.entry((&r.then, &r.now)).or_default() += 1;
    }
    for ((then, now), n) in moves {
        writeln!(out, "  {n} × {then}  →  {now}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(
        state: &str,
        action: Option<&str>,
        decision: Option<&str>,
        trace: Option<&str>,
    ) -> Trail {
        Trail {
            row: store::LedgerRow {
                message_id: "m@x".into(),
                origin: "o".into(),
                received: Timestamp::UNIX_EPOCH,
                state: store::LedgerState::parse(state).unwrap(),
                action: action.map(str::to_string),
                intent: None,
                account_id: None,
                reason: None,
                reply_message_id: None,
                reply_to: None,
                updated_at: String::new(),
            },
            decision_json: decision.map(str::to_string),
            claimed_at: String::new(),
            attempted_at: None,
            sent_at: None,
            trace: trace.map(str::to_string),
            billing: None,
        }
    }

    #[test]
    fn then_reads_the_trace_first_and_the_ledger_otherwise() {
        let granted = r#"{"refund":"granted","refund_amount":"49.00","clauses":["g"]}"#;
        let cancel = r#"{"cancellation":"confirmed","cancellation_effective":"2026-12-01","account_state":"cancelled","clauses":["c"]}"#;
        for (t, want) in [
            (None, "not in the ledger".to_string()),
            (
                Some(trail("sent", Some("refund_granted"), Some(granted), None)),
                "reply refund granted 49.00 [clauses g]".into(),
            ),
            (
                Some(trail("sent", Some("cancel"), Some(cancel), None)),
                "reply cancel from 2026-12-01 (cancelled) [clauses c]".into(),
            ),
            (
                Some(trail("review", Some("to_human:no_account"), None, None)),
                "people: no_account".into(),
            ),
            (
                Some(trail("skipped", Some("skip:auto_submitted"), None, None)),
                "skip: auto_submitted".into(),
            ),
            // Billing refused it afterwards: the decision then is still the policy's.
            (
                Some(trail(
                    "review",
                    Some("to_human:billing_refused"),
                    None,
                    Some(&format!(r#"{{"action":"reply","decision":{granted}}}"#)),
                )),
                "reply refund granted 49.00 [clauses g]".into(),
            ),
            (
                Some(trail("claimed", None, None, None)),
                "interrupted (claimed, never recorded)".into(),
            ),
        ] {
            assert_eq!(then(t.as_ref()), want);
        }
    }
}
