//! `duplicate-id` and `id-mismatch`: ids are unique where they must be, and a commitment's id is
//! its directory name and starts with the member code.

use std::collections::HashMap;

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Loc};
use crate::plan::At;

pub struct Ids;

/// Report every id used before among `ids`; `what` names the kind, made only for a finding.
fn unique<'a>(
    cx: &Context<'_>,
    what: impl Fn() -> String,
    ids: impl Iterator<Item = &'a At<String>>,
    out: &mut Vec<Diagnostic>,
) {
    let ids: Vec<&At<String>> = ids.collect();
    // A commitment's dozen milestones are compared pairwise; only long lists get a map.
    let mut seen: HashMap<&str, &Loc> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let first = if ids.len() <= 32 {
            ids[..i].iter().find(|f| f.value == id.value).map(|f| &f.loc)
        } else {
            let first = seen.get(id.value.as_str()).copied();
            seen.entry(&id.value).or_insert(&id.loc);
            first
        };
        if let Some(first) = first {
            out.push(
                Diagnostic::error("duplicate-id", format!("{} id `{}` is used twice", what(), id.value))
                    .at_loc(&id.loc)
                    .note(match cx.plan.sources.line_col(first.file(), first.span().start) {
                        Some(lc) => format!("first used at {}:{}:{}", first.file(), lc.line, lc.column),
                        None => format!("first used in {}", first.file()),
                    })
                    .help("give each one its own id; ids are never reused"),
            );
        }
    }
}

impl Rule for Ids {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let plan = cx.plan;
        unique(cx, || "person or organisation".into(), plan.entities.iter().map(|e| &e.id), out);
        unique(cx, || "commitment".into(), plan.commitments.iter().map(|c| &c.id), out);
        for c in &plan.commitments {
            unique(cx, || format!("milestone of {}", c.id.value), c.milestones.iter().map(|m| &m.id), out);
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
            unique(cx, || "roadmap task".into(), r.tasks.iter().filter_map(|t| t.id.as_ref()), out);
            unique(cx, || "awareness activity".into(), r.awareness.iter().filter_map(|a| a.id.as_ref()), out);
        }
        if let Some(o) = &plan.opportunities {
            unique(cx, || "opportunity".into(), o.items.iter().filter_map(|o| o.id.as_ref()), out);
            unique(
                cx,
                || "solution".into(),
                o.items.iter().flat_map(|o| &o.solutions).filter_map(|s| s.id.as_ref()),
                out,
            );
        }
        if let Some(l) = &plan.learning {
            unique(cx, || "learning question".into(), l.questions.iter().filter_map(|q| q.id.as_ref()), out);
            unique(cx, || "report".into(), l.reports.iter().filter_map(|r| r.id.as_ref()), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Catalogue, DEFAULT};
    use crate::plan::Plan;

    fn duplicates(values: &[&str]) -> Vec<String> {
        let plan = Plan::default();
        let catalogue = Catalogue::embedded(DEFAULT).unwrap();
        let cx = Context { plan: &plan, catalogue: &catalogue, today: crate::Date::new(2026, 1, 1).unwrap() };
        let ids: Vec<At<String>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| At::new(v.to_string(), Loc::new(format!("f{i}.toml").as_str(), 0..1)))
            .collect();
        let mut out = Vec::new();
        unique(&cx, || "thing".into(), ids.iter(), &mut out);
        out.iter()
            .map(|d| format!("{} @{} ({})", d.message, d.file.as_deref().unwrap_or(""), d.notes.join("")))
            .collect()
    }

    #[test]
    fn reports_each_repeat_against_the_first_use_in_short_and_long_lists() {
        let short = duplicates(&["a", "b", "a", "c", "a"]);
        assert_eq!(
            short,
            [
                "thing id `a` is used twice @f2.toml (first used in f0.toml)",
                "thing id `a` is used twice @f4.toml (first used in f0.toml)"
            ]
        );
        // Past 32 ids a map is used; the findings are the same.
        let mut long: Vec<String> = (0..40).map(|i| format!("id{i}")).collect();
        long[37] = "id3".into();
        long[39] = "id3".into();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        assert_eq!(
            duplicates(&long),
            [
                "thing id `id3` is used twice @f37.toml (first used in f3.toml)",
                "thing id `id3` is used twice @f39.toml (first used in f3.toml)"
            ]
        );
        assert!(duplicates(&["x", "y", "z"]).is_empty());
    }
}
