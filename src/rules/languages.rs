//! `missing-translation`: key texts and narratives exist in every language the plan declares.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::plan::{At, Narrative, Text};

pub struct Languages;

fn text(langs: &[String], what: impl Fn() -> String, t: &Option<At<Text>>, out: &mut Vec<Diagnostic>) {
    let Some(t) = t else { return };
    if let Text::Plain(_) = &t.value {
        if langs.len() > 1 {
            out.push(
                Diagnostic::warning(
                    "missing-translation",
                    format!("{} is a plain string, but the plan declares {} languages", what(), langs.len()),
                )
                .at_loc(&t.loc)
                .help(format!(
                    "write it per language: {{ {} }}",
                    langs.iter().map(|l| format!("{l} = \"...\"")).collect::<Vec<_>>().join(", ")
                )),
            );
        }
        return;
    }
    // Most texts are complete: check without allocating first.
    let has = |l: &String| t.get(l).is_some_and(|s| !s.trim().is_empty());
    if langs.iter().all(has) {
        return;
    }
    let missing: Vec<&str> = langs.iter().filter(|l| !has(l)).map(String::as_str).collect();
    if !missing.is_empty() {
        out.push(
            Diagnostic::warning("missing-translation", format!("{} has no {} text", what(), missing.join(", ")))
                .at_loc(&t.loc)
                .help(format!(
                    "add {}",
                    missing.iter().map(|l| format!("{l} = \"...\"")).collect::<Vec<_>>().join(", ")
                )),
        );
    }
}

/// `what` and `base` (the primary file's path) are made only for a finding.
fn narratives(
    langs: &[String],
    what: impl Fn() -> String,
    base: impl Fn() -> String,
    docs: &[Narrative],
    out: &mut Vec<Diagnostic>,
) {
    if docs.iter().all(|d| d.language.is_some()) {
        return; // no primary file: reported by the rules that need it
    }
    for lang in langs.iter().skip(1) {
        if !docs.iter().any(|d| d.language.as_deref() == Some(lang)) {
            let primary = docs.iter().find(|d| d.language.is_none()).map_or_else(&base, |d| d.path.clone());
            let translated = primary.strip_suffix(".md").map_or(primary.clone(), |p| format!("{p}.{lang}.md"));
            out.push(
                Diagnostic::warning("missing-translation", format!("{} has no {lang} version", what()))
                    .in_file(primary)
                    .help(format!("add {translated} with the same sections in {lang}")),
            );
        }
    }
}

impl Rule for Languages {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let plan = cx.plan;
        let langs = plan.languages();
        if langs.is_empty() {
            return;
        }
        if let Some(m) = &plan.meta {
            text(&langs, || "the member name".to_string(), &m.member, out);
            text(&langs, || "the plan title".to_string(), &m.title, out);
        }
        narratives(&langs, || "the strategic vision".into(), || "vision.md".into(), &plan.vision, out);
        for c in &plan.commitments {
            let id = &c.id.value;
            text(&langs, || format!("commitment {id}'s title"), &c.title, out);
            for m in &c.milestones {
                text(&langs, || format!("milestone {id}/{} title", m.id.value), &m.title, out);
                text(&langs, || format!("milestone {id}/{} deliverable", m.id.value), &m.deliverable, out);
            }
            narratives(
                &langs,
                || format!("commitment {id}'s narrative"),
                || format!("commitments/{}/README.md", c.dir),
                &c.narratives,
                out,
            );
            if !c.end_reports.is_empty() {
                narratives(
                    &langs,
                    || format!("commitment {id}'s end-of-commitment report"),
                    || format!("commitments/{}/end-of-commitment.md", c.dir),
                    &c.end_reports,
                    out,
                );
            }
        }
        if let Some(o) = &plan.opportunities {
            for item in &o.items {
                let id = item.id.as_ref().map_or("?", |i| i.value.as_str());
                text(&langs, || format!("opportunity {id} title"), &item.title, out);
            }
        }
        if let Some(r) = &plan.roadmap {
            for t in &r.tasks {
                let id = t.id.as_ref().map_or("?", |i| i.value.as_str());
                text(&langs, || format!("roadmap task {id} title"), &t.title, out);
            }
        }
        for u in &plan.updates {
            text(&langs, || format!("update {} title", u.path), &u.title, out);
        }
    }
}
