//! Publishing a new version of a site without writing what has not changed: each version
//! directory carries a manifest of its files (length and hash), and a file the new version
//! has unchanged is a hard link to the previous version's copy. Creating thousands of inodes is
//! what costs most on ext4; a link costs a directory entry. Every version is still a whole
//! directory of its own, swapped in at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The manifest's name inside a version directory (the server does not serve dot files).
pub const MANIFEST: &str = ".kept-manifest";

/// A file's fingerprint: its length and FNV-1a hash.
pub fn fingerprint(bytes: &[u8]) -> (usize, u64) {
    (bytes.len(), crate::hash::fnv1a(bytes))
}

/// The previous version of a site: where it is and what it holds.
#[derive(Debug, Default)]
pub struct Previous {
    dir: PathBuf,
    files: HashMap<String, (usize, u64)>,
}

impl Previous {
    /// The version `out` links to now, if it has a manifest.
    pub fn of(out: &Path) -> Option<Previous> {
        let target = std::fs::read_link(out).ok()?;
        let dir = out.parent().unwrap_or(Path::new(".")).join(target);
        let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
        let files = text
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, ' ');
                let len = parts.next()?.parse().ok()?;
                let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
                Some((parts.next()?.to_string(), (len, hash)))
            })
            .collect();
        Some(Previous { dir, files })
    }

    /// Link `path` from the previous version into `target` if it is unchanged there; false
    /// when it must be written.
    pub fn link(&self, path: &str, print: (usize, u64), target: &Path) -> bool {
        self.files.get(path) == Some(&print) && std::fs::hard_link(self.dir.join(path), target).is_ok()
    }
}

/// The manifest of a version, to write into its directory.
pub fn manifest(files: &[(String, (usize, u64))]) -> String {
    let mut text = String::new();
    for (path, (len, hash)) in files {
        text.push_str(&format!("{len} {hash:016x} {path}\n"));
    }
    text
}
