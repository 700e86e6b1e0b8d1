//! The pre-commit hook validates the staged tree, not the working tree.

use crate::common::{Scratch, run};

#[test]
fn pre_commit_checks_the_index_and_blocks_a_broken_commit() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "Adopt the template");
    let hook = plan.join(".git/hooks/pre-commit");
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-commit"), &hook).unwrap();
    let kept = env!("CARGO_BIN_EXE_kept");

    // Stage a milestone completed without evidence: the commit is refused with the diagnostic.
    let path = plan.join("commitments/UAYAB0005/commitment.toml");
    let good = std::fs::read_to_string(&path).unwrap();
    let bad =
        good.replacen("due = 2027-05-31\nstatus = \"in-progress\"", "due = 2027-05-31\nstatus = \"completed\"", 1);
    assert_ne!(bad, good);
    std::fs::write(&path, &bad).unwrap();
    s.git(&plan, &["add", "-A"]);
    let (code, out, err) =
        run(crate::common::git(s.home(), &plan).env("KEPT", kept).args(["commit", "-q", "-m", "Complete M3"]));
    assert_ne!(code, 0, "the broken commit went through");
    assert!(format!("{out}{err}").contains("[milestone-state]"), "{out}{err}");
    assert_eq!(s.git(&plan, &["rev-list", "--count", "HEAD"]).trim(), "1");

    // Fix the index but break the working tree: the commit goes through, judged by the index.
    s.git(&plan, &["checkout", "--", "."]);
    s.git(&plan, &["reset", "-q"]);
    std::fs::write(plan.join("people.toml"), "not [valid toml").unwrap();
    std::fs::write(
        plan.join("roadmap.toml"),
        std::fs::read_to_string(plan.join("roadmap.toml")).unwrap() + "\n# reviewed\n",
    )
    .unwrap();
    s.git(&plan, &["add", "roadmap.toml"]);
    let (code, out, err) =
        run(crate::common::git(s.home(), &plan).env("KEPT", kept).args(["commit", "-q", "-m", "Note review"]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(plan.join("people.toml")).unwrap(),
        "not [valid toml",
        "the hook touched unstaged work"
    );
}

/// A bare "server" repository with kept's hooks, and a clone of it holding the template.
fn server_and_clone() -> (crate::history::Repo, std::path::PathBuf) {
    use crate::history::{COORDINATOR, Repo};
    let mut repo = Repo::template(|_| {});
    let bare = repo.s.home().join("server.git");
    let (code, _, err) =
        run(crate::common::git(repo.s.home(), repo.s.home()).args(["init", "-q", "--bare", "-b", "main"]).arg(&bare));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(repo.s.kept().args(["hooks", "install", "--server"]).arg(&bare));
    assert_eq!(code, 0, "{out}{err}");
    assert!(bare.join("hooks/pre-receive").exists());
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    let (code, out, err) = run(crate::common::git(repo.s.home(), &repo.dir).args(["push", "-q", "origin", "main"]));
    assert_eq!(code, 0, "the first push of a valid plan is accepted: {out}{err}");
    let _ = repo.commit(COORDINATOR, "empty");
    (repo, bare)
}

#[test]
fn the_server_refuses_bad_pushes_and_rewrites_and_accepts_good_ones() {
    use crate::history::LEAD;
    let (mut repo, _bare) = server_and_clone();
    let push = |repo: &crate::history::Repo, args: &[&str]| {
        run(crate::common::git(repo.s.home(), &repo.dir).arg("push").args(args))
    };
    let (code, out, err) = push(&repo, &["origin", "main"]);
    assert_eq!(code, 0, "{out}{err}");

    // A milestone completed without evidence: refused, and the pusher sees why.
    repo.edit(
        "commitments/UAYAB0005/commitment.toml",
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"completed\"\ncompleted-on = 2026-11-20",
    );
    repo.commit(LEAD, "Complete the youth audit");
    let (code, out, err) = push(&repo, &["origin", "main"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("remote: kept: refusing refs/heads/main"), "{err}");
    assert!(err.contains("error[milestone-transition]") && err.contains("without evidence"), "{err}");

    // The same completion with evidence (the refused commit redone locally) is accepted.
    repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    repo.edit(
        "commitments/UAYAB0005/commitment.toml",
        "completed-on = 2026-11-20",
        "completed-on = 2026-11-20\nevidence = [\"https://yablunivka.example/youth-audit.pdf\"]",
    );
    repo.commit(LEAD, "Complete the youth audit, with its report");
    let (code, out, err) = push(&repo, &["origin", "main"]);
    assert_eq!(code, 0, "{out}{err}");

    // Rewriting main is refused, even by force.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.edit("roadmap.toml", "#:schema", "# rewritten\n#:schema");
    repo.commit(crate::history::COORDINATOR, "A different past");
    let (code, out, err) = push(&repo, &["-f", "origin", "main"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("its history cannot be rewritten"), "{err}");

    // Other branches are proposals: pushed freely, checked in review.
    repo.git(&["checkout", "-q", "-b", "proposal"]);
    let (code, out, err) = push(&repo, &["origin", "proposal"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn install_refuses_to_overwrite_foreign_hooks() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "Adopt the template");
    std::fs::write(plan.join(".git/hooks/pre-commit"), "#!/bin/sh\necho mine\n").unwrap();
    let (code, _, err) = run(s.kept().args(["hooks", "install"]).arg(&plan));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not kept's"), "{err}");
    std::fs::remove_file(plan.join(".git/hooks/pre-commit")).unwrap();
    let (code, out, err) = run(s.kept().args(["hooks", "install"]).arg(&plan));
    assert_eq!(code, 0, "{out}{err}");
    let installed = std::fs::read_to_string(plan.join(".git/hooks/pre-commit")).unwrap();
    assert!(installed.contains("hooks pre-commit"), "{installed}");
}

#[test]
fn commit_all_is_judged_by_what_it_stages() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "Adopt the template");
    let kept = env!("CARGO_BIN_EXE_kept");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-commit"),
        plan.join(".git/hooks/pre-commit"),
    )
    .unwrap();
    // `git commit -a` stages into a temporary index (GIT_INDEX_FILE): the hook must read that one.
    std::fs::write(plan.join("roadmap.toml"), "tasks = [").unwrap();
    let (code, out, err) = run(crate::common::git(s.home(), &plan).env("KEPT", kept).args([
        "commit",
        "-q",
        "-a",
        "-m",
        "Break the roadmap",
    ]));
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("[toml-syntax]"), "{err}");
}

#[test]
fn a_new_protected_branch_must_grow_from_the_existing_history() {
    use crate::history::{COORDINATOR, Repo};
    let (mut repo, _bare) = {
        let mut repo = Repo::template(|dir| {
            let path = dir.join("kept.toml");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(
                path,
                text.replacen("protected = [\"main\"]", "protected = [\"main\", \"release\", \"stable\"]", 1),
            )
            .unwrap();
        });
        let bare = repo.s.home().join("server.git");
        let (code, _, err) = run(crate::common::git(repo.s.home(), repo.s.home())
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&bare));
        assert_eq!(code, 0, "{err}");
        run(repo.s.kept().args(["hooks", "install", "--server"]).arg(&bare));
        repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
        let (code, out, err) = run(crate::common::git(repo.s.home(), &repo.dir).args(["push", "-q", "origin", "main"]));
        assert_eq!(code, 0, "{out}{err}");
        let _ = repo.commit(COORDINATOR, "keep going");
        (repo, bare)
    };
    // A release branch from main's history is fine.
    let (code, out, err) =
        run(crate::common::git(repo.s.home(), &repo.dir).args(["push", "-q", "origin", "main:release"]));
    assert_eq!(code, 0, "{out}{err}");
    // An unrelated history may not become a protected branch.
    repo.git(&["checkout", "-q", "--orphan", "other"]);
    repo.commit(COORDINATOR, "A plan from nowhere");
    let (code, out, err) =
        run(crate::common::git(repo.s.home(), &repo.dir).args(["push", "-q", "origin", "other:refs/heads/release2"]));
    assert_eq!(code, 0, "an unprotected name is a proposal: {out}{err}");
    let (code, _, err) =
        run(crate::common::git(repo.s.home(), &repo.dir).args(["push", "-q", "origin", "other:refs/heads/stable"]));
    assert_ne!(code, 0);
    assert!(err.contains("stable is a protected branch: it must grow from the repository's existing history"), "{err}");
    let (code, _, err) =
        run(crate::common::git(repo.s.home(), &repo.dir).args(["push", "-q", "-f", "origin", "other:release"]));
    assert_ne!(code, 0);
    assert!(err.contains("its history cannot be rewritten"), "{err}");
}

#[test]
fn the_update_hook_judges_one_ref_like_pre_receive() {
    use crate::history::{LEAD, Repo};
    let mut repo = Repo::template(|_| {});
    let bare = repo.s.home().join("server.git");
    let (code, _, err) =
        run(crate::common::git(repo.s.home(), repo.s.home()).args(["init", "-q", "--bare", "-b", "main"]).arg(&bare));
    assert_eq!(code, 0, "{err}");
    let hook = bare.join("hooks/update");
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/update"), &hook).unwrap();
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    let kept = env!("CARGO_BIN_EXE_kept");
    let push = |repo: &Repo| {
        run(crate::common::git(repo.s.home(), &repo.dir).env("KEPT", kept).args(["push", "origin", "main"]))
    };
    let (code, out, err) = push(&repo);
    assert_eq!(code, 0, "{out}{err}");
    repo.edit(
        "commitments/UAYAB0005/commitment.toml",
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"completed\"",
    );
    repo.commit(LEAD, "Complete without a date or evidence");
    let (code, _, err) = push(&repo);
    assert_ne!(code, 0);
    assert!(err.contains("error[milestone-transition]"), "{err}");
}

#[test]
fn deleting_a_protected_branch_is_refused() {
    use crate::history::Repo;
    let repo = Repo::template(|_| {});
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let zero = "0".repeat(40);
    // The update hook's own arguments, as git passes them, in the repository it runs in.
    let (code, _, err) = run(repo.s.kept().env("GIT_DIR", repo.dir.join(".git")).args([
        "hooks",
        "update",
        "refs/heads/main",
        &head,
        &zero,
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("main is a protected branch: it cannot be deleted"), "{err}");
    let (code, _, err) = run(repo.s.kept().env("GIT_DIR", repo.dir.join(".git")).args([
        "hooks",
        "update",
        "refs/heads/topic",
        &head,
        &zero,
    ]));
    assert_eq!(code, 0, "other branches may be deleted: {err}");
}
