//! `kept init DIR [--member NAME] [--code CODE] [--languages uk,en]`.

use std::path::PathBuf;

use super::{CmdResult, today};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to create the plan repository in (new or empty).
    dir: PathBuf,
    /// The member's (municipality's) name.
    #[arg(long, default_value = "My Municipality")]
    member: String,
    /// The OGP member code: country code and place, e.g. UAKLY.
    #[arg(long, default_value = "XXMUN")]
    code: String,
    /// Declared languages, comma-separated; the first is primary.
    #[arg(long, value_delimiter = ',', default_value = "en")]
    languages: Vec<String>,
}

pub fn run(args: Args) -> CmdResult {
    let opts = kept::init::InitOptions {
        member: args.member,
        code: args.code,
        languages: args.languages.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect(),
        today: today()?,
    };
    let commit = kept::init::init(&args.dir, &opts)?;
    println!("created plan repository {} (commit {:.8})", args.dir.display(), commit.to_string());
    println!(
        "next: edit people.toml and plan.toml, then run `kept validate {}` and `kept status {}`",
        args.dir.display(),
        args.dir.display()
    );
    Ok(0)
}
