//! Generate a large plan for benchmarks: the template's plan files plus N commitments of M
//! milestones each, valid under `kept validate`.
//!
//! `cargo run --release --example generate_plan -- OUT_DIR [COMMITMENTS] [MILESTONES]`

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1) else {
        eprintln!("usage: generate_plan OUT_DIR [COMMITMENTS=1000] [MILESTONES=10]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let m: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let out = Path::new(out);
    if let Err(e) = generate(out, n, m) {
        eprintln!("error: cannot generate the plan in {}: {e}", out.display());
        std::process::exit(2);
    }
    println!("generated {n} commitments x {m} milestones in {}", out.display());
}

/// Lay the plan down.
pub fn generate(out: &Path, n: usize, m: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    // Everything of the template except its commitments (the generated ones take their ids).
    for (path, contents) in kept::template::files() {
        if path.starts_with("commitments/") {
            continue;
        }
        let target = out.join(&path);
        std::fs::create_dir_all(target.parent().expect("files have parents"))?;
        let mut text = String::from_utf8_lossy(contents).into_owned();
        if path == "learning.toml" {
            // Reports that point at the template's commitments go with them.
            text = text.split("[[reports]]").next().unwrap_or_default().to_string();
        }
        std::fs::write(target, text)?;
    }
    std::fs::create_dir_all(out.join("updates"))?;
    let ids: Vec<String> = (1..=n).map(|i| format!("UAYAB{i:04}")).collect();
    for (kind, date) in [("meeting", "2026-10-13"), ("progress", "2026-11-20")] {
        let list = ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
        std::fs::write(
            out.join(format!("updates/{date}-generated-{kind}.md")),
            format!(
                "+++\ntitle = {{ uk = \"Звіт\", en = \"Report\" }}\ndate = {date}\nkind = \"{kind}\"\nauthors = [\"p-olena-koval\"]\ncommitments = [{list}]\n+++\nText.\n"
            ),
        )?;
    }
    for (i, id) in ids.iter().enumerate() {
        let dir = out.join("commitments").join(id);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("commitment.toml"), commitment(id, i, m))?;
        for (file, lang) in [("README.md", "uk"), ("README.en.md", "en")] {
            std::fs::write(dir.join(file), readme(id, lang))?;
        }
    }
    Ok(())
}

fn commitment(id: &str, i: usize, m: usize) -> String {
    let mut s = format!(
        "#:schema ../../.kept/schema/commitment.schema.json\nid = \"{id}\"\ntitle = {{ uk = \"Зобов'язання {i}\", en = \"Commitment {i}\" }}\nlead = \"o-digital-dept\"\nsupporting = [\"o-cso-open-city\"]\nopportunity = \"O1\"\nogp-values = [\"access-to-information\", \"civic-participation\"]\npolicy-areas = [\"open-data\"]\nstart = 2025-09-01\nend = 2027-08-31\nstatus = \"in-implementation\"\nprogress = {}\n\n[approval]\nby = \"p-oleksandr-hnatiuk\"\non = 2025-08-15\ndecision = {{ uk = \"Рішення № {i}\", en = \"Decision No. {i}\" }}\n",
        (i * 7) % 100
    );
    let statuses = ["completed", "in-progress", "not-started", "delayed", "withdrawn"];
    for k in 0..m {
        let status = statuses[(i + k) % statuses.len()];
        let (start, due) =
            if status == "completed" { ("2025-09-01", "2026-06-30") } else { ("2026-01-01", "2027-06-30") };
        let _ = write!(
            s,
            "\n[[milestones]]\nid = \"M{}\"\ntitle = {{ uk = \"Етап {k}\", en = \"Milestone {k}\" }}\ndeliverable = {{ uk = \"Результат {k}\", en = \"Deliverable {k}\" }}\nresponsible = \"o-digital-dept\"\nstart = {start}\ndue = {due}\nstatus = \"{status}\"\n",
            k + 1
        );
        match status {
            "completed" => s.push_str("completed-on = 2026-05-15\nevidence = [\"https://yablunivka.example/evidence\"]\n"),
            "delayed" => s.push_str(
                "delay-reason = { uk = \"Причина\", en = \"Reason\" }\nnext-steps = { uk = \"Кроки\", en = \"Next steps\" }\n",
            ),
            "withdrawn" => s.push_str("withdrawn-reason = { uk = \"Причина\", en = \"Reason\" }\n"),
            _ => {}
        }
    }
    s
}

fn readme(id: &str, lang: &str) -> String {
    let h = if lang == "uk" {
        ["Проблема", "Поточний стан", "Дії", "Внесок"]
    } else {
        ["Problem", "Status quo", "Action", "How it contributes"]
    };
    format!("# {id}\n\n## {}\nText.\n\n## {}\nText.\n\n## {}\nText.\n\n## {}\nText.\n", h[0], h[1], h[2], h[3])
}
