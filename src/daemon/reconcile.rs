//! Where a pass starts reading, reconciled with the server: the folder's UIDVALIDITY against
//! the one the store kept (a renumbered folder is read again; the Message-ID ledger knows what
//! was handled), and on a first start the cut-off below which mail is left for people.

use tracing::{info, warn};

use super::worker::Worker;
use super::{Error, block};
use crate::intake::imap::FolderState;
use crate::store::Progress;

impl Worker<'_> {
    /// The position to read the folder from, and the first start's cut-off.
    pub(super) async fn position(&mut self, state: &FolderState) -> Result<Progress, Error> {
        Ok(match block(|| self.store.progress(&self.source.folder))? {
            Some(p) if p.uid_validity == state.uid_validity => p,
            Some(p) => {
                // The server renumbered the folder: read it all again. The ledger (keyed by
                // Message-ID) recognises what was handled, and the first-start time keeps old
                // mail unanswered.
                warn!(
                    old = p.uid_validity,
                    new = state.uid_validity,
                    "UIDVALIDITY changed; re-reading the folder."
                );
                Progress {
                    uid_validity: state.uid_validity,
                    last_uid: 0,
                    first_start: p.first_start,
                }
            }
            None => match self.source.answer_since {
                // First start with a configured cut-off: read the whole folder; what the server
                // received before the cut-off is left alone.
                Some(since) => {
                    info!(existing = state.exists, %since, "First start on this folder; answering mail received since the cut-off.");
                    Progress {
                        uid_validity: state.uid_validity,
                        last_uid: 0,
                        first_start: since,
                    }
                }
                // First start: what the server received before this worker started is left as
                // it is, for people. The position is not UIDNEXT as SELECT saw it: mail
                // delivered between the start and the SELECT would fall below it unseen. It is
                // just before the first message since the day before the start (SEARCH SINCE
                // has whole days in the server's zone); those before the start are each left
                // with a log line (`handle`).
                None => {
                    let first_start = self.started;
                    let day = first_start
                        .to_zoned(jiff::tz::TimeZone::UTC)
                        .date()
                        .yesterday()
                        .unwrap_or(jiff::civil::Date::MIN);
                    let recent = self.session.uids_since(day).await?;
                    let last_uid = match recent.first() {
                        Some(uid) => uid.saturating_sub(1),
                        None => state.uid_next.saturating_sub(1),
                    };
                    info!(
                        existing = state.exists,
                        %first_start,
                        "First start on this folder; mail received before the start is left alone."
                    );
                    Progress {
                        uid_validity: state.uid_validity,
                        last_uid,
                        first_start,
                    }
                }
            },
        })
    }
}
