//! A plan's part of the aggregate, read from its repository at HEAD.

use std::path::Path;
use std::sync::Arc;

use super::{Check, Content, Finding, Part};
use crate::history::History;

/// Read the plan of the repository at `path` at HEAD, check it, and make its part: its
/// summary always (when it can be read at all), its feed items and commitments only when it
/// validates. It is checked as of its commit's date, as `kept publish` dates a site, so the
/// same commit always gives the same part. `site_url` is where its site is published
/// (default: its kept.toml's `[publish] base-url`). A repository that cannot be read gives a
/// part saying why, never an error: the aggregate lists it.
pub fn read(path: &Path, site_url: Option<String>) -> Part {
    let location = path.display().to_string();
    let fallback = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| location.clone());
    let unreadable = |problem: String, revision: Option<String>| Part {
        code: fallback.clone(),
        location: location.clone(),
        site_url: site_url.clone(),
        revision,
        check: Check::Unreadable { problem },
        content: None,
    };
    let history = match History::open(path) {
        Ok(h) => h,
        Err(e) => return unreadable(crate::error_chain(&e), None),
    };
    let head = match history.resolve("HEAD") {
        Ok(h) => h.to_string(),
        Err(e) => return unreadable(format!("no commit at HEAD: {}", crate::error_chain(&e)), None),
    };
    let loaded = match crate::plan::load_rev(path, &head) {
        Ok(l) => l,
        Err(e) => return unreadable(crate::error_chain(&e), Some(head)),
    };
    let as_of = match history.resolve(&head).and_then(|id| history.commit(id, true)) {
        Ok(c) => c.committer.date(),
        Err(e) => return unreadable(crate::error_chain(&e), Some(head)),
    };
    let report = crate::rules::validate(&loaded, as_of);
    let check = if report.is_valid() {
        Check::Valid { warnings: report.warnings() }
    } else {
        let diagnostics = crate::diagnostic::json_diagnostics(&report.diagnostics, &loaded.plan.sources)
            .iter()
            .filter_map(|d| serde_json::from_value::<Finding>(serde_json::to_value(d).ok()?).ok())
            .collect();
        Check::Invalid { errors: report.errors(), warnings: report.warnings(), diagnostics }
    };
    let code = loaded
        .plan
        .meta
        .as_ref()
        .and_then(|m| m.member_code.as_ref())
        .map(|c| c.value.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or(fallback.clone());
    let valid = check.is_valid();
    let made = crate::publish::with_input(&history, path, &head, Some(&loaded), site_url.clone(), |input| {
        let content = if valid { Content::of(input, None) } else { Content::summary_only(input) };
        (content, input.base_url.clone())
    });
    let (content, site_url, check) = match made {
        Ok((content, url)) => (Some(Arc::new(content)), url, check),
        // A plan that validates can be published; one that does not may lack what its
        // summary needs (a catalogue), and is listed with its diagnostics alone.
        Err(_) if !valid => (None, site_url, check),
        Err(e) => (None, site_url, Check::Unreadable { problem: crate::error_chain(&e) }),
    };
    Part { code, location, site_url, revision: Some(head), check, content }
}
