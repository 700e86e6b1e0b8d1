//! Atom 1.0 (RFC 4287) and JSON Feed 1.1 for the plan and for each commitment: one entry per
//! commit, listing its changes in domain words, with a permanent tag URI (RFC 4151).

use super::{Input, Site, esc, rfc3339};
use crate::audit::Entry;

/// The commits of some entries, newest first, each with its entries.
fn by_commit<'e>(entries: impl Iterator<Item = &'e Entry>) -> Vec<Vec<&'e Entry>> {
    let mut out: Vec<Vec<&Entry>> = Vec::new();
    for e in entries {
        match out.last_mut() {
            Some(group) if group[0].commit == e.commit => group.push(e),
            _ => out.push(vec![e]),
        }
    }
    out
}

/// The authority of tag URIs: the site's host, or a name no one else can mint under.
fn authority(input: &Input<'_>) -> String {
    input
        .base_url
        .as_ref()
        .and_then(|u| u.split("://").nth(1))
        .and_then(|rest| rest.split('/').next())
        .filter(|h| !h.is_empty())
        .map_or_else(|| format!("{}.plan.kept.invalid", input.code().to_lowercase()), str::to_string)
}

fn entry_id(input: &Input<'_>, e: &Entry) -> String {
    format!("tag:{},{}:{}/commit/{}", authority(input), e.date, input.code(), e.commit)
}

/// At most this many characters of a change in an entry's title (the content has it all).
const TITLE_CHARS: usize = 140;

fn title(group: &[&Entry]) -> String {
    let first = &group[0].summary;
    let first = if first.chars().count() > TITLE_CHARS {
        format!("{}…", first.chars().take(TITLE_CHARS).collect::<String>())
    } else {
        first.clone()
    };
    match group.len() {
        1 => first,
        n => format!("{first} (+{} more)", n - 1),
    }
}

/// The commit's changes in each of the plan's languages, primary first.
fn content(input: &Input<'_>, group: &[&Entry]) -> String {
    input
        .languages()
        .iter()
        .map(|lang| {
            let lines: Vec<String> =
                group.iter().map(|e| format!("- {}", super::i18n::describe(&e.change, lang))).collect();
            format!("[{lang}]\n{}", lines.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn atom(input: &Input<'_>, feed_path: &str, title_text: &str, page: &str, groups: &[Vec<&Entry>]) -> String {
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    // The feed's id never changes: dated by the plan's start, not by the publication.
    let since = input
        .plan
        .meta
        .as_ref()
        .and_then(|m| m.start.as_ref())
        .map_or("2020-01-01".to_string(), |d| d.value.to_string());
    x += &format!("  <id>tag:{},{since}:{}/{}</id>\n", authority(input), input.code(), feed_path);
    x += &format!("  <title>{}</title>\n", esc(title_text));
    x += &format!("  <updated>{}</updated>\n", rfc3339(groups.first().map_or(input.time, |g| g[0].time)));
    x += &format!("  <author><name>{}</name></author>\n", esc(&input.code()));
    x += "  <generator uri=\"https://kept.invalid/\">kept</generator>\n";
    match (input.url(feed_path), input.url(page)) {
        (Some(me), Some(home)) => {
            x += &format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", esc(&me));
            x += &format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(&home));
        }
        _ => x += &format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(page)),
    }
    for g in groups {
        let e = g[0];
        x += "  <entry>\n";
        x += &format!("    <id>{}</id>\n", esc(&entry_id(input, e)));
        x += &format!("    <title>{}</title>\n", esc(&title(g)));
        x += &format!("    <updated>{}</updated>\n", rfc3339(e.time));
        x += &format!("    <author><name>{}</name></author>\n", esc(&e.name));
        if let Some(url) = input.commit_url(&e.commit) {
            x += &format!("    <link rel=\"alternate\" href=\"{}\"/>\n", esc(&url));
        }
        x += &format!("    <content type=\"text\">{}</content>\n", esc(&content(input, g)));
        x += "  </entry>\n";
    }
    x += "</feed>\n";
    x
}

fn json(input: &Input<'_>, feed_path: &str, title_text: &str, page: &str, groups: &[Vec<&Entry>]) -> String {
    let items: Vec<serde_json::Value> = groups
        .iter()
        .map(|g| {
            let e = g[0];
            let mut item = serde_json::json!({
                "id": entry_id(input, e),
                "title": title(g),
                "content_text": content(input, g),
                "date_published": rfc3339(e.time),
                "authors": [{ "name": e.name }],
                "tags": g.iter().filter_map(|e| e.change.commitment.clone()).collect::<std::collections::BTreeSet<_>>(),
            });
            if let Some(url) = input.commit_url(&e.commit) {
                item["url"] = url.into();
            }
            item
        })
        .collect();
    let mut feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title_text,
        "language": input.languages()[0],
        "authors": [{ "name": input.code() }],
        "items": items,
    });
    if let (Some(me), Some(home)) = (input.url(feed_path), input.url(page)) {
        feed["feed_url"] = me.into();
        feed["home_page_url"] = home.into();
    }
    serde_json::to_string_pretty(&feed).unwrap_or_default() + "\n"
}

pub fn render(input: &Input<'_>, site: &mut Site) {
    let lang = input.languages()[0].clone();
    let langs = input.prefer(&lang);
    let plan_title =
        input.plan.meta.as_ref().and_then(|m| m.title.as_ref()).map_or(input.code(), |t| t.best(&langs).to_string());
    let groups = by_commit(input.entries.iter());
    site.add("feed.atom", atom(input, "feed.atom", &plan_title, "index.html", &groups));
    site.add("feed.json", json(input, "feed.json", &plan_title, "index.html", &groups));
}

/// A commitment's Atom and JSON feeds, from its entries (newest first).
pub(super) fn commitment(input: &Input<'_>, c: &crate::plan::Commitment, entries: &[&Entry]) -> [(String, String); 2] {
    let langs = input.prefer(&input.languages()[0]);
    let groups = by_commit(entries.iter().copied());
    let title = format!("{}: {}", c.id.value, c.title.as_ref().map_or("", |t| t.best(&langs)));
    let page = format!("commitments/{}.html", c.dir);
    let (atom_path, json_path) = (format!("commitments/{}.atom", c.dir), format!("commitments/{}.json", c.dir));
    [
        (atom_path.clone(), atom(input, &atom_path, &title, &page, &groups)),
        (json_path.clone(), json(input, &json_path, &title, &page, &groups)),
    ]
}
