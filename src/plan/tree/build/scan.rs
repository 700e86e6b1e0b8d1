//! The fastest path: one pass over the bytes of a document written the way plan files are,
//! building the tree with the same table rules as the event path ([`insert`], [`define`]).
//!
//! It takes a strict subset of TOML and gives `None` for anything else, whether valid or
//! not: multi-line strings, floats, integers other than plain decimals of at most 18 digits,
//! date-times other than a plain date, escapes other than TOML 1.0's, control characters
//! anywhere, a lone carriage return, and inline tables with a line break between entries or
//! a trailing comma (a line break inside an array value is fine, as in TOML 1.0). Those
//! documents take the event path (and, past that, `toml` itself), so a refusal here costs
//! time, never a difference in the tree or in an error message.
//!
//! Plan files keep to that subset. Without the lexer's token buffer and the event calls, the
//! scanner builds the trees of the benchmark plan's 1,000 commitment files in about a third of
//! the time `toml`'s `DeTable` takes; the event path takes two thirds to four fifths
//! (`examples/tree_timing.rs`, BENCHMARKS.md). Tests check that whatever it takes, `toml`
//! takes with the same tree and the event path builds the same tree, flags included, and that
//! it takes the template's files.

use std::borrow::Cow;

use super::{MAX_NESTING, define, insert, table_at};
use crate::plan::tree::{Array, Item, Key, Table, Value};

/// The root table of a document in the subset (not yet in key order), or `None`.
pub fn scan(text: &str) -> Option<Table<'_>> {
    let mut s = Scanner { text, bytes: text.as_bytes(), pos: 0, depth: 0 };
    let mut root = Table::default();
    let mut current: Vec<usize> = Vec::new();
    let mut keys: Vec<Key<'_>> = Vec::new();
    loop {
        s.blanks();
        match s.peek() {
            None => return Some(root),
            Some(b'\n' | b'\r' | b'#') => s.line_end()?,
            Some(b'[') => {
                let start = s.pos;
                let array = s.bytes.get(start + 1) == Some(&b'[');
                s.pos += if array { 2 } else { 1 };
                s.dotted_key(&mut keys)?;
                s.expect(b']')?;
                if array {
                    s.expect(b']')?;
                }
                current = define(&mut root, &mut keys, array, start..s.pos)?;
                s.line_end()?;
            }
            Some(_) => {
                s.dotted_key(&mut keys)?;
                s.expect(b'=')?;
                s.blanks();
                let item = s.value()?;
                insert(table_at(&mut root, &current)?, &mut keys, item)?;
                s.line_end()?;
            }
        }
    }
}

struct Scanner<'i> {
    text: &'i str,
    bytes: &'i [u8],
    pos: usize,
    /// Arrays and inline tables open around the current value.
    depth: u32,
}

/// A control character TOML allows nowhere but as a tab (in strings and comments) or a line
/// ending (between lines).
fn control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

fn bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl<'i> Scanner<'i> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Spaces and tabs.
    fn blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.pos += 1)
    }

    /// The rest of a line: blanks, a comment, and a line ending or the end of the text.
    fn line_end(&mut self) -> Option<()> {
        self.blanks();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.pos += 1;
                Some(())
            }
            Some(b'\r') if self.bytes.get(self.pos + 1) == Some(&b'\n') => {
                self.pos += 2;
                Some(())
            }
            _ => None,
        }
    }

    /// A comment up to (not including) its line ending.
    fn comment(&mut self) -> Option<()> {
        self.pos += 1;
        while let Some(b) = self.peek() {
            if b == b'\n' || b == b'\r' {
                break;
            }
            if control(b) {
                return None;
            }
            self.pos += 1;
        }
        Some(())
    }

    /// A key of one or more dotted parts into `keys`, with the blanks around it.
    fn dotted_key(&mut self, keys: &mut Vec<Key<'i>>) -> Option<()> {
        loop {
            self.blanks();
            let start = self.pos;
            let name = match self.peek()? {
                b'"' => self.string(b'"')?,
                b'\'' => self.string(b'\'')?,
                b if bare(b) => {
                    while self.peek().is_some_and(bare) {
                        self.pos += 1;
                    }
                    Cow::Borrowed(&self.text[start..self.pos])
                }
                _ => return None,
            };
            keys.push(Key::new(name, start..self.pos));
            self.blanks();
            if self.peek() != Some(b'.') {
                return Some(());
            }
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Option<Item<'i>> {
        let start = self.pos;
        let value = match self.peek()? {
            b'"' => Value::String(self.string(b'"')?),
            b'\'' => Value::String(self.string(b'\'')?),
            b'[' => return self.array(),
            b'{' => return self.inline_table(),
            _ => self.word()?,
        };
        Some(Item::new(value, start..self.pos))
    }

    /// A single-line string in `quote`s, the quotes included: `"` for a basic string, whose
    /// escapes are decoded, `'` for a literal one.
    fn string(&mut self, quote: u8) -> Option<Cow<'i, str>> {
        let start = self.pos + 1;
        if self.bytes.get(start) == Some(&quote) && self.bytes.get(start + 1) == Some(&quote) {
            return None; // three quotes: multi-line
        }
        let mut at = start;
        loop {
            match *self.bytes.get(at)? {
                b if b == quote => {
                    self.pos = at + 1;
                    return Some(Cow::Borrowed(&self.text[start..at]));
                }
                b'\\' if quote == b'"' => break,
                b if control(b) => return None,
                _ => at += 1,
            }
        }
        let mut out = String::with_capacity(at - start + 8);
        out.push_str(&self.text[start..at]);
        loop {
            match *self.bytes.get(at)? {
                b'"' => {
                    self.pos = at + 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    let (c, len) = self.escape(at + 1)?;
                    out.push(c);
                    at += 1 + len;
                }
                b if control(b) => return None,
                _ => {
                    // Copy up to the next quote, backslash or control character (the bytes of a
                    // non-ASCII character are never any of these).
                    let run = self.bytes[at..].iter().position(|&b| b == b'"' || b == b'\\' || control(b))?;
                    out.push_str(&self.text[at..at + run]);
                    at += run;
                }
            }
        }
    }

    /// The character of the escape whose letter is at `at`, and how many bytes it takes.
    fn escape(&self, at: usize) -> Option<(char, usize)> {
        let hex = |len: usize| {
            let digits = self.text.get(at + 1..at + 1 + len)?;
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, 16).ok()?).map(|c| (c, 1 + len))
        };
        match *self.bytes.get(at)? {
            b'b' => Some(('\u{8}', 1)),
            b't' => Some(('\t', 1)),
            b'n' => Some(('\n', 1)),
            b'f' => Some(('\u{c}', 1)),
            b'r' => Some(('\r', 1)),
            b'"' => Some(('"', 1)),
            b'\\' => Some(('\\', 1)),
            b'u' => hex(4),
            b'U' => hex(8),
            _ => None,
        }
    }

    /// `true`, `false`, a plain decimal integer or a plain date. (In `1979-05-27 07:32:00`, one
    /// date-time, the time is left over after the date, and whatever reads on refuses it.)
    fn word(&mut self) -> Option<Value<'i>> {
        let start = self.pos;
        let len = self.bytes[start..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'.' | b':')))
            .unwrap_or(self.bytes.len() - start);
        let word = &self.text[start..start + len];
        let value = match word.as_bytes() {
            b"true" => Value::Boolean(true),
            b"false" => Value::Boolean(false),
            // At most 18 digits: always an `i64`, as `toml` would also read it.
            [b'-', digits @ ..] | digits @ [b'0'..=b'9', ..]
                if !digits.is_empty()
                    && digits.len() <= 18
                    && digits.iter().all(u8::is_ascii_digit)
                    && (digits[0] != b'0' || digits.len() == 1) =>
            {
                Value::Integer(Cow::Borrowed(word), 10)
            }
            [y, y2, y3, y4, b'-', m, m2, b'-', d, d2]
                if [y, y2, y3, y4, m, m2, d, d2].iter().all(|b| b.is_ascii_digit()) =>
            {
                Value::Datetime(word.parse().ok()?)
            }
            _ => return None,
        };
        self.pos = start + len;
        Some(value)
    }

    /// Blanks, line endings and comments between an array's values.
    fn gaps(&mut self) -> Option<()> {
        loop {
            self.blanks();
            match self.peek() {
                Some(b'#') => self.comment()?,
                Some(b'\n') => self.pos += 1,
                Some(b'\r') if self.bytes.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                _ => return Some(()),
            }
        }
    }

    /// An array or inline table from its opening bracket to its closing one, which `body`
    /// stops at: `None` past [`MAX_NESTING`] levels, as on the event path.
    fn nested(&mut self, body: impl FnOnce(&mut Self) -> Option<Value<'i>>) -> Option<Item<'i>> {
        let start = self.pos;
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return None;
        }
        let value = body(self)?;
        self.pos += 1;
        self.depth -= 1;
        Some(Item::new(value, start..self.pos))
    }

    fn array(&mut self) -> Option<Item<'i>> {
        self.nested(|s| {
            let mut items = Vec::new();
            loop {
                s.gaps()?;
                if s.peek()? == b']' {
                    break;
                }
                items.push(s.value()?);
                s.gaps()?;
                match s.peek()? {
                    b',' => s.pos += 1,
                    b']' => break,
                    _ => return None,
                }
            }
            Some(Value::Array(Array { items, of_tables: false }))
        })
    }

    /// `{ key = value, ... }` with no line break between entries and no trailing comma.
    fn inline_table(&mut self) -> Option<Item<'i>> {
        self.nested(|s| {
            let mut table = Table { inline: true, ..Table::default() };
            s.blanks();
            if s.peek()? != b'}' {
                let mut keys = Vec::new();
                loop {
                    s.dotted_key(&mut keys)?;
                    s.expect(b'=')?;
                    s.blanks();
                    let item = s.value()?;
                    insert(&mut table, &mut keys, item)?;
                    s.blanks();
                    match s.peek()? {
                        b',' => s.pos += 1,
                        b'}' => break,
                        _ => return None,
                    }
                }
            }
            Some(Value::Table(table))
        })
    }
}
