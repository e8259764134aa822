//! `mailclerk run`: every mailbox, every new message: facts from the store, one pure plan,
//! claim in the ledger, send, record. A message is claimed before anything is sent, so a
//! crash between sending and recording leaves it claimed, and it is never answered twice.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use tracing::{error, info, warn};

use crate::config::{Config, Mailbox, Outbox as OutboxConfig, Source};
use crate::parse::RawMail;
use crate::plan::{Action, ConfirmStep};
use crate::plan::{HandOff, LedgerAction};
use crate::policy::Refund;
use crate::send::{self, Outbox};
use crate::store::{self, Claim, LedgerState, Outcome, Store};
use crate::{account_csv, intake};

use crate::examine::row;
pub use crate::examine::{
    AWAITING_CONFIRMATION, CONFIRMATION_USED, Examined, Read, Row, RowAction, approval,
    confirmation_unused, decision_json, decision_summary, examine, examine_parsed, ledger_outcome,
    log_to_human, planned_account, read,
};

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

/// Opens a mailbox's store, importing its `accounts_csv` first when one is configured.
///
/// # Errors
/// The store cannot be opened, or the CSV is invalid (then nothing of it is imported).
pub fn open_store(mailbox: &Mailbox) -> Result<Store, Error> {
    let store_err = |source| Error::Store {
        mailbox: mailbox.name.clone(),
        source,
    };
    let mut store = crate::mailbox_store::open(mailbox).map_err(store_err)?;
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
    let owner = match mailbox.postgres {
        Some(_) => None,
        None => Some(crate::ownership::intended(&mailbox.store).map_err(ownership)?),
    };
    if let Some(owner) = owner {
        crate::ownership::prepare(&mailbox.store, owner).map_err(ownership)?;
    }
    let mut store = crate::mailbox_store::open(mailbox).map_err(|source| Error::Store {
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
    if let Some(owner) = owner {
        crate::ownership::restore(&mailbox.store, owner).map_err(ownership)?;
    }
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
        row.action = RowAction::Draft;
    }
    if opts.dry_run {
        return Ok(Some(row));
    }
    match store.claim(&message_id, &origin, received)? {
        Claim::New => {}
        Claim::Seen(prior)
            if prior.state == LedgerState::Claimed && store.billing_resumable(&message_id)? =>
        {
            info!("Interrupted before the reply was sent; resuming at the billing step.");
        }
        Claim::Seen(prior) => {
            if prior.state == LedgerState::Claimed {
                // Claimed by a pass that stopped before recording: it may have been sent.
                // Never resend; people look at it.
                warn!("Claimed earlier but never recorded; left for people.");
            }
            return Ok(None);
        }
    }
    let outbox = outbox.expect("an outbox exists unless dry-run");
    crate::audit::keep(store, mailbox, &message_id, &examined);
    // A reply held for a person's approval is not billed: the person acts.
    if approval(&mailbox.policy, &examined).is_none()
        && let Some((outcome, row)) =
            crate::billing::gate::held(store, mailbox, &message_id, &examined, row.clone())?
    {
        store.record(&message_id, &outcome)?;
        return Ok(Some(row));
    }
    let zone = &mailbox.policy.calendar.zone;
    let outcome = match approval(&mailbox.policy, &examined) {
        Some(why) => hold_for_approval(outbox, &examined, &why)?,
        None => act(store, outbox, &examined, zone)?,
    };
    store.record(&message_id, &outcome)?;
    Ok(Some(row))
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
        ..ledger_outcome(plan, LedgerState::Drafted, LedgerAction::answer(reply))
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
                ..Outcome::new(
                    LedgerState::Review,
                    LedgerAction::ToHuman(HandOff::Unreadable),
                )
            });
        }
        Examined::Planned { inbound, plan } => (inbound, plan),
    };
    let account_id = planned_account(plan);
    let base = |state, action: LedgerAction| ledger_outcome(plan, state, action);
    Ok(match &plan.action {
        Action::Skip(reason) => {
            info!(%reason, "Skipped; no answer.");
            base(LedgerState::Skipped, LedgerAction::Skip(reason.clone()))
        }
        Action::ToHuman { why, ack } => {
            log_to_human(why);
            let mut action = LedgerAction::to_human(why);
            let acknowledged = if let Some(ConfirmStep::Ask(ask)) = &plan.confirmation {
                // Kept before it is sent: a question the store forgot could never be answered.
                store.open_confirmation(&ask.pending)?;
                match outbox.send(&ask.mail, SystemTime::now()) {
                    Ok(()) => {
                        info!(to = %ask.mail.to, "Asked the account's registered address to confirm.");
                        action = AWAITING_CONFIRMATION;
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
                ..base(LedgerState::Review, action)
            }
        }
        Action::Reply { .. } if !confirmation_unused(store, plan, &inbound.message_id)? => {
            warn!("The confirmation was already used; handed to people.");
            Outcome {
                reason: Some(CONFIRMATION_USED.into()),
                ..base(
                    LedgerState::Review,
                    LedgerAction::ToHuman(HandOff::ConfirmationRejected),
                )
            }
        }
        Action::Reply { decision, reply } => match outbox.send(reply, SystemTime::now()) {
            Err(err) => {
                warn!(%err, "Reply not sent; handed to people.");
                Outcome {
                    reason: Some(err.to_string()),
                    ..base(LedgerState::Failed, LedgerAction::answer(reply))
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
                    ..base(LedgerState::Sent, LedgerAction::answer(reply))
                }
            }
        },
    })
}

fn write_report(
    out: &mut dyn Write,
    rows: &[Row],
    already: usize,
    dry_run: bool,
) -> std::io::Result<()> {
    // The cells as text, the header first: vendor, file, sender, intent, account, action,
    // decision.
    let header = [
        "VENDOR", "MESSAGE", "SENDER", "INTENT", "ACCOUNT", "ACTION", "DECISION",
    ]
    .map(String::from);
    let all: Vec<[String; 7]> = std::iter::once(header)
        .chain(rows.iter().map(|r| {
            [
                r.vendor.clone(),
                r.file.clone(),
                r.sender.clone(),
                r.intent.clone(),
                r.account.clone(),
                r.action.to_string(),
                r.decision.clone(),
            ]
        }))
        .collect();
    let width = |i: usize| {
        all.iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .min(40)
    };
    let w = [width(0), width(1), width(2), width(3), width(4), width(5)];
    for r in &all {
        writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {:w4$}  {:w5$}  {}",
            r[0],
            clip(&r[1], w[1]),
            clip(&r[2], w[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4],
            w5 = w[5]
        )?;
    }
    let count = |wanted: fn(&RowAction) -> bool| rows.iter().filter(|r| wanted(&r.action)).count();
    writeln!(
        out,
        "\n{} new message(s): {} answered, {} for people, {} skipped; {} handled before.{}",
        rows.len(),
        count(|a| *a == RowAction::Reply),
        count(|a| *a == RowAction::Review),
        count(|a| matches!(a, RowAction::Skip(_))),
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
