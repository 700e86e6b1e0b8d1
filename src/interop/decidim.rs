//! The CSV that Decidim's Accountability component imports as results.
//!
//! Decidim (decidim-accountability, `Decidim::Accountability::ResultsCsvImporter`) reads a
//! CSV with a header row, one result per row: `id`, `parent/id`, `title/<locale>`,
//! `description/<locale>`, `start_date`, `end_date`, `progress`, `status/id`,
//! `category/id`, `proposal_urls`, and any other attribute of its result form such as
//! `external_id`. A row whose `parent/id` names the `id` of another row of the same file
//! becomes that row's child: the importer maps each file `id` to the result it created and
//! then re-links children. `id` and `parent/id` are integers there, so kept derives them
//! from the commitment and milestone ids (a hash, never the row order or the time), and
//! keeps its own ids in `external_id`. Commitments are results; their milestones are
//! child results. `status/id` names a status row of the Decidim component, which kept
//! cannot know: it is left empty and the status is given as `status/key` (kept's word),
//! which the serializer exports too and the admin can map.

use std::io::Write;

use crate::interop::ExportError;
use crate::plan::{Commitment, Milestone, Plan, Text};

/// Decidim's id for a kept id: stable, positive and within a 32-bit integer column.
pub fn result_id(kept_id: &str) -> u64 {
    // Offset past the small sequential ids a component already has, so a derived id never
    // names an existing result of the component (the importer would update it).
    1_000_000_000 + crate::hash::fnv1a(kept_id.as_bytes()) % 1_000_000_000
}

/// Write the plan as Decidim Accountability results: one row per commitment, then one per
/// milestone, with `title/<lang>` and `description/<lang>` for each declared language.
pub fn export(plan: &Plan, out: &mut dyn Write) -> Result<(), ExportError> {
    let langs = plan.languages();
    if plan.meta.is_none() {
        return Err(ExportError::Unreadable("it has no readable plan.toml".into()));
    }
    let langs = if langs.is_empty() { vec!["en".to_string()] } else { langs };
    let mut header: Vec<String> = vec!["id".into(), "parent/id".into(), "external_id".into()];
    for field in ["title", "description"] {
        header.extend(langs.iter().map(|l| format!("{field}/{l}")));
    }
    header.extend(["start_date", "end_date", "status/id", "status/key", "progress"].map(String::from));
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(&header)?;
    for c in &plan.commitments {
        let mut row = vec![result_id(&c.id.value).to_string(), String::new(), c.id.value.clone()];
        row.extend(langs.iter().map(|l| translated(c.title.as_ref().map(|t| &t.value), l, &langs)));
        row.extend(langs.iter().map(|l| commitment_description(plan, c, l, &langs)));
        row.push(date(c.start.as_ref()));
        row.push(date(c.end.as_ref()));
        row.push(String::new());
        row.push(c.status.as_ref().map_or(String::new(), |s| s.value.clone()));
        row.push(commitment_progress(c).map_or(String::new(), |p| p.to_string()));
        w.write_record(&row)?;
        for m in &c.milestones {
            w.write_record(milestone_row(c, m, &langs))?;
        }
    }
    w.flush()?;
    Ok(())
}

fn milestone_row(c: &Commitment, m: &Milestone, langs: &[String]) -> Vec<String> {
    let id = format!("{}/{}", c.id.value, m.id.value);
    let mut row = vec![result_id(&id).to_string(), result_id(&c.id.value).to_string(), id];
    row.extend(langs.iter().map(|l| translated(m.title.as_ref().map(|t| &t.value), l, langs)));
    // Decidim requires a description: the deliverable, else the title.
    let description = m.deliverable.as_ref().or(m.title.as_ref()).map(|t| &t.value);
    row.extend(langs.iter().map(|l| translated(description, l, langs)));
    row.push(date(m.start.as_ref()));
    row.push(date(m.due.as_ref()));
    row.push(String::new());
    row.push(m.status_str().to_string());
    let progress = match m.status_str() {
        "completed" => "100",
        "not-started" => "0",
        _ => "",
    };
    row.push(progress.to_string());
    row
}

fn date(d: Option<&crate::plan::At<crate::date::Date>>) -> String {
    d.map_or(String::new(), |d| d.value.to_string())
}

/// The text in a language; where it is not translated, Decidim's own rule: the default
/// (first) language's text.
fn translated(t: Option<&Text>, lang: &str, langs: &[String]) -> String {
    t.map_or(String::new(), |t| t.get(lang).map_or_else(|| t.best(langs).to_string(), str::to_string))
}

/// The commitment's README in that language (the primary one is README.md), else its title.
fn commitment_description(plan: &Plan, c: &Commitment, lang: &str, langs: &[String]) -> String {
    let primary = langs.first().is_some_and(|p| p == lang);
    let path = if primary {
        format!("commitments/{}/README.md", c.dir)
    } else {
        format!("commitments/{}/README.{lang}.md", c.dir)
    };
    plan.sources
        .text(&path)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| translated(c.title.as_ref().map(|t| &t.value), lang, langs))
}

/// Declared progress, else the share of completed milestones among those not withdrawn
/// (the formula of `kept status`).
fn commitment_progress(c: &Commitment) -> Option<i64> {
    if let Some(p) = &c.progress {
        return Some(p.value);
    }
    let counted = c.milestones.iter().filter(|m| m.status_str() != "withdrawn").count();
    let done = c.milestones.iter().filter(|m| m.status_str() == "completed").count();
    (counted > 0).then(|| (done * 100 / counted) as i64)
}
