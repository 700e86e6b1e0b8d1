//! The `kept` command line: parses arguments, runs a command, renders its result.
//! This is the only part of kept that prints.

mod aggregate;
mod check;
mod codeowners;
mod daemon;
mod demo;
mod diff;
mod export;
mod hooks;
mod import;
mod init;
mod log;
mod publish;
mod render;
mod schema;
mod status;
mod sync;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use kept::Date;

/// Open government action plans (OGP Local) kept as code in git.
#[derive(Debug, Parser)]
#[command(name = "kept", version, about = "Open government action plans (OGP Local) kept as code in git", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a plan against every snapshot rule.
    Validate(validate::Args),
    /// Show the phase, what it still needs, commitment progress and what is late.
    Status(status::Args),
    /// Create a new plan repository starting phase 1.
    Init(init::Args),
    /// Write JSON Schemas for the plan's TOML files (for taplo / Even Better TOML).
    Schema(schema::Args),
    /// Lay the example plan into a temporary git repository, validate it and show its status.
    Demo(demo::Args),
    /// The changes between two revisions of the plan, in domain words.
    Diff(diff::Args),
    /// Check every commit of a range: phase order, milestone transitions, amendments, permissions.
    Check(check::Args),
    /// Install and run kept's git hooks (pre-commit; pre-receive and update on servers).
    Hooks(hooks::Args),
    /// CODEOWNERS from the plan's roles, so the forge requires the same reviews.
    Codeowners(codeowners::Args),
    /// The audit trail: every change in the plan's history, who made it, when, and how.
    Log(log::Args),
    /// The public site: feeds, dashboard, open data and badges, from committed history.
    Publish(publish::Args),
    /// One dashboard, feed and open-data set across many plans, each with its validation state.
    Aggregate(aggregate::Args),
    /// Keep every milestone in step with one issue in the plan's tracker, both ways.
    Sync(sync::Args),
    /// Run the whole flow continuously for the plans a configuration lists, and serve them.
    Daemon(daemon::DaemonArgs),
    /// Serve the example plan with its dashboard, feeds and a stand-in tracker (--demo).
    Serve(daemon::ServeArgs),
    /// Build plan repositories from another system's data (OGP's commitment dataset).
    Import(import::Args),
    /// Write a plan in another system's format (OGP dataset rows, Decidim Accountability results).
    Export(export::Args),
}

/// Output format of reporting commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: colour on a terminal, NO_COLOR respected.
    Human,
    /// Machine-readable JSON.
    Json,
}

/// Exit code: the plan or change is invalid.
pub const INVALID: u8 = 1;
/// Exit code: usage or I/O error.
pub const FAILURE: u8 = 2;

/// Today, from `KEPT_TODAY` (YYYY-MM-DD, for reproducible runs) or the system clock.
pub fn today() -> Result<Date, String> {
    match std::env::var("KEPT_TODAY") {
        Ok(s) => Date::parse(&s).ok_or_else(|| format!("KEPT_TODAY=`{s}` is not a date; use YYYY-MM-DD")),
        Err(_) => Ok(Date::today_utc()),
    }
}

/// Default plan path: the current directory.
pub fn default_path(path: Option<PathBuf>) -> PathBuf {
    path.unwrap_or_else(|| PathBuf::from("."))
}

/// Run the command line.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { FAILURE } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Status(a) => status::run(a),
        Command::Init(a) => init::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Check(a) => check::run(a),
        Command::Hooks(a) => hooks::run(a),
        Command::Codeowners(a) => codeowners::run(a),
        Command::Log(a) => log::run(a),
        Command::Publish(a) => publish::run(a),
        Command::Aggregate(a) => aggregate::run(a),
        Command::Sync(a) => sync::run(a),
        Command::Daemon(a) => daemon::daemon(a),
        Command::Serve(a) => daemon::serve(a),
        Command::Import(a) => import::run(a),
        Command::Export(a) => export::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A reader that went away (`kept log | head`) is not an error of kept.
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            render::error(e.as_ref());
            ExitCode::from(FAILURE)
        }
    }
}

/// A command failure: what went wrong, with its chain of causes.
pub type CmdResult = Result<u8, Box<dyn std::error::Error>>;
