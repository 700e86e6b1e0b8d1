//! Milestone tables recovered from a commitment's `Full Text`.
//!
//! The dataset keeps each commitment's template as flat text: a table's cells become lines
//! (South Cotabato: activity, responsible office, support, `November 2018 – December 2018`;
//! Tbilisi: stage, `15.03.2019 - 30.04.2019`) or `|`- and tab-separated cells on one line
//! (`activity | output | 11/2022`). After a heading that names milestones, activities or
//! implementation stages, each line that is only a date or a date range closes a milestone
//! made of the text lines before it; a row of cells whose last cells are dates is one
//! milestone. Text after the last date is not a milestone (it is the template's next part).

use super::dates::{self, Bound, Order, Parsed};

/// A milestone as the text gives it, dates still as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMilestone {
    /// The first cell or line: the activity.
    pub title: String,
    /// The expected output, where the table has such a column.
    pub deliverable: Option<String>,
    /// The start date as written.
    pub start: Option<String>,
    /// The end or due date as written.
    pub end: Option<String>,
    /// The whole date cell as written, for reports.
    pub date_text: String,
}

/// Lines that end a milestone table.
const TERMINATORS: [&str; 8] = [
    "implementing actors",
    "indicator",
    "indicators",
    "contact information",
    "risks and hypothesis",
    "other actors involved",
    "implementing entity",
    "additional information",
];

/// Whether a line heads a milestone table.
fn is_heading(line: &str) -> bool {
    let l = line.to_lowercase();
    line.chars().count() <= 150
        && !l.starts_with("see ")
        && (l.contains("milestone")
            || l.contains("implementation stage")
            || l.starts_with("activities")
            || l.starts_with("main activities")
            || l.starts_with("key activities")
            || l.starts_with("planned activities")
            || l.starts_with("activity and deliverable"))
}

/// The milestones of a commitment's full text; empty when it has no table kept recognises.
pub fn recover(full_text: &str) -> Vec<RawMilestone> {
    let lines: Vec<&str> = full_text.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
    // The first heading under which milestones are found wins; a heading without dated rows
    // under it ("See action plan for milestone activities") gives way to the next.
    for (i, line) in lines.iter().enumerate() {
        if is_heading(line.trim()) {
            let found = table(line.trim(), &lines[i + 1..]);
            if !found.is_empty() {
                return found;
            }
        }
    }
    Vec::new()
}

fn table(heading: &str, lines: &[&str]) -> Vec<RawMilestone> {
    let h = heading.to_lowercase();
    let has_output = h.contains("output") || h.contains("expected result");
    // Only a table whose heading names a date column has its last cell read as a date
    // when it is not one; elsewhere a last cell may be an indicator or a result.
    let has_date = h.contains("date");
    let mut out = Vec::new();
    let mut block: Vec<String> = Vec::new();
    for raw in lines {
        let line = raw.trim();
        let bare = line.trim_end_matches(':').to_lowercase();
        if TERMINATORS.contains(&bare.as_str()) || is_heading(line) {
            break;
        }
        let cells: Vec<&str> = split_cells(raw);
        if let Some(dates) = date_cells(&cells) {
            if cells.len() > dates.len() {
                // A row: its own text cells, then its dates.
                let text = &cells[..cells.len() - dates.len()];
                block.clear();
                out.push(row(text, &dates, has_output));
            } else if let Some(first) = block.first().cloned() {
                // A line of dates closes the block above it.
                let (start, end, date_text) = range_of(&dates);
                out.push(RawMilestone { title: first, deliverable: None, start, end, date_text });
                block.clear();
            }
            continue;
        }
        if has_date && cells.len() >= 2 && line.contains(" | ") {
            // A `|` row whose date cell kept cannot read: still a milestone, its date reported.
            let last = cells[cells.len() - 1];
            let text = &cells[..cells.len() - 1];
            out.push(row(text, &[last], has_output));
            block.clear();
            continue;
        }
        block.push(cells.join(" "));
    }
    out
}

fn row(text: &[&str], dates: &[&str], has_output: bool) -> RawMilestone {
    let (start, end, date_text) = range_of(dates);
    RawMilestone {
        title: text.first().map_or(String::new(), |t| t.to_string()),
        deliverable: text.get(1).filter(|d| has_output && !dates::is_unknown(d)).map(|d| d.to_string()),
        start,
        end,
        date_text,
    }
}

fn split_cells(line: &str) -> Vec<&str> {
    let sep = if line.contains(" | ") { '|' } else { '\t' };
    line.split(sep).map(str::trim).filter(|c| !c.is_empty()).collect()
}

/// The trailing cells of a row that are dates (one range, or a start and an end), if the
/// row ends in dates.
fn date_cells<'a>(cells: &[&'a str]) -> Option<Vec<&'a str>> {
    let n = cells.len();
    if n == 0 {
        return None;
    }
    let last = cells[n - 1];
    if n >= 2 && is_date(cells[n - 2]) && is_date(last) {
        return Some(vec![cells[n - 2], last]);
    }
    (is_date(last) || dates::split_range(last).is_some_and(|(a, b)| is_date_or_unknown(a, b))).then(|| vec![last])
}

fn is_date(s: &str) -> bool {
    s.chars().count() <= 40
        && !matches!(dates::parse(s, Bound::Start, Order::MonthFirst), Parsed::Unparsed(_) | Parsed::Missing)
}

/// A range where one side may be `NA` (`January 2019 – NA`), but not both.
fn is_date_or_unknown(a: &str, b: &str) -> bool {
    (is_date(a) || dates::is_unknown(a)) && (is_date(b) || dates::is_unknown(b)) && (is_date(a) || is_date(b))
}

fn range_of(dates: &[&str]) -> (Option<String>, Option<String>, String) {
    match dates {
        [a, b] => (Some(a.to_string()), Some(b.to_string()), format!("{a} {b}")),
        [one] => match dates::split_range(one) {
            Some((a, b)) => (Some(a.to_string()), Some(b.to_string()), one.to_string()),
            None => (None, Some(one.to_string()), one.to_string()),
        },
        _ => (None, None, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_blocks_closed_by_date_lines() {
        let text = "Intro\n31 August 2018 – 31 August 2020\nMilestone Activity with a Verifiable Deliverable\n\
                    Draft and pass the ordinance.\nVice Governor\nSP Office\nNovember 2018 – December 2018\n\
                    Set up the page.\nVice Governor\nJanuary 2019 – NA\nImplementing Actors\nOffice\n";
        let m = recover(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].title, "Draft and pass the ordinance.");
        assert_eq!((m[0].start.as_deref(), m[0].end.as_deref()), (Some("November 2018"), Some("December 2018")));
        assert_eq!((m[1].start.as_deref(), m[1].end.as_deref()), (Some("January 2019"), Some("NA")));
    }

    #[test]
    fn pipe_and_tab_rows() {
        let text = "Commitment Planning (Milestones | Expected Outputs | Expected Completion Date)\n\n\
                    Study | A study | 2023\n\nPortal | New portal | Second semester of 2024\n";
        let m = recover(text);
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].title.as_str(), m[0].deliverable.as_deref(), m[0].end.as_deref()),
            ("Study", Some("A study"), Some("2023"))
        );
        assert_eq!(m[1].end.as_deref(), Some("Second semester of 2024"));
        let tabs = "Milestone Activity with a verifiable deliverable\tBudget\tStart Date\tEnd Date\n\
                    1.1. Amend the law.\tDonor funds \n\tOctober 2018\tDecember 2018\n";
        let m = recover(tabs);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].title, "1.1. Amend the law. Donor funds");
        assert_eq!((m[0].start.as_deref(), m[0].end.as_deref()), (Some("October 2018"), Some("December 2018")));
    }

    #[test]
    fn no_table_no_milestones() {
        assert!(recover("See action plan for milestone activities\nNothing dated here\n").is_empty());
    }
}
