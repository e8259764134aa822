//! The outcome of applying a policy: what happens to the refund and to the subscription, each
//! with the clause it rests on.

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
    pub refund: Option<Refund>,
    pub cancellation: Option<Cancellation>,
}

/// The answer to a refund request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refund {
    Granted {
        amount: Money,
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
    pub clause: Clause,
    pub note: Option<String>,
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
    /// The decision as the flat fields of a scenario's `expect` table (policy-spec names):
    /// `refund`, `refund_amount`, `cancellation`, `cancellation_effective`, `account_state`,
    /// `charges_before_end`. A part that was not decided has no fields at all.
    pub fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::Value;
        let mut map = serde_json::Map::new();
        if let Some(refund) = &self.refund {
            map.insert("refund".into(), Value::from(refund.kind()));
            if let Refund::Granted { amount, .. } = refund {
                map.insert("refund_amount".into(), Value::from(amount.to_string()));
            }
        }
        if let Some(c) = &self.cancellation {
            map.insert("cancellation".into(), Value::from("confirmed"));
            map.insert(
                "cancellation_effective".into(),
                Value::from(c.effective.to_string()),
            );
            map.insert(
                "account_state".into(),
                Value::from(c.account_state.as_str()),
            );
            map.insert(
                "charges_before_end".into(),
                Value::from(c.charges_before_end),
            );
        }
        map
    }
}
