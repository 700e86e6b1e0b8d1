//! Rendering diagnostics and errors: cargo-style for people, JSON for machines.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use kept::diagnostic::{Diagnostic, LineCol, Severity, SourceMap};

/// Whether to colour stdout: only on a terminal, and never when NO_COLOR is set.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
}

/// Render diagnostics as text, with the source line and a caret under the span.
pub fn human(out: &mut dyn Write, diags: &[Diagnostic], sources: &SourceMap, colour: bool) -> std::io::Result<()> {
    let st = Style { on: colour };
    for d in diags {
        let (sev, sev_code) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        writeln!(
            out,
            "{}{} {}",
            st.paint(sev_code, &format!("{sev}[{}]", d.code)),
            st.paint("1", ":"),
            st.paint("1", &d.message)
        )?;
        let gutter_width;
        let start = match (&d.file, &d.span) {
            (Some(file), Some(span)) => sources.line_col(file, span.start),
            _ => None,
        };
        match (&d.file, &d.span, start) {
            (Some(file), Some(span), Some(lc)) => {
                gutter_width = lc.line.to_string().len();
                let pad = " ".repeat(gutter_width);
                writeln!(out, "{pad}{} {file}:{}:{}", st.paint("1;34", "-->"), lc.line, lc.column)?;
                let line_text = sources.line(file, lc.line).unwrap_or("").trim_end();
                let bar = st.paint("1;34", "|");
                writeln!(out, "{pad} {bar}")?;
                let end = sources.line_col(file, span.end.max(span.start)).unwrap_or(lc);
                let line_len = line_text.chars().count();
                let width = if end.line == lc.line {
                    end.column.saturating_sub(lc.column)
                } else {
                    line_len.saturating_sub(lc.column - 1)
                };
                let (shown, col) = window(line_text, lc.column - 1);
                let width = width.clamp(1, shown.chars().count().saturating_sub(col).max(1));
                writeln!(out, "{} {bar} {shown}", st.paint("1;34", &lc.line.to_string()))?;
                let indent: String = shown.chars().take(col).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                writeln!(out, "{pad} {bar} {indent}{}", st.paint(sev_code, &"^".repeat(width)))?;
            }
            (Some(file), _, _) => {
                gutter_width = 1;
                writeln!(out, "{} {} {file}", " ".repeat(gutter_width), st.paint("1;34", "-->"))?;
            }
            _ => gutter_width = 1,
        }
        let pad = " ".repeat(gutter_width);
        for n in &d.notes {
            writeln!(out, "{pad} {} note: {n}", st.paint("1;34", "="))?;
        }
        if let Some(h) = &d.help {
            writeln!(out, "{pad} {} {}: {h}", st.paint("1;34", "="), st.paint("1", "help"))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The widest source excerpt shown, in characters.
const MAX_LINE: usize = 100;

/// A long line cut to a window around a column: (text shown, the column's index in it).
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_LINE {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(20).min(chars.len().saturating_sub(MAX_LINE));
    let end = (start + MAX_LINE).min(chars.len());
    let mut shown = String::new();
    let mut col_in = col - start;
    if start > 0 {
        shown.push('…');
        col_in += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col_in)
}

/// One diagnostic as JSON.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    notes: &'a [String],
    help: Option<&'a str>,
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

/// Print a command failure and its causes to stderr.
pub fn error(e: &dyn std::error::Error) {
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
    let st = Style { on: colour };
    let mut msg = format!("{} {e}", st.paint("1;31", "error:"));
    let mut cause = e.source();
    while let Some(c) = cause {
        msg.push_str(&format!("\n  caused by: {c}"));
        cause = c.source();
    }
    eprintln!("{msg}");
}
