//! The template repository: the example plan every municipality starts from.

use crate::common::{Scratch, run, template_dir};

#[test]
fn template_validates_with_no_error_and_no_warning() {
    let s = Scratch::new();
    let (code, out, err) = run(s.kept().arg("validate").arg(template_dir()));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.trim_end().lines().count(), 1, "expected only the summary line:\n{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

#[test]
fn template_covers_the_domain() {
    let loaded = kept::plan::load_dir(&template_dir()).unwrap();
    let plan = &loaded.plan;
    let meta = plan.meta.as_ref().unwrap();
    assert_eq!(meta.phase.as_ref().unwrap().value, "implement");
    assert_eq!(plan.languages(), ["uk", "en"]);
    assert!(plan.commitments.len() >= 4);
    let mut statuses = std::collections::BTreeSet::new();
    for c in &plan.commitments {
        assert!((3..=6).contains(&c.milestones.len()), "{} has {} milestones", c.id.value, c.milestones.len());
        for m in &c.milestones {
            statuses.insert(m.status_str().to_string());
        }
    }
    assert_eq!(statuses.len(), 5, "every milestone status appears: {statuses:?}");
    assert!(plan.commitments.iter().any(|c| !c.amendments.is_empty()), "an amendment");
    assert!(plan.commitments.iter().all(|c| c.approval.is_some()), "approvals");
    assert!(plan.learning.as_ref().is_some_and(|l| !l.body_members.is_empty()), "a monitoring body");
    assert!(plan.updates.len() >= 5, "dated progress updates");
    let sectors: std::collections::BTreeSet<_> =
        plan.entities.iter().filter_map(|e| e.sector.as_ref().map(|s| s.value.clone())).collect();
    assert!(sectors.contains("government") && sectors.contains("cso"));
}

#[test]
fn demo_lays_out_validates_and_reports() {
    let s = Scratch::new();
    let dir = s.home().join("demo");
    let (code, out, err) = run(s.kept().args(["demo", "--dir"]).arg(&dir));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("phase 4 of 5"), "{out}");
    assert!(out.contains("UAYAB0001"), "{out}");
    assert_eq!(s.git(&dir, &["status", "--porcelain"]), "");
}

#[test]
fn status_reports_phase_steps_progress_and_lateness() {
    let s = Scratch::new();
    let (code, out, _) = run(s.kept().args(["status", "--format", "json"]).arg(template_dir()));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["phase"], "implement");
    assert_eq!(v["steps"].as_array().unwrap().len(), 3);
    assert!(v["overdue"].as_array().unwrap().is_empty());
    assert!(v["stale"].as_array().unwrap().is_empty());
    let c = &v["commitments"][0];
    assert!(c["milestones"]["completed"].is_u64());
    // A year on, milestones are overdue and commitments stale.
    let (code, out, _) =
        run(s.kept().env("KEPT_TODAY", "2027-12-01").args(["status", "--format", "json"]).arg(template_dir()));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!v["overdue"].as_array().unwrap().is_empty(), "{v}");
    assert!(!v["stale"].as_array().unwrap().is_empty(), "{v}");
    let (_, human, _) = run(s.kept().env("KEPT_TODAY", "2027-12-01").arg("status").arg(template_dir()));
    assert!(human.contains("overdue milestones"), "{human}");
}

#[test]
fn json_diagnostics_carry_file_line_column_and_code() {
    let s = Scratch::new();
    let plan = s.template();
    let path = plan.join("commitments/UAYAB0001/commitment.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("lead = ", "leader = ", 1)).unwrap();
    std::fs::write(plan.join("roadmap.toml"), "tasks = 3\n").unwrap();
    let (code, out, _) = run(s.kept().args(["validate", "--format", "json"]).arg(&plan));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(diags.len() >= 3, "{v}");
    for d in diags {
        for key in ["file", "line", "column", "end_line", "end_column", "code", "severity", "message", "help"] {
            assert!(!d[key].is_null(), "{key} missing in {d}");
        }
    }
    assert!(diags.iter().any(|d| d["code"] == "unknown-key" && d["file"] == "commitments/UAYAB0001/commitment.toml"));
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "invalid-type" && d["file"] == "roadmap.toml" && d["line"] == 1 && d["column"] == 9)
    );
}

#[test]
fn a_plan_may_bring_its_own_step_catalogue() {
    let s = Scratch::new();
    let plan = s.template();
    // The built-in catalogue with one more step in phase 1, under the plan's own id.
    let builtin = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/catalogue/ogp-local-2024.toml"),
    )
    .unwrap();
    let own = builtin.replacen("id = \"ogp-local-2024\"", "id = \"yablunivka-2025\"", 1).replacen(
        "  { id = \"1.4\",",
        "  { id = \"1.5\", title = { en = \"Map digital skills\", uk = \"Оцінити цифрові навички\" }, criteria = [] },\n  { id = \"1.4\",",
        1,
    );
    std::fs::write(plan.join("catalogue.toml"), own).unwrap();
    let meta = std::fs::read_to_string(plan.join("plan.toml")).unwrap();
    std::fs::write(
        plan.join("plan.toml"),
        meta.replacen("catalogue = \"ogp-local-2024\"", "catalogue = \"yablunivka-2025\"", 1),
    )
    .unwrap();
    let (code, out, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("step 1.5 (Map digital skills) of phase prepare is unfinished"), "{out}");
    let meta = std::fs::read_to_string(plan.join("plan.toml")).unwrap();
    std::fs::write(
        plan.join("plan.toml"),
        meta + "\n[steps.\"1.5\"]\nstatus = \"skipped\"\nreason = { uk = \"Зроблено в 1.1\", en = \"Done within 1.1\" }\n",
    )
    .unwrap();
    let (code, out, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(code, 0, "{out}");
    let (_, out, _) = run(s.kept().args(["status", "--format", "json"]).arg(&plan));
    assert!(out.contains("\"phase\": \"implement\""), "{out}");
}

#[test]
fn a_draft_commitment_needs_no_approval_to_leave_phase_3() {
    let s = Scratch::new();
    let plan = s.template();
    let path = plan.join("commitments/UAYAB0005/commitment.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("status = \"in-implementation\"", "status = \"draft\"", 1)).unwrap();
    let (code, out, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("phase-exit"), "{out}");
}

#[test]
fn status_of_something_that_is_not_a_plan_says_why() {
    let s = Scratch::new();
    let empty = s.home().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, out, _) = run(s.kept().arg("status").arg(&empty));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[missing-file]") && out.contains("no status"), "{out}");
}

#[test]
fn the_templates_ci_files_run_kept_check_on_proposals() {
    // Parsed by a real YAML parser (PyYAML, installed by .ci/run), then read for what matters.
    let script = r#"
import json, sys, yaml
root = sys.argv[1]
gh = yaml.safe_load(open(root + "/.github/workflows/kept.yml"))
gl = yaml.safe_load(open(root + "/.gitlab-ci.yml"))
pc = yaml.safe_load(open(root + "/.pre-commit-config.yaml"))
hooks = yaml.safe_load(open(root + "/.pre-commit-hooks.yaml"))
steps = gh["jobs"]["check"]["steps"]
print(json.dumps({
  "gh_triggers": sorted(gh[True].keys()),
  "gh_runs": [s.get("run", "") for s in steps],
  "gh_depth": steps[0]["with"]["fetch-depth"],
  "gl_mr": gl["kept-merge-request"]["script"],
  "gl_artifacts": gl["kept-merge-request"]["artifacts"]["paths"],
  "pc_entry": pc["repos"][0]["hooks"][0]["entry"],
  "hook_entry": hooks[0]["entry"],
}))
"#;
    let out =
        std::process::Command::new("python3").args(["-c", script]).arg(template_dir()).output().expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["gh_triggers"], serde_json::json!(["pull_request", "push"]));
    assert_eq!(v["gh_depth"], 0);
    let runs = v["gh_runs"].to_string();
    assert!(runs.contains("kept check --base") && runs.contains("--proposal --format markdown"), "{runs}");
    assert!(v["gl_mr"].to_string().contains("--proposal --format markdown"), "{}", v["gl_mr"]);
    assert_eq!(v["gl_artifacts"], serde_json::json!(["kept-report.md"]));
    assert_eq!(v["pc_entry"], "kept hooks pre-commit");
    assert_eq!(v["hook_entry"], "kept hooks pre-commit");
}
