//! A stateful stand-in for Gitea's and Forgejo's API (v1): issues, labels and comments of one
//! repository, following the documented behaviour: lists paginate with `Link` and
//! `X-Total-Count` and answer `If-None-Match` with 304; labels are set by id (PUT replaces
//! them); issues can be created closed; an edit answers 201; `Authorization: token ...`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::server::{Answer, Incoming, RateWindow, Traffic, error, etag};

pub const OWNER_REPO: &str = "yablunivka/open-gov-plan";

/// Everything the stand-in keeps.
#[derive(Debug, Default)]
pub struct State {
    pub issues: BTreeMap<u64, Value>,
    pub labels: BTreeMap<u64, Value>,
    pub comments: Vec<(u64, String)>,
    /// Milestones by id.
    pub milestones: BTreeMap<u64, Value>,
    /// Pull requests opened through the API.
    pub pulls: Vec<Value>,
    /// The repository's git directory, where a pull request's branches must exist.
    pub git_dir: Option<std::path::PathBuf>,
    /// Each issue's timeline of state and label changes, oldest first.
    pub timeline: BTreeMap<u64, Vec<Value>>,
    pub next_number: u64,
    pub next_label: u64,
    pub traffic: Traffic,
    pub token: String,
    /// Gitea and Forgejo limit nothing themselves; the proxy in front of them may, answering
    /// 429 with `Retry-After`.
    pub rate: Option<RateWindow>,
}

impl State {
    /// Close an issue as a person would.
    pub fn close(&mut self, number: u64, login: &str) {
        let i = self.issues.get_mut(&number).expect("the issue exists");
        i["state"] = json!("closed");
        i["closed_at"] = json!("2026-11-19T09:30:00Z");
        i["updated_at"] = json!("2026-11-19T09:30:00Z");
        self.record(number, "close", login, None, "2026-11-19T09:30:00Z");
    }

    /// A timeline entry (Gitea's `TimelineComment`).
    fn record(&mut self, number: u64, kind: &str, login: &str, label: Option<&Value>, at: &str) {
        let list = self.timeline.entry(number).or_default();
        let mut c = json!({"id": list.len() + 1, "type": kind, "body": "", "created_at": at,
            "user": {"id": 7, "login": login, "full_name": "", "email": format!("{login}@noreply.gitea.example")}});
        if let Some(l) = label {
            c["label"] = l.clone();
            c["body"] = json!("1");
        }
        list.push(c);
    }
}

const BOT: &str = "yablunivka-kept-bot";

/// The running stand-in.
pub struct Gitea {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Gitea {
    pub fn start(token: &str) -> Gitea {
        let state =
            Arc::new(Mutex::new(State { next_number: 1, next_label: 1, token: token.to_string(), ..State::default() }));
        let url = super::server::start(state.clone());
        Gitea { url: format!("{url}/api/v1"), state }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

fn labels_by_id(s: &State, ids: &Value) -> Value {
    Value::Array(ids.as_array().into_iter().flatten().filter_map(|id| s.labels.get(&id.as_u64()?).cloned()).collect())
}

fn page(req: &Incoming, base: &str, items: Vec<Value>) -> Answer {
    let limit: usize = req.query.get("limit").and_then(|p| p.parse().ok()).unwrap_or(30).clamp(1, 50);
    let page: usize = req.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let total = items.len();
    let pages = total.div_ceil(limit).max(1);
    let body = Value::Array(items.into_iter().skip((page - 1) * limit).take(limit).collect());
    let tag = etag(&body);
    let mut headers = vec![("etag".to_string(), tag.clone()), ("x-total-count".to_string(), total.to_string())];
    if page < pages {
        let mut q = req.query.clone();
        q.insert("page".into(), (page + 1).to_string());
        let query = q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        headers.push(("link".into(), format!("<{base}{}?{query}>; rel=\"next\"", req.path)));
    }
    if req.headers.get("if-none-match") == Some(&tag) {
        return (304, headers, Value::Null);
    }
    (200, headers, body)
}

fn answer(s: &mut State, req: &Incoming, base: &str) -> Answer {
    if req.headers.get("authorization") != Some(&format!("token {}", s.token)) {
        return error(401, "token is required");
    }
    if let Some(Err(wait)) = s.rate.as_mut().map(RateWindow::take) {
        return (429, vec![("retry-after".into(), wait.to_string())], json!({"message": "Too Many Requests"}));
    }
    let prefix = format!("/api/v1/repos/{OWNER_REPO}");
    let Some(rest) = req.path.strip_prefix(&prefix) else { return error(404, "Not Found") };
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let now = "2026-11-18T12:00:00Z";
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["issues"]) => {
            let items: Vec<Value> = s.issues.values().rev().cloned().collect();
            page(req, base, items)
        }
        ("GET", ["issues", n]) => match n.parse::<u64>().ok().and_then(|n| s.issues.get(&n)) {
            Some(i) => (200, vec![], i.clone()),
            None => error(404, "Not Found"),
        },
        ("GET", ["issues", n, "timeline"]) => match n.parse::<u64>().ok().filter(|n| s.issues.contains_key(n)) {
            Some(n) => page(req, base, s.timeline.get(&n).cloned().unwrap_or_default()),
            None => error(404, "Not Found"),
        },
        ("GET", ["pulls"]) => {
            let state = req.query.get("state").map_or("open", String::as_str);
            let items = s.pulls.iter().filter(|p| state == "all" || p["state"] == state).cloned().collect();
            page(req, base, items)
        }
        ("POST", ["pulls"]) => {
            let (Some(head), Some(target)) = (req.body["head"].as_str(), req.body["base"].as_str()) else {
                return error(422, "head and base are required");
            };
            let exists = |b: &str| super::server::branch_exists(s.git_dir.as_deref(), b);
            if !exists(head) || !exists(target) {
                return error(404, "branch does not exist");
            }
            if s.pulls.iter().any(|p| p["state"] == "open" && p["head"]["ref"] == head) {
                return error(409, "pull request already exists for these targets");
            }
            let n = s.next_number;
            s.next_number += 1;
            let pr = json!({"id": 3000 + n, "number": n, "state": "open", "title": req.body["title"], "body": req.body["body"],
                "head": {"ref": head}, "base": {"ref": target},
                "html_url": format!("https://gitea.example/{OWNER_REPO}/pulls/{n}"), "created_at": now});
            s.pulls.push(pr.clone());
            (201, vec![], pr)
        }
        ("GET", ["milestones"]) => {
            let state = req.query.get("state").map_or("open", String::as_str);
            let items = s.milestones.values().filter(|m| state == "all" || m["state"] == state).cloned().collect();
            page(req, base, items)
        }
        ("POST", ["milestones"]) => {
            let Some(title) = req.body["title"].as_str().filter(|t| !t.is_empty()) else {
                return error(422, "title is required");
            };
            let id = s.milestones.len() as u64 + 1;
            let mut m = json!({"id": id, "title": title, "description": "", "state": "open", "due_on": null,
                "open_issues": 0, "closed_issues": 0, "created_at": now, "updated_at": now, "closed_at": null});
            super::server::edit_milestone(&mut m, &req.body, now, str::to_string);
            s.milestones.insert(id, m.clone());
            (201, vec![], m)
        }
        ("PATCH", ["milestones", id]) => {
            let Some(m) = id.parse::<u64>().ok().and_then(|id| s.milestones.get_mut(&id)) else {
                return error(404, "Not Found");
            };
            super::server::edit_milestone(m, &req.body, now, str::to_string);
            (200, vec![], m.clone())
        }
        ("GET", ["labels"]) => {
            let items: Vec<Value> = s.labels.values().cloned().collect();
            page(req, base, items)
        }
        ("POST", ["labels"]) => {
            let name = req.body["name"].as_str().unwrap_or_default().to_string();
            let color = req.body["color"].as_str().unwrap_or_default();
            if name.is_empty() || !color.starts_with('#') {
                return error(422, "invalid label");
            }
            if s.labels.values().any(|l| l["name"] == name) {
                return error(409, "label already exists");
            }
            let id = s.next_label;
            s.next_label += 1;
            let label = json!({"id": id, "name": name, "color": color.trim_start_matches('#'), "description": req.body["description"]});
            s.labels.insert(id, label.clone());
            (201, vec![], label)
        }
        ("POST", ["issues"]) => {
            let Some(title) = req.body["title"].as_str().filter(|t| !t.is_empty()) else {
                return error(422, "title is required");
            };
            let n = s.next_number;
            s.next_number += 1;
            let closed = req.body["closed"].as_bool().unwrap_or(false);
            let Some(milestone) = milestone_of(s, &req.body) else { return error(422, "milestone does not exist") };
            let issue = json!({"id": 1000 + n, "number": n, "title": title, "body": req.body["body"],
                "state": if closed { "closed" } else { "open" }, "labels": labels_by_id(s, &req.body["labels"]),
                "html_url": format!("https://gitea.example/{OWNER_REPO}/issues/{n}"), "pull_request": null,
                "created_at": now, "updated_at": now, "closed_at": if closed { json!(now) } else { Value::Null },
                "milestone": milestone, "due_date": deadline(&req.body["due_date"])});
            s.issues.insert(n, issue.clone());
            (201, vec![], issue)
        }
        ("PATCH", ["issues", n]) => {
            let Some(milestone) = milestone_of(s, &req.body) else { return error(422, "milestone does not exist") };
            let Some(issue) = n.parse::<u64>().ok().and_then(|n| s.issues.get_mut(&n)) else {
                return error(404, "Not Found");
            };
            if req.body.get("milestone").is_some() {
                issue["milestone"] = milestone;
            }
            if let Some(due) = req.body.get("due_date") {
                issue["due_date"] = deadline(due);
            }
            for key in ["title", "body"] {
                if !req.body[key].is_null() {
                    issue[key] = req.body[key].clone();
                }
            }
            let was = issue["state"].clone();
            match req.body["state"].as_str() {
                Some("closed") if issue["state"] != "closed" => {
                    issue["state"] = json!("closed");
                    issue["closed_at"] = json!(now);
                }
                Some("open") => {
                    issue["state"] = json!("open");
                    issue["closed_at"] = Value::Null;
                }
                _ => {}
            }
            issue["updated_at"] = json!(now);
            let issue = issue.clone();
            if was != issue["state"] {
                let kind = if issue["state"] == "closed" { "close" } else { "reopen" };
                s.record(issue["number"].as_u64().unwrap(), kind, BOT, None, now);
            }
            // Gitea answers an edit with 201 Created.
            (201, vec![], issue)
        }
        ("PUT", ["issues", n, "labels"]) => {
            let labels = labels_by_id(s, &req.body["labels"]);
            let Some(issue) = n.parse::<u64>().ok().and_then(|n| s.issues.get_mut(&n)) else {
                return error(404, "Not Found");
            };
            let before = std::mem::replace(&mut issue["labels"], labels.clone());
            let number = issue["number"].as_u64().unwrap();
            for l in labels.as_array().unwrap().iter().filter(|l| !before.as_array().is_some_and(|b| b.contains(l))) {
                s.record(number, "label", BOT, Some(l), now);
            }
            (200, vec![], labels)
        }
        ("POST", ["issues", n, "comments"]) => {
            let Ok(n) = n.parse::<u64>() else { return error(404, "Not Found") };
            let text = req.body["body"].as_str().unwrap_or_default().to_string();
            s.comments.push((n, text.clone()));
            (201, vec![], json!({"id": s.comments.len(), "body": text}))
        }
        _ => error(404, "Not Found"),
    }
}

/// Gitea keeps an issue's deadline as the end of that day in the server's time zone (here
/// UTC+2), whatever time was sent.
fn deadline(due: &Value) -> Value {
    due.as_str().and_then(|d| d.get(..10)).map_or(Value::Null, |day| json!(format!("{day}T23:59:59+02:00")))
}

/// The milestone a request's `milestone` (an id) names; `Some(null)` for none.
fn milestone_of(s: &State, body: &Value) -> Option<Value> {
    match body.get("milestone") {
        None | Some(Value::Null) => Some(Value::Null),
        Some(id) => id.as_u64().and_then(|id| s.milestones.get(&id)).cloned(),
    }
}

impl super::server::Service for State {
    fn traffic(&mut self) -> &mut Traffic {
        &mut self.traffic
    }

    fn answer(&mut self, req: &Incoming, base: &str) -> Answer {
        answer(self, req, base)
    }
}
