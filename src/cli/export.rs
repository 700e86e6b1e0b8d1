//! `kept export ogp|decidim-accountability [PATH] [--rev REV] --out FILE`.

use std::io::Write;
use std::path::PathBuf;

use super::{CmdResult, default_path, validate};

/// Formats kept exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Rows of OGP's commitment dataset, one per commitment.
    Ogp,
    /// Results for Decidim's Accountability component: commitments, milestones as their children.
    DecidimAccountability,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format to write.
    target: Target,
    /// The plan repository (default: the current directory).
    path: Option<PathBuf>,
    /// Export this git revision instead of the working tree (no checkout is made).
    #[arg(long)]
    rev: Option<String>,
    /// The CSV file to write.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> CmdResult {
    let path = default_path(args.path);
    let loaded = validate::load(&path, args.rev.as_deref())?;
    let mut bytes = Vec::new();
    match args.target {
        Target::Ogp => kept::interop::ogp::export::export(&loaded.plan, &mut bytes)?,
        Target::DecidimAccountability => kept::interop::decidim::export(&loaded.plan, &mut bytes)?,
    }
    std::fs::write(&args.out, &bytes).map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let rows = loaded.plan.commitments.len()
        + if args.target == Target::DecidimAccountability {
            loaded.plan.commitments.iter().map(|c| c.milestones.len()).sum()
        } else {
            0
        };
    writeln!(std::io::stdout(), "wrote {} ({rows} rows)", args.out.display())?;
    Ok(0)
}
