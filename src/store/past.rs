//! The account's earlier answers, read from the ledger for the history rule
//! (`policy::past`): the first confirmed cancellation and the latest granted refund.

use rusqlite::params;

use super::{During, Error, Sqlite, parse_stamp};
use crate::classify::Intent;
use crate::policy::Earlier;

impl Sqlite {
    /// The earliest answer that confirmed a cancellation and the latest that granted a
    /// refund, among answers sent or saved as drafts for this account. A decision's own
    /// `received_at` is used (a confirmed request is decided as of its first receipt).
    ///
    /// # Errors
    /// A failed query.
    pub(super) fn earlier_answers(
        &self,
        account_id: &str,
    ) -> Result<(Option<Earlier>, Option<Earlier>), Error> {
        let what = || format!("reading the earlier answers to account {account_id:?}");
        let rows: Vec<(String, Option<String>, String)> = self
            .conn
            .prepare_cached(
                "SELECT received, intent, decision_json FROM ledger
                 WHERE account_id = ?1 AND state IN ('sent', 'drafted')
                   AND decision_json IS NOT NULL",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![account_id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect()
            })
            .during(what)?;
        Ok(earlier_of(rows.into_iter().map(
            |(received, intent, json)| (parse_stamp(&received), intent, json),
        )))
    }
}

/// The first confirmed cancellation and the latest granted refund among answered ledger rows
/// (received, intent, decision JSON), whichever backend read them.
pub(super) fn earlier_of(
    rows: impl IntoIterator<Item = (Option<jiff::Timestamp>, Option<String>, String)>,
) -> (Option<Earlier>, Option<Earlier>) {
    let mut cancelled: Option<Earlier> = None;
    let mut refunded: Option<Earlier> = None;
    for (received, intent, json) in rows {
        // A row this version cannot read is no answer to hold against: skipped.
        let Ok(decision) = serde_json::from_str::<serde_json::Value>(&json) else {
            continue;
        };
        let received = decision["received_at"]
            .as_str()
            .and_then(|z| z.parse::<jiff::Zoned>().ok())
            .map(|z| z.timestamp())
            .or(received);
        let intent =
            intent.and_then(|i| serde_json::from_value::<Intent>(serde_json::Value::from(i)).ok());
        let (Some(received), Some(intent)) = (received, intent) else {
            continue;
        };
        let effective = decision["cancellation_effective"]
            .as_str()
            .and_then(|d| d.parse().ok());
        let earlier = Earlier {
            received,
            intent,
            effective,
        };
        if decision["cancellation"] == "confirmed"
            && cancelled.is_none_or(|c| received < c.received)
        {
            cancelled = Some(earlier);
        }
        if decision["refund"] == "granted" && refunded.is_none_or(|r| received > r.received) {
            refunded = Some(earlier);
        }
    }
    (cancelled, refunded)
}
