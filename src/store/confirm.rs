//! Confirmations asked of account owners (`unverified = "confirm"`): the random token sent to
//! the registered address, and what is needed to answer the original request once its owner
//! confirms it.

use std::io::Read;

use rusqlite::{OptionalExtension, params};

use super::{Cached, During, Error, Sqlite, parse_stamp, stamp};
use crate::classify::Intent;
use crate::confirm::Pending;

impl Sqlite {
    /// Keeps a confirmation asked for. Done before the question is sent: a question whose
    /// token the store does not know could never be answered.
    ///
    /// # Errors
    /// A failed write (a token used twice included).
    pub fn open_confirmation(&mut self, p: &Pending) -> Result<(), Error> {
        self.conn
            .cached_execute(
                "INSERT INTO confirmation (token, request_message_id, account_id, address, intent,
                    subject, request_received, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    p.token,
                    p.request_message_id,
                    p.account_id,
                    p.address,
                    p.intent.as_str(),
                    p.subject,
                    stamp(p.received),
                    stamp(p.created),
                ],
            )
            .during(|| {
                format!(
                    "keeping the confirmation asked for <{}>",
                    p.request_message_id
                )
            })?;
        Ok(())
    }

    /// Forgets the confirmation with `token` unless it was used: its question never went
    /// out, so nobody can hold the token.
    ///
    /// # Errors
    /// A failed write.
    pub fn forget_confirmation(&mut self, token: &str) -> Result<(), Error> {
        self.conn
            .cached_execute(
                "DELETE FROM confirmation WHERE token = ?1 AND used_by IS NULL",
                params![token],
            )
            .during(|| "forgetting a confirmation whose question was not sent".to_string())?;
        Ok(())
    }

    /// The confirmation issued with `token`, if any.
    ///
    /// # Errors
    /// A failed query or a corrupt row.
    pub fn confirmation(&self, token: &str) -> Result<Option<Pending>, Error> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
        );
        let row: Option<Row> = self
            .conn
            .cached_row(
                "SELECT request_message_id, account_id, address, intent, subject,
                        request_received, created_at, used_by
                 FROM confirmation WHERE token = ?1",
                [token],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .optional()
            .during(|| "reading a confirmation".to_string())?;
        let Some((request, account, address, intent, subject, received, created, used_by)) = row
        else {
            return Ok(None);
        };
        let corrupt = |problem: String| Error::Corrupt {
            table: "confirmation",
            key: request.clone(),
            problem,
        };
        let intent = [Intent::Refund, Intent::Cancellation, Intent::Both]
            .into_iter()
            .find(|i| i.as_str() == intent)
            .ok_or_else(|| corrupt(format!("intent {intent:?}")))?;
        let time = |text: &str| parse_stamp(text).ok_or_else(|| corrupt(format!("time {text:?}")));
        Ok(Some(Pending {
            token: token.to_string(),
            received: time(&received)?,
            created: time(&created)?,
            request_message_id: request.clone(),
            account_id: account,
            address,
            intent,
            subject,
            used_by,
        }))
    }

    /// Marks the confirmation used by message `by`; false when another message already used
    /// it (then nothing may be sent for `by`). The same message may use it again: a reply the
    /// relay deferred is tried again.
    ///
    /// # Errors
    /// A failed write.
    pub fn use_confirmation(&mut self, token: &str, by: &str) -> Result<bool, Error> {
        let changed = self
            .conn
            .cached_execute(
                "UPDATE confirmation SET used_by = ?2, used_at = ?3
                 WHERE token = ?1 AND (used_by IS NULL OR used_by = ?2)",
                params![token, by, stamp(self.clock.now())],
            )
            .during(|| format!("using the confirmation for <{by}>"))?;
        Ok(changed == 1)
    }
}

/// A fresh confirmation token: 128 bits from the operating system, as 32 hex digits.
///
/// # Errors
/// The system's random source cannot be read.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
