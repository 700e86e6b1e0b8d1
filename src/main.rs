//! The `kept` binary: all rendering lives in `cli`; the work is done by the `kept` library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}

// Plan loading makes many small allocations on several threads; mimalloc's per-thread
// heaps avoid glibc's arena growth (one mprotect call per page) and halve system time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
