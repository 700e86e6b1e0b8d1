//! `kept check`: the transition rules applied to every commit of a range, permissions judged
//! against the roles before each change, and the snapshot rules on the head.
//!
//! Each commit is compared with its first parent, file by file (`diff`), parsing each blob
//! once however many commits share it. Commits on the head's first-parent line are judged
//! for permissions against their author and committer; a merge is judged against its merger,
//! and the commits it brings in are then judged for transitions only.

mod amendment;
mod milestone;
mod permission;
mod phase;

use std::sync::Arc;

use serde::Serialize;

use crate::date::Date;
use crate::diagnostic::{self, Diagnostic, SourceMap};
use crate::diff::{BlobCache, Change, CommitFiles, FileDiff, Parsed, diff_changed};
use crate::history::{Commit, History, HistoryError};
use crate::plan::{Commitment, Entity, Piece, Settings};
use crate::roles::{Authority, Identity, Need};

/// Every code `kept check` and the server hooks add to the snapshot rules', with what it means.
pub const CODES: &[(&str, &str)] = &[
    ("phase-order", "the phase skipped a phase, or moved back without a reason"),
    ("milestone-transition", "a milestone status change without what it needs (evidence, reasons, a reopen reason)"),
    ("amendment-required", "an approved commitment's core changed without an amendment in the same commit"),
    ("permission-denied", "a change made by someone whose role does not allow it"),
    ("history-rewritten", "a protected branch deleted or rewritten (server hooks)"),
    ("signature-required", "an unsigned commit where the plan requires signatures"),
    (
        "signature-invalid",
        "a signature that does not verify, or by a key people.toml does not give to the commit's author or committer",
    ),
];

/// How permission shortfalls count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Changes land as they are (a push, a merge): a change its maker may not make is an error.
    Push,
    /// A proposal (pull or merge request): such changes are listed as reviews the forge must
    /// collect before merging, not errors.
    Proposal,
}

/// What to check.
pub struct Options<'a> {
    /// The base revision (`None`: the whole history up to head).
    pub base: Option<&'a str>,
    /// The head revision.
    pub head: &'a str,
    /// Push or proposal.
    pub mode: Mode,
    /// Today, for the snapshot rules.
    pub today: Date,
}

/// A review a proposal needs before it may be merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Who must approve.
    pub need: String,
    /// What they approve, in domain words.
    pub change: String,
    /// The commit that made the change.
    pub commit: String,
}

/// One commit's result.
#[derive(Debug, Clone)]
pub struct CommitCheck {
    /// The commit.
    pub commit: Commit,
    /// Who made it, as the plan knows them (author, then committer if different).
    pub actors: Vec<Identity>,
    /// What it changed.
    pub changes: Vec<Change>,
    /// What is wrong with it.
    pub diagnostics: Vec<Diagnostic>,
    /// Its signature, when the plan requires signatures.
    pub signature: Option<crate::signature::Status>,
    /// The text of its files that diagnostics point into.
    pub sources: SourceMap,
}

/// The result of a check.
#[derive(Debug, Clone)]
pub struct Report {
    /// The base commit, if any.
    pub base: Option<String>,
    /// The head commit.
    pub head: String,
    /// Every commit of the range, oldest first.
    pub commits: Vec<CommitCheck>,
    /// Reviews a proposal needs.
    pub reviews: Vec<Review>,
    /// The snapshot rules on the head.
    pub head_report: crate::rules::Report,
    /// The head's sources, for rendering.
    pub head_sources: SourceMap,
}

impl Report {
    /// Errors across commits and the head.
    pub fn errors(&self) -> usize {
        self.commits.iter().flat_map(|c| &c.diagnostics).filter(|d| d.is_error()).count() + self.head_report.errors()
    }

    /// Whether the range may land (in push mode) or be merged once reviewed (proposal).
    pub fn passes(&self) -> bool {
        self.errors() == 0
    }
}

/// Why a check could not run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Reading history failed.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// Loading the head failed.
    #[error(transparent)]
    Load(#[from] crate::plan::LoadError),
}

/// What a transition rule sees: one commit's changed files and the plan before it.
pub struct Step<'a> {
    /// The changed files.
    pub files: &'a [FileDiff],
    /// The plan's kept.toml before the commit.
    pub settings: Option<&'a Settings>,
    /// people.toml before the commit.
    pub people: &'a [Entity],
    /// Each concerned commitment's commitment.toml before the commit, by directory.
    pub before: std::collections::HashMap<String, Arc<Parsed>>,
}

impl Step<'_> {
    /// Every change of the commit.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.files.iter().flat_map(|f| &f.changes)
    }

    /// The file diff of a path.
    pub fn file(&self, path: &str) -> Option<&FileDiff> {
        self.files.iter().find(|f| f.path == path)
    }
}

use crate::diff::piece as piece_of;

/// The commitment of a change, before the commit.
pub(crate) fn old_commitment<'a>(step: &'a Step<'_>, change: &Change) -> Option<&'a Commitment> {
    let dir = change.commitment.as_ref()?;
    match step.before.get(dir).and_then(|p| p.piece.as_ref()) {
        Some(Piece::Commitment(c)) => Some(c),
        _ => None,
    }
}

/// Check a range of a plan's history.
pub fn check(history: &History, plan_path: &std::path::Path, options: &Options<'_>) -> Result<Report, CheckError> {
    let head = history.resolve(options.head)?;
    let base = options.base.map(|b| history.resolve(b)).transpose()?;
    // A proposal behind its target branch is judged from where it forked.
    let base = match base {
        Some(b) if options.mode == Mode::Proposal && !history.is_ancestor(b, head)? => history.merge_base(b, head)?,
        other => other,
    };
    if let Some(b) = base
        && !history.is_ancestor(b, head)?
    {
        return Err(HistoryError::NotAncestor {
            base: options.base.unwrap_or_default().into(),
            head: options.head.into(),
        }
        .into());
    }
    let mut cache = BlobCache::default();
    let mut commits = Vec::new();
    let mut reviews = Vec::new();
    // First what each commit changed (cheap tree comparisons), then every blob involved
    // parsed once on every core, then each commit judged.
    let range = history.range(base, head)?;
    let planned: Vec<CommitFiles> = range.iter().map(|c| CommitFiles::of(history, c)).collect::<Result<_, _>>()?;
    cache.prefetch(history, planned.iter().flat_map(CommitFiles::wanted).collect())?;
    for (commit, planned) in range.into_iter().zip(planned) {
        let old_tree = planned.old_tree;
        let files = diff_changed(history, &cache, planned.changed)?;
        // The plan's people and roles before this commit judge it.
        let settings = planned.settings.map(|b| cache.get(history, "kept.toml", b)).transpose()?;
        let people = planned.people.map(|b| cache.get(history, "people.toml", b)).transpose()?;
        let settings_ref = match piece_of(&settings) {
            Some(Piece::Settings(s)) => Some(&**s),
            _ => None,
        };
        let people_ref: &[Entity] = match piece_of(&people) {
            Some(Piece::People(p)) => p,
            _ => &[],
        };
        let mut before = std::collections::HashMap::new();
        let named_by_updates: Vec<String> = files
            .iter()
            .filter_map(|f| match piece_of(&f.new) {
                Some(Piece::Update(u)) => Some(u.commitments.iter().map(|c| c.value.clone()).collect::<Vec<_>>()),
                _ => None,
            })
            .flatten()
            .collect();
        let concerned = files.iter().flat_map(|f| &f.changes).filter_map(|c| c.commitment.clone());
        for dir in concerned.chain(named_by_updates).collect::<Vec<_>>().iter() {
            if before.contains_key(dir) {
                continue;
            }
            let path = format!("commitments/{dir}/commitment.toml");
            if let Some(blob) = history.blob_at(old_tree, &path) {
                before.insert(dir.clone(), cache.get(history, &path, blob)?);
            }
        }
        let step = Step { files: &files, settings: settings_ref, people: people_ref, before };
        let authority = Authority { settings: settings_ref, people: people_ref, commitment: None };
        let mut actors = vec![authority.identify(&commit.author.name, &commit.author.email)];
        if commit.committer.email != commit.author.email {
            actors.push(authority.identify(&commit.committer.name, &commit.committer.email));
        }
        if commit.is_merge() {
            // A merge is judged against its merger: its committer, or, for a merge made in a
            // forge's web interface (committed by the forge), its author.
            actors = vec![authority.identify(&commit.committer.name, &commit.committer.email)];
            if commit.committer.email != commit.author.email {
                actors.push(authority.identify(&commit.author.name, &commit.author.email));
            }
        }
        let mut diags = Vec::new();
        let required = match settings_ref {
            Some(s) => s.signatures_required,
            // The first commit of a plan: its own kept.toml says.
            None => files
                .iter()
                .find(|f| f.path == "kept.toml")
                .is_some_and(|f| matches!(piece_of(&f.new), Some(Piece::Settings(s)) if s.signatures_required)),
        };
        let signature = if required {
            let people_now: &[Entity] = if people_ref.is_empty() {
                match files.iter().find(|f| f.path == "people.toml").and_then(|f| piece_of(&f.new)) {
                    Some(Piece::People(p)) => p,
                    _ => &[],
                }
            } else {
                people_ref
            };
            let status = crate::signature::verify(commit.signature.as_ref(), people_now);
            let known = Authority { settings: settings_ref, people: people_now, commitment: None };
            let claimed: Vec<Identity> =
                [&commit.author, &commit.committer].iter().map(|p| known.identify(&p.name, &p.email)).collect();
            signature_rule(&status, &claimed, &mut diags);
            // Where signatures are required, only the signer's roles count: naming someone
            // else as author or committer grants nothing.
            if let crate::signature::Status::Verified { person } = &status {
                actors.retain(|a| a.person.as_deref() == Some(person.as_str()));
            } else {
                actors.clear();
            }
            Some(status)
        } else {
            None
        };
        // A merge's changes are those of the commits it brings in, each judged on its own;
        // judged again against the first parent they would be counted twice.
        if !commit.is_merge() {
            phase::check(&step, &mut diags);
            milestone::check(&step, &mut diags);
            amendment::check(&step, &mut diags);
        }
        // The first commit of a history has no one to judge it by; any later commit is judged
        // by the roles before it (none, if kept.toml was missing: then only proposals pass).
        if commit.first_parent_line && !commit.parents.is_empty() {
            let needs = permission::check(&step, &actors, &mut diags, options.mode);
            for (need, change) in needs {
                reviews.push(Review { need: need.to_string(), change: change.to_string(), commit: commit.short() });
            }
        }
        for d in &mut diags {
            // A merge is the merger's doing; any other commit its author's.
            let by = if commit.is_merge() { &commit.committer.name } else { &commit.author.name };
            d.notes.insert(0, format!("in commit {} \"{}\" by {by}", commit.short(), commit.summary));
        }
        let mut sources = SourceMap::default();
        for d in &diags {
            if let Some(path) = &d.file
                && sources.text(path).is_none()
                && let Some(f) = files.iter().find(|f| &f.path == path)
                && let Some(new) = &f.new
            {
                sources.insert(path.clone(), new.text.clone());
            }
        }
        diagnostic::sort(&mut diags);
        let changes = files.into_iter().flat_map(|f| f.changes).collect();
        commits.push(CommitCheck { commit, actors, changes, diagnostics: diags, signature, sources });
    }
    let loaded = match history.plan_tree(head)? {
        Some(tree) => crate::plan::load(&crate::plan::source::GitSource::from_tree(history.repo(), tree)?),
        None => crate::plan::load_dir(plan_path)?,
    };
    let head_report = crate::rules::validate(&loaded, options.today);
    Ok(Report {
        base: base.map(|b| b.to_string()),
        head: head.to_string(),
        commits,
        reviews,
        head_report,
        head_sources: loaded.plan.sources,
    })
}

/// `signature-required` and `signature-invalid`: where the plan requires signatures, each
/// commit is signed by a key people.toml gives to its author or committer.
fn signature_rule(status: &crate::signature::Status, actors: &[Identity], out: &mut Vec<Diagnostic>) {
    use crate::signature::Status;
    let help = "sign commits with a key listed under your `signing-keys` in people.toml (git commit -S; for SSH keys set gpg.format = ssh)";
    match status {
        Status::Verified { person } => {
            if !actors.iter().any(|a| a.person.as_deref() == Some(person.as_str())) {
                out.push(
                    Diagnostic::error(
                        "signature-invalid",
                        format!("the commit is signed by {person}'s key, but {person} is neither its author nor its committer"),
                    )
                    .help(help),
                );
            }
        }
        Status::Unsigned => out.push(
            Diagnostic::error("signature-required", "the commit is not signed, and this plan requires signed commits")
                .help(help),
        ),
        Status::UnknownKey => out.push(
            Diagnostic::error("signature-invalid", "the commit is signed with a key that no one in people.toml has")
                .help(help),
        ),
        Status::Bad { reason } | Status::Unverifiable { reason } => out.push(
            Diagnostic::error("signature-invalid", format!("the commit's signature cannot be verified: {reason}"))
                .help(help),
        ),
    }
}

/// A need, with the change it is for, that the commit's actors did not meet.
pub type Shortfall<'c> = (Need, &'c Change);
