//! The policy file as written: raw TOML types that reject unknown keys, and their
//! validation into a [`Policy`], each mistake named by key.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::{
    Amount, Anchor, CancellationRule, Charges, DayKind, Effective, EndsSubscription, Notice,
    OUTCOMES, Policy, RefundRule, Trial, Vendor,
};
use crate::accounts::PlanKind;
use crate::config_error::ConfigError;
use crate::language::{Lang, Text, Voice};
use crate::policy::calendar::{Calendar, OpeningHours, Weekdays};
use crate::policy::decision::{AccountState, Clause};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    vendor: Vendor,
    calendar: RawCalendar,
    #[serde(default)]
    trial: Option<RawTrial>,
    refund: RawRefund,
    cancellation: RawCancellation,
    clauses: BTreeMap<String, RawClause>,
    #[serde(default)]
    replies: BTreeMap<String, String>,
    #[serde(default)]
    handoff: RawHandoff,
    #[serde(default)]
    auto_refund_limit: Option<RawLimit>,
}

/// `[auto_refund_limit]`: `amount = "100.00"`, `currency = "USD"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::policy) struct RawLimit {
    pub(in crate::policy) amount: String,
    pub(in crate::policy) currency: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandoff {
    #[serde(default)]
    acknowledge: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    time_zone: String,
    #[serde(default = "default_working_days")]
    working_days: Vec<String>,
    #[serde(default)]
    holidays: Vec<Date>,
    #[serde(default)]
    hours: Vec<RawHours>,
}

fn default_working_days() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .map(String::from)
        .to_vec()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    days: Vec<String>,
    open: String,
    close: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrial {
    #[serde(default)]
    days: Option<u32>,
    account_state: AccountState,
    clause: String,
    #[serde(default)]
    note: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRefund {
    otherwise_clause: String,
    #[serde(default)]
    otherwise_note: Option<Text>,
    #[serde(default)]
    rule: Vec<RawRefundRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRefundRule {
    #[serde(default = "all_plans")]
    plans: Vec<PlanKind>,
    #[serde(default = "any_charge")]
    charges: Charges,
    #[serde(default = "first_payment_anchor")]
    anchor: Anchor,
    #[serde(default)]
    window_days: Option<u32>,
    #[serde(default)]
    window_periods: Option<u32>,
    amount: Amount,
    #[serde(default)]
    prior_contact_days: Option<u32>,
    #[serde(default = "when_asked")]
    ends_subscription: EndsSubscription,
    clause: String,
    #[serde(default)]
    note: Option<Text>,
    #[serde(default)]
    pending_note: Option<Text>,
}

fn all_plans() -> Vec<PlanKind> {
    vec![PlanKind::Monthly, PlanKind::Annual]
}
fn any_charge() -> Charges {
    Charges::Any
}
fn first_payment_anchor() -> Anchor {
    Anchor::FirstPayment
}
fn when_asked() -> EndsSubscription {
    EndsSubscription::WhenAsked
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCancellation {
    rule: Vec<RawCancellationRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCancellationRule {
    #[serde(default = "all_plans")]
    plans: Vec<PlanKind>,
    effective: Effective,
    #[serde(default)]
    notice_days: Option<u32>,
    #[serde(default)]
    notice_kind: Option<DayKind>,
    account_state: AccountState,
    clause: String,
    #[serde(default)]
    note: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    title: String,
    /// The vendor's words; or a table of `original` and translations by language code.
    quote: toml::Value,
}

impl Policy {
    /// Validates a policy read from `path` (`Policy::load`, in `config`, reads the file).
    pub(crate) fn from_raw(
        path: &Path,
        id: String,
        raw: RawPolicy,
    ) -> Result<Policy, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let err = |key: String, problem: String| ConfigError::new(path, key, problem);
        let mut quote_translations = BTreeMap::new();
        let mut notes = NoteTranslations::default();
        let clauses: BTreeMap<String, Clause> = raw
            .clauses
            .into_iter()
            .map(|(id, c)| {
                let key = format!("clauses.{id}.quote");
                let (quote, translations) = crate::language::quote_from_toml(c.quote)
                    .unwrap_or_else(|e| {
                        errors.push(err(format!("{key}{}", e.key()), e.to_string()));
                        (String::new(), BTreeMap::new())
                    });
                if !translations.is_empty() {
                    quote_translations.insert(id.clone(), translations);
                }
                (
                    id.clone(),
                    Clause {
                        id,
                        title: c.title,
                        quote,
                    },
                )
            })
            .collect();
        let clause = |key: String, name: &str, errors: &mut Vec<ConfigError>| -> Clause {
            clauses.get(name).cloned().unwrap_or_else(|| {
                let known: Vec<&String> = clauses.keys().collect();
                errors.push(err(
                    key,
                    format!("no clause {name:?} under [clauses]; expected one of {known:?}"),
                ));
                Clause {
                    id: name.to_string(),
                    title: String::new(),
                    quote: String::new(),
                }
            })
        };

        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.push(err(String::new(), format!("the file name must be <vendor id>.toml with letters, digits, - or _; found {id:?}")));
        }
        if !raw.vendor.email.contains('@') {
            errors.push(err(
                "vendor.email".into(),
                format!("expected an email address, found {:?}", raw.vendor.email),
            ));
        }
        let calendar = calendar_from_raw(path, raw.calendar, &mut errors);

        let trial = raw.trial.map(|t| Trial {
            days: t.days,
            account_state: t.account_state,
            clause: clause("trial.clause".into(), &t.clause, &mut errors),
            note: notes.keep(t.note),
        });

        let mut refund_rules = Vec::new();
        for (i, r) in raw.refund.rule.into_iter().enumerate() {
            let key = format!("refund.rule[{i}]");
            if r.plans.is_empty() {
                errors.push(err(
                    format!("{key}.plans"),
                    "expected at least one of \"monthly\", \"annual\"".into(),
                ));
            }
            if r.amount == Amount::Nothing && r.prior_contact_days.is_some() {
                errors.push(err(
                    format!("{key}.prior_contact_days"),
                    "a rule that refunds nothing cannot ask for prior contact".into(),
                ));
            }
            refund_rules.push(RefundRule {
                plans: r.plans.into_iter().collect(),
                charges: r.charges,
                anchor: r.anchor,
                window_days: r.window_days,
                window_periods: r.window_periods,
                amount: r.amount,
                prior_contact_days: r.prior_contact_days,
                ends_subscription: r.ends_subscription,
                clause: clause(format!("{key}.clause"), &r.clause, &mut errors),
                note: notes.keep(r.note),
                pending_note: notes.keep(r.pending_note),
            });
        }
        let refund_otherwise = clause(
            "refund.otherwise_clause".into(),
            &raw.refund.otherwise_clause,
            &mut errors,
        );

        let mut cancellation_rules = Vec::new();
        for (i, r) in raw.cancellation.rule.into_iter().enumerate() {
            let key = format!("cancellation.rule[{i}]");
            let notice = match (r.notice_days, r.notice_kind) {
                (Some(days), kind) => Some(Notice {
                    days,
                    kind: kind.unwrap_or(DayKind::Calendar),
                }),
                (None, Some(_)) => {
                    errors.push(err(
                        format!("{key}.notice_kind"),
                        "notice_kind needs notice_days".into(),
                    ));
                    None
                }
                (None, None) => None,
            };
            if notice.is_some() && r.effective == Effective::AtOnce {
                errors.push(err(format!("{key}.notice_days"), "a cancellation effective at once has no notice period; use effective = \"end_of_period\"".into()));
            }
            cancellation_rules.push(CancellationRule {
                plans: r.plans.into_iter().collect(),
                effective: r.effective,
                notice,
                account_state: r.account_state,
                clause: clause(format!("{key}.clause"), &r.clause, &mut errors),
                note: notes.keep(r.note),
            });
        }
        for plan in [PlanKind::Monthly, PlanKind::Annual] {
            if !cancellation_rules.iter().any(|r| r.plans.contains(&plan)) {
                errors.push(err(
                    "cancellation.rule".into(),
                    format!(
                        "no rule covers the {} plan; every plan must be cancellable",
                        plan.as_str()
                    ),
                ));
            }
        }

        let mut replies: BTreeMap<String, String> = OUTCOMES
            .iter()
            .map(|o| (o.to_string(), o.to_string()))
            .collect();
        for (outcome, stem) in raw.replies {
            if !OUTCOMES.contains(&outcome.as_str()) {
                errors.push(err(
                    format!("replies.{outcome}"),
                    format!("unknown outcome; expected one of {OUTCOMES:?}"),
                ));
            } else if stem.is_empty()
                || !stem
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                errors.push(err(
                    format!("replies.{outcome}"),
                    format!("expected a template name (letters, digits, - or _), found {stem:?}"),
                ));
            } else {
                replies.insert(outcome, stem);
            }
        }

        let auto_refund_limit = raw
            .auto_refund_limit
            .and_then(|l| crate::policy::limit::from_raw(path, &l, &mut errors));

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Policy {
            id,
            vendor: raw.vendor,
            calendar,
            trial,
            refund_rules,
            refund_otherwise,
            refund_otherwise_note: notes.keep(raw.refund.otherwise_note),
            note_translations: notes.0,
            cancellation_rules,
            replies,
            acknowledge_handoff: raw.handoff.acknowledge,
            quote_translations,
            voice: Voice::default(),
            auto_refund_limit,
        })
    }
}

fn calendar_from_raw(path: &Path, raw: RawCalendar, errors: &mut Vec<ConfigError>) -> Calendar {
    let zone = TimeZone::get(&raw.time_zone).unwrap_or_else(|_| {
        errors.push(ConfigError::new(
            path,
            "calendar.time_zone",
            format!(
                "unknown time zone {:?}; expected an IANA name such as \"America/New_York\"",
                raw.time_zone
            ),
        ));
        TimeZone::UTC
    });
    let working_days = weekdays(path, "calendar.working_days", &raw.working_days, errors);
    if working_days.is_empty() {
        errors.push(ConfigError::new(
            path,
            "calendar.working_days",
            "expected at least one working day",
        ));
    }
    let mut hours = Vec::new();
    for (i, h) in raw.hours.into_iter().enumerate() {
        let key = format!("calendar.hours[{i}]");
        let days = weekdays(path, &format!("{key}.days"), &h.days, errors);
        let time = |field: &str, text: &str, errors: &mut Vec<ConfigError>| {
            text.parse::<Time>().unwrap_or_else(|_| {
                errors.push(ConfigError::new(
                    path,
                    format!("{key}.{field}"),
                    format!("expected a time such as \"09:00\", found {text:?}"),
                ));
                Time::midnight()
            })
        };
        let open = time("open", &h.open, errors);
        let close = time("close", &h.close, errors);
        if open >= close {
            errors.push(ConfigError::new(
                path,
                key.clone(),
                format!("opens at {open} but closes at {close}; expected open before close"),
            ));
        }
        hours.push(OpeningHours { days, open, close });
    }
    Calendar {
        zone,
        zone_name: raw.time_zone,
        working_days,
        holidays: raw.holidays.into_iter().collect(),
        hours,
    }
}

fn weekdays(path: &Path, key: &str, names: &[String], errors: &mut Vec<ConfigError>) -> Weekdays {
    let mut days = Weekdays::default();
    for (i, name) in names.iter().enumerate() {
        let day = match name.to_ascii_lowercase().get(..3).unwrap_or("") {
            "mon" => Weekday::Monday,
            "tue" => Weekday::Tuesday,
            "wed" => Weekday::Wednesday,
            "thu" => Weekday::Thursday,
            "fri" => Weekday::Friday,
            "sat" => Weekday::Saturday,
            "sun" => Weekday::Sunday,
            _ => {
                errors.push(ConfigError::new(
                    path,
                    format!("{key}[{i}]"),
                    format!("expected a weekday such as \"mon\", found {name:?}"),
                ));
                continue;
            }
        };
        days.insert(day);
    }
    days
}

/// The translations of the notes, gathered while the rules keep only the original words.
#[derive(Default)]
struct NoteTranslations(BTreeMap<String, BTreeMap<Lang, String>>);

impl NoteTranslations {
    fn keep(&mut self, note: Option<Text>) -> Option<String> {
        let note = note?;
        if !note.translations.is_empty() {
            self.0.insert(note.original.clone(), note.translations);
        }
        Some(note.original)
    }
}
