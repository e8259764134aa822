//! The token store: one JSON file per mailbox in the state directory, mode 0600, replaced
//! atomically (temporary file, fsync, rename, fsync of the directory), so a crash leaves the
//! old tokens or the new ones, never half of each, and a rotated refresh token is on disk
//! before anything uses it.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Secret;

/// Why the store cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the OAuth2 token store {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the OAuth2 token store {path} is not a regular file")]
    NotFile { path: PathBuf },
    #[error(
        "the OAuth2 token store {path} is readable by other users (mode {mode:04o}); expected 0600: chmod 600 it"
    )]
    Mode { path: PathBuf, mode: u32 },
    #[error("the OAuth2 token store {path} is damaged ({detail}); sign in again")]
    Damaged { path: PathBuf, detail: String },
    #[error("cannot write the OAuth2 token store {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a sign-in or a refresh gave us.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: Secret,
    /// None for client credentials (app-only access has no refresh token).
    pub refresh_token: Option<Secret>,
    pub obtained_at: Timestamp,
    /// None when the server did not say; then the token is renewed after [`DEFAULT_LIFETIME`].
    pub expires_at: Option<Timestamp>,
    pub scopes: Vec<String>,
}

/// Assumed when the token endpoint gives no `expires_in` (both providers give one).
pub const DEFAULT_LIFETIME: SignedDuration = SignedDuration::from_secs(3600);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("obtained_at", &self.obtained_at)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Tokens {
    /// When to renew: after 80% of the access token's lifetime, so a slow refresh or a
    /// skewed clock never leaves the daemon holding an expired token.
    pub fn renew_at(&self) -> Timestamp {
        let expires = self.expires_at.unwrap_or_else(|| {
            self.obtained_at
                .saturating_add(DEFAULT_LIFETIME)
                .unwrap_or(self.obtained_at)
        });
        let lifetime = expires
            .duration_since(self.obtained_at)
            .max(SignedDuration::ZERO);
        let lead = lifetime.mul_f64(0.8);
        self.obtained_at
            .saturating_add(lead)
            .unwrap_or(self.obtained_at)
    }

    /// Whether the access token may still be used at `now`.
    pub fn fresh(&self, now: Timestamp) -> bool {
        now < self.renew_at()
    }
}

/// The file's layout; versioned so a later format can be told apart.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: u32,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    obtained_at: Timestamp,
    #[serde(default)]
    expires_at: Option<Timestamp>,
    #[serde(default)]
    scopes: Vec<String>,
}

const FORMAT: u32 = 1;

/// Reads the store; `Ok(None)` when there is none yet.
///
/// # Errors
/// The file cannot be read, is readable by others, or is not a token store.
pub fn load(path: &Path) -> Result<Option<Tokens>, Error> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !meta.is_file() {
        return Err(Error::NotFile {
            path: path.to_path_buf(),
        });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(Error::Mode {
            path: path.to_path_buf(),
            mode,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let damaged = |detail: String| Error::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    // serde_json's messages quote no input values, so no token can leak into the error.
    let file: File = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
    if file.format != FORMAT {
        return Err(damaged(format!(
            "format {} (this mailclerk reads format {FORMAT})",
            file.format
        )));
    }
    if file.access_token.is_empty() && file.refresh_token.is_none() {
        return Err(damaged("it holds no token".into()));
    }
    Ok(Some(Tokens {
        access_token: Secret::new(file.access_token),
        refresh_token: file.refresh_token.map(Secret::new),
        obtained_at: file.obtained_at,
        expires_at: file.expires_at,
        scopes: file.scopes,
    }))
}

/// Replaces the store with `tokens`, atomically and durably.
///
/// # Errors
/// The directory or the file cannot be written or synced; the old store is then unchanged.
pub fn save(path: &Path, tokens: &Tokens) -> Result<(), Error> {
    let write_err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(write_err)?;
    let file = File {
        format: FORMAT,
        access_token: tokens.access_token.expose().to_string(),
        refresh_token: tokens
            .refresh_token
            .as_ref()
            .map(|s| s.expose().to_string()),
        obtained_at: tokens.obtained_at,
        expires_at: tokens.expires_at,
        scopes: tokens.scopes.clone(),
    };
    let text = serde_json::to_string_pretty(&file).expect("plain strings serialize");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tokens".into());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        Timestamp::now().as_nanosecond()
    ));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(&dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(refresh: &str) -> Tokens {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        Tokens {
            access_token: Secret::new("at-secret".into()),
            refresh_token: Some(Secret::new(refresh.into())),
            obtained_at: now,
            expires_at: Some(now.saturating_add(SignedDuration::from_secs(100)).unwrap()),
            scopes: vec!["s".into()],
        }
    }

    #[test]
    fn saved_tokens_come_back_with_mode_0600_and_no_temporary_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/desk.oauth2.json");
        assert_eq!(load(&path).unwrap(), None);
        save(&path, &tokens("rt-1")).unwrap();
        save(&path, &tokens("rt-2")).unwrap();
        assert_eq!(load(&path).unwrap(), Some(tokens("rt-2")));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_store_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        save(&path, &tokens("rt")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains("mode 0644") && err.contains("chmod 600"),
            "{err}"
        );
    }

    #[test]
    fn renewal_comes_at_80_percent_of_the_lifetime() {
        let t = tokens("rt");
        assert_eq!(
            t.renew_at(),
            t.obtained_at
                .saturating_add(SignedDuration::from_secs(80))
                .unwrap()
        );
        assert!(
            t.fresh(
                t.obtained_at
                    .saturating_add(SignedDuration::from_secs(79))
                    .unwrap()
            )
        );
        assert!(
            !t.fresh(
                t.obtained_at
                    .saturating_add(SignedDuration::from_secs(80))
                    .unwrap()
            )
        );
    }

    #[test]
    fn debug_never_shows_a_token() {
        let text = format!("{:?}", tokens("rt-secret"));
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn a_damaged_store_is_named_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, "{\"format\":1,\"access_token\":\"zzz-secret\"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains("damaged") && !err.contains("zzz-secret"),
            "{err}"
        );
    }
}
