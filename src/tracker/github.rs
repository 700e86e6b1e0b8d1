//! GitHub's REST API (also GitHub Enterprise, by base URL): issues and labels of one
//! repository. `Accept: application/vnd.github+json` and the API version header on every
//! request; list endpoints return pull requests too, which are skipped.

use serde_json::{Value, json};

use super::http::{Cache, Http, Method, Options, Request};
use super::{Action, Actor, Issue, MilestoneDraft, PullRequest, Tracker, TrackerError, TrackerMilestone};

/// The API version kept is written against.
pub const API_VERSION: &str = "2022-11-28";

/// A GitHub repository's issues.
#[derive(Debug)]
pub struct GitHub {
    http: Http,
    /// `https://api.github.com/repos/OWNER/NAME`.
    repo: String,
}

impl GitHub {
    /// The repository `project` (`owner/name`) at `base` (`https://api.github.com`).
    pub fn new(
        base: &str,
        project: &str,
        token: Option<&str>,
        options: Options,
        cache: Cache,
    ) -> Result<GitHub, TrackerError> {
        super::owner_name(project, "GitHub")?;
        let mut headers = vec![
            ("Accept".to_string(), "application/vnd.github+json".to_string()),
            ("X-GitHub-Api-Version".to_string(), API_VERSION.to_string()),
        ];
        if let Some(t) = token {
            headers.push(("Authorization".to_string(), format!("Bearer {t}")));
        }
        Ok(GitHub {
            http: Http::new(headers, options, cache)?,
            repo: format!("{}/repos/{project}", base.trim_end_matches('/')),
        })
    }
}

/// An issue from GitHub's JSON; `None` for a pull request or an item without a number.
fn issue(v: &Value) -> Option<Issue> {
    if v.get("pull_request").is_some() {
        return None;
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let labels = super::label_names(v.get("labels"));
    let closed_by = v.get("closed_by").filter(|c| !c.is_null()).and_then(|c| {
        Some(Actor {
            login: c.get("login")?.as_str()?.to_string(),
            name: c.get("name").and_then(Value::as_str).map(str::to_string),
            email: c.get("email").and_then(Value::as_str).map(str::to_string),
        })
    });
    Some(Issue {
        number: v.get("number")?.as_u64()?,
        url: s("html_url").unwrap_or_default(),
        title: s("title").unwrap_or_default(),
        body: s("body").unwrap_or_default(),
        open: s("state").as_deref() != Some("closed"),
        state_reason: s("state_reason"),
        labels,
        closed_at: s("closed_at"),
        closed_by,
        updated_at: s("updated_at").unwrap_or_default(),
        milestone: super::issue_milestone(v, "number"),
        due: None,
    })
}

/// A milestone's fields as GitHub takes them (`due_on` is a timestamp).
fn milestone_body(d: &MilestoneDraft) -> Value {
    json!({
        "title": d.title,
        "description": d.description,
        "due_on": d.due.as_deref().map(super::day_start),
        "state": if d.open { "open" } else { "closed" },
    })
}

impl Tracker for GitHub {
    fn kind(&self) -> &'static str {
        "github"
    }

    fn http(&self) -> &Http {
        &self.http
    }

    fn http_mut(&mut self) -> &mut Http {
        &mut self.http
    }

    fn list_url(&self) -> String {
        format!("{}/issues?state=all&per_page=100", self.repo)
    }

    fn recent_url(&self) -> String {
        format!("{}/issues?state=all&sort=created&direction=desc&per_page=50", self.repo)
    }

    fn issue_url(&self, number: u64) -> String {
        format!("{}/issues/{number}", self.repo)
    }

    fn labels_url(&self) -> String {
        format!("{}/labels?per_page=100", self.repo)
    }

    fn parse(&self, v: &Value) -> Option<Issue> {
        issue(v)
    }

    fn pulls_url(&self, head: &str) -> Option<String> {
        let owner = self.repo.rsplit('/').nth(1).unwrap_or_default();
        Some(format!("{}/pulls?state=open&head={owner}:{head}&per_page=100", self.repo))
    }

    fn parse_pull(&self, v: &Value) -> Option<PullRequest> {
        Some(PullRequest {
            number: v.get("number")?.as_u64()?,
            url: v.get("html_url")?.as_str()?.to_string(),
            head: v.get("head")?.get("ref")?.as_str()?.to_string(),
        })
    }

    fn milestones_url(&self) -> Option<String> {
        Some(format!("{}/milestones?state=all&per_page=100", self.repo))
    }

    fn parse_milestone(&self, v: &Value) -> Option<TrackerMilestone> {
        super::milestone_of(v, "number", "due_on")
    }

    fn history_urls(&self, number: u64) -> Vec<String> {
        vec![format!("{}/issues/{number}/events?per_page=100", self.repo)]
    }

    fn status_event(&self, v: &Value) -> Option<(String, Actor)> {
        let relevant = match v.get("event")?.as_str()? {
            "closed" | "reopened" => true,
            "labeled" | "unlabeled" => super::is_status_label(v.get("label")?.get("name")?.as_str()?),
            _ => false,
        };
        relevant.then_some(())?;
        Some((v.get("created_at")?.as_str()?.to_string(), super::actor_of(v.get("actor")?, "login", "name")?))
    }

    fn requests(&self, action: &Action) -> Vec<Request> {
        let (method, url, body) = match action {
            Action::CreateLabel(l) => (
                Method::Post,
                format!("{}/labels", self.repo),
                json!({"name": l.name, "color": l.color, "description": l.description}),
            ),
            Action::Create(d) => {
                let mut body = json!({"title": d.title, "body": d.body, "labels": d.labels});
                if let Some(m) = d.milestone {
                    body["milestone"] = json!(m);
                }
                (Method::Post, format!("{}/issues", self.repo), body)
            }
            Action::Update { number, draft: d } => {
                let mut body = json!({
                    "title": d.title,
                    "body": d.body,
                    "labels": d.labels,
                    "state": if d.open { "open" } else { "closed" },
                });
                if let (false, Some(reason)) = (d.open, &d.state_reason) {
                    body["state_reason"] = json!(reason);
                }
                if let Some(m) = d.milestone {
                    body["milestone"] = json!(m);
                }
                (Method::Patch, format!("{}/issues/{number}", self.repo), body)
            }
            Action::OpenPullRequest { head, base, title, body } => (
                Method::Post,
                format!("{}/pulls", self.repo),
                json!({"title": title, "head": head, "base": base, "body": body, "maintainer_can_modify": true}),
            ),
            Action::CreateMilestone(d) => (Method::Post, format!("{}/milestones", self.repo), milestone_body(d)),
            Action::UpdateMilestone { number, draft } => {
                (Method::Patch, format!("{}/milestones/{number}", self.repo), milestone_body(draft))
            }
            Action::Comment { number, text } => {
                (Method::Post, format!("{}/issues/{number}/comments", self.repo), json!({"body": text}))
            }
        };
        vec![Request { method, url, body: Some(body) }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_requests_are_not_issues() {
        let pr = json!({"number": 3, "title": "x", "state": "open", "pull_request": {"url": "..."}});
        assert!(issue(&pr).is_none());
        let i = json!({"number": 4, "title": "t", "body": null, "state": "closed", "state_reason": "completed",
            "labels": [{"name": "b"}, "a"], "html_url": "https://github.com/o/r/issues/4", "updated_at": "2026-01-01T00:00:00Z",
            "closed_by": {"login": "oksana"}});
        let i = issue(&i).unwrap();
        assert_eq!(i.labels, ["a", "b"]);
        assert!(!i.open && i.body.is_empty());
        assert_eq!(i.closed_by.unwrap().login, "oksana");
    }

    #[test]
    fn a_project_must_be_owner_and_name() {
        for bad in ["owner", "owner/", "/name", "a/b/c"] {
            assert!(
                GitHub::new("https://api.github.com", bad, None, Options::default(), Cache::default()).is_err(),
                "{bad}"
            );
        }
    }
}
