//! `auto_refund_limit`: granted refunds above it (or in another currency) are prepared for a
//! person to approve instead of being sent (docs/policy.md "The limit on automatic refunds").

use std::path::Path;

use super::schema::{Policy, RawLimit};
use super::{Decision, Refund};
use crate::config_error::ConfigError;
use crate::money::{Currency, Money};

/// The validated limit, or `None` with the problems added to `errors`.
pub(super) fn from_raw(
    path: &Path,
    raw: &RawLimit,
    errors: &mut Vec<ConfigError>,
) -> Option<Money> {
    let Some(currency) = Currency::from_code(&raw.currency) else {
        errors.push(ConfigError::new(
            path,
            "auto_refund_limit.currency",
            format!(
                "unknown currency {:?}; expected an ISO 4217 code such as \"USD\"",
                raw.currency
            ),
        ));
        return None;
    };
    match Money::parse(&raw.amount, currency) {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(ConfigError::new(
                path,
                "auto_refund_limit.amount",
                format!(
                    "expected an amount in {} such as \"100.00\" (a plain number, the currency goes in auto_refund_limit.currency), found {:?}: {e}",
                    currency.code(),
                    raw.amount
                ),
            ));
            None
        }
    }
}

impl Policy {
    /// Why a decision may not be sent automatically under `auto_refund_limit`: a granted
    /// refund above the limit, or in a currency the limit does not speak of. `None` when it
    /// may be sent.
    pub fn needs_approval(&self, decision: &Decision) -> Option<String> {
        let limit = self.auto_refund_limit?;
        let Some(Refund::Granted { amount, .. }) = &decision.refund else {
            return None;
        };
        if amount.currency() != limit.currency() {
            Some(format!(
                "a refund of {amount} {} is in another currency than auto_refund_limit ({limit} {})",
                amount.currency(),
                limit.currency()
            ))
        } else if amount.minor() > limit.minor() {
            Some(format!(
                "a refund of {amount} {} is above auto_refund_limit ({limit} {})",
                amount.currency(),
                limit.currency()
            ))
        } else {
            None
        }
    }
}
