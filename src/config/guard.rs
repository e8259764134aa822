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
    /// What becomes of a request that fails the sender check: `people` (the default) or
    /// `confirm` (its account's registered address is asked to confirm it).
    pub unverified: Option<String>,
}

/// The validated sender rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderRule {
    pub trusted_authserv_id: Option<String>,
    pub required: bool,
    /// `unverified = "confirm"`.
    pub confirm: bool,
}

impl SenderRule {
    /// The borrowed form planning takes.
    pub fn check(&self) -> crate::plan::SenderCheck<'_> {
        crate::plan::SenderCheck {
            trusted_authserv_id: self.trusted_authserv_id.as_deref(),
            required: self.required,
            confirm: self.confirm,
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
        let confirm = match self.unverified.as_deref() {
            None | Some("people") => false,
            Some("confirm") if self.require_authenticated_sender => true,
            Some("confirm") => {
                errors.push(ConfigError::new(
                    file,
                    format!("{key}.unverified"),
                    "\"confirm\" needs require_authenticated_sender = true (without it no \
                     sender is ever unverified)",
                ));
                false
            }
            Some(other) => {
                errors.push(ConfigError::new(
                    file,
                    format!("{key}.unverified"),
                    format!("expected \"people\" or \"confirm\", found {other:?}"),
                ));
                false
            }
        };
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
                confirm,
            },
            budget,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(require: bool, unverified: &str) -> (SenderRule, Vec<String>) {
        let mut errors = Vec::new();
        let (rule, _) = RawGuard {
            require_authenticated_sender: require,
            trusted_authserv_id: Some("mx.vendor.example".into()),
            unverified: Some(unverified.into()),
            ..RawGuard::default()
        }
        .resolve(Path::new("m.toml"), "mailbox[0]", &mut errors);
        (rule, errors.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn unverified_is_people_or_confirm_with_a_required_check() {
        assert!(resolve(true, "confirm").0.confirm);
        assert!(!resolve(true, "people").0.confirm);
        let (rule, errors) = resolve(false, "confirm");
        assert!(!rule.confirm);
        assert!(
            errors[0].contains("mailbox[0].unverified")
                && errors[0].contains("require_authenticated_sender"),
            "{errors:?}"
        );
        let (_, errors) = resolve(true, "ask");
        assert!(
            errors[0].contains("expected \"people\" or \"confirm\", found \"ask\""),
            "{errors:?}"
        );
    }
}
