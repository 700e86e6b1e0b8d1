//! Commitments as tracker milestones (`[tracker] milestones = true`): each commitment has one,
//! titled after it, due at its end, closed when it is completed or withdrawn, and holding its
//! milestones' issues. A hidden marker in the description ties it to the commitment, so a
//! lost sync state is recovered by search, never by creating a second one. The repository
//! owns all of it.

use std::collections::BTreeMap;

use super::{Outcome, What, Writer, failed};
use crate::plan::{Commitment, Plan};
use crate::tracker::{Action, MilestoneDraft, TrackerError, TrackerMilestone, commitment_marker, commitment_marker_id};

/// The tracker milestone a commitment should have.
pub fn milestone_draft(plan: &Plan, c: &Commitment) -> MilestoneDraft {
    let langs = super::languages(plan);
    let title = c.title.as_ref().map(|t| t.value.best(&langs).to_string()).unwrap_or_default();
    let id = &c.id.value;
    let mut description = String::new();
    for lang in &langs {
        if let Some(t) = c.title.as_ref().and_then(|t| t.value.get(lang)) {
            description.push_str(&format!("{t}\n\n"));
        }
    }
    description.push_str(&format!(
        "Commitment {id} of the plan (`commitments/{}/commitment.toml`); its milestones' issues are in this \
         milestone.\n\n{}\n",
        c.dir,
        commitment_marker(id)
    ));
    MilestoneDraft {
        title: if title.is_empty() { id.clone() } else { format!("{id}: {title}") },
        description,
        due: c.end.as_ref().map(|d| d.value.to_string()),
        open: !matches!(c.status.as_ref().map(|s| s.value.as_str()), Some("completed" | "withdrawn")),
    }
}

/// Bring every commitment's tracker milestone in line; returns the milestone number per
/// commitment id (0 for one a dry run would create), and an outcome per commitment.
pub(super) fn sync_milestones(
    writer: &mut Writer<'_>,
    plan: &Plan,
) -> Result<(BTreeMap<String, u64>, Vec<Outcome>), TrackerError> {
    let existing = writer.tracker.milestones()?;
    let mut by_marker: BTreeMap<&str, &TrackerMilestone> = BTreeMap::new();
    for m in &existing {
        if let Some(id) = commitment_marker_id(&m.description) {
            // The oldest (lowest number) is the commitment's; copies are left alone.
            by_marker
                .entry(id)
                .and_modify(|first| *first = if m.number < first.number { m } else { first })
                .or_insert(m);
        }
    }
    let mut numbers = BTreeMap::new();
    let mut outcomes = Vec::new();
    for c in &plan.commitments {
        let id = c.id.value.clone();
        let want = milestone_draft(plan, c);
        let outcome = |number: Option<u64>, what: What| Outcome {
            milestone: id.clone(),
            issue: number,
            url: None,
            what,
            detail: None,
        };
        match by_marker.get(id.as_str()) {
            Some(have) if want.matches(have) => {
                numbers.insert(id.clone(), have.number);
                outcomes.push(outcome(Some(have.number), What::Unchanged));
            }
            Some(have) => {
                numbers.insert(id.clone(), have.number);
                let update = Action::UpdateMilestone { number: have.number, draft: want.clone() };
                match writer.write_milestone(&update) {
                    Ok(_) => outcomes.push(outcome(Some(have.number), What::Updated)),
                    Err(e) => outcomes.push(failed(&id, Some(have.number), &e)),
                }
            }
            None => match writer.write_milestone(&Action::CreateMilestone(want.clone())) {
                Ok(Some(made)) => {
                    numbers.insert(id.clone(), made.number);
                    // A tracker that creates milestones open closes them in a second step.
                    if !want.matches(&made) {
                        let update = Action::UpdateMilestone { number: made.number, draft: want.clone() };
                        if let Err(e) = writer.write_milestone(&update) {
                            outcomes.push(failed(&id, Some(made.number), &e));
                            continue;
                        }
                    }
                    outcomes.push(outcome(Some(made.number), What::Created));
                }
                Ok(None) => {
                    numbers.insert(id.clone(), 0);
                    outcomes.push(outcome(None, What::Created));
                }
                Err(e) => outcomes.push(failed(&id, None, &e)),
            },
        }
    }
    Ok((numbers, outcomes))
}
