//! Each commitment's own files (its page in every language, its two feeds, its badge), and
//! a memo that lets a publish skip the commitments whose inputs did not change.
//!
//! A commitment's files are a function of: the commitment's own files (commitment.toml and
//! its narratives), its entries in the audit trail, its computed status in each language
//! (which folds in the catalogue, the plan's dates and the last update naming it), and a few
//! plan-wide things (kept.toml, plan.toml, people.toml, a plan catalogue, the languages, the
//! site and forge addresses, the publication date). The memo keeps a hash of all of that per
//! commitment beside the fingerprints of the files it gave; when the hash is the same and the
//! version directory being written already holds those files, nothing is rendered or
//! written. The tests publish generated histories both ways and compare every byte.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::reuse::Print;
use super::{Input, Site, badge, feed, html};
use crate::audit::Entry;
use crate::hash::Digest;
use crate::plan::Commitment;
use crate::status::{CommitmentStatus, Status};

/// What a publish keeps for the next one: per commitment directory, the hash of its inputs
/// and its files' fingerprints.
#[derive(Debug, Default)]
pub struct Memo {
    commitments: HashMap<String, (u128, Vec<(String, Print)>)>,
    reused: usize,
}

impl Memo {
    /// How many commitments it remembers.
    pub fn len(&self) -> usize {
        self.commitments.len()
    }

    /// How many commitments the last publish took as they were, without rendering them.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Whether it remembers none.
    pub fn is_empty(&self) -> bool {
        self.commitments.is_empty()
    }
}

/// What every commitment's files are made from, computed once per publish.
pub struct Shared<'a> {
    /// The status in each of the plan's languages, primary first.
    pub statuses: Vec<(String, Status)>,
    /// Each commitment's entries (by directory), newest first.
    entries: HashMap<&'a str, Vec<&'a Entry>>,
}

impl<'a> Shared<'a> {
    /// Statuses and entries by commitment, for `input`.
    pub fn new(input: &Input<'a>) -> Shared<'a> {
        let statuses = input
            .languages()
            .into_iter()
            .map(|lang| {
                let status = crate::status::compute_in(input.plan, input.catalogue, input.as_of, &input.prefer(&lang));
                (lang, status)
            })
            .collect();
        let mut entries: HashMap<&str, Vec<&Entry>> = HashMap::new();
        for e in input.entries {
            if let Some(dir) = e.change.commitment.as_deref() {
                entries.entry(dir).or_default().push(e);
            }
        }
        Shared { statuses, entries }
    }

    /// A commitment's entries, newest first.
    pub fn entries(&self, dir: &str) -> &[&'a Entry] {
        self.entries.get(dir).map_or(&[], Vec::as_slice)
    }
}

/// Render every commitment's files into the site, skipping (with a memo) those whose inputs
/// are unchanged and whose files the version being written already holds.
pub fn render(input: &Input<'_>, shared: &Shared<'_>, site: &mut Site, mut memo: Option<&mut Memo>) {
    // Each language's statuses by commitment id (the first commitment of an id, as a page
    // shows it).
    let by_id: Vec<HashMap<&str, &CommitmentStatus>> = shared
        .statuses
        .iter()
        .map(|(_, s)| {
            let mut m = HashMap::new();
            for c in &s.commitments {
                m.entry(c.id.as_str()).or_insert(c);
            }
            m
        })
        .collect();
    let global = memo.is_some().then(|| plan_wide(input));
    if let Some(memo) = memo.as_deref_mut() {
        memo.reused = 0;
    }
    let mut seen = std::collections::HashSet::new();
    for c in &input.plan.commitments {
        let statuses: Vec<Option<&CommitmentStatus>> =
            by_id.iter().map(|m| m.get(c.id.value.as_str()).copied()).collect();
        let entries = shared.entries(&c.dir);
        let key = global.as_ref().map(|g| inputs(g.clone(), input, c, &statuses, entries));
        seen.insert(c.dir.as_str());
        if let (Some(memo), Some(key)) = (memo.as_deref_mut(), key)
            && let Some((k, files)) = memo.commitments.get(&c.dir)
            && *k == key
            && site.keep_all(files)
        {
            memo.reused += 1;
            continue;
        }
        let files = files_of(input, shared, c, &statuses, entries);
        let mut prints = Vec::with_capacity(files.len());
        for (path, bytes) in files {
            prints.push((path.clone(), super::reuse::fingerprint(bytes.as_bytes())));
            site.add(path, bytes);
        }
        if let (Some(memo), Some(key)) = (memo.as_deref_mut(), key) {
            memo.commitments.insert(c.dir.clone(), (key, prints));
        }
    }
    if let Some(memo) = memo {
        memo.commitments.retain(|dir, _| seen.contains(dir.as_str()));
    }
}

/// A commitment's files: its page in each language, its Atom and JSON feeds, its badge.
fn files_of(
    input: &Input<'_>,
    shared: &Shared<'_>,
    c: &Commitment,
    statuses: &[Option<&CommitmentStatus>],
    entries: &[&Entry],
) -> Vec<(String, String)> {
    let mut files = Vec::with_capacity(shared.statuses.len() + 3);
    for ((lang, _), status) in shared.statuses.iter().zip(statuses) {
        let page = html::commitment_page(input, *status, c, entries, lang);
        files.push((format!("commitments/{}", input.page(&c.dir, lang)), page));
    }
    files.extend(feed::commitment(input, c, entries));
    if let (Some((lang, _)), Some(Some(status))) = (shared.statuses.first(), statuses.first()) {
        files.push((format!("badges/{}.svg", status.id), badge::svg(lang, status)));
    }
    files
}

/// The hash of what every commitment's files depend on beyond the commitment itself.
fn plan_wide(input: &Input<'_>) -> Digest {
    let mut h = Digest::default();
    let mut part = |s: &str| {
        h.write(s.as_bytes());
        h.write(&[0xff]);
    };
    part(&input.as_of.to_string());
    part(input.base_url.as_deref().unwrap_or_default());
    part(input.forge_url.as_deref().unwrap_or_default());
    part(&input.languages().join(","));
    for file in ["kept.toml", "plan.toml", "people.toml", "catalogue.toml"] {
        part(file);
        part(input.plan.sources.text(file).unwrap_or_default());
    }
    h
}

/// The hash of everything a commitment's files are made from.
fn inputs(
    mut h: Digest,
    input: &Input<'_>,
    c: &Commitment,
    statuses: &[Option<&CommitmentStatus>],
    entries: &[&Entry],
) -> u128 {
    let mut buf = String::new();
    let prefix = format!("commitments/{}/", c.dir);
    for path in input.plan.files.range(prefix.clone()..).take_while(|p| p.starts_with(&prefix)) {
        h.write(path.as_bytes());
        h.write(input.plan.sources.text(path).unwrap_or_default().as_bytes());
    }
    let _ = write!(buf, "{statuses:?}");
    for e in entries {
        let _ = write!(buf, "{e:?}");
    }
    // A commitment without entries has its feeds dated by the publication.
    if entries.is_empty() {
        let _ = write!(buf, "{}", input.time);
    }
    h.write(buf.as_bytes());
    h.finish()
}
