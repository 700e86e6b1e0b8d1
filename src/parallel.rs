//! Data parallelism over the machine's cores with scoped threads, keeping order.
//!
//! Work is cut into small batches that threads take in turn, so a thread that meets the
//! larger files does not leave the others idle at the end; kept needs no thread-pool
//! dependency for a few thousand small files.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many items the work runs on the calling thread.
const MIN_PARALLEL: usize = 64;
/// Items per batch.
const BATCH: usize = 16;

/// How many threads the maps use: one per core, at most 8.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
}

/// Map `f` over `items` on every core, keeping their order.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    map_init(items, || (), |_, item| f(item))
}

/// Map `f` over `items` on every core, keeping their order; each thread first makes its own
/// state with `init` (such as a repository handle, which threads cannot share).
pub fn map_init<T: Send, S, R: Send>(
    items: Vec<T>,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, T) -> R + Sync,
) -> Vec<R> {
    let threads = threads();
    if threads <= 1 || items.len() < MIN_PARALLEL {
        let mut state = init();
        return items.into_iter().map(|item| f(&mut state, item)).collect();
    }
    let count = items.len();
    let mut batches: Vec<Mutex<Option<Vec<T>>>> = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        batches.push(Mutex::new(Some(items.by_ref().take(BATCH).collect())));
    }
    let results: Vec<Mutex<Vec<R>>> = (0..batches.len()).map(|_| Mutex::new(Vec::new())).collect();
    let next = AtomicUsize::new(0);
    let (init, f, batches_ref, results_ref, next_ref) = (&init, &f, &batches, &results, &next);
    // The calling thread is one of the workers: its heap, already warm from the work before,
    // takes a share of the allocations, and one thread fewer is started and torn down (a
    // finished thread's memory pages are left for others to reclaim, which costs fresh pages).
    let work = move || {
        let mut state = init();
        loop {
            let i = next_ref.fetch_add(1, Ordering::Relaxed);
            let Some(batch) = batches_ref.get(i) else { break };
            // Each batch index is taken once, so its lock is never contended.
            let work = batch.lock().map(|mut b| b.take()).unwrap_or_default().unwrap_or_default();
            let out: Vec<R> = work.into_iter().map(|item| f(&mut state, item)).collect();
            if let Ok(mut slot) = results_ref[i].lock() {
                *slot = out;
            }
        }
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        work();
        for h in handles {
            // A panic in a worker is a bug: re-raise it rather than lose items silently.
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
    });
    // One allocation of the final size: the results can be large (a parsed file each).
    let mut out = Vec::with_capacity(count);
    out.extend(results.into_iter().flat_map(|m| m.into_inner().unwrap_or_default()));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v: Vec<u32> = (0..1000).collect();
        assert_eq!(super::map(v.clone(), |x| x * 2), v.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(super::map(vec![1, 2], |x| x + 1), vec![2, 3]);
        let odd: Vec<u32> = (0..1003).collect();
        assert_eq!(super::map(odd.clone(), |x| x), odd);
    }

    #[test]
    fn each_thread_makes_its_state_once() {
        let made = std::sync::atomic::AtomicUsize::new(0);
        let v: Vec<u32> = (0..1000).collect();
        let out = super::map_init(
            v.clone(),
            || made.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            |seen: &mut usize, x| {
                *seen += 1;
                x + 1
            },
        );
        assert_eq!(out, v.iter().map(|x| x + 1).collect::<Vec<_>>());
        assert!(made.into_inner() <= super::threads());
    }
}
