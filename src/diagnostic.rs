//! Findings about a plan, as data.
//!
//! A [`Diagnostic`] names the file and the byte span it is about; line and column are
//! computed only when rendering, from the [`SourceMap`] the loader keeps.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Serialize;

pub use crate::intern::FileName;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plan is invalid: `kept validate` exits 1.
    Error,
    /// Worth fixing, but the plan is still valid.
    Warning,
}

impl Severity {
    /// The lowercase word used in rendered output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding: what is wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kebab-case code of the rule (`date-order`).
    pub code: &'static str,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// Repository-relative path of the file, `/`-separated, if the finding is about one.
    pub file: Option<String>,
    /// Byte range in that file.
    pub span: Option<Range<usize>>,
    /// Extra context lines.
    pub notes: Vec<String>,
    /// What to do next.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error with the given code and message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A new warning with the given code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity, code, message: message.into(), file: None, span: None, notes: Vec::new(), help: None }
    }

    /// Point at a whole file.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Point at a span of a file.
    pub fn at(mut self, file: impl Into<String>, span: Range<usize>) -> Self {
        self.file = Some(file.into());
        self.span = Some(span);
        self
    }

    /// Point at a located value, if it has a location.
    pub fn at_loc(self, loc: &Loc) -> Self {
        self.at(loc.file(), loc.span())
    }

    /// Add the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Add a note line.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A place in a file of the plan: path and byte span, in twelve bytes.
///
/// A loaded plan holds one on every value, so it is small and `Copy`: the path is interned
/// ([`FileName`]) and the span is two `u32` offsets (the loader refuses files far smaller
/// than 4 GiB; a larger offset saturates).
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Loc {
    file: FileName,
    start: u32,
    end: u32,
}

impl Loc {
    /// A span of a file.
    pub fn new(file: impl Into<FileName>, span: Range<usize>) -> Self {
        let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Loc { file: file.into(), start: offset(span.start), end: offset(span.end) }
    }

    /// The repository-relative path.
    pub fn file(&self) -> &'static str {
        self.file.as_str()
    }

    /// The interned path.
    pub fn file_name(&self) -> FileName {
        self.file
    }

    /// The byte range.
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl std::fmt::Debug for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}..{}", self.file, self.start, self.end)
    }
}

/// Line and column (both 1-based; the column counts characters) of a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// The text of every file the loader read, to render spans as lines and columns.
///
/// Line starts are indexed lazily, once per file, so rendering many findings in one large
/// file stays linear.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: BTreeMap<String, Source>,
}

#[derive(Debug, Clone)]
struct Source {
    text: String,
    lines: OnceLock<Vec<usize>>,
}

impl Source {
    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1))
                .collect()
        })
    }
}
impl SourceMap {
    /// Keep only the texts of the files `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.files.retain(|path, _| keep(path));
    }

    /// Add a file's text.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), Source { text: text.into(), lines: OnceLock::new() });
    }

    /// Add many files' texts at once (faster than one by one for thousands of files).
    pub fn extend(&mut self, texts: Vec<(String, String)>) {
        let mut more: BTreeMap<String, Source> =
            texts.into_iter().map(|(path, text)| (path, Source { text, lines: OnceLock::new() })).collect();
        self.files.append(&mut more);
    }

    /// How many files were read.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The text of a file, if it was read.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|s| s.text.as_str())
    }

    /// Line and column of a byte offset in a file (offsets past the end clamp to the end).
    pub fn line_col(&self, path: &str, offset: usize) -> Option<LineCol> {
        let src = self.files.get(path)?;
        let text = &src.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = src.line_starts();
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        Some(LineCol { line, column: text[start..offset].chars().count() + 1 })
    }

    /// The text of a 1-based line of a file, without its line ending.
    pub fn line(&self, path: &str, line: usize) -> Option<&str> {
        let src = self.files.get(path)?;
        let starts = src.line_starts();
        let start = *starts.get(line.checked_sub(1)?)?;
        let end = starts.get(line).map_or(src.text.len(), |e| e - 1);
        Some(src.text[start..end].trim_end_matches('\r'))
    }
}

/// Line and column of a byte offset in a text; offsets past the end clamp to the end.
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol { line: before.matches('\n').count() + 1, column: text[line_start..offset].chars().count() + 1 }
}

/// Keep at most `limit` findings of one code in one file; the rest become one summary.
///
/// A generated or hostile file can hold a hundred thousand of the same mistake; the first
/// ones say what to fix, and the summary says how many more there are. Expects sorted input.
pub fn cap(diagnostics: Vec<Diagnostic>, limit: usize) -> Vec<Diagnostic> {
    // Per (file, code): how many seen, and where the summary line went.
    type Group = (Option<String>, &'static str);
    let mut counts: BTreeMap<Group, (usize, Option<usize>)> = BTreeMap::new();
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len().min(4096));
    for d in diagnostics {
        let entry = counts.entry((d.file.clone(), d.code)).or_insert((0, None));
        entry.0 += 1;
        if entry.0 <= limit {
            out.push(d);
            continue;
        }
        match entry.1 {
            Some(at) => {
                out[at].message = format!("{} more `{}` findings in this file are not shown", entry.0 - limit, d.code)
            }
            None => {
                entry.1 = Some(out.len());
                let mut summary = Diagnostic::new(
                    d.severity,
                    d.code,
                    format!("1 more `{}` finding in this file is not shown", d.code),
                )
                .help("fix the findings above and run again to see the rest");
                summary.file = d.file;
                out.push(summary);
            }
        }
    }
    out
}

/// Sort diagnostics by file, then position, then code, so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file.as_deref(), a.span.as_ref().map(|s| s.start), a.code, &a.message).cmp(&(
            b.file.as_deref(),
            b.span.as_ref().map(|s| s.start),
            b.code,
            &b.message,
        ))
    });
}

/// One diagnostic as JSON.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Repository-relative path.
    pub file: Option<&'a str>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// Line of the span's end.
    pub end_line: Option<usize>,
    /// Column of the span's end.
    pub end_column: Option<usize>,
    /// Error or warning.
    pub severity: Severity,
    /// The rule's code.
    pub code: &'a str,
    /// What is wrong.
    pub message: &'a str,
    /// Context.
    pub notes: &'a [String],
    /// What to do.
    pub help: Option<&'a str>,
}

/// Diagnostics as JSON objects, with lines and columns resolved.
pub fn json_diagnostics<'a>(diags: &'a [Diagnostic], sources: &SourceMap) -> Vec<JsonDiagnostic<'a>> {
    diags
        .iter()
        .map(|d| {
            let file = d.file.as_deref();
            let at = |offset: usize| file.and_then(|f| sources.line_col(f, offset));
            let (start, end) = match &d.span {
                Some(span) => (at(span.start), at(span.end)),
                None => (None, None),
            };
            // A finding about a whole file (or one kept could not read) points at its start.
            let first = LineCol { line: 1, column: 1 };
            let (start, end) = match (file, start) {
                (Some(_), None) => (Some(first), Some(first)),
                _ => (start, end),
            };
            JsonDiagnostic {
                file,
                line: start.map(|l| l.line),
                column: start.map(|l| l.column),
                end_line: end.map(|l| l.line),
                end_column: end.map(|l| l.column),
                severity: d.severity,
                code: d.code,
                message: &d.message,
                notes: &d.notes,
                help: d.help.as_deref(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_map_agrees_with_line_col() {
        let text = "a = 1\r\nб = \"ї\"\n\nlast";
        let mut map = SourceMap::default();
        map.insert("f", text);
        for off in 0..=text.len() + 3 {
            assert_eq!(map.line_col("f", off), Some(line_col(text, off)), "offset {off}");
        }
        assert_eq!(map.line("f", 1), Some("a = 1"));
        assert_eq!(map.line("f", 2), Some("б = \"ї\""));
        assert_eq!(map.line("f", 4), Some("last"));
        assert_eq!(map.line("f", 5), None);
        assert_eq!(map.line("f", 0), None);
    }

    #[test]
    fn cap_summarises_the_rest() {
        let diags: Vec<Diagnostic> =
            (0..250).map(|i| Diagnostic::warning("unknown-key", format!("k{i}")).at("a.toml", i..i + 1)).collect();
        let capped = cap(diags, 100);
        assert_eq!(capped.len(), 101);
        assert_eq!(capped[100].message, "150 more `unknown-key` findings in this file are not shown");
        assert_eq!(capped[100].severity, Severity::Warning);
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "a = 1\nб = \"ї\"\n";
        assert_eq!(line_col(text, 0), LineCol { line: 1, column: 1 });
        let off = text.find('"').unwrap();
        assert_eq!(line_col(text, off), LineCol { line: 2, column: 5 });
        assert_eq!(line_col(text, 10_000).line, 3);
    }
}
