//! Status changes made in the tracker, and issue addresses, written back into the plan as
//! one bot commit: commitment files edited in place (comments and layout kept), committed on
//! the current branch without a checkout, attributed with `Co-authored-by` to the people
//! who acted. A file with uncommitted edits in the working tree is never touched: its
//! changes wait for the next sync.

use std::collections::BTreeMap;

use toml_edit::{DocumentMut, InlineTable, Item, Value, value};

use crate::history::History;

/// What to write into one milestone.
#[derive(Debug, Clone, Default)]
pub struct MilestoneEdit {
    /// The new status.
    pub status: Option<String>,
    /// completed-on, for a completion.
    pub completed_on: Option<crate::date::Date>,
    /// An evidence link to add.
    pub evidence: Option<String>,
    /// Reasons to set (field name, text), in every language of the plan.
    pub reasons: Vec<(&'static str, String)>,
    /// Remove completed-on (a reopened milestone).
    pub clear_completed_on: bool,
    /// The issue address.
    pub issue: Option<String>,
}

/// Why the write-back could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// Git failed.
    #[error("cannot write the bot commit")]
    Git(#[from] git2::Error),
    /// HEAD is not a branch.
    #[error("HEAD is not on a branch; check out the plan's branch before syncing")]
    Detached,
    /// Someone else moved the branch while kept wrote.
    #[error("the branch moved while kept wrote to it; run kept sync again")]
    Moved,
    /// The working tree could not be brought up to date.
    #[error("the commit was made, but {path} in the working tree could not be updated")]
    Worktree {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The result of a write-back.
#[derive(Debug, Default, serde::Serialize)]
pub struct Written {
    /// The commit, if one was made.
    pub commit: Option<String>,
    /// Milestones written.
    pub milestones: Vec<String>,
    /// Files skipped because they have uncommitted changes.
    pub skipped: Vec<String>,
}

/// Edit a commitment file's text: the milestones by id.
pub fn edit_file(text: &str, edits: &BTreeMap<String, MilestoneEdit>, languages: &[String]) -> Option<String> {
    let mut doc: DocumentMut = text.parse().ok()?;
    let milestones = doc.get_mut("milestones")?.as_array_of_tables_mut()?;
    for table in milestones.iter_mut() {
        let Some(id) = table.get("id").and_then(Item::as_str).map(str::to_string) else { continue };
        let Some(edit) = edits.get(&id) else { continue };
        if let Some(s) = &edit.status {
            table["status"] = value(s.as_str());
        }
        if edit.clear_completed_on {
            table.remove("completed-on");
        }
        if let Some(d) = edit.completed_on {
            let date: toml_edit::Datetime = d.to_string().parse().ok()?;
            table["completed-on"] = value(date);
        }
        if let Some(url) = &edit.evidence {
            match table.get_mut("evidence").and_then(Item::as_array_mut) {
                Some(a) if a.iter().any(|v| v.as_str() == Some(url)) => {}
                Some(a) => a.push(url.as_str()),
                None => {
                    let mut a = toml_edit::Array::new();
                    a.push(url.as_str());
                    table["evidence"] = value(a);
                }
            }
        }
        for (field, text) in &edit.reasons {
            let mut t = InlineTable::new();
            for lang in languages {
                t.insert(lang, Value::from(text.as_str()));
            }
            table[field] = value(t);
        }
        if let Some(url) = &edit.issue {
            table["issue"] = value(url.as_str());
        }
    }
    Some(doc.to_string())
}

/// Commit the edits (by commitment directory, then milestone id) on the current branch.
pub fn write_back(
    history: &History,
    edits: &BTreeMap<String, BTreeMap<String, MilestoneEdit>>,
    languages: &[String],
    author: (&str, &str),
    message: &str,
) -> Result<Written, CommitError> {
    let repo = history.repo();
    let head_ref = repo.head()?;
    if !head_ref.is_branch() {
        return Err(CommitError::Detached);
    }
    let branch = head_ref.name().map_err(|_| CommitError::Detached)?.to_string();
    let head = head_ref.peel_to_commit()?;
    let mut tree = head.tree()?;
    let prefix = history.prefix();
    let mut written = Written::default();
    let mut files = Vec::new();
    for (dir, milestones) in edits {
        let rel = format!("commitments/{dir}/commitment.toml");
        let path = if prefix.is_empty() { rel.clone() } else { format!("{prefix}/{rel}") };
        let Ok(entry) = tree.get_path(std::path::Path::new(&path)) else { continue };
        let blob = repo.find_blob(entry.id())?;
        if !clean(repo, &path, blob.content()) {
            written.skipped.push(rel);
            continue;
        }
        let Ok(text) = std::str::from_utf8(blob.content()) else { continue };
        let Some(new) = edit_file(text, milestones, languages) else { continue };
        if new == text {
            continue;
        }
        let id = repo.blob(new.as_bytes())?;
        tree = repo.find_tree(replace(repo, &tree, &path, id)?)?;
        written.milestones.extend(milestones.keys().map(|m| format!("{dir}/{m}")));
        files.push((path, new));
    }
    if files.is_empty() {
        return Ok(written);
    }
    let time = git2::Time::new(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64),
        0,
    );
    let sig = git2::Signature::new(author.0, author.1, &time)?;
    let commit = repo.commit(None, &sig, &sig, message, &tree, &[&head])?;
    // Compare and swap: fail rather than overwrite a branch someone moved meanwhile.
    repo.reference_matching(&branch, commit, true, head.id(), "kept sync: tracker changes")
        .map_err(|e| if e.code() == git2::ErrorCode::Modified { CommitError::Moved } else { CommitError::Git(e) })?;
    // The files were clean: bring the working tree and index along.
    if let Some(workdir) = repo.workdir() {
        let mut index = repo.index()?;
        for (path, text) in &files {
            std::fs::write(workdir.join(path), text)
                .map_err(|source| CommitError::Worktree { path: path.clone(), source })?;
            index.add_path(std::path::Path::new(path))?;
        }
        index.write()?;
    }
    written.commit = Some(commit.to_string());
    Ok(written)
}

/// Whether a file's working-tree copy and index entry both equal its committed content.
fn clean(repo: &git2::Repository, path: &str, committed: &[u8]) -> bool {
    let Some(workdir) = repo.workdir() else { return true };
    let on_disk = std::fs::read(workdir.join(path)).ok();
    if on_disk.as_deref() != Some(committed) {
        return false;
    }
    let Ok(index) = repo.index() else { return false };
    let staged = index.get_path(std::path::Path::new(path), 0);
    staged.is_some_and(|e| repo.find_blob(e.id).is_ok_and(|b| b.content() == committed))
}

/// A tree with the blob at `path` replaced.
fn replace(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    path: &str,
    blob: git2::Oid,
) -> Result<git2::Oid, git2::Error> {
    let (first, rest) = match path.split_once('/') {
        Some((f, r)) => (f, Some(r)),
        None => (path, None),
    };
    let mut builder = repo.treebuilder(Some(tree))?;
    match rest {
        None => {
            let mode = tree.get_name(first).map_or(0o100644, |e| e.filemode());
            builder.insert(first, blob, mode)?;
        }
        Some(rest) => {
            let sub =
                repo.find_tree(tree.get_name(first).ok_or_else(|| git2::Error::from_str("no such directory"))?.id())?;
            let id = replace(repo, &sub, rest, blob)?;
            builder.insert(first, id, 0o040000)?;
        }
    }
    builder.write()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_comments_and_layout() {
        let text = "id = \"X\"\n\n[[milestones]]\n# the first\nid = \"M1\"\nstatus = \"in-progress\" # now\n\n[[milestones]]\nid = \"M2\"\nstatus = \"not-started\"\n";
        let mut edits = BTreeMap::new();
        edits.insert(
            "M1".to_string(),
            MilestoneEdit {
                status: Some("completed".into()),
                completed_on: crate::date::Date::parse("2026-11-20"),
                evidence: Some("https://github.com/o/r/issues/3".into()),
                issue: Some("https://github.com/o/r/issues/3".into()),
                ..MilestoneEdit::default()
            },
        );
        let out = edit_file(text, &edits, &["uk".into(), "en".into()]).unwrap();
        assert!(out.contains("# the first\nid = \"M1\""), "{out}");
        assert!(out.contains("completed-on = 2026-11-20"), "{out}");
        assert!(out.contains("evidence = [\"https://github.com/o/r/issues/3\"]"), "{out}");
        assert!(out.contains("[[milestones]]\nid = \"M2\"\nstatus = \"not-started\""), "M2 untouched: {out}");
    }
}
