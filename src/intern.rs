//! Interned names: a short string that repeats across a plan, in four bytes.
//!
//! Every value of a loaded plan carries the file it was written in, and every translated
//! text names its languages. A plan of 1,000 commitments has a few hundred thousand such
//! values but only a few thousand files and two or three languages, so each name is stored
//! once, for the life of the process, and a value holds its number.
//!
//! The table only grows: a name seen once stays (a long-running daemon keeps the paths of
//! every revision it loaded, which is the set of plan files that ever existed, a few bytes
//! each). Reading a name takes no lock: numbers index a list of chunks of doubling size, each
//! slot written once. Making one takes a lock, except for the few names a thread made last
//! (language codes), which it finds in a cache of its own.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// An interned string: `Copy`, four bytes, compared by number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Name(u32);

/// A repository-relative path.
pub type FileName = Name;

/// A language code (`uk`, `en`).
pub type Lang = Name;

/// How many recently made names each thread remembers.
const RECENT: usize = 4;

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

impl Name {
    /// The number of a string, adding it on first use.
    pub fn new(path: &str) -> Name {
        if path.is_empty() {
            return Name(0);
        }
        thread_local! {
            static MADE: std::cell::RefCell<[Name; RECENT]> = const { std::cell::RefCell::new([Name(0); RECENT]) };
        }
        let recent = MADE.with_borrow(|made| made.iter().copied().find(|n| n.as_str() == path));
        if let Some(name) = recent {
            return name;
        }
        let name = Self::intern(path);
        MADE.with_borrow_mut(|made| {
            made.rotate_right(1);
            made[0] = name;
        });
        name
    }

    fn intern(path: &str) -> Name {
        // A poisoned lock only means another thread panicked while holding it; the map is
        // still consistent (an insert either happened or not), so go on with it.
        let mut numbers = NUMBERS.lock().unwrap_or_else(|e| e.into_inner());
        let numbers = numbers.get_or_insert_with(|| HashMap::from([("", 0)]));
        if let Some(&n) = numbers.get(path) {
            return Name(n);
        }
        let n = u32::try_from(numbers.len()).expect("fewer than 2^32 distinct file names");
        let name: &'static str = Box::leak(path.into());
        // Set the slot before publishing the number, so a reader never sees an empty slot.
        let _ = slot(n).set(name);
        numbers.insert(name, n);
        Name(n)
    }

    /// The path.
    pub fn as_str(self) -> &'static str {
        if self.0 == 0 {
            return "";
        }
        slot(self.0).get().copied().unwrap_or("")
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name::new(s)
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_repeat_as_the_same_number() {
        let a = Name::new("commitments/C1/commitment.toml");
        let b = Name::new("plan.toml");
        assert_eq!(a.as_str(), "commitments/C1/commitment.toml");
        assert_eq!(&*b, "plan.toml");
        assert_eq!(Name::new("plan.toml"), b);
        assert_ne!(a, b);
        assert_eq!(Name::new("").as_str(), "");
        assert_eq!(Name::default().as_str(), "");
        // More names than a thread remembers, made again: each keeps its number.
        let many: Vec<Name> = (0..3 * RECENT).map(|i| Name::new(&format!("lang-{i}"))).collect();
        for (i, n) in many.iter().enumerate() {
            assert_eq!(Name::new(&format!("lang-{i}")), *n);
            assert_eq!(*n, format!("lang-{i}").as_str());
        }
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
                        assert_eq!(Name::new(n).as_str(), n);
                    }
                });
            }
        });
        for n in &names {
            assert_eq!(Name::new(n).as_str(), n);
        }
    }
}
