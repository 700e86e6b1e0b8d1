//! Git trees read raw and compared the way git compares them: each tree object parsed once
//! into entry offsets, and two versions of a directory compared by their common prefix and
//! suffix of bytes, so that a commit touching one of a thousand commitments looks at one
//! entry, not a thousand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Length of a SHA-1 object id, the only object format libgit2 builds with by default.
const ID_LEN: usize = 20;

/// One entry of a raw tree, as offsets into the tree's bytes.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Where the entry (its mode) starts.
    start: u32,
    /// Where its name starts.
    name: u32,
    /// Where its name ends (the NUL byte).
    name_end: u32,
    /// What the mode says it is.
    kind: EntryKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Tree,
    Blob,
    /// A submodule (a commit id): not part of the plan.
    Other,
}

impl Entry {
    fn end(&self) -> usize {
        self.name_end as usize + 1 + ID_LEN
    }
}

/// A tree object's bytes and its entries, in git's order.
#[derive(Debug)]
pub(crate) struct RawTree {
    data: Vec<u8>,
    entries: Vec<Entry>,
}

impl RawTree {
    /// Parse a tree object's bytes; `None` if they are not a well-formed tree.
    fn parse(data: Vec<u8>) -> Option<RawTree> {
        let mut entries = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let e = parse_entry(&data, at)?;
            entries.push(e);
            at = e.end();
        }
        Some(RawTree { data, entries })
    }

    /// Parse a tree object's bytes knowing an earlier version of the same directory: the
    /// entries both share at the start and at the end are taken from the earlier one's table,
    /// and only the bytes between are parsed (a commit changes one entry of a thousand).
    fn parse_from(data: Vec<u8>, base: &RawTree) -> Option<RawTree> {
        let prefix = common_prefix(&base.data, &data);
        let i0 = base.entries.partition_point(|e| e.end() <= prefix);
        let mut entries = Vec::with_capacity(base.entries.len() + 1);
        entries.extend_from_slice(&base.entries[..i0]);
        let suffix_start = data.len() - common_suffix(&base.data, &data);
        let mut at = entries.last().map_or(0, Entry::end);
        while at < data.len() {
            // From an entry boundary of both versions with equal bytes to the end, the rest
            // parses the same: take it, moved by the difference in length.
            if at >= suffix_start
                && let Some(i) = base.entry_at(at + base.data.len() - data.len())
            {
                let moved = |o: u32| (o as usize + data.len() - base.data.len()) as u32;
                entries.extend(base.entries[i..].iter().map(|e| Entry {
                    start: moved(e.start),
                    name: moved(e.name),
                    name_end: moved(e.name_end),
                    kind: e.kind,
                }));
                break;
            }
            let e = parse_entry(&data, at)?;
            entries.push(e);
            at = e.end();
        }
        Some(RawTree { data, entries })
    }

    fn bytes(&self, e: &Entry) -> &[u8] {
        &self.data[e.start as usize..e.end()]
    }

    fn name(&self, e: &Entry) -> &[u8] {
        &self.data[e.name as usize..e.name_end as usize]
    }

    fn id(&self, e: &Entry) -> git2::Oid {
        let from = e.name_end as usize + 1;
        git2::Oid::from_bytes(&self.data[from..from + ID_LEN]).expect("a 20-byte id")
    }

    /// The entry with this name.
    pub(crate) fn entry(&self, name: &[u8]) -> Option<Side<'_>> {
        self.entries.iter().find(|e| self.name(e) == name).map(|e| self.side(e))
    }

    fn side(&self, e: &Entry) -> Side<'_> {
        Side { name: self.name(e), tree: e.kind == EntryKind::Tree, blob: e.kind == EntryKind::Blob, id: self.id(e) }
    }

    /// The index of the entry starting exactly at `offset`, if one does.
    fn entry_at(&self, offset: usize) -> Option<usize> {
        self.entries.binary_search_by_key(&offset, |e| e.start as usize).ok()
    }
}

/// The entry starting at `at`: `<octal mode> <name>\0<id>`.
fn parse_entry(data: &[u8], at: usize) -> Option<Entry> {
    // Modes are five digits (directories) or six; look there before searching.
    let space = match data.get(at + 5..at + 7)? {
        [b' ', _] => at + 5,
        [_, b' '] => at + 6,
        _ => at + memchr::memchr(b' ', &data[at..])?,
    };
    let nul = space + 1 + memchr::memchr(0, &data[space + 1..])?;
    if nul + 1 + ID_LEN > data.len() || u32::try_from(nul + 1 + ID_LEN).is_err() {
        return None;
    }
    let kind = match &data[at..space] {
        b"40000" | b"040000" => EntryKind::Tree,
        b"160000" => EntryKind::Other,
        _ => EntryKind::Blob,
    };
    Some(Entry { start: at as u32, name: space as u32 + 1, name_end: nul as u32, kind })
}

/// How many leading bytes two slices share, found by halving with `memcmp` (vectorised)
/// rather than a byte at a time: trees of a thousand entries are 40 KB.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let (mut lo, mut hi) = (0, a.len().min(b.len()));
    // a[..lo] == b[..lo], and the first difference (if any) is before hi.
    if a[..hi] == b[..hi] {
        return hi;
    }
    while hi - lo > 64 {
        let mid = lo + (hi - lo) / 2;
        if a[lo..mid] == b[lo..mid] {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo + a[lo..hi].iter().zip(&b[lo..hi]).take_while(|(x, y)| x == y).count()
}

/// How many trailing bytes two slices share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (ta, tb) = (&a[a.len() - n..], &b[b.len() - n..]);
    let (mut lo, mut hi) = (0, n);
    // The last lo bytes agree, and the last difference (if any) is within the last hi.
    if ta == tb {
        return n;
    }
    while hi - lo > 64 {
        let mid = lo + (hi - lo) / 2;
        if ta[n - mid..n - lo] == tb[n - mid..n - lo] {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo + ta[..n - lo].iter().rev().zip(tb[..n - lo].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// Git's order of tree entries: by name, a directory's name compared as if it ended in `/`.
fn git_order(na: &[u8], a_tree: bool, nb: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let common = na.len().min(nb.len());
    match na[..common].cmp(&nb[..common]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let next = |n: &[u8], tree: bool| n.get(common).copied().unwrap_or(if tree { b'/' } else { 0 });
    next(na, a_tree).cmp(&next(nb, b_tree))
}

/// One side of a changed entry: its name, kind and id.
pub(crate) struct Side<'t> {
    pub name: &'t [u8],
    pub tree: bool,
    pub blob: bool,
    pub id: git2::Oid,
}

/// The entries that differ between two trees (either may be absent), in git's order, as
/// (old, new) pairs with at least one side present.
pub(crate) fn changed_entries<'t>(
    a: Option<&'t RawTree>,
    b: Option<&'t RawTree>,
) -> Vec<(Option<Side<'t>>, Option<Side<'t>>)> {
    static EMPTY: RawTree = RawTree { data: Vec::new(), entries: Vec::new() };
    let (a, b) = (a.unwrap_or(&EMPTY), b.unwrap_or(&EMPTY));
    // Equal leading bytes are equal leading entries (both parse the same from the start).
    let prefix = common_prefix(&a.data, &b.data);
    let i0 = a.entries.partition_point(|e| e.end() <= prefix);
    let j0 = b.entries.partition_point(|e| e.end() <= prefix);
    // Equal trailing bytes are equal trailing entries from the first entry of `a` whose
    // counterpart in `b` starts exactly on an entry boundary (parsing from a boundary is
    // deterministic, so both sides parse the same from there).
    let suffix = common_suffix(&a.data, &b.data);
    let (mut i1, mut j1) = (a.entries.len(), b.entries.len());
    let from = a.entries.partition_point(|e| (e.start as usize) < a.data.len() - suffix).max(i0);
    for i in from..a.entries.len() {
        let offset = a.entries[i].start as usize + b.data.len() - a.data.len();
        if let Some(j) = b.entry_at(offset).filter(|j| *j >= j0 && a.entries.len() - i == b.entries.len() - j) {
            (i1, j1) = (i, j);
            break;
        }
    }
    let side = |t: &'t RawTree, e: &Entry| t.side(e);
    let mut out = Vec::new();
    let (mut i, mut j) = (i0, j0);
    while i < i1 || j < j1 {
        let ea = a.entries[..i1].get(i);
        let eb = b.entries[..j1].get(j);
        let order = match (ea, eb) {
            (Some(x), Some(y)) => git_order(a.name(x), x.kind == EntryKind::Tree, b.name(y), y.kind == EntryKind::Tree),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => break,
        };
        match order {
            std::cmp::Ordering::Less => {
                i += 1;
                out.push((ea.map(|e| side(a, e)), None));
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                out.push((None, eb.map(|e| side(b, e))));
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                let (x, y) = (ea.expect("ordered"), eb.expect("ordered"));
                if a.bytes(x) != b.bytes(y) {
                    out.push((Some(side(a, x)), Some(side(b, y))));
                }
            }
        }
    }
    out
}

/// Trees read and parsed once each, shared by the handles of every thread. Large trees (a
/// directory of a thousand commitments) are kept for the few commits around the one being
/// compared, as a commit's new tree is its child's old one; small ones (a commitment's own
/// directory) are kept far longer, as the old side of a change is the version written by
/// the last commit that touched it, often thousands of commits before.
#[derive(Default)]
pub(crate) struct TreeCache {
    trees: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    small: HashMap<git2::Oid, Arc<RawTree>>,
    large: HashMap<git2::Oid, Arc<RawTree>>,
}

/// Trees up to this size are small.
const SMALL: usize = 4096;
/// Small trees kept before that part of the cache starts over (at most 256 MiB, typically
/// a few hundred bytes each).
const KEEP_SMALL: usize = 65_536;
/// Large trees kept before that part starts over.
const KEEP_LARGE: usize = 64;

impl TreeCache {
    /// The tree with this id, parsed (using an earlier version of it, if given, to parse only
    /// what differs); `None` for an object that is not a well-formed tree.
    pub(crate) fn get(
        &self,
        repo: &git2::Repository,
        id: git2::Oid,
        base: Option<&RawTree>,
    ) -> Result<Option<Arc<RawTree>>, git2::Error> {
        let lock = || self.trees.lock().unwrap_or_else(|e| e.into_inner());
        {
            let kept = lock();
            if let Some(t) = kept.small.get(&id).or_else(|| kept.large.get(&id)) {
                return Ok(Some(t.clone()));
            }
        }
        let odb = repo.odb()?;
        let object = odb.read(id)?;
        if object.kind() != git2::ObjectType::Tree {
            return Ok(None);
        }
        let data = object.data().to_vec();
        let parsed = match base {
            Some(base) => RawTree::parse_from(data, base),
            None => RawTree::parse(data),
        };
        let Some(tree) = parsed.map(Arc::new) else { return Ok(None) };
        let mut kept = lock();
        let (part, keep) =
            if tree.data.len() <= SMALL { (&mut kept.small, KEEP_SMALL) } else { (&mut kept.large, KEEP_LARGE) };
        if part.len() >= keep {
            part.clear();
        }
        part.insert(id, tree.clone());
        Ok(Some(tree))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, &str, u8)]) -> RawTree {
        let mut data = Vec::new();
        for (mode, name, id) in entries {
            data.extend_from_slice(mode.as_bytes());
            data.push(b' ');
            data.extend_from_slice(name.as_bytes());
            data.push(0);
            data.extend_from_slice(&[*id; ID_LEN]);
        }
        RawTree::parse(data).expect("well formed")
    }

    fn names(changes: &[(Option<Side<'_>>, Option<Side<'_>>)]) -> Vec<String> {
        changes
            .iter()
            .map(|(a, b)| {
                let n = a.as_ref().or(b.as_ref()).map(|s| String::from_utf8_lossy(s.name).into_owned()).unwrap();
                format!(
                    "{}{n}",
                    match (a, b) {
                        (None, _) => "+",
                        (_, None) => "-",
                        _ => "~",
                    }
                )
            })
            .collect()
    }

    /// Parsing against an earlier version gives the table a full parse gives.
    fn same_as_full_parse(base: &RawTree, new: &RawTree) {
        let from = RawTree::parse_from(new.data.clone(), base).expect("parses");
        let key = |t: &RawTree| t.entries.iter().map(|e| (e.start, e.name, e.name_end, e.kind)).collect::<Vec<_>>();
        assert_eq!(key(&from), key(new));
    }

    #[test]
    fn parsing_against_an_earlier_version() {
        let a = tree(&[("100644", "a", 1), ("40000", "b", 2), ("100644", "c", 3), ("100644", "d", 4)]);
        let b = tree(&[("100644", "a", 1), ("40000", "b", 9), ("100644", "c", 3), ("100644", "e", 5)]);
        let c = tree(&[("100644", "a", 1), ("100644", "bb", 2), ("40000", "b", 2), ("100644", "c", 3)]);
        let d = tree(&[("100644", "c", 3)]);
        let e = tree(&[("100644", "xc", 3)]);
        let empty = RawTree::parse(Vec::new()).unwrap();
        for x in [&a, &b, &c, &d, &e, &empty] {
            for y in [&a, &b, &c, &d, &e, &empty] {
                same_as_full_parse(x, y);
            }
        }
    }

    #[test]
    fn shared_prefix_and_suffix() {
        let a: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 63, 64, 65, 500, 998, 999] {
            let mut b = a.clone();
            b[at] ^= 0xff;
            assert_eq!(common_prefix(&a, &b), at);
            assert_eq!(common_suffix(&a, &b), 999 - at);
        }
        assert_eq!(common_prefix(&a, &a[..10]), 10);
        assert_eq!(common_suffix(&a, &a[990..]), 10);
        assert_eq!(common_prefix(b"", b"x"), 0);
    }

    #[test]
    fn only_entries_that_differ() {
        let a = tree(&[("100644", "a", 1), ("40000", "b", 2), ("100644", "c", 3), ("100644", "d", 4)]);
        let b = tree(&[("100644", "a", 1), ("40000", "b", 9), ("100644", "c", 3), ("100644", "e", 5)]);
        assert_eq!(names(&changed_entries(Some(&a), Some(&b))), ["~b", "-d", "+e"]);
        assert_eq!(names(&changed_entries(None, Some(&b))), ["+a", "+b", "+c", "+e"]);
        assert_eq!(names(&changed_entries(Some(&a), Some(&a))), Vec::<String>::new());
    }

    #[test]
    fn an_entry_inserted_or_removed_in_the_middle() {
        let a = tree(&[("100644", "a", 1), ("100644", "c", 3)]);
        let b = tree(&[("100644", "a", 1), ("100644", "b", 2), ("100644", "c", 3)]);
        assert_eq!(names(&changed_entries(Some(&a), Some(&b))), ["+b"]);
        assert_eq!(names(&changed_entries(Some(&b), Some(&a))), ["-b"]);
    }

    #[test]
    fn a_shared_suffix_that_is_not_on_an_entry_boundary() {
        // "xc" in the new tree ends with the bytes of "c": the shared suffix starts inside an
        // entry of the new tree, which must still be reported.
        let a = tree(&[("100644", "c", 3)]);
        let b = tree(&[("100644", "xc", 3)]);
        assert_eq!(names(&changed_entries(Some(&a), Some(&b))), ["-c", "+xc"]);
    }

    #[test]
    fn a_mode_change_and_git_order_of_directories() {
        let a = tree(&[("100644", "a", 1), ("100644", "a.b", 2), ("40000", "a", 3)]);
        let b = tree(&[("100755", "a", 1), ("100644", "a.b", 2), ("40000", "a", 3)]);
        assert_eq!(names(&changed_entries(Some(&a), Some(&b))), ["~a"]);
        assert!(RawTree::parse(b"100644 a\0short".to_vec()).is_none());
    }
}
