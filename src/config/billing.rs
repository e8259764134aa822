//! `[mailbox.billing]`: where a decision that changes money or an account is handed off before
//! the reply goes out. Raw serde struct (unknown keys refused), then validated [`Settings`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::ConfigError;

/// The SHA-256 of a file's bytes, hex (the policy file's, for the audit trail and the payload).
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let digest = Sha256::digest(std::fs::read(path)?);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The validated billing hand-off of one mailbox.
#[derive(Debug, Clone)]
pub struct Settings {
    pub target: Target,
    /// How long one try may take (the HTTP request, or the command).
    pub timeout: Duration,
    /// Further tries within one handling of the message, after the first.
    pub retries: u32,
    /// The pause before the first retry; doubled before each next one.
    pub backoff: Duration,
    /// Since the first try of a decision: past this, a billing side that keeps failing (5xx,
    /// timeouts, no connection) counts as a refusal and the message goes to people.
    pub give_up_after: Duration,
}

/// Where the decision goes.
#[derive(Debug, Clone)]
pub enum Target {
    Webhook {
        url: String,
        /// The HMAC-SHA256 key, read from `secret_file` (surrounding whitespace trimmed).
        secret: Vec<u8>,
    },
    Command {
        argv: Vec<String>,
    },
}

impl Target {
    /// `webhook <url>` or `command <argv0>`, for logs and `explain`.
    pub fn describe(&self) -> String {
        match self {
            Target::Webhook { url, .. } => format!("webhook {url}"),
            Target::Command { argv } => format!("command {}", argv.join(" ")),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBilling {
    kind: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    secret_file: Option<PathBuf>,
    #[serde(default)]
    argv: Option<Vec<String>>,
    #[serde(default)]
    timeout_seconds: Option<f64>,
    #[serde(default)]
    retries: Option<u32>,
    #[serde(default)]
    backoff_ms: Option<u64>,
    #[serde(default)]
    give_up_seconds: Option<u64>,
}

/// Defaults: 10 s per try, 3 retries from 0.5 s, give up after 6 hours (as the SMTP relay's
/// `retry_window_seconds`).
const DEFAULT_TIMEOUT: f64 = 10.0;
const DEFAULT_RETRIES: u32 = 3;
const DEFAULT_BACKOFF_MS: u64 = 500;
const DEFAULT_GIVE_UP: u64 = 6 * 3600;

impl RawBilling {
    /// Validates the section; every mistake is pushed to `errors`, naming `file` and `key`.
    pub(crate) fn resolve(
        self,
        file: &Path,
        key: &str,
        base: &Path,
        errors: &mut Vec<ConfigError>,
    ) -> Option<Settings> {
        let before = errors.len();
        let mut err = |k: &str, problem: String| {
            errors.push(ConfigError::new(file, format!("{key}.{k}"), problem));
        };
        let target = match self.kind.as_str() {
            "webhook" => {
                if self.argv.is_some() {
                    err(
                        "argv",
                        "a webhook takes url and secret_file, not argv".into(),
                    );
                }
                let url = self.url.unwrap_or_default();
                let (scheme, rest) = url.split_once("://").unwrap_or(("", ""));
                let host = rest.split(['/', ':']).next().unwrap_or("");
                let local = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
                match scheme {
                    "https" if !host.is_empty() => {}
                    "http" if local => {}
                    "http" => err(
                        "url",
                        format!(
                            "expected an https:// URL (plain http only to 127.0.0.1 or localhost), found {url:?}"
                        ),
                    ),
                    _ => err("url", format!("expected an https:// URL, found {url:?}")),
                }
                let secret = match self.secret_file {
                    None => {
                        err(
                            "secret_file",
                            "expected a file holding the signing secret".into(),
                        );
                        Vec::new()
                    }
                    Some(p) => {
                        let path = base.join(p);
                        match std::fs::read(&path) {
                            Ok(bytes) if !bytes.trim_ascii().is_empty() => {
                                bytes.trim_ascii().to_vec()
                            }
                            Ok(_) => {
                                err("secret_file", format!("{} is empty", path.display()));
                                Vec::new()
                            }
                            Err(e) => {
                                err(
                                    "secret_file",
                                    format!("cannot read {}: {e}", path.display()),
                                );
                                Vec::new()
                            }
                        }
                    }
                };
                Target::Webhook { url, secret }
            }
            "command" => {
                if self.url.is_some() || self.secret_file.is_some() {
                    err(
                        "kind",
                        "a command takes argv, not url or secret_file".into(),
                    );
                }
                let argv = self.argv.unwrap_or_default();
                if argv.first().is_none_or(|a| a.trim().is_empty()) {
                    err(
                        "argv",
                        "expected the command and its arguments, such as [\"/usr/local/bin/refund\", \"--live\"]".into(),
                    );
                }
                Target::Command { argv }
            }
            other => {
                err(
                    "kind",
                    format!("expected \"webhook\" or \"command\", found {other:?}"),
                );
                return None;
            }
        };
        let timeout = self.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT);
        if !(timeout > 0.0 && timeout <= 600.0) {
            err(
                "timeout_seconds",
                format!("expected more than 0 and at most 600 seconds, found {timeout}"),
            );
        }
        if errors.len() > before {
            return None;
        }
        Some(Settings {
            target,
            timeout: Duration::from_secs_f64(timeout),
            retries: self.retries.unwrap_or(DEFAULT_RETRIES),
            backoff: Duration::from_millis(self.backoff_ms.unwrap_or(DEFAULT_BACKOFF_MS)),
            give_up_after: Duration::from_secs(self.give_up_seconds.unwrap_or(DEFAULT_GIVE_UP)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(toml_text: &str) -> (Option<Settings>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret"), "s3cret\n").unwrap();
        std::fs::write(dir.path().join("empty"), "  \n").unwrap();
        let raw: RawBilling = toml::from_str(toml_text).unwrap();
        let mut errors = Vec::new();
        let s = raw.resolve(
            Path::new("mailclerk.toml"),
            "mailbox[0].billing",
            dir.path(),
            &mut errors,
        );
        (s, errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn good_sections_resolve_with_defaults() {
        let (s, errors) = resolve(
            "kind = \"webhook\"\nurl = \"https://billing.example/hook\"\nsecret_file = \"secret\"",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let s = s.unwrap();
        assert!(matches!(&s.target, Target::Webhook { secret, .. } if secret == b"s3cret"));
        assert_eq!(
            (s.timeout, s.retries, s.give_up_after),
            (Duration::from_secs(10), 3, Duration::from_secs(21600))
        );
        let (s, errors) = resolve("kind = \"command\"\nargv = [\"/bin/true\"]\nretries = 0");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(s.unwrap().retries, 0);
    }

    #[test]
    fn mistakes_name_the_key_and_what_was_expected() {
        for (text, key, want) in [
            (
                "kind = \"ftp\"",
                "billing.kind",
                "expected \"webhook\" or \"command\"",
            ),
            (
                "kind = \"webhook\"\nurl = \"http://billing.example/\"\nsecret_file = \"secret\"",
                "billing.url",
                "plain http only to 127.0.0.1",
            ),
            (
                "kind = \"webhook\"\nurl = \"https://b.example/\"",
                "billing.secret_file",
                "expected a file",
            ),
            (
                "kind = \"webhook\"\nurl = \"https://b.example/\"\nsecret_file = \"empty\"",
                "billing.secret_file",
                "is empty",
            ),
            (
                "kind = \"command\"\nargv = []",
                "billing.argv",
                "expected the command",
            ),
            (
                "kind = \"command\"\nargv = [\"x\"]\ntimeout_seconds = 0",
                "billing.timeout_seconds",
                "more than 0",
            ),
        ] {
            let (s, errors) = resolve(text);
            assert!(s.is_none(), "{text}");
            assert!(
                errors.iter().any(|e| e.contains(key) && e.contains(want)),
                "{text}: {errors:?}"
            );
        }
    }
}
