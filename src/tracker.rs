//! Issue trackers kept in step with milestones: one client per forge behind one trait.
//!
//! A client turns what the sync engine wants done ([`Action`]) into the forge's HTTP request
//! ([`Request`], plain data: `kept sync --dry-run` prints these without sending them) and
//! reads the forge's issues back as [`Issue`]. Retries, rate limits, conditional reads and
//! pagination live in [`http`], shared by every client.

pub mod gitea;
pub mod github;
pub mod gitlab;
pub mod http;
pub mod redmine;

pub use http::{Http, Options, Request, Stats};

/// The label every issue kept manages carries.
pub const KEPT_LABEL_NAME: &str = "kept";

/// The hidden marker that ties an issue to its milestone, in the issue body. A lost sync
/// state is recovered by finding these, never by creating a second issue.
pub fn marker(key: &str) -> String {
    format!("<!-- kept:milestone {key} -->")
}

/// The milestone key a body's marker names, if it has one.
pub fn marker_key(body: &str) -> Option<&str> {
    let start = body.find("<!-- kept:milestone ")? + "<!-- kept:milestone ".len();
    let end = start + body[start..].find(" -->")?;
    Some(body[start..end].trim()).filter(|k| !k.is_empty() && !k.contains(char::is_whitespace))
}

/// An issue as the tracker has it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issue {
    /// The number (GitHub, Gitea), iid (GitLab) or id (Redmine).
    pub number: u64,
    /// Its web page.
    pub url: String,
    /// Title.
    pub title: String,
    /// Body (Markdown).
    pub body: String,
    /// Open or closed.
    pub open: bool,
    /// Why it was closed: `completed` or `not_planned`.
    pub state_reason: Option<String>,
    /// Label names, sorted.
    pub labels: Vec<String>,
    /// When it was closed (RFC 3339).
    pub closed_at: Option<String>,
    /// Who closed it, where the tracker says.
    pub closed_by: Option<Actor>,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// The tracker milestone it is in (GitHub's number, Gitea's and GitLab's id).
    #[serde(default)]
    pub milestone: Option<u64>,
    /// Its due date (YYYY-MM-DD), on trackers whose issues have one.
    #[serde(default)]
    pub due: Option<String>,
}

/// A person in the tracker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    /// Login or user name.
    pub login: String,
    /// Display name, where known.
    pub name: Option<String>,
    /// Email, where known (else the forge's no-reply address is used for attribution).
    pub email: Option<String>,
}

/// What the repository says an issue should be.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Draft {
    /// Title.
    pub title: String,
    /// Body, with the marker.
    pub body: String,
    /// Label names, sorted.
    pub labels: Vec<String>,
    /// Open, or closed with a reason (`completed`, `not_planned`).
    pub open: bool,
    /// The reason when closed.
    pub state_reason: Option<String>,
    /// The milestone's start (YYYY-MM-DD), for trackers with dates (Redmine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The milestone's due date, likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The tracker milestone (its commitment's) the issue belongs in, when commitments are
    /// kept as tracker milestones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<u64>,
}

impl Draft {
    /// Whether an issue already says what the draft says.
    pub fn matches(&self, issue: &Issue) -> bool {
        issue.title == self.title
            && issue.body.trim_end() == self.body.trim_end()
            && issue.labels == self.labels
            && issue.open == self.open
            // A tracker without close reasons (Gitea) carries withdrawn in the status label.
            && (self.open || issue.state_reason.is_none() || issue.state_reason == self.state_reason)
            && (self.milestone.is_none() || issue.milestone == self.milestone)
            && (self.due.is_none() || issue.due == self.due)
    }
}

/// The hidden marker that ties a tracker milestone to its commitment, in its description.
pub fn commitment_marker(id: &str) -> String {
    format!("<!-- kept:commitment {id} -->")
}

/// The commitment id a description's marker names, if it has one.
pub fn commitment_marker_id(text: &str) -> Option<&str> {
    let start = text.find("<!-- kept:commitment ")? + "<!-- kept:commitment ".len();
    let end = start + text[start..].find(" -->")?;
    Some(text[start..end].trim()).filter(|k| !k.is_empty() && !k.contains(char::is_whitespace))
}

/// A tracker's milestone (GitLab and Gitea call them that too; a commitment is one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrackerMilestone {
    /// GitHub's number; Gitea's and GitLab's id (what an issue refers to it by).
    pub number: u64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Due date (YYYY-MM-DD).
    pub due: Option<String>,
    /// Open (active) or closed.
    pub open: bool,
}

/// A pull request (GitLab: merge request) on the forge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PullRequest {
    /// Its number (GitLab: iid).
    pub number: u64,
    /// Its web page.
    pub url: String,
    /// The branch it merges.
    pub head: String,
}

/// What the repository says a commitment's tracker milestone should be.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MilestoneDraft {
    /// Title.
    pub title: String,
    /// Description, with the commitment marker.
    pub description: String,
    /// Due date (YYYY-MM-DD): the commitment's end.
    pub due: Option<String>,
    /// Open while the commitment is under way.
    pub open: bool,
}

impl MilestoneDraft {
    /// Whether a tracker milestone already says what the draft says.
    pub fn matches(&self, m: &TrackerMilestone) -> bool {
        m.title == self.title
            && m.description.trim_end() == self.description.trim_end()
            && m.due.as_deref().and_then(|d| d.get(..10)) == self.due.as_deref()
            && m.open == self.open
    }
}

/// A label with its colour and description.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    /// Name.
    pub name: String,
    /// Colour, six hex digits.
    pub color: String,
    /// What it means.
    pub description: String,
}

/// A write the sync engine asks of the tracker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Create a label.
    CreateLabel(Label),
    /// Create an issue (open; a closed draft is closed by an update after).
    Create(Draft),
    /// Make an issue say what the draft says.
    Update {
        /// The issue.
        number: u64,
        /// What it should say.
        draft: Draft,
    },
    /// Comment on an issue.
    Comment {
        /// The issue.
        number: u64,
        /// The comment.
        text: String,
    },
    /// Open a pull (merge) request from a branch.
    OpenPullRequest {
        /// The branch with the change.
        head: String,
        /// The branch to merge it into.
        base: String,
        /// Title.
        title: String,
        /// Description.
        body: String,
    },
    /// Create a tracker milestone for a commitment.
    CreateMilestone(MilestoneDraft),
    /// Make a tracker milestone say what the draft says.
    UpdateMilestone {
        /// The milestone.
        number: u64,
        /// What it should say.
        draft: MilestoneDraft,
    },
}

/// Why the tracker could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    /// The tracker answered with an error status.
    #[error("{method} {url} answered {status}: {message}")]
    Status {
        /// The method.
        method: String,
        /// The address (never with credentials).
        url: String,
        /// The status code.
        status: u16,
        /// The tracker's message.
        message: String,
    },
    /// The request did not complete (connection, timeout).
    #[error("{method} {url} failed")]
    Transport {
        /// The method.
        method: String,
        /// The address.
        url: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The rate limit is spent for longer than kept waits.
    #[error("the tracker's rate limit is spent until {reset}; run again then")]
    RateLimited {
        /// When it resets (seconds since the epoch), as the tracker says.
        reset: String,
    },
    /// The answer was not what the tracker's API describes.
    #[error("{url} answered something kept cannot read: {message}")]
    Decode {
        /// The address.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The settings do not name a usable tracker.
    #[error("{0}")]
    Config(String),
}

/// One tracker's API, as the sync engine uses it.
pub trait Tracker {
    /// The tracker's kind (`github`).
    fn kind(&self) -> &'static str;
    /// The client's HTTP.
    fn http(&self) -> &Http;
    /// The client's HTTP, to send with.
    fn http_mut(&mut self) -> &mut Http;
    /// Every issue in any state, paged.
    fn list_url(&self) -> String;
    /// The newest issues first, one page: where an issue whose create failed midway would be.
    fn recent_url(&self) -> String;
    /// One issue.
    fn issue_url(&self, number: u64) -> String;
    /// The project's labels, paged.
    fn labels_url(&self) -> String;
    /// An issue from the tracker's JSON (`None` for a pull request or something else).
    fn parse(&self, v: &serde_json::Value) -> Option<Issue>;
    /// The HTTP requests that perform an action, in order (data only: nothing is sent).
    fn requests(&self, action: &Action) -> Vec<Request>;
    /// Whether an issue can be created closed (else it is closed by an update after).
    fn creates_closed(&self) -> bool {
        false
    }
    /// Whether the tracker's issues have due dates (GitHub's do not: its milestones do).
    fn has_due_dates(&self) -> bool {
        false
    }
    /// Whether the tracker has labels (Redmine has none: its statuses carry the status).
    fn has_labels(&self) -> bool {
        true
    }

    /// Every item of a paged list (by `Link`, unless the tracker pages otherwise).
    fn list(&mut self, url: &str) -> Result<Vec<serde_json::Value>, TrackerError> {
        self.http_mut().get_all(url)
    }

    /// The items of one page of a list.
    fn page(&mut self, url: &str) -> Result<Vec<serde_json::Value>, TrackerError> {
        Ok(self.http_mut().get(url)?.body.as_array().cloned().unwrap_or_default())
    }

    /// The issues with a kept marker among a list's items.
    fn marked(&self, items: &[serde_json::Value]) -> Vec<Issue> {
        items.iter().filter_map(|v| self.parse(v)).filter(|i| marker_key(&i.body).is_some()).collect()
    }

    /// Every issue that carries a kept marker, in any state (a marker is searched in all of
    /// them, so an issue whose `kept` label was removed by hand is still found).
    fn issues(&mut self) -> Result<Vec<Issue>, TrackerError> {
        let url = self.list_url();
        let items = self.list(&url)?;
        Ok(self.marked(&items))
    }

    /// The most recently created issues with a kept marker (one page).
    fn recent(&mut self) -> Result<Vec<Issue>, TrackerError> {
        let url = self.recent_url();
        let items = self.page(&url)?;
        Ok(self.marked(&items))
    }

    /// One issue, in full (with who closed it, which lists leave out).
    fn issue(&mut self, number: u64) -> Result<Issue, TrackerError> {
        let url = self.issue_url(number);
        let response = self.http_mut().get(&url)?;
        self.parse(&response.body).ok_or(TrackerError::Decode { url, message: "the answer is not an issue".into() })
    }

    /// Where an issue's history of changes is (events, timeline), if the tracker keeps one.
    fn history_urls(&self, _number: u64) -> Vec<String> {
        Vec::new()
    }

    /// A status change in an issue's history (closed, reopened, a `status: ` label added or
    /// removed): when (RFC 3339) and who. `None` for anything else.
    fn status_event(&self, _item: &serde_json::Value) -> Option<(String, Actor)> {
        None
    }

    /// Where the tracker's milestones are listed (all states), if it has them.
    fn milestones_url(&self) -> Option<String> {
        None
    }

    /// A tracker milestone from the tracker's JSON.
    fn parse_milestone(&self, _v: &serde_json::Value) -> Option<TrackerMilestone> {
        None
    }

    /// Every tracker milestone, in any state (none for a tracker without them).
    fn milestones(&mut self) -> Result<Vec<TrackerMilestone>, TrackerError> {
        let Some(url) = self.milestones_url() else { return Ok(Vec::new()) };
        let items = self.list(&url)?;
        Ok(items.iter().filter_map(|v| self.parse_milestone(v)).collect())
    }

    /// Create or update a tracker milestone; returns it as it now is.
    fn apply_milestone(&mut self, action: &Action) -> Result<Option<TrackerMilestone>, TrackerError> {
        let mut result = None;
        for request in self.requests(action) {
            let response = self.http_mut().send(&request)?;
            result = Some(self.parse_milestone(&response.body).ok_or_else(|| TrackerError::Decode {
                url: request.url.clone(),
                message: "the answer is not a milestone".into(),
            })?);
        }
        Ok(result)
    }

    /// Where the open pull requests from a branch are listed, if the forge has them.
    fn pulls_url(&self, _head: &str) -> Option<String> {
        None
    }

    /// A pull request from the forge's JSON.
    fn parse_pull(&self, _v: &serde_json::Value) -> Option<PullRequest> {
        None
    }

    /// Open a pull request ([`Action::OpenPullRequest`]), or find the one already open from
    /// the same branch; `None` when the forge has no pull requests.
    fn open_pull(&mut self, action: &Action) -> Result<Option<PullRequest>, TrackerError> {
        let Action::OpenPullRequest { head, .. } = action else { return Ok(None) };
        let Some(url) = self.pulls_url(head) else { return Ok(None) };
        let open = self.list(&url)?;
        if let Some(p) = open.iter().filter_map(|v| self.parse_pull(v)).find(|p| &p.head == head) {
            return Ok(Some(p));
        }
        let mut result = None;
        for request in self.requests(action) {
            let response = self.http_mut().send(&request)?;
            result = self.parse_pull(&response.body);
        }
        Ok(result)
    }

    /// Who made the issue's latest status change, from its history; else who closed it,
    /// where the issue says. The plan's commit credits them with `Co-authored-by`.
    fn changed_by(&mut self, issue: &Issue) -> Result<Option<Actor>, TrackerError> {
        let mut latest: Option<(String, Actor)> = None;
        for url in self.history_urls(issue.number) {
            for item in self.list(&url)? {
                if let Some((at, actor)) = self.status_event(&item)
                    && latest.as_ref().is_none_or(|(t, _)| at >= *t)
                {
                    latest = Some((at, actor));
                }
            }
        }
        Ok(latest.map(|(_, a)| a).or_else(|| issue.closed_by.clone()))
    }

    /// The names of the labels the project has.
    fn labels(&mut self) -> Result<Vec<String>, TrackerError> {
        let url = self.labels_url();
        let items = self.list(&url)?;
        Ok(items.iter().filter_map(|l| l.get("name")?.as_str().map(str::to_string)).collect())
    }

    /// Perform an action; an issue action returns the issue as it now is.
    fn apply(&mut self, action: &Action) -> Result<Option<Issue>, TrackerError> {
        let mut result = None;
        for request in self.requests(action) {
            let response = self.http_mut().send(&request)?;
            if matches!(action, Action::Create(_) | Action::Update { .. }) {
                let issue = self.parse(&response.body).ok_or_else(|| TrackerError::Decode {
                    url: request.url.clone(),
                    message: "the answer is not an issue".into(),
                })?;
                result = Some(issue);
            }
        }
        Ok(result)
    }

    /// Requests made, retried and answered from the cache so far.
    fn stats(&self) -> &Stats {
        self.http().stats()
    }

    /// The conditional-read cache, to keep for the next run.
    fn cache(&self) -> &http::Cache {
        self.http().cache()
    }
}

/// The names in a list of label objects (or plain names), sorted.
pub(crate) fn label_names(labels: Option<&serde_json::Value>) -> Vec<String> {
    let mut names: Vec<String> = labels
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str().map(str::to_string).or_else(|| l.get("name")?.as_str().map(str::to_string)))
        .collect();
    names.sort();
    names
}

/// A tracker milestone from JSON, by the keys the forge uses for its id and due date; open
/// unless its `state` is `closed`.
pub(crate) fn milestone_of(v: &serde_json::Value, id: &str, due: &str) -> Option<TrackerMilestone> {
    let text = |k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::to_string);
    Some(TrackerMilestone {
        number: v.get(id)?.as_u64()?,
        title: text("title")?,
        description: text("description").unwrap_or_default(),
        due: text(due).and_then(|d| d.get(..10).map(str::to_string)),
        open: text("state").as_deref() != Some("closed"),
    })
}

/// The tracker milestone an issue's JSON names, by the key the forge refers to it with.
pub(crate) fn issue_milestone(v: &serde_json::Value, id: &str) -> Option<u64> {
    v.get("milestone").filter(|m| !m.is_null())?.get(id)?.as_u64()
}

/// A day (YYYY-MM-DD) as the start-of-day timestamp GitHub and Gitea take for due dates.
pub(crate) fn day_start(day: &str) -> String {
    format!("{day}T00:00:00Z")
}

/// Whether a label is one of kept's status labels.
pub(crate) fn is_status_label(name: &str) -> bool {
    name.starts_with("status: ")
}

/// A person from a forge's user object, by the keys that forge uses.
pub(crate) fn actor_of(user: &serde_json::Value, login: &str, name: &str) -> Option<Actor> {
    let text = |k: &str| user.get(k).and_then(serde_json::Value::as_str).filter(|v| !v.is_empty()).map(str::to_string);
    Some(Actor { login: text(login)?, name: text(name), email: text("email") })
}

/// Check that a project is written `owner/name`.
pub(crate) fn owner_name(project: &str, forge: &str) -> Result<(), TrackerError> {
    let parts: Vec<&str> = project.split('/').collect();
    if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
        return Err(TrackerError::Config(format!(
            "[tracker] project = \"{project}\" is not a {forge} repository; write it as \"owner/name\""
        )));
    }
    Ok(())
}

/// The default API address of a tracker kind, for those that have one.
pub fn default_url(kind: &str) -> Option<&'static str> {
    match kind {
        "github" => Some("https://api.github.com"),
        "gitlab" => Some("https://gitlab.com/api/v4"),
        _ => None,
    }
}

/// The API address `[tracker]` names, or its kind's default (empty when it has none).
pub fn address(settings: &crate::plan::Tracker) -> String {
    settings
        .url
        .as_ref()
        .map(|u| u.value.clone())
        .or_else(|| default_url(&settings.kind.value).map(str::to_string))
        .unwrap_or_default()
}

/// A client for the tracker that `[tracker]` in kept.toml names.
pub fn connect(
    settings: &crate::plan::Tracker,
    token: Option<&str>,
    options: Options,
    cache: http::Cache,
) -> Result<Box<dyn Tracker>, TrackerError> {
    let kind = settings.kind.value.as_str();
    let url = settings.url.as_ref().map(|u| u.value.as_str()).or(default_url(kind)).ok_or_else(|| {
        TrackerError::Config(format!("[tracker] in kept.toml needs url = \"...\": {kind} has no default address"))
    })?;
    let project = settings
        .project
        .as_ref()
        .map(|p| p.value.as_str())
        .ok_or_else(|| TrackerError::Config("[tracker] in kept.toml needs project = \"...\"".into()))?;
    match kind {
        "github" => Ok(Box::new(github::GitHub::new(url, project, token, options, cache)?)),
        "gitea" => Ok(Box::new(gitea::Gitea::new(url, project, token, options, cache)?)),
        "gitlab" => Ok(Box::new(gitlab::GitLab::new(url, project, token, options, cache)?)),
        "redmine" => {
            let names = settings.statuses.iter().map(|(status, name)| (status.clone(), name.value.clone())).collect();
            Ok(Box::new(redmine::Redmine::new(url, project, token, options, cache)?.with_status_names(names)))
        }
        other => Err(TrackerError::Config(format!("kept sync does not speak to {other}"))),
    }
}

/// The token for a tracker: `KEPT_TRACKER_TOKEN`, or else the credentials file (outside any
/// repository): `$KEPT_CREDENTIALS`, or `$XDG_CONFIG_HOME/kept/credentials.toml` (by default
/// `~/.config/kept/credentials.toml`), a table per API address:
///
/// ```toml
/// ["https://api.github.com"]
/// token = "..."
/// ```
pub fn token(url: &str) -> Result<Option<String>, TrackerError> {
    if let Some(t) = std::env::var("KEPT_TRACKER_TOKEN").ok().filter(|t| !t.trim().is_empty()) {
        return Ok(Some(t.trim().to_string()));
    }
    let path = match std::env::var_os("KEPT_CREDENTIALS") {
        Some(p) => std::path::PathBuf::from(p),
        None => match std::env::var_os("XDG_CONFIG_HOME").or_else(|| {
            std::env::var_os("HOME").map(|h| {
                let mut p = std::path::PathBuf::from(h);
                p.push(".config");
                p.into_os_string()
            })
        }) {
            Some(dir) => std::path::PathBuf::from(dir).join("kept").join("credentials.toml"),
            None => return Ok(None),
        },
    };
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        // The message names the place, never the file's contents (it holds secrets).
        TrackerError::Config(format!("{} is not valid TOML ({}); fix or remove it", path.display(), e.message()))
    })?;
    Ok(table
        .get(url.trim_end_matches('/'))
        .or_else(|| table.get(url))
        .and_then(|t| t.get("token"))
        .and_then(|t| t.as_str())
        .map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        let body = format!("Text\n\n{}\n", marker("UAYAB0001/M2"));
        assert_eq!(marker_key(&body), Some("UAYAB0001/M2"));
        assert_eq!(marker_key("no marker"), None);
        assert_eq!(marker_key("<!-- kept:milestone  -->"), None);
    }
}
