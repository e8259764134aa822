//! One pass of a mailbox worker over the folder's new mail, in bounded batches: each batch
//! is fetched, parsed and claimed in one durable write; each message is examined and handed to
//! the executor ([`crate::apply`]) with this session's outbox; the batch is filed and its
//! replies' copies saved in Sent.

use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::watch;
use tracing::{Instrument, error, info, warn};

use super::outbox::{MailOutbox, Relay};
use super::{Dest, Error, Handled, World, block, bounce, copies, reasons, reexamine};
use crate::apply::{Executor, Relay as RelayState, Step};
use crate::config::{Config, Filing, ImapSource, Mailbox, Mode};
use crate::error_chain;
use crate::examine::{Examined, Read, examine_parsed};
use crate::intake::imap::{Fetched, FolderState, Session};
use crate::parse::{RawMail, Unparseable};
use crate::plan::Action;
use crate::store::{self, BatchItem, Claim, LedgerState, Progress, Store};

/// A fetched message of a batch: parsed unless older than the first start (`read` is then
/// `None`), and claimed unless in a dry run.
pub(super) struct InHand {
    fetched: Fetched,
    /// Where it came from, as the ledger keeps it.
    origin: String,
    read: Option<Read>,
    /// The message's digest (`store::identity`), taken before the parser has its bytes.
    digest: Option<String>,
    /// What this message reports about our replies (`bounce`), read from its bytes.
    bounced: Option<bounce::Report>,
    claim: Option<store::Claimed>,
}

/// How a pass ended.
pub(super) enum PassEnd {
    /// Everything new was handled.
    Done,
    /// Stopped at a reply the relay could not take now.
    Deferred,
    /// Stopped because the relay refused the OAuth2 sign-in; what the operator must do.
    SignIn(String),
}

pub(super) struct Worker<'a> {
    pub(super) cfg: &'a Config,
    pub(super) mailbox: &'a Mailbox,
    pub(super) source: &'a ImapSource,
    pub(super) store: &'a mut Store,
    pub(super) relay: Relay<'a>,
    pub(super) world: &'a World,
    pub(super) session: &'a mut Session,
    /// For opening the second connection that saves copies in Sent.
    pub(super) tokens: Option<&'a Arc<crate::oauth::TokenSource>>,
    /// When the worker started (see [`Link::started`]).
    pub(super) started: Timestamp,
    pub(super) relay_state: &'a mut RelayState,
    /// Keywords to take off the message just handled before it is filed (set by a
    /// re-examination: the trigger and the earlier reason).
    pub(super) marks_off: Vec<String>,
}

impl Worker<'_> {
    /// Handles everything after the last UID handled, in bounded batches, and says whether it
    /// stopped early at a reply the relay could not take.
    pub(super) async fn pass(
        &mut self,
        state: &FolderState,
        shutdown: &watch::Receiver<bool>,
    ) -> Result<PassEnd, Error> {
        let mut background = copies::Background::default();
        let end = self.batches(state, shutdown, &mut background).await;
        // The last batch's copies were saved in place; only an early end leaves one saving.
        let finished = self.finish_copies(&mut background).await;
        background.close().await;
        let end = end?;
        finished?;
        Ok(end)
    }

    /// The pass itself; `background` saves a batch's copies while the next one is answered.
    async fn batches(
        &mut self,
        state: &FolderState,
        shutdown: &watch::Receiver<bool>,
        background: &mut copies::Background,
    ) -> Result<PassEnd, Error> {
        let folder = self.source.folder.clone();
        let dry = self.mailbox.handling.mode == Mode::DryRun;
        let mut progress = self.position(state).await?;
        if !dry {
            block(|| self.store.set_progress(&folder, &progress))?;
            // Copies a crash kept from reaching Sent (a few may be there already).
            self.save_copies(true).await?;
        }
        // What people asked to have looked at again; retries below the position are read
        // again too (with keyword filing they never leave the folder).
        let asked = if dry {
            reexamine::Asked::default()
        } else {
            reexamine::Asked::find(self).await?
        };
        let first = progress.last_uid.saturating_add(1);
        let mut uids = asked.older_than(first);
        uids.extend(self.session.uids_from(first).await?);
        let batches = uids.chunks(self.source.batch).len();
        for (index, chunk) in uids.chunks(self.source.batch).enumerate() {
            let fetched = self
                .session
                .fetch(chunk, self.cfg.max_message_bytes as u64)
                .await?;
            crate::fault::point("after_fetch");
            let batch = self.read_and_claim(fetched, progress.first_start, dry)?;
            let mut filing: Vec<(u32, Dest)> = Vec::new();
            let mut marks = reasons::Marks::default();
            let end = self
                .handle_batch(
                    batch,
                    &asked,
                    shutdown,
                    &mut progress,
                    &mut filing,
                    &mut marks,
                )
                .await?;
            if !dry {
                // The previous batch's copies, saved while this batch was sent.
                self.finish_copies(background).await?;
                let more = index + 1 < batches
                    && matches!(end, PassEnd::Done)
                    && !*shutdown.borrow()
                    && background.available();
                if !more {
                    self.save_copies(false).await?;
                    crate::fault::point("after_sent_copy");
                }
                self.file(&filing, &marks).await?;
                crate::fault::point("after_filing");
                // Also makes the batch's records and queued copies durable.
                block(|| self.store.set_progress(&folder, &progress))?;
                if more {
                    self.start_copies(background).await?;
                }
            }
            if !matches!(end, PassEnd::Done) || *shutdown.borrow() {
                return Ok(end);
            }
        }
        Ok(PassEnd::Done)
    }

    /// Handles a batch's messages in order, collecting where each is filed and the reason
    /// keywords to set; stops at a reply that must wait, or at SIGTERM (the message in hand
    /// is finished, the next one waits).
    async fn handle_batch(
        &mut self,
        batch: Vec<InHand>,
        asked: &reexamine::Asked,
        shutdown: &watch::Receiver<bool>,
        progress: &mut Progress,
        filing: &mut Vec<(u32, Dest)>,
        marks: &mut reasons::Marks,
    ) -> Result<PassEnd, Error> {
        let mut end = PassEnd::Done;
        for InHand {
            fetched: f,
            origin,
            read,
            claim,
            bounced,
            ..
        } in batch
        {
            // SIGTERM: the message in hand is finished, the next one waits.
            if *shutdown.borrow() {
                break;
            }
            let span =
                tracing::error_span!("message", uid = f.uid, message_id = tracing::field::Empty);
            let key = claim.as_ref().map(|c| c.key.clone());
            let trigger = asked.trigger(f.uid);
            let handled = self
                .handle(read, claim, bounced.as_ref(), &origin, trigger)
                .instrument(span)
                .await;
            // What the ledger says now names the reason of a message for people.
            let now = match (&handled, &key) {
                (Ok(Handled::File(Dest::People)), Some(key)) => block(|| self.store.prior(key))?,
                _ => None,
            };
            self.mark(marks, f.uid, trigger, &handled, now.as_ref());
            match handled {
                Ok(Handled::Deferred) => {
                    end = PassEnd::Deferred;
                    break;
                }
                Ok(Handled::SignIn(action)) => {
                    end = PassEnd::SignIn(action);
                    break;
                }
                Ok(Handled::File(dest)) => filing.push((f.uid, dest)),
                Ok(Handled::Leave) => {}
                // The connection or the store failed, not this message: stop here; it and
                // the rest are handled when they work again. (What was handled is filed
                // on the next pass: the ledger knows it.)
                Err(e) if e.stops_pass() => return Err(e),
                // One bad message never stops the loop; it stays in the folder for people.
                Err(e) => {
                    error!(uid = f.uid, err = %error_chain(&e), "Message not handled; left in the folder for people.")
                }
            }
            // Retries below the position come first: never move it back.
            progress.last_uid = progress.last_uid.max(f.uid);
        }
        Ok(end)
    }

    /// Parses a fetched batch and claims, in one durable write, every message it may answer
    /// (see [`Store::claim_batch`]). A message older than the first start gets no claim and no
    /// reading: it is left alone. In a dry run nothing is claimed.
    fn read_and_claim(
        &mut self,
        fetched: Vec<Fetched>,
        first_start: Timestamp,
        dry: bool,
    ) -> Result<Vec<InHand>, store::Error> {
        let mut batch: Vec<InHand> = fetched
            .into_iter()
            .map(|mut f| {
                let origin = format!("imap:{}/{}", self.source.folder, f.uid);
                let digest = f.bytes.as_deref().map(store::identity::digest);
                let bounced = f.bytes.as_deref().and_then(bounce::read);
                let read = (f.internal_date >= first_start).then(|| self.read(&mut f, &origin));
                InHand {
                    fetched: f,
                    origin,
                    read,
                    digest,
                    bounced,
                    claim: None,
                }
            })
            .collect();
        if dry {
            return Ok(batch);
        }
        let items: Vec<BatchItem<'_>> = batch
            .iter()
            .filter_map(|h| {
                h.read.as_ref().map(|r| BatchItem {
                    message_id: r.message_id(),
                    digest: h.digest.as_deref(),
                    origin: &h.origin,
                    received: h.fetched.internal_date,
                })
            })
            .collect();
        let claims = block(|| self.store.claim_batch(&items))?;
        let mut claims = claims.into_iter();
        for InHand { read, claim, .. } in &mut batch {
            if read.is_some() {
                *claim = claims.next();
            }
        }
        Ok(batch)
    }

    /// Parses a fetched message; its bytes are moved to the parser, not copied.
    fn read(&self, f: &mut Fetched, origin: &str) -> Read {
        match f.bytes.take() {
            None => Read::Unreadable {
                message_id: format!("oversized-{}-{}@mailclerk.invalid", f.uid, f.size),
                why: Unparseable::NotDownloaded {
                    size: f.size,
                    limit: self.cfg.max_message_bytes,
                },
            },
            Some(bytes) => {
                let raw = RawMail {
                    origin: origin.to_string(),
                    received: Some(f.internal_date),
                    bytes,
                };
                block(|| crate::examine::read(self.cfg, &raw))
            }
        }
    }

    /// Decides and acts on one message of a batch. `read` is `None` for a message older than
    /// the first start; `claim` is `None` in a dry run.
    async fn handle(
        &mut self,
        read: Option<Read>,
        claim: Option<store::Claimed>,
        bounced: Option<&bounce::Report>,
        origin: &str,
        trigger: Option<store::Trigger>,
    ) -> Result<Handled, Error> {
        let Some(read) = read else {
            info!(
                "Received before the first start; left in the folder for people, no answer and no ledger row."
            );
            return Ok(Handled::Leave);
        };
        tracing::Span::current().record("message_id", read.message_id());
        // A redelivered message the ledger has settled is filed as it was handled, before
        // anything is planned or rendered for it.
        if let Some(store::Claimed {
            key,
            claim: Claim::Seen(prior),
            ..
        }) = &claim
            && trigger.is_none()
            && self.mailbox.handling.mode != Mode::DryRun
        {
            let state = block(|| self.store.prior(key))?.map_or(prior.state, |p| p.state);
            if let Some(dest) = Dest::settled(state) {
                return Ok(Handled::File(dest));
            }
        }
        let now = self.world.clock.now();
        let (cfg, mailbox, store) = (self.cfg, self.mailbox, &*self.store);
        let mut examined = block(|| examine_parsed(cfg, mailbox, store, read, now))?;
        crate::fault::point("after_decide");
        let store::Claimed {
            key: message_id,
            id_taken,
            claim,
        } = match claim {
            Some(claim) if self.mailbox.handling.mode != Mode::DryRun => claim,
            _ => {
                info!(plan = %describe(&examined), "Dry run: nothing sent, filed or recorded.");
                return Ok(Handled::Leave);
            }
        };
        if id_taken {
            // Another message already holds this Message-ID in the ledger: this one is handled
            // as the new message it is, under its own key, and its answer gets its own
            // Message-ID (ours is derived from the key), so Sent tells the two apart.
            warn!(ledger_key = %message_id, "Message-ID already used by a different message; handled as a new message.");
            if let Examined::Planned { plan, .. } = &mut examined
                && let Action::Reply { reply, .. } = &mut plan.action
            {
                reply.message_id =
                    crate::render::reply_message_id(&message_id, &self.mailbox.policy.vendor.email);
            }
        }
        match claim {
            Claim::Seen(prior) => {
                // The state now, not at the batch's claim: the same id earlier in this batch
                // (a redelivery) has been handled since.
                let now = block(|| self.store.prior(&message_id))?.unwrap_or(prior);
                if let Some(trigger) = trigger {
                    let (handled, off) = self
                        .reexamine(&message_id, origin, trigger, examined, now.state)
                        .await?;
                    self.marks_off = off;
                    return Ok(handled);
                }
                self.resolve(&message_id, &examined, now.state).await
            }
            Claim::New => {
                block(|| self.store.mark_attempt(&message_id))?;
                crate::fault::point("after_claim");
                self.apply(&message_id, &examined, bounced).await
            }
        }
    }

    /// Carries out a newly claimed message's plan (see [`Executor::apply`]).
    pub(super) async fn apply(
        &mut self,
        key: &str,
        examined: &Examined,
        bounced: Option<&bounce::Report>,
    ) -> Result<Handled, Error> {
        self.execute(key, examined, Step::Apply(bounced)).await
    }

    /// Files a message the ledger knows; resolves an interrupted claim (see
    /// [`Executor::resolve`]).
    pub(super) async fn resolve(
        &mut self,
        key: &str,
        examined: &Examined,
        state: LedgerState,
    ) -> Result<Handled, Error> {
        self.execute(key, examined, Step::Resolve(state)).await
    }

    /// The executor over this session's outbox (the relay, the IMAP session), for one step.
    async fn execute(
        &mut self,
        key: &str,
        examined: &Examined,
        step: Step<'_>,
    ) -> Result<Handled, Error> {
        let mut outbox = MailOutbox {
            relay: self.relay,
            session: &mut *self.session,
            mailbox: self.mailbox,
            folder: &self.source.folder,
        };
        Executor::new(
            self.mailbox,
            &mut *self.store,
            &mut outbox,
            &self.world.clock,
            &mut *self.relay_state,
            &self.world.events,
        )
        .run(key, examined, step)
        .await
    }

    /// Files handled messages, one command per destination (batched moves cost a fraction of
    /// per-message ones, reliability-notes §8).
    async fn file(&mut self, filing: &[(u32, Dest)], marks: &reasons::Marks) -> Result<(), Error> {
        // Keywords first: a person sees the reason on the message wherever it lands (IMAP
        // keeps keywords on a move), and one moved back is told from a new one by them.
        marks.apply(self.session).await?;
        for dest in [Dest::Answered, Dest::People, Dest::Skipped] {
            let uids: Vec<u32> = filing
                .iter()
                .filter(|(_, d)| *d == dest)
                .map(|(u, _)| *u)
                .collect();
            if uids.is_empty() {
                continue;
            }
            match &self.mailbox.handling.filing {
                Filing::Folders {
                    answered,
                    to_people,
                    skipped,
                } => {
                    let to = match dest {
                        Dest::Answered => answered,
                        Dest::People => to_people,
                        Dest::Skipped => skipped,
                    };
                    self.session.move_uids(&uids, to).await?;
                }
                Filing::Keywords => {
                    let keyword = match dest {
                        Dest::Answered => "$mailclerk-answered",
                        Dest::People => "$mailclerk-people",
                        Dest::Skipped => "$mailclerk-skipped",
                    };
                    self.session.add_keyword(&uids, keyword).await?;
                }
            }
        }
        Ok(())
    }
}

fn describe(examined: &Examined) -> String {
    match &examined.plan().action {
        Action::Skip(r) => format!("skip: {r}"),
        Action::ToHuman { why, .. } => format!("to people: {why}"),
        Action::Reply { decision, reply } => format!(
            "reply {} ({})",
            reply.template,
            crate::examine::decision_summary(decision)
        ),
    }
}
