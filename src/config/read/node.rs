//! The deserializer of one value: checks what each key expects before handing its value over.

use serde::de::{self, Visitor};
use toml::Spanned;
use toml::de::DeValue;

use super::access::{Elements, Entries, Variant};
use super::words::{describe, found, one_of, plain_expected, plain_reason, unknown_key};
use super::{Ctx, Error, Problem, Stop};

/// The value at `path`; `None` stands in for a key that is wrong or missing (already reported):
/// it reads as a neutral value of whatever kind is asked for.
pub(super) struct Node<'a, 'p> {
    pub(super) ctx: &'a Ctx<'p>,
    pub(super) path: String,
    pub(super) value: Option<&'a Spanned<DeValue<'a>>>,
}

pub(super) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a, 'p> Node<'a, 'p> {
    pub(super) fn at(&self) -> Option<usize> {
        self.value.map(|v| v.span().start)
    }

    /// Places a failure at this node: the target type's complaint or a missing key stops the
    /// pass here.
    pub(super) fn place<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
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
    pub(super) fn wrong<V: Visitor<'a>>(
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

    pub(super) fn integer<V: Visitor<'a>>(
        self,
        min: i128,
        max: i128,
        visitor: V,
    ) -> Result<V::Value, Error> {
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

    pub(super) fn text<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
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

    pub(super) fn table<V: Visitor<'a>>(
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
