//! `overdue-milestone`, `stale-commitment`, `end-of-commitment-overdue`: what has fallen
//! behind as of today. OGP asks for regular updates; the end-of-commitment report is due one
//! month after a commitment ends.

use super::{Context, Rule, is_approved_status};
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::plan::{At, Commitment, Milestone, Plan};

pub struct Freshness;

/// Months without an update after which an implemented commitment is stale.
pub const STALE_MONTHS: i32 = 6;

/// The last date anything was reported about a commitment: an update naming it, a milestone
/// completed, an amendment, an approval or an assessment.
pub fn last_activity(plan: &Plan, c: &Commitment) -> Option<Date> {
    let updates = plan.last_update(&c.id.value).into_iter();
    let milestones = c.milestones.iter().filter_map(|m| m.completed_on.as_ref().map(|d| d.value));
    let amendments = c.amendments.iter().filter_map(|a| a.on.as_ref().map(|d| d.value));
    let approval = c.approval.iter().filter_map(|a| a.on.as_ref().map(|d| d.value));
    let assessment = c.assessment.iter().filter_map(|a| a.on.as_ref().map(|d| d.value));
    updates.chain(milestones).chain(amendments).chain(approval).chain(assessment).max()
}

/// The open milestones of an approved or implemented commitment that are past due: each
/// with its due date.
pub fn overdue(c: &Commitment, today: Date) -> impl Iterator<Item = (&Milestone, &At<Date>)> {
    let live = matches!(c.status.as_ref().map(|s| s.value.as_str()), Some("approved" | "in-implementation"));
    c.milestones
        .iter()
        .filter(move |m| live && !m.is_closed())
        .filter_map(move |m| m.due.as_ref().filter(|d| d.value < today).map(|d| (m, d)))
}

/// Whether a commitment in implementation has had nothing reported for six months; if so,
/// the last date anything was (`None`: never since it started).
pub fn stale(plan: &Plan, c: &Commitment, today: Date) -> Option<Option<Date>> {
    if c.status.as_ref().is_none_or(|s| s.value != "in-implementation") {
        return None;
    }
    let since = today.add_months(-STALE_MONTHS);
    match last_activity(plan, c) {
        Some(last) if last < since => Some(Some(last)),
        None if c.start.as_ref().is_some_and(|s| s.value < since) => Some(None),
        _ => None,
    }
}

impl Rule for Freshness {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for c in &cx.plan.commitments {
            let status = c.status.as_ref().map_or("", |s| s.value.as_str());
            let id = &c.id.value;
            for (m, due) in overdue(c, cx.today) {
                out.push(
                    Diagnostic::warning(
                        "overdue-milestone",
                        format!("milestone {id}/{} was due on {} and is {}", m.id.value, due.value, m.status_str()),
                    )
                    .at_loc(&due.loc)
                    .help("complete it with evidence, or mark it delayed with a reason and next steps and amend its due date"),
                );
            }
            if let Some(last) = stale(cx.plan, c, cx.today) {
                let since = last.map_or("it started".to_string(), |d| d.to_string());
                out.push(
                    Diagnostic::warning("stale-commitment", format!("commitment {id} has had no update since {since}"))
                        .at_loc(&c.id.loc)
                        .help(format!(
                            "OGP asks for regular updates: add updates/<date>-<slug>.md naming {id} in `commitments`"
                        )),
                );
            }
            if is_approved_status(status)
                && c.end_report().is_none()
                && let Some(end) = &c.end
                && end.value.add_months(1) < cx.today
            {
                out.push(
                    Diagnostic::warning(
                        "end-of-commitment-overdue",
                        format!("commitment {id} ended on {}; its end-of-commitment report was due {}", end.value, end.value.add_months(1)),
                    )
                    .at_loc(&end.loc)
                    .help(format!("the monitor writes commitments/{}/end-of-commitment.md (Results, Lessons learned, Recommendations)", c.dir)),
                );
            }
        }
    }
}
