//! The outcome of applying a policy: what happens to the refund and to the subscription, each
//! with the clause it rests on.

use jiff::Zoned;
use jiff::civil::Date;

use crate::money::Money;

/// A passage of the vendor's own text that a decision rests on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Clause {
    /// The key under `[clauses]` in the policy file.
    pub id: String,
    /// The heading or short name of the passage, as the vendor wrote it.
    pub title: String,
    /// The sentence quoted to the customer.
    pub quote: String,
}

/// What the policy says, for the parts of the request that were asked (or implied).
/// `None` means "not asked, and not implied": acceptance scenarios expect it absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// When the vendor's mail server received the request, in the vendor's time zone
    /// (policy-spec "request date" is its date).
    pub received: Zoned,
    pub refund: Option<Refund>,
    pub cancellation: Option<Cancellation>,
    /// Set when this answer repeats an earlier one: the receipt time of the request that was
    /// first answered with this cancellation (history rule, docs/policy.md).
    pub repeats: Option<jiff::Timestamp>,
}

/// The answer to a refund request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refund {
    Granted {
        amount: Money,
        /// The last day of the refund window the grant rests on, when the rule has one.
        window_end: Option<Date>,
        clause: Clause,
        note: Option<String>,
    },
    Denied {
        why: DenyReason,
        clause: Clause,
        note: Option<String>,
    },
    /// Nothing was charged (trial).
    NotApplicable {
        clause: Clause,
        note: Option<String>,
    },
    /// "After communicating with us": the customer is offered help and asked to write again.
    PendingContact {
        clause: Clause,
        note: Option<String>,
    },
}

/// Why a refund was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// The refund window ended on `last_day`.
    WindowClosed { last_day: Date },
    /// The policy gives no refund for this plan or charge at all.
    NotRefundable,
}

/// A confirmed cancellation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    /// The first day without service and without charge.
    pub effective: Date,
    /// Renewals still charged before `effective` (1 on late notice).
    pub charges_before_end: u32,
    /// With late notice: the renewal date the notice came too late for, which is still charged.
    pub late_for: Option<Date>,
    /// The last day on which notice would have been in time for `late_for`.
    pub notice_deadline: Option<Date>,
    pub account_state: AccountState,
    pub timing: Timing,
    /// A renewal still charged before the end (late notice): its date and amount.
    pub charge_to_come: Option<Charge>,
    pub clause: Clause,
    pub note: Option<String>,
}

/// A charge still to come, as the customer will see it on their statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    pub on: Date,
    pub amount: Money,
}

impl Cancellation {
    /// The last day of service: the request date itself for a cancellation at once, else
    /// the day before `effective`.
    pub fn last_day(&self) -> Date {
        match self.timing {
            Timing::AtOnce => self.effective,
            _ => crate::policy::calendar::add_days(self.effective, -1),
        }
    }
}

/// When a cancellation takes effect, and why then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// On the request date.
    AtOnce,
    /// At the end of the current period, notice (if any) in time.
    EndOfPeriod,
    /// Notice too late for the next renewal: it is charged, and the end comes a period later.
    LateNotice,
}

/// The state of the account once the cancellation takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    Cancelled,
    Blocked,
    Suspended,
    Deactivated,
    Closed,
}

impl AccountState {
    /// The snake_case name used in scenarios and replies.
    pub fn as_str(&self) -> &'static str {
        match self {
            AccountState::Cancelled => "cancelled",
            AccountState::Blocked => "blocked",
            AccountState::Suspended => "suspended",
            AccountState::Deactivated => "deactivated",
            AccountState::Closed => "closed",
        }
    }
}

/// What the vendor's records say about earlier exchanges with this account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct History {
    /// The latest day we answered a refund request with an offer of help (`pending_contact`).
    pub prior_contact_on: Option<Date>,
    /// The earliest answered request that confirmed a cancellation: when it was received and
    /// the effective date we told the customer.
    pub cancelled: Option<Earlier>,
    /// The latest answered request that granted a refund: when it was received.
    pub refunded: Option<Earlier>,
}

/// An earlier answer to this account, as the ledger recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earlier {
    /// The receipt time of the request that was answered.
    pub received: jiff::Timestamp,
    /// What that request asked for (a refund granted with a cancellation can end the
    /// subscription at once, which a cancellation alone would not).
    pub intent: crate::classify::Intent,
    /// The cancellation's effective date the answer stated, if it confirmed one.
    pub effective: Option<Date>,
}

impl Refund {
    /// The scenario name of the outcome: `granted`, `denied`, `not_applicable`, `pending_contact`.
    pub fn kind(&self) -> &'static str {
        match self {
            Refund::Granted { .. } => "granted",
            Refund::Denied { .. } => "denied",
            Refund::NotApplicable { .. } => "not_applicable",
            Refund::PendingContact { .. } => "pending_contact",
        }
    }

    /// The clause the outcome rests on.
    pub fn clause(&self) -> &Clause {
        match self {
            Refund::Granted { clause, .. }
            | Refund::Denied { clause, .. }
            | Refund::NotApplicable { clause, .. }
            | Refund::PendingContact { clause, .. } => clause,
        }
    }

    /// The last day of the refund window, for a grant under a windowed rule or a denial
    /// because the window closed.
    pub fn window_end(&self) -> Option<Date> {
        match self {
            Refund::Granted { window_end, .. } => *window_end,
            Refund::Denied {
                why: DenyReason::WindowClosed { last_day },
                ..
            } => Some(*last_day),
            _ => None,
        }
    }

    /// The vendor's extra sentence for this outcome, if the policy gives one.
    pub fn note(&self) -> Option<&str> {
        match self {
            Refund::Granted { note, .. }
            | Refund::Denied { note, .. }
            | Refund::NotApplicable { note, .. }
            | Refund::PendingContact { note, .. } => note.as_deref(),
        }
    }
}

impl Decision {
    /// The ids of every clause the decision rests on, refund first.
    pub fn clause_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        let refund = self.refund.as_ref().map(|r| r.clause());
        let cancel = self.cancellation.as_ref().map(|c| &c.clause);
        for clause in refund.into_iter().chain(cancel) {
            if !ids.contains(&clause.id) {
                ids.push(clause.id.clone());
            }
        }
        ids
    }
}

impl Decision {
    /// The decision as the flat fields of a scenario's `expect` table and of `check --json`.
    ///
    /// Outcome fields (policy-spec names; [`OUTCOME_FIELDS`]): `refund`, `refund_amount`,
    /// `cancellation`, `cancellation_effective`, `account_state`, `charges_before_end`.
    /// Fact fields, every other date and amount a reply states: `received_at`, `received_on`,
    /// `refund_currency`, `refund_window_end`, `last_day_of_service`, `charge_to_come_on`,
    /// `charge_to_come_amount`, `late_notice_for`, `notice_deadline`, `repeats_request_of`.
    /// A part that was not decided has no fields at all.
    pub fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::Value;
        let mut map = serde_json::Map::new();
        let date = |d: Date| Value::from(d.to_string());
        map.insert("received_at".into(), Value::from(self.received.to_string()));
        map.insert("received_on".into(), date(self.received.date()));
        if let Some(earlier) = self.repeats_zoned() {
            map.insert(
                "repeats_request_of".into(),
                Value::from(earlier.to_string()),
            );
        }
        if let Some(refund) = &self.refund {
            map.insert("refund".into(), Value::from(refund.kind()));
            if let Refund::Granted { amount, .. } = refund {
                map.insert("refund_amount".into(), Value::from(amount.to_string()));
                map.insert(
                    "refund_currency".into(),
                    Value::from(amount.currency().code()),
                );
            }
            if let Some(end) = refund.window_end() {
                map.insert("refund_window_end".into(), date(end));
            }
        }
        if let Some(c) = &self.cancellation {
            map.insert("cancellation".into(), Value::from("confirmed"));
            map.insert("cancellation_effective".into(), date(c.effective));
            map.insert("last_day_of_service".into(), date(c.last_day()));
            map.insert(
                "account_state".into(),
                Value::from(c.account_state.as_str()),
            );
            map.insert(
                "charges_before_end".into(),
                Value::from(c.charges_before_end),
            );
            if let Some(charge) = &c.charge_to_come {
                map.insert("charge_to_come_on".into(), date(charge.on));
                map.insert(
                    "charge_to_come_amount".into(),
                    Value::from(charge.amount.to_string()),
                );
                map.insert(
                    "charge_to_come_currency".into(),
                    Value::from(charge.amount.currency().code()),
                );
            }
            if let Some(d) = c.late_for {
                map.insert("late_notice_for".into(), date(d));
            }
            if let Some(d) = c.notice_deadline {
                map.insert("notice_deadline".into(), date(d));
            }
        }
        map
    }
}

impl Decision {
    /// [`Decision::repeats`] in the vendor's zone (the zone of `received`).
    pub fn repeats_zoned(&self) -> Option<Zoned> {
        self.repeats
            .map(|ts| ts.to_zoned(self.received.time_zone().clone()))
    }
}

/// The fields a scenario must list whenever the decision has them (the shared acceptance
/// scenarios' vocabulary). Fact fields are compared only when a scenario names them.
pub const OUTCOME_FIELDS: &[&str] = &[
    "refund",
    "refund_amount",
    "cancellation",
    "cancellation_effective",
    "account_state",
    "charges_before_end",
];
