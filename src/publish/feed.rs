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

/// One entry of a feed, ready to be written as Atom or JSON Feed: one commit's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its permanent id (a tag URI), the same in every feed that carries it.
    pub id: String,
    /// Its title: the first change, and how many more.
    pub title: String,
    /// The commit's time (seconds since the epoch).
    pub time: i64,
    /// The commit's author.
    pub author: String,
    /// The commit's page on the forge, when the plan names its forge.
    pub url: Option<String>,
    /// The changes in each of the plan's languages.
    pub content: String,
    /// The commitments it touches.
    pub commitments: std::collections::BTreeSet<String>,
}

/// The items of some entries, one per commit, newest first.
pub fn items<'e>(input: &Input<'_>, entries: impl Iterator<Item = &'e Entry>) -> Vec<Item> {
    by_commit(entries)
        .iter()
        .map(|g| {
            let e = g[0];
            Item {
                id: entry_id(input, e),
                title: title(g),
                time: e.time,
                author: e.name.clone(),
                url: input.commit_url(&e.commit),
                content: content(input, g),
                commitments: g.iter().filter_map(|e| e.change.commitment.clone()).collect(),
            }
        })
        .collect()
}

/// An Atom `<entry>` for an item, with a `<category>` for each of `categories`.
pub fn atom_entry(x: &mut String, item: &Item, categories: &[&str]) {
    x.push_str("  <entry>\n");
    x.push_str(&format!("    <id>{}</id>\n", esc(&item.id)));
    x.push_str(&format!("    <title>{}</title>\n", esc(&item.title)));
    x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(item.time)));
    x.push_str(&format!("    <author><name>{}</name></author>\n", esc(&item.author)));
    for term in categories {
        x.push_str(&format!("    <category term=\"{}\"/>\n", esc(term)));
    }
    if let Some(url) = &item.url {
        x.push_str(&format!("    <link rel=\"alternate\" href=\"{}\"/>\n", esc(url)));
    }
    x.push_str(&format!("    <content type=\"text\">{}</content>\n", esc(&item.content)));
    x.push_str("  </entry>\n");
}

/// A JSON Feed item for an item, tagged with `tags` and then its commitments.
pub fn json_item(item: &Item, tags: &[&str]) -> serde_json::Value {
    let tags: Vec<&str> = tags.iter().copied().chain(item.commitments.iter().map(String::as_str)).collect();
    let mut value = serde_json::json!({
        "id": item.id,
        "title": item.title,
        "content_text": item.content,
        "date_published": rfc3339(item.time),
        "authors": [{ "name": item.author }],
        "tags": tags,
    });
    if let Some(url) = &item.url {
        value["url"] = url.clone().into();
    }
    value
}

fn atom(input: &Input<'_>, feed_path: &str, title_text: &str, page: &str, items: &[Item]) -> String {
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
    x += &format!("  <updated>{}</updated>\n", rfc3339(items.first().map_or(input.time, |i| i.time)));
    x += &format!("  <author><name>{}</name></author>\n", esc(&input.code()));
    x += "  <generator uri=\"https://kept.invalid/\">kept</generator>\n";
    match (input.url(feed_path), input.url(page)) {
        (Some(me), Some(home)) => {
            x += &format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", esc(&me));
            x += &format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(&home));
        }
        _ => x += &format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(page)),
    }
    for item in items {
        atom_entry(&mut x, item, &[]);
    }
    x += "</feed>\n";
    x
}

fn json(input: &Input<'_>, feed_path: &str, title_text: &str, page: &str, items: &[Item]) -> String {
    let items: Vec<serde_json::Value> = items.iter().map(|i| json_item(i, &[])).collect();
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
    let items = items(input, input.entries.iter());
    site.add("feed.atom", atom(input, "feed.atom", &plan_title, "index.html", &items));
    site.add("feed.json", json(input, "feed.json", &plan_title, "index.html", &items));
}

/// A commitment's Atom and JSON feeds, from its entries (newest first).
pub(super) fn commitment(input: &Input<'_>, c: &crate::plan::Commitment, entries: &[&Entry]) -> [(String, String); 2] {
    let langs = input.prefer(&input.languages()[0]);
    let items = items(input, entries.iter().copied());
    let title = format!("{}: {}", c.id.value, c.title.as_ref().map_or("", |t| t.best(&langs)));
    let page = format!("commitments/{}.html", c.dir);
    let (atom_path, json_path) = (format!("commitments/{}.atom", c.dir), format!("commitments/{}.json", c.dir));
    [
        (atom_path.clone(), atom(input, &atom_path, &title, &page, &items)),
        (json_path.clone(), json(input, &json_path, &title, &page, &items)),
    ]
}
