//! The one configuration a test desk's daemon runs on: a NotOut CRM mailbox on the mail
//! stack's IMAPS and submission ports, with the lines a test adds to each table.

use std::path::{Path, PathBuf};

use super::Stack;

/// The `auto_answer_threshold` every test desk runs with unless it names its own. The desks
/// test delivery, faults and sign-in, not classification: a plain request must be answered
/// whatever the shipped model's calibration (docs/classifier.md has the classifier's own
/// figures, and the hostile run names the production default).
pub const AUTO_ANSWER_THRESHOLD: f64 = 0.5;

/// How the desk's daemon is configured: the lines each table gets beyond the common ones.
#[derive(Debug, Clone)]
pub struct Setup {
    /// IMAP port (a proxy's), instead of the stack's IMAPS port.
    pub imap_port: Option<u16>,
    /// Submission port (the policy-checked one), instead of the stack's.
    pub submission_port: Option<u16>,
    /// Lines for `[mailbox.source]`.
    pub source: String,
    /// Lines for `[mailbox.outbox]`.
    pub outbox: String,
    /// Lines for `[mailbox.handling]`.
    pub handling: String,
    /// More lines for the `[[mailbox]]` table itself.
    pub mailbox: String,
    /// Where the stores live (a tmpfs, for the disk tests); `state` beside the config if not.
    pub state_dir: Option<PathBuf>,
}

/// The fault tests' default: test-short timeouts, so a fault is noticed and retried within a
/// test's patience.
impl Default for Setup {
    fn default() -> Setup {
        Setup {
            source: "catch_up_seconds = 10\ntimeout_seconds = 5\nreconnect_max_seconds = 2\n"
                .into(),
            outbox: "timeout_seconds = 10\nretry_first_seconds = 1\nretry_max_seconds = 2\n".into(),
            ..Setup::bare()
        }
    }
}

impl Setup {
    /// No lines beyond the common ones: the daemon's own timeouts.
    pub fn bare() -> Setup {
        Setup {
            imap_port: None,
            submission_port: None,
            source: String::new(),
            outbox: String::new(),
            handling: String::new(),
            mailbox: String::new(),
            state_dir: None,
        }
    }

    /// The default, with more `[mailbox.source]` lines.
    pub fn source(extra: &str) -> Setup {
        let mut s = Setup::default();
        s.source.push_str(extra);
        s.source.push('\n');
        s
    }

    /// Where the stores live for a desk whose files are in `dir`.
    pub fn state_dir(&self, dir: &Path) -> PathBuf {
        self.state_dir.clone().unwrap_or_else(|| dir.join("state"))
    }

    /// Writes `dir/mailclerk.toml` for the mailbox `support` (accounts in `dir/accounts.csv`,
    /// the password in `dir/password`); returns its path.
    pub fn write(&self, dir: &Path, stack: &Stack, support: &str) -> PathBuf {
        let repo = std::env::current_dir().unwrap();
        let threshold = if self.mailbox.contains("auto_answer_threshold") {
            String::new()
        } else {
            format!("auto_answer_threshold = {AUTO_ANSWER_THRESHOLD:?}\n")
        };
        let text = format!(
            r#"templates = "{templates}"
state_dir = "{state}"

[[mailbox]]
name = "desk"
address = "{support}"
policy = "{policy}"
accounts_csv = "accounts.csv"
{threshold}{mailbox}

[mailbox.source]
kind = "imap"
host = "{host}"
port = {imaps}
security = "implicit"
ca_file = "{ca}"
user = "{support}"
password_file = "password"
{source}

[mailbox.outbox]
kind = "smtp"
host = "{host}"
port = {submission}
security = "starttls"
ca_file = "{ca}"
user = "{support}"
password_file = "password"
{outbox}

[mailbox.handling]
{handling}
"#,
            templates = repo.join("templates").display(),
            state = self.state_dir(dir).display(),
            policy = repo.join("config/policies/notout.toml").display(),
            host = stack.host,
            imaps = self.imap_port.unwrap_or(stack.imaps_port),
            submission = self.submission_port.unwrap_or(stack.submission_port),
            ca = stack.ca_file.display(),
            mailbox = self.mailbox,
            source = self.source,
            outbox = self.outbox,
            handling = self.handling,
        );
        std::fs::write(dir.join("password"), &stack.password).unwrap();
        let config = dir.join("mailclerk.toml");
        std::fs::write(&config, text).unwrap();
        config
    }
}
