//! What the repository says each milestone's issue should be: title, body (with the hidden
//! marker), labels and state. The repository owns all of it.

use crate::plan::{Commitment, Milestone, Plan};
use crate::tracker::{Draft, Label, marker};

/// The label every issue kept manages carries.
pub const KEPT_LABEL: &str = crate::tracker::KEPT_LABEL_NAME;

/// The status label of a milestone status.
pub fn status_label(status: &str) -> String {
    format!("status: {status}")
}

/// The milestone status a status label names, if it is one.
pub fn status_of_label(label: &str) -> Option<&str> {
    label.strip_prefix("status: ").filter(|s| crate::plan::kinds::MILESTONE_STATUSES.contains(s))
}

/// Every label kept uses, with colours and descriptions.
pub fn labels(plan: &Plan) -> Vec<Label> {
    let mut out = vec![Label {
        name: KEPT_LABEL.into(),
        color: "1d76db".into(),
        description: "A milestone of the open government action plan, kept in step by kept".into(),
    }];
    for (status, color) in [
        ("not-started", "bfd4f2"),
        ("in-progress", "0e8a16"),
        ("delayed", "d93f0b"),
        ("completed", "5319e7"),
        ("withdrawn", "cccccc"),
    ] {
        out.push(Label {
            name: status_label(status),
            color: color.into(),
            description: format!("Milestone status: {status}"),
        });
    }
    for c in &plan.commitments {
        out.push(Label {
            name: commitment_label(c),
            color: "fbca04".into(),
            description: format!("Commitment {}", c.id.value),
        });
    }
    out
}

fn commitment_label(c: &Commitment) -> String {
    format!("commitment: {}", c.id.value)
}

/// The milestone's key: `UAYAB0001/M2`.
pub fn key(c: &Commitment, m: &Milestone) -> String {
    format!("{}/{}", c.id.value, m.id.value)
}

/// The issue a milestone should have.
pub fn draft(plan: &Plan, c: &Commitment, m: &Milestone) -> Draft {
    let langs = super::languages(plan);
    let text = |t: &Option<crate::plan::At<crate::plan::Text>>, lang: &str| {
        t.as_ref().and_then(|t| t.value.get(lang)).map(str::to_string).unwrap_or_default()
    };
    let first = &langs[0];
    let key = key(c, m);
    let title = match text(&m.title, first) {
        t if t.is_empty() => key.clone(),
        t => format!("{key}: {t}"),
    };
    let status = match m.status_str() {
        "" => "not-started",
        s => s,
    };
    let mut body = String::new();
    for (i, lang) in langs.iter().enumerate() {
        if i > 0 {
            body.push_str("\n---\n\n");
        }
        let (ct, mt, deliverable) = (text(&c.title, lang), text(&m.title, lang), text(&m.deliverable, lang));
        if !mt.is_empty() && i > 0 {
            body.push_str(&format!("**{mt}**\n\n"));
        }
        if !ct.is_empty() {
            body.push_str(&format!("{}: {ct}\n\n", c.id.value));
        }
        if !deliverable.is_empty() {
            body.push_str(&format!("{deliverable}\n\n"));
        }
    }
    let person = |id: &str| {
        plan.entity(id).and_then(|e| e.name.as_ref()).map_or(id.to_string(), |n| n.value.best(&langs).to_string())
    };
    body.push_str("| | |\n|---|---|\n");
    if let Some(s) = &m.start {
        body.push_str(&format!("| start | {} |\n", s.value));
    }
    if let Some(d) = &m.due {
        body.push_str(&format!("| due | {} |\n", d.value));
    }
    if let Some(r) = &m.responsible {
        body.push_str(&format!("| responsible | {} |\n", person(&r.value)));
    }
    body.push_str(&format!("| status | {status} |\n"));
    let file = format!("commitments/{}/commitment.toml", c.dir);
    let place = match plan.settings.as_ref().and_then(|s| s.forge_url.as_ref()) {
        Some(f) => format!("[{file}]({}/blob/HEAD/{file})", f.value.trim_end_matches('/')),
        None => format!("`{file}`"),
    };
    body.push_str(&format!(
        "\nThis issue follows milestone {key} of the plan ({place}); edit the milestone there. \
         Closing the issue marks the milestone completed in the plan, with this issue as evidence.\n\n{}\n",
        marker(&key)
    ));
    let mut labels = vec![KEPT_LABEL.to_string(), status_label(status), commitment_label(c)];
    labels.sort();
    let (open, state_reason) = match status {
        "completed" => (false, Some("completed".to_string())),
        "withdrawn" => (false, Some("not_planned".to_string())),
        _ => (true, None),
    };
    Draft {
        title,
        body,
        labels,
        open,
        state_reason,
        start: m.start.as_ref().map(|d| d.value.to_string()),
        due: m.due.as_ref().map(|d| d.value.to_string()),
        milestone: None,
    }
}
