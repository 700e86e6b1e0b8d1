//! `milestone-state` and `missing-evidence`: a milestone's status carries what OGP asks of
//! it (completed: date and evidence; delayed: reason and next steps; withdrawn: reason), and
//! evidence that names a repository file names one that exists.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::plan::At;

pub struct MilestoneState;

/// Check evidence entries: URLs pass, anything else must be an existing repository file.
pub(crate) fn check_evidence(cx: &Context<'_>, evidence: &[At<String>], out: &mut Vec<Diagnostic>) {
    for e in evidence {
        let v = e.value.trim();
        if v.starts_with("https://") || v.starts_with("http://") {
            continue;
        }
        if !crate::plan::evidence_path(v).is_some_and(|p| cx.plan.files.contains(p)) {
            out.push(
                Diagnostic::error("missing-evidence", format!("evidence `{v}` is neither a URL nor a file in the repository"))
                    .at_loc(&e.loc)
                    .help("give an https:// URL, or the repository path of a file that exists, e.g. updates/2025-09-12-geoportal.md"),
            );
        }
    }
}

impl Rule for MilestoneState {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for c in &cx.plan.commitments {
            for m in &c.milestones {
                check_evidence(cx, &m.evidence, out);
                let Some(status) = &m.status else { continue };
                let mid = || format!("milestone {}/{}", c.id.value, m.id.value);
                for (what, help) in m.unmet_requirements() {
                    out.push(
                        Diagnostic::error("milestone-state", format!("{} is {} without {what}", mid(), status.value))
                            .at_loc(&status.loc)
                            .help(help),
                    );
                }
                if status.value != "completed"
                    && let Some(d) = &m.completed_on
                {
                    out.push(
                        Diagnostic::error(
                            "milestone-state",
                            format!("{} has `completed-on` but its status is {}", mid(), status.value),
                        )
                        .at_loc(&d.loc)
                        .help("set status = \"completed\", or remove completed-on"),
                    );
                }
            }
        }
        if let Some(m) = &cx.plan.meta {
            for s in &m.steps {
                check_evidence(cx, &s.evidence, out);
            }
        }
        if let Some(r) = &cx.plan.roadmap {
            for a in &r.awareness {
                check_evidence(cx, &a.evidence, out);
            }
        }
        if let Some(l) = &cx.plan.learning {
            for r in &l.reports {
                check_evidence(cx, r.path.as_slice(), out);
            }
        }
    }
}
