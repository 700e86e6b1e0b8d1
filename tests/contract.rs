//! The GitHub client against GitHub's official OpenAPI description (npm `@octokit/openapi`),
//! served by Prism (`@stoplight/prism-cli`) with `--errors`: every request that breaks the
//! description is answered 422 with the violations in `sl-violations`. Both are installed by
//! .ci/run into tests/contract/node_modules; `tests/contract/adjust.mjs` narrows the
//! description to the operations kept uses and removes two traps (see the script).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use kept::tracker::github::GitHub;
use kept::tracker::http::{Cache, Method, Options, Request};
use kept::tracker::{Action, Draft, Label, MilestoneDraft, Tracker, TrackerError};

const OWNER_REPO: &str = "octo-city/open-plan";

fn contract_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract")
}

/// A Prism mock server of GitHub's description, stopped when dropped.
struct Prism {
    url: String,
    server: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Prism {
    /// Serve the description as `adjust.mjs` writes it, with `flags` passed to the script.
    fn start(flags: &[&str]) -> Prism {
        let dir = contract_dir();
        let prism = dir.join("node_modules/.bin/prism");
        assert!(
            prism.exists(),
            "the contract tests need Node.js and the packages in tests/contract/package.json: \
             apt-get install nodejs npm && npm ci --prefix tests/contract (.ci/run does both)"
        );
        let tmp = tempfile::tempdir().unwrap();
        let spec = tmp.path().join("api.github.com.json");
        let out = Command::new("node").arg(dir.join("adjust.mjs")).arg(&spec).args(flags).output().expect("node runs");
        assert!(out.status.success(), "adjust.mjs: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = std::fs::File::create(tmp.path().join("prism.log")).unwrap();
        let server = Command::new(prism)
            .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(&spec)
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .expect("prism starts");
        let prism = Prism { url: format!("http://127.0.0.1:{port}"), server, _dir: tmp };
        for _ in 0..240 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return prism;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        panic!("Prism did not start within a minute");
    }

    fn client(&self) -> GitHub {
        let options = Options { attempts: 1, write_interval: std::time::Duration::ZERO, ..Options::default() };
        GitHub::new(&self.url, OWNER_REPO, Some("not-a-secret"), options, Cache::default()).unwrap()
    }
}

/// The status an error carries, or a panic naming what went wrong.
fn status(result: Result<kept::tracker::http::Response, TrackerError>) -> u16 {
    match result {
        Ok(r) => r.status,
        Err(TrackerError::Status { status, .. }) => status,
        Err(e) => panic!("{e}"),
    }
}

fn draft(open: bool, reason: Option<&str>) -> Draft {
    Draft {
        title: "UAYAB0001/M2: Публікація даних / Publish the data".into(),
        body: format!("Text.\n\n{}\n", kept::tracker::marker("UAYAB0001/M2")),
        labels: vec!["commitment: UAYAB0001".into(), "kept".into(), "status: in-progress".into()],
        open,
        state_reason: reason.map(str::to_string),
        start: Some("2026-01-01".into()),
        due: Some("2026-06-30".into()),
        milestone: Some(1),
    }
}

fn goal(open: bool) -> MilestoneDraft {
    MilestoneDraft {
        title: "UAYAB0001: Відкриті дані / Open data".into(),
        description: format!("Commitment UAYAB0001.\n\n{}\n", kept::tracker::commitment_marker("UAYAB0001")),
        due: Some("2027-06-30".into()),
        open,
    }
}

#[test]
fn every_request_the_github_client_makes_follows_githubs_openapi_description() {
    let prism = Prism::start(&[]);
    let mut gh = prism.client();

    // Reads: the issue list (paged by Link), the newest issues, one issue, the labels.
    // (Prism answers with the description's examples, whose issue is a pull request, so
    // the client rightly makes nothing of one issue; the request is what is checked.)
    gh.issues().expect("list issues");
    gh.recent().expect("recent issues");
    gh.labels().expect("labels");
    gh.milestones().expect("milestones");
    let one = gh.issue_url(1);
    assert_eq!(status(gh.http_mut().get(&one)), 200);
    // An issue's events, read for who changed its status.
    for url in gh.history_urls(1) {
        assert_eq!(status(gh.http_mut().get(&url)), 200, "{url}");
    }

    // Every kind of write, with the bodies kept sends.
    let label = Label { name: "status: in-progress".into(), color: "fbca04".into(), description: "Under way".into() };
    let actions = [
        Action::CreateLabel(label),
        Action::Create(draft(true, None)),
        Action::Update { number: 1, draft: draft(true, None) },
        Action::Update { number: 1, draft: draft(false, Some("completed")) },
        Action::Update { number: 1, draft: draft(false, Some("not_planned")) },
        Action::Comment { number: 1, text: "The plan's repository changed this too; its version was kept.".into() },
        Action::CreateMilestone(goal(true)),
        Action::UpdateMilestone { number: 1, draft: goal(false) },
    ];
    for action in &actions {
        for request in gh.requests(action) {
            let code = status(gh.http_mut().send(&request));
            assert!((200..300).contains(&code), "{request} was answered {code}");
        }
    }

    // And every write a real pass over the template plan would make (a dry run: Prism's
    // example issues carry no marker, so every milestone is new).
    let mut mem = kept::plan::source::MemSource::new();
    for (path, contents) in kept::template::files() {
        mem.insert(&path, contents);
    }
    let mut plan = kept::plan::load(&mem).plan;
    // With commitments kept as tracker milestones, so those requests are checked too.
    let tracker = plan.settings.as_mut().and_then(|s| s.tracker.as_mut()).expect("the template names a tracker");
    tracker.milestones = Some(kept::plan::At::new(true, tracker.kind.loc));
    let mut state = kept::sync::state::State::default();
    let report = kept::sync::sync(&plan, &mut gh, &mut state, &mut |_| {}, true).expect("a dry run");
    assert!(report.requests.len() > 20, "{}", report.requests.len());
    assert!(report.requests.iter().any(|r| r.url.ends_with("/milestones")), "commitments become milestones");
    for request in &report.requests {
        let request = Request { url: request.url.replace("/issues/0", "/issues/1"), ..request.clone() };
        let code = status(gh.http_mut().send(&request));
        assert!((200..300).contains(&code), "{request} was answered {code}");
    }
}

/// A request GitHub would refuse, and what Prism makes of it.
fn wrong_requests(url: &str) -> Vec<Request> {
    let issues = format!("{url}/repos/{OWNER_REPO}/issues");
    vec![
        // Labels are a list, not one string.
        Request {
            method: Method::Post,
            url: issues.clone(),
            body: Some(serde_json::json!({"title": "t", "body": "b", "labels": "kept"})),
        },
        // `finished` is not a state.
        Request {
            method: Method::Patch,
            url: format!("{issues}/1"),
            body: Some(serde_json::json!({"title": "t", "state": "finished"})),
        },
        // `done` is not a close reason.
        Request {
            method: Method::Patch,
            url: format!("{issues}/1"),
            body: Some(serde_json::json!({"state": "closed", "state_reason": "done"})),
        },
        // A label's colour is a string.
        Request {
            method: Method::Post,
            url: format!("{url}/repos/{OWNER_REPO}/labels"),
            body: Some(serde_json::json!({"name": "kept", "color": 255})),
        },
    ]
}

#[test]
fn the_contract_check_fails_on_a_request_github_would_refuse() {
    let prism = Prism::start(&[]);
    let mut gh = prism.client();
    for request in wrong_requests(&prism.url) {
        match gh.http_mut().send(&request) {
            Err(TrackerError::Status { status: 422, message, .. }) => {
                assert!(!message.is_empty(), "{request}");
            }
            other => panic!("{request} should break the description, got {other:?}"),
        }
    }
}

#[test]
fn without_the_adjustment_prism_would_not_check_an_issue_body() {
    // The trap the adjustment removes: with the description's own `milestone` schema,
    // Prism skips the issue create's body and answers 201 to a wrong one. This shows the
    // adjustment is what makes the test above able to fail.
    let prism = Prism::start(&["--keep-nullable-oneof"]);
    let mut gh = prism.client();
    let wrong = wrong_requests(&prism.url).remove(0);
    assert_eq!(status(gh.http_mut().send(&wrong)), 201, "the trap is gone: the adjustment can be dropped");
}
