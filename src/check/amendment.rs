//! `amendment-required`: an approved commitment's core (title, lead, dates, milestones, its
//! problem and action) changes only with an amendment added in the same commit.

use std::collections::BTreeSet;

use crate::check::{Step, old_commitment};
use crate::diagnostic::Diagnostic;
use crate::diff::Kind;

const CORE: &[Kind] =
    &[Kind::CommitmentCore, Kind::MilestoneCore, Kind::MilestoneAdded, Kind::MilestoneRemoved, Kind::NarrativeCore];

pub fn check(step: &Step<'_>, out: &mut Vec<Diagnostic>) {
    let amended: BTreeSet<&String> = step
        .changes()
        // Only a new amendment entry amends; editing or removing an old one does not.
        .filter(|c| c.kind == Kind::Amendment && c.from.is_none() && c.to.is_some())
        .filter_map(|c| c.commitment.as_ref())
        .collect();
    // Whole-file changes (a side that does not parse) have no field to amend; their maker is
    // judged by the permission rule, and the file by the snapshot rules.
    let whole_file = |c: &&crate::diff::Change| c.whole_file && c.kind == Kind::CommitmentCore;
    for change in step.changes().filter(|c| CORE.contains(&c.kind)).filter(|c| !whole_file(c)) {
        let Some(id) = &change.commitment else { continue };
        if amended.contains(id) {
            continue;
        }
        let approved = old_commitment(step, change)
            .and_then(|c| c.status.as_ref())
            .is_some_and(|s| crate::rules::is_approved_status(&s.value));
        if !approved {
            continue;
        }
        let d = Diagnostic::error("amendment-required", format!("approved commitment {id} changes without an amendment: {change}"))
            .help("add an [[amendments]] entry (on, reason, approved-by) to the commitment in the same commit, approved by an approver");
        out.push(change.place(d));
    }
}
