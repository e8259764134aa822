//! The policy file's validated form: the [`Policy`] the engine applies, and its rules. Every
//! rule a vendor has lives here as data; the engine knows no vendor. The raw TOML types and
//! their validation are in [`validate`].

mod validate;

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::calendar::Calendar;
use super::decision::{AccountState, Clause};
use crate::accounts::PlanKind;
use crate::language::{Lang, Voice};
use crate::money::Money;
pub(super) use validate::RawLimit;
pub(crate) use validate::RawPolicy;

/// A vendor's policy, validated: every clause reference resolves, every plan can be cancelled.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The file stem, such as `crm-runner`.
    pub id: String,
    pub vendor: Vendor,
    pub calendar: Calendar,
    pub trial: Option<Trial>,
    pub refund_rules: Vec<RefundRule>,
    /// Cited when a refund request matches no rule.
    pub refund_otherwise: Clause,
    pub refund_otherwise_note: Option<String>,
    pub cancellation_rules: Vec<CancellationRule>,
    /// Outcome name → template stem, for every outcome (defaults filled in).
    pub replies: BTreeMap<String, String>,
    /// Whether mail handed to people gets an acknowledgement naming the next opening time.
    pub acknowledge_handoff: bool,
    /// Clause id → reply language → a translation of the clause's quote, shown beside the
    /// vendor's own words (`[clauses.<id>.quote]` as a table).
    pub quote_translations: BTreeMap<String, BTreeMap<Lang, String>>,
    /// A note's own words → reply language → the note in that language (a note written as
    /// a table, like a quote).
    pub note_translations: BTreeMap<String, BTreeMap<Lang, String>>,
    /// The reply languages and the automatic-reply disclosure: the defaults here, the
    /// mailbox's settings once a mailbox loads the policy.
    pub voice: Voice,
    /// Granted refunds above this (or in another currency) are prepared, not sent: a person
    /// approves them (`auto_refund_limit`).
    pub auto_refund_limit: Option<Money>,
}

/// Who the vendor is, for the replies.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// How replies are signed, such as "The NotOut CRM support team".
    pub signature: String,
}

/// A free trial: the days after sign-up before any payment.
#[derive(Debug, Clone)]
pub struct Trial {
    pub days: Option<u32>,
    pub account_state: AccountState,
    pub clause: Clause,
    pub note: Option<String>,
}

/// One refund rule; the first rule that fits the plan and the window decides.
#[derive(Debug, Clone)]
pub struct RefundRule {
    pub plans: BTreeSet<PlanKind>,
    pub charges: Charges,
    pub anchor: Anchor,
    /// Inclusive: the request date may be at most anchor + N days.
    pub window_days: Option<u32>,
    /// Exclusive: the request date must be before anchor + N periods.
    pub window_periods: Option<u32>,
    pub amount: Amount,
    /// Days a reply offering help stays valid; `Some` means a first request gets that reply.
    pub prior_contact_days: Option<u32>,
    pub ends_subscription: EndsSubscription,
    pub clause: Clause,
    pub note: Option<String>,
    /// The sentence sent with a `pending_contact` reply.
    pub pending_note: Option<String>,
}

/// How a cancellation is handled for some plans.
#[derive(Debug, Clone)]
pub struct CancellationRule {
    pub plans: BTreeSet<PlanKind>,
    pub effective: Effective,
    pub notice: Option<Notice>,
    pub account_state: AccountState,
    pub clause: Clause,
    pub note: Option<String>,
}

/// Notice required before the next renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub days: u32,
    pub kind: DayKind,
}

/// Which charges a refund rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charges {
    /// Only the first payment: once a renewal has been charged the rule no longer applies.
    First,
    /// Whichever charge is the latest.
    Any,
}

/// The date a refund window counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    FirstPayment,
    LatestCharge,
    PeriodStart,
}

/// How much a granted refund pays back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amount {
    FirstPayment,
    LatestCharge,
    /// The unused part of the current period (policy-spec "prorated refund").
    Prorated,
    /// The rule denies: nothing is refunded.
    Nothing,
}

/// Whether granting the refund also ends the subscription at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndsSubscription {
    Never,
    /// Only when the customer also asked to cancel.
    WhenAsked,
    /// Always: the refund is the end of the subscription.
    Always,
}

/// When a cancellation takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effective {
    AtOnce,
    EndOfPeriod,
}

/// Calendar days or business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Calendar,
    Business,
}

/// The outcomes a reply template exists for; `[replies]` may map any of them to another stem.
pub const OUTCOMES: &[&str] = &[
    "refund_granted",
    "refund_denied",
    "refund_not_applicable",
    "refund_pending_contact",
    "cancel_confirmed",
    "cancel_late_notice",
    "refund_and_cancel",
    "ack_human",
];

impl Policy {
    /// The cancellation rule for a plan (validation guarantees one exists).
    pub fn cancellation_rule(&self, plan: PlanKind) -> &CancellationRule {
        self.cancellation_rules
            .iter()
            .find(|r| r.plans.contains(&plan))
            .expect("validated: every plan has a cancellation rule")
    }
}
