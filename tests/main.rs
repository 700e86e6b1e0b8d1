//! Integration tests: the `kept` binary against real plan repositories and real git.

mod common;

mod aggregate;
mod codeowners;
mod contract;
mod daemon;

mod bad_input;
mod export;
mod fixtures;
mod follow;
mod fuzz;
mod git_rev;
mod history;
mod hooks;
mod import_ogp;
mod init;
mod log;
mod octokit;
mod permissions;
mod publish;
mod schema;
mod signatures;
mod stand_in;
mod sync;
mod template;
