//! Publishing a new version of a site without writing what has not changed.
//!
//! A site lives in two version directories, `.NAME.a` and `.NAME.b`, and `NAME` is a link to
//! one of them. A publish brings the other one (the spare) up to date and then swaps the link
//! in one rename, so readers see the old site or the new, never a mix. Each version directory
//! carries a manifest of its files (length and digest): a file whose new bytes match the
//! manifest is left alone, a changed one is written beside it and renamed over it, and files
//! the new version lacks are removed. Creating and removing thousands of directory entries is
//! what costs most on ext4; a publish that changes ten files now touches about ten.
//!
//! The manifest is removed before the spare is touched and written again only once it is
//! whole, so a publish stopped half way (kill -9, power cut) leaves a spare without a
//! manifest, which the next publish empties and writes in full.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

/// The manifest's name inside a version directory (the server does not serve dot files).
pub const MANIFEST: &str = ".kept-manifest";

/// A file's fingerprint: its length and digest.
pub type Print = (usize, u128);

/// A file's fingerprint: its length and digest.
pub fn fingerprint(bytes: &[u8]) -> Print {
    (bytes.len(), crate::hash::digest(bytes))
}

/// The two version directories of the site at `out` (`NAME` → `.NAME.a`, `.NAME.b`).
pub fn slot_names(out: &Path) -> [String; 2] {
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("site");
    [format!(".{name}.a"), format!(".{name}.b")]
}

/// The version directory a publish writes into: the one not served.
#[derive(Debug)]
pub struct Spare {
    /// Where it is.
    pub dir: PathBuf,
    /// What its manifest says it holds; taken out one by one as the new version claims them,
    /// so what is left at the end is stale.
    held: HashMap<String, Print>,
}

impl Spare {
    /// Open the spare version directory of `out` (made if missing), ready to be written:
    /// its manifest is read and removed; without one, the directory is emptied.
    pub fn open(out: &Path, parent: &Path) -> io::Result<Spare> {
        let live = std::fs::read_link(out).ok();
        let [a, b] = slot_names(out);
        let spare = if live.as_deref() == Some(Path::new(&a)) { b } else { a };
        let dir = parent.join(spare);
        let manifest = dir.join(MANIFEST);
        let held = match std::fs::read_to_string(&manifest) {
            Ok(text) => {
                std::fs::remove_file(&manifest)?;
                parse(&text)
            }
            Err(_) => {
                match std::fs::remove_dir_all(&dir) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                std::fs::create_dir_all(&dir)?;
                // Start from the version served, linked file by file (a link costs a
                // directory entry, writing a page costs its bytes), so only what differs
                // from it is written.
                match live.and_then(|l| seed(&parent.join(l), &dir)) {
                    Some(held) => held,
                    None => {
                        std::fs::remove_dir_all(&dir)?;
                        HashMap::new()
                    }
                }
            }
        };
        std::fs::create_dir_all(&dir)?;
        Ok(Spare { dir, held })
    }

    /// Whether the spare holds a file with this fingerprint at `path`.
    pub fn holds(&self, path: &str, print: Print) -> bool {
        self.held.get(path) == Some(&print)
    }

    /// Whether the spare already holds these bytes at `path`; either way `path` is now
    /// claimed by the new version.
    pub fn claim(&mut self, path: &str, print: Print) -> bool {
        self.held.remove(path) == Some(print)
    }

    /// Remove the files the new version did not claim.
    pub fn remove_stale(&mut self) -> io::Result<()> {
        for (path, _) in self.held.drain() {
            match std::fs::remove_file(self.dir.join(&path)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Link every file the manifest of the version at `live` lists into the empty directory
/// `dir`; what `dir` then holds, or `None` if that could not be done whole.
fn seed(live: &Path, dir: &Path) -> Option<HashMap<String, Print>> {
    let held = parse(&std::fs::read_to_string(live.join(MANIFEST)).ok()?);
    let mut made = std::collections::HashSet::new();
    for path in held.keys() {
        if path.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return None;
        }
        let target = dir.join(path);
        if let Some(p) = target.parent()
            && made.insert(p.to_path_buf())
        {
            std::fs::create_dir_all(p).ok()?;
        }
        std::fs::hard_link(live.join(path), &target).ok()?;
    }
    Some(held)
}

/// Write `bytes` at `target` by a rename over it, so the file is old or new, never partial.
pub fn replace(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = target.as_os_str().to_owned();
    temp.push(".kept-tmp");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, target)
}

fn parse(text: &str) -> HashMap<String, Print> {
    text.lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ' ');
            let len = parts.next()?.parse().ok()?;
            let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
            Some((parts.next()?.to_string(), (len, hash)))
        })
        .collect()
}

/// The manifest of a version, to write into its directory.
pub fn manifest(files: &[(String, Print)]) -> String {
    let mut text = String::new();
    for (path, (len, hash)) in files {
        text.push_str(&format!("{len} {hash:032x} {path}\n"));
    }
    text
}
