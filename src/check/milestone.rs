//! `milestone-transition`: a milestone moves along its state machine. Completing needs a
//! completion date and evidence, delaying a reason and next steps, withdrawing a reason;
//! reopening a completed or withdrawn milestone (or sending one back to not-started) needs a
//! `reopen-reason` written in the same commit.

use crate::check::Step;
use crate::diagnostic::Diagnostic;
use crate::diff::Kind;
use crate::plan::Piece;

pub fn check(step: &Step<'_>, out: &mut Vec<Diagnostic>) {
    for change in step.changes().filter(|c| c.kind == Kind::MilestoneStatus) {
        let (Some(from), Some(to)) = (change.from.as_deref(), change.to.as_deref()) else { continue };
        let Some(file) = step.file(&change.path) else { continue };
        let Some(Piece::Commitment(c)) = file.new.as_ref().and_then(|p| p.piece.as_ref()) else { continue };
        let Some(m) = change.milestone.as_deref().and_then(|id| c.milestone(id)) else { continue };
        let old_reason = match file.old.as_ref().and_then(|p| p.piece.as_ref()) {
            Some(Piece::Commitment(o)) => {
                o.milestone(&m.id.value).and_then(|x| x.reopen_reason.as_ref()).map(|r| &r.value)
            }
            _ => None,
        };
        let mut need = |ok: bool, what: &str, help: &str| {
            if !ok {
                let d = Diagnostic::error(
                    "milestone-transition",
                    format!("{} moves {from} -> {to} {what}", change.subject()),
                )
                .help(help.to_string());
                out.push(change.place(d));
            }
        };
        for (what, help) in m.unmet_requirements() {
            need(false, &format!("without {what}"), help);
        }
        let reopening = matches!(from, "completed" | "withdrawn") || (to == "not-started" && from != "not-started");
        if reopening {
            let new_reason = m.reopen_reason.as_ref().map(|r| &r.value);
            need(
                new_reason.is_some() && new_reason != old_reason,
                "without a reopen-reason",
                "say why it is reopened: reopen-reason = { uk = \"...\", en = \"...\" }, in the same commit",
            );
        }
    }
}
