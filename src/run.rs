//! `mailclerk run`: every mailbox, every new message: facts from the store, one pure plan,
//! claim in the ledger, send, record. A message is claimed before anything is sent, so a
//! crash between sending and recording leaves it claimed, and it is never answered twice.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use tracing::{error, info, warn};

use crate::accounts::AccountMatch;
use crate::budget::{self, Exceeded, RecentReplies};
use crate::config::{Config, Mailbox, Outbox as OutboxConfig, Source};
use crate::confirm::{self, Lookup};
use crate::parse::{self, Inbound, RawMail};
use crate::plan::{self, Action, ConfirmStep, Facts, Plan, Rules, Why};
use crate::policy::{Decision, History, Refund, Timing};
use crate::screen::ScreenRules;
use crate::send::{self, Outbox};
use crate::store::{self, Claim, LedgerState, Outcome, Store};
use crate::{account_csv, intake};

/// How `run` behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// One pass over every mailbox, then exit.
    pub once: bool,
    /// Plan and print only: nothing is sent, claimed or recorded.
    pub dry_run: bool,
}

/// Why a run stopped. A single bad message never stops it; these are about a whole mailbox.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("mailbox {mailbox}: the store cannot be used")]
    Store {
        mailbox: String,
        source: store::Error,
    },
    #[error("mailbox {mailbox}: the accounts file is invalid")]
    Accounts {
        mailbox: String,
        source: account_csv::CsvErrors,
    },
    #[error("mailbox {mailbox}: cannot read the inbox")]
    Intake {
        mailbox: String,
        source: intake::Error,
    },
    #[error("mailbox {mailbox}: the outbox cannot be used")]
    Outbox {
        mailbox: String,
        source: send::Error,
    },
    /// Directory inboxes are for the demo and for trying policies: their replies go to a
    /// directory, and IMAP mailboxes are served by the daemon.
    #[error("mailbox {mailbox}: a directory pass cannot use {what}; {hint}")]
    Unsupported {
        mailbox: String,
        what: &'static str,
        hint: &'static str,
    },
    #[error("there is more than one mailbox; name one with --mailbox ({0})")]
    WhichMailbox(String),
    #[error("no mailbox called {0:?} in the configuration")]
    NoSuchMailbox(String),
    #[error("mailbox {mailbox}: cannot keep the store's owner and mode ({})", path.display())]
    Ownership {
        mailbox: String,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the report")]
    Report(#[from] std::io::Error),
}

/// One message examined: parsed and planned, or not readable at all.
#[derive(Debug, Clone)]
pub enum Examined {
    Planned {
        inbound: Box<Inbound>,
        plan: Box<Plan>,
    },
    Unreadable {
        message_id: String,
        why: String,
    },
}

/// Opens a mailbox's store, importing its `accounts_csv` first when one is configured.
///
/// # Errors
/// The store cannot be opened, or the CSV is invalid (then nothing of it is imported).
pub fn open_store(mailbox: &Mailbox) -> Result<Store, Error> {
    let store_err = |source| Error::Store {
        mailbox: mailbox.name.clone(),
        source,
    };
    let mut store = Store::open(&mailbox.store).map_err(store_err)?;
    if let Some(csv) = &mailbox.accounts_csv {
        let accounts = account_csv::read(csv).map_err(|source| Error::Accounts {
            mailbox: mailbox.name.clone(),
            source,
        })?;
        store.import_accounts(&accounts).map_err(store_err)?;
    }
    Ok(store)
}

/// `accounts import`: loads a CSV into the named (or only) mailbox's store.
///
/// # Errors
/// An unknown mailbox, an invalid CSV (nothing imported), or a store failure.
pub fn import_accounts(cfg: &Config, mailbox: Option<&str>, csv: &Path) -> Result<String, Error> {
    let mailbox = pick_mailbox(cfg, mailbox)?;
    let accounts = account_csv::read(csv).map_err(|source| Error::Accounts {
        mailbox: mailbox.name.clone(),
        source,
    })?;
    // Run by root (a shell, cron), the store keeps the service user's owner and mode.
    let ownership = |source| Error::Ownership {
        mailbox: mailbox.name.clone(),
        path: mailbox.store.clone(),
        source,
    };
    let owner = crate::ownership::intended(&mailbox.store).map_err(ownership)?;
    crate::ownership::prepare(&mailbox.store, owner).map_err(ownership)?;
    let mut store = Store::open(&mailbox.store).map_err(|source| Error::Store {
        mailbox: mailbox.name.clone(),
        source,
    })?;
    let r = store
        .import_accounts(&accounts)
        .map_err(|source| Error::Store {
            mailbox: mailbox.name.clone(),
            source,
        })?;
    drop(store);
    crate::ownership::restore(&mailbox.store, owner).map_err(ownership)?;
    Ok(format!(
        "{}: imported {} account(s) into mailbox {}: {} new, {} updated, {} unchanged",
        csv.display(),
        accounts.len(),
        mailbox.name,
        r.inserted,
        r.updated,
        r.unchanged
    ))
}

/// The mailbox named `name`, or the only one.
///
/// # Errors
/// No such mailbox, or several and none named.
pub fn pick_mailbox<'c>(cfg: &'c Config, name: Option<&str>) -> Result<&'c Mailbox, Error> {
    match name {
        Some(name) => cfg
            .mailbox(name)
            .ok_or_else(|| Error::NoSuchMailbox(name.into())),
        None if cfg.mailboxes.len() == 1 => Ok(&cfg.mailboxes[0]),
        None => Err(Error::WhichMailbox(
            cfg.mailboxes
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )),
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
    Unreadable { message_id: String, why: String },
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
            why: why.to_string(),
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
            return Ok(Examined::Unreadable { message_id, why });
        }
    };
    let account = store.match_account(&inbound, &mailbox.matching)?;
    let history = match &account {
        AccountMatch::One(a) => store.history(&a.id)?,
        _ => History::default(),
    };
    let recent = RecentReplies {
        to_sender: store.replies_sent_since(
            &plan::answer_address(&inbound, &mailbox.matching.forwarders),
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
    let screen = ScreenRules {
        own_addresses: mailbox.own_addresses.clone(),
        loop_marker: mailbox.address.clone(),
        forwarders: mailbox.matching.forwarders.clone(),
    };
    let rules = Rules {
        policy: &mailbox.policy,
        from: &mailbox.address,
        classify: &cfg.classify,
        model: &cfg.model,
        auto_answer_threshold: mailbox.auto_answer_threshold,
        screen: &screen,
        templates: &cfg.templates,
        sender_check: mailbox.sender_rule.check(),
        budget: mailbox.budget,
    };
    let facts = Facts {
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
    pub action: String,
}

/// Runs every mailbox: once, or polling its directory until the process is stopped.
///
/// # Errors
/// A mailbox whose store, accounts, inbox or outbox cannot be used.
pub fn run(cfg: &Config, opts: &Options, out: &mut dyn Write) -> Result<(), Error> {
    loop {
        let mut rows = Vec::new();
        let mut already = 0;
        for mailbox in &cfg.mailboxes {
            let (mut new_rows, seen) = pass_dir(cfg, mailbox, opts)?;
            rows.append(&mut new_rows);
            already += seen;
        }
        if opts.once || !rows.is_empty() {
            write_report(out, &rows, already, opts.dry_run)?;
        }
        if opts.once {
            return Ok(());
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// How often a directory inbox is looked at again when not run `--once`.
pub const POLL_INTERVAL: Duration = Duration::from_secs(10);

/// One pass over a directory inbox: the new rows, and how many files were handled before.
///
/// # Errors
/// The mailbox's store, accounts, inbox or outbox cannot be used.
pub fn pass_dir(
    cfg: &Config,
    mailbox: &Mailbox,
    opts: &Options,
) -> Result<(Vec<Row>, usize), Error> {
    let Source::Dir { path } = &mailbox.source else {
        return Err(Error::Unsupported {
            mailbox: mailbox.name.clone(),
            what: "an IMAP source",
            hint: "it is served by the daemon",
        });
    };
    let outbox = match &mailbox.outbox {
        OutboxConfig::Dir { path } if !opts.dry_run => {
            Some(Outbox::dir(path).map_err(|source| Error::Outbox {
                mailbox: mailbox.name.clone(),
                source,
            })?)
        }
        OutboxConfig::Dir { .. } => None,
        OutboxConfig::Smtp(_) => {
            return Err(Error::Unsupported {
                mailbox: mailbox.name.clone(),
                what: "an SMTP outbox",
                hint: "give a directory inbox a `dir` outbox",
            });
        }
    };
    let mut store = open_store(mailbox)?;
    let found = intake::list_dir(path).map_err(|source| Error::Intake {
        mailbox: mailbox.name.clone(),
        source,
    })?;
    let mut rows = Vec::new();
    let mut seen = 0;
    for file in found {
        let span = tracing::error_span!("message", mailbox = %mailbox.name, file = %file.path.display(), message_id = tracing::field::Empty);
        let _enter = span.enter();
        match handle_file(cfg, mailbox, &mut store, outbox.as_ref(), &file, opts) {
            Ok(Some(row)) => rows.push(row),
            Ok(None) => seen += 1,
            // One bad message never stops the run: it stays in the inbox for the next pass.
            Err(err) => error!(%err, "Message not handled; left in the inbox for the next pass."),
        }
    }
    Ok((rows, seen))
}

/// Handles one file; `None` when the ledger says it was handled before.
fn handle_file(
    cfg: &Config,
    mailbox: &Mailbox,
    store: &mut Store,
    outbox: Option<&Outbox>,
    file: &intake::Found,
    opts: &Options,
) -> Result<Option<Row>, Box<dyn std::error::Error>> {
    let origin = file.path.display().to_string();
    let now = Timestamp::now();
    let examined = if file.size > cfg.max_message_bytes as u64 {
        // Over the limit: not even read (policy: such mail goes to people unread).
        let why = format!(
            "message is {} bytes, over the {}-byte limit",
            file.size, cfg.max_message_bytes
        );
        Examined::Unreadable {
            message_id: format!(
                "oversized-{}-{}@mailclerk.invalid",
                sanitize(&origin),
                file.size
            ),
            why,
        }
    } else {
        let raw = RawMail {
            origin: origin.clone(),
            received: None,
            bytes: intake::read(&file.path)?,
        };
        examine(cfg, mailbox, store, &raw, now)?
    };
    let (message_id, received) = match &examined {
        Examined::Planned { inbound, .. } => (inbound.message_id.clone(), inbound.received),
        Examined::Unreadable { message_id, .. } => (message_id.clone(), now),
    };
    tracing::Span::current().record("message_id", message_id.as_str());
    let mut row = row(&mailbox.policy.vendor.name, &file.path, &examined);
    if approval(&mailbox.policy, &examined).is_some() {
        row.action = "draft".into();
    }
    if opts.dry_run {
        return Ok(Some(row));
    }
    if let Claim::Seen(prior) = store.claim(&message_id, &origin, received)? {
        if prior.state == LedgerState::Claimed {
            // Claimed by a pass that stopped before recording: it may have been sent. Never
            // resend; people look at it.
            warn!("Claimed earlier but never recorded; left for people.");
        }
        return Ok(None);
    }
    let outbox = outbox.expect("an outbox exists unless dry-run");
    let zone = &mailbox.policy.calendar.zone;
    let outcome = match approval(&mailbox.policy, &examined) {
        Some(why) => hold_for_approval(outbox, &examined, &why)?,
        None => act(store, outbox, &examined, zone)?,
    };
    store.record(&message_id, &outcome)?;
    Ok(Some(row))
}

/// Why a planned reply must wait for a person (the policy's `auto_refund_limit`).
pub fn approval(policy: &crate::policy::schema::Policy, examined: &Examined) -> Option<String> {
    match examined {
        Examined::Planned { plan, .. } => match &plan.action {
            Action::Reply { decision, .. } => policy.needs_approval(decision),
            _ => None,
        },
        Examined::Unreadable { .. } => None,
    }
}

/// Writes a reply held for approval to the outbox's `drafts/` directory, with its decision
/// in the ledger, instead of sending it.
fn hold_for_approval(
    outbox: &Outbox,
    examined: &Examined,
    why: &str,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let Examined::Planned { plan, .. } = examined else {
        unreachable!("approval() is only for planned replies");
    };
    let Action::Reply { decision, reply } = &plan.action else {
        unreachable!("approval() is only for planned replies");
    };
    outbox.drafts()?.send(reply, SystemTime::now())?;
    info!(%why, "Refund held for approval: the reply is in drafts/.");
    Ok(Outcome {
        decision_json: Some(serde_json::Value::Object(decision_json(decision)).to_string()),
        reply_message_id: Some(reply.message_id.clone()),
        reply_to: Some(reply.to.clone()),
        reason: Some(why.to_string()),
        ..ledger_outcome(plan, LedgerState::Drafted, &reply.template)
    })
}

/// Does what the plan says and returns what to record.
fn act(
    store: &mut Store,
    outbox: &Outbox,
    examined: &Examined,
    zone: &jiff::tz::TimeZone,
) -> Result<Outcome, store::Error> {
    let (inbound, plan) = match examined {
        Examined::Unreadable { why, .. } => {
            warn!(%why, "Sent to people; no automatic answer.");
            return Ok(Outcome {
                reason: Some(why.clone()),
                ..Outcome::new(LedgerState::Review, "to_human:unreadable")
            });
        }
        Examined::Planned { inbound, plan } => (inbound, plan),
    };
    let account_id = planned_account(plan);
    let base = |state, action: &str| ledger_outcome(plan, state, action);
    Ok(match &plan.action {
        Action::Skip(reason) => {
            info!(%reason, "Skipped; no answer.");
            base(LedgerState::Skipped, &format!("skip:{reason}"))
        }
        Action::ToHuman { why, ack } => {
            log_to_human(why);
            let mut action = format!("to_human:{}", why.code());
            let acknowledged = if let Some(ConfirmStep::Ask(ask)) = &plan.confirmation {
                // Kept before it is sent: a question the store forgot could never be answered.
                store.open_confirmation(&ask.pending)?;
                match outbox.send(&ask.mail, SystemTime::now()) {
                    Ok(()) => {
                        info!(to = %ask.mail.to, "Asked the account's registered address to confirm.");
                        action = AWAITING_CONFIRMATION.into();
                        Some(ask.mail.to.clone())
                    }
                    Err(err) => {
                        warn!(%err, "Confirmation question not sent.");
                        None
                    }
                }
            } else {
                match ack.as_ref().map(|a| (a, outbox.send(a, SystemTime::now()))) {
                    Some((ack, Ok(()))) => Some(ack.to.clone()),
                    Some((_, Err(err))) => {
                        warn!(%err, "Acknowledgement not sent.");
                        None
                    }
                    None => None,
                }
            };
            Outcome {
                reason: Some(why.to_string()),
                acknowledged: acknowledged.is_some(),
                reply_to: acknowledged,
                ..base(LedgerState::Review, &action)
            }
        }
        Action::Reply { .. } if !confirmation_unused(store, plan, &inbound.message_id)? => {
            warn!("The confirmation was already used; handed to people.");
            Outcome {
                reason: Some(CONFIRMATION_USED.into()),
                ..base(LedgerState::Review, "to_human:confirmation_rejected")
            }
        }
        Action::Reply { decision, reply } => match outbox.send(reply, SystemTime::now()) {
            Err(err) => {
                warn!(%err, "Reply not sent; handed to people.");
                Outcome {
                    reason: Some(err.to_string()),
                    ..base(LedgerState::Failed, &reply.template)
                }
            }
            Ok(()) => {
                info!(template = %reply.template, clauses = ?decision.clause_ids(), "Answered.");
                if let (Some(Refund::PendingContact { .. }), Some(id)) =
                    (&decision.refund, &account_id)
                {
                    // The contact day is the vendor's calendar day, as the daemon records it.
                    let on = inbound.received.to_zoned(zone.clone()).date();
                    store.record_contact(id, on, &inbound.message_id)?;
                }
                Outcome {
                    decision_json: Some(
                        serde_json::Value::Object(decision_json(decision)).to_string(),
                    ),
                    reply_message_id: Some(reply.message_id.clone()),
                    reply_to: Some(reply.to.clone()),
                    ..base(LedgerState::Sent, &reply.template)
                }
            }
        },
    })
}

/// The ledger action of an unverified request whose account owner was asked to confirm it.
pub const AWAITING_CONFIRMATION: &str = "to_human:awaiting_confirmation";

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
pub fn ledger_outcome(plan: &Plan, state: LedgerState, action: &str) -> Outcome {
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

fn row(vendor: &str, path: &Path, examined: &Examined) -> Row {
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
        action: "review".into(),
    };
    let (inbound, plan) = match examined {
        Examined::Unreadable { why, .. } => {
            row.decision = why.clone();
            return row;
        }
        Examined::Planned { inbound, plan } => (inbound, plan),
    };
    row.sender = inbound.from.email.clone();
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
            row.action = format!("skip:{reason}");
        }
        Action::ToHuman { why, .. } => row.decision = why.to_string(),
        Action::Reply { decision, .. } => {
            row.decision = decision_summary(decision);
            row.action = "reply".into();
        }
    }
    row
}

fn write_report(
    out: &mut dyn Write,
    rows: &[Row],
    already: usize,
    dry_run: bool,
) -> std::io::Result<()> {
    let header = Row {
        vendor: "VENDOR".into(),
        file: "MESSAGE".into(),
        sender: "SENDER".into(),
        intent: "INTENT".into(),
        account: "ACCOUNT".into(),
        decision: "DECISION".into(),
        action: "ACTION".into(),
    };
    let all: Vec<&Row> = std::iter::once(&header).chain(rows).collect();
    let width = |f: fn(&Row) -> &str| {
        all.iter()
            .map(|r| f(r).chars().count())
            .max()
            .unwrap_or(0)
            .min(40)
    };
    let w = [
        width(|r| &r.vendor),
        width(|r| &r.file),
        width(|r| &r.sender),
        width(|r| &r.intent),
        width(|r| &r.account),
        width(|r| &r.action),
    ];
    for r in &all {
        writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {:w4$}  {:w5$}  {}",
            r.vendor,
            clip(&r.file, w[1]),
            clip(&r.sender, w[2]),
            r.intent,
            r.account,
            r.action,
            r.decision,
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4],
            w5 = w[5]
        )?;
    }
    let count = |a: &str| rows.iter().filter(|r| r.action.starts_with(a)).count();
    writeln!(
        out,
        "\n{} new message(s): {} answered, {} for people, {} skipped; {} handled before.{}",
        rows.len(),
        count("reply"),
        count("review"),
        count("skip"),
        already,
        if dry_run {
            " Dry run: nothing sent or recorded."
        } else {
            ""
        }
    )
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
