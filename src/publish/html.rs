//! The dashboard: static, semantic HTML in each of the plan's languages, without JavaScript.
//! The overview (phase tracker, current steps, commitments with progress, a milestone
//! timeline, recent changes) and one page per commitment with its milestones and history.

use std::fmt::Write as _;

use super::i18n::{status as word, t};
use super::{Input, Site, esc, esc_into, spill};
use crate::plan::{Commitment, Text};
use crate::status::{CommitmentStatus, Status};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;line-height:1.5;color:#1a1a1a}\
header nav a{margin-right:.75rem}ol.phases{display:flex;gap:.5rem;list-style:none;padding:0;flex-wrap:wrap}\
ol.phases li{padding:.4rem .8rem;border:1px solid #999;border-radius:1rem}ol.phases li.done{background:#e8f5e9}\
ol.phases li[aria-current]{background:#1565c0;color:#fff;font-weight:bold}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top}.bar{display:inline-block;height:.6rem;background:#1565c0}\
.barbox{display:inline-block;width:6rem;height:.6rem;background:#e0e0e0;margin-right:.4rem}.overdue{color:#b71c1c;font-weight:bold}.date{white-space:nowrap}\
.muted{color:#555}figure{margin:1rem 0}svg text{font-size:11px;font-family:system-ui,sans-serif}.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.9rem}.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em;border-radius:2px}";

fn tr(text: &Option<crate::plan::At<Text>>, langs: &[String]) -> String {
    text.as_ref().map_or(String::new(), |t| t.best(langs).to_string())
}

fn head(out: &mut String, lang: &str, title: &str, input: &Input<'_>, name: &str, depth: usize) {
    let up = "../".repeat(depth);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{up}feed.atom\" title=\"Atom\">\n<link rel=\"alternate\" type=\"application/feed+json\" href=\"{up}feed.json\" title=\"JSON Feed\">\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<nav aria-label=\"{}\">",
        esc(title),
        t(lang, "languages")
    );
    for l in input.languages() {
        let page = input.page(name, &l);
        if l == lang {
            let _ = write!(
                out,
                "<a href=\"{}\" aria-current=\"page\" hreflang=\"{l}\" lang=\"{l}\">{}</a>",
                esc(page.rsplit('/').next().unwrap_or(&page)),
                l.to_uppercase()
            );
        } else {
            let _ = write!(
                out,
                "<a href=\"{}\" hreflang=\"{l}\" lang=\"{l}\">{}</a>",
                esc(page.rsplit('/').next().unwrap_or(&page)),
                l.to_uppercase()
            );
        }
    }
    let _ = write!(
        out,
        " <a href=\"{up}feed.atom\">{}</a> <a href=\"{up}data/plan.json\">{}</a></nav>\n</header>\n<main>\n",
        t(lang, "feed"),
        t(lang, "data")
    );
}

/// The footer: the date the site is as of, and the commit a page shows (the published one
/// for the dashboard; for a commitment, the last that changed it, so its page stays the same
/// bytes while other commitments change and a republish can keep it).
fn foot(out: &mut String, lang: &str, input: &Input<'_>, commit: Option<&str>) {
    let commit = commit.map_or(String::new(), |c| format!(" · commit <code>{}</code>", &c[..10.min(c.len())]));
    let _ = write!(
        out,
        "</main>\n<footer><p class=\"muted\">{} {}{commit} · kept</p></footer>\n</body>\n</html>\n",
        t(lang, "as_of"),
        input.as_of,
    );
}

fn progress_cell(c: &crate::status::CommitmentStatus, lang: &str) -> String {
    let computed = match c.computed_progress {
        Some(p) => format!(
            "<span class=\"barbox\" aria-hidden=\"true\"><span class=\"bar\" style=\"width:{p}%\"></span></span>{p}% <span class=\"muted\">({})</span>",
            t(lang, "computed")
        ),
        None => format!("<span class=\"muted\">{}</span>", t(lang, "unknown")),
    };
    let declared = match c.declared_progress {
        Some(d) => format!("{d}% <span class=\"muted\">({})</span>", t(lang, "declared")),
        None => format!("<span class=\"muted\">{} ({})</span>", t(lang, "unknown"), t(lang, "declared")),
    };
    format!("{computed}<br>{declared}")
}

/// The milestone timeline: one row per commitment, a bar per milestone from start to due,
/// a date axis below and a dashed line at the publication date; a legend of the colours
/// follows as text, so the colours are never the only way to tell a status.
fn timeline(input: &Input<'_>, commitments: &[&Commitment], lang: &str) -> String {
    let meta = input.plan.meta.as_ref();
    let (Some(start), Some(end)) = (meta.and_then(|m| m.start.as_ref()), meta.and_then(|m| m.end.as_ref())) else {
        return String::new();
    };
    let (s0, span) = (start.value.to_days(), (end.value.to_days() - start.value.to_days()).max(1));
    let (left, width, row, top) = (110.0, 640.0, 22.0, 18.0);
    let x = |d: crate::date::Date| left + width * ((d.to_days() - s0).clamp(0, span) as f64) / span as f64;
    // The dashboard has a row per commitment; a commitment's own page, a row per milestone.
    type Row<'c> = (String, &'c Commitment, Vec<&'c crate::plan::Milestone>);
    let rows: Vec<Row<'_>> = match commitments {
        [c] => c.milestones.iter().map(|m| (format!("{}/{}", c.id.value, m.id.value), *c, vec![m])).collect(),
        _ => commitments.iter().map(|c| (c.id.value.clone(), *c, c.milestones.iter().collect())).collect(),
    };
    let axis = top + row * rows.len() as f64 + 4.0;
    let height = axis + 22.0;
    let langs = input.prefer(lang);
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {height}\" width=\"100%\" role=\"img\" aria-labelledby=\"timeline-title\">\n<title id=\"timeline-title\">{}</title>\n",
        t(lang, "timeline"),
        left + width + 30.0,
        t(lang, "timeline")
    );
    svg += &date_axis(start.value, end.value, axis, &x);
    if (start.value..=end.value).contains(&input.as_of) {
        let today = x(input.as_of);
        let _ = writeln!(
            svg,
            "<line x1=\"{today:.1}\" y1=\"12\" x2=\"{today:.1}\" y2=\"{axis}\" stroke=\"#b71c1c\" stroke-dasharray=\"3 3\"/>\n<text x=\"{today:.1}\" y=\"10\" text-anchor=\"middle\" fill=\"#b71c1c\">{} {}</text>",
            t(lang, "as_of"),
            input.as_of
        );
    }
    for (i, (name, c, milestones)) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = writeln!(svg, "<text x=\"0\" y=\"{:.1}\">{}</text>", y + 12.0, esc(name));
        for m in milestones {
            let (Some(ms), Some(md)) = (&m.start, &m.due) else { continue };
            let overdue = !m.is_closed() && md.value < input.as_of;
            let (x1, x2) = (x(ms.value), x(md.value));
            let _ = write!(
                svg,
                "<rect x=\"{x1:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{}\" opacity=\"0.85\"><title>",
                (x2 - x1).max(2.0),
                colour(m.status_str(), overdue),
            );
            // The label is escaped straight into the figure: a plan of a thousand commitments
            // has ten thousand of them.
            esc_into(&mut svg, &c.id.value);
            svg.push('/');
            esc_into(&mut svg, &m.id.value);
            svg.push(' ');
            esc_into(&mut svg, m.title.as_ref().map_or("", |t| t.best(&langs)));
            let _ = write!(svg, ": {} – {}, ", ms.value, md.value);
            esc_into(&mut svg, &word(lang, m.status_str()));
            if overdue {
                svg.push_str(", ");
                esc_into(&mut svg, t(lang, "overdue"));
            }
            svg.push_str("</title></rect>\n");
        }
    }
    svg += "</svg>\n";
    svg += &legend(lang);
    svg += "</figure>\n";
    svg
}

/// A bar's colour by status; an open milestone past its due date is red.
fn colour(status: &str, overdue: bool) -> &'static str {
    match status {
        "completed" => "#2e7d32",
        "withdrawn" => "#9e9e9e",
        "delayed" => "#ef6c00",
        _ if overdue => "#b71c1c",
        "in-progress" => "#1565c0",
        _ => "#90a4ae",
    }
}

/// What the colours of the timeline mean, as text.
fn legend(lang: &str) -> String {
    let mut out = String::from("<ul class=\"legend\">");
    let keys = [
        ("not-started", false),
        ("in-progress", false),
        ("delayed", false),
        ("completed", false),
        ("withdrawn", false),
    ];
    for (status, overdue) in keys.into_iter().chain([("not-started", true)]) {
        let name = if overdue { t(lang, "overdue").to_string() } else { word(lang, status).to_string() };
        let _ = write!(
            out,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
            colour(status, overdue),
            esc(&name)
        );
    }
    out + "</ul>\n"
}

/// The date axis: a tick at the first day of every month, quarter, half-year or year
/// (whichever keeps labels apart), labelled `YYYY-MM`.
fn date_axis(start: crate::date::Date, end: crate::date::Date, y: f64, x: &dyn Fn(crate::date::Date) -> f64) -> String {
    let months = (end.year() - start.year()) * 12 + i32::from(end.month()) - i32::from(start.month());
    let step = match months {
        ..=8 => 1,
        9..=36 => 3,
        37..=72 => 6,
        _ => 12,
    };
    let (x0, x1) = (x(start), x(end));
    let mut out =
        format!("<g class=\"axis\" stroke=\"#555\"><line x1=\"{x0:.1}\" y1=\"{y}\" x2=\"{x1:.1}\" y2=\"{y}\"/>\n");
    let mut tick = crate::date::Date::new(start.year(), start.month(), 1).unwrap_or(start);
    if tick < start {
        tick = tick.add_months(1);
    }
    while (i32::from(tick.month()) - 1) % step != 0 {
        tick = tick.add_months(1);
    }
    while tick <= end {
        let tx = x(tick);
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{y}\" x2=\"{tx:.1}\" y2=\"{:.1}\"/><text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">{}-{:02}</text>",
            y + 4.0,
            y + 16.0,
            tick.year(),
            tick.month()
        );
        tick = tick.add_months(step);
    }
    out + "</g>\n"
}

fn changes_list(out: &mut String, entries: &[&crate::audit::Entry], lang: &str, input: &Input<'_>) {
    if entries.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", t(lang, "no_changes"));
        return;
    }
    out.push_str("<ol reversed>\n");
    for e in entries {
        let commit = match input.commit_url(&e.commit) {
            Some(url) => format!("<a href=\"{}\"><code>{}</code></a>", esc(&url), &e.commit[..10]),
            None => format!("<code>{}</code>", &e.commit[..10]),
        };
        // Long values (a rewritten narrative) are cut here; the feed and open data have them whole.
        let described = super::i18n::describe(&e.change, lang);
        let summary: String = if described.chars().count() > 240 {
            format!("{}…", described.chars().take(240).collect::<String>())
        } else {
            described
        };
        let _ = writeln!(
            out,
            "<li><time datetime=\"{}\">{}</time> {} <span class=\"muted\">— {} {}, {commit}</span></li>",
            e.date,
            e.date,
            esc(&summary),
            t(lang, "by"),
            esc(&e.name)
        );
    }
    out.push_str("</ol>\n");
}

/// The overview (dashboard) in a language, written into `w` in pieces.
fn overview(input: &Input<'_>, status: &Status, lang: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let langs = input.prefer(lang);
    let meta = input.plan.meta.as_ref();
    let title = meta.map_or(String::new(), |m| tr(&m.title, &langs));
    let mut out = String::new();
    head(&mut out, lang, &title, input, "index", 0);
    let _ = writeln!(out, "<h1>{}</h1>\n<p>{}</p>", esc(&title), esc(&status.member));
    if let Some(m) = meta
        && let (Some(s), Some(e)) = (&m.start, &m.end)
    {
        let _ = writeln!(out, "<p>{}: {} – {}</p>", t(lang, "period"), s.value, e.value);
    }
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"phases\">\n<h2 id=\"phases\">{} {} {} {}: {}</h2>\n<ol class=\"phases\">",
        t(lang, "phase"),
        status.phase_number,
        t(lang, "of"),
        status.phases,
        esc(&status.phase_title)
    );
    for (i, p) in input.catalogue.phases.iter().enumerate() {
        let name = crate::catalogue::tr(&p.title, &langs);
        let attrs = if i + 1 == status.phase_number {
            " aria-current=\"step\"".to_string()
        } else if i + 1 < status.phase_number {
            " class=\"done\"".to_string()
        } else {
            String::new()
        };
        let _ = writeln!(out, "<li{attrs}>{}. {}</li>", i + 1, esc(name));
    }
    let _ = writeln!(out, "</ol>\n<h3>{}</h3>\n<ul>", t(lang, "steps"));
    for s in &status.steps {
        let mark = if s.missing.is_empty() { "✓" } else { "○" };
        let _ = write!(
            out,
            "<li><span aria-hidden=\"true\">{mark}</span> {} {} — {}",
            esc(&s.id),
            esc(&s.title),
            esc(&word(lang, &s.status))
        );
        if !s.missing.is_empty() {
            let _ =
                write!(out, "<br><span class=\"muted\">{}: {}</span>", t(lang, "missing"), esc(&s.missing.join("; ")));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</section>\n");
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"commitments\">\n<h2 id=\"commitments\">{}</h2>\n<p class=\"muted\">{}</p>\n<table>\n<thead><tr><th scope=\"col\">ID</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
        t(lang, "commitments"),
        t(lang, "formula"),
        t(lang, "title"),
        t(lang, "status"),
        t(lang, "milestones"),
        t(lang, "progress")
    );
    for c in &status.commitments {
        let counts: Vec<String> =
            c.milestones.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {}", word(lang, k))).collect();
        let _ = writeln!(
            out,
            "<tr id=\"{id}\"><th scope=\"row\"><a href=\"commitments/{page}\">{id}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.title),
            esc(&word(lang, &c.status)),
            esc(&counts.join(", ")),
            progress_cell(c, lang),
            id = esc(&c.id),
            page = esc(input.page(&c.id, lang).as_str()),
        );
        spill(&mut out, w)?;
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    let commitments: Vec<&Commitment> = input.plan.commitments.iter().collect();
    w.write_all(out.as_bytes())?;
    out = timeline(input, &commitments, lang);
    let _ = writeln!(out, "<section aria-labelledby=\"recent\">\n<h2 id=\"recent\">{}</h2>", t(lang, "recent"));
    let recent: Vec<&crate::audit::Entry> = input.entries.iter().take(20).collect();
    changes_list(&mut out, &recent, lang, input);
    out.push_str("</section>\n");
    foot(&mut out, lang, input, Some(&input.commit));
    w.write_all(out.as_bytes())
}

/// A commitment's page in a language.
pub(super) fn commitment_page(
    input: &Input<'_>,
    status: Option<&CommitmentStatus>,
    c: &Commitment,
    history: &[&crate::audit::Entry],
    lang: &str,
) -> String {
    let langs = input.prefer(lang);
    let title = format!("{}: {}", c.id.value, tr(&c.title, &langs));
    let mut out = String::new();
    head(&mut out, lang, &title, input, &c.dir, 1);
    let s = status;
    let lead = c
        .lead
        .as_ref()
        .map(|l| {
            input
                .plan
                .entity(&l.value)
                .and_then(|e| e.name.as_ref())
                .map_or(l.value.clone(), |n| n.best(&langs).to_string())
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<p><a href=\"../{}\">{}</a></p>\n<h1>{}</h1>\n<dl>\n<dt>{}</dt><dd>{}</dd>\n<dt>{}</dt><dd>{}</dd>\n<dt>{}</dt><dd>{} – {}</dd>\n<dt>{}</dt><dd>{}</dd>\n</dl>\n<p class=\"muted\">{}</p>",
        esc(&input.page("index", lang)),
        t(lang, "back"),
        esc(&title),
        t(lang, "status"),
        esc(&word(lang, c.status.as_ref().map_or("", |s| s.value.as_str()))),
        t(lang, "lead"),
        esc(&lead),
        t(lang, "period"),
        c.start.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
        c.end.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
        t(lang, "progress"),
        s.map(|s| progress_cell(s, lang)).unwrap_or_default(),
        t(lang, "formula"),
    );
    let _ = writeln!(
        out,
        "<h2>{}</h2>\n<table>\n<thead><tr><th scope=\"col\">ID</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
        t(lang, "milestones"),
        t(lang, "milestones"),
        t(lang, "due"),
        t(lang, "status")
    );
    for m in &c.milestones {
        let overdue = !m.is_closed() && m.due.as_ref().is_some_and(|d| d.value < input.as_of);
        let flag =
            if overdue { format!(" <span class=\"overdue\">{}</span>", t(lang, "overdue")) } else { String::new() };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}<br><span class=\"muted\">{}</span></td><td class=\"date\">{}</td><td>{}{flag}</td></tr>",
            esc(&m.id.value),
            esc(&tr(&m.title, &langs)),
            esc(&tr(&m.deliverable, &langs)),
            m.due.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            esc(&word(lang, m.status_str())),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out += &timeline(input, &[c], lang);
    let _ = writeln!(out, "<h2>{}</h2>", t(lang, "history"));
    changes_list(&mut out, history, lang, input);
    let _ = writeln!(out, "<p><img src=\"../badges/{}.svg\" alt=\"{}\"></p>", esc(&c.dir), esc(&c.id.value));
    foot(&mut out, lang, input, history.first().map(|e| e.commit.as_str()));
    out
}

/// The overview in each language (commitment pages are rendered with their other files).
pub fn render(input: &Input<'_>, shared: &super::pages::Shared<'_>, site: &mut Site) {
    for (lang, status) in &shared.statuses {
        site.add_written(input.page("index", lang), |w| overview(input, status, lang, w));
    }
}
