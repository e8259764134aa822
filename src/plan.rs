//! The whole pure chain for one parsed message: screen, classify, match, decide, render. One
//! call, no I/O: the store's facts arrive as an argument, and so does the time.

use jiff::Timestamp;

use crate::accounts::AccountMatch;
use crate::classify::{self, Classified, ClassifyRules, Intent};
use crate::parse::Inbound;
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
            Why::Undecidable(_) => "undecidable",
            Why::Render(_) => "render_failed",
            Why::Unreadable(_) => "unreadable",
            Why::NoMailbox => "no_mailbox",
        }
    }
}

/// Plans the handling of one message.
pub fn plan(mail: &Inbound, facts: &Facts, rules: &Rules<'_>, now: Timestamp) -> Plan {
    let screened = screen::screen(mail, rules.screen);
    if let Screen::Skip(reason) = &screened {
        return Plan {
            screen: screened.clone(),
            classified: None,
            account: None,
            action: Action::Skip(reason.clone()),
        };
    }
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
