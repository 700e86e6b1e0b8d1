//! `kept aggregate` and the daemon's many-plans view: one dashboard, one feed and one
//! open-data set across many plans, with each plan's validation state (issue 7).
//!
//! Each plan contributes a [`Part`]: the code it is listed under, its [`Check`] (valid,
//! invalid with its diagnostics, unreadable, or not checked yet) and, when its plan could be
//! read, its [`Content`] (a [`Summary`] for the table, its feed items, its commitments'
//! open-data rows). A plan that does not validate is listed with its diagnostics, never left
//! out. [`files`] renders the parts into `index.html`, `feed.atom`, `feed.json` and
//! `data/{plans.csv,commitments.csv,plans.json}`, dated by the plans' commits, never by the
//! clock, so the same revisions give the same bytes. [`read`] makes a part from a repository
//! (the CLI); the daemon makes its parts from what it published and what it checked.

mod data;
mod feed;
mod html;
mod read;

pub use read::read;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::publish::{Input, Item};

/// One finding of a plan that does not validate, as the status API and `kept validate
/// --format json` give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `error` or `warning`.
    pub severity: String,
    /// The rule's code (`date-order`).
    pub code: String,
    /// The file, repository-relative.
    #[serde(default)]
    pub file: Option<String>,
    /// Its line, from 1.
    #[serde(default)]
    pub line: Option<usize>,
    /// Its column, from 1.
    #[serde(default)]
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Finding {
    /// Where it is: `file:line:column`, `file`, or nothing.
    pub fn at(&self) -> String {
        match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(f), Some(l), None) => format!("{f}:{l}"),
            (Some(f), _, _) => f.clone(),
            _ => String::new(),
        }
    }
}

/// A plan's validation state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Check {
    /// Not checked yet (the daemon has just started).
    Pending,
    /// Not a repository, no commit, or no plan that can be read at all.
    Unreadable {
        /// Why, with its causes.
        problem: String,
    },
    /// It validates.
    Valid {
        /// Its warnings.
        warnings: usize,
    },
    /// It does not validate.
    Invalid {
        /// Its errors.
        errors: usize,
        /// Its warnings.
        warnings: usize,
        /// Every finding.
        diagnostics: Vec<Finding>,
    },
}

impl Check {
    /// The state's word: `pending`, `unreadable`, `valid` or `invalid`.
    pub fn word(&self) -> &'static str {
        match self {
            Check::Pending => "pending",
            Check::Unreadable { .. } => "unreadable",
            Check::Valid { .. } => "valid",
            Check::Invalid { .. } => "invalid",
        }
    }

    /// Whether the plan validates.
    pub fn is_valid(&self) -> bool {
        matches!(self, Check::Valid { .. })
    }

    /// Errors and warnings, when known.
    pub fn counts(&self) -> Option<(usize, usize)> {
        match self {
            Check::Valid { warnings } => Some((0, *warnings)),
            Check::Invalid { errors, warnings, .. } => Some((*errors, *warnings)),
            Check::Pending | Check::Unreadable { .. } => None,
        }
    }
}

/// A plan at a commit, for the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The member (municipality), in the plan's primary language.
    pub member: String,
    /// The plan's primary language.
    pub language: String,
    /// The plan's title, in that language.
    pub title: String,
    /// The current phase's id (`implement`).
    pub phase: String,
    /// Its number, from 1.
    pub phase_number: usize,
    /// Commitments.
    pub commitments: usize,
    /// Milestones.
    pub milestones: usize,
    /// Completed milestones.
    pub completed: usize,
    /// Open milestones past their due date, on the commit's date.
    pub overdue: usize,
    /// The commit described.
    pub commit: String,
    /// Its date: what the summary is as of.
    pub as_of: Date,
    /// Its time (seconds since the epoch).
    pub time: i64,
}

/// What a plan's repository gives the aggregate: its summary, and (when it validates) its
/// feed items and its commitments' open-data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// The plan at the commit.
    pub summary: Summary,
    /// Its feed items, newest first, with the ids of its own feed.
    pub items: Vec<Item>,
    /// Its rows of `data/commitments.csv` (see [`crate::publish::COMMITMENT_COLUMNS`]).
    pub commitments: Vec<Vec<String>>,
}

impl Content {
    /// The content of a plan's site: its summary, its newest `limit` feed items (all of them
    /// for `None`), its commitments.
    pub fn of(input: &Input<'_>, limit: Option<usize>) -> Content {
        let (summary, status) = summarise(input);
        // The entries of the newest `limit` commits only: describing every commit of a long
        // history to keep a few hundred would cost more than the rest of a publish.
        let mut commits = 0;
        let mut previous: Option<&str> = None;
        let entries = input.entries.iter().take_while(|e| {
            if previous != Some(e.commit.as_str()) {
                previous = Some(e.commit.as_str());
                commits += 1;
            }
            limit.is_none_or(|l| commits <= l)
        });
        let items = crate::publish::items(input, entries);
        Content { summary, items, commitments: crate::publish::commitment_rows(input, &status) }
    }

    /// Only the summary of a plan (one that does not validate: nothing of it is published).
    pub fn summary_only(input: &Input<'_>) -> Content {
        Content { summary: summarise(input).0, items: Vec::new(), commitments: Vec::new() }
    }
}

/// The summary of a plan, and its status in its primary language.
fn summarise(input: &Input<'_>) -> (Summary, crate::status::Status) {
    let language = input.languages()[0].clone();
    let status = crate::status::compute_in(input.plan, input.catalogue, input.as_of, &input.prefer(&language));
    let milestones = status.commitments.iter().map(|c| c.milestones.values().sum::<usize>()).sum();
    let completed = status.commitments.iter().map(|c| c.milestones.get("completed").copied().unwrap_or(0)).sum();
    let summary = Summary {
        member: status.member.clone(),
        language,
        title: status.title.clone(),
        phase: status.phase.clone(),
        phase_number: status.phase_number,
        commitments: status.commitments.len(),
        milestones,
        completed,
        overdue: status.overdue.len(),
        commit: input.commit.clone(),
        as_of: input.as_of,
        time: input.time,
    };
    (summary, status)
}

/// One plan of the aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The code it is listed under: its member code (or what the daemon serves it as); for a
    /// repository that could not be read, the name of its directory.
    pub code: String,
    /// Where it was read from (a path or a remote), for messages; never published.
    pub location: String,
    /// Its published site's address, for links.
    pub site_url: Option<String>,
    /// The commit checked, if any.
    pub revision: Option<String>,
    /// Its validation state at that commit.
    pub check: Check,
    /// What is shown of it: the plan at [`Part::revision`], or (in the daemon, when that does
    /// not validate) at the last commit published.
    pub content: Option<Arc<Content>>,
}

/// Where the aggregate lives and how much of the feeds it keeps.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The aggregate's own address, for feed ids and links (relative links work without it).
    pub base_url: Option<String>,
    /// At most this many feed entries (all of them for `None`).
    pub feed_limit: Option<usize>,
}

impl Options {
    /// An absolute URL for a path of the aggregate, when its address is known.
    fn url(&self, path: &str) -> Option<String> {
        self.base_url.as_ref().map(|b| format!("{}/{path}", b.trim_end_matches('/')))
    }
}

/// The files of the aggregate, by path.
pub const FILES: [&str; 6] =
    ["index.html", "feed.atom", "feed.json", "data/plans.csv", "data/commitments.csv", "data/plans.json"];

/// One file of the aggregate (one of [`FILES`]).
pub fn file(parts: &[Part], options: &Options, path: &str) -> Option<Vec<u8>> {
    let text = match path {
        "index.html" => html::index(parts),
        "feed.atom" => feed::atom(parts, options),
        "feed.json" => feed::json(parts, options),
        "data/plans.csv" => data::plans_csv(parts),
        "data/commitments.csv" => data::commitments_csv(parts),
        "data/plans.json" => data::plans_json(parts),
        _ => return None,
    };
    Some(text.into_bytes())
}

/// Every file of the aggregate.
pub fn files(parts: &[Part], options: &Options) -> BTreeMap<String, Vec<u8>> {
    FILES.iter().filter_map(|f| Some((f.to_string(), file(parts, options, f)?))).collect()
}

/// The date the aggregate is as of: its newest plan's commit.
fn as_of(parts: &[Part]) -> Option<Date> {
    parts.iter().filter_map(|p| p.content.as_ref()).map(|c| c.summary.as_of).max()
}

/// Why an aggregate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    /// Two plans are listed under the same code.
    #[error("{first} and {second} are both plan {code}; list each plan once")]
    Duplicate {
        /// The code.
        code: String,
        /// Where the first is.
        first: String,
        /// Where the second is.
        second: String,
    },
    /// Writing it failed.
    #[error("cannot write the aggregate")]
    Write(#[source] crate::publish::PublishError),
}

/// Refuse parts listed under the same code (the same plan twice, or two plans that claim one
/// member code): their feeds' entry ids and their rows would be indistinguishable.
pub fn unique(parts: &[Part]) -> Result<(), AggregateError> {
    for (i, p) in parts.iter().enumerate() {
        if let Some(q) = parts[..i].iter().find(|q| q.code == p.code) {
            return Err(AggregateError::Duplicate {
                code: p.code.clone(),
                first: q.location.clone(),
                second: p.location.clone(),
            });
        }
    }
    Ok(())
}

/// Write the aggregate of `parts` to `out`, swapped in whole as `kept publish` does.
/// Returns how many files it has.
pub fn publish(parts: &[Part], options: &Options, out: &Path) -> Result<usize, AggregateError> {
    unique(parts)?;
    crate::publish::write_site(&files(parts, options), out).map_err(AggregateError::Write)
}
