//! `kept publish`: feeds read by a real feed parser, open data, reproducible output, and an
//! atomic swap of the site.

use std::path::Path;

use crate::common::run;
use crate::history::{COORDINATOR, LEAD, Repo};

fn story() -> Repo {
    let mut repo = Repo::template(|_| {});
    repo.edit(
        "commitments/UAYAB0005/commitment.toml",
        "due = 2027-03-31\nstatus = \"in-progress\"",
        "due = 2027-03-31\nstatus = \"completed\"\ncompleted-on = 2026-11-20\nevidence = [\"https://yablunivka.example/youth-audit.pdf\"]",
    );
    repo.commit(LEAD, "Complete the youth audit <&> \"quotes\"");
    repo.edit("roadmap.toml", "#:schema", "# reviewed\n#:schema");
    repo.commit(COORDINATOR, "Review the roadmap");
    repo
}

fn publish(repo: &Repo, out: &Path) {
    let (code, o, err) = run(repo.s.kept().arg("publish").arg(&repo.dir).arg("--out").arg(out));
    assert_eq!(code, 0, "{o}{err}");
}

/// The inode of a file of a site's version directory.
fn inode(dir: &Path, file: &str) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(dir.join(file)).unwrap())
}

/// Every file under `dir` (manifest included) with its bytes, sorted by path.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn feeds_parse_with_feedparser_and_carry_every_entry() {
    let repo = story();
    let out = repo.s.home().join("site");
    publish(&repo, &out);
    let script = r#"
import json, sys, glob, feedparser
report = {}
for path in sorted(glob.glob(sys.argv[1] + "/**/*.atom", recursive=True)):
    d = feedparser.parse(path)
    report[path[len(sys.argv[1]) + 1:]] = {"bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")), "entries": len(d.entries),
        "ids": [e.id for e in d.entries], "titles": [e.title for e in d.entries]}
print(json.dumps(report))
"#;
    let o = std::process::Command::new("python3").args(["-c", script]).arg(&out).output().expect("python3 runs");
    assert!(o.status.success(), "feedparser (pip install feedparser): {}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let feeds = v.as_object().unwrap();
    assert_eq!(feeds.len(), 6, "the plan's feed and one per commitment: {v}");
    for (path, f) in feeds {
        assert_eq!(f["bozo"], false, "{path}: {}", f["error"]);
    }
    // The plan's feed: one entry per commit (3), newest first, with permanent tag ids.
    let plan = &feeds["feed.atom"];
    assert_eq!(plan["entries"], 3, "{plan}");
    assert!(plan["ids"][0].as_str().unwrap().starts_with("tag:yablunivka.example,"), "{plan}");
    assert!(plan["titles"][1].as_str().unwrap().starts_with("UAYAB0005/M2 status: in-progress -> completed"), "{plan}");
    // Entries speak the plan's languages: Ukrainian first, then English.
    let atom = std::fs::read_to_string(out.join("feed.atom")).unwrap();
    assert!(atom.contains("[uk]\n- UAYAB0005/M2, статус: виконується -&gt; виконано (додано підтвердження"), "{atom}");
    assert!(atom.contains("[en]\n- UAYAB0005/M2 status: in-progress -&gt; completed"), "{atom}");
    let uk_page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        uk_page.contains("UAYAB0005/M2, статус: виконується -&gt; виконано"),
        "the dashboard's recent changes are in its language"
    );
    let youth = &feeds["commitments/UAYAB0005.atom"];
    assert_eq!(youth["entries"], 2, "its adoption and its completion: {youth}");

    for path in ["feed.json", "commitments/UAYAB0005.json"] {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(path)).unwrap()).unwrap();
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1", "{path}");
        assert!(v["title"].is_string(), "{path}");
        for item in v["items"].as_array().unwrap() {
            assert!(
                item["id"].is_string() && (item["content_text"].is_string() || item["content_html"].is_string()),
                "{path}: {item}"
            );
        }
    }
}

#[test]
fn publishing_is_reproducible_and_swaps_the_site_whole() {
    let repo = story();
    let a = repo.s.home().join("a");
    let b = repo.s.home().join("b");
    publish(&repo, &a);
    publish(&repo, &b);
    let (fa, fb) = (files(&a), files(&b));
    assert!(fa.len() > 20);
    assert_eq!(fa, fb, "the same revision gives the same bytes");
    // Publishing the revision already served builds beside it, never inside the served copy.
    let served = std::fs::read_link(&a).unwrap();
    publish(&repo, &a);
    let again = std::fs::read_link(&a).unwrap();
    assert_ne!(served, again, "the other version directory");
    assert_eq!(files(&a), fa);
    // The site is a link to a complete version: republishing replaces it in one rename.
    assert!(std::fs::symlink_metadata(&a).unwrap().file_type().is_symlink());
    let before = std::fs::read_link(&a).unwrap();
    let spare = repo.s.home().join(&served);
    let untouched = inode(&spare, "badges/UAYAB0001.svg");
    let index = inode(&spare, "feed.atom");
    let mut repo = repo;
    repo.edit("roadmap.toml", "# reviewed", "# reviewed again");
    repo.commit(COORDINATOR, "Review once more");
    publish(&repo, &a);
    let after = std::fs::read_link(&a).unwrap();
    assert_ne!(before, after);
    assert_eq!(after, served, "the two version directories take turns");
    assert!(repo.s.home().join(&before).exists(), "the version replaced stays as the spare");
    assert_eq!(files(&a).len(), fa.len());
    // Only what changed was written into the spare: an unchanged file is the same inode.
    assert_eq!(inode(&spare, "badges/UAYAB0001.svg"), untouched, "an unchanged file is not rewritten");
    assert_ne!(inode(&spare, "feed.atom"), index, "a changed file is replaced, not edited in place");
    // What a fresh publish of the same revision gives, byte for byte.
    let fresh = repo.s.home().join("fresh");
    publish(&repo, &fresh);
    assert_eq!(files(&a), files(&fresh));
}

#[test]
fn a_new_version_starts_from_links_to_the_one_served() {
    let repo = story();
    let site = repo.s.home().join("site");
    publish(&repo, &site);
    let mut repo = repo;
    repo.edit("roadmap.toml", "# reviewed", "# reviewed again");
    repo.commit(COORDINATOR, "Review once more");
    publish(&repo, &site);
    let home = repo.s.home();
    // The second version directory was empty: its unchanged files are links to the first's,
    // and only what changed was written.
    let (a, b) = (home.join(".site.a"), home.join(".site.b"));
    assert_eq!(inode(&a, "badges/UAYAB0001.svg"), inode(&b, "badges/UAYAB0001.svg"));
    assert_ne!(inode(&a, "feed.atom"), inode(&b, "feed.atom"));
    let fresh = repo.s.home().join("fresh");
    publish(&repo, &fresh);
    assert_eq!(files(&site), files(&fresh));
}

#[test]
fn a_publish_stopped_half_way_is_redone_in_full() {
    let repo = story();
    let site = repo.s.home().join("site");
    publish(&repo, &site);
    publish(&repo, &site);
    let live = std::fs::read_link(&site).unwrap();
    let [a, b] = [".site.a", ".site.b"].map(|n| repo.s.home().join(n));
    let spare = if live == Path::new(".site.a") { b } else { a };
    // A stopped publish: the spare has lost its manifest and holds a torn file and a stray.
    std::fs::remove_file(spare.join(".kept-manifest")).unwrap();
    std::fs::write(spare.join("index.html"), "torn").unwrap();
    std::fs::write(spare.join("stray.html"), "left over").unwrap();
    let mut repo = repo;
    repo.edit("roadmap.toml", "# reviewed", "# reviewed again");
    repo.commit(COORDINATOR, "Review once more");
    publish(&repo, &site);
    assert_eq!(std::fs::read_link(&site).unwrap(), Path::new(spare.file_name().unwrap()));
    let fresh = repo.s.home().join("fresh");
    publish(&repo, &fresh);
    assert_eq!(files(&site), files(&fresh), "the spare was emptied and written whole");
}

#[test]
fn open_data_has_ogp_columns_and_every_milestone() {
    let repo = story();
    let out = repo.s.home().join("site");
    publish(&repo, &out);
    let commitments = std::fs::read_to_string(out.join("data/commitments.csv")).unwrap();
    assert!(
        commitments.starts_with("Commitment Unique Identifier,Country/Locality,Commitment Title,"),
        "{commitments}"
    );
    assert_eq!(commitments.lines().count(), 6);
    let milestones = std::fs::read_to_string(out.join("data/milestones.csv")).unwrap();
    assert_eq!(milestones.lines().count(), 1 + 25, "{milestones}");
    let plan: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("data/plan.json")).unwrap()).unwrap();
    assert_eq!(plan["status"]["phase"], "implement");
    let badge = std::fs::read_to_string(out.join("badges/UAYAB0005.svg")).unwrap();
    assert!(badge.starts_with("<svg") && badge.contains("UAYAB0005"), "{badge}");
    let page = std::fs::read_to_string(out.join("index.en.html")).unwrap();
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("Progress by milestones = completed milestones"),
        "the formula is written on the page"
    );
    let uk = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(uk.contains("<html lang=\"uk\">") && uk.contains("Зобов'язання"));
    assert!(!uk.contains("<script"), "the dashboard works without JavaScript");
}

#[test]
fn the_timeline_has_a_date_axis_a_today_line_and_a_legend() {
    let repo = story();
    let out = repo.s.home().join("site");
    publish(&repo, &out);
    // The template's period: 2025-09-01 to 2027-08-31.
    let plan = std::fs::read_to_string(repo.dir.join("plan.toml")).unwrap();
    assert!(plan.contains("period = { start = 2025-09-01, end = 2027-08-31 }"));
    let (start, end) = ("2025-09", "2027-08");
    for (page, overdue) in [("index.html", "прострочено"), ("index.en.html", "overdue")] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        let axis = &html[html.find("<g class=\"axis\"").expect("an axis")..];
        let axis = &axis[..axis.find("</g>").unwrap()];
        let ticks: Vec<&str> =
            axis.split("</text>").filter_map(|t| t.rsplit('>').next()).filter(|t| !t.trim().is_empty()).collect();
        assert!(ticks.len() >= 4, "{ticks:?}");
        assert!(ticks.windows(2).all(|w| w[0] < w[1]), "ticks in order: {ticks:?}");
        assert!(ticks.iter().all(|t| t.len() == 7 && *t >= start && *t <= end), "{ticks:?} within {start}..{end}");
        assert!(html.contains("stroke-dasharray"), "the publication date is marked");
        let legend = &html[html.find("<ul class=\"legend\">").expect("a legend")..];
        assert!(legend[..legend.find("</ul>").unwrap()].contains(overdue), "{page}");
    }
}

/// Headless Chromium (Debian's, installed by .ci/run) with the flags this machine needs.
fn chromium(profile: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,2400",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn the_dashboard_renders_in_a_real_browser_in_both_languages() {
    let repo = story();
    let out = repo.s.home().join("site");
    publish(&repo, &out);
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    for (page, lang, phase) in [("index.html", "uk", "Впровадження"), ("index.en.html", "en", "Implement")]
    {
        let url = format!("file://{}", out.join(page).canonicalize().unwrap().display());
        let profile = repo.s.home().join(format!("chromium-{lang}"));
        let dom =
            chromium(&profile).arg("--dump-dom").arg(&url).output().expect("chromium runs (apt-get install chromium)");
        assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
        let html = String::from_utf8_lossy(&dom.stdout);
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(html.contains("aria-current=\"step\"") && html.contains(phase), "the phase tracker renders ({lang})");
        for id in ["UAYAB0001", "UAYAB0002", "UAYAB0003", "UAYAB0004", "UAYAB0005"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id} renders ({lang})");
        }
        // Console errors and failed loads are logged to standard error as CONSOLE lines.
        let console: Vec<String> = String::from_utf8_lossy(&dom.stderr)
            .lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("Failed to load resource"))
            .map(str::to_string)
            .collect();
        assert!(console.is_empty(), "console messages on {page}: {console:?}");
        let shot = artifacts.join(format!("dashboard-{lang}.png"));
        let _ = std::fs::remove_file(&shot);
        let s = chromium(&profile).arg(format!("--screenshot={}", shot.display())).arg(&url).output().unwrap();
        assert!(
            s.status.success() && shot.metadata().is_ok_and(|m| m.len() > 10_000),
            "a screenshot of {page} is saved"
        );
    }
    // Every commitment page, in every language, links back and loads its badge.
    for entry in std::fs::read_dir(out.join("commitments")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&p).unwrap();
            assert!(html.contains("../badges/") && html.contains("<h1>"), "{}", p.display());
        }
    }
}

/// The feeds and open data, byte for byte: readers and scripts depend on them, so a change
/// to their bytes has to be deliberate (review the snapshot diff with `cargo insta review`).
#[test]
fn feeds_and_open_data_keep_their_bytes() {
    let repo = story();
    let out = repo.s.home().join("site");
    publish(&repo, &out);
    for file in ["feed.json", "feed.atom", "commitments/UAYAB0005.json", "data/commitments.csv", "data/milestones.csv"]
    {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let name = file.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, text);
    }
}
