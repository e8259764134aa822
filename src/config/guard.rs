//! The per-mailbox keys that limit automatic action: who must be authenticated, and how much
//! automatic mail may go out.

use std::path::Path;

use super::ConfigError;
use crate::budget::ReplyBudget;

/// The raw keys, as read from `[[mailbox]]`.
#[derive(Debug, Default)]
pub struct RawGuard {
    /// No automatic action on an account unless the trusted server reports DMARC or aligned
    /// DKIM pass for the sender.
    pub require_authenticated_sender: bool,
    /// The authserv-id the vendor's own mail server writes in `Authentication-Results`.
    pub trusted_authserv_id: Option<String>,
    pub max_replies_per_sender: Option<usize>,
    pub max_replies_per_hour: Option<usize>,
}

/// The validated sender rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderRule {
    pub trusted_authserv_id: Option<String>,
    pub required: bool,
}

impl SenderRule {
    /// The borrowed form planning takes.
    pub fn check(&self) -> crate::plan::SenderCheck<'_> {
        crate::plan::SenderCheck {
            trusted_authserv_id: self.trusted_authserv_id.as_deref(),
            required: self.required,
        }
    }
}

impl RawGuard {
    /// Validates the keys of the mailbox at `key` in `file`.
    pub fn resolve(
        self,
        file: &Path,
        key: &str,
        errors: &mut Vec<ConfigError>,
    ) -> (SenderRule, ReplyBudget) {
        let id = self
            .trusted_authserv_id
            .map(|id| id.trim().to_ascii_lowercase());
        match &id {
            Some(id)
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)) =>
            {
                errors.push(ConfigError::new(
                    file,
                    format!("{key}.trusted_authserv_id"),
                    format!(
                        "expected a host name such as \"mx.vendor.example\" (the authserv-id \
                         your mail server writes in Authentication-Results), found {id:?}"
                    ),
                ));
            }
            None if self.require_authenticated_sender => errors.push(ConfigError::new(
                file,
                format!("{key}.trusted_authserv_id"),
                "expected the authserv-id your mail server writes in Authentication-Results \
                 (for example \"mx.vendor.example\"): require_authenticated_sender = true needs it",
            )),
            _ => {}
        }
        let mut limit = |name: &str, value: Option<usize>, default: usize| match value {
            Some(0) => {
                errors.push(ConfigError::new(
                    file,
                    format!("{key}.{name}"),
                    "expected at least 1 (to stop automatic answers, set handling.mode = \"draft\")",
                ));
                default
            }
            Some(n) => n,
            None => default,
        };
        let budget = ReplyBudget {
            per_sender: limit(
                "max_replies_per_sender",
                self.max_replies_per_sender,
                ReplyBudget::DEFAULT.per_sender,
            ),
            per_hour: limit(
                "max_replies_per_hour",
                self.max_replies_per_hour,
                ReplyBudget::DEFAULT.per_hour,
            ),
        };
        (
            SenderRule {
                trusted_authserv_id: id,
                required: self.require_authenticated_sender,
            },
            budget,
        )
    }
}
