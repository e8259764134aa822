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
        match (self.line, self.key.is_empty()) {
            (Some(line), true) => write!(f, " line {line}")?,
            (Some(line), false) => write!(f, " line {line}, key {}", self.key)?,
            (None, true) => {}
            (None, false) => write!(f, ", key {}", self.key)?,
        }
        write!(f, ": {}", self.problem)
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
