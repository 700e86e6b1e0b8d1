//! Open data: commitments, milestones and changes as CSV (RFC 4180) and the whole plan as
//! JSON; column names follow OGP's commitment dataset where it has an equivalent
//! (docs/open-data.md).

use super::{Input, Site};

/// A CSV field, quoted when it must be (RFC 4180).
pub fn csv_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_field(&mut out, s);
    out
}

/// [`csv_field`], onto the end of `out`.
fn push_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// CSV text: a header line and rows, each line ending in CRLF (RFC 4180). Rows are taken
/// one at a time, so a lazy iterator never holds more than one.
pub fn csv<R: AsRef<[String]>>(header: &[&str], rows: impl IntoIterator<Item = R>) -> String {
    super::in_memory(0, |w| csv_to(w, header, rows))
}

/// [`csv`], written into `w` in pieces.
pub fn csv_to<R: AsRef<[String]>>(
    w: &mut dyn std::io::Write,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> std::io::Result<()> {
    let mut out = String::new();
    let line = |out: &mut String, fields: &mut dyn Iterator<Item = &str>| {
        for (i, f) in fields.enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(out, f);
        }
        out.push_str("\r\n");
    };
    line(&mut out, &mut header.iter().copied());
    for r in rows {
        line(&mut out, &mut r.as_ref().iter().map(String::as_str));
        super::spill(&mut out, w)?;
    }
    w.write_all(out.as_bytes())
}

/// The columns of `data/commitments.csv`.
pub const COMMITMENT_COLUMNS: [&str; 17] = [
    "Commitment Unique Identifier",
    "Country/Locality",
    "Commitment Title",
    "Commitment Title (en)",
    "Start Date",
    "End Date",
    "Lead Institution",
    "Supporting Institution(s)",
    "Status",
    "Declared Progress",
    "Computed Progress",
    "OGP Values",
    "Policy Areas",
    "Verifiable",
    "Potential for Results",
    "Completion (End Of Term)",
    "Did It Open Government (Overall)",
];

/// Texts and names as the open data gives them: in a language, else the best the plan has.
struct Words<'a> {
    input: &'a Input<'a>,
    langs: Vec<String>,
}

impl<'a> Words<'a> {
    fn of(input: &'a Input<'a>) -> Words<'a> {
        Words { input, langs: input.languages() }
    }

    fn text(&self, t: &Option<crate::plan::At<crate::plan::Text>>, lang: &str) -> String {
        t.as_ref().map(|t| t.get(lang).unwrap_or_else(|| t.best(&self.langs)).to_string()).unwrap_or_default()
    }

    fn name(&self, id: &str) -> String {
        let entity = self.input.plan.entity(id).and_then(|e| e.name.as_ref());
        entity.map_or(id.to_string(), |n| n.best(&self.langs).to_string())
    }
}

/// The rows of `data/commitments.csv` (see [`COMMITMENT_COLUMNS`]), from the plan and its
/// status in the primary language.
pub fn commitment_rows(input: &Input<'_>, status: &crate::status::Status) -> Vec<Vec<String>> {
    let words = Words::of(input);
    let (primary, en) = (words.langs[0].clone(), "en".to_string());
    let text = |t: &Option<crate::plan::At<crate::plan::Text>>, l: &str| words.text(t, l);
    let name = |id: &str| words.name(id);
    let mut by_id = std::collections::HashMap::new();
    for s in &status.commitments {
        by_id.entry(s.id.as_str()).or_insert(s);
    }
    let mut rows = Vec::new();
    for c in &input.plan.commitments {
        let s = by_id.get(c.id.value.as_str());
        rows.push(vec![
            c.id.value.clone(),
            status.member.clone(),
            text(&c.title, &primary),
            text(&c.title, &en),
            c.start.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            c.end.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            c.lead.as_ref().map(|l| name(&l.value)).unwrap_or_default(),
            c.supporting.iter().map(|s| name(&s.value)).collect::<Vec<_>>().join("; "),
            c.status.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
            c.progress.as_ref().map(|p| p.value.to_string()).unwrap_or_default(),
            s.and_then(|s| s.computed_progress).map(|p| p.to_string()).unwrap_or_default(),
            c.ogp_values.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join("; "),
            c.policy_areas.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join("; "),
            c.assessment.as_ref().and_then(|a| a.values.get("verifiable")).map(|v| v.value.clone()).unwrap_or_default(),
            c.assessment
                .as_ref()
                .and_then(|a| a.values.get("potential-for-results"))
                .map(|v| v.value.clone())
                .unwrap_or_default(),
            c.assessment.as_ref().and_then(|a| a.values.get("completion")).map(|v| v.value.clone()).unwrap_or_default(),
            c.assessment
                .as_ref()
                .and_then(|a| a.values.get("did-it-open-government"))
                .map(|v| v.value.clone())
                .unwrap_or_default(),
        ]);
    }
    rows
}

/// The open data files, from the plan and its status in the primary language.
pub fn render(input: &Input<'_>, status: &crate::status::Status, site: &mut Site) {
    let words = Words::of(input);
    let (primary, en) = (words.langs[0].clone(), "en".to_string());
    let text = |t: &Option<crate::plan::At<crate::plan::Text>>, l: &str| words.text(t, l);
    let name = |id: &str| words.name(id);
    site.add_written("data/commitments.csv", |w| csv_to(w, &COMMITMENT_COLUMNS, commitment_rows(input, status)));
    let (primary, en, text, name) = (&primary, &en, &text, &name);
    let rows = input.plan.commitments.iter().flat_map(|c| {
        c.milestones.iter().map(move |m| {
            vec![
                c.id.value.clone(),
                m.id.value.clone(),
                text(&m.title, primary),
                text(&m.title, en),
                text(&m.deliverable, primary),
                m.responsible.as_ref().map(|r| name(&r.value)).unwrap_or_default(),
                m.start.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
                m.due.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
                m.status_str().to_string(),
                m.completed_on.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
                m.evidence.iter().map(|e| e.value.as_str()).collect::<Vec<_>>().join(" "),
            ]
        })
    });
    site.add_written("data/milestones.csv", |w| {
        csv_to(
            w,
            &[
                "Commitment Unique Identifier",
                "Milestone",
                "Title",
                "Title (en)",
                "Deliverable",
                "Responsible",
                "Start Date",
                "Due Date",
                "Status",
                "Completed On",
                "Evidence",
            ],
            rows,
        )
    });
    let rows = input.entries.iter().map(|e| {
        let c = &e.change;
        vec![
            e.commit.clone(),
            e.date.to_string(),
            e.person.clone().unwrap_or_default(),
            e.name.clone(),
            e.pull_request.map(|p| p.to_string()).unwrap_or_default(),
            c.kind.key(),
            c.commitment.clone().unwrap_or_default(),
            c.milestone.clone().unwrap_or_default(),
            c.field.clone().unwrap_or_default(),
            c.from.clone().unwrap_or_default(),
            c.to.clone().unwrap_or_default(),
            e.summary.clone(),
        ]
    });
    site.add_written("data/changes.csv", |w| {
        csv_to(
            w,
            &[
                "Commit",
                "Date",
                "Person",
                "Name",
                "Pull Request",
                "Kind",
                "Commitment Unique Identifier",
                "Milestone",
                "Field",
                "From",
                "To",
                "Summary",
            ],
            rows,
        )
    });
    /// The whole plan as JSON, serialised straight from what it borrows.
    #[derive(serde::Serialize)]
    struct OpenData<'a> {
        #[serde(rename = "as_of")]
        as_of: String,
        changes: &'a [crate::audit::Entry],
        commit: &'a str,
        schema: &'static str,
        status: &'a crate::status::Status,
    }
    let plan = OpenData {
        as_of: input.as_of.to_string(),
        changes: input.entries,
        commit: &input.commit,
        schema: "kept open data 1 (docs/open-data.md)",
        status,
    };
    site.add_written("data/plan.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &plan)?;
        w.write_all(b"\n")
    });
}
