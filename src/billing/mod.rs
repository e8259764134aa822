//! The billing hand-off: a decision that changes money or an account (a refund granted, a
//! cancellation confirmed, a trial cancelled) is handed to the vendor's billing side before
//! the reply that announces it goes out, exactly once per decision.
//!
//! Exactly once, across crashes, rests on the ledger (`store::billing`): the body and its
//! `Idempotency-Key` are written durably *before* the first try, and every later try, in this
//! process or after a `kill -9`, sends those same bytes under that same key; the billing side
//! deduplicates by key, as Stripe, Chargebee and Paddle do. The reply is sent only once the
//! ledger holds the acceptance, and a durable mark is written just before the reply is sent,
//! so a restart can tell "the reply cannot have gone out" (resume) from "it may have" (the
//! existing reconciliation against Sent, else people).
//!
//! This module builds the payload (pure) and makes the calls (I/O: [`webhook`], [`command`]);
//! [`gate`] ties them to the store.

pub mod command;
pub mod gate;
pub use crate::config::billing as settings;
pub use settings::file_sha256;
pub mod webhook;

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::accounts::Account;
use crate::parse::Inbound;
use crate::policy::{Decision, Refund, Timing};
pub use gate::{Gate, gate};
pub use settings::{Settings, Target};

/// The version of the payload's shape, sent as `schema`.
pub const SCHEMA: &str = "mailclerk.billing.v1";

/// Whether a decision changes money or an account, and so must reach billing before the reply.
pub fn changes_account(decision: &Decision) -> bool {
    matches!(decision.refund, Some(Refund::Granted { .. })) || decision.cancellation.is_some()
}

/// What the billing side answered to one try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 2xx, or exit status 0: the action is done (or was done under this key before).
    Accepted(String),
    /// 4xx (other than 408, 425, 429), a redirect, or a non-zero exit: it will not be done.
    Refused(String),
    /// 5xx, 408, 425, 429, a timeout, no connection, a command killed: try again later.
    Unavailable(String),
}

/// Everything the hand-off sends about one decision.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub mailbox: &'a str,
    /// The ledger's identity of the message.
    pub ledger_id: &'a str,
    pub policy_id: &'a str,
    pub policy_sha256: &'a str,
    pub inbound: &'a Inbound,
    pub account: &'a Account,
    pub decision: &'a Decision,
    /// Where the reply goes (the customer).
    pub customer: &'a str,
}

/// A hand-off ready to go: its key, its body, and the digest of the decision it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub key: String,
    pub body: Vec<u8>,
    pub decision_sha256: String,
}

/// The SHA-256 of the decision's fields and clauses, in their canonical JSON (sorted keys).
pub fn decision_digest(decision: &Decision) -> String {
    let fields = serde_json::Value::Object(crate::examine::decision_json(decision)).to_string();
    hex(&Sha256::digest(fields.as_bytes()))
}

/// The `Idempotency-Key` of a decision about a message: the same for every try, before and
/// after a crash, and different for another message or another decision.
pub fn idempotency_key(mailbox: &str, ledger_id: &str, decision_sha256: &str) -> String {
    let mut h = Sha256::new();
    for part in [mailbox, ledger_id, decision_sha256] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("mc1-{}", &hex(&h.finalize())[..40])
}

/// Builds the key and the JSON body (see `docs/billing.md` for the schema).
pub fn prepare(s: &Subject<'_>) -> Prepared {
    use serde_json::{Value, json};
    let digest = decision_digest(s.decision);
    let key = idempotency_key(s.mailbox, s.ledger_id, &digest);
    let mut actions = Vec::new();
    if let Some(Refund::Granted { amount, clause, .. }) = &s.decision.refund {
        actions.push(json!({
            "type": "refund",
            "amount": amount.to_string(),
            "amount_minor": amount.minor(),
            "currency": amount.currency().code(),
            "clause": clause.id,
        }));
    }
    if let Some(c) = &s.decision.cancellation {
        let trial = s.account.paid.is_none();
        actions.push(json!({
            "type": if trial { "cancel_trial" } else { "cancel_subscription" },
            "effective": c.effective.to_string(),
            "timing": match c.timing {
                Timing::AtOnce => "at_once",
                Timing::EndOfPeriod => "end_of_period",
                Timing::LateNotice => "late_notice",
            },
            "charges_before_end": c.charges_before_end,
            "late_for": c.late_for.map(|d| d.to_string()),
            "account_state": c.account_state.as_str(),
            "clause": c.clause.id,
        }));
    }
    let a = s.account;
    let body = json!({
        "schema": SCHEMA,
        "idempotency_key": key,
        "mailbox": s.mailbox,
        "message_id": s.ledger_id,
        "received": s.inbound.received.to_string(),
        "customer": s.customer,
        "policy": { "id": s.policy_id, "sha256": s.policy_sha256 },
        "account": {
            "id": a.id,
            "name": a.name,
            "plan": a.plan.as_str(),
            "currency": a.currency.code(),
            "signed_up_on": a.signed_up_on.to_string(),
            "first_paid_on": a.paid.map(|p| p.first_paid_on.to_string()),
            "last_payment": a.paid.map(|p| p.last_payment.to_string()),
        },
        "actions": actions,
        "decision": Value::Object(crate::examine::decision_json(s.decision)),
        "decision_sha256": digest,
    });
    Prepared {
        key,
        body: body.to_string().into_bytes(),
        decision_sha256: digest,
    }
}

/// One try, by the configured target.
pub async fn try_once(settings: &Settings, key: &str, body: &[u8], attempt: u32) -> Answer {
    match &settings.target {
        Target::Webhook { url, secret } => {
            webhook::post(url, secret, key, body, attempt, settings.timeout).await
        }
        Target::Command { argv } => command::run(argv, key, body, settings.timeout).await,
    }
}

/// Up to `1 + retries` tries with doubling pauses, stopping at the first acceptance or
/// refusal. Returns the last answer and how many tries were made.
pub async fn call(
    settings: &Settings,
    key: &str,
    body: &[u8],
    first_attempt: u32,
) -> (Answer, u32) {
    let mut pause = settings.backoff;
    let mut made = 0;
    loop {
        made += 1;
        let answer = try_once(settings, key, body, first_attempt + made).await;
        if !matches!(answer, Answer::Unavailable(_)) || made > settings.retries {
            return (answer, made);
        }
        tracing::warn!(%key, attempt = first_attempt + made, answer = ?answer, "Billing unavailable; trying again.");
        tokio::time::sleep(pause).await;
        pause = pause.saturating_mul(2).min(Duration::from_secs(60));
    }
}

/// The HMAC-SHA256 of `body` under `secret`, as the signature header carries it:
/// `sha256=<lower-case hex>`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// The first 300 characters of a billing answer, on one line, for the ledger and people.
pub fn excerpt(text: &str) -> String {
    let one: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    one.trim().to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_stable_and_names_one_message_and_one_decision() {
        let k = idempotency_key("desk", "m1@x", "d1");
        assert_eq!(k, idempotency_key("desk", "m1@x", "d1"));
        assert!(k.starts_with("mc1-") && k.len() == 44, "{k}");
        for other in [
            idempotency_key("desk", "m2@x", "d1"),
            idempotency_key("desk", "m1@x", "d2"),
            idempotency_key("other", "m1@x", "d1"),
            // The separator keeps "a" + "bc" apart from "ab" + "c".
            idempotency_key("desk", "m1@", "xd1"),
        ] {
            assert_ne!(k, other);
        }
    }

    /// RFC 4231 test case 2.
    #[test]
    fn the_signature_is_hmac_sha256_hex() {
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn an_excerpt_is_one_bounded_line() {
        assert_eq!(excerpt(" no\r\nsuch card "), "no  such card");
        assert_eq!(excerpt(&"x".repeat(1000)).len(), 300);
    }
}
