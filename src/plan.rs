//! The whole pure chain for one parsed message: screen, classify, match, decide, render. One
//! call, no I/O: the store's facts arrive as an argument, and so does the time.

use std::cell::OnceCell;

use jiff::Timestamp;

use crate::accounts::{AccountMatch, Mismatch};
use crate::budget::{Exceeded, RecentReplies, ReplyBudget};
use crate::classify::{self, Classified, ClassifyRules, Intent, Model, Reason};
use crate::confirm::{self, Lookup, Pending, Rejected};
use crate::customer::{Customer, ForwardProblem};
use crate::language::{self, Lang, Reading};
use crate::parse::{Inbound, Unparseable};
use crate::policy::schema::Policy;
use crate::policy::{self, Decision, History, Undecidable};
use crate::render::{self, RenderError, Reply, Templates};
use crate::screen::{self, Screen, ScreenRules, SkipReason};
use crate::sender_auth::{self, SenderAuth, Unverified};

mod ledger;

pub use ledger::{HandOff, LedgerAction, UnknownAction};

/// What the store knows that bears on this message, read before planning.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Whose request this is (a forward resolved), worked out once before the store was asked.
    pub customer: Customer,
    pub account: AccountMatch,
    pub history: History,
    /// Automatic mails that already went out, for the reply budget.
    pub recent: RecentReplies,
    /// The confirmation this message's token names, when it carries one.
    pub confirmation: Option<Lookup>,
    /// A fresh random token, in case this message needs a confirmation (the mailbox has
    /// `unverified = "confirm"`); planning makes no randomness of its own.
    pub fresh_token: Option<String>,
}

/// Everything planning needs about the mailbox the message came to.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub policy: &'a Policy,
    /// The mailbox's own address: every mail we write is From it.
    pub from: &'a str,
    pub classify: &'a ClassifyRules,
    /// The learned classifier, guarded by `classify`.
    pub model: &'a Model,
    /// The mailbox's `auto_answer_threshold`.
    pub auto_answer_threshold: f32,
    pub screen: &'a ScreenRules,
    pub templates: &'a Templates,
    /// Whose `Authentication-Results` to read, and whether a sender must pass them before an
    /// automatic action on an account.
    pub sender_check: SenderCheck<'a>,
    pub budget: ReplyBudget,
}

/// The mailbox's sender-authentication rule.
#[derive(Debug, Clone, Copy, Default)]
pub struct SenderCheck<'a> {
    /// The authserv-id of the vendor's own mail server; no other header is read.
    pub trusted_authserv_id: Option<&'a str>,
    /// No automatic action on an account without a DMARC or aligned DKIM pass.
    pub required: bool,
    /// Ask the account's registered address to confirm an unverified request, rather than
    /// only handing it to people.
    pub confirm: bool,
}

/// What to do with the message, and how each stage saw it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub screen: Screen,
    pub classified: Option<Classified>,
    pub account: Option<AccountMatch>,
    /// The sender check, when the mailbox names a trusted server.
    pub sender: Option<SenderAuth>,
    pub action: Action,
    /// A confirmation to ask for (alongside a hand-off to people), or to use up (alongside
    /// the answer it unlocks).
    pub confirmation: Option<ConfirmStep>,
    /// The customer's language as read from their own new text (a forward's original), when
    /// planning read it to write to them; `None` when nothing was written (or the mailbox
    /// writes one language). See [`Plan::customer_language`].
    pub language: Option<Reading>,
}

impl Plan {
    /// The customer's language for the logs and metrics: the reading planning made, or, when
    /// it made none, `mail`'s text read now. Either way the text is read once per message.
    pub fn customer_language(&self, mail: &Inbound) -> Option<Lang> {
        self.language
            .unwrap_or_else(|| language::detect(&mail.subject, &mail.text))
            .ok()
            .map(|(lang, _)| lang)
    }
}

/// The mail a reply answers, with its language read at most once, when a reply (answer,
/// acknowledgement or question to the owner) is first written. whatlang's detection costs
/// more than the rest of planning a reply (BENCHMARKS.md).
struct Spoken<'m> {
    mail: &'m Inbound,
    reading: OnceCell<Reading>,
}

impl<'m> Spoken<'m> {
    fn new(mail: &'m Inbound) -> Spoken<'m> {
        Spoken {
            mail,
            reading: OnceCell::new(),
        }
    }

    /// The language a reply is written in under `policy` (see [`language::choose`]).
    fn lang(&self, policy: &Policy) -> Lang {
        language::choose_read(&policy.voice.languages, || {
            *self
                .reading
                .get_or_init(|| language::detect(&self.mail.subject, &self.mail.text))
        })
        .lang()
    }

    fn into_reading(self) -> Option<Reading> {
        self.reading.into_inner()
    }
}

/// The store's part in a confirmation, done by whoever carries out the plan.
#[derive(Debug, Clone)]
pub enum ConfirmStep {
    /// Keep the pending confirmation, then send its question.
    Ask(Box<Ask>),
    /// Mark the confirmation with this token used before sending the answer; if it was
    /// already used, send nothing and hand the message to people.
    Use(String),
}

/// A confirmation question, ready to send, and what to keep until the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub pending: Pending,
    pub mail: Reply,
}

/// The one thing that happens.
#[derive(Debug, Clone)]
pub enum Action {
    /// Answer automatically. (The decision is boxed: it is the largest part by far.)
    Reply {
        decision: Box<Decision>,
        reply: Reply,
    },
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
    #[error("a {} request that people must check ({})", .0.as_str(), .1.as_str())]
    Reason(Intent, Reason),
    #[error("no account has the sender's address")]
    NoAccount,
    #[error("several accounts have the sender's address: {}", .0.join(", "))]
    SeveralAccounts(Vec<String>),
    #[error("{0}")]
    AccountMismatch(Mismatch),
    #[error("a forwarded message: {0}")]
    Forwarded(ForwardProblem),
    #[error("the policy cannot decide: {0}")]
    Undecidable(Undecidable),
    #[error("the reply could not be rendered: {0}")]
    Render(RenderError),
    /// The parser's own words are the whole reason: the ledger, the report and `check` have
    /// always shown them bare.
    #[error("{0}")]
    Unreadable(Unparseable),
    #[error("the message is addressed to no configured mailbox")]
    NoMailbox,
    #[error("the sender is not authenticated: {0}")]
    Unauthenticated(Unverified),
    #[error("no automatic answer: {0}")]
    OverBudget(Exceeded),
    #[error("not a valid confirmation: {0}")]
    Confirmation(Rejected),
    /// The billing side refused the action (or gave no answer within its window): no reply
    /// may promise it.
    #[error("billing did not accept the action (Idempotency-Key {key}): {answer}")]
    BillingRefused { key: String, answer: String },
}

impl Why {
    /// A short stable name for the ledger and `check --json`.
    pub fn code(&self) -> &'static str {
        self.hand_off().as_str()
    }

    /// The hand-off the ledger records for it.
    pub fn hand_off(&self) -> HandOff {
        match self {
            Why::NotARequest(Intent::Unsure) => HandOff::Unsure,
            Why::NotARequest(Intent::RefundStatus) => HandOff::RefundStatus,
            Why::NotARequest(Intent::PolicyQuestion) => HandOff::PolicyQuestion,
            Why::NotARequest(Intent::Withdrawal) => HandOff::Withdrawal,
            Why::NotARequest(_) => HandOff::NotARequest,
            Why::Reason(_, Reason::BillingError) => HandOff::BillingError,
            Why::NoAccount => HandOff::NoAccount,
            Why::SeveralAccounts(_) => HandOff::SeveralAccounts,
            Why::AccountMismatch(_) => HandOff::AccountMismatch,
            Why::Forwarded(_) => HandOff::Forwarded,
            Why::Undecidable(_) => HandOff::Undecidable,
            Why::Render(_) => HandOff::RenderFailed,
            Why::Unreadable(_) => HandOff::Unreadable,
            Why::NoMailbox => HandOff::NoMailbox,
            Why::Unauthenticated(_) => HandOff::Unauthenticated,
            Why::OverBudget(Exceeded::Sender { .. }) => HandOff::ReplyBudget,
            Why::OverBudget(Exceeded::Breaker { .. }) => HandOff::Breaker,
            Why::Confirmation(_) => HandOff::ConfirmationRejected,
            Why::BillingRefused { .. } => HandOff::BillingRefused,
        }
    }
}

impl Plan {
    /// The plan for mail that could not be read: to people, like any other hand-off, and
    /// unacknowledged (there is no sender to trust with an answer). Nothing was screened,
    /// classified or matched; the screen says nothing forbade an answer, since nothing could.
    pub fn unreadable(why: Unparseable) -> Plan {
        Plan {
            screen: Screen::Answerable,
            classified: None,
            account: None,
            sender: None,
            action: Action::ToHuman {
                why: Why::Unreadable(why),
                ack: None,
            },
            confirmation: None,
            language: None,
        }
    }
}

fn skip(screened: Screen, reason: SkipReason) -> Plan {
    Plan {
        screen: screened,
        classified: None,
        account: None,
        sender: None,
        action: Action::Skip(reason),
        confirmation: None,
        language: None,
    }
}

/// The model's reading guarded by the rules, at the mailbox's threshold.
fn classified(mail: &Inbound, rules: &Rules<'_>) -> Classified {
    classify::decide::classify(
        mail,
        rules.classify,
        rules.model,
        rules.auto_answer_threshold,
        &classify::decide::Options::DEFAULT,
    )
}

/// Plans the handling of one message.
pub fn plan(mail: &Inbound, facts: &Facts, rules: &Rules<'_>, now: Timestamp) -> Plan {
    let screened = screen::screen(mail, rules.screen);
    if let Screen::Skip(reason) = &screened {
        return skip(screened.clone(), reason.clone());
    }
    // The outer message's sender is the one whose server vouches for it: for a forward, the
    // vendor's own forwarder.
    let sender = rules
        .sender_check
        .trusted_authserv_id
        .map(|id| sender_auth::verify(&mail.from.email, &mail.auto.authentication_results, id));
    // A reply to our question is judged by its token, not by its words ("Yes, it was me").
    if let Some(lookup) = &facts.confirmation {
        return confirmation_reply(mail, lookup, facts, rules, screened, sender);
    }
    // Checked once: the question to the owner and the hold-back below read the same answer.
    let budget = rules.budget.allows(&facts.recent);
    let mail: &Inbound = match &facts.customer {
        Customer::Sender => mail,
        Customer::Forwarded(original) => {
            // The original sender is screened too: a forwarded bounce or our own notice.
            if let Screen::Skip(reason) = screen::screen(original, rules.screen) {
                return skip(Screen::Skip(reason.clone()), reason);
            }
            original
        }
        Customer::Unresolved(problem) => {
            let spoken = Spoken::new(mail);
            let action = Action::ToHuman {
                why: Why::Forwarded(problem.clone()),
                ack: acknowledgement(&spoken, rules, now),
            };
            return Plan {
                screen: screened,
                classified: Some(classified(mail, rules)),
                account: None,
                sender,
                action: within_budget(action, &budget),
                confirmation: None,
                language: spoken.into_reading(),
            };
        }
    };
    let spoken = Spoken::new(mail);
    let classified = classified(mail, rules);
    let intent = classified.intent;
    let to_human = |why: Why| Action::ToHuman {
        why,
        ack: acknowledgement(&spoken, rules, now),
    };
    let unverified = match &sender {
        Some(SenderAuth::Unverified(why)) if rules.sender_check.required => Some(why.clone()),
        // Required but no server named: configuration refuses this, and so do we.
        None if rules.sender_check.required => Some(Unverified::NoTrustedServer),
        _ => None,
    };
    let ask = match (&facts.account, &unverified, &facts.fresh_token) {
        (AccountMatch::One(account), Some(_), Some(token))
            if rules.sender_check.confirm
                && (intent.wants_refund() || intent.wants_cancellation())
                && budget.is_ok() =>
        {
            ask_owner(&spoken, account, intent, token, rules, now)
        }
        _ => None,
    };
    let action = if !intent.wants_refund() && !intent.wants_cancellation() {
        to_human(Why::NotARequest(intent))
    } else if let Some(reason) = classified.reason() {
        to_human(Why::Reason(intent, reason))
    } else {
        match &facts.account {
            AccountMatch::None => to_human(Why::NoAccount),
            AccountMatch::Many(ids) => to_human(Why::SeveralAccounts(ids.clone())),
            AccountMatch::Mismatch(m) => to_human(Why::AccountMismatch(m.clone())),
            // The owner is asked; the sender, who may be anyone, is not told anything.
            AccountMatch::One(_) if let Some(why) = &unverified => Action::ToHuman {
                why: Why::Unauthenticated(why.clone()),
                ack: match ask {
                    Some(_) => None,
                    None => acknowledgement(&spoken, rules, now),
                },
            },
            AccountMatch::One(account) => {
                match policy::decide(rules.policy, account, intent, mail.received, &facts.history) {
                    Err(why) => to_human(Why::Undecidable(why)),
                    Ok(decision) => match render::render_in(
                        rules.templates,
                        rules.policy,
                        &decision,
                        mail,
                        account,
                        rules.from,
                        spoken.lang(rules.policy),
                    ) {
                        Ok(reply) => Action::Reply {
                            decision: Box::new(decision),
                            reply,
                        },
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
        sender,
        action: within_budget(action, &budget),
        confirmation: ask.map(|a| ConfirmStep::Ask(Box::new(a))),
        language: spoken.into_reading(),
    }
}

/// The question for the owner of `account` about the unverified request `mail`, to its
/// registered (first) address; `None` if it cannot be rendered (people still get the request).
fn ask_owner(
    spoken: &Spoken<'_>,
    account: &crate::accounts::Account,
    intent: Intent,
    token: &str,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Option<Ask> {
    let mail = spoken.mail;
    let address = account.emails.first()?;
    let question = render::render_confirm_in(
        rules.templates,
        rules.policy,
        mail,
        account,
        (address, token, rules.from),
        spoken.lang(rules.policy),
    )
    .ok()?;
    Some(Ask {
        pending: Pending {
            token: token.to_string(),
            request_message_id: mail.message_id.clone(),
            account_id: account.id.clone(),
            address: address.clone(),
            intent,
            subject: mail.subject.clone(),
            received: mail.received,
            created: now,
            used_by: None,
        },
        mail: question,
    })
}

/// Plans a message that carries a confirmation token: the original request's answer, decided
/// as of its receipt, or people when the confirmation does not hold.
fn confirmation_reply(
    mail: &Inbound,
    lookup: &Lookup,
    facts: &Facts,
    rules: &Rules<'_>,
    screened: Screen,
    sender: Option<SenderAuth>,
) -> Plan {
    let budget = rules.budget.allows(&facts.recent);
    let judged = match lookup {
        Lookup::Unknown(_) => Err(Rejected::UnknownToken),
        Lookup::Found(p) => confirm::judge(mail, p).and_then(|()| match &facts.account {
            AccountMatch::One(a) if a.id == p.account_id => Ok((p, a)),
            _ => Err(Rejected::AccountChanged {
                account_id: p.account_id.clone(),
            }),
        }),
    };
    let (pending, account) = match judged {
        Ok(found) => found,
        Err(why) => {
            return Plan {
                screen: screened,
                classified: None,
                account: Some(facts.account.clone()),
                sender,
                action: Action::ToHuman {
                    why: Why::Confirmation(why),
                    ack: None,
                },
                confirmation: None,
                language: None,
            };
        }
    };
    let original = confirm::as_original(mail, pending);
    let spoken = Spoken::new(&original);
    let action = match policy::decide(
        rules.policy,
        account,
        pending.intent,
        pending.received,
        &facts.history,
    ) {
        Err(why) => Action::ToHuman {
            why: Why::Undecidable(why),
            ack: None,
        },
        Ok(decision) => {
            match render::render_in(
                rules.templates,
                rules.policy,
                &decision,
                &original,
                account,
                rules.from,
                spoken.lang(rules.policy),
            ) {
                Ok(reply) => Action::Reply {
                    decision: Box::new(decision),
                    reply,
                },
                Err(e) => Action::ToHuman {
                    why: Why::Render(e),
                    ack: None,
                },
            }
        }
    };
    let action = within_budget(action, &budget);
    let confirmation =
        matches!(action, Action::Reply { .. }).then(|| ConfirmStep::Use(pending.token.clone()));
    Plan {
        screen: screened,
        classified: Some(Classified {
            intent: pending.intent,
            confidence: 1.0,
            evidence: Vec::new(),
            learned: None,
        }),
        account: Some(facts.account.clone()),
        sender,
        action,
        confirmation,
        language: spoken.into_reading(),
    }
}

/// Holds back any automatic mail over the budget: an answer goes to people instead, an
/// acknowledgement is dropped (people get the message anyway).
fn within_budget(action: Action, budget: &Result<(), Exceeded>) -> Action {
    let &Err(exceeded) = budget else {
        return action;
    };
    match action {
        Action::Reply { .. } => Action::ToHuman {
            why: Why::OverBudget(exceeded),
            ack: None,
        },
        Action::ToHuman { why, ack: Some(_) } => Action::ToHuman { why, ack: None },
        other => other,
    }
}

fn acknowledgement(spoken: &Spoken<'_>, rules: &Rules<'_>, now: Timestamp) -> Option<Reply> {
    if !rules.policy.acknowledge_handoff {
        return None;
    }
    // A failed acknowledgement is not worth more than a log line: people still get the message.
    let lang = spoken.lang(rules.policy);
    render::render_ack_in(
        rules.templates,
        rules.policy,
        spoken.mail,
        now,
        rules.from,
        lang,
    )
    .ok()
}
