//! Commands that read: `SELECT`/`EXAMINE` (and selecting the previous folder again after a
//! look elsewhere), the searches, `FETCH`, and `NOOP`/`LOGOUT`.

use std::collections::{BTreeMap, HashSet};

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};
use tokio::io::AsyncWriteExt;
use tracing::debug;

use super::error::names_missing_folder;
use super::wire::{
    check_flag, mailbox_arg, message_body, message_id_arg, message_meta, quote, uid_sets, utf7_imap,
};
use super::{Error, Fetched, FolderState, Selected, Session};

impl Session {
    /// Opens `folder` read-write. Compare `uid_validity` with the stored value before trusting
    /// any recorded UID.
    ///
    /// # Errors
    /// [`Error::NoSuchFolder`], or any connection error.
    pub async fn select(&mut self, folder: &str) -> Result<FolderState, Error> {
        let state = self.open(folder, false).await?;
        debug!(folder, ?state, "Selected.");
        Ok(state)
    }

    /// Opens `folder` read-only (`EXAMINE`): nothing done in it changes a flag (`replay`).
    ///
    /// # Errors
    /// [`Error::NoSuchFolder`], or any connection error.
    pub async fn examine(&mut self, folder: &str) -> Result<FolderState, Error> {
        self.open(folder, true).await
    }

    /// UIDs of the selected folder from `first_uid` on, ascending. IMAP answers `n:*` with the
    /// last message even when `n` is above every UID, so the result is filtered to `>= first_uid`.
    ///
    /// # Errors
    /// [`Error::NotSelected`], or any connection error.
    pub async fn uids_from(&mut self, first_uid: u32) -> Result<Vec<u32>, Error> {
        self.require_selected("UID SEARCH")?;
        let first = first_uid.max(1);
        // Cleared before the SEARCH: an EXISTS that arrives with or after it is noted again.
        self.link.announced = false;
        let mut uids = Vec::new();
        self.exchange(&format!("UID SEARCH UID {first}:*"), |r| {
            if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                uids.extend(found.iter().copied().filter(|u| *u >= first));
            }
        })
        .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// UIDs of the selected folder's messages whose INTERNALDATE falls on `day` or later (IMAP
    /// `SEARCH SINCE`, which compares dates only, in the server's time zone), ascending.
    ///
    /// # Errors
    /// [`Error::NotSelected`], or any connection error.
    pub async fn uids_since(&mut self, day: jiff::civil::Date) -> Result<Vec<u32>, Error> {
        self.require_selected("UID SEARCH")?;
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS[usize::try_from(day.month() - 1).unwrap_or(0)];
        let mut uids = Vec::new();
        self.exchange(
            &format!("UID SEARCH SINCE {}-{month}-{}", day.day(), day.year()),
            |r| {
                if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                    uids.extend(found.iter().copied());
                }
            },
        )
        .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Size and INTERNALDATE of each of `uids`, and the full message for those of at most
    /// `max_size` bytes, sorted by UID. Uses `BODY.PEEK[]`, so `\Seen` is never set: a message
    /// we fail to answer still looks unread to the people who will. UIDs that no longer exist
    /// are simply absent.
    ///
    /// # Errors
    /// [`Error::NotSelected`], [`Error::Protocol`] for an unreadable date, or any connection error.
    pub async fn fetch(&mut self, uids: &[u32], max_size: u64) -> Result<Vec<Fetched>, Error> {
        self.require_selected("UID FETCH")?;
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let mut found: BTreeMap<u32, Fetched> = BTreeMap::new();
        let mut problem = None;
        for set in uid_sets(uids) {
            self.exchange(
                &format!("UID FETCH {set} (UID RFC822.SIZE INTERNALDATE)"),
                |r| match message_meta(r) {
                    Some(Ok(m)) if wanted.contains(&m.uid) => {
                        found.insert(m.uid, m);
                    }
                    Some(Err(why)) => problem = problem.take().or(Some(why)),
                    _ => {}
                },
            )
            .await?;
        }
        if let Some(bad) = problem {
            return Err(self.link.protocol("UID FETCH", bad.to_string()));
        }
        let small: Vec<u32> = found
            .values()
            .filter(|m| m.size <= max_size)
            .map(|m| m.uid)
            .collect();
        for set in uid_sets(&small) {
            self.exchange(&format!("UID FETCH {set} (UID BODY.PEEK[])"), |r| {
                if let Some((uid, bytes)) = message_body(r)
                    && let Some(m) = found.get_mut(&uid)
                {
                    m.bytes = Some(bytes.to_vec());
                }
            })
            .await?;
        }
        // A message expunged between the two FETCHes has no body; it is gone, not "too large".
        found.retain(|uid, m| {
            let gone = m.size <= max_size && m.bytes.is_none();
            if gone {
                debug!(uid, "Message vanished while being fetched.");
            }
            !gone
        });
        debug!(asked = uids.len(), got = found.len(), "Fetched.");
        Ok(found.into_values().collect())
    }

    /// UIDs of the selected folder's messages that carry `keyword` (`UID SEARCH KEYWORD`),
    /// ascending: what a person marked, or what mailclerk marked earlier.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a keyword that is not an IMAP atom, [`Error::NotSelected`], or any
    /// connection error.
    pub async fn uids_with_keyword(&mut self, keyword: &str) -> Result<Vec<u32>, Error> {
        check_flag("keyword", keyword, false)?;
        self.require_selected("UID SEARCH")?;
        let mut uids = Vec::new();
        self.exchange(&format!("UID SEARCH KEYWORD {keyword}"), |r| {
            if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                uids.extend(found.iter().copied());
            }
        })
        .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Whether `folder` holds a message with this Message-ID (with or without `<>`). This is how
    /// a restarted daemon learns that a reply already went out. A missing folder holds nothing.
    /// The previously selected folder is selected again afterwards.
    ///
    /// # Errors
    /// [`Error::BadInput`] for an empty or non-ASCII id, [`Error::UidValidityChanged`] if the
    /// previous folder changed meanwhile, or any connection error.
    pub async fn find_message_id(&mut self, folder: &str, message_id: &str) -> Result<bool, Error> {
        let needle = message_id_arg(message_id)?;
        self.any_in(folder, &format!("HEADER Message-ID {needle}"))
            .await
    }

    /// Whether `UID SEARCH criteria` finds anything in `folder` (a missing folder: nothing).
    pub(super) async fn any_in(&mut self, folder: &str, criteria: &str) -> Result<bool, Error> {
        let previous = self.link.selected.clone();
        let here = previous.as_ref().is_some_and(|p| p.folder == folder);
        if !here {
            match self.open(folder, true).await {
                Ok(_) => {}
                Err(Error::NoSuchFolder { .. }) => {
                    self.restore(previous).await?;
                    return Ok(false);
                }
                Err(err) => return Err(err),
            }
        }
        let mut found = false;
        self.exchange(&format!("UID SEARCH {criteria}"), |r| {
            if let Response::MailboxData(MailboxDatum::Search(uids)) = r {
                found |= !uids.is_empty();
            }
        })
        .await?;
        if !here {
            self.restore(previous).await?;
        }
        debug!(folder, criteria, found, "Searched.");
        Ok(found)
    }

    /// Keeps the connection alive and lets the server report changes; the way to poll when
    /// [`Session::can_idle`] is false.
    ///
    /// # Errors
    /// Any connection error.
    pub async fn noop(&mut self) -> Result<(), Error> {
        self.exchange("NOOP", |_| {}).await
    }

    /// Says goodbye and closes the connection. A session that already broke is just dropped.
    ///
    /// # Errors
    /// The server answered `LOGOUT` with something other than `BYE`/`OK`, or did not answer.
    pub async fn logout(mut self) -> Result<(), Error> {
        if self.link.broken.is_some() {
            return Ok(());
        }
        match self.exchange("LOGOUT", |_| {}).await {
            Ok(()) | Err(Error::Closed { .. }) => {}
            Err(err) => return Err(err),
        }
        // Best effort: a TLS close_notify, so the server logs a clean disconnect.
        let _ = tokio::time::timeout(self.link.timeout, self.imap.get_mut().shutdown()).await;
        debug!(server = %self.link.server, "Logged out.");
        Ok(())
    }

    /// `SELECT` (or `EXAMINE` when `read_only`) and the folder's state.
    async fn open(&mut self, folder: &str, read_only: bool) -> Result<FolderState, Error> {
        let verb = if read_only { "EXAMINE" } else { "SELECT" };
        let name = mailbox_arg(folder)?;
        // A failed SELECT leaves no folder selected (RFC 3501 6.3.1).
        self.link.selected = None;
        let (mut validity, mut next, mut exists) = (None, None, 0);
        let result = self
            .exchange(&format!("{verb} {name}"), |r| match r {
                Response::Data {
                    status: Status::Ok,
                    outcome,
                } => match outcome.code {
                    Some(ResponseCode::UidValidity(v)) => validity = Some(v),
                    Some(ResponseCode::UidNext(n)) => next = Some(n),
                    _ => {}
                },
                Response::MailboxData(MailboxDatum::Exists(n)) => exists = *n,
                _ => {}
            })
            .await;
        if let Err(err) = result {
            // Dovecot 2.3 says only "NO Mailbox doesn't exist", without [NONEXISTENT]: ask.
            let missing = match &err {
                Error::Refused { detail, .. } => {
                    names_missing_folder(detail) || !self.folder_exists(folder).await?
                }
                _ => false,
            };
            return Err(if missing {
                Error::NoSuchFolder {
                    folder: folder.to_owned(),
                }
            } else {
                err
            });
        }
        let (Some(uid_validity), Some(uid_next)) = (validity, next) else {
            return Err(self
                .link
                .protocol(verb, "the server sent no UIDVALIDITY or UIDNEXT".into()));
        };
        self.link.selected = Some(Selected {
            folder: folder.to_owned(),
            uid_validity,
            read_only,
        });
        Ok(FolderState {
            uid_validity,
            uid_next,
            exists,
        })
    }

    /// Selects `previous` again after a look elsewhere, and notices if it changed identity.
    async fn restore(&mut self, previous: Option<Selected>) -> Result<(), Error> {
        let Some(previous) = previous else {
            // Nothing was selected before: leave none selected. CLOSE on an EXAMINEd folder
            // expunges nothing.
            if self.link.selected.as_ref().is_some_and(|s| s.read_only) {
                self.exchange("CLOSE", |_| {}).await?;
            }
            self.link.selected = None;
            return Ok(());
        };
        let state = self.open(&previous.folder, previous.read_only).await?;
        if state.uid_validity != previous.uid_validity {
            return Err(Error::UidValidityChanged {
                folder: previous.folder,
                was: previous.uid_validity,
                now: state.uid_validity,
            });
        }
        Ok(())
    }

    pub(super) async fn folder_exists(&mut self, folder: &str) -> Result<bool, Error> {
        if folder.eq_ignore_ascii_case("INBOX") {
            return Ok(true);
        }
        let encoded = utf7_imap(folder);
        let mut exists = false;
        self.exchange(&format!("LIST \"\" {}", quote(&encoded)), |r| {
            if let Response::MailboxData(MailboxDatum::List(list)) = r {
                exists |= list.name == encoded;
            }
        })
        .await?;
        Ok(exists)
    }
}
