//! The top-level `store` setting: where every mailbox's store lives. SQLite (one file per
//! mailbox under `state_dir`, or the mailbox's own `store` path) unless the configuration says
//!
//! ```toml
//! store = { kind = "postgres", url_file = "/run/credentials/mailclerk.service/pg-url" }
//! ```
//!
//! Then all mailboxes share one PostgreSQL database, their rows keyed by mailbox name (what an
//! operator running many mailboxes, or two machines for one, wants: one database to run, back
//! up and watch). The URL holds a password, so it is read from a file like the other secrets,
//! and the file must not be readable by group or others. It is never printed.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawStore {
    Sqlite(RawSqlite),
    Postgres(RawPostgres),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSqlite {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPostgres {
    url_file: PathBuf,
}

/// A PostgreSQL store's connection: the URL file and the URL read from it.
#[derive(Clone)]
pub struct Postgres {
    pub url_file: PathBuf,
    url: String,
}

impl Postgres {
    /// The connection URL (`postgres://user:password@host:port/database`); never log it.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("url_file", &self.url_file)
            .field("url", &"***")
            .finish()
    }
}

impl RawStore {
    /// The PostgreSQL settings, or `None` for SQLite; mistakes go to `errors`, naming the key.
    pub(super) fn resolve(
        self,
        file: &Path,
        base: &Path,
        errors: &mut Vec<ConfigError>,
    ) -> Option<Postgres> {
        let RawStore::Postgres(raw) = self else {
            return None;
        };
        let key = "store.url_file";
        if raw.url_file.as_os_str().is_empty() {
            errors.push(ConfigError::new(
                file,
                key,
                "expected the path of the file holding the PostgreSQL URL, as in store = { kind = \"postgres\", url_file = \"/run/credentials/mailclerk.service/pg-url\" }",
            ));
            return None;
        }
        let path = base.join(&raw.url_file);
        match read_url(&path) {
            Ok(url) => Some(Postgres {
                url_file: path,
                url,
            }),
            Err(problem) => {
                errors.push(ConfigError::new(file, key, problem));
                None
            }
        }
    }
}

/// The URL in `path`: a file of the service's own (no group or other access), holding one
/// PostgreSQL connection URL. Problems are told without the file's content.
fn read_url(path: &Path) -> Result<String, String> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "expected a file holding the PostgreSQL URL, found {shown} is not a file"
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "{shown} has mode {mode:o}: it holds a password, so expected it readable by its owner only (chmod 600)"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let url = text.trim().to_string();
    if url.is_empty() {
        return Err(format!(
            "{shown} is empty; expected a URL such as postgres://mailclerk:PASSWORD@db.example:5432/mailclerk"
        ));
    }
    if url.lines().count() > 1 {
        return Err(format!(
            "{shown} holds several lines; expected one PostgreSQL URL"
        ));
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(format!(
            "{shown} does not hold a postgres:// or postgresql:// URL"
        ));
    }
    if url.parse::<postgres::Config>().is_err() {
        return Err(format!(
            "{shown} holds a URL PostgreSQL cannot read (its text is not shown: it may hold a password)"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_url_file_is_read_only_when_private_and_well_formed() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, u32, Option<&str>); 6] = [
            ("postgres://u:secret@127.0.0.1:5432/db\n", 0o600, None),
            (
                "postgres://u:secret@127.0.0.1:5432/db",
                0o644,
                Some("mode 644"),
            ),
            ("", 0o600, Some("is empty")),
            (
                "mysql://u:secret@h/db",
                0o600,
                Some("does not hold a postgres://"),
            ),
            ("postgres://a\npostgres://b", 0o600, Some("several lines")),
            (
                "postgres://u:secret@h:notaport/db",
                0o600,
                Some("cannot read"),
            ),
        ];
        for (i, (text, mode, problem)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("url{i}"));
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let mut errors = Vec::new();
            let got = RawStore::Postgres(RawPostgres {
                url_file: path.clone(),
            })
            .resolve(Path::new("m.toml"), dir.path(), &mut errors);
            match problem {
                None => {
                    assert!(errors.is_empty(), "{i}: {errors:?}");
                    assert_eq!(got.unwrap().url(), text.trim());
                }
                Some(p) => {
                    assert!(got.is_none(), "{i}");
                    let shown = errors[0].to_string();
                    assert!(
                        shown.contains("key store.url_file") && shown.contains(p),
                        "{i}: {shown}"
                    );
                    assert!(
                        !shown.contains("secret"),
                        "{i}: the password is shown: {shown}"
                    );
                }
            }
        }
        let missing = RawStore::Postgres(RawPostgres {
            url_file: "nowhere".into(),
        });
        let mut errors = Vec::new();
        assert!(
            missing
                .resolve(Path::new("m.toml"), dir.path(), &mut errors)
                .is_none()
        );
        assert!(errors[0].to_string().contains("cannot read"), "{errors:?}");
        let mut errors = Vec::new();
        assert!(
            RawStore::Sqlite(RawSqlite {})
                .resolve(Path::new("m.toml"), dir.path(), &mut errors)
                .is_none()
        );
        assert!(errors.is_empty());
    }
}
