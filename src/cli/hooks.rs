//! `kept hooks install [--server GIT_DIR] [PATH]` and the hooks themselves:
//! `kept hooks pre-commit`, `kept hooks pre-receive`, `kept hooks update REF OLD NEW`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use kept::history::History;
use kept::hook::{RefUpdate, Verdict, judge, refusal};

use super::{CmdResult, INVALID, render, today};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Install kept's hooks: pre-commit in a working clone, or pre-receive and update in a
    /// server's (bare) repository with --server.
    Install {
        /// The working clone (default: the current directory).
        path: Option<PathBuf>,
        /// A server-side repository (bare or not) to protect instead.
        #[arg(long, value_name = "GIT_DIR")]
        server: Option<PathBuf>,
    },
    /// Validate the staged tree (the index, not the working directory).
    PreCommit {
        /// The working clone (default: the current directory).
        path: Option<PathBuf>,
    },
    /// Judge every pushed ref (git gives `<old> <new> <ref>` lines on standard input).
    PreReceive,
    /// Judge one pushed ref.
    Update {
        /// The ref.
        name: String,
        /// Its old value.
        old: String,
        /// Its new value.
        new: String,
    },
}

pub fn run(args: Args) -> CmdResult {
    match args.command {
        Command::Install { path, server } => install(path, server),
        Command::PreCommit { path } => pre_commit(&super::default_path(path)),
        Command::PreReceive => {
            let stdin = std::io::stdin();
            let mut updates = Vec::new();
            for line in stdin.lock().lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                updates.push(RefUpdate::parse(&line).ok_or_else(|| format!("cannot read the ref update `{line}`"))?);
            }
            receive(updates)
        }
        Command::Update { name, old, new } => {
            let update = RefUpdate::parse(&format!("{old} {new} {name}")).ok_or("cannot read the ref update")?;
            receive(vec![update])
        }
    }
}

/// Judge the updates; print what is wrong to the pusher (standard error reaches them).
fn receive(updates: Vec<RefUpdate>) -> CmdResult {
    let history = History::open_from_env()?;
    let today = today()?;
    let mut verdicts: Vec<Verdict> = Vec::new();
    for u in updates {
        verdicts.push(judge(&history, u, today)?);
    }
    let mut err = std::io::stderr().lock();
    let mut accepted = true;
    for v in &verdicts {
        if v.accepted() {
            continue;
        }
        accepted = false;
        writeln!(err, "kept: refusing {}", v.update.name)?;
        for r in &v.refusals {
            render::human(&mut err, &[refusal(&v.update, r)], &Default::default(), false)?;
        }
        if let Some(report) = &v.report {
            super::check::human(&mut err, report, false)?;
        }
    }
    Ok(if accepted { 0 } else { INVALID })
}

fn pre_commit(path: &Path) -> CmdResult {
    let repo = git2::Repository::discover(path)
        .map_err(|e| format!("no git repository at {}: {}", path.display(), e.message()))?;
    // The staged tree, written to the object database as `git write-tree` does. `git commit -a`
    // and `git commit <paths>` stage into a temporary index that git names in GIT_INDEX_FILE.
    let index = match std::env::var_os("GIT_INDEX_FILE") {
        Some(file) => {
            let file = PathBuf::from(file);
            let file = if file.is_absolute() { file } else { repo.workdir().unwrap_or(repo.path()).join(file) };
            git2::Index::open(&file)
        }
        None => repo.index(),
    };
    let tree = index
        .and_then(|mut i| i.write_tree_to(&repo))
        .map_err(|e| format!("cannot read the index: {}", e.message()))?;
    drop(repo);
    let loaded = kept::plan::load_rev(path, &tree.to_string())?;
    let report = kept::rules::validate(&loaded, today()?);
    let mut err = std::io::stderr().lock();
    render::human(&mut err, &report.diagnostics, &loaded.plan.sources, render::colour())?;
    if !report.is_valid() {
        let n = report.errors();
        writeln!(
            err,
            "kept: the staged plan is invalid ({n} error{}); the commit is refused",
            if n == 1 { "" } else { "s" }
        )?;
        return Ok(INVALID);
    }
    Ok(0)
}

/// A string quoted for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn script(kept: &Path, args: &str) -> String {
    format!(
        "#!/bin/sh\n# Installed by `kept hooks install`; see kept's README, \"Git hooks\".\nKEPT=${{KEPT:-{}}}\nexec \"$KEPT\" hooks {args}\n",
        shell_quote(&kept.display().to_string())
    )
}

fn install(path: Option<PathBuf>, server: Option<PathBuf>) -> CmdResult {
    let kept = std::env::current_exe()?;
    let (hooks_dir, hooks): (PathBuf, Vec<(&str, String)>) = match server {
        Some(git_dir) => {
            let repo = git2::Repository::open(&git_dir)
                .map_err(|e| format!("{} is not a git repository: {}", git_dir.display(), e.message()))?;
            (
                repo.path().join("hooks"),
                // pre-receive judges every ref of a push at once; the update hook (in hooks/) is
                // for servers that run only update hooks, and here would only repeat the work.
                vec![("pre-receive", "pre-receive".into())],
            )
        }
        None => {
            let path = super::default_path(path);
            let repo = git2::Repository::discover(&path)
                .map_err(|e| format!("no git repository at {}: {}", path.display(), e.message()))?;
            let plan = path.canonicalize().unwrap_or(path);
            (
                repo.path().join("hooks"),
                vec![("pre-commit", format!("pre-commit {}", shell_quote(&plan.display().to_string())))],
            )
        }
    };
    std::fs::create_dir_all(&hooks_dir).map_err(|e| format!("cannot create {}: {e}", hooks_dir.display()))?;
    for (name, args) in hooks {
        let target = hooks_dir.join(name);
        if target.exists() {
            let existing = std::fs::read_to_string(&target).unwrap_or_default();
            if !existing.contains("Installed by `kept hooks install`") {
                return Err(format!("{} exists and is not kept's; move it away first", target.display()).into());
            }
        }
        std::fs::write(&target, script(&kept, &args)).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))?;
        }
        println!("installed {}", target.display());
    }
    Ok(0)
}
