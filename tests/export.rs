//! `kept export`: the template as Decidim Accountability results and as OGP dataset rows,
//! and the OGP rows imported back.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{Scratch, run, template_dir};

fn csv_rows(path: &std::path::Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows =
        reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()).collect();
    (header, rows)
}

#[test]
fn decidim_results_one_row_per_commitment_and_milestone_stable_and_identical_twice() {
    let s = Scratch::new();
    let plan = s.template();
    s.commit_all(&plan, "the template");
    let (a, b) = (s.home().join("a.csv"), s.home().join("b.csv"));
    for out in [&a, &b] {
        let (code, stdout, err) =
            run(s.kept().args(["export", "decidim-accountability"]).arg(&plan).arg("--out").arg(out));
        assert_eq!(code, 0, "{stdout}{err}");
        assert!(stdout.contains("(30 rows)"), "{stdout}");
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "byte-identical");
    // From a revision too, with the same bytes.
    let c = s.home().join("c.csv");
    let (code, _, err) =
        run(s.kept().args(["export", "decidim-accountability", "--rev", "HEAD"]).arg(&plan).arg("--out").arg(&c));
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());

    let (header, rows) = csv_rows(&a);
    for col in ["id", "parent/id", "external_id", "title/uk", "title/en", "description/uk", "description/en"] {
        assert!(header.iter().any(|h| h == col), "column {col} in {header:?}");
    }
    for col in ["start_date", "end_date", "status/id", "progress"] {
        assert!(header.iter().any(|h| h == col), "column {col} in {header:?}");
    }
    assert_eq!(rows.len(), 5 + 25, "5 commitments and their 25 milestones");
    let by_external: BTreeMap<&str, &BTreeMap<String, String>> =
        rows.iter().map(|r| (r["external_id"].as_str(), r)).collect();
    assert_eq!(by_external.len(), 30, "external ids are unique");
    let ids: BTreeSet<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), 30, "ids are unique");
    // Ids come from the kept ids, not from the order of rows.
    let c1 = by_external["UAYAB0001"];
    assert_eq!(c1["id"], kept::interop::decidim::result_id("UAYAB0001").to_string());
    assert_eq!(c1["parent/id"], "");
    assert_eq!(c1["title/en"], "Open geoportal of city registers");
    assert_eq!(c1["title/uk"], "Відкритий геопортал міських реєстрів");
    assert_eq!((c1["start_date"].as_str(), c1["end_date"].as_str()), ("2025-09-01", "2027-06-30"));
    assert_eq!(c1["progress"], "55", "the declared progress");
    assert!(c1["description/en"].contains("## Problem"), "the English README");
    let m2 = by_external["UAYAB0001/M2"];
    assert_eq!(m2["parent/id"], c1["id"], "milestones are children of their commitment");
    assert_eq!(m2["id"], kept::interop::decidim::result_id("UAYAB0001/M2").to_string());
    assert_eq!(m2["title/en"], "Publish 40 datasets on data.gov.ua");
    assert_eq!((m2["start_date"].as_str(), m2["end_date"].as_str()), ("2025-10-01", "2026-06-30"));
    assert_eq!((m2["status/key"].as_str(), m2["progress"].as_str()), ("completed", "100"));
    assert!(m2["description/en"].starts_with("40 datasets in machine-readable formats"));
    // Every milestone row's parent is a commitment row of the file.
    let commitment_ids: BTreeSet<&str> =
        rows.iter().filter(|r| r["parent/id"].is_empty()).map(|r| r["id"].as_str()).collect();
    assert_eq!(commitment_ids.len(), 5);
    assert!(
        rows.iter().filter(|r| !r["parent/id"].is_empty()).all(|r| commitment_ids.contains(r["parent/id"].as_str()))
    );
}

#[test]
fn ogp_rows_of_the_template_import_back_with_titles_dates_institutions_and_milestones() {
    let s = Scratch::new();
    let csv = s.home().join("ogp.csv");
    let (code, stdout, err) = run(s.kept().args(["export", "ogp"]).arg(template_dir()).arg("--out").arg(&csv));
    assert_eq!(code, 0, "{stdout}{err}");
    let (header, rows) = csv_rows(&csv);
    assert_eq!(rows.len(), 5);
    for col in ["Commitment Unique Identifier", "Commitment Title", "Start Date", "Lead Institution", "Open Data"] {
        assert!(header.iter().any(|h| h == col), "column {col}");
    }
    assert_eq!(rows[0]["Open Data"], "1");
    assert_eq!(rows[0]["Verifiable"], "Yes");
    assert_eq!(rows[0]["Completion (End Of Term)"], "ND", "unknown is ND, never a zero");

    let out = s.home().join("back");
    let (code, stdout, err) = run(s
        .kept()
        .args(["import", "ogp"])
        .arg(&csv)
        .arg("--all")
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(s.home().join("r.json")));
    assert_eq!(code, 0, "{stdout}{err}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.home().join("r.json")).unwrap()).unwrap();
    assert_eq!(report["findings"], serde_json::json!([]), "ISO dates: nothing ambiguous or unparsed");
    let back = kept::plan::load_dir(&out).unwrap().plan;
    let original = kept::plan::load_dir(&template_dir()).unwrap().plan;
    assert_eq!(back.commitments.len(), 5);
    let en = ["en".to_string()];
    let name = |p: &kept::Plan, id: &str| p.entity(id).unwrap().name.as_ref().unwrap().best(&en).to_string();
    let date = |d: &Option<kept::plan::At<kept::Date>>| d.as_ref().map(|d| d.value);
    for o in &original.commitments {
        let b = back.commitment(&o.id.value).unwrap_or_else(|| panic!("{} imported back", o.id.value));
        assert_eq!(b.title.as_ref().unwrap().best(&en), o.title.as_ref().unwrap().best(&en));
        assert_eq!((date(&b.start), date(&b.end)), (date(&o.start), date(&o.end)));
        assert_eq!(name(&back, &b.lead.as_ref().unwrap().value), name(&original, &o.lead.as_ref().unwrap().value));
        let names = |p: &kept::Plan, c: &kept::plan::Commitment| -> Vec<String> {
            c.supporting.iter().map(|s| name(p, &s.value)).collect()
        };
        assert_eq!(names(&back, b), names(&original, o), "{}", o.id.value);
        let values = |c: &kept::plan::Commitment| c.ogp_values.iter().map(|v| v.value.clone()).collect::<BTreeSet<_>>();
        assert_eq!(values(b), values(o));
        assert_eq!(b.milestones.len(), o.milestones.len(), "{}", o.id.value);
        for (bm, om) in b.milestones.iter().zip(&o.milestones) {
            assert_eq!(bm.title.as_ref().unwrap().best(&en), om.title.as_ref().unwrap().best(&en));
            assert_eq!(
                bm.deliverable.as_ref().map(|d| d.best(&en).to_string()),
                om.deliverable.as_ref().map(|d| d.best(&en).to_string())
            );
            assert_eq!((date(&bm.start), date(&bm.due)), (date(&om.start), date(&om.due)), "{}", o.id.value);
        }
        let verdicts = |c: &kept::plan::Commitment| {
            c.assessment
                .as_ref()
                .map(|a| a.values.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect::<Vec<_>>())
        };
        assert_eq!(verdicts(b), verdicts(o), "{}", o.id.value);
    }
}
