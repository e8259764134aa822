//! Configuration: the main TOML file, and the policy files and templates it names.
//!
//! Two levels, as everywhere in mailclerk: raw serde structs that reject unknown keys, then a
//! validated [`Config`]. Every mistake found is collected, so one `config check` lists them all.

pub mod billing;
pub mod classifier;
pub mod classify;
/// Configuration errors: the type lives below the core (policies validate into it); the
/// strict TOML readers that produce it live in [`read`].
pub mod error {
    pub use super::read::{parse_toml, read_toml};
    pub use crate::config_error::*;
}
pub mod guard;
pub mod language;
pub mod lease;
pub mod mail;
mod mailbox;
pub mod metrics;
pub mod oauth2;
pub mod offline;
pub mod policy;
pub mod read;
pub mod store;
mod templates;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::classify::{ClassifyRules, Model};
use crate::render::Templates;
pub use error::{ConfigError, ConfigErrors};
pub use mail::{Filing, Handling, ImapSource, Mode, Security};
pub use mailbox::{Mailbox, Outbox, Source};
use mailbox::{RawMailbox, from_note, mailbox_from_raw};
pub use templates::load_templates;

/// The validated configuration.
#[derive(Debug)]
pub struct Config {
    /// The main file, as given.
    pub file: PathBuf,
    pub templates: Templates,
    pub classify: ClassifyRules,
    /// The learned classifier (the `classifier` key, or the built-in model).
    pub model: std::sync::Arc<Model>,
    /// Messages above this size go to people unread.
    pub max_message_bytes: usize,
    pub mailboxes: Vec<Mailbox>,
    /// Things worth knowing that are not errors (`config check` prints them, `run` logs
    /// them): a policy's vendor address that is not the mailbox's.
    pub notes: Vec<ConfigError>,
    /// Where the Prometheus endpoint listens (`[metrics] listen`); none when off.
    pub metrics: Option<std::net::SocketAddr>,
    /// `[lease]`: how instances sharing a Postgres store hold their mailboxes.
    pub lease: lease::Lease,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    templates: PathBuf,
    state_dir: PathBuf,
    #[serde(default)]
    max_message_bytes: Option<usize>,
    #[serde(default)]
    classify: Option<classify::RawClassify>,
    #[serde(default)]
    metrics: Option<metrics::RawMetrics>,
    #[serde(default)]
    lease: Option<lease::RawLease>,
    /// The learned classifier's model file; the built-in model when absent.
    #[serde(default)]
    classifier: Option<PathBuf>,
    /// Where the stores live: SQLite files (default) or one PostgreSQL database.
    #[serde(default)]
    store: Option<store::RawStore>,
    mailbox: Vec<RawMailbox>,
}

/// 10 MB, as Dovecot's and Postfix's own defaults (reliability-notes §7).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

impl Config {
    /// Loads and validates the main file and every policy and template it names. Relative
    /// paths are relative to the main file's directory.
    ///
    /// # Errors
    /// Every mistake found, each naming its file and key.
    pub fn load(file: &Path) -> Result<Config, ConfigErrors> {
        let mut read = read::read::<RawConfig>(file);
        let Some(raw) = read.take() else {
            return Err(ConfigErrors(read.finish(Vec::new())));
        };
        let (errors, config) = Config::from_raw(file, raw);
        let errors = read.finish(errors);
        match config {
            Some(config) if errors.is_empty() => Ok(config),
            _ => Err(ConfigErrors(errors)),
        }
    }

    /// Checks the raw configuration; the mistakes found and, if none, the configuration.
    fn from_raw(file: &Path, raw: RawConfig) -> (Vec<ConfigError>, Option<Config>) {
        let base = file.parent().unwrap_or(Path::new("."));
        let mut errors = Vec::new();
        if raw.templates.as_os_str().is_empty() {
            errors.push(ConfigError::new(
                file,
                "templates",
                "expected the directory of reply templates",
            ));
        }

        let (templates, templates_loaded) = match load_templates(&base.join(&raw.templates)) {
            Ok(t) => (t, true),
            Err(e) => {
                errors.extend(e);
                (Templates::empty(), false)
            }
        };
        let classify: ClassifyRules =
            classify::load(file, base, raw.classify.as_ref(), &mut errors);
        let metrics = raw
            .metrics
            .as_ref()
            .and_then(|m| m.resolve(file, &mut errors));
        let lease = raw
            .lease
            .as_ref()
            .map_or(Some(lease::Lease::default()), |l| {
                l.resolve(file, &mut errors)
            })
            .unwrap_or_default();
        let model = classifier::load(file, base, raw.classifier.as_deref(), &mut errors);
        let max_message_bytes = raw.max_message_bytes.unwrap_or(DEFAULT_MAX_MESSAGE_BYTES);
        if max_message_bytes < 1024 {
            errors.push(ConfigError::new(
                file,
                "max_message_bytes",
                format!("expected at least 1024 bytes, found {max_message_bytes}"),
            ));
        }
        if raw.mailbox.is_empty() {
            errors.push(ConfigError::new(
                file,
                "mailbox",
                "expected at least one [[mailbox]]",
            ));
        }

        let postgres = raw.store.and_then(|s| s.resolve(file, base, &mut errors));
        let mut mailboxes = Vec::new();
        for (i, m) in raw.mailbox.into_iter().enumerate() {
            let key = format!("mailbox[{i}]");
            let langs = templates.languages();
            if let Some(mailbox) =
                mailbox_from_raw(file, base, &raw.state_dir, &key, m, &langs, &mut errors)
            {
                let mailbox = Mailbox {
                    postgres: postgres.clone(),
                    ..mailbox
                };
                if mailboxes
                    .iter()
                    .any(|o: &Mailbox| o.name == mailbox.name || o.address == mailbox.address)
                {
                    errors.push(ConfigError::new(
                        file,
                        format!("{key}.name"),
                        format!(
                            "mailbox {:?} ({}) is configured twice",
                            mailbox.name, mailbox.address
                        ),
                    ));
                }
                mailboxes.push(mailbox);
            }
        }
        for m in mailboxes.iter().filter(|_| templates_loaded) {
            language::missing_templates(&base.join(&raw.templates), &templates, m, &mut errors);
        }
        if errors.is_empty() {
            let dir = base.join(&raw.templates);
            for m in &mailboxes {
                for e in crate::render::rehearse(&templates, &m.policy)
                    .err()
                    .unwrap_or_default()
                {
                    errors.push(ConfigError::new(
                        &dir.join(format!("{}.txt.j2", e.template)),
                        "",
                        format!(
                            "does not render for policy {:?} (language {}): {}",
                            m.policy.id,
                            e.template.split_once('/').map_or("en", |(code, _)| code),
                            one_line(&e.problem)
                        ),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return (errors, None);
        }
        let notes = mailboxes
            .iter()
            .enumerate()
            .filter_map(|(i, m)| from_note(file, i, m))
            .collect();
        let config = Config {
            file: file.to_path_buf(),
            templates,
            classify,
            model,
            max_message_bytes,
            mailboxes,
            notes,
            metrics,
            lease,
        };
        (errors, Some(config))
    }

    /// Loads the configuration as [`Config::load`] does, but reads no password or client
    /// secret (they are left empty): for commands that only use the stores, which must run
    /// from a shell or cron without the service's credentials.
    ///
    /// # Errors
    /// As [`Config::load`], less the secrets that could not be read.
    pub fn load_without_secrets(file: &Path) -> Result<Config, ConfigErrors> {
        offline::without_secrets(|| Config::load(file))
    }

    /// The mailbox called `name`.
    pub fn mailbox(&self, name: &str) -> Option<&Mailbox> {
        self.mailboxes.iter().find(|m| m.name == name)
    }

    /// The mailbox whose address is among `recipients` (lower-cased), if exactly one is.
    pub fn mailbox_for(&self, recipients: &[String]) -> Option<&Mailbox> {
        let mut found = self
            .mailboxes
            .iter()
            .filter(|m| recipients.contains(&m.address));
        match (found.next(), found.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }
}

/// Some library errors (regex's) draw a caret diagram over several lines; the report keeps one
/// error per line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
