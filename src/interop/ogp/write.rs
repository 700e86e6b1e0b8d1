//! Writing an imported action plan as a plan repository: TOML and Markdown files in the
//! layout of docs/plan-format.md, committed once.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::row::Draft;
use crate::date::Date;

/// The organisation that holds the IRM's assessments in an imported plan.
pub const IRM_ID: &str = "o-ogp-irm";

/// One action plan of one member, read from the dataset.
#[derive(Debug, Clone)]
pub struct PlanDraft {
    /// `Country/Locality`.
    pub member: String,
    /// The member code: the letters the commitment ids start with (`COT`), else `Code`.
    pub code: String,
    /// `Action Plan ID`, or `Code` and `Action Plan Number`.
    pub key: String,
    /// `Action Plan Number`.
    pub number: String,
    /// `Year Of Submission`, `Action Plan End Year`.
    pub years: (Option<i32>, Option<i32>),
    /// The commitments.
    pub commitments: Vec<Draft>,
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
}

/// Organisation ids by name, stable for a plan: `o-` and the name in kebab-case, cut to
/// fit an id, numbered when two names cut the same.
pub fn organisation_ids(plan: &PlanDraft) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    for c in &plan.commitments {
        for name in c.lead.iter().chain(&c.supporting) {
            if ids.contains_key(name) {
                continue;
            }
            let mut base = String::from("o");
            for w in name.split(|ch: char| !ch.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
                if base.len() + w.len() + 1 > 56 {
                    break;
                }
                base.push('-');
                base.push_str(&w.to_ascii_lowercase());
            }
            if base == "o" {
                base.push_str("-organisation");
            }
            let n = taken.entry(base.clone()).or_insert(0);
            *n += 1;
            let id = if *n == 1 { base } else { format!("{base}-{n}") };
            ids.insert(name.clone(), id);
        }
    }
    ids
}

/// The plan's period: from the first of January of the year it was submitted (or its
/// earliest commitment start, if earlier) to the last of December of its end year (or its
/// latest commitment end, if later).
pub fn period(plan: &PlanDraft) -> (Option<Date>, Option<Date>) {
    let starts = plan.commitments.iter().filter_map(|c| c.start);
    let ends = plan.commitments.iter().filter_map(|c| c.end);
    let first = plan.years.0.and_then(|y| Date::new(y, 1, 1));
    let last = plan.years.1.and_then(|y| Date::new(y, 12, 31));
    (first.into_iter().chain(starts).min(), last.into_iter().chain(ends).max())
}

/// The files of the plan repository, as (path, contents).
pub fn files(plan: &PlanDraft) -> Vec<(String, String)> {
    let orgs = organisation_ids(plan);
    let assessed = plan.commitments.iter().any(|c| !c.assessment.is_empty() || !c.diog_by_value.is_empty());
    let mut out = Vec::new();
    out.push((
        "kept.toml".to_string(),
        format!(
            "#:schema ./.kept/schema/kept.schema.json\n# Imported from OGP's commitment dataset by `kept import ogp`.\nschema-version = 1\n\n[roles]\ncoordinator = []\napprover = []\nmonitor = [{}]\nbot = []\n\n[branches]\nprotected = [\"main\"]\n",
            if assessed { quote(IRM_ID) } else { String::new() }
        ),
    ));
    let mut meta = String::from("#:schema ./.kept/schema/plan.schema.json\n");
    let _ = writeln!(
        meta,
        "# Imported from OGP's commitment dataset (action plan {}) by `kept import ogp`. The dataset\n# does not describe the co-creation process: `kept validate` lists the step records to write.",
        plan.key
    );
    let _ = writeln!(meta, "member = {}", quote(&plan.member));
    let _ = writeln!(meta, "member-code = {}", quote(&plan.code));
    let years = match plan.years {
        (Some(a), Some(b)) => format!(" ({a}–{b})"),
        _ => String::new(),
    };
    let _ = writeln!(meta, "title = {}", quote(&format!("{} OGP action plan {}{years}", plan.member, plan.number)));
    let _ = writeln!(meta, "languages = [\"en\"]");
    // Without a year or a commitment date the dataset gives no period: validation names the gap.
    if let (Some(s), Some(e)) = period(plan) {
        let _ = writeln!(meta, "period = {{ start = {s}, end = {e} }}");
    }
    let _ = writeln!(meta, "phase = \"implement\"\ncatalogue = \"{}\"", crate::catalogue::DEFAULT);
    out.push(("plan.toml".to_string(), meta));

    let mut people = String::from(
        "#:schema ./.kept/schema/people.schema.json\n# Institutions named by the dataset. It does not say their sector (government, cso,\n# academia, private): `kept validate` lists each one to complete.\n",
    );
    let mut by_id: Vec<(&String, &String)> = orgs.iter().map(|(name, id)| (id, name)).collect();
    by_id.sort();
    for (id, name) in by_id {
        let _ = write!(people, "\n[[organisations]]\nid = {}\nname = {}\n", quote(id), quote(name));
    }
    if assessed {
        let _ = write!(
            people,
            "\n[[organisations]]\nid = {}\nname = \"OGP Independent Reporting Mechanism (IRM)\"\nsector = \"monitor\"\nurl = \"https://www.opengovpartnership.org/irm/\"\n",
            quote(IRM_ID)
        );
    }
    out.push(("people.toml".to_string(), people));
    out.push((
        "README.md".to_string(),
        format!(
            "# {}\n\nAction plan {} of {}, imported from OGP's commitment dataset with `kept import ogp`.\n\n- `kept validate` lists what the dataset does not say and the plan needs.\n- The layout and every field are described in kept's docs/plan-format.md.\n",
            plan.member, plan.key, plan.member
        ),
    ));
    out.push((".gitignore".to_string(), "/_site/\n/.kept/cache/\n".to_string()));
    out.extend(crate::init::schema_files());
    for c in &plan.commitments {
        out.push((format!("commitments/{}/commitment.toml", c.id), commitment(c, &orgs)));
        out.push((format!("commitments/{}/README.md", c.id), readme(c)));
    }
    out
}

/// A commitment's status from what the dataset says: in a published action plan, so
/// approved; completed or withdrawn where the IRM found it so.
fn status(c: &Draft) -> &'static str {
    match c.assessment.iter().find(|(k, _)| *k == "completion").map(|(_, v)| *v) {
        Some("complete") => "completed",
        Some("withdrawn") => "withdrawn",
        _ => "approved",
    }
}

fn commitment(c: &Draft, orgs: &BTreeMap<String, String>) -> String {
    let mut s = String::from("#:schema ../../.kept/schema/commitment.schema.json\n");
    let _ = writeln!(s, "id = {}", quote(&c.id));
    if let Some(t) = &c.title {
        let _ = writeln!(s, "title = {}", quote(t));
    }
    if let Some(id) = c.lead.as_ref().and_then(|l| orgs.get(l)) {
        let _ = writeln!(s, "lead = {}", quote(id));
    }
    let supporting: Vec<String> = c.supporting.iter().filter_map(|n| orgs.get(n).cloned()).collect();
    if !supporting.is_empty() {
        let _ = writeln!(s, "supporting = {}", list(&supporting));
    }
    if !c.ogp_values.is_empty() {
        let _ = writeln!(s, "ogp-values = {}", list(&c.ogp_values));
    }
    if !c.policy_areas.is_empty() {
        let _ = writeln!(s, "policy-areas = {}", list(&c.policy_areas));
    }
    if let Some(d) = c.start {
        let _ = writeln!(s, "start = {d}");
    }
    if let Some(d) = c.end {
        let _ = writeln!(s, "end = {d}");
    }
    let _ = writeln!(s, "status = \"{}\"", status(c));
    let _ = write!(s, "\n[source]\ndataset = \"ogp\"\nid = {}\n", quote(&c.id));
    for (key, v) in [("url", &c.url), ("action-plan", &c.action_plan), ("number", &c.number)] {
        if let Some(v) = v {
            let _ = writeln!(s, "{key} = {}", quote(v));
        }
    }
    for (i, m) in c.milestones.iter().enumerate() {
        let _ = write!(s, "\n[[milestones]]\nid = \"M{}\"\ntitle = {}\n", i + 1, quote(&m.title));
        if let Some(d) = &m.deliverable {
            let _ = writeln!(s, "deliverable = {}", quote(d));
        }
        if let Some(d) = m.start {
            let _ = writeln!(s, "start = {d}");
        }
        if let Some(d) = m.due {
            let _ = writeln!(s, "due = {d}");
        }
    }
    if !c.assessment.is_empty() || !c.diog_by_value.is_empty() {
        let _ = write!(s, "\n[assessment]\nby = \"{IRM_ID}\"\n");
        for (k, v) in &c.assessment {
            let _ = writeln!(s, "{k} = \"{v}\"");
        }
        if !c.diog_by_value.is_empty() {
            let _ = writeln!(s, "\n[assessment.did-it-open-government-by-value]");
            for (k, v) in &c.diog_by_value {
                let _ = writeln!(s, "{k} = \"{v}\"");
            }
        }
    }
    s
}

fn readme(c: &Draft) -> String {
    let mut s = format!("# {}\n\n", c.title.as_deref().unwrap_or(&c.id));
    if let Some(t) = c.short_title.as_ref().filter(|t| Some(*t) != c.title.as_ref()) {
        let _ = write!(s, "Short title: {t}\n\n");
    }
    s.push_str("## Full text (OGP commitment dataset)\n\n");
    if c.full_text.trim().is_empty() {
        s.push_str("The dataset has no full text for this commitment.\n");
    }
    // Quoted line by line, so the template's own lines never become Markdown headings.
    for line in c.full_text.trim().lines().filter(|_| !c.full_text.trim().is_empty()) {
        let line = line.trim_end();
        s.push_str(if line.is_empty() { ">" } else { "> " });
        s.push_str(line);
        s.push('\n');
    }
    s
}
