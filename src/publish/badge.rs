//! Status badges: one small SVG per commitment, in the plan's primary language.

use super::{esc, i18n};
use crate::status::CommitmentStatus;

/// Approximate text width in the badge font (monospace-ish estimate).
fn width(s: &str) -> usize {
    s.chars().count() * 7 + 12
}

/// A commitment's status badge, in a language.
pub(super) fn svg(lang: &str, c: &CommitmentStatus) -> String {
    let label = c.id.clone();
    let mut value = i18n::status(lang, &c.status);
    if let Some(p) = c.computed_progress {
        value.push_str(&format!(" {p}%"));
    }
    let colour = match c.status.as_str() {
        "completed" => "#2e7d32",
        "in-implementation" | "approved" => "#1565c0",
        "withdrawn" => "#616161",
        _ => "#6d4c41",
    };
    let (lw, vw) = (width(&label), width(&value));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"20\" role=\"img\" aria-label=\"{al}: {av}\">\n<title>{al}: {av}</title>\n<rect width=\"{lw}\" height=\"20\" fill=\"#424242\"/>\n<rect x=\"{lw}\" width=\"{vw}\" height=\"20\" fill=\"{colour}\"/>\n<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\n<text x=\"6\" y=\"14\">{al}</text>\n<text x=\"{vx}\" y=\"14\">{av}</text>\n</g>\n</svg>\n",
        w = lw + vw,
        al = esc(&label),
        av = esc(&value),
        vx = lw + 6,
    )
}
