//! The benchmark floor for `kept validate`: read the same TOML files and parse them with the
//! toml crate into plain serde structs, nothing else. Uses every core, like kept.
//!
//! `cargo run --release --example toml_baseline -- PLAN_DIR [--with-markdown]`
//!
//! With `--with-markdown` it also reads (without parsing) the Markdown files kept reads
//! (READMEs, updates, vision), to show what reading three times as many files costs.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
struct Commitment {
    id: String,
    title: toml::Value,
    lead: String,
    #[serde(default)]
    supporting: Vec<String>,
    opportunity: Option<String>,
    #[serde(default)]
    ogp_values: Vec<String>,
    #[serde(default)]
    policy_areas: Vec<String>,
    start: toml::value::Datetime,
    end: toml::value::Datetime,
    status: String,
    progress: Option<i64>,
    approval: Option<toml::Table>,
    #[serde(default)]
    milestones: Vec<Milestone>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
struct Milestone {
    id: String,
    title: toml::Value,
    deliverable: Option<toml::Value>,
    responsible: Option<String>,
    start: Option<toml::value::Datetime>,
    due: Option<toml::value::Datetime>,
    status: String,
    completed_on: Option<toml::value::Datetime>,
    #[serde(default)]
    evidence: Vec<String>,
    delay_reason: Option<toml::Value>,
    next_steps: Option<toml::Value>,
    withdrawn_reason: Option<toml::Value>,
}

fn files(dir: &Path, markdown: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for name in ["kept.toml", "plan.toml", "people.toml", "roadmap.toml", "opportunities.toml", "learning.toml"] {
        out.push(dir.join(name));
    }
    for entry in std::fs::read_dir(dir.join("commitments")).expect("commitments/ exists") {
        let c = entry.expect("readable").path();
        out.push(c.join("commitment.toml"));
        if markdown {
            out.push(c.join("README.md"));
            out.push(c.join("README.en.md"));
        }
    }
    if markdown {
        for entry in std::fs::read_dir(dir.join("updates")).expect("updates/ exists") {
            out.push(entry.expect("readable").path());
        }
    }
    out
}

fn parse(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("readable UTF-8");
    if path.extension().is_some_and(|e| e == "md") {
        text.len()
    } else if path.ends_with("commitment.toml") {
        let c: Commitment = toml::from_str(&text).expect("valid commitment");
        c.milestones.len()
    } else {
        let t: toml::Table = toml::from_str(&text).expect("valid TOML");
        t.len()
    }
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: toml_baseline PLAN_DIR [--with-markdown]"));
    let files = files(&dir, std::env::args().any(|a| a == "--with-markdown"));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads);
    let total: usize = std::thread::scope(|s| {
        let hs: Vec<_> =
            files.chunks(chunk).map(|c| s.spawn(move || c.iter().map(|p| parse(p)).sum::<usize>())).collect();
        hs.into_iter().map(|h| h.join().expect("no panic")).sum()
    });
    println!("parsed {} files ({total} items)", files.len());
}

// The same allocator as the kept binary, so the ratio compares the work, not the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
