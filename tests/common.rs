//! Shared test support: a hermetic environment, running the binary, copying the template,
//! and real git repositories with pinned dates.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The date every test runs on.
pub const TODAY: &str = "2026-11-26";

/// The repository's template plan.
pub fn template_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("template-repo")
}

/// A `kept` command with a hermetic environment: no colour, a pinned date, no user git config.
pub fn kept(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kept"));
    hermetic(&mut cmd, home);
    cmd
}

/// A `git` command with a hermetic environment and pinned identities and dates.
pub fn git(home: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, home);
    cmd.current_dir(dir);
    cmd
}

fn hermetic(cmd: &mut Command, home: &Path) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("KEPT_TODAY", TODAY)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_AUTHOR_NAME", "Olena Koval")
        .env("GIT_AUTHOR_EMAIL", "o.koval@yablunivka.example")
        .env("GIT_COMMITTER_NAME", "Olena Koval")
        .env("GIT_COMMITTER_EMAIL", "o.koval@yablunivka.example")
        .env("GIT_AUTHOR_DATE", "2026-11-20T10:00:00+02:00")
        .env("GIT_COMMITTER_DATE", "2026-11-20T10:00:00+02:00");
}

/// Run and capture; stdout and stderr as strings.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.output().expect("the command starts");
    (
        status.code().expect("the command exits rather than being killed"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Copy a directory tree (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A scratch area: a home for hermetic config and a copy of the template under `plan/`.
pub struct Scratch {
    pub tmp: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("gitconfig"), "[init]\n\tdefaultBranch = main\n").unwrap();
        Scratch { tmp }
    }

    pub fn home(&self) -> &Path {
        self.tmp.path()
    }

    /// A copy of the template at `plan/`.
    pub fn template(&self) -> PathBuf {
        let dir = self.tmp.path().join("plan");
        copy_tree(&template_dir(), &dir);
        dir
    }

    pub fn kept(&self) -> Command {
        kept(self.home())
    }

    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        let (code, out, err) = run(git(self.home(), dir).args(args));
        assert_eq!(code, 0, "git {args:?} failed: {err}");
        out
    }

    /// `git init` and commit everything in `dir`.
    pub fn commit_all(&self, dir: &Path, message: &str) {
        if !dir.join(".git").exists() {
            self.git(dir, &["init", "-q", "-b", "main"]);
        }
        self.git(dir, &["add", "-A"]);
        self.git(dir, &["commit", "-q", "-m", message]);
    }
}
