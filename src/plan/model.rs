//! The typed plan: what every consumer of a plan reads.
//!
//! Values that rules point at carry their location ([`At`]); everything is owned, so a
//! plan outlives the text it was loaded from.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::date::Date;
use crate::diagnostic::{Loc, SourceMap};
use crate::intern::Lang;
use crate::plan::commitment::Commitment;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Where it is in the plan.
    pub loc: Loc,
}

impl<T> At<T> {
    /// Pair a value with its location.
    pub fn new(value: T, loc: Loc) -> Self {
        At { value, loc }
    }
}

impl<T> std::ops::Deref for At<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for At<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// Human-facing text: plain, or translated per language code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// One string, language unstated.
    Plain(String),
    /// Translations as (language code, text), in the order written. A plan has two or three
    /// languages, so a small list beats a map in memory and speed, and each code is interned.
    Translated(Vec<(Lang, String)>),
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Text::Plain(t) => s.serialize_str(t),
            Text::Translated(v) => {
                let mut m = s.serialize_map(Some(v.len()))?;
                for (k, t) in v {
                    m.serialize_entry(k, t)?;
                }
                m.end()
            }
        }
    }
}

impl Text {
    /// The text in a language, if written in it.
    pub fn get(&self, lang: &str) -> Option<&str> {
        match self {
            Text::Plain(s) => Some(s.as_str()),
            Text::Translated(v) => v.iter().find(|(l, _)| *l == lang).map(|(_, t)| t.as_str()),
        }
    }

    /// The text in the first of `langs` that has it, or any text at all.
    pub fn best(&self, langs: &[String]) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Translated(v) => {
                langs.iter().find_map(|l| self.get(l)).or_else(|| v.first().map(|(_, t)| t.as_str())).unwrap_or("")
            }
        }
    }

    /// The languages this text is written in (`None` for plain text).
    pub fn languages(&self) -> Option<Vec<&str>> {
        match self {
            Text::Plain(_) => None,
            Text::Translated(v) => {
                Some(v.iter().filter(|(_, t)| !t.trim().is_empty()).map(|(k, _)| k.as_str()).collect())
            }
        }
    }

    /// Whether no language has any non-blank text.
    pub fn is_blank(&self) -> bool {
        match self {
            Text::Plain(s) => s.trim().is_empty(),
            Text::Translated(v) => v.iter().all(|(_, t)| t.trim().is_empty()),
        }
    }
}

/// The whole plan at one revision.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// `kept.toml`.
    pub settings: Option<Settings>,
    /// `plan.toml`.
    pub meta: Option<PlanMeta>,
    /// `people.toml`: people and organisations by id.
    pub entities: Vec<Entity>,
    /// `roadmap.toml`.
    pub roadmap: Option<Roadmap>,
    /// `opportunities.toml`.
    pub opportunities: Option<Opportunities>,
    /// `vision.md` and its translations.
    pub vision: Vec<Narrative>,
    /// `commitments/<ID>/`.
    pub commitments: Vec<Commitment>,
    /// `updates/*.md`.
    pub updates: Vec<Update>,
    /// `learning.toml`.
    pub learning: Option<Learning>,
    /// Every file path in the repository, for evidence that names a file.
    pub files: BTreeSet<String>,
    /// The text of every file read, for rendering locations.
    pub sources: SourceMap,
    /// Plan files that could not be read or parsed (already reported): rules do not report
    /// what is missing because of them, such as references to a commitment whose file broke.
    pub broken: BTreeSet<String>,
    /// The plan's own step catalogue (`catalogue.toml`), when it has a usable one.
    pub catalogue: Option<crate::catalogue::Catalogue>,
    /// Lookups built by [`Plan::reindex`].
    pub index: Index,
}

/// Lookups over a plan, so rules stay linear in its size.
#[derive(Debug, Clone, Default)]
pub struct Index {
    commitments: HashMap<String, usize>,
    entities: HashMap<String, usize>,
    last_update: HashMap<String, Date>,
}

impl Plan {
    /// The plan's declared languages (empty if plan.toml is missing).
    pub fn languages(&self) -> Vec<String> {
        self.meta.as_ref().map(|m| m.languages.iter().map(|l| l.value.clone()).collect()).unwrap_or_default()
    }

    /// A person or organisation by id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.index.entities.get(id).and_then(|&i| self.entities.get(i)).filter(|e| e.id.value == id)
    }

    /// A commitment by id.
    pub fn commitment(&self, id: &str) -> Option<&Commitment> {
        self.index.commitments.get(id).and_then(|&i| self.commitments.get(i)).filter(|c| c.id.value == id)
    }

    /// The date of the latest update naming a commitment.
    pub fn last_update(&self, commitment: &str) -> Option<Date> {
        self.index.last_update.get(commitment).copied()
    }

    /// Rebuild the lookups; call after changing commitments, people or updates.
    pub fn reindex(&mut self) {
        let mut index = Index::default();
        for (i, c) in self.commitments.iter().enumerate() {
            index.commitments.entry(c.id.value.clone()).or_insert(i);
        }
        for (i, e) in self.entities.iter().enumerate() {
            index.entities.entry(e.id.value.clone()).or_insert(i);
        }
        for u in &self.updates {
            let Some(date) = u.date.as_ref().map(|d| d.value) else { continue };
            for c in &u.commitments {
                let last = index.last_update.entry(c.value.clone()).or_insert(date);
                *last = (*last).max(date);
            }
        }
        self.index = index;
    }

    /// The ids holding a role in kept.toml.
    pub fn role_holders(&self, role: &str) -> Vec<&At<String>> {
        self.settings.as_ref().and_then(|s| s.roles.get(role)).map(|v| v.iter().collect()).unwrap_or_default()
    }
}

/// `kept.toml`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Schema version of the repository format.
    pub schema_version: Option<At<i64>>,
    /// Role name to ids.
    pub roles: BTreeMap<String, Vec<At<String>>>,
    /// Protected branch names.
    pub protected_branches: Vec<At<String>>,
    /// Whether commits must be signed.
    pub signatures_required: bool,
    /// The tracker, if any.
    pub tracker: Option<Tracker>,
    /// Publishing settings.
    pub base_url: Option<At<String>>,
    /// The forge's web address of the repository, for commit links.
    pub forge_url: Option<At<String>>,
}

/// `[tracker]` in kept.toml.
#[derive(Debug, Clone)]
pub struct Tracker {
    /// github, gitlab, gitea or redmine.
    pub kind: At<String>,
    /// API base URL.
    pub url: Option<At<String>>,
    /// Project path or id.
    pub project: Option<At<String>>,
    /// Keep each commitment as a tracker milestone.
    pub milestones: Option<At<bool>>,
    /// `commit` (the default) or `pull-request`.
    pub write_back: Option<At<String>>,
    /// Redmine status names by milestone status.
    pub statuses: Vec<(String, At<String>)>,
}

impl Tracker {
    /// Whether commitments become tracker milestones.
    pub fn uses_milestones(&self) -> bool {
        self.milestones.as_ref().is_some_and(|m| m.value)
    }

    /// Whether changes from the tracker reach the plan by pull request.
    pub fn by_pull_request(&self) -> bool {
        self.write_back.as_ref().is_some_and(|w| w.value == "pull-request")
    }
}

/// The five phases, in order.
pub const PHASES: [&str; 5] = ["prepare", "discover", "draft", "implement", "learn"];

/// `plan.toml`.
#[derive(Debug, Clone)]
pub struct PlanMeta {
    /// The member (municipality).
    pub member: Option<At<Text>>,
    /// The member code (`UAKLY`).
    pub member_code: Option<At<String>>,
    /// The plan's title.
    pub title: Option<At<Text>>,
    /// Declared languages; the first is the primary one.
    pub languages: Vec<At<String>>,
    /// Plan period start.
    pub start: Option<At<Date>>,
    /// Plan period end.
    pub end: Option<At<Date>>,
    /// Current phase.
    pub phase: Option<At<String>>,
    /// Why the phase moved back, when it did.
    pub phase_reason: Option<At<Text>>,
    /// Step catalogue id.
    pub catalogue: Option<At<String>>,
    /// Step 1.1.
    pub team: Option<Team>,
    /// Step 1.2.
    pub forum: Option<Forum>,
    /// Step records by step id.
    pub steps: Vec<StepRecord>,
    /// Where `[steps]` starts, or the file start.
    pub steps_loc: Loc,
    /// Where the phase is written.
    pub loc: Loc,
}

impl PlanMeta {
    /// Index of the current phase in [`PHASES`].
    pub fn phase_index(&self) -> Option<usize> {
        let p = self.phase.as_ref()?;
        PHASES.iter().position(|x| *x == p.value)
    }

    /// The record of a step.
    pub fn step(&self, id: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.id.value == id)
    }
}

/// `[team]`.
#[derive(Debug, Clone)]
pub struct Team {
    /// Who leads the process.
    pub lead: Option<At<String>>,
    /// Team members.
    pub members: Vec<At<String>>,
    /// Location of the table.
    pub loc: Loc,
}

/// `[forum]`.
#[derive(Debug, Clone)]
pub struct Forum {
    /// Its name.
    pub name: Option<At<Text>>,
    /// Participants.
    pub members: Vec<At<String>>,
    /// How often it meets.
    pub frequency: Option<At<Text>>,
    /// How it communicates.
    pub communication: Option<At<Text>>,
    /// Expectations and responsibilities.
    pub expectations: Option<At<Text>>,
    /// Location of the table.
    pub loc: Loc,
}

/// `[steps."X.Y"]`.
#[derive(Debug, Clone)]
pub struct StepRecord {
    /// Step id.
    pub id: At<String>,
    /// not-started, in-progress, done, skipped.
    pub status: Option<At<String>>,
    /// When work started.
    pub started: Option<At<Date>>,
    /// When it was done.
    pub completed: Option<At<Date>>,
    /// Evidence.
    pub evidence: Vec<At<String>>,
    /// Why it was skipped.
    pub reason: Option<At<Text>>,
    /// Free notes.
    pub notes: Option<At<Text>>,
    /// Location of the record.
    pub loc: Loc,
}

/// A person or an organisation from people.toml.
#[derive(Debug, Clone)]
pub struct Entity {
    /// Id.
    pub id: At<String>,
    /// Whether this is an organisation.
    pub organisation: bool,
    /// Name.
    pub name: Option<At<Text>>,
    /// Organisation id (people only).
    pub member_of: Option<At<String>>,
    /// government, cso, academia, private, monitor.
    pub sector: Option<At<String>>,
    /// Email, matched against commit identities.
    pub email: Option<At<String>>,
    /// Forge handles by forge.
    pub forge: Vec<(At<String>, At<String>)>,
    /// Signing keys.
    pub signing_keys: Vec<At<String>>,
}

/// `roadmap.toml`.
#[derive(Debug, Clone, Default)]
pub struct Roadmap {
    /// Tasks.
    pub tasks: Vec<Task>,
    /// Awareness activities.
    pub awareness: Vec<Awareness>,
}

/// A roadmap task.
#[derive(Debug, Clone)]
pub struct Task {
    /// Id.
    pub id: Option<At<String>>,
    /// Title.
    pub title: Option<At<Text>>,
    /// Catalogue step it belongs to.
    pub step: Option<At<String>>,
    /// Owner id.
    pub owner: Option<At<String>>,
    /// Start.
    pub start: Option<At<Date>>,
    /// Due.
    pub due: Option<At<Date>>,
    /// Status.
    pub status: Option<At<String>>,
    /// Location.
    pub loc: Loc,
}

/// An awareness activity.
#[derive(Debug, Clone)]
pub struct Awareness {
    /// Id.
    pub id: Option<At<String>>,
    /// Date.
    pub date: Option<At<Date>>,
    /// Title.
    pub title: Option<At<Text>>,
    /// Evidence.
    pub evidence: Vec<At<String>>,
    /// Location.
    pub loc: Loc,
}

/// `opportunities.toml`.
#[derive(Debug, Clone, Default)]
pub struct Opportunities {
    /// Matrix criteria.
    pub criteria: Vec<At<String>>,
    /// Score scale.
    pub scale: Option<At<i64>>,
    /// Opportunity areas.
    pub items: Vec<Opportunity>,
}

/// An opportunity area.
#[derive(Debug, Clone)]
pub struct Opportunity {
    /// Id.
    pub id: Option<At<String>>,
    /// Title.
    pub title: Option<At<Text>>,
    /// Problem.
    pub problem: Option<At<Text>>,
    /// Root causes.
    pub root_causes: Vec<At<Text>>,
    /// Who proposed it.
    pub proposed_by: Vec<At<String>>,
    /// Scores per criterion.
    pub scores: Vec<(At<String>, At<i64>)>,
    /// Location of `scores`.
    pub scores_loc: Option<Loc>,
    /// Every criterion written in `scores`, well-formed or not.
    pub scored: Vec<String>,
    /// Chosen for the plan.
    pub selected: bool,
    /// Candidate solutions.
    pub solutions: Vec<Solution>,
    /// Location.
    pub loc: Loc,
}

impl Opportunity {
    /// Sum of scores (the matrix total), if scored.
    pub fn total(&self) -> Option<i64> {
        (!self.scores.is_empty()).then(|| self.scores.iter().map(|(_, v)| v.value).sum())
    }
}

/// A candidate solution.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Id.
    pub id: Option<At<String>>,
    /// Title.
    pub title: Option<At<Text>>,
    /// The commitment it became.
    pub commitment: Option<At<String>>,
    /// Location.
    pub loc: Loc,
}

/// A Markdown narrative: its path, language and sections.
#[derive(Debug, Clone)]
pub struct Narrative {
    /// Repository path.
    pub path: String,
    /// Language code from the file name (`README.en.md`), or the primary language.
    pub language: Option<String>,
    /// Headings with their byte span and whether text follows them.
    pub sections: Vec<Section>,
}

/// A Markdown heading and what follows it.
#[derive(Debug, Clone)]
pub struct Section {
    /// Heading text.
    pub title: String,
    /// Heading level.
    pub level: usize,
    /// Span of the heading line.
    pub loc: Loc,
    /// Whether any non-blank text follows before the next heading of the same or higher level.
    pub has_body: bool,
}

/// A dated update note.
#[derive(Debug, Clone)]
pub struct Update {
    /// Repository path.
    pub path: String,
    /// Date from the file name.
    pub file_date: Option<Date>,
    /// Title.
    pub title: Option<At<Text>>,
    /// Date from the front matter.
    pub date: Option<At<Date>>,
    /// Kind.
    pub kind: Option<At<String>>,
    /// Authors.
    pub authors: Vec<At<String>>,
    /// Commitments reported on.
    pub commitments: Vec<At<String>>,
    /// Steps documented.
    pub steps: Vec<At<String>>,
    /// Location of the front matter start.
    pub loc: Loc,
}

/// `learning.toml`.
#[derive(Debug, Clone, Default)]
pub struct Learning {
    /// Monitoring body member ids.
    pub body_members: Vec<At<String>>,
    /// When the body was selected.
    pub selected_on: Option<At<Date>>,
    /// Whether `[monitoring-body]` exists, and where.
    pub body_loc: Option<Loc>,
    /// Learning question ids.
    pub questions: Vec<Question>,
    /// Information repository URL.
    pub repository_url: Option<At<String>>,
    /// Reports.
    pub reports: Vec<Report>,
}

/// A learning question.
#[derive(Debug, Clone)]
pub struct Question {
    /// Id.
    pub id: Option<At<String>>,
    /// The question.
    pub text: Option<At<Text>>,
    /// Location.
    pub loc: Loc,
}

/// A planned report.
#[derive(Debug, Clone)]
pub struct Report {
    /// Id.
    pub id: Option<At<String>>,
    /// Title.
    pub title: Option<At<Text>>,
    /// Due date.
    pub due: Option<At<Date>>,
    /// Path of the report file.
    pub path: Option<At<String>>,
    /// Location.
    pub loc: Loc,
}
