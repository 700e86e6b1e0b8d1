//! `kept`: open government action plans as code.
//!
//! A municipality's OGP Local action plan lives in a git repository of TOML and Markdown
//! files (docs/plan-format.md). This library loads a plan from a directory or any git
//! revision ([`plan`]), checks it ([`rules`]), and reports its state ([`status`]). It never
//! prints: the `kept` binary (`src/cli/`) renders everything.

pub mod aggregate;
pub mod audit;
pub mod catalogue;
pub mod check;
pub mod codeowners;
pub mod daemon;
pub mod date;
pub mod diagnostic;
pub mod diff;
pub mod hash;
pub mod history;
pub mod hook;
pub mod init;
pub mod intern;
pub mod interop;
pub mod parallel;
pub mod plan;
pub mod publish;
pub mod repo;
pub mod roles;
pub mod rules;
pub mod schema;
pub mod signature;
pub mod status;
pub mod sync;
pub mod template;
pub mod tracker;

pub use date::Date;
pub use diagnostic::{Diagnostic, Severity};
pub use plan::{Loaded, Plan};

/// An error and its causes, on one line (`cannot read x: permission denied`), for logs and
/// status fields; a terminal gets them on separate lines from the CLI instead.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
