//! What can go wrong. [`Error`] is the public error, worded for operators, with
//! [`Error::is_transient`] for the daemon; [`Failure`] is what the wire saw before a server and
//! a command are known, and [`Link::fail`] turns one into the other (marking the session spent
//! when the connection is in an unknown state).

use std::io;
use std::time::Duration;

use super::Link;

/// Why an IMAP operation failed. Each message says what happens next; [`Error::is_transient`]
/// tells the daemon whether to reconnect and retry or to stop and call for a person.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "IMAP without TLS is only for tests on this machine, not {host}; use implicit TLS or STARTTLS"
    )]
    PlainNotLocal { host: String },
    #[error("TLS settings for the IMAP server {server} are unusable; fix the configuration")]
    TlsConfig {
        server: String,
        #[source]
        source: crate::tls::Error,
    },
    #[error("cannot reach the IMAP server {server}; will retry")]
    Connect {
        server: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "TLS with the IMAP server {server} failed; check its certificate, the host name and ca_file"
    )]
    Tls {
        server: String,
        #[source]
        source: io::Error,
    },
    #[error("the IMAP server {server} refused STARTTLS ({detail}); not logging in without TLS")]
    NoStartTls { server: String, detail: String },
    #[error(
        "the IMAP server {server} refused the login of {user} ({detail}); check user and password"
    )]
    Login {
        server: String,
        user: String,
        detail: String,
    },
    #[error(
        "the IMAP server {server} refused the OAuth2 access token of {user} by {mechanism} ({detail})"
    )]
    TokenRefused {
        server: String,
        user: String,
        mechanism: &'static str,
        detail: String,
        /// Why, from the response code and the error challenge (`oauth::refusal`).
        refusal: crate::oauth::refusal::Refusal,
    },
    #[error(
        "the IMAP server {server} is temporarily unable to do {command} ({detail}); will retry"
    )]
    Unavailable {
        server: String,
        command: String,
        detail: String,
    },
    #[error("the IMAP folder {folder:?} does not exist")]
    NoSuchFolder { folder: String },
    #[error("the IMAP server {server} refused {command}: {detail}")]
    Refused {
        server: String,
        command: String,
        detail: String,
    },
    #[error("the IMAP server {server} and mailclerk disagree about {command}: {detail}")]
    Protocol {
        server: String,
        command: String,
        detail: String,
    },
    #[error("the connection to the IMAP server {server} failed during {command}; will reconnect")]
    Io {
        server: String,
        command: String,
        #[source]
        source: io::Error,
    },
    #[error("the IMAP server {server} did not answer {command} within {after:?}; will reconnect")]
    Timeout {
        server: String,
        command: String,
        after: Duration,
    },
    #[error(
        "the IMAP server {server} closed the connection during {command} ({detail}); will reconnect"
    )]
    Closed {
        server: String,
        command: String,
        detail: String,
    },
    #[error(
        "UIDVALIDITY of {folder:?} changed from {was} to {now}; its recorded UIDs name other messages now"
    )]
    UidValidityChanged { folder: String, was: u32, now: u32 },
    #[error("the IMAP server {server} lacks {capability}; {consequence}")]
    Unsupported {
        server: String,
        capability: &'static str,
        consequence: &'static str,
    },
    #[error("{command} needs a selected folder; call select first")]
    NotSelected { command: &'static str },
    #[error("{what} {value:?} cannot be sent to an IMAP server: {why}")]
    BadInput {
        what: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("the IMAP session to {server} broke earlier ({why}); connect again")]
    Broken { server: String, why: String },
}

/// A `FETCH` answer without what the policy needs: without INTERNALDATE there is no request
/// date. Reported as [`Error::Protocol`] for `UID FETCH`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum BadFetch {
    #[error("no RFC822.SIZE or INTERNALDATE for UID {uid}")]
    Incomplete { uid: u32 },
    #[error("unreadable INTERNALDATE {date:?} for UID {uid}")]
    Date { uid: u32, date: String },
}

impl Error {
    /// True when reconnecting later may succeed (network, timeouts, server restarts, `BYE`);
    /// false when a person must change something first (password, certificate, folder name).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Connect { .. }
                | Error::Unavailable { .. }
                | Error::Io { .. }
                | Error::Timeout { .. }
                | Error::Closed { .. }
                | Error::UidValidityChanged { .. }
                | Error::Broken { .. }
        )
    }
}

impl Link {
    /// Turns a low-level failure into the public error, and marks the session spent when the
    /// connection is in an unknown state.
    pub(super) fn fail(&mut self, command: &str, failure: Failure) -> Error {
        let breaks = failure.breaks_session();
        let err = failure.into_error(&self.server, command, self.timeout);
        if breaks {
            self.broken = Some(err.to_string());
        }
        err
    }

    pub(super) fn protocol(&self, command: &str, detail: String) -> Error {
        Error::Protocol {
            server: self.server.clone(),
            command: command.to_owned(),
            detail,
        }
    }

    pub(super) fn unsupported(&self, capability: &'static str, consequence: &'static str) -> Error {
        Error::Unsupported {
            server: self.server.clone(),
            capability,
            consequence,
        }
    }
}

/// A failure before it is given a server and command: what the transport and parser saw.
pub(super) enum Failure {
    Io(io::Error),
    Unparsable,
    Closed(String),
    No(String),
    Bad(String),
    Timeout,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        // async-imap's parse errors quote the raw response, which may hold message text:
        // keep it out of error messages and logs.
        if e.kind() == io::ErrorKind::Other && e.to_string().contains("during parsing of") {
            Failure::Unparsable
        } else if e.kind() == io::ErrorKind::UnexpectedEof {
            // rustls: the peer closed without close_notify, as Dovecot does when it dies.
            Failure::Closed("connection closed mid-stream".into())
        } else {
            Failure::Io(e)
        }
    }
}

impl From<async_imap::error::Error> for Failure {
    fn from(e: async_imap::error::Error) -> Self {
        use async_imap::error::Error as E;
        match e {
            E::Io(e) => e.into(),
            E::ConnectionLost => Failure::Closed("connection lost".into()),
            E::Bad(s) => Failure::Bad(server_words(&s)),
            E::No(s) => Failure::No(server_words(&s)),
            _ => Failure::Unparsable,
        }
    }
}

impl Failure {
    fn breaks_session(&self) -> bool {
        matches!(
            self,
            Failure::Io(_) | Failure::Unparsable | Failure::Closed(_) | Failure::Timeout
        )
    }

    pub(super) fn into_error(self, server: &str, command: &str, after: Duration) -> Error {
        let server = server.to_owned();
        let command = label(command);
        match self {
            Failure::Io(source) => Error::Io {
                server,
                command,
                source,
            },
            Failure::Unparsable => Error::Protocol {
                server,
                command,
                detail: "the server's response could not be parsed".into(),
            },
            Failure::Closed(detail) => Error::Closed {
                server,
                command,
                detail,
            },
            Failure::Timeout => Error::Timeout {
                server,
                command,
                after,
            },
            Failure::No(detail) if is_temporary(&detail) => Error::Unavailable {
                server,
                command,
                detail,
            },
            Failure::No(detail) => Error::Refused {
                server,
                command,
                detail,
            },
            Failure::Bad(detail) => Error::Protocol {
                server,
                command,
                detail,
            },
        }
    }
}

/// The server's text out of async-imap's `code: Some(TryCreate), info: Some("...")`, as
/// `[TRYCREATE] ...`, so operators read what the server said.
fn server_words(formatted: &str) -> String {
    let code = formatted
        .split_once("code: Some(")
        .and_then(|(_, rest)| rest.split(['(', ')', ',', ' ']).next())
        .map(|c| format!("[{}] ", c.to_ascii_uppercase()));
    let info = formatted
        .split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.rsplit_once("\")"))
        .map(|(text, _)| text.replace("\\\"", "\""));
    match info {
        Some(info) => format!("{}{info}", code.unwrap_or_default()),
        None => formatted.to_owned(),
    }
}

/// RFC 5530 codes that mean "try again later".
pub(super) fn is_temporary(detail: &str) -> bool {
    detail.contains("[UNAVAILABLE]") || detail.contains("[INUSE]")
}

pub(super) fn names_missing_folder(detail: &str) -> bool {
    detail.contains("[NONEXISTENT]") || detail.contains("[TRYCREATE]")
}

/// A command for an error message: whole, unless it is a long UID list.
fn label(command: &str) -> String {
    const MAX: usize = 100;
    match command.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &command[..cut]),
        None => command.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use async_imap::imap_proto::{Outcome, ResponseCode};

    use super::super::wire::outcome_text;
    use super::*;

    #[test]
    fn server_texts_keep_their_codes() {
        let o = Outcome {
            code: Some(ResponseCode::TryCreate),
            information: Some("Mailbox doesn't exist: X".into()),
        };
        assert_eq!(outcome_text(&o), "[TRYCREATE] Mailbox doesn't exist: X");
        assert!(names_missing_folder(&outcome_text(&o)));
        assert!(is_temporary(
            "[UNAVAILABLE] Temporary authentication failure."
        ));
        assert!(!is_temporary(
            "[AUTHENTICATIONFAILED] Authentication failed."
        ));
        assert_eq!(
            server_words(
                r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#
            ),
            "[AUTHENTICATIONFAILED] Authentication failed."
        );
        assert_eq!(
            server_words(r#"code: Some(TryCreate), info: Some("No \"x\" here")"#),
            r#"[TRYCREATE] No "x" here"#
        );
        assert_eq!(server_words("odd"), "odd");
    }

    #[test]
    fn transient_means_reconnect_may_help() {
        let login = Error::Login {
            server: "s".into(),
            user: "u".into(),
            detail: "no".into(),
        };
        assert!(!login.is_transient());
        let timeout = Error::Timeout {
            server: "s".into(),
            command: "NOOP".into(),
            after: Duration::from_secs(1),
        };
        assert!(timeout.is_transient());
    }
}
