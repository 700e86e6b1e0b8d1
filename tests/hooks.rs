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
