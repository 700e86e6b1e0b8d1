//! Fixture cases: each `tests/fixtures/invalid/*.toml` edits a copy of the template so that it
//! breaks one rule; the rendered diagnostics are pinned by an insta snapshot, and the codes
//! the case expects must appear. Every diagnostic code kept has is covered by some case.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::common::{Scratch, run};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    /// Codes that must appear in the output.
    expect: Vec<String>,
    /// Expected exit code (1 for errors; 0 when only warnings are expected).
    exit: i32,
    #[serde(default)]
    edit: Vec<Edit>,
    #[serde(default)]
    write: Vec<Write>,
    #[serde(default)]
    remove: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    find: String,
    replace: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Write {
    file: String,
    content: String,
}

fn cases() -> Vec<(String, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let case: Case = toml::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
            out.push((name, case));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Apply a case to a copy of the template: removals, then edits, then new files.
fn apply(plan: &Path, name: &str, case: &Case) {
    for r in &case.remove {
        let path = plan.join(r);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap_or_else(|_| panic!("{name}: cannot remove {r}"));
        }
    }
    for e in &case.edit {
        let path = plan.join(&e.file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{name}: no file {}", e.file));
        assert_eq!(text.matches(&e.find).count(), 1, "{name}: `{}` must occur exactly once in {}", e.find, e.file);
        std::fs::write(&path, text.replacen(&e.find, &e.replace, 1)).unwrap();
    }
    for w in &case.write {
        let path = plan.join(&w.file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &w.content).unwrap();
    }
}

#[test]
fn invalid_fixtures_render_their_diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 30, "expected a fixture per rule, found {}", cases.len());
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let s = Scratch::new();
        let plan = s.template();
        apply(&plan, name, case);
        let (code, out, err) = run(s.kept().arg("validate").arg(&plan));
        assert!(err.is_empty(), "{name}: stderr: {err}");
        if code != case.exit {
            failures.push(format!("{name}: exit {code}, expected {}\n{out}", case.exit));
        }
        for c in &case.expect {
            if !out.contains(&format!("[{c}]")) {
                failures.push(format!("{name}: expected code {c} in output:\n{out}"));
            }
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_description(case.description.clone());
        settings.set_snapshot_path("snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(format!("invalid__{name}"), out));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_rule_code_has_an_invalid_fixture() {
    let mut covered: BTreeSet<String> = cases().into_iter().flat_map(|(_, c)| c.expect).collect();
    covered.extend(crate::bad_input::CODES.iter().map(|c| c.to_string()));
    let missing: Vec<&str> = kept::rules::CODES.iter().map(|(c, _)| *c).filter(|c| !covered.contains(*c)).collect();
    assert!(missing.is_empty(), "codes without an invalid fixture: {missing:?}");
    for c in &covered {
        if crate::bad_input::CODES.contains(&c.as_str()) {
            continue;
        }
        assert!(kept::rules::CODES.iter().any(|(k, _)| k == c), "fixture expects unknown code {c}");
    }
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")).unwrap();
    for (code, _) in kept::rules::CODES.iter().chain(kept::check::CODES) {
        assert!(doc.contains(&format!("| `{code}` |")), "docs/rules.md does not describe {code}");
    }
}
