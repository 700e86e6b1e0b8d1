//! `duplicate-id` and `id-mismatch`: ids are unique where they must be, and a commitment's id is
//! its directory name and starts with the member code.

use std::collections::HashMap;

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Loc};
use crate::plan::At;

pub struct Ids;

fn unique<'a>(cx: &Context<'_>, what: &str, ids: impl Iterator<Item = &'a At<String>>, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &Loc> = HashMap::new();
    for id in ids {
        if let Some(first) = seen.get(id.value.as_str()) {
            out.push(
                Diagnostic::error("duplicate-id", format!("{what} id `{}` is used twice", id.value))
                    .at_loc(&id.loc)
                    .note(match cx.plan.sources.line_col(first.file(), first.span().start) {
                        Some(lc) => format!("first used at {}:{}:{}", first.file(), lc.line, lc.column),
                        None => format!("first used in {}", first.file()),
                    })
                    .help("give each one its own id; ids are never reused"),
            );
        } else {
            seen.insert(&id.value, &id.loc);
        }
    }
}

impl Rule for Ids {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let plan = cx.plan;
        unique(cx, "person or organisation", plan.entities.iter().map(|e| &e.id), out);
        unique(cx, "commitment", plan.commitments.iter().map(|c| &c.id), out);
        for c in &plan.commitments {
            unique(cx, &format!("milestone of {}", c.id.value), c.milestones.iter().map(|m| &m.id), out);
            if c.id.value != c.dir {
                out.push(
                    Diagnostic::error(
                        "id-mismatch",
                        format!("commitment id `{}` differs from its directory `commitments/{}`", c.id.value, c.dir),
                    )
                    .at_loc(&c.id.loc)
                    .help("rename the directory or the id so they match; ids are stable and never reused"),
                );
            }
            if let Some(code) = plan.meta.as_ref().and_then(|m| m.member_code.as_ref())
                && !c.id.value.starts_with(code.value.as_str())
            {
                out.push(
                    Diagnostic::warning(
                        "id-mismatch",
                        format!("commitment id `{}` does not start with the member code `{}`", c.id.value, code.value),
                    )
                    .at_loc(&c.id.loc)
                    .help(format!("OGP commitment ids start with the member code, e.g. {}0001", code.value)),
                );
            }
        }
        if let Some(r) = &plan.roadmap {
            unique(cx, "roadmap task", r.tasks.iter().filter_map(|t| t.id.as_ref()), out);
            unique(cx, "awareness activity", r.awareness.iter().filter_map(|a| a.id.as_ref()), out);
        }
        if let Some(o) = &plan.opportunities {
            unique(cx, "opportunity", o.items.iter().filter_map(|o| o.id.as_ref()), out);
            unique(cx, "solution", o.items.iter().flat_map(|o| &o.solutions).filter_map(|s| s.id.as_ref()), out);
        }
        if let Some(l) = &plan.learning {
            unique(cx, "learning question", l.questions.iter().filter_map(|q| q.id.as_ref()), out);
            unique(cx, "report", l.reports.iter().filter_map(|r| r.id.as_ref()), out);
        }
    }
}
