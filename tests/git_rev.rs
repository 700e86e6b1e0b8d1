//! `--rev`: the plan is read straight from git objects, without a checkout, and the working
//! tree is left as it was.

use crate::common::{Scratch, run};

#[test]
fn validate_reads_any_revision_without_touching_the_work_tree() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "Adopt the template");
    let path = plan.join("commitments/UAYAB0002/commitment.toml");
    let good = std::fs::read_to_string(&path).unwrap();
    let bad = good.replacen("status = \"in-implementation\"", "status = \"implementing\"", 1);
    assert_ne!(good, bad, "the template's UAYAB0002 is in implementation");
    std::fs::write(&path, &bad).unwrap();
    s.commit_all(&plan, "Break a status");
    // The working tree now matches HEAD; make it differ again to prove --rev ignores it.
    std::fs::write(&path, &good).unwrap();
    let before = s.git(&plan, &["status", "--porcelain"]);

    let (code, out, err) = run(s.kept().args(["validate", "--rev", "HEAD~1"]).arg(&plan));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = run(s.kept().args(["validate", "--rev", "HEAD"]).arg(&plan));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[invalid-value]") && out.contains("commitments/UAYAB0002/commitment.toml"), "{out}");
    let (code, _, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(code, 0, "the working tree holds the good file");

    assert_eq!(s.git(&plan, &["status", "--porcelain"]), before, "kept changed the working tree or index");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), good);
}

#[test]
fn revisions_resolve_by_any_name() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "Adopt the template");
    s.git(&plan, &["tag", "v1"]);
    for rev in ["main", "v1", "HEAD^{tree}"] {
        let (code, out, err) = run(s.kept().args(["validate", "--rev", rev]).arg(&plan));
        assert_eq!(code, 0, "{rev}: {out}{err}");
    }
}

#[test]
fn a_plan_in_a_subdirectory_of_a_larger_repository_is_read_from_there() {
    let s = Scratch::new();
    let repo = s.home().join("monorepo");
    crate::common::copy_tree(&crate::common::template_dir(), &repo.join("plans/yablunivka"));
    std::fs::write(repo.join("README.md"), "other things\n").unwrap();
    s.commit_all(&repo, "Add the plan");
    let (code, out, err) = run(s.kept().args(["validate", "--rev", "HEAD"]).arg(repo.join("plans/yablunivka")));
    assert_eq!(code, 0, "{out}{err}");
    // A directory the revision does not have is a usage error naming it.
    std::fs::create_dir_all(repo.join("plans/new")).unwrap();
    let (code, _, err) = run(s.kept().args(["validate", "--rev", "HEAD"]).arg(repo.join("plans/new")));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has no directory `plans/new`"), "{err}");
}

#[test]
fn status_reads_a_revision_too() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "Adopt the template");
    let (code, out, _) = run(s.kept().args(["status", "--rev", "HEAD", "--format", "json"]).arg(&plan));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["phase"], "implement");
}
