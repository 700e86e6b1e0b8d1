//! `kept sync` against a stateful GitHub stand-in on loopback.

use std::path::Path;

use crate::common::run;
use crate::history::Repo;
use crate::stand_in::github::{GitHub, OWNER_REPO};
use crate::stand_in::server::{Fault, RateWindow};

const TOKEN: &str = "test-token-not-a-secret";

/// The template with `extra` more commitments (copies of UAYAB0005, five milestones each),
/// its tracker pointed at the stand-in.
pub fn plan(github: &GitHub, extra: usize) -> Repo {
    let url = github.url.clone();
    Repo::template(move |dir: &Path| {
        let kept = dir.join("kept.toml");
        let text = std::fs::read_to_string(&kept).unwrap();
        std::fs::write(&kept, text.replace("url = \"https://api.github.com\"", &format!("url = \"{url}\""))).unwrap();
        for i in 0..extra {
            let id = format!("UAYAB{:04}", 6 + i);
            let to = dir.join("commitments").join(&id);
            crate::common::copy_tree(&dir.join("commitments/UAYAB0005"), &to);
            let file = to.join("commitment.toml");
            let text = std::fs::read_to_string(&file).unwrap();
            std::fs::write(&file, text.replace("id = \"UAYAB0005\"", &format!("id = \"{id}\""))).unwrap();
        }
    })
}

fn sync(repo: &Repo, args: &[&str]) -> (i32, String, String) {
    run(repo
        .s
        .kept()
        .arg("sync")
        .arg(&repo.dir)
        .args(args)
        .env("KEPT_TRACKER_TOKEN", TOKEN)
        .env("KEPT_TRACKER_INTERVAL_MS", "0")
        .env("KEPT_TRACKER_BACKOFF_MS", "5")
        .env("KEPT_TRACKER_TIMEOUT_S", "2"))
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Every issue (its text under `body`) is in its commitment's tracker milestone.
fn in_commitment_milestones<'a>(issues: impl Iterator<Item = &'a serde_json::Value>, body: &str) {
    for i in issues {
        let key = kept::tracker::marker_key(i[body].as_str().unwrap()).unwrap();
        let title = i["milestone"]["title"].as_str().unwrap_or_default();
        assert!(title.starts_with(&format!("{}: ", key.split('/').next().unwrap())), "{key}: {title}");
    }
}

/// Add a line to kept.toml's [tracker], committed by the coordinator.
fn set_tracker(repo: &mut Repo, line: &str) {
    repo.edit("kept.toml", "\nproject = ", &format!("\n{line}\nproject = "));
    repo.commit(crate::history::COORDINATOR, &format!("Tracker: {line}"));
}

/// A pass right after another writes nothing (`writes` counts the stand-in's writes).
fn second_pass_writes_nothing(repo: &Repo, writes: impl Fn() -> usize) {
    let before = writes();
    let (code, out, err) = sync(repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(writes(), before, "a second pass writes nothing: {out}");
}

/// A pass that ran into a rate limit waited it out, said so, and made no duplicate.
fn rate_limit_waited_out(out: &str, refused: u64, issues: usize) {
    assert!(refused > 0, "the limit was reached");
    assert!(out.contains(": 429"), "and the pass says what it waited for:\n{out}");
    assert_eq!(issues, 25, "one issue per milestone, none twice");
}

/// A pull (merge) request for the tracker's changes, found again by a second pass; the
/// plan's branch untouched. `count` is how many the stand-in has.
fn pull_request_twice(repo: &Repo, says: &str, count: impl Fn() -> usize) {
    let head = repo.git(&["rev-parse", "HEAD"]);
    for _ in 0..2 {
        let (code, out, err) = sync(repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains(says), "{out}");
    }
    assert_eq!(count(), 1, "the open one is found the second time");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn two_hundred_milestones_then_a_second_pass_writes_nothing() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 35);
    let (code, out, err) = sync(&repo, &["--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let report = json(&out)["sync"].clone();
    assert_eq!(report["outcomes"].as_array().unwrap().len(), 200);
    {
        let s = github.lock();
        let issues: Vec<_> = s.issues.values().filter(|i| i.get("pull_request").is_none()).collect();
        assert_eq!(issues.len(), 200, "one issue per milestone, the pull request untouched");
        let m1 = issues.iter().find(|i| i["body"].as_str().unwrap().contains("kept:milestone UAYAB0005/M1 ")).unwrap();
        assert_eq!(m1["state"], "closed", "a completed milestone's issue is closed");
        assert_eq!(m1["state_reason"], "completed");
        let names: Vec<&str> = m1["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["commitment: UAYAB0005", "kept", "status: completed"]);
        let m2 = issues.iter().find(|i| i["body"].as_str().unwrap().contains("kept:milestone UAYAB0005/M2 ")).unwrap();
        assert_eq!(m2["state"], "open");
        assert!(m2["title"].as_str().unwrap().starts_with("UAYAB0005/M2: "), "{}", m2["title"]);
        let withdrawn = issues.iter().filter(|i| i["state_reason"] == "not_planned").count();
        assert!(withdrawn > 0, "a withdrawn milestone's issue is closed as not planned");
        assert!(s.labels.contains_key("status: in-progress") && s.labels.contains_key("kept"));
    }
    let writes = github.lock().traffic.writes();
    let reads_before = github.lock().traffic.log.len();
    let (code, out, err) = sync(&repo, &["--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let second = json(&out)["sync"].clone();
    let s = github.lock();
    assert_eq!(s.traffic.writes(), writes, "a second pass makes no write");
    let reads: Vec<_> = s.traffic.log[reads_before..].iter().collect();
    assert!(reads.iter().all(|r| r.method == "GET" && r.conditional && r.status == 304), "{reads:?}");
    assert!(reads.iter().any(|r| r.path.ends_with("/issues")) && reads.iter().any(|r| r.path.ends_with("/labels")));
    assert_eq!(second["stats"]["writes"], 0);
    assert!(second["outcomes"].as_array().unwrap().iter().all(|o| o["what"] == "unchanged"));
}

#[test]
fn a_dry_run_prints_the_writes_and_makes_none() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 0);
    let (code, out, err) = sync(&repo, &["--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(github.lock().traffic.writes(), 0);
    assert!(out.contains(&format!("POST {}/repos/{OWNER_REPO}/issues {{", github.url)), "{out}");
    assert!(out.contains("\"title\":\"UAYAB0001/M1: "), "{out}");
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN), "the token is never printed");
    assert!(!repo.dir.join(".git/kept/sync").join(format!("github-{}.json", OWNER_REPO.replace('/', "_"))).exists());
}

#[test]
fn failures_are_retried_and_the_pass_converges() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 3);
    // The first answer is slower than the client waits; then one request in five fails:
    // 502, 429 with retry-after, 500, a dropped connection, a request done but its answer
    // lost, 503.
    github.lock().traffic.faults.push_back(Fault::Slow(std::time::Duration::from_secs(3)));
    github.lock().traffic.every = Some((
        5,
        vec![
            Fault::Status(502),
            Fault::TooMany(1),
            Fault::Status(500),
            Fault::Drop,
            Fault::DropAfter,
            Fault::Status(503),
        ],
    ));
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "one pass converges despite the faults:\n{out}{err}");
    assert!(out.contains("retried"), "and says what it retried:\n{out}");
    github.lock().traffic.every = None;
    let s = github.lock();
    let issues = s.issues.values().filter(|i| i.get("pull_request").is_none()).count();
    assert_eq!(issues, 40, "every milestone has exactly one issue");
}

#[test]
fn a_lost_state_finds_issues_by_their_markers() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 0);
    assert_eq!(sync(&repo, &[]).0, 0);
    std::fs::remove_dir_all(repo.dir.join(".git/kept")).unwrap();
    let writes = github.lock().traffic.writes();
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(github.lock().traffic.writes(), writes, "no duplicate, nothing rewritten:\n{out}");
}

#[test]
fn an_issue_edited_in_the_tracker_is_put_back_and_a_repo_change_is_pushed() {
    let github = GitHub::start(TOKEN);
    let mut repo = plan(&github, 0);
    assert_eq!(sync(&repo, &[]).0, 0);
    let number = {
        let mut s = github.lock();
        let (n, i) =
            s.issues.iter_mut().find(|(_, i)| i["body"].as_str().unwrap_or("").contains("UAYAB0005/M2 ")).unwrap();
        i["title"] = serde_json::json!("Renamed by hand");
        *n
    };
    repo.edit(
        "commitments/UAYAB0005/commitment.toml",
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"delayed\"\ndelay-reason = { uk = \"Підрядник\", en = \"The contractor is late\" }\nnext-steps = { uk = \"Новий договір\", en = \"A new contract\" }",
    );
    repo.commit(crate::history::LEAD, "M2 is delayed");
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let s = github.lock();
    let issue = &s.issues[&number];
    assert!(issue["title"].as_str().unwrap().starts_with("UAYAB0005/M2: "), "the repository owns the title");
    let labels: Vec<&str> = issue["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert!(labels.contains(&"status: delayed"), "{labels:?}");
    assert!(out.contains("UAYAB0005/M2 #"), "{out}");
}

#[test]
fn bad_settings_and_credentials_are_clear_errors() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 0);
    let (code, _, err) = run(repo.s.kept().arg("sync").arg(&repo.dir).env("KEPT_TRACKER_INTERVAL_MS", "0"));
    assert_eq!(code, 2);
    assert!(err.contains("401") && err.contains("Bad credentials"), "{err}");
    let (code, _, err) = sync(&repo, &["--tracker", "gitlab"]);
    assert_eq!(code, 2);
    assert!(err.contains("github"), "{err}");
}

#[test]
fn an_issue_closed_in_the_tracker_completes_its_milestone_in_a_checked_bot_commit() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 0);
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    // The first pass records every issue's address in the plan, as the bot.
    let toml = std::fs::read_to_string(repo.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
    assert!(toml.contains(&format!("issue = \"https://github.com/{OWNER_REPO}/issues/")), "{toml}");
    assert_eq!(repo.git(&["log", "-1", "--format=%ae"]).trim(), "kept-bot@yablunivka.example");
    let (number, url) = {
        let s = github.lock();
        let (n, i) = s.issues.iter().find(|(_, i)| i["body"].as_str().unwrap_or("").contains("UAYAB0005/M2 ")).unwrap();
        (*n, i["html_url"].as_str().unwrap().to_string())
    };
    github.lock().close(number, "completed", "okoval-yab");
    let closed_on = github.lock().issues[&number]["closed_at"].as_str().unwrap()[..10].to_string();
    let before = repo.git(&["rev-parse", "HEAD"]);
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("UAYAB0005/M2") && out.contains("changed in the tracker"), "{out}");
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert!(
        message.contains("Co-authored-by: Олена Коваль <o.koval@yablunivka.example>"),
        "the closer, as people.toml names them: {message}"
    );
    let toml = std::fs::read_to_string(repo.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
    let m2 = &toml[toml.find("id = \"M2\"").unwrap()..];
    let m2 = &m2[..m2.find("[[milestones]]").unwrap()];
    assert!(m2.contains("status = \"completed\""), "{m2}");
    assert!(m2.contains(&format!("completed-on = {closed_on}")), "{m2}");
    assert!(m2.contains(&url), "the issue is the evidence: {m2}");
    assert_eq!(repo.git(&["status", "--porcelain"]).trim(), "", "the working tree follows the commit");
    // The bot's commit passes the same rules as anyone's.
    let (code, out) = repo.check(&["--base", before.trim()]);
    assert_eq!(code, 0, "{out}");
    // The tracker and the plan now agree: nothing to write either way.
    let writes = github.lock().traffic.writes();
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert_eq!(sync(&repo, &[]).0, 0);
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(github.lock().traffic.writes() <= writes + 1, "at most the issue body's status line is refreshed");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head, "no further commit");
}

#[test]
fn a_first_sync_killed_at_twenty_points_leaves_no_duplicate_and_finishes() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 35);
    // Deterministic "random" points: a linear congruential sequence of delays.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let delay = std::time::Duration::from_millis(20 + (seed >> 33) % 400);
        let mut child = repo
            .s
            .kept()
            .arg("sync")
            .arg(&repo.dir)
            .env("KEPT_TRACKER_TOKEN", TOKEN)
            .env("KEPT_TRACKER_INTERVAL_MS", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
    }
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let s = github.lock();
    let mut keys: Vec<String> = s
        .issues
        .values()
        .filter(|i| i.get("pull_request").is_none())
        .map(|i| {
            let body = i["body"].as_str().unwrap();
            body[body.find("kept:milestone ").unwrap()..].split_whitespace().nth(1).unwrap().to_string()
        })
        .collect();
    let all = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!((all, keys.len()), (200, 200), "200 issues, no duplicate");
    for i in s.issues.values().filter(|i| i.get("pull_request").is_none()) {
        let labels: Vec<&str> = i["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
        let done = labels.contains(&"status: completed") || labels.contains(&"status: withdrawn");
        assert_eq!(i["state"] == "closed", done, "state follows status: {} {labels:?}", i["title"]);
    }
    let toml = std::fs::read_to_string(repo.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
    assert!(toml.contains("issue = "), "the addresses were written back");
    drop(s);
    assert_eq!(repo.git(&["status", "--porcelain"]).trim(), "", "the working tree is consistent");
    let (code, out) = repo.check(&[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn not_planned_reopened_and_relabelled_issues_move_their_milestones() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 0);
    assert_eq!(sync(&repo, &[]).0, 0);
    let find = |key: &str| github.lock().number_of(key);
    let (m3, m4, m1) = (find("UAYAB0005/M3"), find("UAYAB0005/M4"), find("UAYAB0005/M1"));
    {
        let mut s = github.lock();
        s.close(m3, "not_planned", "okoval-yab");
        // M1 was completed: reopened in the tracker by one person, relabelled by another.
        s.reopen(m1, "isavchuk-yab");
        s.relabel(m1, &["kept", "commitment: UAYAB0005", "status: in-progress"], "vlysenko-yab");
        // M4 was not started: relabelled as delayed by someone outside people.toml.
        s.relabel(m4, &["kept", "commitment: UAYAB0005", "status: delayed"], "volunteer42");
    }
    let before = repo.git(&["rev-parse", "HEAD"]);
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let toml = std::fs::read_to_string(repo.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
    let milestone = |id: &str| {
        let m = &toml[toml.find(&format!("id = \"{id}\"")).unwrap()..];
        m[..m.find("[[milestones]]").or_else(|| m.find("[assessment]")).unwrap_or(m.len())].to_string()
    };
    assert!(
        milestone("M3").contains("status = \"withdrawn\"") && milestone("M3").contains("withdrawn-reason"),
        "{}",
        milestone("M3")
    );
    assert!(
        milestone("M1").contains("status = \"in-progress\"") && milestone("M1").contains("reopen-reason"),
        "{}",
        milestone("M1")
    );
    assert!(!milestone("M1").contains("completed-on"), "{}", milestone("M1"));
    assert!(
        milestone("M4").contains("status = \"delayed\"") && milestone("M4").contains("next-steps"),
        "{}",
        milestone("M4")
    );
    // Everyone who acted is credited: the closer, the last to change M1's status (the
    // relabel after the reopen), and a person the plan does not know, by GitHub's no-reply
    // address. The bot's own changes credit no one.
    let message = repo.git(&["log", "-1", "--format=%B"]);
    for who in [
        "Co-authored-by: Олена Коваль <o.koval@yablunivka.example>",
        "Co-authored-by: Вікторія Лисенко <v.lysenko@yablunivka.example>",
        "Co-authored-by: volunteer42 <volunteer42@users.noreply.github.com>",
    ] {
        assert!(message.contains(who), "{who} in:\n{message}");
    }
    assert!(!message.contains("Савчук") && !message.contains("kept-bot"), "{message}");
    let (code, out) = repo.check(&["--base", before.trim()]);
    assert_eq!(code, 0, "the bot's commit passes kept check:\n{out}");
}

mod gitea {
    use super::*;
    use crate::stand_in::gitea::Gitea;

    fn plan(gitea: &Gitea) -> Repo {
        let url = gitea.url.clone();
        Repo::template(move |dir: &Path| {
            let kept = dir.join("kept.toml");
            let text = std::fs::read_to_string(&kept).unwrap();
            let text = text
                .replace("kind = \"github\"", "kind = \"gitea\"")
                .replace("url = \"https://api.github.com\"", &format!("url = \"{url}\""));
            std::fs::write(&kept, text).unwrap();
        })
    }

    #[test]
    fn gitea_faults_are_retried_without_duplicates() {
        let gitea = Gitea::start(TOKEN);
        let repo = plan(&gitea);
        gitea.lock().traffic.every =
            Some((5, vec![Fault::Status(502), Fault::Drop, Fault::DropAfter, Fault::TooMany(1)]));
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("retried"), "{out}");
        gitea.lock().traffic.every = None;
        assert_eq!(gitea.lock().issues.len(), 25, "one issue per milestone, none twice");
    }

    #[test]
    fn commitments_become_gitea_milestones() {
        let gitea = Gitea::start(TOKEN);
        let mut repo = plan(&gitea);
        super::set_tracker(&mut repo, "milestones = true");
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(gitea.lock().milestones.len(), 5);
        super::in_commitment_milestones(gitea.lock().issues.values(), "body");
        super::second_pass_writes_nothing(&repo, || gitea.lock().traffic.writes());
    }

    #[test]
    fn gitea_gets_a_pull_request_when_the_plan_asks_for_one() {
        let gitea = Gitea::start(TOKEN);
        let mut repo = plan(&gitea);
        super::set_tracker(&mut repo, "write-back = \"pull-request\"");
        gitea.lock().git_dir = Some(super::with_origin(&repo));
        super::pull_request_twice(&repo, "pull request #26: https://gitea.example/", || gitea.lock().pulls.len());
    }

    #[test]
    fn a_proxy_rate_limit_in_front_of_gitea_is_waited_out() {
        let gitea = Gitea::start(TOKEN);
        let repo = plan(&gitea);
        gitea.lock().rate = Some(RateWindow::new(20, std::time::Duration::from_secs(1)));
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        let s = gitea.lock();
        super::rate_limit_waited_out(&out, s.rate.as_ref().unwrap().refused, s.issues.len());
    }

    #[test]
    fn milestones_sync_to_gitea_both_ways() {
        let gitea = Gitea::start(TOKEN);
        let repo = plan(&gitea);
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        {
            let s = gitea.lock();
            assert_eq!(s.issues.len(), 25, "one issue per milestone");
            let m1 = s.issues.values().find(|i| i["body"].as_str().unwrap().contains("UAYAB0005/M1 ")).unwrap();
            assert_eq!(m1["state"], "closed", "created closed: a completed milestone");
            let names: Vec<&str> =
                m1["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
            assert!(names.contains(&"status: completed") && names.contains(&"kept"), "labels by id: {names:?}");
            assert_eq!(m1["due_date"], "2026-03-31T23:59:59+02:00", "the milestone's due date is the deadline");
        }
        // Nothing new: no write, only conditional reads answered 304.
        let writes = gitea.lock().traffic.writes();
        let seen = gitea.lock().traffic.log.len();
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        let s = gitea.lock();
        assert_eq!(s.traffic.writes(), writes, "{out}");
        assert!(
            s.traffic.log[seen..].iter().all(|r| r.method == "GET" && r.status == 304),
            "{:?}",
            &s.traffic.log[seen..]
        );
        drop(s);
        // Closed in Gitea: the plan follows in a bot commit that kept check accepts.
        let number =
            *gitea.lock().issues.iter().find(|(_, i)| i["body"].as_str().unwrap().contains("UAYAB0005/M2 ")).unwrap().0;
        gitea.lock().close(number, "okoval-yab");
        let before = repo.git(&["rev-parse", "HEAD"]);
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        // Gitea's issue does not say who closed it; its timeline does.
        let message = repo.git(&["log", "-1", "--format=%B"]);
        assert!(message.contains("Co-authored-by: Олена Коваль <o.koval@yablunivka.example>"), "{message}");
        let toml = std::fs::read_to_string(repo.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
        let m2 = &toml[toml.find("id = \"M2\"").unwrap()..];
        assert!(m2[..m2.find("[[milestones]]").unwrap()].contains("completed-on = 2026-11-19"), "{m2}");
        let (code, out) = repo.check(&["--base", before.trim()]);
        assert_eq!(code, 0, "{out}");
    }
}

mod gitlab {
    use super::*;
    use crate::stand_in::gitlab::{GitLab, PROJECT};

    fn plan(gitlab: &GitLab) -> Repo {
        let url = gitlab.url.clone();
        Repo::template(move |dir: &Path| {
            let kept = dir.join("kept.toml");
            let text = std::fs::read_to_string(&kept).unwrap();
            let text = text
                .replace("kind = \"github\"", "kind = \"gitlab\"")
                .replace("url = \"https://api.github.com\"", &format!("url = \"{url}\""))
                .replace("project = \"yablunivka/open-gov-plan\"", &format!("project = \"{PROJECT}\""));
            std::fs::write(&kept, text).unwrap();
        })
    }

    #[test]
    fn gitlab_faults_are_retried_without_duplicates() {
        let gitlab = GitLab::start(TOKEN);
        let repo = plan(&gitlab);
        gitlab.lock().traffic.every =
            Some((5, vec![Fault::Status(500), Fault::DropAfter, Fault::TooMany(1), Fault::Drop]));
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("retried"), "{out}");
        gitlab.lock().traffic.every = None;
        assert_eq!(gitlab.lock().issues.len(), 25, "one issue per milestone, none twice");
    }

    #[test]
    fn commitments_become_gitlab_milestones() {
        let gitlab = GitLab::start(TOKEN);
        let mut repo = plan(&gitlab);
        super::set_tracker(&mut repo, "milestones = true");
        let (code, out, err) = sync(&repo, &["--format", "json"]);
        assert_eq!(code, 0, "{out}{err}");
        let goals = json(&out)["sync"]["tracker_milestones"].clone();
        assert_eq!(goals.as_array().unwrap().len(), 5, "{goals}");
        assert_eq!(gitlab.lock().milestones.len(), 5);
        super::in_commitment_milestones(gitlab.lock().issues.values(), "description");
        super::second_pass_writes_nothing(&repo, || gitlab.lock().traffic.writes());
    }

    #[test]
    fn gitlab_gets_a_merge_request_when_the_plan_asks_for_one() {
        let gitlab = GitLab::start(TOKEN);
        let mut repo = plan(&gitlab);
        super::set_tracker(&mut repo, "write-back = \"pull-request\"");
        gitlab.lock().git_dir = Some(super::with_origin(&repo));
        super::pull_request_twice(&repo, "pull request #1: https://gitlab.example/", || {
            gitlab.lock().merge_requests.len()
        });
    }

    #[test]
    fn gitlabs_rate_limit_is_waited_out() {
        let gitlab = GitLab::start(TOKEN);
        let repo = plan(&gitlab);
        gitlab.lock().rate = Some(RateWindow::new(20, std::time::Duration::from_secs(1)));
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        let s = gitlab.lock();
        super::rate_limit_waited_out(&out, s.rate.as_ref().unwrap().refused, s.issues.len());
    }

    #[test]
    fn milestones_sync_to_gitlab_both_ways() {
        let gitlab = GitLab::start(TOKEN);
        let repo = plan(&gitlab);
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        {
            let s = gitlab.lock();
            assert_eq!(s.issues.len(), 25, "one issue per milestone");
            let m1 = s.issues.values().find(|i| i["description"].as_str().unwrap().contains("UAYAB0005/M1 ")).unwrap();
            assert_eq!(m1["state"], "closed", "a completed milestone's issue, closed by state_event");
            assert_eq!(m1["due_date"], "2026-03-31", "the milestone's due date is the issue's");
            assert!(m1["labels"].as_array().unwrap().iter().any(|l| l == "status: completed"));
        }
        let writes = gitlab.lock().traffic.writes();
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(gitlab.lock().traffic.writes(), writes, "a second pass writes nothing: {out}");
        // A due date moved in GitLab is put back: the plan owns it.
        let m3 = *gitlab
            .lock()
            .issues
            .iter()
            .find(|(_, i)| i["description"].as_str().unwrap().contains("UAYAB0005/M3 "))
            .unwrap()
            .0;
        gitlab.lock().issues.get_mut(&m3).unwrap()["due_date"] = serde_json::json!("2030-01-01");
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(gitlab.lock().issues[&m3]["due_date"], "2027-05-31", "{out}");
        // Closed in GitLab by the coordinator: the plan follows, Co-authored-by her.
        let iid = *gitlab
            .lock()
            .issues
            .iter()
            .find(|(_, i)| i["description"].as_str().unwrap().contains("UAYAB0005/M2 "))
            .unwrap()
            .0;
        gitlab.lock().close(iid, "okoval-yab");
        let before = repo.git(&["rev-parse", "HEAD"]);
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        let message = repo.git(&["log", "-1", "--format=%B"]);
        assert!(message.contains("Co-authored-by: Олена Коваль <o.koval@yablunivka.example>"), "{message}");
        let (code, out) = repo.check(&["--base", before.trim()]);
        assert_eq!(code, 0, "{out}");
        // Reopened by a volunteer: found in GitLab's resource state events, credited too.
        gitlab.lock().reopen(iid, "stkachenko");
        let before = repo.git(&["rev-parse", "HEAD"]);
        let (code, out, err) = sync(&repo, &[]);
        assert_eq!(code, 0, "{out}{err}");
        let message = repo.git(&["log", "-1", "--format=%B"]);
        assert!(message.contains("Co-authored-by: Сергій Ткаченко <serhii@tkachenko-dev.example>"), "{message}");
        let (code, out) = repo.check(&["--base", before.trim()]);
        assert_eq!(code, 0, "{out}");
    }
}

mod redmine {
    use super::*;
    use crate::stand_in::redmine::{PROJECT, Redmine};

    #[test]
    fn milestones_sync_to_a_real_redmine_both_ways() {
        let scratch = tempfile::tempdir().unwrap();
        let redmine = Redmine::start(scratch.path());
        // This Redmine's workflow names a completed task Resolved, not Closed.
        let with_statuses = |statuses: &'static str| {
            let url = redmine.url.clone();
            Repo::template(move |dir: &Path| {
                let kept = dir.join("kept.toml");
                let text = std::fs::read_to_string(&kept).unwrap();
                let text = text
                    .replace("kind = \"github\"", "kind = \"redmine\"")
                    .replace("url = \"https://api.github.com\"", &format!("url = \"{url}\""))
                    .replace("project = \"yablunivka/open-gov-plan\"", &format!("project = \"{PROJECT}\""));
                std::fs::write(&kept, format!("{text}\n[tracker.statuses]\n{statuses}\n")).unwrap();
            })
        };
        // Redmine dates a closed issue by its own clock, so this test's today is the real one.
        let today = kept::Date::today_utc().to_string();
        let sync_in = |repo: &Repo, args: &[&str]| {
            run(repo
                .s
                .kept()
                .arg("sync")
                .arg(&repo.dir)
                .args(args)
                .env("KEPT_TODAY", &today)
                .env("KEPT_TRACKER_TOKEN", &redmine.key)
                .env("KEPT_TRACKER_INTERVAL_MS", "0"))
        };
        // A status this Redmine does not have is a clear error, before anything is written.
        let wrong = with_statuses("completed = \"Done\"");
        let (code, out, err) = sync_in(&wrong, &[]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            err.contains("[tracker.statuses] completed = \"Done\"") && err.contains("it has New, In Progress"),
            "{err}"
        );
        let repo = with_statuses("completed = \"Resolved\"");
        let run = |args: &[&str]| sync_in(&repo, args);
        let (code, out, err) = run(&[]);
        assert_eq!(code, 0, "{out}{err}");
        let issues = redmine.call("GET", &format!("/issues.json?project_id={PROJECT}&status_id=*&limit=100"), None);
        let list = issues["issues"].as_array().unwrap();
        assert_eq!(list.len(), 25, "one issue per milestone");
        let m1 = list.iter().find(|i| i["description"].as_str().unwrap().contains("UAYAB0005/M1 ")).unwrap();
        assert_eq!(m1["status"]["name"], "Resolved", "a completed milestone's issue has the status set for it");
        assert_eq!(m1["due_date"], "2026-03-31", "the milestone's due date is the issue's");
        let m2 = list.iter().find(|i| i["description"].as_str().unwrap().contains("UAYAB0005/M2 ")).unwrap();
        assert_eq!(m2["status"]["name"], "In Progress");
        // A second pass has nothing to write.
        let (code, out, err) = run(&["--format", "json"]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(json(&out)["sync"]["stats"]["writes"], 0, "{out}");
        // Closed in Redmine: the plan follows in a bot commit that kept check accepts.
        let id = m2["id"].as_u64().unwrap();
        redmine.call("PUT", &format!("/issues/{id}.json"), Some(serde_json::json!({"issue": {"status_id": 5}})));
        let before = repo.git(&["rev-parse", "HEAD"]);
        let (code, out, err) = run(&[]);
        assert_eq!(code, 0, "{out}{err}");
        let toml = std::fs::read_to_string(repo.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
        let m = &toml[toml.find("id = \"M2\"").unwrap()..];
        let m = &m[..m.find("[[milestones]]").unwrap()];
        assert!(m.contains("status = \"completed\"") && m.contains(&format!("/issues/{id}")), "{m}");
        let (code, out, err) = crate::common::run(
            repo.s.kept().arg("check").arg(&repo.dir).args(["--base", before.trim()]).env("KEPT_TODAY", &today),
        );
        assert_eq!(code, 0, "{out}{err}");
    }
}

#[test]
fn both_sides_changed_the_repository_wins_and_the_issue_says_so() {
    let github = GitHub::start(TOKEN);
    let mut repo = plan(&github, 0);
    assert_eq!(sync(&repo, &[]).0, 0);
    let number = github.lock().number_of("UAYAB0005/M2");
    github.lock().close(number, "completed", "okoval-yab");
    repo.edit(
        "commitments/UAYAB0005/commitment.toml",
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"delayed\"\ndelay-reason = { uk = \"Підрядник\", en = \"The contractor is late\" }\nnext-steps = { uk = \"Новий договір\", en = \"A new contract\" }",
    );
    repo.commit(crate::history::LEAD, "M2 is delayed");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("UAYAB0005/M2") && out.contains("conflict"), "{out}");
    let s = github.lock();
    let issue = &s.issues[&number];
    assert_eq!(issue["state"], "open", "the plan's status is kept: reopened");
    assert!(issue["labels"].as_array().unwrap().iter().any(|l| l["name"] == "status: delayed"));
    assert!(
        s.comments.iter().any(|(n, text)| *n == number && text.contains("plan's version is kept")),
        "{:?}",
        s.comments
    );
    drop(s);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head, "the plan is not changed by the tracker's side");
}

#[test]
fn commitments_become_tracker_milestones_holding_their_issues() {
    let github = GitHub::start(TOKEN);
    let url = github.url.clone();
    let mut repo = Repo::template(move |dir: &Path| {
        let kept = dir.join("kept.toml");
        let text = std::fs::read_to_string(&kept).unwrap();
        let text = text.replace("url = \"https://api.github.com\"", &format!("url = \"{url}\"\nmilestones = true"));
        std::fs::write(&kept, text).unwrap();
    });
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("commitment UAYAB0005 (tracker milestone 5) created"), "{out}");
    {
        let s = github.lock();
        assert_eq!(s.milestones.len(), 5, "one per commitment");
        let m5 = s.milestones.values().find(|m| m["title"].as_str().unwrap().starts_with("UAYAB0005: ")).unwrap();
        assert_eq!(m5["due_on"], "2027-07-31T07:00:00Z", "due at the commitment's end");
        assert_eq!(m5["state"], "open");
        assert!(m5["description"].as_str().unwrap().contains("<!-- kept:commitment UAYAB0005 -->"));
        let issues: Vec<_> = s.issues.values().filter(|i| i.get("pull_request").is_none()).collect();
        assert_eq!(issues.len(), 25);
        for i in issues {
            let key = kept::tracker::marker_key(i["body"].as_str().unwrap()).unwrap();
            let commitment = key.split('/').next().unwrap();
            assert!(
                i["milestone"]["title"].as_str().is_some_and(|t| t.starts_with(&format!("{commitment}: "))),
                "{key} is in its commitment's milestone: {}",
                i["milestone"]
            );
        }
    }
    // Nothing changed: nothing written (GitHub keeps due dates at 07:00; dates are compared).
    let writes = github.lock().traffic.writes();
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(github.lock().traffic.writes(), writes, "{out}");
    // The commitment's end moves in the plan: its milestone follows.
    repo.edit("commitments/UAYAB0005/commitment.toml", "end = 2027-07-31", "end = 2027-08-31");
    repo.commit(crate::history::COORDINATOR, "UAYAB0005 ends later");
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("commitment UAYAB0005 (tracker milestone 5) updated"), "{out}");
    // A lost sync state finds the milestones by their markers: none is made twice.
    std::fs::remove_dir_all(repo.dir.join(".git/kept/sync")).unwrap();
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let s = github.lock();
    assert_eq!(s.milestones.len(), 5, "{out}");
    assert_eq!(s.milestones[&5]["due_on"], "2027-08-31T07:00:00Z");
}

#[test]
fn tracker_changes_can_come_as_a_pull_request_instead_of_a_commit() {
    let github = GitHub::start(TOKEN);
    let url = github.url.clone();
    let repo = Repo::template(move |dir: &Path| {
        let kept = dir.join("kept.toml");
        let text = std::fs::read_to_string(&kept).unwrap();
        let text = text
            .replace("url = \"https://api.github.com\"", &format!("url = \"{url}\"\nwrite-back = \"pull-request\""));
        std::fs::write(&kept, text).unwrap();
    });
    // Without a remote to push to, the pass says what to do.
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("git remote add origin"), "{err}");
    let origin = with_origin(&repo);
    github.lock().git_dir = Some(origin.clone());
    let main = repo.git(&["rev-parse", "HEAD"]);

    // The first pass records each issue's address: proposed, not committed.
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("pull request #"), "{out}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), main, "the plan's branch is not touched");
    let branch = github.lock().pulls[0]["head"]["ref"].as_str().unwrap().to_string();
    assert!(branch.starts_with("kept/sync-"), "{branch}");
    let pushed = run(std::process::Command::new("git").arg("--git-dir").arg(&origin).args(["rev-parse", &branch])).1;
    assert_eq!(pushed.trim(), repo.git(&["rev-parse", &branch]).trim(), "the branch is pushed");
    // The same change again: the same branch, the pull request already open is found.
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(github.lock().pulls.len(), 1, "{out}");

    // A coordinator merges it; then an issue is closed in the tracker.
    repo.git(&["merge", "-q", "--ff-only", &branch]);
    let merged = repo.git(&["rev-parse", "HEAD"]);
    let number = github.lock().number_of("UAYAB0005/M2");
    github.lock().close(number, "completed", "okoval-yab");
    let (code, out, err) = sync(&repo, &["--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let proposed = json(&out)["pull_request"].clone();
    let branch = proposed["branch"].as_str().unwrap().to_string();
    assert_eq!(github.lock().pulls.len(), 2, "a new change, a new pull request");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), merged);
    let message = repo.git(&["log", "-1", "--format=%B", &branch]);
    assert!(message.contains("UAYAB0005/M2: completed in the tracker"), "{message}");
    assert!(message.contains("Co-authored-by: Олена Коваль <o.koval@yablunivka.example>"), "{message}");
    let (code, out) = repo.check(&["--base", merged.trim(), "--head", &branch]);
    assert_eq!(code, 0, "the proposed commit passes kept check:\n{out}");
    // Until it is merged, a pass proposes the same change again, and no third pull request.
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(github.lock().pulls.len(), 2, "{out}");
}

/// The forge's copy of the repository (a bare one beside it, as `origin`), which a pull
/// request's branch is pushed to.
pub fn with_origin(repo: &Repo) -> std::path::PathBuf {
    let origin = repo.dir.parent().unwrap().join("origin.git");
    let (code, _, err) = run(std::process::Command::new("git").arg("init").arg("-q").arg("--bare").arg(&origin));
    assert_eq!(code, 0, "{err}");
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    origin
}

#[test]
fn githubs_primary_rate_limit_is_waited_out_or_reported() {
    // 30 requests a second: the pass runs into the limit, waits for its reset (the 403 has
    // no retry-after; x-ratelimit-reset says when), and finishes without a duplicate.
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 0);
    github.lock().rate = RateWindow::new(30, std::time::Duration::from_secs(1));
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(github.lock().rate.refused > 0, "the limit was reached");
    assert!(out.contains(": 403"), "and the pass says what it waited for:\n{out}");
    assert_eq!(github.lock().issues.len(), 26, "25 issues and the pull request, none twice");
    // A limit that resets later than kept waits stops the pass, saying when to run again.
    // (Conditional reads answered 304 cost nothing, so the list must have changed.)
    github.lock().close(2, "completed", "okoval-yab");
    github.lock().rate = RateWindow::new(0, std::time::Duration::from_secs(3600));
    let (code, out, err) = run(repo
        .s
        .kept()
        .args(["sync", repo.dir.to_str().unwrap()])
        .env("KEPT_TRACKER_TOKEN", TOKEN)
        .env("KEPT_TRACKER_MAX_WAIT_S", "2"));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("rate limit is spent until") && err.contains("run again then"), "{err}");
}

#[test]
fn a_tracker_change_the_plans_rules_refuse_is_left_out_and_the_rest_written() {
    let github = GitHub::start(TOKEN);
    let repo = plan(&github, 0);
    assert_eq!(sync(&repo, &[]).0, 0);
    let find = |key: &str| github.lock().number_of(key);
    // M5 of UAYAB0003 starts in 2027: closed today, it would be completed before it starts.
    let (future, m2) = (find("UAYAB0003/M5"), find("UAYAB0005/M2"));
    github.lock().close(future, "completed", "okoval-yab");
    github.lock().close(m2, "completed", "okoval-yab");
    let before = repo.git(&["rev-parse", "HEAD"]);
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("UAYAB0003/M5: the tracker's change is left out, the plan's rules refuse it (date-order"),
        "{out}"
    );
    let toml = std::fs::read_to_string(repo.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
    let m = &toml[toml.find("id = \"M2\"").unwrap()..];
    assert!(m[..m.find("[[milestones]]").unwrap()].contains("status = \"completed\""), "the other change is written");
    let (code, out) = repo.check(&["--base", before.trim()]);
    assert_eq!(code, 0, "{out}");
    // Not agreed: the next pass reports it again rather than reopening the issue.
    let (code, out, _) = sync(&repo, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("UAYAB0003/M5: the tracker's change is left out"), "{out}");
    assert_eq!(github.lock().issues[&future]["state"], "closed", "the person's close is not undone");
}

#[test]
fn a_change_held_back_by_uncommitted_edits_is_written_by_the_next_pass_not_lost() {
    let github = GitHub::start(TOKEN);
    let mut repo = plan(&github, 0);
    assert_eq!(sync(&repo, &[]).0, 0);
    let m2 = github.lock().number_of("UAYAB0005/M2");
    github.lock().close(m2, "completed", "okoval-yab");
    // Someone is editing the same commitment file and has not committed yet.
    let file = "commitments/UAYAB0005/commitment.toml";
    repo.edit(file, "Set up the community youth council", "Set up the youth council");
    let text = std::fs::read_to_string(repo.dir.join(file)).unwrap();
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("has uncommitted changes"), "{out}");
    assert_eq!(std::fs::read_to_string(repo.dir.join(file)).unwrap(), text, "their edits are not touched");
    // They commit; the next pass writes the tracker's change, and the issue stays closed.
    repo.commit(crate::history::LEAD, "Progress");
    let (code, out, err) = sync(&repo, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let toml = std::fs::read_to_string(repo.dir.join(file)).unwrap();
    let m = &toml[toml.find("id = \"M2\"").unwrap()..];
    assert!(m[..m.find("[[milestones]]").unwrap()].contains("status = \"completed\""), "{out}");
    assert_eq!(github.lock().issues[&m2]["state"], "closed", "the close was not undone");
}
