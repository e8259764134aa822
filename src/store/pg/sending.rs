//! Attempt marks, the reply being sent, the queue of copies for Sent, and the lookups of our
//! own replies, in PostgreSQL (as `store::sending`).

use super::Pg;
use super::cells::col;
use crate::store::{During, Error, PendingCopy, SentCopy};

impl Pg {
    pub fn mark_attempt(&mut self, message_id: &str) -> Result<(), Error> {
        let what = || format!("marking <{message_id}> as attempted");
        let changed = self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "UPDATE ledger SET attempted_at = coalesce(attempted_at, $3)
                 WHERE mailbox = $1 AND message_id = $2 AND state = 'claimed'",
                &[&mb, &message_id, &self.clock.now()],
            )
            .during(what)
        })?;
        if changed == 0 {
            return Err(Error::NotClaimed {
                message_id: message_id.to_string(),
            });
        }
        Ok(())
    }

    pub fn mark_sending(&mut self, message_id: &str, reply: &[u8]) -> Result<(), Error> {
        let what = || format!("keeping the reply to <{message_id}> before sending it");
        let changed = self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "UPDATE ledger SET attempted_at = coalesce(attempted_at, $3), sending = $4
                 WHERE mailbox = $1 AND message_id = $2 AND state = 'claimed'",
                &[&mb, &message_id, &self.clock.now(), &reply],
            )
            .during(what)
        })?;
        if changed == 0 {
            return Err(Error::NotClaimed {
                message_id: message_id.to_string(),
            });
        }
        Ok(())
    }

    pub fn sending(&self, message_id: &str) -> Result<Option<Vec<u8>>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let row = db
                .opt(
                    "SELECT sending FROM ledger WHERE mailbox = $1 AND message_id = $2",
                    &[&mb, &message_id],
                )
                .during(|| format!("reading the reply kept for <{message_id}>"))?;
            Ok(row
                .map(|r| col::<Option<Vec<u8>>>(&r, 0, "ledger"))
                .transpose()?
                .flatten())
        })
    }

    pub fn pending_copies(&self, limit: usize) -> Result<Vec<PendingCopy>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let rows = db
                .all(
                    "SELECT s.message_id, s.folder, s.bytes, l.reply_message_id
                     FROM sent_copy s LEFT JOIN ledger l
                       ON l.mailbox = s.mailbox AND l.message_id = s.message_id
                     WHERE s.mailbox = $1 ORDER BY s.queued_at, s.seq LIMIT $2",
                    &[&mb, &i64::try_from(limit).unwrap_or(i64::MAX)],
                )
                .during(|| "listing the copies waiting for Sent".to_string())?;
            rows.iter()
                .map(|row| {
                    Ok(PendingCopy {
                        message_id: col(row, 0, "sent_copy")?,
                        reply_message_id: col(row, 3, "ledger")?,
                        copy: SentCopy {
                            folder: col(row, 1, "sent_copy")?,
                            bytes: col(row, 2, "sent_copy")?,
                        },
                    })
                })
                .collect()
        })
    }

    pub fn drop_copies(&mut self, message_ids: &[&str]) -> Result<(), Error> {
        self.write(
            || "forgetting saved copies".to_string(),
            false,
            |db| {
                let mb = db.mailbox;
                for id in message_ids {
                    db.exec(
                        "DELETE FROM sent_copy WHERE mailbox = $1 AND message_id = $2",
                        &[&mb, id],
                    )
                    .during(|| format!("forgetting the copy for <{id}>"))?;
                }
                Ok(())
            },
        )
    }

    pub fn answer_bounced(
        &mut self,
        reply_message_id: &str,
        why: &str,
    ) -> Result<Option<String>, Error> {
        let what = || format!("noting that the reply <{reply_message_id}> bounced");
        self.write(what, false, |db| {
            let mb = db.mailbox;
            let key: Option<String> = db
                .opt(
                    "SELECT message_id FROM ledger
                     WHERE mailbox = $1 AND reply_message_id = $2 AND state = 'sent'
                     ORDER BY seq LIMIT 1",
                    &[&mb, &reply_message_id],
                )
                .during(what)?
                .map(|r| col(&r, 0, "ledger"))
                .transpose()?;
            if let Some(key) = &key {
                db.exec(
                    "UPDATE ledger SET state = 'review', action = 'to_human:answer_bounced',
                        reason = $3, updated_at = $4 WHERE mailbox = $1 AND message_id = $2",
                    &[&mb, key, &why, &self.clock.now()],
                )
                .during(what)?;
            }
            Ok(key)
        })
    }

    pub fn answered_by(&self, replies: &[String]) -> Result<Vec<String>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let mut requests = Vec::new();
            for reply in replies {
                let key: Option<String> = db
                    .opt(
                        "SELECT message_id FROM ledger
                         WHERE mailbox = $1 AND reply_message_id = $2 AND state = 'sent'
                         ORDER BY seq LIMIT 1",
                        &[&mb, reply],
                    )
                    .during(|| format!("looking up the request answered by <{reply}>"))?
                    .map(|r| col(&r, 0, "ledger"))
                    .transpose()?;
                requests.extend(key);
            }
            Ok(requests)
        })
    }

    pub fn answered_in_thread(&self, ids: &[String], to: &str) -> Result<Option<String>, Error> {
        let to = crate::accounts::normalize_address(to);
        self.read(|db| {
            let mb = db.mailbox;
            for id in ids {
                let found = db
                    .opt(
                        // Only automatic answers (state 'sent'), as in SQLite.
                        "SELECT message_id, decision_json FROM ledger
                         WHERE mailbox = $1 AND reply_message_id = $2 AND reply_to = $3
                           AND sent_at IS NOT NULL AND state = 'sent'
                         ORDER BY seq LIMIT 1",
                        &[&mb, id, &to],
                    )
                    .during(|| format!("looking for our answer <{id}>"))?;
                if let Some(row) = found {
                    let decision: Option<String> = col(&row, 1, "ledger")?;
                    if !decision.unwrap_or_default().contains("pending_contact") {
                        return Ok(Some(col(&row, 0, "ledger")?));
                    }
                }
            }
            Ok(None)
        })
    }
}
