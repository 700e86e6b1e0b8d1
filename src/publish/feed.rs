//! Atom 1.0 (RFC 4287) and JSON Feed 1.1 for the plan and for each commitment: one entry per
//! commit, listing its changes in domain words, with a permanent tag URI (RFC 4151).

use super::{Input, Site, esc, in_memory, rfc3339};
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

/// A JSON Feed author.
#[derive(Debug, serde::Serialize)]
pub struct JsonAuthor<'a> {
    name: &'a str,
}

/// A JSON Feed item, borrowing from an [`Item`]. Fields are in name order, as JSON Feed
/// readers do not care and the files stay byte-identical to earlier versions of kept.
#[derive(Debug, serde::Serialize)]
pub struct JsonItem<'a> {
    authors: [JsonAuthor<'a>; 1],
    content_text: &'a str,
    date_published: String,
    id: &'a str,
    tags: Vec<&'a str>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// A JSON Feed item for an item, tagged with `tags` and then its commitments.
pub fn json_item<'a>(item: &'a Item, tags: &[&'a str]) -> JsonItem<'a> {
    JsonItem {
        authors: [JsonAuthor { name: &item.author }],
        content_text: &item.content,
        date_published: rfc3339(item.time),
        id: &item.id,
        tags: tags.iter().copied().chain(item.commitments.iter().map(String::as_str)).collect(),
        title: &item.title,
        url: item.url.as_deref(),
    }
}

/// A whole JSON Feed (1.1), serialised straight from what it borrows (a feed of a thousand
/// commits is a megabyte; building a `serde_json::Value` first took three more).
#[derive(Debug, serde::Serialize)]
pub struct JsonFeed<'a> {
    /// Who publishes it.
    pub authors: [JsonAuthor<'a>; 1],
    /// The feed's own address, when the site's address is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_url: Option<String>,
    /// The page it belongs to, when the site's address is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_page_url: Option<String>,
    /// Its items, newest first.
    pub items: Vec<JsonItem<'a>>,
    /// Its language.
    pub language: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The JSON Feed version.
    pub version: &'static str,
}

impl<'a> JsonFeed<'a> {
    /// A feed by `author`, with its own and its page's address if both are known.
    pub fn new(title: &'a str, language: &'a str, author: &'a str, urls: Option<(String, String)>) -> Self {
        let (feed_url, home_page_url) = urls.map_or((None, None), |(me, home)| (Some(me), Some(home)));
        JsonFeed {
            authors: [JsonAuthor { name: author }],
            feed_url,
            home_page_url,
            items: Vec::new(),
            language,
            title,
            version: "https://jsonfeed.org/version/1.1",
        }
    }

    /// The feed as pretty-printed JSON, ending in a newline.
    pub fn render(&self) -> String {
        let size = self.items.iter().map(|i| i.content_text.len() + i.title.len() + 400).sum::<usize>() + 400;
        super::in_memory(size, |w| self.write(w))
    }

    /// [`JsonFeed::render`], written into `w` in pieces.
    pub fn write(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self)?;
        w.write_all(b"\n")
    }
}

/// About how long an Atom feed of `items` is, so it is written into one allocation.
pub fn atom_size<'i>(items: impl Iterator<Item = &'i Item>) -> usize {
    items.map(|i| i.content.len() + i.title.len() + i.id.len() + 400).sum::<usize>() + 1024
}

/// One feed: what it carries and where it and its page are.
struct Feed<'a> {
    input: &'a Input<'a>,
    /// The feed's path in the site.
    path: &'a str,
    title: &'a str,
    /// The page it belongs to.
    page: &'a str,
    items: &'a [Item],
}

impl Feed<'_> {
    /// As Atom, written into `w` in pieces.
    fn atom(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let (input, items) = (self.input, self.items);
        let mut x = String::new();
        x += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
        // The feed's id never changes: dated by the plan's start, not by the publication.
        let since = input
            .plan
            .meta
            .as_ref()
            .and_then(|m| m.start.as_ref())
            .map_or("2020-01-01".to_string(), |d| d.value.to_string());
        x += &format!("  <id>tag:{},{since}:{}/{}</id>\n", authority(input), input.code(), self.path);
        x += &format!("  <title>{}</title>\n", esc(self.title));
        x += &format!("  <updated>{}</updated>\n", rfc3339(items.first().map_or(input.time, |i| i.time)));
        x += &format!("  <author><name>{}</name></author>\n", esc(&input.code()));
        x += "  <generator uri=\"https://kept.invalid/\">kept</generator>\n";
        match (input.url(self.path), input.url(self.page)) {
            (Some(me), Some(home)) => {
                x += &format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", esc(&me));
                x += &format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(&home));
            }
            _ => x += &format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(self.page)),
        }
        for item in items {
            atom_entry(&mut x, item, &[]);
            super::spill(&mut x, w)?;
        }
        x += "</feed>\n";
        w.write_all(x.as_bytes())
    }

    /// As a JSON Feed, written into `w` in pieces.
    fn json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let (language, code) = (&self.input.languages()[0], self.input.code());
        let urls = self.input.url(self.path).zip(self.input.url(self.page));
        let mut feed = JsonFeed::new(self.title, language, &code, urls);
        feed.items = self.items.iter().map(|i| json_item(i, &[])).collect();
        feed.write(w)
    }
}

pub fn render(input: &Input<'_>, site: &mut Site) {
    let lang = input.languages()[0].clone();
    let langs = input.prefer(&lang);
    let plan_title =
        input.plan.meta.as_ref().and_then(|m| m.title.as_ref()).map_or(input.code(), |t| t.best(&langs).to_string());
    let items = items(input, input.entries.iter());
    let feed = |path| Feed { input, path, title: &plan_title, page: "index.html", items: &items };
    site.add_written("feed.atom", |w| feed("feed.atom").atom(w));
    site.add_written("feed.json", |w| feed("feed.json").json(w));
}

/// A commitment's Atom and JSON feeds, from its entries (newest first).
pub(super) fn commitment(input: &Input<'_>, c: &crate::plan::Commitment, entries: &[&Entry]) -> [(String, String); 2] {
    let langs = input.prefer(&input.languages()[0]);
    let items = items(input, entries.iter().copied());
    let title = format!("{}: {}", c.id.value, c.title.as_ref().map_or("", |t| t.best(&langs)));
    let page = format!("commitments/{}.html", c.dir);
    let (atom_path, json_path) = (format!("commitments/{}.atom", c.dir), format!("commitments/{}.json", c.dir));
    let feed = |path| Feed { input, path, title: &title, page: &page, items: &items };
    let atom = in_memory(atom_size(items.iter()), |w| feed(&atom_path).atom(w));
    let json = in_memory(0, |w| feed(&json_path).json(w));
    [(atom_path, atom), (json_path, json)]
}
