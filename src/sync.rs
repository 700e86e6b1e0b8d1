//! `kept sync`: every milestone kept in step with one issue in the plan's tracker.
//!
//! The repository owns an issue's title, body and labels; status flows both ways. One pass
//! reads the tracker's issues (conditionally: an unchanged tracker answers 304), finds each
//! milestone's issue by the sync state or by the hidden marker in its body, and then:
//!
//! - no issue: create it (and close it, for a completed or withdrawn milestone);
//! - the issue differs from the repository and its status was not changed in the tracker
//!   since the last sync: update it;
//! - its status was changed in the tracker and not in the repository: leave the issue, and
//!   report the change as [`Incoming`], for the plan (a bot commit);
//! - both changed: the repository wins, the issue is updated and gets a comment saying so.
//!
//! One failing milestone is reported and skipped; the state is saved after every write, so
//! a pass stopped at any point resumes where it stopped, and a second pass right after a
//! first makes no write at all.

pub mod commit;
mod draft;
pub mod milestones;
pub mod pass;
pub mod propose;
pub mod state;

use std::collections::{BTreeMap, HashMap};

pub use draft::{KEPT_LABEL, draft, key, labels, status_label, status_of_label};
pub use state::{Item, State, fingerprint};

use crate::plan::Plan;
use crate::tracker::{Action, Issue, Request, Stats, Tracker, TrackerError};

/// What happened to one milestone's issue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum What {
    /// A new issue.
    Created,
    /// The issue was brought in line with the repository.
    Updated,
    /// Nothing to do.
    Unchanged,
    /// Its status changed in the tracker; the plan follows (see [`Incoming`]).
    ChangedInTracker,
    /// Both sides changed: the repository's version was kept, and the issue says so.
    Conflict,
    /// It failed; the rest went on.
    Failed,
}

/// One milestone's outcome.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    /// The milestone (`UAYAB0001/M2`).
    pub milestone: String,
    /// Its issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
    /// Its web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What happened.
    pub what: What,
    /// Why, for failures and conflicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A status change made in the tracker, for the plan to follow.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Incoming {
    /// The milestone.
    pub milestone: String,
    /// The commitment's directory.
    pub dir: String,
    /// The milestone id (`M2`).
    pub id: String,
    /// The issue.
    pub issue: Issue,
    /// The status the tracker now gives it.
    pub status: String,
    /// Who changed it there, as far as the tracker tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<crate::tracker::Actor>,
}

/// What a pass did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Per milestone, in plan order.
    pub outcomes: Vec<Outcome>,
    /// Status changes made in the tracker, for the plan.
    pub incoming: Vec<Incoming>,
    /// Issues with a marker whose milestone is not in the plan (left alone).
    pub orphans: Vec<(u64, String)>,
    /// Issues that carry the marker of a milestone another issue already has (left alone).
    pub duplicates: Vec<(u64, String)>,
    /// Labels created, or that failed.
    pub labels: Vec<String>,
    /// Per commitment, its tracker milestone (with `[tracker] milestones = true`); `issue` is
    /// the tracker milestone's number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tracker_milestones: Vec<Outcome>,
    /// Settings that could not be followed, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// With `--dry-run`: the writes a pass would make, in order.
    pub requests: Vec<Request>,
    /// Requests made, retried and answered from the cache.
    pub stats: Stats,
}

impl Report {
    /// How many milestones' outcomes are of a kind.
    pub fn count(&self, what: &What) -> usize {
        self.outcomes.iter().filter(|o| &o.what == what).count()
    }

    /// Whether anything failed: a milestone's issue or a commitment's tracker milestone.
    pub fn failed(&self) -> bool {
        self.outcomes.iter().chain(&self.tracker_milestones).any(|o| o.what == What::Failed)
    }
}

/// The plan's languages (English when it names none).
pub fn languages(plan: &Plan) -> Vec<String> {
    let l = plan.languages();
    if l.is_empty() { vec!["en".to_string()] } else { l }
}

/// The status an issue's state and labels give its milestone.
pub fn tracker_status(issue: &Issue) -> String {
    if !issue.open {
        let withdrawn = match issue.state_reason.as_deref() {
            Some(reason) => reason == "not_planned",
            // A tracker without close reasons: the status label says.
            None => issue.labels.iter().any(|l| status_of_label(l) == Some("withdrawn")),
        };
        return if withdrawn { "withdrawn" } else { "completed" }.into();
    }
    match issue.labels.iter().find_map(|l| status_of_label(l)) {
        Some(s) if !matches!(s, "completed" | "withdrawn") => s.to_string(),
        _ => "in-progress".into(),
    }
}

/// The status label an issue carries (`""` if none).
fn label_status(issue: &Issue) -> String {
    issue.labels.iter().find_map(|l| status_of_label(l)).unwrap_or_default().to_string()
}

/// Writes go through here: performed, or only listed for a dry run.
struct Writer<'t> {
    tracker: &'t mut dyn Tracker,
    dry_run: bool,
    requests: Vec<Request>,
}

impl Writer<'_> {
    fn write(&mut self, action: &Action) -> Result<Option<Issue>, TrackerError> {
        if self.dry_run {
            self.requests.extend(self.tracker.requests(action));
            return Ok(None);
        }
        self.tracker.apply(action)
    }

    fn write_milestone(&mut self, action: &Action) -> Result<Option<crate::tracker::TrackerMilestone>, TrackerError> {
        if self.dry_run {
            self.requests.extend(self.tracker.requests(action));
            return Ok(None);
        }
        self.tracker.apply_milestone(action)
    }
}

/// One pass over the plan's milestones. `save` is called with the state after every write.
pub fn sync(
    plan: &Plan,
    tracker: &mut dyn Tracker,
    state: &mut State,
    save: &mut dyn FnMut(&State),
    dry_run: bool,
) -> Result<Report, TrackerError> {
    let mut report = Report::default();
    let issues = tracker.issues()?;
    let by_number: HashMap<u64, &Issue> = issues.iter().map(|i| (i.number, i)).collect();
    let mut by_marker: BTreeMap<String, &Issue> = BTreeMap::new();
    for issue in &issues {
        let Some(key) = crate::tracker::marker_key(&issue.body) else { continue };
        match by_marker.get(key) {
            // The oldest issue is the milestone's; later copies are reported, not touched.
            Some(first) if first.number < issue.number => report.duplicates.push((issue.number, key.to_string())),
            Some(first) => {
                report.duplicates.push((first.number, key.to_string()));
                by_marker.insert(key.to_string(), issue);
            }
            None => {
                by_marker.insert(key.to_string(), issue);
            }
        }
    }
    let uses_labels = tracker.has_labels();
    let have: std::collections::HashSet<String> =
        if uses_labels { tracker.labels()?.into_iter().collect() } else { Default::default() };
    let mut writer = Writer { tracker, dry_run, requests: Vec::new() };
    for label in labels(plan).into_iter().filter(|l| uses_labels && !have.contains(&l.name)) {
        let name = label.name.clone();
        match writer.write(&Action::CreateLabel(label)) {
            Ok(_) => report.labels.push(format!("created {name}")),
            Err(e) => report.labels.push(format!("could not create {name}: {e}")),
        }
    }
    let wants_milestones =
        plan.settings.as_ref().and_then(|s| s.tracker.as_ref()).is_some_and(crate::plan::Tracker::uses_milestones);
    let mut milestone_numbers = BTreeMap::new();
    if wants_milestones && writer.tracker.milestones_url().is_none() {
        report.notes.push(format!(
            "[tracker] milestones = true: {} has no milestones, so commitments are not kept as milestones there",
            writer.tracker.kind()
        ));
    } else if wants_milestones {
        let (numbers, outcomes) = milestones::sync_milestones(&mut writer, plan)?;
        milestone_numbers = numbers;
        report.tracker_milestones = outcomes;
    }
    let mut planned = std::collections::HashSet::new();
    for c in &plan.commitments {
        for m in &c.milestones {
            let key = key(c, m);
            planned.insert(key.clone());
            let mut want = draft(plan, c, m);
            want.milestone = milestone_numbers.get(&c.id.value).copied();
            if !writer.tracker.has_due_dates() {
                want.due = None;
            }
            let known = state.items.get(&key).cloned();
            let issue = known.as_ref().and_then(|k| by_number.get(&k.issue).copied()).or(by_marker.get(&key).copied());
            let outcome = match issue {
                None => create(&mut writer, &key, &want, state, save),
                Some(issue) => {
                    let step =
                        Step { key: &key, want: &want, issue, known: known.as_ref(), dir: &c.dir, id: &m.id.value };
                    reconcile(&mut writer, step, state, save, &mut report.incoming)
                }
            };
            report.outcomes.push(outcome);
        }
    }
    report.orphans =
        by_marker.iter().filter(|(k, _)| !planned.contains(*k)).map(|(k, i)| (i.number, k.clone())).collect();
    // After writes, read the lists once more so the next pass starts from their ETags: with
    // nothing new, it then costs only conditional reads, answered 304. Failing to refresh
    // costs that next pass full reads, nothing else.
    if !dry_run && writer.tracker.stats().writes > 0 {
        let _ = writer.tracker.issues();
        if !report.labels.is_empty() {
            let _ = writer.tracker.labels();
        }
    }
    report.requests = writer.requests;
    report.stats = writer.tracker.stats().clone();
    Ok(report)
}

fn failed(key: &str, issue: Option<u64>, e: &TrackerError) -> Outcome {
    Outcome { milestone: key.to_string(), issue, url: None, what: What::Failed, detail: Some(e.to_string()) }
}

fn remember(state: &mut State, key: &str, issue: &Issue, want: &crate::tracker::Draft, save: &mut dyn FnMut(&State)) {
    let item = Item {
        issue: issue.number,
        url: issue.url.clone(),
        open: issue.open,
        status: label_status(issue),
        pushed: fingerprint(want),
    };
    state.items.insert(key.to_string(), item);
    save(state);
}

fn create(
    writer: &mut Writer<'_>,
    key: &str,
    want: &crate::tracker::Draft,
    state: &mut State,
    save: &mut dyn FnMut(&State),
) -> Outcome {
    let created = match create_once(writer, key, want) {
        Ok(i) => i,
        Err(e) => return failed(key, None, &e),
    };
    let Some(mut issue) = created else {
        // A dry run: the close that would follow a create is listed with an unknown number.
        if !want.open && !writer.tracker.creates_closed() {
            let _ = writer.write(&Action::Update { number: 0, draft: want.clone() });
        }
        return Outcome { milestone: key.into(), issue: None, url: None, what: What::Created, detail: None };
    };
    remember(state, key, &issue, want, save);
    if !want.matches(&issue) {
        // Trackers create issues open (and Redmine in its first status): close it, or set
        // its status, as a second step.
        match writer.write(&Action::Update { number: issue.number, draft: want.clone() }) {
            Ok(Some(closed)) => {
                issue = closed;
                remember(state, key, &issue, want, save);
            }
            Ok(None) => {}
            Err(e) => return failed(key, Some(issue.number), &e),
        }
    }
    Outcome {
        milestone: key.into(),
        issue: Some(issue.number),
        url: Some(issue.url),
        what: What::Created,
        detail: None,
    }
}

/// Tries at creating an issue.
const CREATE_TRIES: usize = 5;

/// Create an issue, trying again after failures that may have happened midway (a 5xx, a
/// dropped connection): before each new try, the newest issues are searched for the
/// marker, so a create the tracker did make is adopted, never made twice.
fn create_once(
    writer: &mut Writer<'_>,
    key: &str,
    want: &crate::tracker::Draft,
) -> Result<Option<Issue>, TrackerError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match writer.write(&Action::Create(want.clone())) {
            Ok(i) => return Ok(i),
            Err(e @ TrackerError::Status { status: 400..=499, .. }) => return Err(e),
            Err(e) if tries >= CREATE_TRIES => return Err(e),
            Err(e) => {
                let recent = writer.tracker.recent().map_err(|_| e)?;
                if let Some(made) = recent.into_iter().find(|i| crate::tracker::marker_key(&i.body) == Some(key)) {
                    return Ok(Some(made));
                }
            }
        }
    }
}

/// A milestone whose issue exists.
struct Step<'a> {
    key: &'a str,
    want: &'a crate::tracker::Draft,
    issue: &'a Issue,
    known: Option<&'a Item>,
    dir: &'a str,
    id: &'a str,
}

fn reconcile(
    writer: &mut Writer<'_>,
    step: Step<'_>,
    state: &mut State,
    save: &mut dyn FnMut(&State),
    incoming: &mut Vec<Incoming>,
) -> Outcome {
    let Step { key, want, issue, known, .. } = step;
    let outcome = |what: What, detail: Option<String>| Outcome {
        milestone: key.to_string(),
        issue: Some(issue.number),
        url: Some(issue.url.clone()),
        what,
        detail,
    };
    // Whether the issue's status moved in the tracker since the last sync, and whether the
    // repository's side moved.
    let tracker_moved = known.is_some_and(|k| k.open != issue.open || k.status != label_status(issue));
    let repo_moved = known.is_some_and(|k| k.pushed != fingerprint(want));
    let wanted_status = want.labels.iter().find_map(|l| status_of_label(l)).unwrap_or_default().to_string();
    if tracker_moved && !repo_moved && tracker_status(issue) != wanted_status {
        // Who did it, for the plan's commit; a history that cannot be read costs only that.
        let by = writer.tracker.changed_by(issue).unwrap_or_else(|_| issue.closed_by.clone());
        incoming.push(Incoming {
            milestone: key.to_string(),
            dir: step.dir.to_string(),
            id: step.id.to_string(),
            issue: issue.clone(),
            status: tracker_status(issue),
            by,
        });
        return outcome(What::ChangedInTracker, Some(format!("{} in the tracker", tracker_status(issue))));
    }
    if want.matches(issue) {
        if known
            .is_none_or(|k| k.pushed != fingerprint(want) || k.open != issue.open || k.status != label_status(issue))
        {
            remember(state, key, issue, want, save);
        }
        return outcome(What::Unchanged, None);
    }
    let conflict = tracker_moved && repo_moved && tracker_status(issue) != wanted_status;
    let updated = match writer.write(&Action::Update { number: issue.number, draft: want.clone() }) {
        Ok(u) => u,
        Err(e) => return failed(key, Some(issue.number), &e),
    };
    if let Some(u) = &updated {
        remember(state, key, u, want, save);
    }
    if conflict {
        let text = format!(
            "kept: this issue's status was changed here ({}) and the plan's milestone changed too ({}) since the last sync. The plan's version is kept; change the milestone in the plan to change it.",
            tracker_status(issue),
            wanted_status
        );
        if let Err(e) = writer.write(&Action::Comment { number: issue.number, text }) {
            return failed(key, Some(issue.number), &e);
        }
        return outcome(
            What::Conflict,
            Some(format!(
                "changed on both sides: the plan's {wanted_status} kept over the tracker's {}",
                tracker_status(issue)
            )),
        );
    }
    outcome(What::Updated, None)
}

/// After the plan follows the tracker (the bot's commit), record in the state that both sides
/// agree on what changed: the issue as it was seen, and the drafts of the plan as it now is.
/// Without this, the next pass would take the bot's own commit for a change made in the
/// repository, and a change made in the tracker meanwhile for a conflict.
pub fn acknowledge(plan: &Plan, report: &Report, state: &mut State) {
    for inc in &report.incoming {
        let Some((c, m)) =
            plan.commitments.iter().find(|c| c.dir == inc.dir).and_then(|c| Some((c, c.milestone(&inc.id)?)))
        else {
            continue;
        };
        if let Some(item) = state.items.get_mut(&inc.milestone) {
            item.open = inc.issue.open;
            item.status = label_status(&inc.issue);
            item.pushed = fingerprint(&draft(plan, c, m));
        }
    }
}

/// The edits that bring the plan in line with the tracker: the status changes made there,
/// and each milestone's issue address. Keyed by commitment directory, then milestone id.
pub fn write_backs(
    plan: &Plan,
    report: &Report,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, commit::MilestoneEdit>> {
    use commit::MilestoneEdit;
    let mut edits: std::collections::BTreeMap<String, std::collections::BTreeMap<String, MilestoneEdit>> =
        Default::default();
    for c in &plan.commitments {
        for m in &c.milestones {
            let key = key(c, m);
            let Some(url) = report.outcomes.iter().find(|o| o.milestone == key).and_then(|o| o.url.clone()) else {
                continue;
            };
            if m.issue.as_ref().map(|i| i.value.as_str()) != Some(url.as_str()) {
                edits.entry(c.dir.clone()).or_default().entry(m.id.value.clone()).or_default().issue = Some(url);
            }
        }
    }
    for inc in &report.incoming {
        let Some(m) = plan.commitments.iter().find(|c| c.dir == inc.dir).and_then(|c| c.milestone(&inc.id)) else {
            continue;
        };
        let was = m.status_str();
        let url = &inc.issue.url;
        let e = edits.entry(inc.dir.clone()).or_default().entry(inc.id.clone()).or_default();
        e.status = Some(inc.status.clone());
        e.issue = Some(url.clone());
        match inc.status.as_str() {
            "completed" => {
                e.completed_on = inc.issue.closed_at.as_deref().and_then(|t| crate::date::Date::parse(t.get(..10)?));
                e.evidence = Some(url.clone());
            }
            "withdrawn" => e.reasons.push(("withdrawn-reason", format!("Closed as not planned in the tracker: {url}"))),
            "delayed" => {
                e.reasons.push(("delay-reason", format!("Marked delayed in the tracker: {url}")));
                e.reasons.push(("next-steps", format!("See the discussion in the tracker: {url}")));
            }
            _ => {}
        }
        let reopening =
            matches!(was, "completed" | "withdrawn") || (inc.status == "not-started" && was != "not-started");
        if reopening {
            e.reasons.push(("reopen-reason", format!("Reopened in the tracker: {url}")));
            e.clear_completed_on = inc.status != "completed";
        }
    }
    edits
}
