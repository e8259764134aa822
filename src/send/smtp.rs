//! The SMTP relay ([`Smtp`]): one kept-open connection and the transaction on it, step by
//! step, so that a failure is known to be before the message was offered or after.

use std::time::SystemTime;

use lettre::Message;

use crate::render::Reply;

use super::{Error, SmtpError, SmtpSettings, dsn, to_message};

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
    pub(super) settings: SmtpSettings,
    pub(super) starttls: Option<lettre::transport::smtp::client::TlsParameters>,
    pub(super) implicit: Option<std::sync::Arc<rustls::ClientConfig>>,
    pub(super) conn:
        tokio::sync::Mutex<Option<lettre::transport::smtp::client::AsyncSmtpConnection>>,
    pub(super) signin: SignIn,
    /// The envelope sender (`MAIL FROM`) when set; otherwise the From address. The desk's own
    /// address, so that bounces of our replies come back to the folder the daemon reads.
    pub(super) return_path: Option<lettre::Address>,
    /// Whether the relay offered `DSN` on the last connection opened (read from a second EHLO,
    /// since lettre keeps only the extensions it knows).
    pub(super) dsn: std::sync::atomic::AtomicBool,
}

/// How the relay is signed in to.
pub(super) enum SignIn {
    Password,
    /// `AUTH XOAUTH2` with the mailbox's current access token, fetched at each new connection.
    Token(std::sync::Arc<crate::oauth::TokenSource>),
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
        let envelope = self.envelope(message, &message_id)?;
        let reply_id = message
            .headers()
            .get_raw("Message-ID")
            .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>'));
        let mut slot = self.conn.lock().await;
        // A kept connection the server has since closed fails at MAIL FROM, before anything is
        // offered: open a fresh one and go on. A fresh connection gets no second chance.
        let mut retried = false;
        loop {
            let reused = slot.is_some();
            let mut conn = match slot.take() {
                Some(conn) => conn,
                None => self.open(&message_id).await?,
            };
            match self
                .transaction(&mut conn, &envelope, &bytes, reply_id)
                .await
            {
                Ok(()) => {
                    *slot = Some(conn);
                    return Ok(bytes);
                }
                Err(step) => {
                    // After an error reply the session state is unknown, so the connection is
                    // dropped either way.
                    conn.abort().await;
                    if step.is_stale_connection() && reused && !retried {
                        retried = true;
                        continue;
                    }
                    return Err(step.into_error(message_id));
                }
            }
        }
    }

    /// The envelope of `message`: its own, or with [`Smtp::with_return_path`]'s sender.
    fn envelope(
        &self,
        message: &Message,
        message_id: &str,
    ) -> Result<lettre::address::Envelope, Error> {
        let Some(sender) = &self.return_path else {
            return Ok(message.envelope().clone());
        };
        lettre::address::Envelope::new(Some(sender.clone()), message.envelope().to().to_vec())
            .map_err(|_| Error::Address {
                message_id: message_id.to_string(),
                field: "envelope",
                address: sender.to_string(),
            })
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
}

/// Where a transaction failed: before the message was written (nothing offered), or while
/// writing it or waiting for the reply to it.
enum Step {
    Before(Failed),
    Message(Failed),
}

impl Step {
    /// Failed before anything was offered and without a reply code: how a kept connection the
    /// relay has since closed fails.
    fn is_stale_connection(&self) -> bool {
        matches!(self, Step::Before(f) if !f.is_transient() && !f.is_permanent())
    }

    /// What became of the reply: nothing offered is deferred (or refused on a 5xx); a message
    /// written whose answer never came may have been delivered.
    fn into_error(self, message_id: String) -> SmtpError {
        match self {
            Step::Before(f) | Step::Message(f) if f.is_permanent() => SmtpError::Refused {
                message_id,
                source: f.into(),
            },
            Step::Before(f) => SmtpError::Deferred {
                message_id,
                source: f.into(),
            },
            Step::Message(f) if f.is_transient() => SmtpError::Deferred {
                message_id,
                source: f.into(),
            },
            Step::Message(f) => SmtpError::Uncertain {
                message_id,
                source: f.into(),
            },
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Which error a failed step becomes decides whether the reply is retried, handed to
    /// people, or reported as possibly delivered; only a reply-less failure before the message
    /// is worth a fresh connection.
    #[test]
    fn a_failed_step_becomes_the_error_its_moment_calls_for() {
        let utf8 = || Failed::NoSmtpUtf8 {
            address: "jürgen@example.com".into(),
        };
        for (step, want, stale) in [
            (Step::Before(Failed::Timeout), "deferred", true),
            (Step::Before(utf8()), "refused", false),
            (Step::Message(Failed::Timeout), "uncertain", false),
            (Step::Message(utf8()), "refused", false),
        ] {
            let label = match &step {
                Step::Before(f) => format!("before: {f}"),
                Step::Message(f) => format!("message: {f}"),
            };
            assert_eq!(step.is_stale_connection(), stale, "{label}");
            let got = match step.into_error("m1@example.com".into()) {
                SmtpError::Deferred { .. } => "deferred",
                SmtpError::Refused { .. } => "refused",
                SmtpError::Uncertain { .. } => "uncertain",
                other => panic!("{label}: {other}"),
            };
            assert_eq!(got, want, "{label}");
        }
    }
}
