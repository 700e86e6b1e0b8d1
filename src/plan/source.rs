//! Where a plan's bytes come from: a directory, or a git tree at a revision (no checkout).
//!
//! Both list every path first, so the loader decides what to read, and both refuse to
//! leave the repository: symbolic links are never followed outside it, and no file is
//! read past [`MAX_FILE_SIZE`].

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::plan::LoadError;

/// The largest file the loader reads, in bytes.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;
/// The most entries a repository may list.
const MAX_ENTRIES: usize = 500_000;
/// The deepest directory nesting walked.
const MAX_DIR_DEPTH: usize = 32;

/// What a path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file of this many bytes.
    File(u64),
    /// A directory.
    Dir,
    /// A symbolic link; `inside` is where it points, if that is inside the repository.
    Symlink {
        /// What the link says.
        target: String,
        /// The repository path it resolves to, when that stays inside the repository.
        inside: Option<String>,
    },
    /// Anything else (socket, fifo, submodule).
    Other,
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Larger than [`MAX_FILE_SIZE`].
    TooLarge(u64),
    /// A symbolic link pointing outside the repository.
    OutsideRepository(String),
    /// Not a regular file.
    NotAFile(&'static str),
    /// Reading failed.
    Io(String),
}

/// A plan's files.
pub trait Source {
    /// Every path (`/`-separated, relative to the repository root) and what it is.
    fn entries(&self) -> &BTreeMap<String, EntryKind>;
    /// Read a file's bytes, following a symbolic link only within the repository.
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError>;

    /// Whether a repository path names a file (or a link), for evidence outside the listed
    /// plan directories. Never reads the file.
    fn exists(&self, path: &str) -> bool {
        matches!(self.entries().get(path), Some(EntryKind::File(_) | EntryKind::Symlink { .. }))
    }

    /// This source as one that threads may share, if it is one (a git repository is not).
    fn as_sync(&self) -> Option<&(dyn Source + Sync)> {
        None
    }

    /// Read a file, resolving links through [`Source::entries`].
    fn read_checked(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        match self.entries().get(path) {
            Some(EntryKind::File(size)) if *size > MAX_FILE_SIZE => Err(ReadError::TooLarge(*size)),
            Some(EntryKind::File(_)) => self.read(path),
            Some(EntryKind::Dir) => Err(ReadError::NotAFile("a directory")),
            Some(EntryKind::Other) => Err(ReadError::NotAFile("not a regular file")),
            Some(EntryKind::Symlink { target, inside: None }) => Err(ReadError::OutsideRepository(target.clone())),
            Some(EntryKind::Symlink { inside: Some(real), .. }) => match self.entries().get(real) {
                Some(EntryKind::File(size)) if *size > MAX_FILE_SIZE => Err(ReadError::TooLarge(*size)),
                Some(EntryKind::File(_)) => self.read(real),
                _ => Err(ReadError::NotAFile("a link to something that is not a file")),
            },
            None => Err(ReadError::Io("no such file".into())),
        }
    }
}

/// Resolve a link target written at `link_path` to a repository path, if it stays inside.
fn resolve_inside(link_path: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = link_path.split('/').collect();
    parts.pop();
    for comp in target.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Where `path` lies inside the repository's work tree, `/`-separated (`None` for a bare
/// repository or a path outside the work tree).
fn subdirectory(repo: &git2::Repository, path: &Path) -> Result<Option<String>, LoadError> {
    let Some(workdir) = repo.workdir() else { return Ok(None) };
    let canon = |p: &Path| p.canonicalize().map_err(|source| LoadError::Io { path: p.to_path_buf(), source });
    let (path, workdir) = (canon(path)?, canon(workdir)?);
    Ok(path.strip_prefix(&workdir).ok().and_then(|rel| {
        rel.components()
            .map(|c| match c {
                Component::Normal(s) => s.to_str().map(str::to_string),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join("/"))
    }))
}

/// A plan in a directory on disk.
pub struct DirSource {
    root: PathBuf,
    entries: BTreeMap<String, EntryKind>,
}

impl DirSource {
    /// List a directory (skipping hidden entries such as `.git`).
    pub fn open(root: &Path) -> Result<Self, LoadError> {
        let meta = fs::metadata(root).map_err(|source| LoadError::Io { path: root.to_path_buf(), source })?;
        if !meta.is_dir() {
            return Err(LoadError::NotADirectory(root.to_path_buf()));
        }
        let root = root.canonicalize().map_err(|source| LoadError::Io { path: root.to_path_buf(), source })?;
        let mut entries = BTreeMap::new();
        walk(&root, &mut entries)?;
        Ok(DirSource { root, entries })
    }
}

/// Whether the loader looks inside a directory: `commitments/`, each commitment's directory,
/// and `updates/`. Everything else a repository holds (sites, images, tooling) is listed
/// only by name at the root, and files there are looked up one by one when evidence names them.
pub fn is_plan_dir(rel: &str) -> bool {
    match rel.split_once('/') {
        None => rel == "commitments" || rel == "updates",
        Some((top, rest)) => top == "commitments" && !rest.contains('/'),
    }
}

/// List the plan's directories level by level; the directories of a level are read on every core, as
/// a plan has a thousand commitment directories side by side.
fn walk(root: &Path, out: &mut BTreeMap<String, EntryKind>) -> Result<(), LoadError> {
    let mut level = vec![(root.to_path_buf(), String::new())];
    for depth in 0..=MAX_DIR_DEPTH {
        if level.is_empty() {
            break;
        }
        let results =
            crate::parallel::map(std::mem::take(&mut level), |(dir, prefix)| list_dir(root, &dir, &prefix, depth));
        for result in results {
            let (entries, subdirs) = result?;
            out.extend(entries);
            level.extend(subdirs);
            if out.len() >= MAX_ENTRIES {
                return Err(LoadError::TooManyFiles(root.to_path_buf()));
            }
        }
    }
    Ok(())
}

type Listing = (Vec<(String, EntryKind)>, Vec<(PathBuf, String)>);

/// One directory's entries, and its subdirectories to list next.
fn list_dir(root: &Path, dir: &Path, prefix: &str, depth: usize) -> Result<Listing, LoadError> {
    let mut entries = Vec::new();
    let mut subdirs = Vec::new();
    let read = fs::read_dir(dir).map_err(|source| LoadError::Io { path: dir.to_path_buf(), source })?;
    for entry in read {
        let entry = entry.map_err(|source| LoadError::Io { path: dir.to_path_buf(), source })?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // Hidden entries at the root (.git, .kept, .github) are tooling, not plan; deeper
        // ones are listed so that a directory such as `commitments/..%2f` is reported.
        if depth == 0 && (name.starts_with('.') || name == "target" || name == "_site") {
            continue;
        }
        let rel = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
        // The type comes from the directory listing itself (no stat per file); sizes are
        // enforced when a file is read.
        let file_type = entry.file_type().map_err(|source| LoadError::Io { path: entry.path(), source })?;
        let kind = if file_type.is_symlink() {
            let path = entry.path();
            let target = fs::read_link(&path).map(|t| t.to_string_lossy().into_owned()).unwrap_or_default();
            let inside = path
                .canonicalize()
                .ok()
                .and_then(|real| real.strip_prefix(root).ok().map(Path::to_path_buf))
                .filter(|r| {
                    r.components().all(|c| matches!(c, Component::Normal(_))) && r.components().next().is_some()
                })
                .and_then(|r| r.to_str().map(|s| s.replace('\\', "/")));
            EntryKind::Symlink { target, inside }
        } else if file_type.is_dir() {
            if is_plan_dir(&rel) {
                subdirs.push((entry.path(), rel.clone()));
            }
            EntryKind::Dir
        } else if file_type.is_file() {
            EntryKind::File(0)
        } else {
            EntryKind::Other
        };
        entries.push((rel, kind));
    }
    Ok((entries, subdirs))
}

impl Source for DirSource {
    fn entries(&self) -> &BTreeMap<String, EntryKind> {
        &self.entries
    }

    fn as_sync(&self) -> Option<&(dyn Source + Sync)> {
        Some(self)
    }

    fn exists(&self, path: &str) -> bool {
        if self.entries.contains_key(path) {
            return matches!(self.entries[path], EntryKind::File(_) | EntryKind::Symlink { .. });
        }
        // Every directory on the way must be a real directory inside the repository: a path
        // through a linked directory is not the repository's file.
        let parts: Vec<&str> = path.split('/').collect();
        let mut at = self.root.clone();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let Ok(meta) = fs::symlink_metadata(&at) else { return false };
            let last = i + 1 == parts.len();
            if (!last && !meta.is_dir()) || (last && meta.is_dir()) {
                return false;
            }
        }
        true
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        // Only paths listed as regular files are opened: the listing reached them without
        // following any link, so the path stays inside the repository (links are resolved
        // through `read_checked`, to the listed file they point at).
        if !matches!(self.entries.get(path), Some(EntryKind::File(_))) {
            return Err(ReadError::NotAFile("not a regular file in the listing"));
        }
        let file = open_no_follow(&self.root.join(path)).map_err(|e| ReadError::Io(e.to_string()))?;
        // Read to the end of the file (a short read is not the end on network and FUSE file
        // systems) into a buffer reused per thread; only the bytes read are copied out.
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 64 * 1024]);
        }
        BUF.with_borrow_mut(|buf| {
            let mut filled = 0;
            let mut reader = &file;
            loop {
                if filled == buf.len() {
                    if filled as u64 > MAX_FILE_SIZE {
                        break;
                    }
                    let grown = buf.len() * 2;
                    buf.resize(grown, 0);
                }
                match reader.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(ReadError::Io(e.to_string())),
                }
            }
            if filled as u64 > MAX_FILE_SIZE {
                let size = file.metadata().map_or(filled as u64, |m| m.len());
                return Err(ReadError::TooLarge(size));
            }
            Ok(buf[..filled].to_vec())
        })
    }
}

fn io_error(e: git2::Error) -> ReadError {
    ReadError::Io(e.message().to_string())
}

/// Run `f` with this thread's handle on a repository, opening it on first use.
fn with_repo<T>(git_dir: &Path, f: impl FnOnce(&git2::Repository) -> Result<T, ReadError>) -> Result<T, ReadError> {
    thread_local! {
        static REPO: std::cell::RefCell<Option<(PathBuf, git2::Repository)>> = const { std::cell::RefCell::new(None) };
    }
    REPO.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|(dir, _)| dir != git_dir) {
            // Inside a server hook, a push's objects are in a quarantine directory that only
            // git's environment names; open the repository the way git describes it there.
            let repo = if std::env::var_os("GIT_QUARANTINE_PATH").is_some() {
                git2::Repository::open_from_env()
            } else {
                git2::Repository::open(git_dir)
            };
            *slot = Some((git_dir.to_path_buf(), repo.map_err(io_error)?));
        }
        let (_, repo) = slot.as_ref().expect("just filled");
        f(repo)
    })
}

/// Open a file for reading without following a symbolic link in its last component, so a
/// file swapped for a link after the listing is refused rather than followed.
fn open_no_follow(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// A plan in a git tree, read straight from the object database.
pub struct GitSource {
    /// The repository's git directory; each reading thread opens its own handle to it, as a
    /// libgit2 repository handle may not be shared between threads.
    git_dir: PathBuf,
    /// The plan's tree.
    tree: git2::Oid,
    entries: BTreeMap<String, EntryKind>,
    blobs: BTreeMap<String, git2::Oid>,
}

impl GitSource {
    /// The tree of `rev` (any revision git understands) in the repository at or above `path`.
    ///
    /// When `path` is a directory inside the repository's work tree (a plan kept in a
    /// subdirectory of a larger repository), the plan is that directory of the revision.
    pub fn open(path: &Path, rev: &str) -> Result<Self, LoadError> {
        let repo = git2::Repository::discover(path)
            .map_err(|source| LoadError::NotARepository { path: path.to_path_buf(), source })?;
        let tree = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_tree())
            .map_err(|source| LoadError::Revision { rev: rev.to_string(), source })?;
        let sub = subdirectory(&repo, path)?;
        let tree_id = match sub.as_deref() {
            None | Some("") => tree.id(),
            Some(sub) => match tree.get_path(Path::new(sub)) {
                Ok(entry) if entry.kind() == Some(git2::ObjectType::Tree) => entry.id(),
                _ => return Err(LoadError::NotInRevision { rev: rev.to_string(), dir: sub.to_string() }),
            },
        };
        drop(tree);
        Self::from_tree(&repo, tree_id)
    }

    /// A plan in a given tree of a repository.
    pub fn from_tree(repo: &git2::Repository, tree_id: git2::Oid) -> Result<Self, LoadError> {
        let git_err = |source| LoadError::Git { source };
        let mut entries = BTreeMap::new();
        let mut blobs = BTreeMap::new();
        let mut links = Vec::new();
        {
            let tree = repo.find_tree(tree_id).map_err(git_err)?;
            let mut failure = None;
            tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                let Ok(name) = entry.name() else {
                    return git2::TreeWalkResult::Skip;
                };
                let path = format!("{dir}{name}");
                if dir.is_empty() && name.starts_with('.') {
                    return git2::TreeWalkResult::Skip;
                }
                if entries.len() >= MAX_ENTRIES || dir.matches('/').count() > MAX_DIR_DEPTH {
                    failure = Some(LoadError::TooManyFiles(PathBuf::from(path)));
                    return git2::TreeWalkResult::Abort;
                }
                let kind = match entry.filemode() {
                    0o040000 if !is_plan_dir(&path) => {
                        entries.insert(path, EntryKind::Dir);
                        return git2::TreeWalkResult::Skip;
                    }
                    0o040000 => EntryKind::Dir,
                    // Sizes are checked when a blob is read, on the reading threads.
                    0o100644 | 0o100755 => {
                        blobs.insert(path.clone(), entry.id());
                        EntryKind::File(0)
                    }
                    0o120000 => {
                        links.push((path.clone(), entry.id()));
                        EntryKind::Other
                    }
                    _ => EntryKind::Other,
                };
                entries.insert(path, kind);
                git2::TreeWalkResult::Ok
            })
            .map_err(git_err)?;
            if let Some(f) = failure {
                return Err(f);
            }
        }
        for (path, oid) in links {
            let target = repo
                .find_blob(oid)
                .map(|b| String::from_utf8_lossy(&b.content()[..b.size().min(4096)]).into_owned())
                .unwrap_or_default();
            let inside = resolve_inside(&path, &target);
            entries.insert(path, EntryKind::Symlink { target, inside });
        }
        Ok(GitSource { git_dir: repo.path().to_path_buf(), tree: tree_id, entries, blobs })
    }
}

impl GitSource {
    /// The plan's tree.
    pub fn tree_id(&self) -> git2::Oid {
        self.tree
    }

    /// The blob a file path names in this tree.
    pub fn blob_id(&self, path: &str) -> Option<git2::Oid> {
        self.blobs.get(path).copied()
    }
}

impl Source for GitSource {
    fn entries(&self) -> &BTreeMap<String, EntryKind> {
        &self.entries
    }

    fn as_sync(&self) -> Option<&(dyn Source + Sync)> {
        Some(self)
    }

    fn exists(&self, path: &str) -> bool {
        if let Some(kind) = self.entries.get(path) {
            return matches!(kind, EntryKind::File(_) | EntryKind::Symlink { .. });
        }
        with_repo(&self.git_dir, |repo| {
            let tree = repo.find_tree(self.tree).map_err(io_error)?;
            Ok(tree.get_path(Path::new(path)).is_ok_and(|e| e.kind() == Some(git2::ObjectType::Blob)))
        })
        .unwrap_or(false)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let oid = *self.blobs.get(path).ok_or(ReadError::NotAFile("not a file in this revision"))?;
        with_repo(&self.git_dir, |repo| read_blob(repo, oid).map_err(io_error)?.map_err(ReadError::TooLarge))
    }
}

/// A blob's bytes, or its size when larger than [`MAX_FILE_SIZE`] (it is then never inflated).
pub(crate) fn read_blob(repo: &git2::Repository, oid: git2::Oid) -> Result<Result<Vec<u8>, u64>, git2::Error> {
    let (size, _) = repo.odb()?.read_header(oid)?;
    if size as u64 > MAX_FILE_SIZE {
        return Ok(Err(size as u64));
    }
    Ok(Ok(repo.find_blob(oid)?.content().to_vec()))
}

/// A plan held in memory: for tests, fuzzing and callers that build plans on the fly.
#[derive(Debug, Clone, Default)]
pub struct MemSource {
    entries: BTreeMap<String, EntryKind>,
    files: BTreeMap<String, Vec<u8>>,
}

impl MemSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) a file, and its parent directories.
    pub fn insert(&mut self, path: &str, contents: impl Into<Vec<u8>>) {
        let contents = contents.into();
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            self.entries.insert(parent.to_string(), EntryKind::Dir);
            dir = parent;
        }
        self.entries.insert(path.to_string(), EntryKind::File(contents.len() as u64));
        self.files.insert(path.to_string(), contents);
    }
}

impl Source for MemSource {
    fn entries(&self) -> &BTreeMap<String, EntryKind> {
        &self.entries
    }

    fn as_sync(&self) -> Option<&(dyn Source + Sync)> {
        Some(self)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        self.files.get(path).cloned().ok_or(ReadError::NotAFile("not a file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_resolution_stays_inside() {
        assert_eq!(
            resolve_inside("commitments/A/README.md", "../B/README.md").as_deref(),
            Some("commitments/B/README.md")
        );
        assert_eq!(resolve_inside("plan.toml", "../../etc/passwd"), None);
        assert_eq!(resolve_inside("plan.toml", "/etc/passwd"), None);
        assert_eq!(resolve_inside("a/b", "./c").as_deref(), Some("a/c"));
    }
}
