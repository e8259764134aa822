//! The tables, arrays and enum variants handed to the derived visitors.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use toml::Spanned;
use toml::de::DeValue;

use super::node::{Node, child};
use super::words::unknown_key;
use super::{Ctx, Error, Problem, Stop};

/// A key and its value; `None` stands in for a key already reported.
pub(super) type Entry<'a> = (String, Option<&'a Spanned<DeValue<'a>>>);

/// The keys of a table, handed to a map or struct visitor.
pub(super) struct Entries<'a, 'p, I> {
    pub(super) ctx: &'a Ctx<'p>,
    pub(super) path: String,
    pub(super) entries: I,
    pub(super) next: Option<Entry<'a>>,
}

impl<'a, 'p, I> Entries<'a, 'p, I> {
    pub(super) fn new<E: IntoIterator<IntoIter = I>>(
        ctx: &'a Ctx<'p>,
        path: String,
        entries: E,
    ) -> Self {
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
pub(super) struct Elements<'a, 'p> {
    pub(super) ctx: &'a Ctx<'p>,
    pub(super) path: String,
    pub(super) items: std::iter::Enumerate<std::slice::Iter<'a, Spanned<DeValue<'a>>>>,
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
pub(super) struct Variant<'a, 'p> {
    pub(super) name: &'static str,
    pub(super) content: Node<'a, 'p>,
    /// The table minus `kind`, for a variant read from `kind`.
    pub(super) rest: Option<Vec<Entry<'a>>>,
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
pub(super) struct Rest<'a, 'p>(
    Node<'a, 'p>,
    Vec<(String, Option<&'a Spanned<DeValue<'a>>>)>,
);

impl<'a> Rest<'a, '_> {
    pub(super) fn struct_of<V: Visitor<'a>>(
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
