//! The example plan repository (`template-repo/`), embedded in the binary for `kept demo`
//! and as the reference a municipality forks.

use std::path::Path;

use include_dir::{Dir, DirEntry, include_dir};

static TEMPLATE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/template-repo");

/// Every file of the template: repository path and contents.
pub fn files() -> Vec<(String, &'static [u8])> {
    let mut out = Vec::new();
    collect(&TEMPLATE, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => collect(d, out),
            DirEntry::File(f) => {
                out.push((f.path().to_string_lossy().replace('\\', "/"), f.contents()));
            }
        }
    }
}

/// Write the template's files under `dir` (which must exist).
pub fn write_to(dir: &Path) -> std::io::Result<()> {
    for (path, contents) in files() {
        let target = dir.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, contents)?;
    }
    Ok(())
}
