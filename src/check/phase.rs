//! `phase-order`: the plan's phase moves forward one phase at a time, and back only with a
//! reason (`phase-reason` in plan.toml, changed in the same commit).

use crate::check::Step;
use crate::diagnostic::Diagnostic;
use crate::diff::Kind;
use crate::plan::{PHASES, Piece};

pub fn check(step: &Step<'_>, out: &mut Vec<Diagnostic>) {
    for change in step.changes().filter(|c| c.kind == Kind::Phase) {
        let index = |p: &Option<String>| p.as_deref().and_then(|p| PHASES.iter().position(|x| *x == p));
        let (Some(from), Some(to)) = (index(&change.from), index(&change.to)) else { continue };
        let diag = |message: String, help: &str| {
            change.place(Diagnostic::error("phase-order", message).help(help.to_string()))
        };
        if to > from + 1 {
            out.push(diag(
                format!(
                    "phase jumps from {} to {}, skipping {}",
                    PHASES[from],
                    PHASES[to],
                    PHASES[from + 1..to].join(", ")
                ),
                "move to the next phase only, once the current phase's steps are done; a phase is never skipped",
            ));
        } else if to < from {
            let reason_changed = step.file("plan.toml").is_some_and(|f| {
                fn reason(p: &Option<std::sync::Arc<crate::diff::Parsed>>) -> Option<&crate::plan::Text> {
                    match p.as_ref().and_then(|p| p.piece.as_ref()) {
                        Some(Piece::Meta(m)) => m.phase_reason.as_ref().map(|r| &r.value),
                        _ => None,
                    }
                }
                let new = reason(&f.new);
                new.is_some() && new != reason(&f.old)
            });
            if !reason_changed {
                out.push(diag(
                    format!("phase moves back from {} to {} without a reason", PHASES[from], PHASES[to]),
                    "say why in plan.toml: phase-reason = { uk = \"...\", en = \"...\" }, in the same commit",
                ));
            }
        }
    }
}
