//! OAuth2 sign-in for IMAP and SMTP (Microsoft 365, Google, any RFC 6749 server).
//!
//! A [`TokenSource`] per mailbox hands out access tokens to the IMAP session and the SMTP
//! transport. Tokens live in the token store ([`store`]) in the state directory, never in the
//! TOML or the logs ([`Secret`] redacts itself). An access token is renewed after 80% of its
//! lifetime; a rotated refresh token is written to the store before the new access token is
//! handed out, so a crash right after a refresh never loses the only valid refresh token.

pub mod flow;
pub mod refusal;
pub mod store;

use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::Mutex;

use crate::config::ConfigError;
use crate::config::oauth2::{Flow, OAuth2};

pub use crate::config::oauth2::Secret;

/// Why no access token could be had. [`Error::operator_action`] says what a person must do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "mailbox {mailbox} has no OAuth2 token store at {path}; run `mailclerk auth login --mailbox {mailbox}`"
    )]
    NoStore { mailbox: String, path: PathBuf },
    #[error(
        "mailbox {mailbox} has no refresh token; run `mailclerk auth login --mailbox {mailbox}`"
    )]
    NoRefreshToken { mailbox: String },
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("consent for mailbox {mailbox} was revoked or has expired ({detail})")]
    Revoked { mailbox: String, detail: String },
    #[error("the identity provider refused the app of mailbox {mailbox} ({detail})")]
    Client { mailbox: String, detail: String },
    #[error("the token endpoint {url} could not be reached; will retry")]
    Unreachable {
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the token endpoint {url} answered unexpectedly ({detail})")]
    Protocol { url: String, detail: String },
    #[error("sign-in for mailbox {mailbox} did not complete: {detail}")]
    Login { mailbox: String, detail: String },
    /// The loopback flow could not receive the browser's redirect on 127.0.0.1.
    #[error(
        "sign-in for mailbox {mailbox} did not complete: cannot receive the redirect on 127.0.0.1:{port}"
    )]
    Listen {
        mailbox: String,
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the OAuth2 settings of mailbox {mailbox} are unusable: {detail}")]
    Setup { mailbox: String, detail: String },
}

impl Error {
    /// True when trying again later may help without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Unreachable { .. } | Error::Protocol { .. })
    }

    /// What the operator must do, for the ERROR line.
    pub fn operator_action(&self, mailbox: &str) -> String {
        match self {
            Error::NoStore { .. } | Error::NoRefreshToken { .. } | Error::Revoked { .. } => {
                format!("consent revoked or missing: run mailclerk auth login --mailbox {mailbox}")
            }
            Error::Store(store::Error::Mode { path, .. }) => {
                format!("chmod 600 {}", path.display())
            }
            Error::Store(_) => {
                format!("fix the token store, or run mailclerk auth login --mailbox {mailbox}")
            }
            Error::Client { .. } | Error::Setup { .. } => format!(
                "check client_id, the client secret and the app's permissions in [mailbox.oauth2] of mailbox {mailbox}"
            ),
            Error::Unreachable { .. } | Error::Protocol { .. } => {
                "nothing yet: the identity provider will be asked again".into()
            }
            Error::Login { .. } | Error::Listen { .. } => {
                format!("run mailclerk auth login --mailbox {mailbox} again")
            }
        }
    }
}

/// The access tokens of one mailbox, shared by its IMAP session and its SMTP transport.
pub struct TokenSource {
    mailbox: String,
    settings: OAuth2,
    http: oauth2::reqwest::Client,
    cached: Mutex<Option<store::Tokens>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("mailbox", &self.mailbox)
            .field("store", &self.settings.token_store)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// A source for `mailbox`; reads nothing yet.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(mailbox: &str, settings: &OAuth2) -> Result<TokenSource, Error> {
        Ok(TokenSource {
            mailbox: mailbox.to_string(),
            settings: settings.clone(),
            http: flow::http_client()?,
            cached: Mutex::new(None),
        })
    }

    /// The mailbox's name.
    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    /// The settings this source was made from.
    pub fn settings(&self) -> &OAuth2 {
        &self.settings
    }

    /// A usable access token: the one held until 80% of its lifetime, then a renewed one.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn access_token(&self) -> Result<Secret, Error> {
        let mut cached = self.cached.lock().await;
        if cached.is_none() {
            *cached = store::load(&self.settings.token_store)?;
            if let Some(t) = cached.as_ref() {
                crate::metrics::token_expiry(&self.mailbox, t.expires_at);
            }
        }
        if let Some(t) = cached.as_ref()
            && !t.access_token.expose().is_empty()
            && t.fresh(Timestamp::now())
        {
            return Ok(t.access_token.clone());
        }
        self.renew(&mut cached).await
    }

    /// A new access token whatever the clock says: the server refused the one we had.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn renewed(&self) -> Result<Secret, Error> {
        let mut cached = self.cached.lock().await;
        self.renew(&mut cached).await
    }

    /// When the token held now should be renewed (for logs and tests).
    pub async fn renew_at(&self) -> Option<Timestamp> {
        self.cached
            .lock()
            .await
            .as_ref()
            .map(store::Tokens::renew_at)
    }

    async fn renew(&self, cached: &mut Option<store::Tokens>) -> Result<Secret, Error> {
        let path = &self.settings.token_store;
        // The file is the truth: `mailclerk auth login` may have replaced it while we ran.
        let on_disk = store::load(path)?;
        let fresh = match self.settings.flow {
            Flow::ClientCredentials => {
                flow::client_credentials(&self.http, &self.mailbox, &self.settings).await?
            }
            Flow::DeviceCode | Flow::Loopback => {
                let Some(old) = on_disk else {
                    return Err(Error::NoStore {
                        mailbox: self.mailbox.clone(),
                        path: path.clone(),
                    });
                };
                let Some(rt) = &old.refresh_token else {
                    return Err(Error::NoRefreshToken {
                        mailbox: self.mailbox.clone(),
                    });
                };
                flow::refresh(&self.http, &self.mailbox, &self.settings, rt).await?
            }
        };
        // Saved before use: if the provider rotated the refresh token, the old one may be
        // dead already, and this file is the only place the new one lives.
        store::save(path, &fresh)?;
        tracing::info!(
            renew_at = %fresh.renew_at(),
            expires_at = ?fresh.expires_at.map(|t| t.to_string()),
            "OAuth2 access token renewed."
        );
        crate::metrics::token_expiry(&self.mailbox, fresh.expires_at);
        let token = fresh.access_token.clone();
        *cached = Some(fresh);
        Ok(token)
    }
}

/// Runs the mailbox's sign-in flow once (`mailclerk auth login`) and stores the tokens.
/// Returns the store's path.
///
/// # Errors
/// See [`Error`].
pub async fn login(
    mailbox: &str,
    settings: &OAuth2,
    wait: Duration,
    out: &mut (dyn std::io::Write + Send),
) -> Result<PathBuf, Error> {
    let http = flow::http_client()?;
    let tokens = flow::login(&http, mailbox, settings, wait, out).await?;
    if settings.flow != Flow::ClientCredentials && tokens.refresh_token.is_none() {
        return Err(Error::Login {
            mailbox: mailbox.to_string(),
            detail: "the provider gave no refresh token; ask for the offline_access scope (Microsoft) or access_type=offline (Google)".into(),
        });
    }
    store::save(&settings.token_store, &tokens)?;
    Ok(settings.token_store.clone())
}

/// `config check`: every mailbox that signs in with OAuth2 must have a readable token store.
pub fn check_token_stores(cfg: &crate::config::Config) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for (i, m) in cfg.mailboxes.iter().enumerate() {
        let Some(o) = &m.oauth2 else { continue };
        let key = format!("mailbox[{i}].oauth2.token_store");
        match store::load(&o.token_store) {
            Ok(Some(_)) => {}
            Ok(None) => errors.push(ConfigError::new(
                &cfg.file,
                key,
                format!(
                    "auth = \"xoauth2\" needs a token store, and there is none at {}; run `mailclerk auth login --mailbox {}` once",
                    o.token_store.display(),
                    m.name
                ),
            )),
            Err(e) => errors.push(ConfigError::new(&cfg.file, key, e.to_string())),
        }
    }
    errors
}

/// The SASL XOAUTH2 initial response (before base64), as Microsoft and Google document it.
pub fn xoauth2_response(user: &str, token: &Secret) -> Vec<u8> {
    format!("user={user}\x01auth=Bearer {}\x01\x01", token.expose()).into_bytes()
}

/// The SASL OAUTHBEARER initial response (RFC 7628), before base64.
pub fn oauthbearer_response(user: &str, token: &Secret) -> Vec<u8> {
    let user = user.replace('=', "=3D").replace(',', "=2C");
    format!("n,a={user},\x01auth=Bearer {}\x01\x01", token.expose()).into_bytes()
}
