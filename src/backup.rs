//! `mailclerk backup`: a consistent copy of each mailbox's store, taken while the daemon runs.
//!
//! SQLite's online backup API copies the pages under one read transaction (a single step), so
//! the copy is the store as of one moment: in WAL mode that reader never blocks the daemon's
//! writes, and the daemon's writes never tear the copy. The copy is written beside its final
//! name, checked (`PRAGMA integrity_check`), made 0600 and only then renamed into place, so a
//! backup directory never holds half a store.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("mailbox {mailbox}: there is no store at {} yet (nothing to back up)", path.display())]
    NoStore { mailbox: String, path: PathBuf },
    #[error(
        "mailbox {mailbox}: its store is in PostgreSQL ({server}); back the database up with \
         pg_dump instead (docs/store.md)"
    )]
    InDatabase { mailbox: String, server: String },
    #[error("cannot create the backup directory {}", path.display())]
    OutDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("mailbox {mailbox}: SQLite could not copy {}", path.display())]
    Sqlite {
        mailbox: String,
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("mailbox {mailbox}: the copy {} fails SQLite's integrity check: {found}", path.display())]
    Corrupt {
        mailbox: String,
        path: PathBuf,
        found: String,
    },
    #[error("mailbox {mailbox}: cannot put the copy in place at {}", path.display())]
    Write {
        mailbox: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no mailbox called {0:?} in the configuration")]
    NoSuchMailbox(String),
}

/// One store copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub mailbox: String,
    pub to: PathBuf,
    pub bytes: u64,
}

/// Copies the store of every mailbox (or only `only`) into `out` as `<name>.sqlite`.
///
/// # Errors
/// The first mailbox whose store cannot be copied; the copies made before it stay.
pub fn backup_all(cfg: &Config, only: Option<&str>, out: &Path) -> Result<Vec<Copied>, Error> {
    if let Some(name) = only
        && cfg.mailbox(name).is_none()
    {
        return Err(Error::NoSuchMailbox(name.into()));
    }
    std::fs::create_dir_all(out).map_err(|source| Error::OutDir {
        path: out.to_path_buf(),
        source,
    })?;
    cfg.mailboxes
        .iter()
        .filter(|m| only.is_none_or(|name| m.name == name))
        .map(|m| {
            if let Some(pg) = &m.postgres {
                return Err(Error::InDatabase {
                    mailbox: m.name.clone(),
                    server: crate::store::describe_postgres(pg.url()),
                });
            }
            if !m.store.is_file() {
                return Err(Error::NoStore {
                    mailbox: m.name.clone(),
                    path: m.store.clone(),
                });
            }
            let to = out.join(format!("{}.sqlite", m.name));
            backup_store(&m.name, &m.store, &to)?;
            let bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
            Ok(Copied {
                mailbox: m.name.clone(),
                to,
                bytes,
            })
        })
        .collect()
}

/// Copies the store at `from` to `to` (replacing it) as of one moment, and checks the copy.
///
/// # Errors
/// SQLite fails, the copy is not intact, or it cannot be written.
pub fn backup_store(mailbox: &str, from: &Path, to: &Path) -> Result<(), Error> {
    let sqlite = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Sqlite {
            mailbox: mailbox.into(),
            path,
            source,
        }
    };
    let write = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write {
            mailbox: mailbox.into(),
            path,
            source,
        }
    };
    let partial = {
        let mut p = to.as_os_str().to_owned();
        p.push(".partial");
        PathBuf::from(p)
    };
    let _ = std::fs::remove_file(&partial);
    let src = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(from))?;
    {
        let mut dst = Connection::open(&partial).map_err(sqlite(&partial))?;
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600))
            .map_err(write(&partial))?;
        let backup = Backup::new(&src, &mut dst).map_err(sqlite(&partial))?;
        // All pages in one step: one read transaction, one moment. A busy source (a write
        // lock during a checkpoint) is waited out.
        loop {
            match backup.step(-1).map_err(sqlite(from))? {
                StepResult::Done => break,
                StepResult::More => {}
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        drop(backup);
        let found: String = dst
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(sqlite(&partial))?;
        if found != "ok" {
            return Err(Error::Corrupt {
                mailbox: mailbox.into(),
                path: partial,
                found,
            });
        }
        // One self-contained file: no -wal beside it.
        dst.pragma_update(None, "journal_mode", "DELETE")
            .map_err(sqlite(&partial))?;
    }
    std::fs::rename(&partial, to).map_err(write(to))?;
    Ok(())
}
