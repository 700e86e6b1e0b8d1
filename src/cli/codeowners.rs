//! `kept codeowners [PATH] [--forge github|gitlab|gitea] [--write]`.

use std::path::PathBuf;

use kept::codeowners::{Forge, render};

use super::CmdResult;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ForgeArg {
    Github,
    Gitlab,
    Gitea,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan repository (default: the current directory).
    path: Option<PathBuf>,
    /// The forge that will read the file.
    #[arg(long, value_enum, default_value = "github")]
    forge: ForgeArg,
    /// Write the file where the forge reads it (.github/, .gitlab/ or .gitea/CODEOWNERS)
    /// instead of printing it.
    #[arg(long)]
    write: bool,
}

pub fn run(args: Args) -> CmdResult {
    let path = super::default_path(args.path);
    let forge = match args.forge {
        ForgeArg::Github => Forge::Github,
        ForgeArg::Gitlab => Forge::Gitlab,
        ForgeArg::Gitea => Forge::Gitea,
    };
    let loaded = kept::plan::load_dir(&path)?;
    if loaded.plan.settings.is_none() || loaded.plan.entities.is_empty() {
        return Err("the plan's kept.toml or people.toml cannot be read; run `kept validate` first".into());
    }
    let text = render(&loaded.plan, forge);
    if args.write {
        let target = path.join(forge.path());
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&target, text).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        println!("wrote {}", target.display());
    } else {
        print!("{text}");
    }
    Ok(0)
}
