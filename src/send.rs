//! Sending: a rendered [`Reply`] becomes a real RFC 5322 message (lettre) and leaves through an
//! outbox ([`crate::apply::Outbox`]): a directory (lettre's file transport, `apply::dir`: the
//! demo and `run` over a directory) or the SMTP relay here (the daemon).
//!
//! SMTP never promises exactly-once (reliability-notes §1): a reply whose fate is unknown is
//! reported as [`SmtpError::Uncertain`] and must go to people, never be sent again blindly.

use std::time::SystemTime;

use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};

use crate::render::Reply;

/// Why a reply could not be sent. The message goes to people; nothing is retried blindly.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reply to <{message_id}> has an unusable {field} address {address:?}")]
    Address {
        message_id: String,
        field: &'static str,
        address: String,
    },
    #[error("reply to <{message_id}> could not be built")]
    Build {
        message_id: String,
        source: lettre::error::Error,
    },
    #[error("the outbox directory refused the reply to <{message_id}>")]
    Dir {
        message_id: String,
        source: lettre::transport::file::Error,
    },
}

/// Builds the message: our From, the bare customer address (never their display name, which
/// may carry CR/LF: lettre panics on it, reliability-notes §2.4), threading headers, and the
/// RFC 3834 markers that keep other responders from answering us.
///
/// # Errors
/// An address that does not parse, or a message lettre will not build.
pub fn to_message(reply: &Reply, date: SystemTime) -> Result<Message, Error> {
    let address = |field: &'static str, text: &str| {
        text.parse::<lettre::Address>().map_err(|_| Error::Address {
            message_id: reply.in_reply_to.clone(),
            field,
            address: text.to_string(),
        })
    };
    let from = Mailbox::new(
        Some(single_line(&reply.from_name)),
        address("From", &reply.from)?,
    );
    let to = Mailbox::new(None, address("To", &reply.to)?);
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(single_line(&reply.subject))
        .date(date)
        .message_id(Some(format!("<{}>", reply.message_id)));
    // A foreign Message-ID is only echoed when it is a plain token; anything else could smuggle
    // header syntax into ours, and threading is not worth that.
    if is_plain_id(&reply.in_reply_to) {
        builder = builder.in_reply_to(format!("<{}>", reply.in_reply_to));
    }
    let references: Vec<String> = reply
        .references
        .iter()
        .filter(|id| is_plain_id(id))
        .map(|id| format!("<{id}>"))
        .collect();
    if !references.is_empty() {
        builder = builder.references(references.join(" "));
    }
    for (name, value) in [
        ("Auto-Submitted", "auto-replied"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-Loop", reply.from.as_str()),
    ] {
        let name =
            HeaderName::new_from_ascii(name.to_string()).expect("constant header names are valid");
        builder = builder.raw_header(HeaderValue::new(name, value.to_string()));
    }
    // `body()` writes no MIME-Version (lettre adds it only for `singlepart`/`multipart`), yet
    // the body goes out quoted-printable UTF-8, which RFC 2045 §4 says needs it.
    builder
        .header(lettre::message::header::MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(reply.body.clone())
        .map_err(|source| Error::Build {
            message_id: reply.in_reply_to.clone(),
            source,
        })
}

fn is_plain_id(id: &str) -> bool {
    // An id of the reserved `.invalid` domain is one mailclerk made up for a request that had
    // none (or an unusable one): no message carries it, so it threads nothing.
    let made_up = id
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case("mailclerk.invalid"));
    !id.is_empty()
        && !made_up
        && id.len() <= 250
        && id
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>')
}

fn single_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub use crate::config::mail::SmtpSettings;

/// An SMTP relay over one kept-open connection (lettre's protocol client, tokio, rustls),
/// opened on first use and again after it breaks.
///
/// The connection is made here rather than by lettre's pooled transport for two reasons, both
/// measured (BENCHMARKS.md): the socket gets `TCP_NODELAY` (lettre writes the body and the final
/// `.` separately, and with Nagle's algorithm the dot then waits for the server's delayed ACK,
/// 40 ms a reply), and the transaction runs step by step, so that a connection found dead at
/// `MAIL FROM` (nothing offered yet) is reopened and the reply sent at once, without the NOOP
/// probe lettre's pool and a pre-send check used to cost on every reply.
pub struct Smtp {
    settings: SmtpSettings,
    starttls: Option<lettre::transport::smtp::client::TlsParameters>,
    implicit: Option<std::sync::Arc<rustls::ClientConfig>>,
    conn: tokio::sync::Mutex<Option<lettre::transport::smtp::client::AsyncSmtpConnection>>,
    signin: SignIn,
    /// The envelope sender (`MAIL FROM`) when set; otherwise the From address. The desk's own
    /// address, so that bounces of our replies come back to the folder the daemon reads.
    return_path: Option<lettre::Address>,
    /// Whether the relay offered `DSN` on the last connection opened (read from a second EHLO,
    /// since lettre keeps only the extensions it knows).
    dsn: std::sync::atomic::AtomicBool,
}

/// How the relay is signed in to.
enum SignIn {
    Password,
    /// `AUTH XOAUTH2` with the mailbox's current access token, fetched at each new connection.
    Token(std::sync::Arc<crate::oauth::TokenSource>),
}

/// Why a connection could not be opened and signed in.
enum Open {
    /// The relay refused the password.
    Refused(lettre::transport::smtp::Error),
    /// The relay refused the access token, for the reason it gives (`oauth::refusal`).
    TokenRefused(xoauth2::Refused),
    /// No access token could be had.
    Token(crate::oauth::Error),
    /// Anything else: unreachable, TLS, timeouts.
    Other(BoxError),
}

/// What happened to a reply offered to the relay.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// Nothing was accepted: the relay answered 4xx or could not be reached. Safe to retry.
    #[error("the relay deferred the reply to <{message_id}>; it will be retried")]
    Deferred {
        message_id: String,
        #[source]
        source: BoxError,
    },
    /// The relay answered 5xx: retrying will not help; people take the message.
    #[error("the relay refused the reply to <{message_id}>; handing it to people")]
    Refused {
        message_id: String,
        #[source]
        source: BoxError,
    },
    /// The connection broke during the transaction: the reply may or may not have been
    /// delivered. Never resent; people take the message.
    #[error(
        "the connection broke while sending the reply to <{message_id}>; it may have been delivered, so people take the message"
    )]
    Uncertain {
        message_id: String,
        #[source]
        source: BoxError,
    },
    /// The relay refused the OAuth2 sign-in even with a renewed token, or no token could be
    /// had. Nothing was offered: the reply waits, and a person must act (`action`).
    #[error("the relay did not accept the sign-in for the reply to <{message_id}>; it waits")]
    SignIn {
        message_id: String,
        /// What the operator must do.
        action: String,
        /// Whether waiting alone may fix it (the token endpoint was unreachable).
        transient: bool,
        #[source]
        source: BoxError,
    },
    /// The reply could not be built at all.
    #[error(transparent)]
    Build(#[from] Error),
    /// The relay settings are unusable (bad CA file, bad TLS parameters).
    #[error("the SMTP settings for {host} are unusable: {problem}")]
    Settings { host: String, problem: String },
}

impl SmtpError {
    /// Whether trying the same reply again later may succeed without any risk of a duplicate.
    pub fn is_transient(&self) -> bool {
        matches!(self, SmtpError::Deferred { .. })
    }
}

impl Smtp {
    /// The relay's settings checked (CA file, TLS parameters). Connects lazily.
    ///
    /// # Errors
    /// The CA file cannot be read or the TLS parameters are invalid.
    pub fn new(s: &SmtpSettings) -> Result<Smtp, SmtpError> {
        use crate::config::mail::Security;
        use lettre::transport::smtp::client::{Certificate, TlsParameters};
        let settings_err = |problem: String| SmtpError::Settings {
            host: s.host.clone(),
            problem,
        };
        let (mut starttls, mut implicit) = (None, None);
        match s.security {
            Security::Starttls => {
                let mut params = TlsParameters::builder(s.host.clone());
                if let Some(ca) = &s.ca_file {
                    let pem = std::fs::read(ca).map_err(|e| {
                        settings_err(format!("cannot read CA file {}: {e}", ca.display()))
                    })?;
                    let cert = Certificate::from_pem(&pem)
                        .map_err(|e| settings_err(format!("CA file {}: {e}", ca.display())))?;
                    params = params.add_root_certificate(cert);
                }
                starttls = Some(
                    params
                        .build_rustls()
                        .map_err(|e| settings_err(format!("TLS parameters: {e}")))?,
                );
            }
            Security::Implicit => {
                implicit = Some(
                    crate::tls::client_config(s.ca_file.as_deref())
                        .map_err(|e| settings_err(crate::error_chain(&e)))?,
                );
                crate::tls::server_name(&s.host)
                    .map_err(|e| settings_err(crate::error_chain(&e)))?;
            }
            Security::Plain => {}
        }
        Ok(Smtp {
            settings: s.clone(),
            starttls,
            implicit,
            conn: tokio::sync::Mutex::new(None),
            signin: SignIn::Password,
            return_path: None,
            dsn: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The relay signed in to with `AUTH XOAUTH2` and tokens from `tokens`. Connects lazily.
    ///
    /// # Errors
    /// The CA file cannot be read or the TLS parameters are invalid.
    pub fn with_tokens(
        s: &SmtpSettings,
        tokens: std::sync::Arc<crate::oauth::TokenSource>,
    ) -> Result<Smtp, SmtpError> {
        Ok(Smtp {
            signin: SignIn::Token(tokens),
            ..Smtp::new(s)?
        })
    }

    /// The envelope sender for every reply from now on (an unparseable address is ignored:
    /// the From address stays the envelope sender).
    #[must_use]
    pub fn with_return_path(mut self, address: &str) -> Smtp {
        self.return_path = address.parse().ok();
        self
    }

    /// Offers one reply to the relay, dated `date`, and returns the message as it was sent
    /// (for the copy in Sent, which is then the same to the byte).
    ///
    /// # Errors
    /// See [`SmtpError`]: only `Deferred` may be retried.
    pub async fn send(&self, reply: &Reply, date: SystemTime) -> Result<Vec<u8>, SmtpError> {
        let message = to_message(reply, date)?;
        self.send_message(&message, &reply.in_reply_to).await
    }

    /// [`Smtp::send`] for a message already built (whose bytes the caller may have kept
    /// before the send); `request_id` names the request it answers, for errors.
    ///
    /// # Errors
    /// See [`SmtpError`]: only `Deferred` may be retried.
    pub async fn send_message(
        &self,
        message: &Message,
        request_id: &str,
    ) -> Result<Vec<u8>, SmtpError> {
        let bytes = message.formatted();
        let message_id = request_id.to_string();
        let envelope = match &self.return_path {
            Some(sender) => lettre::address::Envelope::new(
                Some(sender.clone()),
                message.envelope().to().to_vec(),
            )
            .map_err(|_| Error::Address {
                message_id: message_id.clone(),
                field: "envelope",
                address: sender.to_string(),
            })?,
            None => message.envelope().clone(),
        };
        let envelope = &envelope;
        let mut slot = self.conn.lock().await;
        // A kept connection the server has since closed fails at MAIL FROM, before anything is
        // offered: open a fresh one and go on. A fresh connection gets no second chance.
        for attempt in 0..2 {
            let reused = slot.is_some();
            let mut conn = match slot.take() {
                Some(conn) => conn,
                None => self.open(&message_id).await?,
            };
            let reply_id = message
                .headers()
                .get_raw("Message-ID")
                .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>'));
            match self
                .transaction(&mut conn, envelope, &bytes, reply_id)
                .await
            {
                Ok(()) => {
                    *slot = Some(conn);
                    return Ok(bytes);
                }
                Err(Step::Before(source)) => {
                    // Nothing was offered; after an error reply the session state is unknown,
                    // so the connection is dropped either way.
                    conn.abort().await;
                    let (transient, permanent) = (source.is_transient(), source.is_permanent());
                    if !transient && !permanent && reused && attempt == 0 {
                        continue;
                    }
                    return Err(if permanent {
                        SmtpError::Refused {
                            message_id,
                            source: source.into(),
                        }
                    } else {
                        SmtpError::Deferred {
                            message_id,
                            source: source.into(),
                        }
                    });
                }
                Err(Step::Message(source)) => {
                    conn.abort().await;
                    return Err(if source.is_transient() {
                        SmtpError::Deferred {
                            message_id,
                            source: source.into(),
                        }
                    } else if source.is_permanent() {
                        SmtpError::Refused {
                            message_id,
                            source: source.into(),
                        }
                    } else {
                        SmtpError::Uncertain {
                            message_id,
                            source: source.into(),
                        }
                    });
                }
            }
        }
        unreachable!("the second attempt always returns")
    }

    /// MAIL, RCPT, DATA, then the message. Errors before the message is written mean the relay
    /// has nothing; after it, a broken connection leaves delivery unknown. Where the relay
    /// offers DSN, a report is asked for on failure or delay, naming `reply_id` (`dsn`).
    async fn transaction(
        &self,
        conn: &mut lettre::transport::smtp::client::AsyncSmtpConnection,
        envelope: &lettre::address::Envelope,
        bytes: &[u8],
        reply_id: Option<&str>,
    ) -> Result<(), Step> {
        use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
        use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
        let t = self.settings.timeout;
        let mut params = Vec::new();
        if !bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        // An address with a non-ASCII local part (RFC 6531) may only be offered with SMTPUTF8
        // declared; without it a relay may take the reply and fail it later, out of sight.
        let international = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .find(|a| !AsRef::<str>::as_ref(*a).is_ascii());
        if let Some(address) = international {
            if conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                params.push(MailParameter::SmtpUtfEight);
            } else {
                return Err(Step::Before(Failed::NoSmtpUtf8 {
                    address: address.to_string(),
                }));
            }
        }
        let dsn = self.dsn.load(std::sync::atomic::Ordering::Relaxed);
        if let (true, Some(id)) = (dsn, reply_id) {
            params.extend(dsn::mail_parameters(id));
        }
        within(t, conn.command(Mail::new(envelope.from().cloned(), params)))
            .await
            .map_err(Step::Before)?;
        for to in envelope.to() {
            let notify = if dsn {
                dsn::rcpt_parameters()
            } else {
                Vec::new()
            };
            within(t, conn.command(Rcpt::new(to.clone(), notify)))
                .await
                .map_err(Step::Before)?;
        }
        within(t, conn.command(Data)).await.map_err(Step::Before)?;
        within(t, conn.message(bytes))
            .await
            .map_err(Step::Message)?;
        Ok(())
    }

    /// A new connection with `TCP_NODELAY`, after STARTTLS where configured; not signed in.
    async fn connect_unsigned(
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
    async fn connect(
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
    async fn open(
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

/// Why the relay could not be signed in to, for `config check --connect`.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The relay answered the AUTH with a refusal (535, 534, ...): its answer.
    #[error("the relay refused the sign-in: {answer}")]
    Refused { answer: String },
    /// No access token could be had from the provider.
    #[error("no access token")]
    Token(#[source] crate::oauth::Error),
    /// Unreachable, TLS, STARTTLS refused, timeouts.
    #[error("{0}")]
    Connect(BoxError),
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

/// Where a transaction failed: before the message was written (nothing offered), or while
/// writing it or waiting for the reply to it.
enum Step {
    Before(Failed),
    Message(Failed),
}

/// A step with the relay's timeout.
async fn within<T>(
    t: std::time::Duration,
    f: impl std::future::Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, Failed> {
    match tokio::time::timeout(t, f).await {
        Ok(r) => r.map_err(Failed::Smtp),
        Err(_) => Err(Failed::Timeout),
    }
}

/// A failed step: the relay's error (a reply code or a network failure), or no answer in time.
#[derive(Debug, thiserror::Error)]
enum Failed {
    #[error(transparent)]
    Smtp(lettre::transport::smtp::Error),
    #[error("the relay did not answer in time")]
    Timeout,
    /// Not sent at all: the relay would have to carry an address it cannot.
    #[error("the relay does not offer SMTPUTF8, which the international address <{address}> needs")]
    NoSmtpUtf8 { address: String },
}

impl Failed {
    /// A 4xx reply.
    fn is_transient(&self) -> bool {
        matches!(self, Failed::Smtp(e) if e.is_transient())
    }

    /// A 5xx reply.
    fn is_permanent(&self) -> bool {
        matches!(self, Failed::Smtp(e) if e.is_permanent())
            || matches!(self, Failed::NoSmtpUtf8 { .. })
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

/// A sign-in the relay refused: 535/534/530 (and 454, a temporary authentication failure),
/// or, for XOAUTH2, the server's error challenge, which lettre reports as an unexpected
/// challenge instead of waiting for the final 535.
fn refused_sign_in(e: &lettre::transport::smtp::Error) -> bool {
    let code = e.status().map(|c| c.to_string());
    matches!(code.as_deref(), Some("535" | "534" | "530" | "454"))
        || e.to_string().contains("does not expect a challenge")
}

pub mod dsn;
pub mod xoauth2;

use crate::oauth::refusal::Refusal;

/// A password the relay refused for good: 535 (bad credentials) or 534 (mechanism too weak /
/// sign-in blocked by the provider), never a temporary 454.
fn password_refused(e: &lettre::transport::smtp::Error) -> bool {
    let code = e.status().map(|c| c.to_string());
    matches!(code.as_deref(), Some("535" | "534"))
}

/// Any error, for the sources of [`SmtpError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> Reply {
        Reply {
            from_name: "NotOut CRM".into(),
            from: "support@notoutcrm.com".into(),
            to: "ann@example.com".into(),
            subject: "Re: refund".into(),
            message_id: "mailclerk.abc@notoutcrm.com".into(),
            in_reply_to: "m1@example.com".into(),
            references: vec!["m0@example.com".into(), "m1@example.com".into()],
            template: "refund_granted".into(),
            body: "Hello\n".into(),
        }
    }

    #[test]
    fn reply_carries_threading_and_rfc3834_headers() {
        let text = String::from_utf8(
            to_message(&reply(), SystemTime::UNIX_EPOCH)
                .unwrap()
                .formatted(),
        )
        .unwrap();
        for want in [
            "Message-ID: <mailclerk.abc@notoutcrm.com>",
            "In-Reply-To: <m1@example.com>",
            "References: <m0@example.com> <m1@example.com>",
            "Auto-Submitted: auto-replied",
            "X-Auto-Response-Suppress: All",
            "To: ann@example.com",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn every_reply_declares_mime_1_0_once_in_its_header_block() {
        let mut r = reply();
        r.body = "Hello Jürgen, your refund of 49.00 USD has been approved.\n".into();
        let bytes = to_message(&r, SystemTime::UNIX_EPOCH).unwrap().formatted();
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("MIME-Version:"))
                .count(),
            1,
            "{head}"
        );
        assert!(lines.contains(&"MIME-Version: 1.0"), "{head}");
        assert!(
            lines.contains(&"Content-Type: text/plain; charset=utf-8"),
            "{head}"
        );
        assert!(
            lines.contains(&"Content-Transfer-Encoding: quoted-printable"),
            "{head}"
        );
        assert!(!body.contains("MIME-Version"), "{body}");
    }

    #[test]
    fn hostile_ids_and_names_never_reach_headers() {
        let mut r = reply();
        r.in_reply_to = "x>\r\nBcc: victim@example.com".into();
        r.references = vec![r.in_reply_to.clone()];
        r.from_name = "Evil\r\nBcc: victim@example.com".into();
        r.subject = "Re: hi\r\nBcc: victim@example.com".into();
        let text =
            String::from_utf8(to_message(&r, SystemTime::UNIX_EPOCH).unwrap().formatted()).unwrap();
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(!text.contains("In-Reply-To"), "{text}");
    }

    #[test]
    fn a_made_up_id_threads_nothing() {
        let mut r = reply();
        r.in_reply_to = "generated-0123456789abcdef@mailclerk.invalid".into();
        r.references = vec!["m0@example.com".into(), r.in_reply_to.clone()];
        let text =
            String::from_utf8(to_message(&r, SystemTime::UNIX_EPOCH).unwrap().formatted()).unwrap();
        assert!(!text.contains("In-Reply-To"), "{text}");
        assert!(text.contains("References: <m0@example.com>\r\n"), "{text}");
    }

    #[test]
    fn a_bad_address_is_an_error_not_a_panic() {
        let mut r = reply();
        r.to = "not an address".into();
        assert!(matches!(
            to_message(&r, SystemTime::UNIX_EPOCH),
            Err(Error::Address { field: "To", .. })
        ));
    }
}
