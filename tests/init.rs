//! `kept init`: a new plan repository, committed, that validates clean.

use crate::common::{Scratch, run};

#[test]
fn init_creates_a_committed_plan_that_validates_clean() {
    let s = Scratch::new();
    let dir = s.home().join("p");
    let (code, out, err) =
        run(s.kept().arg("init").arg(&dir).args(["--member", "Test City", "--code", "UATST", "--languages", "uk,en"]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = run(s.kept().arg("validate").arg(&dir));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    assert_eq!(s.git(&dir, &["status", "--porcelain"]), "", "everything is committed");
    assert_eq!(s.git(&dir, &["rev-list", "--count", "HEAD"]).trim(), "1");
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    assert!(plan.contains("phase = \"prepare\"") && plan.contains("UATST"));
    let (code, out, _) = run(s.kept().args(["status", "--format", "json"]).arg(&dir));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["phase_number"], 1);
    assert_eq!(v["steps"].as_array().unwrap().len(), 4);
    // From the committed revision too.
    let (code, _, _) = run(s.kept().args(["validate", "--rev", "HEAD"]).arg(&dir));
    assert_eq!(code, 0);
}

#[test]
fn init_refuses_bad_options_and_non_empty_directories() {
    let s = Scratch::new();
    let dir = s.home().join("p");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    let (code, _, err) = run(s.kept().arg("init").arg(&dir));
    assert_eq!(code, 2);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("keep.txt")).unwrap(), "mine");
    let (code, _, err) = run(s.kept().arg("init").arg(s.home().join("q")).args(["--code", "../x"]));
    assert_eq!(code, 2);
    assert!(err.contains("member code"), "{err}");
    let (code, _, err) = run(s.kept().arg("init").arg(s.home().join("r")).args(["--languages", "English"]));
    assert_eq!(code, 2);
    assert!(err.contains("language code"), "{err}");
    let (code, _, err) = run(s.kept().arg("init").arg(s.home().join("t")).args(["--languages", "uk,uk"]));
    assert_eq!(code, 2);
    assert!(err.contains("given twice"), "{err}");
    assert!(!s.home().join("t").exists(), "nothing is written when the options are refused");
}

#[test]
fn single_language_plans_validate_clean() {
    let s = Scratch::new();
    let dir = s.home().join("p");
    let (code, ..) =
        run(s.kept().arg("init").arg(&dir).args(["--member", "Ville", "--code", "FRVIL", "--languages", "fr"]));
    assert_eq!(code, 0);
    let (code, out, _) = run(s.kept().arg("validate").arg(&dir));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 warnings"), "{out}");
}
