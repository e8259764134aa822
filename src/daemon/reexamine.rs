//! A second look, when a person asks for one: a message mailclerk handed to people comes back
//! to the INBOX (it carries [`reasons::PEOPLE`], which IMAP keeps on a move), or is marked
//! [`reasons::RETRY`]. It is examined again with today's accounts and policy, as if new, but
//! only when the ledger shows that nothing automatic went out for it (`Store::reopen`): a
//! message answered, drafted or of unknown send outcome is filed as before, never answered
//! twice. Each look is one examination: the message is filed again and its trigger keywords
//! are taken off, so nothing loops.

use std::collections::HashSet;

use tracing::{info, warn};

use super::{Dest, Error, Handled, Worker, block, reasons};
use crate::config::Filing;
use crate::examine::Examined;
use crate::plan::{Action, ConfirmStep};
use crate::store::{LedgerState, NotAgain, Reopen, Trigger};

/// The messages of the folder a person asked to have looked at again, found once per pass.
#[derive(Debug, Default)]
pub(super) struct Asked {
    /// Marked `$mailclerk-retry`.
    retry: HashSet<u32>,
    /// Carrying `$mailclerk-people` in the INBOX with folder filing: moved back.
    moved_back: HashSet<u32>,
}

impl Asked {
    /// Searches the selected folder. With keyword filing every message for people carries
    /// `$mailclerk-people` where it is, so only `$mailclerk-retry` asks for a second look.
    pub(super) async fn find(worker: &mut Worker<'_>) -> Result<Asked, Error> {
        let retry = worker.session.uids_with_keyword(reasons::RETRY).await?;
        let moved_back = match worker.mailbox.handling.filing {
            Filing::Folders { .. } => worker.session.uids_with_keyword(reasons::PEOPLE).await?,
            Filing::Keywords => Vec::new(),
        };
        Ok(Asked {
            retry: retry.into_iter().collect(),
            moved_back: moved_back.into_iter().collect(),
        })
    }

    /// Marked for a retry below `first`: outside the pass's new mail, read again anyway.
    pub(super) fn older_than(&self, first: u32) -> Vec<u32> {
        let mut old: Vec<u32> = self.retry.iter().copied().filter(|u| *u < first).collect();
        old.sort_unstable();
        old
    }

    pub(super) fn trigger(&self, uid: u32) -> Option<Trigger> {
        if self.retry.contains(&uid) {
            Some(Trigger::RetryKeyword)
        } else if self.moved_back.contains(&uid) {
            Some(Trigger::MovedBack)
        } else {
            None
        }
    }
}

impl Worker<'_> {
    /// Examines a message handed to people once more, if the ledger allows it; otherwise
    /// files it as the ledger says. Returns how to file it and the keywords to take off it
    /// first (the trigger, and the earlier reason when it was examined again).
    pub(super) async fn reexamine(
        &mut self,
        message_id: &str,
        origin: &str,
        trigger: Trigger,
        mut examined: Examined,
        state: LedgerState,
    ) -> Result<(Handled, Vec<String>), Error> {
        let mut off = Vec::new();
        if trigger == Trigger::RetryKeyword {
            off.push(reasons::RETRY.to_string());
        }
        let earlier = match block(|| self.store.reopen(message_id, origin, trigger))? {
            Reopen::Reopened(earlier) => earlier,
            Reopen::Refused(why) => {
                if why != NotAgain::NotMoved {
                    info!(
                        "<{message_id}> {}; not examined again: {}.",
                        trigger.describe(),
                        why.describe()
                    );
                }
                return Ok((self.resolve(message_id, &examined, state).await?, off));
            }
        };
        let code = reasons::code(earlier.state, earlier.action.as_deref());
        info!(
            earlier = %code,
            earlier_reason = earlier.reason.as_deref().unwrap_or(""),
            trigger = trigger.as_str(),
            "re-examining <{message_id}>: {} (earlier for people: {code})",
            trigger.describe()
        );
        off.push(reasons::PEOPLE.to_string());
        off.push(reasons::keyword(&code));
        // The customer was told once that a person will answer; a second look sends no
        // second acknowledgement and asks no second confirmation question.
        if let Examined::Planned { plan, .. } = &mut examined {
            if let Action::ToHuman { ack, .. } = &mut plan.action {
                *ack = None;
            }
            if matches!(plan.confirmation, Some(ConfirmStep::Ask(_))) {
                plan.confirmation = None;
            }
        }
        let handled = self.apply(message_id, &examined, None).await?;
        match &handled {
            Handled::File(Dest::People) => {
                let now = block(|| self.store.prior(message_id))?;
                let new = now
                    .map(|p| reasons::code(p.state, p.action.as_deref()))
                    .unwrap_or_default();
                warn!(reason = %new, "re-examined <{message_id}>: still for people ({new}).");
            }
            Handled::File(Dest::Answered) => {
                info!("re-examined <{message_id}>: answered.");
            }
            Handled::File(Dest::Skipped) => {
                info!("re-examined <{message_id}>: skipped.");
            }
            // A reply that waits for the relay: the next pass claims the deferred row as
            // usual (the caller keeps `$mailclerk-retry` on so that the pass reads it).
            Handled::Deferred | Handled::SignIn(_) | Handled::Leave => {}
        }
        Ok((handled, off))
    }
}
