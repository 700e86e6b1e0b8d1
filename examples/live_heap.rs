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
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
    };
    println!(
        "{stage:<42} live {:>6.1} MB  peak {:>6.1} MB  | process: resident {:>6.1} MB, peak {:>6.1} MB",
        mb(LIVE.load(Ordering::Relaxed)),
        mb(PEAK.load(Ordering::Relaxed)),
        kb("VmRSS:").unwrap_or(0.0) / 1e3,
        kb("VmHWM:").unwrap_or(0.0) / 1e3,
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
    // An uncommitted edit, checked on top of the followed plan (the daemon's live preview).
    let dir = following.loaded().plan.commitments[0].dir.clone();
    let file = repo.join("commitments").join(&dir).join("commitment.toml");
    let original = std::fs::read(&file).unwrap();
    let mut edited = original.clone();
    edited.extend_from_slice(b"# an edit\n");
    std::fs::write(&file, &edited).unwrap();
    let git = git2::Repository::discover(&repo).unwrap();
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true);
    let n = git.statuses(Some(&mut options)).unwrap().len();
    drop(git);
    report(&format!("git status alone ({n} changed)"));
    let checked = following.with_worktree(&repo, |l| kept::rules::validate(l, today).errors());
    std::fs::write(&file, &original).unwrap();
    report(&format!("working tree checked ({:?} errors)", checked.map(|c| c.is_some())));
    let _ = std::fs::remove_dir_all(&site);
}
