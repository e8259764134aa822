//! Configuration errors: each names the file, the key (and line when known), and what was
//! expected, so that one run of `config check` lists every mistake at once.

use std::fmt;
use std::path::Path;

/// One mistake in one configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    /// The dotted key path, such as `refund.rule[1].window_days`; empty for the whole file.
    pub key: String,
    pub problem: String,
}

impl ConfigError {
    /// An error about `key` in `file`.
    pub fn new(file: &Path, key: impl Into<String>, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            file: file.display().to_string(),
            line: None,
            key: key.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if self.key.is_empty() {
            write!(f, ": {}", self.problem)
        } else {
            write!(f, ": {}: {}", self.key, self.problem)
        }
    }
}

/// Every mistake found, printed one per line with a count at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{}; nothing started.",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for ConfigErrors {}

/// Reads `path` and deserializes it strictly, turning a failure into a [`ConfigError`] with the
/// key path (from serde_path_to_error) and the line (from the TOML span).
pub fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(path, "", format!("cannot read the file: {e}")))?;
    parse_toml(path, &text)
}

/// Deserializes TOML `text` that came from `path` (see [`read_toml`]).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, ConfigError> {
    let line_of = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
    };
    let de = toml::Deserializer::parse(text).map_err(|e| ConfigError {
        line: line_of(e.span()),
        ..ConfigError::new(path, "", format!("not valid TOML: {}", e.message()))
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        ConfigError {
            line: line_of(inner.span()),
            ..ConfigError::new(
                path,
                if key == "." { String::new() } else { key },
                inner.message().to_string(),
            )
        }
    })
}
