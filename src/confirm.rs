//! Sender verification by confirmation (`unverified = "confirm"`). Pure: no I/O.
//!
//! A request that fails the sender check, and matches exactly one account, is not acted on.
//! Instead a short message goes to the account's registered address (never to the sender's,
//! which may be forged) asking its owner to confirm by replying. The message carries a random
//! token in its Message-ID and its subject. A reply that carries the token, comes from the
//! registered address and arrives within [`VALID_DAYS`] is answered as the original request
//! would have been, decided as of the original's receipt time. Anything else that carries a
//! token (another sender, an unknown or used token, too late) goes to people.
//!
//! The token is the whole proof: only the owner's mailbox received it. So it is random (made
//! by the store), never derived from anything the sender saw.

use jiff::{SignedDuration, Timestamp};

use crate::classify::Intent;
use crate::customer::normalize_address;
use crate::parse::Inbound;

/// How long a confirmation may take.
pub const VALID_DAYS: i64 = 7;

/// The prefix of a confirmation request's Message-ID: `mailclerk-confirm.<token>@<domain>`.
const ID_PREFIX: &str = "mailclerk-confirm.";

/// A confirmation asked for and not yet given: what the store keeps of the original request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub token: String,
    /// The unverified request this confirms.
    pub request_message_id: String,
    pub account_id: String,
    /// The account's registered address, where the question went; only it may confirm.
    pub address: String,
    pub intent: Intent,
    /// The original request's subject, for the answer's.
    pub subject: String,
    /// When the vendor's server received the original request: the decision's date.
    pub received: Timestamp,
    /// When the question was sent.
    pub created: Timestamp,
    /// The message that used the token, once one has.
    pub used_by: Option<String>,
}

/// What the store knows of the token a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The message carries a token the store never issued.
    Unknown(String),
    Found(Pending),
}

/// Why a message carrying a token does not confirm anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("it carries a confirmation token that was never issued")]
    UnknownToken,
    #[error("it is not from the account's registered address {expected}")]
    WrongSender { expected: String },
    #[error("the confirmation was asked for on {asked}, more than {VALID_DAYS} days before")]
    Expired { asked: Timestamp },
    #[error("the confirmation was already given, by <{by}>")]
    AlreadyUsed { by: String },
    #[error("the sender no longer matches exactly the account {account_id}")]
    AccountChanged { account_id: String },
}

/// The question's Message-ID for `token`, at the vendor's domain.
pub fn message_id(token: &str, vendor_email: &str) -> String {
    let domain = vendor_email
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("mailclerk.invalid");
    format!("{ID_PREFIX}{token}@{domain}")
}

/// The question's subject: the token in brackets, so that a reply whose client dropped the
/// threading headers still carries it.
pub fn subject(token: &str) -> String {
    format!("Please confirm your request [confirm:{token}]")
}

/// A token is 32 lower-case hex digits (128 random bits).
pub fn is_token(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The tokens a message carries: in `In-Reply-To`/`References` ids of our questions, then in
/// its subject. Usually none.
pub fn tokens(mail: &Inbound) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut push = |t: &str| {
        let t = t.to_ascii_lowercase();
        if is_token(&t) && !found.contains(&t) {
            found.push(t);
        }
    };
    for id in &mail.references {
        if let Some((local, _)) = id.split_once('@')
            && let Some(token) = local.strip_prefix(ID_PREFIX)
        {
            push(token);
        }
    }
    let mut rest = mail.subject.as_str();
    while let Some(at) = rest.find("[confirm:") {
        let after = &rest[at + "[confirm:".len()..];
        if let Some(token) = after.get(..32)
            && after.get(32..33) == Some("]")
        {
            push(token);
        }
        rest = after;
    }
    found
}

/// Whether `mail` confirms `pending`: from the registered address, within the time, once.
///
/// # Errors
/// Why it does not.
pub fn judge(mail: &Inbound, pending: &Pending) -> Result<(), Rejected> {
    if let Some(by) = &pending.used_by {
        return Err(Rejected::AlreadyUsed { by: by.clone() });
    }
    if normalize_address(&mail.from.email) != pending.address {
        return Err(Rejected::WrongSender {
            expected: pending.address.clone(),
        });
    }
    if mail.received > pending.created + SignedDuration::from_hours(24 * VALID_DAYS) {
        return Err(Rejected::Expired {
            asked: pending.created,
        });
    }
    Ok(())
}

/// The message the answer is rendered from: the confirming reply (its id, threading and
/// address), with the original request's subject and receipt time.
pub fn as_original(mail: &Inbound, pending: &Pending) -> Inbound {
    let mut references = mail.references.clone();
    if !references.contains(&pending.request_message_id) {
        references.insert(0, pending.request_message_id.clone());
    }
    Inbound {
        references,
        received: pending.received,
        subject: pending.subject.clone(),
        reply_to: None,
        ..mail.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Address, AutoHeaders};

    const T: &str = "0123456789abcdef0123456789abcdef";

    fn mail(from: &str, subject: &str, references: &[&str], received: &str) -> Inbound {
        Inbound {
            message_id: "c@x".into(),
            references: references.iter().map(|r| r.to_string()).collect(),
            received: received.parse().unwrap(),
            from: Address {
                name: None,
                email: from.into(),
            },
            reply_to: None,
            recipients: vec![],
            subject: subject.into(),
            text: "Yes, that was me.".into(),
            auto: AutoHeaders::default(),
            size: 10,
        }
    }

    fn pending() -> Pending {
        Pending {
            token: T.into(),
            request_message_id: "r@x".into(),
            account_id: "A-1".into(),
            address: "ann@customer.example".into(),
            intent: Intent::Refund,
            subject: "Refund please".into(),
            received: "2026-03-01T10:00:00Z".parse().unwrap(),
            created: "2026-03-01T10:00:05Z".parse().unwrap(),
            used_by: None,
        }
    }

    #[test]
    fn tokens_from_threading_and_subject() {
        let id = message_id(T, "support@vendor.example");
        assert_eq!(id, format!("mailclerk-confirm.{T}@vendor.example"));
        let at = "2026-03-02T10:00:00Z";
        assert_eq!(tokens(&mail("a@b", "Re: hi", &[&id], at)), [T]);
        assert_eq!(
            tokens(&mail("a@b", &format!("Re: {}", subject(T)), &[], at)),
            [T]
        );
        assert_eq!(
            tokens(&mail("a@b", &format!("Re: {}", subject(T)), &[&id], at)),
            [T],
            "once"
        );
        for nothing in [
            mail("a@b", "Re: [confirm:0123] refund", &[], at),
            mail(
                "a@b",
                "[confirm:0123456789ABCDEF0123456789ABCDEFX]",
                &[],
                at,
            ),
            mail("a@b", "hi", &["mailclerk-confirm.xyz@vendor.example"], at),
            mail("a@b", "[confirm:", &["mailclerk.0123@vendor.example"], at),
        ] {
            assert!(tokens(&nothing).is_empty(), "{nothing:?}");
        }
    }

    #[test]
    fn judge_each_rule() {
        let p = pending();
        let ok = mail("Ann@Customer.example", "Re", &[], "2026-03-08T10:00:00Z");
        assert_eq!(judge(&ok, &p), Ok(()));
        let late = mail("ann@customer.example", "Re", &[], "2026-03-08T10:00:06Z");
        assert!(matches!(judge(&late, &p), Err(Rejected::Expired { .. })));
        let other = mail("eve@attacker.example", "Re", &[], "2026-03-02T10:00:00Z");
        assert!(matches!(
            judge(&other, &p),
            Err(Rejected::WrongSender { .. })
        ));
        let used = Pending {
            used_by: Some("c0@x".into()),
            ..p.clone()
        };
        assert!(matches!(
            judge(&ok, &used),
            Err(Rejected::AlreadyUsed { .. })
        ));
        let original = as_original(&ok, &p);
        assert_eq!(original.received, p.received);
        assert_eq!(original.subject, "Refund please");
        assert_eq!(original.message_id, "c@x");
        assert_eq!(original.references, ["r@x"]);
    }
}
