//! Sending: a rendered [`Reply`](crate::render::Reply) becomes a real RFC 5322 message (lettre) and leaves through an
//! outbox ([`crate::apply::Outbox`]): a directory (lettre's file transport, `apply::dir`: the
//! demo and `run` over a directory) or the SMTP relay here (the daemon).
//!
//! SMTP never promises exactly-once (reliability-notes §1): a reply whose fate is unknown is
//! reported as [`SmtpError::Uncertain`] and must go to people, never be sent again blindly.
//!
//! # Layout
//! This file holds [`Error`] (a reply that could not be built, or not written to a directory
//! outbox); `message` builds the message, `smtp` is the relay and its transaction, `connection` opens and signs in, `xoauth2` is the OAuth2 sign-in, `dsn`
//! the delivery-report parameters, and `error` what became of a reply.

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

/// Any error, for the sources of [`SmtpError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
