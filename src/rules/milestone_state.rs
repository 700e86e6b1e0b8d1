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
                let mut need = |ok: bool, msg: &str, help: &str| {
                    if !ok {
                        out.push(
                            Diagnostic::error("milestone-state", format!("{} is {} {msg}", mid(), status.value))
                                .at_loc(&status.loc)
                                .help(help.to_string()),
                        );
                    }
                };
                match status.value.as_str() {
                    "completed" => {
                        need(
                            m.completed_on.is_some(),
                            "but has no `completed-on` date",
                            "add completed-on = <the date it was completed>",
                        );
                        need(
                            !m.evidence.is_empty(),
                            "but has no evidence",
                            "add evidence = [\"https://...\"] or a repository file that shows the deliverable",
                        );
                    }
                    "delayed" => {
                        need(
                            m.delay_reason.as_ref().is_some_and(|t| !t.is_blank()),
                            "without a `delay-reason`",
                            "say why it is delayed: delay-reason = { uk = \"...\", en = \"...\" }",
                        );
                        need(
                            m.next_steps.as_ref().is_some_and(|t| !t.is_blank()),
                            "without `next-steps`",
                            "say what happens next: next-steps = { uk = \"...\", en = \"...\" }",
                        );
                    }
                    "withdrawn" => {
                        need(
                            m.withdrawn_reason.as_ref().is_some_and(|t| !t.is_blank()),
                            "without a `withdrawn-reason`",
                            "say why it was withdrawn: withdrawn-reason = { ... }",
                        );
                    }
                    _ => {
                        if let Some(d) = &m.completed_on {
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
