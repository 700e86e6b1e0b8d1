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
    let mut shortfalls: Vec<(Need, &'s Change)> = Vec::new();
    for change in step.changes() {
        let authority =
            Authority { settings: step.settings, people: step.people, commitment: old_commitment(step, change) };
        let need = need(change, &authority);
        if satisfied(&need, actors, &authority, change.milestone.as_deref()) || update_by_reporter(step, change, actors)
        {
            continue;
        }
        shortfalls.push((need, change));
    }
    if mode == Mode::Proposal {
        return shortfalls;
    }
    // One finding per subject and need: completing a milestone changes its status, date and
    // evidence together, and is one thing its maker may not do.
    let who = actors.iter().map(describe).collect::<Vec<_>>().join(" and ");
    let mut groups: Vec<(String, &Need, Vec<&Change>)> = Vec::new();
    for (need, change) in &shortfalls {
        let subject = change.subject();
        match groups.iter_mut().find(|(s, n, _)| *s == subject && *n == need) {
            Some(g) => g.2.push(change),
            None => groups.push((subject, need, vec![change])),
        }
    }
    for (subject, need, changes) in groups {
        let first = changes[0];
        let mut d = if changes.len() == 1 {
            Diagnostic::error("permission-denied", format!("{first}: needs {need}, made by {who}"))
        } else {
            let mut d = Diagnostic::error(
                "permission-denied",
                format!("{subject}: {} changes need {need}, made by {who}", changes.len()),
            );
            for c in &changes {
                d = d.note(c.to_string());
            }
            d
        };
        d = d.help("send the change as a pull request for review, or have it made or merged by someone with that role");
        out.push(first.place(d));
    }
    Vec::new()
}

/// Whether a progress note is written by the lead or a responsible person of a commitment
/// it names (a note that names none is the coordinator's).
fn update_by_reporter(step: &Step<'_>, change: &Change, actors: &[Identity]) -> bool {
    if change.kind != crate::diff::Kind::Update {
        return false;
    }
    let new = step.file(&change.path).and_then(|f| f.new.as_ref()).and_then(|p| p.piece.as_ref());
    let Some(crate::plan::Piece::Update(u)) = new else { return false };
    u.commitments.iter().any(|id| {
        let commitment = match step.before.get(&id.value).and_then(|p| p.piece.as_ref()) {
            Some(crate::plan::Piece::Commitment(c)) => Some(&**c),
            _ => None,
        };
        let authority = Authority { settings: step.settings, people: step.people, commitment };
        actors.iter().any(|a| authority.reports_for_any(a))
    })
}

fn describe(who: &Identity) -> String {
    match &who.person {
        Some(p) if who.roles.is_empty() => format!("{p} (no role)"),
        Some(p) => format!("{p} ({})", who.roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")),
        None => format!("{} (not in people.toml)", who.shown),
    }
}
