//! Who may change what: identities from commits mapped to people.toml, roles from kept.toml,
//! and the permission each kind of change needs (DESIGN.md "Roles").
//!
//! Defaults: anyone may propose anything through a pull request; approvals, amendments and
//! changes to an approved commitment's core need an approver; assessments and
//! end-of-commitment reports belong to monitors alone; a commitment's lead and a milestone's
//! responsible may report its milestones; role changes need a coordinator and an approver.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::diff::{Change, Kind};
use crate::plan::{Commitment, Entity, Settings};

/// A role in kept.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Runs the process and curates the plan.
    Coordinator,
    /// Approves commitments and amendments.
    Approver,
    /// The independent monitoring body.
    Monitor,
    /// Automation (tracker sync).
    Bot,
}

impl Role {
    /// All roles, in order.
    pub const ALL: [Role; 4] = [Role::Coordinator, Role::Approver, Role::Monitor, Role::Bot];

    /// The key in kept.toml.
    pub fn key(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Approver => "approver",
            Role::Monitor => "monitor",
            Role::Bot => "bot",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Who made a change, as far as the plan knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The people.toml id, if the person is known.
    pub person: Option<String>,
    /// Their roles.
    pub roles: BTreeSet<Role>,
    /// How they appear in git.
    pub shown: String,
}

/// What a change needs of whoever makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// One of these roles.
    AnyOf(Vec<Role>),
    /// One of these roles, or to be the commitment's lead or the milestone's responsible.
    ReporterOr(Vec<Role>),
    /// Both a coordinator and an approver (one may author, the other commit or merge).
    CoordinatorAndApprover,
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |v: &[Role]| v.iter().map(|r| r.key()).collect::<Vec<_>>().join(" or ");
        match self {
            Need::AnyOf(v) => write!(f, "{}", names(v)),
            Need::ReporterOr(v) => write!(f, "the commitment's lead, the milestone's responsible, or {}", names(v)),
            Need::CoordinatorAndApprover => f.write_str("a coordinator and an approver"),
        }
    }
}

/// The people and roles a change is judged against (the plan before the change).
pub struct Authority<'a> {
    /// kept.toml.
    pub settings: Option<&'a Settings>,
    /// people.toml.
    pub people: &'a [Entity],
    /// The commitment the change concerns, before the change.
    pub commitment: Option<&'a Commitment>,
}

impl Authority<'_> {
    /// Map a git name and email to a person and their roles.
    pub fn identify(&self, name: &str, email: &str) -> Identity {
        let shown = format!("{name} <{email}>");
        let person = match_person(self.people, email);
        let mut roles = BTreeSet::new();
        if let (Some(id), Some(settings)) = (&person, self.settings) {
            let org = self
                .people
                .iter()
                .find(|e| &e.id.value == id)
                .and_then(|e| e.member_of.as_ref())
                .map(|o| o.value.clone());
            for role in Role::ALL {
                let holders = settings.roles.get(role.key()).map(Vec::as_slice).unwrap_or_default();
                if holders.iter().any(|h| &h.value == id || Some(&h.value) == org.as_ref()) {
                    roles.insert(role);
                }
            }
        }
        Identity { person, roles, shown }
    }

    /// Whether the identity is the commitment's lead or the milestone's responsible (or a
    /// member of the organisation that is).
    pub fn reports_for(&self, who: &Identity, milestone: Option<&str>) -> bool {
        let (Some(c), Some(person)) = (self.commitment, &who.person) else { return false };
        // An automation account acts as the bot only, never for the organisation it sits in.
        let org = self
            .people
            .iter()
            .find(|e| &e.id.value == person)
            .and_then(|e| e.member_of.as_ref())
            .map(|o| &o.value)
            .filter(|_| !who.roles.contains(&Role::Bot));
        let is = |id: &str| id == person || Some(&id.to_string()) == org;
        if c.lead.as_ref().is_some_and(|l| is(&l.value)) {
            return true;
        }
        milestone.and_then(|m| c.milestone(m)).and_then(|m| m.responsible.as_ref()).is_some_and(|r| is(&r.value))
    }

    /// Whether an id (a person, or an organisation standing for its members) holds a role,
    /// directly or through the organisation the person belongs to.
    pub fn holds_role(&self, id: &str) -> bool {
        let Some(settings) = self.settings else { return false };
        let org =
            self.people.iter().find(|e| e.id.value == id).and_then(|e| e.member_of.as_ref()).map(|o| o.value.as_str());
        settings.roles.values().flatten().any(|h| h.value == id || Some(h.value.as_str()) == org)
    }

    /// Whether the identity reports for the commitment at all: its lead, or responsible for
    /// any of its milestones (for progress notes about it).
    pub fn reports_for_any(&self, who: &Identity) -> bool {
        let Some(c) = self.commitment else { return false };
        self.reports_for(who, None) || c.milestones.iter().any(|m| self.reports_for(who, Some(&m.id.value)))
    }

    /// Whether the commitment is approved (before the change).
    pub fn approved(&self) -> bool {
        self.commitment.and_then(|c| c.status.as_ref()).is_some_and(|s| crate::rules::is_approved_status(&s.value))
    }
}

/// Find the person with this email, or whose forge handle a forge's no-reply email carries
/// (`123+handle@users.noreply.github.com`, `123-handle@users.noreply.gitlab.com`).
pub fn match_person(people: &[Entity], email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    if let Some(p) = people.iter().find(|p| p.email.as_ref().is_some_and(|e| e.value.trim().to_lowercase() == email)) {
        return Some(p.id.value.clone());
    }
    let (local, domain) = email.split_once('@')?;
    let forge = if domain == "users.noreply.github.com" {
        "github"
    } else if domain.ends_with("noreply.gitlab.com") {
        "gitlab"
    } else if domain.starts_with("noreply.") {
        "gitea"
    } else {
        return None;
    };
    // GitHub: `ID+handle` (or just `handle`); GitLab: `ID-handle`; Gitea: `handle`.
    let handle = match forge {
        "github" => local.split_once('+').map_or(local, |(_, h)| h),
        "gitlab" => {
            local.split_once('-').filter(|(id, _)| id.bytes().all(|b| b.is_ascii_digit())).map_or(local, |(_, h)| h)
        }
        _ => local,
    };
    people
        .iter()
        .find(|p| p.forge.iter().any(|(f, h)| f.value == forge && h.value.to_lowercase() == handle))
        .map(|p| p.id.value.clone())
}

/// What a change needs of whoever makes it.
pub fn need(change: &Change, authority: &Authority<'_>) -> Need {
    use Role::*;
    let core = if authority.approved() { vec![Approver] } else { vec![Coordinator, Approver] };
    let approved = |s: Option<&str>| s.is_some_and(crate::rules::is_approved_status);
    match change.kind {
        Kind::Roles => Need::CoordinatorAndApprover,
        // Who a role holder is (email, handles, keys, organisation) carries their role.
        Kind::People
            if change.field.as_deref() == Some("identity")
                && (change.item.as_deref().is_some_and(|p| authority.holds_role(p))
                    || change.to.as_deref().is_some_and(|org| authority.holds_role(org))) =>
        {
            Need::CoordinatorAndApprover
        }
        Kind::Settings if matches!(change.field.as_deref(), Some("signatures required" | "protected branches")) => {
            Need::CoordinatorAndApprover
        }
        Kind::Assessment | Kind::EndReport => Need::AnyOf(vec![Monitor]),
        Kind::Approval | Kind::Amendment | Kind::CommitmentRemoved => Need::AnyOf(vec![Approver]),
        // Approving, and undoing an approval, are the approver's.
        Kind::CommitmentStatus if approved(change.from.as_deref()) || approved(change.to.as_deref()) => {
            Need::AnyOf(vec![Approver])
        }
        Kind::CommitmentStatus => Need::AnyOf(vec![Coordinator, Approver]),
        Kind::CommitmentAdded if approved(change.to.as_deref()) => Need::AnyOf(vec![Approver]),
        Kind::CommitmentAdded => Need::AnyOf(vec![Coordinator, Approver]),
        Kind::CommitmentCore
        | Kind::MilestoneCore
        | Kind::MilestoneAdded
        | Kind::MilestoneRemoved
        | Kind::NarrativeCore => Need::AnyOf(core),
        Kind::MilestoneStatus | Kind::MilestoneReport => Need::ReporterOr(vec![Coordinator, Bot]),
        Kind::MilestoneIssue => Need::AnyOf(vec![Coordinator, Bot]),
        Kind::Update => Need::ReporterOr(vec![Coordinator]),
        Kind::Phase
        | Kind::Step
        | Kind::Plan
        | Kind::Settings
        | Kind::People
        | Kind::CommitmentDetail
        | Kind::MilestoneResponsible
        | Kind::Narrative
        | Kind::Roadmap
        | Kind::Opportunities
        | Kind::Vision
        | Kind::Learning
        | Kind::File => Need::AnyOf(vec![Coordinator]),
    }
}

/// Whether the actors satisfy a need. `actors` are the author and, when different, the
/// committer or merger: one role each suffices for [`Need::CoordinatorAndApprover`].
pub fn satisfied(need: &Need, actors: &[Identity], authority: &Authority<'_>, milestone: Option<&str>) -> bool {
    match need {
        Need::AnyOf(roles) => actors.iter().any(|a| roles.iter().any(|r| a.roles.contains(r))),
        Need::ReporterOr(roles) => {
            actors.iter().any(|a| roles.iter().any(|r| a.roles.contains(r)) || authority.reports_for(a, milestone))
        }
        Need::CoordinatorAndApprover => {
            let coordinator = actors.iter().any(|a| a.roles.contains(&Role::Coordinator));
            let approver = actors.iter().any(|a| a.roles.contains(&Role::Approver));
            coordinator && approver
        }
    }
}
