//! Where the daemon's memory goes on a plan: the live heap (bytes allocated and not freed)
//! after each stage of a refresh, counted by a wrapper around the allocator kept uses.
//!
//! `cargo run --release --example live_heap -- PLAN_REPO`

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size() as isize, Ordering::Relaxed) + l.size() as isize;
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let now =
            LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed) + new as isize - l.size() as isize;
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn report(stage: &str) {
    let mb = |b: isize| b as f64 / 1e6;
    println!(
        "{stage:<34} live {:>7.1} MB   peak so far {:>7.1} MB",
        mb(LIVE.load(Ordering::Relaxed)),
        mb(PEAK.load(Ordering::Relaxed))
    );
}

fn main() {
    let repo = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: live_heap PLAN_REPO"));
    report("start");
    let mut following = kept::plan::Following::open(&repo, "HEAD").expect("the plan loads");
    report("plan loaded (Following)");
    let today = kept::Date::parse("2026-11-26").unwrap();
    let report_v = kept::rules::validate(following.loaded(), today);
    report("validated (report alive)");
    drop(report_v);
    let history = kept::history::History::open(&repo).unwrap();
    let head = history.resolve("HEAD").unwrap().to_string();
    let site = std::env::temp_dir().join(format!("live-heap-{}", std::process::id()));
    let mut memo = kept::publish::Memo::default();
    for round in 0..3 {
        kept::publish::publish_plan(
            &history,
            &repo,
            &head,
            Some(following.loaded()),
            None,
            &site.join("s"),
            Some(&mut memo),
        )
        .unwrap();
        report(&format!("published #{round} (memo kept)"));
    }
    following.advance("HEAD").unwrap();
    report("advanced");
    let _ = std::fs::remove_dir_all(&site);
}
