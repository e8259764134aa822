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

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::ConfigError;

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

/// The value at `path`; `None` stands in for a key that is wrong or missing (already reported):
/// it reads as a neutral value of whatever kind is asked for.
struct Node<'a, 'p> {
    ctx: &'a Ctx<'p>,
    path: String,
    value: Option<&'a Spanned<DeValue<'a>>>,
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a, 'p> Node<'a, 'p> {
    fn at(&self) -> Option<usize> {
        self.value.map(|v| v.span().start)
    }

    /// Places a failure at this node: the target type's complaint or a missing key stops the
    /// pass here.
    fn place<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| match e {
            Error::Message(text) => Error::Stop(Box::new(Stop {
                path: self.path.clone(),
                missing: false,
                problem: self.value.map(|_| Problem {
                    path: self.path.clone(),
                    at: self.at(),
                    text,
                }),
            })),
            Error::Missing(key) => {
                let path = child(&self.path, key);
                // A required key left out after its mistake was reported, or missing under
                // a stand-in: nothing new to say.
                let problem = (self.value.is_some() && !self.ctx.skip.contains(&path)).then(|| {
                    Problem {
                        path: path.clone(),
                        // The section's own line; the top of the file says nothing.
                        at: self.at().filter(|_| !self.path.is_empty()),
                        text: "missing: this key is required".into(),
                    }
                });
                Error::Stop(Box::new(Stop {
                    path,
                    missing: true,
                    problem,
                }))
            }
            stop => stop,
        })
    }

    /// Records that `expected` was wanted here, and goes on with a stand-in.
    fn wrong<V: Visitor<'a>>(
        self,
        expected: &str,
        visitor: V,
        stand_in: impl FnOnce(Node<'a, 'p>, V) -> Result<V::Value, Error>,
    ) -> Result<V::Value, Error> {
        if let Some(v) = self.value {
            self.ctx.record(
                &self.path,
                self.at(),
                format!("expected {expected}, found {}", found(v.get_ref())),
            );
        }
        let hole = Node {
            ctx: self.ctx,
            path: self.path,
            value: None,
        };
        stand_in(hole, visitor)
    }

    fn integer<V: Visitor<'a>>(self, min: i128, max: i128, visitor: V) -> Result<V::Value, Error> {
        let expected = match (min, max) {
            (0, m) if m >= i128::from(u32::MAX) => "a whole number, 0 or more".to_string(),
            (0, m) => format!("a whole number from 0 to {m}"),
            _ => "a whole number".to_string(),
        };
        let n = match self.value.map(|v| v.get_ref()) {
            None => return visitor.visit_u64(0),
            Some(DeValue::Integer(i)) => i128::from_str_radix(i.as_str(), i.radix()).ok(),
            Some(_) => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => {
                let r = match i64::try_from(n) {
                    Ok(n) => visitor.visit_i64(n),
                    Err(_) => visitor.visit_u64(n as u64),
                };
                self.place(r)
            }
            _ => self.wrong(&expected, visitor, |_, v| v.visit_u64(0)),
        }
    }

    fn text<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let expected = describe(&visitor);
        let r = match self.value.map(|v| v.get_ref()) {
            None => visitor.visit_str(""),
            Some(DeValue::String(s)) => visitor.visit_str(s),
            // A bare TOML date where a date or time was wanted reads as its text.
            Some(DeValue::Datetime(d)) => visitor.visit_str(&d.to_string()),
            Some(_) => {
                let wanted = if expected.contains("string") || expected.contains("path") {
                    "text in quotes".to_string()
                } else {
                    plain_expected(&expected)
                };
                return self.wrong(&wanted, visitor, |_, v| v.visit_str(""));
            }
        };
        let text = self.value.map(|v| found(v.get_ref())).unwrap_or_default();
        self.place(r.map_err(|e| match e {
            Error::Message(m) => Error::Message(format!(
                "expected {}, found {text}{}",
                plain_expected(&expected),
                if m.is_empty() {
                    String::new()
                } else {
                    format!(" ({m})")
                }
            )),
            e => e,
        }))
    }

    fn table<V: Visitor<'a>>(
        self,
        fields: Option<&'static [&'static str]>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let table = match self.value.map(|v| v.get_ref()) {
            None => {
                let keys = fields
                    .unwrap_or_default()
                    .iter()
                    .map(|f| (f.to_string(), None));
                return visitor.visit_map(Entries::new(self.ctx, self.path.clone(), keys));
            }
            Some(DeValue::Table(t)) => t,
            Some(_) => {
                return self.wrong("a table", visitor, |n, v| n.table(fields, v));
            }
        };
        let mut entries = Vec::new();
        for (k, v) in table.iter() {
            let path = child(&self.path, k.get_ref());
            self.ctx
                .lines
                .borrow_mut()
                .insert(path.clone(), k.span().start);
            if self.ctx.skip.contains(&path) {
                continue;
            }
            if let Some(known) = fields
                && !known.contains(&k.get_ref().as_ref())
            {
                self.ctx
                    .record(&path, Some(k.span().start), unknown_key(k.get_ref(), known));
                continue;
            }
            entries.push((k.get_ref().to_string(), Some(v)));
        }
        for f in fields.unwrap_or_default() {
            let path = child(&self.path, f);
            if self.ctx.holes.contains(&path) && !entries.iter().any(|(k, _)| k == f) {
                entries.push((f.to_string(), None));
            }
        }
        let r = visitor.visit_map(Entries::new(self.ctx, self.path.clone(), entries));
        self.place(r)
    }
}

/// A key and its value; `None` stands in for a key already reported.
type Entry<'a> = (String, Option<&'a Spanned<DeValue<'a>>>);

/// The keys of a table, handed to a map or struct visitor.
struct Entries<'a, 'p, I> {
    ctx: &'a Ctx<'p>,
    path: String,
    entries: I,
    next: Option<Entry<'a>>,
}

impl<'a, 'p, I> Entries<'a, 'p, I> {
    fn new<E: IntoIterator<IntoIter = I>>(ctx: &'a Ctx<'p>, path: String, entries: E) -> Self {
        Entries {
            ctx,
            path,
            entries: entries.into_iter(),
            next: None,
        }
    }
}

impl<'a, 'p, I> de::MapAccess<'a> for Entries<'a, 'p, I>
where
    I: Iterator<Item = Entry<'a>>,
{
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let k = seed.deserialize(key.as_str().into_deserializer());
        self.next = Some((key, value));
        k.map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (key, value) = self.next.take().expect("a key comes first");
        let node = Node {
            ctx: self.ctx,
            path: child(&self.path, &key),
            value,
        };
        let path = node.path.clone();
        let at = node.at();
        seed.deserialize(node).map_err(|e| match e {
            // A map's own key visitor's complaint, or one from a plain value.
            Error::Message(text) => Error::Stop(Box::new(Stop {
                path: path.clone(),
                missing: false,
                problem: value.map(|_| Problem { path, at, text }),
            })),
            e => e,
        })
    }
}

/// The elements of an array.
struct Elements<'a, 'p> {
    ctx: &'a Ctx<'p>,
    path: String,
    items: std::iter::Enumerate<std::slice::Iter<'a, Spanned<DeValue<'a>>>>,
}

impl<'a> de::SeqAccess<'a> for Elements<'a, '_> {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'a>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        for (i, v) in self.items.by_ref() {
            let path = format!("{}[{i}]", self.path);
            self.ctx
                .lines
                .borrow_mut()
                .insert(path.clone(), v.span().start);
            if self.ctx.skip.contains(&path) {
                continue;
            }
            let node = Node {
                ctx: self.ctx,
                path,
                value: Some(v),
            };
            return seed.deserialize(node).map(Some);
        }
        Ok(None)
    }
}

/// An enum read from a string (a unit variant) or from a table with `kind` (see the module).
struct Variant<'a, 'p> {
    name: &'static str,
    content: Node<'a, 'p>,
    /// The table minus `kind`, for a variant read from `kind`.
    rest: Option<Vec<Entry<'a>>>,
}

impl<'a, 'p> de::EnumAccess<'a> for Variant<'a, 'p> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'a>>(self, seed: S) -> Result<(S::Value, Self), Error> {
        let v = seed.deserialize(self.name.into_deserializer())?;
        Ok((v, self))
    }
}

impl<'a> de::VariantAccess<'a> for Variant<'a, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'a>>(self, seed: S) -> Result<S::Value, Error> {
        match self.rest {
            Some(rest) => seed.deserialize(Rest(self.content, rest)),
            None => seed.deserialize(self.content),
        }
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self.content, visitor)
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.rest {
            Some(rest) => Rest(self.content, rest).struct_of(fields, visitor),
            None => self.content.table(Some(fields), visitor),
        }
    }
}

/// A `kind` table without its `kind`, read as the variant's own struct.
struct Rest<'a, 'p>(
    Node<'a, 'p>,
    Vec<(String, Option<&'a Spanned<DeValue<'a>>>)>,
);

impl<'a> Rest<'a, '_> {
    fn struct_of<V: Visitor<'a>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let Rest(node, rest) = self;
        let mut entries = Vec::new();
        for (k, v) in rest {
            let path = child(&node.path, &k);
            if !fields.contains(&k.as_str()) {
                let at = v.map(|v| v.span().start);
                node.ctx.record(&path, at, unknown_key(&k, fields));
                continue;
            }
            entries.push((k, v));
        }
        for f in fields {
            let path = child(&node.path, f);
            if node.ctx.holes.contains(&path) && !entries.iter().any(|(k, _)| k == f) {
                entries.push((f.to_string(), None));
            }
        }
        let r = visitor.visit_map(Entries::new(node.ctx, node.path.clone(), entries));
        node.place(r)
    }
}

impl<'de> de::Deserializer<'de> for Rest<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Rest(node, rest) = self;
        let r = visitor.visit_map(Entries::new(node.ctx, node.path.clone(), rest));
        node.place(r)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.struct_of(fields, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

impl<'a> de::Deserializer<'a> for Node<'a, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let Some(value) = self.value else {
            return visitor.visit_unit();
        };
        let r = match value.get_ref() {
            DeValue::String(s) => visitor.visit_str(s),
            DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => match i64::try_from(n) {
                    Ok(n) => visitor.visit_i64(n),
                    Err(_) => visitor.visit_i128(n),
                },
                Err(_) => Err(Error::Message("the number is too large".into())),
            },
            DeValue::Float(_) | DeValue::Datetime(_) => {
                // toml's own deserializer knows these (a `toml::Value` keeps a datetime).
                toml::de::ValueDeserializer::from(value.clone())
                    .deserialize_any(visitor)
                    .map_err(|e| Error::Message(plain_reason(e.message())))
            }
            DeValue::Boolean(b) => visitor.visit_bool(*b),
            DeValue::Array(items) => visitor.visit_seq(Elements {
                ctx: self.ctx,
                path: self.path.clone(),
                items: items.iter().enumerate(),
            }),
            DeValue::Table(_) => return self.table(None, visitor),
        };
        self.place(r)
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value.map(|v| v.get_ref()) {
            None => visitor.visit_bool(false),
            Some(DeValue::Boolean(b)) => visitor.visit_bool(*b),
            Some(_) => self.wrong("true or false", visitor, |_, v| v.visit_bool(false)),
        }
    }

    fn deserialize_i8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(i8::MIN.into(), i8::MAX.into(), visitor)
    }
    fn deserialize_i16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(i16::MIN.into(), i16::MAX.into(), visitor)
    }
    fn deserialize_i32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(i32::MIN.into(), i32::MAX.into(), visitor)
    }
    fn deserialize_i64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(i64::MIN.into(), i64::MAX.into(), visitor)
    }
    fn deserialize_u8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(0, u8::MAX.into(), visitor)
    }
    fn deserialize_u16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(0, u16::MAX.into(), visitor)
    }
    fn deserialize_u32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(0, u32::MAX.into(), visitor)
    }
    fn deserialize_u64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(0, u64::MAX.into(), visitor)
    }

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let n = match self.value.map(|v| v.get_ref()) {
            None => return visitor.visit_f64(0.0),
            Some(DeValue::Float(f)) => f.as_str().replace('_', "").parse::<f64>().ok(),
            Some(DeValue::Integer(i)) => i128::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            Some(_) => None,
        };
        match n {
            Some(n) => {
                let r = visitor.visit_f64(n);
                self.place(r)
            }
            None => self.wrong("a number", visitor, |_, v| v.visit_f64(0.0)),
        }
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }
    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }
    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }
    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }
    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            None => visitor.visit_none(),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value.map(|v| v.get_ref()) {
            None => visitor.visit_seq(de::value::SeqDeserializer::new(std::iter::empty::<()>())),
            Some(DeValue::Array(items)) => {
                let r = visitor.visit_seq(Elements {
                    ctx: self.ctx,
                    path: self.path.clone(),
                    items: items.iter().enumerate(),
                });
                self.place(r)
            }
            Some(_) => self.wrong("a list in square brackets", visitor, |n, v| {
                n.deserialize_seq(v)
            }),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.table(None, visitor)
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.table(Some(fields), visitor)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let stand_in = |content: Node<'a, '_>| Variant {
            name: variants.first().copied().unwrap_or_default(),
            content,
            rest: None,
        };
        let expected = one_of(variants);
        match self.value.map(|v| v.get_ref()) {
            None => visitor.visit_enum(stand_in(self)),
            Some(DeValue::String(s)) => match variants.iter().find(|v| **v == s.as_ref()) {
                Some(name) => visitor.visit_enum(Variant {
                    name,
                    content: Node {
                        value: None,
                        ..self
                    },
                    rest: None,
                }),
                None => self.wrong(&expected, visitor, |n, v| v.visit_enum(stand_in(n))),
            },
            Some(DeValue::Table(t)) => {
                let kind = t.iter().find(|(k, _)| k.get_ref() == "kind");
                let name = kind.and_then(|(_, v)| match v.get_ref() {
                    DeValue::String(s) => variants.iter().find(|n| **n == s.as_ref()),
                    _ => None,
                });
                let Some(name) = name else {
                    let (at, text) = match kind {
                        Some((_, v)) => (
                            v.span().start,
                            format!("expected {expected}, found {}", found(v.get_ref())),
                        ),
                        None => (
                            self.at().unwrap_or(0),
                            format!("missing: expected {expected}"),
                        ),
                    };
                    // Without its kind the section's other keys mean nothing: it is left out.
                    return Err(Error::Stop(Box::new(Stop {
                        path: self.path.clone(),
                        missing: false,
                        problem: Some(Problem {
                            path: child(&self.path, "kind"),
                            at: Some(at),
                            text,
                        }),
                    })));
                };
                let mut rest = Vec::new();
                for (k, v) in t.iter() {
                    let path = child(&self.path, k.get_ref());
                    self.ctx
                        .lines
                        .borrow_mut()
                        .insert(path.clone(), k.span().start);
                    if k.get_ref() != "kind" && !self.ctx.skip.contains(&path) {
                        rest.push((k.get_ref().to_string(), Some(v)));
                    }
                }
                visitor.visit_enum(Variant {
                    name,
                    content: self,
                    rest: Some(rest),
                })
            }
            Some(_) => self.wrong(&expected, visitor, |n, v| v.visit_enum(stand_in(n))),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// What a visitor says it expects, as text.
fn describe<'a, V: Visitor<'a>>(visitor: &V) -> String {
    struct Expecting<'v, V>(&'v V);
    impl<'a, V: Visitor<'a>> fmt::Display for Expecting<'_, V> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }
    }
    Expecting(visitor).to_string()
}

/// A TOML value as a person would name it.
fn found(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the text {:?}", s.as_ref()),
        DeValue::Integer(i) => format!("the whole number {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the value {b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

fn plain_unexpected(u: &de::Unexpected<'_>) -> String {
    use de::Unexpected as U;
    match u {
        U::Str(s) => format!("the text {s:?}"),
        U::Unsigned(n) => format!("the whole number {n}"),
        U::Signed(n) => format!("the whole number {n}"),
        U::Float(n) => format!("the number {n}"),
        U::Bool(b) => format!("the value {b}"),
        U::Seq => "a list".into(),
        U::Map => "a table".into(),
        other => other.to_string(),
    }
}

/// serde's and its implementors' names for what they expect, in plain words.
fn plain_expected(e: &str) -> String {
    match e {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a string" | "string" | "a borrowed string" | "path string" => "text in quotes".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list in square brackets".into(),
        "a map" => "a table".into(),
        e if e.contains("date") || e.contains("Date") => "a date such as \"2026-12-24\"".into(),
        e if e.contains("timestamp") || e.contains("Timestamp") => {
            "a time such as \"2026-12-24T09:00:00Z\"".into()
        }
        e => e.to_string(),
    }
}

/// Known library wording, in plain words; anything else as it is.
fn plain_reason(m: &str) -> String {
    // jiff: "parameter 'day' for 2026-02 is invalid, must be in range 1..=28"
    if let Some(rest) = m.split("parameter 'day' for ").nth(1)
        && let Some((month, range)) = rest.split_once(" is invalid, must be in range ")
    {
        let last = range.rsplit("..=").next().unwrap_or(range);
        let last: String = last.chars().take_while(char::is_ascii_digit).collect();
        return format!("{} has only {last} days", month.trim_matches('`'));
    }
    // jiff's parser's account of where a date went wrong: the value itself says more.
    if m.starts_with("failed to parse") {
        return String::new();
    }
    if let Some((_, rest)) = m.split_once("parameter '")
        && let Some((name, _)) = rest.split_once('\'')
    {
        return format!("the {name} is out of range");
    }
    m.to_string()
}

fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.as_slice() {
        [] => "nothing (no value is allowed)".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("one of {} or {last}", init.join(", ")),
    }
}

fn unknown_key(key: &str, known: &[&str]) -> String {
    let close = known
        .iter()
        .filter(|k| edit_distance(key, k) <= 2)
        .min_by_key(|k| edit_distance(key, k));
    match close {
        Some(k) => format!(
            "unknown key; did you mean {k}? (keys here: {})",
            known.join(", ")
        ),
        None => format!("unknown key; expected one of {}", known.join(", ")),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
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
