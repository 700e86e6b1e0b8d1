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

/// Parses blobs once per blob id, however many commits share them.
#[derive(Default)]
pub struct BlobCache {
    parsed: HashMap<(git2::Oid, String), std::sync::Arc<Parsed>>,
}

impl BlobCache {
    /// The parsed content of a blob at a path.
    pub fn get(
        &mut self,
        history: &History,
        path: &str,
        id: git2::Oid,
    ) -> Result<std::sync::Arc<Parsed>, HistoryError> {
        if let Some(p) = self.parsed.get(&(id, path.to_string())) {
            return Ok(p.clone());
        }
        let bytes = history.blob(id)?.unwrap_or_default();
        let parsed = std::sync::Arc::new(parse_blob(path, bytes));
        self.parsed.insert((id, path.to_string()), parsed.clone());
        Ok(parsed)
    }

    /// Forget every parsed blob (to bound memory over a long history).
    pub fn clear(&mut self) {
        self.parsed.clear();
    }

    /// Parse many blobs at once, on every core (reading them stays on this thread, as the
    /// repository handle is).
    pub fn prefetch(&mut self, history: &History, wanted: Vec<(String, git2::Oid)>) -> Result<(), HistoryError> {
        let mut todo = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (path, id) in wanted {
            if self.parsed.contains_key(&(id, path.clone())) || !seen.insert((id, path.clone())) {
                continue;
            }
            let bytes = history.blob(id)?.unwrap_or_default();
            todo.push((path, id, bytes));
        }
        let done = crate::parallel::map(todo, |(path, id, bytes)| {
            let parsed = parse_blob(&path, bytes);
            ((id, path), std::sync::Arc::new(parsed))
        });
        self.parsed.extend(done);
        Ok(())
    }
}

fn parse_blob(path: &str, bytes: Vec<u8>) -> Parsed {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let piece = plan::role_of(path).and_then(|role| plan::parse_file(path, &role, bytes).0);
    Parsed { piece, text }
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
    cache: &mut BlobCache,
    old: Option<git2::Oid>,
    new: Option<git2::Oid>,
) -> Result<Vec<FileDiff>, HistoryError> {
    diff_changed(history, cache, history.changed_files(old, new)?)
}

/// The semantic changes of files already known to differ.
pub fn diff_changed(
    history: &History,
    cache: &mut BlobCache,
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
