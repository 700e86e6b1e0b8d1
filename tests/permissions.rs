//! The permission matrix: each role against each kind of change, judged by `kept check` on a
//! real commit made by that person, with the expected table written out here.

use crate::history::{APPROVER, BOT, COORDINATOR, LEAD, MONITOR, OTHER, Repo, UNKNOWN};

/// A kind of change: a name, and the edit that makes it on the template.
type Edit = fn(&Repo);

fn complete_milestone(r: &Repo) {
    // UAYAB0005/M2: lead p-oksana-hrytsenko.
    r.edit(
        "commitments/UAYAB0005/commitment.toml",
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"completed\"\ncompleted-on = 2026-11-20\nevidence = [\"https://yablunivka.example/youth-audit.pdf\"]",
    );
}

fn amend_due_date(r: &Repo) {
    r.edit("commitments/UAYAB0005/commitment.toml", "due = 2027-05-31", "due = 2027-06-30");
    r.edit(
        "commitments/UAYAB0005/commitment.toml",
        "[assessment]",
        "[[amendments]]\non = 2026-11-20\nreason = { uk = \"Затримка підрядника\", en = \"The contractor is late\" }\napproved-by = \"p-oleksandr-hnatiuk\"\n\n[assessment]",
    );
}

fn assess(r: &Repo) {
    r.edit(
        "commitments/UAYAB0005/commitment.toml",
        "potential-for-results = \"modest\"",
        "potential-for-results = \"substantial\"",
    );
}

fn edit_roadmap(r: &Repo) {
    let path = r.dir.join("roadmap.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, text + "\n# Reviewed at the forum meeting of 2026-11-18.\n").unwrap();
}

fn change_roles(r: &Repo) {
    r.edit(
        "kept.toml",
        "coordinator = [\"p-olena-koval\"]",
        "coordinator = [\"p-olena-koval\", \"p-viktoriia-lysenko\"]",
    );
}

fn propose_commitment(r: &Repo) {
    let dir = r.dir.join("commitments/UAYAB0006");
    std::fs::create_dir_all(&dir).unwrap();
    let c = std::fs::read_to_string(r.dir.join("commitments/UAYAB0005/commitment.toml")).unwrap();
    let c = c.replace("UAYAB0005", "UAYAB0006").replacen("status = \"in-implementation\"", "status = \"draft\"", 1);
    std::fs::write(dir.join("commitment.toml"), c).unwrap();
    for f in ["README.md", "README.en.md"] {
        std::fs::copy(r.dir.join("commitments/UAYAB0005").join(f), dir.join(f)).unwrap();
    }
}

fn link_issue(r: &Repo) {
    r.edit(
        "commitments/UAYAB0005/commitment.toml",
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"in-progress\"\nissue = \"https://github.com/yablunivka/open-gov-plan/issues/42\"",
    );
}

fn end_report(r: &Repo) {
    let path = r.dir.join("commitments/UAYAB0004/end-of-commitment.en.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, text + "\nAddendum: the council adopted the recommendations.\n").unwrap();
}

fn progress_note(r: &Repo) {
    std::fs::write(
        r.dir.join("updates/2026-11-21-youth-audit.md"),
        "+++\ntitle = { uk = \"Аудит\", en = \"Audit\" }\ndate = 2026-11-21\nkind = \"progress\"\nauthors = [\"p-oksana-hrytsenko\"]\ncommitments = [\"UAYAB0005\"]\n+++\nThe audit is half done.\n",
    )
    .unwrap();
}

fn rewrite_problem(r: &Repo) {
    r.edit("commitments/UAYAB0005/README.en.md", "## Problem\n", "## Problem\n\nYoung people are not heard.\n");
    r.edit(
        "commitments/UAYAB0005/commitment.toml",
        "[assessment]",
        "[[amendments]]\non = 2026-11-20\nreason = { uk = \"Уточнення\", en = \"A sharper problem\" }\napproved-by = \"p-oleksandr-hnatiuk\"\n\n[assessment]",
    );
}

fn change_mayors_email(r: &Repo) {
    r.edit("people.toml", "email = \"mayor@yablunivka.example\"", "email = \"o.koval+mayor@yablunivka.example\"");
}

fn unapprove(r: &Repo) {
    r.edit("commitments/UAYAB0005/commitment.toml", "status = \"in-implementation\"", "status = \"draft\"");
}

#[test]
fn each_role_may_make_exactly_its_changes() {
    let changes: [(&str, Edit); 12] = [
        ("complete a milestone", complete_milestone),
        ("amend a due date", amend_due_date),
        ("change an assessment", assess),
        ("edit the roadmap", edit_roadmap),
        ("change roles", change_roles),
        ("propose a commitment", propose_commitment),
        ("link a tracker issue", link_issue),
        ("edit an end-of-commitment report", end_report),
        ("add a progress note", progress_note),
        ("rewrite an approved commitment's problem", rewrite_problem),
        ("change a role holder's email", change_mayors_email),
        ("un-approve a commitment", unapprove),
    ];
    let people = [
        ("coordinator", COORDINATOR),
        ("approver", APPROVER),
        ("monitor", MONITOR),
        ("commitment lead", LEAD),
        ("other person", OTHER),
        ("unknown identity", UNKNOWN),
        ("bot", BOT),
    ];
    // Expected: rows are changes, columns the people above; Y may make the change, . may not.
    let expected = [
        //                                  coord appr mon  lead other unkn bot
        ("complete a milestone", "Y . . Y . . Y"),
        ("amend a due date", ". Y . . . . ."),
        ("change an assessment", ". . Y . . . ."),
        ("edit the roadmap", "Y . . . . . ."),
        ("change roles", ". . . . . . ."), // needs a coordinator and an approver together
        ("propose a commitment", "Y Y . . . . ."),
        ("link a tracker issue", "Y . . . . . Y"),
        ("edit an end-of-commitment report", ". . Y . . . ."),
        ("add a progress note", "Y . . Y . . ."),
        ("rewrite an approved commitment's problem", ". Y . . . . ."),
        ("change a role holder's email", ". . . . . . ."), // a coordinator and an approver together
        ("un-approve a commitment", ". Y . . . . ."),
    ];
    let mut repo = Repo::template(|_| {});
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let mut mismatches = Vec::new();
    for ((name, edit), (row, want)) in changes.iter().zip(expected) {
        assert_eq!(*name, row);
        let want: Vec<bool> = want.split(' ').map(|c| c == "Y").collect();
        for ((who, person), allowed) in people.iter().zip(want) {
            repo.git(&["checkout", "-q", "-B", "work", &base]);
            edit(&repo);
            repo.commit(*person, &format!("{name} as {who}"));
            let (_, out) = repo.check(&["--base", &base, "--format", "json"]);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
            let denied =
                v["commits"][0]["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "permission-denied");
            if denied == allowed {
                mismatches.push(format!("{name} by {who}: expected {}", if allowed { "allowed" } else { "denied" }));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn a_role_change_by_a_coordinator_merged_by_an_approver_passes() {
    let mut repo = Repo::template(|_| {});
    change_roles(&repo);
    repo.commit_as(COORDINATOR, APPROVER, "Add a second coordinator");
    let (code, out) = repo.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_merge_is_judged_against_the_merger() {
    let mut repo = Repo::template(|_| {});
    repo.git(&["checkout", "-q", "-b", "cso-proposal"]);
    amend_due_date(&repo);
    repo.commit(OTHER, "Propose a later date for M3");
    repo.git(&["checkout", "-q", "main"]);
    // The approver merges the proposal: the merge carries the change and is theirs.
    repo.merge(APPROVER, "cso-proposal", "Merge the CSO proposal");
    let (code, out) = repo.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 0, "{out}");
    // Merged by someone without the role, it is refused.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.merge(OTHER, "cso-proposal", "Merge it myself");
    let (code, out) = repo.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[permission-denied]"), "{out}");
}

#[test]
fn a_cso_proposes_a_commitment_from_a_clone() {
    let origin = Repo::template(|_| {});
    let clone_dir = origin.s.home().join("clone");
    let (code, _, err) = crate::common::run(
        crate::common::git(origin.s.home(), origin.s.home()).arg("clone").arg("-q").arg(&origin.dir).arg(&clone_dir),
    );
    assert_eq!(code, 0, "{err}");
    let mut cso = Repo { dir: clone_dir, ..origin };
    cso.git(&["checkout", "-q", "-b", "youth-proposal"]);
    propose_commitment(&cso);
    cso.commit(OTHER, "Propose a youth participation commitment");
    let (code, md) = cso.check(&["--base", "origin/main", "--proposal", "--format", "markdown"]);
    assert_eq!(code, 0, "{md}");
    assert!(md.contains("**Passes**"), "{md}");
    assert!(md.contains("commitment UAYAB0006 added (draft)"), "{md}");
    assert!(md.contains("**coordinator or approver** must approve"), "{md}");

    // Another branch moves an approved commitment's due date without an amendment: it fails.
    cso.git(&["checkout", "-q", "-b", "later-dates", "origin/main"]);
    cso.edit("commitments/UAYAB0005/commitment.toml", "due = 2027-05-31", "due = 2027-07-15");
    cso.commit(OTHER, "Give M3 more time");
    let (code, md) = cso.check(&["--base", "origin/main", "--proposal", "--format", "markdown"]);
    assert_eq!(code, 1, "{md}");
    assert!(md.contains("**amendment-required**"), "{md}");
    assert!(md.contains("**approver** must approve"), "{md}");
}
