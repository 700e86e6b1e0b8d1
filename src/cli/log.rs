//! `kept log [ID] [--since DATE] [--person ID] [--kind KIND] [--format human|json|csv]`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use kept::audit::{Entry, Filter, Options};
use kept::diff::Kind;
use kept::history::History;

use super::{CmdResult, render};

/// Output formats of `kept log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For people.
    Human,
    /// Machine-readable JSON.
    Json,
    /// CSV (RFC 4180), one change a row.
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A commitment (UAKLY0003) or a milestone (UAKLY0003/M2).
    id: Option<String>,
    /// The plan repository (default: the current directory).
    #[arg(long, short = 'C', default_value = ".")]
    path: PathBuf,
    /// The revision whose history to list.
    #[arg(long, default_value = "HEAD")]
    rev: String,
    /// Only changes made on or after this date (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Only changes by this person (a people.toml id).
    #[arg(long)]
    person: Option<String>,
    /// Only changes of this kind (e.g. milestone-status, phase, amendment).
    #[arg(long)]
    kind: Option<String>,
    /// Do not read or write the cache (in the git directory, under kept/).
    #[arg(long)]
    no_cache: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: LogFormat,
}

pub fn run(args: Args) -> CmdResult {
    let since = match &args.since {
        Some(s) => Some(kept::Date::parse(s).ok_or_else(|| format!("--since `{s}` is not a date; use YYYY-MM-DD"))?),
        None => None,
    };
    let kind =
        match &args.kind {
            Some(k) => Some(serde_json::from_value::<Kind>(serde_json::Value::String(k.clone())).map_err(|_| {
                format!("--kind `{k}` is not a kind of change (e.g. milestone-status, phase, amendment)")
            })?),
            None => None,
        };
    let history = History::open(&args.path)?;
    // A progress bar on a terminal only; pipes and CI stay quiet.
    let tty = std::io::stderr().is_terminal();
    let progress = |done: usize, all: usize| {
        if tty && all >= 200 {
            let mut err = std::io::stderr();
            let _ = write!(err, "\rkept log: {done}/{all} commits read");
            if done == all {
                let _ = writeln!(err);
            }
        }
    };
    let options = Options {
        rev: &args.rev,
        filter: Filter { subject: args.id.clone(), since, person: args.person.clone(), kind },
        cache: !args.no_cache,
        progress: Some(&progress),
    };
    let entries = kept::audit::log(&history, &options)?;
    // Thousands of lines: written in blocks, not a system call per line.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match args.format {
        LogFormat::Human => human(&mut out, &entries, render::colour())?,
        LogFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &entries)?;
            writeln!(out)?;
        }
        LogFormat::Csv => csv(&mut out, &entries)?,
    }
    out.flush()?;
    Ok(0)
}

fn human(out: &mut dyn Write, entries: &[Entry], colour: bool) -> std::io::Result<()> {
    let dim = |t: &str| if colour { format!("\x1b[2m{t}\x1b[0m") } else { t.to_string() };
    if entries.is_empty() {
        writeln!(out, "no changes")?;
    }
    for e in entries {
        writeln!(out, "{} {}", e.date, e.summary)?;
        let who = match &e.person {
            Some(p) if e.roles.is_empty() => format!("{} ({p})", e.name),
            Some(p) => format!("{} ({p}: {})", e.name, e.roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")),
            None => format!("{} (not in people.toml)", e.name),
        };
        let mut detail = format!("by {who}, commit {}", &e.commit[..10]);
        if let Some(c) = &e.committer {
            detail.push_str(&format!(", committed by {c}"));
        }
        if let Some(pr) = e.pull_request {
            detail.push_str(&format!(", pull request #{pr}"));
        }
        detail.push_str(&format!(", {}", e.signature));
        writeln!(out, "    {}", dim(&detail))?;
    }
    Ok(())
}

fn csv(out: &mut dyn Write, entries: &[Entry]) -> std::io::Result<()> {
    writeln!(
        out,
        "commit,date,person,name,roles,pull_request,signature,kind,commitment,milestone,item,field,from,to,note,summary,path"
    )?;
    for e in entries {
        let kind = e.change.kind.key();
        let roles = e.roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(" ");
        let c = &e.change;
        let row = [
            e.commit.clone(),
            e.date.to_string(),
            e.person.clone().unwrap_or_default(),
            e.name.clone(),
            roles,
            e.pull_request.map(|p| p.to_string()).unwrap_or_default(),
            e.signature.clone(),
            kind,
            c.commitment.clone().unwrap_or_default(),
            c.milestone.clone().unwrap_or_default(),
            c.item.clone().unwrap_or_default(),
            c.field.clone().unwrap_or_default(),
            c.from.clone().unwrap_or_default(),
            c.to.clone().unwrap_or_default(),
            c.note.clone().unwrap_or_default(),
            e.summary.clone(),
            c.path.clone(),
        ];
        writeln!(out, "{}", row.iter().map(|f| kept::publish::csv_field(f)).collect::<Vec<_>>().join(","))?;
    }
    Ok(())
}
