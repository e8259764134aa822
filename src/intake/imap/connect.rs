//! Opening a session: TCP, TLS (implicit or after `STARTTLS`), the server's greeting, and the
//! sign-in (`LOGIN`, `AUTHENTICATE PLAIN`, or an OAuth2 token by `XOAUTH2`/`OAUTHBEARER`). Also
//! the byte stream async-imap runs over ([`Transport`]).

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_imap::imap_proto::{Capability, Response, ResponseCode, Status};
use async_imap::{Authenticator, Client};
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tracing::debug;

use super::error::{Failure, is_temporary};
use super::wire::{outcome_text, within};
use super::{
    BearerMechanism, Caps, Credential, Error, Imap, ImapSettings, Link, Security, Session,
};

impl Session {
    /// Connects, secures, logs in and learns the server's capabilities. Each step is bounded
    /// by `s.timeout`. Passwords of printable ASCII go through `LOGIN`; anything else through
    /// `AUTHENTICATE PLAIN`, which carries UTF-8 intact.
    ///
    /// # Errors
    /// [`Error::PlainNotLocal`], [`Error::TlsConfig`], [`Error::Tls`], [`Error::NoStartTls`] and
    /// [`Error::Login`] need a person; [`Error::Connect`], [`Error::Timeout`] and the other
    /// transient errors deserve a retry.
    pub async fn connect(s: &ImapSettings) -> Result<Session, Error> {
        Session::connect_with(s, &Credential::Password).await
    }

    /// [`Session::connect`], signing in with `credential`.
    ///
    /// # Errors
    /// As [`Session::connect`]; a refused access token is [`Error::TokenRefused`].
    pub async fn connect_with(s: &ImapSettings, credential: &Credential) -> Result<Session, Error> {
        let server = format!("{}:{}", s.host, s.port);
        let transport = match s.security {
            Security::Implicit => {
                let (config, name) = tls_setup(s, &server)?;
                let tcp = open_tcp(s, &server).await?;
                handshake(s, &server, config, name, tcp).await?
            }
            Security::StartTls => {
                let (config, name) = tls_setup(s, &server)?;
                let tcp = starttls(s, &server, open_tcp(s, &server).await?).await?;
                handshake(s, &server, config, name, tcp).await?
            }
            Security::Plain if is_loopback(&s.host) => {
                Transport::Plain(open_tcp(s, &server).await?)
            }
            Security::Plain => {
                return Err(Error::PlainNotLocal {
                    host: s.host.clone(),
                });
            }
        };
        let mut client = Client::new(transport);
        let mut offered = Vec::new();
        if s.security != Security::StartTls {
            offered = greeting(&mut client, s, &server).await?;
        }
        let (imap, caps) = match credential {
            Credential::Password => login(client, s, &server).await?,
            Credential::Bearer { token, mechanism } => {
                bearer(client, s, &server, token, *mechanism, &offered).await?
            }
        };
        while imap.unsolicited_responses.try_recv().is_ok() {}
        let mut session = Session {
            imap,
            link: Link {
                server,
                user: s.user.clone(),
                timeout: s.timeout,
                caps: caps.unwrap_or_default(),
                selected: None,
                folders: HashSet::new(),
                broken: None,
                announced: false,
            },
        };
        if caps.is_none() {
            session.read_capabilities().await?;
        }
        debug!(server = %session.link.server, user = %session.link.user, caps = ?session.link.caps, "Logged in to IMAP.");
        Ok(session)
    }

    async fn read_capabilities(&mut self) -> Result<(), Error> {
        let mut caps = Caps::default();
        self.exchange("CAPABILITY", |r| {
            if let Response::Capabilities(list) = r {
                caps = caps_from(list.iter().filter_map(|c| match c {
                    Capability::Atom(a) => Some(a.as_ref()),
                    _ => None,
                }));
            }
        })
        .await?;
        self.link.caps = caps;
        Ok(())
    }
}

fn caps_from<'a>(atoms: impl Iterator<Item = &'a str>) -> Caps {
    let mut caps = Caps::default();
    for atom in atoms {
        match atom.to_ascii_uppercase().as_str() {
            "IDLE" => caps.idle = true,
            "MOVE" => caps.mv = true,
            "UIDPLUS" => caps.uidplus = true,
            "MULTIAPPEND" => caps.multiappend = true,
            _ => {}
        }
    }
    caps
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn tls_setup(
    s: &ImapSettings,
    server: &str,
) -> Result<(Arc<ClientConfig>, ServerName<'static>), Error> {
    let config_error = |source| Error::TlsConfig {
        server: server.to_owned(),
        source,
    };
    let config = crate::tls::client_config(s.ca_file.as_deref()).map_err(config_error)?;
    let name = crate::tls::server_name(&s.host).map_err(config_error)?;
    Ok((config, name))
}

async fn open_tcp(s: &ImapSettings, server: &str) -> Result<TcpStream, Error> {
    let host = s.host.trim_start_matches('[').trim_end_matches(']');
    match tokio::time::timeout(s.timeout, TcpStream::connect((host, s.port))).await {
        Err(_) => Err(Failure::Timeout.into_error(server, "connect", s.timeout)),
        Ok(Err(source)) => Err(Error::Connect {
            server: server.to_owned(),
            source,
        }),
        Ok(Ok(tcp)) => {
            tcp.set_nodelay(true).ok();
            Ok(tcp)
        }
    }
}

async fn handshake(
    s: &ImapSettings,
    server: &str,
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    tcp: TcpStream,
) -> Result<Transport, Error> {
    let connect = tokio_rustls::TlsConnector::from(config).connect(name, tcp);
    match tokio::time::timeout(s.timeout, connect).await {
        Err(_) => Err(Failure::Timeout.into_error(server, "TLS handshake", s.timeout)),
        // rustls' own verdict (untrusted certificate, wrong name, alert): a person must act.
        Ok(Err(source))
            if source
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>()) =>
        {
            Err(Error::Tls {
                server: server.to_owned(),
                source,
            })
        }
        Ok(Err(source)) => Err(Failure::Io(source).into_error(server, "TLS handshake", s.timeout)),
        Ok(Ok(tls)) => Ok(Transport::Tls(Box::new(tls))),
    }
}

/// The server's first words must be `* OK`; `* BYE` means it will not serve us now. Returns
/// the SASL mechanisms the greeting's capability list offers (upper case), if it has one.
async fn greeting<T>(
    client: &mut Client<T>,
    s: &ImapSettings,
    server: &str,
) -> Result<Vec<String>, Error>
where
    T: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send,
{
    let fail = |f: Failure| f.into_error(server, "greeting", s.timeout);
    let Some(resp) = within(s.timeout, client.read_response())
        .await
        .map_err(fail)?
    else {
        return Err(fail(Failure::Closed("closed before greeting".into())));
    };
    match resp.parsed() {
        Response::Data {
            status: Status::Ok,
            outcome,
        } => Ok(match &outcome.code {
            Some(ResponseCode::Capabilities(list)) => list
                .iter()
                .filter_map(|c| match c {
                    Capability::Auth(m) => Some(m.to_ascii_uppercase()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Err(fail(Failure::Closed(format!(
            "BYE {}",
            outcome_text(outcome)
        )))),
        _ => Err(fail(Failure::Bad("expected an OK greeting".into()))),
    }
}

/// Upgrades with `STARTTLS`. Anything the server sent after its `OK` is dropped with the
/// plain-text client, so nothing injected before the handshake is ever parsed.
async fn starttls(s: &ImapSettings, server: &str, tcp: TcpStream) -> Result<TcpStream, Error> {
    let mut client = Client::new(tcp);
    // Mechanisms offered before TLS are not trusted; they are not used.
    greeting(&mut client, s, server).await?;
    match within(s.timeout, client.run_command_and_check_ok("STARTTLS", None)).await {
        Ok(()) => Ok(client.into_inner()),
        Err(Failure::No(detail) | Failure::Bad(detail)) => Err(Error::NoStartTls {
            server: server.to_owned(),
            detail,
        }),
        Err(f) => Err(f.into_error(server, "STARTTLS", s.timeout)),
    }
}

async fn login(
    client: Client<Transport>,
    s: &ImapSettings,
    server: &str,
) -> Result<(Imap, Option<Caps>), Error> {
    let printable = |v: &str| v.chars().all(|c| (' '..='~').contains(&c));
    let attempt = if printable(&s.user) && printable(&s.password) {
        within(s.timeout, async {
            match client.login_with_capabilities(&s.user, &s.password).await {
                Ok((imap, caps)) => {
                    let caps = caps.map(|c| {
                        caps_from(c.iter().filter_map(|c| match c {
                            async_imap::types::Capability::Atom(a) => Some(a.as_str()),
                            _ => None,
                        }))
                    });
                    Ok((imap, caps))
                }
                Err((e, _client)) => Err(e),
            }
        })
        .await
    } else {
        let plain = Plain {
            user: &s.user,
            password: &s.password,
        };
        within(s.timeout, async {
            match client.authenticate("PLAIN", plain).await {
                Ok(imap) => Ok((imap, None)),
                Err((e, _client)) => Err(e),
            }
        })
        .await
    };
    match attempt {
        Ok(ok) => Ok(ok),
        Err(Failure::No(detail) | Failure::Bad(detail)) if !is_temporary(&detail) => {
            Err(Error::Login {
                server: server.to_owned(),
                user: s.user.clone(),
                detail,
            })
        }
        Err(f) => Err(f.into_error(server, "LOGIN", s.timeout)),
    }
}

/// `AUTHENTICATE XOAUTH2` or `OAUTHBEARER` with an access token; a refusal is classified by
/// its response code and error challenge (`oauth::refusal`).
async fn bearer(
    client: Client<Transport>,
    s: &ImapSettings,
    server: &str,
    token: &crate::oauth::Secret,
    mechanism: BearerMechanism,
    offered: &[String],
) -> Result<(Imap, Option<Caps>), Error> {
    let offers = |m: &str| offered.iter().any(|o| o == m);
    let oauthbearer = match mechanism {
        BearerMechanism::OAuthBearer => true,
        BearerMechanism::XOauth2 => false,
        BearerMechanism::Auto => offers("OAUTHBEARER") && !offers("XOAUTH2"),
    };
    let (name, first) = if oauthbearer {
        (
            "OAUTHBEARER",
            crate::oauth::oauthbearer_response(&s.user, token),
        )
    } else {
        ("XOAUTH2", crate::oauth::xoauth2_response(&s.user, token))
    };
    let challenge = std::sync::Arc::new(std::sync::Mutex::new(None));
    let sasl = Bearer {
        first: Some(first),
        error_challenge: challenge.clone(),
        // RFC 7628 wants a lone ^A; Google documents an empty response for XOAUTH2.
        after_error: if oauthbearer {
            b"\x01".to_vec()
        } else {
            Vec::new()
        },
    };
    let attempt = within(s.timeout, async {
        match client.authenticate(name, sasl).await {
            Ok(imap) => Ok((imap, None)),
            Err((e, _client)) => Err(e),
        }
    })
    .await;
    let error_challenge = challenge.lock().ok().and_then(|c| {
        c.as_deref()
            .and_then(crate::oauth::refusal::ErrorChallenge::parse)
    });
    let refused = |bad: bool, detail: String| {
        Refused {
            server,
            user: &s.user,
            mechanism: name,
            error_challenge: error_challenge.as_ref(),
        }
        .into_error(bad, detail)
    };
    match attempt {
        Ok(ok) => Ok(ok),
        Err(Failure::No(detail)) => Err(refused(false, detail)),
        Err(Failure::Bad(detail)) => Err(refused(true, detail)),
        Err(f) => Err(f.into_error(server, "AUTHENTICATE", s.timeout)),
    }
}

/// A token sign-in the server answered with `NO` (or `BAD`), and what it said.
struct Refused<'a> {
    server: &'a str,
    user: &'a str,
    mechanism: &'static str,
    error_challenge: Option<&'a crate::oauth::refusal::ErrorChallenge>,
}

impl Refused<'_> {
    /// Classified by the response code and the error challenge (`oauth::refusal`): a temporary
    /// failure is [`Error::Unavailable`], anything else [`Error::TokenRefused`].
    fn into_error(self, bad: bool, detail: String) -> Error {
        use crate::oauth::refusal::{self, Refusal};
        match refusal::imap(bad, &detail, self.error_challenge) {
            Refusal::Temporary => Error::Unavailable {
                server: self.server.to_owned(),
                command: "AUTHENTICATE".into(),
                detail,
            },
            refusal => Error::TokenRefused {
                server: self.server.to_owned(),
                user: self.user.to_owned(),
                mechanism: self.mechanism,
                detail: match self.error_challenge {
                    Some(c) => format!("{detail}; error challenge status {:?}", c.status),
                    None => detail,
                },
                refusal,
            },
        }
    }
}

/// The token goes in the first response; a second challenge is the server's error report
/// (RFC 7628 §3.2.3), answered with an empty response (XOAUTH2 uses the same dance) so the
/// server can send its tagged `NO`.
struct Bearer {
    first: Option<Vec<u8>>,
    /// The error challenge, kept for [`crate::oauth::refusal`].
    error_challenge: std::sync::Arc<std::sync::Mutex<Option<Vec<u8>>>>,
    after_error: Vec<u8>,
}

impl Authenticator for Bearer {
    type Response = Vec<u8>;

    fn process(&mut self, challenge: &[u8]) -> Vec<u8> {
        match self.first.take() {
            Some(first) => first,
            None => {
                if let Ok(mut kept) = self.error_challenge.lock() {
                    *kept = Some(challenge.to_vec());
                }
                self.after_error.clone()
            }
        }
    }
}

/// SASL PLAIN (RFC 4616): for user names and passwords that `LOGIN`'s quoted strings cannot
/// carry.
struct Plain<'a> {
    user: &'a str,
    password: &'a str,
}

impl Authenticator for Plain<'_> {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.user, self.password).into_bytes()
    }
}

/// The byte stream under async-imap: TLS in production, plain TCP for loopback tests.
#[derive(Debug)]
pub(super) enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_may_skip_tls() {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["mail.example.com", "10.0.0.1", "localhost.evil.test"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
