//! The whole pure chain for one parsed message: screen, classify, match, decide, render. One
//! call, no I/O: the store's facts arrive as an argument, and so does the time.

use jiff::Timestamp;

use std::borrow::Cow;

use crate::accounts::{AccountMatch, Mismatch, normalize_address};
use crate::classify::{self, Classified, ClassifyRules, Intent};
use crate::parse::{AutoHeaders, Inbound};
use crate::policy::schema::Policy;
use crate::policy::{self, Decision, History, Undecidable};
use crate::render::{self, RenderError, Reply, Templates};
use crate::screen::{self, Screen, ScreenRules, SkipReason};

/// What the store knows that bears on this message, read before planning.
#[derive(Debug, Clone)]
pub struct Facts {
    pub account: AccountMatch,
    pub history: History,
}

/// Everything planning needs about the mailbox the message came to.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub policy: &'a Policy,
    pub classify: &'a ClassifyRules,
    pub screen: &'a ScreenRules,
    pub templates: &'a Templates,
}

/// What to do with the message, and how each stage saw it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub screen: Screen,
    pub classified: Option<Classified>,
    pub account: Option<AccountMatch>,
    pub action: Action,
}

/// The one thing that happens.
#[derive(Debug, Clone)]
pub enum Action {
    /// Answer automatically.
    Reply { decision: Decision, reply: Reply },
    /// Leave it for people; perhaps tell the sender a person will answer.
    ToHuman { why: Why, ack: Option<Reply> },
    /// Never answer (auto-replies, bounces, lists, loops, our own mail).
    Skip(SkipReason),
}

/// Why a message goes to people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Why {
    #[error("not a refund or cancellation request ({})", .0.as_str())]
    NotARequest(Intent),
    #[error("no account has the sender's address")]
    NoAccount,
    #[error("several accounts have the sender's address: {}", .0.join(", "))]
    SeveralAccounts(Vec<String>),
    #[error("{0}")]
    AccountMismatch(Mismatch),
    #[error("a forwarded message: {0}")]
    Forwarded(String),
    #[error("the policy cannot decide: {0}")]
    Undecidable(Undecidable),
    #[error("the reply could not be rendered: {0}")]
    Render(RenderError),
    #[error("the message could not be read: {0}")]
    Unreadable(String),
    #[error("the message is addressed to no configured mailbox")]
    NoMailbox,
}

impl Why {
    /// A short stable name for the ledger and `check --json`.
    pub fn code(&self) -> &'static str {
        match self {
            Why::NotARequest(_) => "not_a_request",
            Why::NoAccount => "no_account",
            Why::SeveralAccounts(_) => "several_accounts",
            Why::AccountMismatch(_) => "account_mismatch",
            Why::Forwarded(_) => "forwarded",
            Why::Undecidable(_) => "undecidable",
            Why::Render(_) => "render_failed",
            Why::Unreadable(_) => "unreadable",
            Why::NoMailbox => "no_mailbox",
        }
    }
}

/// For a forwarded message, the forwarded customer's request as a message of its own (when one
/// of `forwarders` sent it and the original sender can be read), or why people must look.
/// `None` for a message that is not a forward.
///
/// The original keeps the outer message's id, receipt time and headers: it is the outer
/// message that is claimed, answered and recorded; the answer goes to the original sender.
pub fn forwarded_request(mail: &Inbound, forwarders: &[String]) -> Option<Result<Inbound, Why>> {
    let forwarded = mail.auto.forwarded.as_ref()?;
    let forwarder = normalize_address(&mail.from.email);
    if !forwarders.contains(&forwarder) {
        return Some(Err(Why::Forwarded(format!(
            "{forwarder} is not one of the vendor's forwarding addresses"
        ))));
    }
    let Some(from) = &forwarded.from else {
        return Some(Err(Why::Forwarded(
            "the original sender cannot be read from the forwarded part".into(),
        )));
    };
    Some(Ok(Inbound {
        from: from.clone(),
        reply_to: None,
        subject: forwarded.subject.clone(),
        text: forwarded.text.clone(),
        auto: AutoHeaders {
            forwarded: None,
            ..mail.auto.clone()
        },
        ..mail.clone()
    }))
}

fn skip(screened: Screen, reason: SkipReason) -> Plan {
    Plan {
        screen: screened,
        classified: None,
        account: None,
        action: Action::Skip(reason),
    }
}

/// Plans the handling of one message.
pub fn plan(mail: &Inbound, facts: &Facts, rules: &Rules<'_>, now: Timestamp) -> Plan {
    let screened = screen::screen(mail, rules.screen);
    if let Screen::Skip(reason) = &screened {
        return skip(screened.clone(), reason.clone());
    }
    let mail: Cow<'_, Inbound> = match forwarded_request(mail, &rules.screen.forwarders) {
        None => Cow::Borrowed(mail),
        Some(Ok(original)) => {
            // The original sender is screened too: a forwarded bounce or our own notice.
            if let Screen::Skip(reason) = screen::screen(&original, rules.screen) {
                return skip(Screen::Skip(reason.clone()), reason);
            }
            Cow::Owned(original)
        }
        Some(Err(why)) => {
            return Plan {
                screen: screened,
                classified: Some(classify::classify(mail, rules.classify)),
                account: None,
                action: Action::ToHuman {
                    why,
                    ack: acknowledgement(mail, rules, now),
                },
            };
        }
    };
    let mail = mail.as_ref();
    let classified = classify::classify(mail, rules.classify);
    let intent = classified.intent;
    let to_human = |why: Why| Action::ToHuman {
        why,
        ack: acknowledgement(mail, rules, now),
    };
    let action = if !intent.wants_refund() && !intent.wants_cancellation() {
        to_human(Why::NotARequest(intent))
    } else {
        match &facts.account {
            AccountMatch::None => to_human(Why::NoAccount),
            AccountMatch::Many(ids) => to_human(Why::SeveralAccounts(ids.clone())),
            AccountMatch::Mismatch(m) => to_human(Why::AccountMismatch(m.clone())),
            AccountMatch::One(account) => {
                match policy::decide(rules.policy, account, intent, mail.received, &facts.history) {
                    Err(why) => to_human(Why::Undecidable(why)),
                    Ok(decision) => match render::render(
                        rules.templates,
                        rules.policy,
                        &decision,
                        mail,
                        account,
                    ) {
                        Ok(reply) => Action::Reply { decision, reply },
                        Err(e) => to_human(Why::Render(e)),
                    },
                }
            }
        }
    };
    Plan {
        screen: screened,
        classified: Some(classified),
        account: Some(facts.account.clone()),
        action,
    }
}

fn acknowledgement(mail: &Inbound, rules: &Rules<'_>, now: Timestamp) -> Option<Reply> {
    if !rules.policy.acknowledge_handoff {
        return None;
    }
    // A failed acknowledgement is not worth more than a log line: people still get the message.
    render::render_ack(rules.templates, rules.policy, mail, now).ok()
}
