//! `kept daemon` and `kept serve --demo`, run as a user runs them: the binary, real git
//! repositories, real HTTP over loopback, the feeds read by feedparser, the tracker a
//! stand-in.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::history::Repo;
use crate::stand_in::github::GitHub;

const TOKEN: &str = "test-token-not-a-secret";

/// A running `kept` server, stopped with SIGTERM when dropped.
pub struct Server {
    pub url: String,
    child: Child,
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Start `cmd` (whose first stdout line ends with the address it serves) with its log in `log`.
    pub fn start(mut cmd: Command, log: PathBuf) -> Server {
        let stderr = std::fs::File::create(&log).unwrap();
        let mut child = cmd.stdout(Stdio::piped()).stderr(stderr).spawn().expect("kept starts");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut line).unwrap();
        // Keep reading what else it prints, as a terminal would.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let url = line.trim().rsplit(' ').next().unwrap_or_default().trim_end_matches('/').to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}{}", std::fs::read_to_string(&log).unwrap_or_default());
        Server { url, child, log }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::blocking::get(format!("{}{path}", self.url))
            .unwrap_or_else(|e| panic!("{path}: {e}\n{}", std::fs::read_to_string(&self.log).unwrap_or_default()));
        (r.status().as_u16(), r.text().unwrap_or_default())
    }

    pub fn json(&self, path: &str) -> Value {
        let (code, body) = self.get(path);
        assert_eq!(code, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Wait until `ok` holds of the status API's first plan, or fail with the log.
    pub fn until(&self, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = self.json("/api/v1/status");
            if ok(&status["plans"][0]) {
                return status["plans"][0].clone();
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {status}\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stop it dead (SIGKILL), wherever it is.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM; true when it exits by itself within ten seconds, with status 0.
    pub fn stop(&mut self) -> bool {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

/// The first publication and sync are done, and the sync's bot commit (if any) is published.
fn settled(p: &Value) -> bool {
    p["sync"]["ok"] == true
        && p["published"].is_string()
        && p["head"] == p["published"]
        && (p["sync"]["wrote"].is_null() || p["sync"]["wrote"] == p["head"])
}

/// feedparser's reading of an Atom feed: (bozo, entry titles).
fn feedparser(xml: &str, dir: &Path) -> (bool, Vec<String>) {
    let file = dir.join("feed.atom");
    std::fs::write(&file, xml).unwrap();
    let script = "import json, sys, feedparser\nd = feedparser.parse(sys.argv[1])\nprint(json.dumps({'bozo': bool(d.bozo), 'titles': [e.title for e in d.entries]}))";
    let o = Command::new("python3").args(["-c", script]).arg(&file).output().unwrap();
    assert!(o.status.success(), "feedparser (pip install feedparser): {}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    (
        v["bozo"].as_bool().unwrap(),
        v["titles"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect(),
    )
}

#[test]
fn the_demo_serves_its_dashboard_feeds_status_and_tracker() {
    let scratch = tempfile::tempdir().unwrap();
    let mut cmd = crate::common::kept(scratch.path());
    cmd.args(["serve", "--demo", "--listen", "127.0.0.1:0", "--dir"]).arg(scratch.path().join("demo"));
    let mut server = Server::start(cmd, scratch.path().join("log"));
    let plan = server.until("the demo to publish and sync", settled);
    assert_eq!(plan["valid"], true, "{plan}");
    let (code, html) = server.get("/");
    assert_eq!(code, 200);
    assert!(html.contains("<html") && html.contains("Яблунівськ"), "{html}");
    let (code, atom) = server.get("/feed.atom");
    assert_eq!(code, 200);
    let (bozo, titles) = feedparser(&atom, scratch.path());
    assert!(!bozo, "feedparser reads the feed cleanly");
    assert!(titles.iter().any(|t| t.contains("progress: 60 -> 70")), "the demo's history is in the feed: {titles:?}");
    assert!(server.json("/feed.json")["items"].as_array().is_some_and(|i| !i.is_empty()));
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_string()));
    let (_, metrics) = server.get("/metrics");
    assert!(metrics.contains("kept_publish_total{plan=\"UAYAB\",result=\"published\"}"), "{metrics}");
    // The built-in tracker has one issue per milestone; closing one completes its milestone
    // in the plan, and the feed says so.
    let issues = server.json("/demo/github/repos/yablunivka/open-gov-plan/issues?state=open&per_page=100");
    let m2 =
        issues.as_array().unwrap().iter().find(|i| i["title"].as_str().unwrap().starts_with("UAYAB0005/M2")).unwrap();
    let close = format!("{}/demo/github/close/{}?login=okoval-yab", server.url, m2["number"]);
    let client = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(client.post(close).send().unwrap().status().as_u16(), 303);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, atom) = server.get("/feed.atom");
        if atom.contains("UAYAB0005/M2 status: in-progress -&gt; completed") {
            break;
        }
        assert!(Instant::now() < deadline, "{atom}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(server.stop(), "SIGTERM stops it cleanly");
}

/// A daemon configuration for one working tree, syncing with a GitHub stand-in.
fn watched(github: &GitHub) -> (Repo, PathBuf) {
    let url = github.url.clone();
    let repo = Repo::template(move |dir: &Path| {
        let kept = dir.join("kept.toml");
        let text = std::fs::read_to_string(&kept).unwrap();
        std::fs::write(&kept, text.replace("url = \"https://api.github.com\"", &format!("url = \"{url}\""))).unwrap();
    });
    let config = repo.dir.parent().unwrap().join("daemon.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata-dir = \"{}\"\nsync-interval-s = 0\ntracker-write-interval-ms = 0\n\
             [webhooks]\ngithub-secret = {{ env = \"KEPT_TEST_GITHUB_SECRET\" }}\n\
             [[plans]]\npath = \"{}\"\nsync = true\n",
            repo.dir.parent().unwrap().join("data").display(),
            repo.dir.display()
        ),
    )
    .unwrap();
    (repo, config)
}

fn daemon(repo: &Repo, config: &Path) -> Server {
    let mut cmd = repo.s.kept();
    cmd.args(["daemon", "--config"])
        .arg(config)
        .env("KEPT_TRACKER_TOKEN", TOKEN)
        .env("KEPT_TRACKER_BACKOFF_MS", "5")
        .env("KEPT_TEST_GITHUB_SECRET", "webhook-secret");
    Server::start(cmd, repo.dir.parent().unwrap().join("daemon.log"))
}

#[test]
fn a_commit_in_a_watched_tree_reaches_the_feed_and_the_tracker() {
    let github = GitHub::start(TOKEN);
    let (mut repo, config) = watched(&github);
    let server = daemon(&repo, &config);
    server.until("the first publication and sync", settled);
    // The lead completes M2 in the plan and commits.
    let file = "commitments/UAYAB0005/commitment.toml";
    repo.edit(
        file,
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"completed\"\ncompleted-on = 2026-11-20\nevidence = [\"https://yablunivka.example/audit\"]",
    );
    let commit = repo.commit(crate::history::LEAD, "UAYAB0005/M2 is done");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, atom) = server.get("/feed.atom");
        if atom.contains("UAYAB0005/M2 status: in-progress -&gt; completed") {
            break;
        }
        assert!(Instant::now() < deadline, "{atom}\n{}", std::fs::read_to_string(&server.log).unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = server.until("the commit to be published", |p| p["published"].as_str() == Some(commit.trim()));
    assert_eq!(status["valid"], true);
    // And the tracker follows: the milestone's issue is closed as completed.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let closed = github.lock().issues.values().any(|i| {
            i["body"].as_str().unwrap_or_default().contains("kept:milestone UAYAB0005/M2 ") && i["state"] == "closed"
        });
        if closed {
            break;
        }
        assert!(Instant::now() < deadline, "{}", std::fs::read_to_string(&server.log).unwrap());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Then it is idle: its own reading of the tree (the live check, git status) opens files,
    // which inotify reports, and must not be taken for an edit to check again, forever.
    let events = || {
        let (_, metrics) = server.get("/metrics");
        metrics
            .lines()
            .filter(|l| l.starts_with("kept_events_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    std::thread::sleep(Duration::from_millis(1500));
    let before = events();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(events(), before, "an idle daemon sees no events");
}

#[test]
fn a_commit_that_breaks_the_plan_leaves_the_last_valid_site_and_shows_why() {
    let github = GitHub::start(TOKEN);
    let (mut repo, config) = watched(&github);
    let server = daemon(&repo, &config);
    // After the first sync's bot commit (the issues' addresses) is published.
    let first = server.until("the first publication and sync", settled);
    let published = first["published"].as_str().unwrap().to_string();
    // A due date after the commitment's end: pushed where no hook stopped it.
    repo.edit("commitments/UAYAB0005/commitment.toml", "due = 2027-03-31", "due = 2029-03-31");
    let bad = repo.commit(crate::history::LEAD, "Move M2's due date");
    let status = server.until("the broken commit to be checked", |p| p["head"].as_str() == Some(bad.trim()));
    assert_eq!(status["valid"], false);
    assert_eq!(status["published"], published.as_str(), "the last valid site stays published");
    let detail = server.json("/api/v1/plans/UAYAB");
    let diags = detail["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["file"] == "commitments/UAYAB0005/commitment.toml" && d["line"].is_u64()),
        "{detail}"
    );
    let (code, html) = server.get("/");
    assert_eq!(code, 200);
    assert!(html.contains("kept-banner") && html.contains("does not validate"), "the dashboard shows it");
    assert!(html.contains("commitments/UAYAB0005/commitment.toml"), "with the diagnostics");
}

#[test]
fn webhooks_are_verified_deduplicated_and_all_answered() {
    let github = GitHub::start(TOKEN);
    let (repo, config) = watched(&github);
    let server = daemon(&repo, &config);
    server.until("the first publication and sync", settled);
    let client = reqwest::blocking::Client::new();
    let body = r#"{"action":"closed","repository":{"full_name":"yablunivka/open-gov-plan"}}"#;
    let send = |signature: &str, delivery: &str| {
        client
            .post(format!("{}/hooks/github", server.url))
            .header("X-GitHub-Event", "issues")
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", signature)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .unwrap()
    };
    let good = format!("sha256={}", kept::daemon::hooks::sign(b"webhook-secret", body.as_bytes()));
    let wrong = format!("sha256={}", kept::daemon::hooks::sign(b"another-secret", body.as_bytes()));
    let before = server.get("/metrics").1;
    let refused = send(&wrong, "d-1");
    assert_eq!(refused.status().as_u16(), 401);
    let after = server.get("/metrics").1;
    let syncs = |m: &str| {
        m.lines().find(|l| l.starts_with("kept_events_total{plan=\"UAYAB\",kind=\"sync\"}")).map(str::to_string)
    };
    assert_eq!(syncs(&before), syncs(&after), "a refused delivery does nothing");
    let first = send(&good, "d-2");
    assert_eq!(first.status().as_u16(), 202);
    let v: Value = first.json().unwrap();
    assert_eq!(v["queued"], serde_json::json!(["UAYAB"]));
    let replay = send(&good, "d-2");
    assert_eq!(replay.status().as_u16(), 200);
    assert_eq!(replay.json::<Value>().unwrap()["duplicate"], "d-2", "a replayed delivery does nothing");
    // Fifty deliveries at once: every one is answered, quickly (the work is queued).
    let started = Instant::now();
    let (good, send) = (&good, &send);
    let answers: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> =
            (0..50).map(|i| s.spawn(move || send(good, &format!("c-{i}")).status().as_u16())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|&c| c == 202), "{answers:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "answered within 10 s: {:?}", started.elapsed());
    let (_, metrics) = server.get("/metrics");
    assert!(metrics.contains("kept_webhook_deliveries_total{forge=\"github\",result=\"queued\"} 51"), "{metrics}");
    assert!(metrics.contains("kept_webhook_deliveries_total{forge=\"github\",result=\"refused\"} 1"), "{metrics}");
    assert!(metrics.contains("kept_webhook_deliveries_total{forge=\"github\",result=\"duplicate\"} 1"), "{metrics}");
}

#[test]
fn many_plans_are_served_under_their_codes_with_an_index_and_one_feed() {
    let (a, b) = (Repo::template(|_| {}), Repo::template(|_| {}));
    let config = a.dir.parent().unwrap().join("daemon.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata-dir = \"{}\"\n[[plans]]\npath = \"{}\"\n[[plans]]\npath = \"{}\"\ncode = \"UAOTH\"\n",
            a.dir.parent().unwrap().join("data").display(),
            a.dir.display(),
            b.dir.display()
        ),
    )
    .unwrap();
    let mut cmd = a.s.kept();
    cmd.args(["daemon", "--config"]).arg(&config);
    let server = Server::start(cmd, a.dir.parent().unwrap().join("daemon.log"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !server.json("/api/v1/status")["plans"].as_array().unwrap().iter().all(|p| p["published"].is_string()) {
        assert!(Instant::now() < deadline, "{}", std::fs::read_to_string(&server.log).unwrap());
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, index) = server.get("/");
    assert_eq!(code, 200);
    assert!(index.contains("href=\"/UAYAB/\"") && index.contains("href=\"/UAOTH/\""), "{index}");
    for code in ["UAYAB", "UAOTH"] {
        let (status, html) = server.get(&format!("/{code}/"));
        assert_eq!(status, 200, "/{code}/");
        assert!(html.contains("<html"), "{html}");
        assert_eq!(server.get(&format!("/{code}/feed.atom")).0, 200);
        assert_eq!(server.json(&format!("/api/v1/plans/{code}"))["url"], format!("/{code}/"));
    }
    let (_, atom) = server.get("/feed.atom");
    let (bozo, titles) = feedparser(&atom, a.dir.parent().unwrap());
    assert!(!bozo, "{atom}");
    let (_, one) = server.get("/UAYAB/feed.atom");
    let per_plan = feedparser(&one, a.dir.parent().unwrap()).1.len();
    assert_eq!(titles.len(), 2 * per_plan, "both plans' entries");
    assert!(atom.contains("<category term=\"UAOTH\"/>") && atom.contains("<category term=\"UAYAB\"/>"));
    assert_eq!(server.get("/UANOT/").0, 404);
}

#[test]
fn a_clone_is_fetched_on_a_push_and_its_bot_commits_are_pushed_even_when_someone_pushed_first() {
    let github = GitHub::start(TOKEN);
    let (mut repo, _) = watched(&github);
    let origin = crate::sync::with_origin(&repo);
    let config = repo.dir.parent().unwrap().join("clone.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata-dir = \"{}\"\nsync-interval-s = 0\nfetch-interval-s = 0\n\
             tracker-write-interval-ms = 0\n[webhooks]\ngithub-secret = {{ env = \"KEPT_TEST_GITHUB_SECRET\" }}\n\
             [[plans]]\nremote = \"{}\"\nbranch = \"main\"\nsync = true\n",
            repo.dir.parent().unwrap().join("clone-data").display(),
            origin.display()
        ),
    )
    .unwrap();
    let server = daemon(&repo, &config);
    server.until("the first publication and sync", settled);
    let git_dir = origin.to_str().unwrap().to_string();
    let origin_log = |r: &Repo| r.git(&["--git-dir", &git_dir, "log", "--format=%s", "main"]);
    assert!(origin_log(&repo).starts_with("Sync milestones with the tracker"), "the bot commit is pushed");
    let webhook = |r: &Repo, delivery: &str, event: &str| {
        let _ = r;
        let body = r#"{"ref":"refs/heads/main","repository":{"full_name":"yablunivka/open-gov-plan"}}"#;
        let sig = format!("sha256={}", kept::daemon::hooks::sign(b"webhook-secret", body.as_bytes()));
        let answer = reqwest::blocking::Client::new()
            .post(format!("{}/hooks/github", server.url))
            .header("X-GitHub-Event", event)
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", sig)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(answer.status().as_u16(), 202);
    };
    // A coordinator pulls, commits and pushes; the push webhook makes the daemon fetch it.
    repo.git(&["pull", "-q", "--ff-only", "origin", "main"]);
    repo.edit("commitments/UAYAB0001/commitment.toml", "progress = 55", "progress = 60");
    let pushed = repo.commit(crate::history::COORDINATOR, "UAYAB0001 at 60%").trim().to_string();
    repo.git(&["push", "-q", "origin", "main"]);
    webhook(&repo, "push-1", "push");
    server.until("the pushed commit to be published", |p| p["published"].as_str() == Some(pushed.as_str()));
    // Someone pushes again, with no webhook (the daemon's clone is now behind), and an issue is
    // closed in the tracker: the daemon's bot commit is refused, so it fetches, syncs again on
    // the new head and pushes that.
    repo.edit("commitments/UAYAB0001/commitment.toml", "progress = 60", "progress = 65");
    let second = repo.commit(crate::history::COORDINATOR, "UAYAB0001 at 65%").trim().to_string();
    repo.git(&["push", "-q", "origin", "main"]);
    let number = github.lock().number_of("UAYAB0005/M2");
    github.lock().close(number, "completed", "okoval-yab");
    webhook(&repo, "issue-1", "issues");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = origin_log(&repo);
        if log.starts_with("Sync milestones with the tracker") && log.contains("UAYAB0001 at 65%") {
            break;
        }
        assert!(Instant::now() < deadline, "{log}\n{}", std::fs::read_to_string(&server.log).unwrap());
        std::thread::sleep(Duration::from_millis(50));
    }
    let parent = repo.git(&["--git-dir", &git_dir, "rev-parse", "main^"]);
    assert_eq!(parent.trim(), second, "the bot commit sits on the commit pushed first");
    let message = repo.git(&["--git-dir", &git_dir, "log", "-1", "--format=%B", "main"]);
    assert!(message.contains("UAYAB0005/M2: completed in the tracker"), "{message}");
    assert!(std::fs::read_to_string(&server.log).unwrap().contains("push refused"), "the refusal is logged");
    let head = repo.git(&["--git-dir", &git_dir, "rev-parse", "main"]).trim().to_string();
    server.until("the bot commit to be published", |p| p["published"].as_str() == Some(head.as_str()));
}

/// The files of the site the link points to, or a panic if it is not whole.
fn whole_site(site: &Path) -> Vec<String> {
    let target = std::fs::read_link(site).unwrap_or_else(|e| panic!("{} is not a link: {e}", site.display()));
    let dir = site.parent().unwrap().join(target);
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                assert!(e.metadata().unwrap().len() > 0, "{} is empty", e.path().display());
                files.push(e.path().strip_prefix(&dir).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn kill_9_at_twenty_points_leaves_no_lock_a_whole_site_and_a_tracker_without_duplicates() {
    let github = GitHub::start(TOKEN);
    // 15 more commitments: 100 milestones, so a first sync, a publish and a bot commit each
    // take long enough to be killed in the middle.
    let mut repo = crate::sync::plan(&github, 15);
    let root = repo.dir.parent().unwrap().to_path_buf();
    let config = root.join("daemon.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata-dir = \"{}\"\nsync-interval-s = 1\ntracker-write-interval-ms = 0\n\
             [[plans]]\npath = \"{}\"\nsync = true\n",
            root.join("data").display(),
            repo.dir.display()
        ),
    )
    .unwrap();
    let site = root.join("data/sites/UAYAB");
    let mut closed = Vec::new();
    let mut files: Option<Vec<String>> = None;
    let mut interrupted = 0;
    // A fixed sequence of pseudo-random kill points (xorshift), 0 to 400 ms into the work.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut server = daemon(&repo, &config);
        // Work for it: a commit to publish, an issue closed to write back, or both.
        if round > 0 && round % 3 != 1 {
            let file = repo.dir.join("commitments/UAYAB0001/commitment.toml");
            let text = std::fs::read_to_string(&file).unwrap();
            let start = text.find("progress = ").unwrap() + "progress = ".len();
            let end = start + text[start..].find('\n').unwrap();
            std::fs::write(&file, format!("{}{}{}", &text[..start], 10 + round, &text[end..])).unwrap();
            repo.commit(crate::history::COORDINATOR, &format!("Round {round}: declare progress"));
        }
        if round % 3 != 0 {
            let mut s = github.lock();
            let open: Vec<u64> = s
                .issues
                .iter()
                .filter(|(n, i)| i["state"] == "open" && i.get("pull_request").is_none() && !closed.contains(*n))
                // Under way, so completing it today is what the plan's rules allow.
                .filter(|(_, i)| i["labels"].as_array().unwrap().iter().any(|l| l["name"] == "status: in-progress"))
                .map(|(n, _)| *n)
                .collect();
            if let Some(n) = open.get((seed % open.len().max(1) as u64) as usize).copied() {
                s.close(n, "completed", "okoval-yab");
                closed.push(n);
            }
        }
        if round == 0 {
            // The first sync creates the issues the later rounds close: on a loaded machine
            // the first publish alone can outlast a kill point, so round 0 lets it finish.
            let deadline = Instant::now() + Duration::from_secs(60);
            while !std::fs::read_to_string(&server.log).unwrap().contains("synced") && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        std::thread::sleep(Duration::from_millis(seed % 400));
        server.kill9();
        let log = std::fs::read_to_string(&server.log).unwrap();
        if !log.contains("synced") || !log.contains("published") {
            interrupted += 1;
        }
        // Whatever it was doing, the served site is one whole version.
        if site.exists() {
            let now = whole_site(&site);
            if let Some(f) = &files {
                assert_eq!(&now, f, "round {round}: the site is whole");
            }
        }
        if files.is_none() && site.exists() {
            files = Some(whole_site(&site));
        }
    }
    assert!(interrupted >= 5, "the kills landed in the middle of the work: {interrupted} of 20");
    // A last start settles everything.
    let server = daemon(&repo, &config);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let p = server.json("/api/v1/status")["plans"][0].clone();
        let all_written = closed.iter().all(|n| {
            let issue = github.lock().issues[n].clone();
            let key = kept::tracker::marker_key(issue["body"].as_str().unwrap()).unwrap().to_string();
            let (commitment, milestone) = key.split_once('/').unwrap();
            let toml =
                std::fs::read_to_string(repo.dir.join(format!("commitments/{commitment}/commitment.toml"))).unwrap();
            let m = &toml[toml.find(&format!("id = \"{milestone}\"")).unwrap()..];
            let m = &m[..m.find("[[milestones]]").unwrap_or(m.len())];
            m.contains("status = \"completed\"")
        });
        if settled(&p) && all_written {
            break;
        }
        assert!(Instant::now() < deadline, "{p}\n{}", std::fs::read_to_string(&server.log).unwrap());
        std::thread::sleep(Duration::from_millis(100));
    }
    // No stale lock in the repository.
    let mut locks = Vec::new();
    let mut stack = vec![repo.dir.join(".git")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else if e.file_name().to_string_lossy().ends_with(".lock") {
                locks.push(e.path());
            }
        }
    }
    assert!(locks.is_empty(), "stale locks: {locks:?}");
    // One issue per milestone, none twice, and every closed one's milestone completed.
    let s = github.lock();
    let mut markers: Vec<String> = s
        .issues
        .values()
        .filter(|i| i.get("pull_request").is_none())
        .filter_map(|i| kept::tracker::marker_key(i["body"].as_str()?).map(str::to_string))
        .collect();
    let all = markers.len();
    markers.sort();
    markers.dedup();
    assert_eq!(markers.len(), all, "no duplicate issue");
    assert_eq!(all, 100, "every milestone has its issue");
    assert!(closed.len() >= 10, "{closed:?}\n{}", std::fs::read_to_string(&server.log).unwrap());
    drop(s);
    assert_eq!(whole_site(&site), files.unwrap(), "the final site is whole");
    let (code, out) = repo.check(&[]);
    assert_eq!(code, 0, "the history the daemon wrote passes kept check:\n{out}");
}

#[test]
fn a_tracker_that_is_down_does_not_stop_publishing_and_edits_are_checked_live() {
    let github = GitHub::start(TOKEN);
    let (mut repo, config) = watched(&github);
    let server = daemon(&repo, &config);
    server.until("the first publication and sync", settled);
    // The tracker goes down: every request fails.
    github.lock().traffic.every = Some((1, vec![crate::stand_in::server::Fault::Status(503)]));
    repo.edit("commitments/UAYAB0001/commitment.toml", "progress = 55", "progress = 60");
    let commit = repo.commit(crate::history::COORDINATOR, "UAYAB0001 at 60%").trim().to_string();
    let status = server.until("the commit to be published while the tracker is down", |p| {
        p["published"].as_str() == Some(commit.as_str()) && p["sync"]["ok"] == false
    });
    assert!(status["sync"]["summary"].as_str().unwrap().contains("503"), "{status}");
    // An edit not yet committed: checked live on the preview page, never published.
    repo.edit("commitments/UAYAB0005/commitment.toml", "due = 2027-03-31", "due = 2029-03-31");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, html) = server.get("/preview/UAYAB");
        if html.contains("date-") && html.contains("commitments/UAYAB0005/commitment.toml") {
            break;
        }
        assert!(Instant::now() < deadline, "{html}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let p = server.json("/api/v1/status")["plans"][0].clone();
    assert_eq!(p["published"], commit.as_str(), "uncommitted edits are not published");
    assert_eq!(p["valid"], true);
    assert!(p["worktree"]["errors"].as_u64().unwrap() > 0, "{p}");
    // The edit undone: the working tree is the commit again, and the preview says so.
    repo.edit("commitments/UAYAB0005/commitment.toml", "due = 2029-03-31", "due = 2027-03-31");
    server.until("the preview to be the committed plan again", |p| {
        p["worktree"]["errors"] == 0 && p["worktree"]["warnings"] == p["warnings"]
    });
    // The tracker comes back: the next attempt (capped backoff) syncs.
    github.lock().traffic.every = None;
    server.until("the tracker to be synced again", |p| p["sync"]["ok"] == true);
}
