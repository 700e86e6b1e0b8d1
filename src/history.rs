//! Reading a plan's history from git: commits of a range with their people and signatures,
//! the plan files each commit changed, and their contents at any commit. With `repo.rs`,
//! the only place kept touches git2 beyond the loader's tree source.

use std::path::{Path, PathBuf};

use crate::date::Date;

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

/// Git's order of tree entries: by name, a directory's name compared as if it ended in `/`.
fn git_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> std::cmp::Ordering {
    let (na, nb) = (a.name_bytes(), b.name_bytes());
    let common = na.len().min(nb.len());
    match na[..common].cmp(&nb[..common]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let next = |n: &[u8], e: &git2::TreeEntry<'_>| {
        n.get(common).copied().unwrap_or(if e.kind() == Some(git2::ObjectType::Tree) { b'/' } else { 0 })
    };
    next(na, a).cmp(&next(nb, b))
}

/// A changed path and its blob before and after (`None`: absent on that side).
pub type ChangedFile = (String, Option<git2::Oid>, Option<git2::Oid>);

/// A plan repository's history.
pub struct History {
    repo: git2::Repository,
    /// The plan's directory inside the repository (`""` at the root).
    prefix: String,
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
        Ok(History { repo, prefix })
    }

    /// The repository a git hook runs in, from git's environment (`GIT_DIR`, and the
    /// quarantine object directory where a push's new objects wait until it is accepted).
    pub fn open_from_env() -> Result<History, HistoryError> {
        trust_stored_objects();
        let repo = git2::Repository::open_from_env()
            .map_err(|source| HistoryError::NotARepository { path: PathBuf::from("$GIT_DIR"), source })?;
        Ok(History { repo, prefix: String::new() })
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
        let tree = self.repo.find_commit(commit).and_then(|c| c.tree()).map_err(git)?;
        if self.prefix.is_empty() {
            return Ok(Some(tree.id()));
        }
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
        let find = |t: Option<git2::Oid>| t.map(|t| self.repo.find_tree(t)).transpose().map_err(git);
        let (ta, tb) = (find(old)?, find(new)?);
        let len = |t: &Option<git2::Tree<'_>>| t.as_ref().map_or(0, |t| t.len());
        let (na, nb) = (len(&ta), len(&tb));
        let (mut i, mut j) = (0, 0);
        // Both trees list their entries in git's order: walk them side by side, looking only
        // at names and ids, and descend only where ids differ.
        while i < na || j < nb {
            let a = ta.as_ref().and_then(|t| t.get(i));
            let b = tb.as_ref().and_then(|t| t.get(j));
            let order = match (&a, &b) {
                (Some(a), Some(b)) => git_order(a, b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            let (ea, eb) = match order {
                std::cmp::Ordering::Less => {
                    i += 1;
                    (a, None)
                }
                std::cmp::Ordering::Greater => {
                    j += 1;
                    (None, b)
                }
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    let same = a.as_ref().map(|e| (e.id(), e.filemode())) == b.as_ref().map(|e| (e.id(), e.filemode()));
                    if same {
                        continue;
                    }
                    (a, b)
                }
            };
            let name = ea.as_ref().or(eb.as_ref()).and_then(|e| e.name().ok()).unwrap_or_default();
            let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
            let of = |e: &Option<git2::TreeEntry<'_>>, kind: git2::ObjectType| {
                e.as_ref().filter(|e| e.kind() == Some(kind)).map(|e| e.id())
            };
            let (tree_a, tree_b) = (of(&ea, git2::ObjectType::Tree), of(&eb, git2::ObjectType::Tree));
            let (blob_a, blob_b) = (of(&ea, git2::ObjectType::Blob), of(&eb, git2::ObjectType::Blob));
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
        let tree = self.repo.find_tree(tree?).ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id())
    }

    /// A blob's bytes; `None` when larger than the loader reads (it is never inflated).
    pub fn blob(&self, id: git2::Oid) -> Result<Option<Vec<u8>>, HistoryError> {
        Ok(crate::plan::source::read_blob(&self.repo, id).map_err(git)?.ok())
    }
}
