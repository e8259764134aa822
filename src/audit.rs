//! The audit trail: what each decision rested on, kept in the store when a message is handled
//! (`store::billing`'s `audit` table), and exported for finance by `mailclerk decisions`.
//!
//! The trace is built from the plan alone (pure); the times of the later steps (claim, billing,
//! reply) come from the ledger when the trail is read.

use std::io::Write;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::accounts::AccountMatch;
use crate::config::{Config, Mailbox};
use crate::examine::Examined;
use crate::plan::{Action, LedgerAction, Why};
use crate::policy::{Refund, Timing};
use crate::screen::Screen;
use crate::sender_auth::SenderAuth;
use crate::store::{self, Store, Trail};

/// The classifier that decided, as the trail names it: the rule engine of this release.
pub const CLASSIFIER: &str = concat!("rules+model/", env!("CARGO_PKG_VERSION"));

/// The trace of one decision: the policy (id, file SHA-256), the screen, the classification
/// with its evidence, the account and the facts used, the sender check, the rules and clauses,
/// the budget and the action.
pub fn trace(mailbox: &Mailbox, examined: &Examined, decided_at: Timestamp) -> Value {
    let policy = json!({
        "id": mailbox.policy.id,
        "sha256": mailbox.policy_sha256,
        "vendor": mailbox.policy.vendor.name,
    });
    let (inbound, plan) = match examined {
        // Nothing was read, so there is nothing to trace but the key and the reason.
        Examined::Unreadable {
            message_id,
            why,
            plan,
        } => {
            return json!({
                "mailbox": mailbox.name,
                "policy": policy,
                "decided_at": format!("{decided_at:.3}"),
                "message": { "message_id": message_id },
                "unreadable": why.to_string(),
                "action": action_name(&plan.action),
            });
        }
        Examined::Planned { inbound, plan } => (inbound, plan),
    };
    let screen = match &plan.screen {
        Screen::Answerable => "answerable".to_string(),
        Screen::Skip(reason) => format!("skip:{reason}"),
    };
    let classifier = plan.classified.as_ref().map(|c| {
        json!({
            "version": CLASSIFIER,
            "intent": c.intent.as_str(),
            "confidence": (f64::from(c.confidence) * 1000.0).round() / 1000.0,
            "evidence": c.evidence,
            // The learned model's reading, calibrated probability, veto and weightiest features.
            "learned": c.learned,
        })
    });
    let account = plan.account.as_ref().map(|m| match m {
        AccountMatch::One(a) => json!({
            "match": "one",
            "id": a.id,
            "facts": {
                "plan": a.plan.as_str(),
                "currency": a.currency.code(),
                "signed_up_on": a.signed_up_on.to_string(),
                "first_paid_on": a.paid.map(|p| p.first_paid_on.to_string()),
                "first_payment": a.paid.map(|p| p.first_payment.to_string()),
                "last_payment": a.paid.map(|p| p.last_payment.to_string()),
            },
        }),
        AccountMatch::None => json!({ "match": "none" }),
        AccountMatch::Many(ids) => json!({ "match": "many", "ids": ids }),
        AccountMatch::Mismatch(m) => json!({ "match": "mismatch", "why": m.to_string() }),
    });
    let sender = plan.sender.as_ref().map(|s| match s {
        SenderAuth::Dmarc { domain } => format!("pass: DMARC for {domain}"),
        SenderAuth::AlignedDkim { signer } => format!("pass: aligned DKIM by {signer}"),
        SenderAuth::Unverified(why) => format!("unverified: {why}"),
    });
    let mut t = json!({
        "mailbox": mailbox.name,
        "policy": policy,
        "decided_at": format!("{decided_at:.3}"),
        "message": {
            "message_id": inbound.message_id,
            "from": inbound.from.email,
            "subject": inbound.subject,
            "received": inbound.received.to_string(),
        },
        "screen": screen,
        "classifier": classifier,
        "account": account,
        "sender": sender,
        "budget": "within",
    });
    t["action"] = json!(action_name(&plan.action));
    match &plan.action {
        Action::Skip(_) => {}
        Action::ToHuman { why, .. } => {
            t["why"] = json!(why.to_string());
            if let Why::OverBudget(e) = why {
                t["budget"] = json!(e.to_string());
            }
        }
        Action::Reply { decision, reply } => {
            let mut rules = Vec::new();
            if let Some(r) = &decision.refund {
                rules.push(format!("refund:{}", r.kind()));
            }
            if let Some(c) = &decision.cancellation {
                rules.push(format!(
                    "cancellation:{}",
                    match c.timing {
                        Timing::AtOnce => "at_once",
                        Timing::EndOfPeriod => "end_of_period",
                        Timing::LateNotice => "late_notice",
                    }
                ));
            }
            let clauses: Vec<Value> = decision
                .refund
                .as_ref()
                .map(Refund::clause)
                .into_iter()
                .chain(decision.cancellation.as_ref().map(|c| &c.clause))
                .map(|c| json!({ "id": c.id, "title": c.title }))
                .collect();
            t["rules"] = json!(rules);
            t["clauses"] = json!(clauses);
            t["decision"] = Value::Object(crate::examine::decision_json(decision));
            t["changes_account"] = json!(crate::billing::changes_account(decision));
            t["reply"] = json!({
                "to": reply.to,
                "subject": reply.subject,
                "message_id": reply.message_id,
                "template": reply.template,
            });
        }
    }
    t
}

/// The trace's `action`: the ledger's name for a skip or a hand-off, `reply` for an answer.
fn action_name(action: &Action) -> String {
    match action {
        Action::Skip(reason) => LedgerAction::Skip(reason.clone()).to_string(),
        Action::ToHuman { why, .. } => LedgerAction::to_human(why).to_string(),
        Action::Reply { .. } => "reply".into(),
    }
}

/// Keeps the trace of a newly handled message; a failure costs the trace, not the message.
/// Its time is the store's clock (the process's: [`Store::set_clock`]).
pub fn keep(store: &mut Store, mailbox: &Mailbox, message_id: &str, examined: &Examined) {
    let now = store.now();
    let received = examined.mail().map_or(now, |m| m.received);
    let text = trace(mailbox, examined, now).to_string();
    if let Err(e) = store.record_audit(message_id, &mailbox.name, received, &text) {
        tracing::warn!(err = %crate::error_chain(&e), "Audit trace not kept.");
    }
}

/// `decisions --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// The export's columns, in order.
pub const COLUMNS: [&str; 24] = [
    "mailbox",
    "message_id",
    "received",
    "decided_at",
    "account_id",
    "intent",
    "confidence",
    "classifier",
    "action",
    "state",
    "refund",
    "refund_amount",
    "currency",
    "cancellation_effective",
    "account_state",
    "rules",
    "clauses",
    "policy_id",
    "policy_sha256",
    "billing_state",
    "billing_key",
    "billing_settled_at",
    "reply_message_id",
    "sent_at",
];

/// Why `decisions` failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("mailbox {mailbox}: cannot read the store")]
    Store {
        mailbox: String,
        source: store::Error,
    },
    #[error("no mailbox called {0:?} in the configuration")]
    NoSuchMailbox(String),
    #[error("cannot write the export")]
    Write(#[from] std::io::Error),
    #[error("cannot write the export")]
    Csv(#[from] csv::Error),
}

/// One exported decision: every message whose policy reached a decision (answered, or
/// handed to people after it, such as a billing refusal), received at or after `since`.
pub fn row(mailbox: &str, t: &Trail) -> Option<serde_json::Map<String, Value>> {
    let trace: Value = t
        .trace
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let decision: Value = match &trace["decision"] {
        Value::Null => t
            .decision_json
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())?,
        d => d.clone(),
    };
    let currency = trace["account"]["facts"]["currency"].clone();
    let text = |v: &Value| match v {
        Value::Null => Value::Null,
        Value::String(_) => v.clone(),
        other => Value::String(other.to_string()),
    };
    let join = |v: &Value| match v.as_array() {
        Some(items) => Value::String(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map_or_else(|| i["id"].to_string(), str::to_string)
                })
                .map(|s| s.trim_matches('"').to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => Value::Null,
    };
    let b = t.billing.as_ref();
    let values = [
        json!(mailbox),
        json!(t.row.message_id),
        json!(t.row.received.to_string()),
        trace["decided_at"].clone(),
        json!(t.row.account_id),
        json!(t.row.intent),
        trace["classifier"]["confidence"].clone(),
        trace["classifier"]["version"].clone(),
        json!(t.row.action),
        json!(t.row.state.as_str()),
        decision["refund"].clone(),
        decision["refund_amount"].clone(),
        currency,
        decision["cancellation_effective"].clone(),
        decision["account_state"].clone(),
        join(&trace["rules"]),
        join(&decision["clauses"]),
        trace["policy"]["id"].clone(),
        trace["policy"]["sha256"].clone(),
        json!(b.map(|b| b.state.as_str())),
        json!(b.map(|b| b.key.clone())),
        json!(b.and_then(|b| b.settled_at).map(|s| s.to_string())),
        json!(t.row.reply_message_id),
        json!(t.sent_at),
    ];
    Some(
        COLUMNS
            .iter()
            .zip(values)
            .map(|(k, v)| (k.to_string(), if *k == "confidence" { v } else { text(&v) }))
            .collect(),
    )
}

/// `mailclerk decisions`: every mailbox's (or one's) decisions since `since`, as CSV with a
/// header row or as a JSON array. Reads each store read-only.
///
/// # Errors
/// An unknown mailbox, an unreadable store, or a failed write.
pub fn export(
    cfg: &Config,
    mailbox: Option<&str>,
    since: Timestamp,
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, Error> {
    if let Some(name) = mailbox
        && cfg.mailbox(name).is_none()
    {
        return Err(Error::NoSuchMailbox(name.into()));
    }
    let mut rows = Vec::new();
    for m in cfg
        .mailboxes
        .iter()
        .filter(|m| mailbox.is_none_or(|n| n == m.name))
    {
        if !crate::mailbox_store::exists(m) {
            continue;
        }
        let err = |source| Error::Store {
            mailbox: m.name.clone(),
            source,
        };
        let store = crate::mailbox_store::open_read_only(m).map_err(err)?;
        for t in store.trails(Some(since), None).map_err(err)? {
            rows.extend(row(&m.name, &t));
        }
    }
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(COLUMNS)?;
            for r in &rows {
                w.write_record(COLUMNS.iter().map(|c| match &r[*c] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }))?;
            }
            w.flush()?;
        }
    }
    Ok(rows.len())
}
