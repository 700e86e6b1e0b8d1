//! Building the tree with TOML's rules for tables: dotted keys make implicit tables, a
//! `[header]` defines a table once, `[[header]]` adds a table to an array of tables, and
//! `{...}` tables are closed. Two readers share those rules (`insert`, `define`): the
//! scanner (`scan`), for the plain subset plan files are written in, and, for any other
//! document, `toml_parser`'s events as they come ([`events`]).
//!
//! Anything the event path does not accept gives `None`, and `toml` parses the document instead:
//! every syntax or decoding error, every duplicate or conflicting key, and two legal shapes it
//! leaves to `toml`: a table of more than [`MAX_KEYS`] keys (its linear key search would be
//! quadratic) and a dotted key of more than `MAX_KEY_PARTS` (32) parts.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::lexer::Token;
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

use super::{Array, Item, Key, Table, Value};

/// The most keys a table may have on the fast path.
pub const MAX_KEYS: usize = 128;
/// How deep arrays and inline tables may nest: the loader's limit, below the `toml` crate's 80.
pub const MAX_NESTING: u32 = crate::plan::toml_doc::MAX_DEPTH as u32;
/// The most parts of a dotted key on the fast path.
const MAX_KEY_PARTS: usize = 32;

pub(super) mod scan;

/// The document's root table, or `None` when `toml` must parse it.
pub fn build(text: &str) -> Option<Item<'_>> {
    let root = match scan::scan(text) {
        Some(root) => root,
        None => events(text)?,
    };
    let mut root = Item::new(Value::Table(root), 0..0);
    root.value.sort();
    Some(root)
}

/// The root table (not yet in key order) from `toml_parser`'s events alone, as `build` makes
/// it for a document the scanner does not take; public for `examples/tree_timing.rs`.
pub fn events(text: &str) -> Option<Table<'_>> {
    thread_local! {
        // Reused between documents: a plan has a thousand files of a few thousand tokens.
        static TOKENS: RefCell<Vec<Token>> = const { RefCell::new(Vec::new()) };
    }
    let source = Source::new(text);
    TOKENS.with_borrow_mut(|tokens| {
        tokens.clear();
        tokens.extend(source.lex());
        let mut builder = Builder::new(text);
        let mut failed = Failed(false);
        {
            let mut whitespace = ValidateWhitespace::new(&mut builder, source);
            let mut guard = RecursionGuard::new(&mut whitespace, MAX_NESTING);
            toml_parser::parser::parse_document(tokens, &mut guard, &mut failed);
        }
        // Keep room for a plan file's tokens (a commitment has about 2,000), not a huge file's
        // for the thread's life (the daemon's threads live for weeks).
        if tokens.capacity() > 1 << 16 {
            *tokens = Vec::new();
        }
        let unfinished = !builder.stack.is_empty()
            || builder.header.is_some()
            || !builder.keys.is_empty()
            || !builder.pending.is_empty();
        if failed.0 || builder.failed || unfinished {
            return None;
        }
        Some(builder.root)
    })
}

/// An error sink that only notes that something was wrong.
struct Failed(bool);

impl ErrorSink for Failed {
    fn report_error(&mut self, _error: ParseError) {
        self.0 = true;
    }
}

/// An array or inline table being read.
enum Open<'i> {
    Array(Vec<Item<'i>>, usize),
    /// The table, where it starts, and the key its next value goes under.
    Inline(Table<'i>, usize, Vec<Key<'i>>),
}

struct Builder<'i> {
    text: &'i str,
    root: Table<'i>,
    /// Where key-values go: the index of each table's entry on the way down from the root
    /// (an array of tables stands for its last table).
    current: Vec<usize>,
    /// The keys read since the last value or header.
    keys: Vec<Key<'i>>,
    /// The key of the top-level key-value whose value is being read.
    pending: Vec<Key<'i>>,
    /// A header being read: whether it is `[[...]]`, and where it starts.
    header: Option<(bool, usize)>,
    stack: Vec<Open<'i>>,
    failed: bool,
}

impl<'i> Builder<'i> {
    fn new(text: &'i str) -> Self {
        Builder {
            text,
            root: Table::default(),
            current: Vec::new(),
            keys: Vec::new(),
            pending: Vec::new(),
            header: None,
            stack: Vec::new(),
            failed: false,
        }
    }

    fn raw(&self, span: Span, kind: Option<Encoding>) -> Option<Raw<'i>> {
        let s = self.text.get(span.start()..span.end())?;
        Some(Raw::new_unchecked(s, kind, span))
    }

    /// A finished value: into the open array or inline table, or under the pending key.
    fn deliver(&mut self, item: Item<'i>) {
        match self.stack.last_mut() {
            Some(Open::Array(items, _)) => items.push(item),
            Some(Open::Inline(table, _, keys)) => {
                if insert(table, keys, item).is_none() {
                    self.failed = true;
                }
            }
            None => {
                let ok = table_at(&mut self.root, &self.current).and_then(|t| insert(t, &mut self.pending, item));
                if ok.is_none() {
                    self.failed = true;
                }
            }
        }
    }

    /// A header's keys are all read.
    fn close_header(&mut self, end: usize) {
        let Some((array, start)) = self.header.take() else {
            self.failed = true;
            return;
        };
        match define(&mut self.root, &mut self.keys, array, start..end) {
            Some(path) => self.current = path,
            None => self.failed = true,
        }
    }
}

/// The table at a path of entry indices.
fn table_at<'t, 'i>(root: &'t mut Table<'i>, path: &[usize]) -> Option<&'t mut Table<'i>> {
    let mut table = root;
    for &i in path {
        table = match &mut table.entries.get_mut(i)?.1.value {
            Value::Table(t) => t,
            Value::Array(a) if a.of_tables => a.items.last_mut()?.value.as_table_mut()?,
            _ => return None,
        };
    }
    Some(table)
}

impl<'i> Value<'i> {
    fn as_table_mut(&mut self) -> Option<&mut Table<'i>> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }
}

impl<'i> Table<'i> {
    fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k.name == name)
    }

    fn push(&mut self, key: Key<'i>, item: Item<'i>) -> Option<usize> {
        if self.entries.len() >= MAX_KEYS {
            return None;
        }
        self.entries.push((key, item));
        Some(self.entries.len() - 1)
    }
}

/// Put a value under a (possibly dotted) key of a table; `None` if TOML forbids it. The keys
/// are taken out of `keys`, which keeps its room for the next ones.
fn insert<'i>(table: &mut Table<'i>, keys: &mut Vec<Key<'i>>, item: Item<'i>) -> Option<()> {
    let last = keys.pop()?;
    if keys.len() >= MAX_KEY_PARTS {
        return None;
    }
    let mut table = table;
    for key in keys.drain(..) {
        let i = match table.position(&key.name) {
            Some(i) => i,
            None => {
                let span = key.span();
                let made = Table { implicit: true, dotted: true, ..Table::default() };
                table.push(key, Item::new(Value::Table(made), span))?
            }
        };
        table = match &mut table.entries[i].1.value {
            // A dotted key may extend a table that only other keys made, never a table
            // defined by a header or written inline.
            Value::Table(t) if t.implicit && !t.inline => {
                t.dotted = true;
                t
            }
            _ => return None,
        };
    }
    if table.position(&last.name).is_some() {
        return None;
    }
    table.push(last, item).map(|_| ())
}

/// Define the table of a `[header]` or add one to a `[[header]]` array; its path of entry
/// indices from the root. The keys are taken out of `keys`.
fn define<'i>(root: &mut Table<'i>, keys: &mut Vec<Key<'i>>, array: bool, span: Range<usize>) -> Option<Vec<usize>> {
    let last = keys.pop()?;
    if keys.len() >= MAX_KEY_PARTS {
        return None;
    }
    let mut path = Vec::with_capacity(keys.len() + 1);
    let mut table = root;
    for key in keys.drain(..) {
        let i = match table.position(&key.name) {
            Some(i) => i,
            None => {
                let span = key.span();
                let made = Table { implicit: true, ..Table::default() };
                table.push(key, Item::new(Value::Table(made), span))?
            }
        };
        path.push(i);
        table = match &mut table.entries[i].1.value {
            Value::Table(t) if !t.inline => t,
            // `[a.b]` after `[[a]]` is a table of the array's last table.
            Value::Array(a) if a.of_tables => a.items.last_mut()?.value.as_table_mut()?,
            _ => return None,
        };
    }
    let fresh = || Item::new(Value::Table(Table::default()), span.clone());
    let i = match (table.position(&last.name), array) {
        (None, false) => table.push(last, fresh())?,
        (None, true) => {
            let items = vec![fresh()];
            table.push(last, Item::new(Value::Array(Array { items, of_tables: true }), span.clone()))?
        }
        (Some(i), false) => {
            let (key, entry) = &mut table.entries[i];
            match &mut entry.value {
                // A table only made as the parent of another header becomes defined here,
                // and from now on its key and span are this header's (as in `toml`).
                Value::Table(t) if t.implicit && !t.dotted && !t.inline => {
                    t.implicit = false;
                    (entry.start, entry.end) = (span.start as u32, span.end as u32);
                    *key = last;
                }
                _ => return None,
            }
            i
        }
        (Some(i), true) => {
            match &mut table.entries[i].1.value {
                Value::Array(a) if a.of_tables => a.items.push(fresh()),
                _ => return None,
            }
            i
        }
    };
    path.push(i);
    Some(path)
}

impl<'i> EventReceiver for Builder<'i> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open_header(false, span);
    }
    fn std_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.close_header(span.end());
    }
    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open_header(true, span);
    }
    fn array_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.close_header(span.end());
    }
    fn inline_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        let table = Table { inline: true, ..Table::default() };
        self.stack.push(Open::Inline(table, span.start(), Vec::new()));
        true
    }
    fn inline_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.stack.pop() {
            Some(Open::Inline(table, start, keys)) if keys.is_empty() && self.keys.is_empty() => {
                self.deliver(Item::new(Value::Table(table), start..span.end()))
            }
            _ => self.failed = true,
        }
    }
    fn array_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.stack.push(Open::Array(Vec::new(), span.start()));
        true
    }
    fn array_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.stack.pop() {
            Some(Open::Array(items, start)) => {
                let array = Array { items, of_tables: false };
                self.deliver(Item::new(Value::Array(array), start..span.end()))
            }
            _ => self.failed = true,
        }
    }
    fn simple_key(&mut self, span: Span, kind: Option<Encoding>, error: &mut dyn ErrorSink) {
        let Some(raw) = self.raw(span, kind) else {
            self.failed = true;
            return;
        };
        let mut name = Cow::Borrowed("");
        raw.decode_key(&mut name, error);
        self.keys.push(Key::new(name, span.start()..span.end()));
    }
    fn key_val_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        // The keys move to where the value will go; the empty vector left there comes back
        // for the next keys, so no key list is allocated per line.
        match self.stack.last_mut() {
            None if self.header.is_none() && self.pending.is_empty() => {
                std::mem::swap(&mut self.keys, &mut self.pending)
            }
            Some(Open::Inline(_, _, pending)) if pending.is_empty() => std::mem::swap(&mut self.keys, pending),
            _ => self.failed = true,
        }
    }
    fn scalar(&mut self, span: Span, kind: Option<Encoding>, error: &mut dyn ErrorSink) {
        let Some(raw) = self.raw(span, kind) else {
            self.failed = true;
            return;
        };
        let mut decoded = Cow::Borrowed("");
        let value = match raw.decode_scalar(&mut decoded, error) {
            ScalarKind::String => Value::String(decoded),
            ScalarKind::Boolean(b) => Value::Boolean(b),
            ScalarKind::Float => Value::Float(decoded),
            ScalarKind::Integer(radix) => Value::Integer(decoded, radix.value()),
            ScalarKind::DateTime => match decoded.parse() {
                Ok(d) => Value::Datetime(d),
                Err(_) => {
                    self.failed = true;
                    return;
                }
            },
        };
        self.deliver(Item::new(value, span.start()..span.end()));
    }
    fn error(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.failed = true;
    }
}

impl Builder<'_> {
    fn open_header(&mut self, array: bool, span: Span) {
        if self.header.is_some() || !self.stack.is_empty() || !self.keys.is_empty() || !self.pending.is_empty() {
            self.failed = true;
        }
        self.header = Some((array, span.start()));
    }
}
