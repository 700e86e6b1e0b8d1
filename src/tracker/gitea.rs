//! Gitea's and Forgejo's API (v1): issues, labels and comments of one repository. Labels are
//! set by id (a separate request, replacing the issue's labels); issues can be created
//! closed; an edit answers 201; there is no close reason, so a withdrawn milestone's issue
//! is closed with the `status: withdrawn` label.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::http::{Cache, Http, Method, Options, Request};
use super::{Action, Actor, Issue, PullRequest, Tracker, TrackerError, TrackerMilestone};

/// A Gitea or Forgejo repository's issues.
#[derive(Debug)]
pub struct Gitea {
    http: Http,
    /// `https://HOST/api/v1/repos/OWNER/NAME`.
    repo: String,
    /// Label ids by name, as last listed or created.
    label_ids: BTreeMap<String, u64>,
}

impl Gitea {
    /// The repository `project` (`owner/name`) at `base` (`https://HOST/api/v1`).
    pub fn new(
        base: &str,
        project: &str,
        token: Option<&str>,
        options: Options,
        cache: Cache,
    ) -> Result<Gitea, TrackerError> {
        super::owner_name(project, "Gitea")?;
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some(t) = token {
            headers.push(("Authorization".to_string(), format!("token {t}")));
        }
        Ok(Gitea {
            http: Http::new(headers, options, cache)?,
            repo: format!("{}/repos/{project}", base.trim_end_matches('/')),
            label_ids: BTreeMap::new(),
        })
    }

    fn ids(&self, names: &[String]) -> Vec<u64> {
        names.iter().filter_map(|n| self.label_ids.get(n).copied()).collect()
    }

    fn learn(&mut self, labels: &Value) {
        for l in labels.as_array().into_iter().flatten() {
            if let (Some(name), Some(id)) = (l.get("name").and_then(Value::as_str), l.get("id").and_then(Value::as_u64))
            {
                self.label_ids.insert(name.to_string(), id);
            }
        }
    }
}

/// An issue from Gitea's JSON; `None` for a pull request.
fn issue(v: &Value) -> Option<Issue> {
    if v.get("pull_request").is_some_and(|p| !p.is_null()) {
        return None;
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let labels = super::label_names(v.get("labels"));
    Some(Issue {
        number: v.get("number")?.as_u64()?,
        url: s("html_url").unwrap_or_default(),
        title: s("title").unwrap_or_default(),
        body: s("body").unwrap_or_default(),
        open: s("state").as_deref() != Some("closed"),
        state_reason: None,
        labels,
        closed_at: s("closed_at"),
        closed_by: None,
        updated_at: s("updated_at").unwrap_or_default(),
        milestone: super::issue_milestone(v, "id"),
        due: v.get("due_date").and_then(Value::as_str).and_then(|d| d.get(..10)).map(str::to_string),
    })
}

/// An issue's deadline as Gitea takes it: a timestamp (Gitea keeps the day).
fn deadline(d: &super::Draft) -> Option<String> {
    d.due.as_deref().map(super::day_start)
}

impl Tracker for Gitea {
    fn kind(&self) -> &'static str {
        "gitea"
    }

    fn http(&self) -> &Http {
        &self.http
    }

    fn http_mut(&mut self) -> &mut Http {
        &mut self.http
    }

    fn list_url(&self) -> String {
        format!("{}/issues?state=all&type=issues&limit=50", self.repo)
    }

    fn recent_url(&self) -> String {
        // Gitea lists the newest first.
        format!("{}/issues?state=all&type=issues&limit=50&page=1", self.repo)
    }

    fn issue_url(&self, number: u64) -> String {
        format!("{}/issues/{number}", self.repo)
    }

    fn labels_url(&self) -> String {
        format!("{}/labels?limit=50", self.repo)
    }

    fn parse(&self, v: &Value) -> Option<Issue> {
        issue(v)
    }

    fn history_urls(&self, number: u64) -> Vec<String> {
        vec![format!("{}/issues/{number}/timeline?limit=50", self.repo)]
    }

    fn status_event(&self, v: &Value) -> Option<(String, Actor)> {
        let relevant = match v.get("type")?.as_str()? {
            "close" | "reopen" => true,
            "label" => super::is_status_label(v.get("label")?.get("name")?.as_str()?),
            _ => false,
        };
        relevant.then_some(())?;
        Some((v.get("created_at")?.as_str()?.to_string(), super::actor_of(v.get("user")?, "login", "full_name")?))
    }

    fn requests(&self, action: &Action) -> Vec<Request> {
        let r = |method, url: String, body: Value| Request { method, url, body: Some(body) };
        match action {
            Action::CreateLabel(l) => vec![r(
                Method::Post,
                format!("{}/labels", self.repo),
                json!({"name": l.name, "color": format!("#{}", l.color), "description": l.description}),
            )],
            Action::Create(d) => {
                let mut body = json!({"title": d.title, "body": d.body, "labels": self.ids(&d.labels), "closed": !d.open,
                    "due_date": deadline(d)});
                if let Some(m) = d.milestone {
                    body["milestone"] = json!(m);
                }
                vec![r(Method::Post, format!("{}/issues", self.repo), body)]
            }
            Action::Update { number, draft: d } => vec![
                r(Method::Patch, format!("{}/issues/{number}", self.repo), {
                    let mut body = json!({"title": d.title, "body": d.body,
                        "state": if d.open { "open" } else { "closed" }, "due_date": deadline(d)});
                    if let Some(m) = d.milestone {
                        body["milestone"] = json!(m);
                    }
                    body
                }),
                r(Method::Put, format!("{}/issues/{number}/labels", self.repo), json!({"labels": self.ids(&d.labels)})),
            ],
            Action::Comment { number, text } => {
                vec![r(Method::Post, format!("{}/issues/{number}/comments", self.repo), json!({"body": text}))]
            }
            Action::OpenPullRequest { head, base, title, body } => vec![r(
                Method::Post,
                format!("{}/pulls", self.repo),
                json!({"head": head, "base": base, "title": title, "body": body}),
            )],
            Action::CreateMilestone(d) | Action::UpdateMilestone { draft: d, .. } => {
                let body = json!({
                    "title": d.title,
                    "description": d.description,
                    "due_on": d.due.as_deref().map(super::day_start),
                    "state": if d.open { "open" } else { "closed" },
                });
                match action {
                    Action::UpdateMilestone { number, .. } => {
                        vec![r(Method::Patch, format!("{}/milestones/{number}", self.repo), body)]
                    }
                    _ => vec![r(Method::Post, format!("{}/milestones", self.repo), body)],
                }
            }
        }
    }

    fn pulls_url(&self, _head: &str) -> Option<String> {
        Some(format!("{}/pulls?state=open&limit=50", self.repo))
    }

    fn parse_pull(&self, v: &Value) -> Option<PullRequest> {
        Some(PullRequest {
            number: v.get("number")?.as_u64()?,
            url: v.get("html_url")?.as_str()?.to_string(),
            head: v.get("head")?.get("ref")?.as_str()?.to_string(),
        })
    }

    fn has_due_dates(&self) -> bool {
        true
    }

    fn milestones_url(&self) -> Option<String> {
        Some(format!("{}/milestones?state=all&limit=50", self.repo))
    }

    fn parse_milestone(&self, v: &Value) -> Option<TrackerMilestone> {
        super::milestone_of(v, "id", "due_on")
    }

    fn labels(&mut self) -> Result<Vec<String>, TrackerError> {
        let url = self.labels_url();
        let items = Value::Array(self.http.get_all(&url)?);
        self.learn(&items);
        Ok(items.as_array().into_iter().flatten().filter_map(|l| l.get("name")?.as_str().map(str::to_string)).collect())
    }

    fn creates_closed(&self) -> bool {
        true
    }

    fn apply(&mut self, action: &Action) -> Result<Option<Issue>, TrackerError> {
        let requests = self.requests(action);
        let mut result = None;
        for request in &requests {
            let response = self.http.send(request)?;
            match (action, request.method) {
                (Action::CreateLabel(_), _) => self.learn(&Value::Array(vec![response.body.clone()])),
                (Action::Create(_), _) | (Action::Update { .. }, Method::Patch) => {
                    result = Some(issue(&response.body).ok_or_else(|| TrackerError::Decode {
                        url: request.url.clone(),
                        message: "the answer is not an issue".into(),
                    })?);
                }
                (Action::Update { .. }, Method::Put) => {
                    // The answer is the issue's labels now.
                    if let Some(i) = result.as_mut() {
                        i.labels = super::label_names(Some(&response.body));
                    }
                }
                _ => {}
            }
        }
        Ok(result)
    }
}
