//! Policy scenarios: a support lead's unit tests for a policy file. Each scenario is one
//! request from one account; every `expect` field must hold, and a field absent from `expect`
//! must be absent from the decision. This is what `mailclerk policy test` runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use crate::accounts::{Account, Payments, PlanKind};
use crate::classify::Intent;
use crate::config::error::{ConfigError, read_toml};
use crate::money::{Currency, Money};
use crate::policy::schema::Policy;
use crate::policy::{self, Earlier, History, OUTCOME_FIELDS};

/// A scenario file: a list of `[[scenario]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub scenario: Vec<Scenario>,
}

/// One request and what the policy must decide for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    /// The vendor id: `<policies dir>/<policy>.toml`.
    pub policy: String,
    pub intent: Intent,
    pub received: Timestamp,
    pub account: ScenarioAccount,
    #[serde(default)]
    pub history: ScenarioHistory,
    pub expect: BTreeMap<String, toml::Value>,
}

/// The account facts of a scenario, as in the accounts CSV.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioAccount {
    pub plan: PlanKind,
    pub signed_up_on: Date,
    pub currency: String,
    #[serde(default)]
    pub first_paid_on: Option<Date>,
    #[serde(default)]
    pub first_payment: Option<String>,
    #[serde(default)]
    pub last_payment: Option<String>,
}

/// Earlier exchanges with the account, as the ledger would hold them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioHistory {
    #[serde(default)]
    pub prior_contact_on: Option<Date>,
    /// A cancellation already confirmed: the receipt time of the request it answered.
    #[serde(default)]
    pub cancelled_at: Option<Timestamp>,
    /// The effective date that confirmation stated (optional; checked when given).
    #[serde(default)]
    pub cancelled_effective: Option<Date>,
    /// What that request asked for: `cancellation` (the default) or `both`.
    #[serde(default)]
    pub cancelled_intent: Option<Intent>,
    /// A refund already granted: the receipt time of the request it answered.
    #[serde(default)]
    pub refunded_at: Option<Timestamp>,
}

impl ScenarioHistory {
    /// The engine's view of this history.
    pub fn to_history(&self) -> History {
        History {
            prior_contact_on: self.prior_contact_on,
            cancelled: self.cancelled_at.map(|received| Earlier {
                received,
                intent: self.cancelled_intent.unwrap_or(Intent::Cancellation),
                effective: self.cancelled_effective,
            }),
            refunded: self.refunded_at.map(|received| Earlier {
                received,
                intent: Intent::Refund,
                effective: None,
            }),
        }
    }
}

/// The result of one scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub file: String,
    pub id: String,
    /// Empty when it passed; otherwise one entry per differing field, or the error.
    pub problems: Vec<String>,
}

/// Everything a `policy test` run found.
#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// Files or policies that could not be read at all.
    pub errors: Vec<ConfigError>,
}

impl Report {
    /// Scenarios that passed.
    pub fn passed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.problems.is_empty())
            .count()
    }

    /// Scenarios that failed, plus files that could not be read (each counts as one failure).
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed() + self.errors.len()
    }
}

/// Runs every scenario of every file, loading each named policy from `policies` once.
pub fn run_files(policies: &Path, files: &[PathBuf]) -> Report {
    let mut report = Report::default();
    let mut loaded: BTreeMap<String, Result<Policy, Vec<ConfigError>>> = BTreeMap::new();
    for file in files {
        let parsed: ScenarioFile = match read_toml(file) {
            Ok(parsed) => parsed,
            Err(e) => {
                report.errors.extend(e);
                continue;
            }
        };
        if parsed.scenario.is_empty() {
            report.errors.push(ConfigError::new(
                file,
                "scenario",
                "the file has no [[scenario]]",
            ));
        }
        for (i, scenario) in parsed.scenario.into_iter().enumerate() {
            let policy = loaded
                .entry(scenario.policy.clone())
                .or_insert_with(|| Policy::load_id(policies, &scenario.policy));
            let problems = match policy {
                Ok(policy) => check(policy, &scenario).err().unwrap_or_default(),
                Err(errors) => errors
                    .iter()
                    .map(|e| format!("policy {:?} does not load: {e}", scenario.policy))
                    .collect(),
            };
            let id = if scenario.id.is_empty() {
                format!("scenario[{i}]")
            } else {
                scenario.id
            };
            report.outcomes.push(Outcome {
                file: file.display().to_string(),
                id,
                problems,
            });
        }
    }
    report
}

/// Decides one scenario with `policy` and compares the result with its `expect` table.
///
/// # Errors
/// One line per differing field, or the reason the scenario could not be decided.
pub fn check(policy: &Policy, scenario: &Scenario) -> Result<(), Vec<String>> {
    let account = scenario
        .account
        .to_account()
        .map_err(|e| vec![e.to_string()])?;
    let history = scenario.history.to_history();
    let actual = match policy::decide(
        policy,
        &account,
        scenario.intent,
        scenario.received,
        &history,
    ) {
        Ok(decision) => decision.fields(),
        // A scenario may expect people to decide: `undecidable = "<code>"` and nothing else.
        Err(why) => {
            return match scenario.expect.get("undecidable") {
                Some(want) if plain_toml(want) == why.code() && scenario.expect.len() == 1 => {
                    Ok(())
                }
                Some(want) => Err(vec![format!(
                    "undecidable: expected {}, got {:?} ({why})",
                    toml_text(want),
                    why.code()
                )]),
                None => Err(vec![format!("undecidable: {why}")]),
            };
        }
    };
    let mut problems = Vec::new();
    for (key, want) in &scenario.expect {
        match actual.get(key) {
            Some(got) if plain_json(got) == plain_toml(want) => {}
            Some(got) => problems.push(format!(
                "{key}: expected {}, got {}",
                toml_text(want),
                json_text(got)
            )),
            None => problems.push(format!("{key}: expected {}, got nothing", toml_text(want))),
        }
    }
    for (key, got) in &actual {
        // Fact fields (dates and amounts a reply states) are compared when named; outcome
        // fields must be named whenever the decision has them.
        if OUTCOME_FIELDS.contains(&key.as_str()) && !scenario.expect.contains_key(key) {
            problems.push(format!("{key}: expected nothing, got {}", json_text(got)));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Why a scenario's `[account]` is not an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAccount {
    #[error("account.currency: unknown currency {0:?}")]
    Currency(String),
    #[error("account.{0}: required with first_paid_on")]
    Missing(&'static str),
    #[error("account.{0}: {1}")]
    Amount(&'static str, crate::money::MoneyError),
}

impl ScenarioAccount {
    /// The account the scenario describes.
    ///
    /// # Errors
    /// An unknown currency, a bad amount, or a payment date without amounts.
    pub fn to_account(&self) -> Result<Account, BadAccount> {
        let currency = Currency::from_code(&self.currency)
            .ok_or_else(|| BadAccount::Currency(self.currency.clone()))?;
        let money = |key: &'static str, text: &Option<String>| -> Result<Money, BadAccount> {
            let text = text.as_deref().ok_or(BadAccount::Missing(key))?;
            Money::parse(text, currency).map_err(|e| BadAccount::Amount(key, e))
        };
        let paid = match self.first_paid_on {
            None => None,
            Some(first_paid_on) => Some(Payments {
                first_paid_on,
                first_payment: money("first_payment", &self.first_payment)?,
                last_payment: money("last_payment", &self.last_payment)?,
            }),
        };
        Ok(Account {
            id: "scenario".into(),
            name: "Scenario".into(),
            emails: vec![],
            plan: self.plan,
            signed_up_on: self.signed_up_on,
            paid,
            currency,
        })
    }
}

/// Values compare by their bare text, so `charges_before_end = 0` and `= "0"` mean the same.
fn plain_toml(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn plain_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}
