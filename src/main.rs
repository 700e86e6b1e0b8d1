//! The `kept` binary: all rendering lives in `cli`; the work is done by the `kept` library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}

// Plan loading makes many small allocations on several threads; mimalloc's per-thread
// heaps avoid glibc's arena growth (one mprotect call per page) and halve system time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    /// mimalloc's option setter (`mi_option_set` in mimalloc.h).
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, v3).
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// Tune memory for a process that runs for weeks (the daemon) rather than seconds: freed
/// pages go back to the system at once instead of after a delay, and transparent huge pages
/// are off, since a heap that is mostly free would otherwise keep 2 MiB resident for each
/// page it still touches. Measured on a plan of 1,000 commitments: 140 MB resident before,
/// under 60 MB after (BENCHMARKS.md). Short commands keep the defaults, which are faster.
pub fn long_running() {
    // SAFETY: setting an option is allowed at any time; the value is read when memory is
    // next purged.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
