//! Rendering diagnostics and errors: cargo-style for people, JSON for machines.

use std::io::{IsTerminal, Write};

use kept::diagnostic::{Diagnostic, Severity, SourceMap};

/// Whether to colour stdout: only on a terminal, and never when NO_COLOR is set.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Whether to colour stderr (logs, errors): the same rule, for stderr.
pub fn colour_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
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

pub use kept::diagnostic::json_diagnostics;

/// Print a command failure and its causes to stderr.
pub fn error(e: &dyn std::error::Error) {
    let st = Style { on: colour_stderr() };
    let mut msg = format!("{} {e}", st.paint("1;31", "error:"));
    let mut cause = e.source();
    while let Some(c) = cause {
        msg.push_str(&format!("\n  caused by: {c}"));
        cause = c.source();
    }
    eprintln!("{msg}");
}
