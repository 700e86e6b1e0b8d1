//! `kept sync [PATH] [--dry-run] [--tracker KIND] [--format human|json]`.

use std::io::Write;
use std::path::PathBuf;

use kept::sync::{Report, What};

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
    let options = kept::sync::pass::PassOptions {
        dry_run: args.dry_run,
        tracker: args.tracker,
        http: kept::tracker::Options::from_env(),
        today: super::today()?,
        settle: true,
    };
    let dry_run = options.dry_run;
    let kept::sync::pass::Pass { report, written, proposed } = kept::sync::pass::pass(&path, &options)?;
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
                for r in &w.refused {
                    writeln!(
                        out,
                        "{}/{}: the tracker's change is left out, the plan's rules refuse it ({}); fix the issue or the plan",
                        r.dir, r.id, r.reason
                    )?;
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
    let refused = written.as_ref().is_some_and(|w| !w.refused.is_empty());
    Ok(if report.failed() || refused { INVALID } else { 0 })
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
