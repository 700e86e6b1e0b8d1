//! Changes within a commitment: its fields, approval, amendments, assessment and milestones.

use std::collections::BTreeMap;

use super::{Change, Kind, compare, list, loc_of, text, val};
use crate::plan::{self, Commitment, Milestone};

pub(super) fn commitment(out: &mut Vec<Change>, path: &str, a: Option<&Commitment>, b: Option<&Commitment>) {
    // Keyed by directory, which the id must equal: changing the id is itself a core change.
    let dir = path.strip_prefix("commitments/").and_then(|r| r.split('/').next()).unwrap_or_default();
    let mut base = Change::new(Kind::CommitmentDetail, path);
    base.commitment = Some(dir.to_string());
    let (a, b) = match (a, b) {
        (None, Some(b)) => {
            let mut c = base;
            c.kind = Kind::CommitmentAdded;
            c.to = val(&b.status);
            c.note = val(&b.status);
            c.loc = Some(b.id.loc);
            out.push(c);
            return;
        }
        (Some(a), None) => {
            let mut c = base;
            c.kind = Kind::CommitmentRemoved;
            c.from = val(&a.status);
            out.push(c);
            return;
        }
        (Some(a), Some(b)) => (a, b),
        (None, None) => return,
    };
    let approval = |c: &Commitment| {
        c.approval.as_ref().map(|p| {
            format!("by {} on {}", val(&p.by).unwrap_or_default(), val(&p.on).unwrap_or_default())
                + &text(&p.decision).map(|d| format!(" ({d})")).unwrap_or_default()
        })
    };
    compare(
        out,
        &base,
        vec![
            ("id", Kind::CommitmentCore, Some(a.id.value.clone()), Some(b.id.value.clone()), Some(b.id.loc)),
            ("title", Kind::CommitmentCore, text(&a.title), text(&b.title), loc_of(&b.title)),
            ("lead", Kind::CommitmentCore, val(&a.lead), val(&b.lead), loc_of(&b.lead)),
            ("start", Kind::CommitmentCore, val(&a.start), val(&b.start), loc_of(&b.start)),
            ("end", Kind::CommitmentCore, val(&a.end), val(&b.end), loc_of(&b.end)),
            ("status", Kind::CommitmentStatus, val(&a.status), val(&b.status), loc_of(&b.status)),
            ("supporting", Kind::CommitmentDetail, list(&a.supporting), list(&b.supporting), None),
            ("opportunity", Kind::CommitmentDetail, val(&a.opportunity), val(&b.opportunity), loc_of(&b.opportunity)),
            ("ogp-values", Kind::CommitmentDetail, list(&a.ogp_values), list(&b.ogp_values), None),
            ("policy-areas", Kind::CommitmentDetail, list(&a.policy_areas), list(&b.policy_areas), None),
            ("progress", Kind::CommitmentDetail, val(&a.progress), val(&b.progress), loc_of(&b.progress)),
            (
                "withdrawn-reason",
                Kind::CommitmentDetail,
                text(&a.withdrawn_reason),
                text(&b.withdrawn_reason),
                loc_of(&b.withdrawn_reason),
            ),
            ("approval", Kind::Approval, approval(a), approval(b), b.approval.as_ref().map(|p| p.loc)),
        ],
    );
    // Amendments: any new or changed entry.
    for (i, am) in b.amendments.iter().enumerate() {
        let describe = |x: &plan::Amendment| {
            format!("{:?} {:?} {:?} {:?}", val(&x.on), text(&x.reason), val(&x.approved_by), text(&x.changes))
        };
        if a.amendments.get(i).map(describe) != Some(describe(am)) {
            let mut c = base.clone();
            c.kind = Kind::Amendment;
            c.from = a.amendments.get(i).map(|_| "present".to_string());
            c.to = Some(format!("{} ({})", val(&am.on).unwrap_or_default(), text(&am.reason).unwrap_or_default()));
            c.loc = Some(am.loc);
            out.push(c);
        }
    }
    if b.amendments.len() < a.amendments.len() {
        let mut c = base.clone().field(
            "amendments",
            Some(a.amendments.len().to_string()),
            Some(b.amendments.len().to_string()),
        );
        c.kind = Kind::Amendment;
        c.note = Some("amendments removed".into());
        out.push(c);
    }
    let assessment = |c: &Commitment| -> BTreeMap<String, String> {
        c.assessment
            .as_ref()
            .map(|s| {
                let mut m: BTreeMap<String, String> =
                    s.values.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
                if let Some(by) = &s.by {
                    m.insert("by".into(), by.value.clone());
                }
                if let Some(on) = &s.on {
                    m.insert("on".into(), on.value.to_string());
                }
                m
            })
            .unwrap_or_default()
    };
    let (sa, sb) = (assessment(a), assessment(b));
    let keys: std::collections::BTreeSet<&String> = sa.keys().chain(sb.keys()).collect();
    for k in keys {
        if sa.get(k) != sb.get(k) {
            let mut c = base.clone().field(&format!("assessment {k}"), sa.get(k).cloned(), sb.get(k).cloned());
            c.kind = Kind::Assessment;
            c.loc = b.assessment.as_ref().map(|s| s.loc);
            out.push(c);
        }
    }
    milestones(out, &base, a, b);
}

fn milestones(out: &mut Vec<Change>, base: &Change, a: &Commitment, b: &Commitment) {
    let find = |c: &Commitment, id: &str| c.milestone(id).cloned();
    let mut ids: Vec<&str> = a.milestones.iter().map(|m| m.id.value.as_str()).collect();
    for m in &b.milestones {
        if !ids.contains(&m.id.value.as_str()) {
            ids.push(&m.id.value);
        }
    }
    for id in ids {
        let mut mb = base.clone();
        mb.milestone = Some(id.to_string());
        match (find(a, id), find(b, id)) {
            (None, Some(m)) => {
                let mut c = mb;
                c.kind = Kind::MilestoneAdded;
                c.to = val(&m.status);
                c.note = val(&m.status);
                c.loc = Some(m.id.loc);
                out.push(c);
            }
            (Some(m), None) => {
                let mut c = mb;
                c.kind = Kind::MilestoneRemoved;
                c.from = val(&m.status);
                out.push(c);
            }
            (Some(ma), Some(mbv)) => milestone(out, &mb, &ma, &mbv),
            (None, None) => {}
        }
    }
}

fn milestone(out: &mut Vec<Change>, base: &Change, a: &Milestone, b: &Milestone) {
    // A milestone without a status has not started (a removed key is no way around the rules).
    let status = |m: &Milestone| val(&m.status).or_else(|| Some("not-started".to_string()));
    if status(a) != status(b) {
        let mut c = base.clone();
        c.kind = Kind::MilestoneStatus;
        c.field = Some("status".into());
        c.from = status(a);
        c.to = status(b);
        let mut notes = Vec::new();
        if b.evidence.len() > a.evidence.len() {
            notes.push("evidence added");
        }
        if a.completed_on.is_none() && b.completed_on.is_some() {
            notes.push("completion date set");
        }
        c.note = (!notes.is_empty()).then(|| notes.join(", "));
        c.loc = loc_of(&b.status);
        out.push(c);
    }
    compare(
        out,
        base,
        vec![
            ("title", Kind::MilestoneCore, text(&a.title), text(&b.title), loc_of(&b.title)),
            ("deliverable", Kind::MilestoneCore, text(&a.deliverable), text(&b.deliverable), loc_of(&b.deliverable)),
            ("start", Kind::MilestoneCore, val(&a.start), val(&b.start), loc_of(&b.start)),
            ("due", Kind::MilestoneCore, val(&a.due), val(&b.due), loc_of(&b.due)),
            (
                "responsible",
                Kind::MilestoneResponsible,
                val(&a.responsible),
                val(&b.responsible),
                loc_of(&b.responsible),
            ),
            (
                "completed-on",
                Kind::MilestoneReport,
                val(&a.completed_on),
                val(&b.completed_on),
                loc_of(&b.completed_on),
            ),
            ("evidence", Kind::MilestoneReport, list(&a.evidence), list(&b.evidence), b.evidence_loc),
            (
                "delay-reason",
                Kind::MilestoneReport,
                text(a.delay_reason.as_deref()),
                text(b.delay_reason.as_deref()),
                loc_of(b.delay_reason.as_deref()),
            ),
            (
                "next-steps",
                Kind::MilestoneReport,
                text(a.next_steps.as_deref()),
                text(b.next_steps.as_deref()),
                loc_of(b.next_steps.as_deref()),
            ),
            (
                "withdrawn-reason",
                Kind::MilestoneReport,
                text(a.withdrawn_reason.as_deref()),
                text(b.withdrawn_reason.as_deref()),
                loc_of(b.withdrawn_reason.as_deref()),
            ),
            (
                "reopen-reason",
                Kind::MilestoneReport,
                text(a.reopen_reason.as_deref()),
                text(b.reopen_reason.as_deref()),
                loc_of(b.reopen_reason.as_deref()),
            ),
            ("issue", Kind::MilestoneIssue, val(&a.issue), val(&b.issue), loc_of(&b.issue)),
        ],
    );
}
