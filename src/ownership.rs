//! A store written from a root shell or a root cron job keeps the owner and mode the service
//! needs. The daemon runs as its own user (`User=mailclerk`, `UMask=0077`); a store that
//! `accounts import` run as root created or rewrote as root-owned 0644 could no longer be
//! written by the service, and would be readable by every local user.

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Who owns a store's files, and with which mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

/// A new store's mode: customer data, for the service user only.
pub const NEW_STORE_MODE: u32 = 0o600;

/// The owner a store at `path` must keep: its own if it exists; for a new store, the owner of
/// the directory it goes in (the service's `StateDirectory=`), with mode 0600.
///
/// # Errors
/// Neither the store nor its directory can be examined.
pub fn intended(path: &Path) -> io::Result<Owner> {
    if let Ok(meta) = std::fs::metadata(path) {
        return Ok(Owner {
            uid: meta.uid(),
            gid: meta.gid(),
            mode: meta.mode() & 0o777,
        });
    }
    let mut dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    // The directory may not exist yet (Store::open creates it): its nearest existing parent.
    while let Some(d) = dir {
        if let Ok(meta) = std::fs::metadata(d) {
            return Ok(Owner {
                uid: meta.uid(),
                gid: meta.gid(),
                mode: NEW_STORE_MODE,
            });
        }
        dir = d.parent();
    }
    let meta = std::fs::metadata(".")?;
    Ok(Owner {
        uid: meta.uid(),
        gid: meta.gid(),
        mode: NEW_STORE_MODE,
    })
}

/// Creates the store file when it is missing, already with `owner`'s owner and mode. SQLite,
/// run as root, gives a database's -wal and -shm files the database file's owner, so the
/// first file decides them all.
///
/// # Errors
/// The file or its directory cannot be created, or its owner not set.
pub fn prepare(path: &Path, owner: Owner) -> io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    restore(path, owner)
}

/// Gives every file of the store (the database, its -wal and -shm) `owner`'s owner and mode.
/// Changing the owner is only tried where it differs (only root may).
///
/// # Errors
/// A file's owner or mode cannot be set.
pub fn restore(path: &Path, owner: Owner) -> io::Result<()> {
    for file in files(path) {
        let Ok(meta) = std::fs::symlink_metadata(&file) else {
            continue;
        };
        if (meta.uid(), meta.gid()) != (owner.uid, owner.gid) {
            std::os::unix::fs::lchown(&file, Some(owner.uid), Some(owner.gid))?;
        }
        if meta.mode() & 0o777 != owner.mode {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(owner.mode))?;
        }
    }
    Ok(())
}

fn files(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_store_takes_its_directorys_owner_and_0600() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("state/support.sqlite");
        let owner = intended(&store).unwrap();
        let meta = std::fs::metadata(dir.path()).unwrap();
        assert_eq!(
            (owner.uid, owner.gid, owner.mode),
            (meta.uid(), meta.gid(), 0o600)
        );
        prepare(&store, owner).unwrap();
        let made = std::fs::metadata(&store).unwrap();
        assert_eq!(made.mode() & 0o777, 0o600);
        std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(
            intended(&store).unwrap().mode,
            0o640,
            "an existing store keeps its mode"
        );
    }
}
