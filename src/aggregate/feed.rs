//! The merged feeds: every plan's items, newest first, each with the id it has in its own
//! plan's feed (a reader that follows both sees one entry) and its plan's code as an Atom
//! category and a JSON Feed tag.

use super::{Options, Part};
use crate::publish::{Item, JsonFeed, atom_entry, atom_size, esc, json_item, rfc3339};

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
    let mut x = String::with_capacity(atom_size(items.iter().map(|(_, item)| *item)));
    x += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
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
    let urls = options.url("feed.json").zip(options.url("index.html"));
    let mut feed = JsonFeed::new(TITLE, "en", "kept", urls);
    feed.items = merged(parts, options).into_iter().map(|(code, item)| json_item(item, &[code])).collect();
    feed.render()
}
