//! `kept check [--base REV] [--head REV] [--proposal] [--format human|json|markdown]`.

use std::io::Write;
use std::path::PathBuf;

use kept::check::{Mode, Options, Report};
use kept::history::History;

use super::{CmdResult, INVALID, render, today};

/// Output formats of `kept check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// For people.
    Human,
    /// Machine-readable JSON.
    Json,
    /// A pull-request report.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan repository (default: the current directory).
    path: Option<PathBuf>,
    /// Check the commits after this revision (default: the whole history).
    #[arg(long)]
    base: Option<String>,
    /// Check up to this revision.
    #[arg(long, default_value = "HEAD")]
    head: String,
    /// The range is a proposal (pull or merge request): changes its authors may not make
    /// themselves are listed as reviews needed, not errors.
    #[arg(long)]
    proposal: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: CheckFormat,
}

pub fn run(args: Args) -> CmdResult {
    let path = super::default_path(args.path);
    let history = History::open(&path)?;
    let options = Options {
        base: args.base.as_deref(),
        head: &args.head,
        mode: if args.proposal { Mode::Proposal } else { Mode::Push },
        today: today()?,
    };
    let report = kept::check::check(&history, &path, &options)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        CheckFormat::Human => human(&mut out, &report, render::colour())?,
        CheckFormat::Json => json(&mut out, &report)?,
        CheckFormat::Markdown => markdown(&mut out, &report)?,
    }
    Ok(if report.passes() { 0 } else { INVALID })
}

fn who(c: &kept::check::CommitCheck) -> String {
    c.actors
        .iter()
        .map(|a| match &a.person {
            Some(p) if a.roles.is_empty() => p.to_string(),
            Some(p) => format!("{p} ({})", a.roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")),
            None => format!("{} (not in people.toml)", a.shown),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Human output: each commit with its changes and findings, then the head.
pub fn human(out: &mut dyn Write, report: &Report, colour: bool) -> std::io::Result<()> {
    let bold = |t: &str| if colour { format!("\x1b[1m{t}\x1b[0m") } else { t.to_string() };
    for c in &report.commits {
        writeln!(
            out,
            "{} {} {}",
            bold(&format!("commit {}", c.commit.short())),
            c.commit.summary,
            format_args!("[{}]", who(c))
        )?;
        for change in &c.changes {
            writeln!(out, "  {change}")?;
        }
        if !c.diagnostics.is_empty() {
            writeln!(out)?;
            render::human(out, &c.diagnostics, &c.sources, colour)?;
        }
    }
    if !report.reviews.is_empty() {
        writeln!(out, "\n{}", bold("reviews needed before merging"))?;
        for r in &report.reviews {
            writeln!(out, "  {}: {} ({})", r.need, r.change, r.commit)?;
        }
    }
    if !report.head_report.diagnostics.is_empty() {
        writeln!(out, "\n{}", bold("the plan at the head"))?;
        render::human(out, &report.head_report.diagnostics, &report.head_sources, colour)?;
    }
    let n = report.commits.len();
    let errors = report.errors();
    writeln!(
        out,
        "{}: {n} commit{} checked, {errors} error{}, {} review{} needed",
        if report.passes() { "ok" } else { "failed" },
        if n == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        report.reviews.len(),
        if report.reviews.len() == 1 { "" } else { "s" }
    )
}

fn json(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let commits: Vec<serde_json::Value> = report
        .commits
        .iter()
        .map(|c| {
            serde_json::json!({
                "commit": c.commit.id.to_string(),
                "summary": c.commit.summary,
                "author": c.commit.author,
                "committer": c.commit.committer,
                "merge": c.commit.is_merge(),
                "actors": c.actors,
                "signature": c.signature,
                "changes": c.changes.iter().map(|ch| {
                    let mut v = serde_json::to_value(ch).unwrap_or_default();
                    v["summary"] = ch.to_string().into();
                    v
                }).collect::<Vec<_>>(),
                "diagnostics": render::json_diagnostics(&c.diagnostics, &c.sources),
            })
        })
        .collect();
    let value = serde_json::json!({
        "passes": report.passes(),
        "errors": report.errors(),
        "base": report.base,
        "head": report.head,
        "commits": commits,
        "reviews": report.reviews,
        "head_diagnostics": render::json_diagnostics(&report.head_report.diagnostics, &report.head_sources),
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

/// A pull-request report: what the change does, who must approve what, every error with its commit.
pub fn markdown(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let errors = report.errors();
    writeln!(out, "## kept check")?;
    writeln!(out)?;
    if report.passes() {
        writeln!(out, "**Passes**: {} commits checked, no errors.", report.commits.len())?;
    } else {
        writeln!(
            out,
            "**Fails**: {errors} error{} in {} commits.",
            if errors == 1 { "" } else { "s" },
            report.commits.len()
        )?;
    }
    writeln!(out)?;
    writeln!(out, "### What this change does")?;
    writeln!(out)?;
    let mut any = false;
    for c in &report.commits {
        for change in &c.changes {
            writeln!(out, "- {change} (`{}`, {})", c.commit.short(), who(c))?;
            any = true;
        }
    }
    if !any {
        writeln!(out, "- nothing in the plan")?;
    }
    writeln!(out)?;
    writeln!(out, "### Reviews needed")?;
    writeln!(out)?;
    if report.reviews.is_empty() {
        writeln!(out, "None: the authors may make every change themselves.")?;
    } else {
        let mut needs: Vec<&str> = report.reviews.iter().map(|r| r.need.as_str()).collect();
        needs.sort_unstable();
        needs.dedup();
        for need in needs {
            writeln!(out, "- **{need}** must approve:")?;
            for r in report.reviews.iter().filter(|r| r.need == need) {
                writeln!(out, "  - {} (`{}`)", r.change, r.commit)?;
            }
        }
    }
    if errors > 0 {
        writeln!(out)?;
        writeln!(out, "### Errors")?;
        writeln!(out)?;
        for c in &report.commits {
            for d in c.diagnostics.iter().filter(|d| d.is_error()) {
                let at = location(d, &c.sources);
                writeln!(out, "- `{}` {}: **{}** {}{at}", c.commit.short(), c.commit.summary, d.code, d.message)?;
            }
        }
        for d in report.head_report.diagnostics.iter().filter(|d| d.is_error()) {
            let at = location(d, &report.head_sources);
            writeln!(out, "- head: **{}** {}{at}", d.code, d.message)?;
        }
    }
    Ok(())
}

fn location(d: &kept::Diagnostic, sources: &kept::diagnostic::SourceMap) -> String {
    match (&d.file, &d.span) {
        (Some(f), Some(s)) => match sources.line_col(f, s.start) {
            Some(lc) => format!(" (`{f}:{}:{}`)", lc.line, lc.column),
            None => format!(" (`{f}`)"),
        },
        (Some(f), None) => format!(" (`{f}`)"),
        _ => String::new(),
    }
}
