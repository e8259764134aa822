//! A mailbox's `[mailbox.oauth2]` section: which identity provider signs the mailbox in, with
//! which flow, as which app. The client secret comes from a file, a systemd credential or the
//! environment, never from the TOML; tokens live in the token store, never in the TOML.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::error::ConfigError;

/// A token or client secret. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Who issues the tokens. The provider fixes the endpoints and the default scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Microsoft Entra ID (Microsoft 365, Exchange Online).
    Microsoft,
    /// Google (Gmail, Google Workspace).
    Google,
    /// Any RFC 6749 server; every endpoint and the scopes must be given.
    Generic,
}

/// How the first token is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// App-only access (client credentials): no person, no refresh token; the best fit for a
    /// headless daemon on Microsoft 365.
    ClientCredentials,
    /// Delegated access: a person enters a code on another device once (RFC 8628).
    DeviceCode,
    /// Delegated access: a person signs in with a browser on this machine, which is redirected
    /// back to a listener on 127.0.0.1 (installed-app flow, RFC 8252).
    Loopback,
}

/// The validated OAuth2 settings of one mailbox.
#[derive(Clone)]
pub struct OAuth2 {
    pub provider: Provider,
    pub flow: Flow,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// Microsoft only: the directory (tenant) ID or domain, or `organizations`.
    pub tenant: Option<String>,
    pub scopes: Vec<String>,
    pub token_url: String,
    pub device_url: Option<String>,
    pub auth_url: Option<String>,
    /// Loopback flow: the port of the redirect listener; 0 picks a free one.
    pub redirect_port: u16,
    /// Where the tokens are kept (mode 0600).
    pub token_store: PathBuf,
    /// After a refused token: wait at least this long before trying again, doubling.
    pub retry: Duration,
    /// ... up to this.
    pub retry_max: Duration,
}

impl std::fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2")
            .field("provider", &self.provider)
            .field("flow", &self.flow)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("tenant", &self.tenant)
            .field("scopes", &self.scopes)
            .field("token_url", &self.token_url)
            .field("token_store", &self.token_store)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOAuth2 {
    provider: Provider,
    flow: Flow,
    client_id: String,
    /// Only present to say clearly that secrets never go inline.
    #[serde(default)]
    client_secret: Option<toml::Value>,
    #[serde(default)]
    client_secret_file: Option<PathBuf>,
    #[serde(default)]
    client_secret_env: Option<String>,
    #[serde(default)]
    client_secret_credential: Option<String>,
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    token_url: Option<String>,
    #[serde(default)]
    device_url: Option<String>,
    #[serde(default)]
    auth_url: Option<String>,
    #[serde(default)]
    redirect_port: u16,
    #[serde(default)]
    token_store: Option<PathBuf>,
    #[serde(default = "sixty")]
    retry_seconds: u64,
    #[serde(default = "hour")]
    retry_max_seconds: u64,
}

fn sixty() -> u64 {
    60
}
fn hour() -> u64 {
    3600
}

/// Microsoft's delegated scopes: IMAP and SMTP as the signed-in user, and a refresh token.
pub const MICROSOFT_DELEGATED_SCOPES: [&str; 3] = [
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
];
/// Microsoft's app-only scope: whatever application permissions the app was granted
/// (IMAP.AccessAsApp, SMTP.SendAsApp).
pub const MICROSOFT_APP_SCOPE: &str = "https://outlook.office365.com/.default";
/// Google's one scope for IMAP and SMTP.
pub const GOOGLE_SCOPE: &str = "https://mail.google.com/";

impl RawOAuth2 {
    pub(super) fn resolve(
        self,
        file: &Path,
        key: &str,
        base: &Path,
        default_store: PathBuf,
        errors: &mut Vec<ConfigError>,
    ) -> OAuth2 {
        let mut problems = Vec::new();
        if self.client_id.trim().is_empty() {
            problems.push((
                "client_id",
                "expected the app's client (application) ID".into(),
            ));
        }
        if self.client_secret.is_some() {
            problems.push((
                "client_secret",
                "secrets never go inline in the TOML; use client_secret_file, client_secret_env or client_secret_credential".into(),
            ));
        }
        let client_secret = secret(&self, base, &mut problems);
        if self.flow == Flow::ClientCredentials && client_secret.is_none() {
            problems.push((
                "client_secret_file",
                "flow \"client_credentials\" needs the client secret: one of client_secret_file, client_secret_env, client_secret_credential".into(),
            ));
        }
        self.check_flow(&mut problems);
        let tenant = self.tenant.clone().filter(|t| !t.trim().is_empty());
        self.check_tenant(tenant.as_deref(), &mut problems);
        let (token_url, device_url, auth_url) = self.endpoints(tenant.as_deref(), &mut problems);
        let scopes = self.scopes(&mut problems);
        self.check_retry(&mut problems);
        errors.extend(
            problems
                .into_iter()
                .map(|(k, problem)| ConfigError::new(file, format!("{key}.{k}"), problem)),
        );
        OAuth2 {
            provider: self.provider,
            flow: self.flow,
            client_id: self.client_id.trim().to_string(),
            client_secret,
            tenant,
            scopes,
            token_url,
            device_url,
            auth_url,
            redirect_port: self.redirect_port,
            token_store: self
                .token_store
                .map(|p| base.join(p))
                .unwrap_or(default_store),
            retry: Duration::from_secs(self.retry_seconds.max(1)),
            retry_max: Duration::from_secs(self.retry_max_seconds.max(self.retry_seconds).max(1)),
        }
    }

    /// The flow must be one the provider offers.
    fn check_flow(&self, problems: &mut Vec<(&'static str, String)>) {
        let allowed = match self.provider {
            Provider::Microsoft => &[Flow::ClientCredentials, Flow::DeviceCode, Flow::Loopback][..],
            // Google's device flow does not allow the mail scope, and app-only access needs a
            // service account with domain-wide delegation (not supported here).
            Provider::Google => &[Flow::Loopback][..],
            Provider::Generic => &[Flow::ClientCredentials, Flow::DeviceCode, Flow::Loopback][..],
        };
        if !allowed.contains(&self.flow) {
            problems.push((
                "flow",
                format!(
                    "provider {:?} supports flow {}; found {:?}",
                    self.provider,
                    allowed
                        .iter()
                        .map(|f| format!("{f:?}"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    self.flow
                ),
            ));
        }
    }

    /// Microsoft needs a tenant (its own, for app-only access); the others have none.
    fn check_tenant(&self, tenant: Option<&str>, problems: &mut Vec<(&'static str, String)>) {
        match (self.provider, tenant) {
            (Provider::Microsoft, None) => problems.push((
                "tenant",
                "expected the Entra ID directory (tenant) ID or domain, such as \"contoso.onmicrosoft.com\"".into(),
            )),
            (Provider::Microsoft, Some(t))
                if !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.')) =>
            {
                problems.push((
                    "tenant",
                    format!("expected a tenant ID or domain (letters, digits, - and .), found {t:?}"),
                ));
            }
            (Provider::Microsoft, Some(t))
                if self.flow == Flow::ClientCredentials
                    && matches!(t, "common" | "organizations" | "consumers") =>
            {
                problems.push((
                    "tenant",
                    format!("app-only access needs the tenant's own ID or domain, not {t:?}"),
                ));
            }
            (Provider::Google | Provider::Generic, Some(_)) => problems.push((
                "tenant",
                "only provider \"microsoft\" has a tenant; remove it".into(),
            )),
            _ => {}
        }
    }

    /// The token, device and authorization URLs: as given, or the provider's own; each needed
    /// one present, each given one https (http only to this machine).
    fn endpoints(
        &self,
        tenant: Option<&str>,
        problems: &mut Vec<(&'static str, String)>,
    ) -> (String, Option<String>, Option<String>) {
        let t = tenant.unwrap_or("organizations");
        let (token, device, auth) = match self.provider {
            Provider::Microsoft => (
                Some(format!(
                    "https://login.microsoftonline.com/{t}/oauth2/v2.0/token"
                )),
                Some(format!(
                    "https://login.microsoftonline.com/{t}/oauth2/v2.0/devicecode"
                )),
                Some(format!(
                    "https://login.microsoftonline.com/{t}/oauth2/v2.0/authorize"
                )),
            ),
            Provider::Google => (
                Some("https://oauth2.googleapis.com/token".to_string()),
                None,
                Some("https://accounts.google.com/o/oauth2/v2/auth".to_string()),
            ),
            Provider::Generic => (None, None, None),
        };
        let mut url = |k: &'static str,
                       given: Option<String>,
                       default: Option<String>,
                       needed: bool| {
            let value = given.or(default);
            match &value {
                None if needed => problems.push((
                    k,
                    format!("expected the URL of the provider's endpoint (provider {:?}, flow {:?})", self.provider, self.flow),
                )),
                Some(u) if !url_ok(u) => problems.push((
                    k,
                    format!("expected an https:// URL (http:// only to 127.0.0.1 or localhost), found {u:?}"),
                )),
                _ => {}
            }
            value
        };
        let token_url = url("token_url", self.token_url.clone(), token, true).unwrap_or_default();
        let device_url = url(
            "device_url",
            self.device_url.clone(),
            device,
            self.flow == Flow::DeviceCode,
        );
        let auth_url = url(
            "auth_url",
            self.auth_url.clone(),
            auth,
            self.flow == Flow::Loopback,
        );
        (token_url, device_url, auth_url)
    }

    /// The scopes as given, or the provider's for the flow; one or more, without spaces.
    fn scopes(&self, problems: &mut Vec<(&'static str, String)>) -> Vec<String> {
        let scopes = match (&self.scopes, self.provider, self.flow) {
            (Some(s), ..) => s.clone(),
            (None, Provider::Microsoft, Flow::ClientCredentials) => {
                vec![MICROSOFT_APP_SCOPE.into()]
            }
            (None, Provider::Microsoft, _) => MICROSOFT_DELEGATED_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            (None, Provider::Google, _) => vec![GOOGLE_SCOPE.into()],
            (None, Provider::Generic, _) => Vec::new(),
        };
        if scopes.is_empty()
            || scopes
                .iter()
                .any(|s| s.trim().is_empty() || s.contains(' '))
        {
            problems.push((
                "scopes",
                format!("expected a list of one or more scopes without spaces, found {scopes:?}"),
            ));
        }
        scopes
    }

    fn check_retry(&self, problems: &mut Vec<(&'static str, String)>) {
        if !(1..=3600).contains(&self.retry_seconds) {
            problems.push((
                "retry_seconds",
                format!("expected 1 to 3600 seconds, found {}", self.retry_seconds),
            ));
        }
        if self.retry_max_seconds < self.retry_seconds || self.retry_max_seconds > 86_400 {
            problems.push((
                "retry_max_seconds",
                format!(
                    "expected retry_seconds ({}) to 86400 seconds, found {}",
                    self.retry_seconds, self.retry_max_seconds
                ),
            ));
        }
    }
}

/// The client secret: from a systemd credential, a file or an environment variable; at most
/// one may be given. Problems come back as (key, problem).
fn secret(
    raw: &RawOAuth2,
    base: &Path,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<Secret> {
    let given = [
        raw.client_secret_file.is_some(),
        raw.client_secret_env.is_some(),
        raw.client_secret_credential.is_some(),
    ]
    .iter()
    .filter(|g| **g)
    .count();
    if given > 1 {
        problems.push((
            "client_secret_file",
            format!("expected at most one of client_secret_file, client_secret_env, client_secret_credential; found {given}"),
        ));
        return None;
    }
    if !super::offline::secrets_wanted() {
        return (given == 1).then(|| Secret::new(String::new()));
    }
    let (key, found) = if let Some(name) = &raw.client_secret_credential {
        let found = match std::env::var_os("CREDENTIALS_DIRECTORY") {
            Some(dir) => read_secret(&Path::new(&dir).join(name)),
            None => Err(SecretError::NoCredentialsDirectory { name: name.clone() }),
        };
        ("client_secret_credential", found)
    } else if let Some(path) = &raw.client_secret_file {
        ("client_secret_file", read_secret(&base.join(path)))
    } else if let Some(var) = &raw.client_secret_env {
        let found = std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .ok_or_else(|| SecretError::EnvUnset { var: var.clone() });
        ("client_secret_env", found)
    } else {
        return None;
    };
    found
        .map_err(|e| problems.push((key, crate::error_chain(&e))))
        .ok()
}

/// Why the client secret could not be had; it becomes the problem of a [`ConfigError`] at the
/// key that names it, its cause included.
#[derive(Debug, thiserror::Error)]
enum SecretError {
    #[error(
        "credential {name:?} needs $CREDENTIALS_DIRECTORY (systemd LoadCredential=); it is not set"
    )]
    NoCredentialsDirectory { name: String },
    #[error("the environment variable {var} is not set")]
    EnvUnset { var: String },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is empty; expected the client secret", path.display())]
    Empty { path: PathBuf },
}

fn read_secret(path: &Path) -> Result<Secret, SecretError> {
    let text = std::fs::read_to_string(path).map_err(|source| SecretError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() {
        return Err(SecretError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(Secret::new(text.to_string()))
}

/// https anywhere; plain http only to this machine (the tests' token endpoint).
fn url_ok(u: &str) -> bool {
    let Ok(url) = oauth2::url::Url::parse(u) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> (OAuth2, Vec<String>) {
        let file = Path::new("m.toml");
        let raw: RawOAuth2 = super::super::error::parse_toml(file, text).unwrap();
        let mut errors = Vec::new();
        let o = raw.resolve(
            file,
            "mailbox[0].oauth2",
            Path::new("/etc/mc"),
            PathBuf::from("/var/lib/mc/x.oauth2.json"),
            &mut errors,
        );
        (o, errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn microsoft_app_only_gets_its_endpoints_and_default_scope() {
        let (o, errors) = resolve(
            "provider = \"microsoft\"\nflow = \"client_credentials\"\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"abc\"\nclient_secret_env = \"PATH\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            o.token_url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(o.scopes, [MICROSOFT_APP_SCOPE]);
        assert_eq!(o.retry, Duration::from_secs(60));
        assert!(!format!("{o:?}").contains(&std::env::var("PATH").unwrap()));
    }

    #[test]
    fn each_mistake_names_its_key_and_what_was_expected() {
        let (_, errors) = resolve(
            "provider = \"microsoft\"\nflow = \"client_credentials\"\ntenant = \"common\"\nclient_id = \"abc\"\nclient_secret = \"hunter2\"\ntoken_url = \"http://login.example.com/token\"\n",
        );
        let all = errors.join("\n");
        for want in [
            "m.toml, key mailbox[0].oauth2.client_secret: secrets never go inline",
            "mailbox[0].oauth2.client_secret_file: flow \"client_credentials\" needs the client secret",
            "mailbox[0].oauth2.tenant: app-only access needs the tenant's own ID",
            "mailbox[0].oauth2.token_url: expected an https:// URL",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
        assert!(!all.contains("hunter2"), "{all}");
        let (_, errors) =
            resolve("provider = \"google\"\nflow = \"device_code\"\nclient_id = \"abc\"\n");
        assert!(
            errors
                .iter()
                .any(|e| e
                    .contains("mailbox[0].oauth2.flow: provider Google supports flow Loopback")),
            "{errors:?}"
        );
        let (_, errors) =
            resolve("provider = \"generic\"\nflow = \"device_code\"\nclient_id = \"abc\"\n");
        let all = errors.join("\n");
        assert!(
            all.contains("oauth2.token_url: expected the URL")
                && all.contains("oauth2.device_url: expected the URL")
                && all.contains("oauth2.scopes"),
            "{all}"
        );
    }
}
