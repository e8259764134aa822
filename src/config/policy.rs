//! Reading a vendor's policy file: the file is read here, in the configuration layer, and
//! validated by the pure [`Policy::from_raw`](crate::policy::schema::Policy).

use std::path::Path;

use super::error::ConfigError;
use crate::policy::schema::{Policy, RawPolicy};

impl Policy {
    /// Loads and validates `path`; the vendor id is the file stem.
    ///
    /// # Errors
    /// Every problem found, each naming the file and the key.
    pub fn load(path: &Path) -> Result<Policy, Vec<ConfigError>> {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let mut read = super::read::read::<RawPolicy>(path);
        let Some(raw) = read.take() else {
            return Err(read.finish(Vec::new()));
        };
        let checked = Policy::from_raw(path, id, raw);
        let errors = read.finish(checked.as_ref().err().cloned().unwrap_or_default());
        match checked {
            Ok(policy) if errors.is_empty() => Ok(policy),
            _ => Err(errors),
        }
    }

    /// Loads `dir/<id>.toml`.
    ///
    /// # Errors
    /// As [`Policy::load`].
    pub fn load_id(dir: &Path, id: &str) -> Result<Policy, Vec<ConfigError>> {
        Policy::load(&dir.join(format!("{id}.toml")))
    }
}
