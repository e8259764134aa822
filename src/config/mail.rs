//! The mail-server parts of a mailbox's configuration: IMAP intake, SMTP outbox, reply mode,
//! filing folders, and where passwords come from (never inline in the TOML).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::error::ConfigError;

/// How a connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, which is required (IMAP 143, submission 587).
    Starttls,
    /// No TLS at all: only allowed to 127.0.0.1 / localhost (tests).
    Plain,
}

/// How mailclerk signs in to a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// A password (from a file, a credential or the environment).
    #[default]
    Password,
    /// An OAuth2 access token from the mailbox's `[mailbox.oauth2]` section (IMAP
    /// `AUTHENTICATE XOAUTH2`/`OAUTHBEARER`, SMTP `AUTH XOAUTH2`).
    Xoauth2,
}

/// IMAP intake settings, resolved (password read).
#[derive(Clone)]
pub struct ImapSource {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub ca_file: Option<PathBuf>,
    pub user: String,
    pub auth: Auth,
    /// Empty with `auth = "xoauth2"`.
    pub password: String,
    pub folder: String,
    /// Wait with IDLE where the server offers it; otherwise (or when false) poll.
    pub idle: bool,
    /// Polling interval when not idling.
    pub poll: Duration,
    /// Even with IDLE, look again at least this often (and re-issue IDLE well before the
    /// server's 29-minute limit).
    pub catch_up: Duration,
    /// Messages fetched per batch: memory stays bounded whatever the backlog.
    pub batch: usize,
    pub timeout: Duration,
    /// On the first start, answer mail the server received from this time on; by default,
    /// only mail received after the first start.
    pub answer_since: Option<jiff::Timestamp>,
    /// The longest pause between reconnection attempts (they start at 1 s and double), and
    /// the pause after an error a person must fix.
    pub reconnect_max: Duration,
    /// Where the sign-in secret comes from, in words an operator can act on (the key and
    /// the file, credential or variable), for errors that say which credential failed.
    pub credential: String,
}

impl std::fmt::Debug for ImapSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ImapSource {{ {}:{} {:?} user {} folder {} }}",
            self.host, self.port, self.security, self.user, self.folder
        )
    }
}

/// What the daemon does with a reply it decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Send it.
    #[default]
    Send,
    /// Save it to the Drafts folder for a person to review and send; nothing goes out.
    Draft,
    /// Only log what would be done; send, save, file and record nothing.
    DryRun,
}

/// Where handled mail is filed. A folder is created when missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filing {
    /// Move into these folders.
    Folders {
        answered: String,
        to_people: String,
        skipped: String,
    },
    /// Leave in place, marked with a keyword (`$mailclerk-answered`, ...).
    Keywords,
}

/// Reply mode, filing, and the Sent/Drafts folders of a mailbox.
#[derive(Debug, Clone)]
pub struct Handling {
    pub mode: Mode,
    pub filing: Filing,
    /// A copy of every reply sent is appended here; `None` disables it.
    pub sent_folder: Option<String>,
    pub drafts_folder: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawImap {
    host: String,
    port: u16,
    #[serde(default = "implicit")]
    security: Security,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    user: String,
    #[serde(default)]
    auth: Auth,
    #[serde(default)]
    password_file: Option<PathBuf>,
    #[serde(default)]
    password_env: Option<String>,
    #[serde(default)]
    password_credential: Option<String>,
    #[serde(default = "inbox")]
    folder: String,
    #[serde(default = "yes")]
    idle: bool,
    #[serde(default = "sixty")]
    poll_seconds: u64,
    #[serde(default = "five_minutes")]
    catch_up_seconds: u64,
    #[serde(default = "hundred")]
    batch: usize,
    #[serde(default = "thirty")]
    timeout_seconds: u64,
    #[serde(default)]
    answer_since: Option<jiff::Timestamp>,
    #[serde(default = "sixty")]
    reconnect_max_seconds: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    host: String,
    port: u16,
    #[serde(default = "starttls")]
    security: Security,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    user: String,
    #[serde(default)]
    auth: Auth,
    #[serde(default)]
    password_file: Option<PathBuf>,
    #[serde(default)]
    password_env: Option<String>,
    #[serde(default)]
    password_credential: Option<String>,
    #[serde(default = "thirty")]
    timeout_seconds: u64,
    #[serde(default = "five")]
    retry_first_seconds: u64,
    #[serde(default = "five_minutes")]
    retry_max_seconds: u64,
    #[serde(default = "six_hours")]
    retry_window_seconds: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHandling {
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    filing: RawFiling,
    #[serde(default = "sent")]
    sent_folder: String,
    #[serde(default = "drafts")]
    drafts_folder: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFiling {
    #[serde(default)]
    keywords_only: bool,
    #[serde(default = "answered")]
    answered: String,
    #[serde(default = "to_people")]
    to_people: String,
    #[serde(default = "skipped")]
    skipped: String,
}

impl Default for RawFiling {
    fn default() -> Self {
        RawFiling {
            keywords_only: false,
            answered: answered(),
            to_people: to_people(),
            skipped: skipped(),
        }
    }
}

fn implicit() -> Security {
    Security::Implicit
}
fn starttls() -> Security {
    Security::Starttls
}
fn inbox() -> String {
    "INBOX".into()
}
fn yes() -> bool {
    true
}
fn sixty() -> u64 {
    60
}
fn five_minutes() -> u64 {
    300
}
fn hundred() -> usize {
    100
}
fn thirty() -> u64 {
    30
}
fn five() -> u64 {
    5
}
fn six_hours() -> u64 {
    6 * 3600
}
// Not derived: a mailbox without a `[mailbox.handling]` section must get the same defaults as
// one with an empty section. A derived Default gave `sent_folder = ""`, which silently turned
// off the copy in Sent that a restart after a crash relies on (found by bench/backlog).
impl Default for RawHandling {
    fn default() -> Self {
        RawHandling {
            mode: Mode::default(),
            filing: RawFiling::default(),
            sent_folder: sent(),
            drafts_folder: drafts(),
        }
    }
}

fn sent() -> String {
    "Sent".into()
}
fn drafts() -> String {
    "Drafts".into()
}
fn answered() -> String {
    "mailclerk/answered".into()
}
fn to_people() -> String {
    "mailclerk/people".into()
}
fn skipped() -> String {
    "mailclerk/skipped".into()
}

/// Where a password comes from, checked in this order of precedence: a systemd credential
/// (`LoadCredential=`), a file, an environment variable. Exactly one must be given.
#[allow(clippy::too_many_arguments)] // one call per section; a struct would only rename them
fn password(
    file: &Path,
    key: &str,
    auth: Auth,
    base: &Path,
    from_file: Option<&PathBuf>,
    from_env: Option<&String>,
    credential: Option<&String>,
    errors: &mut Vec<ConfigError>,
) -> String {
    let err = |k: &str, problem: String| ConfigError::new(file, format!("{key}.{k}"), problem);
    let given = [
        from_file.is_some(),
        from_env.is_some(),
        credential.is_some(),
    ]
    .iter()
    .filter(|g| **g)
    .count();
    if auth == Auth::Xoauth2 {
        if given != 0 {
            errors.push(err(
                "auth",
                "auth = \"xoauth2\" signs in with a token from [mailbox.oauth2]; remove password_file, password_env and password_credential".into(),
            ));
        }
        return String::new();
    }
    if given != 1 {
        errors.push(err(
            "password_file",
            format!("expected exactly one of password_file, password_env, password_credential; found {given}"),
        ));
        return String::new();
    }
    if !super::offline::secrets_wanted() {
        return String::new();
    }
    let read =
        |path: &Path, k: &str, errors: &mut Vec<ConfigError>| match std::fs::read_to_string(path) {
            Ok(text) => text.trim_end_matches(['\r', '\n']).to_string(),
            Err(e) => {
                errors.push(err(k, format!("cannot read {}: {e}", path.display())));
                String::new()
            }
        };
    if let Some(name) = credential {
        return match std::env::var_os("CREDENTIALS_DIRECTORY") {
            Some(dir) => read(&Path::new(&dir).join(name), "password_credential", errors),
            None => {
                errors.push(err(
                    "password_credential",
                    format!("credential {name:?} needs $CREDENTIALS_DIRECTORY (systemd LoadCredential=); it is not set"),
                ));
                String::new()
            }
        };
    }
    if let Some(path) = from_file {
        return read(&base.join(path), "password_file", errors);
    }
    let var = from_env.expect("counted above");
    std::env::var(var).unwrap_or_else(|_| {
        errors.push(err(
            "password_env",
            format!("the environment variable {var} is not set"),
        ));
        String::new()
    })
}

/// Where a section's secret comes from, for messages about a refused sign-in: `key.password_file
/// (/etc/mailclerk/credentials/smtp-password)` and the like.
fn credential_name(
    key: &str,
    auth: Auth,
    base: &Path,
    from_file: Option<&PathBuf>,
    from_env: Option<&String>,
    credential: Option<&String>,
) -> String {
    if auth == Auth::Xoauth2 {
        return format!("{key}.auth = \"xoauth2\" (the token store of [mailbox.oauth2])");
    }
    if let Some(name) = credential {
        let dir = std::env::var("CREDENTIALS_DIRECTORY")
            .unwrap_or_else(|_| "$CREDENTIALS_DIRECTORY".into());
        return format!("{key}.password_credential {name:?} ({dir}/{name})");
    }
    if let Some(path) = from_file {
        return format!("{key}.password_file ({})", base.join(path).display());
    }
    match from_env {
        Some(var) => format!("{key}.password_env (${var})"),
        None => format!("{key}: no password configured"),
    }
}

fn check_host(
    file: &Path,
    key: &str,
    host: &str,
    security: Security,
    errors: &mut Vec<ConfigError>,
) {
    if host.trim().is_empty() {
        errors.push(ConfigError::new(
            file,
            format!("{key}.host"),
            "expected a host name",
        ));
    }
    if security == Security::Plain && !matches!(host, "127.0.0.1" | "localhost" | "::1") {
        errors.push(ConfigError::new(
            file,
            format!("{key}.security"),
            format!("\"plain\" (no TLS) is only allowed to 127.0.0.1 or localhost, not {host:?}"),
        ));
    }
}

impl RawImap {
    pub(super) fn resolve(
        self,
        file: &Path,
        key: &str,
        base: &Path,
        errors: &mut Vec<ConfigError>,
    ) -> ImapSource {
        check_host(file, key, &self.host, self.security, errors);
        if self.batch == 0 || self.batch > 10_000 {
            errors.push(ConfigError::new(
                file,
                format!("{key}.batch"),
                format!("expected 1 to 10000 messages, found {}", self.batch),
            ));
        }
        if self.catch_up_seconds < 10 || self.catch_up_seconds > 25 * 60 {
            errors.push(ConfigError::new(
                file,
                format!("{key}.catch_up_seconds"),
                format!("expected 10 to 1500 seconds (IDLE must be renewed before the server's 29-minute limit), found {}", self.catch_up_seconds),
            ));
        }
        let password = password(
            file,
            key,
            self.auth,
            base,
            self.password_file.as_ref(),
            self.password_env.as_ref(),
            self.password_credential.as_ref(),
            errors,
        );
        ImapSource {
            host: self.host,
            port: self.port,
            security: self.security,
            ca_file: self.ca_file.map(|p| base.join(p)),
            user: self.user,
            auth: self.auth,
            password,
            folder: self.folder,
            idle: self.idle,
            poll: Duration::from_secs(self.poll_seconds.max(1)),
            catch_up: Duration::from_secs(self.catch_up_seconds),
            batch: self.batch,
            timeout: Duration::from_secs(self.timeout_seconds.max(1)),
            answer_since: self.answer_since,
            reconnect_max: Duration::from_secs(self.reconnect_max_seconds.max(1)),
            credential: credential_name(
                key,
                self.auth,
                base,
                self.password_file.as_ref(),
                self.password_env.as_ref(),
                self.password_credential.as_ref(),
            ),
        }
    }
}

impl RawSmtp {
    pub(super) fn resolve(
        self,
        file: &Path,
        key: &str,
        base: &Path,
        errors: &mut Vec<ConfigError>,
    ) -> SmtpSettings {
        check_host(file, key, &self.host, self.security, errors);
        if self.retry_first_seconds == 0 || self.retry_first_seconds > self.retry_max_seconds {
            errors.push(ConfigError::new(
                file,
                format!("{key}.retry_first_seconds"),
                format!(
                    "expected 1 to retry_max_seconds ({}) seconds, found {}",
                    self.retry_max_seconds, self.retry_first_seconds
                ),
            ));
        }
        let password = password(
            file,
            key,
            self.auth,
            base,
            self.password_file.as_ref(),
            self.password_env.as_ref(),
            self.password_credential.as_ref(),
            errors,
        );
        SmtpSettings {
            host: self.host,
            port: self.port,
            security: self.security,
            ca_file: self.ca_file.map(|p| base.join(p)),
            user: self.user,
            auth: self.auth,
            password,
            timeout: Duration::from_secs(self.timeout_seconds.max(1)),
            retry_first: Duration::from_secs(self.retry_first_seconds.max(1)),
            retry_max: Duration::from_secs(self.retry_max_seconds.max(1)),
            retry_window: Duration::from_secs(self.retry_window_seconds),
            credential: credential_name(
                key,
                self.auth,
                base,
                self.password_file.as_ref(),
                self.password_env.as_ref(),
                self.password_credential.as_ref(),
            ),
        }
    }
}

impl RawHandling {
    pub(super) fn resolve(self) -> Handling {
        let f = self.filing;
        Handling {
            mode: self.mode,
            filing: if f.keywords_only {
                Filing::Keywords
            } else {
                Filing::Folders {
                    answered: f.answered,
                    to_people: f.to_people,
                    skipped: f.skipped,
                }
            },
            sent_folder: Some(self.sent_folder).filter(|s| !s.is_empty()),
            drafts_folder: self.drafts_folder,
        }
    }
}

/// SMTP relay settings, resolved (password read).
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub ca_file: Option<PathBuf>,
    pub user: String,
    pub auth: Auth,
    /// Empty with `auth = "xoauth2"`.
    pub password: String,
    pub timeout: std::time::Duration,
    /// The first pause after the relay deferred a reply; it doubles up to `retry_max`.
    pub retry_first: std::time::Duration,
    pub retry_max: std::time::Duration,
    /// How long the relay may keep refusing before the replies it will not take go to people.
    pub retry_window: std::time::Duration,
    /// Where the password or token comes from (the config key and file), for sign-in errors.
    pub credential: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SmtpSettings {{ {}:{} {:?} user {} }}",
            self.host, self.port, self.security, self.user
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_handling_section_means_the_documented_defaults() {
        let absent = RawHandling::default().resolve();
        let empty: RawHandling = toml::from_str("").unwrap();
        let empty = empty.resolve();
        assert_eq!(absent.sent_folder.as_deref(), Some("Sent"));
        assert_eq!(absent.sent_folder, empty.sent_folder);
        assert_eq!(absent.drafts_folder, empty.drafts_folder);
    }
}
