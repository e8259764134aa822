//! The directory outbox (the demo, and `run` over a directory inbox): one `.eml` file per
//! mail, written by lettre's file transport; replies held for approval go to `drafts/`
//! inside it. What the directory holds is what went out, so an interrupted claim is resolved
//! by looking for the reply's Message-ID among its files, as the daemon looks in Sent.

use std::path::{Path, PathBuf};

use lettre::{Message, Transport};

use super::outbox::{Outbox, Reach, Sending, Undelivered};
use crate::render::Reply;
use crate::store::{self, SentCopy};

/// The directory, inside a directory outbox, where replies held for approval are written.
pub const DRAFTS_DIR: &str = "drafts";

/// Why a directory outbox cannot be used (the whole pass stops; no single mail is meant).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the store cannot be used")]
    Store(#[from] store::Error),
    #[error("cannot create the outbox directory {}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write a draft into {}", path.display())]
    Draft {
        path: PathBuf,
        #[source]
        source: lettre::transport::file::Error,
    },
    #[error("cannot read the outbox directory {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// An outbox writing `.eml` files into a directory.
#[derive(Debug)]
pub struct DirOutbox {
    path: PathBuf,
    transport: lettre::FileTransport,
}

impl DirOutbox {
    /// An outbox writing into `path` (created if missing).
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn open(path: &Path) -> Result<DirOutbox, Error> {
        std::fs::create_dir_all(path).map_err(|source| Error::CreateDir {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(DirOutbox {
            path: path.to_path_buf(),
            transport: lettre::FileTransport::new(path),
        })
    }

    fn drafts(&self) -> Result<lettre::FileTransport, Error> {
        let path = self.path.join(DRAFTS_DIR);
        std::fs::create_dir_all(&path).map_err(|source| Error::CreateDir {
            path: path.clone(),
            source,
        })?;
        Ok(lettre::FileTransport::new(path))
    }

    /// Whether a file directly in `dir` carries the header `Message-ID: <id>`.
    fn holds_in(dir: &Path, id: &str) -> Result<bool, Error> {
        let read_err = |source| Error::Read {
            path: dir.to_path_buf(),
            source,
        };
        let wanted = format!("<{id}>");
        for entry in std::fs::read_dir(dir).map_err(read_err)? {
            let path = entry.map_err(read_err)?.path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            // A file that vanished or cannot be read holds nothing we can count on.
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if header_names(&bytes, b"message-id", wanted.as_bytes()) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Whether the header section of `mail` has a `name` header whose value is `value`.
fn header_names(mail: &[u8], name: &[u8], value: &[u8]) -> bool {
    let head = mail
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(mail, |end| &mail[..end]);
    head.split(|b| *b == b'\n').any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.iter().position(|b| *b == b':').is_some_and(|colon| {
            line[..colon].eq_ignore_ascii_case(name) && line[colon + 1..].trim_ascii() == value
        })
    })
}

impl Outbox for DirOutbox {
    type Error = Error;

    fn reach(&self) -> Reach {
        Reach::Sends
    }

    async fn send(
        &mut self,
        message: &Message,
        mail: &Reply,
        _what: Sending,
    ) -> Result<Vec<u8>, Undelivered> {
        match self.transport.send(message) {
            Ok(_) => Ok(message.formatted()),
            Err(source) => Err(Undelivered::Failed(crate::error_chain(
                &crate::send::Error::Dir {
                    message_id: mail.in_reply_to.clone(),
                    source,
                },
            ))),
        }
    }

    async fn draft(&mut self, message: &Message) -> Result<(), Error> {
        self.drafts()?
            .send(message)
            .map(drop)
            .map_err(|source| Error::Draft {
                path: self.path.join(DRAFTS_DIR),
                source,
            })
    }

    fn sent_copy(&self, _bytes: Vec<u8>) -> Option<SentCopy> {
        // The file in the directory is the copy.
        None
    }

    async fn holds(&mut self, reply_message_id: &str) -> Result<bool, Error> {
        DirOutbox::holds_in(&self.path, reply_message_id)
    }

    async fn keep_for_people(
        &mut self,
        _bytes: &[u8],
        _reply_message_id: Option<&str>,
    ) -> Result<Option<String>, Error> {
        // A reply not among the directory's files never went out: nothing to show people.
        Ok(None)
    }

    async fn answered_by_hand(&mut self, _request: &str) -> Result<Option<String>, Error> {
        // People do not answer from a directory.
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_counts_only_as_the_header_of_that_name() {
        let mail =
            b"From: a@x\r\nMessage-ID: <r1@x>\r\nIn-Reply-To: <q@x>\r\n\r\nMessage-ID: <r2@x>\r\n";
        for (id, want) in [
            ("<r1@x>", true),  // the header itself
            ("<q@x>", false),  // another header's value
            ("<r2@x>", false), // the body is not the header section
        ] {
            assert_eq!(
                header_names(mail, b"message-id", id.as_bytes()),
                want,
                "{id}"
            );
        }
        assert!(header_names(
            b"message-ID:   <r1@x>  \n",
            b"message-id",
            b"<r1@x>"
        ));
    }
}
