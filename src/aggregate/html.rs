//! The aggregate's dashboard: one static, semantic HTML page without JavaScript, in English
//! with each plan's member name in its own language. A table of every plan with its state;
//! below it, the diagnostics of each plan that does not validate.

use std::fmt::Write as _;

use super::{Check, Part};
use crate::publish::esc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;line-height:1.5;color:#1a1a1a}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top}\
td.n{text-align:right}.invalid,.unreadable{color:#b71c1c;font-weight:bold}.muted{color:#555}nav a{margin-right:.75rem}";

/// A phase's name in English (the catalogue's ids; another catalogue's ids show as they are).
fn phase_name(id: &str) -> &str {
    match id {
        "prepare" => "Prepare",
        "discover" => "Discover and define",
        "draft" => "Draft, validate and launch",
        "implement" => "Implement",
        "learn" => "Learn",
        other => other,
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// The anchor of a plan's diagnostics.
fn anchor(i: usize, p: &Part) -> String {
    let safe = p.code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if safe && !p.code.is_empty() { format!("diagnostics-{}", p.code) } else { format!("diagnostics-{i}") }
}

/// The state cell of a plan's row.
fn state(i: usize, p: &Part) -> String {
    let shows = |text: String| match (&p.revision, p.content.as_ref().map(|c| &c.summary.commit)) {
        (Some(r), Some(shown)) if r != shown => format!(
            "{text}<br><span class=\"muted\">its site still shows revision <code>{}</code>, the last that did</span>",
            esc(&short(shown))
        ),
        _ => text,
    };
    match &p.check {
        Check::Pending => "<span class=\"muted\">not checked yet</span>".into(),
        Check::Valid { warnings } => format!("valid ({})", plural(*warnings, "warning")),
        Check::Invalid { errors, warnings, .. } => shows(format!(
            "<a class=\"invalid\" href=\"#{}\">does not validate: {}, {}</a>",
            anchor(i, p),
            plural(*errors, "error"),
            plural(*warnings, "warning")
        )),
        Check::Unreadable { .. } => {
            format!("<a class=\"unreadable\" href=\"#{}\">cannot be read</a>", anchor(i, p))
        }
    }
}

/// A commit id, shortened.
fn short(id: &str) -> String {
    id.chars().take(12).collect()
}

/// `index.html`.
pub fn index(parts: &[Part]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>OGP Local action plans</title>\n<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{0}\" title=\"Atom\">\n<link rel=\"alternate\" type=\"application/feed+json\" href=\"{1}\" title=\"JSON Feed\">\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>OGP Local action plans</h1>\n<nav aria-label=\"Feeds and open data\"><a href=\"{0}\">Atom feed</a> <a href=\"{1}\">JSON Feed</a> <a href=\"data/plans.csv\">plans.csv</a> <a href=\"data/commitments.csv\">commitments.csv</a> <a href=\"data/plans.json\">plans.json</a></nav>\n</header>\n<main>\n",
        "feed.atom", "feed.json"
    );
    let count = |word: &str| parts.iter().filter(|p| p.check.word() == word).count();
    let _ = writeln!(
        out,
        "<p>{}: {} valid, {} not valid, {} unreadable, {} not checked yet.</p>",
        plural(parts.len(), "plan"),
        count("valid"),
        count("invalid"),
        count("unreadable"),
        count("pending")
    );
    out += "<table>\n<caption>Every plan, its progress and its validation state</caption>\n<thead><tr><th scope=\"col\">Member</th><th scope=\"col\">Code</th><th scope=\"col\">Phase</th><th scope=\"col\">Commitments</th><th scope=\"col\">Milestones completed</th><th scope=\"col\">Overdue</th><th scope=\"col\">Validation</th><th scope=\"col\">Revision</th></tr></thead>\n<tbody>\n";
    for (i, p) in parts.iter().enumerate() {
        let summary = p.content.as_ref().map(|c| &c.summary);
        let name =
            summary.map_or(String::new(), |s| format!("<span lang=\"{}\">{}</span>", esc(&s.language), esc(&s.member)));
        let name = if name.is_empty() { format!("<span class=\"muted\">{}</span>", esc(&p.code)) } else { name };
        let member = match &p.site_url {
            Some(url) => format!("<a href=\"{}\">{name}</a>", esc(url)),
            None => name,
        };
        let num = |f: fn(&super::Summary) -> String| summary.map_or(String::new(), f);
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{member}</th><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.code),
            summary.map_or(String::new(), |s| format!("{}. {}", s.phase_number, esc(phase_name(&s.phase)))),
            num(|s| s.commitments.to_string()),
            num(|s| format!("{} of {}", s.completed, s.milestones)),
            num(|s| s.overdue.to_string()),
            state(i, p),
            p.revision.as_deref().map_or(String::new(), |r| format!("<code>{}</code>", esc(&short(r)))),
        );
    }
    out += "</tbody>\n</table>\n";
    for (i, p) in parts.iter().enumerate() {
        match &p.check {
            Check::Invalid { diagnostics, .. } => {
                let _ = writeln!(
                    out,
                    "<section id=\"{}\">\n<h2>{} does not validate</h2>\n<ul>",
                    anchor(i, p),
                    esc(&p.code)
                );
                for d in diagnostics {
                    let _ = writeln!(
                        out,
                        "<li><code>{}</code> <strong>{}</strong> [<code>{}</code>] {}</li>",
                        esc(&d.at()),
                        esc(&d.severity),
                        esc(&d.code),
                        esc(&d.message)
                    );
                }
                out += "</ul>\n</section>\n";
            }
            Check::Unreadable { problem } => {
                let _ = writeln!(
                    out,
                    "<section id=\"{}\">\n<h2>{} cannot be read</h2>\n<p>{}</p>\n</section>",
                    anchor(i, p),
                    esc(&p.code),
                    esc(problem)
                );
            }
            Check::Valid { .. } | Check::Pending => {}
        }
    }
    let as_of = super::as_of(parts).map_or(String::new(), |d| format!("As of {d} (the newest plan's commit) · "));
    let _ = write!(out, "</main>\n<footer><p class=\"muted\">{as_of}kept</p></footer>\n</body>\n</html>\n");
    out
}
