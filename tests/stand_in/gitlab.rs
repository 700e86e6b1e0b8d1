//! A stateful stand-in for GitLab's REST API (v4): issues, labels and notes of one project
//! addressed by its encoded path, following the documented behaviour: issues by `iid`,
//! `description` for the body, labels as comma-separated names (defined ones are created as
//! used), `state_event` to close or reopen, `Link` pagination, `PRIVATE-TOKEN`. No ETags: the
//! issues list is not one of GitLab's conditionally cached endpoints. With a rate limit set,
//! every answer carries GitLab's `RateLimit-*` headers and a request over it gets 429 with
//! `Retry-After`, as GitLab.com answers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::server::{Answer, Incoming, RateWindow, Traffic, error};

pub const PROJECT: &str = "yablunivka/open-gov-plan";

/// Everything the stand-in keeps.
#[derive(Debug, Default)]
pub struct State {
    pub issues: BTreeMap<u64, Value>,
    pub labels: BTreeMap<String, Value>,
    pub notes: Vec<(u64, String)>,
    /// Milestones by id (GitLab's global id; `iid` counts within the project).
    pub milestones: BTreeMap<u64, Value>,
    /// Merge requests opened through the API.
    pub merge_requests: Vec<Value>,
    /// The repository's git directory, where a merge request's branches must exist.
    pub git_dir: Option<std::path::PathBuf>,
    /// Each issue's resource state events and resource label events, oldest first.
    pub state_events: BTreeMap<u64, Vec<Value>>,
    pub label_events: BTreeMap<u64, Vec<Value>>,
    pub next_iid: u64,
    pub traffic: Traffic,
    pub token: String,
    pub rate: Option<RateWindow>,
}

impl State {
    /// Close an issue as a person would.
    pub fn close(&mut self, iid: u64, username: &str) {
        let i = self.issues.get_mut(&iid).expect("the issue exists");
        i["state"] = json!("closed");
        i["closed_at"] = json!("2026-11-19T09:30:00.000Z");
        i["updated_at"] = json!("2026-11-19T09:30:00.000Z");
        i["closed_by"] = json!({"id": 7, "username": username, "name": username});
        self.state_event(iid, "closed", username, "2026-11-19T09:30:00.000Z");
    }

    /// Reopen an issue as a person would.
    pub fn reopen(&mut self, iid: u64, username: &str) {
        let i = self.issues.get_mut(&iid).expect("the issue exists");
        i["state"] = json!("opened");
        i["closed_at"] = Value::Null;
        i["closed_by"] = Value::Null;
        i["updated_at"] = json!("2026-11-19T10:00:00.000Z");
        self.state_event(iid, "reopened", username, "2026-11-19T10:00:00.000Z");
    }

    fn state_event(&mut self, iid: u64, state: &str, username: &str, at: &str) {
        let list = self.state_events.entry(iid).or_default();
        list.push(json!({"id": list.len() + 1, "user": {"id": 7, "username": username, "name": username},
            "created_at": at, "resource_type": "Issue", "resource_id": 5000 + iid, "state": state}));
    }

    fn label_event(&mut self, iid: u64, name: &str, action: &str, username: &str, at: &str) {
        let list = self.label_events.entry(iid).or_default();
        list.push(json!({"id": list.len() + 1, "user": {"id": 8, "username": username, "name": username},
            "created_at": at, "resource_type": "Issue", "resource_id": 5000 + iid,
            "label": {"id": 1, "name": name}, "action": action}));
    }
}

const BOT: &str = "yablunivka-kept-bot";

/// The running stand-in.
pub struct GitLab {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl GitLab {
    pub fn start(token: &str) -> GitLab {
        let state = Arc::new(Mutex::new(State { next_iid: 1, token: token.to_string(), ..State::default() }));
        let url = super::server::start(state.clone());
        GitLab { url: format!("{url}/api/v4"), state }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

fn names(v: &Value) -> Vec<String> {
    v.as_str().unwrap_or_default().split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect()
}

/// The milestone a request's `milestone_id` names; `Some(null)` for none.
fn milestone_of(s: &State, body: &Value) -> Option<Value> {
    match body.get("milestone_id") {
        None | Some(Value::Null) => Some(Value::Null),
        Some(id) => id.as_u64().and_then(|id| s.milestones.get(&id)).cloned(),
    }
}

fn names_of(labels: &Value) -> Vec<String> {
    labels.as_array().into_iter().flatten().filter_map(|l| l.as_str().map(str::to_string)).collect()
}

fn answer(s: &mut State, req: &Incoming, base: &str) -> Answer {
    if req.headers.get("private-token") != Some(&s.token) {
        return error(401, "401 Unauthorized");
    }
    if let Some(Err(wait)) = s.rate.as_mut().map(RateWindow::take) {
        return (429, vec![("retry-after".into(), wait.to_string())], json!({"message": "Retry later"}));
    }
    let prefix = format!("/api/v4/projects/{}", PROJECT.replace('/', "%2F"));
    let Some(rest) = req.path.strip_prefix(&prefix) else { return error(404, "404 Project Not Found") };
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let now = "2026-11-18T12:00:00.000Z";
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["issues"]) | ("GET", ["labels"]) => {
            let items: Vec<Value> = if segments[0] == "issues" {
                s.issues.values().rev().cloned().collect()
            } else {
                s.labels.values().cloned().collect()
            };
            let per_page: usize = req.query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(20).clamp(1, 100);
            let page: usize = req.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
            let pages = items.len().div_ceil(per_page).max(1);
            let body = Value::Array(items.into_iter().skip((page - 1) * per_page).take(per_page).collect());
            let mut headers = vec![("x-total-pages".to_string(), pages.to_string())];
            if page < pages {
                let mut q = req.query.clone();
                q.insert("page".into(), (page + 1).to_string());
                let query = q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
                headers.push(("x-next-page".into(), (page + 1).to_string()));
                headers.push(("link".into(), format!("<{base}{}?{query}>; rel=\"next\"", req.path)));
            }
            (200, headers, body)
        }
        ("GET", ["merge_requests"]) => {
            let state = req.query.get("state").map_or("all", String::as_str);
            let source = req.query.get("source_branch");
            let items = s
                .merge_requests
                .iter()
                .filter(|m| state == "all" || m["state"] == state)
                .filter(|m| source.is_none_or(|b| m["source_branch"] == b.as_str()))
                .cloned()
                .collect();
            (200, vec![], Value::Array(items))
        }
        ("POST", ["merge_requests"]) => {
            let (Some(source), Some(target)) = (req.body["source_branch"].as_str(), req.body["target_branch"].as_str())
            else {
                return error(400, "source_branch, target_branch are missing");
            };
            let exists = |b: &str| super::server::branch_exists(s.git_dir.as_deref(), b);
            if !exists(source) || !exists(target) {
                return error(400, "Source branch does not exist");
            }
            if s.merge_requests.iter().any(|m| m["state"] == "opened" && m["source_branch"] == source) {
                return error(409, "Another open merge request already exists for this source branch");
            }
            let iid = s.merge_requests.len() as u64 + 1;
            let mr = json!({"id": 800 + iid, "iid": iid, "state": "opened", "title": req.body["title"],
                "description": req.body["description"], "source_branch": source, "target_branch": target,
                "web_url": format!("https://gitlab.example/{PROJECT}/-/merge_requests/{iid}"), "created_at": now});
            s.merge_requests.push(mr.clone());
            (201, vec![], mr)
        }
        ("GET", ["milestones"]) => (200, vec![], Value::Array(s.milestones.values().cloned().collect())),
        ("POST", ["milestones"]) => {
            let Some(title) = req.body["title"].as_str().filter(|t| !t.is_empty()) else {
                return error(400, "title is missing");
            };
            if s.milestones.values().any(|m| m["title"] == title) {
                return error(400, "Milestone already exists");
            }
            let iid = s.milestones.len() as u64 + 1;
            let id = 700 + iid;
            // GitLab creates milestones active, whatever else is asked.
            let m = json!({"id": id, "iid": iid, "project_id": 1, "title": title, "description": req.body["description"],
                "due_date": req.body["due_date"], "start_date": null, "state": "active", "created_at": now, "updated_at": now,
                "web_url": format!("https://gitlab.example/{PROJECT}/-/milestones/{iid}")});
            s.milestones.insert(id, m.clone());
            (201, vec![], m)
        }
        ("PUT", ["milestones", id]) => {
            let Some(m) = id.parse::<u64>().ok().and_then(|id| s.milestones.get_mut(&id)) else {
                return error(404, "404 Milestone Not Found");
            };
            for key in ["title", "description", "due_date"] {
                if let Some(v) = req.body.get(key) {
                    m[key] = v.clone();
                }
            }
            match req.body["state_event"].as_str() {
                Some("close") => m["state"] = json!("closed"),
                Some("activate") => m["state"] = json!("active"),
                _ => {}
            }
            m["updated_at"] = json!(now);
            (200, vec![], m.clone())
        }
        ("GET", ["issues", iid, kind @ ("resource_state_events" | "resource_label_events")]) => {
            let Some(iid) = iid.parse::<u64>().ok().filter(|n| s.issues.contains_key(n)) else {
                return error(404, "404 Not found");
            };
            let events = if *kind == "resource_state_events" { &s.state_events } else { &s.label_events };
            (200, vec![], Value::Array(events.get(&iid).cloned().unwrap_or_default()))
        }
        ("GET", ["issues", iid]) => match iid.parse::<u64>().ok().and_then(|n| s.issues.get(&n)) {
            Some(i) => (200, vec![], i.clone()),
            None => error(404, "404 Not found"),
        },
        ("POST", ["labels"]) => {
            let name = req.body["name"].as_str().unwrap_or_default().to_string();
            if name.is_empty() || !req.body["color"].as_str().is_some_and(|c| c.starts_with('#')) {
                return error(400, "name or color is missing");
            }
            if s.labels.contains_key(&name) {
                return error(409, "Label already exists");
            }
            let label = json!({"id": s.labels.len() + 1, "name": name, "color": req.body["color"], "description": req.body["description"]});
            s.labels.insert(name, label.clone());
            (201, vec![], label)
        }
        ("POST", ["issues"]) => {
            let Some(title) = req.body["title"].as_str().filter(|t| !t.is_empty()) else {
                return error(400, "title is missing");
            };
            let Some(milestone) = milestone_of(s, &req.body) else { return error(404, "404 Milestone Not Found") };
            let iid = s.next_iid;
            s.next_iid += 1;
            let mut labels = names(&req.body["labels"]);
            labels.sort();
            let issue = json!({"id": 5000 + iid, "iid": iid, "title": title, "description": req.body["description"],
                "state": "opened", "labels": labels, "web_url": format!("https://gitlab.example/{PROJECT}/-/issues/{iid}"),
                "created_at": now, "updated_at": now, "closed_at": null, "closed_by": null, "milestone": milestone,
                "due_date": req.body["due_date"]});
            s.issues.insert(iid, issue.clone());
            (201, vec![], issue)
        }
        ("PUT", ["issues", iid]) => {
            let Some(milestone) = milestone_of(s, &req.body) else { return error(404, "404 Milestone Not Found") };
            let Some(issue) = iid.parse::<u64>().ok().and_then(|n| s.issues.get_mut(&n)) else {
                return error(404, "404 Not found");
            };
            if req.body.get("milestone_id").is_some() {
                issue["milestone"] = milestone;
            }
            if !req.body["title"].is_null() {
                issue["title"] = req.body["title"].clone();
            }
            if !req.body["description"].is_null() {
                issue["description"] = req.body["description"].clone();
            }
            if let Some(due) = req.body.get("due_date") {
                issue["due_date"] = due.clone();
            }
            let before = issue.clone();
            if !req.body["labels"].is_null() {
                let mut labels = names(&req.body["labels"]);
                labels.sort();
                issue["labels"] = json!(labels);
            }
            match req.body["state_event"].as_str() {
                Some("close") if issue["state"] != "closed" => {
                    issue["state"] = json!("closed");
                    issue["closed_at"] = json!(now);
                    issue["closed_by"] = json!({"id": 9, "username": BOT, "name": BOT});
                }
                Some("reopen") if issue["state"] == "closed" => {
                    issue["state"] = json!("opened");
                    issue["closed_at"] = Value::Null;
                    issue["closed_by"] = Value::Null;
                }
                _ => {}
            }
            issue["updated_at"] = json!(now);
            let after = issue.clone();
            let iid = after["iid"].as_u64().unwrap();
            // The token's user (the plan's bot) made these changes.
            if before["state"] != after["state"] {
                s.state_event(iid, if after["state"] == "closed" { "closed" } else { "reopened" }, BOT, now);
            }
            let (old, new) = (names_of(&before["labels"]), names_of(&after["labels"]));
            for n in new.iter().filter(|n| !old.contains(n)) {
                s.label_event(iid, n, "add", BOT, now);
            }
            for n in old.iter().filter(|n| !new.contains(n)) {
                s.label_event(iid, n, "remove", BOT, now);
            }
            (200, vec![], after)
        }
        ("POST", ["issues", iid, "notes"]) => {
            let Ok(iid) = iid.parse::<u64>() else { return error(404, "404 Not found") };
            let text = req.body["body"].as_str().unwrap_or_default().to_string();
            s.notes.push((iid, text.clone()));
            (201, vec![], json!({"id": s.notes.len(), "body": text}))
        }
        _ => error(404, "404 Not found"),
    }
}

impl super::server::Service for State {
    fn traffic(&mut self) -> &mut Traffic {
        &mut self.traffic
    }

    fn answer(&mut self, req: &Incoming, base: &str) -> Answer {
        answer(self, req, base)
    }

    fn headers(&self) -> Vec<(String, String)> {
        let Some(rate) = &self.rate else { return vec![] };
        vec![
            ("ratelimit-limit".into(), rate.limit.to_string()),
            ("ratelimit-observed".into(), (rate.limit - rate.remaining).to_string()),
            ("ratelimit-remaining".into(), rate.remaining.to_string()),
            ("ratelimit-reset".into(), rate.reset_epoch().to_string()),
        ]
    }
}
