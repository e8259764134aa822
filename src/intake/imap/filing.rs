//! Commands that change the mailbox: folders created, messages moved (`MOVE`, or `COPY` +
//! `UID EXPUNGE`), keywords added and taken off, messages appended (`MULTIAPPEND` where the
//! server has it). Each survives a folder deleted meanwhile and a message expunged by someone
//! else.

use tracing::debug;

use super::error::names_missing_folder;
use super::wire::{append_literals, check_flag, mailbox_arg, multiappend_chunks, uid_sets};
use super::{Error, Session};

impl Session {
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
