//! GitLab's REST API (v4): issues, labels and notes of one project, by its path. Issues are
//! addressed by `iid` (the number in the project), not by `id`; labels are names, sent as a
//! comma-separated list; an issue is closed or reopened with `state_event`; there is no close
//! reason, so a withdrawn milestone's issue is closed with the `status: withdrawn` label.

use serde_json::{Value, json};

use super::http::{Cache, Http, Method, Options, Request};
use super::{Action, Actor, Issue, PullRequest, Tracker, TrackerError, TrackerMilestone};

/// A GitLab project's issues.
#[derive(Debug)]
pub struct GitLab {
    http: Http,
    /// `https://HOST/api/v4/projects/GROUP%2FNAME`.
    project: String,
}

impl GitLab {
    /// The project `project` (`group/name`, subgroups allowed, or a numeric id) at `base`
    /// (`https://gitlab.com/api/v4`).
    pub fn new(
        base: &str,
        project: &str,
        token: Option<&str>,
        options: Options,
        cache: Cache,
    ) -> Result<GitLab, TrackerError> {
        if project.is_empty() || project.split('/').any(str::is_empty) {
            return Err(TrackerError::Config(format!(
                "[tracker] project = \"{project}\" is not a GitLab project; write its path (\"group/name\") or id"
            )));
        }
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some(t) = token {
            headers.push(("PRIVATE-TOKEN".to_string(), t.to_string()));
        }
        let id: String = project
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        Ok(GitLab {
            http: Http::new(headers, options, cache)?,
            project: format!("{}/projects/{id}", base.trim_end_matches('/')),
        })
    }
}

/// An issue from GitLab's JSON.
fn issue(v: &Value) -> Option<Issue> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let closed_by = v.get("closed_by").filter(|c| !c.is_null()).and_then(|c| {
        Some(Actor {
            login: c.get("username")?.as_str()?.to_string(),
            name: c.get("name").and_then(Value::as_str).map(str::to_string),
            email: None,
        })
    });
    Some(Issue {
        number: v.get("iid")?.as_u64()?,
        url: s("web_url").unwrap_or_default(),
        title: s("title").unwrap_or_default(),
        body: s("description").unwrap_or_default(),
        open: s("state").as_deref() != Some("closed"),
        state_reason: None,
        labels: super::label_names(v.get("labels")),
        closed_at: s("closed_at"),
        closed_by,
        updated_at: s("updated_at").unwrap_or_default(),
        milestone: super::issue_milestone(v, "id"),
        due: s("due_date").and_then(|d| d.get(..10).map(str::to_string)),
    })
}

impl Tracker for GitLab {
    fn kind(&self) -> &'static str {
        "gitlab"
    }

    fn http(&self) -> &Http {
        &self.http
    }

    fn http_mut(&mut self) -> &mut Http {
        &mut self.http
    }

    fn list_url(&self) -> String {
        format!("{}/issues?state=all&per_page=100", self.project)
    }

    fn recent_url(&self) -> String {
        format!("{}/issues?state=all&order_by=created_at&sort=desc&per_page=50", self.project)
    }

    fn issue_url(&self, number: u64) -> String {
        format!("{}/issues/{number}", self.project)
    }

    fn labels_url(&self) -> String {
        format!("{}/labels?per_page=100", self.project)
    }

    fn parse(&self, v: &Value) -> Option<Issue> {
        issue(v)
    }

    fn pulls_url(&self, head: &str) -> Option<String> {
        Some(format!("{}/merge_requests?state=opened&source_branch={head}&per_page=100", self.project))
    }

    fn parse_pull(&self, v: &Value) -> Option<PullRequest> {
        Some(PullRequest {
            number: v.get("iid")?.as_u64()?,
            url: v.get("web_url")?.as_str()?.to_string(),
            head: v.get("source_branch")?.as_str()?.to_string(),
        })
    }

    fn has_due_dates(&self) -> bool {
        true
    }

    fn milestones_url(&self) -> Option<String> {
        Some(format!("{}/milestones?per_page=100", self.project))
    }

    fn parse_milestone(&self, v: &Value) -> Option<TrackerMilestone> {
        super::milestone_of(v, "id", "due_date")
    }

    fn history_urls(&self, iid: u64) -> Vec<String> {
        ["resource_state_events", "resource_label_events"]
            .iter()
            .map(|kind| format!("{}/issues/{iid}/{kind}?per_page=100", self.project))
            .collect()
    }

    fn status_event(&self, v: &Value) -> Option<(String, Actor)> {
        let relevant = match v.get("state").and_then(Value::as_str) {
            Some(state) => matches!(state, "closed" | "reopened"),
            None => super::is_status_label(v.get("label")?.get("name")?.as_str()?),
        };
        relevant.then_some(())?;
        Some((v.get("created_at")?.as_str()?.to_string(), super::actor_of(v.get("user")?, "username", "name")?))
    }

    fn requests(&self, action: &Action) -> Vec<Request> {
        let (method, url, body) = match action {
            Action::CreateLabel(l) => (
                Method::Post,
                format!("{}/labels", self.project),
                json!({"name": l.name, "color": format!("#{}", l.color), "description": l.description}),
            ),
            Action::Create(d) => {
                let mut body = json!({"title": d.title, "description": d.body, "labels": d.labels.join(","),
                    "due_date": d.due});
                if let Some(m) = d.milestone {
                    body["milestone_id"] = json!(m);
                }
                (Method::Post, format!("{}/issues", self.project), body)
            }
            Action::Update { number, draft: d } => {
                let mut body = json!({"title": d.title, "description": d.body, "labels": d.labels.join(","),
                    "due_date": d.due, "state_event": if d.open { "reopen" } else { "close" }});
                if let Some(m) = d.milestone {
                    body["milestone_id"] = json!(m);
                }
                (Method::Put, format!("{}/issues/{number}", self.project), body)
            }
            Action::Comment { number, text } => {
                (Method::Post, format!("{}/issues/{number}/notes", self.project), json!({"body": text}))
            }
            Action::OpenPullRequest { head, base, title, body } => (
                Method::Post,
                format!("{}/merge_requests", self.project),
                json!({"source_branch": head, "target_branch": base, "title": title, "description": body,
                    "remove_source_branch": true}),
            ),
            // GitLab creates milestones active; a closed one is closed by an update after.
            Action::CreateMilestone(d) => (
                Method::Post,
                format!("{}/milestones", self.project),
                json!({"title": d.title, "description": d.description, "due_date": d.due}),
            ),
            Action::UpdateMilestone { number, draft: d } => (
                Method::Put,
                format!("{}/milestones/{number}", self.project),
                json!({"title": d.title, "description": d.description, "due_date": d.due,
                    "state_event": if d.open { "activate" } else { "close" }}),
            ),
        };
        vec![Request { method, url, body: Some(body) }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_are_addressed_by_their_encoded_path() {
        let g =
            GitLab::new("https://gitlab.com/api/v4/", "yab/plans/open-gov", None, Options::default(), Cache::default())
                .unwrap();
        assert_eq!(g.project, "https://gitlab.com/api/v4/projects/yab%2Fplans%2Fopen-gov");
        assert!(
            GitLab::new("https://gitlab.com/api/v4", "yab//x", None, Options::default(), Cache::default()).is_err()
        );
    }
}
