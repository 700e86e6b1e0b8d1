//! A commitment and what it holds: approval, milestones, amendments, assessment.

use std::collections::BTreeMap;

use crate::date::Date;
use crate::diagnostic::Loc;
use crate::plan::model::{At, Narrative, Text};

/// A commitment.
#[derive(Debug, Clone)]
pub struct Commitment {
    /// The directory name under commitments/.
    pub dir: String,
    /// Id.
    pub id: At<String>,
    /// Title.
    pub title: Option<At<Text>>,
    /// Lead id.
    pub lead: Option<At<String>>,
    /// Supporting ids.
    pub supporting: Vec<At<String>>,
    /// Opportunity id.
    pub opportunity: Option<At<String>>,
    /// OGP values.
    pub ogp_values: Vec<At<String>>,
    /// Policy areas.
    pub policy_areas: Vec<At<String>>,
    /// Start.
    pub start: Option<At<Date>>,
    /// End.
    pub end: Option<At<Date>>,
    /// Status.
    pub status: Option<At<String>>,
    /// Declared progress percentage.
    pub progress: Option<At<i64>>,
    /// Why withdrawn.
    pub withdrawn_reason: Option<At<Text>>,
    /// Approval.
    pub approval: Option<Approval>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Amendments.
    pub amendments: Vec<Amendment>,
    /// IRM-style assessment.
    pub assessment: Option<Assessment>,
    /// Where an imported commitment came from (`kept import`); boxed, as few commitments have it.
    pub source: Option<Box<SourceRecord>>,
    /// README.md and translations.
    pub narratives: Vec<Narrative>,
    /// end-of-commitment.md and its translations.
    pub end_reports: Vec<Narrative>,
    /// Path of commitment.toml.
    pub path: String,
    /// Location of the file start.
    pub loc: Loc,
}

/// Commitment statuses from which an approval is required.
pub const APPROVED_STATUSES: [&str; 3] = ["approved", "in-implementation", "completed"];

/// `[approval]`.
#[derive(Debug, Clone)]
pub struct Approval {
    /// Approver id.
    pub by: Option<At<String>>,
    /// Date.
    pub on: Option<At<Date>>,
    /// Decision text.
    pub decision: Option<At<Text>>,
    /// Location.
    pub loc: Loc,
}

/// A milestone.
#[derive(Debug, Clone)]
pub struct Milestone {
    /// Id.
    pub id: At<String>,
    /// Title.
    pub title: Option<At<Text>>,
    /// Deliverable.
    pub deliverable: Option<At<Text>>,
    /// Responsible id.
    pub responsible: Option<At<String>>,
    /// Start.
    pub start: Option<At<Date>>,
    /// Due.
    pub due: Option<At<Date>>,
    /// Status.
    pub status: Option<At<String>>,
    /// Completion date.
    pub completed_on: Option<At<Date>>,
    /// Evidence.
    pub evidence: Vec<At<String>>,
    /// Location of `evidence`, if written.
    pub evidence_loc: Option<Loc>,
    /// Why delayed. The four reasons are boxed: most milestones have none, and a plan has
    /// ten thousand milestones (an absent box is one word; an absent text, six).
    pub delay_reason: Option<Box<At<Text>>>,
    /// What happens next.
    pub next_steps: Option<Box<At<Text>>>,
    /// Why withdrawn.
    pub withdrawn_reason: Option<Box<At<Text>>>,
    /// Why reopened.
    pub reopen_reason: Option<Box<At<Text>>>,
    /// Tracker issue URL.
    pub issue: Option<At<String>>,
    /// Keys written but malformed (already reported), so rules do not report them as missing.
    pub malformed: Vec<&'static str>,
    /// Location of the `[[milestones]]` entry.
    pub loc: Loc,
}

impl Commitment {
    /// The end-of-commitment report in the primary language, if written.
    pub fn end_report(&self) -> Option<&Narrative> {
        self.end_reports.iter().find(|n| n.language.is_none())
    }

    /// The milestone with this id.
    pub fn milestone(&self, id: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.id.value == id)
    }
}

impl Milestone {
    /// What the milestone's status requires that it lacks, as OGP asks: a completed one its
    /// date and evidence, a delayed one a reason and next steps, a withdrawn one a reason.
    /// Each is (what is missing, how to add it).
    pub fn unmet_requirements(&self) -> Vec<(&'static str, &'static str)> {
        let blank = |t: &Option<Box<At<Text>>>| t.as_ref().is_none_or(|t| t.is_blank());
        let mut out = Vec::new();
        match self.status_str() {
            "completed" => {
                if self.completed_on.is_none() {
                    out.push(("a completion date", "add completed-on = <the date it was completed>"));
                }
                if self.evidence.is_empty() {
                    out.push((
                        "evidence",
                        "add evidence = [\"https://...\"] or a repository file that shows the deliverable",
                    ));
                }
            }
            "delayed" => {
                if blank(&self.delay_reason) {
                    out.push((
                        "a delay-reason",
                        "say why it is delayed: delay-reason = { uk = \"...\", en = \"...\" }",
                    ));
                }
                if blank(&self.next_steps) {
                    out.push(("next-steps", "say what happens next: next-steps = { uk = \"...\", en = \"...\" }"));
                }
            }
            "withdrawn" if blank(&self.withdrawn_reason) => {
                out.push((
                    "a withdrawn-reason",
                    "say why it was withdrawn: withdrawn-reason = { uk = \"...\", en = \"...\" }",
                ));
            }
            _ => {}
        }
        out
    }

    /// The status word, or "" when missing.
    pub fn status_str(&self) -> &str {
        self.status.as_ref().map_or("", |s| s.value.as_str())
    }

    /// Whether the milestone is finished (completed or withdrawn).
    pub fn is_closed(&self) -> bool {
        matches!(self.status_str(), "completed" | "withdrawn")
    }
}

/// An amendment.
#[derive(Debug, Clone)]
pub struct Amendment {
    /// Date.
    pub on: Option<At<Date>>,
    /// Reason.
    pub reason: Option<At<Text>>,
    /// Approver id.
    pub approved_by: Option<At<String>>,
    /// What changed, in words.
    pub changes: Option<At<Text>>,
    /// Location.
    pub loc: Loc,
}

/// `[source]`: the record an imported commitment was made from, so it can be traced back
/// to the dataset and exported again under the same identifier.
#[derive(Debug, Clone)]
pub struct SourceRecord {
    /// The dataset's kind: `ogp` (OGP's commitment dataset).
    pub dataset: Option<At<String>>,
    /// The dataset's identifier of the commitment (OGP's `Commitment Unique Identifier`).
    pub id: Option<At<String>>,
    /// The commitment's page in the source.
    pub url: Option<At<String>>,
    /// The source's action plan identifier (OGP's `Action Plan ID`).
    pub action_plan: Option<At<String>>,
    /// The commitment's number in its action plan, as the source writes it.
    pub number: Option<At<String>>,
    /// Location of the table.
    pub loc: Loc,
}

/// `[assessment]`.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Monitor id.
    pub by: Option<At<String>>,
    /// Date.
    pub on: Option<At<Date>>,
    /// Scale values by field name; absent means unknown.
    pub values: BTreeMap<String, At<String>>,
    /// Location.
    pub loc: Loc,
}
