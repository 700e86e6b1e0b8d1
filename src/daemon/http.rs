//! The daemon's HTTP side: each plan's published site (at the root for one plan, under its
//! member code for many, with an index and an aggregate feed), the status API, webhooks,
//! the working tree's live check, health and metrics.

use std::path::{Component, Path};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::hooks::{self, Ask, Forge};
use super::metrics::labels;
use super::plan::Plan;
use super::{Daemon, Event};
use crate::publish::esc;

type Shared = Arc<Daemon>;

/// The routes.
pub fn router(daemon: Shared) -> Router {
    let mut app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route("/api/v1/status", get(status))
        .route("/api/v1/plans/{code}", get(plan_status))
        .route("/preview/{code}", get(preview))
        // GitHub sends up to 25 MB.
        .route("/hooks/{forge}", post(hook).layer(DefaultBodyLimit::max(25 * 1024 * 1024)));
    if let Some(tracker) = &daemon.demo {
        app = app.nest("/demo/github", super::demo::router(tracker.clone()));
    }
    app.fallback(get(site)).with_state(daemon)
}

async fn metrics(State(d): State<Shared>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], d.metrics.render()).into_response()
}

async fn status(State(d): State<Shared>) -> Response {
    let plans: Vec<_> = d
        .plans
        .iter()
        .map(|p| {
            let mut s = serde_json::to_value(p.snapshot()).unwrap_or_default();
            // The list stays short: the diagnostics are in /api/v1/plans/{code}.
            if let Some(o) = s.as_object_mut() {
                o.remove("diagnostics");
                if let Some(w) = o.get_mut("worktree").and_then(|w| w.as_object_mut()) {
                    w.remove("diagnostics");
                }
                o.insert("url".into(), json!(plan_path(&d, p)));
            }
            s
        })
        .collect();
    axum::Json(json!({"kept": env!("CARGO_PKG_VERSION"), "plans": plans})).into_response()
}

async fn plan_status(State(d): State<Shared>, UrlPath(code): UrlPath<String>) -> Response {
    match d.plan(&code) {
        Some((_, p)) => {
            let mut s = serde_json::to_value(p.snapshot()).unwrap_or_default();
            s["url"] = json!(plan_path(&d, p));
            axum::Json(s).into_response()
        }
        None => not_found(&format!("no plan {code} here; /api/v1/status lists them")),
    }
}

/// Where a plan's site is served on this server.
fn plan_path(d: &Daemon, p: &Plan) -> String {
    if d.many() { format!("/{}/", p.code) } else { "/".into() }
}

fn not_found(text: &str) -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{text}\n")).into_response()
}

async fn hook(State(d): State<Shared>, UrlPath(forge): UrlPath<String>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(forge) = Forge::from_path(&forge) else {
        return not_found("webhooks go to /hooks/github, /hooks/gitlab or /hooks/gitea");
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let secret = match forge {
        Forge::GitHub => d.config.secrets.github.as_deref(),
        Forge::GitLab => d.config.secrets.gitlab.as_deref(),
        Forge::Gitea => d.config.secrets.gitea.as_deref(),
    };
    let result = |r: &str| labels(&[("forge", forge.name()), ("result", r)]);
    if let Err(refusal) = hooks::verify(forge, secret, &header, &body) {
        d.metrics.add("kept_webhook_deliveries_total", result("refused"), 1);
        tracing::warn!(forge = forge.name(), "webhook refused: {refusal}");
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": refusal.to_string()}))).into_response();
    }
    if let Some(id) = hooks::delivery_id(forge, &header) {
        let repeat = d.seen.lock().unwrap_or_else(|e| e.into_inner()).repeat(&id);
        if repeat {
            d.metrics.add("kept_webhook_deliveries_total", result("duplicate"), 1);
            return (StatusCode::OK, axum::Json(json!({"duplicate": id}))).into_response();
        }
    }
    let payload: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            d.metrics.add("kept_webhook_deliveries_total", result("bad"), 1);
            return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": format!("the body is not JSON: {e}")})))
                .into_response();
        }
    };
    let ask = hooks::ask(forge, &header);
    if ask == Ask::Nothing {
        d.metrics.add("kept_webhook_deliveries_total", result("ignored"), 1);
        return (StatusCode::OK, axum::Json(json!({"ignored": "not an event kept follows"}))).into_response();
    }
    let repository = hooks::repository(forge, &payload);
    let now = std::time::Instant::now();
    let mut queued = Vec::new();
    for (i, p) in d.plans.iter().enumerate() {
        if !follows(p, repository.as_deref()) {
            continue;
        }
        match (ask, &p.config.source) {
            (Ask::Push, super::config::PlanSource::Clone { .. }) => d.tell(i, Event::Fetch(now)),
            (Ask::Push, super::config::PlanSource::Worktree(_)) => d.tell(i, Event::Head(now)),
            (Ask::Issue, _) => d.tell(i, Event::Sync),
            (Ask::Nothing, _) => continue,
        }
        queued.push(p.code.clone());
    }
    d.metrics.add("kept_webhook_deliveries_total", result(if queued.is_empty() { "unmatched" } else { "queued" }), 1);
    (StatusCode::ACCEPTED, axum::Json(json!({"queued": queued, "repository": repository}))).into_response()
}

/// Whether a plan follows the repository a webhook is about: its remote's path, or its
/// tracker's project, names it. A delivery that names no repository concerns every plan.
fn follows(p: &Plan, repository: Option<&str>) -> bool {
    let Some(repo) = repository else { return true };
    let repo = repo.to_ascii_lowercase();
    if let super::config::PlanSource::Clone { remote, .. } = &p.config.source {
        let remote = remote.to_ascii_lowercase();
        if remote.trim_end_matches(".git").ends_with(&format!("/{repo}")) || remote.ends_with(&format!(":{repo}.git")) {
            return true;
        }
    }
    p.snapshot().tracker_project.is_some_and(|project| project == repo)
}

async fn preview(State(d): State<Shared>, UrlPath(code): UrlPath<String>) -> Response {
    let Some((_, p)) = d.plan(&code) else { return not_found(&format!("no plan {code} here")) };
    let s = p.snapshot();
    let mut html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">\
         <title>{0}: working tree</title></head><body><h1>{0}: the working tree as it is now</h1>",
        esc(&p.code)
    );
    match &s.worktree {
        None => html += "<p>Not checked yet, or this plan is a clone with no working tree.</p>",
        Some(w) => {
            html += &format!(
                "<p>Checked {}: {} error(s), {} warning(s), uncommitted edits included. This page reloads itself.</p>",
                esc(&w.checked_at),
                w.errors,
                w.warnings
            );
            html += &diagnostics_list(&w.diagnostics);
        }
    }
    html += &format!(
        "<p>Committed: {} ({}).</p></body></html>",
        esc(s.head.as_deref().unwrap_or("none")),
        if s.valid == Some(true) { "valid" } else { "not valid" }
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

fn diagnostics_list(diags: &[serde_json::Value]) -> String {
    let mut html = String::from("<ul class=\"kept-diagnostics\">");
    for d in diags {
        let text = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let at = match (d.get("line").and_then(|v| v.as_u64()), d.get("column").and_then(|v| v.as_u64())) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", text("file")),
            _ => text("file"),
        };
        html += &format!(
            "<li><strong>{}</strong> [{}] {}: {}{}</li>",
            esc(&text("severity")),
            esc(&text("code")),
            esc(&at),
            esc(&text("message")),
            d.get("help").and_then(|h| h.as_str()).map_or(String::new(), |h| format!(" <em>{}</em>", esc(h)))
        );
    }
    html + "</ul>"
}

/// A banner for a served page whose plan's latest revision does not validate.
fn banner(p: &Plan) -> String {
    let s = p.snapshot();
    format!(
        "<section class=\"kept-banner\" role=\"alert\" style=\"border:3px solid #b00020;padding:1em;margin:1em\">\
         <h2>The plan's latest revision does not validate</h2><p>Revision {} has {} error(s); this site still shows \
         revision {}, the last that did. Details: <a href=\"/api/v1/plans/{}\">status</a>.</p>{}</section>",
        esc(&short(s.head.as_deref().unwrap_or_default())),
        s.errors,
        esc(&s.published.as_deref().map_or("none".into(), short)),
        esc(&p.code),
        diagnostics_list(&s.diagnostics)
    )
}

async fn site(State(d): State<Shared>, uri: Uri) -> Response {
    let path = uri.path();
    let (plan, rest) = if d.many() {
        let trimmed = path.trim_start_matches('/');
        let name = if trimmed.is_empty() { "index.html" } else { trimmed };
        if let Some(file) = crate::aggregate::FILES.iter().find(|f| **f == name) {
            return view(&d, file).await;
        }
        let (code, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
        match d.plan(code) {
            Some((_, p)) if !trimmed.contains('/') => {
                // `/CODE` → `/CODE/`, so the site's relative links resolve.
                return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("/{}/", p.code))]).into_response();
            }
            Some((_, p)) => (p.clone(), rest.to_string()),
            None => return not_found(&format!("no plan {code} here; / lists them")),
        }
    } else {
        (d.plans[0].clone(), path.trim_start_matches('/').to_string())
    };
    serve_file(plan, rest).await
}

/// A file of a plan's published site.
async fn serve_file(plan: Arc<Plan>, rest: String) -> Response {
    let rel = Path::new(&rest);
    // Only plain names, and no dot files (a version's manifest is not for readers).
    let plain = |c: Component<'_>| matches!(c, Component::Normal(n) if !n.to_string_lossy().starts_with('.'));
    if !rel.components().all(plain) || rest.contains('\\') {
        return not_found("no such page");
    }
    let file = if rest.is_empty() || rest.ends_with('/') {
        plan.site.join(rel).join("index.html")
    } else {
        plan.site.join(rel)
    };
    let p = plan.clone();
    let read = tokio::task::spawn_blocking(move || {
        if !p.site.exists() {
            return Err(StatusCode::SERVICE_UNAVAILABLE);
        }
        if file.is_dir() {
            return Err(StatusCode::MOVED_PERMANENTLY);
        }
        std::fs::read(&file).map(|b| (file, b)).map_err(|_| StatusCode::NOT_FOUND)
    })
    .await;
    match read {
        Ok(Ok((file, bytes))) => {
            let kind = content_type(&file);
            let bytes = if kind.starts_with("text/html") && plan.behind() { with_banner(bytes, &plan) } else { bytes };
            ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], bytes).into_response()
        }
        Ok(Err(StatusCode::MOVED_PERMANENTLY)) => {
            (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("{}/", rest.trim_end_matches('/')))])
                .into_response()
        }
        Ok(Err(StatusCode::SERVICE_UNAVAILABLE)) => {
            let s = plan.snapshot();
            let html = format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\"><title>{0}</title>\
                 </head><body><h1>{0} is not published yet</h1><p>{1}</p>{2}</body></html>",
                esc(&plan.code),
                if s.valid == Some(false) {
                    "Its latest revision does not validate, and no earlier one was published here."
                } else {
                    "The first publication is being made; this page reloads itself."
                },
                diagnostics_list(&s.diagnostics)
            );
            (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
                .into_response()
        }
        _ => not_found("no such page"),
    }
}

fn with_banner(bytes: Vec<u8>, plan: &Plan) -> Vec<u8> {
    let Ok(text) = String::from_utf8(bytes.clone()) else { return bytes };
    let Some(body) = text.find("<body") else { return bytes };
    let Some(end) = text[body..].find('>') else { return bytes };
    let at = body + end + 1;
    format!("{}{}{}", &text[..at], banner(plan), &text[at..]).into_bytes()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "atom" => "application/atom+xml",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A file of the many-plans view (`kept aggregate`'s files): every plan with its state as
/// last checked and its content as last published, rendered on request.
async fn view(d: &Shared, name: &'static str) -> Response {
    let parts: Vec<_> = d.plans.iter().map(|p| p.part(plan_path(d, p))).collect();
    let options = crate::aggregate::Options {
        base_url: d.config.base_url.clone(),
        feed_limit: Some(super::plan::VIEW_FEED_LIMIT),
    };
    let bytes = tokio::task::spawn_blocking(move || crate::aggregate::file(&parts, &options, name))
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, content_type(Path::new(name))), (header::CACHE_CONTROL, "no-cache")], bytes)
        .into_response()
}

/// A commit id, shortened.
fn short(id: &str) -> String {
    id.chars().take(12).collect()
}
