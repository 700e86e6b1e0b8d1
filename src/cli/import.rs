//! `kept import ogp FILE.csv (--commitment ID... | --member NAME | --all) --out DIR [--report FILE.json]`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use kept::interop::ogp::{self, Imported, Selection};
use kept::interop::{Finding, FindingKind};

use super::validate::plural;
use super::{CmdResult, today};

/// Formats kept imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// OGP's commitment dataset (CSV, the data behind OGP's Data Dashboard).
    Ogp,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("selection").required(true).args(["commitment", "member", "all"])))]
pub struct Args {
    /// The source format.
    source: Source,
    /// The dataset file.
    file: PathBuf,
    /// Import these commitments (`Commitment Unique Identifier`, e.g. COT0005); repeatable.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    commitment: Vec<String>,
    /// Import every commitment of a member (`Country/Locality` or `Code`, e.g. "Tbilisi, Georgia").
    #[arg(long)]
    member: Option<String>,
    /// Import every row: one plan per member and action plan, each in DIR/<Action Plan ID>.
    #[arg(long)]
    all: bool,
    /// Where to write: the plan repository itself when the selection makes one plan, else
    /// one directory per action plan inside it. Must be new or empty.
    #[arg(long)]
    out: PathBuf,
    /// Also write every finding (unparsed, ambiguous, imprecise values) as JSON here.
    #[arg(long)]
    report: Option<PathBuf>,
}

pub fn run(args: Args) -> CmdResult {
    let Source::Ogp = args.source;
    let selection = if args.all {
        Selection::All
    } else if let Some(m) = args.member {
        Selection::Member(m)
    } else {
        Selection::Commitments(args.commitment)
    };
    // A progress bar on a terminal only; pipes and CI stay quiet.
    let tty = std::io::stderr().is_terminal();
    let progress = |done: usize, all: usize| {
        if tty {
            let mut err = std::io::stderr();
            let width = 30;
            let filled = (done * width).checked_div(all).unwrap_or(width).min(width);
            let _ =
                write!(err, "\rkept import: [{}{}] {done}/{all} rows", "#".repeat(filled), " ".repeat(width - filled));
            if done == all {
                let _ = writeln!(err);
            }
        }
    };
    let imported = ogp::import(&args.file, &selection, &args.out, Some(&progress))?;
    if let Some(path) = &args.report {
        let json = report_json(&imported);
        let body = serde_json::to_string_pretty(&json)? + "\n";
        std::fs::write(path, body).map_err(|e| format!("cannot write the report {}: {e}", path.display()))?;
    }
    let mut err = std::io::stderr().lock();
    for f in &imported.findings {
        writeln!(err, "{}", finding_line(f))?;
    }
    if !imported.findings.is_empty() {
        let counts = counts(&imported.findings);
        let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        writeln!(
            err,
            "{} finding{}: {}",
            imported.findings.len(),
            plural(imported.findings.len()),
            summary.join(", ")
        )?;
    }
    let today = today()?;
    let mut out = std::io::stdout().lock();
    for p in &imported.plans {
        let loaded = kept::plan::load_dir(&p.dir)?;
        let report = kept::rules::validate(&loaded, today);
        writeln!(
            out,
            "{} ({}, {}): {} commitment{}, {} milestone{}; kept validate: {} error{}, {} warning{}",
            p.dir.display(),
            p.member,
            p.action_plan,
            p.commitments.len(),
            plural(p.commitments.len()),
            p.milestones,
            plural(p.milestones),
            report.errors(),
            plural(report.errors()),
            report.warnings(),
            plural(report.warnings()),
        )?;
    }
    writeln!(
        out,
        "imported {} row{} into {} plan{}; run `kept validate DIR` for what the dataset does not say",
        imported.plans.iter().map(|p| p.commitments.len()).sum::<usize>(),
        plural(imported.rows),
        imported.plans.len(),
        plural(imported.plans.len())
    )?;
    Ok(0)
}

fn finding_line(f: &Finding) -> String {
    let what = if f.column.is_empty() { String::new() } else { format!(", column `{}`", f.column) };
    let text = if f.text.is_empty() { String::new() } else { format!(": `{}`", one_line(&f.text)) };
    format!("{}:{}: row {}{what}{text}: {}: {}", f.file, f.line, f.record, f.kind.as_str(), f.message)
}

fn one_line(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() > 80 { s.chars().take(77).collect::<String>() + "..." } else { s }
}

fn counts(findings: &[Finding]) -> Vec<(&'static str, usize)> {
    let kinds = [
        FindingKind::Unparsed,
        FindingKind::Ambiguous,
        FindingKind::Imprecise,
        FindingKind::Repaired,
        FindingKind::Skipped,
    ];
    kinds
        .iter()
        .map(|k| (k.as_str(), findings.iter().filter(|f| f.kind == *k).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn report_json(imported: &Imported) -> serde_json::Value {
    let counts: serde_json::Map<String, serde_json::Value> =
        counts(&imported.findings).into_iter().map(|(k, n)| (k.to_string(), n.into())).collect();
    serde_json::json!({
        "rows": imported.rows,
        "date-order": imported.date_order,
        "plans": imported.plans,
        "counts": counts,
        "findings": imported.findings,
    })
}
