//! Real GitHub exchanges, recorded by Octokit (npm `@octokit/fixtures`, installed by .ci/run
//! into tests/contract/node_modules), replayed against kept's GitHub client: each request
//! the client makes must be the next one recorded (method, path, the page it was linked to,
//! the body's fields), and gets the answer GitHub gave, headers and all.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::stand_in::server::{Answer, Incoming, Service, Traffic, start};
use kept::tracker::github::GitHub;
use kept::tracker::http::{Cache, Options};
use kept::tracker::{Action, Label, Tracker, TrackerError};

const GITHUB: &str = "https://api.github.com";

fn scenario(name: &str) -> Vec<Value> {
    let dir: PathBuf =
        [env!("CARGO_MANIFEST_DIR"), "tests/contract/node_modules/@octokit/fixtures/scenarios/api.github.com"]
            .iter()
            .collect();
    assert!(
        dir.exists(),
        "the replay tests need the packages in tests/contract/package.json: npm ci --prefix tests/contract \
         (.ci/run does it)"
    );
    let text = std::fs::read_to_string(dir.join(name).join("normalized-fixture.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Plays a recording back, in order; anything out of order or different is a mismatch,
/// answered 500 and listed.
struct Replay {
    traffic: Traffic,
    exchanges: Vec<Value>,
    next: usize,
    mismatches: Vec<String>,
}

/// Query keys the client sets for itself (the recording asked for other page sizes and
/// orders); every other key, `page` above all, must be the recorded one.
const OWN_KEYS: [&str; 4] = ["per_page", "state", "sort", "direction"];

fn query_of(path: &str) -> Vec<(String, String)> {
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| !OWN_KEYS.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

impl Replay {
    fn check(&self, want: &Value, req: &Incoming) -> Result<(), String> {
        let path = want["path"].as_str().unwrap_or_default();
        let method = want["method"].as_str().unwrap_or_default().to_ascii_uppercase();
        let got_query: Vec<(String, String)> = {
            let mut q: Vec<_> = req
                .query
                .iter()
                .filter(|(k, _)| !OWN_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            q.sort();
            q
        };
        if method != req.method || path.split('?').next() != Some(req.path.as_str()) || query_of(path) != got_query {
            return Err(format!("expected {method} {path}, got {} {} {got_query:?}", req.method, req.path));
        }
        if !req.headers.get("authorization").is_some_and(|a| a.starts_with("Bearer ")) {
            return Err(format!("{method} {path} without a token"));
        }
        // The recorded body's fields must be in the request, with the same values.
        if let Some(fields) = want["body"].as_object() {
            for (k, v) in fields {
                if req.body.get(k) != Some(v) {
                    return Err(format!("{method} {path}: {k} is {:?}, recorded {v}", req.body.get(k)));
                }
            }
        }
        Ok(())
    }
}

impl Service for Replay {
    fn traffic(&mut self) -> &mut Traffic {
        &mut self.traffic
    }

    fn answer(&mut self, req: &Incoming, base: &str) -> Answer {
        let Some(want) = self.exchanges.get(self.next).cloned() else {
            self.mismatches.push(format!("{} {} after the recording ended", req.method, req.path));
            return (500, vec![], Value::Null);
        };
        if let Err(e) = self.check(&want, req) {
            self.mismatches.push(e);
            return (500, vec![], Value::Null);
        }
        self.next += 1;
        // GitHub's own addresses in headers and bodies point at the replay instead.
        let local = |s: &str| s.replace(GITHUB, base);
        let headers = want["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !matches!(k.as_str(), "content-length" | "content-type" | "connection"))
            .filter_map(|(k, v)| Some((k.clone(), local(v.as_str()?))))
            .collect();
        let body = serde_json::from_str(&local(&want["response"].to_string())).unwrap_or(Value::Null);
        (want["status"].as_u64().unwrap_or(500) as u16, headers, body)
    }
}

/// A client against a replay of a scenario's first `take` exchanges.
fn replay(name: &str, take: usize) -> (GitHub, Arc<Mutex<Replay>>) {
    let mut exchanges = scenario(name);
    exchanges.truncate(take);
    let project = exchanges[0]["path"].as_str().unwrap().split('/').skip(2).take(2).collect::<Vec<_>>().join("/");
    let state = Arc::new(Mutex::new(Replay { traffic: Traffic::default(), exchanges, next: 0, mismatches: vec![] }));
    let url = start(state.clone());
    let options = Options { attempts: 3, write_interval: std::time::Duration::ZERO, ..Options::default() };
    let gh = GitHub::new(&url, &project, Some("0000000000000000000000000000000000000001"), options, Cache::default())
        .unwrap();
    (gh, state)
}

fn played_all(state: &Arc<Mutex<Replay>>) {
    let s = state.lock().unwrap();
    assert!(s.mismatches.is_empty(), "{:?}", s.mismatches);
    assert_eq!(s.next, s.exchanges.len(), "every recorded exchange was asked for");
}

#[test]
fn a_list_of_issues_is_followed_through_its_link_pages() {
    let (mut gh, state) = replay("paginate-issues", 5);
    let url = gh.list_url();
    let items = gh.list(&url).expect("five pages");
    played_all(&state);
    let numbers: Vec<u64> = items.iter().filter_map(|v| gh.parse(v)).map(|i| i.number).collect();
    assert_eq!(numbers, (1..=13).rev().collect::<Vec<_>>(), "13 issues over 5 pages of 3, newest first");
    // None carries a kept marker, so none is taken for a milestone's issue.
    assert!(gh.marked(&items).is_empty());
}

#[test]
fn a_validation_error_is_reported_with_its_field_and_not_retried() {
    let (mut gh, state) = replay("errors", 1);
    let label = Label { name: "foo".into(), color: "invalid".into(), description: String::new() };
    match gh.apply(&Action::CreateLabel(label)) {
        Err(TrackerError::Status { status: 422, message, .. }) => {
            assert!(message.contains("Validation Failed") && message.contains("color"), "{message}");
        }
        other => panic!("expected GitHub's 422, got {other:?}"),
    }
    played_all(&state);
    assert_eq!(gh.stats().retries, 0, "a 422 is an answer, not a failure to retry");
}

#[test]
fn labels_are_listed_and_created_as_github_recorded_them() {
    let (mut gh, state) = replay("labels", 2);
    let names = gh.labels().expect("the labels");
    assert_eq!(names.len(), 9);
    assert!(names.iter().any(|n| n == "good first issue"));
    let label = Label { name: "test-label".into(), color: "663399".into(), description: "A label".into() };
    gh.apply(&Action::CreateLabel(label)).expect("created");
    played_all(&state);
}

#[test]
fn a_created_issue_is_read_back_from_githubs_answer() {
    let (mut gh, state) = replay("add-labels-to-issue", 1);
    let draft = kept::tracker::Draft {
        title: "Issue without a label".into(),
        body: String::new(),
        labels: vec![],
        open: true,
        state_reason: None,
        start: None,
        due: None,
        milestone: None,
    };
    let issue = gh.apply(&Action::Create(draft)).expect("created").expect("an issue");
    played_all(&state);
    assert_eq!(issue.number, 1);
    assert!(issue.open && issue.labels.is_empty());
    assert!(issue.url.ends_with("/octokit-fixture-org/add-labels-to-issue/issues/1"), "{}", issue.url);
}
