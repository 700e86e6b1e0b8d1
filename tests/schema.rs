//! `kept schema`: JSON Schemas for each TOML file kind, and the template refers to them.

use crate::common::{Scratch, run, template_dir};

#[test]
fn schema_writes_one_file_per_kind() {
    let s = Scratch::new();
    let out_dir = s.home().join("schema");
    let (code, out, err) = run(s.kept().args(["schema", "--out"]).arg(&out_dir));
    assert_eq!(code, 0, "{out}{err}");
    for kind in ["kept", "plan", "people", "roadmap", "opportunities", "commitment", "learning", "update"] {
        let text = std::fs::read_to_string(out_dir.join(format!("{kind}.schema.json"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], "object", "{kind}");
        assert!(v["properties"].as_object().is_some_and(|p| !p.is_empty()), "{kind}");
    }
    let (code, out, _) = run(s.kept().arg("schema"));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["commitment"]["properties"]["milestones"]["items"]["properties"]["status"]["enum"].is_array());
}

#[test]
fn the_templates_schemas_are_current_and_referenced() {
    let s = Scratch::new();
    let out_dir = s.home().join("schema");
    run(s.kept().args(["schema", "--out"]).arg(&out_dir));
    let shipped = template_dir().join(".kept/schema");
    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let entry = entry.unwrap();
        let fresh = std::fs::read_to_string(entry.path()).unwrap();
        let old = std::fs::read_to_string(shipped.join(entry.file_name()))
            .unwrap_or_else(|_| panic!("template-repo/.kept/schema lacks {:?}", entry.file_name()));
        assert_eq!(
            fresh,
            old,
            "template-repo/.kept/schema/{:?} is stale: run `kept schema --out template-repo/.kept/schema`",
            entry.file_name()
        );
    }
    // Every TOML file of the template names its schema on its first line, with a path that resolves.
    let mut stack = vec![template_dir()];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let first = text.lines().next().unwrap_or_default();
                let target = first
                    .strip_prefix("#:schema ")
                    .unwrap_or_else(|| panic!("{} lacks a #:schema line", path.display()));
                assert!(path.parent().unwrap().join(target).is_file(), "{}: {target} does not resolve", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} TOML files checked");
}

/// Run taplo (the TOML toolkit behind Even Better TOML) on files of a plan directory.
fn taplo_check(dir: &std::path::Path, files: &[&str]) -> (i32, String) {
    let out = std::process::Command::new("taplo")
        .arg("check")
        .args(files)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "error")
        .output()
        .expect("taplo runs (CI installs it: pip install taplo==0.9.3)");
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn taplo_accepts_the_template_and_rejects_what_kept_rejects() {
    let files = [
        "kept.toml",
        "plan.toml",
        "people.toml",
        "roadmap.toml",
        "opportunities.toml",
        "learning.toml",
        "commitments/UAYAB0001/commitment.toml",
        "commitments/UAYAB0004/commitment.toml",
    ];
    let (code, out) = taplo_check(&template_dir(), &files);
    assert_eq!(code, 0, "taplo rejects the template against kept's schemas:\n{out}");

    let s = Scratch::new();
    let plan = s.template();
    let path = plan.join("plan.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace("phase = \"implement\"", "phase = \"implementing\"");
    std::fs::write(&path, text).unwrap();
    let path = plan.join("commitments/UAYAB0001/commitment.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace("ogp-values = [", "ogp-value = [");
    std::fs::write(&path, text).unwrap();
    let (code, out) = taplo_check(&plan, &["plan.toml", "commitments/UAYAB0001/commitment.toml"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("\"implementing\" is not one of"), "{out}");
    assert!(out.contains("'ogp-value' was unexpected"), "{out}");
}
