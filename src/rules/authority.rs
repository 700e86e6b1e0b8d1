//! `role-required`: approvals and amendments are made by approvers, assessments by monitors,
//! and the monitoring body is independent of government.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::plan::At;

pub struct Authority;

/// Sectors independent of the co-creation process, from which a monitoring body is drawn.
const INDEPENDENT: &[&str] = &["monitor", "academia", "cso"];

fn holds(cx: &Context<'_>, role: &str, id: &At<String>, what: &str, out: &mut Vec<Diagnostic>) {
    if cx.plan.entity(&id.value).is_none() {
        return; // reported as unresolved-reference
    }
    if !cx.plan.role_holders(role).iter().any(|h| h.value == id.value) {
        out.push(
            Diagnostic::error("role-required", format!("{what} `{}` does not hold the {role} role", id.value))
                .at_loc(&id.loc)
                .help(format!("name someone listed under [roles] {role} in kept.toml, or add them there (a coordinator and an approver must agree)")),
        );
    }
}

impl Rule for Authority {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.plan.settings.as_ref().is_none_or(|s| s.schema_version.is_none()) {
            return; // kept.toml is missing, broken or empty, and reported; roles are unknown
        }
        for c in &cx.plan.commitments {
            if let Some(by) = c.approval.as_ref().and_then(|a| a.by.as_ref()) {
                holds(cx, "approver", by, &format!("commitment {} approval by", c.id.value), out);
            }
            for a in &c.amendments {
                if let Some(by) = &a.approved_by {
                    holds(cx, "approver", by, &format!("commitment {} amendment approved by", c.id.value), out);
                }
            }
            if let Some(by) = c.assessment.as_ref().and_then(|a| a.by.as_ref()) {
                holds(cx, "monitor", by, &format!("commitment {} assessment by", c.id.value), out);
            }
        }
        if let Some(l) = &cx.plan.learning {
            for id in &l.body_members {
                if let Some(e) = cx.plan.entity(&id.value)
                    && let Some(sector) = &e.sector
                    && !INDEPENDENT.contains(&sector.value.as_str())
                {
                    out.push(
                        Diagnostic::error(
                            "role-required",
                            format!("monitoring body member `{}` is of sector {}, not independent", id.value, sector.value),
                        )
                            .at_loc(&id.loc)
                            .help("the monitoring body must be independent of the co-creation process: choose monitor, academia or cso members"),
                    );
                }
            }
        }
    }
}
