//! IMAP intake: the only module that speaks IMAP. Everything it hands out is a plain owned value
//! ([`FolderState`], [`Fetched`], [`IdleOutcome`], [`Error`]); no async-imap type leaves it.
//!
//! async-imap is used as a transport and response parser, but most commands run through
//! [`Session::exchange`], which reads responses up to the command's own tagged completion. The
//! crate's stream-returning helpers (`uid_search`, `uid_fetch`, `list`, `uid_expunge`) end at
//! the tagged line without looking at its status, and treat a closed connection as the end of
//! the results: a `NO`, a `BAD` or a `doveadm kick` would come back as "nothing found". For a
//! daemon whose one promise is "never twice", "not found" must mean the server said so.
//!
//! Every network wait is bounded by [`ImapSettings::timeout`] (per response, so a large message
//! may take longer as long as bytes keep coming). After an error for which
//! [`Error::is_transient`] is true the session is spent: later calls return [`Error::Broken`],
//! and the caller connects again.
//!
//! # Layout
//! This file holds the public types and the [`Session`] state; the commands are spread over
//! `connect` (TCP, TLS, sign-in), `session` (select, search, fetch, logout), `filing` (folders,
//! moves, keywords, appends), `idle`, `threads` (answers written by hand), `wire` (one tagged
//! command and the argument encodings) and `error`.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

mod connect;
mod error;
mod filing;
mod idle;
mod session;
mod threads;
mod wire;

use connect::Transport;
pub use error::Error;

/// How the connection is protected. Plain TCP exists only so tests can talk to a local server
/// without certificates; [`Session::connect`] refuses it for any other host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAPS, usually port 993).
    Implicit,
    /// Plain TCP upgraded with `STARTTLS` before logging in (usually port 143).
    StartTls,
    /// No TLS at all: 127.0.0.1, ::1 or localhost only.
    Plain,
}

/// Where and how to log in. The password is never logged or shown by `Debug`.
#[derive(Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// A PEM file of extra trust anchors, added to the public web PKI (for a private CA).
    pub ca_file: Option<PathBuf>,
    pub user: String,
    pub password: String,
    /// The longest the server may stay silent while we wait for it.
    pub timeout: Duration,
}

impl fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("ca_file", &self.ca_file)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How [`Session::connect_with`] signs in.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `LOGIN` (or `AUTHENTICATE PLAIN`) with [`ImapSettings::password`].
    Password,
    /// An OAuth2 access token, by SASL `XOAUTH2` or `OAUTHBEARER`.
    Bearer {
        token: crate::oauth::Secret,
        mechanism: BearerMechanism,
    },
}

/// Which SASL mechanism carries an OAuth2 access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerMechanism {
    /// XOAUTH2 unless the server's greeting offers only OAUTHBEARER: XOAUTH2 is what
    /// Microsoft 365 and Gmail document, and after STARTTLS the mechanisms are not known.
    Auto,
    XOauth2,
    OAuthBearer,
}

/// What `SELECT` says about a folder. A changed `uid_validity` means every UID recorded for
/// that folder now names a different message (or none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uid_validity: u32,
    pub uid_next: u32,
    pub exists: u32,
}

/// One message as the server stores it. `internal_date` is when the server received it, which
/// is the policy's request date; `bytes` is `None` when the message was larger than the limit
/// and was therefore never downloaded.
#[derive(Clone, PartialEq, Eq)]
pub struct Fetched {
    pub uid: u32,
    pub internal_date: Timestamp,
    pub size: u64,
    pub bytes: Option<Vec<u8>>,
}

impl fmt::Debug for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the body: Debug output ends up in logs.
        f.debug_struct("Fetched")
            .field("uid", &self.uid)
            .field("internal_date", &self.internal_date)
            .field("size", &self.size)
            .field("bytes", &self.bytes.as_ref().map(Vec::len))
            .finish()
    }
}

/// Why [`Session::idle`] returned with the session intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The server reported a change (new mail, expunge, flags); search again to see what.
    Changed,
    /// Nothing happened within the time asked for; idle again (servers drop idlers after 30 min).
    TimedOut,
    /// The shutdown signal flipped to `true`.
    Shutdown,
}

/// A logged-in IMAP connection. Commands run one at a time (`&mut self`); [`Session::idle`]
/// takes the session and hands it back, because nothing else may be sent while idling.
pub struct Session {
    imap: Imap,
    link: Link,
}

type Imap = async_imap::Session<Transport>;

/// Everything about the session except the async-imap value, so `idle` can move that out.
struct Link {
    server: String,
    user: String,
    timeout: Duration,
    caps: Caps,
    selected: Option<Selected>,
    /// Folders known to exist, so moves and appends do not LIST every time.
    folders: HashSet<String>,
    /// Set after an error that leaves the connection in an unknown state.
    broken: Option<String>,
    /// The server announced new mail (`EXISTS`) since the last [`Session::uids_from`] began:
    /// it will not announce it again in IDLE, so the caller must look before idling.
    announced: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Caps {
    idle: bool,
    mv: bool,
    uidplus: bool,
    multiappend: bool,
}

#[derive(Debug, Clone)]
struct Selected {
    folder: String,
    uid_validity: u32,
    read_only: bool,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("server", &self.link.server)
            .field("user", &self.link.user)
            .field("caps", &self.link.caps)
            .field("selected", &self.link.selected)
            .field("broken", &self.link.broken)
            .finish()
    }
}

impl Session {
    /// Whether the server announced new mail in the selected folder since the last
    /// [`Session::uids_from`] began. Such mail is not announced again during IDLE, so a caller
    /// that sees true must look (another pass) instead of idling.
    pub fn mail_announced(&self) -> bool {
        self.link.announced
    }

    /// Whether the server pushes changes (`IDLE`); without it the daemon polls.
    pub fn can_idle(&self) -> bool {
        self.link.caps.idle
    }

    /// Whether the server moves messages atomically (`MOVE`).
    pub fn can_move(&self) -> bool {
        self.link.caps.mv
    }

    /// Hidden test hook: take the `UID COPY` + `UID EXPUNGE` path as if the server lacked
    /// `MOVE`, so the fallback can be tested against a real server that has it.
    #[doc(hidden)]
    pub fn disable_move_for_tests(&mut self) {
        self.link.caps.mv = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets_and_bodies() {
        let s = ImapSettings {
            host: "h".into(),
            port: 1,
            security: Security::Implicit,
            ca_file: None,
            user: "u".into(),
            password: "hunter2".into(),
            timeout: Duration::from_secs(1),
        };
        assert!(!format!("{s:?}").contains("hunter2"));
        let f = Fetched {
            uid: 1,
            internal_date: Timestamp::UNIX_EPOCH,
            size: 6,
            bytes: Some(b"secret".to_vec()),
        };
        assert!(!format!("{f:?}").contains("secret"));
    }
}
