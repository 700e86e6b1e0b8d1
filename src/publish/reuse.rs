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

use crate::hash::Digest;

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
    let temp = temp_name(target);
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, target)
}

/// The temporary name a file is written under before it is renamed to `target`.
fn temp_name(target: &Path) -> PathBuf {
    let mut temp = target.as_os_str().to_owned();
    temp.push(".kept-tmp");
    PathBuf::from(temp)
}

/// Write a file in pieces under a temporary name beside `target`, fingerprinting it on the
/// way, so a large file is never whole in memory. The caller renames it into place with
/// [`settle`]. Nothing is left behind if writing fails.
pub fn write_temp(
    target: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<(PathBuf, Print)> {
    let temp = temp_name(target);
    let file = std::fs::File::create(&temp)?;
    let mut out = Printing { inner: io::BufWriter::with_capacity(64 * 1024, file), len: 0, digest: Digest::default() };
    let written = write(&mut out).and_then(|()| io::Write::flush(&mut out.inner));
    let Printing { inner, len, digest } = out;
    // Close the file before it is renamed or removed.
    drop(inner);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok((temp, (len, digest.finish())))
}

/// Put a file made by [`write_temp`] in place, or drop it when the version already holds
/// the same bytes.
pub fn settle(temp: &Path, target: &Path, held: bool) -> io::Result<()> {
    if held { std::fs::remove_file(temp) } else { std::fs::rename(temp, target) }
}

/// A writer that fingerprints what passes through it.
struct Printing<W> {
    inner: W,
    len: usize,
    digest: Digest,
}

impl<W: io::Write> io::Write for Printing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.len += n;
        self.digest.write(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_in_pieces_has_the_fingerprint_of_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("feed.atom");
        let bytes: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let (temp, print) = write_temp(&target, |w| {
            for piece in bytes.chunks(7_777) {
                w.write_all(piece)?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(print, fingerprint(&bytes));
        assert!(!target.exists(), "nothing is in place before it is settled");
        settle(&temp, &target, false).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), bytes);
        assert!(!temp.exists());

        // Held already: the new copy is dropped and the file is left as it was.
        let (temp, again) = write_temp(&target, |w| w.write_all(&bytes)).unwrap();
        assert_eq!(again, print);
        settle(&temp, &target, true).unwrap();
        assert!(!temp.exists());
        assert_eq!(std::fs::read(&target).unwrap(), bytes);
    }

    #[test]
    fn a_write_that_fails_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("index.html");
        std::fs::write(&target, "old").unwrap();
        let err = write_temp(&target, |w| {
            w.write_all(b"half a page")?;
            Err(io::Error::other("the renderer gave up"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "the renderer gave up");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["index.html"], "no temporary file is left");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    }
}
