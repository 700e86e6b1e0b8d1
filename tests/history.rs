//! `kept diff` and `kept check` over scripted histories in real git repositories.

use std::path::{Path, PathBuf};

use crate::common::{Scratch, run};

/// Who commits in these histories: (name, email).
pub const COORDINATOR: (&str, &str) = ("Olena Koval", "o.koval@yablunivka.example");
pub const APPROVER: (&str, &str) = ("Oleksandr Hnatiuk", "mayor@yablunivka.example");
pub const MONITOR: (&str, &str) = ("Taras Levchenko", "t.levchenko@ynu.example");
pub const LEAD: (&str, &str) = ("Oksana Hrytsenko", "o.hrytsenko@yablunivka.example");
pub const OTHER: (&str, &str) = ("Serhii Tkachenko", "serhii@tkachenko-dev.example");
pub const UNKNOWN: (&str, &str) = ("Somebody", "somebody@example.org");
pub const BOT: (&str, &str) = ("kept bot", "kept-bot@yablunivka.example");

/// A plan repository whose commits are made by named people at pinned, increasing dates.
pub struct Repo {
    pub s: Scratch,
    pub dir: PathBuf,
    pub clock: u32,
    pub env: Vec<(String, String)>,
}

impl Repo {
    /// The template, committed as the root commit by the coordinator, with `edit` applied first.
    pub fn template(edit: impl FnOnce(&Path)) -> Repo {
        let s = Scratch::new();
        let dir = s.template();
        edit(&dir);
        let mut repo = Repo { s, dir, clock: 0, env: Vec::new() };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit(COORDINATOR, "Adopt the template");
        repo
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.s.git(&self.dir, args)
    }

    /// Replace `find` (which must occur) by `replace` in a file.
    pub fn edit(&self, file: &str, find: &str, replace: &str) {
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(find), "{file} lacks `{find}`");
        std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
    }

    /// Commit everything as `who` (author and committer), one hour after the last commit.
    pub fn commit(&mut self, who: (&str, &str), message: &str) -> String {
        self.commit_as(who, who, message)
    }

    pub fn commit_as(&mut self, author: (&str, &str), committer: (&str, &str), message: &str) -> String {
        self.commit_with(author, committer, message, &[])
    }

    /// Commit signed with an SSH key file.
    pub fn commit_signed(&mut self, who: (&str, &str), key: &Path, message: &str) -> String {
        let key = key.to_str().unwrap().to_string();
        self.commit_with(
            who,
            who,
            message,
            &["-c", "gpg.format=ssh", "-c", &format!("user.signingkey={key}"), "commit", "-S"],
        )
    }

    /// Commit with extra git arguments (ending in `commit ...`) and environment.
    pub fn commit_with_args(
        &mut self,
        who: (&str, &str),
        message: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> String {
        self.env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let id = self.commit_with(who, who, message, args);
        self.env.clear();
        id
    }

    /// Merge `branch` into the checked-out branch with a merge commit made by `who`.
    pub fn merge(&mut self, who: (&str, &str), branch: &str, message: &str) {
        let mut cmd = self.git_as(who, who);
        let (code, out, err) = run(cmd.args(["merge", "-q", "--no-ff", "-m", message, branch]));
        assert_eq!(code, 0, "{out}{err}");
    }

    /// A git command run as `author` and `committer`, one hour after the last commit.
    fn git_as(&mut self, author: (&str, &str), committer: (&str, &str)) -> std::process::Command {
        self.clock += 1;
        let date = format!("2026-11-{:02}T{:02}:00:00+02:00", 1 + self.clock / 20, self.clock % 20);
        let mut cmd = crate::common::git(self.s.home(), &self.dir);
        cmd.env("GIT_AUTHOR_NAME", author.0)
            .env("GIT_AUTHOR_EMAIL", author.1)
            .env("GIT_COMMITTER_NAME", committer.0)
            .env("GIT_COMMITTER_EMAIL", committer.1)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }

    fn commit_with(&mut self, author: (&str, &str), committer: (&str, &str), message: &str, sign: &[&str]) -> String {
        let mut cmd = self.git_as(author, committer);
        self.git(&["add", "-A"]);
        let args: Vec<&str> = if sign.is_empty() { vec!["commit"] } else { sign.to_vec() };
        let (code, out, err) = run(cmd.args(&args).args(["-q", "--allow-empty", "-m", message]));
        assert_eq!(code, 0, "{out}{err}");
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// `kept check` with extra arguments: (exit code, stdout).
    pub fn check(&self, args: &[&str]) -> (i32, String) {
        let (code, out, err) = run(self.s.kept().arg("check").arg(&self.dir).args(args));
        assert!(err.is_empty() || code != 0, "{err}");
        (code, format!("{out}{err}"))
    }
}

fn set_phase(repo: &Repo, from: &str, to: &str) {
    repo.edit("plan.toml", &format!("phase = \"{from}\""), &format!("phase = \"{to}\""));
}

/// Steps 4.1 to 4.3 done, so the plan may leave phase 4.
fn finish_phase_4(repo: &Repo) {
    for step in ["4.1", "4.2", "4.3"] {
        let path = repo.dir.join("plan.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let header = format!("[steps.\"{step}\"]\nstatus = \"in-progress\"");
        assert!(text.contains(&header), "plan.toml lacks {header}");
        let done = format!(
            "[steps.\"{step}\"]\nstatus = \"done\"\ncompleted = 2026-11-20\nevidence = [\"updates/2026-11-20-autumn-progress.md\"]"
        );
        std::fs::write(&path, text.replacen(&header, &done, 1)).unwrap();
    }
}

#[test]
fn a_plan_goes_from_phase_1_to_5_and_passes_check() {
    let mut repo = Repo::template(|dir| {
        let path = dir.join("plan.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(path, text.replacen("phase = \"implement\"", "phase = \"prepare\"", 1)).unwrap();
    });
    for (from, to) in [("prepare", "discover"), ("discover", "draft"), ("draft", "implement")] {
        set_phase(&repo, from, to);
        repo.commit(COORDINATOR, &format!("Move to phase {to}"));
    }
    finish_phase_4(&repo);
    set_phase(&repo, "implement", "learn");
    repo.commit(COORDINATOR, "Implementation done; on to learning");

    let (code, out) = repo.check(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok: 5 commits checked, 0 errors"), "{out}");
    assert!(out.contains("phase: draft -> implement"), "{out}");
    let (code, out, _) = run(repo.s.kept().args(["diff", "-C"]).arg(&repo.dir).args(["HEAD~1", "HEAD"]));
    assert_eq!(code, 0);
    assert!(out.contains("phase: implement -> learn") && out.contains("step 4.1: in-progress -> done"), "{out}");
}

#[test]
fn a_phase_jump_fails_naming_the_commit_the_rule_and_the_position() {
    let mut repo = Repo::template(|dir| {
        let path = dir.join("plan.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(path, text.replacen("phase = \"implement\"", "phase = \"discover\"", 1)).unwrap();
    });
    set_phase(&repo, "discover", "implement");
    let jump = repo.commit(COORDINATOR, "Skip ahead");
    let (code, out) = repo.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[phase-order]: phase jumps from discover to implement, skipping draft"), "{out}");
    assert!(out.contains("--> plan.toml:11:9"), "{out}");
    assert!(out.contains(&format!("in commit {} \"Skip ahead\"", &jump[..10])), "{out}");
    let (_, md) = repo.check(&["--base", "HEAD~1", "--format", "markdown"]);
    assert!(
        md.contains(&format!("`{}` Skip ahead: **phase-order**", &jump[..10])) && md.contains("plan.toml:11:9"),
        "{md}"
    );
}

#[test]
fn going_back_a_phase_needs_a_reason() {
    let mut repo = Repo::template(|_| {});
    set_phase(&repo, "implement", "draft");
    repo.commit(COORDINATOR, "Back to drafting");
    let (code, out) = repo.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 1);
    assert!(out.contains("phase moves back from implement to draft without a reason"), "{out}");
    repo.edit(
        "plan.toml",
        "phase = \"draft\"",
        "phase = \"draft\"\nphase-reason = { uk = \"Нове зобов'язання\", en = \"A new commitment is drafted\" }",
    );
    repo.commit(COORDINATOR, "Say why");
    let (_, out) = repo.check(&["--base", "HEAD~1"]);
    assert!(!out.contains("[phase-order]"), "{out}");
}

#[test]
fn an_approved_commitments_problem_changes_only_with_an_amendment() {
    let mut repo = Repo::template(|_| {});
    repo.edit("commitments/UAYAB0001/README.en.md", "## Problem\n", "## Problem\n\nA sharper problem statement.\n");
    repo.commit(APPROVER_FOR_TESTS, "Rewrite the problem");
    let (code, out) = repo.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[amendment-required]") && out.contains("README.en.md"), "{out}");
}

#[test]
fn a_broken_kept_toml_cannot_hide_a_role_change() {
    let mut repo = Repo::template(|_| {});
    repo.edit("kept.toml", "[roles]", "[roles");
    repo.commit(COORDINATOR, "Oops");
    repo.edit("kept.toml", "[roles", "[roles]");
    repo.edit("kept.toml", "approver = [", "approver = [\"p-olena-koval\", ");
    repo.commit(COORDINATOR, "Fix, and make myself an approver");
    let (code, out) = repo.check(&["--base", "HEAD~2"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("needs a coordinator and an approver"), "{out}");
}

const APPROVER_FOR_TESTS: (&str, &str) = ("Oleksandr Hnatiuk", "mayor@yablunivka.example");
