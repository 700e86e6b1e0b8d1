//! `kept serve --demo`: the embedded template with a generated history, served by the daemon
//! with a built-in stand-in tracker, so the whole flow runs on one machine with nothing to set
//! up. The stand-in keeps issues, labels, milestones and each issue's events in memory and
//! answers the part of GitHub's REST API that kept's client uses (paging with `Link`, ETags
//! with 304); its page at `/demo/github/` lists the issues and lets a visitor close one, which
//! the next sync writes back into the plan.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// The demo plan's repository on the stand-in.
pub const REPO: &str = "yablunivka/open-gov-plan";

/// What to do when a visitor changes an issue (sync the plan).
pub type OnChange = Box<dyn Fn() + Send + Sync>;

/// The stand-in tracker's state.
#[derive(Default)]
pub struct Tracker {
    state: Mutex<TrackerState>,
    /// Told when a visitor changes an issue.
    pub on_change: Mutex<Option<OnChange>>,
}

impl std::fmt::Debug for Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracker").field("issues", &self.issue_count()).finish()
    }
}

#[derive(Debug, Default)]
struct TrackerState {
    issues: BTreeMap<u64, Value>,
    labels: BTreeMap<String, Value>,
    milestones: BTreeMap<u64, Value>,
    events: BTreeMap<u64, Vec<Value>>,
    comments: u64,
}

impl Tracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, TrackerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many issues it has.
    pub fn issue_count(&self) -> usize {
        self.lock().issues.len()
    }
}

type Shared = Arc<Tracker>;

/// The stand-in's routes, under `/demo/github`.
pub fn router<S: Clone + Send + Sync + 'static>(tracker: Shared) -> Router<S> {
    Router::new()
        .route("/", get(page))
        .route("/close/{number}", post(close))
        .route("/repos/{owner}/{repo}/issues", get(list_issues).post(create_issue))
        .route("/repos/{owner}/{repo}/issues/{number}", get(get_issue).patch(edit_issue))
        .route("/repos/{owner}/{repo}/issues/{number}/comments", post(comment))
        .route("/repos/{owner}/{repo}/issues/{number}/events", get(events))
        .route("/repos/{owner}/{repo}/labels", get(list_labels).post(create_label))
        .route("/repos/{owner}/{repo}/milestones", get(list_milestones).post(create_milestone))
        .route("/repos/{owner}/{repo}/milestones/{number}", axum::routing::patch(edit_milestone))
        .with_state(tracker)
}

/// The built-in tracker's clock: the daemon's today (`KEPT_TODAY` pins it for reproducible
/// runs) at the time of day, so an issue closed in the demo is closed on the plan's today.
fn now() -> String {
    let real = super::plan::now_text();
    let today = super::today().to_string();
    format!("{today}{}", real.get(10..).unwrap_or("T00:00:00Z"))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"message": message, "documentation_url": "https://docs.github.com/rest"})))
        .into_response()
}

/// A list, one page of it, with `Link` and an ETag (304 when unchanged).
fn paged(headers: &HeaderMap, query: &BTreeMap<String, String>, path: &str, items: Vec<Value>) -> Response {
    let per_page: usize = query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30).clamp(1, 100);
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let pages = items.len().div_ceil(per_page).max(1);
    let body = Value::Array(items.into_iter().skip((page - 1) * per_page).take(per_page).collect());
    let tag = etag(&body);
    let mut out = HeaderMap::new();
    if let Ok(v) = tag.parse() {
        out.insert(header::ETAG, v);
    }
    if page < pages {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        let mut q = query.clone();
        q.insert("page".into(), (page + 1).to_string());
        let query: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Ok(v) = format!("<http://{host}/demo/github{path}?{}>; rel=\"next\"", query.join("&")).parse() {
            out.insert(header::LINK, v);
        }
    }
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    (out, axum::Json(body)).into_response()
}

fn etag(body: &Value) -> String {
    format!("W/\"{:016x}\"", crate::hash::fnv1a(body.to_string().as_bytes()))
}

type Q = Query<BTreeMap<String, String>>;
type Repo = UrlPath<(String, String)>;

async fn list_issues(State(t): State<Shared>, UrlPath((o, r)): Repo, headers: HeaderMap, Query(q): Q) -> Response {
    let state = q.get("state").map_or("open", String::as_str).to_string();
    let items: Vec<Value> = t
        .lock()
        .issues
        .values()
        .rev()
        .filter(|i| state == "all" || i["state"] == state.as_str())
        .cloned()
        .map(|mut i| {
            // As on GitHub, who closed an issue is only in the issue itself.
            i.as_object_mut().map(|o| o.remove("closed_by"));
            i
        })
        .collect();
    paged(&headers, &q, &format!("/repos/{o}/{r}/issues"), items)
}

async fn get_issue(State(t): State<Shared>, UrlPath((_, _, n)): UrlPath<(String, String, u64)>) -> Response {
    match t.lock().issues.get(&n) {
        Some(i) => axum::Json(i.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

fn labels_of(s: &mut TrackerState, names: &Value) -> Value {
    let names: Vec<String> =
        names.as_array().into_iter().flatten().filter_map(|n| n.as_str().map(str::to_string)).collect();
    Value::Array(
        names
            .into_iter()
            .map(|n| s.labels.entry(n.clone()).or_insert_with(|| json!({"name": n, "color": "ededed"})).clone())
            .collect(),
    )
}

fn event(s: &mut TrackerState, n: u64, kind: &str, login: &str, label: Option<&Value>) {
    let list = s.events.entry(n).or_default();
    let mut e = json!({"id": list.len() + 1, "event": kind, "actor": {"login": login}, "created_at": now()});
    if let Some(l) = label {
        e["label"] = l.clone();
    }
    list.push(e);
}

fn milestone(s: &TrackerState, body: &Value) -> Result<Value, ()> {
    match body.get("milestone") {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(n) => n.as_u64().and_then(|n| s.milestones.get(&n)).cloned().ok_or(()),
    }
}

async fn create_issue(
    State(t): State<Shared>,
    UrlPath((o, r)): Repo,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
    let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed");
    };
    let mut s = t.lock();
    let Ok(m) = milestone(&s, &body) else { return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed") };
    let n = s.issues.len() as u64 + 1;
    let labels = labels_of(&mut s, &body["labels"]);
    let issue = json!({"number": n, "title": title, "body": body["body"], "state": "open", "state_reason": null,
        "labels": labels, "milestone": m, "html_url": format!("http://{host}/demo/github/repos/{o}/{r}/issues/{n}"),
        "created_at": now(), "updated_at": now(), "closed_at": null});
    s.issues.insert(n, issue.clone());
    (StatusCode::CREATED, axum::Json(issue)).into_response()
}

async fn edit_issue(
    State(t): State<Shared>,
    UrlPath((_, _, n)): UrlPath<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut s = t.lock();
    let Ok(m) = milestone(&s, &body) else { return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed") };
    let labels = (!body["labels"].is_null()).then(|| labels_of(&mut s, &body["labels"]));
    let Some(before) = s.issues.get(&n).cloned() else { return error(StatusCode::NOT_FOUND, "Not Found") };
    let mut issue = before.clone();
    for key in ["title", "body"] {
        if !body[key].is_null() {
            issue[key] = body[key].clone();
        }
    }
    if let Some(l) = labels {
        issue["labels"] = l;
    }
    if body.get("milestone").is_some() {
        issue["milestone"] = m;
    }
    match body["state"].as_str() {
        Some("closed") if issue["state"] != "closed" => {
            issue["state"] = json!("closed");
            issue["closed_at"] = json!(now());
            issue["state_reason"] = body.get("state_reason").cloned().unwrap_or(json!("completed"));
            issue["closed_by"] = json!({"login": "kept-bot"});
            event(&mut s, n, "closed", "kept-bot", None);
        }
        Some("open") if issue["state"] == "closed" => {
            issue["state"] = json!("open");
            issue["state_reason"] = json!("reopened");
            issue["closed_at"] = Value::Null;
            event(&mut s, n, "reopened", "kept-bot", None);
        }
        _ => {}
    }
    issue["updated_at"] = json!(now());
    s.issues.insert(n, issue.clone());
    axum::Json(issue).into_response()
}

async fn comment(
    State(t): State<Shared>,
    UrlPath((_, _, n)): UrlPath<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut s = t.lock();
    if !s.issues.contains_key(&n) {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    s.comments += 1;
    (StatusCode::CREATED, axum::Json(json!({"id": s.comments, "body": body["body"]}))).into_response()
}

async fn events(
    State(t): State<Shared>,
    UrlPath((o, r, n)): UrlPath<(String, String, u64)>,
    headers: HeaderMap,
    Query(q): Q,
) -> Response {
    let items = t.lock().events.get(&n).cloned().unwrap_or_default();
    paged(&headers, &q, &format!("/repos/{o}/{r}/issues/{n}/events"), items)
}

async fn list_labels(State(t): State<Shared>, UrlPath((o, r)): Repo, headers: HeaderMap, Query(q): Q) -> Response {
    let items = t.lock().labels.values().cloned().collect();
    paged(&headers, &q, &format!("/repos/{o}/{r}/labels"), items)
}

async fn create_label(State(t): State<Shared>, axum::Json(body): axum::Json<Value>) -> Response {
    let Some(name) = body["name"].as_str() else { return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed") };
    let mut s = t.lock();
    if s.labels.contains_key(name) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed");
    }
    let label = json!({"name": name, "color": body["color"], "description": body["description"]});
    s.labels.insert(name.to_string(), label.clone());
    (StatusCode::CREATED, axum::Json(label)).into_response()
}

async fn list_milestones(State(t): State<Shared>, UrlPath((o, r)): Repo, headers: HeaderMap, Query(q): Q) -> Response {
    let state = q.get("state").map_or("open", String::as_str).to_string();
    let items =
        t.lock().milestones.values().filter(|m| state == "all" || m["state"] == state.as_str()).cloned().collect();
    paged(&headers, &q, &format!("/repos/{o}/{r}/milestones"), items)
}

fn set_milestone(m: &mut Value, body: &Value) {
    for key in ["title", "description", "due_on", "state"] {
        if let Some(v) = body.get(key) {
            m[key] = v.clone();
        }
    }
}

async fn create_milestone(State(t): State<Shared>, axum::Json(body): axum::Json<Value>) -> Response {
    let mut s = t.lock();
    let n = s.milestones.len() as u64 + 1;
    let mut m = json!({"number": n, "title": "", "description": null, "due_on": null, "state": "open"});
    set_milestone(&mut m, &body);
    s.milestones.insert(n, m.clone());
    (StatusCode::CREATED, axum::Json(m)).into_response()
}

async fn edit_milestone(
    State(t): State<Shared>,
    UrlPath((_, _, n)): UrlPath<(String, String, u64)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut s = t.lock();
    let Some(m) = s.milestones.get_mut(&n) else { return error(StatusCode::NOT_FOUND, "Not Found") };
    set_milestone(m, &body);
    axum::Json(m.clone()).into_response()
}

/// The stand-in's page: the issues, each open one with a button to close it as a visitor.
async fn page(State(t): State<Shared>) -> Response {
    use crate::publish::esc;
    let s = t.lock();
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Demo tracker</title></head><body>\
         <h1>Demo tracker</h1><p>A stand-in for the plan's GitHub issues. Close one: the next sync completes its \
         milestone in the plan, in a bot commit crediting you, and the feed says so.</p><table>",
    );
    for (n, i) in s.issues.iter().rev() {
        let state = i["state"].as_str().unwrap_or_default();
        let action = if state == "open" {
            format!(
                "<form method=\"post\" action=\"/demo/github/close/{n}\"><button>Close as completed</button></form>"
            )
        } else {
            String::new()
        };
        html += &format!(
            "<tr><td>#{n}</td><td>{}</td><td>{}</td><td>{action}</td></tr>",
            esc(i["title"].as_str().unwrap_or_default()),
            esc(state)
        );
    }
    html += "</table></body></html>";
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

#[derive(Debug, serde::Deserialize)]
struct CloseForm {
    #[serde(default)]
    login: Option<String>,
}

async fn close(State(t): State<Shared>, UrlPath(n): UrlPath<u64>, Query(who): Query<CloseForm>) -> Response {
    let login = who.login.filter(|l| !l.is_empty()).unwrap_or_else(|| "demo-visitor".into());
    {
        let mut s = t.lock();
        let Some(mut issue) = s.issues.get(&n).cloned() else { return error(StatusCode::NOT_FOUND, "Not Found") };
        if issue["state"] != "closed" {
            issue["state"] = json!("closed");
            issue["state_reason"] = json!("completed");
            issue["closed_at"] = json!(now());
            issue["updated_at"] = json!(now());
            issue["closed_by"] = json!({"login": login});
            s.issues.insert(n, issue);
            event(&mut s, n, "closed", &login, None);
        }
    }
    if let Some(f) = t.on_change.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        f();
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/demo/github/")]).into_response()
}

/// Lay the demo plan into `dir`: the template, pointed at the stand-in tracker at `tracker_url`,
/// with a short history of its implementation (declared progress, a progress note), a week
/// apart, so the feed has a story to tell.
pub fn lay_out(dir: &Path, tracker_url: &str) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    crate::template::write_to(dir).map_err(|e| format!("cannot write the template to {}: {e}", dir.display()))?;
    let edit = |rel: &str, f: &dyn Fn(&str) -> String| -> Result<(), String> {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).map_err(io)?;
        std::fs::write(&path, f(&text)).map_err(io)
    };
    edit("kept.toml", &|t| t.replace("url = \"https://api.github.com\"", &format!("url = \"{tracker_url}\"")))?;
    let progress = |to: u32| {
        move |t: &str| match t.find("progress = ") {
            Some(start) => {
                let end = start + t[start..].find('\n').unwrap_or(t.len() - start);
                format!("{}progress = {to}{}", &t[..start], &t[end..])
            }
            None => t.to_string(),
        }
    };
    let coordinator = ("Olena Koval", "o.koval@yablunivka.example");
    let lead = ("Oksana Hrytsenko", "o.hrytsenko@yablunivka.example");
    let day = 86_400i64;
    let start = 1_790_812_800i64; // 2026-10-01
    commit(dir, coordinator, start, "Adopt the plan")?;
    edit("commitments/UAYAB0001/commitment.toml", &progress(55))?;
    commit(dir, lead, start + 7 * day, "UAYAB0001: declare 55% done")?;
    let note = "+++\ntitle = { uk = \"Портал відкритих даних: тестовий запуск\", en = \"Open-data portal: trial run\" }\n\
        date = 2026-10-15\nkind = \"progress\"\nauthors = [\"p-olena-koval\"]\ncommitments = [\"UAYAB0001\"]\n+++\n\
        The portal ran for two weeks with the first ten datasets; feedback is being collected.\n";
    std::fs::write(dir.join("updates/2026-10-15-portal-trial.md"), note).map_err(io)?;
    commit(dir, coordinator, start + 14 * day, "Progress note: the portal's trial run")?;
    edit("commitments/UAYAB0002/commitment.toml", &progress(70))?;
    commit(dir, lead, start + 21 * day, "UAYAB0002: declare 70% done")?;
    Ok(())
}

/// Commit the working tree as `who`, at `time`.
fn commit(dir: &Path, who: (&str, &str), time: i64, message: &str) -> Result<git2::Oid, String> {
    let fail = |e: git2::Error| format!("cannot commit the demo plan in {}: {}", dir.display(), e.message());
    let repo = match git2::Repository::open(dir) {
        Ok(r) => r,
        Err(_) => {
            let mut o = git2::RepositoryInitOptions::new();
            o.initial_head("main");
            git2::Repository::init_opts(dir, &o).map_err(fail)?
        }
    };
    let mut index = repo.index().map_err(fail)?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).map_err(fail)?;
    index.write().map_err(fail)?;
    let tree = repo.find_tree(index.write_tree().map_err(fail)?).map_err(fail)?;
    let sig = git2::Signature::new(who.0, who.1, &git2::Time::new(time, 0)).map_err(fail)?;
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents).map_err(fail)
}
