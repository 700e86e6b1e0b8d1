//! `kept log`: the audit trail over real history, its filters, formats and cache.

use crate::common::run;
use crate::history::{APPROVER, COORDINATOR, LEAD, Repo};

/// The template, then a milestone's story: started, delayed, completed through a pull request.
fn story() -> Repo {
    let mut repo = Repo::template(|_| {});
    let file = "commitments/UAYAB0005/commitment.toml";
    repo.edit(
        file,
        "due = 2027-05-31\nstatus = \"in-progress\"",
        "due = 2027-05-31\nstatus = \"delayed\"\ndelay-reason = { uk = \"Підрядник\", en = \"The contractor is late\" }\nnext-steps = { uk = \"Новий договір\", en = \"A new contract\" }",
    );
    repo.commit(LEAD, "M3 is delayed");
    repo.git(&["checkout", "-q", "-b", "complete-m3"]);
    repo.edit(file, "status = \"delayed\"\ndelay-reason", "status = \"completed\"\ncompleted-on = 2026-11-20\nevidence = [\"https://yablunivka.example/cnap-queue\"]\ndelay-reason");
    repo.commit(LEAD, "Complete M3");
    repo.git(&["checkout", "-q", "main"]);
    repo.merge(COORDINATOR, "complete-m3", "Merge pull request #7 from youth/complete-m3");
    repo.edit(
        "plan.toml",
        "started = 2025-09-01\nnotes = { uk = \"Форум",
        "started = 2025-09-02\nnotes = { uk = \"Форум",
    );
    repo.commit(APPROVER, "A note (#9)");
    repo
}

fn log(repo: &Repo, args: &[&str]) -> String {
    let (code, out, err) = run(repo.s.kept().arg("log").arg("-C").arg(&repo.dir).args(args));
    assert_eq!(code, 0, "{out}{err}");
    out
}

#[test]
fn a_milestone_tells_its_whole_story() {
    let repo = story();
    let out = log(&repo, &["UAYAB0005/M3"]);
    // Newest first: completion (through pull request #7), then the delay.
    let completed =
        out.find("UAYAB0005/M3 status: delayed -> completed (evidence added, completion date set)").expect(&out);
    let delayed = out.find("UAYAB0005/M3 status: in-progress -> delayed").expect(&out);
    assert!(completed < delayed, "{out}");
    assert!(out.contains("by Oksana Hrytsenko (p-oksana-hrytsenko)"), "{out}");
    assert!(out.contains("pull request #7"), "{out}");
    assert!(out.contains("UAYAB0005/M3 completed-on: (none) -> 2026-11-20"), "{out}");
    assert!(!out.contains("UAYAB0005/M2"), "only M3:\n{out}");
    let whole = log(&repo, &["--since", "2026-11-01", "--person", "p-oleksandr-hnatiuk"]);
    assert!(whole.contains("step 4.1") && whole.contains("pull request #9") && !whole.contains("UAYAB0005"), "{whole}");
    let kinds = log(&repo, &["--kind", "milestone-status", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&kinds).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{kinds}");
    assert_eq!(v[0]["change"]["from"], "delayed");
    assert_eq!(v[0]["pull_request"], 7);
}

#[test]
fn csv_round_trips_through_a_csv_parser() {
    let repo = story();
    let out = log(&repo, &["--format", "csv"]);
    let script = "import csv, json, sys\nrows = list(csv.DictReader(sys.stdin))\nprint(json.dumps(rows))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(out.as_bytes()).unwrap();
    let parsed = child.wait_with_output().unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&parsed.stdout).unwrap();
    let json: serde_json::Value = serde_json::from_str(&log(&repo, &["--format", "json"])).unwrap();
    let json = json.as_array().unwrap();
    assert_eq!(rows.len(), json.len());
    for (row, entry) in rows.iter().zip(json) {
        assert_eq!(row["commit"], entry["commit"]);
        assert_eq!(row["summary"], entry["summary"], "quotes, commas and newlines survive");
        assert_eq!(row["to"].as_str().unwrap_or_default(), entry["change"]["to"].as_str().unwrap_or_default());
    }
}

#[test]
fn the_cache_speeds_repeats_and_is_never_trusted_blindly() {
    let mut repo = story();
    let cold = log(&repo, &["--format", "json"]);
    let cache = repo.dir.join(".git/kept/log-cache.jsonl");
    assert!(cache.exists(), "the first run writes the cache");
    assert_eq!(log(&repo, &["--format", "json"]), cold, "a warm run gives the same answer");
    // A damaged cache is ignored line by line and recomputed.
    let text = std::fs::read_to_string(&cache).unwrap();
    let damaged: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 2 { "{not json\n".to_string() } else { format!("{l}\n") })
        .collect();
    std::fs::write(&cache, damaged).unwrap();
    assert_eq!(log(&repo, &["--format", "json"]), cold);
    // A run stopped while writing left half a line; then more history arrives. The new
    // commits are read on top of the cached ones, and the records written after the half
    // line stay readable.
    let text = std::fs::read_to_string(&cache).unwrap();
    std::fs::write(&cache, &text[..text.len() - 20]).unwrap();
    repo.edit("plan.toml", "started = 2025-09-02", "started = 2025-09-03");
    repo.commit(APPROVER, "Another note");
    let longer = log(&repo, &["--format", "json", "--no-cache"]);
    assert_ne!(longer, cold);
    assert_eq!(log(&repo, &["--format", "json"]), longer);
    let text = std::fs::read_to_string(&cache).unwrap();
    let unreadable = text.lines().skip(1).filter(|l| serde_json::from_str::<serde_json::Value>(l).is_err()).count();
    assert_eq!(unreadable, 2, "only the damaged line above and the half line:\n{text}");
    assert_eq!(log(&repo, &["--format", "json"]), longer);
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    assert_eq!(log(&repo, &["--format", "json"]), cold, "records of commits no longer in history are not listed");
    std::fs::write(&cache, "something else entirely\n").unwrap();
    assert_eq!(log(&repo, &["--format", "json"]), cold);
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(log(&repo, &["--format", "json", "--no-cache"]), cold);
    assert!(!cache.exists(), "--no-cache writes nothing");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let repo = story();
    for args in [&["--since", "yesterday"][..], &["--kind", "everything"][..], &["--rev", "no-such-rev"][..]] {
        let (code, _, err) = run(repo.s.kept().arg("log").arg("-C").arg(&repo.dir).args(args));
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}
