//! What the last sync left: for each milestone, its issue and what the issue said then
//! (so a change made since on either side can be told apart), and the tracker's pages read
//! before (for conditional reads). Kept in the git directory, never in the plan; written
//! after every write to the tracker (temporary file, then rename), so a sync stopped at any
//! point resumes where it stopped. Losing it costs reads, never duplicates: issues are found
//! again by their markers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::tracker::http::Cache;

/// The state's format.
const VERSION: u32 = 1;

/// A milestone's issue as the last sync left it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    /// The issue.
    pub issue: u64,
    /// Its web page.
    pub url: String,
    /// Whether it was open.
    pub open: bool,
    /// Its status label then.
    pub status: String,
    /// A fingerprint of what the repository said then (title, body, labels, state).
    pub pushed: u64,
}

/// The state of one tracker's sync.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    version: u32,
    /// Milestones by key (`UAYAB0001/M2`).
    pub items: BTreeMap<String, Item>,
}

/// The tracker's pages read before, beside the state (`.cache.json`): written once a run.
pub fn cache_path(state: &Path) -> PathBuf {
    state.with_extension("cache.json")
}

/// Read the page cache; anything unreadable is an empty cache.
pub fn read_cache(path: &Path) -> Cache {
    std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// Write the page cache (temporary file, then rename).
pub fn write_cache(path: &Path, cache: &Cache) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("cache.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(cache)?)?;
    std::fs::rename(&tmp, path)
}

impl State {
    /// The state file of a tracker, inside the git directory.
    pub fn path(git_dir: &Path, kind: &str, project: &str) -> PathBuf {
        let name: String =
            project.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect();
        git_dir.join("kept").join("sync").join(format!("{kind}-{name}.json"))
    }

    /// Read it; a missing or unreadable state is an empty one (issues are found again by
    /// their markers).
    pub fn read(path: &Path) -> State {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<State>(&b).ok())
            .filter(|s| s.version == VERSION)
            .unwrap_or_default()
    }

    /// Write it whole: to a temporary file beside it, then renamed over it.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        #[derive(serde::Serialize)]
        struct Stored<'s> {
            version: u32,
            items: &'s BTreeMap<String, Item>,
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&Stored { version: VERSION, items: &self.items })?)?;
        std::fs::rename(&tmp, path)
    }
}

/// A fingerprint of a draft (FNV-1a over its fields): equal drafts, equal fingerprints.
pub fn fingerprint(d: &crate::tracker::Draft) -> u64 {
    let mut h = crate::hash::Fnv::default();
    let mut eat = |bytes: &[u8]| {
        h.write(bytes);
        h.write(&[0xff]);
    };
    eat(d.title.as_bytes());
    eat(d.body.trim_end().as_bytes());
    for l in &d.labels {
        eat(l.as_bytes());
    }
    eat(if d.open { b"open" } else { b"closed" });
    eat(d.state_reason.as_deref().unwrap_or_default().as_bytes());
    if let Some(m) = d.milestone {
        eat(&m.to_le_bytes());
    }
    h.finish()
}
