//! Who the customer is: the sender, or, for a message one of the vendor's own forwarding
//! addresses forwarded, the original sender. Worked out once per message, below account
//! matching, and handed up: matching, the reply budget and planning all read the same answer.
//! Pure.

use crate::parse::{AutoHeaders, Inbound};

/// Normalises an address for comparison: trimmed and lower-cased as a whole. Local parts are
/// case-sensitive in theory, but no mail provider a customer uses treats them so, and the
/// billing system stores whatever case the customer typed.
pub fn normalize_address(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Why a forwarded message cannot be read as a customer's request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForwardProblem {
    #[error("{forwarder} is not one of the vendor's forwarding addresses")]
    NotOurForwarder { forwarder: String },
    #[error("the original sender cannot be read from the forwarded part")]
    NoOriginalSender,
}

/// Whose request a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Customer {
    /// Not a forward: the sender is the customer.
    Sender,
    /// A forward from one of the vendor's forwarders: the original request as a message of its
    /// own. It keeps the outer message's id, receipt time and headers: the outer message is
    /// claimed, answered and recorded; the answer goes to the original sender.
    Forwarded(Box<Inbound>),
    /// A forward that people must look at.
    Unresolved(ForwardProblem),
}

impl Customer {
    /// Resolves `mail`'s customer; `forwarders` are the vendor's forwarding addresses
    /// (lower-cased).
    pub fn resolve(mail: &Inbound, forwarders: &[String]) -> Customer {
        let Some(forwarded) = mail.auto.forwarded.as_ref() else {
            return Customer::Sender;
        };
        let forwarder = normalize_address(&mail.from.email);
        if !forwarders.contains(&forwarder) {
            return Customer::Unresolved(ForwardProblem::NotOurForwarder { forwarder });
        }
        let Some(from) = &forwarded.from else {
            return Customer::Unresolved(ForwardProblem::NoOriginalSender);
        };
        // Field by field, so that the outer message's own text is not copied only to be
        // replaced.
        Customer::Forwarded(Box::new(Inbound {
            message_id: mail.message_id.clone(),
            references: mail.references.clone(),
            received: mail.received,
            from: from.clone(),
            reply_to: None,
            recipients: mail.recipients.clone(),
            subject: forwarded.subject.clone(),
            text: forwarded.text.clone(),
            auto: AutoHeaders {
                forwarded: None,
                ..mail.auto.clone()
            },
            size: mail.size,
        }))
    }

    /// The request to match and answer: the original for a forward, else `mail` itself;
    /// `None` for a forward people must look at.
    pub fn request<'a>(&'a self, mail: &'a Inbound) -> Option<&'a Inbound> {
        match self {
            Customer::Sender => Some(mail),
            Customer::Forwarded(original) => Some(original),
            Customer::Unresolved(_) => None,
        }
    }

    /// Where an answer goes: the forwarded customer for a forward from one of the vendor's
    /// forwarders, else the sender. The reply budget is counted per this address.
    pub fn answer_address(&self, mail: &Inbound) -> String {
        match self {
            Customer::Forwarded(original) => normalize_address(&original.from.email),
            _ => normalize_address(&mail.from.email),
        }
    }
}
