//! One `[[mailbox]]`: its validated form ([`Mailbox`], where its mail comes from and where
//! its replies go) and how it is read from the raw section, each mistake named by key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{
    ConfigError, Handling, ImapSource, billing, classifier, classify, guard, language, mail,
    oauth2, store,
};
use crate::policy::schema::Policy;

/// One support mailbox: one vendor, one policy, one store.
#[derive(Debug)]
pub struct Mailbox {
    pub name: String,
    /// The support address, lower-cased.
    pub address: String,
    /// The vendor's other addresses (lower-cased): mail from them is never answered.
    pub own_addresses: Vec<String>,
    pub policy: Policy,
    /// SQLite store of accounts, decisions and the reply ledger (unused with `postgres`).
    pub store: PathBuf,
    /// The top-level `store = { kind = "postgres", ... }`: this mailbox's rows live in that
    /// database, keyed by its name, instead of in the SQLite file `store`.
    pub postgres: Option<store::Postgres>,
    /// A CSV imported into the store at every start (whole file or nothing), if set.
    pub accounts_csv: Option<PathBuf>,
    pub source: Source,
    pub outbox: Outbox,
    /// Reply mode and filing (used with an IMAP source).
    pub handling: Handling,
    /// How messages are matched to accounts: references, plus-addressing, forwarders.
    pub matching: crate::accounts::MatchRules,
    /// What screening is given (the addresses above), built once rather than per message.
    pub screen: crate::screen::ScreenRules,
    /// Whose `Authentication-Results` are read, and whether a pass is required.
    pub sender_rule: guard::SenderRule,
    /// Limits on automatic mail: per sender a day, and the hourly breaker.
    pub budget: crate::budget::ReplyBudget,
    /// OAuth2 sign-in, for a source or outbox with `auth = "xoauth2"`.
    pub oauth2: Option<oauth2::OAuth2>,
    /// A request is answered automatically only at or above this calibrated probability.
    pub auto_answer_threshold: f32,
    /// `[mailbox.billing]`: where decisions that change money or an account go first.
    pub billing: Option<billing::Settings>,
    /// The SHA-256 of the policy file as loaded, for the audit trail and billing payloads.
    pub policy_sha256: String,
}

/// Where a mailbox's mail comes from.
#[derive(Debug, Clone)]
// One per mailbox, made once when the configuration is read: the size is of no consequence,
// and a Box would only add noise to every match on it.
#[allow(clippy::large_enum_variant)]
pub enum Source {
    /// Every `*.eml` file in a directory is one message.
    Dir { path: PathBuf },
    /// An IMAP folder, watched by the daemon.
    Imap(ImapSource),
}

/// Where a mailbox's replies go.
#[derive(Debug, Clone)]
pub enum Outbox {
    /// Replies are written as `.eml` files (lettre's file transport).
    Dir { path: PathBuf },
    /// An SMTP relay.
    Smtp(mail::SmtpSettings),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMailbox {
    name: String,
    address: String,
    policy: PathBuf,
    #[serde(default)]
    own_addresses: Vec<String>,
    #[serde(default)]
    store: Option<PathBuf>,
    #[serde(default)]
    accounts_csv: Option<PathBuf>,
    source: RawSource,
    outbox: RawOutbox,
    #[serde(default)]
    handling: mail::RawHandling,
    /// Patterns for account references in the text; each with a named group `id` or `name`.
    #[serde(default)]
    account_refs: Vec<String>,
    /// `name+tag@` matches an account listing `name@`.
    #[serde(default)]
    plus_addressing: bool,
    /// Vendor addresses whose forwards of customer mail are read as the customer's request.
    #[serde(default)]
    forwarders: Vec<String>,
    #[serde(default)]
    require_authenticated_sender: bool,
    #[serde(default)]
    trusted_authserv_id: Option<String>,
    #[serde(default)]
    max_replies_per_sender: Option<usize>,
    #[serde(default)]
    max_replies_per_hour: Option<usize>,
    oauth2: Option<oauth2::RawOAuth2>,
    #[serde(default)]
    billing: Option<billing::RawBilling>,
    /// `people` (default) or `confirm`: see [`guard::RawGuard::unverified`].
    #[serde(default)]
    unverified: Option<String>,
    /// Reply languages (codes); default: all seven.
    #[serde(default)]
    languages: Option<Vec<String>>,
    /// The reply language when the customer's cannot be told or is not enabled; default "en".
    #[serde(default)]
    default_language: Option<String>,
    #[serde(default)]
    disclosure: Option<language::RawDisclosure>,
    /// The calibrated probability a request needs for an automatic answer.
    #[serde(default)]
    auto_answer_threshold: Option<f32>,
}

// `kind = "..."` names the variant: config::read takes a table's `kind` as its variant (serde's
// internally tagged enums would buffer the section and hide its keys' mistakes).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawSource {
    Dir { path: PathBuf },
    Imap(Box<mail::RawImap>),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawOutbox {
    Dir { path: PathBuf },
    Smtp(mail::RawSmtp),
}

pub(super) fn mailbox_from_raw(
    file: &Path,
    base: &Path,
    state_dir: &Path,
    key: &str,
    m: RawMailbox,
    template_langs: &[crate::language::Lang],
    errors: &mut Vec<ConfigError>,
) -> Option<Mailbox> {
    let before = errors.len();
    if m.name.is_empty()
        || !m
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(ConfigError::new(
            file,
            format!("{key}.name"),
            format!("expected letters, digits, - or _, found {:?}", m.name),
        ));
    }
    let address = m.address.trim().to_lowercase();
    if !looks_like_address(&address) {
        errors.push(ConfigError::new(
            file,
            format!("{key}.address"),
            format!("expected an email address, found {:?}", m.address),
        ));
    }
    let mut own_addresses = vec![address.clone()];
    for (j, a) in m.own_addresses.iter().enumerate() {
        let a = a.trim().to_lowercase();
        if !looks_like_address(&a) {
            errors.push(ConfigError::new(
                file,
                format!("{key}.own_addresses[{j}]"),
                format!("expected an email address, found {a:?}"),
            ));
        }
        own_addresses.push(a);
    }
    let matching = classify::match_rules(
        file,
        key,
        (&m.account_refs, m.plus_addressing, &m.forwarders),
        &mut own_addresses,
        errors,
    );
    let (sender_rule, budget) = guard::RawGuard {
        require_authenticated_sender: m.require_authenticated_sender,
        trusted_authserv_id: m.trusted_authserv_id,
        max_replies_per_sender: m.max_replies_per_sender,
        max_replies_per_hour: m.max_replies_per_hour,
        unverified: m.unverified,
    }
    .resolve(file, key, errors);
    let voice = language::RawVoice {
        languages: m.languages,
        default_language: m.default_language,
        disclosure: m.disclosure,
    }
    .resolve(file, key, &address, template_langs, errors);
    // Empty when the key is missing or wrong (already reported); base itself is no policy.
    let policy = if m.policy.as_os_str().is_empty() {
        errors.push(ConfigError::new(
            file,
            format!("{key}.policy"),
            "expected the path of a policy file",
        ));
        None
    } else {
        Policy::load(&base.join(&m.policy))
            .map_err(|e| errors.extend(e))
            .ok()
    };
    let policy_sha256 = billing::file_sha256(&base.join(&m.policy)).unwrap_or_default();
    let billing = m
        .billing
        .and_then(|b| b.resolve(file, &format!("{key}.billing"), base, errors));
    let accounts_csv = m.accounts_csv.map(|p| base.join(p));
    if let Some(csv) = &accounts_csv
        && !csv.is_file()
    {
        errors.push(ConfigError::new(
            file,
            format!("{key}.accounts_csv"),
            format!("no such file: {}", csv.display()),
        ));
    }
    let source = match m.source {
        RawSource::Dir { path } => {
            let path = base.join(path);
            if !path.is_dir() {
                errors.push(ConfigError::new(
                    file,
                    format!("{key}.source.path"),
                    format!(
                        "expected a directory of .eml files, found nothing at {}",
                        path.display()
                    ),
                ));
            }
            Source::Dir { path }
        }
        RawSource::Imap(s) => {
            Source::Imap((*s).resolve(file, &format!("{key}.source"), base, errors))
        }
    };
    let outbox = match m.outbox {
        RawOutbox::Dir { path } => Outbox::Dir {
            path: base.join(path),
        },
        RawOutbox::Smtp(s) => Outbox::Smtp(s.resolve(file, &format!("{key}.outbox"), base, errors)),
    };
    let store = base.join(
        m.store
            .unwrap_or_else(|| state_dir.join(format!("{}.sqlite", m.name))),
    );
    let oauth2 = oauth2_from_raw(
        file, base, state_dir, key, &m.name, m.oauth2, &source, &outbox, errors,
    );
    let auto_answer_threshold = classifier::threshold(
        file,
        &format!("{key}.auto_answer_threshold"),
        m.auto_answer_threshold,
        errors,
    );
    if errors.len() > before {
        return None;
    }
    let mut policy = policy?;
    policy.voice = voice;
    if !policy.vendor.email.eq_ignore_ascii_case(&address)
        && !own_addresses.contains(&policy.vendor.email.to_lowercase())
    {
        own_addresses.push(policy.vendor.email.to_lowercase());
    }
    let screen = crate::screen::ScreenRules {
        own_addresses: own_addresses.clone(),
        loop_marker: address.clone(),
        forwarders: matching.forwarders.clone(),
    };
    Some(Mailbox {
        name: m.name,
        address,
        own_addresses,
        screen,
        policy,
        store,
        postgres: None,
        accounts_csv,
        source,
        outbox,
        handling: m.handling.resolve(),
        matching,
        sender_rule,
        budget,
        oauth2,
        auto_answer_threshold,
        billing,
        policy_sha256,
    })
}

/// Every mail is From the mailbox address (the one it is submitted as, and the one answers to
/// a confirmation question must reach). A policy whose `[vendor] email` differs is allowed, since
/// a vendor may publish a contact address that people read, but `config check` says plainly
/// that it is only printed in replies (docs/policy.md "From").
pub(super) fn from_note(file: &Path, i: usize, m: &Mailbox) -> Option<ConfigError> {
    let vendor = m.policy.vendor.email.trim().to_lowercase();
    (vendor != m.address).then(|| {
        ConfigError::new(
            file,
            format!("mailbox[{i}].address"),
            format!(
                "replies are sent From {} (this mailbox); the policy {:?} gives vendor.email = {:?}, which replies only print as the vendor's contact address and which is never used as From or Reply-To. Set vendor.email to {} if customers should write to the mailbox.",
                m.address, m.policy.id, m.policy.vendor.email, m.address
            ),
        )
    })
}

/// The `[mailbox.oauth2]` section, which must be there exactly when the source or the outbox
/// signs in with `auth = "xoauth2"`.
#[allow(clippy::too_many_arguments)] // the parts of one mailbox, as mailbox_from_raw has them
fn oauth2_from_raw(
    file: &Path,
    base: &Path,
    state_dir: &Path,
    key: &str,
    name: &str,
    raw: Option<oauth2::RawOAuth2>,
    source: &Source,
    outbox: &Outbox,
    errors: &mut Vec<ConfigError>,
) -> Option<oauth2::OAuth2> {
    let uses = matches!(source, Source::Imap(s) if s.auth == mail::Auth::Xoauth2)
        || matches!(outbox, Outbox::Smtp(s) if s.auth == mail::Auth::Xoauth2);
    match raw {
        None if uses => {
            errors.push(ConfigError::new(
                file,
                format!("{key}.oauth2"),
                "auth = \"xoauth2\" needs a [mailbox.oauth2] section (provider, flow, client_id)",
            ));
            None
        }
        None => None,
        Some(_) if !uses => {
            errors.push(ConfigError::new(
                file,
                format!("{key}.oauth2"),
                "expected auth = \"xoauth2\" in the source or the outbox, or no [mailbox.oauth2] section",
            ));
            None
        }
        Some(raw) => {
            let store = base.join(state_dir).join(format!("{name}.oauth2.json"));
            Some(raw.resolve(file, &format!("{key}.oauth2"), base, store, errors))
        }
    }
}

fn looks_like_address(a: &str) -> bool {
    matches!(a.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !a.contains(char::is_whitespace))
}
