//! `kept sync [PATH] [--dry-run] [--tracker KIND] [--format human|json]`.

use std::io::Write;
use std::path::PathBuf;

use kept::sync::{Report, State, What};

use super::{CmdResult, Format, INVALID};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan repository (default: the current directory).
    path: Option<PathBuf>,
    /// Print the writes a pass would make, and make none.
    #[arg(long)]
    dry_run: bool,
    /// The tracker to sync (its kind, as [tracker] kind in kept.toml says).
    #[arg(long)]
    tracker: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(args: Args) -> CmdResult {
    let path = super::default_path(args.path);
    let repo = git2::Repository::discover(&path)
        .map_err(|e| format!("{} is not in a git repository ({})", path.display(), e.message()))?;
    // One sync at a time per repository; a run stopped between its bot commit and the
    // working tree's update is finished first.
    let _lock = if args.dry_run {
        None
    } else {
        let lock = kept::sync::commit::lock(&repo)
            .map_err(|e| format!("cannot take the sync lock in {}: {e}", repo.path().display()))?;
        kept::sync::commit::recover(&repo)?;
        Some(lock)
    };
    // Only committed history is synced: the plan at HEAD.
    let loaded = kept::plan::load_rev(&path, "HEAD")?;
    let report = kept::rules::validate(&loaded, super::today()?);
    if !report.is_valid() {
        return Err(format!(
            "the plan at HEAD has {} error(s); run `kept validate --rev HEAD` and fix them before syncing",
            report.errors()
        )
        .into());
    }
    let plan = &loaded.plan;
    let settings = plan
        .settings
        .as_ref()
        .and_then(|s| s.tracker.as_ref())
        .ok_or("kept.toml has no [tracker]; add kind, url and project (see docs/sync.md)")?;
    if let Some(t) = &args.tracker
        && t != &settings.kind.value
    {
        return Err(format!("--tracker {t}: kept.toml names a {} tracker", settings.kind.value).into());
    }
    let url = settings
        .url
        .as_ref()
        .map(|u| u.value.clone())
        .or_else(|| kept::tracker::default_url(&settings.kind.value).map(str::to_string))
        .unwrap_or_default();
    let token = kept::tracker::token(&url)?;
    let project = settings.project.as_ref().map_or("", |p| p.value.as_str());
    let state_path = State::path(repo.path(), &settings.kind.value, project);
    let cache_path = kept::sync::state::cache_path(&state_path);
    let mut state = State::read(&state_path);
    let cache = kept::sync::state::read_cache(&cache_path);
    let mut tracker = kept::tracker::connect(settings, token.as_deref(), kept::tracker::Options::from_env(), cache)?;
    let dry_run = args.dry_run;
    let mut save_error = None;
    let mut save = |s: &State| {
        if !dry_run && let Err(e) = s.write(&state_path) {
            save_error.get_or_insert(e);
        }
    };
    let report = kept::sync::sync(plan, tracker.as_mut(), &mut state, &mut save, dry_run)?;
    if let Some(e) = save_error {
        return Err(format!("cannot save the sync state to {}: {e}", state_path.display()).into());
    }
    // Failing to keep the page cache costs reads next time, nothing else.
    let _ = kept::sync::state::write_cache(&cache_path, tracker.cache());
    let by_pull_request = settings.by_pull_request();
    let proposed = if dry_run || !by_pull_request {
        None
    } else {
        let history = kept::history::History::open(&path)?;
        kept::sync::propose::propose(&history, plan, &report, tracker.as_mut(), token.as_deref())?
    };
    let written = if dry_run || by_pull_request {
        None
    } else {
        let written = kept::sync::commit::write_report(&kept::history::History::open(&path)?, plan, &report)?;
        if written.commit.is_some() && !report.incoming.is_empty() {
            // The plan now says what the tracker said: both sides agree from here on.
            let after = kept::plan::load_rev(&path, "HEAD")?;
            kept::sync::acknowledge(&after.plan, &report, &mut state);
            state
                .write(&state_path)
                .map_err(|e| format!("cannot save the sync state to {}: {e}", state_path.display()))?;
        }
        Some(written)
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            let value = match &proposed {
                Some(p) => serde_json::json!({"sync": &report, "pull_request": p}),
                None => serde_json::json!({"sync": &report, "commit": &written}),
            };
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        Format::Human => {
            human(&mut out, &report, dry_run)?;
            if let Some(w) = &written {
                if let Some(c) = &w.commit {
                    writeln!(
                        out,
                        "committed {:.10}: {} milestone(s) written back from the tracker",
                        c,
                        w.milestones.len()
                    )?;
                }
                for f in &w.skipped {
                    writeln!(out, "{f} has uncommitted changes: its tracker changes wait for the next sync")?;
                }
            }
            if let Some(p) = &proposed {
                if let (Some(c), Some(b)) = (&p.written.commit, &p.written.branch) {
                    writeln!(
                        out,
                        "committed {c:.10} on {b} and pushed it: {} milestone(s) from the tracker",
                        p.written.milestones.len()
                    )?;
                }
                if let Some(pr) = &p.pull_request {
                    writeln!(out, "pull request #{}: {}", pr.number, pr.url)?;
                }
                if let Some(n) = &p.note {
                    writeln!(out, "note: {n}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(if report.failed() { INVALID } else { 0 })
}

fn human(out: &mut dyn Write, report: &Report, dry_run: bool) -> std::io::Result<()> {
    if dry_run {
        writeln!(out, "dry run: {} write(s) would be made", report.requests.len())?;
        for r in &report.requests {
            writeln!(out, "  {r}")?;
        }
    }
    for l in &report.labels {
        writeln!(out, "label {l}")?;
    }
    for n in &report.notes {
        writeln!(out, "note: {n}")?;
    }
    let what = |w: &What| match w {
        What::Created => "created",
        What::Updated => "updated",
        What::Unchanged => "unchanged",
        What::ChangedInTracker => "changed in the tracker",
        What::Conflict => "conflict",
        What::Failed => "FAILED",
    };
    for o in report.tracker_milestones.iter().filter(|o| o.what != What::Unchanged) {
        let number = o.issue.map(|n| format!(" (tracker milestone {n})")).unwrap_or_default();
        let detail = o.detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default();
        writeln!(out, "commitment {}{number} {}{detail}", o.milestone, what(&o.what))?;
    }
    for o in report.outcomes.iter().filter(|o| o.what != What::Unchanged) {
        let issue = o.issue.map(|n| format!(" #{n}")).unwrap_or_default();
        let detail = o.detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default();
        writeln!(out, "{}{issue} {}{detail}", o.milestone, what(&o.what))?;
    }
    for (n, key) in &report.orphans {
        writeln!(out, "issue #{n} follows {key}, which is no longer in the plan (left alone)")?;
    }
    for (n, key) in &report.duplicates {
        writeln!(out, "issue #{n} repeats the marker of {key} (left alone; close it by hand)")?;
    }
    let s = &report.stats;
    writeln!(
        out,
        "{} milestones: {} created, {} updated, {} unchanged, {} changed in the tracker, {} conflicts, {} failed",
        report.outcomes.len(),
        report.count(&What::Created),
        report.count(&What::Updated),
        report.count(&What::Unchanged),
        report.count(&What::ChangedInTracker),
        report.count(&What::Conflict),
        report.count(&What::Failed),
    )?;
    writeln!(
        out,
        "requests: {} ({} writes, {} conditional reads of which {} not modified), {} retried",
        s.requests, s.writes, s.conditional, s.not_modified, s.retries
    )?;
    for r in &s.retried {
        writeln!(out, "  retried {r}")?;
    }
    Ok(())
}
