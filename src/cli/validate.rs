//! `kept validate [PATH] [--rev REV] [--format human|json]`.

use std::io::Write;
use std::path::PathBuf;

use super::{CmdResult, Format, INVALID, default_path, render, today};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan repository (default: the current directory).
    path: Option<PathBuf>,
    /// Validate this git revision instead of the working tree (no checkout is made).
    #[arg(long)]
    rev: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Load the plan at a path, from the working tree or a revision.
pub fn load(path: &std::path::Path, rev: Option<&str>) -> Result<kept::Loaded, kept::plan::LoadError> {
    match rev {
        Some(rev) => kept::plan::load_rev(path, rev),
        None => kept::plan::load_dir(path),
    }
}

pub fn run(args: Args) -> CmdResult {
    let path = default_path(args.path);
    let today = today()?;
    let loaded = load(&path, args.rev.as_deref())?;
    let report = kept::rules::validate(&loaded, today);
    let sources = &loaded.plan.sources;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let value = serde_json::json!({
                "valid": report.is_valid(),
                "errors": report.errors(),
                "warnings": report.warnings(),
                "diagnostics": render::json_diagnostics(&report.diagnostics, sources),
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        Format::Human => {
            render::human(&mut out, &report.diagnostics, sources, render::colour())?;
            let files = sources.len();
            let (e, w) = (report.errors(), report.warnings());
            let verdict = if e == 0 { "valid" } else { "invalid" };
            writeln!(out, "{verdict}: {e} error{}, {w} warning{} in {files} files", plural(e), plural(w))?;
        }
    }
    let code = if report.is_valid() { 0 } else { INVALID };
    // The process ends right after this: let the OS reclaim the plan instead of freeing
    // its many small allocations one by one (a tenth of the run on a large plan).
    std::mem::forget(loaded);
    std::mem::forget(report);
    Ok(code)
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
