//! How far the daemon has read each IMAP folder: (UIDVALIDITY, last UID handled), and when it
//! first started on the folder, so that switching mailclerk on never answers old mail.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{Cached, During, Error, Sqlite, parse_stamp, stamp};

/// The durable reading position in one folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub uid_validity: u32,
    /// Every UID up to this one has been handled (and filed) in this UIDVALIDITY.
    pub last_uid: u32,
    /// When mailclerk first read this folder: mail the server received earlier is never
    /// answered, even after a UIDVALIDITY change makes it look new.
    pub first_start: Timestamp,
}

impl Sqlite {
    /// The reading position in `folder`, if mailclerk has read it before.
    ///
    /// # Errors
    /// The query fails, or the row is corrupt.
    pub fn progress(&self, folder: &str) -> Result<Option<Progress>, Error> {
        let row: Option<(i64, i64, String)> = self
            .conn
            .cached_row(
                "SELECT uid_validity, last_uid, first_start FROM progress WHERE folder = ?1",
                [folder],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .during(|| format!("reading the progress of folder {folder:?}"))?;
        row.map(|(validity, last, first)| {
            let corrupt = |problem: String| Error::Corrupt {
                table: "progress",
                key: folder.to_string(),
                problem,
            };
            Ok(Progress {
                uid_validity: u32::try_from(validity)
                    .map_err(|_| corrupt(format!("uid_validity {validity}")))?,
                last_uid: u32::try_from(last).map_err(|_| corrupt(format!("last_uid {last}")))?,
                first_start: parse_stamp(&first)
                    .ok_or_else(|| corrupt(format!("first_start {first:?}")))?,
            })
        })
        .transpose()
    }

    /// Records the reading position in `folder`; durable when it returns.
    ///
    /// # Errors
    /// The write fails.
    pub fn set_progress(&mut self, folder: &str, p: &Progress) -> Result<(), Error> {
        self.conn
            .cached_execute(
                "INSERT INTO progress (folder, uid_validity, last_uid, first_start, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (folder) DO UPDATE SET uid_validity = ?2, last_uid = ?3,
                    first_start = ?4, updated_at = ?5",
                params![
                    folder,
                    p.uid_validity,
                    p.last_uid,
                    stamp(p.first_start),
                    stamp(self.clock.now())
                ],
            )
            .during(|| format!("recording the progress of folder {folder:?}"))?;
        Ok(())
    }

    /// The message ids of ledger rows in `state`, oldest first (for reports and recovery).
    ///
    /// # Errors
    /// The query fails.
    pub fn in_state(&self, state: super::LedgerState) -> Result<Vec<String>, Error> {
        self.conn
            .cached_strings(
                "SELECT message_id FROM ledger WHERE state = ?1 ORDER BY received",
                [state.as_str()],
            )
            .during(|| "listing ledger rows by state".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LedgerAction;
    use crate::store::testing::stores;

    #[test]
    fn progress_round_trips_and_updates() {
        for (kind, mut store) in stores("progress_round_trips_and_updates") {
            eprintln!("backend: {kind}");
            assert_eq!(store.progress("INBOX").unwrap(), None);
            let first: Timestamp = "2026-11-01T10:00:00Z".parse().unwrap();
            let p = Progress {
                uid_validity: 7,
                last_uid: 41,
                first_start: first,
            };
            store.set_progress("INBOX", &p).unwrap();
            assert_eq!(store.progress("INBOX").unwrap(), Some(p));
            let p2 = Progress { last_uid: 42, ..p };
            store.set_progress("INBOX", &p2).unwrap();
            assert_eq!(store.progress("INBOX").unwrap(), Some(p2));
            assert_eq!(store.progress("Other").unwrap(), None);
        }
    }

    #[test]
    fn a_deferred_message_can_be_claimed_again() {
        for (kind, mut store) in stores("a_deferred_message_can_be_claimed_again") {
            eprintln!("backend: {kind}");
            use super::super::{Claim, LedgerState, Outcome};
            let at: Timestamp = "2026-11-01T10:00:00Z".parse().unwrap();
            assert_eq!(store.claim("m@x", "imap", at).unwrap(), Claim::New);
            store
                .record(
                    "m@x",
                    &Outcome::new(
                        LedgerState::Deferred,
                        LedgerAction::Answer("refund_granted".into()),
                    ),
                )
                .unwrap();
            assert_eq!(
                store.in_state(LedgerState::Deferred).unwrap(),
                vec!["m@x".to_string()]
            );
            assert_eq!(store.claim("m@x", "imap", at).unwrap(), Claim::New);
            assert!(
                matches!(store.claim("m@x", "imap", at).unwrap(), Claim::Seen(p) if p.state == LedgerState::Claimed)
            );
        }
    }
}
