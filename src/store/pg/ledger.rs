//! The ledger in PostgreSQL: claims, records and the budget's counts, as `store::ledger` and
//! `store::sending` do them in SQLite, row for row.

use jiff::Timestamp;

use super::cells::{Cells, col, ledger_row};
use super::{Db, Pg};
use crate::accounts::normalize_address;
use crate::store::{
    BatchItem, Claim, Claimed, During, Error, LedgerRow, LedgerState, Outcome, Prior, Progress,
    SentCopy, identity, sending, stamp,
};

type Tx<'a, 'b> = Db<'a, postgres::Transaction<'b>>;

/// As `store::ledger::ledger_key`: the Message-ID, or a variant key when that id holds another
/// message; also whether the id was taken.
fn ledger_key(db: &mut Tx<'_, '_>, item: &BatchItem<'_>) -> Result<(String, bool), Error> {
    let id = item.message_id;
    let Some(digest) = item.digest else {
        return Ok((id.to_string(), false));
    };
    let mb = db.mailbox;
    let what = || format!("looking up the ledger identity of <{id}>");
    let held = db
        .opt(
            "SELECT digest FROM ledger WHERE mailbox = $1 AND message_id = $2 FOR UPDATE",
            &[&mb, &id],
        )
        .during(what)?;
    let held: Option<Option<String>> = match &held {
        Some(row) => Some(Cells::new(row, "ledger", id).at(0)?),
        None => None,
    };
    match held {
        None => Ok((id.to_string(), false)),
        Some(Some(d)) if d == digest => Ok((id.to_string(), false)),
        Some(None) => {
            db.exec(
                "UPDATE ledger SET digest = $3
                 WHERE mailbox = $1 AND message_id = $2 AND digest IS NULL",
                &[&mb, &id, &digest],
            )
            .during(what)?;
            Ok((id.to_string(), false))
        }
        Some(Some(_)) => Ok((identity::variant_key(id, digest), true)),
    }
}

/// As `store::ledger::claim_in`.
fn claim_in(
    db: &mut Tx<'_, '_>,
    key: &str,
    item: &BatchItem<'_>,
    now: Timestamp,
    me: Option<&str>,
    attempted: bool,
) -> Result<bool, Error> {
    let mb = db.mailbox;
    let what = || format!("claiming <{key}>");
    let attempted_at = attempted.then_some(now);
    let inserted = db
        .exec(
            "INSERT INTO ledger (mailbox, message_id, origin, received, state, claimed_at,
                updated_at, claimant, attempted_at, digest)
             VALUES ($1, $2, $3, $4, 'claimed', $5, $5, $6, $7, $8)
             ON CONFLICT (mailbox, message_id) DO NOTHING",
            &[
                &mb,
                &key,
                &item.origin,
                &item.received,
                &now,
                &me,
                &attempted_at,
                &item.digest,
            ],
        )
        .during(what)?;
    if inserted == 1 {
        return Ok(true);
    }
    let row = db
        .one(
            "SELECT state, attempted_at IS NULL, claimant FROM ledger
             WHERE mailbox = $1 AND message_id = $2 FOR UPDATE",
            &[&mb, &key],
        )
        .during(what)?;
    let cells = Cells::new(&row, "ledger", key);
    let (state, unattempted, theirs): (String, bool, Option<String>) =
        (cells.at(0)?, cells.at(1)?, cells.at(2)?);
    let ours = state == "deferred"
        || (state == "claimed" && unattempted && sending::may_take_over(me, theirs.as_deref()));
    if ours {
        db.exec(
            "UPDATE ledger SET state = 'claimed', updated_at = $3, claimant = $4,
                attempted_at = $5
             WHERE mailbox = $1 AND message_id = $2",
            &[&mb, &key, &now, &me, &attempted_at],
        )
        .during(what)?;
    }
    Ok(ours)
}

/// As `store::ledger::prior_in`.
pub(super) fn prior_in<C: postgres::GenericClient>(
    db: &mut Db<'_, C>,
    message_id: &str,
) -> Result<Option<Prior>, Error> {
    let mb = db.mailbox;
    let row = db
        .opt(
            "SELECT state, action, updated_at FROM ledger WHERE mailbox = $1 AND message_id = $2",
            &[&mb, &message_id],
        )
        .during(|| format!("reading the ledger row of <{message_id}>"))?;
    let Some(row) = row else { return Ok(None) };
    let cells = Cells::new(&row, "ledger", message_id);
    let updated: Timestamp = cells.at(2)?;
    Ok(Some(Prior {
        state: cells.state(0)?,
        action: cells.at(1)?,
        updated_at: stamp(updated),
    }))
}

fn seen_in(db: &mut Tx<'_, '_>, message_id: &str) -> Result<Claim, Error> {
    let prior = prior_in(db, message_id)?.ok_or_else(|| Error::Corrupt {
        table: "ledger",
        key: message_id.to_string(),
        problem: "the row vanished while it was being claimed".into(),
    })?;
    Ok(Claim::Seen(prior))
}

/// As `Sqlite::record_in`: the outcome, never over a sent record.
pub(super) fn record_in(
    db: &mut Tx<'_, '_>,
    message_id: &str,
    outcome: &Outcome,
    now: Timestamp,
) -> Result<(), Error> {
    let mb = db.mailbox;
    let reply_to = outcome.reply_to.as_deref().map(normalize_address);
    let changed = db
        .exec(
            "UPDATE ledger SET state = $3, action = $4, intent = $5, account_id = $6,
                decision_json = $7, reply_message_id = $8, reply_to = $9, reason = $10,
                updated_at = $11, sending = NULL,
                sent_at = CASE WHEN $3 = 'sent' OR $12 THEN coalesce(sent_at, $11) ELSE sent_at END
             WHERE mailbox = $1 AND message_id = $2 AND (state <> 'sent' OR $3 = 'sent')",
            &[
                &mb,
                &message_id,
                &outcome.state.as_str(),
                &outcome.action.to_string(),
                &outcome.intent,
                &outcome.account_id,
                &outcome.decision_json,
                &outcome.reply_message_id,
                &reply_to,
                &outcome.reason,
                &now,
                &outcome.acknowledged,
            ],
        )
        .during(|| format!("recording the outcome of <{message_id}>"))?;
    if changed == 0 {
        return Err(match prior_in(db, message_id)? {
            Some(prior) if prior.state == LedgerState::Sent => Error::AlreadySent {
                message_id: message_id.to_string(),
            },
            _ => Error::NotClaimed {
                message_id: message_id.to_string(),
            },
        });
    }
    Ok(())
}

impl Pg {
    pub fn claim(
        &mut self,
        message_id: &str,
        origin: &str,
        received: Timestamp,
    ) -> Result<Claim, Error> {
        let me = self.claimant.clone();
        self.write(
            || format!("claiming <{message_id}>"),
            true,
            |db| {
                let item = BatchItem {
                    message_id,
                    digest: None,
                    origin,
                    received,
                };
                if claim_in(db, message_id, &item, self.clock.now(), me.as_deref(), true)? {
                    Ok(Claim::New)
                } else {
                    seen_in(db, message_id)
                }
            },
        )
    }

    pub fn claim_batch(&mut self, items: &[BatchItem<'_>]) -> Result<Vec<Claimed>, Error> {
        let me = self.claimant.clone();
        self.write(
            || format!("claiming a batch of {} messages", items.len()),
            true,
            |db| {
                let now = self.clock.now();
                let mut claims = Vec::with_capacity(items.len());
                let mut seen_here: Vec<String> = Vec::new();
                for item in items {
                    let (key, id_taken) = ledger_key(db, item)?;
                    let fresh = !seen_here.contains(&key)
                        && claim_in(db, &key, item, now, me.as_deref(), false)?;
                    let claim = if fresh {
                        Claim::New
                    } else {
                        seen_in(db, &key)?
                    };
                    seen_here.push(key.clone());
                    claims.push(Claimed {
                        key,
                        id_taken,
                        claim,
                    });
                }
                Ok(claims)
            },
        )
    }

    pub fn claimed_at(&self, message_id: &str) -> Result<Option<Timestamp>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let row = db
                .opt(
                    "SELECT claimed_at FROM ledger WHERE mailbox = $1 AND message_id = $2",
                    &[&mb, &message_id],
                )
                .during(|| format!("reading when <{message_id}> was claimed"))?;
            row.map(|row| Cells::new(&row, "ledger", message_id).at(0))
                .transpose()
        })
    }

    pub fn prior(&self, message_id: &str) -> Result<Option<Prior>, Error> {
        self.read(|db| prior_in(db, message_id))
    }

    pub fn record_with_copy(
        &mut self,
        message_id: &str,
        outcome: &Outcome,
        copy: Option<&SentCopy>,
    ) -> Result<(), Error> {
        self.write(
            || format!("recording the outcome of <{message_id}>"),
            false,
            |db| {
                record_in(db, message_id, outcome, self.clock.now())?;
                if let Some(copy) = copy {
                    let mb = db.mailbox;
                    db.exec(
                        "INSERT INTO sent_copy (mailbox, message_id, folder, bytes, queued_at)
                         VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (mailbox, message_id)
                         DO UPDATE SET folder = $3, bytes = $4",
                        &[
                            &mb,
                            &message_id,
                            &copy.folder,
                            &copy.bytes,
                            &self.clock.now(),
                        ],
                    )
                    .during(|| format!("queueing the copy of the answer to <{message_id}>"))?;
                }
                Ok(())
            },
        )
    }

    pub fn ledger(&self) -> Result<Vec<LedgerRow>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let rows = db
                .all(
                    "SELECT message_id, origin, received, state, action, intent, account_id,
                        reason, reply_message_id, reply_to, updated_at
                     FROM ledger WHERE mailbox = $1 ORDER BY received, seq",
                    &[&mb],
                )
                .during(|| "listing the ledger".to_string())?;
            rows.iter().map(ledger_row).collect()
        })
    }

    pub fn replies_sent_since(&self, to: &str, since: Timestamp) -> Result<usize, Error> {
        let to = normalize_address(to);
        self.count(
            "SELECT count(*) FROM ledger WHERE mailbox = $1 AND sent_at IS NOT NULL
               AND reply_to = $2 AND sent_at >= $3",
            &[&to, &since],
            || format!("counting replies to {to:?}"),
        )
    }

    pub fn mails_sent_since(&self, since: Timestamp) -> Result<usize, Error> {
        self.count(
            "SELECT count(*) FROM ledger WHERE mailbox = $1 AND sent_at IS NOT NULL
               AND sent_at >= $2",
            &[&since],
            || "counting the replies of the last hour".to_string(),
        )
    }

    /// A `count(*)` whose `$1` is the mailbox and the rest `params`.
    pub(super) fn count(
        &self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: impl Fn() -> String + Sync,
    ) -> Result<usize, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let mut all: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&mb];
            all.extend_from_slice(params);
            let n: i64 = col(&db.one(sql, &all).during(&what)?, 0, "count")?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    pub fn in_state(&self, state: LedgerState) -> Result<Vec<String>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let rows = db
                .all(
                    "SELECT message_id FROM ledger WHERE mailbox = $1 AND state = $2
                     ORDER BY received, seq",
                    &[&mb, &state.as_str()],
                )
                .during(|| "listing ledger rows by state".into())?;
            rows.iter().map(|r| col(r, 0, "ledger")).collect()
        })
    }

    pub fn progress(&self, folder: &str) -> Result<Option<Progress>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let row = db
                .opt(
                    "SELECT uid_validity, last_uid, first_start FROM progress
                     WHERE mailbox = $1 AND folder = $2",
                    &[&mb, &folder],
                )
                .during(|| format!("reading the progress of folder {folder:?}"))?;
            let Some(row) = row else { return Ok(None) };
            let c = Cells::new(&row, "progress", folder);
            let (validity, last): (i64, i64) = (c.at(0)?, c.at(1)?);
            let corrupt = |problem: String| Error::Corrupt {
                table: "progress",
                key: folder.to_string(),
                problem,
            };
            Ok(Some(Progress {
                uid_validity: u32::try_from(validity)
                    .map_err(|_| corrupt(format!("uid_validity {validity}")))?,
                last_uid: u32::try_from(last).map_err(|_| corrupt(format!("last_uid {last}")))?,
                first_start: c.at(2)?,
            }))
        })
    }

    pub fn set_progress(&mut self, folder: &str, p: &Progress) -> Result<(), Error> {
        self.write(
            || format!("recording the progress of folder {folder:?}"),
            false,
            |db| {
                let mb = db.mailbox;
                db.exec(
                    "INSERT INTO progress (mailbox, folder, uid_validity, last_uid, first_start,
                        updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (mailbox, folder) DO UPDATE SET uid_validity = $3,
                        last_uid = $4, first_start = $5, updated_at = $6",
                    &[
                        &mb,
                        &folder,
                        &i64::from(p.uid_validity),
                        &i64::from(p.last_uid),
                        &p.first_start,
                        &self.clock.now(),
                    ],
                )
                .during(|| format!("recording the progress of folder {folder:?}"))?;
                Ok(())
            },
        )
    }

    #[cfg(test)]
    pub(crate) fn attempted(&self, message_id: &str) -> Result<Option<bool>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let row = db
                .opt(
                    "SELECT attempted_at IS NOT NULL FROM ledger
                     WHERE mailbox = $1 AND message_id = $2",
                    &[&mb, &message_id],
                )
                .during(|| format!("reading whether <{message_id}> was attempted"))?;
            row.map(|r| col(&r, 0, "ledger")).transpose()
        })
    }
}
