//! Diffs between git trees: the changed files, each blob parsed once, and their changes.

use std::collections::HashMap;

use super::{Change, Kind, diff_file, file_change};
use crate::history::{History, HistoryError};
use crate::plan::{self, Piece};

/// A file of the plan at one revision, parsed: its piece (if it parses) and text.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The piece, for files of the layout that parse.
    pub piece: Option<Piece>,
    /// The text (lossy for invalid UTF-8; empty when too large).
    pub text: String,
}

/// The piece of a parsed file, if it has one.
pub fn piece(p: &Option<std::sync::Arc<Parsed>>) -> Option<&Piece> {
    p.as_ref().and_then(|p| p.piece.as_ref())
}

/// Parses blobs once per blob id, however many commits share them; shared by threads.
#[derive(Default)]
pub struct BlobCache {
    parsed: std::sync::Mutex<HashMap<(git2::Oid, String), std::sync::Arc<Parsed>>>,
}

impl BlobCache {
    fn lookup(&self, path: &str, id: git2::Oid) -> Option<std::sync::Arc<Parsed>> {
        self.parsed.lock().unwrap_or_else(|e| e.into_inner()).get(&(id, path.to_string())).cloned()
    }

    /// The parsed content of a blob at a path.
    pub fn get(&self, history: &History, path: &str, id: git2::Oid) -> Result<std::sync::Arc<Parsed>, HistoryError> {
        if let Some(p) = self.lookup(path, id) {
            return Ok(p);
        }
        let bytes = history.blob(id)?.unwrap_or_default();
        let parsed = std::sync::Arc::new(parse_blob(path, bytes));
        self.parsed.lock().unwrap_or_else(|e| e.into_inner()).insert((id, path.to_string()), parsed.clone());
        Ok(parsed)
    }

    /// Forget every parsed blob (to bound memory over a long history).
    pub fn clear(&mut self) {
        self.parsed.get_mut().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Read and parse many blobs at once, on every core.
    pub fn prefetch(&mut self, history: &History, wanted: Vec<(String, git2::Oid)>) -> Result<(), HistoryError> {
        let parsed = self.parsed.get_mut().unwrap_or_else(|e| e.into_inner());
        let mut todo = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (path, id) in wanted {
            if !parsed.contains_key(&(id, path.clone())) && seen.insert((id, path.clone())) {
                todo.push((path, id));
            }
        }
        let done = history.par_map(todo, |h, (path, id)| {
            let bytes = h.blob(id)?.unwrap_or_default();
            Ok(((id, path.clone()), std::sync::Arc::new(parse_blob(&path, bytes))))
        })?;
        parsed.extend(done);
        Ok(())
    }
}

fn parse_blob(path: &str, bytes: Vec<u8>) -> Parsed {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let piece = plan::role_of(path).and_then(|role| plan::parse_file(path, &role, bytes).0);
    Parsed { piece, text }
}

/// What one commit changed in the plan, found by comparing its tree with its first
/// parent's: the first step of both `kept check` and `kept log`, done once per commit.
#[derive(Debug, Clone)]
pub struct CommitFiles {
    /// The plan's tree before the commit (`None` for a root commit, or where the plan's
    /// directory did not exist yet).
    pub old_tree: Option<git2::Oid>,
    /// The plan's tree after it.
    pub new_tree: Option<git2::Oid>,
    /// The changed files, with their blobs on each side.
    pub changed: Vec<crate::history::ChangedFile>,
    /// `kept.toml` as it was before the commit.
    pub settings: Option<git2::Oid>,
    /// `people.toml` as it was before the commit.
    pub people: Option<git2::Oid>,
}

impl CommitFiles {
    /// Compare a commit with its first parent.
    pub fn of(history: &History, commit: &crate::history::Commit) -> Result<CommitFiles, HistoryError> {
        let parent = commit.parents.first().copied();
        let old_tree = parent.map(|p| history.plan_tree(p)).transpose()?.flatten();
        let new_tree = history.plan_tree(commit.id)?;
        Ok(CommitFiles {
            old_tree,
            new_tree,
            changed: history.changed_files(old_tree, new_tree)?,
            settings: history.blob_at(old_tree, "kept.toml"),
            people: history.blob_at(old_tree, "people.toml"),
        })
    }

    /// Every blob the commit's judgement needs parsed, as (path, blob).
    pub fn wanted(&self) -> impl Iterator<Item = (String, git2::Oid)> + '_ {
        let changed = self.changed.iter().flat_map(|(path, a, b)| a.iter().chain(b).map(|id| (path.clone(), *id)));
        let before = [("kept.toml", self.settings), ("people.toml", self.people)];
        changed.chain(before.into_iter().filter_map(|(path, id)| Some((path.to_string(), id?))))
    }
}

/// One changed file: its parsed versions and what changed in it.
#[derive(Debug, Clone)]
pub struct FileDiff {
    /// The path, relative to the plan.
    pub path: String,
    /// Before (`None`: the file did not exist).
    pub old: Option<std::sync::Arc<Parsed>>,
    /// After (`None`: the file was removed).
    pub new: Option<std::sync::Arc<Parsed>>,
    /// The changes, in domain words.
    pub changes: Vec<Change>,
}

/// The changed files between two plan trees, each with its semantic changes.
pub fn diff_trees(
    history: &History,
    cache: &BlobCache,
    old: Option<git2::Oid>,
    new: Option<git2::Oid>,
) -> Result<Vec<FileDiff>, HistoryError> {
    diff_changed(history, cache, history.changed_files(old, new)?)
}

/// The semantic changes of files already known to differ.
pub fn diff_changed(
    history: &History,
    cache: &BlobCache,
    changed: Vec<crate::history::ChangedFile>,
) -> Result<Vec<FileDiff>, HistoryError> {
    let mut out = Vec::new();
    for (path, a, b) in changed {
        let pa = a.map(|id| cache.get(history, &path, id)).transpose()?;
        let pb = b.map(|id| cache.get(history, &path, id)).transpose()?;
        let ra = pa.as_ref().map(|p| (p.piece.as_ref(), p.text.as_str()));
        let rb = pb.as_ref().map(|p| (p.piece.as_ref(), p.text.as_str()));
        let changes = match (ra, rb) {
            // Both sides parse (or the file is absent on one side): compare what they say.
            (Some((Some(x), tx)), Some((Some(y), ty))) => diff_file(&path, Some((x, tx)), Some((y, ty))),
            (None, Some((Some(y), ty))) => diff_file(&path, None, Some((y, ty))),
            (Some((Some(x), tx)), None) => diff_file(&path, Some((x, tx)), None),
            // A side that does not parse: a change of the file as a whole.
            (ra, rb) => vec![file_change(&path, ra.map(|r| r.1), rb.map(|r| r.1))],
        };
        // Bytes changed but no field kept compares: comments, layout, or something unmodelled.
        let changes = if changes.is_empty() && ra.map(|r| r.1) != rb.map(|r| r.1) {
            let mut c = file_change(&path, ra.map(|r| r.1), rb.map(|r| r.1));
            c.kind = match c.kind {
                Kind::CommitmentCore => Kind::CommitmentDetail,
                Kind::Roles => Kind::Settings,
                other => other,
            };
            c.note = Some("no field changed (comments or layout)".into());
            vec![c]
        } else {
            changes
        };
        out.push(FileDiff { path, old: pa, new: pb, changes });
    }
    Ok(out)
}
