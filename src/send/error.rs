//! What became of a reply offered to the relay ([`SmtpError`]: only `Deferred` may be retried)
//! and why a sign-in probe failed ([`ProbeError`]).

use super::{BoxError, Error};

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
