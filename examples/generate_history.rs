//! Generate a plan repository with a long history for benchmarks: the template, then N
//! commits by the coordinator, each a valid change (a declared progress, a milestone's next
//! steps, or a new progress update), committed straight into the object database.
//!
//! `cargo run --release --example generate_history -- OUT_DIR [COMMITS] [FROM_PLAN_DIR]`
//!
//! With FROM_PLAN_DIR (e.g. a plan made by `generate_plan`), history starts from that plan
//! instead of the template.

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1) else {
        eprintln!("usage: generate_history OUT_DIR [COMMITS=1000]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let from = args.get(3).map(Path::new);
    if let Err(e) = generate(Path::new(out), n, from) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
    println!("generated {n} commits in {out}");
}

fn read_tree(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        if e.file_type()?.is_dir() {
            read_tree(&e.path(), &rel, out)?;
        } else {
            out.push((rel, std::fs::read_to_string(e.path())?));
        }
    }
    Ok(())
}

fn generate(out: &Path, n: usize, from: Option<&Path>) -> Result<(), git2::Error> {
    let io = |e: std::io::Error| git2::Error::from_str(&e.to_string());
    std::fs::create_dir_all(out).map_err(io)?;
    let mut files: Vec<(String, String)> = match from {
        Some(dir) => {
            let mut v = Vec::new();
            read_tree(dir, "", &mut v).map_err(io)?;
            v
        }
        None => {
            kept::template::files().into_iter().map(|(p, c)| (p, String::from_utf8_lossy(c).into_owned())).collect()
        }
    };
    for (path, text) in &files {
        let target = out.join(path);
        std::fs::create_dir_all(target.parent().expect("files have parents")).map_err(io)?;
        std::fs::write(target, text).map_err(io)?;
    }
    let root = kept::repo::commit_all(out, "Adopt the plan")?;
    let repo = git2::Repository::open(out)?;
    let mut parent = repo.find_commit(root)?;
    let mut index = repo.index()?;
    index.read_tree(&parent.tree()?)?;
    for i in 0..n {
        let when = git2::Time::new(1_780_000_000 + i as i64 * 3600, 120);
        let sig = git2::Signature::new("Olena Koval", "o.koval@yablunivka.example", &when)?;
        let (path, message) = match i % 3 {
            0 => {
                let c = format!("commitments/UAYAB000{}/commitment.toml", 1 + i % 3);
                let text = &mut files.iter_mut().find(|(p, _)| *p == c).expect("template commitment").1;
                let start = text.find("progress = ").expect("declared progress");
                let end = start + text[start..].find('\n').expect("line end");
                text.replace_range(start..end, &format!("progress = {}", 40 + i % 50));
                (c, format!("Declare progress ({i})"))
            }
            1 => {
                let c = "commitments/UAYAB0001/commitment.toml".to_string();
                let text = &mut files.iter_mut().find(|(p, _)| *p == c).expect("template commitment").1;
                // A revision mark that replaces the last one, so the text keeps its size.
                let start = text.find("next-steps = { uk = \"").expect("next steps") + "next-steps = { uk = \"".len();
                if text[start..].starts_with('[') {
                    let end = start + text[start..].find("] ").expect("a mark ends") + 2;
                    text.replace_range(start..end, "");
                }
                text.insert_str(start, &format!("[{i}] "));
                (c, format!("Update next steps ({i})"))
            }
            _ => {
                let day = 1 + (i / 3) % 20;
                let p = format!("updates/2026-11-{day:02}-note-{i}.md");
                let body = format!(
                    "+++\ntitle = {{ uk = \"Нотатка {i}\", en = \"Note {i}\" }}\ndate = 2026-11-{day:02}\nkind = \"progress\"\nauthors = [\"p-olena-koval\"]\ncommitments = [\"UAYAB0001\"]\n+++\nProgress note {i}.\n"
                );
                files.push((p.clone(), body));
                (p, format!("Add progress note {i}"))
            }
        };
        let content = files.iter().find(|(p, _)| *p == path).expect("just written").1.clone();
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: content.len() as u32,
            id: git2::Oid::ZERO_SHA1,
            flags: 0,
            flags_extended: 0,
            path: path.clone().into_bytes(),
        };
        index.add_frombuffer(&entry, content.as_bytes())?;
        let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
        let id = repo.commit(Some("HEAD"), &sig, &sig, &message, &tree, &[&parent])?;
        parent = repo.find_commit(id)?;
    }
    // Bring the work tree to the head, as a clone would have it.
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
    Ok(())
}
