//! `kept import ogp`: OGP's real commitment dataset (tests/fixtures/ogp, 558 rows) into plan
//! repositories, every row, with what could not be read reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kept::interop::ogp::dataset::Dataset;

use crate::common::{Scratch, TODAY, run};

fn dataset() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ogp/open_parliament_0703.csv")
}

/// A milestone's title, start and due date, as strings.
type Dated = (String, (Option<String>, Option<String>));

fn today() -> kept::Date {
    kept::Date::parse(TODAY).unwrap()
}

/// Diagnostics kept reports on an imported plan because the dataset does not hold the
/// information: the co-creation steps, approvals, narrative sections, sectors, milestone
/// statuses, responsible people and deliverables, and what follows from its own dates.
const SOURCE_GAPS: [&str; 12] = [
    "missing-field",
    "phase-exit",
    "approval-missing",
    "missing-section",
    "smart-measurable",
    "smart-actionable",
    "smart-timebound",
    "date-outside-period",
    "date-order",
    "overdue-milestone",
    "end-of-commitment-overdue",
    "commitment-state",
];

#[test]
fn every_row_of_the_real_dataset_imports_and_each_plan_loads() {
    let s = Scratch::new();
    let out = s.home().join("all");
    let report = s.home().join("report.json");
    let (code, stdout, stderr) = run(s
        .kept()
        .args(["import", "ogp"])
        .arg(dataset())
        .arg("--all")
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(&report));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stdout.contains("imported 558 rows into 214 plans"), "{stdout}");
    // No progress bar in a pipe.
    assert!(!stderr.contains("kept import: ["), "{stderr}");

    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["rows"], 558);
    assert_eq!(r["date-order"], "month-first", "most unambiguous dates of the file are M/D/Y");
    let plans = r["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 214);
    let ids: BTreeSet<&str> =
        plans.iter().flat_map(|p| p["commitments"].as_array().unwrap()).map(|c| c.as_str().unwrap()).collect();
    assert_eq!(ids.len(), 558, "every row became exactly one commitment");
    let findings = r["findings"].as_array().unwrap();
    let find = |record: u64, column: &str, text: &str| {
        findings
            .iter()
            .find(|f| f["record"] == record && f["column"] == column && f["text"] == text)
            .unwrap_or_else(|| panic!("no finding for row {record} {column} `{text}`"))
    };
    // Spreadsheet accidents, words and IRM values off the scale: reported, never guessed.
    let f = find(73, "Start Date", "7/16/1905");
    assert_eq!(f["kind"], "unparsed");
    assert!(f["message"].as_str().unwrap().contains("1905"));
    assert_eq!(find(26, "Start Date", "Underway")["kind"], "unparsed");
    assert_eq!(find(84, "End Date", "Permanent activity")["kind"], "unparsed");
    assert_eq!(find(91, "Verifiable", "1")["kind"], "unparsed");
    let serials: Vec<&serde_json::Value> = findings.iter().filter(|f| f["text"] == "43525").collect();
    assert_eq!(serials.len(), 3, "three Start Date cells hold the serial 43525");
    assert!(serials.iter().all(|f| f["kind"] == "unparsed" && f["message"].as_str().unwrap().contains("2019-03-01")));
    let noise = findings.iter().find(|f| f["text"] == "5.0999999999999996").unwrap();
    assert_eq!(noise["kind"], "repaired");
    assert!(noise["message"].as_str().unwrap().ends_with("taken as 5.1"));
    assert!(findings.iter().any(|f| f["kind"] == "ambiguous" && f["text"] == "12/1/18"));

    // Each plan loads and validates; every error is one the dataset's gaps explain.
    let data = Dataset::read(&dataset(), &mut Vec::new()).unwrap();
    let rows: BTreeMap<&str, &kept::interop::ogp::dataset::Row> =
        data.rows.iter().map(|r| (data.get(r, "Commitment Unique Identifier"), r)).collect();
    let mut errors_by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for p in plans {
        let dir = PathBuf::from(p["dir"].as_str().unwrap());
        let loaded = kept::plan::load_dir(&dir).unwrap();
        let report = kept::rules::validate(&loaded, today());
        for d in report.diagnostics.iter().filter(|d| d.is_error()) {
            assert!(SOURCE_GAPS.contains(&d.code), "{}: {} {}", dir.display(), d.code, d.message);
            *errors_by_code.entry(d.code).or_default() += 1;
        }
        for d in report.diagnostics.iter().filter(|d| d.code == "missing-field") {
            // Only what the dataset cannot say is missing: sectors, milestone statuses, and
            // commitment fields whose cell is empty or was reported.
            let field = ["`sector`", "`status`", "`start`", "`end`", "`lead`", "`title`", "`period`"]
                .iter()
                .find(|f| d.message.contains(**f));
            assert!(field.is_some(), "{}: {}", dir.display(), d.message);
        }
        for c in &loaded.plan.commitments {
            let row = rows[c.id.value.as_str()];
            for (field, column, value) in
                [("start", "Start Date", c.start.is_some()), ("end", "End Date", c.end.is_some())]
            {
                let cell = data.get(row, column);
                if !value && !["", "NA"].contains(&cell) {
                    assert!(
                        findings
                            .iter()
                            .any(|f| f["record"] == row.record && f["column"] == column && f["text"] == cell),
                        "{}: {field} `{cell}` was neither imported nor reported",
                        c.id.value
                    );
                }
            }
            let source = c.source.as_ref().expect("imported commitments carry [source]");
            assert_eq!(source.id.as_ref().unwrap().value, c.id.value);
        }
    }
    assert!(errors_by_code["phase-exit"] >= 214 * 12, "the co-creation steps are not in the dataset");
}

fn import(s: &Scratch, args: &[&str], out: &Path) -> (i32, String, String) {
    run(s.kept().args(["import", "ogp"]).arg(dataset()).args(args).arg("--out").arg(out))
}

#[test]
fn south_cotabato_and_tbilisi_milestone_tables_become_dated_milestones() {
    let s = Scratch::new();
    let out = s.home().join("local");
    let (code, stdout, stderr) = import(&s, &["--commitment", "COT0005", "--commitment", "COT0001,TBI0008"], &out);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Two action plans: one repository each.
    let cot = kept::plan::load_dir(&out.join("AP_PHSC01")).unwrap().plan;
    let tbi = kept::plan::load_dir(&out.join("AP_GETB02")).unwrap().plan;
    let dates = |m: &kept::plan::Milestone| {
        (m.start.as_ref().map(|d| d.value.to_string()), m.due.as_ref().map(|d| d.value.to_string()))
    };
    let title = |m: &kept::plan::Milestone| m.title.as_ref().unwrap().best(&[]).to_string();
    let some = |s: &str| Some(s.to_string());

    let c5 = cot.commitment("COT0005").unwrap();
    assert_eq!(c5.milestones.len(), 4);
    assert_eq!(title(&c5.milestones[0]), "Draft and pass ordinance institutionalizing the open legislation mechanism.");
    assert_eq!(dates(&c5.milestones[0]), (some("2018-11-01"), some("2018-12-31")));
    // `January 2019 – NA`: the end is unknown, not invented.
    assert_eq!(dates(&c5.milestones[1]), (some("2019-01-01"), None));
    assert!(title(&c5.milestones[2]).starts_with("Establish the Legislative Information Technology System (LITS)"));
    assert_eq!(dates(&c5.milestones[2]), (some("2018-11-01"), some("2019-03-31")));
    assert_eq!(cot.meta.as_ref().unwrap().member_code.as_ref().unwrap().value, "COT");
    let a = c5.assessment.as_ref().unwrap();
    assert_eq!(a.values["verifiable"].value, "yes");
    assert_eq!(a.values["completion"].value, "limited");
    assert!(!a.values.contains_key("did-it-open-government"), "ND stays unknown");

    let c1 = cot.commitment("COT0001").unwrap();
    assert_eq!(c1.milestones.len(), 6);
    assert!(title(&c1.milestones[0]).starts_with("Roll-out of “Chikaha si Gobernadora”"));
    assert_eq!(dates(&c1.milestones[0]), (some("2018-07-01"), some("2020-08-31")));
    assert_eq!(title(&c1.milestones[5]), "Conduct Multi-stakeholder fora on the proposed FOI Ordinance (c/o Hivos)");
    assert_eq!(dates(&c1.milestones[5]), (some("2019-09-01"), some("2019-12-31")));

    let t = tbi.commitment("TBI0008").unwrap();
    let got: Vec<Dated> = t.milestones.iter().map(|m| (title(m), dates(m))).collect();
    let want = [
        (
            "Description and documentation of work processes in Municipal Services of Transport, Environment Protection and Supervision.",
            "2019-03-15",
            "2019-04-30",
        ),
        (
            "Grading of statement types and determining their movement (processing). Internal Business Process Panel - Employee Page",
            "2019-05-01",
            "2019-06-30",
        ),
        (
            "Creation of unified services public platform. Creation of feedback tools. Introduction of citizens’ personal pages in Municipality (to be integrated with other functional envisaged in commitments)",
            "2019-07-01",
            "2019-11-30",
        ),
        ("Elaborate and approve system supporting legal act.", "2019-06-01", "2019-07-30"),
        ("Training of City Hall employees 0", "2019-09-01", "2019-10-30"),
        (
            "Produce a video clip covering portal and other OGP commitments and disseminate it through social media, mass media or local municipalities’ units",
            "2019-11-01",
            "2020-02-28",
        ),
    ];
    let want: Vec<Dated> = want.iter().map(|(t, a, b)| (t.to_string(), (some(a), some(b)))).collect();
    assert_eq!(got, want);
    assert_eq!(
        t.start.as_ref().map(|d| d.value.to_string()).as_deref(),
        Some("2019-03-15"),
        "3/15/2019 is month first and unambiguous"
    );
    // Month-precision milestone dates are reported as widened.
    assert!(stderr.contains("`November 2018`: imprecise"), "{stderr}");
}

#[test]
fn a_member_makes_one_repository_at_out() {
    let s = Scratch::new();
    let out = s.home().join("tbilisi");
    let (code, stdout, stderr) = import(&s, &["--member", "tbilisi, georgia"], &out);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(out.join("commitments/TBI0008/commitment.toml").is_file());
    assert!(out.join("commitments/TBI0008/README.md").is_file());
    assert_eq!(s.git(&out, &["status", "--porcelain"]), "", "everything is committed");
    let (code, _, _) = run(s.kept().args(["validate", "--rev", "HEAD"]).arg(&out));
    assert_eq!(code, 1, "invalid for what the dataset lacks, but readable from git");
}

#[test]
fn bad_inputs_get_clear_errors_and_nothing_is_overwritten() {
    let s = Scratch::new();
    let out = s.home().join("out");
    // Not a CSV at all.
    let png = s.home().join("picture.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").unwrap();
    let (code, _, err) = run(s.kept().args(["import", "ogp"]).arg(&png).args(["--all", "--out"]).arg(&out));
    assert_eq!(code, 2);
    assert!(err.contains("is not a CSV file") && err.contains("binary"), "{err}");
    // Text, but not the dataset: the missing columns are named.
    let toml = s.home().join("plan.toml");
    std::fs::write(&toml, "member = \"x\"\nphase = \"prepare\"\n").unwrap();
    let (code, _, err) = run(s.kept().args(["import", "ogp"]).arg(&toml).args(["--all", "--out"]).arg(&out));
    assert_eq!(code, 2);
    assert!(err.contains("`Commitment Unique Identifier`, `Country/Locality`, `Commitment Title`"), "{err}");
    let partial = s.home().join("partial.csv");
    std::fs::write(&partial, "Commitment Unique Identifier,Country/Locality,Start Date\nAB0001,Abland,1/1/2024\n")
        .unwrap();
    let (code, _, err) = run(s.kept().args(["import", "ogp"]).arg(&partial).args(["--all", "--out"]).arg(&out));
    assert_eq!(code, 2);
    assert!(err.contains("lacks the column `Commitment Title`"), "{err}");
    assert!(!out.exists(), "nothing written on errors");
    // An id that is not there.
    let (code, _, err) = import(&s, &["--commitment", "COT0005,XX9999"], &out);
    assert_eq!(code, 2);
    assert!(err.contains("no commitment XX9999") && !err.contains("COT0005,"), "{err}");
    let (code, _, err) = import(&s, &["--member", "Atlantis"], &out);
    assert_eq!(code, 2);
    assert!(err.contains("no member `Atlantis`"), "{err}");
    // A selection is required.
    let (code, _, err) = run(s.kept().args(["import", "ogp"]).arg(dataset()).arg("--out").arg(&out));
    assert_eq!(code, 2, "{err}");
    // An existing directory with data in it.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let (code, _, err) = import(&s, &["--commitment", "COT0005"], &out);
    assert_eq!(code, 2);
    assert!(err.contains("not empty") && err.contains("never writes over data"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}
