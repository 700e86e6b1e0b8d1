//! One plan the daemon follows: where its repository is, where its site is published, what
//! the daemon last saw, and the blocking work (fetch, validate and publish a revision, check
//! the working tree, sync the tracker). The daemon's tasks call these one at a time per plan.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::config::{PlanConfig, PlanSource};
use super::metrics::{Metrics, labels};
use crate::date::Date;
use crate::plan::{Following, Step};

/// What the daemon knows of a plan, for the status API and the dashboard.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanStatus {
    /// The member code, under which the plan is served.
    pub code: String,
    /// `worktree` or `clone`.
    pub mode: &'static str,
    /// The commit followed (HEAD of the working tree, or the clone's branch).
    pub head: Option<String>,
    /// Whether the plan at that commit validates.
    pub valid: Option<bool>,
    /// Its errors and warnings.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Its diagnostics (file, line, column, code, message, help), when it does not validate.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<serde_json::Value>,
    /// The commit whose site is served.
    pub published: Option<String>,
    /// When it was published (RFC 3339).
    pub published_at: Option<String>,
    /// The working tree's uncommitted state (watch mode only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worktree: Option<WorktreeStatus>,
    /// The last tracker sync.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncStatus>,
    /// The last thing that went wrong, if the last attempt failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The tracker project kept.toml names at the followed commit (lower case), by which a
    /// webhook is matched to the plan.
    #[serde(skip)]
    pub tracker_project: Option<String>,
}

/// Live validation of the working tree (uncommitted edits).
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorktreeStatus {
    /// When it was checked (RFC 3339).
    pub checked_at: String,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Every finding.
    pub diagnostics: Vec<serde_json::Value>,
}

/// The last tracker sync.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncStatus {
    /// When it ran (RFC 3339).
    pub at: String,
    /// Whether it finished.
    pub ok: bool,
    /// What it did, or why it failed.
    pub summary: String,
    /// The bot commit or pull request it made, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrote: Option<String>,
}

/// A plan the daemon follows.
#[derive(Debug)]
pub struct Plan {
    /// Where it comes from and what to do with it.
    pub config: PlanConfig,
    /// The code it is served under.
    pub code: String,
    /// Its repository: the working tree, or the clone the daemon owns.
    pub repo: PathBuf,
    /// Where its site is published (a link swapped on each publish).
    pub site: PathBuf,
    /// Its public address.
    pub base_url: Option<String>,
    /// What the daemon knows of it.
    pub status: Mutex<PlanStatus>,
    /// What the last refresh left for the next: the plan, and what the site was made from.
    incremental: Mutex<Incremental>,
    /// Whether the plan is one of many, shown in the many-plans view (`/`, `/feed.atom`).
    pub in_view: bool,
    /// What the many-plans view shows of it: the plan as last published.
    shown: Mutex<Option<Arc<crate::aggregate::Content>>>,
}

/// At most this many entries of each plan, and of all of them, in the many-plans feed.
pub const VIEW_FEED_LIMIT: usize = 200;

/// The plan at the commit checked last, brought forward commit by commit, and a memo of the
/// last publish, so a commit costs what it changed rather than the size of the plan.
#[derive(Debug, Default)]
struct Incremental {
    following: Option<Following>,
    memo: crate::publish::Memo,
}

/// Why a step of the work failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// Git.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// Loading the plan.
    #[error(transparent)]
    Load(#[from] crate::plan::LoadError),
    /// Reading history.
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    /// Publishing.
    #[error(transparent)]
    Publish(#[from] crate::publish::PublishError),
    /// Syncing.
    #[error(transparent)]
    Sync(#[from] crate::sync::pass::PassError),
    /// Pushing the bot commit.
    #[error(transparent)]
    Push(crate::sync::propose::ProposeError),
}

/// Now, as RFC 3339.
pub fn now_text() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    crate::publish::rfc3339(secs)
}

/// The code a plan repository names for itself (plan.toml's member-code at HEAD). Only
/// plan.toml is read: the daemon loads the whole plan once, when it follows it.
pub fn code_of(repo: &Path) -> Option<String> {
    let history = crate::history::History::open(repo).ok()?;
    let blob = history.blob_at(history.tree_at("HEAD").ok()?, "plan.toml")?;
    let bytes = history.blob(blob).ok()??;
    let (piece, _) = crate::plan::parse_file("plan.toml", &crate::plan::Role::Meta, bytes);
    let Some(crate::plan::Piece::Meta(meta)) = piece else { return None };
    let code = meta.member_code?.value;
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(code)
}

/// Make or update the daemon's own clone of a remote: a bare repository whose branches follow
/// the remote's. Returns whether the followed branch moved.
pub fn fetch(repo: &Path, remote: &str, branch: &str) -> Result<bool, git2::Error> {
    let git = match git2::Repository::open_bare(repo) {
        Ok(g) => g,
        Err(_) => {
            std::fs::create_dir_all(repo).map_err(|e| git2::Error::from_str(&e.to_string()))?;
            let g = git2::Repository::init_bare(repo)?;
            g.remote("origin", remote)?;
            g
        }
    };
    let before = git.refname_to_id(&format!("refs/heads/{branch}")).ok();
    let mut origin = git.find_remote("origin")?;
    let spec = format!("+refs/heads/{branch}:refs/heads/{branch}");
    origin.fetch(&[spec.as_str()], None, None)?;
    git.set_head(&format!("refs/heads/{branch}"))?;
    let after = git.refname_to_id(&format!("refs/heads/{branch}")).ok();
    Ok(before != after)
}

impl Plan {
    /// A plan at `repo`, published under `data_dir/sites/CODE`.
    pub fn new(
        config: PlanConfig,
        code: String,
        repo: PathBuf,
        data_dir: &Path,
        base_url: Option<String>,
        in_view: bool,
    ) -> Plan {
        let mode = match config.source {
            PlanSource::Worktree(_) => "worktree",
            PlanSource::Clone { .. } => "clone",
        };
        let status = PlanStatus { code: code.clone(), mode, ..PlanStatus::default() };
        Plan {
            site: data_dir.join("sites").join(&code),
            config,
            code,
            repo,
            base_url,
            status: Mutex::new(status),
            incremental: Mutex::default(),
            in_view,
            shown: Mutex::default(),
        }
    }

    fn status(&self) -> std::sync::MutexGuard<'_, PlanStatus> {
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of what the daemon knows.
    pub fn snapshot(&self) -> PlanStatus {
        self.status().clone()
    }

    /// Whether the site at this plan's address is being served from a revision that is not
    /// the one followed (the followed one does not validate).
    pub fn behind(&self) -> bool {
        let s = self.status();
        s.valid == Some(false)
    }

    /// Validate the followed revision and, if it is new and valid, publish it. A revision that
    /// does not validate leaves the last valid site served. Returns whether a site was
    /// published.
    pub fn refresh(&self, metrics: &Metrics, today: Date, since: Instant) -> Result<bool, WorkError> {
        let git = git2::Repository::open(&self.repo)?;
        let head = git.head()?.peel_to_commit()?.id().to_string();
        let plan_label = labels(&[("plan", &self.code)]);
        {
            let s = self.status();
            if s.head.as_deref() == Some(head.as_str()) && s.valid.is_some() {
                return Ok(false);
            }
        }
        let started = Instant::now();
        let mut incremental = self.incremental.lock().unwrap_or_else(|e| e.into_inner());
        let Incremental { following, memo } = &mut *incremental;
        let step = match following.as_mut() {
            Some(f) => f.advance(&head)?,
            None => {
                // The first publish reads the whole audit trail, which for history never
                // seen before means reading each commit's files (all of them, for the first
                // commit). Read it into the cache now, before the plan is loaded, so the two
                // never take memory at the same time; the publish then reads the cache (and
                // reports what could not be read).
                if let Ok(history) = crate::history::History::open(&self.repo) {
                    let options =
                        crate::audit::Options { rev: &head, filter: Default::default(), cache: true, progress: None };
                    let _ = crate::audit::log(&history, &options);
                }
                *following = Some(Following::open(&self.repo, &head)?);
                Step::Reloaded
            }
        };
        let loaded = following.as_ref().expect("just loaded").loaded();
        let load_ms = started.elapsed().as_secs_f64() * 1e3;
        tracing::debug!(plan = %self.code, ?step, "read");
        let report = crate::rules::validate(loaded, today);
        tracing::debug!(plan = %self.code, load_ms, validate_ms = started.elapsed().as_secs_f64() * 1e3 - load_ms, "checked");
        let diagnostics: Vec<serde_json::Value> =
            crate::diagnostic::json_diagnostics(&report.diagnostics, &loaded.plan.sources)
                .iter()
                .filter_map(|d| serde_json::to_value(d).ok())
                .collect();
        metrics.set("kept_validation_errors", plan_label.clone(), report.errors() as f64);
        metrics.set("kept_validation_warnings", plan_label.clone(), report.warnings() as f64);
        {
            let mut s = self.status();
            s.head = Some(head.clone());
            s.valid = Some(report.is_valid());
            s.errors = report.errors();
            s.warnings = report.warnings();
            s.diagnostics = if report.is_valid() { Vec::new() } else { diagnostics };
            s.tracker_project = loaded
                .plan
                .settings
                .as_ref()
                .and_then(|st| st.tracker.as_ref()?.project.as_ref())
                .map(|p| p.value.to_ascii_lowercase());
        }
        if !report.is_valid() {
            metrics.add("kept_publish_total", labels(&[("plan", &self.code), ("result", "invalid")]), 1);
            tracing::warn!(plan = %self.code, commit = %head, errors = report.errors(), "the plan does not validate; the last valid site stays published");
            return Ok(false);
        }
        let history = crate::history::History::open(&self.repo)?;
        drop(report);
        let mut shown = None;
        let files = crate::publish::publish_plan_with(
            &history,
            &self.repo,
            &head,
            Some(loaded),
            self.base_url.clone(),
            &self.site,
            Some(memo),
            |input| {
                if self.in_view {
                    shown = Some(Arc::new(crate::aggregate::Content::of(input, Some(VIEW_FEED_LIMIT))));
                }
            },
        )?;
        if shown.is_some() {
            *self.shown.lock().unwrap_or_else(|e| e.into_inner()) = shown;
        }
        metrics.observe("kept_publish_duration_seconds", plan_label.clone(), started.elapsed());
        metrics.observe("kept_commit_to_publish_seconds", plan_label, since.elapsed());
        metrics.add("kept_publish_total", labels(&[("plan", &self.code), ("result", "published")]), 1);
        let mut s = self.status();
        s.published = Some(head.clone());
        s.published_at = Some(now_text());
        s.problem = None;
        tracing::info!(plan = %self.code, commit = %head, files, ms = started.elapsed().as_millis() as u64, "published");
        Ok(true)
    }

    /// Check the working tree as it is (uncommitted edits included), for the preview page.
    pub fn check_worktree(&self, today: Date) -> Result<(), WorkError> {
        let PlanSource::Worktree(dir) = &self.config.source else { return Ok(()) };
        // HEAD moved since the last refresh: that move brings its own events, and the check
        // comes after the new commit is published (checking on top of an older commit would
        // mean loading every file).
        if self.head_moved(dir)? {
            tracing::debug!(plan = %self.code, "HEAD moved; the working tree is checked after it is published");
            return Ok(());
        }
        let check = |loaded: &crate::plan::Loaded| {
            let report = crate::rules::validate(loaded, today);
            let diagnostics = crate::diagnostic::json_diagnostics(&report.diagnostics, &loaded.plan.sources)
                .iter()
                .filter_map(|d| serde_json::to_value(d).ok())
                .collect();
            WorktreeStatus { checked_at: now_text(), errors: report.errors(), warnings: report.warnings(), diagnostics }
        };
        // The edits on top of the plan followed: only the files git reports as changed are read.
        let patched = {
            let mut incremental = self.incremental.lock().unwrap_or_else(|e| e.into_inner());
            match incremental.following.as_mut() {
                Some(f) => f.with_worktree(dir, check)?,
                None => None,
            }
        };
        let status = match patched {
            Some(status) => status,
            // A commit landed while the tree was being looked at: same as above.
            None if self.head_moved(dir)? => return Ok(()),
            None => check(&crate::plan::load_dir(dir)?),
        };
        self.status().worktree = Some(status);
        Ok(())
    }

    /// Whether the working tree's HEAD is not the commit checked last.
    fn head_moved(&self, dir: &Path) -> Result<bool, WorkError> {
        let head = git2::Repository::discover(dir)?.head()?.peel_to_commit()?.id().to_string();
        Ok(self.status().head.as_deref().is_some_and(|h| h != head))
    }

    /// Fetch the daemon's clone; returns whether the followed branch moved.
    pub fn fetch(&self) -> Result<bool, WorkError> {
        match &self.config.source {
            PlanSource::Clone { remote, branch } => Ok(fetch(&self.repo, remote, branch)?),
            PlanSource::Worktree(_) => Ok(false),
        }
    }

    /// One tracker sync pass. Returns its report and the changes the plan's rules refused when
    /// it made a bot commit (to publish, and in a clone to push before it is settled).
    pub fn sync(
        &self,
        metrics: &Metrics,
        today: Date,
        write_interval: Option<Duration>,
    ) -> Result<Option<Unsettled>, WorkError> {
        let started = Instant::now();
        let clone = matches!(self.config.source, PlanSource::Clone { .. });
        let mut http = crate::tracker::Options::from_env();
        if let Some(w) = write_interval {
            http.write_interval = w;
        }
        let options = crate::sync::pass::PassOptions { dry_run: false, tracker: None, http, today, settle: !clone };
        let plan_label = labels(&[("plan", &self.code)]);
        let result = crate::sync::pass::pass(&self.repo, &options);
        metrics.observe("kept_sync_duration_seconds", plan_label.clone(), started.elapsed());
        let pass = match result {
            Ok(p) => p,
            Err(e) => {
                metrics.add("kept_sync_total", labels(&[("plan", &self.code), ("result", "failed")]), 1);
                self.status().sync = Some(SyncStatus { at: now_text(), ok: false, summary: chain(&e), wrote: None });
                return Err(e.into());
            }
        };
        let stats = &pass.report.stats;
        metrics.add("kept_tracker_requests_total", plan_label.clone(), u64::from(stats.requests));
        metrics.add("kept_tracker_retries_total", plan_label, u64::from(stats.retries));
        let failed = pass.report.failed();
        metrics.add(
            "kept_sync_total",
            labels(&[("plan", &self.code), ("result", if failed { "partial" } else { "ok" })]),
            1,
        );
        let wrote = pass
            .written
            .as_ref()
            .and_then(|w| w.commit.clone())
            .or_else(|| pass.proposed.as_ref().and_then(|p| p.pull_request.as_ref().map(|pr| pr.url.clone())));
        let count = |w: &crate::sync::What| pass.report.count(w);
        let summary = format!(
            "{} milestones: {} created, {} updated, {} changed in the tracker, {} failed; {} requests, {} retried",
            pass.report.outcomes.len(),
            count(&crate::sync::What::Created),
            count(&crate::sync::What::Updated),
            count(&crate::sync::What::ChangedInTracker),
            count(&crate::sync::What::Failed),
            stats.requests,
            stats.retries
        );
        tracing::info!(plan = %self.code, ms = started.elapsed().as_millis() as u64, "synced: {summary}");
        let refused: Vec<_> = pass.written.as_ref().map(|w| w.refused.clone()).unwrap_or_default();
        let written = pass.written.clone().unwrap_or_default();
        let summary = if refused.is_empty() {
            summary
        } else {
            let list: Vec<String> = refused.iter().map(|r| format!("{}/{}: {}", r.dir, r.id, r.reason)).collect();
            format!("{summary}; left out, the plan's rules refuse them: {}", list.join("; "))
        };
        let committed = pass.written.as_ref().is_some_and(|w| w.commit.is_some());
        self.status().sync = Some(SyncStatus { at: now_text(), ok: !failed && refused.is_empty(), summary, wrote });
        Ok(committed.then_some(Unsettled { report: pass.report, written }))
    }

    /// Push the daemon's clone's branch (with a bot commit on it) to its remote. A push the
    /// remote refuses because someone pushed first is answered by fetching, syncing again on
    /// the new head (the same tracker changes, re-checked) and pushing again, a few times.
    pub fn push_bot_commit(
        &self,
        metrics: &Metrics,
        today: Date,
        write_interval: Option<Duration>,
        mut unsettled: Unsettled,
    ) -> Result<(), WorkError> {
        let PlanSource::Clone { branch, .. } = &self.config.source else { return Ok(()) };
        for attempt in 1..=3 {
            let loaded = crate::plan::load_rev(&self.repo, "HEAD")?;
            let tracker = loaded.plan.settings.as_ref().and_then(|s| s.tracker.as_ref());
            let kind = tracker.map_or("", |t| t.kind.value.as_str()).to_string();
            let token = tracker.and_then(|t| crate::tracker::token(&crate::tracker::address(t)).ok().flatten());
            let git = git2::Repository::open(&self.repo)?;
            match crate::sync::propose::push(&git, branch, &kind, token.as_deref(), false) {
                Ok(()) => {
                    // Only now does the remote's plan say what the tracker said.
                    crate::sync::pass::settle(&self.repo, &unsettled.report, &unsettled.written)?;
                    return Ok(());
                }
                Err(e) if attempt < 3 => {
                    tracing::warn!(plan = %self.code, attempt, "push refused ({}); fetching and syncing again", chain(&e));
                    self.fetch()?;
                    match self.sync(metrics, today, write_interval)? {
                        Some(again) => unsettled = again,
                        // The new head already says it all: nothing left to push.
                        None => return Ok(()),
                    }
                }
                Err(e) => return Err(WorkError::Push(e)),
            }
        }
        Ok(())
    }

    /// The plan's part of the many-plans view: its state as last checked, and the plan as
    /// last published (a revision that does not validate leaves the last valid one shown).
    pub fn part(&self, site_url: String) -> crate::aggregate::Part {
        use crate::aggregate::{Check, Finding};
        let s = self.snapshot();
        let check = match s.valid {
            Some(true) => Check::Valid { warnings: s.warnings },
            Some(false) => Check::Invalid {
                errors: s.errors,
                warnings: s.warnings,
                diagnostics: s
                    .diagnostics
                    .iter()
                    .filter_map(|d| serde_json::from_value::<Finding>(d.clone()).ok())
                    .collect(),
            },
            None => match s.problem {
                Some(problem) => Check::Unreadable { problem },
                None => Check::Pending,
            },
        };
        crate::aggregate::Part {
            code: self.code.clone(),
            location: self.repo.display().to_string(),
            site_url: Some(site_url),
            revision: s.head,
            check,
            content: self.shown.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }

    /// Record a failure to show on the status API.
    pub fn problem(&self, e: &dyn std::error::Error) {
        self.status().problem = Some(chain(e));
    }
}

/// A bot commit's pass, waiting to be settled (in a clone: until it is pushed).
#[derive(Debug)]
pub struct Unsettled {
    /// The pass's report.
    pub report: crate::sync::Report,
    /// What the bot commit wrote, left out and skipped.
    pub written: crate::sync::commit::Written,
}

/// An error and its causes, on one line.
pub fn chain(e: &dyn std::error::Error) -> String {
    crate::error_chain(e)
}

/// The next wait after a failure: doubled, up to a cap.
pub fn backoff(previous: Option<Duration>, first: Duration, cap: Duration) -> Duration {
    previous.map_or(first, |p| (p * 2).min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with these files committed; the plan is in `sub` when it is not empty.
    fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init(dir.path()).unwrap();
        let mut index = git.index().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, text).unwrap();
            index.add_path(Path::new(path)).unwrap();
        }
        let tree = git.find_tree(index.write_tree().unwrap()).unwrap();
        let who = git2::Signature::new("t", "t@example.org", &git2::Time::new(1_780_000_000, 0)).unwrap();
        git.commit(Some("HEAD"), &who, &who, "plan", &tree, &[]).unwrap();
        dir
    }

    #[test]
    fn the_code_comes_from_plan_toml_alone() {
        // The rest of the plan does not parse; the code is still read.
        let repo = repo_with(&[
            ("plan.toml", "member-code = \"UATST\"\n"),
            ("commitments/UATST0001/commitment.toml", "id = \"UATST0001\"\n[[milestones]\n"),
        ]);
        assert_eq!(code_of(repo.path()).as_deref(), Some("UATST"));
        // A plan in a subdirectory of its repository.
        let repo = repo_with(&[("plans/city/plan.toml", "member-code = \"UACTY\"\n"), ("README.md", "x")]);
        assert_eq!(code_of(&repo.path().join("plans/city")).as_deref(), Some("UACTY"));
        // No plan.toml, a code that is not a safe name, a plan.toml that does not parse: none.
        for files in [
            &[("README.md", "x")][..],
            &[("plan.toml", "member-code = \"../x\"\n")][..],
            &[("plan.toml", "member-code = \n")][..],
        ] {
            assert_eq!(code_of(repo_with(files).path()), None, "{files:?}");
        }
    }
}
