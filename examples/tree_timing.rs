//! How long kept's TOML readers take on a plan's `commitment.toml` files, on one thread,
//! beside the `toml` crate's: the scanner (`tree::fast`, which takes plan files), the event
//! path alone (`tree::build::events`, for documents outside the scanner's subset), `toml`'s
//! `DeTable`, and `toml::from_str` into a `toml::Table`. Five rounds; the files are read
//! into memory first.
//!
//! `cargo run --release --example tree_timing -- PLAN_DIR` (a plan from `generate_plan`).

use std::time::{Duration, Instant};

fn time(texts: &[String], parse: impl Fn(&str) -> usize) -> (Duration, usize) {
    let start = Instant::now();
    let keys = texts.iter().map(|t| parse(t)).sum();
    (start.elapsed(), keys)
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: tree_timing PLAN_DIR");
        std::process::exit(2);
    };
    let commitments = std::path::Path::new(&dir).join("commitments");
    let entries = std::fs::read_dir(&commitments).unwrap_or_else(|e| {
        eprintln!("cannot list {}: {e}", commitments.display());
        std::process::exit(2);
    });
    let texts: Vec<String> =
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("commitment.toml")).ok()).collect();
    println!("{} commitment.toml files, {} bytes", texts.len(), texts.iter().map(String::len).sum::<usize>());
    let table_len = |t: Option<&kept::plan::tree::Table<'_>>| t.map_or(0, |t| t.len());
    for round in 1..=5 {
        let (scan, a) =
            time(&texts, |t| table_len(kept::plan::tree::fast(t).as_ref().and_then(|i| i.value.as_table())));
        let (events, b) = time(&texts, |t| table_len(kept::plan::tree::build::events(t).as_ref()));
        let (de, c) = time(&texts, |t| toml::de::DeTable::parse(t).map_or(0, |t| t.get_ref().len()));
        let (value, d) = time(&texts, |t| toml::from_str::<toml::Table>(t).map_or(0, |t| t.len()));
        assert!(a == b && b == c && c == d, "the readers disagree on the number of top-level keys");
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "round {round}: scanner {:.1} ms, event path {:.1} ms, DeTable {:.1} ms, toml::Table {:.1} ms; scanner / DeTable {:.2}, event path / DeTable {:.2}",
            ms(scan),
            ms(events),
            ms(de),
            ms(value),
            ms(scan) / ms(de),
            ms(events) / ms(de),
        );
    }
}
