//! The `kept` binary: all rendering lives in `cli`; the work is done by the `kept` library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
