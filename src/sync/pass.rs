//! One whole sync pass over a plan repository, as `kept sync` and the daemon run it: take the
//! repository's sync lock, finish a write-back a stopped run left, check the plan at HEAD,
//! reconcile with the tracker, keep the state and the page cache, and write the tracker's
//! changes back (a bot commit, or a pull request when the plan asks for one).

use std::path::{Path, PathBuf};

use super::commit::{CommitError, Written};
use super::propose::{ProposeError, Proposed};
use super::{Report, State};
use crate::date::Date;
use crate::plan::LoadError;
use crate::tracker::{Options, TrackerError};

/// How to run a pass.
#[derive(Debug, Clone)]
pub struct PassOptions {
    /// Print-only: read the tracker, write nothing anywhere.
    pub dry_run: bool,
    /// The tracker kind the caller expects, if it names one (`--tracker`).
    pub tracker: Option<String>,
    /// The HTTP client's patience.
    pub http: Options,
    /// Today, for validating the plan.
    pub today: Date,
    /// Record in the state that the plan follows the tracker once the bot commit is made.
    /// The daemon, which must first push a clone's commit, says false and calls [`settle`]
    /// after the push: a commit that never reaches the remote must not count as agreed.
    pub settle: bool,
}

/// What a pass did.
#[derive(Debug)]
pub struct Pass {
    /// The reconciliation.
    pub report: Report,
    /// The bot commit on the plan's branch, when the plan follows the tracker by commit.
    pub written: Option<Written>,
    /// The branch and pull request, when it follows by pull request.
    pub proposed: Option<Proposed>,
}

/// Why a pass could not run.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    /// Not a git repository.
    #[error("{} is not in a git repository", path.display())]
    NotARepository {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// The lock could not be taken.
    #[error("cannot take the sync lock in {}", path.display())]
    Lock {
        /// The repository's git directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The plan could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The plan at HEAD has errors.
    #[error("the plan at HEAD has {0} error(s); run `kept validate --rev HEAD` and fix them before syncing")]
    Invalid(usize),
    /// No `[tracker]`.
    #[error("kept.toml has no [tracker]; add kind, url and project (see docs/sync.md)")]
    NoTracker,
    /// `--tracker` names another kind.
    #[error("--tracker {asked}: kept.toml names a {configured} tracker")]
    OtherTracker {
        /// Asked for.
        asked: String,
        /// In kept.toml.
        configured: String,
    },
    /// The tracker failed the pass as a whole.
    #[error(transparent)]
    Tracker(#[from] TrackerError),
    /// The state could not be saved.
    #[error("cannot save the sync state to {}", path.display())]
    State {
        /// The state file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The bot commit failed.
    #[error(transparent)]
    Commit(#[from] CommitError),
    /// The pull request failed.
    #[error(transparent)]
    Propose(#[from] ProposeError),
    /// Git failed.
    #[error("git failed")]
    Git(#[from] git2::Error),
    /// The history could not be read.
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
}

/// Run one pass over the plan repository at `path`.
pub fn pass(path: &Path, options: &PassOptions) -> Result<Pass, PassError> {
    let repo = git2::Repository::discover(path)
        .map_err(|source| PassError::NotARepository { path: path.to_path_buf(), source })?;
    // One sync at a time per repository; a run stopped between its bot commit and the
    // working tree's update is finished first.
    let _lock = if options.dry_run {
        None
    } else {
        let lock =
            super::commit::lock(&repo).map_err(|source| PassError::Lock { path: repo.path().to_path_buf(), source })?;
        super::commit::recover(&repo)?;
        Some(lock)
    };
    // Only committed history is synced: the plan at HEAD.
    let loaded = crate::plan::load_rev(path, "HEAD")?;
    let checked = crate::rules::validate(&loaded, options.today);
    if !checked.is_valid() {
        return Err(PassError::Invalid(checked.errors()));
    }
    let plan = &loaded.plan;
    let settings = plan.settings.as_ref().and_then(|s| s.tracker.as_ref()).ok_or(PassError::NoTracker)?;
    if let Some(t) = &options.tracker
        && t != &settings.kind.value
    {
        return Err(PassError::OtherTracker { asked: t.clone(), configured: settings.kind.value.clone() });
    }
    let token = crate::tracker::token(&crate::tracker::address(settings))?;
    let project = settings.project.as_ref().map_or("", |p| p.value.as_str());
    let state_path = State::path(repo.path(), &settings.kind.value, project);
    let cache_path = super::state::cache_path(&state_path);
    let mut state = State::read(&state_path);
    let cache = super::state::read_cache(&cache_path);
    let mut tracker = crate::tracker::connect(settings, token.as_deref(), options.http.clone(), cache)?;
    let dry_run = options.dry_run;
    let mut save_error = None;
    let mut save = |s: &State| {
        if !dry_run && let Err(e) = s.write(&state_path) {
            save_error.get_or_insert(e);
        }
    };
    let report = super::sync(plan, tracker.as_mut(), &mut state, &mut save, dry_run)?;
    if let Some(source) = save_error {
        return Err(PassError::State { path: state_path, source });
    }
    // Failing to keep the page cache costs reads next time, nothing else.
    let _ = super::state::write_cache(&cache_path, tracker.cache());
    if dry_run {
        return Ok(Pass { report, written: None, proposed: None });
    }
    let history = crate::history::History::open(path)?;
    if settings.by_pull_request() {
        let proposed = super::propose::propose(&history, plan, &report, tracker.as_mut(), token.as_deref())?;
        return Ok(Pass { report, written: None, proposed });
    }
    let written = super::commit::write_report(&history, plan, &report)?;
    if options.settle && written.commit.is_some() {
        settle(path, &report, &written)?;
    }
    Ok(Pass { report, written: Some(written), proposed: None })
}

/// The plan at HEAD now says what the tracker said (the pass's bot commit is in it): record
/// that both sides agree on what changed, so the next pass does not take the bot's commit for
/// a change made in the repository.
pub fn settle(path: &Path, report: &Report, written: &Written) -> Result<(), PassError> {
    if report.incoming.is_empty() {
        return Ok(());
    }
    let repo = git2::Repository::discover(path)
        .map_err(|source| PassError::NotARepository { path: path.to_path_buf(), source })?;
    let loaded = crate::plan::load_rev(path, "HEAD")?;
    let Some(settings) = loaded.plan.settings.as_ref().and_then(|s| s.tracker.as_ref()) else { return Ok(()) };
    let project = settings.project.as_ref().map_or("", |p| p.value.as_str());
    let state_path = State::path(repo.path(), &settings.kind.value, project);
    let mut state = State::read(&state_path);
    // Only what was written is agreed: a change the plan's rules refused stays to be reported
    // each pass, and one whose file had uncommitted edits waits for the next pass.
    let mut agreed = report.clone();
    agreed.incoming.retain(|inc| {
        let file = format!("commitments/{}/commitment.toml", inc.dir);
        !written.refused.iter().any(|r| r.dir == inc.dir && r.id == inc.id) && !written.skipped.contains(&file)
    });
    super::acknowledge(&loaded.plan, &agreed, &mut state);
    state.write(&state_path).map_err(|source| PassError::State { path: state_path.clone(), source })
}
