//! Parsing one TOML document with bounds, and lenient typed getters over the parsed tree.
//!
//! Type errors are reported once by `shape::check`; the getters here return `None` for
//! anything malformed, so conversion to the typed plan never reports twice.

use std::ops::Range;

use crate::date::Date;
use crate::diagnostic::{Diagnostic, FileName, Loc};
use crate::intern::Lang;
use crate::plan::model::{At, Text};
use crate::plan::tree::{self, Item, Table, Value};

/// The deepest nesting of arrays and inline tables the loader accepts.
pub const MAX_DEPTH: usize = 64;

/// Where diagnostics about one document go, and how to place them.
pub struct Ctx<'a> {
    /// Repository-relative path of the document.
    pub file: FileName,
    /// Byte offset of the TOML text inside the file (front matter starts after `+++`).
    pub offset: usize,
    /// Collected findings.
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// Record a diagnostic at a span of the TOML text.
    pub fn push_at(&mut self, diag: Diagnostic, span: Range<usize>) {
        let span = span.start + self.offset..span.end + self.offset;
        self.diags.push(diag.at(self.file.as_str(), span));
    }

    /// A location for a span of the TOML text.
    pub fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span.start + self.offset..span.end + self.offset)
    }
}

/// Parse a TOML document, reporting syntax errors and excessive nesting.
///
/// Returns `None` when the document cannot be used; the reasons are in `ctx.diags`.
pub fn parse<'i>(ctx: &mut Ctx<'_>, text: &'i str) -> Option<Item<'i>> {
    // Nearly every plan file takes the fast path, which bounds nesting itself; only a file it
    // refuses is scanned for nesting before `toml` parses it again, for errors.
    if let Some(root) = tree::fast(text) {
        return Some(root);
    }
    if let Some(at) = too_deep(text) {
        let diag =
            Diagnostic::error("nesting-too-deep", format!("arrays or tables nested deeper than {MAX_DEPTH} levels"))
                .help("a plan file never needs this much nesting; check the file for generated or corrupted content");
        ctx.push_at(diag, at..at + 1);
        return None;
    }
    let errors = match tree::parse_with_toml(text) {
        Ok(root) => return Some(root),
        Err(errors) => errors,
    };
    for err in errors {
        let span = err.span().unwrap_or(0..0);
        let message = err.message().trim().trim_end_matches('.').to_string();
        let diag = Diagnostic::error("toml-syntax", format!("invalid TOML: {message}"))
            .help("fix the syntax here; the rest of this file is not checked until it parses");
        ctx.push_at(diag, span);
    }
    None
}

/// The byte offset where nesting first exceeds [`MAX_DEPTH`], if it does.
///
/// A lexical pre-scan, so that a hostile file never reaches a recursive parser.
fn too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    // Fewer opening brackets than the limit cannot nest past it: skip the scan (the count is
    // a vectorised pass, the scan is not).
    if b.iter().filter(|&&c| c == b'[' || c == b'{').count() <= MAX_DEPTH {
        return None;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'\'' => {
                let q = b[i];
                let multi = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
                i += if multi { 3 } else { 1 };
                while i < b.len() {
                    if q == b'"' && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q && (!multi || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) {
                        if multi {
                            // Up to two more quotes right before the closing three belong to
                            // the string (`"""x""""` ends with the quote character `"`).
                            let mut extra = 0;
                            while extra < 2 && b.get(i + 3) == Some(&q) {
                                i += 1;
                                extra += 1;
                            }
                            i += 2;
                        }
                        break;
                    }
                    if !multi && b[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Lenient typed access to a parsed table, attaching locations.
pub struct View<'t, 'i> {
    table: &'t Table<'i>,
    file: FileName,
    offset: usize,
    span: Range<usize>,
}

impl<'t, 'i> View<'t, 'i> {
    /// A view of a document's root (`None` if the item is not a table).
    pub fn root(ctx: &'t Ctx<'_>, root: &'t Item<'i>) -> Option<Self> {
        Some(View { table: root.value.as_table()?, file: ctx.file, offset: ctx.offset, span: 0..0 })
    }

    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span.start + self.offset..span.end + self.offset)
    }

    /// The location of this table (its header, for array entries).
    pub fn here(&self) -> Loc {
        self.loc(self.span.start..self.span.start)
    }

    /// The location of a key's value, or of this table if the key is absent.
    pub fn loc_of(&self, key: &str) -> Loc {
        match self.table.get(key) {
            Some(v) => self.loc(v.span()),
            None => self.here(),
        }
    }

    /// The location of a key itself (not its value).
    pub fn key_loc(&self, key: &str) -> Option<Loc> {
        self.table.get_key_value(key).map(|(k, _)| self.loc(k.span()))
    }

    /// Whether the key is present.
    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    fn raw(&self, key: &str) -> Option<&'t Item<'i>> {
        self.table.get(key)
    }

    /// A string value.
    pub fn str(&self, key: &str) -> Option<At<String>> {
        let v = self.raw(key)?;
        Some(At::new(v.value.as_str()?.to_string(), self.loc(v.span())))
    }

    /// A boolean value.
    pub fn bool(&self, key: &str) -> Option<At<bool>> {
        let v = self.raw(key)?;
        Some(At::new(v.value.as_bool()?, self.loc(v.span())))
    }

    /// An integer value.
    pub fn int(&self, key: &str) -> Option<At<i64>> {
        let v = self.raw(key)?;
        Some(At::new(v.value.as_i64()?, self.loc(v.span())))
    }

    /// A local date value.
    pub fn date(&self, key: &str) -> Option<At<Date>> {
        let v = self.raw(key)?;
        Some(At::new(as_date(&v.value)?, self.loc(v.span())))
    }

    /// A text value: a string, or translations.
    pub fn text(&self, key: &str) -> Option<At<Text>> {
        let v = self.raw(key)?;
        Some(At::new(as_text(&v.value)?, self.loc(v.span())))
    }

    /// An array of strings (non-strings skipped).
    pub fn strs(&self, key: &str) -> Vec<At<String>> {
        self.array(key).filter_map(|v| Some(At::new(v.value.as_str()?.to_string(), self.loc(v.span())))).collect()
    }

    /// An array of texts (malformed items skipped).
    pub fn texts(&self, key: &str) -> Vec<At<Text>> {
        self.array(key).filter_map(|v| Some(At::new(as_text(&v.value)?, self.loc(v.span())))).collect()
    }

    fn array(&self, key: &str) -> impl Iterator<Item = &'t Item<'i>> + use<'t, 'i> {
        self.raw(key).and_then(|v| v.value.as_array()).into_iter().flatten()
    }

    /// A sub-table.
    pub fn table(&self, key: &str) -> Option<View<'t, 'i>> {
        let v = self.raw(key)?;
        Some(View { table: v.value.as_table()?, file: self.file, offset: self.offset, span: v.span() })
    }

    /// The tables of an array of tables.
    pub fn tables(&self, key: &str) -> Vec<View<'t, 'i>> {
        self.array(key)
            .filter_map(|v| {
                Some(View { table: v.value.as_table()?, file: self.file, offset: self.offset, span: v.span() })
            })
            .collect()
    }

    /// The entries of a table with free keys, as views of table values.
    pub fn entries(&self) -> Vec<(At<String>, Option<View<'t, 'i>>)> {
        self.table
            .iter()
            .map(|(k, v)| {
                let view = v.value.as_table().map(|t| View {
                    table: t,
                    file: self.file,
                    offset: self.offset,
                    span: k.span().start..v.span().end,
                });
                (At::new(k.name.to_string(), self.loc(k.span())), view)
            })
            .collect()
    }

    /// The integer entries of a table with free keys.
    pub fn int_entries(&self) -> Vec<(At<String>, At<i64>)> {
        self.table
            .iter()
            .filter_map(|(k, v)| {
                Some((At::new(k.name.to_string(), self.loc(k.span())), At::new(v.value.as_i64()?, self.loc(v.span()))))
            })
            .collect()
    }

    /// The keys of a table.
    pub fn keys(&self) -> Vec<String> {
        self.table.iter().map(|(k, _)| k.name.to_string()).collect()
    }

    /// The string entries of a table with free keys.
    pub fn str_entries(&self) -> Vec<(At<String>, At<String>)> {
        self.table
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    At::new(k.name.to_string(), self.loc(k.span())),
                    At::new(v.value.as_str()?.to_string(), self.loc(v.span())),
                ))
            })
            .collect()
    }
}

fn as_date(v: &Value<'_>) -> Option<Date> {
    let dt = v.as_datetime()?;
    if dt.time.is_some() {
        return None;
    }
    let d = dt.date?;
    Date::new(i32::from(d.year), d.month, d.day)
}

fn as_text(v: &Value<'_>) -> Option<Text> {
    match v {
        Value::String(s) => Some(Text::Plain(s.to_string())),
        Value::Table(t) => {
            let mut list = Vec::with_capacity(t.len());
            for (k, v) in t.iter() {
                // A key that is not a language code was reported by `shape`; it is not
                // interned (interned names live as long as the process).
                if !crate::plan::shape::is_language_code(&k.name) {
                    return None;
                }
                list.push((Lang::new(&k.name), v.value.as_str()?.to_string()));
            }
            Some(Text::Translated(list))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_scan_ignores_brackets_in_strings_and_comments() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(too_deep(&format!("a = {deep}")).is_some());
        assert!(too_deep(&format!("a = \"{deep}\"")).is_none());
        assert!(too_deep(&format!("a = '''{deep}'''")).is_none());
        assert!(too_deep(&format!("# {deep}\na = 1")).is_none());
        assert!(too_deep("a = \"\\\"[[[\"").is_none());
        assert!(too_deep("[[milestones]]\nx = [[1], {a = [2]}]").is_none());
        assert!(too_deep(&format!("a = \"\"\"x\"\"\"\" {deep}")).is_some(), "quotes ending a multi-line string");
        assert!(too_deep(&format!("a = \"\"\"x\"\"\"\"\"\nb = {deep}")).is_some());
    }
}
