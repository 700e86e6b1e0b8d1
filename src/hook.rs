//! Server-side hooks (`pre-receive`, `update`) for self-hosted servers and plain bare
//! repositories: protected branches are never deleted or rewritten, and what lands on them
//! passes `kept check`.

use crate::check::{self, Mode, Options};
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::history::{History, HistoryError};
use crate::plan::Piece;

/// One ref update as git gives it to a hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The old value (all zeros: the ref is created).
    pub old: git2::Oid,
    /// The new value (all zeros: the ref is deleted).
    pub new: git2::Oid,
    /// The ref name, e.g. `refs/heads/main`.
    pub name: String,
}

impl RefUpdate {
    /// Parse a `pre-receive` input line: `<old> <new> <ref>`.
    pub fn parse(line: &str) -> Option<RefUpdate> {
        let mut parts = line.split_whitespace();
        let old = git2::Oid::from_str(parts.next()?).ok()?;
        let new = git2::Oid::from_str(parts.next()?).ok()?;
        let name = parts.next()?.to_string();
        Some(RefUpdate { old, new, name })
    }
}

/// The verdict on one ref update.
#[derive(Debug)]
pub struct Verdict {
    /// The update.
    pub update: RefUpdate,
    /// Why it is refused (empty: accepted).
    pub refusals: Vec<String>,
    /// The check of what it brings, when one ran.
    pub report: Option<check::Report>,
}

impl Verdict {
    /// Whether the update may land.
    pub fn accepted(&self) -> bool {
        self.refusals.is_empty() && self.report.as_ref().is_none_or(|r| r.passes())
    }
}

/// Protected branch names from kept.toml at a commit (default: `main`).
fn protected(history: &History, commit: Option<git2::Oid>) -> Result<Vec<String>, HistoryError> {
    let tree = match commit {
        Some(c) => history.plan_tree(c)?,
        None => None,
    };
    let Some(blob) = history.blob_at(tree, "kept.toml") else { return Ok(vec!["main".into()]) };
    let Some(bytes) = history.blob(blob)? else { return Ok(vec!["main".into()]) };
    match crate::plan::parse_file("kept.toml", &crate::plan::Role::Settings, bytes).0 {
        Some(Piece::Settings(s)) if !s.protected_branches.is_empty() => {
            Ok(s.protected_branches.iter().map(|b| b.value.clone()).collect())
        }
        _ => Ok(vec!["main".into()]),
    }
}

/// Judge one ref update.
pub fn judge(history: &History, update: RefUpdate, today: Date) -> Result<Verdict, check::CheckError> {
    let zero = git2::Oid::ZERO_SHA1;
    let branch = update.name.strip_prefix("refs/heads/").map(str::to_string);
    // The rules in force are those before the push: the branch's own, or for a new branch
    // the repository's default branch; only a repository's very first push brings its own.
    let current = history.resolve("HEAD").ok();
    let rules_at =
        if update.old != zero { Some(update.old) } else { current.or((update.new != zero).then_some(update.new)) };
    let protected = protected(history, rules_at)?;
    let is_protected = branch.as_ref().is_some_and(|b| protected.contains(b));
    let mut refusals = Vec::new();
    if !is_protected {
        return Ok(Verdict { update, refusals, report: None });
    }
    let name = branch.unwrap_or_default();
    if update.new == zero {
        refusals.push(format!("{name} is a protected branch: it cannot be deleted"));
        return Ok(Verdict { update, refusals, report: None });
    }
    if update.old != zero && !history.is_ancestor(update.old, update.new)? {
        refusals.push(format!(
            "{name} is a protected branch: its history cannot be rewritten (the push is not a fast-forward of {})",
            &update.old.to_string()[..10]
        ));
        return Ok(Verdict { update, refusals, report: None });
    }
    // A new protected branch grows from the existing history, and is checked from there.
    let mut from = (update.old != zero).then_some(update.old);
    if from.is_none()
        && let Some(head) = current
    {
        match history.merge_base(head, update.new)? {
            Some(base) => from = Some(base),
            None => {
                refusals
                    .push(format!("{name} is a protected branch: it must grow from the repository's existing history"));
                return Ok(Verdict { update, refusals, report: None });
            }
        }
    }
    let (old, new) = (from.map(|f| f.to_string()).unwrap_or_default(), update.new.to_string());
    let options = Options { base: from.is_some().then_some(old.as_str()), head: &new, mode: Mode::Push, today };
    let report = check::check(history, std::path::Path::new("."), &options)?;
    Ok(Verdict { update, refusals, report: Some(report) })
}

/// A refusal as a diagnostic, for rendering to the pusher.
pub fn refusal(update: &RefUpdate, message: &str) -> Diagnostic {
    Diagnostic::error("history-rewritten", message.to_string())
        .note(format!("ref {}", update.name))
        .help("push new commits on top instead; to undo a change, commit its reversal (git revert)")
}
