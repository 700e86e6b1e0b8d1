//! `permission-denied`: each change is made by someone whose role allows it (`roles::need`),
//! judged against the people and roles before the commit. In a proposal, what the authors may
//! not do themselves becomes a review the forge must collect instead.

use crate::check::{Mode, Step, old_commitment};
use crate::diagnostic::Diagnostic;
use crate::diff::Change;
use crate::roles::{Authority, Identity, Need, need, satisfied};

/// Returns the needs left for reviewers (in proposal mode).
pub fn check<'s>(
    step: &'s Step<'_>,
    actors: &[Identity],
    out: &mut Vec<Diagnostic>,
    mode: Mode,
) -> Vec<(Need, &'s Change)> {
    let mut reviews = Vec::new();
    for change in step.changes() {
        let authority =
            Authority { settings: step.settings, people: step.people, commitment: old_commitment(step, change) };
        let need = need(change, &authority);
        if satisfied(&need, actors, &authority, change.milestone.as_deref()) {
            continue;
        }
        match mode {
            Mode::Proposal => reviews.push((need, change)),
            Mode::Push => {
                let who = actors.iter().map(describe).collect::<Vec<_>>().join(" and ");
                let d = Diagnostic::error("permission-denied", format!("{change}: needs {need}, made by {who}")).help(
                    "send the change as a pull request for review, or have it made or merged by someone with that role",
                );
                out.push(match &change.loc {
                    Some(loc) => d.at_loc(loc),
                    None => d.in_file(change.path.clone()),
                });
            }
        }
    }
    reviews
}

fn describe(who: &Identity) -> String {
    match &who.person {
        Some(p) if who.roles.is_empty() => format!("{p} (no role)"),
        Some(p) => format!("{p} ({})", who.roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")),
        None => format!("{} (not in people.toml)", who.shown),
    }
}
