//! `kept publish`: the plan's public site from committed history only: Atom and JSON feeds,
//! a static dashboard in the plan's languages, open data and status badges.
//!
//! Everything is rendered into memory from one revision and its history, dated by that
//! revision's commit (never by the clock), so publishing the same revision twice gives the
//! same bytes; the site is then swapped in whole, so a web server never serves a mix.

mod badge;
mod data;

pub use data::{COMMITMENT_COLUMNS, commitment_rows, csv, csv_field};
mod feed;
pub use feed::{Item, JsonFeed, JsonItem, atom_entry, atom_size, items, json_item};
mod html;
pub mod i18n;
mod pages;
mod reuse;

pub use pages::Memo;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::audit::Entry;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::history::{History, HistoryError};
use crate::plan::Plan;

/// The site, as paths and their bytes: kept in memory, or written straight to a directory
/// as each file is rendered (a plan of a thousand commitments makes an 80 MB site).
#[derive(Debug, Default)]
pub struct Site {
    /// Repository-style paths (`feed.atom`, `commitments/UAKLY0003.html`) to contents, for
    /// a site kept in memory.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Where files go, for a site written as it is rendered.
    dir: Option<PathBuf>,
    /// How many files were added.
    count: usize,
    /// The first file that could not be written.
    failed: Option<(PathBuf, std::io::Error)>,
    /// The version directory being brought up to date, for a site written into one.
    spare: Option<reuse::Spare>,
    /// Each file's fingerprint, for the version's manifest.
    prints: Vec<(String, reuse::Print)>,
    /// How many files the spare version already held unchanged.
    unchanged: usize,
    /// Directories made so far (each is made once, not once per file).
    made: std::collections::HashSet<PathBuf>,
}

impl Site {
    /// A site written into `dir` as it is rendered.
    pub fn into_dir(dir: PathBuf) -> Site {
        Site { dir: Some(dir), ..Site::default() }
    }

    /// How many files the site has.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn add(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        let (path, contents) = (path.into(), contents.into());
        self.count += 1;
        let Some(dir) = &self.dir else {
            self.files.insert(path, contents);
            return;
        };
        if self.failed.is_some() {
            return;
        }
        let target = dir.join(&path);
        let print = reuse::fingerprint(&contents);
        let held = self.spare.as_mut().is_some_and(|spare| spare.claim(&path, print));
        self.prints.push((path, print));
        if held {
            self.unchanged += 1;
            return;
        }
        if let Err(e) = self.make_parent(&target).and_then(|()| reuse::replace(&target, &contents)) {
            self.failed = Some((target, e));
        }
    }

    /// Add a file that `write` makes in pieces. A site in a directory takes the pieces
    /// straight into the file, so the largest files (the dashboard, the open data, the plan's
    /// feeds: megabytes each on a large plan) are never whole in memory.
    fn add_written(
        &mut self,
        path: impl Into<String>,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) {
        let path = path.into();
        self.count += 1;
        let Some(dir) = &self.dir else {
            let mut bytes = Vec::new();
            let written = write(&mut bytes);
            debug_assert!(written.is_ok(), "writing {path} into memory failed: {written:?}");
            self.files.insert(path, bytes);
            return;
        };
        if self.failed.is_some() {
            return;
        }
        let target = dir.join(&path);
        let written = self.make_parent(&target).and_then(|()| reuse::write_temp(&target, write));
        let settled = written.and_then(|(temp, print)| {
            let held = self.spare.as_mut().is_some_and(|spare| spare.claim(&path, print));
            self.unchanged += usize::from(held);
            self.prints.push((path, print));
            reuse::settle(&temp, &target, held)
        });
        if let Err(e) = settled {
            self.failed = Some((target, e));
        }
    }

    /// Keep files the version being written already holds with these fingerprints, without
    /// their bytes; false (and nothing kept) if it does not hold every one of them.
    fn keep_all(&mut self, files: &[(String, reuse::Print)]) -> bool {
        let Some(spare) = self.spare.as_mut() else { return false };
        if self.failed.is_some() || !files.iter().all(|(path, print)| spare.holds(path, *print)) {
            return false;
        }
        for (path, print) in files {
            spare.claim(path, *print);
            self.prints.push((path.clone(), *print));
        }
        self.count += files.len();
        self.unchanged += files.len();
        true
    }

    /// Make a file's directory, once.
    fn make_parent(&mut self, target: &Path) -> std::io::Result<()> {
        match target.parent() {
            Some(p) if !self.made.contains(p) => {
                std::fs::create_dir_all(p)?;
                self.made.insert(p.to_path_buf());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Remove what the new version lacks, then write its manifest: the version is whole.
    fn finish(&mut self) {
        let (Some(dir), None) = (&self.dir, &self.failed) else { return };
        if let Some(spare) = &mut self.spare
            && let Err(e) = spare.remove_stale()
        {
            self.failed = Some((dir.clone(), e));
            return;
        }
        let path = dir.join(reuse::MANIFEST);
        if let Err(e) = std::fs::write(&path, reuse::manifest(&self.prints)) {
            self.failed = Some((path, e));
        }
    }

    /// How many files the version written over already held unchanged.
    pub fn unchanged(&self) -> usize {
        self.unchanged
    }
}

/// What the site is made from.
pub struct Input<'a> {
    /// The plan at the published revision.
    pub plan: &'a Plan,
    /// Its step catalogue.
    pub catalogue: &'a Catalogue,
    /// The published commit.
    pub commit: String,
    /// The published commit's date: the site's "as of".
    pub as_of: Date,
    /// The commit's time (seconds since the epoch), for feed `updated`.
    pub time: i64,
    /// The audit trail, newest first.
    pub entries: &'a [Entry],
    /// Where the site will live, ending in `/` (relative links work without it).
    pub base_url: Option<String>,
    /// The repository's web address, for commit links.
    pub forge_url: Option<String>,
}

impl Input<'_> {
    /// The plan's languages (at least one).
    pub fn languages(&self) -> Vec<String> {
        let l = self.plan.languages();
        if l.is_empty() { vec!["en".to_string()] } else { l }
    }

    /// The languages with `lang` first, for picking translations.
    pub fn prefer(&self, lang: &str) -> Vec<String> {
        let mut v = vec![lang.to_string()];
        v.extend(self.languages().into_iter().filter(|l| l != lang));
        v
    }

    /// The member code, for ids.
    pub fn code(&self) -> String {
        self.plan.meta.as_ref().and_then(|m| m.member_code.as_ref()).map_or("plan".into(), |c| c.value.clone())
    }

    /// An absolute URL for a site path, when the base is known.
    pub fn url(&self, path: &str) -> Option<String> {
        self.base_url.as_ref().map(|b| format!("{}/{}", b.trim_end_matches('/'), path))
    }

    /// The forge's page for a commit, when the plan names its forge.
    pub fn commit_url(&self, commit: &str) -> Option<String> {
        self.forge_url.as_ref().map(|f| format!("{}/commit/{commit}", f.trim_end_matches('/')))
    }

    /// The page of the site for a language: `index.html` for the primary one.
    pub fn page(&self, name: &str, lang: &str) -> String {
        if self.languages().first().map(String::as_str) == Some(lang) {
            format!("{name}.html")
        } else {
            format!("{name}.{lang}.html")
        }
    }
}

/// How much text a file written in pieces gathers before handing it on.
const PIECE: usize = 64 * 1024;

/// Hand the text gathered so far on to `w` once there is enough of it, so a large file is
/// written in pieces instead of being built whole in memory.
pub fn spill(out: &mut String, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if out.len() >= PIECE {
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    Ok(())
}

/// The text a writer of pieces makes, gathered in memory (for files small enough to hold).
pub fn in_memory(capacity: usize, write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::with_capacity(capacity);
    // Writing into memory does not fail (the writers here serialise strings and numbers
    // only), and every writer here writes UTF-8.
    let written = write(&mut out);
    debug_assert!(written.is_ok(), "writing into memory failed: {written:?}");
    String::from_utf8(out).unwrap_or_default()
}

/// Escape text for XML and HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_into(&mut out, s);
    out
}

/// Escape text for XML and HTML onto the end of `out`.
pub fn esc_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
}

/// An RFC 3339 UTC timestamp for seconds since the epoch.
pub fn rfc3339(time: i64) -> String {
    let date = Date::from_days(time.div_euclid(86_400));
    let secs = time.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Build the whole site in memory.
pub fn build(input: &Input<'_>) -> Site {
    let mut site = Site::default();
    render(input, &mut site, None);
    site
}

fn render(input: &Input<'_>, site: &mut Site, memo: Option<&mut Memo>) {
    let t = std::time::Instant::now();
    let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
    let shared = pages::Shared::new(input);
    let shared_ms = ms(t);
    feed::render(input, site);
    let feed_ms = ms(t);
    data::render(input, &shared.statuses[0].1, site);
    let data_ms = ms(t);
    html::render(input, &shared, site);
    let html_ms = ms(t);
    pages::render(input, &shared, site, memo);
    tracing::debug!(shared_ms, feed_ms, data_ms, html_ms, pages_ms = ms(t), "render phases (cumulative)");
}

/// Why a site could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Reading history failed.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// Loading the plan failed.
    #[error(transparent)]
    Load(#[from] crate::plan::LoadError),
    /// The plan names a catalogue kept does not have.
    #[error("the plan names a step catalogue kept does not ship; run `kept validate`")]
    Catalogue,
    /// Writing the site failed.
    #[error("cannot write the site to {}", path.display())]
    Write {
        /// Where.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Build the site of a revision of the plan at `path`, in memory.
pub fn site_at(history: &History, path: &Path, rev: &str, base_url: Option<String>) -> Result<Site, PublishError> {
    let mut site = Site::default();
    render_at(history, path, rev, base_url, &mut site)?;
    Ok(site)
}

/// Publish a revision of the plan at `path` to `out`: the site is written beside it as it is
/// rendered, then swapped in whole (see [`write`]). Returns how many files it has.
pub fn publish(
    history: &History,
    path: &Path,
    rev: &str,
    base_url: Option<String>,
    out: &Path,
) -> Result<usize, PublishError> {
    publish_plan(history, path, rev, None, base_url, out, None)
}

/// [`publish`], with the plan at `rev` already loaded (the daemon has just validated it),
/// and a memo of the previous publish to `out`, so that commitments whose inputs did not
/// change are neither rendered nor written again.
pub fn publish_plan(
    history: &History,
    path: &Path,
    rev: &str,
    loaded: Option<&crate::plan::Loaded>,
    base_url: Option<String>,
    out: &Path,
    memo: Option<&mut Memo>,
) -> Result<usize, PublishError> {
    publish_plan_with(history, path, rev, loaded, base_url, out, memo, |_| ())
}

/// [`publish_plan`], also handing what the site was made from to `visit` (the daemon keeps
/// the plan's part of the many-plans view from it, without reading the history again).
#[allow(clippy::too_many_arguments)]
pub fn publish_plan_with(
    history: &History,
    path: &Path,
    rev: &str,
    loaded: Option<&crate::plan::Loaded>,
    base_url: Option<String>,
    out: &Path,
    memo: Option<&mut Memo>,
    visit: impl FnOnce(&Input<'_>),
) -> Result<usize, PublishError> {
    let head = history.resolve(rev)?;
    let mut site = spare_site(out)?;
    with_input(history, path, &head.to_string(), loaded, base_url, |input| {
        let started = std::time::Instant::now();
        render(input, &mut site, memo);
        tracing::debug!(render_ms = started.elapsed().as_secs_f64() * 1e3, files = site.len(), "site rendered");
        visit(input);
    })?;
    finish_and_swap(site, out)
}

/// A site written into the spare version directory of `out`.
fn spare_site(out: &Path) -> Result<Site, PublishError> {
    let parent = parent_of(out);
    std::fs::create_dir_all(parent).map_err(write_error(parent))?;
    let spare = reuse::Spare::open(out, parent).map_err(write_error(out))?;
    let mut site = Site::into_dir(spare.dir.clone());
    site.spare = Some(spare);
    Ok(site)
}

/// Finish a site written into a version directory and swap it in as `out`; returns how many
/// files it has.
fn finish_and_swap(mut site: Site, out: &Path) -> Result<usize, PublishError> {
    site.finish();
    if let Some((path, source)) = site.failed.take() {
        return Err(PublishError::Write { path, source });
    }
    let dir = site.dir.take().expect("a site written into a directory");
    swap(out, &dir)?;
    Ok(site.len())
}

/// Write a site built in memory to `out`, swapped in whole as [`publish`] does (files the
/// version written over already holds are left alone). Returns how many files it has.
pub fn write_site(files: &BTreeMap<String, Vec<u8>>, out: &Path) -> Result<usize, PublishError> {
    let mut site = spare_site(out)?;
    for (path, bytes) in files {
        site.add(path.clone(), bytes.clone());
    }
    finish_and_swap(site, out)
}

fn render_at(
    history: &History,
    path: &Path,
    rev: &str,
    base_url: Option<String>,
    site: &mut Site,
) -> Result<(), PublishError> {
    render_loaded(history, path, rev, None, base_url, site, None)
}

fn render_loaded(
    history: &History,
    path: &Path,
    rev: &str,
    loaded: Option<&crate::plan::Loaded>,
    base_url: Option<String>,
    site: &mut Site,
    memo: Option<&mut Memo>,
) -> Result<(), PublishError> {
    with_input(history, path, rev, loaded, base_url, |input| {
        let started = std::time::Instant::now();
        render(input, site, memo);
        tracing::debug!(render_ms = started.elapsed().as_secs_f64() * 1e3, files = site.len(), "site rendered");
    })
}

/// Call `f` with what the site of a revision is made from: the plan (`loaded`, or loaded
/// here), its catalogue, the audit trail, and the site's and forge's addresses (`base_url`,
/// or kept.toml's).
pub fn with_input<R>(
    history: &History,
    path: &Path,
    rev: &str,
    loaded: Option<&crate::plan::Loaded>,
    base_url: Option<String>,
    f: impl FnOnce(&Input<'_>) -> R,
) -> Result<R, PublishError> {
    let head = history.resolve(rev)?;
    let commit = history.commit(head, true)?;
    let fresh;
    let loaded = match loaded {
        Some(l) => l,
        None => {
            fresh = crate::plan::load_rev(path, &head.to_string())?;
            &fresh
        }
    };
    let catalogue = crate::rules::catalogue_for(&loaded.plan).ok_or(PublishError::Catalogue)?;
    let options =
        crate::audit::Options { rev: &head.to_string(), filter: Default::default(), cache: true, progress: None };
    let started = std::time::Instant::now();
    let entries = crate::audit::log(history, &options)?;
    tracing::debug!(audit_ms = started.elapsed().as_secs_f64() * 1e3, "audit trail read");
    let settings = loaded.plan.settings.as_ref();
    let base_url = base_url.or_else(|| settings.and_then(|s| s.base_url.as_ref()).map(|u| u.value.clone()));
    let forge_url = settings.and_then(|s| s.forge_url.as_ref()).map(|u| u.value.clone());
    let input = Input {
        plan: &loaded.plan,
        catalogue: &catalogue,
        commit: head.to_string(),
        as_of: commit.committer.date(),
        time: commit.committer.time,
        entries: &entries,
        base_url,
        forge_url,
    };
    Ok(f(&input))
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + use<> {
    let path = path.to_path_buf();
    move |source| PublishError::Write { path, source }
}

/// The parent directory of `out`.
fn parent_of(out: &Path) -> &Path {
    out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Point `out` at the version directory just written, in one rename.
fn swap(out: &Path, dir: &Path) -> Result<(), PublishError> {
    let parent = parent_of(out);
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("site");
    let staged = dir.file_name().expect("a staged directory has a name");
    // An earlier site published as a plain directory moves aside once.
    let previous = std::fs::read_link(out).ok();
    if out.exists() && previous.is_none() {
        let aside = parent.join(format!(".{name}.before-kept"));
        let _ = std::fs::remove_dir_all(&aside);
        std::fs::rename(out, &aside).map_err(write_error(out))?;
    }
    let link = parent.join(format!(".{name}.link-{}", staged.to_string_lossy()));
    let _ = std::fs::remove_file(&link);
    #[cfg(unix)]
    std::os::unix::fs::symlink(staged, &link).map_err(write_error(&link))?;
    std::fs::rename(&link, out).map_err(write_error(out))?;
    // Directories and links of earlier layouts (one directory per version) go.
    let prefix = format!(".{name}.");
    let slots = reuse::slot_names(out);
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let entry_name = entry.file_name();
        let Some(n) = entry_name.to_str() else { continue };
        if n.starts_with(&prefix) && !slots.iter().any(|s| s == n) && !n.ends_with(".before-kept") {
            let path = entry.path();
            let dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let _ = if dir { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_whose_writer_fails_fails_the_publish_and_leaves_no_manifest() {
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("version");
        let mut site = Site::into_dir(dir.clone());
        site.add_written("index.html", |w| w.write_all(b"<!DOCTYPE html>"));
        site.add_written("data/plan.json", |w| {
            w.write_all(b"{\"half\":")?;
            Err(std::io::Error::other("the plan could not be serialised"))
        });
        site.add_written("feed.atom", |w| w.write_all(b"<feed/>"));
        let err = finish_and_swap(site, &out.path().join("site")).unwrap_err();
        assert!(
            matches!(&err, PublishError::Write { path, source }
                if path.ends_with("data/plan.json") && source.to_string() == "the plan could not be serialised"),
            "{err:?}"
        );
        assert!(!dir.join(reuse::MANIFEST).exists(), "a version with a failed file is not whole");
        assert!(!out.path().join("site").exists(), "nothing is swapped in");
        let left: Vec<_> = std::fs::read_dir(dir.join("data")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "no partial or temporary file is left: {left:?}");
    }

    #[test]
    fn a_site_in_memory_takes_files_written_in_pieces_whole() {
        let mut site = Site::default();
        site.add_written("data/x.csv", |w| {
            for i in 0..10_000 {
                write!(w, "{i},")?;
            }
            Ok(())
        });
        let bytes = &site.files["data/x.csv"];
        assert_eq!(bytes.len(), (0..10_000).map(|i: i32| i.to_string().len() + 1).sum::<usize>());
        assert!(bytes.starts_with(b"0,1,2,") && bytes.ends_with(b"9999,"));
    }
}
