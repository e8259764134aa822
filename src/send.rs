//! Sending: a rendered [`Reply`] becomes a real RFC 5322 message (lettre) and leaves through an
//! outbox: a directory (lettre's file transport: the demo and `run` over a directory) or an
//! SMTP relay (the daemon).
//!
//! SMTP never promises exactly-once (reliability-notes §1): a reply whose fate is unknown is
//! reported as [`SmtpError::Uncertain`] and must go to people, never be sent again blindly.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::{Message, Transport};

use crate::render::Reply;

/// Where replies go.
#[derive(Debug)]
pub enum Outbox {
    /// One `.eml` file per reply, written by lettre's file transport.
    Dir {
        path: PathBuf,
        transport: lettre::FileTransport,
    },
}

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
    #[error("cannot create the outbox directory {path}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the outbox directory refused the reply to <{message_id}>")]
    Dir {
        message_id: String,
        source: lettre::transport::file::Error,
    },
}

impl Outbox {
    /// An outbox writing `.eml` files into `path` (created if missing).
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn dir(path: &Path) -> Result<Outbox, Error> {
        std::fs::create_dir_all(path).map_err(|source| Error::CreateDir {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Outbox::Dir {
            path: path.to_path_buf(),
            transport: lettre::FileTransport::new(path),
        })
    }

    /// Sends one reply, dated `date`.
    ///
    /// # Errors
    /// The reply cannot be turned into a message, or the transport refuses it.
    pub fn send(&self, reply: &Reply, date: SystemTime) -> Result<(), Error> {
        let message = to_message(reply, date)?;
        match self {
            Outbox::Dir { transport, .. } => {
                transport
                    .send(&message)
                    .map(|_| ())
                    .map_err(|source| Error::Dir {
                        message_id: reply.in_reply_to.clone(),
                        source,
                    })
            }
        }
    }
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
    builder
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

/// SMTP relay settings, resolved (password read).
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: crate::config::mail::Security,
    pub ca_file: Option<PathBuf>,
    pub user: String,
    pub password: String,
    pub timeout: std::time::Duration,
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

/// An SMTP relay with pooled connections (lettre, tokio, rustls).
pub struct Smtp {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
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
    /// A pooled transport to the relay. Connects lazily.
    ///
    /// # Errors
    /// The CA file cannot be read or the TLS parameters are invalid.
    pub fn new(s: &SmtpSettings) -> Result<Smtp, SmtpError> {
        use crate::config::mail::Security;
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let settings_err = |problem: String| SmtpError::Settings {
            host: s.host.clone(),
            problem,
        };
        let mut params = TlsParameters::builder(s.host.clone());
        if let Some(ca) = &s.ca_file {
            let pem = std::fs::read(ca)
                .map_err(|e| settings_err(format!("cannot read CA file {}: {e}", ca.display())))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| settings_err(format!("CA file {}: {e}", ca.display())))?;
            params = params.add_root_certificate(cert);
        }
        let params = || {
            params
                .clone()
                .build_rustls()
                .map_err(|e| settings_err(format!("TLS parameters: {e}")))
        };
        let tls = match s.security {
            Security::Implicit => Tls::Wrapper(params()?),
            Security::Starttls => Tls::Required(params()?),
            Security::Plain => Tls::None,
        };
        let transport =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(s.host.clone())
                .port(s.port)
                .tls(tls)
                .credentials(Credentials::new(s.user.clone(), s.password.clone()))
                .timeout(Some(s.timeout))
                .build();
        Ok(Smtp { transport })
    }

    /// Offers one reply to the relay, dated `date`.
    ///
    /// # Errors
    /// See [`SmtpError`]: only `Deferred` may be retried.
    pub async fn send(&self, reply: &Reply, date: SystemTime) -> Result<(), SmtpError> {
        use lettre::AsyncTransport;
        let message = to_message(reply, date)?;
        let message_id = reply.in_reply_to.clone();
        // A probe on the pooled connection first: if the relay cannot be reached now, nothing
        // has been offered yet and the reply can safely wait. After this point a broken
        // connection is ambiguous.
        match self.transport.test_connection().await {
            Ok(true) => {}
            Ok(false) => {
                return Err(SmtpError::Deferred {
                    message_id,
                    source: probe_failed(),
                });
            }
            Err(source) => {
                return Err(SmtpError::Deferred {
                    message_id,
                    source: source.into(),
                });
            }
        }
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|source| {
                if source.is_transient() {
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
                }
            })
    }
}

/// Any error, for the sources of [`SmtpError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn probe_failed() -> BoxError {
    "the relay did not answer NOOP".into()
}

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
