//! `kept schema [--out DIR]`.

use std::path::PathBuf;

use super::CmdResult;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write one <kind>.schema.json per file kind here; without it, print them all as one JSON object.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> CmdResult {
    let all = kept::schema::all();
    match args.out {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            for (name, _, schema) in &all {
                let path = dir.join(format!("{name}.schema.json"));
                let body = serde_json::to_string_pretty(schema)? + "\n";
                std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
        None => {
            let map: serde_json::Map<String, serde_json::Value> =
                all.into_iter().map(|(name, _, schema)| (name.to_string(), schema)).collect();
            println!("{}", serde_json::to_string_pretty(&map)?);
        }
    }
    Ok(0)
}
