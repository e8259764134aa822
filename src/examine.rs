//! One message examined: parsed, the store's facts gathered, planned; and the ledger
//! outcome and report line for it. Shared by directory runs, `check`, `replay` and the
//! daemon; the one executor (`apply`) carries the plan out.

use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use tracing::{error, warn};

use crate::accounts::AccountMatch;
use crate::budget::{self, Exceeded, RecentReplies};
use crate::config::{Config, Mailbox};
use crate::confirm::{self, Lookup};
use crate::customer::Customer;
use crate::parse::{self, Inbound, RawMail, Unparseable};
use crate::plan::{self, Action, ConfirmStep, Facts, HandOff, LedgerAction, Plan, Rules, Why};
use crate::policy::{Decision, History, Refund, Timing};
use crate::screen::SkipReason;
use crate::store::{self, LedgerState, Outcome, Store};

/// One message examined: parsed and planned, or not readable at all. Either way it has a
/// plan: unreadable mail goes to people through [`Plan::unreadable`] like every other
/// hand-off, so the executor has one path.
#[derive(Debug, Clone)]
pub enum Examined {
    Planned {
        inbound: Box<Inbound>,
        plan: Box<Plan>,
    },
    /// No mail to quote: only the ledger key, why it could not be read, and its plan
    /// (`Plan::unreadable(why)`; build it with [`Examined::unreadable`]).
    Unreadable {
        message_id: String,
        why: Unparseable,
        plan: Box<Plan>,
    },
}

impl Examined {
    /// Mail that could not be read, planned to people.
    pub fn unreadable(message_id: String, why: Unparseable) -> Examined {
        Examined::Unreadable {
            message_id,
            plan: Box::new(Plan::unreadable(why.clone())),
            why,
        }
    }

    /// What to do with the message.
    pub fn plan(&self) -> &Plan {
        match self {
            Examined::Planned { plan, .. } | Examined::Unreadable { plan, .. } => plan,
        }
    }

    /// The message as parsed; `None` when it could not be read.
    pub fn mail(&self) -> Option<&Inbound> {
        match self {
            Examined::Planned { inbound, .. } => Some(inbound),
            Examined::Unreadable { .. } => None,
        }
    }
}

/// Parses and plans one message for `mailbox`, reading its facts from `store`.
///
/// # Errors
/// The store could not be read; the message is then left for a later pass.
pub fn examine(
    cfg: &Config,
    mailbox: &Mailbox,
    store: &Store,
    raw: &RawMail,
    now: Timestamp,
) -> Result<Examined, store::Error> {
    examine_parsed(cfg, mailbox, store, read(cfg, raw), now)
}

/// A message parsed, or why it cannot be: the first half of [`examine`], which needs no store
/// (so a batch's message ids are known before anything is decided).
#[derive(Debug)]
pub enum Read {
    Mail(Box<Inbound>),
    Unreadable {
        message_id: String,
        why: Unparseable,
    },
}

impl Read {
    /// The id the ledger keeps for it.
    pub fn message_id(&self) -> &str {
        match self {
            Read::Mail(inbound) => &inbound.message_id,
            Read::Unreadable { message_id, .. } => message_id,
        }
    }
}

/// Parses one message (the pure first half of [`examine`]).
pub fn read(cfg: &Config, raw: &RawMail) -> Read {
    match parse::parse(raw, cfg.max_message_bytes) {
        Ok(inbound) => Read::Mail(Box::new(inbound)),
        Err(why) => Read::Unreadable {
            message_id: fallback_id(&raw.bytes),
            why,
        },
    }
}

/// The second half of [`examine`]: the store's facts and the plan for a parsed message.
///
/// # Errors
/// A failed store query.
pub fn examine_parsed(
    cfg: &Config,
    mailbox: &Mailbox,
    store: &Store,
    read: Read,
    now: Timestamp,
) -> Result<Examined, store::Error> {
    let inbound = match read {
        Read::Mail(inbound) => *inbound,
        Read::Unreadable { message_id, why } => {
            return Ok(Examined::unreadable(message_id, why));
        }
    };
    let customer = Customer::resolve(&inbound, &mailbox.matching.forwarders);
    let account = match customer.request(&inbound) {
        Some(request) => store.match_account(request, &mailbox.matching)?,
        None => AccountMatch::None,
    };
    let history = match &account {
        AccountMatch::One(a) => store.history(&a.id)?,
        _ => History::default(),
    };
    let recent = RecentReplies {
        to_sender: store.replies_sent_since(
            &customer.answer_address(&inbound),
            now - SignedDuration::from_secs(budget::SENDER_WINDOW_SECS),
        )?,
        last_hour: store
            .mails_sent_since(now - SignedDuration::from_secs(budget::BREAKER_WINDOW_SECS))?,
    };
    let confirmation = look_up_confirmation(store, &inbound, mailbox.sender_rule.confirm)?;
    // Only a mailbox that asks for confirmations needs a token; a failed random source costs
    // the question, not the message (it then goes to people as unverified).
    let fresh_token = mailbox
        .sender_rule
        .confirm
        .then(|| {
            store::new_token()
                .map_err(|e| warn!(err = %e, "No random token."))
                .ok()
        })
        .flatten();
    let rules = rules(cfg, mailbox);
    let facts = Facts {
        customer,
        account,
        history,
        recent,
        confirmation,
        fresh_token,
    };
    let plan = plan::plan(&inbound, &facts, &rules, now);
    Ok(Examined::Planned {
        inbound: Box::new(inbound),
        plan: Box::new(plan),
    })
}

/// The rules a mailbox's mail is planned by: its policy, address, screening, templates,
/// sender check and budget, with the configuration's classifier. (`replay` swaps in another
/// policy or model with struct update syntax.)
pub fn rules<'a>(cfg: &'a Config, mailbox: &'a Mailbox) -> Rules<'a> {
    Rules {
        policy: &mailbox.policy,
        from: &mailbox.address,
        classify: &cfg.classify,
        model: &cfg.model,
        auto_answer_threshold: mailbox.auto_answer_threshold,
        screen: &mailbox.screen,
        templates: &cfg.templates,
        sender_check: mailbox.sender_rule.check(),
        budget: mailbox.budget,
    }
}

/// The confirmation named by a token `mail` carries. A token the store never issued counts
/// only in a mailbox that asks for confirmations; elsewhere the text is just text.
fn look_up_confirmation(
    store: &Store,
    mail: &Inbound,
    asks: bool,
) -> Result<Option<Lookup>, store::Error> {
    let tokens = confirm::tokens(mail);
    for token in &tokens {
        if let Some(pending) = store.confirmation(token)? {
            return Ok(Some(Lookup::Found(pending)));
        }
    }
    Ok(tokens
        .into_iter()
        .next()
        .filter(|_| asks)
        .map(Lookup::Unknown))
}

/// A stable ledger key for a message that could not be parsed (so it is listed once, not on
/// every pass).
fn fallback_id(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("unreadable-{hex}@mailclerk.invalid")
}

/// One line of the run report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub vendor: String,
    pub file: String,
    pub sender: String,
    pub intent: String,
    pub account: String,
    pub decision: String,
    pub action: RowAction,
}

/// The report's ACTION column: what happened to the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowAction {
    Reply,
    /// A reply held for approval in drafts/.
    Draft,
    Review,
    Skip(SkipReason),
}

impl std::fmt::Display for RowAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowAction::Reply => f.write_str("reply"),
            RowAction::Draft => f.write_str("draft"),
            RowAction::Review => f.write_str("review"),
            RowAction::Skip(reason) => write!(f, "skip:{reason}"),
        }
    }
}

/// Why a planned reply must wait for a person (the policy's `auto_refund_limit`).
pub fn approval(policy: &crate::policy::schema::Policy, examined: &Examined) -> Option<String> {
    match &examined.plan().action {
        Action::Reply { decision, .. } => policy.needs_approval(decision),
        _ => None,
    }
}

/// The ledger action of an unverified request whose account owner was asked to confirm it.
pub const AWAITING_CONFIRMATION: LedgerAction =
    LedgerAction::ToHuman(HandOff::AwaitingConfirmation);

/// The ledger reason of a confirming reply whose confirmation was used meanwhile.
pub const CONFIRMATION_USED: &str =
    "not a valid confirmation: it was used by another message while this one was handled";

/// For a plan that answers a confirmation: marks the confirmation used, and says whether it
/// was still unused (only then may the answer go out). True for every other plan.
///
/// # Errors
/// The store cannot be written.
pub fn confirmation_unused(
    store: &mut Store,
    plan: &Plan,
    message_id: &str,
) -> Result<bool, store::Error> {
    match &plan.confirmation {
        Some(ConfirmStep::Use(token)) => store.use_confirmation(token, message_id),
        _ => Ok(true),
    }
}

/// Logs a hand-off to people; an open breaker is an ERROR, since every automatic answer has
/// stopped and someone must find out why so much went out.
pub fn log_to_human(why: &Why) {
    if let Why::OverBudget(Exceeded::Breaker { .. }) = why {
        error!(why = %why, "Breaker open: sent to people instead of answering. Check what made so many automatic answers.");
    } else {
        warn!(why = %why, "Sent to people; no automatic answer.");
    }
}

/// The account the plan matched, if exactly one.
pub fn planned_account(plan: &Plan) -> Option<String> {
    match &plan.account {
        Some(AccountMatch::One(a)) => Some(a.id.clone()),
        _ => None,
    }
}

/// A ledger outcome for a planned message: the state and action, with the intent and the
/// matched account filled in from the plan.
pub fn ledger_outcome(plan: &Plan, state: LedgerState, action: LedgerAction) -> Outcome {
    Outcome {
        intent: plan
            .classified
            .as_ref()
            .map(|c| c.intent.as_str().to_string()),
        account_id: planned_account(plan),
        ..Outcome::new(state, action)
    }
}

/// The decision's scenario fields plus the clauses it rests on.
pub fn decision_json(decision: &Decision) -> serde_json::Map<String, serde_json::Value> {
    let mut map = decision.fields();
    map.insert(
        "clauses".into(),
        serde_json::Value::from(decision.clause_ids()),
    );
    map
}

/// A short human summary of a decision, for the report table.
pub fn decision_summary(decision: &Decision) -> String {
    let mut parts = Vec::new();
    match &decision.refund {
        Some(Refund::Granted { amount, .. }) => {
            parts.push(format!("refund {amount} {}", amount.currency()))
        }
        Some(r) => parts.push(format!("refund {}", r.kind().replace('_', " "))),
        None => {}
    }
    if let Some(c) = &decision.cancellation {
        parts.push(match c.timing {
            Timing::AtOnce => format!("cancel now ({})", c.account_state.as_str()),
            Timing::EndOfPeriod => format!("cancel from {}", c.effective),
            Timing::LateNotice => format!("cancel from {} (late notice)", c.effective),
        });
    }
    parts.join("; ")
}

pub(crate) fn row(vendor: &str, path: &Path, examined: &Examined) -> Row {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut row = Row {
        vendor: vendor.into(),
        file,
        sender: "-".into(),
        intent: "-".into(),
        account: "-".into(),
        decision: "-".into(),
        action: RowAction::Review,
    };
    let plan = examined.plan();
    if let Some(inbound) = examined.mail() {
        row.sender = inbound.from.email.clone();
    }
    if let Some(c) = &plan.classified {
        row.intent = c.intent.as_str().into();
    }
    row.account = match &plan.account {
        Some(AccountMatch::One(a)) => a.id.clone(),
        Some(AccountMatch::Many(ids)) => format!("{} accounts", ids.len()),
        _ => "-".into(),
    };
    match &plan.action {
        Action::Skip(reason) => {
            row.action = RowAction::Skip(reason.clone());
        }
        Action::ToHuman { why, .. } => row.decision = why.to_string(),
        Action::Reply { decision, .. } => {
            row.decision = decision_summary(decision);
            row.action = RowAction::Reply;
        }
    }
    row
}
