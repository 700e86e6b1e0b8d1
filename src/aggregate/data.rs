//! The aggregate's open data: a row per plan, every plan's commitments, and the whole as
//! JSON (docs/aggregate.md).

use super::{Check, Part};
use crate::publish::{COMMITMENT_COLUMNS, csv};

/// The columns of `data/plans.csv`.
pub const PLAN_COLUMNS: [&str; 12] = [
    "code",
    "member",
    "phase",
    "valid",
    "errors",
    "warnings",
    "commitments",
    "milestones",
    "completed",
    "overdue",
    "state",
    "revision",
];

/// `data/plans.csv`: one row per plan; what is unknown (a plan that could not be read, or
/// not checked yet) is empty, never zero.
pub fn plans_csv(parts: &[Part]) -> String {
    let rows: Vec<Vec<String>> = parts
        .iter()
        .map(|p| {
            let summary = p.content.as_ref().map(|c| &c.summary);
            let num = |f: fn(&super::Summary) -> usize| summary.map_or(String::new(), |s| f(s).to_string());
            let counts = p.check.counts();
            vec![
                p.code.clone(),
                summary.map_or(String::new(), |s| s.member.clone()),
                summary.map_or(String::new(), |s| s.phase.clone()),
                p.check.is_valid().to_string(),
                counts.map_or(String::new(), |c| c.0.to_string()),
                counts.map_or(String::new(), |c| c.1.to_string()),
                num(|s| s.commitments),
                num(|s| s.milestones),
                num(|s| s.completed),
                num(|s| s.overdue),
                p.check.word().to_string(),
                p.revision.clone().unwrap_or_default(),
            ]
        })
        .collect();
    csv(&PLAN_COLUMNS, &rows)
}

/// `data/commitments.csv`: every shown plan's commitments, its code first, then the columns
/// of a plan's own `data/commitments.csv`.
pub fn commitments_csv(parts: &[Part]) -> String {
    let header: Vec<&str> = std::iter::once("Plan").chain(COMMITMENT_COLUMNS).collect();
    let rows: Vec<Vec<String>> = parts
        .iter()
        .filter_map(|p| Some((p, p.content.as_ref()?)))
        .flat_map(|(p, c)| c.commitments.iter().map(|row| std::iter::once(p.code.clone()).chain(row.clone()).collect()))
        .collect();
    csv(&header, &rows)
}

/// `data/plans.json`: every plan, its state (with its diagnostics or problem) and summary.
pub fn plans_json(parts: &[Part]) -> String {
    #[derive(serde::Serialize)]
    struct Plan<'a> {
        code: &'a str,
        site: Option<&'a str>,
        revision: Option<&'a str>,
        check: &'a Check,
        summary: Option<&'a super::Summary>,
    }
    #[derive(serde::Serialize)]
    struct OpenData<'a> {
        schema: &'static str,
        as_of: Option<String>,
        plans: Vec<Plan<'a>>,
    }
    let data = OpenData {
        schema: "kept aggregate 1 (docs/aggregate.md)",
        as_of: super::as_of(parts).map(|d| d.to_string()),
        plans: parts
            .iter()
            .map(|p| Plan {
                code: &p.code,
                site: p.site_url.as_deref(),
                revision: p.revision.as_deref(),
                check: &p.check,
                summary: p.content.as_ref().map(|c| &c.summary),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&data).unwrap_or_default() + "\n"
}
