//! Sending: a rendered [`Reply`] becomes a real RFC 5322 message (lettre) and leaves through an
//! outbox: a directory (lettre's file transport: the demo and `run` over a directory) or an
//! SMTP relay (the daemon).
//!
//! SMTP never promises exactly-once (reliability-notes §1): a reply whose fate is unknown is
//! reported as [`SmtpError::Uncertain`] and must go to people, never be sent again blindly.
//!
//! # Layout
//! This file holds the directory outbox; `message` builds the message, `smtp` is the relay and
//! its transaction, `connection` opens and signs in, `xoauth2` is the OAuth2 sign-in, `dsn` the
//! delivery-report parameters, and `error` what became of a reply.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lettre::Transport;

use crate::render::Reply;

mod connection;
pub mod dsn;
mod error;
mod message;
mod smtp;
pub mod xoauth2;

pub use crate::config::mail::SmtpSettings;
pub use error::{ProbeError, SmtpError};
pub use message::to_message;
pub use smtp::Smtp;

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

/// The directory, inside a directory outbox, where replies held for approval are written.
pub const DRAFTS_DIR: &str = "drafts";

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

    /// The outbox for replies a person must approve: `drafts/` inside a directory outbox.
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn drafts(&self) -> Result<Outbox, Error> {
        match self {
            Outbox::Dir { path, .. } => Outbox::dir(&path.join(DRAFTS_DIR)),
        }
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

/// Any error, for the sources of [`SmtpError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
