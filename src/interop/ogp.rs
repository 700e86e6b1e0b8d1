//! OGP's commitment dataset: import into plan repositories, export from a plan.
//!
//! [`import`] reads the dataset ([`dataset`]), picks rows, groups them by member and action
//! plan, reads each row as a commitment ([`row`]: dates through [`dates`], milestones through
//! [`milestones`]) and writes one plan repository per action plan ([`write`](mod@write)). [`export`]
//! writes a plan as rows of the same columns.

pub mod dataset;
pub mod dates;
pub mod export;
pub mod milestones;
pub mod row;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::interop::{Finding, FindingKind, ImportError};
use crate::plan::shape::is_safe_id;
use dataset::Dataset;
use dates::Order;
use write::PlanDraft;

/// Which rows to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every row: one plan per member and action plan.
    All,
    /// These commitments (`Commitment Unique Identifier`).
    Commitments(Vec<String>),
    /// Every commitment of a member, by `Country/Locality` or `Code` (case ignored).
    Member(String),
}

/// What an import wrote and what it could not take as written.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The plans written.
    pub plans: Vec<PlanWritten>,
    /// Every value not taken as written, in file order.
    pub findings: Vec<Finding>,
    /// Data rows read.
    pub rows: usize,
    /// How `a/b/y` dates read where a row does not show it, from the file's unambiguous dates.
    pub date_order: Order,
}

/// One plan repository written.
#[derive(Debug, Clone, Serialize)]
pub struct PlanWritten {
    /// Where.
    pub dir: PathBuf,
    /// `Country/Locality`.
    pub member: String,
    /// The action plan's key (`Action Plan ID`).
    pub action_plan: String,
    /// Commitment ids.
    pub commitments: Vec<String>,
    /// How many milestones came from the full texts.
    pub milestones: usize,
    /// The commit.
    pub commit: String,
}

/// Import the dataset at `csv` into plan repositories under `out`: `out` itself when the
/// selection makes one plan, else `out/<action plan>/` for each. `out` must be new or
/// empty. `progress` hears (rows done, rows to do).
pub fn import(
    csv: &Path,
    selection: &Selection,
    out: &Path,
    progress: Option<&dyn Fn(usize, usize)>,
) -> Result<Imported, ImportError> {
    let mut findings = Vec::new();
    let data = Dataset::read(csv, &mut findings)?;
    if !crate::init::is_vacant(out) {
        return Err(ImportError::OutNotEmpty(out.to_path_buf()));
    }
    let rows = select(&data, selection)?;
    let order = file_order(&data);
    let groups = group(&data, &rows, &mut findings);
    let total: usize = groups.values().map(Vec::len).sum();
    let mut done = 0;
    let mut plans = Vec::new();
    let single = groups.len() == 1;
    for (key, rows) in &groups {
        let first = rows[0];
        let get = |c: &str| data.get(first, c).to_string();
        let mut plan = PlanDraft {
            member: get("Country/Locality"),
            code: String::new(),
            key: key.clone(),
            number: get("Action Plan Number"),
            years: (get("Year Of Submission").parse().ok(), get("Action Plan End Year").parse().ok()),
            commitments: Vec::new(),
        };
        for r in rows {
            let mut reader = row::Reader { data: &data, row: r, order, findings: &mut findings };
            plan.commitments.push(reader.draft());
            done += 1;
            if let Some(p) = progress {
                p(done, total);
            }
        }
        plan.code = member_code(&plan, &get("Code"));
        let dir = if single { out.to_path_buf() } else { out.join(key) };
        let message = format!(
            "Import {} action plan {} from OGP's commitment dataset (kept import ogp)\n\nSource: {}, {} commitment{}.",
            plan.member,
            plan.key,
            data.file,
            plan.commitments.len(),
            if plan.commitments.len() == 1 { "" } else { "s" }
        );
        let commit = crate::init::lay_down(&dir, &write::files(&plan), &message)?;
        plans.push(PlanWritten {
            dir,
            member: plan.member.clone(),
            action_plan: plan.key.clone(),
            commitments: plan.commitments.iter().map(|c| c.id.clone()).collect(),
            milestones: plan.commitments.iter().map(|c| c.milestones.len()).sum(),
            commit: commit.to_string(),
        });
    }
    findings.sort_by_key(|f| f.record);
    Ok(Imported { plans, findings, rows: data.rows.len(), date_order: order })
}

fn select<'a>(data: &'a Dataset, selection: &Selection) -> Result<Vec<&'a dataset::Row>, ImportError> {
    let id = |r: &dataset::Row| data.get(r, "Commitment Unique Identifier").to_string();
    let example = || data.rows.first().map(id).unwrap_or_default();
    let rows: Vec<&dataset::Row> = match selection {
        Selection::All => data.rows.iter().collect(),
        Selection::Commitments(ids) => {
            let unknown: Vec<String> =
                ids.iter().filter(|want| !data.rows.iter().any(|r| id(r) == **want)).cloned().collect();
            if !unknown.is_empty() {
                return Err(ImportError::UnknownCommitment {
                    file: data.file.clone(),
                    ids: unknown,
                    example: example(),
                });
            }
            data.rows.iter().filter(|r| ids.contains(&id(r))).collect()
        }
        Selection::Member(name) => {
            let name = name.trim();
            let rows: Vec<_> = data
                .rows
                .iter()
                .filter(|r| {
                    data.get(r, "Country/Locality").eq_ignore_ascii_case(name)
                        || data.get(r, "Code").eq_ignore_ascii_case(name)
                })
                .collect();
            if rows.is_empty() {
                let example =
                    data.rows.first().map(|r| data.get(r, "Country/Locality").to_string()).unwrap_or_default();
                return Err(ImportError::UnknownMember { file: data.file.clone(), name: name.to_string(), example });
            }
            rows
        }
    };
    if rows.is_empty() {
        return Err(ImportError::Empty(data.file.clone()));
    }
    Ok(rows)
}

/// The file's reading of `a/b/y` dates: the order most of its unambiguous dates show
/// (month first when they tie, as OGP's own export writes dates).
pub fn file_order(data: &Dataset) -> Order {
    let (mut month_first, mut day_first) = (0, 0);
    for r in &data.rows {
        for c in ["Start Date", "End Date"] {
            match dates::evident_order(data.get(r, c)) {
                Some(Order::MonthFirst) => month_first += 1,
                Some(Order::DayFirst) => day_first += 1,
                None => {}
            }
        }
    }
    if day_first > month_first { Order::DayFirst } else { Order::MonthFirst }
}

/// Rows by action plan (`Action Plan ID`, else `Code`-`Action Plan Number`), sorted by key;
/// rows whose id cannot name a directory, or repeat one, are reported and left out.
fn group<'a>(
    data: &Dataset,
    rows: &[&'a dataset::Row],
    findings: &mut Vec<Finding>,
) -> BTreeMap<String, Vec<&'a dataset::Row>> {
    let mut groups: BTreeMap<String, Vec<&dataset::Row>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        let id = data.get(r, "Commitment Unique Identifier");
        let problem = if !is_safe_id(id) {
            Some(format!("commitment id `{id}` cannot name a directory (letters, digits, - and _ only)"))
        } else if !seen.insert(id.to_string()) {
            Some(format!("commitment id `{id}` repeats an earlier row's"))
        } else {
            None
        };
        if let Some(message) = problem {
            findings.push(Finding {
                file: data.file.clone(),
                record: r.record,
                line: r.line,
                column: "Commitment Unique Identifier".into(),
                text: id.to_string(),
                kind: FindingKind::Skipped,
                message: message + ": the row is not imported",
                commitment: None,
            });
            continue;
        }
        let ap = data.get(r, "Action Plan ID");
        let key = if is_safe_id(ap) {
            ap.to_string()
        } else {
            let parts = [data.get(r, "Code"), data.get(r, "Action Plan Number")];
            let raw = match parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join("-") {
                s if s.is_empty() => data.get(r, "Country/Locality").to_string(),
                s => s,
            };
            let key: String =
                raw.chars().take(60).map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
            if key.is_empty() { "plan".to_string() } else { key }
        };
        groups.entry(key).or_default().push(r);
    }
    groups
}

/// The letters every commitment id starts with (`COT` for `COT0005`), so the ids start with
/// the member code as kept expects; the dataset's `Code` where they differ.
fn member_code(plan: &PlanDraft, code: &str) -> String {
    let prefix = |id: &str| id.chars().take_while(char::is_ascii_alphabetic).collect::<String>();
    let mut prefixes = plan.commitments.iter().map(|c| prefix(&c.id));
    match prefixes.next() {
        Some(p) if !p.is_empty() && prefixes.all(|q| q == p) => p,
        _ if is_safe_id(code) => code.to_string(),
        _ => "XX".to_string(),
    }
}
