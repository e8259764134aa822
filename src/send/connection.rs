//! Opening a connection to the relay: TCP with `TCP_NODELAY`, implicit TLS or `STARTTLS`, the
//! `DSN` offer read from a second EHLO, and the sign-in (password by lettre's AUTH, OAuth2 by
//! [`super::xoauth2`], a refused token renewed once). Also `config check --connect`'s probe.

use crate::oauth::refusal::Refusal;

use super::smtp::SignIn;
use super::{BoxError, ProbeError, Smtp, SmtpError, dsn, xoauth2};

/// Why a connection could not be opened and signed in.
pub(super) enum Open {
    /// The relay refused the password.
    Refused(lettre::transport::smtp::Error),
    /// The relay refused the access token, for the reason it gives (`oauth::refusal`).
    TokenRefused(xoauth2::Refused),
    /// No access token could be had.
    Token(crate::oauth::Error),
    /// Anything else: unreachable, TLS, timeouts.
    Other(BoxError),
}

impl Smtp {
    /// A new connection with `TCP_NODELAY`, after STARTTLS where configured; not signed in.
    pub(super) async fn connect_unsigned(
        &self,
    ) -> Result<lettre::transport::smtp::client::AsyncSmtpConnection, BoxError> {
        use lettre::transport::smtp::client::AsyncSmtpConnection;
        use lettre::transport::smtp::extension::ClientId;
        let s = &self.settings;
        let t = s.timeout;
        let tcp =
            tokio::time::timeout(t, tokio::net::TcpStream::connect((s.host.as_str(), s.port)))
                .await
                .map_err(|_| format!("connecting to {}:{} timed out", s.host, s.port))??;
        tcp.set_nodelay(true)?;
        let hello = ClientId::default();
        let stream: Box<dyn lettre::transport::smtp::client::AsyncTokioStream> =
            match &self.implicit {
                Some(config) => {
                    let name = crate::tls::server_name(&s.host)?;
                    let tls = tokio_rustls::TlsConnector::from(config.clone());
                    let stream = tokio::time::timeout(t, tls.connect(name, tcp))
                        .await
                        .map_err(|_| "the TLS handshake timed out")??;
                    Box::new(ImplicitTls(stream))
                }
                None => Box::new(tcp),
            };
        let mut conn = tokio::time::timeout(
            t,
            AsyncSmtpConnection::connect_with_transport(stream, &hello),
        )
        .await
        .map_err(|_| "the relay's greeting timed out")??;
        if let Some(params) = &self.starttls {
            tokio::time::timeout(t, conn.starttls(params.clone(), &hello))
                .await
                .map_err(|_| "STARTTLS timed out")??;
        }
        // lettre forgets the extensions it has no use for; DSN is read from a second EHLO
        // (before AUTH, where EHLO changes nothing else). A relay that refuses the second EHLO
        // keeps the first in effect (RFC 5321 4.1.4): then no DSN, nothing worse.
        let ehlo = tokio::time::timeout(
            t,
            conn.command(lettre::transport::smtp::commands::Ehlo::new(hello)),
        )
        .await
        .map_err(|_| "EHLO timed out")?;
        let offered = match ehlo {
            Ok(ehlo) => dsn::offered(ehlo.message()),
            Err(e) if e.status().is_some() => false,
            Err(e) => return Err(e.into()),
        };
        self.dsn
            .store(offered, std::sync::atomic::Ordering::Relaxed);
        Ok(conn)
    }

    /// A new connection, signed in: with the password, or with the current access token
    /// (`renew`: a fresh one).
    pub(super) async fn connect(
        &self,
        renew: bool,
    ) -> Result<lettre::transport::smtp::client::AsyncSmtpConnection, Open> {
        use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
        let s = &self.settings;
        let token = match &self.signin {
            SignIn::Password => None,
            SignIn::Token(tokens) => Some(
                if renew {
                    tokens.renewed().await
                } else {
                    tokens.access_token().await
                }
                .map_err(Open::Token)?,
            ),
        };
        let mut conn = self.connect_unsigned().await.map_err(Open::Other)?;
        if let Some(token) = token {
            let signed = xoauth2::sign_in(&mut conn, &s.user, &token);
            return match tokio::time::timeout(s.timeout, signed).await {
                Err(_) => Err(Open::Other("AUTH timed out".into())),
                Ok(Err(xoauth2::Failed::Refused(r))) => Err(Open::TokenRefused(r)),
                Ok(Err(xoauth2::Failed::Other(e))) => Err(Open::Other(e.into())),
                Ok(Ok(())) => Ok(conn),
            };
        }
        let credentials = Credentials::new(s.user.clone(), s.password.clone());
        match tokio::time::timeout(s.timeout, conn.auth(DEFAULT_MECHANISMS, &credentials)).await {
            Err(_) => Err(Open::Other("AUTH timed out".into())),
            Ok(Err(e)) if refused_sign_in(&e) => Err(Open::Refused(e)),
            Ok(Err(e)) => Err(Open::Other(e.into())),
            Ok(Ok(_)) => Ok(conn),
        }
    }

    /// A connection for the reply to `message_id`; with OAuth2, a refused token is renewed
    /// once and tried once more before a person is asked to act.
    pub(super) async fn open(
        &self,
        message_id: &str,
    ) -> Result<lettre::transport::smtp::client::AsyncSmtpConnection, SmtpError> {
        let deferred = |source: BoxError| SmtpError::Deferred {
            message_id: message_id.to_string(),
            source,
        };
        let SignIn::Token(tokens) = &self.signin else {
            // A refused password (534/535) will not fix itself: the reply waits, like a
            // deferred one, but a person must fix the credential first. 454 and 530 are
            // the relay's own trouble (or a missing STARTTLS) and are deferred.
            return self.connect(false).await.map_err(|e| match e {
                Open::Refused(e) if password_refused(&e) => SmtpError::SignIn {
                    message_id: message_id.to_string(),
                    action: format!(
                        "the relay {}:{} refused the password of {} ({}); fix {} and restart (or reload) mailclerk",
                        self.settings.host,
                        self.settings.port,
                        self.settings.user,
                        e.to_string().trim(),
                        self.settings.credential
                    ),
                    transient: false,
                    source: e.into(),
                },
                Open::Refused(e) => deferred(e.into()),
                Open::TokenRefused(e) => deferred(e.into()),
                Open::Other(e) => deferred(e),
                Open::Token(e) => deferred(e.into()),
            });
        };
        let mailbox = mailbox_of(tokens);
        let mut renew = false;
        loop {
            match self.connect(renew).await {
                Ok(conn) => return Ok(conn),
                Err(Open::Other(e)) => return Err(deferred(e)),
                Err(Open::Token(e)) => {
                    return Err(SmtpError::SignIn {
                        message_id: message_id.to_string(),
                        action: e.operator_action(&mailbox),
                        transient: e.is_transient(),
                        source: e.into(),
                    });
                }
                Err(Open::TokenRefused(e)) if e.refusal == Refusal::Temporary => {
                    return Err(deferred(e.into()));
                }
                Err(Open::TokenRefused(e)) if e.refusal.renewing_may_help() && !renew => {
                    tracing::warn!(err = %e, "The relay refused the access token; renewing it and trying once more.");
                    renew = true;
                }
                Err(Open::TokenRefused(e)) => {
                    return Err(SmtpError::SignIn {
                        message_id: message_id.to_string(),
                        action: e.refusal.operator_action(&mailbox),
                        transient: false,
                        source: e.into(),
                    });
                }
                // lettre's own AUTH is for passwords only.
                Err(Open::Refused(e)) => return Err(deferred(e.into())),
            }
        }
    }
}

impl Smtp {
    /// Connects, greets (EHLO), starts TLS as configured, signs in, and says QUIT: nothing
    /// is sent. With OAuth2, with the current access token.
    ///
    /// # Errors
    /// See [`ProbeError`].
    pub async fn probe(&self) -> Result<(), ProbeError> {
        let mut conn = self.connect(false).await.map_err(|e| match e {
            Open::Refused(e) => ProbeError::Refused {
                answer: e.to_string().trim().to_string(),
            },
            Open::TokenRefused(e) => ProbeError::Refused {
                answer: e.to_string().trim().to_string(),
            },
            Open::Token(e) => ProbeError::Token(e),
            Open::Other(e) => ProbeError::Connect(e),
        })?;
        // Signed in is what was asked; a QUIT the relay fumbles changes nothing.
        let _ = tokio::time::timeout(self.settings.timeout, conn.quit()).await;
        Ok(())
    }
}

/// An implicit-TLS stream handed to lettre as an already connected transport.
#[derive(Debug)]
struct ImplicitTls(tokio_rustls::client::TlsStream<tokio::net::TcpStream>);

impl lettre::transport::smtp::client::AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl tokio::io::AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

fn mailbox_of(tokens: &crate::oauth::TokenSource) -> String {
    tokens.mailbox().to_string()
}

/// A password sign-in the relay refused: 535/534/530 (and 454, a temporary authentication
/// failure), or a further `334` challenge after `AUTH PLAIN`'s initial response, which lettre
/// reports as "does not expect a challenge" rather than as a code. Only passwords go through
/// lettre's AUTH: an XOAUTH2 sign-in is [`xoauth2::sign_in`], which reads the error challenge
/// and the final reply itself.
fn refused_sign_in(e: &lettre::transport::smtp::Error) -> bool {
    let code = e.status().map(|c| c.to_string());
    matches!(code.as_deref(), Some("535" | "534" | "530" | "454"))
        || e.to_string().contains("does not expect a challenge")
}

/// A password the relay refused for good: 535 (bad credentials) or 534 (mechanism too weak /
/// sign-in blocked by the provider), never a temporary 454.
fn password_refused(e: &lettre::transport::smtp::Error) -> bool {
    let code = e.status().map(|c| c.to_string());
    matches!(code.as_deref(), Some("535" | "534"))
}
