//! One parsed TOML document as a small tree that borrows from the file's text.
//!
//! [`parse`] builds it in one pass over the bytes when the document keeps to the plain
//! subset plan files are written in (`build::scan`), and otherwise from `toml_parser`'s events
//! ([`build`]): strings and keys borrowed unless they hold escapes, each table a short vector
//! of entries. The `toml` crate's `DeTable` first records every event in a vector and then
//! fills a `BTreeMap` per table; on a plan's commitment files the scanner takes about a third
//! of its time, and the event path about 70 % (BENCHMARKS.md). A document neither path accepts
//! (any syntax error, and a few legal but unusual shapes, such as a table of more than
//! [`build::MAX_KEYS`] keys) is parsed again by `toml` itself, so its errors are the `toml`
//! crate's own, and a valid document of an unusual shape still loads ([`from_de`]).
//!
//! The tree looks like `toml`'s: the same values, the same spans, and each table's keys in
//! the same (sorted) order.

pub mod build;

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};
use toml::value::Datetime;

/// A value and where it is in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<'i> {
    /// The value.
    pub value: Value<'i>,
    start: u32,
    end: u32,
}

impl<'i> Item<'i> {
    fn new(value: Value<'i>, span: Range<usize>) -> Self {
        Item { value, start: span.start as u32, end: span.end as u32 }
    }

    /// The byte range of the value (of a table's header, for a table defined by one).
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A TOML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'i> {
    /// A string, its escapes decoded.
    String(Cow<'i, str>),
    /// An integer as written (digits and underscores, without a radix prefix) and its radix.
    Integer(Cow<'i, str>, u32),
    /// A float as written.
    Float(Cow<'i, str>),
    /// `true` or `false`.
    Boolean(bool),
    /// A date, time or date-time.
    Datetime(Datetime),
    /// An array (`[...]`, or the tables of `[[...]]` headers).
    Array(Array<'i>),
    /// A table (a header, dotted keys, or `{...}`).
    Table(Table<'i>),
}

impl<'i> Value<'i> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The date-time, if this is one.
    pub fn as_datetime(&self) -> Option<&Datetime> {
        match self {
            Value::Datetime(d) => Some(d),
            _ => None,
        }
    }

    /// The array's items, if this is an array.
    pub fn as_array(&self) -> Option<&[Item<'i>]> {
        match self {
            Value::Array(a) => Some(&a.items),
            _ => None,
        }
    }

    /// The table, if this is one.
    pub fn as_table(&self) -> Option<&Table<'i>> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The integer, if this is one that fits in an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(digits, radix) => integer(digits, *radix),
            _ => None,
        }
    }

    /// What kind of value this is, for messages ("a string", "a table").
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(..) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// An integer's digits (underscores allowed) in a radix, if it fits in an `i64`.
pub fn integer(digits: &str, radix: u32) -> Option<i64> {
    if digits.contains('_') {
        i64::from_str_radix(&digits.replace('_', ""), radix).ok()
    } else {
        i64::from_str_radix(digits, radix).ok()
    }
}

/// An array's items.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Array<'i> {
    items: Vec<Item<'i>>,
    /// Made by `[[...]]` headers (only such an array takes another one).
    of_tables: bool,
}

/// A key as written in the document, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Key<'i> {
    /// The key's text.
    pub name: Cow<'i, str>,
    start: u32,
    end: u32,
}

impl<'i> Key<'i> {
    fn new(name: Cow<'i, str>, span: Range<usize>) -> Self {
        Key { name, start: span.start as u32, end: span.end as u32 }
    }

    /// The byte range of the key (with its quotes, if quoted).
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A table: its entries, in key order once parsed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table<'i> {
    entries: Vec<(Key<'i>, Item<'i>)>,
    /// Made only as the parent of another table or key, not defined itself (yet).
    implicit: bool,
    /// Made (or extended) by dotted keys.
    dotted: bool,
    /// Written `{...}`: closed to later additions.
    inline: bool,
}

impl<'i> Table<'i> {
    /// The value of a key.
    pub fn get(&self, key: &str) -> Option<&Item<'i>> {
        self.get_key_value(key).map(|(_, v)| v)
    }

    /// A key and its value.
    pub fn get_key_value(&self, key: &str) -> Option<(&Key<'i>, &Item<'i>)> {
        // Parsed tables are sorted by key (`sort`). Most are a dozen short keys: a scan that
        // compares lengths first beats a binary search's string comparisons there.
        let found = if self.entries.len() <= 16 {
            self.entries.iter().find(|(k, _)| k.name.len() == key.len() && k.name == key)
        } else {
            let i = self.entries.binary_search_by(|(k, _)| k.name.as_ref().cmp(key)).ok()?;
            self.entries.get(i)
        };
        found.map(|(k, v)| (k, v))
    }

    /// Whether a key is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get_key_value(key).is_some()
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Key<'i>, &Item<'i>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// How many keys the table has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Put every table of the tree in key order (the order `toml`'s `BTreeMap` has).
    fn sort(&mut self) {
        // Keys mostly differ in their first byte: compare that before calling into `memcmp`.
        let first = |k: &Key<'_>| k.name.as_bytes().first().copied();
        self.entries.sort_unstable_by(|(a, _), (b, _)| first(a).cmp(&first(b)).then_with(|| a.name.cmp(&b.name)));
        for (_, item) in &mut self.entries {
            item.value.sort();
        }
    }
}

impl Value<'_> {
    fn sort(&mut self) {
        match self {
            Value::Table(t) => t.sort(),
            Value::Array(a) => a.items.iter_mut().for_each(|i| i.value.sort()),
            _ => {}
        }
    }
}

/// Why a document could not be parsed: the `toml` crate's errors.
pub type Errors = Vec<toml::de::Error>;

/// Parse a document: the root table (its span is empty, at the start), or `toml`'s errors.
pub fn parse(text: &str) -> Result<Item<'_>, Errors> {
    match fast(text) {
        Some(root) => Ok(root),
        None => parse_with_toml(text),
    }
}

/// The fast path alone: `None` for any document it does not accept (see [`build`]). It never
/// nests deeper than [`build::MAX_NESTING`] arrays and inline tables.
pub fn fast(text: &str) -> Option<Item<'_>> {
    build::build(text)
}

/// Parse a document with the `toml` crate's own parser.
pub fn parse_with_toml(text: &str) -> Result<Item<'_>, Errors> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors);
    }
    let span = table.span();
    Ok(Item::new(Value::Table(from_de(table.into_inner())), span))
}

/// A tree from `toml`'s own parse (already in key order).
pub fn from_de(table: DeTable<'_>) -> Table<'_> {
    let entries = table
        .into_iter()
        .map(|(k, v)| {
            let span = k.span();
            (Key::new(k.into_inner(), span), from_de_value(v))
        })
        .collect();
    Table { entries, ..Table::default() }
}

fn from_de_value(v: Spanned<DeValue<'_>>) -> Item<'_> {
    let span = v.span();
    let value = match v.into_inner() {
        DeValue::String(s) => Value::String(s),
        DeValue::Integer(i) => Value::Integer(Cow::Owned(i.as_str().to_string()), i.radix()),
        DeValue::Float(f) => Value::Float(Cow::Owned(f.as_str().to_string())),
        DeValue::Boolean(b) => Value::Boolean(b),
        DeValue::Datetime(d) => Value::Datetime(d),
        // Whether it came from `[[...]]` headers only matters while building.
        DeValue::Array(a) => {
            Value::Array(Array { items: a.into_iter().map(from_de_value).collect(), of_tables: false })
        }
        DeValue::Table(t) => Value::Table(from_de(t)),
    };
    Item::new(value, span)
}

#[cfg(test)]
mod tests;
