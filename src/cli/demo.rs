//! `kept demo`: the embedded example plan in a temporary git repository, validated, with its status.

use std::path::PathBuf;

use super::{CmdResult, INVALID, render, today};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to lay the demo plan (default: a new directory under the system temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(args: Args) -> CmdResult {
    let dir = match args.dir {
        Some(d) => d,
        None => {
            let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            std::env::temp_dir().join(format!("kept-demo-{}-{stamp}", std::process::id()))
        }
    };
    if dir.exists() && std::fs::read_dir(&dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(format!("{} already exists and is not empty; choose a new --dir", dir.display()).into());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    kept::template::write_to(&dir).map_err(|e| format!("cannot write the template to {}: {e}", dir.display()))?;
    let commit = kept::repo::commit_all(&dir, "Example plan from kept's template")
        .map_err(|e| format!("cannot commit the demo plan in {}: {}", dir.display(), e.message()))?;
    println!("demo plan repository: {} (commit {:.8})", dir.display(), commit.to_string());
    let today = today()?;
    let loaded = kept::plan::load_rev(&dir, "HEAD")?;
    let report = kept::rules::validate(&loaded, today);
    let mut out = std::io::stdout().lock();
    render::human(&mut out, &report.diagnostics, &loaded.plan.sources, render::colour())?;
    let catalogue = kept::rules::catalogue_for(&loaded.plan).ok_or("the template names an unknown catalogue")?;
    let status = kept::status::compute(&loaded.plan, &catalogue, today);
    println!();
    super::status::print_human(&mut out, &status, report.errors(), report.warnings(), render::colour())?;
    Ok(if report.is_valid() { 0 } else { INVALID })
}
