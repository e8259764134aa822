//! Directory mailboxes (the demo, trying policies): a pass lists the inbox directory's
//! `.eml` files, examines each, claims it in the ledger and carries out its plan with the
//! one executor ([`crate::apply`]) over a directory outbox. One loop polls them, for
//! `mailclerk run` over directories and for a directory inbox beside IMAP mailboxes in the
//! service alike.

pub mod table;

use std::path::Path;
use std::time::Duration;

use tokio::sync::watch;
use tracing::{Instrument, error, info};

use crate::apply::dir::DirOutbox;
use crate::apply::{Dest, Executor, Handled, Relay, Step, block, bounce};
use crate::clock::Clock;
use crate::config::{Config, Mailbox, Outbox as OutboxConfig, Source};
use crate::event::Events;
use crate::examine::{self, Read, Row, RowAction, approval, row};
use crate::intake;
use crate::mailboxes::{Error, open_store};
use crate::parse::{RawMail, Unparseable};
use crate::store::{self, Claim, LedgerState, Store};

/// How a directory pass behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// One pass over every mailbox, then exit.
    pub once: bool,
    /// Plan and print only: nothing is sent, claimed or recorded.
    pub dry_run: bool,
}

/// How often a directory inbox is looked at again when not run `--once`.
pub const POLL_INTERVAL: Duration = Duration::from_secs(10);

/// What one pass over the mailboxes found.
#[derive(Debug, Default)]
pub struct Pass {
    /// One row per new message.
    pub rows: Vec<Row>,
    /// Files the ledger knows as handled before.
    pub already: usize,
}

/// Why one file was not handled (it stays in the inbox for the next pass).
#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error(transparent)]
    Read(#[from] intake::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Outbox(#[from] crate::apply::dir::Error),
}

/// Serves the directory mailboxes `which` (indices into `cfg.mailboxes`): one pass each,
/// handed to `on_pass`; then, unless `once`, again every [`POLL_INTERVAL`] until `shutdown`
/// turns true. A mailbox configured in a way a directory pass cannot serve stops it at once;
/// a pass that fails (a store or an inbox that cannot be read now) is logged and tried again
/// at the next poll.
///
/// # Errors
/// A mailbox that cannot be served as configured; with `once`, any failed pass.
pub async fn serve<F>(
    cfg: &Config,
    which: &[usize],
    opts: &Options,
    clock: &Clock,
    events: &Events,
    mut shutdown: watch::Receiver<bool>,
    mut on_pass: F,
) -> Result<(), Error>
where
    F: FnMut(&Pass) -> std::io::Result<()>,
{
    let mut served = Vec::new();
    for &index in which {
        let mailbox = &cfg.mailboxes[index];
        served.push((mailbox, setup(mailbox, opts)?, Relay::new(Duration::MAX)));
    }
    loop {
        let mut found = Pass::default();
        for (mailbox, (inbox, outbox), relay) in &mut served {
            let world = Here {
                cfg,
                mailbox,
                clock,
                events,
            };
            match world.pass(inbox, outbox.as_mut(), relay).await {
                Ok(mut pass) => {
                    found.rows.append(&mut pass.rows);
                    found.already += pass.already;
                }
                Err(e) if opts.once => return Err(e),
                Err(e) => {
                    error!(err = %crate::error_chain(&e), "Directory inbox pass failed; trying again later.")
                }
            }
        }
        on_pass(&found)?;
        if opts.once {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = shutdown.changed() => return Ok(()),
        }
    }
}

/// The inbox directory and the outbox (none in a dry run), or why the mailbox cannot be
/// served by a directory pass.
fn setup(
    mailbox: &Mailbox,
    opts: &Options,
) -> Result<(std::path::PathBuf, Option<DirOutbox>), Error> {
    let Source::Dir { path } = &mailbox.source else {
        return Err(Error::Unsupported {
            mailbox: mailbox.name.clone(),
            what: "an IMAP source",
            hint: "it is served by the daemon",
        });
    };
    let outbox = match &mailbox.outbox {
        OutboxConfig::Dir { path } if !opts.dry_run => {
            Some(DirOutbox::open(path).map_err(|source| Error::Outbox {
                mailbox: mailbox.name.clone(),
                source: Box::new(source),
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
    Ok((path.clone(), outbox))
}

/// One mailbox's pass, and what it reads.
struct Here<'a> {
    cfg: &'a Config,
    mailbox: &'a Mailbox,
    clock: &'a Clock,
    events: &'a Events,
}

impl Here<'_> {
    async fn pass(
        &self,
        inbox: &Path,
        mut outbox: Option<&mut DirOutbox>,
        relay: &mut Relay,
    ) -> Result<Pass, Error> {
        let mailbox = self.mailbox;
        let mut store = block(|| open_store(mailbox))?;
        store.set_clock(self.clock.clone());
        let found = block(|| intake::list_dir(inbox)).map_err(|source| Error::Intake {
            mailbox: mailbox.name.clone(),
            source,
        })?;
        let mut pass = Pass::default();
        for file in found {
            let span = tracing::error_span!("message", mailbox = %mailbox.name, file = %file.path.display(), message_id = tracing::field::Empty);
            let handled = self
                .file(&mut store, outbox.as_deref_mut(), relay, &file)
                .instrument(span.clone())
                .await;
            match handled {
                Ok(Some(row)) => pass.rows.push(row),
                Ok(None) => pass.already += 1,
                // One bad message never stops the run: it stays in the inbox for the next pass.
                Err(err) => span.in_scope(|| {
                    error!(err = %crate::error_chain(&err), "Message not handled; left in the inbox for the next pass.")
                }),
            }
        }
        Ok(pass)
    }

    /// Handles one file; `None` when the ledger says it was handled before.
    async fn file(
        &self,
        store: &mut Store,
        outbox: Option<&mut DirOutbox>,
        relay: &mut Relay,
        file: &intake::Found,
    ) -> Result<Option<Row>, FileError> {
        let (cfg, mailbox) = (self.cfg, self.mailbox);
        let origin = file.path.display().to_string();
        let now = self.clock.now();
        let (read, bounced) = if file.size > cfg.max_message_bytes as u64 {
            // Over the limit: not even read (policy: such mail goes to people unread).
            let why = Unparseable::TooLarge {
                size: usize::try_from(file.size).unwrap_or(usize::MAX),
                limit: cfg.max_message_bytes,
            };
            let message_id = format!(
                "oversized-{}-{}@mailclerk.invalid",
                sanitize(&origin),
                file.size
            );
            (Read::Unreadable { message_id, why }, None)
        } else {
            let raw = RawMail {
                origin: origin.clone(),
                received: None,
                bytes: block(|| intake::read(&file.path))?,
            };
            (examine::read(cfg, &raw), bounce::read(&raw.bytes))
        };
        let message_id = read.message_id().to_string();
        let received = match &read {
            Read::Mail(inbound) => inbound.received,
            Read::Unreadable { .. } => now,
        };
        tracing::Span::current().record("message_id", message_id.as_str());
        // Claimed before it is planned, as the daemon claims a batch: a message the ledger
        // has settled is recognised without a plan or a render.
        let claim = match &outbox {
            Some(_) => match block(|| store.claim(&message_id, &origin, received))? {
                Claim::Seen(prior) if prior.state != LedgerState::Claimed => return Ok(None),
                claim => Some(claim),
            },
            None => None,
        };
        let examined = block(|| examine::examine_parsed(cfg, mailbox, store, read, now))?;
        let mut row = row(&mailbox.policy.vendor.name, &file.path, &examined);
        if approval(&mailbox.policy, &examined).is_some() {
            row.action = RowAction::Draft;
        }
        let (Some(outbox), Some(claim)) = (outbox, claim) else {
            return Ok(Some(row)); // a dry run
        };
        let step = match claim {
            Claim::New => Step::Apply(bounced.as_ref()),
            Claim::Seen(prior) if prior.state == LedgerState::Claimed => {
                info!("Claimed earlier but never recorded; resolving it against the outbox.");
                Step::Resolve(prior.state)
            }
            Claim::Seen(_) => return Ok(None), // settled: returned above
        };
        let mut exec = Executor::new(mailbox, store, outbox, self.clock, relay, self.events);
        let handled = exec.run(&message_id, &examined, step).await?;
        let reason = exec.recorded.and_then(|o| o.reason);
        Ok(Some(reported(row, &handled, reason)))
    }
}

/// The report row as it turned out: a reply that did not go out is for people (with the
/// ledger's reason); an interrupted one found in the outbox counts as a reply.
fn reported(mut row: Row, handled: &Handled, reason: Option<String>) -> Row {
    match (handled, &row.action) {
        (Handled::File(Dest::Answered), _) => row.action = RowAction::Reply,
        (Handled::File(Dest::Skipped), _) | (_, RowAction::Draft) => {}
        (_, RowAction::Reply) | (Handled::Deferred | Handled::SignIn(_), _) => {
            row.action = RowAction::Review;
            if let Some(reason) = reason {
                row.decision = reason;
            }
        }
        _ => {}
    }
    row
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
