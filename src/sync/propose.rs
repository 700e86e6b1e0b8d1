//! `[tracker] write-back = "pull-request"`: changes made in the tracker reach the plan as a
//! branch and a pull request instead of a commit on the plan's branch, for plans whose branch
//! is protected or whose coordinators review every change.
//!
//! The branch is named after the change (`kept/sync-<hash>`), so a second pass with the same
//! changes moves the same branch and finds the pull request already open instead of opening
//! another. The sync state is not told the plan agrees until the pull request is merged: until
//! then each pass proposes the same change again, rebased onto the plan's branch.

use super::commit::{BotCommit, CommitError, Written, bot_commit, write_to_branch};
use crate::history::History;
use crate::tracker::{Action, PullRequest, Tracker, TrackerError};

/// The remote the branch is pushed to.
pub const REMOTE: &str = "origin";

/// Why a change could not be proposed.
#[derive(Debug, thiserror::Error)]
pub enum ProposeError {
    /// The commit could not be made.
    #[error(transparent)]
    Commit(#[from] CommitError),
    /// Git failed.
    #[error("cannot prepare the pull request's branch")]
    Git(#[from] git2::Error),
    /// No remote to push to.
    #[error(
        "write-back = \"pull-request\" pushes a branch to the remote `{REMOTE}`, which this repository does not have; \
         add it (git remote add {REMOTE} URL) or set write-back = \"commit\""
    )]
    NoRemote,
    /// The push failed.
    #[error("cannot push {branch} to {REMOTE}")]
    Push {
        /// The branch.
        branch: String,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// The remote refused the branch.
    #[error("{REMOTE} refused {branch}: {reason}")]
    Rejected {
        /// The branch.
        branch: String,
        /// What it said.
        reason: String,
    },
    /// The pull request could not be opened.
    #[error("the branch {branch} was pushed, but its pull request could not be opened")]
    Tracker {
        /// The branch.
        branch: String,
        /// The cause.
        #[source]
        source: TrackerError,
    },
}

/// What was proposed.
#[derive(Debug, Default, serde::Serialize)]
pub struct Proposed {
    /// The commit and its branch.
    #[serde(flatten)]
    pub written: Written,
    /// The pull request, opened or found open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequest>,
    /// What the person running kept must do by hand, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The branch for a change: the same change, the same branch.
pub fn branch_name(bot: &BotCommit) -> String {
    let h = crate::hash::fnv1a(format!("{:?}", bot.edits).as_bytes());
    format!("kept/sync-{:012x}", h & 0xffff_ffff_ffff)
}

/// Commit the pass's changes to their own branch, push it, and open (or find) its pull
/// request; `None` when the plan needs no change.
pub fn propose(
    history: &History,
    plan: &crate::plan::Plan,
    report: &super::Report,
    tracker: &mut dyn Tracker,
    token: Option<&str>,
) -> Result<Option<Proposed>, ProposeError> {
    let Some(bot) = bot_commit(plan, report)? else { return Ok(None) };
    let repo = history.repo();
    let head = repo.head()?;
    if !head.is_branch() {
        return Err(CommitError::Detached.into());
    }
    let base = head.shorthand().map(str::to_string).map_err(|_| CommitError::Detached)?;
    let name = branch_name(&bot);
    let written = write_to_branch(history, &bot, &name)?;
    if written.commit.is_none() {
        return Ok(None);
    }
    push(repo, &name, tracker.kind(), token, true)?;
    let (title, body) = describe(&bot, &name);
    let action = Action::OpenPullRequest { head: name.clone(), base: base.clone(), title, body };
    let pull_request =
        tracker.open_pull(&action).map_err(|source| ProposeError::Tracker { branch: name.clone(), source })?;
    let note = pull_request.is_none().then(|| {
        format!("{} hosts no pull requests: merge {name} into {base} to take the tracker's changes", tracker.kind())
    });
    Ok(Some(Proposed { written, pull_request, note }))
}

fn describe(bot: &BotCommit, branch: &str) -> (String, String) {
    let mut lines = bot.message.lines();
    let title = lines.next().unwrap_or("Sync milestones with the tracker").to_string();
    let rest: Vec<&str> = lines.filter(|l| !l.starts_with("Co-authored-by:")).collect();
    let body = format!(
        "{}\n\nkept sync made this change from the tracker on branch `{branch}`; `kept check` runs on it like on any \
         change. Merging it brings the plan in step with the tracker.\n",
        rest.join("\n").trim()
    );
    (title, body)
}

/// Push `branch` to the remote `origin`, with the tracker's token for an HTTPS remote;
/// `force` for kept's own branches. A push the remote refuses (someone pushed first) is
/// [`ProposeError::Rejected`].
pub fn push(
    repo: &git2::Repository,
    branch: &str,
    kind: &str,
    token: Option<&str>,
    force: bool,
) -> Result<(), ProposeError> {
    let mut remote = repo.find_remote(REMOTE).map_err(|_| ProposeError::NoRemote)?;
    let user = match kind {
        "github" => "x-access-token",
        "gitlab" => "oauth2",
        _ => "kept",
    };
    let rejected = std::cell::RefCell::new(None);
    let mut callbacks = git2::RemoteCallbacks::new();
    callbacks.credentials(|_url, _username, allowed| match token {
        Some(t) if allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) => {
            git2::Cred::userpass_plaintext(user, t)
        }
        _ => Err(git2::Error::from_str("the remote asks for credentials kept does not have (KEPT_TRACKER_TOKEN)")),
    });
    callbacks.push_update_reference(|_refname, status| {
        if let Some(reason) = status {
            *rejected.borrow_mut() = Some(reason.to_string());
        }
        Ok(())
    });
    let mut options = git2::PushOptions::new();
    options.remote_callbacks(callbacks);
    let spec = format!("{}refs/heads/{branch}:refs/heads/{branch}", if force { "+" } else { "" });
    remote
        .push(&[spec.as_str()], Some(&mut options))
        .map_err(|source| ProposeError::Push { branch: branch.to_string(), source })?;
    drop(options);
    match rejected.into_inner() {
        Some(reason) => Err(ProposeError::Rejected { branch: branch.to_string(), reason }),
        None => Ok(()),
    }
}
