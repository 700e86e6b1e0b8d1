//! Where a plan stands: its phase, what the current phase's steps still lack, commitment
//! progress, overdue milestones and commitments without recent updates (`kept status`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalogue::{Catalogue, tr};
use crate::date::Date;
use crate::plan::Plan;
use crate::plan::kinds::MILESTONE_STATUSES;
use crate::rules::Context;
use crate::rules::freshness;
use crate::rules::phase_exit::step_gaps;

/// The plan's state on a date.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The member name.
    pub member: String,
    /// The member code.
    pub member_code: String,
    /// The plan title.
    pub title: String,
    /// The date the status is computed for.
    pub today: Date,
    /// Current phase id, e.g. `implement`.
    pub phase: String,
    /// Its number, from 1.
    pub phase_number: usize,
    /// How many phases the catalogue has (5).
    pub phases: usize,
    /// Its title.
    pub phase_title: String,
    /// The current phase's steps.
    pub steps: Vec<StepStatus>,
    /// Every commitment.
    pub commitments: Vec<CommitmentStatus>,
    /// Open milestones past their due date.
    pub overdue: Vec<Overdue>,
    /// Commitments in implementation without an update for six months.
    pub stale: Vec<String>,
}

/// A step of the current phase.
#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Recorded status, `not-started` if no record.
    pub status: String,
    /// What it still lacks to let the plan advance.
    pub missing: Vec<String>,
}

/// A commitment's progress.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentStatus {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// Milestone counts by status (every status listed, zeros included).
    pub milestones: BTreeMap<String, usize>,
    /// Progress declared in the commitment (percent), if any.
    pub declared_progress: Option<i64>,
    /// Completed milestones over milestones not withdrawn, in percent; `None` if none count.
    pub computed_progress: Option<u8>,
    /// The last reported activity.
    pub last_update: Option<Date>,
}

/// An overdue milestone.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    /// Commitment id.
    pub commitment: String,
    /// Milestone id.
    pub milestone: String,
    /// Due date.
    pub due: Date,
    /// Its status.
    pub status: String,
    /// Days past due.
    pub days: i64,
}

/// Compute the status of a plan, its texts in the plan's primary language.
pub fn compute(plan: &Plan, catalogue: &Catalogue, today: Date) -> Status {
    compute_in(plan, catalogue, today, &plan.languages())
}

/// Compute the status of a plan, its texts in the first of `langs` that has them.
pub fn compute_in(plan: &Plan, catalogue: &Catalogue, today: Date, langs: &[String]) -> Status {
    let langs = langs.to_vec();
    let meta = plan.meta.as_ref();
    let text = |t: Option<&crate::plan::At<crate::plan::Text>>| t.map_or(String::new(), |t| t.best(&langs).to_string());
    let phase_index = meta.and_then(|m| m.phase_index()).unwrap_or(0);
    let phase = &catalogue.phases[phase_index.min(catalogue.phases.len() - 1)];
    let cx = Context { plan, catalogue, today };
    let steps = phase
        .steps
        .iter()
        .map(|s| {
            let record = meta.and_then(|m| m.step(&s.id));
            StepStatus {
                id: s.id.clone(),
                title: tr(&s.title, &langs).to_string(),
                status: record.and_then(|r| r.status.as_ref()).map_or("not-started".into(), |st| st.value.clone()),
                missing: step_gaps(&cx, s, record),
            }
        })
        .collect();
    let mut overdue = Vec::new();
    let mut stale = Vec::new();
    let commitments = plan
        .commitments
        .iter()
        .map(|c| {
            let status = c.status.as_ref().map_or(String::new(), |s| s.value.clone());
            let mut counts: BTreeMap<String, usize> =
                MILESTONE_STATUSES.iter().map(|s| ((*s).to_string(), 0)).collect();
            for m in &c.milestones {
                *counts.entry(m.status_str().to_string()).or_default() += 1;
            }
            overdue.extend(freshness::overdue(c, today).map(|(m, due)| Overdue {
                commitment: c.id.value.clone(),
                milestone: m.id.value.clone(),
                due: due.value,
                status: m.status_str().to_string(),
                days: due.value.days_until(today),
            }));
            if freshness::stale(plan, c, today).is_some() {
                stale.push(c.id.value.clone());
            }
            let counted = c.milestones.len() - counts["withdrawn"];
            let computed_progress = (counted > 0).then(|| (counts["completed"] * 100 / counted) as u8);
            let last_update = freshness::last_activity(plan, c);
            CommitmentStatus {
                id: c.id.value.clone(),
                title: text(c.title.as_ref()),
                status,
                milestones: counts,
                declared_progress: c.progress.as_ref().map(|p| p.value),
                computed_progress,
                last_update,
            }
        })
        .collect();
    Status {
        member: text(meta.and_then(|m| m.member.as_ref())),
        member_code: meta.and_then(|m| m.member_code.as_ref()).map_or(String::new(), |c| c.value.clone()),
        title: text(meta.and_then(|m| m.title.as_ref())),
        today,
        phase: phase.id.clone(),
        phase_number: phase_index + 1,
        phases: catalogue.phases.len(),
        phase_title: tr(&phase.title, &langs).to_string(),
        steps,
        commitments,
        overdue,
        stale,
    }
}
