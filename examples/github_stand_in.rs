//! The GitHub stand-in of the test suite as a program, for benchmarks and trying `kept sync`
//! by hand: it listens on loopback, prints its address, and serves until killed.
//!
//! `cargo run --release --example github_stand_in -- TOKEN`
//!
//! Point `[tracker] url` in kept.toml at the printed address, with
//! `project = "yablunivka/open-gov-plan"`, and run `KEPT_TRACKER_TOKEN=TOKEN kept sync`.

#[path = "../tests/stand_in/github.rs"]
#[allow(dead_code)]
mod github;
#[path = "../tests/stand_in/server.rs"]
#[allow(dead_code)]
mod server;

fn main() {
    let token = std::env::args().nth(1).unwrap_or_else(|| "stand-in-token".to_string());
    let server = github::GitHub::start(&token);
    println!("{}", server.url);
    loop {
        std::thread::park();
    }
}
