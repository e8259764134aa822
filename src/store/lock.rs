//! One daemon per store: a lock file next to the store (`<store>.lock`, in the state
//! directory), held with `flock` for the life of the process. A second `mailclerk run` on the
//! same mailbox refuses to start and names the process that holds it. The kernel drops the
//! lock when its holder dies, even by `kill -9`, so a crash never leaves a stale lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another mailclerk ({holder}) is already serving the store {store} (lock {lock}); \
         stop it first, or give this instance its own state_dir"
    )]
    Held {
        store: PathBuf,
        lock: PathBuf,
        holder: String,
    },
    #[error("cannot use the lock file {lock}")]
    Io {
        lock: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    path: PathBuf,
}

impl StoreLock {
    /// Takes the lock of the store at `store`, creating the lock file (and its directory)
    /// when missing, and writes this process's id into it for whoever finds it held.
    ///
    /// # Errors
    /// [`LockError::Held`] when another process holds it; [`LockError::Io`] when the file
    /// cannot be created or locked.
    pub fn acquire(store: &Path) -> Result<StoreLock, LockError> {
        let mut name = store.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let io = |source| LockError::Io {
            lock: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path);
        // On a read-only file system the existing lock file can still be locked (flock needs
        // no write access): the daemon then starts, says the store cannot be written, and
        // resumes when it can, instead of exiting.
        let (mut file, writable) = match opened {
            Ok(f) => (f, true),
            Err(e) if path.exists() => (File::open(&path).map_err(|_| io(e))?, false),
            Err(e) => return Err(io(e)),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = match text.trim().parse::<u32>() {
                    Ok(pid) => format!("pid {pid}"),
                    Err(_) => "a process whose id is not recorded".to_string(),
                };
                return Err(LockError::Held {
                    store: store.to_path_buf(),
                    lock: path,
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        if writable {
            file.set_len(0).map_err(io)?;
            file.rewind().map_err(io)?;
            writeln!(file, "{}", std::process::id()).map_err(io)?;
            file.flush().map_err(io)?;
        }
        Ok(StoreLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A mailbox's rows in PostgreSQL, held for one `mailclerk run` by a session advisory lock
/// on a connection of its own: the database's counterpart of the lock file, so that a claim
/// held by someone else is one an earlier run left, never one another live run is working
/// on. The server lets go when the holder's connection ends, `kill -9` included.
pub struct PgRunLock {
    client: Option<postgres::Client>,
}

impl std::fmt::Debug for PgRunLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgRunLock")
    }
}

/// Why a mailbox's PostgreSQL lock could not be taken.
#[derive(Debug, thiserror::Error)]
#[error("mailbox {mailbox}: cannot take its PostgreSQL lock")]
pub struct PgLockError {
    mailbox: String,
    #[source]
    source: postgres::Error,
}

impl PgRunLock {
    /// Waits until no other run holds the mailbox, then holds it until dropped. Call it
    /// outside any tokio runtime (the sync client blocks on a runtime of its own).
    ///
    /// # Errors
    /// The database cannot be reached or refuses the statement.
    pub fn hold(url: &str, mailbox: &str) -> Result<PgRunLock, PgLockError> {
        let err = |source| PgLockError {
            mailbox: mailbox.to_string(),
            source,
        };
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(err)?;
        let key = format!("mailclerk-run:{mailbox}");
        let free: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                &[&key],
            )
            .map_err(err)?
            .get(0);
        if !free {
            tracing::info!(
                mailbox,
                "another mailclerk run holds this mailbox; waiting for it to end"
            );
            client
                .execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", &[&key])
                .map_err(err)?;
        }
        Ok(PgRunLock {
            client: Some(client),
        })
    }
}

impl Drop for PgRunLock {
    fn drop(&mut self) {
        // Closed the way the store closes its own connection: the sync client may not block
        // on a runtime's thread.
        if let Some(client) = self.client.take() {
            super::pg::blocking(move || drop(client));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_told_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("state/desk.sqlite");
        let first = StoreLock::acquire(&store).unwrap();
        assert!(first.path().ends_with("desk.sqlite.lock"));
        let err = StoreLock::acquire(&store).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())) && text.contains("desk.sqlite"),
            "{text}"
        );
        drop(first);
        StoreLock::acquire(&store).expect("free again once the holder is gone");
    }
}
