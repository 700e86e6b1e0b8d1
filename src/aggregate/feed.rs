//! The merged feeds: every plan's items, newest first, each with the id it has in its own
//! plan's feed (a reader that follows both sees one entry) and its plan's code as an Atom
//! category and a JSON Feed tag.

use super::{Options, Part};
use crate::publish::{Item, atom_entry, esc, json_item, rfc3339};

const TITLE: &str = "OGP Local action plans: every plan's progress";

/// Every shown item with its plan's code, newest first (ties in the order plans are listed),
/// at most `options.feed_limit` of them.
fn merged<'p>(parts: &'p [Part], options: &Options) -> Vec<(&'p str, &'p Item)> {
    let mut all: Vec<(&str, &Item)> = parts
        .iter()
        .filter_map(|p| Some((p.code.as_str(), p.content.as_ref()?)))
        .flat_map(|(code, c)| c.items.iter().map(move |i| (code, i)))
        .collect();
    // Stable: a plan's own order (newest first) and the listing order break ties.
    all.sort_by_key(|(_, item)| std::cmp::Reverse(item.time));
    if let Some(limit) = options.feed_limit {
        all.truncate(limit);
    }
    all
}

/// When the feed last changed: its newest item, or its newest plan's commit.
fn updated(parts: &[Part], items: &[(&str, &Item)]) -> i64 {
    items
        .first()
        .map(|(_, i)| i.time)
        .unwrap_or_else(|| parts.iter().filter_map(|p| p.content.as_ref()).map(|c| c.summary.time).max().unwrap_or(0))
}

/// The feed's permanent id.
fn feed_id(options: &Options, path: &str) -> String {
    options.url(path).unwrap_or_else(|| format!("tag:plans.kept.invalid,2020-01-01:{path}"))
}

/// The merged Atom feed (RFC 4287).
pub fn atom(parts: &[Part], options: &Options) -> String {
    let items = merged(parts, options);
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x += &format!("  <id>{}</id>\n", esc(&feed_id(options, "feed.atom")));
    x += &format!("  <title>{}</title>\n", esc(TITLE));
    x += &format!("  <updated>{}</updated>\n", rfc3339(updated(parts, &items)));
    x += "  <author><name>kept</name></author>\n";
    x += "  <generator uri=\"https://kept.invalid/\">kept</generator>\n";
    match (options.url("feed.atom"), options.url("index.html")) {
        (Some(me), Some(home)) => {
            x += &format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", esc(&me));
            x += &format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(&home));
        }
        _ => x += "  <link rel=\"alternate\" type=\"text/html\" href=\"index.html\"/>\n",
    }
    for (code, item) in &items {
        atom_entry(&mut x, item, &[code]);
    }
    x + "</feed>\n"
}

/// The merged JSON Feed (1.1).
pub fn json(parts: &[Part], options: &Options) -> String {
    let items: Vec<serde_json::Value> =
        merged(parts, options).into_iter().map(|(code, item)| json_item(item, &[code])).collect();
    let mut feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": TITLE,
        "language": "en",
        "authors": [{ "name": "kept" }],
        "items": items,
    });
    if let (Some(me), Some(home)) = (options.url("feed.json"), options.url("index.html")) {
        feed["feed_url"] = me.into();
        feed["home_page_url"] = home.into();
    }
    serde_json::to_string_pretty(&feed).unwrap_or_default() + "\n"
}
