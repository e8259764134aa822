//! Where the executor's mail goes: one interface, real implementations for each medium
//! (lettre's `Transport` with its file and SMTP transports is the model). The executor never
//! knows which one it holds: a directory of `.eml` files ([`super::dir::DirOutbox`]), or the
//! daemon's SMTP relay with the Sent and Drafts folders of its IMAP mailbox
//! (`daemon::outbox::MailOutbox`).

use std::future::Future;

use lettre::Message;

use crate::render::Reply;
use crate::store::{self, SentCopy};

/// What a mail sent through the outbox is, for the outbox's own accounting (the relay's
/// metrics count replies only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// The answer to a request.
    Reply,
    /// "A person will answer you."
    Ack,
    /// The question to an account's registered address (issue 16).
    Question,
}

/// A mail the outbox did not take. The executor picks what happens next from the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undelivered {
    /// The relay could not take it now (a 4xx, a connection): it may be retried.
    Deferred(String),
    /// The relay refused our sign-in: nothing was offered; a person must act (`action`).
    SignIn { action: String, why: String },
    /// Refused, unbuildable, or of unknown fate: never retried blindly; people take it.
    Failed(String),
}

impl std::fmt::Display for Undelivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undelivered::Deferred(why) | Undelivered::Failed(why) => f.write_str(why),
            Undelivered::SignIn { why, .. } => write!(f, "SMTP sign-in refused: {why}"),
        }
    }
}

/// What the outbox is able to do, as configured: the mode is in the type, not checked with an
/// `expect` where a reply is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Replies, acknowledgements and questions go out; a reply over the approval limit is
    /// drafted.
    Sends,
    /// Every reply is drafted for a person to send; nothing else goes out.
    DraftsOnly,
}

/// The executor's outbox. `Error` is the caller's own error type (the daemon's, or the
/// directory pass's): a failure of the medium itself (not of one mail) ends the message's
/// handling there, as the caller decides.
pub trait Outbox {
    type Error: From<store::Error>;

    /// What this outbox may do.
    fn reach(&self) -> Reach;

    /// Sends one built mail; returns the bytes that went out.
    fn send(
        &mut self,
        message: &Message,
        mail: &Reply,
        what: Sending,
    ) -> impl Future<Output = Result<Vec<u8>, Undelivered>>;

    /// Keeps a reply where people find it to approve and send it themselves.
    fn draft(&mut self, message: &Message) -> impl Future<Output = Result<(), Self::Error>>;

    /// The copy of sent bytes to keep for the Sent folder (recorded with the answer), if the
    /// medium has one.
    fn sent_copy(&self, bytes: Vec<u8>) -> Option<SentCopy>;

    /// Whether a reply with this Message-ID is known to have gone out (the Sent folder, the
    /// outbox directory): how an interrupted claim is resolved.
    fn holds(&mut self, reply_message_id: &str) -> impl Future<Output = Result<bool, Self::Error>>;

    /// Puts the exact bytes of a reply that may have gone out beside the request, for
    /// people; returns where, or `None` when this medium keeps no such copy.
    fn keep_for_people(
        &mut self,
        bytes: &[u8],
        reply_message_id: Option<&str>,
    ) -> impl Future<Output = Result<Option<String>, Self::Error>>;

    /// Whether a person already answered the request `request_message_id` by hand, and
    /// where that shows (issue 16); `None` when nothing shows it.
    fn answered_by_hand(
        &mut self,
        request_message_id: &str,
    ) -> impl Future<Output = Result<Option<String>, Self::Error>>;
}
