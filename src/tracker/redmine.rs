//! Redmine's REST API: issues of one project, with the API key in `X-Redmine-API-Key`.
//! Redmine has no labels and no close reasons: a milestone's status is the issue's status,
//! matched by name (New, In Progress, Feedback for delayed, Closed for completed, Rejected for
//! withdrawn, or the names set in `[tracker.statuses]`), and the issue carries the milestone's
//! start and due dates. Lists page by offset; an update answers 204 with no body, so the issue
//! is read back after it.

use serde_json::{Value, json};

use super::http::{Cache, Http, Method, Options, Request};
use super::{Action, Actor, Issue, Tracker, TrackerError};

/// The Redmine status each milestone status maps to, by name; the first that exists wins.
const STATUS_NAMES: &[(&str, &[&str])] = &[
    ("not-started", &["New"]),
    ("in-progress", &["In Progress"]),
    ("delayed", &["Feedback", "In Progress"]),
    ("completed", &["Closed", "Resolved"]),
    ("withdrawn", &["Rejected", "Closed"]),
];

/// Who wrote the last journal entry of an issue (`{"issue": {"journals": [...]}}`) that set
/// its status to one `to` accepts (a status id, as text).
fn status_journal(body: &Value, to: impl Fn(&str) -> bool) -> Option<Actor> {
    body["issue"]["journals"].as_array().into_iter().flatten().rev().find_map(|j| {
        let changes = j["details"]
            .as_array()?
            .iter()
            .any(|d| d["name"] == "status_id" && d["new_value"].as_str().is_some_and(&to));
        changes.then(|| Actor {
            login: j["user"]["name"].as_str().unwrap_or_default().to_string(),
            name: j["user"]["name"].as_str().map(str::to_string),
            email: None,
        })
    })
}

/// A Redmine project's issues.
#[derive(Debug)]
pub struct Redmine {
    http: Http,
    base: String,
    project: String,
    /// Issue statuses: (id, name, closed), read on first use.
    statuses: Vec<(u64, String, bool)>,
    /// Redmine status names chosen in `[tracker.statuses]`, by milestone status.
    names: Vec<(String, String)>,
}

impl Redmine {
    /// The project `project` (its identifier) at `base` (`https://HOST`).
    pub fn new(
        base: &str,
        project: &str,
        token: Option<&str>,
        options: Options,
        cache: Cache,
    ) -> Result<Redmine, TrackerError> {
        if project.is_empty() || !project.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(TrackerError::Config(format!(
                "[tracker] project = \"{project}\" is not a Redmine project identifier (letters, digits, - and _)"
            )));
        }
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some(t) = token {
            headers.push(("X-Redmine-API-Key".to_string(), t.to_string()));
        }
        Ok(Redmine {
            http: Http::new(headers, options, cache)?,
            base: base.trim_end_matches('/').to_string(),
            project: project.to_string(),
            statuses: Vec::new(),
            names: Vec::new(),
        })
    }

    /// Use these Redmine status names (`[tracker.statuses]`: milestone status, Redmine
    /// status) instead of the defaults; each must be one of the Redmine's statuses.
    pub fn with_status_names(mut self, names: Vec<(String, String)>) -> Redmine {
        self.names = names;
        self
    }

    fn statuses(&mut self) -> Result<(), TrackerError> {
        if self.statuses.is_empty() {
            let body = self.http.get(&format!("{}/issue_statuses.json", self.base))?.body;
            self.statuses = body["issue_statuses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| {
                    Some((
                        s["id"].as_u64()?,
                        s["name"].as_str()?.to_string(),
                        s["is_closed"].as_bool().unwrap_or(false),
                    ))
                })
                .collect();
            if let Some((status, name)) =
                self.names.iter().find(|(_, name)| !self.statuses.iter().any(|(_, n, _)| n == name))
            {
                let have: Vec<&str> = self.statuses.iter().map(|(_, n, _)| n.as_str()).collect();
                let e = TrackerError::Config(format!(
                    "[tracker.statuses] {status} = \"{name}\" in kept.toml: this Redmine has no status of that \
                     name; it has {}",
                    have.join(", ")
                ));
                self.statuses.clear();
                return Err(e);
            }
        }
        Ok(())
    }

    /// The Redmine status id for a milestone status: the configured name, else the first
    /// default name this Redmine has.
    fn status_id(&self, status: &str) -> Option<u64> {
        let id_of = |n: &str| self.statuses.iter().find(|(_, name, _)| name == n).map(|(id, ..)| *id);
        if let Some((_, name)) = self.names.iter().find(|(s, _)| s == status) {
            return id_of(name);
        }
        let names = STATUS_NAMES.iter().find(|(s, _)| *s == status).map_or(&[][..], |(_, n)| *n);
        names.iter().find_map(|n| id_of(n))
    }

    /// The milestone status a Redmine status name gives: the configured one, else by the
    /// default names, else by whether the status is closed.
    fn milestone_status(&self, name: &str, closed: bool) -> String {
        if let Some((status, _)) = self.names.iter().find(|(_, n)| n == name) {
            return status.clone();
        }
        match name {
            "New" => "not-started",
            "Feedback" => "delayed",
            "Rejected" => "withdrawn",
            _ if closed => "completed",
            _ => "in-progress",
        }
        .to_string()
    }

    /// Every page of a list, by offset.
    fn all(&mut self, url: &str) -> Result<Vec<Value>, TrackerError> {
        let mut items = Vec::new();
        loop {
            let page = self.http.get(&format!("{url}&limit=100&offset={}", items.len()))?.body;
            let got = page["issues"].as_array().cloned().unwrap_or_default();
            let total = page["total_count"].as_u64().unwrap_or(0) as usize;
            let empty = got.is_empty();
            items.extend(got);
            if empty || items.len() >= total {
                return Ok(items);
            }
        }
    }

    fn issue_of(&self, v: &Value) -> Option<Issue> {
        let id = v.get("id")?.as_u64()?;
        // Redmine keeps text with CRLF line ends.
        let body = v["description"].as_str().unwrap_or_default().replace("\r\n", "\n");
        let status = v["status"]["name"].as_str().unwrap_or_default();
        let closed = v["status"]["is_closed"]
            .as_bool()
            .or_else(|| {
                let sid = v["status"]["id"].as_u64()?;
                self.statuses.iter().find(|(i, ..)| *i == sid).map(|(.., c)| *c)
            })
            .unwrap_or(false);
        // Redmine has no labels: the ones kept would set are read back from the status and
        // the milestone the marker names.
        let milestone_status = self.milestone_status(status, closed);
        // Open or closed is the milestone status's, not the Redmine status's flag: a workflow
        // may finish tasks in a status it does not count as closed (Resolved).
        let open = !matches!(milestone_status.as_str(), "completed" | "withdrawn");
        let mut labels = vec![super::KEPT_LABEL_NAME.to_string(), format!("status: {milestone_status}")];
        if let Some(commitment) = super::marker_key(&body).and_then(|k| k.split('/').next()) {
            labels.push(format!("commitment: {commitment}"));
        }
        labels.sort();
        Some(Issue {
            number: id,
            url: format!("{}/issues/{id}", self.base),
            title: v["subject"].as_str().unwrap_or_default().to_string(),
            body,
            open,
            state_reason: None,
            labels,
            closed_at: v["closed_on"].as_str().map(str::to_string),
            closed_by: None,
            updated_at: v["updated_on"].as_str().unwrap_or_default().to_string(),
            milestone: None,
            due: v["due_date"].as_str().map(str::to_string),
        })
    }
}

impl Tracker for Redmine {
    fn kind(&self) -> &'static str {
        "redmine"
    }

    fn http(&self) -> &Http {
        &self.http
    }

    fn http_mut(&mut self) -> &mut Http {
        &mut self.http
    }

    fn list_url(&self) -> String {
        format!("{}/issues.json?project_id={}&status_id=*", self.base, self.project)
    }

    fn recent_url(&self) -> String {
        format!("{}/issues.json?project_id={}&status_id=*&sort=id:desc&limit=50", self.base, self.project)
    }

    fn issue_url(&self, number: u64) -> String {
        format!("{}/issues/{number}.json", self.base)
    }

    fn labels_url(&self) -> String {
        String::new()
    }

    fn parse(&self, v: &Value) -> Option<Issue> {
        self.issue_of(v.get("issue").unwrap_or(v))
    }

    fn has_labels(&self) -> bool {
        false
    }

    fn creates_closed(&self) -> bool {
        true
    }

    fn list(&mut self, url: &str) -> Result<Vec<Value>, TrackerError> {
        self.statuses()?;
        self.all(url)
    }

    fn page(&mut self, url: &str) -> Result<Vec<Value>, TrackerError> {
        self.statuses()?;
        Ok(self.http.get(url)?.body["issues"].as_array().cloned().unwrap_or_default())
    }

    fn issue(&mut self, number: u64) -> Result<Issue, TrackerError> {
        self.statuses()?;
        let url = format!("{}?include=journals", self.issue_url(number));
        let body = self.http.get(&url)?.body;
        let mut issue =
            self.parse(&body).ok_or(TrackerError::Decode { url, message: "the answer is not an issue".into() })?;
        // Who closed it: the last journal entry that moved the status to a closed one.
        let closed_ids: Vec<String> = self.statuses.iter().filter(|s| s.2).map(|s| s.0.to_string()).collect();
        issue.closed_by = status_journal(&body, |to| closed_ids.iter().any(|c| c == to));
        Ok(issue)
    }

    fn changed_by(&mut self, issue: &Issue) -> Result<Option<Actor>, TrackerError> {
        // Redmine's history is the issue's journal: the last entry that changed its status.
        let url = format!("{}?include=journals", self.issue_url(issue.number));
        let body = self.http.get(&url)?.body;
        Ok(status_journal(&body, |_| true).or_else(|| issue.closed_by.clone()))
    }

    fn labels(&mut self) -> Result<Vec<String>, TrackerError> {
        Ok(Vec::new())
    }

    fn has_due_dates(&self) -> bool {
        true
    }

    fn requests(&self, action: &Action) -> Vec<Request> {
        let fields = |d: &super::Draft| {
            let status = d.labels.iter().find_map(|l| l.strip_prefix("status: ")).unwrap_or("not-started");
            let mut issue =
                json!({"subject": d.title, "description": d.body, "start_date": d.start, "due_date": d.due});
            if let Some(id) = self.status_id(status) {
                issue["status_id"] = json!(id);
            }
            issue
        };
        match action {
            // Redmine has neither labels nor milestones (its versions are releases),
            // nor pull requests (it hosts no code review).
            Action::CreateLabel(_)
            | Action::CreateMilestone(_)
            | Action::UpdateMilestone { .. }
            | Action::OpenPullRequest { .. } => Vec::new(),
            Action::Create(d) => {
                let mut issue = fields(d);
                issue["project_id"] = json!(self.project);
                vec![Request {
                    method: Method::Post,
                    url: format!("{}/issues.json", self.base),
                    body: Some(json!({"issue": issue})),
                }]
            }
            Action::Update { number, draft } => vec![Request {
                method: Method::Put,
                url: format!("{}/issues/{number}.json", self.base),
                body: Some(json!({"issue": fields(draft)})),
            }],
            Action::Comment { number, text } => vec![Request {
                method: Method::Put,
                url: format!("{}/issues/{number}.json", self.base),
                body: Some(json!({"issue": {"notes": text}})),
            }],
        }
    }

    fn apply(&mut self, action: &Action) -> Result<Option<Issue>, TrackerError> {
        self.statuses()?;
        let mut result = None;
        for request in self.requests(action) {
            let response = self.http.send(&request)?;
            result = match action {
                Action::Create(_) => Some(self.parse(&response.body).ok_or_else(|| TrackerError::Decode {
                    url: request.url.clone(),
                    message: "the answer is not an issue".into(),
                })?),
                // Redmine answers an update with 204 and no body: read the issue back.
                Action::Update { number, .. } => Some(self.issue(*number)?),
                _ => None,
            };
        }
        Ok(result)
    }
}
