//! Interop: plans in and out of other systems' formats.
//!
//! - [`ogp`]: OGP's commitment dataset (the CSV behind OGP's Data Dashboard): `kept import
//!   ogp` builds plan repositories from it, `kept export ogp` writes a plan in its shape.
//! - [`decidim`]: the CSV that Decidim's Accountability component imports as results.
//!
//! Importing never guesses: every value the importer could not read, read only one of
//! several ways, or widened to a day is a [`Finding`] with its file, row, column and text.

pub mod decidim;
pub mod ogp;

use std::path::PathBuf;

use serde::Serialize;

/// What the importer did with a value it could not take as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Not understood: the value is left out of the plan.
    Unparsed,
    /// Readable more than one way (`12/1/18`): one reading is taken, the other is named.
    Ambiguous,
    /// A month, quarter or year where the plan needs a day: widened to its first or last day.
    Imprecise,
    /// Float noise (`5.0999999999999996`) removed: the value is the shortest decimal it stood for.
    Repaired,
    /// A whole row that could not be read or used.
    Skipped,
}

impl FindingKind {
    /// The kebab-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Unparsed => "unparsed",
            FindingKind::Ambiguous => "ambiguous",
            FindingKind::Imprecise => "imprecise",
            FindingKind::Repaired => "repaired",
            FindingKind::Skipped => "skipped",
        }
    }
}

/// One value of the source the importer reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The source file as given.
    pub file: String,
    /// 1-based data row (the header is row 0).
    pub record: usize,
    /// 1-based line where the row starts.
    pub line: u64,
    /// The column, or "" for a whole row.
    pub column: String,
    /// The text that was not taken as written (for milestones, the part of `Full Text`).
    pub text: String,
    /// What was done with it.
    pub kind: FindingKind,
    /// Why, and what was taken instead.
    pub message: String,
    /// The commitment the row became, if it did.
    pub commitment: Option<String>,
}

/// Why an import could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Reading the source failed.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a CSV table.
    #[error("{file} is not a CSV file: {reason}; give OGP's commitment dataset as CSV")]
    NotCsv {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// Required columns are missing.
    #[error(
        "{file} lacks the column{} {} (its header has {found} columns); is it OGP's commitment dataset?",
        if columns.len() == 1 { "" } else { "s" },
        columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    )]
    MissingColumns {
        /// The file.
        file: String,
        /// The missing columns.
        columns: Vec<String>,
        /// How many columns the header has.
        found: usize,
    },
    /// A requested commitment is not in the dataset.
    #[error("no commitment {} in {file}; ids are the `Commitment Unique Identifier` column, e.g. {example}", ids.join(", "))]
    UnknownCommitment {
        /// The file.
        file: String,
        /// The ids not found.
        ids: Vec<String>,
        /// An id that is there.
        example: String,
    },
    /// The requested member is not in the dataset.
    #[error("no member `{name}` in {file}; give a `Country/Locality` or `Code` value, e.g. {example}")]
    UnknownMember {
        /// The file.
        file: String,
        /// The name given.
        name: String,
        /// A member that is there.
        example: String,
    },
    /// The dataset has no usable rows.
    #[error("{0} has no commitment rows to import")]
    Empty(String),
    /// The output directory holds data.
    #[error("{} already exists and is not empty; kept import never writes over data, choose a new directory", .0.display())]
    OutNotEmpty(PathBuf),
    /// Writing or committing a plan failed.
    #[error(transparent)]
    Write(#[from] crate::init::InitError),
}

/// Why an export could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The plan has no plan.toml or it could not be read.
    #[error("the plan cannot be exported: {0}")]
    Unreadable(String),
    /// Writing the CSV failed.
    #[error("cannot write the CSV")]
    Csv(#[from] csv::Error),
    /// Writing failed.
    #[error("cannot write the CSV")]
    Io(#[from] std::io::Error),
}
