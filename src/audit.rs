//! The audit trail: every semantic change in a plan's history, with who made it, when, in
//! which commit and pull request, and whether the commit was signed (`kept log`).
//!
//! Each commit is compared with its first parent by the same diff `kept check` uses; merges
//! are not (their changes are those of the commits they bring in, which are listed with the
//! pull request the merge names). A cache keyed by commit id, kept inside the repository's
//! git directory, makes repeat runs fast: it holds only what a commit determines by itself,
//! is rebuilt when missing or unreadable, and is never trusted over the repository.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::diff::{BlobCache, Change, CommitFiles, Kind, diff_changed};
use crate::history::{History, HistoryError, Person};
use crate::plan::{Entity, Piece};
use crate::roles::{Authority, Role};

/// The cache format; a change makes old caches be ignored.
const CACHE_VERSION: &str = "kept-log-cache 3";

/// What a commit determines on its own: cached by commit id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitRecord {
    /// The commit id.
    pub id: String,
    /// Parent ids, first parent first.
    pub parents: Vec<String>,
    /// Author.
    pub author: Person,
    /// The committer's name, when the committer is not the author (by email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committer: Option<String>,
    /// The message's first line.
    pub summary: String,
    /// The pull or merge request the message names, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<u64>,
    /// The author as the plan knew them before the commit.
    pub person: Option<String>,
    /// Their roles then.
    pub roles: Vec<Role>,
    /// `unsigned`, `signed`, or a verification result where the plan required signatures.
    pub signature: String,
    /// The changes (none for merges).
    pub changes: Vec<Change>,
}

/// One line of the audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The commit id.
    pub commit: String,
    /// The author's date (UTC).
    pub date: Date,
    /// The author's time, seconds since the epoch.
    pub time: i64,
    /// The people.toml id of the author, if known.
    pub person: Option<String>,
    /// The author's name.
    pub name: String,
    /// The author's roles at the time.
    pub roles: Vec<Role>,
    /// The committer, when not the author.
    pub committer: Option<String>,
    /// The pull or merge request that brought the change.
    pub pull_request: Option<u64>,
    /// The commit's signature status.
    pub signature: String,
    /// The change in words.
    pub summary: String,
    /// The change.
    pub change: Change,
}

/// Which changes to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A commitment (`UAKLY0003`) or a milestone (`UAKLY0003/M2`).
    pub subject: Option<String>,
    /// Only changes made on or after this date.
    pub since: Option<Date>,
    /// Only changes by this person id.
    pub person: Option<String>,
    /// Only changes of this kind.
    pub kind: Option<Kind>,
}

impl Filter {
    fn keeps(&self, e: &Entry) -> bool {
        if let Some(s) = &self.subject {
            let (c, m) = s.split_once('/').map_or((s.as_str(), None), |(c, m)| (c, Some(m)));
            if e.change.commitment.as_deref() != Some(c) || m.is_some_and(|m| e.change.milestone.as_deref() != Some(m))
            {
                return false;
            }
        }
        self.since.is_none_or(|d| e.date >= d)
            && self.person.as_ref().is_none_or(|p| e.person.as_ref() == Some(p))
            && self.kind.is_none_or(|k| e.change.kind == k)
    }
}

/// The pull or merge request number a commit message names: GitHub's and Gitea's merge and
/// squash messages (`Merge pull request #12 from ...`, `Title (#12)`) and GitLab's
/// (`See merge request group/project!12`).
pub fn pull_request(message: &str) -> Option<u64> {
    let number = |s: &str| -> Option<u64> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    let first = message.lines().next().unwrap_or_default();
    if let Some(rest) = first.strip_prefix("Merge pull request #") {
        return number(rest);
    }
    if first.starts_with("Merge pull request '")
        && let Some(i) = first.rfind("(#")
    {
        return number(&first[i + 2..]);
    }
    if let Some(i) = first.trim_end().rfind("(#")
        && first.trim_end().ends_with(')')
    {
        return number(&first[i + 2..]);
    }
    message
        .lines()
        .find_map(|l| l.trim().strip_prefix("See merge request "))
        .and_then(|r| r.rsplit_once('!'))
        .and_then(|(_, n)| number(n))
}

/// The cache file inside the git directory.
fn cache_path(history: &History) -> PathBuf {
    history.repo().path().join("kept").join("log-cache.jsonl")
}

/// The records of the cache, by commit id.
#[derive(Default)]
struct Cached {
    records: Vec<CommitRecord>,
    index: HashMap<git2::Oid, usize>,
}

impl Cached {
    fn get(&self, id: &git2::Oid) -> Option<&CommitRecord> {
        self.index.get(id).map(|i| &self.records[*i])
    }

    fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

fn read_cache(path: &std::path::Path) -> Cached {
    let Ok(text) = std::fs::read(path) else { return Cached::default() };
    let mut lines = text.split(|b| *b == b'\n');
    if lines.next() != Some(CACHE_VERSION.as_bytes()) {
        return Cached::default();
    }
    // Parsed on every core, in blocks of lines. A line that does not read (a crash while
    // writing, a newer format) is skipped: the commit is recomputed from the repository.
    let blocks: Vec<Vec<&[u8]>> = lines.collect::<Vec<_>>().chunks(512).map(<[_]>::to_vec).collect();
    let parsed = crate::parallel::map(blocks, |block| {
        block
            .into_iter()
            .filter_map(|l| serde_json::from_slice::<CommitRecord>(l).ok())
            .filter_map(|r| Some((git2::Oid::from_str(&r.id).ok()?, r)))
            .collect::<Vec<_>>()
    });
    let count = parsed.iter().map(Vec::len).sum();
    let mut cached = Cached { records: Vec::with_capacity(count), index: HashMap::with_capacity(count) };
    for (id, r) in parsed.into_iter().flatten() {
        cached.index.insert(id, cached.records.len());
        cached.records.push(r);
    }
    cached
}

fn append_cache(path: &std::path::Path, fresh: &[CommitRecord], had_any: bool) -> std::io::Result<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().expect("the cache lives in a directory"))?;
    let mut file = std::fs::OpenOptions::new().create(true).read(true).append(true).open(path)?;
    let mut out = Vec::new();
    if !had_any {
        file.set_len(0)?;
        out.extend_from_slice(CACHE_VERSION.as_bytes());
        out.push(b'\n');
    } else if !ends_with_newline(&mut file)? {
        // A run stopped while writing left half a line: end it, so the records that follow
        // stay readable (the half line is skipped when read).
        out.push(b'\n');
    }
    for r in fresh {
        serde_json::to_writer(&mut out, r)?;
        out.push(b'\n');
    }
    file.write_all(&out)
}

fn ends_with_newline(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Compute a commit's record from what it changed, with the blobs it needs parsed.
fn record(
    history: &History,
    cache: &BlobCache,
    commit: &crate::history::Commit,
    files: CommitFiles,
) -> Result<CommitRecord, HistoryError> {
    let changes = if commit.is_merge() {
        Vec::new()
    } else {
        diff_changed(history, cache, files.changed)?.into_iter().flat_map(|f| f.changes).collect()
    };
    // Who the author was to the plan, and whether it asked for signatures, before the commit
    // (for the first commit, what it sets up).
    let before = |blob: Option<git2::Oid>, path: &str| match files.old_tree {
        Some(_) => blob,
        None => history.blob_at(files.new_tree, path),
    };
    let settings = before(files.settings, "kept.toml").map(|b| cache.get(history, "kept.toml", b)).transpose()?;
    let people = before(files.people, "people.toml").map(|b| cache.get(history, "people.toml", b)).transpose()?;
    let settings = match crate::diff::piece(&settings) {
        Some(Piece::Settings(s)) => Some((**s).clone()),
        _ => None,
    };
    let people: Vec<Entity> = match crate::diff::piece(&people) {
        Some(Piece::People(p)) => p.clone(),
        _ => Vec::new(),
    };
    let authority = Authority { settings: settings.as_ref(), people: &people, commitment: None };
    let who = authority.identify(&commit.author.name, &commit.author.email);
    let signature = match (&commit.signature, settings.as_ref().is_some_and(|s| s.signatures_required)) {
        (None, _) => "unsigned".to_string(),
        (Some(_), false) => "signed".to_string(),
        (Some(sig), true) => match crate::signature::verify(Some(sig), &people) {
            crate::signature::Status::Verified { person } => format!("verified ({person})"),
            crate::signature::Status::UnknownKey => "signed, unknown key".to_string(),
            crate::signature::Status::Bad { .. } => "bad signature".to_string(),
            crate::signature::Status::Unverifiable { .. } | crate::signature::Status::Unsigned => {
                "signed, not verified".to_string()
            }
        },
    };
    Ok(CommitRecord {
        id: commit.id.to_string(),
        parents: commit.parents.iter().map(|p| p.to_string()).collect(),
        author: commit.author.clone(),
        committer: (commit.committer.email != commit.author.email).then(|| commit.committer.name.clone()),
        summary: commit.summary.clone(),
        pull_request: pull_request(&commit.message),
        person: who.person,
        roles: who.roles.into_iter().collect(),
        signature,
        changes,
    })
}

/// The commits reachable from `head`, oldest first in git's topological order (a commit
/// after its parents; a merged branch's commits together, after those of the line it left),
/// and those of them the cache lacks, read in full. With every commit cached, the commit
/// graph comes from the cache alone and the repository is not walked.
fn walk(
    history: &History,
    head: git2::Oid,
    cached: &Cached,
) -> Result<(Vec<git2::Oid>, Vec<crate::history::Commit>), HistoryError> {
    let git = |source| HistoryError::Git { source };
    let mut parents: HashMap<git2::Oid, Vec<git2::Oid>> = HashMap::with_capacity(cached.records.len() + 1);
    let mut read: Vec<crate::history::Commit> = Vec::new();
    let mut todo = vec![head];
    for round in 0.. {
        // Follow parents through the cache and the commits read so far.
        let mut frontier = Vec::new();
        while let Some(id) = todo.pop() {
            if parents.contains_key(&id) || frontier.contains(&id) {
                continue;
            }
            let Some(r) = cached.get(&id) else {
                frontier.push(id);
                continue;
            };
            let ps: Vec<git2::Oid> = r.parents.iter().filter_map(|p| git2::Oid::from_str(p).ok()).collect();
            todo.extend(&ps);
            parents.insert(id, ps);
        }
        if frontier.is_empty() {
            break;
        }
        let new = if round == 0 && cached.is_empty() {
            // No cache: one walk of the repository, and every commit read on every core.
            let mut walk = history.repo().revwalk().map_err(git)?;
            walk.push(head).map_err(git)?;
            walk.collect::<Result<Vec<_>, _>>().map_err(git)?
        } else {
            // New commits on top of cached ones (or a cache with a gap): read what is
            // missing, then follow its parents.
            frontier
        };
        let commits = history.par_map(new, |h, id| h.commit(id, false))?;
        for c in &commits {
            todo.extend(&c.parents);
            parents.insert(c.id, c.parents.clone());
        }
        read.extend(commits);
    }
    let order = topological(head, &parents);
    let position: HashMap<git2::Oid, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    read.sort_by_key(|c| position.get(&c.id).copied().unwrap_or(usize::MAX));
    Ok((order, read))
}

/// The commits reachable from `head` through `parents`, oldest first: git's `--topo-order`
/// (no commit before its parents; a merge's second-parent branch listed together).
fn topological(head: git2::Oid, parents: &HashMap<git2::Oid, Vec<git2::Oid>>) -> Vec<git2::Oid> {
    // How many children each commit has within the history.
    let mut children: HashMap<git2::Oid, usize> = HashMap::with_capacity(parents.len());
    for ps in parents.values() {
        for p in ps.iter().filter(|p| parents.contains_key(p)) {
            *children.entry(*p).or_default() += 1;
        }
    }
    let mut newest_first = Vec::with_capacity(parents.len());
    let mut ready = vec![head];
    while let Some(id) = ready.pop() {
        newest_first.push(id);
        for p in parents.get(&id).into_iter().flatten().filter(|p| parents.contains_key(p)) {
            let left = children.get_mut(p).expect("counted above");
            *left -= 1;
            if *left == 0 {
                ready.push(*p);
            }
        }
    }
    newest_first.reverse();
    newest_first
}

/// The pull or merge request of each record (in the same order): the one its message names,
/// or else the one named by the merge on the head's first-parent line that brought it in.
fn pull_requests(
    history: &History,
    head: git2::Oid,
    records: &[&CommitRecord],
) -> Result<Vec<Option<u64>>, HistoryError> {
    let by_id: HashMap<&str, &CommitRecord> = records.iter().map(|r| (r.id.as_str(), *r)).collect();
    let mut line = std::collections::HashSet::new();
    let mut at = by_id.get(head.to_string().as_str()).copied();
    while let Some(r) = at.filter(|r| line.insert(r.id.as_str())) {
        at = r.parents.first().and_then(|p| by_id.get(p.as_str()).copied());
    }
    let mut merged_by: HashMap<String, u64> = HashMap::new();
    for r in records.iter().filter(|r| r.parents.len() > 1 && r.pull_request.is_some()) {
        if !line.contains(r.id.as_str()) {
            continue;
        }
        let (Ok(first), Ok(second)) = (git2::Oid::from_str(&r.parents[0]), git2::Oid::from_str(&r.parents[1])) else {
            continue;
        };
        let pr = r.pull_request.expect("filtered above");
        for side in history.ids(Some(first), second)? {
            merged_by.entry(side.to_string()).or_insert(pr);
        }
    }
    Ok(records.iter().map(|r| r.pull_request.or_else(|| merged_by.get(&r.id).copied())).collect())
}

/// Commits whose blobs are parsed together.
const WINDOW: usize = 256;

/// Options of [`log`].
pub struct Options<'a> {
    /// The revision whose history is listed.
    pub rev: &'a str,
    /// Which changes to list.
    pub filter: Filter,
    /// Use and update the cache.
    pub cache: bool,
    /// Called with (commits done, commits in all) while computing, for a progress bar.
    pub progress: Option<&'a dyn Fn(usize, usize)>,
}

/// The audit trail of a plan's history, newest first.
pub fn log(history: &History, options: &Options<'_>) -> Result<Vec<Entry>, HistoryError> {
    let head = history.resolve(options.rev)?;
    let path = cache_path(history);
    let cached = if options.cache { read_cache(&path) } else { Cached::default() };
    let had_any = !cached.is_empty();
    // Only commits missing from the cache are read from the repository.
    let (ids, uncached) = walk(history, head, &cached)?;
    let missing = uncached.len();
    // Compare trees, then parse a window of commits' blobs at a time on every core, then
    // let them go, so a long history never holds every version of every file at once.
    let mut blobs = BlobCache::default();
    let mut fresh = Vec::with_capacity(missing);
    for window in uncached.chunks(WINDOW) {
        let window: Vec<&crate::history::Commit> = window.iter().collect();
        blobs.clear();
        let mut files: Vec<CommitFiles> = history.par_map(window.clone(), CommitFiles::of)?;
        for (commit, f) in window.iter().zip(&mut files) {
            if commit.is_merge() {
                // A merge's changes are those of the commits it brings in, listed on their own.
                f.changed.clear();
            }
        }
        blobs.prefetch(history, files.iter().flat_map(CommitFiles::wanted).collect())?;
        let blobs = &blobs;
        fresh.extend(
            history.par_map(window.into_iter().zip(files).collect(), |h, (commit, f)| record(h, blobs, commit, f))?,
        );
        if let Some(progress) = options.progress {
            progress(fresh.len(), missing);
        }
    }
    // Each commit's record, in walk order: from the cache, or just computed.
    let mut computed = fresh.iter();
    let records: Vec<&CommitRecord> = ids
        .iter()
        .map(|id| match cached.get(id) {
            Some(r) => r,
            None => computed.next().expect("one record per uncached id, in order"),
        })
        .collect();
    if options.cache {
        // The cache is a convenience: failing to write it is not an error of the log.
        let _ = append_cache(&path, &fresh, had_any);
    }
    let pull_requests = pull_requests(history, head, &records)?;
    drop(records);
    // The records are moved into the entries, not copied: a long history has tens of
    // thousands of changes.
    let mut slots: Vec<Option<CommitRecord>> = cached.records.into_iter().map(Some).collect();
    let mut fresh = fresh.into_iter();
    let records = ids.iter().map(|id| match cached.index.get(id) {
        Some(i) => slots[*i].take().expect("each cached record is used once"),
        None => fresh.next().expect("one record per uncached id, in order"),
    });
    let records: Vec<CommitRecord> = records.collect();
    let mut entries = Vec::with_capacity(records.iter().map(|r| r.changes.len()).sum());
    for (r, pull_request) in records.into_iter().zip(pull_requests).rev() {
        for change in r.changes {
            let mut entry = Entry {
                commit: r.id.clone(),
                date: r.author.date(),
                time: r.author.time,
                person: r.person.clone(),
                name: r.author.name.clone(),
                roles: r.roles.clone(),
                committer: r.committer.clone(),
                pull_request,
                signature: r.signature.clone(),
                summary: String::new(),
                change,
            };
            if options.filter.keeps(&entry) {
                entry.summary = entry.change.to_string();
                entries.push(entry);
            }
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::pull_request;

    #[test]
    fn pull_request_numbers_from_forge_messages() {
        assert_eq!(pull_request("Merge pull request #12 from cso/youth\n\nPropose"), Some(12));
        assert_eq!(pull_request("Complete the audit (#34)"), Some(34));
        assert_eq!(pull_request("Merge pull request 'Youth council' (#56) from youth into main"), Some(56));
        assert_eq!(pull_request("Merge branch 'youth' into 'main'\n\nSee merge request yab/plan!78"), Some(78));
        assert_eq!(pull_request("Fix a typo"), None);
        assert_eq!(pull_request("Use (#) sign"), None);
    }
}
