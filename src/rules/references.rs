//! `unresolved-reference`: every id that points at something names something that exists.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::plan::At;

pub struct References;

fn entity(cx: &Context<'_>, what: &str, id: &At<String>, out: &mut Vec<Diagnostic>) {
    // An id that is not even well-formed was reported as invalid-id; a broken people.toml
    // was reported as such.
    if cx.plan.entity(&id.value).is_none()
        && crate::plan::shape::is_safe_id(&id.value)
        && !cx.plan.broken.contains("people.toml")
    {
        let mut d = Diagnostic::error("unresolved-reference", format!("{what} `{}` is not in people.toml", id.value))
            .at_loc(&id.loc);
        d = match crate::plan::shape::suggest(&id.value, cx.plan.entities.iter().map(|e| e.id.value.as_str())) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("add the person or organisation to people.toml, or fix the id"),
        };
        out.push(d);
    }
}

fn step(cx: &Context<'_>, what: &str, id: &At<String>, out: &mut Vec<Diagnostic>) {
    if cx.catalogue.step(&id.value).is_none() {
        out.push(
            Diagnostic::error("unresolved-reference", format!("{what} `{}` is not a step of the catalogue", id.value))
                .at_loc(&id.loc)
                .help(format!("steps of `{}` run from 1.1 to 5.3", cx.catalogue.id)),
        );
    }
}

fn commitment(cx: &Context<'_>, what: &str, id: &At<String>, out: &mut Vec<Diagnostic>) {
    if cx.plan.commitment(&id.value).is_none()
        && !cx.plan.broken.contains(&format!("commitments/{}/commitment.toml", id.value))
    {
        out.push(
            Diagnostic::error("unresolved-reference", format!("{what} `{}` is not a commitment of the plan", id.value))
                .at_loc(&id.loc)
                .help("use the id of a directory under commitments/"),
        );
    }
}

impl Rule for References {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let plan = cx.plan;
        if let Some(s) = &plan.settings {
            for (role, ids) in &s.roles {
                for id in ids {
                    entity(cx, &format!("{role} role holder"), id, out);
                }
            }
        }
        for e in &plan.entities {
            if let Some(org) = &e.member_of {
                match plan.entity(&org.value) {
                    Some(o) if o.organisation => {}
                    _ => out.push(
                        Diagnostic::error(
                            "unresolved-reference",
                            format!("organisation `{}` is not in people.toml", org.value),
                        )
                        .at_loc(&org.loc)
                        .help("add it under [[organisations]], or fix the id"),
                    ),
                }
            }
        }
        if let Some(m) = &plan.meta {
            if let Some(t) = &m.team {
                t.lead.iter().chain(&t.members).for_each(|id| entity(cx, "team member", id, out));
            }
            if let Some(f) = &m.forum {
                f.members.iter().for_each(|id| entity(cx, "forum member", id, out));
            }
            for s in &m.steps {
                step(cx, "step record", &s.id, out);
            }
        }
        if let Some(r) = &plan.roadmap {
            for t in &r.tasks {
                t.owner.iter().for_each(|id| entity(cx, "task owner", id, out));
                t.step.iter().for_each(|id| step(cx, "task step", id, out));
            }
        }
        if let Some(o) = &plan.opportunities {
            for item in &o.items {
                item.proposed_by.iter().for_each(|id| entity(cx, "proposer", id, out));
                for s in &item.solutions {
                    s.commitment.iter().for_each(|id| commitment(cx, "solution's commitment", id, out));
                }
            }
        }
        for c in &plan.commitments {
            c.lead.iter().for_each(|id| entity(cx, "lead", id, out));
            c.supporting.iter().for_each(|id| entity(cx, "supporter", id, out));
            if let Some(op) = &c.opportunity {
                let known = plan
                    .opportunities
                    .iter()
                    .flat_map(|o| &o.items)
                    .any(|o| o.id.as_ref().is_some_and(|i| i.value == op.value));
                if !known && !plan.broken.contains("opportunities.toml") {
                    out.push(
                        Diagnostic::error(
                            "unresolved-reference",
                            format!("opportunity `{}` is not in opportunities.toml", op.value),
                        )
                        .at_loc(&op.loc)
                        .help("use the id of an opportunity area"),
                    );
                }
            }
            if let Some(a) = &c.approval {
                a.by.iter().for_each(|id| entity(cx, "approver", id, out));
            }
            for m in &c.milestones {
                m.responsible.iter().for_each(|id| entity(cx, "responsible", id, out));
            }
            for a in &c.amendments {
                a.approved_by.iter().for_each(|id| entity(cx, "approver", id, out));
            }
            if let Some(a) = &c.assessment {
                a.by.iter().for_each(|id| entity(cx, "assessor", id, out));
            }
        }
        for u in &plan.updates {
            u.authors.iter().for_each(|id| entity(cx, "author", id, out));
            u.commitments.iter().for_each(|id| commitment(cx, "reported commitment", id, out));
            u.steps.iter().for_each(|id| step(cx, "documented step", id, out));
        }
        if let Some(l) = &plan.learning {
            l.body_members.iter().for_each(|id| entity(cx, "monitoring body member", id, out));
        }
    }
}
