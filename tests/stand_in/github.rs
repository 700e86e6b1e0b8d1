//! A stateful stand-in for GitHub's REST API (issues, labels, comments of one repository),
//! on loopback, following GitHub's documented behaviour: list endpoints paginate with a
//! `Link` header and include pull requests; every answer carries an ETag and a matching
//! `If-None-Match` gets 304 (which does not count against the rate limit); rate-limit headers
//! on every answer, 403 with `x-ratelimit-remaining: 0` when the limit is spent; the media type
//! `application/vnd.github+json` and a bearer token are required. Faults are injected on
//! demand: error statuses, 429 with `retry-after`, dropped connections and slow answers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::server::{Answer, Incoming, RateWindow, Traffic, error, etag};

use serde_json::{Value, json};

/// Everything the stand-in keeps.
#[derive(Debug, Default)]
pub struct State {
    pub issues: BTreeMap<u64, Value>,
    pub labels: BTreeMap<String, Value>,
    pub comments: Vec<(u64, String)>,
    /// Milestones by number.
    pub milestones: BTreeMap<u64, Value>,
    /// Pull requests opened through the API.
    pub pulls: Vec<Value>,
    /// The repository's git directory, where a pull request's branches must exist.
    pub git_dir: Option<std::path::PathBuf>,
    /// Each issue's events (closed, reopened, labeled, unlabeled), oldest first.
    pub events: BTreeMap<u64, Vec<Value>>,
    pub next_number: u64,
    pub traffic: Traffic,
    /// The primary rate limit (5,000 an hour unless a test sets another).
    pub rate: RateWindow,
    pub token: String,
    pub clock: u64,
}

impl State {
    /// Close an issue as a person would in the web interface.
    pub fn close(&mut self, number: u64, reason: &str, login: &str) {
        let at = self.now();
        let i = self.issues.get_mut(&number).expect("the issue exists");
        i["state"] = json!("closed");
        i["state_reason"] = json!(reason);
        i["closed_at"] = json!(at);
        i["updated_at"] = json!(at);
        i["closed_by"] = json!({"login": login, "id": 4242, "type": "User"});
        self.event(number, "closed", login, None, at);
    }

    /// The number of the issue that follows a milestone (`UAYAB0005/M2`), by its marker.
    pub fn number_of(&self, key: &str) -> u64 {
        let marker = format!("kept:milestone {key} ");
        *self.issues.iter().find(|(_, i)| i["body"].as_str().unwrap_or("").contains(&marker)).expect("an issue").0
    }

    /// Reopen an issue as a person would.
    pub fn reopen(&mut self, number: u64, login: &str) {
        let at = self.now();
        let i = self.issues.get_mut(&number).expect("the issue exists");
        i["state"] = json!("open");
        i["state_reason"] = json!("reopened");
        i["closed_at"] = Value::Null;
        i["closed_by"] = Value::Null;
        i["updated_at"] = json!(at);
        self.event(number, "reopened", login, None, at);
    }

    /// Set an issue's labels as a person would, one event per label added or removed.
    pub fn relabel(&mut self, number: u64, names: &[&str], login: &str) {
        let at = self.now();
        let labels = labels_of(self, &json!(names));
        let before = self.issues[&number]["labels"].clone();
        let i = self.issues.get_mut(&number).expect("the issue exists");
        i["labels"] = labels.clone();
        i["updated_at"] = json!(at);
        self.label_events(number, &before, &labels, login, &at);
    }

    /// The events of a label change.
    fn label_events(&mut self, number: u64, before: &Value, after: &Value, login: &str, at: &str) {
        let names = |v: &Value| -> Vec<String> {
            v.as_array().into_iter().flatten().filter_map(|l| l["name"].as_str().map(str::to_string)).collect()
        };
        let (before, after) = (names(before), names(after));
        for n in after.iter().filter(|n| !before.contains(n)) {
            self.event(number, "labeled", login, Some(n), at.to_string());
        }
        for n in before.iter().filter(|n| !after.contains(n)) {
            self.event(number, "unlabeled", login, Some(n), at.to_string());
        }
    }

    fn event(&mut self, number: u64, kind: &str, login: &str, label: Option<&str>, at: String) {
        let list = self.events.entry(number).or_default();
        let mut e = json!({"id": list.len() + 1, "event": kind, "actor": {"login": login, "id": 4242, "type": "User"},
            "created_at": at});
        if let Some(name) = label {
            e["label"] = json!({"name": name, "color": "ededed"});
        }
        list.push(e);
    }

    fn now(&mut self) -> String {
        self.clock += 60;
        let t = 1_795_000_000 + self.clock;
        let days = t / 86_400;
        let secs = t % 86_400;
        let date = kept::Date::from_days(days as i64);
        format!("{date}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
    }
}

/// The running stand-in.
pub struct GitHub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

pub const OWNER_REPO: &str = "yablunivka/open-gov-plan";

impl GitHub {
    /// Start it on a free loopback port.
    pub fn start(token: &str) -> GitHub {
        let state = Arc::new(Mutex::new(State {
            next_number: 1,
            rate: RateWindow::new(5000, std::time::Duration::from_secs(3600)),
            token: token.to_string(),
            ..State::default()
        }));
        // A pull request sits among the issues, as on GitHub.
        {
            let mut s = state.lock().unwrap();
            let n = s.next_number;
            s.next_number += 1;
            s.issues.insert(
                n,
                json!({"number": n, "title": "A pull request", "body": "<!-- kept:milestone UAYAB0001/M1 -->", "state": "open",
                    "labels": [], "pull_request": {"url": "x"}, "html_url": format!("https://github.com/{OWNER_REPO}/pull/{n}"),
                    "updated_at": "2026-01-01T00:00:00Z", "closed_at": null, "state_reason": null}),
            );
        }
        let url = super::server::start(state.clone());
        GitHub { url, state }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

fn answer(s: &mut State, req: &Incoming, base: &str) -> Answer {
    if req.headers.get("accept").map(String::as_str) != Some("application/vnd.github+json") {
        return error(415, "Unsupported 'Accept' header");
    }
    if req.headers.get("authorization") != Some(&format!("Bearer {}", s.token)) {
        return error(401, "Bad credentials");
    }
    let prefix = format!("/repos/{OWNER_REPO}");
    let Some(rest) = req.path.strip_prefix(&prefix) else { return error(404, "Not Found") };
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let is_get = req.method == "GET";
    if is_get {
        if let ["issues", n] = segments.as_slice() {
            let Some(issue) = n.parse::<u64>().ok().and_then(|n| s.issues.get(&n)) else {
                return error(404, "Not Found");
            };
            let body = issue.clone();
            let tag = etag(&body);
            if req.headers.get("if-none-match") == Some(&tag) {
                return (304, vec![("etag".into(), tag)], Value::Null);
            }
            if s.rate.take().is_err() {
                return error(403, "API rate limit exceeded");
            }
            return (200, vec![("etag".into(), tag)], body);
        }
        let items: Vec<Value> = match segments.as_slice() {
            ["issues"] => {
                let state_filter = req.query.get("state").map_or("open", String::as_str);
                // Newest first, as GitHub sorts by default.
                s.issues
                    .values()
                    .rev()
                    .filter(|i| state_filter == "all" || i["state"] == state_filter)
                    // As on GitHub, who closed an issue is only in the issue itself.
                    .map(|i| {
                        let mut i = i.clone();
                        i.as_object_mut().unwrap().remove("closed_by");
                        i
                    })
                    .collect()
            }
            ["labels"] => s.labels.values().cloned().collect(),
            ["pulls"] => {
                // `head` is `owner:branch`; `state` defaults to open.
                let head = req.query.get("head").map(|h| h.split_once(':').map_or(h.as_str(), |(_, b)| b));
                let state = req.query.get("state").map_or("open", String::as_str);
                s.pulls
                    .iter()
                    .filter(|p| state == "all" || p["state"] == state)
                    .filter(|p| head.is_none_or(|h| p["head"]["ref"] == h))
                    .cloned()
                    .collect()
            }
            ["milestones"] => {
                let state_filter = req.query.get("state").map_or("open", String::as_str);
                s.milestones.values().filter(|m| state_filter == "all" || m["state"] == state_filter).cloned().collect()
            }
            ["issues", n, "events"] => match n.parse::<u64>().ok().filter(|n| s.issues.contains_key(n)) {
                Some(n) => s.events.get(&n).cloned().unwrap_or_default(),
                None => return error(404, "Not Found"),
            },
            _ => return error(404, "Not Found"),
        };
        let per_page: usize = req.query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30).clamp(1, 100);
        let page: usize = req.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
        let pages = items.len().div_ceil(per_page).max(1);
        let body = Value::Array(items.into_iter().skip((page - 1) * per_page).take(per_page).collect());
        let tag = etag(&body);
        let mut headers = vec![("etag".to_string(), tag.clone())];
        if page < pages {
            let mut q = req.query.clone();
            q.insert("page".into(), (page + 1).to_string());
            let next = format!(
                "{base}{}?{}",
                req.path,
                q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
            );
            q.insert("page".into(), pages.to_string());
            let last = format!(
                "{base}{}?{}",
                req.path,
                q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
            );
            headers.push(("link".into(), format!("<{next}>; rel=\"next\", <{last}>; rel=\"last\"")));
        }
        if req.headers.get("if-none-match") == Some(&tag) {
            // Not counted against the rate limit.
            return (304, headers, Value::Null);
        }
        if s.rate.take().is_err() {
            return error(403, "API rate limit exceeded");
        }
        return (200, headers, body);
    }
    if s.rate.take().is_err() {
        return error(403, "API rate limit exceeded");
    }
    let now = s.now();
    match (req.method.as_str(), segments.as_slice()) {
        ("POST", ["labels"]) => {
            let Some(name) = req.body["name"].as_str() else { return error(422, "Validation Failed") };
            if s.labels.contains_key(name) {
                return (
                    422,
                    vec![],
                    json!({"message": "Validation Failed", "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}]}),
                );
            }
            let label = json!({"name": name, "color": req.body["color"], "description": req.body["description"]});
            s.labels.insert(name.to_string(), label.clone());
            (201, vec![], label)
        }
        ("POST", ["issues"]) => {
            let Some(title) = req.body["title"].as_str().filter(|t| !t.is_empty()) else {
                return (
                    422,
                    vec![],
                    json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "missing_field", "field": "title"}]}),
                );
            };
            let Ok(milestone) = milestone_of(s, &req.body) else { return invalid_milestone() };
            let n = s.next_number;
            s.next_number += 1;
            let labels = labels_of(s, &req.body["labels"]);
            let issue = json!({"number": n, "title": title, "body": req.body["body"], "state": "open", "state_reason": null,
                "labels": labels, "html_url": format!("https://github.com/{OWNER_REPO}/issues/{n}"),
                "created_at": now, "updated_at": now, "closed_at": null, "milestone": milestone});
            s.issues.insert(n, issue.clone());
            (201, vec![], issue)
        }
        ("PATCH", ["issues", n]) => {
            let Ok(n) = n.parse::<u64>() else { return error(404, "Not Found") };
            let labels = (!req.body["labels"].is_null()).then(|| labels_of(s, &req.body["labels"]));
            let Ok(milestone) = milestone_of(s, &req.body) else { return invalid_milestone() };
            let Some(before) = s.issues.get(&n).cloned() else { return error(404, "Not Found") };
            let issue = s.issues.get_mut(&n).unwrap();
            if req.body.get("milestone").is_some() {
                issue["milestone"] = milestone;
            }
            for key in ["title", "body"] {
                if !req.body[key].is_null() {
                    issue[key] = req.body[key].clone();
                }
            }
            if let Some(l) = labels {
                issue["labels"] = l;
            }
            match req.body["state"].as_str() {
                Some("closed") if issue["state"] != "closed" => {
                    issue["state"] = json!("closed");
                    issue["closed_at"] = json!(now);
                    issue["state_reason"] = req.body.get("state_reason").cloned().unwrap_or(json!("completed"));
                }
                Some("closed") => {
                    if let Some(r) = req.body.get("state_reason") {
                        issue["state_reason"] = r.clone();
                    }
                }
                Some("open") if issue["state"] == "closed" => {
                    issue["state"] = json!("open");
                    issue["closed_at"] = Value::Null;
                    issue["state_reason"] = json!("reopened");
                }
                Some("open") | None => {}
                Some(_) => return error(422, "Validation Failed"),
            }
            issue["updated_at"] = json!(now);
            let after = issue.clone();
            // The token's user (the plan's bot) made these changes.
            let bot = "yablunivka-kept-bot";
            if before["state"] != after["state"] {
                let kind = if after["state"] == "closed" { "closed" } else { "reopened" };
                s.event(n, kind, bot, None, now.clone());
            }
            s.label_events(n, &before["labels"], &after["labels"], bot, &now);
            (200, vec![], after)
        }
        ("POST", ["pulls"]) => {
            let (Some(head), Some(base)) = (req.body["head"].as_str(), req.body["base"].as_str()) else {
                return error(422, "Validation Failed");
            };
            let exists = |branch: &str| super::server::branch_exists(s.git_dir.as_deref(), branch);
            if !exists(head) || !exists(base) {
                return (
                    422,
                    vec![],
                    json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "field": "head", "code": "invalid"}]}),
                );
            }
            if s.pulls.iter().any(|p| p["state"] == "open" && p["head"]["ref"] == head) {
                return (
                    422,
                    vec![],
                    json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom",
                        "message": format!("A pull request already exists for yablunivka:{head}.")}]}),
                );
            }
            let n = s.next_number;
            s.next_number += 1;
            let pr = json!({"number": n, "state": "open", "title": req.body["title"], "body": req.body["body"],
                "head": {"ref": head, "label": format!("yablunivka:{head}")}, "base": {"ref": base},
                "html_url": format!("https://github.com/{OWNER_REPO}/pull/{n}"), "created_at": now});
            s.pulls.push(pr.clone());
            (201, vec![], pr)
        }
        ("POST", ["milestones"]) => {
            let Some(title) = req.body["title"].as_str().filter(|t| !t.is_empty()) else {
                return error(422, "Validation Failed");
            };
            if s.milestones.values().any(|m| m["title"] == title) {
                return (
                    422,
                    vec![],
                    json!({"message": "Validation Failed", "errors": [{"resource": "Milestone", "code": "already_exists", "field": "title"}]}),
                );
            }
            let n = s.milestones.len() as u64 + 1;
            let mut m = json!({"number": n, "id": 9000 + n, "title": title, "description": null, "due_on": null,
                "state": "open", "html_url": format!("https://github.com/{OWNER_REPO}/milestone/{n}"),
                "created_at": now, "updated_at": now, "closed_at": null});
            super::server::edit_milestone(&mut m, &req.body, &now, github_due);
            s.milestones.insert(n, m.clone());
            (201, vec![], m)
        }
        ("PATCH", ["milestones", n]) => {
            let Some(m) = n.parse::<u64>().ok().and_then(|n| s.milestones.get_mut(&n)) else {
                return error(404, "Not Found");
            };
            super::server::edit_milestone(m, &req.body, &now, github_due);
            (200, vec![], m.clone())
        }
        ("POST", ["issues", n, "comments"]) => {
            let Ok(n) = n.parse::<u64>() else { return error(404, "Not Found") };
            if !s.issues.contains_key(&n) {
                return error(404, "Not Found");
            }
            let text = req.body["body"].as_str().unwrap_or_default().to_string();
            s.comments.push((n, text.clone()));
            (201, vec![], json!({"id": s.comments.len(), "body": text}))
        }
        _ => error(404, "Not Found"),
    }
}

/// The milestone object a request's `milestone` names: `Ok(null)` for none or `null`, an
/// error for a number that is not a milestone.
fn milestone_of(s: &State, body: &Value) -> Result<Value, ()> {
    match body.get("milestone") {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(n) => n.as_u64().and_then(|n| s.milestones.get(&n)).cloned().ok_or(()),
    }
}

fn invalid_milestone() -> Answer {
    (
        422,
        vec![],
        json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "invalid", "field": "milestone"}]}),
    )
}

/// GitHub keeps a milestone's due date at 07:00 UTC, whatever time was sent (a known quirk:
/// clients must compare dates, not timestamps).
fn github_due(due: &str) -> String {
    format!("{}T07:00:00Z", due.get(..10).unwrap_or(due))
}

/// Label objects for names; names not yet defined are created, as GitHub does.
fn labels_of(s: &mut State, names: &Value) -> Value {
    let names: Vec<String> =
        names.as_array().into_iter().flatten().filter_map(|n| n.as_str().map(str::to_string)).collect();
    Value::Array(
        names
            .into_iter()
            .map(|n| {
                s.labels
                    .entry(n.clone())
                    .or_insert_with(|| json!({"name": n, "color": "ededed", "description": null}))
                    .clone()
            })
            .collect(),
    )
}

impl super::server::Service for State {
    fn traffic(&mut self) -> &mut Traffic {
        &mut self.traffic
    }

    fn answer(&mut self, req: &Incoming, base: &str) -> Answer {
        answer(self, req, base)
    }

    fn headers(&self) -> Vec<(String, String)> {
        vec![
            ("x-ratelimit-limit".into(), self.rate.limit.to_string()),
            ("x-ratelimit-remaining".into(), self.rate.remaining.to_string()),
            ("x-ratelimit-reset".into(), self.rate.reset_epoch().to_string()),
            ("x-ratelimit-used".into(), (self.rate.limit - self.rate.remaining).to_string()),
            ("x-ratelimit-resource".into(), "core".into()),
        ]
    }
}
