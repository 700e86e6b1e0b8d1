//! `kept publish --out DIR [--rev REV] [--base-url URL] [PATH]`.

use std::path::PathBuf;

use kept::history::History;

use super::CmdResult;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan repository (default: the current directory).
    path: Option<PathBuf>,
    /// Where the site goes: a link to the current version, swapped in whole on each publish.
    #[arg(long)]
    out: PathBuf,
    /// Publish this revision (only committed history is published).
    #[arg(long, default_value = "HEAD")]
    rev: String,
    /// The site's public address (default: kept.toml [publish] base-url), for feed links and ids.
    #[arg(long)]
    base_url: Option<String>,
}

pub fn run(args: Args) -> CmdResult {
    let path = super::default_path(args.path);
    let history = History::open(&path)?;
    let head = history.resolve(&args.rev)?;
    let files = kept::publish::publish(&history, &path, &head.to_string(), args.base_url, &args.out)?;
    println!("published {files} files of commit {:.10} to {}", head.to_string(), args.out.display());
    Ok(0)
}
