//! The daemon's outbox: replies through the SMTP relay, their copies for the Sent folder,
//! drafts appended to the Drafts folder, and the mailbox's folders read to resolve an
//! interrupted claim or to see a reply a person wrote by hand.

use lettre::Message;

use super::Error;
use crate::apply::{Outbox, Reach, Sending, Undelivered};
use crate::config::{Filing, Mailbox};
use crate::error_chain;
use crate::intake::imap::Session;
use crate::render::Reply;
use crate::send::{Smtp, SmtpError};
use crate::store::SentCopy;

/// What a mailbox's mode lets the daemon do with a reply: send it through the relay, or
/// only draft it. (A dry run never gets as far as an outbox.)
#[derive(Clone, Copy)]
pub(super) enum Relay<'a> {
    Smtp(&'a Smtp),
    DraftsOnly,
}

/// The relay and the IMAP session, for one message.
pub(super) struct MailOutbox<'a> {
    pub(super) relay: Relay<'a>,
    pub(super) session: &'a mut Session,
    pub(super) mailbox: &'a Mailbox,
    /// The folder the daemon reads.
    pub(super) folder: &'a str,
}

impl Outbox for MailOutbox<'_> {
    type Error = Error;

    fn reach(&self) -> Reach {
        match self.relay {
            Relay::Smtp(_) => Reach::Sends,
            Relay::DraftsOnly => Reach::DraftsOnly,
        }
    }

    async fn send(
        &mut self,
        message: &Message,
        mail: &Reply,
        what: Sending,
    ) -> Result<Vec<u8>, Undelivered> {
        let Relay::Smtp(smtp) = self.relay else {
            return Err(Undelivered::Failed(
                "the mailbox only drafts replies; nothing is sent".into(),
            ));
        };
        let sent = smtp.send_message(message, &mail.in_reply_to).await;
        // The relay's metrics count replies, not acknowledgements or questions.
        let name = &self.mailbox.name;
        match (&sent, what) {
            (Ok(_), Sending::Reply) => crate::metrics::smtp_ok(name),
            (Err(e), Sending::Reply) => crate::metrics::smtp_failed(name, smtp_kind(e)),
            _ => {}
        }
        sent.map_err(|e| match e {
            SmtpError::SignIn { action, source, .. } => Undelivered::SignIn {
                action,
                why: error_chain(&*source),
            },
            e @ SmtpError::Deferred { .. } => Undelivered::Deferred(error_chain(&e)),
            e => Undelivered::Failed(error_chain(&e)),
        })
    }

    async fn draft(&mut self, message: &Message) -> Result<(), Error> {
        let folder = &self.mailbox.handling.drafts_folder;
        self.session
            .append(folder, &message.formatted(), &["\\Draft"])
            .await?;
        Ok(())
    }

    fn sent_copy(&self, bytes: Vec<u8>) -> Option<SentCopy> {
        self.mailbox
            .handling
            .sent_folder
            .as_ref()
            .map(|folder| SentCopy {
                folder: folder.clone(),
                bytes,
            })
    }

    async fn holds(&mut self, reply_message_id: &str) -> Result<bool, Error> {
        match &self.mailbox.handling.sent_folder {
            Some(sent) => Ok(self.session.find_message_id(sent, reply_message_id).await?),
            None => Ok(false),
        }
    }

    /// Saves the reply kept before an interrupted send next to the request, in the people
    /// folder (the drafts folder with keyword filing), so a person sees exactly what the
    /// customer may already have: once, even if this is interrupted too.
    async fn keep_for_people(
        &mut self,
        bytes: &[u8],
        reply_message_id: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let folder = match &self.mailbox.handling.filing {
            Filing::Folders { to_people, .. } => to_people.clone(),
            Filing::Keywords => self.mailbox.handling.drafts_folder.clone(),
        };
        let there = match reply_message_id {
            Some(id) => self.session.find_message_id(&folder, id).await?,
            None => false,
        };
        if !there {
            self.session.append(&folder, bytes, &["\\Flagged"]).await?;
        }
        Ok(Some(folder))
    }

    /// A reply to the request in the Sent folder that we did not write, or the request
    /// marked `\Answered` or `$mailclerk-handled` where it was filed for people (issue 16).
    async fn answered_by_hand(&mut self, request: &str) -> Result<Option<String>, Error> {
        if let Some(sent) = &self.mailbox.handling.sent_folder
            && self.session.find_reply_by_hand(sent, request).await?
        {
            return Ok(Some(format!("their reply is in {sent}")));
        }
        let people = match &self.mailbox.handling.filing {
            Filing::Folders { to_people, .. } => to_people.clone(),
            Filing::Keywords => self.folder.to_string(),
        };
        if self.session.find_marked_answered(&people, request).await? {
            return Ok(Some(format!("the request is marked answered in {people}")));
        }
        Ok(None)
    }
}

/// The `kind` label of a mail the relay did not take.
fn smtp_kind(e: &SmtpError) -> &'static str {
    match e {
        SmtpError::Deferred { .. } => "deferred",
        SmtpError::Refused { .. } => "refused",
        SmtpError::Uncertain { .. } => "uncertain",
        SmtpError::SignIn { .. } => "sign_in",
        _ => "other",
    }
}
