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

use std::collections::{BTreeMap, HashSet};
use std::fmt::{self, Write as _};
use std::io;
use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{
    AttributeValue, Capability, MailboxDatum, Outcome, RequestId, Response, ResponseCode, Status,
};
use async_imap::{Authenticator, Client};
use jiff::Timestamp;
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::client::TlsStream;
use tracing::debug;

mod threads;

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

    /// Opens `folder` read-write. Compare `uid_validity` with the stored value before trusting
    /// any recorded UID.
    ///
    /// # Errors
    /// [`Error::NoSuchFolder`], or any connection error.
    pub async fn select(&mut self, folder: &str) -> Result<FolderState, Error> {
        let state = self.open(folder, false).await?;
        debug!(folder, ?state, "Selected.");
        Ok(state)
    }

    /// Opens `folder` read-only (`EXAMINE`): nothing done in it changes a flag (`replay`).
    ///
    /// # Errors
    /// [`Error::NoSuchFolder`], or any connection error.
    pub async fn examine(&mut self, folder: &str) -> Result<FolderState, Error> {
        self.open(folder, true).await
    }

    /// UIDs of the selected folder from `first_uid` on, ascending. IMAP answers `n:*` with the
    /// last message even when `n` is above every UID, so the result is filtered to `>= first_uid`.
    ///
    /// # Errors
    /// [`Error::NotSelected`], or any connection error.
    pub async fn uids_from(&mut self, first_uid: u32) -> Result<Vec<u32>, Error> {
        self.require_selected("UID SEARCH")?;
        let first = first_uid.max(1);
        // Cleared before the SEARCH: an EXISTS that arrives with or after it is noted again.
        self.link.announced = false;
        let mut uids = Vec::new();
        self.exchange(&format!("UID SEARCH UID {first}:*"), |r| {
            if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                uids.extend(found.iter().copied().filter(|u| *u >= first));
            }
        })
        .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// UIDs of the selected folder's messages whose INTERNALDATE falls on `day` or later (IMAP
    /// `SEARCH SINCE`, which compares dates only, in the server's time zone), ascending.
    ///
    /// # Errors
    /// [`Error::NotSelected`], or any connection error.
    pub async fn uids_since(&mut self, day: jiff::civil::Date) -> Result<Vec<u32>, Error> {
        self.require_selected("UID SEARCH")?;
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS[usize::try_from(day.month() - 1).unwrap_or(0)];
        let mut uids = Vec::new();
        self.exchange(
            &format!("UID SEARCH SINCE {}-{month}-{}", day.day(), day.year()),
            |r| {
                if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                    uids.extend(found.iter().copied());
                }
            },
        )
        .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Size and INTERNALDATE of each of `uids`, and the full message for those of at most
    /// `max_size` bytes, sorted by UID. Uses `BODY.PEEK[]`, so `\Seen` is never set: a message
    /// we fail to answer still looks unread to the people who will. UIDs that no longer exist
    /// are simply absent.
    ///
    /// # Errors
    /// [`Error::NotSelected`], [`Error::Protocol`] for an unreadable date, or any connection error.
    pub async fn fetch(&mut self, uids: &[u32], max_size: u64) -> Result<Vec<Fetched>, Error> {
        self.require_selected("UID FETCH")?;
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let mut found: BTreeMap<u32, Fetched> = BTreeMap::new();
        let mut problem = None;
        for set in uid_sets(uids) {
            self.exchange(
                &format!("UID FETCH {set} (UID RFC822.SIZE INTERNALDATE)"),
                |r| match message_meta(r) {
                    Some(Ok(m)) if wanted.contains(&m.uid) => {
                        found.insert(m.uid, m);
                    }
                    Some(Err(why)) => problem = problem.take().or(Some(why)),
                    _ => {}
                },
            )
            .await?;
        }
        if let Some(detail) = problem {
            return Err(self.link.protocol("UID FETCH", detail));
        }
        let small: Vec<u32> = found
            .values()
            .filter(|m| m.size <= max_size)
            .map(|m| m.uid)
            .collect();
        for set in uid_sets(&small) {
            self.exchange(&format!("UID FETCH {set} (UID BODY.PEEK[])"), |r| {
                if let Some((uid, bytes)) = message_body(r)
                    && let Some(m) = found.get_mut(&uid)
                {
                    m.bytes = Some(bytes.to_vec());
                }
            })
            .await?;
        }
        // A message expunged between the two FETCHes has no body; it is gone, not "too large".
        found.retain(|uid, m| {
            let gone = m.size <= max_size && m.bytes.is_none();
            if gone {
                debug!(uid, "Message vanished while being fetched.");
            }
            !gone
        });
        debug!(asked = uids.len(), got = found.len(), "Fetched.");
        Ok(found.into_values().collect())
    }

    /// Creates `folder` unless it exists. Safe to race with another client creating it.
    ///
    /// # Errors
    /// [`Error::BadInput`] for an unusable name, [`Error::Refused`] if the server will not create
    /// it, or any connection error.
    pub async fn ensure_folder(&mut self, folder: &str) -> Result<(), Error> {
        if self.link.folders.contains(folder) {
            return Ok(());
        }
        let name = mailbox_arg(folder)?;
        if !self.folder_exists(folder).await? {
            if let Err(err) = self.exchange(&format!("CREATE {name}"), |_| {}).await {
                // ALREADYEXISTS: someone created it between our LIST and CREATE.
                if !matches!(err, Error::Refused { .. }) || !self.folder_exists(folder).await? {
                    return Err(err);
                }
            }
            debug!(folder, "Created the folder.");
        }
        self.link.folders.insert(folder.to_owned());
        Ok(())
    }

    /// Moves `uids` from the selected folder to `to`, creating `to` first if needed. Without
    /// `MOVE` it copies, flags `\Deleted` and expunges exactly those UIDs (`UID EXPUNGE`); a
    /// plain `EXPUNGE` would also remove whatever else someone marked deleted, so a server
    /// without `UIDPLUS` gets [`Error::Unsupported`] instead.
    ///
    /// # Errors
    /// [`Error::NotSelected`], [`Error::Unsupported`], [`Error::Refused`], or any connection error.
    pub async fn move_uids(&mut self, uids: &[u32], to: &str) -> Result<(), Error> {
        if uids.is_empty() {
            return Ok(());
        }
        self.require_selected("UID MOVE")?;
        if !self.link.caps.mv && !self.link.caps.uidplus {
            return Err(self.link.unsupported(
                "MOVE and UIDPLUS",
                "messages cannot be moved without risking others; file them by hand",
            ));
        }
        self.ensure_folder(to).await?;
        for set in uid_sets(uids) {
            match self.move_set(&set, to).await {
                // The folder was deleted since we last looked: create it again, once.
                Err(Error::Refused { detail, .. }) if names_missing_folder(&detail) => {
                    self.link.folders.remove(to);
                    self.ensure_folder(to).await?;
                    self.move_set(&set, to).await?;
                }
                // Someone else expunged one of them (a person deleted or moved it) and this
                // session has not been told yet: NOOP lets the server tell it, after which
                // the move of what is left succeeds and the gone UIDs are ignored.
                Err(Error::Refused { detail, .. }) if detail.contains("[EXPUNGEISSUED]") => {
                    self.noop().await?;
                    self.move_set(&set, to).await?;
                }
                other => other?,
            }
        }
        debug!(count = uids.len(), to, "Moved.");
        Ok(())
    }

    /// Adds `keyword` (such as `$mailclerk-answered`) to `uids` in the selected folder, so people
    /// reading the mailbox see what mailclerk did.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a keyword that is not an IMAP atom, [`Error::NotSelected`], or any
    /// connection error.
    pub async fn add_keyword(&mut self, uids: &[u32], keyword: &str) -> Result<(), Error> {
        check_flag("keyword", keyword, false)?;
        if uids.is_empty() {
            return Ok(());
        }
        self.require_selected("UID STORE")?;
        for set in uid_sets(uids) {
            let command = format!("UID STORE {set} +FLAGS.SILENT ({keyword})");
            match self.exchange(&command, |_| {}).await {
                // As in move_uids: a message expunged by someone else meanwhile.
                Err(Error::Refused { detail, .. }) if detail.contains("[EXPUNGEISSUED]") => {
                    self.noop().await?;
                    self.exchange(&command, |_| {}).await?;
                }
                other => other?,
            }
        }
        Ok(())
    }

    /// Takes `keywords` off `uids` in the selected folder (`-FLAGS.SILENT`); a keyword a message
    /// does not carry is no error, and neither is a message expunged meanwhile.
    ///
    /// # Errors
    /// As [`Session::add_keyword`].
    pub async fn remove_keywords(&mut self, uids: &[u32], keywords: &[&str]) -> Result<(), Error> {
        for keyword in keywords {
            check_flag("keyword", keyword, false)?;
        }
        if uids.is_empty() || keywords.is_empty() {
            return Ok(());
        }
        self.require_selected("UID STORE")?;
        let list = keywords.join(" ");
        for set in uid_sets(uids) {
            let command = format!("UID STORE {set} -FLAGS.SILENT ({list})");
            match self.exchange(&command, |_| {}).await {
                Err(Error::Refused { detail, .. }) if detail.contains("[EXPUNGEISSUED]") => {
                    self.noop().await?;
                    self.exchange(&command, |_| {}).await?;
                }
                other => other?,
            }
        }
        Ok(())
    }

    /// UIDs of the selected folder's messages that carry `keyword` (`UID SEARCH KEYWORD`),
    /// ascending: what a person marked, or what mailclerk marked earlier.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a keyword that is not an IMAP atom, [`Error::NotSelected`], or any
    /// connection error.
    pub async fn uids_with_keyword(&mut self, keyword: &str) -> Result<Vec<u32>, Error> {
        check_flag("keyword", keyword, false)?;
        self.require_selected("UID SEARCH")?;
        let mut uids = Vec::new();
        self.exchange(&format!("UID SEARCH KEYWORD {keyword}"), |r| {
            if let Response::MailboxData(MailboxDatum::Search(found)) = r {
                uids.extend(found.iter().copied());
            }
        })
        .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Stores `message` in `folder` (created if missing) with `flags` such as `\Seen` (a copy in
    /// Sent) or `\Draft` (a reply for people to review).
    ///
    /// # Errors
    /// [`Error::BadInput`] for a malformed flag or name, [`Error::Refused`] (quota, size), or any
    /// connection error.
    pub async fn append(
        &mut self,
        folder: &str,
        message: &[u8],
        flags: &[&str],
    ) -> Result<(), Error> {
        self.append_many(folder, &[message], flags).await
    }

    /// One `APPEND` command (several messages with `MULTIAPPEND`) to a folder known to exist.
    async fn append_chunk(
        &mut self,
        folder: &str,
        messages: &[&[u8]],
        flags: &[&str],
    ) -> Result<(), Error> {
        match self.append_once(folder, messages, flags).await {
            // The folder was deleted since we last looked: create it again, once.
            Err(Error::Refused { detail, .. }) if names_missing_folder(&detail) => {
                self.link.folders.remove(folder);
                self.ensure_folder(folder).await?;
                self.append_once(folder, messages, flags).await
            }
            other => other,
        }
    }

    async fn append_once(
        &mut self,
        folder: &str,
        messages: &[&[u8]],
        flags: &[&str],
    ) -> Result<(), Error> {
        let Some(first) = messages.first() else {
            return Ok(());
        };
        let flags = flags.join(" ");
        let command = format!(
            "APPEND {} ({flags}) {{{}}}",
            mailbox_arg(folder)?,
            first.len()
        );
        self.usable()?;
        let result = append_literals(
            &mut self.imap,
            &command,
            messages,
            &flags,
            self.link.timeout,
        )
        .await;
        self.link.announced |= matches!(result, Ok(true));
        result.map(|_| ()).map_err(|f| self.link.fail(&command, f))
    }

    /// Appends several messages to `folder` with the same flags. With `MULTIAPPEND` (RFC 3502)
    /// they go in one command, which the server commits as one transaction (on Dovecot about a
    /// third of the time of one `APPEND` each); without it, one `APPEND` each. All or none are
    /// appended when the server has `MULTIAPPEND`.
    ///
    /// # Errors
    /// As [`Session::append`].
    pub async fn append_many(
        &mut self,
        folder: &str,
        messages: &[&[u8]],
        flags: &[&str],
    ) -> Result<(), Error> {
        for flag in flags {
            check_flag("flag", flag, true)?;
        }
        self.ensure_folder(folder).await?;
        if self.link.caps.multiappend {
            // Bounded commands: a server may cap a command's size, and a failure costs one
            // chunk.
            for chunk in multiappend_chunks(messages) {
                self.append_chunk(folder, chunk, flags).await?;
            }
        } else {
            for message in messages {
                self.append_chunk(folder, std::slice::from_ref(message), flags)
                    .await?;
            }
        }
        debug!(folder, count = messages.len(), "Appended.");
        Ok(())
    }

    /// Whether `folder` holds a message with this Message-ID (with or without `<>`). This is how
    /// a restarted daemon learns that a reply already went out. A missing folder holds nothing.
    /// The previously selected folder is selected again afterwards.
    ///
    /// # Errors
    /// [`Error::BadInput`] for an empty or non-ASCII id, [`Error::UidValidityChanged`] if the
    /// previous folder changed meanwhile, or any connection error.
    pub async fn find_message_id(&mut self, folder: &str, message_id: &str) -> Result<bool, Error> {
        let needle = message_id_arg(message_id)?;
        self.any_in(folder, &format!("HEADER Message-ID {needle}"))
            .await
    }

    /// Whether `UID SEARCH criteria` finds anything in `folder` (a missing folder: nothing).
    pub(super) async fn any_in(&mut self, folder: &str, criteria: &str) -> Result<bool, Error> {
        let previous = self.link.selected.clone();
        let here = previous.as_ref().is_some_and(|p| p.folder == folder);
        if !here {
            match self.open(folder, true).await {
                Ok(_) => {}
                Err(Error::NoSuchFolder { .. }) => {
                    self.restore(previous).await?;
                    return Ok(false);
                }
                Err(err) => return Err(err),
            }
        }
        let mut found = false;
        self.exchange(&format!("UID SEARCH {criteria}"), |r| {
            if let Response::MailboxData(MailboxDatum::Search(uids)) = r {
                found |= !uids.is_empty();
            }
        })
        .await?;
        if !here {
            self.restore(previous).await?;
        }
        debug!(folder, criteria, found, "Searched.");
        Ok(found)
    }

    /// Waits for the server to report a change in the selected folder, for `timeout` to pass
    /// (keep it under 29 minutes: servers log idlers out at 30), or for `shutdown` to become
    /// true, then ends IDLE and hands the session back. A `BYE` (server restart, `doveadm kick`)
    /// is an error, since the session is gone.
    ///
    /// # Errors
    /// [`Error::Unsupported`] without `IDLE`; [`Error::Closed`] and the other transient errors
    /// when the connection ends.
    pub async fn idle(
        self,
        timeout: Duration,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<(Session, IdleOutcome), Error> {
        let Session { imap, mut link } = self;
        if !link.caps.idle {
            return Err(link.unsupported("IDLE", "poll with noop() and uids_from() instead"));
        }
        if let Some(why) = &link.broken {
            return Err(Error::Broken {
                server: link.server.clone(),
                why: why.clone(),
            });
        }
        if *shutdown.borrow() {
            return Ok((Session { imap, link }, IdleOutcome::Shutdown));
        }
        let t = link.timeout;
        let mut handle = imap.idle();
        if let Err(f) = within(t, handle.init()).await {
            return Err(link.fail("IDLE", f));
        }
        debug!(?timeout, "Idling.");
        let woke = {
            let (wait, _stop) = handle.wait_with_timeout(timeout);
            // `_stop` must live until here: dropping it interrupts `wait` at once.
            tokio::select! {
                r = wait => Woke::Server(r),
                () = tokio::time::sleep(timeout) => Woke::Deadline,
                () = flipped(shutdown) => Woke::Shutdown,
            }
        };
        let outcome = match woke {
            Woke::Server(Ok(IdleResponse::NewData(resp))) => match resp.parsed() {
                Response::Data {
                    status: Status::Bye,
                    outcome,
                } => {
                    let bye = format!("BYE {}", outcome_text(outcome));
                    return Err(link.fail("IDLE", Failure::Closed(bye)));
                }
                _ => IdleOutcome::Changed,
            },
            Woke::Server(Ok(IdleResponse::Timeout)) | Woke::Deadline => IdleOutcome::TimedOut,
            // We still hold the stop source, so this "interrupt" is the stream ending.
            Woke::Server(Ok(IdleResponse::ManualInterrupt)) => {
                return Err(link.fail("IDLE", Failure::Closed("connection closed".into())));
            }
            Woke::Server(Err(e)) => return Err(link.fail("IDLE", e.into())),
            Woke::Shutdown => IdleOutcome::Shutdown,
        };
        let imap = match within(t, handle.done()).await {
            Ok(imap) => imap,
            Err(f) => return Err(link.fail("DONE", f)),
        };
        while imap.unsolicited_responses.try_recv().is_ok() {}
        debug!(?outcome, "Idle ended.");
        Ok((Session { imap, link }, outcome))
    }

    /// Keeps the connection alive and lets the server report changes; the way to poll when
    /// [`Session::can_idle`] is false.
    ///
    /// # Errors
    /// Any connection error.
    pub async fn noop(&mut self) -> Result<(), Error> {
        self.exchange("NOOP", |_| {}).await
    }

    /// Says goodbye and closes the connection. A session that already broke is just dropped.
    ///
    /// # Errors
    /// The server answered `LOGOUT` with something other than `BYE`/`OK`, or did not answer.
    pub async fn logout(mut self) -> Result<(), Error> {
        if self.link.broken.is_some() {
            return Ok(());
        }
        match self.exchange("LOGOUT", |_| {}).await {
            Ok(()) | Err(Error::Closed { .. }) => {}
            Err(err) => return Err(err),
        }
        // Best effort: a TLS close_notify, so the server logs a clean disconnect.
        let _ = tokio::time::timeout(self.link.timeout, self.imap.get_mut().shutdown()).await;
        debug!(server = %self.link.server, "Logged out.");
        Ok(())
    }

    /// Runs one tagged command, passing every untagged response to `each`, and succeeds only on
    /// the command's own tagged `OK`. A `BYE` followed by the end of the stream is
    /// [`Error::Closed`], never an empty result.
    async fn exchange(
        &mut self,
        command: &str,
        mut each: impl FnMut(&Response<'_>),
    ) -> Result<(), Error> {
        self.usable()?;
        let t = self.link.timeout;
        let mut announced = false;
        let result = async {
            let tag = within(t, self.imap.run_command(command)).await?;
            finish(&mut self.imap, &tag, t, &mut |r| {
                announced |= announces_mail(r);
                each(r)
            })
            .await
        }
        .await;
        self.link.announced |= announced;
        result.map_err(|f| self.link.fail(command, f))
    }

    fn usable(&self) -> Result<(), Error> {
        match &self.link.broken {
            Some(why) => Err(Error::Broken {
                server: self.link.server.clone(),
                why: why.clone(),
            }),
            None => Ok(()),
        }
    }

    fn require_selected(&self, command: &'static str) -> Result<(), Error> {
        match &self.link.selected {
            Some(_) => Ok(()),
            None => Err(Error::NotSelected { command }),
        }
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

    /// `SELECT` (or `EXAMINE` when `read_only`) and the folder's state.
    async fn open(&mut self, folder: &str, read_only: bool) -> Result<FolderState, Error> {
        let verb = if read_only { "EXAMINE" } else { "SELECT" };
        let name = mailbox_arg(folder)?;
        // A failed SELECT leaves no folder selected (RFC 3501 6.3.1).
        self.link.selected = None;
        let (mut validity, mut next, mut exists) = (None, None, 0);
        let result = self
            .exchange(&format!("{verb} {name}"), |r| match r {
                Response::Data {
                    status: Status::Ok,
                    outcome,
                } => match outcome.code {
                    Some(ResponseCode::UidValidity(v)) => validity = Some(v),
                    Some(ResponseCode::UidNext(n)) => next = Some(n),
                    _ => {}
                },
                Response::MailboxData(MailboxDatum::Exists(n)) => exists = *n,
                _ => {}
            })
            .await;
        if let Err(err) = result {
            // Dovecot 2.3 says only "NO Mailbox doesn't exist", without [NONEXISTENT]: ask.
            let missing = match &err {
                Error::Refused { detail, .. } => {
                    names_missing_folder(detail) || !self.folder_exists(folder).await?
                }
                _ => false,
            };
            return Err(if missing {
                Error::NoSuchFolder {
                    folder: folder.to_owned(),
                }
            } else {
                err
            });
        }
        let (Some(uid_validity), Some(uid_next)) = (validity, next) else {
            return Err(self
                .link
                .protocol(verb, "the server sent no UIDVALIDITY or UIDNEXT".into()));
        };
        self.link.selected = Some(Selected {
            folder: folder.to_owned(),
            uid_validity,
            read_only,
        });
        Ok(FolderState {
            uid_validity,
            uid_next,
            exists,
        })
    }

    /// Selects `previous` again after a look elsewhere, and notices if it changed identity.
    async fn restore(&mut self, previous: Option<Selected>) -> Result<(), Error> {
        let Some(previous) = previous else {
            // Nothing was selected before: leave none selected. CLOSE on an EXAMINEd folder
            // expunges nothing.
            if self.link.selected.as_ref().is_some_and(|s| s.read_only) {
                self.exchange("CLOSE", |_| {}).await?;
            }
            self.link.selected = None;
            return Ok(());
        };
        let state = self.open(&previous.folder, previous.read_only).await?;
        if state.uid_validity != previous.uid_validity {
            return Err(Error::UidValidityChanged {
                folder: previous.folder,
                was: previous.uid_validity,
                now: state.uid_validity,
            });
        }
        Ok(())
    }

    async fn folder_exists(&mut self, folder: &str) -> Result<bool, Error> {
        if folder.eq_ignore_ascii_case("INBOX") {
            return Ok(true);
        }
        let encoded = utf7_imap(folder);
        let mut exists = false;
        self.exchange(&format!("LIST \"\" {}", quote(&encoded)), |r| {
            if let Response::MailboxData(MailboxDatum::List(list)) = r {
                exists |= list.name == encoded;
            }
        })
        .await?;
        Ok(exists)
    }

    async fn move_set(&mut self, set: &str, to: &str) -> Result<(), Error> {
        let name = mailbox_arg(to)?;
        if self.link.caps.mv {
            return self
                .exchange(&format!("UID MOVE {set} {name}"), |_| {})
                .await;
        }
        self.exchange(&format!("UID COPY {set} {name}"), |_| {})
            .await?;
        self.exchange(
            &format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)"),
            |_| {},
        )
        .await?;
        self.exchange(&format!("UID EXPUNGE {set}"), |_| {}).await
    }
}

impl Link {
    /// Turns a low-level failure into the public error, and marks the session spent when the
    /// connection is in an unknown state.
    fn fail(&mut self, command: &str, failure: Failure) -> Error {
        let breaks = failure.breaks_session();
        let err = failure.into_error(&self.server, command, self.timeout);
        if breaks {
            self.broken = Some(err.to_string());
        }
        err
    }

    fn protocol(&self, command: &str, detail: String) -> Error {
        Error::Protocol {
            server: self.server.clone(),
            command: command.to_owned(),
            detail,
        }
    }

    fn unsupported(&self, capability: &'static str, consequence: &'static str) -> Error {
        Error::Unsupported {
            server: self.server.clone(),
            capability,
            consequence,
        }
    }
}

enum Woke {
    Server(async_imap::error::Result<IdleResponse>),
    Deadline,
    Shutdown,
}

/// Resolves when the shutdown flag becomes true; never, if its sender is gone (nobody can ask
/// for shutdown any more, and idling must not spin).
async fn flipped(shutdown: &mut watch::Receiver<bool>) {
    if shutdown.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A failure before it is given a server and command: what the transport and parser saw.
enum Failure {
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

    fn into_error(self, server: &str, command: &str, after: Duration) -> Error {
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

async fn within<T, E: Into<Failure>>(
    t: Duration,
    fut: impl Future<Output = Result<T, E>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(t, fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(Failure::Timeout),
    }
}

/// Reads responses up to the tagged completion of `tag`, checking its status.
async fn finish(
    imap: &mut Imap,
    tag: &RequestId,
    t: Duration,
    each: &mut impl FnMut(&Response<'_>),
) -> Result<(), Failure> {
    let mut bye = None;
    loop {
        let Some(resp) = within(t, imap.read_response()).await? else {
            return Err(Failure::Closed(
                bye.unwrap_or_else(|| "connection closed".into()),
            ));
        };
        match resp.parsed() {
            Response::Done {
                tag: done,
                status,
                outcome,
            } if done == tag => return completion(status, outcome),
            Response::Data {
                status: Status::Bye,
                outcome,
            } => bye = Some(format!("BYE {}", outcome_text(outcome))),
            other => each(other),
        }
    }
}

/// Messages per `MULTIAPPEND` command, and bytes: whichever limit is reached first.
const MULTIAPPEND_MAX_MESSAGES: usize = 50;
const MULTIAPPEND_MAX_BYTES: usize = 8 << 20;

fn multiappend_chunks<'m, 'a>(messages: &'a [&'m [u8]]) -> Vec<&'a [&'m [u8]]> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, m) in messages.iter().enumerate() {
        if i > start
            && (i - start == MULTIAPPEND_MAX_MESSAGES || bytes + m.len() > MULTIAPPEND_MAX_BYTES)
        {
            chunks.push(&messages[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += m.len();
    }
    if start < messages.len() {
        chunks.push(&messages[start..]);
    }
    chunks
}

/// `APPEND` with synchronizing literals: each message goes out only after the server's `+`.
/// `command` names the first message's size; each later one is announced with `flags` on the
/// same command line (RFC 3502). True when the server announced new mail in the selected
/// folder meanwhile.
async fn append_literals(
    imap: &mut Imap,
    command: &str,
    messages: &[&[u8]],
    flags: &str,
    t: Duration,
) -> Result<bool, Failure> {
    let mut announced = false;
    let tag = within(t, imap.run_command(command)).await?;
    for (i, message) in messages.iter().enumerate() {
        if i > 0 {
            let next = format!(" ({flags}) {{{}}}\r\n", message.len());
            write_raw(imap, t, next.as_bytes()).await?;
        }
        loop {
            let Some(resp) = within(t, imap.read_response()).await? else {
                return Err(Failure::Closed("connection closed".into()));
            };
            match resp.parsed() {
                Response::Continue(_) => break,
                Response::Done {
                    tag: done,
                    status,
                    outcome,
                } if done == &tag => {
                    completion(status, outcome)?;
                    return Err(Failure::Bad(
                        "APPEND completed before the message was sent".into(),
                    ));
                }
                other => announced |= announces_mail(other),
            }
        }
        write_raw(imap, t, message).await?;
    }
    write_raw(imap, t, b"\r\n").await?;
    finish(imap, &tag, t, &mut |r| announced |= announces_mail(r)).await?;
    Ok(announced)
}

/// Bytes written as they are (a literal, or the rest of a command line), past async-imap's
/// command framing.
async fn write_raw(imap: &mut Imap, t: Duration, bytes: &[u8]) -> Result<(), Failure> {
    within(t, async {
        let stream = imap.get_mut();
        stream.write_all(bytes).await?;
        stream.flush().await
    })
    .await
}

/// An untagged `EXISTS`: the selected folder has (or may have) new mail.
fn announces_mail(r: &Response<'_>) -> bool {
    matches!(r, Response::MailboxData(MailboxDatum::Exists(_)))
}

fn completion(status: &Status, outcome: &Outcome<'_>) -> Result<(), Failure> {
    match status {
        Status::Ok => Ok(()),
        Status::No => Err(Failure::No(outcome_text(outcome))),
        _ => Err(Failure::Bad(outcome_text(outcome))),
    }
}

/// `[CODE] text`, the way the server wrote it. Codes imap-proto does not know stay in the text.
fn outcome_text(o: &Outcome<'_>) -> String {
    let info = o.information.as_deref().unwrap_or("").trim();
    match &o.code {
        Some(code) => {
            let debug = format!("{code:?}");
            let name = debug.split(['(', ' ', '{']).next().unwrap_or_default();
            format!("[{}] {info}", name.to_ascii_uppercase())
        }
        None => info.to_owned(),
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
fn is_temporary(detail: &str) -> bool {
    detail.contains("[UNAVAILABLE]") || detail.contains("[INUSE]")
}

fn names_missing_folder(detail: &str) -> bool {
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

struct Meta<'a> {
    uid: Option<u32>,
    size: Option<u32>,
    date: Option<&'a str>,
}

/// UID, size and date from a FETCH response; `None` for other responses, `Err` for a date we
/// cannot read (without it the policy has no request date).
fn message_meta(r: &Response<'_>) -> Option<Result<Fetched, String>> {
    let Response::Fetch(_, attrs) = r else {
        return None;
    };
    let mut m = Meta {
        uid: None,
        size: None,
        date: None,
    };
    for attr in attrs {
        match attr {
            AttributeValue::Uid(u) => m.uid = Some(*u),
            AttributeValue::Rfc822Size(s) => m.size = Some(*s),
            AttributeValue::InternalDate(d) => m.date = Some(d.as_ref()),
            _ => {}
        }
    }
    // Unsolicited flag updates for other messages carry neither size nor date: not ours.
    let uid = m.uid?;
    if m.size.is_none() && m.date.is_none() {
        return None;
    }
    let (Some(size), Some(date)) = (m.size, m.date) else {
        return Some(Err(format!("no RFC822.SIZE or INTERNALDATE for UID {uid}")));
    };
    Some(match internal_date(date) {
        Some(internal_date) => Ok(Fetched {
            uid,
            internal_date,
            size: u64::from(size),
            bytes: None,
        }),
        None => Err(format!("unreadable INTERNALDATE {date:?} for UID {uid}")),
    })
}

fn message_body<'r>(r: &'r Response<'_>) -> Option<(u32, &'r [u8])> {
    let Response::Fetch(_, attrs) = r else {
        return None;
    };
    let mut uid = None;
    let mut body = None;
    for attr in attrs {
        match attr {
            AttributeValue::Uid(u) => uid = Some(*u),
            AttributeValue::BodySection {
                section: None,
                data: Some(d),
                ..
            }
            | AttributeValue::Rfc822(Some(d)) => body = Some(d.as_ref()),
            _ => {}
        }
    }
    Some((uid?, body?))
}

/// INTERNALDATE, e.g. ` 7-Nov-2026 09:05:01 +0100` (the day may be space-padded).
fn internal_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let padded;
    let text = if text.as_bytes().get(1) == Some(&b'-') {
        padded = format!("0{text}");
        padded.as_str()
    } else {
        text
    };
    jiff::fmt::strtime::parse("%d-%b-%Y %H:%M:%S %z", text)
        .ok()?
        .to_timestamp()
        .ok()
}

/// UID sets of at most 500 UIDs each, ranges compressed (`1:4,7`), so no command line grows
/// past what servers accept.
fn uid_sets(uids: &[u32]) -> Vec<String> {
    let mut sorted: Vec<u32> = uids.iter().copied().filter(|u| *u > 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
        .chunks(500)
        .map(|chunk| {
            let mut out = String::new();
            let mut i = 0;
            while i < chunk.len() {
                let start = chunk[i];
                while i + 1 < chunk.len() && chunk[i + 1] == chunk[i] + 1 {
                    i += 1;
                }
                if !out.is_empty() {
                    out.push(',');
                }
                match chunk[i] {
                    end if end == start => write!(out, "{start}"),
                    end => write!(out, "{start}:{end}"),
                }
                .expect("writing to a String cannot fail");
                i += 1;
            }
            out
        })
        .collect()
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A folder name as a quoted IMAP argument, in modified UTF-7 (RFC 3501 5.1.3), so names like
/// "Entwürfe" work on servers without UTF8=ACCEPT.
fn mailbox_arg(folder: &str) -> Result<String, Error> {
    if folder.is_empty() || folder.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(Error::BadInput {
            what: "folder name",
            value: folder.to_owned(),
            why: "it is empty or contains a line break or NUL",
        });
    }
    Ok(quote(&utf7_imap(folder)))
}

fn utf7_imap(name: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush_utf16(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush_utf16(&mut out, &mut pending);
    out
}

fn flush_utf16(out: &mut String, pending: &mut Vec<u16>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out.push('-');
    pending.clear();
}

/// A flag (`\Seen`) or keyword (`$mailclerk-answered`) must be an IMAP atom.
fn check_flag(what: &'static str, flag: &str, system_allowed: bool) -> Result<(), Error> {
    let atom = if system_allowed {
        flag.strip_prefix('\\').unwrap_or(flag)
    } else {
        flag
    };
    let ok = !atom.is_empty()
        && atom
            .chars()
            .all(|c| c.is_ascii_graphic() && !"(){%*\"\\]".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::BadInput {
            what,
            value: flag.to_owned(),
            why: "it is not an IMAP atom (letters, digits, $, -, _ and the like)",
        })
    }
}

/// `<id>` as a quoted search string. Brackets make the server's substring match exact enough:
/// `abc@x` would also match `<zabc@x>`, `<abc@x>` does not.
fn message_id_arg(message_id: &str) -> Result<String, Error> {
    let id = message_id.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::BadInput {
            what: "Message-ID",
            value: message_id.to_owned(),
            why: "it is empty or not printable ASCII",
        });
    }
    Ok(quote(&format!("<{id}>")))
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
        use crate::oauth::refusal::{self, Refusal};
        match refusal::imap(bad, &detail, error_challenge.as_ref()) {
            Refusal::Temporary => Error::Unavailable {
                server: server.to_owned(),
                command: "AUTHENTICATE".into(),
                detail,
            },
            refusal => Error::TokenRefused {
                server: server.to_owned(),
                user: s.user.clone(),
                mechanism: name,
                detail: match &error_challenge {
                    Some(c) => format!("{detail}; error challenge status {:?}", c.status),
                    None => detail,
                },
                refusal,
            },
        }
    };
    match attempt {
        Ok(ok) => Ok(ok),
        Err(Failure::No(detail)) => Err(refused(false, detail)),
        Err(Failure::Bad(detail)) => Err(refused(true, detail)),
        Err(f) => Err(f.into_error(server, "AUTHENTICATE", s.timeout)),
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
enum Transport {
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
    fn uid_sets_compress_ranges_and_split_long_lists() {
        assert_eq!(uid_sets(&[5, 1, 2, 3, 9, 3, 0]), vec!["1:3,5,9"]);
        assert!(uid_sets(&[]).is_empty());
        let many: Vec<u32> = (1..=1200).map(|u| u * 2).collect();
        let sets = uid_sets(&many);
        assert_eq!(sets.len(), 3);
        assert!(sets[0].starts_with("2,4,6"));
    }

    #[test]
    fn folder_names_use_modified_utf7() {
        assert_eq!(utf7_imap("Sent"), "Sent");
        assert_eq!(utf7_imap("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(utf7_imap("A&B"), "A&-B");
        // RFC 3501's own example: 台北 (U+53F0 U+5317).
        assert_eq!(utf7_imap("台北"), "&U,BTFw-");
        assert_eq!(mailbox_arg("a\"b").unwrap(), r#""a\"b""#);
        assert!(mailbox_arg("a\r\nb").is_err());
        assert!(mailbox_arg("").is_err());
    }

    #[test]
    fn internal_dates_parse_with_and_without_padding() {
        let t = internal_date(" 7-Nov-2026 09:05:01 +0100").unwrap();
        assert_eq!(t.to_string(), "2026-11-07T08:05:01Z");
        let t = internal_date("23-Nov-2025 23:59:59 -0700").unwrap();
        assert_eq!(t.to_string(), "2025-11-24T06:59:59Z");
        assert!(internal_date("yesterday").is_none());
    }

    #[test]
    fn only_loopback_hosts_may_skip_tls() {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["mail.example.com", "10.0.0.1", "localhost.evil.test"] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn message_ids_are_searched_with_brackets() {
        assert_eq!(message_id_arg("abc@x").unwrap(), "\"<abc@x>\"");
        assert_eq!(message_id_arg(" <abc@x> ").unwrap(), "\"<abc@x>\"");
        assert!(message_id_arg("<>").is_err());
        assert!(message_id_arg("a b@x").is_err());
    }

    #[test]
    fn flags_and_keywords_must_be_atoms() {
        assert!(check_flag("flag", "\\Seen", true).is_ok());
        assert!(check_flag("keyword", "$mailclerk-answered", false).is_ok());
        assert!(check_flag("keyword", "\\Seen", false).is_err());
        assert!(check_flag("keyword", "two words", false).is_err());
        assert!(check_flag("keyword", "x)", false).is_err());
    }

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
