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
    /// The plan names no bot to commit as.
    #[error("kept.toml names no bot (roles.bot), so tracker changes cannot be written into the plan; add one")]
    NoBot,
    /// The bot has no email.
    #[error("the bot in people.toml has no email; add one so its commits can be attributed")]
    BotEmail,
    /// HEAD is not a branch.
    #[error("HEAD is not on a branch; check out the plan's branch before syncing")]
    Detached,
    /// Another git command holds the index.
    #[error(
        "another git command is working in this repository (.git/index.lock exists); kept sync tries again next time"
    )]
    Busy,
    /// Someone else moved the branch while kept wrote.
    #[error("the branch moved while kept wrote to it; run kept sync again")]
    Moved,
    /// The change would make the plan invalid.
    #[error(
        "writing the tracker's changes would add {added} error(s) to the plan (e.g. {example}); nothing was \
         committed: fix the tracker's side or the plan and sync again"
    )]
    WouldBreak {
        /// How many errors it would add.
        added: usize,
        /// The first of them.
        example: String,
    },
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
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Written {
    /// The commit, if one was made.
    pub commit: Option<String>,
    /// Milestones written.
    pub milestones: Vec<String>,
    /// Files skipped because they have uncommitted changes.
    pub skipped: Vec<String>,
    /// The branch the commit is on, when it was made for a pull request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Milestones whose tracker change was left out because it would add errors to the plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refused>,
}

/// A milestone's tracker change that the plan's rules refuse.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Refused {
    /// The commitment's directory.
    pub dir: String,
    /// The milestone id.
    pub id: String,
    /// The first error it would add.
    pub reason: String,
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

/// Write a sync pass's tracker changes and issue addresses into the plan, as the bot named
/// in kept.toml, crediting the people who closed, reopened or relabelled issues with
/// `Co-authored-by`.
pub fn write_report(
    history: &History,
    plan: &crate::plan::Plan,
    report: &super::Report,
) -> Result<Written, CommitError> {
    match bot_commit(plan, report)? {
        None => Ok(Written::default()),
        Some(c) => write_back(history, &c.edits, &c.languages, (&c.name, &c.email), &c.message),
    }
}

/// What the bot's commit for a sync pass holds.
pub struct BotCommit {
    /// The edits, by commitment directory and milestone id.
    pub edits: BTreeMap<String, BTreeMap<String, MilestoneEdit>>,
    /// The plan's languages.
    pub languages: Vec<String>,
    /// The bot's name.
    pub name: String,
    /// The bot's email.
    pub email: String,
    /// The message, with `Co-authored-by` trailers.
    pub message: String,
}

/// The bot's commit for a sync pass; `None` when the plan needs no change.
pub fn bot_commit(plan: &crate::plan::Plan, report: &super::Report) -> Result<Option<BotCommit>, CommitError> {
    let edits = super::write_backs(plan, report);
    if edits.is_empty() {
        return Ok(None);
    }
    let langs = super::languages(plan);
    let bot = plan.role_holders("bot").first().and_then(|id| plan.entity(&id.value)).ok_or(CommitError::NoBot)?;
    let name = bot.name.as_ref().map_or(bot.id.value.clone(), |n| n.value.best(&langs).to_string());
    let email = bot.email.as_ref().map(|e| e.value.clone()).ok_or(CommitError::BotEmail)?;
    let kind = plan.settings.as_ref().and_then(|s| s.tracker.as_ref()).map_or("", |t| t.kind.value.as_str());
    let mut message = String::from("Sync milestones with the tracker\n\n");
    let mut coauthors = std::collections::BTreeSet::new();
    for inc in &report.incoming {
        message.push_str(&format!("{}: {} in the tracker ({})\n", inc.milestone, inc.status, inc.issue.url));
        let by = inc.by.as_ref().or(inc.issue.closed_by.as_ref());
        if let Some(c) = by.and_then(|actor| coauthor(plan, actor, &langs, kind)) {
            coauthors.insert(c);
        }
    }
    let addresses = edits.values().flat_map(|m| m.values()).filter(|e| e.issue.is_some() && e.status.is_none()).count();
    if addresses > 0 {
        message.push_str(&format!("{addresses} milestone(s): the tracker issue's address recorded\n"));
    }
    if !coauthors.is_empty() {
        message.push('\n');
        for c in coauthors {
            message.push_str(&format!("Co-authored-by: {c}\n"));
        }
    }
    Ok(Some(BotCommit { edits, languages: langs, name, email, message }))
}

/// `Name <email>` for a tracker user: the person in people.toml with that forge account, or
/// else the tracker's own address for them, or GitHub's no-reply one; `None` without one.
fn coauthor(plan: &crate::plan::Plan, actor: &crate::tracker::Actor, langs: &[String], kind: &str) -> Option<String> {
    let person = plan
        .entities
        .iter()
        .find(|p| p.forge.iter().any(|(_, account)| account.value.eq_ignore_ascii_case(&actor.login)));
    let name = match person {
        Some(p) => p.name.as_ref().map_or(p.id.value.clone(), |n| n.value.best(langs).to_string()),
        None => actor.name.clone().unwrap_or_else(|| actor.login.clone()),
    };
    let email = person
        .and_then(|p| p.email.as_ref().map(|e| e.value.clone()))
        .or_else(|| actor.email.clone())
        .or_else(|| (kind == "github").then(|| format!("{}@users.noreply.github.com", actor.login)))?;
    Some(format!("{name} <{email}>"))
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
    recover(repo)?;
    let head_ref = repo.head()?;
    if !head_ref.is_branch() {
        return Err(CommitError::Detached);
    }
    let branch = head_ref.name().map_err(|_| CommitError::Detached)?.to_string();
    let head = head_ref.peel_to_commit()?;
    let (tree, files, mut written) = checked_tree(history, &head, edits, languages, true)?;
    if files.is_empty() {
        return Ok(written);
    }
    let commit = repo.commit(None, &signature(author)?, &signature(author)?, message, &tree, &[&head])?;
    // Write ahead what the working tree must become, so a run stopped between moving the
    // branch and updating the files finishes the job next time (`recover`).
    let journal = Journal {
        pid: std::process::id(),
        branch: branch.clone(),
        commit: commit.to_string(),
        files: files.iter().map(|(path, _, old, new)| (path.clone(), old.to_string(), new.to_string())).collect(),
    };
    let journal_path = journal_path(repo);
    if repo.workdir().is_some() {
        if let Some(dir) = journal_path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|source| CommitError::Worktree { path: dir.display().to_string(), source })?;
        }
        let bytes = serde_json::to_vec(&journal).expect("a journal serialises");
        std::fs::write(&journal_path, bytes)
            .map_err(|source| CommitError::Worktree { path: journal_path.display().to_string(), source })?;
    }
    // Hold git's index lock from the branch move to the working tree's update, as git itself
    // does, so a `git commit` run meanwhile waits for it instead of committing the files as
    // they were before (which would undo the bot's change).
    let index_lock = repo.path().join("index.lock");
    let held = repo.workdir().is_some();
    if held && std::fs::OpenOptions::new().write(true).create_new(true).open(&index_lock).is_err() {
        let _ = std::fs::remove_file(&journal_path);
        return Err(CommitError::Busy);
    }
    // Compare and swap: fail rather than overwrite a branch someone moved meanwhile.
    if let Err(e) = repo.reference_matching(&branch, commit, true, head.id(), "kept sync: tracker changes") {
        let _ = std::fs::remove_file(&journal_path);
        if held {
            let _ = std::fs::remove_file(&index_lock);
        }
        return Err(if e.code() == git2::ErrorCode::Modified { CommitError::Moved } else { CommitError::Git(e) });
    }
    finish(repo, held)?;
    written.commit = Some(commit.to_string());
    Ok(written)
}

/// A file the bot's commit changes: its path, new text, old and new blob ids.
type Changed = (String, String, git2::Oid, git2::Oid);

/// HEAD's tree with the edits made; with `spare_worktree`, files with uncommitted edits in
/// the working tree are left out (listed in `skipped`).
fn edited_tree<'r>(
    history: &'r History,
    head: &git2::Commit<'r>,
    edits: &BTreeMap<String, BTreeMap<String, MilestoneEdit>>,
    languages: &[String],
    spare_worktree: bool,
) -> Result<(git2::Tree<'r>, Vec<Changed>, Written), CommitError> {
    let repo = history.repo();
    let mut tree = head.tree()?;
    let prefix = history.prefix();
    let mut written = Written::default();
    let mut files = Vec::new();
    for (dir, milestones) in edits {
        let rel = format!("commitments/{dir}/commitment.toml");
        let path = if prefix.is_empty() { rel.clone() } else { format!("{prefix}/{rel}") };
        let Ok(entry) = tree.get_path(std::path::Path::new(&path)) else { continue };
        let blob = repo.find_blob(entry.id())?;
        if spare_worktree && !clean(repo, &path, blob.content()) {
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
        files.push((path, new, entry.id(), id));
    }
    Ok((tree, files, written))
}

/// HEAD's tree with the edits that add no error to the plan: all of them when together they
/// add none; else each milestone's is tried alone, and those that would add errors are left
/// out (listed in `refused`), so one change the rules refuse does not hold up the others.
fn checked_tree<'r>(
    history: &'r History,
    head: &git2::Commit<'r>,
    edits: &BTreeMap<String, BTreeMap<String, MilestoneEdit>>,
    languages: &[String],
    spare_worktree: bool,
) -> Result<(git2::Tree<'r>, Vec<Changed>, Written), CommitError> {
    let (tree, files, written) = edited_tree(history, head, edits, languages, spare_worktree)?;
    let base = head.tree()?;
    if files.is_empty() || guard(history, &base, &tree).is_ok() {
        return Ok((tree, files, written));
    }
    let mut good: BTreeMap<String, BTreeMap<String, MilestoneEdit>> = BTreeMap::new();
    let mut refused = Vec::new();
    for (dir, milestones) in edits {
        for (id, edit) in milestones {
            let one = BTreeMap::from([(dir.clone(), BTreeMap::from([(id.clone(), edit.clone())]))]);
            let (t, f, _) = edited_tree(history, head, &one, languages, spare_worktree)?;
            if f.is_empty() {
                continue;
            }
            match guard(history, &base, &t) {
                Ok(()) => {
                    good.entry(dir.clone()).or_default().insert(id.clone(), edit.clone());
                }
                Err(CommitError::WouldBreak { example, .. }) => {
                    refused.push(Refused { dir: dir.clone(), id: id.clone(), reason: example })
                }
                Err(e) => return Err(e),
            }
        }
    }
    let (tree, files, mut written) = edited_tree(history, head, &good, languages, spare_worktree)?;
    if !files.is_empty() {
        guard(history, &base, &tree)?;
    }
    written.refused = refused;
    Ok((tree, files, written))
}

/// Refuse a bot commit that would add errors to the plan: the edited tree is checked like
/// any change before it is committed.
fn guard(history: &History, before: &git2::Tree<'_>, after: &git2::Tree<'_>) -> Result<(), CommitError> {
    let repo = history.repo();
    let prefix = history.prefix();
    let check = |tree: &git2::Tree<'_>| -> Option<crate::rules::Report> {
        let sub = if prefix.is_empty() { tree.id() } else { tree.get_path(std::path::Path::new(prefix)).ok()?.id() };
        let source = crate::plan::source::GitSource::from_tree(repo, sub).ok()?;
        Some(crate::rules::validate(&crate::plan::load(&source), crate::date::Date::today_utc()))
    };
    let (Some(was), Some(now)) = (check(before), check(after)) else { return Ok(()) };
    if now.errors() > was.errors() {
        let known: std::collections::HashSet<String> =
            was.diagnostics.iter().map(|d| format!("{}{:?}{}", d.code, d.file, d.message)).collect();
        let example = now
            .diagnostics
            .iter()
            .find(|d| {
                d.severity == crate::diagnostic::Severity::Error
                    && !known.contains(&format!("{}{:?}{}", d.code, d.file, d.message))
            })
            .map_or_else(String::new, |d| {
                format!("{} in {}: {}", d.code, d.file.as_deref().unwrap_or("the plan"), d.message)
            });
        return Err(CommitError::WouldBreak { added: now.errors() - was.errors(), example });
    }
    Ok(())
}

fn signature(author: (&str, &str)) -> Result<git2::Signature<'static>, git2::Error> {
    let time = git2::Time::new(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64),
        0,
    );
    git2::Signature::new(author.0, author.1, &time)
}

/// Commit the edits on top of HEAD onto the branch `name` (made or moved there), leaving the
/// current branch and the working tree alone: the change for a pull request.
pub fn write_to_branch(history: &History, bot: &BotCommit, name: &str) -> Result<Written, CommitError> {
    let repo = history.repo();
    let head = repo.head()?.peel_to_commit()?;
    let (tree, files, mut written) = checked_tree(history, &head, &bot.edits, &bot.languages, false)?;
    if files.is_empty() {
        return Ok(written);
    }
    let author = (bot.name.as_str(), bot.email.as_str());
    // The same change on the same HEAD is the same commit: keep the branch where it is.
    let reference = format!("refs/heads/{name}");
    if let Ok(existing) = repo.find_reference(&reference).and_then(|r| r.peel_to_commit())
        && existing.tree_id() == tree.id()
        && existing.parent_ids().eq([head.id()])
    {
        written.commit = Some(existing.id().to_string());
        written.branch = Some(name.to_string());
        return Ok(written);
    }
    let commit = repo.commit(None, &signature(author)?, &signature(author)?, &bot.message, &tree, &[&head])?;
    repo.reference(&reference, commit, true, "kept sync: tracker changes for a pull request")?;
    written.commit = Some(commit.to_string());
    written.branch = Some(name.to_string());
    Ok(written)
}

/// The temporary file beside a file being replaced (one sync runs at a time: see `lock`).
fn temp_of(path: &std::path::Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".kept-tmp");
    path.with_file_name(name)
}

/// Hold the sync lock of a repository for as long as the returned file is open: a second
/// `kept sync` on the same repository waits for the first. The operating system releases
/// it when the process ends, however it ends.
pub fn lock(repo: &git2::Repository) -> std::io::Result<std::fs::File> {
    let path = repo.path().join("kept").join("sync").join("lock");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a file descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(file)
}

/// Replace a file's content in one rename, so a stop midway leaves the old content or the
/// new, never half of it; the file keeps its permissions.
fn replace_file(path: &std::path::Path, content: &[u8]) -> std::io::Result<()> {
    let tmp = temp_of(path);
    std::fs::write(&tmp, content)?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(&tmp, meta.permissions())?;
    }
    std::fs::rename(&tmp, path)
}

/// Lock files that a stopped run of kept left: git's locks on the branch and the index,
/// made after the journal by the process that wrote it, when that process is gone. A lock
/// of anyone else (a git running now) is left alone.
fn remove_stale_locks(repo: &git2::Repository, journal: &Journal, journal_path: &std::path::Path) {
    #[cfg(unix)]
    let gone = journal.pid != 0
        && journal.pid != std::process::id()
        // SAFETY: kill with signal 0 only checks whether the process exists.
        && unsafe { libc::kill(journal.pid as libc::pid_t, 0) } != 0;
    #[cfg(not(unix))]
    let gone = false;
    if !gone {
        return;
    }
    let Ok(written) = std::fs::metadata(journal_path).and_then(|m| m.modified()) else { return };
    let mut locks = vec![repo.path().join("index.lock")];
    if !journal.branch.is_empty() {
        locks.push(repo.path().join(format!("{}.lock", journal.branch)));
    }
    for lock in locks {
        let Ok(made) = std::fs::metadata(&lock).and_then(|m| m.modified()) else { continue };
        // Made after the journal, within the few moments a ref or index update takes.
        let ours = made.duration_since(written).is_ok_and(|d| d < std::time::Duration::from_secs(10))
            || written.duration_since(made).is_ok_and(|d| d < std::time::Duration::from_millis(50));
        if ours {
            let _ = std::fs::remove_file(&lock);
        }
    }
}

/// The working-tree update a bot commit still owes, written before the branch moves.
#[derive(serde::Serialize, serde::Deserialize)]
struct Journal {
    /// The process that wrote it.
    #[serde(default)]
    pid: u32,
    /// The branch it moves.
    #[serde(default)]
    branch: String,
    commit: String,
    /// (path, blob before, blob after).
    files: Vec<(String, String, String)>,
}

fn journal_path(repo: &git2::Repository) -> std::path::PathBuf {
    repo.path().join("kept").join("sync").join("worktree-journal.json")
}

/// Finish the working-tree update of a bot commit that a stopped run left undone: a file
/// still as it was before the commit is brought to the committed version (working tree and
/// index); a file anyone changed since is left alone. Harmless when nothing is owed.
pub fn recover(repo: &git2::Repository) -> Result<(), CommitError> {
    finish(repo, false)
}

/// [`recover`]; `holding` when this run holds git's index lock, released just before the
/// index is written (git2 writes it under that lock).
fn finish(repo: &git2::Repository, holding: bool) -> Result<(), CommitError> {
    let release = || {
        if holding {
            let _ = std::fs::remove_file(repo.path().join("index.lock"));
        }
    };
    let path = journal_path(repo);
    let Ok(bytes) = std::fs::read(&path) else {
        release();
        return Ok(());
    };
    let journal: Option<Journal> = serde_json::from_slice(&bytes).ok();
    if let (Some(j), false) = (&journal, holding) {
        remove_stale_locks(repo, j, &path);
    }
    let Some(workdir) = repo.workdir() else {
        release();
        let _ = std::fs::remove_file(&path);
        return Ok(());
    };
    let head = repo.head().ok().and_then(|h| h.target());
    let committed = journal.as_ref().and_then(|j| git2::Oid::from_str(&j.commit).ok());
    // Only if the commit made it onto the branch (the run may have stopped before).
    let landed = match (head, committed) {
        (Some(h), Some(c)) => h == c || repo.graph_descendant_of(h, c).unwrap_or(false),
        _ => false,
    };
    if let (true, Some(journal)) = (landed, journal) {
        let mut index = repo.index().inspect_err(|_| release())?;
        for (file, old, new) in &journal.files {
            let (Ok(old), Ok(new)) = (git2::Oid::from_str(old), git2::Oid::from_str(new)) else { continue };
            // A stop while writing the replacement leaves its temporary file.
            let _ = std::fs::remove_file(temp_of(&workdir.join(file)));
            let on_disk = std::fs::read(workdir.join(file)).ok();
            let hash = |b: &[u8]| git2::Oid::hash_object(git2::ObjectType::Blob, b).ok();
            match on_disk.as_deref().and_then(hash) {
                Some(id) if id == old => {
                    let blob = repo.find_blob(new).inspect_err(|_| release())?;
                    replace_file(&workdir.join(file), blob.content())
                        .map_err(|source| CommitError::Worktree { path: file.clone(), source })
                        .inspect_err(|_| release())?;
                    index.add_path(std::path::Path::new(file)).inspect_err(|_| release())?;
                }
                Some(id) if id == new => index.add_path(std::path::Path::new(file)).inspect_err(|_| release())?,
                _ => {}
            }
        }
        release();
        index.write()?;
    } else {
        release();
    }
    let _ = std::fs::remove_file(&path);
    Ok(())
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
