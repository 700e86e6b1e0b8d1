//! `smart-*`: commitments are Specific (problem and action written), Measurable (every
//! milestone has a deliverable), Actionable (responsible people set) and Timebound (dated
//! milestones). Drafts get warnings, anything further along gets errors.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub struct Smart;

impl Rule for Smart {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for c in &cx.plan.commitments {
            let status = c.status.as_ref().map_or("", |s| s.value.as_str());
            if status == "withdrawn" {
                continue;
            }
            let severity = if status == "draft" { Severity::Warning } else { Severity::Error };
            let mut push = |code: &'static str, msg: String, loc: &crate::diagnostic::Loc, help: &str| {
                let mut d = Diagnostic::error(code, msg).at_loc(loc).help(help);
                d.severity = severity;
                out.push(d);
            };
            let id = &c.id.value;
            if c.narratives.iter().all(|n| n.language.is_some()) {
                push(
                    "smart-specific",
                    format!("commitment {id} has no README.md stating its problem and action"),
                    &c.id.loc,
                    "write commitments/<ID>/README.md with the sections Problem, Status quo, Action and How it contributes",
                );
            }
            if c.milestones.is_empty() {
                push(
                    "smart-measurable",
                    format!("commitment {id} has no milestones"),
                    &c.id.loc,
                    "add [[milestones]] with a deliverable each, so progress can be measured",
                );
            }
            for m in &c.milestones {
                let mid = || format!("milestone {id}/{}", m.id.value);
                if m.deliverable.as_ref().is_none_or(|d| d.is_blank()) && !m.malformed.contains(&"deliverable") {
                    push(
                        "smart-measurable",
                        format!("{} has no deliverable", mid()),
                        &m.id.loc,
                        "add `deliverable`: the measurable output, e.g. \"50 datasets on the city portal\"",
                    );
                }
                if m.responsible.is_none() && !m.malformed.contains(&"responsible") {
                    push(
                        "smart-actionable",
                        format!("{} has no responsible person", mid()),
                        &m.id.loc,
                        "add `responsible` with a people.toml id",
                    );
                }
                if (m.start.is_none() && !m.malformed.contains(&"start"))
                    || (m.due.is_none() && !m.malformed.contains(&"due"))
                {
                    let missing = if m.start.is_none() && m.due.is_none() {
                        "start and due dates"
                    } else if m.start.is_none() {
                        "start date"
                    } else {
                        "due date"
                    };
                    push(
                        "smart-timebound",
                        format!("{} has no {missing}", mid()),
                        &m.id.loc,
                        "add `start` and `due` inside the commitment's window",
                    );
                }
            }
        }
    }
}
