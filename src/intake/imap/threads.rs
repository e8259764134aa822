//! Searching for the answers a person wrote by hand (issue 16): a message that replies to a
//! request (its `In-Reply-To` or `References` name the request) and that is not ours (our
//! Message-IDs all begin `<mailclerk`: answers `mailclerk.`, questions `mailclerk-confirm.`);
//! or the request itself marked answered.

use super::wire::message_id_arg;
use super::{Error, Session};

/// The keyword a person may set on a request to say "answered by hand" (besides `\Answered`,
/// which mail clients set when one replies).
pub const HANDLED_KEYWORD: &str = "$mailclerk-handled";

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
        self.any_in(
            folder,
            &format!(
                "OR HEADER In-Reply-To {needle} HEADER References {needle} NOT HEADER Message-ID \"<mailclerk\""
            ),
        )
        .await
    }

    /// Whether the message `request_id` in `folder` is marked answered: `\Answered` (set by
    /// the mail client of a person who replied) or [`HANDLED_KEYWORD`]. The previously
    /// selected folder is selected again afterwards.
    ///
    /// # Errors
    /// As [`Session::find_message_id`].
    pub async fn find_marked_answered(
        &mut self,
        folder: &str,
        request_id: &str,
    ) -> Result<bool, Error> {
        let needle = message_id_arg(request_id)?;
        self.any_in(
            folder,
            &format!("HEADER Message-ID {needle} OR ANSWERED KEYWORD {HANDLED_KEYWORD}"),
        )
        .await
    }
}
