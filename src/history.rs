//! Reading a plan's history from git: commits of a range with their people and signatures,
//! the plan files each commit changed, and their contents at any commit. With `repo.rs`,
//! the only place kept touches git2 beyond the loader's tree source.

use std::path::{Path, PathBuf};

use crate::date::Date;

mod tree;

/// Why history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// No repository at or above the path.
    #[error("no git repository at or above {}", path.display())]
    NotARepository {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// A revision that does not name a commit.
    #[error("cannot resolve `{rev}` to a commit")]
    Revision {
        /// The revision.
        rev: String,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// The base is not an ancestor of the head.
    #[error("`{base}` is not an ancestor of `{head}`: the range is not a line of history")]
    NotAncestor {
        /// Base revision.
        base: String,
        /// Head revision.
        head: String,
    },
    /// Another git error.
    #[error("cannot read the git history")]
    Git {
        /// The cause.
        #[source]
        source: git2::Error,
    },
}

/// Reading history re-hashes nothing: git verified every object when it entered the
/// repository, and libgit2's check on each read was a quarter of `kept check`'s time.
fn trust_stored_objects() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| git2::opts::strict_hash_verification(false));
}

fn git(source: git2::Error) -> HistoryError {
    HistoryError::Git { source }
}

/// A person as git records them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// When (seconds since the epoch).
    pub time: i64,
}

impl Person {
    /// The UTC date of the time.
    pub fn date(&self) -> Date {
        Date::from_days(self.time.div_euclid(86_400))
    }
}

/// A commit's signature, as stored in the commit object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSignature {
    /// The armored signature (SSH or OpenPGP).
    pub signature: String,
    /// The signed payload (the commit without its signature header).
    pub payload: Vec<u8>,
}

/// One commit of a range.
#[derive(Debug, Clone)]
pub struct Commit {
    /// Its id.
    pub id: git2::Oid,
    /// Parent ids, first parent first.
    pub parents: Vec<git2::Oid>,
    /// Author.
    pub author: Person,
    /// Committer.
    pub committer: Person,
    /// The message's first line.
    pub summary: String,
    /// The whole message.
    pub message: String,
    /// Whether the commit is on the first-parent line from the head (merges along that line
    /// bring in side branches, whose commits are not on it).
    pub first_parent_line: bool,
    /// The signature, if the commit is signed.
    pub signature: Option<RawSignature>,
    /// The tree.
    pub tree: git2::Oid,
}

impl Commit {
    /// The short id.
    pub fn short(&self) -> String {
        self.id.to_string()[..10].to_string()
    }

    /// Whether it is a merge.
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

/// A changed path and its blob before and after (`None`: absent on that side).
pub type ChangedFile = (String, Option<git2::Oid>, Option<git2::Oid>);

/// A plan repository's history.
pub struct History {
    repo: git2::Repository,
    /// The plan's directory inside the repository (`""` at the root).
    prefix: String,
    /// Trees already read, for comparing each commit with its parent.
    trees: std::sync::Arc<tree::TreeCache>,
    /// Opened from git's environment (inside a hook).
    from_env: bool,
    /// Handles for other threads, opened on first use and kept, each with its own caches
    /// of pack windows, deltas and trees.
    helpers: std::sync::OnceLock<Vec<std::sync::Mutex<History>>>,
}

/// A handle a worker thread uses: one of the kept helpers, or one of its own.
enum Handle<'h> {
    Kept(std::sync::MutexGuard<'h, History>),
    Own(History),
}

impl std::ops::Deref for Handle<'_> {
    type Target = History;
    fn deref(&self) -> &History {
        match self {
            Handle::Kept(h) => h,
            Handle::Own(h) => h,
        }
    }
}

impl History {
    /// The repository at or above `path`; the plan is the directory `path` names.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        trust_stored_objects();
        let repo = git2::Repository::discover(path)
            .map_err(|source| HistoryError::NotARepository { path: path.to_path_buf(), source })?;
        let prefix = match repo.workdir() {
            Some(wd) => {
                let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
                canon(path)
                    .strip_prefix(canon(wd))
                    .ok()
                    .and_then(|p| p.to_str())
                    .map(|s| s.replace('\\', "/"))
                    .unwrap_or_default()
            }
            None => String::new(),
        };
        Ok(History { repo, prefix, trees: Default::default(), from_env: false, helpers: Default::default() })
    }

    /// The repository a git hook runs in, from git's environment (`GIT_DIR`, and the
    /// quarantine object directory where a push's new objects wait until it is accepted).
    pub fn open_from_env() -> Result<History, HistoryError> {
        trust_stored_objects();
        let repo = git2::Repository::open_from_env()
            .map_err(|source| HistoryError::NotARepository { path: PathBuf::from("$GIT_DIR"), source })?;
        Ok(History {
            repo,
            prefix: String::new(),
            trees: Default::default(),
            from_env: true,
            helpers: Default::default(),
        })
    }

    /// Another handle on the same history, for another thread (a repository handle is not
    /// shared between threads).
    pub fn reopen(&self) -> Result<History, HistoryError> {
        (self.opener())()
    }

    /// What opens another handle, which threads can share.
    fn opener(&self) -> impl Fn() -> Result<History, HistoryError> + Sync + use<> {
        let (path, prefix, from_env) = (self.repo.path().to_path_buf(), self.prefix.clone(), self.from_env);
        let trees = self.trees.clone();
        move || {
            let repo = if from_env { git2::Repository::open_from_env() } else { git2::Repository::open(&path) }
                .map_err(|source| HistoryError::NotARepository { path: path.clone(), source })?;
            Ok(History { repo, prefix: prefix.clone(), trees: trees.clone(), from_env, helpers: Default::default() })
        }
    }

    /// Map `f` over `items` on every core, each thread with its own handle on this history;
    /// the first error is returned.
    pub fn par_map<T: Send, R: Send>(
        &self,
        items: Vec<T>,
        f: impl Fn(&History, T) -> Result<R, HistoryError> + Sync,
    ) -> Result<Vec<R>, HistoryError> {
        let helpers = self.helpers.get_or_init(|| {
            (0..crate::parallel::threads()).filter_map(|_| self.reopen().ok()).map(Into::into).collect()
        });
        let opener = self.opener();
        let handle = || match helpers.iter().find_map(|h| h.try_lock().ok()) {
            Some(kept) => Ok(Handle::Kept(kept)),
            None => opener().map(Handle::Own),
        };
        crate::parallel::map_init(items, handle, |handle, item| match handle {
            Ok(h) => f(h, item),
            Err(e) => Err(git(git2::Error::from_str(&format!("cannot open the repository again: {e}")))),
        })
        .into_iter()
        .collect()
    }

    /// The plan's directory inside the repository (`""` at the root).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The underlying repository.
    pub fn repo(&self) -> &git2::Repository {
        &self.repo
    }

    /// Resolve a revision to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<git2::Oid, HistoryError> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|source| HistoryError::Revision { rev: rev.to_string(), source })
    }

    /// The best common ancestor of two commits, if they have one.
    pub fn merge_base(&self, a: git2::Oid, b: git2::Oid) -> Result<Option<git2::Oid>, HistoryError> {
        match self.repo.merge_base(a, b) {
            Ok(id) => Ok(Some(id)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git(e)),
        }
    }

    /// Whether `a` is `b` or an ancestor of it.
    pub fn is_ancestor(&self, a: git2::Oid, b: git2::Oid) -> Result<bool, HistoryError> {
        Ok(a == b || self.repo.graph_descendant_of(b, a).map_err(git)?)
    }

    /// The commits reachable from `head` and not from `base` (all of them if `base` is
    /// `None`), oldest first, each marked whether it lies on head's first-parent line.
    pub fn range(&self, base: Option<git2::Oid>, head: git2::Oid) -> Result<Vec<Commit>, HistoryError> {
        let (ids, line) = self.range_ids(base, head)?;
        ids.into_iter().map(|id| self.commit(id, line.contains(&id))).collect()
    }

    /// The ids reachable from `head` and not from `base`, oldest first, and those on head's
    /// first-parent line: what a walk gives without reading each commit (for cached runs).
    pub fn range_ids(
        &self,
        base: Option<git2::Oid>,
        head: git2::Oid,
    ) -> Result<(Vec<git2::Oid>, std::collections::HashSet<git2::Oid>), HistoryError> {
        Ok((self.walk(base, head, false)?, self.walk(base, head, true)?.into_iter().collect()))
    }

    /// The ids reachable from `head` and not from `base`, oldest first.
    pub fn ids(&self, base: Option<git2::Oid>, head: git2::Oid) -> Result<Vec<git2::Oid>, HistoryError> {
        self.walk(base, head, false)
    }

    fn walk(
        &self,
        base: Option<git2::Oid>,
        head: git2::Oid,
        first_parent: bool,
    ) -> Result<Vec<git2::Oid>, HistoryError> {
        let mut walk = self.repo.revwalk().map_err(git)?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE).map_err(git)?;
        if first_parent {
            walk.simplify_first_parent().map_err(git)?;
        }
        walk.push(head).map_err(git)?;
        if let Some(b) = base {
            walk.hide(b).map_err(git)?;
        }
        walk.map(|id| id.map_err(git)).collect()
    }

    /// One commit, read in full.
    pub fn commit(&self, id: git2::Oid, first_parent_line: bool) -> Result<Commit, HistoryError> {
        let c = self.repo.find_commit(id).map_err(git)?;
        let person = |s: git2::Signature<'_>| Person {
            name: String::from_utf8_lossy(s.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(s.email_bytes()).into_owned(),
            time: s.when().seconds(),
        };
        let signature = self.repo.extract_signature(&id, None).ok().map(|(sig, payload)| RawSignature {
            signature: String::from_utf8_lossy(&sig).into_owned(),
            payload: payload.to_vec(),
        });
        let message = String::from_utf8_lossy(c.message_bytes()).into_owned();
        Ok(Commit {
            id,
            parents: c.parent_ids().collect(),
            author: person(c.author()),
            committer: person(c.committer()),
            summary: message.lines().next().unwrap_or_default().to_string(),
            message,
            first_parent_line,
            signature,
            tree: c.tree_id(),
        })
    }

    /// The plan's tree at a commit (its directory, for a plan in a subdirectory).
    pub fn plan_tree(&self, commit: git2::Oid) -> Result<Option<git2::Oid>, HistoryError> {
        let commit = self.repo.find_commit(commit).map_err(git)?;
        if self.prefix.is_empty() {
            return Ok(Some(commit.tree_id()));
        }
        let tree = commit.tree().map_err(git)?;
        Ok(tree
            .get_path(Path::new(&self.prefix))
            .ok()
            .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
            .map(|e| e.id()))
    }

    /// The plan's tree at a revision.
    pub fn tree_at(&self, rev: &str) -> Result<Option<git2::Oid>, HistoryError> {
        self.plan_tree(self.resolve(rev)?)
    }

    /// Paths (relative to the plan) that differ between two plan trees, with the blob on
    /// each side (`None` where the file does not exist).
    pub fn changed_files(
        &self,
        old: Option<git2::Oid>,
        new: Option<git2::Oid>,
    ) -> Result<Vec<ChangedFile>, HistoryError> {
        let mut out = Vec::new();
        self.diff_trees_into("", old, new, &mut out)?;
        Ok(out)
    }

    /// Compare two trees entry by entry, descending only into subtrees whose ids differ (a
    /// plan commit changes one or two files; libgit2's general diff re-read its configuration
    /// for every commit).
    fn diff_trees_into(
        &self,
        prefix: &str,
        old: Option<git2::Oid>,
        new: Option<git2::Oid>,
        out: &mut Vec<ChangedFile>,
    ) -> Result<(), HistoryError> {
        if old == new {
            return Ok(());
        }
        // Plans are shallow; a tree nested deeper than this is reported as one changed path.
        if prefix.matches('/').count() >= 32 {
            out.push((prefix.to_string(), old, new));
            return Ok(());
        }
        let find = |t: Option<git2::Oid>, base: Option<&tree::RawTree>| {
            t.map(|t| self.trees.get(&self.repo, t, base)).transpose().map_err(git).map(Option::flatten)
        };
        let ta = find(old, None)?;
        let tb = find(new, ta.as_deref())?;
        for (a, b) in tree::changed_entries(ta.as_deref(), tb.as_deref()) {
            let name = a.as_ref().or(b.as_ref()).map(|s| String::from_utf8_lossy(s.name)).unwrap_or_default();
            let path = if prefix.is_empty() { name.into_owned() } else { format!("{prefix}/{name}") };
            let of = |s: &Option<tree::Side<'_>>, tree: bool| {
                s.as_ref().filter(|s| if tree { s.tree } else { s.blob }).map(|s| s.id)
            };
            let (tree_a, tree_b) = (of(&a, true), of(&b, true));
            let (blob_a, blob_b) = (of(&a, false), of(&b, false));
            if tree_a.is_some() || tree_b.is_some() {
                self.diff_trees_into(&path, tree_a, tree_b, out)?;
            }
            if blob_a.is_some() || blob_b.is_some() {
                out.push((path, blob_a, blob_b));
            }
        }
        Ok(())
    }

    /// The blob at a path of a tree, if it is a file there.
    pub fn blob_at(&self, tree: Option<git2::Oid>, path: &str) -> Option<git2::Oid> {
        let mut tree = self.trees.get(&self.repo, tree?, None).ok()??;
        let mut parts = path.split('/').peekable();
        while let Some(name) = parts.next() {
            let entry = tree.entry(name.as_bytes())?;
            match (parts.peek(), entry.tree, entry.blob) {
                (None, _, true) => return Some(entry.id),
                (Some(_), true, _) => tree = self.trees.get(&self.repo, entry.id, None).ok()??,
                _ => return None,
            }
        }
        None
    }

    /// A blob's bytes; `None` when larger than the loader reads (it is never inflated).
    pub fn blob(&self, id: git2::Oid) -> Result<Option<Vec<u8>>, HistoryError> {
        Ok(crate::plan::source::read_blob(&self.repo, id).map_err(git)?.ok())
    }
}
