//! Confirmations, the billing hand-off and audit trail, second looks, and the report's reads in
//! PostgreSQL (as `store::confirm`, `store::billing`, `store::reexamine`, `store::report`).

use jiff::{SignedDuration, Timestamp};
use postgres::Row;

use super::Pg;
use super::cells::{Cells, col};
use crate::budget::BREAKER_WINDOW_SECS;
use crate::classify::Intent;
use crate::confirm::Pending;
use crate::store::billing::resumable;
use crate::store::reexamine::refusal;
use crate::store::{
    BillingRow, BillingState, During, Earlier, Error, Gauges, NewBilling, Reexamination, Reopen,
    ReportRow, Trail, Trigger, stamp,
};

const BILLING_SELECT: &str = "SELECT message_id, idempotency_key, target, decision_sha256, body,
    state, attempts, first_try_at, last_try_at, settled_at, answer, reply_attempted_at
    FROM billing WHERE mailbox = $1 AND message_id = $2";

fn billing_row(row: &Row, key: &str) -> Result<BillingRow, Error> {
    let c = Cells::new(row, "billing", key);
    let state: String = c.at(5)?;
    let attempts: i64 = c.at(6)?;
    Ok(BillingRow {
        message_id: c.at(0)?,
        key: c.at(1)?,
        target: c.at(2)?,
        decision_sha256: c.at(3)?,
        body: c.at(4)?,
        state: BillingState::parse(&state).ok_or_else(|| Error::Corrupt {
            table: "billing",
            key: key.to_string(),
            problem: format!("unknown state {state:?}"),
        })?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        first_try_at: c.at(7)?,
        last_try_at: c.at(8)?,
        settled_at: c.at(9)?,
        answer: c.at(10)?,
        reply_attempted_at: c.at(11)?,
    })
}

impl Pg {
    pub fn open_confirmation(&mut self, p: &Pending) -> Result<(), Error> {
        let what = || {
            format!(
                "keeping the confirmation asked for <{}>",
                p.request_message_id
            )
        };
        self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "INSERT INTO confirmation (mailbox, token, request_message_id, account_id,
                    address, intent, subject, request_received, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &mb,
                    &p.token,
                    &p.request_message_id,
                    &p.account_id,
                    &p.address,
                    &p.intent.as_str(),
                    &p.subject,
                    &p.received,
                    &p.created,
                ],
            )
            .during(what)?;
            Ok(())
        })
    }

    pub fn forget_confirmation(&mut self, token: &str) -> Result<(), Error> {
        let what = || "forgetting a confirmation whose question was not sent".to_string();
        self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "DELETE FROM confirmation WHERE mailbox = $1 AND token = $2 AND used_by IS NULL",
                &[&mb, &token],
            )
            .during(what)?;
            Ok(())
        })
    }

    pub fn confirmation(&self, token: &str) -> Result<Option<Pending>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            let Some(row) = db
                .opt(
                    "SELECT request_message_id, account_id, address, intent, subject,
                            request_received, created_at, used_by
                     FROM confirmation WHERE mailbox = $1 AND token = $2",
                    &[&mb, &token],
                )
                .during(|| "reading a confirmation".to_string())?
            else {
                return Ok(None);
            };
            let request: String = row.try_get(0).unwrap_or_default();
            let c = Cells::new(&row, "confirmation", &request);
            let intent: String = c.at(3)?;
            let intent = [Intent::Refund, Intent::Cancellation, Intent::Both]
                .into_iter()
                .find(|i| i.as_str() == intent)
                .ok_or_else(|| Error::Corrupt {
                    table: "confirmation",
                    key: request.clone(),
                    problem: format!("intent {intent:?}"),
                })?;
            Ok(Some(Pending {
                token: token.to_string(),
                received: c.at(5)?,
                created: c.at(6)?,
                request_message_id: request.clone(),
                account_id: c.at(1)?,
                address: c.at(2)?,
                intent,
                subject: c.at(4)?,
                used_by: c.at(7)?,
            }))
        })
    }

    pub fn use_confirmation(&mut self, token: &str, by: &str) -> Result<bool, Error> {
        let what = || format!("using the confirmation for <{by}>");
        let changed = self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "UPDATE confirmation SET used_by = $3, used_at = $4
                 WHERE mailbox = $1 AND token = $2 AND (used_by IS NULL OR used_by = $3)",
                &[&mb, &token, &by, &self.clock.now()],
            )
            .during(what)
        })?;
        Ok(changed == 1)
    }

    pub fn billing_begin(&mut self, new: &NewBilling<'_>) -> Result<BillingRow, Error> {
        let id = new.message_id;
        let what = || format!("writing the billing hand-off of <{id}>");
        self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "INSERT INTO billing (mailbox, message_id, idempotency_key, target,
                    decision_sha256, body, state, first_try_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)
                 ON CONFLICT (mailbox, message_id) DO NOTHING",
                &[
                    &mb,
                    &id,
                    &new.key,
                    &new.target,
                    &new.decision_sha256,
                    &new.body,
                    &self.clock.now(),
                ],
            )
            .during(what)?;
            let row = db.one(BILLING_SELECT, &[&mb, &id]).during(what)?;
            billing_row(&row, id)
        })
    }

    pub fn billing(&self, message_id: &str) -> Result<Option<BillingRow>, Error> {
        self.read(|db| {
            let mb = db.mailbox;
            db.opt(BILLING_SELECT, &[&mb, &message_id])
                .during(|| format!("reading the billing hand-off of <{message_id}>"))?
                .map(|row| billing_row(&row, message_id))
                .transpose()
        })
    }

    pub fn billing_tried(
        &mut self,
        message_id: &str,
        tries: u32,
        answer: &str,
    ) -> Result<(), Error> {
        let what = || format!("counting billing tries of <{message_id}>");
        self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "UPDATE billing SET attempts = attempts + $3, last_try_at = $4, answer = $5
                 WHERE mailbox = $1 AND message_id = $2 AND state = 'pending'",
                &[
                    &mb,
                    &message_id,
                    &i64::from(tries),
                    &self.clock.now(),
                    &answer,
                ],
            )
            .during(what)?;
            Ok(())
        })
    }

    pub fn billing_settle(
        &mut self,
        message_id: &str,
        state: BillingState,
        tries: u32,
        answer: &str,
    ) -> Result<(), Error> {
        let what = || format!("recording the billing answer for <{message_id}>");
        self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "UPDATE billing SET state = $3, attempts = attempts + $4, last_try_at = $5,
                    settled_at = $5, answer = $6
                 WHERE mailbox = $1 AND message_id = $2 AND state = 'pending'",
                &[
                    &mb,
                    &message_id,
                    &state.as_str(),
                    &i64::from(tries),
                    &self.clock.now(),
                    &answer,
                ],
            )
            .during(what)?;
            Ok(())
        })
    }

    pub fn billing_reply_attempt(&mut self, message_id: &str) -> Result<(), Error> {
        let what = || format!("marking the reply to <{message_id}> as attempted");
        self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "UPDATE billing SET reply_attempted_at = coalesce(reply_attempted_at, $3)
                 WHERE mailbox = $1 AND message_id = $2",
                &[&mb, &message_id, &self.clock.now()],
            )
            .during(what)?;
            Ok(())
        })
    }

    pub fn billing_resumable(&self, message_id: &str) -> Result<bool, Error> {
        let row = self.read(|db| {
            let mb = db.mailbox;
            db.opt(
                "SELECT l.state, l.claimant, b.reply_attempted_at IS NULL
                 FROM ledger l JOIN billing b
                   ON b.mailbox = l.mailbox AND b.message_id = l.message_id
                 WHERE l.mailbox = $1 AND l.message_id = $2",
                &[&mb, &message_id],
            )
            .during(|| format!("reading whether <{message_id}> may resume"))
        })?;
        let Some(r) = row else { return Ok(false) };
        let (state, theirs, unattempted): (String, Option<String>, bool) = (
            col(&r, 0, "ledger")?,
            col(&r, 1, "ledger")?,
            col(&r, 2, "billing")?,
        );
        Ok(resumable(
            self.claimant.as_deref(),
            &state,
            theirs.as_deref(),
            unattempted,
            false,
        ))
    }

    pub fn record_audit(
        &mut self,
        message_id: &str,
        mailbox: &str,
        received: Timestamp,
        trace: &str,
    ) -> Result<(), Error> {
        let what = || format!("recording the audit trace of <{message_id}>");
        self.write(what, false, |db| {
            let mb = db.mailbox;
            db.exec(
                "INSERT INTO audit (mailbox, message_id, decided_for, received, decided_at, trace)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (mailbox, message_id) DO UPDATE SET decided_at = $5, trace = $6",
                &[
                    &mb,
                    &message_id,
                    &mailbox,
                    &received,
                    &self.clock.now(),
                    &trace,
                ],
            )
            .during(what)?;
            Ok(())
        })
    }

    pub fn trails(
        &self,
        since: Option<Timestamp>,
        message_id: Option<&str>,
    ) -> Result<Vec<Trail>, Error> {
        let what = || "reading the ledger with its audit trail".to_string();
        let rows = self.read(|db| {
            let mb = db.mailbox;
            db.all(
                "SELECT l.message_id, l.origin, l.received, l.state, l.action, l.intent,
                        l.account_id, l.reason, l.reply_message_id, l.reply_to, l.updated_at,
                        l.decision_json, l.claimed_at, l.attempted_at, l.sent_at, a.trace
                 FROM ledger l LEFT JOIN audit a
                   ON a.mailbox = l.mailbox AND a.message_id = l.message_id
                 WHERE l.mailbox = $1 AND ($2::timestamptz IS NULL OR l.received >= $2)
                   AND ($3::text IS NULL OR l.message_id = $3)
                 ORDER BY l.received, l.seq",
                &[&mb, &since, &message_id],
            )
            .during(what)
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let c = Cells::keyed(row, "ledger");
            let time = |i: usize| -> Result<Option<String>, Error> {
                Ok(c.at::<Option<Timestamp>>(i)?.map(stamp))
            };
            out.push(Trail {
                row: super::cells::ledger_row(row)?,
                decision_json: c.at(11)?,
                claimed_at: time(12)?.unwrap_or_default(),
                attempted_at: time(13)?,
                sent_at: time(14)?,
                trace: c.at(15)?,
                billing: self.billing(c.key())?,
            });
        }
        Ok(out)
    }

    pub fn reopen(
        &mut self,
        message_id: &str,
        origin: &str,
        trigger: Trigger,
    ) -> Result<Reopen, Error> {
        let what = || format!("reopening <{message_id}> for a second examination");
        let me = self.claimant.clone();
        self.write(what, true, |db| {
            let mb = db.mailbox;
            let Some(row) = db
                .opt(
                    "SELECT state, action, reason, reply_message_id, sending IS NOT NULL, origin
                     FROM ledger WHERE mailbox = $1 AND message_id = $2 FOR UPDATE",
                    &[&mb, &message_id],
                )
                .during(what)?
            else {
                return Err(Error::NotClaimed {
                    message_id: message_id.to_string(),
                });
            };
            let c = Cells::new(&row, "ledger", message_id);
            let state = c.state(0)?;
            let (action, reason, reply_id): (Option<String>, Option<String>, Option<String>) =
                (c.at(1)?, c.at(2)?, c.at(3)?);
            let (sending, was_at): (bool, String) = (c.at(4)?, c.at(5)?);
            let refused = refusal(
                state,
                action.as_deref(),
                reply_id.is_some(),
                sending,
                was_at == origin,
                trigger,
            );
            if let Some(why) = refused {
                return Ok(Reopen::Refused(why));
            }
            let now = self.clock.now();
            db.exec(
                "UPDATE ledger SET state = 'claimed', origin = $3, updated_at = $4,
                    claimant = $5, attempted_at = $4
                 WHERE mailbox = $1 AND message_id = $2 AND state = 'review'",
                &[&mb, &message_id, &origin, &now, &me],
            )
            .during(what)?;
            db.exec(
                "INSERT INTO reexamination (mailbox, message_id, trigger, origin, earlier_state,
                    earlier_action, earlier_reason, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &mb,
                    &message_id,
                    &trigger.as_str(),
                    &origin,
                    &state.as_str(),
                    &action,
                    &reason,
                    &now,
                ],
            )
            .during(what)?;
            Ok(Reopen::Reopened(Earlier {
                state,
                action,
                reason,
            }))
        })
    }

    pub fn reexaminations(&self, message_id: &str) -> Result<Vec<Reexamination>, Error> {
        let what = || format!("reading the re-examinations of <{message_id}>");
        let rows = self.read(|db| {
            let mb = db.mailbox;
            db.all(
                "SELECT trigger, origin, earlier_state, earlier_action, earlier_reason, at
                 FROM reexamination WHERE mailbox = $1 AND message_id = $2 ORDER BY id",
                &[&mb, &message_id],
            )
            .during(what)
        })?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "reexamination", message_id);
                let trigger: String = c.at(0)?;
                Ok(Reexamination {
                    message_id: message_id.to_string(),
                    trigger: Trigger::parse(&trigger)
                        .ok_or_else(|| c.corrupt(format!("trigger {trigger:?}")))?,
                    origin: c.at(1)?,
                    earlier: Earlier {
                        state: c.state(2)?,
                        action: c.at(3)?,
                        reason: c.at(4)?,
                    },
                    at: c.at(5)?,
                })
            })
            .collect()
    }

    pub fn report_rows(&self, since: Timestamp) -> Result<Vec<ReportRow>, Error> {
        let rows = self.read(|db| {
            let mb = db.mailbox;
            db.all(
                "SELECT message_id, received, updated_at, sent_at, state, action, intent,
                        decision_json
                 FROM ledger WHERE mailbox = $1 AND updated_at >= $2 ORDER BY updated_at, seq",
                &[&mb, &since],
            )
            .during(|| "reading the ledger for the report".to_string())
        })?;
        rows.iter()
            .map(|row| {
                let c = Cells::keyed(row, "ledger");
                Ok(ReportRow {
                    received: c.at(1)?,
                    handled: c.at(2)?,
                    sent_at: c.at(3)?,
                    state: c.state(4)?,
                    action: c.at(5)?,
                    intent: c.at(6)?,
                    decision_json: c.at(7)?,
                })
            })
            .collect()
    }

    pub fn gauges(&self, now: Timestamp) -> Result<Gauges, Error> {
        let what = || "counting for the metrics".to_string();
        let hour_ago = now - SignedDuration::from_secs(BREAKER_WINDOW_SECS);
        Ok(Gauges {
            deferred: self.count(
                "SELECT count(*) FROM ledger WHERE mailbox = $1 AND state = 'deferred'",
                &[],
                what,
            )?,
            pending_confirmations: self.count(
                "SELECT count(*) FROM confirmation WHERE mailbox = $1 AND used_by IS NULL",
                &[],
                what,
            )?,
            mails_last_hour: self.count(
                "SELECT count(*) FROM ledger WHERE mailbox = $1 AND sent_at IS NOT NULL
                   AND sent_at >= $2",
                &[&hour_ago],
                what,
            )?,
        })
    }
}
