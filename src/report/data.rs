//! The week in numbers: ledger rows counted per day, per reason, per amount. Pure: rows in,
//! a [`Summary`] out.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::plan::LedgerAction;
use crate::store::{LedgerState, ReportRow};

/// The outcome groups of the daily chart, in drawing order.
pub const OUTCOMES: [Outcome; 5] = [
    Outcome::Answered,
    Outcome::Draft,
    Outcome::People,
    Outcome::Skipped,
    Outcome::Waiting,
];

/// What became of a message, as the daily chart groups ledger states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Sent automatically.
    Answered,
    /// Saved as a draft for a person to send (draft mode, or over the refund limit).
    Draft,
    /// Handed to people (review, or a reply the relay refused).
    People,
    Skipped,
    /// Deferred by the relay, or claimed and not yet recorded.
    Waiting,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Draft => "draft for people",
            Outcome::People => "to people",
            Outcome::Skipped => "skipped",
            Outcome::Waiting => "waiting",
        }
    }

    fn of(state: LedgerState) -> Outcome {
        match state {
            LedgerState::Sent => Outcome::Answered,
            LedgerState::Drafted => Outcome::Draft,
            LedgerState::Review | LedgerState::Failed => Outcome::People,
            LedgerState::Skipped => Outcome::Skipped,
            LedgerState::Deferred | LedgerState::Claimed => Outcome::Waiting,
        }
    }
}

/// Refund amount buckets (in the currency's major unit); the last is open.
pub const AMOUNT_EDGES: [f64; 6] = [0.0, 10.0, 25.0, 50.0, 100.0, 250.0];

/// Latency percentiles of one day, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub since: Timestamp,
    pub until: Timestamp,
    /// Every day of the period (UTC), oldest first.
    pub days: Vec<Date>,
    /// Per day, the count of each of [`OUTCOMES`].
    pub per_day: Vec<[usize; 5]>,
    /// Hand-offs to people by reason code, most first.
    pub handoffs: Vec<(String, usize)>,
    /// Receipt-to-answer percentiles per day with answers.
    pub latency: Vec<(Date, Percentiles)>,
    /// The whole period's percentiles, when anything was answered.
    pub latency_all: Option<Percentiles>,
    /// Granted refunds per amount bucket ([`AMOUNT_EDGES`]), per currency.
    pub refunds: BTreeMap<String, [usize; 6]>,
    /// Granted refunds' totals per currency, in minor-unit-free decimal text.
    pub refund_totals: BTreeMap<String, f64>,
    pub total: usize,
}

/// Counts `rows` handled in `[since, until]`.
pub fn summarize(rows: &[ReportRow], since: Timestamp, until: Timestamp) -> Summary {
    let day = |t: Timestamp| t.to_zoned(TimeZone::UTC).date();
    let mut days = Vec::new();
    let mut d = day(since);
    while d <= day(until) {
        days.push(d);
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    let mut per_day = vec![[0usize; 5]; days.len()];
    let mut handoffs: BTreeMap<String, usize> = BTreeMap::new();
    let mut latencies: BTreeMap<Date, Vec<f64>> = BTreeMap::new();
    let mut refunds: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    let mut refund_totals: BTreeMap<String, f64> = BTreeMap::new();
    let mut total = 0;
    for row in rows
        .iter()
        .filter(|r| r.handled >= since && r.handled <= until)
    {
        total += 1;
        let outcome = Outcome::of(row.state);
        if let Ok(i) = days.binary_search(&day(row.handled)) {
            per_day[i][OUTCOMES.iter().position(|o| *o == outcome).unwrap_or(0)] += 1;
        }
        if outcome == Outcome::People {
            *handoffs.entry(handoff_reason(row)).or_default() += 1;
        }
        if row.state == LedgerState::Sent
            && let Some(sent) = row.sent_at
        {
            let secs = sent.duration_since(row.received).max(SignedDuration::ZERO);
            latencies
                .entry(day(sent))
                .or_default()
                .push(secs.as_secs_f64());
        }
        if let Some((amount, currency)) = granted_refund(row) {
            let bucket = AMOUNT_EDGES.iter().rposition(|e| amount >= *e).unwrap_or(0);
            refunds.entry(currency.clone()).or_default()[bucket] += 1;
            *refund_totals.entry(currency).or_default() += amount;
        }
    }
    let mut handoffs: Vec<(String, usize)> = handoffs.into_iter().collect();
    handoffs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let all: Vec<f64> = latencies.values().flatten().copied().collect();
    Summary {
        since,
        until,
        days,
        per_day,
        handoffs,
        latency_all: percentiles(all),
        latency: latencies
            .into_iter()
            .filter_map(|(d, v)| percentiles(v).map(|p| (d, p)))
            .collect(),
        refunds,
        refund_totals,
        total,
    }
}

/// The reason code of a hand-off: the ledger action's code after `to_human:`, or what the
/// state says for a reply that could not be sent.
fn handoff_reason(row: &ReportRow) -> String {
    let action = row.action.as_deref().map(str::parse::<LedgerAction>);
    match (row.state, row.action.as_deref()) {
        _ if let Some(Ok(LedgerAction::ToHuman(code))) = action => code.to_string(),
        (LedgerState::Failed, _) => "not_sent".into(),
        (_, Some(a)) if !a.is_empty() => a.to_string(),
        _ => "unknown".into(),
    }
}

/// A granted refund's amount and currency, from the recorded decision.
fn granted_refund(row: &ReportRow) -> Option<(f64, String)> {
    if !matches!(row.state, LedgerState::Sent | LedgerState::Drafted) {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(row.decision_json.as_deref()?).ok()?;
    if json.get("refund")?.as_str()? != "granted" {
        return None;
    }
    let amount: f64 = json.get("refund_amount")?.as_str()?.parse().ok()?;
    let currency = json.get("refund_currency")?.as_str()?.to_string();
    Some((amount, currency))
}

/// Nearest-rank percentiles.
fn percentiles(mut values: Vec<f64>) -> Option<Percentiles> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let i = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
        values[i - 1]
    };
    Some(Percentiles {
        p50: rank(0.50),
        p90: rank(0.90),
        p99: rank(0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(handled: &str, state: LedgerState, action: &str, latency_s: i64) -> ReportRow {
        let handled: Timestamp = handled.parse().unwrap();
        ReportRow {
            received: handled - SignedDuration::from_secs(latency_s),
            handled,
            sent_at: (state == LedgerState::Sent).then_some(handled),
            state,
            action: Some(action.into()),
            intent: None,
            decision_json: None,
        }
    }

    #[test]
    fn rows_are_counted_per_day_reason_latency_and_amount() {
        let mut granted = row(
            "2026-12-02T09:00:00Z",
            LedgerState::Sent,
            "refund_granted",
            30,
        );
        granted.decision_json =
            Some(r#"{"refund":"granted","refund_amount":"49.00","refund_currency":"USD"}"#.into());
        let rows = vec![
            row("2026-11-20T09:00:00Z", LedgerState::Sent, "old", 1),
            row(
                "2026-12-01T09:00:00Z",
                LedgerState::Sent,
                "cancellation",
                10,
            ),
            row(
                "2026-12-01T10:00:00Z",
                LedgerState::Review,
                "to_human:no_account",
                0,
            ),
            row(
                "2026-12-01T11:00:00Z",
                LedgerState::Review,
                "to_human:no_account",
                0,
            ),
            row(
                "2026-12-02T11:00:00Z",
                LedgerState::Failed,
                "refund_granted",
                0,
            ),
            row(
                "2026-12-02T12:00:00Z",
                LedgerState::Skipped,
                "skip:bounce",
                0,
            ),
            granted,
        ];
        let s = summarize(
            &rows,
            "2026-12-01T00:00:00Z".parse().unwrap(),
            "2026-12-03T08:00:00Z".parse().unwrap(),
        );
        assert_eq!(s.total, 6);
        assert_eq!(s.days.len(), 3);
        assert_eq!(s.per_day, vec![[1, 0, 2, 0, 0], [1, 0, 1, 1, 0], [0; 5]]);
        assert_eq!(
            s.handoffs,
            vec![("no_account".to_string(), 2), ("not_sent".to_string(), 1)]
        );
        assert_eq!(s.latency.len(), 2);
        let all = s.latency_all.unwrap();
        assert_eq!((all.p50, all.p99), (10.0, 30.0));
        assert_eq!(s.refunds["USD"], [0, 0, 1, 0, 0, 0]);
        assert_eq!(s.refund_totals["USD"], 49.0);
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = percentiles(v).unwrap();
        assert_eq!((p.p50, p.p90, p.p99), (50.0, 90.0, 99.0));
        assert_eq!(percentiles(vec![]), None);
        let one = percentiles(vec![7.0]).unwrap();
        assert_eq!((one.p50, one.p99), (7.0, 7.0));
    }
}
