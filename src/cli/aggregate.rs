//! `kept aggregate --out DIR [--base-url URL] [--format human|json] REPO[=SITE_URL]...`.

use std::io::Write;
use std::path::PathBuf;

use kept::aggregate::{Check, Options, Part};

use super::{CmdResult, Format, INVALID};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan repositories, each optionally `=` the address of its published site
    /// (default: its kept.toml `[publish] base-url`), for links and feed entry ids.
    #[arg(required = true, value_name = "REPO[=SITE_URL]")]
    repos: Vec<String>,
    /// Where the aggregate goes: a link to the current version, swapped in whole each time.
    #[arg(long)]
    out: PathBuf,
    /// The aggregate's own public address, for feed ids and links.
    #[arg(long)]
    base_url: Option<String>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// `REPO=URL` → (REPO, Some(URL)); a path with `=` in it is taken whole when it exists.
fn split(arg: &str) -> (PathBuf, Option<String>) {
    if PathBuf::from(arg).exists() {
        return (PathBuf::from(arg), None);
    }
    match arg.split_once('=') {
        Some((repo, url)) if !url.is_empty() => (PathBuf::from(repo), Some(url.to_string())),
        _ => (PathBuf::from(arg), None),
    }
}

pub fn run(args: Args) -> CmdResult {
    let parts: Vec<Part> = args
        .repos
        .iter()
        .map(|arg| {
            let (repo, url) = split(arg);
            kept::aggregate::read(&repo, url)
        })
        .collect();
    // The same plan twice, or two plans claiming one member code: a usage error (exit 2).
    kept::aggregate::unique(&parts)?;
    let options = Options { base_url: args.base_url, feed_limit: None };
    let files = kept::aggregate::publish(&parts, &options, &args.out)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let json = kept::aggregate::file(&parts, &options, "data/plans.json").unwrap_or_default();
            out.write_all(&json)?;
        }
        Format::Human => {
            for p in &parts {
                writeln!(out, "{}", line(p))?;
            }
            writeln!(out, "wrote {files} files for {} plans to {}", parts.len(), args.out.display())?;
        }
    }
    Ok(if parts.iter().all(|p| p.check.is_valid()) { 0 } else { INVALID })
}

/// A plan's one-line summary.
fn line(p: &Part) -> String {
    let state = match &p.check {
        Check::Valid { warnings } => format!("valid, {warnings} warning(s)"),
        Check::Invalid { errors, warnings, .. } => format!("invalid: {errors} error(s), {warnings} warning(s)"),
        Check::Unreadable { problem } => format!("unreadable: {problem}"),
        Check::Pending => "not checked".into(),
    };
    let progress = p.content.as_ref().map_or(String::new(), |c| {
        let s = &c.summary;
        format!(
            "; phase {}, {} commitment(s), {}/{} milestones completed, {} overdue",
            s.phase, s.commitments, s.completed, s.milestones, s.overdue
        )
    });
    format!("{}\t{state}{progress}\t{}", p.code, p.location)
}
