//! Intake: where messages come from. A directory of `.eml` files (this module: `mailclerk
//! run`, the demo, tests) or an IMAP mailbox ([`imap`]: the daemon).

pub mod imap;

use std::path::{Path, PathBuf};

/// Why a message source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot list the inbox directory {path}")]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the message {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One message file found in a directory inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub size: u64,
}

/// Every `*.eml` file directly in `dir`, by name, so runs are repeatable.
///
/// # Errors
/// The directory cannot be listed.
pub fn list_dir(dir: &Path) -> Result<Vec<Found>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::List {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::List {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
        {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
                found.push(Found { path, size });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Reads a message file.
///
/// # Errors
/// The file cannot be read.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}
