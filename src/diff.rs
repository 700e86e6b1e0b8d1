//! Semantic changes between two versions of a plan, in domain words.
//!
//! The diff works file by file: only the files git reports as changed are parsed, on each
//! side, and compared field by field. It is the shared core of `kept diff`, `kept check`
//! (transition and permission rules), and later the audit trail, feeds and tracker sync.

use std::fmt;

use serde::Serialize;

use crate::diagnostic::Loc;
use crate::plan::{self, At, Entity, Piece, Role, Text};

mod commitment;
mod trees;

pub use trees::{BlobCache, CommitFiles, FileDiff, Parsed, diff_changed, diff_trees, piece};

/// What kind of change, for the rules that judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The plan's phase.
    Phase,
    /// A co-creation step record.
    Step,
    /// Other plan.toml fields: title, period, team, forum, languages.
    Plan,
    /// Role holders in kept.toml.
    Roles,
    /// Other kept.toml settings.
    Settings,
    /// A person or organisation.
    People,
    /// A commitment added.
    CommitmentAdded,
    /// A commitment removed.
    CommitmentRemoved,
    /// A commitment's status.
    CommitmentStatus,
    /// A commitment's core: title, lead, dates.
    CommitmentCore,
    /// Other commitment fields: support network, values, policy areas, declared progress.
    CommitmentDetail,
    /// The approval record.
    Approval,
    /// An amendment added or changed.
    Amendment,
    /// The IRM-style assessment.
    Assessment,
    /// A milestone added.
    MilestoneAdded,
    /// A milestone removed.
    MilestoneRemoved,
    /// A milestone's status.
    MilestoneStatus,
    /// A milestone's core: title, deliverable, dates.
    MilestoneCore,
    /// Who is responsible for a milestone.
    MilestoneResponsible,
    /// A milestone's report: completion date, evidence, reasons, next steps.
    MilestoneReport,
    /// The tracker issue linked to a milestone.
    MilestoneIssue,
    /// A commitment's narrative outside its problem and action.
    Narrative,
    /// A commitment's problem or action (its core).
    NarrativeCore,
    /// An end-of-commitment report.
    EndReport,
    /// A progress update or meeting note.
    Update,
    /// The roadmap and awareness activities.
    Roadmap,
    /// Opportunity areas and solutions.
    Opportunities,
    /// The strategic vision.
    Vision,
    /// The learning plan.
    Learning,
    /// Any other file.
    File,
}

impl Kind {
    /// Its name in data and on the command line (`milestone-status`), as serialised.
    pub fn key(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// One change, in domain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Change {
    /// What kind of change.
    pub kind: Kind,
    /// The file it is in.
    pub path: String,
    /// The commitment it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
    /// The milestone it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
    /// The person, step or other item it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The field that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The old value.
    pub from: Option<String>,
    /// The new value.
    pub to: Option<String>,
    /// A remark such as "evidence added".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the new value is written (the old one, for removals).
    #[serde(skip)]
    pub loc: Option<Loc>,
    /// A change of the file as a whole (a side did not parse, or no field changed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_file: bool,
}

impl Change {
    /// Point a diagnostic at this change: its position in the new file, or else the file.
    pub fn place(&self, d: crate::diagnostic::Diagnostic) -> crate::diagnostic::Diagnostic {
        match &self.loc {
            Some(loc) => d.at_loc(loc),
            None => d.in_file(self.path.clone()),
        }
    }

    pub(crate) fn new(kind: Kind, path: &str) -> Change {
        Change {
            kind,
            path: path.to_string(),
            commitment: None,
            milestone: None,
            item: None,
            field: None,
            from: None,
            to: None,
            note: None,
            loc: None,
            whole_file: false,
        }
    }

    pub(crate) fn field(mut self, field: &str, from: Option<String>, to: Option<String>) -> Change {
        self.field = Some(field.to_string());
        self.from = from;
        self.to = to;
        self
    }

    /// The subject in words: `UAKLY0003/M2`, `commitment UAKLY0003`, `step 2.1`, a path.
    pub fn subject(&self) -> String {
        match (&self.commitment, &self.milestone, &self.item) {
            (Some(c), Some(m), _) => format!("{c}/{m}"),
            (Some(c), None, _) => format!("commitment {c}"),
            (None, _, Some(i)) if self.kind == Kind::Step => format!("step {i}"),
            (None, _, Some(i)) if self.kind == Kind::Roles => format!("role {i}"),
            (None, _, Some(i)) => i.to_string(),
            _ => self.path.clone(),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
        let tail = self.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        if self.whole_file {
            let verb = match (&self.from, &self.to) {
                (None, Some(_)) => "added",
                (Some(_), None) => "removed",
                _ => "changed",
            };
            return write!(f, "{} {verb}{tail}", self.path);
        }
        match self.kind {
            Kind::People => write!(
                f,
                "person {}: {}",
                self.item.as_deref().unwrap_or("?"),
                self.note.as_deref().unwrap_or("changed")
            ),
            Kind::Phase => write!(f, "phase: {} -> {}{tail}", value(&self.from), value(&self.to)),
            Kind::CommitmentAdded => write!(f, "commitment {} added{tail}", self.commitment.as_deref().unwrap_or("?")),
            Kind::CommitmentRemoved => {
                write!(f, "commitment {} removed{tail}", self.commitment.as_deref().unwrap_or("?"))
            }
            Kind::MilestoneAdded => write!(f, "{} added{tail}", self.subject()),
            Kind::MilestoneRemoved => write!(f, "{} removed{tail}", self.subject()),
            Kind::Amendment => write!(
                f,
                "{} amended{}",
                self.subject(),
                self.to.as_ref().map(|t| format!(": {t}")).unwrap_or_default()
            ),
            Kind::File
            | Kind::Roadmap
            | Kind::Opportunities
            | Kind::Vision
            | Kind::Learning
            | Kind::Update
            | Kind::EndReport
            | Kind::Narrative
            | Kind::NarrativeCore
                if self.field.is_none() =>
            {
                let verb = match (&self.from, &self.to) {
                    (None, Some(_)) => "added",
                    (Some(_), None) => "removed",
                    _ => "changed",
                };
                write!(f, "{} {verb}{tail}", self.path)
            }
            _ => match &self.field {
                Some(field) => {
                    write!(f, "{} {field}: {} -> {}{tail}", self.subject(), value(&self.from), value(&self.to))
                }
                None => write!(f, "{}: {} -> {}{tail}", self.subject(), value(&self.from), value(&self.to)),
            },
        }
    }
}

/// A value as text for comparing and showing.
pub(crate) fn text<'a>(t: impl Into<Option<&'a At<Text>>>) -> Option<String> {
    t.into().map(|t| match &t.value {
        Text::Plain(s) => s.clone(),
        Text::Translated(v) => v.iter().map(|(l, s)| format!("{l}: {s}")).collect::<Vec<_>>().join("; "),
    })
}

pub(crate) fn val<T: fmt::Display>(v: &Option<At<T>>) -> Option<String> {
    v.as_ref().map(|v| v.value.to_string())
}

pub(crate) fn list(v: &[At<String>]) -> Option<String> {
    (!v.is_empty()).then(|| v.iter().map(|s| s.value.as_str()).collect::<Vec<_>>().join(", "))
}

/// A named value on both sides: (field, kind of change, before, after, where it is written).
pub(crate) type Field<'n> = (&'n str, Kind, Option<String>, Option<String>, Option<Loc>);

/// Compare named values; push one change per difference.
pub(crate) fn compare(out: &mut Vec<Change>, base: &Change, fields: Vec<Field<'_>>) {
    for (name, kind, from, to, loc) in fields {
        if from != to {
            let mut c = base.clone().field(name, from, to);
            c.kind = kind;
            c.loc = loc;
            out.push(c);
        }
    }
}

pub(crate) fn loc_of<'a, T: 'a>(v: impl Into<Option<&'a At<T>>>) -> Option<Loc> {
    v.into().map(|v| v.loc)
}

/// The changes between two versions of one file (`None`: the file does not exist on that
/// side; its text is given for Markdown, whose sections are compared).
pub fn diff_file(path: &str, old: Option<(&Piece, &str)>, new: Option<(&Piece, &str)>) -> Vec<Change> {
    let mut out = Vec::new();
    match (old.map(|o| o.0), new.map(|n| n.0)) {
        (Some(Piece::Meta(a)), Some(Piece::Meta(b))) => meta(&mut out, path, a, b),
        (Some(Piece::Settings(a)), Some(Piece::Settings(b))) => settings(&mut out, path, a, b),
        (a, b) if matches!(a, Some(Piece::People(_))) || matches!(b, Some(Piece::People(_))) => {
            let none = Vec::new();
            let pa = if let Some(Piece::People(p)) = a { p } else { &none };
            let pb = if let Some(Piece::People(p)) = b { p } else { &none };
            people(&mut out, path, pa, pb);
        }
        (a, b) if matches!(a, Some(Piece::Commitment(_))) || matches!(b, Some(Piece::Commitment(_))) => {
            let ca = if let Some(Piece::Commitment(c)) = a { Some(&**c) } else { None };
            let cb = if let Some(Piece::Commitment(c)) = b { Some(&**c) } else { None };
            commitment::commitment(&mut out, path, ca, cb);
        }
        _ => {
            let (ta, tb) = (old.map(|o| o.1), new.map(|n| n.1));
            if ta != tb {
                out.push(file_change(path, ta, tb));
            }
        }
    }
    out
}

/// A whole-file change, classified by the file's role; a commitment's README change is
/// core when its problem or action section changed.
pub(crate) fn file_change(path: &str, old: Option<&str>, new: Option<&str>) -> Change {
    let role = plan::role_of(path);
    let kind = match &role {
        Some(Role::Roadmap) => Kind::Roadmap,
        Some(Role::Opportunities) => Kind::Opportunities,
        Some(Role::Learning) => Kind::Learning,
        Some(Role::Vision(_)) => Kind::Vision,
        Some(Role::Update(_)) => Kind::Update,
        Some(Role::EndReport(..)) => Kind::EndReport,
        Some(Role::Readme(..)) => {
            let titles = core_titles();
            let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
            let core = |t: Option<&str>| t.map(|t| plan::markdown::section_bodies(t, &titles));
            if core(old) != core(new) { Kind::NarrativeCore } else { Kind::Narrative }
        }
        // A side that does not parse could hide anything: judge the change as the most
        // demanding one the file can hold.
        Some(Role::Commitment(_)) => Kind::CommitmentCore,
        Some(Role::Meta) => Kind::Plan,
        Some(Role::Settings) => Kind::Roles,
        Some(Role::People) => Kind::People,
        None => Kind::File,
    };
    let mut c = Change::new(kind, path);
    if let Some(Role::Readme(dir, _) | Role::EndReport(dir, _) | Role::Commitment(dir)) = &role {
        c.commitment = Some(dir.clone());
    }
    c.from = old.map(|_| "present".to_string());
    c.to = new.map(|_| "present".to_string());
    c.whole_file = true;
    c
}

/// The headings of a commitment's core sections (problem and action), normalised, from the
/// built-in catalogue (read once).
fn core_titles() -> &'static [String] {
    static TITLES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TITLES.get_or_init(|| {
        crate::catalogue::Catalogue::embedded(crate::catalogue::DEFAULT)
            .map(|c| {
                c.sections("commitment")
                    .iter()
                    .filter(|s| s.key == "problem" || s.key == "action")
                    .flat_map(|s| s.normalised.clone())
                    .collect()
            })
            .unwrap_or_default()
    })
}

fn meta(out: &mut Vec<Change>, path: &str, a: &plan::PlanMeta, b: &plan::PlanMeta) {
    let base = Change::new(Kind::Plan, path);
    if val(&a.phase) != val(&b.phase) {
        let mut c = base.clone().field("phase", val(&a.phase), val(&b.phase));
        c.kind = Kind::Phase;
        c.field = None;
        c.loc = loc_of(&b.phase);
        out.push(c);
    }
    let team = |m: &plan::PlanMeta| m.team.as_ref().map(|t| format!("{:?} {:?}", val(&t.lead), list(&t.members)));
    let forum = |m: &plan::PlanMeta| {
        m.forum.as_ref().map(|f| {
            format!(
                "{:?} {:?} {:?} {:?} {:?}",
                text(&f.name),
                list(&f.members),
                text(&f.frequency),
                text(&f.communication),
                text(&f.expectations)
            )
        })
    };
    compare(
        out,
        &base,
        vec![
            ("member", Kind::Plan, text(&a.member), text(&b.member), loc_of(&b.member)),
            ("member-code", Kind::Plan, val(&a.member_code), val(&b.member_code), loc_of(&b.member_code)),
            ("title", Kind::Plan, text(&a.title), text(&b.title), loc_of(&b.title)),
            ("languages", Kind::Plan, list(&a.languages), list(&b.languages), None),
            ("period start", Kind::Plan, val(&a.start), val(&b.start), loc_of(&b.start)),
            ("period end", Kind::Plan, val(&a.end), val(&b.end), loc_of(&b.end)),
            ("catalogue", Kind::Plan, val(&a.catalogue), val(&b.catalogue), loc_of(&b.catalogue)),
            ("team", Kind::Plan, team(a), team(b), b.team.as_ref().map(|t| t.loc)),
            ("forum", Kind::Plan, forum(a), forum(b), b.forum.as_ref().map(|f| f.loc)),
        ],
    );
    let ids: std::collections::BTreeSet<&str> = a.steps.iter().chain(&b.steps).map(|s| s.id.value.as_str()).collect();
    for id in ids {
        let (sa, sb) = (a.step(id), b.step(id));
        let mut step = Change::new(Kind::Step, path);
        step.item = Some(id.to_string());
        let status = |s: Option<&plan::StepRecord>| s.and_then(|s| val(&s.status));
        if status(sa) != status(sb) {
            let mut c = step.clone();
            c.from = status(sa);
            c.to = status(sb);
            c.loc = sb.and_then(|s| loc_of(&s.status)).or_else(|| sb.map(|s| s.loc));
            out.push(c);
        }
        let rest = |s: Option<&plan::StepRecord>| {
            s.map(|s| {
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    val(&s.started),
                    val(&s.completed),
                    list(&s.evidence),
                    text(&s.reason),
                    text(&s.notes)
                )
            })
        };
        if status(sa) == status(sb) && rest(sa) != rest(sb) {
            let mut c = step.field("record", None, None);
            c.note = Some("dates, evidence or notes changed".into());
            c.loc = sb.map(|s| s.loc);
            out.push(c);
        }
    }
}

fn settings(out: &mut Vec<Change>, path: &str, a: &plan::Settings, b: &plan::Settings) {
    let roles: std::collections::BTreeSet<&String> = a.roles.keys().chain(b.roles.keys()).collect();
    for role in roles {
        let ids = |s: &plan::Settings| -> Vec<String> {
            s.roles.get(role).map(|v| v.iter().map(|i| i.value.clone()).collect()).unwrap_or_default()
        };
        let (ia, ib) = (ids(a), ids(b));
        let added: Vec<&String> = ib.iter().filter(|i| !ia.contains(i)).collect();
        let removed: Vec<&String> = ia.iter().filter(|i| !ib.contains(i)).collect();
        if added.is_empty() && removed.is_empty() {
            continue;
        }
        let mut c = Change::new(Kind::Roles, path);
        c.item = Some(role.clone());
        c.from = (!ia.is_empty()).then(|| ia.join(", "));
        c.to = (!ib.is_empty()).then(|| ib.join(", "));
        let mut note = Vec::new();
        if !added.is_empty() {
            note.push(format!("added {}", added.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")));
        }
        if !removed.is_empty() {
            note.push(format!("removed {}", removed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")));
        }
        c.note = Some(note.join("; "));
        c.loc = b.roles.get(role).and_then(|v| v.first()).map(|i| i.loc);
        out.push(c);
    }
    let tracker = |s: &plan::Settings| {
        s.tracker.as_ref().map(|t| format!("{} {:?} {:?}", t.kind.value, val(&t.url), val(&t.project)))
    };
    compare(
        out,
        &Change::new(Kind::Settings, path),
        vec![
            ("schema-version", Kind::Settings, val(&a.schema_version), val(&b.schema_version), None),
            ("protected branches", Kind::Settings, list(&a.protected_branches), list(&b.protected_branches), None),
            (
                "signatures required",
                Kind::Settings,
                Some(a.signatures_required.to_string()),
                Some(b.signatures_required.to_string()),
                None,
            ),
            ("tracker", Kind::Settings, tracker(a), tracker(b), None),
            ("base-url", Kind::Settings, val(&a.base_url), val(&b.base_url), None),
            ("forge-url", Kind::Settings, val(&a.forge_url), val(&b.forge_url), None),
        ],
    );
}

fn people(out: &mut Vec<Change>, path: &str, a: &[Entity], b: &[Entity]) {
    // What identifies a person to kept (and so carries their roles), apart from what describes them.
    let identity = |e: &Entity| {
        let forge: Vec<String> = e.forge.iter().map(|(k, v)| format!("{}={}", k.value, v.value)).collect();
        format!("{:?} {:?} {:?} {:?}", val(&e.email), forge, list(&e.signing_keys), val(&e.member_of))
    };
    let details = |e: &Entity| format!("{:?} {:?} {}", text(&e.name), val(&e.sector), e.organisation);
    let find = |v: &[Entity], id: &str| v.iter().find(|e| e.id.value == id).cloned();
    let mut ids: Vec<&str> = a.iter().map(|e| e.id.value.as_str()).collect();
    for e in b {
        if !ids.contains(&e.id.value.as_str()) {
            ids.push(&e.id.value);
        }
    }
    for id in ids {
        let mut c = Change::new(Kind::People, path);
        c.item = Some(id.to_string());
        match (find(a, id), find(b, id)) {
            (None, Some(e)) => {
                c.to = val(&e.member_of).or_else(|| Some("present".into()));
                c.note = Some("added".into());
                c.field = e.member_of.as_ref().map(|_| "identity".to_string());
                c.loc = Some(e.id.loc);
                out.push(c);
            }
            (Some(_), None) => {
                c.from = Some("present".into());
                c.note = Some("removed".into());
                out.push(c);
            }
            (Some(ea), Some(eb)) => {
                if identity(&ea) != identity(&eb) {
                    let mut changed = Vec::new();
                    if val(&ea.email) != val(&eb.email) {
                        changed.push("email");
                    }
                    if ea
                        .forge
                        .iter()
                        .map(|(k, v)| (&k.value, &v.value))
                        .ne(eb.forge.iter().map(|(k, v)| (&k.value, &v.value)))
                    {
                        changed.push("forge handles");
                    }
                    if list(&ea.signing_keys) != list(&eb.signing_keys) {
                        changed.push("signing keys");
                    }
                    if val(&ea.member_of) != val(&eb.member_of) {
                        changed.push("organisation");
                    }
                    let mut i = c.clone().field("identity", val(&ea.member_of), val(&eb.member_of));
                    i.note = Some(format!("{} changed", changed.join(", ")));
                    i.loc = Some(eb.id.loc);
                    out.push(i);
                }
                if details(&ea) != details(&eb) {
                    let mut d = c.field("details", None, None);
                    d.note = Some("name or sector changed".into());
                    d.loc = Some(eb.id.loc);
                    out.push(d);
                }
            }
            (None, None) => {}
        }
    }
}
