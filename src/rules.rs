//! Snapshot rules: what must hold in one revision of a plan (`kept validate`).
//!
//! One rule per file. Each rule reads the typed [`Plan`] and appends [`Diagnostic`]s; rules
//! never stop at the first finding. [`CODES`] lists every code the loader and the rules
//! emit, with what it means, so documentation and tests can enumerate them.

mod authority;
mod commitment_state;
mod dates;
pub mod freshness;
mod ids;
mod languages;
mod milestone_state;
mod narrative;
mod opportunities;
pub mod people;
pub mod phase_exit;
mod references;
mod settings;
mod smart;
mod updates;

use crate::catalogue::{self, Catalogue};
use crate::date::Date;
use crate::diagnostic::{self, Diagnostic};
use crate::plan::{Loaded, Plan};

/// What the rules see.
pub struct Context<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Its step catalogue.
    pub catalogue: &'a Catalogue,
    /// The date the plan is judged on (overdue, staleness, dates in the future).
    pub today: Date,
}

/// A snapshot rule.
pub trait Rule: Sync {
    /// Check the plan, appending findings.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

const RULES: &[&dyn Rule] = &[
    &settings::Settings,
    &ids::Ids,
    &references::References,
    &dates::Dates,
    &narrative::Narratives,
    &smart::Smart,
    &milestone_state::MilestoneState,
    &commitment_state::CommitmentState,
    &authority::Authority,
    &people::People,
    &opportunities::Scores,
    &updates::Updates,
    &languages::Languages,
    &freshness::Freshness,
    &phase_exit::PhaseExit,
];

/// Every diagnostic code, with a one-line description.
pub const CODES: &[(&str, &str)] = &[
    ("toml-syntax", "a TOML file does not parse"),
    ("invalid-type", "a value has the wrong TOML type"),
    ("missing-field", "a required key is absent"),
    ("unknown-key", "a key the format does not know (likely a typo)"),
    ("invalid-value", "a value outside its vocabulary or range"),
    ("invalid-id", "an id that is not a safe path component"),
    ("nesting-too-deep", "arrays or tables nested beyond the limit"),
    ("file-too-large", "a file larger than the loader reads"),
    ("invalid-utf8", "a file that is not UTF-8"),
    ("unsafe-path", "a symbolic link out of the repository, or an unsafe directory name"),
    ("not-a-file", "a plan file that is a directory or special file"),
    ("unreadable-file", "a file that cannot be read"),
    ("missing-file", "kept.toml, plan.toml or a commitment.toml is missing"),
    ("missing-front-matter", "an update without TOML front matter"),
    ("update-file-name", "an update not named <date>-<slug>.md"),
    ("unsupported-version", "a schema version or catalogue kept does not know"),
    ("invalid-catalogue", "a plan's own catalogue.toml that cannot be used"),
    ("duplicate-id", "two things share an id"),
    ("id-mismatch", "a commitment id that differs from its directory or member code"),
    ("unresolved-reference", "an id that names nothing"),
    ("date-order", "dates out of order"),
    ("date-outside-period", "a date outside the plan period or commitment window"),
    ("date-in-future", "something recorded as done on a date after today"),
    ("missing-section", "a required narrative section is missing or empty"),
    ("smart-specific", "a commitment without its problem and action written"),
    ("smart-measurable", "a milestone without a deliverable, or a commitment without milestones"),
    ("smart-actionable", "a milestone without a responsible person"),
    ("smart-timebound", "a milestone without start or due date"),
    ("milestone-state", "a milestone status without what it requires"),
    ("missing-evidence", "evidence naming a file that does not exist"),
    ("commitment-state", "a commitment status without what it requires"),
    ("approval-missing", "an approved commitment without an approval record"),
    ("role-required", "an approval, amendment or assessment by someone without the role"),
    ("priority-score", "a prioritization score outside the matrix"),
    ("update-date", "an update whose date differs from its file name"),
    ("missing-translation", "a key text or narrative missing a declared language"),
    ("overdue-milestone", "an open milestone past its due date"),
    ("stale-commitment", "a commitment in implementation without an update for six months"),
    ("end-of-commitment-overdue", "no end-of-commitment report a month after the end"),
    ("phase-exit", "an earlier phase's step not done, or its exit criteria unmet"),
];

/// Findings of one code in one file beyond this many are summarised in one line.
pub const MAX_PER_FILE_AND_CODE: usize = 100;

/// The result of validating a plan.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every finding, sorted by file and position; beyond [`MAX_PER_FILE_AND_CODE`] of one
    /// code in one file, a summary stands for the rest.
    pub diagnostics: Vec<Diagnostic>,
    errors: usize,
    warnings: usize,
}

impl Report {
    /// Number of errors, including those summarised.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// Number of warnings, including those summarised.
    pub fn warnings(&self) -> usize {
        self.warnings
    }

    /// Whether the plan is valid (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors() == 0
    }
}

/// The plan's step catalogue: its own `catalogue.toml`, or the built-in one it names (or the
/// default); `None` if it names one kept does not ship.
pub fn catalogue_for(plan: &Plan) -> Option<Catalogue> {
    let named = plan.meta.as_ref().and_then(|m| m.catalogue.as_ref()).map(|c| c.value.as_str());
    if let Some(own) = &plan.catalogue
        && named.is_none_or(|n| n == own.id)
    {
        return Some(own.clone());
    }
    Catalogue::embedded(named.unwrap_or(catalogue::DEFAULT))
}

/// Run every snapshot rule on a loaded plan; loader findings are included.
pub fn validate(loaded: &Loaded, today: Date) -> Report {
    let mut diagnostics = loaded.diagnostics.clone();
    let catalogue = catalogue_for(&loaded.plan)
        .or_else(|| Catalogue::embedded(catalogue::DEFAULT))
        .expect("the default catalogue is embedded and tested to parse");
    let cx = Context { plan: &loaded.plan, catalogue: &catalogue, today };
    // Rules are independent: run them on every core, each into its own list. Threads take the
    // next rule as they finish one (the rules differ in cost by a thousand times, so a fixed
    // split leaves one core idle while the other finishes).
    let threads = crate::parallel::threads().min(RULES.len());
    let found: Vec<Vec<Diagnostic>> = if threads <= 1 || loaded.plan.commitments.len() < 50 {
        vec![run_rules(&cx, RULES.iter().copied())]
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let take =
            || std::iter::from_fn(|| RULES.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)).copied());
        let (cx, take) = (&cx, &take);
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads).map(|_| s.spawn(move || run_rules(cx, take()))).collect();
            let mut found = vec![run_rules(cx, take())];
            found.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))));
            found
        })
    };
    diagnostics.extend(found.into_iter().flatten());
    diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    Report { diagnostics: diagnostic::cap(diagnostics, MAX_PER_FILE_AND_CODE), errors, warnings }
}

fn run_rules<'r>(cx: &Context<'_>, rules: impl Iterator<Item = &'r dyn Rule>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in rules {
        rule.check(cx, &mut out);
    }
    out
}

/// Whether a commitment status means it has been approved.
pub(crate) fn is_approved_status(status: &str) -> bool {
    crate::plan::APPROVED_STATUSES.contains(&status)
}
