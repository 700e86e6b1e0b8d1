//! `approval-missing` and `commitment-state`: an approved commitment records its approval; a
//! withdrawn one says why; a completed one has no open milestones.

use super::{Context, Rule, is_approved_status};
use crate::diagnostic::Diagnostic;

pub struct CommitmentState;

impl Rule for CommitmentState {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for c in &cx.plan.commitments {
            let Some(status) = &c.status else { continue };
            let id = &c.id.value;
            if is_approved_status(&status.value) && c.approval.is_none() {
                out.push(
                    Diagnostic::error("approval-missing", format!("commitment {id} is {} but has no [approval]", status.value))
                        .at_loc(&status.loc)
                        .help("add [approval] with by (an approver), on (the date) and decision, or set status = \"validated\""),
                );
            }
            match status.value.as_str() {
                "withdrawn" if c.withdrawn_reason.as_ref().is_none_or(|t| t.is_blank()) => out.push(
                    Diagnostic::error(
                        "commitment-state",
                        format!("commitment {id} is withdrawn without a `withdrawn-reason`"),
                    )
                    .at_loc(&status.loc)
                    .help("say why: withdrawn-reason = { uk = \"...\", en = \"...\" }"),
                ),
                "completed" => {
                    for m in c.milestones.iter().filter(|m| !m.is_closed()) {
                        out.push(
                            Diagnostic::error(
                                "commitment-state",
                                format!(
                                    "commitment {id} is completed but milestone {} is {}",
                                    m.id.value,
                                    m.status_str()
                                ),
                            )
                            .at_loc(&m.id.loc)
                            .help("complete or withdraw every milestone before completing the commitment"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
