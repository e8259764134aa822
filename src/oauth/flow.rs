//! The token requests, made by the `oauth2` crate over reqwest (rustls): client credentials,
//! refresh, the device-code flow and the installed-app flow with a loopback redirect.

use std::io::Write;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    DeviceAuthorizationUrl, DeviceCodeErrorResponse, DeviceCodeErrorResponseType, EndpointMaybeSet,
    EndpointNotSet, ErrorResponseType, HttpClientError, PkceCodeChallenge, RedirectUrl,
    RefreshToken, RequestTokenError, Scope, StandardDeviceAuthorizationResponse,
    StandardErrorResponse, TokenResponse, TokenUrl, reqwest,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::store::Tokens;
use super::{Error, Secret};
use crate::config::oauth2::{Flow, OAuth2, Provider};

type Client = BasicClient<
    EndpointMaybeSet,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
>;

/// The HTTP client for token requests: no redirects (a token endpoint that redirects is
/// misconfigured or hostile), bounded in time.
///
/// # Errors
/// Only if the TLS backend cannot start.
pub fn http_client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| Error::Unreachable {
            url: "(HTTP client)".into(),
            source: e.into(),
        })
}

fn client(mailbox: &str, s: &OAuth2, redirect: Option<String>) -> Result<Client, Error> {
    let bad = |what: &str, url: &str| Error::Setup {
        mailbox: mailbox.to_string(),
        detail: format!("{what} {url:?} is not a URL"),
    };
    let token = TokenUrl::new(s.token_url.clone()).map_err(|_| bad("token_url", &s.token_url))?;
    let device = s
        .device_url
        .as_ref()
        .map(|u| DeviceAuthorizationUrl::new(u.clone()).map_err(|_| bad("device_url", u)))
        .transpose()?;
    let auth = s
        .auth_url
        .as_ref()
        .map(|u| AuthUrl::new(u.clone()).map_err(|_| bad("auth_url", u)))
        .transpose()?;
    let mut c = BasicClient::new(ClientId::new(s.client_id.clone()))
        // Both providers document the form body; public clients have no secret for Basic.
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri_option(Some(token))
        .set_device_authorization_url_option(device)
        .set_auth_uri_option(auth);
    if let Some(secret) = &s.client_secret {
        c = c.set_client_secret(ClientSecret::new(secret.expose().to_string()));
    }
    if let Some(r) = redirect {
        c = c.set_redirect_uri(RedirectUrl::new(r.clone()).map_err(|_| bad("redirect", &r))?);
    }
    Ok(c)
}

fn scopes(s: &OAuth2) -> Vec<Scope> {
    s.scopes.iter().map(|x| Scope::new(x.clone())).collect()
}

/// App-only access: a new access token for the app itself.
///
/// # Errors
/// See [`Error`].
pub async fn client_credentials(
    http: &reqwest::Client,
    mailbox: &str,
    s: &OAuth2,
) -> Result<Tokens, Error> {
    let c = client(mailbox, s, None)?;
    let request = c
        .exchange_client_credentials()
        .map_err(|e| setup(mailbox, e))?
        .add_scopes(scopes(s));
    let started = Timestamp::now();
    let response = request
        .request_async(http)
        .await
        .map_err(|e| token_error(mailbox, &s.token_url, e))?;
    Ok(tokens(&response, started, None, s))
}

/// Exchanges the refresh token for a new access token (and, with rotation, a new refresh
/// token; the old one is kept when none comes back).
///
/// # Errors
/// See [`Error`]; `invalid_grant` (consent revoked, refresh token expired) is
/// [`Error::Revoked`].
pub async fn refresh(
    http: &reqwest::Client,
    mailbox: &str,
    s: &OAuth2,
    refresh_token: &Secret,
) -> Result<Tokens, Error> {
    let c = client(mailbox, s, None)?;
    let rt = RefreshToken::new(refresh_token.expose().to_string());
    let request = c
        .exchange_refresh_token(&rt)
        .map_err(|e| setup(mailbox, e))?
        .add_scopes(scopes(s));
    let started = Timestamp::now();
    let response = request
        .request_async(http)
        .await
        .map_err(|e| token_error(mailbox, &s.token_url, e))?;
    Ok(tokens(&response, started, Some(refresh_token), s))
}

/// The device-code flow: prints where to go and which code to enter, then waits for the
/// person to finish (polling as the server asks).
///
/// # Errors
/// See [`Error`]; a refusal or an expired code is [`Error::Login`].
pub async fn device_code(
    http: &reqwest::Client,
    mailbox: &str,
    s: &OAuth2,
    out: &mut (dyn Write + Send),
) -> Result<Tokens, Error> {
    let c = client(mailbox, s, None)?;
    let url = s.device_url.clone().unwrap_or_default();
    let details: StandardDeviceAuthorizationResponse = c
        .exchange_device_code()
        .map_err(|e| setup(mailbox, e))?
        .add_scopes(scopes(s))
        .request_async(http)
        .await
        .map_err(|e| token_error(mailbox, &url, e))?;
    let _ = writeln!(
        out,
        "To sign in mailbox {mailbox}, open {} and enter the code {}",
        details.verification_uri().as_str(),
        details.user_code().secret()
    );
    if let Some(complete) = details.verification_uri_complete() {
        let _ = writeln!(out, "(or open {})", complete.secret());
    }
    let _ = writeln!(
        out,
        "Waiting up to {} minutes for the sign-in...",
        details.expires_in().as_secs().div_ceil(60)
    );
    let _ = out.flush();
    let started = Timestamp::now();
    let response = c
        .exchange_device_access_token(&details)
        .map_err(|e| setup(mailbox, e))?
        .request_async(http, tokio::time::sleep, None)
        .await
        .map_err(|e| device_error(mailbox, &s.token_url, e))?;
    Ok(tokens(&response, started, None, s))
}

/// The installed-app flow: a listener on 127.0.0.1 receives the browser's redirect with the
/// code (PKCE and the state parameter protect it), which is exchanged for tokens.
///
/// # Errors
/// See [`Error`].
pub async fn loopback(
    http: &reqwest::Client,
    mailbox: &str,
    s: &OAuth2,
    wait: Duration,
    out: &mut (dyn Write + Send),
) -> Result<Tokens, Error> {
    let login = |detail: String| Error::Login {
        mailbox: mailbox.to_string(),
        detail,
    };
    let listen = |port, source| Error::Listen {
        mailbox: mailbox.to_string(),
        port,
        source,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", s.redirect_port))
        .await
        .map_err(|e| listen(s.redirect_port, e))?;
    let port = listener
        .local_addr()
        .map_err(|e| listen(s.redirect_port, e))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}/");
    let c = client(mailbox, s, Some(redirect.clone()))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = c
        .authorize_url(CsrfToken::new_random)
        .map_err(|e| setup(mailbox, e))?
        .add_scopes(scopes(s))
        .set_pkce_challenge(challenge);
    if s.provider == Provider::Google {
        // Without these Google issues no refresh token (or only on the very first consent).
        request = request
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent");
    }
    let (url, state) = request.url();
    let _ = writeln!(
        out,
        "To sign in mailbox {mailbox}, open this address in a browser on this machine:\n{url}\nWaiting for the browser to come back to {redirect} ..."
    );
    let _ = out.flush();
    let code = tokio::time::timeout(wait, receive_code(&listener, state.secret()))
        .await
        .map_err(|_| login(format!("no sign-in within {} s", wait.as_secs())))?
        .map_err(|redirect| match redirect {
            Redirect::Accept(e) => listen(port, e),
            Redirect::Refused { error, text } => {
                login(format!("the provider answered {error}: {text}"))
            }
        })?;
    let started = Timestamp::now();
    let response = c
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| setup(mailbox, e))?
        .set_pkce_verifier(verifier)
        .request_async(http)
        .await
        .map_err(|e| token_error(mailbox, &s.token_url, e))?;
    Ok(tokens(&response, started, None, s))
}

/// Why no code came with the redirect.
enum Redirect {
    /// The listener failed.
    Accept(std::io::Error),
    /// The provider sent the browser back with an error instead of a code.
    Refused { error: String, text: String },
}

/// Accepts browser connections until one carries our state with a code (or an error).
async fn receive_code(listener: &tokio::net::TcpListener, state: &str) -> Result<String, Redirect> {
    loop {
        let (mut conn, _) = listener.accept().await.map_err(Redirect::Accept)?;
        let mut buf = vec![0u8; 8192];
        let mut len = 0;
        // The request line is all we need; read until the end of the headers.
        while len < buf.len() {
            match tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf[len..])).await {
                Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
                Ok(Ok(n)) => len += n,
            }
            if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        let head = String::from_utf8_lossy(&buf[..len]);
        let target = head
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("GET "))
            .and_then(|l| l.split(' ').next())
            .unwrap_or("");
        let Ok(url) = oauth2::url::Url::parse(&format!("http://127.0.0.1{target}")) else {
            reply(&mut conn, "400 Bad Request", "Not a sign-in redirect.").await;
            continue;
        };
        let get = |k: &str| {
            url.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        if get("state").as_deref() != Some(state) {
            // Favicon requests and strays: not ours.
            reply(
                &mut conn,
                "400 Bad Request",
                "Not a sign-in redirect for mailclerk.",
            )
            .await;
            continue;
        }
        if let Some(error) = get("error") {
            reply(&mut conn, "200 OK", "Sign-in failed; see the terminal.").await;
            let text = get("error_description").unwrap_or_default();
            return Err(Redirect::Refused { error, text });
        }
        if let Some(code) = get("code") {
            reply(
                &mut conn,
                "200 OK",
                "Signed in. You can close this window and return to the terminal.",
            )
            .await;
            return Ok(code);
        }
        reply(&mut conn, "400 Bad Request", "No code in the redirect.").await;
    }
}

async fn reply(conn: &mut tokio::net::TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><title>mailclerk</title><p>{text}</p>\n");
    let _ = conn
        .write_all(
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await;
    let _ = conn.shutdown().await;
}

/// Whichever flow the settings name, for `mailclerk auth login`.
///
/// # Errors
/// See [`Error`].
pub async fn login(
    http: &reqwest::Client,
    mailbox: &str,
    s: &OAuth2,
    wait: Duration,
    out: &mut (dyn Write + Send),
) -> Result<Tokens, Error> {
    match s.flow {
        Flow::ClientCredentials => client_credentials(http, mailbox, s).await,
        Flow::DeviceCode => device_code(http, mailbox, s, out).await,
        Flow::Loopback => loopback(http, mailbox, s, wait, out).await,
    }
}

fn tokens(
    r: &BasicTokenResponse,
    started: Timestamp,
    old_refresh: Option<&Secret>,
    s: &OAuth2,
) -> Tokens {
    let expires_at = r.expires_in().and_then(|d| {
        let secs = i64::try_from(d.as_secs()).ok()?;
        started.checked_add(SignedDuration::from_secs(secs)).ok()
    });
    Tokens {
        access_token: Secret::new(r.access_token().secret().clone()),
        refresh_token: r
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone()))
            .or_else(|| old_refresh.cloned()),
        obtained_at: started,
        expires_at,
        scopes: r
            .scopes()
            .map(|v| v.iter().map(|x| x.to_string()).collect())
            .unwrap_or_else(|| s.scopes.clone()),
    }
}

fn setup(mailbox: &str, e: oauth2::ConfigurationError) -> Error {
    Error::Setup {
        mailbox: mailbox.to_string(),
        detail: e.to_string(),
    }
}

fn token_error(
    mailbox: &str,
    url: &str,
    e: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
) -> Error {
    request_error(url, e, |code, detail| match code {
        BasicErrorResponseType::InvalidGrant => Some(Error::Revoked {
            mailbox: mailbox.to_string(),
            detail: detail.to_string(),
        }),
        BasicErrorResponseType::InvalidClient
        | BasicErrorResponseType::UnauthorizedClient
        | BasicErrorResponseType::InvalidScope => Some(Error::Client {
            mailbox: mailbox.to_string(),
            detail: detail.to_string(),
        }),
        _ => None,
    })
}

fn device_error(
    mailbox: &str,
    url: &str,
    e: RequestTokenError<HttpClientError<reqwest::Error>, DeviceCodeErrorResponse>,
) -> Error {
    request_error(url, e, |code, detail| match code {
        DeviceCodeErrorResponseType::AccessDenied | DeviceCodeErrorResponseType::ExpiredToken => {
            Some(Error::Login {
                mailbox: mailbox.to_string(),
                detail: detail.to_string(),
            })
        }
        _ => None,
    })
}

/// A failed request to the token endpoint. The server's own refusal (its error code and a
/// one-line detail) is classified by `refusal`; a code it does not know is a protocol error.
/// The transport and parse failures are the same for every grant.
fn request_error<T: ErrorResponseType + std::fmt::Display>(
    url: &str,
    e: RequestTokenError<HttpClientError<reqwest::Error>, StandardErrorResponse<T>>,
    refusal: impl FnOnce(&T, &str) -> Option<Error>,
) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let detail = match r.error_description() {
                Some(d) => format!("{}: {d}", r.error()),
                None => r.error().to_string(),
            };
            refusal(r.error(), &detail).unwrap_or_else(|| Error::Protocol {
                url: url.to_string(),
                detail,
            })
        }
        RequestTokenError::Request(e) => Error::Unreachable {
            url: url.to_string(),
            source: e.into(),
        },
        // The body is not quoted: it might hold a token.
        RequestTokenError::Parse(e, _body) => Error::Protocol {
            url: url.to_string(),
            detail: format!("unreadable answer at {}", e.path()),
        },
        RequestTokenError::Other(text) => Error::Protocol {
            url: url.to_string(),
            detail: text,
        },
    }
}
