//! Reads a TOML file into the raw configuration types so that one run finds every mistake.
//!
//! serde stops at the first error, and its messages speak Rust (`invalid type: string "3",
//! expected usize`). So the parsed document is fed to the derived `Deserialize` impls through
//! this module's own deserializer, which knows what each key expects before it hands the value
//! over: a value of the wrong kind is recorded in plain words and replaced by a neutral one of
//! the right kind, an unknown key is recorded and left out, and reading goes on. A failure only
//! the target type can see (a date that does not exist, a missing key) stops the run; the value
//! is then left out (or, if required, stood in for) and the file is read again, until it reads
//! through. Config files are small: a few extra passes cost microseconds.
//!
//! A table with a string `kind` naming a variant is read as that variant of an enum (the
//! `[mailbox.source]` convention): serde's own internally tagged enums buffer their content,
//! which would hide its keys from this deserializer.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeOwned};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::ConfigError;

mod access;
mod node;
mod words;

use node::Node;
use words::{one_of, plain_expected, plain_reason, plain_unexpected};

/// A file read as far as it goes: the value (with stand-ins where it was wrong) and every
/// mistake found in it.
pub struct Read<T> {
    /// `None` when the file could not be read through at all.
    pub value: Option<T>,
    file: PathBuf,
    errors: Vec<ConfigError>,
    /// Key path → line, for every key in the file.
    lines: BTreeMap<String, usize>,
    /// Keys already reported, left out or stood in for: checks on them would only repeat or
    /// invent mistakes.
    damaged: BTreeSet<String>,
}

impl<T> Read<T> {
    /// The file's mistakes together with `more` found by checking the value: checks on keys
    /// already reported are dropped, every mistake in this file gets its line, and this file's
    /// mistakes come first, in file order; the others keep their order.
    pub fn finish(self, more: Vec<ConfigError>) -> Vec<ConfigError> {
        let file = self.file.display().to_string();
        let mut mine = self.errors;
        let mut others = Vec::new();
        for mut e in more {
            if e.file != file {
                others.push(e);
            } else if !self.damaged.iter().any(|d| within(&e.key, d)) {
                if e.line.is_none() {
                    e.line = line_of(&self.lines, &e.key);
                }
                mine.push(e);
            }
        }
        mine.sort_by_key(|e| e.line.unwrap_or(usize::MAX));
        mine.extend(others);
        mine
    }

    /// The value, taken out; the mistakes stay for [`Read::finish`].
    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }

    /// The value, if the file had no mistake.
    pub fn ok(self) -> Result<T, Vec<ConfigError>> {
        match self.value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.finish(Vec::new())),
        }
    }
}

/// The line of `key`, or of the nearest enclosing key the file has.
fn line_of(lines: &BTreeMap<String, usize>, key: &str) -> Option<usize> {
    let mut k = key;
    loop {
        if let Some(line) = lines.get(k) {
            return Some(*line);
        }
        k = &k[..k.rfind(['.', '['])?];
    }
}

/// `key` is `outer` or inside it.
fn within(key: &str, outer: &str) -> bool {
    key.strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// Reads and parses `path`.
pub fn read<T: DeserializeOwned>(path: &Path) -> Read<T> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) => Read {
            value: None,
            file: path.to_path_buf(),
            errors: vec![ConfigError::new(
                path,
                "",
                format!("cannot read the file: {e}"),
            )],
            lines: BTreeMap::new(),
            damaged: BTreeSet::new(),
        },
    }
}

/// Parses `text`, which came from `path`.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Read<T> {
    let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let mut out = Read {
        value: None,
        file: path.to_path_buf(),
        errors: Vec::new(),
        lines: BTreeMap::new(),
        damaged: BTreeSet::new(),
    };
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        out.errors = syntax
            .iter()
            .map(|e| ConfigError {
                line: e.span().map(|s| line(s.start)),
                ..ConfigError::new(path, "", format!("not valid TOML: {}", e.message()))
            })
            .collect();
        return out;
    }
    let root = Spanned::new(doc.span(), DeValue::Table(doc.into_inner()));
    let mut skip = BTreeSet::new();
    let mut holes = BTreeSet::new();
    let mut stopped: Vec<Problem> = Vec::new();
    let (value, problems, lines) = loop {
        let ctx = Ctx {
            problems: RefCell::default(),
            lines: RefCell::default(),
            skip: &skip,
            holes: &holes,
        };
        let result = T::deserialize(Node {
            ctx: &ctx,
            path: String::new(),
            value: Some(&root),
        });
        let Ctx {
            problems, lines, ..
        } = ctx;
        let (problems, lines) = (problems.into_inner(), lines.into_inner());
        match result {
            Ok(v) => break (Some(v), problems, lines),
            Err(Error::Stop(stop)) => {
                stopped.extend(stop.problem);
                // Each pass leaves out or stands in for one more key; a key seen twice
                // means that no stand-in fits, so reading ends with what was found.
                let progressed = if stop.missing {
                    holes.insert(stop.path)
                } else {
                    skip.insert(stop.path)
                };
                if !progressed {
                    break (None, problems, lines);
                }
            }
            Err(e) => {
                stopped.push(Problem {
                    path: String::new(),
                    at: None,
                    text: e.to_string(),
                });
                break (None, problems, lines);
            }
        }
    };
    let mut seen = BTreeSet::new();
    for p in problems.into_iter().chain(stopped) {
        if seen.insert((p.path.clone(), p.text.clone())) {
            out.damaged.insert(p.path.clone());
            out.errors.push(ConfigError {
                line: p.at.map(line),
                ..ConfigError::new(path, p.path, p.text)
            });
        }
    }
    out.damaged.extend(skip);
    out.damaged.extend(holes);
    out.lines = lines.into_iter().map(|(k, at)| (k, line(at))).collect();
    out.errors.sort_by_key(|e| e.line.unwrap_or(usize::MAX));
    out.value = value;
    out
}

/// One mistake: where, at which byte, and what was wrong.
#[derive(Debug)]
struct Problem {
    path: String,
    at: Option<usize>,
    text: String,
}

/// What a pass shares: the mistakes recorded, where each key is, and what earlier passes
/// decided to leave out (`skip`) or stand in for (`holes`).
struct Ctx<'p> {
    problems: RefCell<Vec<Problem>>,
    lines: RefCell<BTreeMap<String, usize>>,
    skip: &'p BTreeSet<String>,
    holes: &'p BTreeSet<String>,
}

impl Ctx<'_> {
    fn record(&self, path: &str, at: Option<usize>, text: String) {
        self.problems.borrow_mut().push(Problem {
            path: path.to_string(),
            at,
            text,
        });
    }
}

/// Why a pass ended early.
#[derive(Debug)]
struct Stop {
    /// The key to leave out (or, when `missing`, to stand in for) in the next pass.
    path: String,
    missing: bool,
    /// What to report; `None` when it is the consequence of a mistake already reported.
    problem: Option<Problem>,
}

#[derive(Debug)]
enum Error {
    /// The target type's own complaint, not yet placed.
    Message(String),
    /// A required key is absent.
    Missing(&'static str),
    Stop(Box<Stop>),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Message(m) => f.write_str(m),
            Error::Missing(k) => write!(f, "missing key {k}"),
            Error::Stop(s) => write!(f, "stopped at {}", s.path),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Error::Message(plain_reason(&msg.to_string()))
    }
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::Message(format!(
            "expected {}, found {}",
            plain_expected(&exp.to_string()),
            plain_unexpected(&unexp)
        ))
    }
    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::Message(format!("expected {}, found {variant:?}", one_of(expected)))
    }
    fn missing_field(field: &'static str) -> Self {
        Error::Missing(field)
    }
}

/// Reads `path` and deserializes it strictly: every mistake in the file, in file order, each
/// with its key, line and what was expected .
pub fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Vec<ConfigError>> {
    read(path).ok()
}

/// Deserializes TOML `text` that came from `path` (see [`read_toml`]).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, Vec<ConfigError>> {
    parse(path, text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct T {
        a: u16,
        b: String,
        #[serde(default)]
        c: Option<bool>,
        #[serde(default)]
        list: Vec<u32>,
    }

    fn errors(text: &str) -> Vec<String> {
        parse::<T>(Path::new("t.toml"), text)
            .finish(Vec::new())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_mistake_is_found_in_one_read() {
        let e = errors("a = \"3\"\nbb = 1\nc = 2\nlist = [1, -2, \"x\"]\n");
        assert_eq!(
            e,
            [
                "t.toml line 1, key a: expected a whole number from 0 to 65535, found the text \"3\"",
                "t.toml line 2, key bb: unknown key; did you mean b? (keys here: a, b, c, list)",
                "t.toml line 3, key c: expected true or false, found the whole number 2",
                "t.toml line 4, key list[1]: expected a whole number, 0 or more, found the whole number -2",
                "t.toml line 4, key list[2]: expected a whole number, 0 or more, found the text \"x\"",
                "t.toml, key b: missing: this key is required",
            ]
        );
    }

    #[test]
    fn a_good_file_reads() {
        let r = parse::<T>(Path::new("t.toml"), "a = 3\nb = \"x\"\nlist = [0x10]\n")
            .ok()
            .unwrap();
        assert_eq!((r.a, r.b.as_str(), r.c, r.list), (3, "x", None, vec![16]));
    }
}
