//! Interned file names: a plan's path in four bytes.
//!
//! Every value of a loaded plan carries the file it was written in. A plan of 1,000
//! commitments has a few hundred thousand such values but only a few thousand files, so each
//! path is stored once, for the life of the process, and a value holds its number.
//!
//! The table only grows: a path seen once stays (a long-running daemon keeps the paths of
//! every revision it loaded, which is the set of plan files that ever existed, a few bytes
//! each). Reading a name takes no lock: numbers index a list of chunks of doubling size, each
//! slot written once.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// A repository-relative path, interned: `Copy`, four bytes, compared by number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileName(u32);

/// Chunk `c` holds the names numbered `2^c - 1 .. 2^(c+1) - 1` (number 0, the empty path, is
/// slot 0 of chunk 0), so 33 chunks hold every `u32`. Only the chunks in use are allocated.
const CHUNKS: usize = 33;

type Chunk = Box<[OnceLock<&'static str>]>;

static SLOTS: [OnceLock<Chunk>; CHUNKS] = [const { OnceLock::new() }; CHUNKS];
static NUMBERS: Mutex<Option<HashMap<&'static str, u32>>> = Mutex::new(None);

fn place(n: u32) -> (usize, usize) {
    let i = n as u64 + 1;
    let chunk = 63 - i.leading_zeros() as usize;
    (chunk, (i - (1 << chunk)) as usize)
}

fn slot(n: u32) -> &'static OnceLock<&'static str> {
    let (chunk, at) = place(n);
    let chunk = SLOTS[chunk].get_or_init(|| (0..1usize << chunk).map(|_| OnceLock::new()).collect());
    &chunk[at]
}

impl FileName {
    /// The number of a path, adding it on first use.
    pub fn new(path: &str) -> FileName {
        if path.is_empty() {
            return FileName(0);
        }
        // A poisoned lock only means another thread panicked while holding it; the map is
        // still consistent (an insert either happened or not), so go on with it.
        let mut numbers = NUMBERS.lock().unwrap_or_else(|e| e.into_inner());
        let numbers = numbers.get_or_insert_with(|| HashMap::from([("", 0)]));
        if let Some(&n) = numbers.get(path) {
            return FileName(n);
        }
        let n = u32::try_from(numbers.len()).expect("fewer than 2^32 distinct file names");
        let name: &'static str = Box::leak(path.into());
        // Set the slot before publishing the number, so a reader never sees an empty slot.
        let _ = slot(n).set(name);
        numbers.insert(name, n);
        FileName(n)
    }

    /// The path.
    pub fn as_str(self) -> &'static str {
        if self.0 == 0 {
            return "";
        }
        slot(self.0).get().copied().unwrap_or("")
    }
}

impl std::ops::Deref for FileName {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for FileName {
    fn from(path: &str) -> Self {
        FileName::new(path)
    }
}

impl fmt::Debug for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_repeat_as_the_same_number() {
        let a = FileName::new("commitments/C1/commitment.toml");
        let b = FileName::new("plan.toml");
        assert_eq!(a.as_str(), "commitments/C1/commitment.toml");
        assert_eq!(&*b, "plan.toml");
        assert_eq!(FileName::new("plan.toml"), b);
        assert_ne!(a, b);
        assert_eq!(FileName::new("").as_str(), "");
        assert_eq!(FileName::default().as_str(), "");
    }

    #[test]
    fn chunks_cover_every_number() {
        assert_eq!(place(0), (0, 0));
        assert_eq!(place(1), (1, 0));
        assert_eq!(place(2), (1, 1));
        assert_eq!(place(3), (2, 0));
        assert_eq!(place(u32::MAX), (32, 0));
        // Many names from many threads: each keeps its own number and text.
        let names: Vec<String> = (0..2000).map(|i| format!("t/{i}.toml")).collect();
        std::thread::scope(|s| {
            for part in names.chunks(500) {
                s.spawn(move || {
                    for n in part {
                        assert_eq!(FileName::new(n).as_str(), n);
                    }
                });
            }
        });
        for n in &names {
            assert_eq!(FileName::new(n).as_str(), n);
        }
    }
}
