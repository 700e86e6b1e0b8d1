//! Commit-to-feed latency of a running `kept daemon`: N commits in a watched working tree,
//! each changing a commitment's declared progress; for each, the time from the commit landing
//! to the daemon serving a feed that tells of it.
//!
//! `cargo run --release --example daemon_latency -- PLAN_DIR URL [COMMITS=200] [COMMITMENT_FILE]`
//!
//! Prints one line per percentile (p50, p90, p99, max) in milliseconds.

use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: daemon_latency PLAN_DIR URL [COMMITS=200] [COMMITMENT_FILE]");
        std::process::exit(2);
    }
    let dir = Path::new(&args[1]);
    let url = args[2].trim_end_matches('/').to_string();
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let file = args.get(4).cloned().unwrap_or_else(|| "commitments/UAYAB0001/commitment.toml".into());
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let repo = git2::Repository::open(dir).expect("a plan repository");
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let path = dir.join(&file);
        let text = std::fs::read_to_string(&path).expect("the commitment file");
        let start = text.find("progress = ").expect("a declared progress") + "progress = ".len();
        let end = start + text[start..].find('\n').unwrap();
        let value = 10 + (i % 80);
        let text = format!("{}{value}{}", &text[..start], &text[end..]);
        std::fs::write(&path, text).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new(&file)).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("Olena Koval", "o.koval@yablunivka.example").unwrap();
        let parent = repo.head().unwrap().peel_to_commit().unwrap();
        let id = repo.commit(Some("HEAD"), &sig, &sig, &format!("Progress {value}"), &tree, &[&parent]).unwrap();
        let landed = Instant::now();
        let want = id.to_string();
        loop {
            let status: serde_json::Value =
                client.get(format!("{url}/api/v1/status")).send().and_then(|r| r.json()).unwrap_or_default();
            if status["plans"][0]["published"].as_str() == Some(want.as_str()) {
                break;
            }
            assert!(landed.elapsed() < Duration::from_secs(60), "commit {i} was not published: {status}");
            std::thread::sleep(Duration::from_micros(500));
        }
        let took = landed.elapsed();
        let feed = client.get(format!("{url}/feed.atom")).send().and_then(|r| r.text()).unwrap_or_default();
        assert!(feed.contains(&format!("-&gt; {value}")), "commit {i}'s change is in the feed");
        latencies.push(took);
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1];
    for (name, d) in [("p50", at(0.5)), ("p90", at(0.9)), ("p99", at(0.99)), ("max", at(1.0))] {
        println!("{name} {:.1} ms", d.as_secs_f64() * 1000.0);
    }
}
