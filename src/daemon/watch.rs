//! File events from working trees, debounced: after a burst of events and a quiet window,
//! one notice per plan saying whether git's refs moved (a commit, a checkout, a merge) and
//! whether files outside `.git` changed (edits to check live).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

/// What a burst of events touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Touched {
    /// Something in `.git` other than objects and the index: HEAD may have moved.
    pub refs: bool,
    /// A file of the working tree.
    pub files: bool,
    /// When the burst's first event arrived.
    pub since: Option<Instant>,
}

/// Classify one event path under the working tree `root`; `ignore` is a directory whose
/// changes are the daemon's own (its data directory, if it lies inside).
pub fn classify(root: &Path, ignore: &[PathBuf], path: &Path, touched: &mut Touched) {
    if ignore.iter().any(|i| path.starts_with(i)) {
        return;
    }
    let Ok(rel) = path.strip_prefix(root) else { return };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    match parts.next().as_deref() {
        Some(".git") => {
            let next = parts.next().unwrap_or_default();
            // Objects and the index change before a commit lands; the ref moving is the commit.
            if !matches!(next.as_str(), "objects" | "index" | "index.lock" | "kept") {
                touched.refs = true;
            }
        }
        Some(first) if first.starts_with('.') || first == "target" || first == "_site" => {}
        Some(_) => touched.files = true,
        None => {}
    }
}

/// Whether an event is a change. Opening and reading are events too (inotify reports them):
/// counting them would make the daemon's own reading of the working tree, and `git status`,
/// start the next burst, and the daemon would check the tree forever.
pub fn changes(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Watch `root` recursively; call `notify` with what each debounced burst touched, until it
/// returns false. Runs on the calling thread.
pub fn watch(
    root: &Path,
    ignore: Vec<PathBuf>,
    debounce: Duration,
    mut notify: impl FnMut(Touched) -> bool,
) -> notify::Result<()> {
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.as_ref().is_ok_and(|e| !changes(&e.kind)) {
            return;
        }
        let _ = tx.send(event);
    })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    // Paths as the watcher reports them (a root given through a link is reported resolved).
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    loop {
        // Wait for a first event, then for a quiet window.
        let first = match rx.recv() {
            Ok(e) => e,
            Err(_) => return Ok(()),
        };
        let mut touched = Touched { since: Some(Instant::now()), ..Touched::default() };
        let mut take = |e: notify::Result<notify::Event>| {
            if let Ok(e) = e {
                for p in &e.paths {
                    classify(&root, &ignore, p, &mut touched);
                }
            }
        };
        take(first);
        let mut deadline = Instant::now() + debounce;
        loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(e) => {
                    take(e);
                    deadline = Instant::now() + debounce;
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        if (touched.refs || touched.files) && !notify(touched) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_and_reading_are_not_changes() {
        use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind};
        assert!(!changes(&EventKind::Access(AccessKind::Open(AccessMode::Any))));
        assert!(!changes(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!changes(&EventKind::Access(AccessKind::Read)));
        assert!(changes(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(changes(&EventKind::Modify(ModifyKind::Any)));
        assert!(changes(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn what_a_path_touches() {
        let root = Path::new("/w");
        let data = vec![PathBuf::from("/w/kept-data")];
        let t = |p: &str| {
            let mut t = Touched::default();
            classify(root, &data, Path::new(p), &mut t);
            (t.refs, t.files)
        };
        assert_eq!(t("/w/.git/refs/heads/main"), (true, false));
        assert_eq!(t("/w/.git/HEAD"), (true, false));
        assert_eq!(t("/w/.git/objects/ab/cdef"), (false, false));
        assert_eq!(t("/w/.git/index"), (false, false));
        assert_eq!(t("/w/commitments/UAYAB0001/commitment.toml"), (false, true));
        assert_eq!(t("/w/kept-data/sites/x"), (false, false));
        assert_eq!(t("/elsewhere/x"), (false, false));
    }
}
