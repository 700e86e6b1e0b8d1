//! A plan as rows of OGP's commitment dataset: the same column names, one row per
//! commitment, for the columns the plan knows. Dates are written `YYYY-MM-DD`, which the
//! importer reads without ambiguity; milestones go into `Full Text` as a
//! `Milestones | Expected Outputs | Start Date - End Date` table, the shape the importer
//! recovers.

use std::io::Write;

use super::row::{COMPLETION, DIOG, DIOG_BY_VALUE, IRM, OGP_VALUES, policy_area};
use crate::interop::ExportError;
use crate::plan::{Commitment, Plan, Text};

/// The dataset's policy-area columns, in its order (0/1 flags).
pub const POLICY_AREA_COLUMNS: [&str; 86] = [
    "Anti-Corruption and Integrity",
    "Anti-corruption Institutions",
    "Anti-Corruption Strategies",
    "Asset Disclosure",
    "Audits",
    "Beneficial Ownership",
    "Conflicts Of Interest",
    "Elections",
    "Political Finance",
    "Lobbying",
    "Open Contracting",
    "Public Procurement",
    "Right To Information",
    "Whistleblower Protections",
    "Civic Space and Enabling Environment",
    "Freedom of Assembly",
    "Freedom of Association",
    "Freedom of Expression",
    "Democratizing Decision-Making",
    "Digital Participation",
    "Mainstreaming Participation",
    "Regulatory Governance",
    "Social Accountability",
    "Digital Governance",
    "Automated Decision-making",
    "Data Stewardship and Privacy",
    "Digital Inclusion",
    "Disinformation/Misinformation",
    "Online Civic Space",
    "Environment & Climate",
    "Climate Finance",
    "Climate Mitigation and Adaptation",
    "Environmental Regulation",
    "International Environmental Agreements",
    "Fiscal Openness",
    "Publication Of Budget/Fiscal Information",
    "Public Participation In Budget/Fiscal Policy",
    "Oversight Of Budget/Fiscal Policies",
    "Stimulus and Economic Recovery",
    "Tax",
    "Debt",
    "Inclusion",
    "Gender",
    "Gender-Based Violence",
    "Economic Inclusion",
    "LGBTQIA+",
    "People with Disabilities",
    "Youth",
    "Justice",
    "Access to Justice",
    "Open Justice",
    "Policing & Corrections",
    "Judiciary",
    "Open Parliaments",
    "Public Service Delivery",
    "Citizenship & Immigration",
    "Education",
    "Health & Nutrition",
    "Infrastructure & Transport",
    "Water & Sanitation",
    "Capacity Building",
    "Digital Transformation",
    "Legislation",
    "Regulation",
    "Legislative Oversight",
    "Open Data",
    "Public Participation",
    "Aid",
    "Energy",
    "Extractive Industries",
    "Land and Spatial Planning",
    "Media & Telecommunications",
    "Science & Technology",
    "Security & Public Safety",
    "Labor",
    "Private Sector",
    "Subnational",
    "Human Rights",
    "Open Parliament Plan",
    "Sustainable Development Goals",
    "Open Data (Water/Sanitation)",
    "Open Data (Health)",
    "Open Data (Education)",
    "Participation in Lawmaking",
    "Access to information",
    "Money in Politics",
];

/// Write the plan's commitments as dataset rows.
pub fn export(plan: &Plan, out: &mut dyn Write) -> Result<(), ExportError> {
    let meta = plan.meta.as_ref().ok_or_else(|| ExportError::Unreadable("it has no readable plan.toml".into()))?;
    // English first: the dataset is written in English; then the plan's own languages.
    let mut langs = vec!["en".to_string()];
    langs.extend(plan.languages());
    let text = |t: Option<&Text>| t.map_or(String::new(), |t| t.best(&langs).to_string());
    let name =
        |id: &str| plan.entity(id).and_then(|e| e.name.as_ref()).map_or(id.to_string(), |n| n.best(&langs).to_string());
    let member = text(meta.member.as_ref().map(|m| &m.value));
    let code = meta.member_code.as_ref().map_or(String::new(), |c| c.value.clone());
    let year = |d: Option<crate::date::Date>| d.map_or(String::new(), |d| d.year().to_string());

    let mut header: Vec<String> = [
        "Commitment Unique Identifier",
        "Country/Locality",
        "Commitment Number",
        "Code",
        "Year Of Submission",
        "Action Plan End Year",
        "Commitment Title",
        "Full Text",
        "Start Date",
        "End Date",
        "Lead Institution",
        "Supporting Institution(s)",
    ]
    .map(String::from)
    .to_vec();
    header.extend(POLICY_AREA_COLUMNS.iter().map(|c| c.to_string()));
    header.extend(OGP_VALUES.iter().map(|(c, _)| c.to_string()));
    header.extend(IRM.iter().map(|(c, _, _)| c.to_string()));
    header.extend(DIOG_BY_VALUE.iter().map(|(c, _)| c.to_string()));
    header.extend(["URL", "Action Plan ID"].map(String::from));

    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(&header)?;
    for c in &plan.commitments {
        let source = c.source.as_ref();
        let src = |f: fn(&crate::plan::SourceRecord) -> &Option<crate::plan::At<String>>| {
            source.and_then(|s| f(s).as_ref()).map_or(String::new(), |v| v.value.clone())
        };
        let mut row: Vec<String> = vec![
            source.and_then(|s| s.id.as_ref()).map_or(c.id.value.clone(), |v| v.value.clone()),
            member.clone(),
            src(|s| &s.number),
            code.clone(),
            year(meta.start.as_ref().map(|d| d.value)),
            year(meta.end.as_ref().map(|d| d.value)),
            text(c.title.as_ref().map(|t| &t.value)),
            full_text(plan, c, &langs),
            c.start.as_ref().map_or(String::new(), |d| d.value.to_string()),
            c.end.as_ref().map_or(String::new(), |d| d.value.to_string()),
            c.lead.as_ref().map_or(String::new(), |l| name(&l.value)),
            c.supporting.iter().map(|s| name(&s.value)).collect::<Vec<_>>().join("; "),
        ];
        let areas: Vec<&str> = c.policy_areas.iter().map(|a| a.value.as_str()).collect();
        row.extend(POLICY_AREA_COLUMNS.iter().map(|col| flag(areas.contains(&policy_area(col).as_str()))));
        let values: Vec<&str> = c.ogp_values.iter().map(|v| v.value.as_str()).collect();
        row.extend(OGP_VALUES.iter().map(|(_, v)| flag(values.contains(v))));
        let assessed = |key: &str| c.assessment.as_ref().and_then(|a| a.values.get(key)).map(|v| v.value.as_str());
        for (_, field, scale) in IRM {
            row.push(word(assessed(field), if field == "completion" { COMPLETION } else { scale }));
        }
        for (_, value) in DIOG_BY_VALUE {
            row.push(word(assessed(&format!("did-it-open-government/{value}")), DIOG));
        }
        row.push(src(|s| &s.url));
        row.push(src(|s| &s.action_plan));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.to_string()
}

/// The dataset's word for a value on kept's scale; `ND` (no data) when unknown.
fn word(value: Option<&str>, scale: &[(&str, &str)]) -> String {
    value.and_then(|v| scale.iter().find(|(_, k)| *k == v)).map_or("ND", |(w, _)| w).to_string()
}

/// The commitment's narrative (the README in the first language that has one) and its
/// milestones as a table.
fn full_text(plan: &Plan, c: &Commitment, langs: &[String]) -> String {
    let readme = langs
        .iter()
        .find_map(|l| {
            let path = format!("commitments/{}/README.{l}.md", c.dir);
            plan.sources.text(&path).map(str::to_string)
        })
        .or_else(|| plan.sources.text(&format!("commitments/{}/README.md", c.dir)).map(str::to_string))
        .unwrap_or_default();
    let mut s = readme.trim().to_string();
    if c.milestones.is_empty() {
        return s;
    }
    let cell = |t: &str| t.replace(['|', '\n', '\r'], " ").trim().to_string();
    if !s.is_empty() {
        s.push_str("\n\n");
    }
    s.push_str("Milestones | Expected Outputs | Start Date - End Date\n");
    for m in &c.milestones {
        let title = m.title.as_ref().map_or(String::new(), |t| cell(t.best(langs)));
        let output = m.deliverable.as_ref().map_or(String::new(), |t| cell(t.best(langs)));
        let date = |d: Option<&crate::plan::At<crate::date::Date>>| d.map_or("NA".to_string(), |d| d.value.to_string());
        s.push_str(&format!(
            "{title} | {} | {} – {}\n",
            if output.is_empty() { "NA" } else { &output },
            date(m.start.as_ref()),
            date(m.due.as_ref())
        ));
    }
    s
}
