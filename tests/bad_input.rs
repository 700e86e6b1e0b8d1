//! Hostile and broken input: never a panic, never a read outside the repository, always a
//! message naming the file, exit 1 or 2.

use std::collections::BTreeMap;
use std::path::Path;

use kept::plan::source::{EntryKind, MemSource, ReadError, Source};

use crate::common::{Scratch, run};

/// Codes these tests cover, counted by the fixture coverage test.
pub const CODES: &[&str] = &[
    "file-too-large",
    "nesting-too-deep",
    "invalid-utf8",
    "unsafe-path",
    "not-a-file",
    "unreadable-file",
    "missing-field",
];

/// Validate a modified template; assert the exit code is 1 or 2, that the output names `file`
/// and carries `code`, pin the rendered output as snapshot `bad_input__<name>`, and return it.
fn check(s: &Scratch, plan: &Path, file: &str, code: &str, name: &str) -> String {
    let (exit, out, err) = run(s.kept().arg("validate").arg(plan));
    assert!(exit == 1 || exit == 2, "exit {exit}\n{out}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let all = format!("{out}{err}");
    assert!(all.contains(file), "output does not name {file}:\n{all}");
    assert!(all.contains(&format!("[{code}]")), "output lacks {code}:\n{all}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("bad_input__{name}"), all.clone()));
    all
}

#[test]
fn a_50_mb_toml_file_is_refused_unread() {
    let s = Scratch::new();
    let plan = s.template();
    let mut big = std::fs::read_to_string(plan.join("people.toml")).unwrap();
    let filler = format!("# {}\n", "x".repeat(1000));
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(&filler);
    }
    std::fs::write(plan.join("people.toml"), big).unwrap();
    check(&s, &plan, "people.toml", "file-too-large", "file-too-large");
}

#[test]
fn an_array_nested_10000_deep_is_refused() {
    let s = Scratch::new();
    let plan = s.template();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let path = plan.join("commitments/UAYAB0001/commitment.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("deep = {deep}\n{text}")).unwrap();
    check(&s, &plan, "commitments/UAYAB0001/commitment.toml", "nesting-too-deep", "nesting-too-deep");
}

#[test]
fn invalid_utf8_is_reported_with_its_offset() {
    let s = Scratch::new();
    let plan = s.template();
    let mut bytes = std::fs::read(plan.join("roadmap.toml")).unwrap();
    bytes.extend_from_slice(b"\n# \xff\xfe broken\n");
    std::fs::write(plan.join("roadmap.toml"), bytes).unwrap();
    let out = check(&s, &plan, "roadmap.toml", "invalid-utf8", "invalid-utf8");
    assert!(out.contains("at byte"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_symlink_to_etc_passwd_is_never_read() {
    let s = Scratch::new();
    let plan = s.template();
    std::fs::remove_file(plan.join("learning.toml")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", plan.join("learning.toml")).unwrap();
    let out = check(&s, &plan, "learning.toml", "unsafe-path", "symlink-out");
    assert!(!out.contains("root:"), "contents of /etc/passwd leaked:\n{out}");
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_repository_is_followed() {
    let s = Scratch::new();
    let plan = s.template();
    let real = plan.join("people.toml");
    std::fs::rename(&real, plan.join("people.real.toml")).unwrap();
    std::os::unix::fs::symlink("people.real.toml", &real).unwrap();
    let (exit, out, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(exit, 0, "{out}");
}

#[cfg(unix)]
#[test]
fn a_symlink_in_a_git_tree_pointing_out_is_refused() {
    let s = Scratch::new();
    let plan = s.template();
    std::fs::remove_file(plan.join("learning.toml")).unwrap();
    std::os::unix::fs::symlink("../../../../etc/passwd", plan.join("learning.toml")).unwrap();
    s.commit_all(&plan, "link out");
    let (exit, out, _) = run(s.kept().args(["validate", "--rev", "HEAD"]).arg(&plan));
    assert_eq!(exit, 1, "{out}");
    assert!(out.contains("[unsafe-path]") && out.contains("learning.toml"), "{out}");
    assert!(!out.contains("root:"), "{out}");
}

#[test]
fn a_commitment_directory_with_an_unsafe_name_is_refused() {
    let s = Scratch::new();
    let plan = s.template();
    let bad = plan.join("commitments/..%2f");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::copy(plan.join("commitments/UAYAB0001/commitment.toml"), bad.join("commitment.toml")).unwrap();
    check(&s, &plan, "commitments/..%2f", "unsafe-path", "unsafe-directory");
}

#[test]
fn an_id_with_a_path_separator_is_refused() {
    let s = Scratch::new();
    let plan = s.template();
    let path = plan.join("commitments/UAYAB0001/commitment.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("id = \"UAYAB0001\"", "id = \"../x\"", 1)).unwrap();
    check(&s, &plan, "commitments/UAYAB0001/commitment.toml", "invalid-id", "id-with-separator");
}

#[test]
fn an_empty_file_names_what_it_lacks() {
    let s = Scratch::new();
    let plan = s.template();
    std::fs::write(plan.join("kept.toml"), "").unwrap();
    check(&s, &plan, "kept.toml", "missing-field", "empty-file");
}

#[test]
fn a_toml_file_that_is_a_directory_is_refused() {
    let s = Scratch::new();
    let plan = s.template();
    std::fs::remove_file(plan.join("plan.toml")).unwrap();
    std::fs::create_dir(plan.join("plan.toml")).unwrap();
    check(&s, &plan, "plan.toml", "not-a-file", "file-is-directory");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let s = Scratch::new();
    let (exit, _, err) = run(s.kept().args(["validate", "/nonexistent/kept-plan"]));
    assert_eq!(exit, 2);
    assert!(err.contains("/nonexistent/kept-plan"), "{err}");
    let (exit, _, err) = run(s.kept().args(["validate", "--format", "yaml"]));
    assert_eq!(exit, 2, "{err}");
    let (exit, _, err) = run(s.kept().args(["validate", "--rev", "no-such-rev"]).arg(s.template()));
    assert_eq!(exit, 2, "{err}");
    assert!(err.contains("no git repository") || err.contains("no-such-rev"), "{err}");
}

/// A source whose reads fail, as a disk error would.
struct FailingReads(BTreeMap<String, EntryKind>);

impl Source for FailingReads {
    fn entries(&self) -> &BTreeMap<String, EntryKind> {
        &self.0
    }
    fn read(&self, _path: &str) -> Result<Vec<u8>, ReadError> {
        Err(ReadError::Io("Input/output error (os error 5)".into()))
    }
}

#[test]
fn read_failures_become_diagnostics_naming_the_file() {
    let mut entries = BTreeMap::new();
    entries.insert("kept.toml".to_string(), EntryKind::File(10));
    entries.insert("plan.toml".to_string(), EntryKind::File(10));
    let loaded = kept::plan::load(&FailingReads(entries));
    let d = loaded.diagnostics.iter().find(|d| d.code == "unreadable-file").expect("an unreadable-file diagnostic");
    assert_eq!(d.file.as_deref(), Some("kept.toml"));
    assert!(d.message.contains("os error 5"));
}

#[test]
fn in_memory_plans_load_like_directories() {
    let mut mem = MemSource::new();
    for (path, contents) in kept::template::files() {
        mem.insert(&path, contents);
    }
    let loaded = kept::plan::load(&mem);
    let report = kept::rules::validate(&loaded, kept::Date::parse(crate::common::TODAY).unwrap());
    assert_eq!(report.diagnostics, Vec::new());
    assert!(loaded.plan.commitments.len() >= 4);
}

#[test]
fn a_flood_of_findings_is_summarised_and_stays_fast() {
    let s = Scratch::new();
    let plan = s.template();
    let mut text = std::fs::read_to_string(plan.join("kept.toml")).unwrap();
    let (head, tail) = text.split_at(text.find("[roles]").unwrap());
    let keys: String = (0..20_000).map(|i| format!("unknown-{i} = {i}\n")).collect();
    text = format!("{head}{keys}{tail}");
    std::fs::write(plan.join("kept.toml"), text).unwrap();
    let (code, out, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(code, 0, "unknown keys are warnings");
    assert_eq!(out.matches("warning[unknown-key]").count(), 101, "100 shown and one summary");
    assert!(
        out.contains("19900 more `unknown-key` findings in this file are not shown"),
        "{}",
        &out[out.len() - 600..]
    );
    assert!(out.contains("valid: 0 errors, 20000 warnings"), "{}", &out[out.len() - 300..]);
}

#[test]
fn a_markdown_file_of_only_headings_is_linear() {
    let s = Scratch::new();
    let plan = s.template();
    let mut text = String::from("# Vision\n");
    for _ in 0..200_000 {
        text.push_str("##\n");
    }
    std::fs::write(plan.join("vision.md"), text).unwrap();
    let (code, out, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(code, 1, "the required sections are missing");
    assert!(out.contains("[missing-section]"), "{}", &out[..out.len().min(2000)]);
}

#[test]
fn commitments_or_updates_that_are_files_are_named() {
    for dir in ["commitments", "updates"] {
        let s = Scratch::new();
        let plan = s.template();
        std::fs::remove_dir_all(plan.join(dir)).unwrap();
        std::fs::write(plan.join(dir), "oops").unwrap();
        let out = check(&s, &plan, dir, "not-a-file", &format!("{dir}-is-a-file"));
        assert!(out.contains(&format!("{dir} is not a directory")), "{out}");
    }
}

#[cfg(unix)]
#[test]
fn a_linked_commitment_directory_is_refused_and_evidence_through_links_is_not_found() {
    let s = Scratch::new();
    let plan = s.template();
    std::os::unix::fs::symlink("/etc", plan.join("commitments/UAYAB0009")).unwrap();
    std::os::unix::fs::symlink("/etc", plan.join("docs")).unwrap();
    let path = plan.join("commitments/UAYAB0001/commitment.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"updates/2025-12-16-first-quarterly-progress.md\"", "\"docs/passwd\"", 1))
        .unwrap();
    let out = check(&s, &plan, "commitments/UAYAB0009", "unsafe-path", "linked-commitment");
    assert!(out.contains("evidence `docs/passwd` is neither a URL nor a file in the repository"), "{out}");
}

#[test]
fn unrelated_directories_are_not_walked() {
    let s = Scratch::new();
    let plan = s.template();
    // A large unrelated tree, one of whose directories cannot be listed.
    let junk = plan.join("node_modules/deep/er");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(junk.join("x.toml"), "not [toml").unwrap();
    let (code, out, _) = run(s.kept().arg("validate").arg(&plan));
    assert_eq!(code, 0, "{out}");
}
