//! Following a plan from commit to commit (what the daemon does): after every step of a
//! generated history of edits, the plan brought forward by re-reading only what changed must
//! be the plan a fresh load of that commit gives, and must validate the same.

use std::path::Path;

use kept::plan::{Following, Loaded, Step};

use crate::common::Scratch;

/// Everything the loader produces, in a comparable form.
fn shape(l: &Loaded) -> Vec<String> {
    let mut diags = l.diagnostics.clone();
    kept::diagnostic::sort(&mut diags);
    let p = &l.plan;
    let today = kept::date::Date::parse("2026-11-26").unwrap();
    let report = kept::rules::validate(l, today);
    let mut out = vec![
        format!("{diags:?}"),
        format!("{:?}", report.diagnostics),
        format!("{:?}", p.commitments),
        format!("{:?}", p.updates),
        format!("{:?}", p.files),
        format!("{:?}", p.broken),
        format!("{:?} {:?} {:?}", p.settings, p.meta, p.entities),
        format!("{:?} {:?} {:?} {:?}", p.roadmap, p.opportunities, p.learning, p.vision),
    ];
    for f in &p.files {
        out.push(format!("{f}: {:?}", p.sources.text(f)));
    }
    out
}

fn assert_same(followed: &Loaded, dir: &Path, step: usize, what: &str) {
    let fresh = kept::plan::load_rev(dir, "HEAD").unwrap();
    let (a, b) = (shape(followed), shape(&fresh));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "step {step} ({what}): the followed plan differs from a fresh load");
    }
    assert_eq!(a.len(), b.len(), "step {step} ({what})");
}

/// A small deterministic generator, so a failure names a step that can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn append(path: &Path, text: &str) {
    let mut old = std::fs::read_to_string(path).unwrap_or_default();
    old.push_str(text);
    std::fs::write(path, old).unwrap();
}

fn commitment_dirs(plan: &Path) -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(plan.join("commitments"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

/// Make one random edit of the kinds people make (and a few broken ones); returns what.
///
/// UAYAB0004, led by the city council, is never removed or broken, so renaming the council
/// always changes a page.
fn random_edit(plan: &Path, rng: &mut Lcg, step: usize, original: &str) -> &'static str {
    let dirs = commitment_dirs(plan);
    let dir = &dirs[rng.below(dirs.len())];
    let toml = plan.join("commitments").join(dir).join("commitment.toml");
    let spare = dir != "UAYAB0004";
    match rng.below(17) {
        0 | 1 => {
            append(&toml, &format!("# reviewed at step {step}\n"));
            "a commitment edited"
        }
        2 | 3 => {
            let text = std::fs::read_to_string(&toml).unwrap_or_default();
            let text = text.replacen("status = \"not-started\"", "status = \"in-progress\"", 1).replacen(
                "status = \"delayed\"",
                "status = \"completed\"",
                1,
            );
            std::fs::write(&toml, text).unwrap();
            "milestones moved"
        }
        4 if spare => {
            append(&toml, "this is = not [ toml\n");
            "a commitment broken"
        }
        5 | 15 => {
            let id = format!("UAYAB{:04}", 100 + step);
            let new = plan.join("commitments").join(&id);
            std::fs::create_dir_all(&new).unwrap();
            std::fs::write(new.join("commitment.toml"), original.replace("UAYAB0001", &id)).unwrap();
            std::fs::write(new.join("README.md"), format!("# {id}\n\nA new commitment.\n")).unwrap();
            "a commitment added"
        }
        6 if dirs.len() > 4 && spare => {
            std::fs::remove_dir_all(plan.join("commitments").join(dir)).unwrap();
            "a commitment removed"
        }
        7 => {
            append(&plan.join("commitments").join(dir).join("README.en.md"), "\n## Also\n\nMore.\n");
            "a README translated"
        }
        8 => {
            let note = plan.join(format!("updates/2026-11-{:02}-note-{step}.md", 1 + step % 25));
            let text = format!(
                "+++\ntitle = {{ uk = \"Нотатка\", en = \"Note {step}\" }}\ndate = 2026-11-{:02}\n\
                 kind = \"progress\"\nauthors = [\"p-olena-koval\"]\ncommitments = [\"{dir}\"]\n+++\nText.\n",
                1 + step % 25
            );
            std::fs::write(note, text).unwrap();
            "an update added"
        }
        9 => {
            let notes: Vec<_> = std::fs::read_dir(plan.join("updates")).unwrap().map(|e| e.unwrap().path()).collect();
            std::fs::remove_file(&notes[rng.below(notes.len())]).unwrap();
            "an update removed"
        }
        10 => {
            std::fs::write(plan.join(format!("reports/evidence-{step}.txt")), "minutes").unwrap();
            "evidence added"
        }
        11 => {
            append(&plan.join("plan.toml"), &format!("# step {step}\n"));
            "plan.toml edited"
        }
        12 => {
            let people = std::fs::read_to_string(plan.join("people.toml")).unwrap();
            // The city council leads a commitment: its pages name it.
            let people: String = people
                .lines()
                .map(|l| {
                    if l.starts_with("name = { uk = \"Яблунівська міська рада\"") {
                        format!("name = {{ uk = \"Яблунівська міська рада\", en = \"Yablunivka Council {step}\" }}\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            std::fs::write(plan.join("people.toml"), people).unwrap();
            "an organisation renamed"
        }
        13 => {
            let kept = std::fs::read_to_string(plan.join("kept.toml")).unwrap();
            let kept = kept.replacen("open-gov/\"", &format!("open-gov-{step}/\""), 1);
            std::fs::write(plan.join("kept.toml"), kept).unwrap();
            "the site moved"
        }
        14 if spare => {
            let _ = std::fs::remove_file(&toml);
            "a commitment.toml removed"
        }
        _ => {
            append(&toml, &format!("# looked at, step {step}\n"));
            "a commitment looked at"
        }
    }
}

/// Commit everything, on a day that moves now and then (the site is dated by its commit).
fn commit(s: &Scratch, plan: &Path, step: usize, what: &str) {
    s.git(plan, &["add", "-A"]);
    let day = format!("2026-11-{:02}T10:00:00+02:00", 20 + step / 10);
    let (code, _, err) = crate::common::run(
        crate::common::git(s.home(), plan).env("GIT_COMMITTER_DATE", &day).env("GIT_AUTHOR_DATE", &day).args([
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            what,
        ]),
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_followed_plan_is_the_plan_a_fresh_load_gives_after_every_commit() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "the plan");
    let mut following = Following::open(&plan, "HEAD").unwrap();
    assert_same(following.loaded(), &plan, 0, "first load");
    let original = std::fs::read_to_string(plan.join("commitments/UAYAB0001/commitment.toml")).unwrap();
    let mut rng = Lcg(7);
    let (mut patched, mut reloaded) = (0, 0);
    for step in 1..=60 {
        let what = random_edit(&plan, &mut rng, step, &original);
        commit(&s, &plan, step, what);
        match following.advance("HEAD").unwrap() {
            Step::Patched { .. } => patched += 1,
            Step::Reloaded => reloaded += 1,
            Step::Same => {}
        }
        assert_same(following.loaded(), &plan, step, what);
    }
    assert!(patched > 30, "most steps re-read only what changed ({patched} patched, {reloaded} reloaded)");
    assert!(reloaded > 0, "a change to plan.toml loads the plan afresh");
}

/// The files of a published site, without its manifest.
fn site_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    crate::publish::files(dir).into_iter().filter(|(path, _)| path != ".kept-manifest").collect()
}

#[test]
fn a_publish_that_skips_unchanged_commitments_gives_the_bytes_a_fresh_publish_gives() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "the plan");
    let original = std::fs::read_to_string(plan.join("commitments/UAYAB0001/commitment.toml")).unwrap();
    let site = s.home().join("site");
    let mut following = Following::open(&plan, "HEAD").unwrap();
    let mut memo = kept::publish::Memo::default();
    let mut rng = Lcg(11);
    let mut reused = 0;
    for step in 0..=60 {
        let what = if step == 0 { "the plan" } else { random_edit(&plan, &mut rng, step, &original) };
        if step > 0 {
            commit(&s, &plan, step, what);
            following.advance("HEAD").unwrap();
        }
        let history = kept::history::History::open(&plan).unwrap();
        let head = history.resolve("HEAD").unwrap().to_string();
        kept::publish::publish_plan(&history, &plan, &head, Some(following.loaded()), None, &site, Some(&mut memo))
            .unwrap();
        reused += memo.reused();
        let fresh = kept::publish::site_at(&history, &plan, &head, None).unwrap();
        let published = site_files(&site);
        assert_eq!(
            published.keys().collect::<Vec<_>>(),
            fresh.files.keys().collect::<Vec<_>>(),
            "step {step} ({what}): the same files"
        );
        for (path, bytes) in &fresh.files {
            assert!(
                published[path] == *bytes,
                "step {step} ({what}): {path} differs from a fresh publish:\n{}",
                String::from_utf8_lossy(&published[path])
            );
        }
    }
    assert!(reused > 120, "commitments whose inputs did not change were taken as they were ({reused})");
}

#[test]
fn following_says_what_it_read_again() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "the plan");
    let mut following = Following::open(&plan, "HEAD").unwrap();
    assert_eq!(following.advance("HEAD").unwrap(), Step::Same);
    append(&plan.join("commitments/UAYAB0003/commitment.toml"), "# reviewed\n");
    s.commit_all(&plan, "review");
    assert_eq!(
        following.advance("HEAD").unwrap(),
        Step::Patched { commitments: vec!["UAYAB0003".into()], updates: vec![] }
    );
    append(&plan.join("people.toml"), "# reviewed\n");
    s.commit_all(&plan, "people");
    assert_eq!(following.advance("HEAD").unwrap(), Step::Reloaded);
    // Back to the first commit: whatever the distance, the result is that commit's plan.
    assert!(matches!(following.advance("HEAD~2").unwrap(), Step::Reloaded));
    let first = kept::plan::load_rev(&plan, "HEAD~2").unwrap();
    assert_eq!(shape(following.loaded()), shape(&first));
    let err = following.advance("no-such-revision").expect_err("an unknown revision is an error");
    assert!(err.to_string().contains("no-such-revision"), "{err}");
}

#[test]
fn uncommitted_edits_are_checked_on_top_of_the_followed_plan_as_a_fresh_load_of_the_directory() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "the plan");
    let original = std::fs::read_to_string(plan.join("commitments/UAYAB0001/commitment.toml")).unwrap();
    let mut following = Following::open(&plan, "HEAD").unwrap();
    let mut rng = Lcg(23);
    let (mut patched, mut fresh) = (0, 0);
    for step in 1..=40 {
        let what = random_edit(&plan, &mut rng, step, &original);
        // Now and then the edits so far are committed, and followed.
        if step % 5 == 0 {
            commit(&s, &plan, step, what);
            following.advance("HEAD").unwrap();
        }
        match following.with_worktree(&plan, shape).unwrap() {
            Some(seen) => {
                patched += 1;
                let on_disk = kept::plan::load_dir(&plan).unwrap();
                assert_eq!(seen, shape(&on_disk), "step {step} ({what}): the working tree as patched");
            }
            None => fresh += 1,
        }
        // The followed plan is put back as the commit has it.
        assert_same(following.loaded(), &plan, step, what);
    }
    assert!(patched > 10, "most working trees were patched ({patched} patched, {fresh} left to a fresh load)");
}
