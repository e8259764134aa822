//! Searching a folder for the answers a person wrote by hand (issue 16): a message that
//! replies to a request (its `In-Reply-To` or `References` name the request) and that is not
//! ours (our Message-IDs all begin `<mailclerk`: answers `mailclerk.`, questions
//! `mailclerk-confirm.`).

use async_imap::imap_proto::{MailboxDatum, Response};
use tracing::debug;

use super::{Error, Session, message_id_arg};

impl Session {
    /// Whether `folder` holds a reply to the message `request_id` that we did not write. A
    /// missing folder holds none. The previously selected folder is selected again afterwards.
    ///
    /// # Errors
    /// As [`Session::find_message_id`].
    pub async fn find_reply_by_hand(
        &mut self,
        folder: &str,
        request_id: &str,
    ) -> Result<bool, Error> {
        let needle = message_id_arg(request_id)?;
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
        let search = format!(
            "UID SEARCH OR HEADER In-Reply-To {needle} HEADER References {needle} NOT HEADER Message-ID \"<mailclerk\""
        );
        self.exchange(&search, |r| {
            if let Response::MailboxData(MailboxDatum::Search(uids)) = r {
                found |= !uids.is_empty();
            }
        })
        .await?;
        if !here {
            self.restore(previous).await?;
        }
        debug!(folder, found, "Searched for a reply by hand.");
        Ok(found)
    }
}
