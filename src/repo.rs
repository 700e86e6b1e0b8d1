//! Writing to git repositories: the few operations kept makes on a repository it owns
//! (`kept init`, `kept demo`). Reading plans from git lives in `plan::source`.

use std::path::Path;

/// `git init` (if needed) and commit every file in `dir` on the default branch.
pub fn commit_all(dir: &Path, message: &str) -> Result<git2::Oid, git2::Error> {
    let repo = match git2::Repository::open(dir) {
        Ok(r) => r,
        Err(_) => {
            let mut o = git2::RepositoryInitOptions::new();
            o.initial_head("main");
            git2::Repository::init_opts(dir, &o)?
        }
    };
    let mut index = repo.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree_id = index.write_tree()?;
    let tree = repo.find_tree(tree_id)?;
    let sig = repo.signature().or_else(|_| git2::Signature::now("kept", "kept@localhost"))?;
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
}
