//! `kept status [PATH] [--rev REV] [--format human|json]`.

use std::io::Write;
use std::path::PathBuf;

use kept::status::Status;

use super::{CmdResult, Format, default_path, render, today};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan repository (default: the current directory).
    path: Option<PathBuf>,
    /// Report on this git revision instead of the working tree.
    #[arg(long)]
    rev: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(args: Args) -> CmdResult {
    let path = default_path(args.path);
    let today = today()?;
    let loaded = super::validate::load(&path, args.rev.as_deref())?;
    let Some(catalogue) = kept::rules::catalogue_for(&loaded.plan) else {
        return Err("the plan names a step catalogue kept does not ship; run `kept validate` for details".into());
    };
    let report = kept::rules::validate(&loaded, today);
    if loaded.plan.meta.as_ref().and_then(|m| m.phase_index()).is_none() {
        // Without a readable plan.toml there is no phase to report on: show why instead.
        let mut out = std::io::stdout().lock();
        render::human(&mut out, &report.diagnostics, &loaded.plan.sources, render::colour())?;
        writeln!(out, "no status: plan.toml is missing or has no valid phase (see the errors above)")?;
        return Ok(super::INVALID);
    }
    let status = kept::status::compute(&loaded.plan, &catalogue, today);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let mut value = serde_json::to_value(&status)?;
            value["valid"] = report.is_valid().into();
            value["errors"] = report.errors().into();
            value["warnings"] = report.warnings().into();
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        Format::Human => print_human(&mut out, &status, report.errors(), report.warnings(), render::colour())?,
    }
    Ok(0)
}

/// Render a status for people.
pub fn print_human(
    out: &mut dyn Write,
    s: &Status,
    errors: usize,
    warnings: usize,
    colour: bool,
) -> std::io::Result<()> {
    let bold = |t: &str| {
        if colour { format!("\x1b[1m{t}\x1b[0m") } else { t.to_string() }
    };
    writeln!(out, "{} ({})", bold(&s.title), s.member_code)?;
    writeln!(out, "{}", s.member)?;
    writeln!(out, "phase {} of {}: {} ({})   as of {}", s.phase_number, s.phases, s.phase_title, s.phase, s.today)?;
    let bar: String = (1..=s.phases)
        .map(|i| {
            if i < s.phase_number {
                '■'
            } else if i == s.phase_number {
                '▶'
            } else {
                '□'
            }
        })
        .collect();
    writeln!(out, "  [{bar}]")?;
    writeln!(out)?;
    writeln!(out, "{}", bold("steps of this phase"))?;
    for step in &s.steps {
        let mark = if step.missing.is_empty() { "✓" } else { "·" };
        writeln!(out, "  {mark} {} {} [{}]", step.id, step.title, step.status)?;
        for m in &step.missing {
            writeln!(out, "      missing: {m}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", bold("commitments"))?;
    if s.commitments.is_empty() {
        writeln!(out, "  none yet (they are drafted in phase 3)")?;
    }
    for c in &s.commitments {
        let counts: Vec<String> =
            c.milestones.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {k}")).collect();
        let progress = match (c.computed_progress, c.declared_progress) {
            (Some(p), Some(d)) => format!("{p}% of milestones done (declared {d}%)"),
            (Some(p), None) => format!("{p}% of milestones done"),
            (None, Some(d)) => format!("declared {d}%"),
            (None, None) => "progress unknown".to_string(),
        };
        writeln!(out, "  {} {} [{}]", c.id, c.title, c.status)?;
        writeln!(
            out,
            "      milestones: {}; {progress}",
            if counts.is_empty() { "none".to_string() } else { counts.join(", ") }
        )?;
    }
    writeln!(out)?;
    if s.overdue.is_empty() {
        writeln!(out, "no overdue milestones")?;
    } else {
        writeln!(out, "{}", bold("overdue milestones"))?;
        for o in &s.overdue {
            writeln!(out, "  {}/{} due {} ({} days ago), {}", o.commitment, o.milestone, o.due, o.days, o.status)?;
        }
    }
    if s.stale.is_empty() {
        writeln!(out, "every commitment in implementation has an update from the last six months")?;
    } else {
        writeln!(out, "{}", bold("no update for six months"))?;
        for id in &s.stale {
            writeln!(out, "  {id}")?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "validation: {errors} error{}, {warnings} warning{} (run `kept validate` for details)",
        super::validate::plural(errors),
        super::validate::plural(warnings)
    )?;
    Ok(())
}
