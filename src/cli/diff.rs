//! `kept diff REV_A [REV_B] [--format human|json]`.

use std::io::Write;
use std::path::PathBuf;

use kept::diff::{BlobCache, diff_trees};
use kept::history::History;

use super::{CmdResult, Format};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The older revision.
    rev_a: String,
    /// The newer revision (default: the working tree's HEAD).
    rev_b: Option<String>,
    /// The plan repository (default: the current directory).
    #[arg(long, short = 'C', default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(args: Args) -> CmdResult {
    let history = History::open(&args.path)?;
    let old = history.tree_at(&args.rev_a)?;
    let new = history.tree_at(args.rev_b.as_deref().unwrap_or("HEAD"))?;
    let changes: Vec<_> =
        diff_trees(&history, &BlobCache::default(), old, new)?.into_iter().flat_map(|f| f.changes).collect();
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let items: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| {
                    let mut v = serde_json::to_value(c).unwrap_or_default();
                    v["summary"] = c.to_string().into();
                    v
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        Format::Human => {
            if changes.is_empty() {
                writeln!(out, "no changes to the plan")?;
            }
            for c in &changes {
                writeln!(out, "{c}")?;
            }
        }
    }
    Ok(0)
}
