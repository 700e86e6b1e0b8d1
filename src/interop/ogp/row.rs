//! One dataset row as a commitment: title, dates, institutions, policy areas, OGP values,
//! the IRM's assessment and the milestones of its full text. Every value not taken as
//! written becomes a finding.

use super::dataset::{Dataset, Row};
use super::dates::{self, Bound, Order, Parsed};
use super::milestones;
use crate::date::Date;
use crate::interop::{Finding, FindingKind};

/// The first policy-area column and the last one (0/1 flags between them, in order).
pub const POLICY_AREAS: (&str, &str) = ("Anti-Corruption and Integrity", "Money in Politics");

/// OGP value columns (IRM relevance) and kept's value names.
pub const OGP_VALUES: [(&str, &str); 4] = [
    ("OGP Value Access To Information", "access-to-information"),
    ("OGP Value Civic Participation", "civic-participation"),
    ("OGP Value Public Accountability", "public-accountability"),
    ("OGP Value Technology", "technology-and-innovation"),
];

/// Per-value "did it open government" columns and kept's value names.
pub const DIOG_BY_VALUE: [(&str, &str); 3] = [
    ("Did It Open Government (Access To Information)", "access-to-information"),
    ("Did It Open Government (Civic Participation)", "civic-participation"),
    ("Did It Open Government: Public Accountability", "public-accountability"),
];

/// The dataset's words for the values of one of kept's scales.
pub type Scale = &'static [(&'static str, &'static str)];

/// IRM columns, kept's assessment field, and the dataset's words on kept's scale.
pub const IRM: [(&str, &str, Scale); 7] = [
    ("Verifiable", "verifiable", &[("Yes", "yes"), ("No", "no")]),
    (
        "Potential for Results",
        "potential-for-results",
        &[("Unclear", "unclear"), ("Modest", "modest"), ("Substantial", "substantial")],
    ),
    ("Completion (End Of Term)", "completion", COMPLETION),
    ("Did It Open Government (Overall)", "did-it-open-government", DIOG),
    (
        "Early Results",
        "early-results",
        &[("No notable results", "no-notable"), ("Moderate", "moderate"), ("Significant", "significant")],
    ),
    (
        "Potential Impact",
        "potential-impact",
        &[("None", "none"), ("Minor", "minor"), ("Moderate", "moderate"), ("Transformative", "transformative")],
    ),
    ("Specificity", "specificity", &[("None", "none"), ("Low", "low"), ("Medium", "medium"), ("High", "high")]),
];

/// IRM completion words.
pub const COMPLETION: &[(&str, &str)] = &[
    ("Not Started", "not-started"),
    ("Limited", "limited"),
    ("Substantial", "substantial"),
    ("Complete", "complete"),
    ("Withdrawn", "withdrawn"),
];

/// IRM "did it open government" words.
pub const DIOG: &[(&str, &str)] = &[
    ("Worsens", "worsened"),
    ("Did Not Change", "did-not-change"),
    ("Marginal", "marginal"),
    ("Major", "major"),
    ("Outstanding", "outstanding"),
];

/// IRM words that say "no value on this scale" as ND, NR and NA do: never a zero.
const NO_VALUE: [&str; 3] = ["Not Applicable", "No early results to report yet", "Unclear"];

/// A commitment read from a row, before it is written as TOML.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// `Commitment Unique Identifier`.
    pub id: String,
    /// `Commitment Title`, else `Short Title`.
    pub title: Option<String>,
    /// `Short Title`.
    pub short_title: Option<String>,
    /// `Full Text`.
    pub full_text: String,
    /// Start date.
    pub start: Option<Date>,
    /// End date.
    pub end: Option<Date>,
    /// `Lead Institution`.
    pub lead: Option<String>,
    /// `Supporting Institution(s)`, split into names.
    pub supporting: Vec<String>,
    /// Policy areas flagged 1, as kebab-case names of their columns.
    pub policy_areas: Vec<String>,
    /// OGP values flagged 1.
    pub ogp_values: Vec<String>,
    /// IRM assessment fields with known values, in kept's order.
    pub assessment: Vec<(&'static str, &'static str)>,
    /// Per-value DIOG with known values.
    pub diog_by_value: Vec<(&'static str, &'static str)>,
    /// `URL`.
    pub url: Option<String>,
    /// `Action Plan ID`.
    pub action_plan: Option<String>,
    /// `Commitment Number`, float noise removed.
    pub number: Option<String>,
    /// Milestones from the full text.
    pub milestones: Vec<MilestoneDraft>,
}

/// A milestone read from the full text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneDraft {
    /// The activity.
    pub title: String,
    /// The expected output, where the table has one.
    pub deliverable: Option<String>,
    /// Start date.
    pub start: Option<Date>,
    /// Due date.
    pub due: Option<Date>,
}

/// Reading one row: the dataset, the row, the file's date order, and where findings go.
pub struct Reader<'a> {
    /// The dataset.
    pub data: &'a Dataset,
    /// The row.
    pub row: &'a Row,
    /// How this file's `a/b/y` dates read when a row does not show it.
    pub order: Order,
    /// Findings.
    pub findings: &'a mut Vec<Finding>,
}

impl<'a> Reader<'a> {
    fn get(&self, column: &str) -> &'a str {
        self.data.get(self.row, column)
    }

    fn report(&mut self, column: &str, text: &str, kind: FindingKind, message: String) {
        self.findings.push(Finding {
            file: self.data.file.clone(),
            record: self.row.record,
            line: self.row.line,
            column: column.to_string(),
            text: text.to_string(),
            kind,
            message,
            commitment: Some(self.get("Commitment Unique Identifier").to_string()).filter(|s| !s.is_empty()),
        });
    }

    /// The order `a/b/y` dates of this row read in: what its own dates show, else the file's.
    fn row_order(&self) -> (Order, bool) {
        let shown: Vec<Order> =
            ["Start Date", "End Date"].iter().filter_map(|c| dates::evident_order(self.get(c))).collect();
        match shown.as_slice() {
            [o, ..] if shown.iter().all(|x| x == o) => (*o, true),
            _ => (self.order, false),
        }
    }

    /// Parse a date; report what is not exact.
    fn date(&mut self, column: &str, text: &str, bound: Bound, order: (Order, bool)) -> Option<Date> {
        let parsed = dates::parse_at(text, bound, order.0);
        match &parsed {
            Parsed::Exact(_) | Parsed::Missing => {}
            Parsed::Imprecise(d, p) => self.report(
                column,
                text,
                FindingKind::Imprecise,
                format!("a {} where a day is needed: taken as {d}, its {}", p.as_str(), bound_word(bound)),
            ),
            Parsed::Ambiguous { chosen, other } => {
                let why = if order.1 { "as the row's other date shows" } else { "as most dates of this file are" };
                let o = if order.0 == Order::MonthFirst { "month first" } else { "day first" };
                self.report(
                    column,
                    text,
                    FindingKind::Ambiguous,
                    format!("day first or month first: read {o} ({why}) as {chosen}; the other reading is {other}"),
                );
            }
            Parsed::Unparsed(why) => {
                self.report(column, text, FindingKind::Unparsed, format!("not read as a date: {why}"));
            }
        }
        parsed.date()
    }

    /// The commitment this row describes.
    pub fn draft(&mut self) -> Draft {
        let order = self.row_order();
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty() && !dates::is_unknown(s));
        let mut d = Draft {
            id: self.get("Commitment Unique Identifier").to_string(),
            title: opt(self.get("Commitment Title")).or_else(|| opt(self.get("Short Title"))),
            short_title: opt(self.get("Short Title")),
            full_text: self.get("Full Text").to_string(),
            lead: opt(self.get("Lead Institution")),
            supporting: split_institutions(self.get("Supporting Institution(s)")),
            url: opt(self.get("URL")),
            action_plan: opt(self.get("Action Plan ID")),
            number: self.number(),
            ..Draft::default()
        };
        d.start = self.date("Start Date", self.get("Start Date"), Bound::Start, order);
        d.end = self.date("End Date", self.get("End Date"), Bound::End, order);
        d.policy_areas = self.policy_areas();
        for (column, value) in OGP_VALUES {
            if self.flag(column) == Some(true) {
                d.ogp_values.push(value.to_string());
            }
        }
        for (column, field, scale) in IRM {
            let column = if field == "completion" && dates::is_unknown(self.get(column)) {
                // The end-of-term report supersedes the progress report; where it has no
                // value, the progress report's is the latest the IRM wrote.
                "Completion (Progress Report)"
            } else {
                column
            };
            if let Some(v) = self.scale(column, scale) {
                d.assessment.push((field, v));
            }
        }
        for (column, value) in DIOG_BY_VALUE {
            if let Some(v) = self.scale(column, DIOG) {
                d.diog_by_value.push((value, v));
            }
        }
        d.milestones = self.milestones(order);
        d
    }

    fn number(&mut self) -> Option<String> {
        let raw = self.get("Commitment Number").to_string();
        if dates::is_unknown(&raw) {
            return None;
        }
        let Some((int, frac)) = raw.split_once('.') else { return Some(raw) };
        if frac.len() < 10 || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Some(raw);
        }
        // A spreadsheet stored `5.1` as the double nearest to it; its shortest decimal form
        // at single precision's 7 digits is what was typed.
        let value: f64 = raw.parse().ok()?;
        let short = format!("{:.6}", value).trim_end_matches('0').trim_end_matches('.').to_string();
        self.report(
            "Commitment Number",
            &raw,
            FindingKind::Repaired,
            format!("float noise in a commitment number: taken as {short}"),
        );
        Some(short)
    }

    fn flag(&mut self, column: &str) -> Option<bool> {
        match self.get(column) {
            "1" => Some(true),
            "0" => Some(false),
            v if dates::is_unknown(v) => None,
            v => {
                let v = v.to_string();
                self.report(column, &v, FindingKind::Unparsed, "not 0 or 1: left unknown".into());
                None
            }
        }
    }

    fn policy_areas(&mut self) -> Vec<String> {
        let headers = self.data.headers();
        let first = headers.iter().position(|h| h == POLICY_AREAS.0);
        let last = headers.iter().position(|h| h == POLICY_AREAS.1);
        let (Some(first), Some(last)) = (first, last) else { return Vec::new() };
        let columns: Vec<String> = headers[first..=last.max(first)].to_vec();
        columns.iter().filter(|c| self.flag(c) == Some(true)).map(|c| policy_area(c)).collect()
    }

    fn scale(&mut self, column: &str, scale: &[(&str, &'static str)]) -> Option<&'static str> {
        let v = self.get(column).to_string();
        if dates::is_unknown(&v) || NO_VALUE.contains(&v.as_str()) && !scale.iter().any(|(w, _)| *w == v) {
            return None;
        }
        if let Some((_, k)) = scale.iter().find(|(w, _)| w.eq_ignore_ascii_case(&v)) {
            return Some(k);
        }
        let words: Vec<&str> = scale.iter().map(|(w, _)| *w).collect();
        self.report(
            column,
            &v,
            FindingKind::Unparsed,
            format!("not on the IRM scale ({}): left unknown", words.join(", ")),
        );
        None
    }

    fn milestones(&mut self, order: (Order, bool)) -> Vec<MilestoneDraft> {
        let raw = milestones::recover(self.get("Full Text"));
        raw.into_iter()
            .map(|m| {
                let start = m.start.as_deref().and_then(|s| self.date("Full Text", s, Bound::Start, order));
                let due = m.end.as_deref().and_then(|s| self.date("Full Text", s, Bound::End, order));
                MilestoneDraft { title: m.title, deliverable: m.deliverable, start, due }
            })
            .collect()
    }
}

fn bound_word(bound: Bound) -> &'static str {
    match bound {
        Bound::Start => "first day",
        Bound::End => "last day",
    }
}

/// A policy-area column as a kebab-case name: `Land and Spatial Planning` is
/// `land-and-spatial-planning`, `Environment & Climate` is `environment-and-climate`.
pub fn policy_area(column: &str) -> String {
    let mut out = String::new();
    for word in column.replace('&', " and ").split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

/// Split `Supporting Institution(s)` into names at line breaks and semicolons. Commas are
/// left alone: they separate list items as often as they sit inside one name
/// (`Finance Department, Yablunivka City Council`), and kept does not guess which.
pub fn split_institutions(cell: &str) -> Vec<String> {
    if dates::is_unknown(cell) {
        return Vec::new();
    }
    cell.split(['\n', ';']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(policy_area("Land and Spatial Planning"), "land-and-spatial-planning");
        assert_eq!(policy_area("Environment & Climate"), "environment-and-climate");
        assert_eq!(policy_area("Open Data (Health)"), "open-data-health");
        assert_eq!(policy_area("LGBTQIA+"), "lgbtqia");
        assert_eq!(
            split_institutions("Mahintana Foundation, Inc., PPDOITU\nPIO; Hivos"),
            ["Mahintana Foundation, Inc., PPDOITU", "PIO", "Hivos"]
        );
        assert!(split_institutions("NA").is_empty());
    }
}
