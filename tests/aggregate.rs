//! `kept aggregate`: one dashboard, feed and open-data set across many plans (issue 7), with
//! real repositories, the merged feed read by feedparser and the same bytes on every run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{Scratch, copy_tree, git, run, template_dir};

/// A copy of the template at `name`, edited, committed at `date` (RFC 3339).
fn plan(s: &Scratch, name: &str, date: &str, edit: impl FnOnce(&Path)) -> PathBuf {
    let dir = s.home().join(name);
    copy_tree(&template_dir(), &dir);
    edit(&dir);
    commit(s, &dir, date, "Adopt the template");
    dir
}

/// Commit everything in `dir` at `date`.
fn commit(s: &Scratch, dir: &Path, date: &str, message: &str) {
    if !dir.join(".git").exists() {
        s.git(dir, &["init", "-q", "-b", "main"]);
    }
    s.git(dir, &["add", "-A"]);
    let (code, _, err) = run(git(s.home(), dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .args(["commit", "-q", "-m", message]));
    assert_eq!(code, 0, "{err}");
}

/// Replace `find` (which must occur) in a file.
fn edit(dir: &Path, file: &str, find: &str, replace: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(find), "{file} lacks `{find}`");
    std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
}

fn code(dir: &Path, code: &str) {
    edit(dir, "plan.toml", "member-code = \"UAYAB\"", &format!("member-code = \"{code}\""));
}

/// `kept aggregate --out OUT ARGS...`: (exit code, stdout, stderr).
fn aggregate(s: &Scratch, out: &Path, args: &[&Path]) -> (i32, String, String) {
    run(s.kept().arg("aggregate").arg("--out").arg(out).args(args))
}

/// Every file under `dir` (following the link to the current version), by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn text(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// feedparser's reading of an Atom file: bozo, and each entry's id, updated and categories.
fn feedparser(file: &Path) -> Value {
    let script = "import json, sys, feedparser\nd = feedparser.parse(sys.argv[1])\nprint(json.dumps({'bozo': bool(d.bozo), 'entries': [{'id': e.id, 'updated': e.updated, 'terms': [t.term for t in e.get('tags', [])]} for e in d.entries]}))";
    let o = Command::new("python3").args(["-c", script]).arg(file).output().unwrap();
    assert!(o.status.success(), "feedparser (pip install feedparser): {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn aggregate_lists_a_template_an_imported_and_a_broken_plan_with_the_broken_ones_diagnostics() {
    let s = Scratch::new();
    let template = plan(&s, "template", "2026-11-20T10:00:00+02:00", |_| {});
    let imported = s.home().join("imported");
    let (status, out, err) = run(s
        .kept()
        .args(["import", "ogp"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ogp/open_parliament_0703.csv"))
        .args(["--commitment", "COT0005", "--out"])
        .arg(&imported));
    assert_eq!(status, 0, "{out}{err}");
    let broken = plan(&s, "broken", "2026-11-21T10:00:00+02:00", |dir| {
        code(dir, "UABRK");
        edit(dir, "commitments/UAYAB0001/commitment.toml", "lead = \"o-digital-dept\"", "lead = \"o-<b>nobody</b>\"");
    });
    let site = s.home().join("site");
    let (status, stdout, stderr) = aggregate(&s, &site, &[&template, &imported, &broken]);
    assert_eq!(status, 1, "a plan does not validate: {stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("UAYAB\tvalid"), "{stdout}");
    assert!(lines[1].starts_with("COT\tinvalid"), "{stdout}");
    assert!(lines[2].starts_with("UABRK\tinvalid"), "{stdout}");

    // The broken plan's errors, as kept validate counts them at its commit.
    let (_, json, _) = run(s
        .kept()
        .args(["validate", "--rev", "HEAD", "--format", "json"])
        .arg(&broken)
        .env("KEPT_TODAY", "2026-11-21"));
    let validate: Value = serde_json::from_str(&json).unwrap();
    let errors = validate["errors"].as_u64().unwrap();
    assert!(errors > 0);

    let index = text(&site, "index.html");
    for code in ["UAYAB", "COT", "UABRK"] {
        assert!(index.contains(&format!("<code>{code}</code>")), "{code} listed: {index}");
    }
    assert!(index.contains(&format!("does not validate: {errors} error")), "{index}");
    assert!(index.contains("<section id=\"diagnostics-UABRK\">"), "{index}");
    assert!(index.contains("[<code>invalid-id</code>]"), "{index}");
    assert!(index.contains("commitments/UAYAB0001/commitment.toml:"), "file:line of each finding: {index}");
    assert!(index.contains("o-&lt;b&gt;nobody&lt;/b&gt;") && !index.contains("<b>nobody"), "escaped: {index}");
    assert!(index.contains("href=\"https://yablunivka.example/open-gov/\""), "the template's site is linked");
    assert!(index.contains("lang=\"uk\">Яблунівська"), "members by their own names: {index}");
    assert!(!index.contains("<script"), "no JavaScript");

    let plans = text(&site, "data/plans.csv");
    let rows: Vec<Vec<&str>> = plans.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "code",
            "member",
            "phase",
            "valid",
            "errors",
            "warnings",
            "commitments",
            "milestones",
            "completed",
            "overdue",
            "state",
            "revision"
        ]
    );
    assert_eq!(rows.len(), 4, "{plans}");
    let broken_row = rows.iter().find(|r| r[0] == "UABRK").unwrap();
    assert_eq!((broken_row[3], broken_row[4], broken_row[10]), ("false", errors.to_string().as_str(), "invalid"));
    let template_row = rows.iter().find(|r| r[0] == "UAYAB").unwrap();
    assert_eq!((template_row[3], template_row[4], template_row[6]), ("true", "0", "5"));

    // Only the valid plan's commitments are published, its code first.
    let commitments = text(&site, "data/commitments.csv");
    assert!(commitments.starts_with("Plan,Commitment Unique Identifier,"), "{commitments}");
    assert_eq!(commitments.lines().filter(|l| l.starts_with("UAYAB,UAYAB000")).count(), 5, "{commitments}");
    assert!(!commitments.contains("COT0005"), "{commitments}");

    let json: Value = serde_json::from_str(&text(&site, "data/plans.json")).unwrap();
    let listed = json["plans"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[2]["check"]["state"], "invalid");
    assert_eq!(listed[2]["check"]["errors"], errors);
}

#[test]
fn the_merged_feeds_carry_every_valid_plans_entries_newest_first_with_their_plan() {
    let s = Scratch::new();
    let yab = plan(&s, "yab", "2026-11-20T10:00:00+02:00", |_| {});
    let oth = plan(&s, "oth", "2026-11-21T10:00:00+02:00", |dir| code(dir, "UAOTH"));
    edit(&yab, "README.md", "", "Updated. ");
    commit(&s, &yab, "2026-11-22T10:00:00+02:00", "Update the README");
    let site = s.home().join("site");
    let (status, stdout, stderr) = aggregate(&s, &site, &[&yab, &oth]);
    assert_eq!(status, 0, "{stdout}{stderr}");

    let feed = feedparser(&site.join("feed.atom"));
    assert_eq!(feed["bozo"], false, "{}", text(&site, "feed.atom"));
    let entries = feed["entries"].as_array().unwrap();
    let terms: Vec<&str> = entries
        .iter()
        .map(|e| {
            let t = e["terms"].as_array().unwrap();
            assert_eq!(t.len(), 1, "one plan per entry: {e}");
            t[0].as_str().unwrap()
        })
        .collect();
    assert_eq!(terms, ["UAYAB", "UAOTH", "UAYAB"], "newest first, from both plans");
    let updated: Vec<&str> = entries.iter().map(|e| e["updated"].as_str().unwrap()).collect();
    assert!(updated.windows(2).all(|w| w[0] > w[1]), "{updated:?}");

    // The same entry ids as each plan's own feed.
    let own = s.home().join("own");
    let (status, _, err) = run(s.kept().arg("publish").arg("--out").arg(&own).arg(&oth));
    assert_eq!(status, 0, "{err}");
    let own_ids: Vec<String> = feedparser(&own.join("feed.atom"))["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(own_ids.len(), 1);
    assert_eq!(entries[1]["id"].as_str().unwrap(), own_ids[0]);

    let json: Value = serde_json::from_str(&text(&site, "feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert!(json["title"].is_string());
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for (item, entry) in items.iter().zip(entries) {
        assert_eq!(item["id"], entry["id"]);
        assert!(item["content_text"].is_string() && item["date_published"].is_string(), "{item}");
        assert_eq!(item["tags"][0], entry["terms"][0]);
    }
}

#[test]
fn the_same_revisions_give_the_same_bytes() {
    let s = Scratch::new();
    let yab = plan(&s, "yab", "2026-11-20T10:00:00+02:00", |_| {});
    let broken = plan(&s, "broken", "2026-11-21T10:00:00+02:00", |dir| {
        code(dir, "UABRK");
        edit(dir, "people.toml", "[[", "[[[");
    });
    let (a, b) = (s.home().join("a"), s.home().join("b"));
    assert_eq!(aggregate(&s, &a, &[&yab, &broken]).0, 1);
    let first = files(&a);
    assert!(first.contains_key("feed.atom") && first.contains_key("data/plans.json"), "{:?}", first.keys());
    // Again over the same directory, and into another one, a moment later.
    assert_eq!(aggregate(&s, &a, &[&yab, &broken]).0, 1);
    assert_eq!(aggregate(&s, &b, &[&yab, &broken]).0, 1);
    assert_eq!(files(&a), first);
    assert_eq!(files(&b), first);
}

#[test]
fn bad_input_is_listed_or_refused() {
    let s = Scratch::new();
    let yab = plan(&s, "yab", "2026-11-20T10:00:00+02:00", |_| {});
    let nothing = s.home().join("not-a-repo");
    std::fs::create_dir_all(&nothing).unwrap();
    let empty = s.home().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    s.git(&empty, &["init", "-q", "-b", "main"]);

    // Not a repository, a repository without a commit: listed with why, the rest produced.
    let site = s.home().join("site");
    let (status, stdout, stderr) = aggregate(&s, &site, &[&yab, &nothing, &empty]);
    assert_eq!(status, 1, "{stdout}{stderr}");
    assert!(stdout.contains("not-a-repo\tunreadable: no git repository"), "{stdout}");
    assert!(stdout.contains("empty\tunreadable: no commit at HEAD"), "{stdout}");
    let index = text(&site, "index.html");
    assert!(index.contains("<h2>not-a-repo cannot be read</h2>") && index.contains("<h2>empty cannot be read</h2>"));
    assert!(text(&site, "data/plans.csv").contains("\r\nnot-a-repo,,,false,,,,,,,unreadable,\r\n"));
    assert!(feedparser(&site.join("feed.atom"))["entries"].as_array().unwrap().len() == 1);

    // The same plan twice, or two plans with one member code: a usage error, nothing written.
    let twin = plan(&s, "twin", "2026-11-20T10:00:00+02:00", |_| {});
    for args in [[yab.as_path(), yab.as_path()], [yab.as_path(), twin.as_path()]] {
        let out = s.home().join("refused");
        let (status, _, stderr) = aggregate(&s, &out, &args);
        assert_eq!(status, 2, "{stderr}");
        assert!(stderr.contains("are both plan UAYAB; list each plan once"), "{stderr}");
        assert!(!out.exists());
    }

    // No plan at all.
    let (status, _, stderr) = aggregate(&s, &s.home().join("none"), &[]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("REPO"), "{stderr}");
}
