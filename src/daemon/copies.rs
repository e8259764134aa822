//! Saving the replies' copies in Sent.
//!
//! Dovecot syncs each saved message to disk, so a copy costs about as long as sending the
//! reply did (BENCHMARKS.md). When a pass has more batches to answer, a batch's copies are
//! saved on a second connection while the next batch is being sent, and the two waits
//! overlap. The copies are queued in the store with the replies' records (`sent_copy`) and
//! forgotten only once the server has them; a copy whose saving was cut short stays queued
//! and is saved at the next pass's start, after a search that keeps it from being saved twice.

use tokio::task::JoinHandle;
use tracing::{Instrument, info, warn};

use super::session::connect;
use super::worker::Worker;
use super::{Error, block};
use crate::error_chain;
use crate::intake::imap::{self, Session};
use crate::store::PendingCopy;

/// Queued Sent copies read from the store per round.
const COPIES_PER_ROUND: usize = 200;

impl Worker<'_> {
    /// Saves the queued reply copies in Sent on the main connection (one `MULTIAPPEND` per
    /// folder and chunk) and forgets them; see [`copies::append`]. A connection failure stops
    /// the pass and keeps them queued.
    pub(super) async fn save_copies(&mut self, careful: bool) -> Result<(), Error> {
        loop {
            let pending = block(|| self.store.pending_copies(COPIES_PER_ROUND))?;
            if pending.is_empty() {
                return Ok(());
            }
            append(self.session, &pending, careful).await?;
            let ids: Vec<&str> = pending.iter().map(|p| p.message_id.as_str()).collect();
            block(|| self.store.drop_copies(&ids))?;
        }
    }

    /// Starts saving the queued copies on the second connection (opened on first use), to
    /// overlap with the next batch. Without a second connection they are saved here and now.
    pub(super) async fn start_copies(&mut self, background: &mut Background) -> Result<(), Error> {
        let pending = block(|| self.store.pending_copies(COPIES_PER_ROUND))?;
        if pending.is_empty() {
            return Ok(());
        }
        if pending.len() == COPIES_PER_ROUND {
            // More than one round's worth (a batch over 200): no overlap, all of them now.
            return self.save_copies(false).await;
        }
        let session = match background.take_session() {
            Some(session) => session,
            None => match connect(self.mailbox, self.source, self.tokens).await {
                Ok(session) => {
                    info!(
                        "Saving copies in Sent on a second connection while the next batch is answered."
                    );
                    session
                }
                Err(e) => {
                    warn!(err = %error_chain(&e), "No second IMAP connection for saving copies in Sent; saving them on the main one.");
                    background.refuse();
                    return self.save_copies(false).await;
                }
            },
        };
        background.start(session, pending);
        Ok(())
    }

    /// Waits for the copies being saved in the background, and forgets them once saved.
    pub(super) async fn finish_copies(&mut self, background: &mut Background) -> Result<(), Error> {
        match background.finish().await {
            Finished::Nothing => Ok(()),
            Finished::Saved(ids) => {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                block(|| self.store.drop_copies(&ids))?;
                crate::fault::point("after_sent_copy");
                Ok(())
            }
            Finished::Failed(e) => Err(e),
        }
    }
}

/// Saves `pending` in their folders, one MULTIAPPEND per folder (and chunk). `careful`: copies
/// left by an interrupted run may be there already, so each is looked for first. A copy the
/// server refuses is given up with a warning (the reply went out; only its copy is missing);
/// a connection failure is returned, and the caller keeps the copies queued.
pub(super) async fn append(
    session: &mut Session,
    pending: &[PendingCopy],
    careful: bool,
) -> Result<(), Error> {
    let mut folders: Vec<&str> = pending.iter().map(|p| p.copy.folder.as_str()).collect();
    folders.sort_unstable();
    folders.dedup();
    for folder in folders {
        let mut bytes: Vec<&[u8]> = Vec::new();
        for p in pending.iter().filter(|p| p.copy.folder == folder) {
            let there = match (&p.reply_message_id, careful) {
                (Some(id), true) => session.find_message_id(folder, id).await?,
                _ => false,
            };
            if !there {
                bytes.push(&p.copy.bytes);
            }
        }
        if let Err(e) = session.append_many(folder, &bytes, &["\\Seen"]).await {
            let e = Error::from(e);
            if e.stops_pass() {
                return Err(e);
            }
            warn!(folder, count = bytes.len(), err = %error_chain(&e), "Replies sent, but their copies could not be saved in Sent.");
        }
    }
    // Saved, not yet forgotten: whoever saves them next must find them there, not save twice.
    crate::fault::point("after_copy_append");
    Ok(())
}

/// One batch's copies being saved on the second connection.
struct Saving {
    /// The requests whose copies these are, to forget once saved.
    message_ids: Vec<String>,
    task: JoinHandle<(Session, Result<(), Error>)>,
}

/// The second connection and what it is saving, for the length of one pass.
#[derive(Default)]
pub(super) struct Background {
    /// The connection between two batches' saving.
    session: Option<Session>,
    /// The second connection could not be opened: copies go on the main one.
    refused: bool,
    saving: Option<Saving>,
}

/// What the previous batch's saving came to.
pub(super) enum Finished {
    /// Nothing was being saved.
    Nothing,
    /// Saved (or refused by the server, with a warning): these requests' copies can be
    /// forgotten.
    Saved(Vec<String>),
    /// Cut short: the copies stay queued, and the pass must stop so that the next one saves
    /// them carefully.
    Failed(Error),
}

impl Background {
    /// Whether a second connection is open or may be tried.
    pub(super) fn available(&self) -> bool {
        !self.refused
    }

    /// The second connection, if one is open and idle (for [`Background::start`]).
    pub(super) fn take_session(&mut self) -> Option<Session> {
        self.session.take()
    }

    /// The second connection could not be opened; this pass saves on the main one.
    pub(super) fn refuse(&mut self) {
        self.refused = true;
    }

    /// Starts saving `pending` on `session`, in the background.
    pub(super) fn start(&mut self, mut session: Session, pending: Vec<PendingCopy>) {
        let message_ids = pending.iter().map(|p| p.message_id.clone()).collect();
        let task = tokio::spawn(
            async move {
                let result = append(&mut session, &pending, false).await;
                (session, result)
            }
            .instrument(tracing::Span::current()),
        );
        self.saving = Some(Saving { message_ids, task });
    }

    /// Waits for the saving under way, if any.
    pub(super) async fn finish(&mut self) -> Finished {
        let Some(Saving { message_ids, task }) = self.saving.take() else {
            return Finished::Nothing;
        };
        match task.await {
            Ok((session, Ok(()))) => {
                self.session = Some(session);
                Finished::Saved(message_ids)
            }
            // The connection is dropped; the next batch opens another.
            Ok((_, Err(e))) => Finished::Failed(e),
            // A panic in the saving (nothing else ends the task early): what it saved is not
            // known, so the pass stops and the next one saves the copies carefully.
            Err(e) => Finished::Failed(Error::Imap(imap::Error::Unavailable {
                server: "(second connection)".into(),
                command: "APPEND".into(),
                detail: format!("saving the copies in Sent stopped: {e}"),
            })),
        }
    }

    /// Logs the second connection out (after [`Background::finish`]).
    pub(super) async fn close(&mut self) {
        if let Some(session) = self.session.take() {
            let _ = session.logout().await;
        }
    }
}

impl Drop for Background {
    /// A pass that stops with the saving under way (its connection failed) stops the saving
    /// too, so the next pass's careful saving does not race it; what it did not save stays
    /// queued.
    fn drop(&mut self) {
        if let Some(saving) = &self.saving {
            saving.task.abort();
        }
    }
}
