//! Following a plan from revision to revision, re-reading only what changed.
//!
//! The daemon publishes every commit of a branch. Loading a plan of a thousand commitments
//! afresh means reading and parsing three thousand files; a commit usually changes one
//! commitment. A [`Following`] keeps the plan loaded at one tree and, for the next, compares
//! the two trees' blob ids and re-reads only the commitment directories and update notes
//! that differ. Anything else that changed (plan.toml, people.toml, kept.toml, the
//! catalogue, the vision, the layout itself) is loaded afresh, as is everything the first
//! time. Either way the result is the plan [`crate::plan::load`] gives for that tree: the
//! tests compare the two after every step of generated histories.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::source::{DirSource, EntryKind, GitSource, Source};
use super::{
    LoadError, Loaded, Narratives, Piece, Plan, Role, assemble, classify_commitments, classify_updates, listed_files,
    load, look_up_evidence, process, sort_pieces,
};
use crate::diagnostic::Diagnostic;

/// A plan loaded at a tree of a repository, ready to move to another tree.
pub struct Following {
    path: PathBuf,
    source: GitSource,
    loaded: Loaded,
}

impl std::fmt::Debug for Following {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Following")
            .field("path", &self.path)
            .field("tree", &self.source.tree_id())
            .field("commitments", &self.loaded.plan.commitments.len())
            .finish()
    }
}

/// What moving to a revision took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The revision has the same tree: nothing was read.
    Same,
    /// Only these commitment directories and update notes were read again.
    Patched {
        /// Commitment directories read again (added, changed or removed).
        commitments: Vec<String>,
        /// Update notes read again (added, changed or removed).
        updates: Vec<String>,
    },
    /// Something beyond commitments and updates changed: the plan was loaded afresh.
    Reloaded,
}

/// What a changed path asks of the follower.
enum Dirty {
    Commitment(String),
    Update(String),
    /// A file no plan role reads (evidence, reports): only the list of files changes.
    Listing,
    Everything,
}

fn dirty(path: &str) -> Dirty {
    if let Some(rest) = path.strip_prefix("commitments/") {
        let dir = rest.split('/').next().unwrap_or_default();
        return if super::shape::is_safe_id(dir) { Dirty::Commitment(dir.to_string()) } else { Dirty::Everything };
    }
    if path == "commitments" || path == "updates" || path == "catalogue.toml" {
        return Dirty::Everything;
    }
    match super::role_of(path) {
        Some(Role::Update(_)) => Dirty::Update(path.to_string()),
        Some(_) => Dirty::Everything,
        // A directory outside the plan's own (evidence folders) changes only the listing.
        None => Dirty::Listing,
    }
}

impl Following {
    /// Load the plan at `rev` of the repository at or above `path`.
    pub fn open(path: &Path, rev: &str) -> Result<Following, LoadError> {
        let source = GitSource::open(path, rev)?;
        let loaded = load(&source);
        Ok(Following { path: path.to_path_buf(), source, loaded })
    }

    /// The plan at the revision followed last.
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// Move to `rev`, re-reading only what differs from the tree followed now.
    pub fn advance(&mut self, rev: &str) -> Result<Step, LoadError> {
        let source = GitSource::open(&self.path, rev)?;
        if source.tree_id() == self.source.tree_id() {
            return Ok(Step::Same);
        }
        let Some((commitments, updates)) = what_to_read(changed(&self.source, &source)) else {
            self.loaded = load(&source);
            self.source = source;
            return Ok(Step::Reloaded);
        };
        patch(&mut self.loaded, &source, &commitments, &updates);
        self.source = source;
        Ok(Step::Patched { commitments: commitments.into_iter().collect(), updates: updates.into_iter().collect() })
    }

    /// Run `f` on the plan as the working tree at `dir` has it, uncommitted edits included,
    /// re-reading only the files git reports as differing from the commit followed; the
    /// followed plan is then put back. `None` when that cannot be done by patching (the
    /// working tree is at another commit, or something beyond commitments and updates
    /// differs): the caller loads the directory afresh.
    pub fn with_worktree<R>(&mut self, dir: &Path, f: impl FnOnce(&Loaded) -> R) -> Result<Option<R>, LoadError> {
        let git_err = |source| LoadError::Git { source };
        let repo = git2::Repository::discover(dir).map_err(git_err)?;
        let head = repo.head().and_then(|h| h.peel_to_tree()).map_err(git_err)?;
        let workdir = repo.workdir().and_then(|w| w.canonicalize().ok());
        let root = dir.canonicalize().map_err(|source| LoadError::Io { path: dir.to_path_buf(), source })?;
        let Some(prefix) = workdir.as_deref().and_then(|w| root.strip_prefix(w).ok()) else { return Ok(None) };
        let prefix = prefix.to_string_lossy().replace('\\', "/");
        let tree = if prefix.is_empty() {
            head.id()
        } else {
            match head.get_path(Path::new(&prefix)) {
                Ok(entry) => entry.id(),
                Err(_) => return Ok(None),
            }
        };
        if tree != self.source.tree_id() {
            return Ok(None);
        }
        let mut options = git2::StatusOptions::new();
        options.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false);
        if !prefix.is_empty() {
            options.pathspec(&prefix);
        }
        let statuses = repo.statuses(Some(&mut options)).map_err(git_err)?;
        let mut paths: Vec<String> = Vec::new();
        for entry in statuses.iter() {
            let Ok(path) = entry.path() else { return Ok(None) };
            let inside =
                if prefix.is_empty() { path } else { path.strip_prefix(&format!("{prefix}/")).unwrap_or(path) };
            paths.push(inside.to_string());
        }
        drop(statuses);
        // Nothing uncommitted: the working tree is the commit followed.
        if paths.is_empty() {
            return Ok(Some(f(&self.loaded)));
        }
        let Some((commitments, updates)) = what_to_read(paths.iter().map(String::as_str)) else { return Ok(None) };
        let worktree = DirSource::open(&root)?;
        patch(&mut self.loaded, &worktree, &commitments, &updates);
        let result = f(&self.loaded);
        patch(&mut self.loaded, &self.source, &commitments, &updates);
        Ok(Some(result))
    }
}

/// Bring `loaded` to what `source` holds, re-reading the commitment directories `dirs` and
/// the update notes `updates` (everything else is the same in both).
fn patch(loaded: &mut Loaded, source: &dyn Source, dirs: &BTreeSet<String>, updates: &BTreeSet<String>) {
    let Loaded { plan, diagnostics } = loaded;
    let entries = source.entries();
    let mut wanted = Vec::new();
    for dir in dirs {
        let own = format!("commitments/{dir}");
        let inside = format!("{own}/");
        let belongs = |p: &str| p == own || p.starts_with(&inside);
        plan.commitments.retain(|c| c.dir != *dir);
        forget(plan, diagnostics, &belongs);
        let sub: BTreeMap<String, EntryKind> =
            entries.range(own.clone()..).take_while(|(p, _)| belongs(p)).map(|(p, k)| (p.clone(), k.clone())).collect();
        classify_commitments(&sub, &mut wanted, diagnostics);
    }
    for path in updates {
        plan.updates.retain(|u| u.path != *path);
        forget(plan, diagnostics, &|p: &str| p == path);
        if let Some(kind) = entries.get(path) {
            let sub = BTreeMap::from([(path.clone(), kind.clone())]);
            classify_updates(&sub, &mut wanted, diagnostics);
        }
    }
    let mut waiting = Narratives::default();
    let mut fresh = Vec::new();
    for (path, role) in wanted {
        let bytes = source.read_checked(&path);
        let mut done = process(path, &role, bytes);
        diagnostics.append(&mut done.diags);
        if done.broken {
            plan.broken.insert(done.path.clone());
        }
        match done.piece {
            Some(Piece::Commitment(c)) => fresh.push(*c),
            Some(piece) => assemble(plan, &mut waiting, piece),
            None => {}
        }
        if let Some(text) = done.text {
            plan.sources.insert(done.path, text);
        }
    }
    for mut c in fresh {
        c.narratives = waiting.readmes.remove(&c.dir).unwrap_or_default();
        c.end_reports = waiting.end_reports.remove(&c.dir).unwrap_or_default();
        plan.commitments.push(c);
    }
    plan.files = listed_files(entries);
    sort_pieces(plan);
    look_up_evidence(source, plan);
    plan.reindex();
}

/// Drop what the loader kept of the files `belongs` names: their text, whether they were
/// broken and the loader's findings about them.
fn forget(plan: &mut Plan, diagnostics: &mut Vec<Diagnostic>, belongs: &dyn Fn(&str) -> bool) {
    plan.sources.retain(|p| !belongs(p));
    plan.broken.retain(|p| !belongs(p));
    diagnostics.retain(|d| !d.file.as_deref().is_some_and(belongs));
}

/// The commitment directories and update notes to read again for these changed paths, or
/// `None` when something else changed and the plan must be loaded afresh.
fn what_to_read<'p>(paths: impl IntoIterator<Item = &'p str>) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
    let mut commitments = BTreeSet::new();
    let mut updates = BTreeSet::new();
    for path in paths {
        match dirty(path) {
            Dirty::Commitment(dir) => {
                commitments.insert(dir);
            }
            Dirty::Update(path) => {
                updates.insert(path);
            }
            Dirty::Listing => {}
            Dirty::Everything => return None,
        }
    }
    Some((commitments, updates))
}

/// Paths whose blob or kind differs between two trees.
fn changed<'a>(old: &'a GitSource, new: &'a GitSource) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    let (a, b) = (old.entries(), new.entries());
    for (path, kind) in a {
        if b.get(path) != Some(kind) || old.blob_id(path) != new.blob_id(path) {
            out.insert(path.as_str());
        }
    }
    for path in b.keys() {
        if !a.contains_key(path) {
            out.insert(path.as_str());
        }
    }
    out
}
