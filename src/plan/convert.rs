//! Typed conversion of each parsed file kind into the plan model.
//!
//! Conversion is lenient: `shape::check` has already reported every malformed value, so
//! here a malformed value is simply absent.

use std::collections::BTreeMap;

use crate::diagnostic::Loc;
use crate::plan::commitment::*;
use crate::plan::model::*;
use crate::plan::toml_doc::View;

pub(crate) fn settings(v: &View<'_, '_>) -> Settings {
    let mut roles = BTreeMap::new();
    if let Some(r) = v.table("roles") {
        for role in ["coordinator", "approver", "monitor", "bot"] {
            let ids = r.strs(role);
            if !ids.is_empty() {
                roles.insert(role.to_string(), ids);
            }
        }
    }
    let tracker = v.table("tracker").and_then(|t| {
        Some(Tracker {
            kind: t.str("kind")?,
            url: t.str("url"),
            project: t.str("project"),
            milestones: t.bool("milestones"),
            write_back: t.str("write-back"),
            statuses: t.table("statuses").map_or_else(Vec::new, |st| {
                crate::plan::kinds::MILESTONE_STATUSES
                    .iter()
                    .filter_map(|k| Some((k.to_string(), st.str(k)?)))
                    .collect()
            }),
        })
    });
    let publish = v.table("publish");
    Settings {
        schema_version: v.int("schema-version"),
        roles,
        protected_branches: v.table("branches").map(|b| b.strs("protected")).unwrap_or_default(),
        signatures_required: v.table("signatures").and_then(|s| s.bool("required")).is_some_and(|b| b.value),
        tracker,
        base_url: publish.as_ref().and_then(|p| p.str("base-url")),
        forge_url: publish.as_ref().and_then(|p| p.str("forge-url")),
    }
}

pub(crate) fn meta(v: &View<'_, '_>) -> PlanMeta {
    let period = v.table("period");
    let team = v.table("team").map(|t| Team { lead: t.str("lead"), members: t.strs("members"), loc: t.here() });
    let forum = v.table("forum").map(|f| Forum {
        name: f.text("name"),
        members: f.strs("members"),
        frequency: f.text("frequency"),
        communication: f.text("communication"),
        expectations: f.text("expectations"),
        loc: f.here(),
    });
    let steps_view = v.table("steps");
    let steps = steps_view
        .as_ref()
        .map(|s| {
            s.entries()
                .into_iter()
                .filter_map(|(id, view)| {
                    let r = view?;
                    Some(StepRecord {
                        status: r.str("status"),
                        started: r.date("started"),
                        completed: r.date("completed"),
                        evidence: r.strs("evidence"),
                        reason: r.text("reason"),
                        notes: r.text("notes"),
                        loc: id.loc,
                        id,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    PlanMeta {
        member: v.text("member"),
        member_code: v.str("member-code"),
        title: v.text("title"),
        languages: v.strs("languages"),
        start: period.as_ref().and_then(|p| p.date("start")),
        end: period.as_ref().and_then(|p| p.date("end")),
        phase: v.str("phase"),
        phase_reason: v.text("phase-reason"),
        catalogue: v.str("catalogue"),
        team,
        forum,
        steps,
        steps_loc: v.key_loc("steps").unwrap_or_else(|| v.here()),
        loc: v.loc_of("phase"),
    }
}

pub(crate) fn people(v: &View<'_, '_>) -> Vec<Entity> {
    let mut out = Vec::new();
    for (key, organisation) in [("organisations", true), ("people", false)] {
        for e in v.tables(key) {
            let Some(id) = e.str("id") else { continue };
            out.push(Entity {
                id,
                organisation,
                name: e.text("name"),
                member_of: e.str("organisation"),
                sector: e.str("sector"),
                email: e.str("email"),
                forge: e.table("forge").map(|f| f.str_entries()).unwrap_or_default(),
                signing_keys: e.strs("signing-keys"),
            });
        }
    }
    out
}

pub(crate) fn roadmap(v: &View<'_, '_>) -> Roadmap {
    Roadmap {
        tasks: v
            .tables("tasks")
            .iter()
            .map(|t| Task {
                id: t.str("id"),
                title: t.text("title"),
                step: t.str("step"),
                owner: t.str("owner"),
                start: t.date("start"),
                due: t.date("due"),
                status: t.str("status"),
                loc: t.here(),
            })
            .collect(),
        awareness: v
            .tables("awareness")
            .iter()
            .map(|a| Awareness {
                id: a.str("id"),
                date: a.date("date"),
                title: a.text("title"),
                evidence: a.strs("evidence"),
                loc: a.here(),
            })
            .collect(),
    }
}

pub(crate) fn opportunities(v: &View<'_, '_>) -> Opportunities {
    let matrix = v.table("matrix");
    Opportunities {
        criteria: matrix.as_ref().map(|m| m.strs("criteria")).unwrap_or_default(),
        scale: matrix.as_ref().and_then(|m| m.int("scale")),
        items: v
            .tables("opportunities")
            .iter()
            .map(|o| Opportunity {
                id: o.str("id"),
                title: o.text("title"),
                problem: o.text("problem"),
                root_causes: o.texts("root-causes"),
                proposed_by: o.strs("proposed-by"),
                scores: o.table("scores").map(|s| s.int_entries()).unwrap_or_default(),
                scores_loc: o.has("scores").then(|| o.loc_of("scores")),
                scored: o.table("scores").map(|s| s.keys()).unwrap_or_default(),
                selected: o.bool("selected").is_some_and(|b| b.value),
                solutions: o
                    .tables("solutions")
                    .iter()
                    .map(|s| Solution {
                        id: s.str("id"),
                        title: s.text("title"),
                        commitment: s.str("commitment"),
                        loc: s.here(),
                    })
                    .collect(),
                loc: o.here(),
            })
            .collect(),
    }
}

pub(crate) fn commitment(v: &View<'_, '_>, dir: &str, path: &str) -> Commitment {
    let file_loc = Loc::new(path, 0..0);
    let id = v.str("id").unwrap_or_else(|| At::new(dir.to_string(), file_loc));
    let approval = v.table("approval").map(|a| Approval {
        by: a.str("by"),
        on: a.date("on"),
        decision: a.text("decision"),
        loc: a.here(),
    });
    let milestones = v
        .tables("milestones")
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (deliverable, responsible) = (m.text("deliverable"), m.str("responsible"));
            let (start, due) = (m.date("start"), m.date("due"));
            // Keys written but unusable: `shape` reported them, so rules must not call them missing.
            let malformed = [
                ("deliverable", deliverable.is_none()),
                ("responsible", responsible.is_none()),
                ("start", start.is_none()),
                ("due", due.is_none()),
            ]
            .into_iter()
            .filter(|(k, bad)| *bad && m.has(k))
            .map(|(k, _)| k)
            .collect();
            Milestone {
                id: m.str("id").unwrap_or_else(|| At::new(format!("#{}", i + 1), m.here())),
                title: m.text("title"),
                deliverable,
                responsible,
                start,
                due,
                status: m.str("status"),
                completed_on: m.date("completed-on"),
                evidence: m.strs("evidence"),
                evidence_loc: m.has("evidence").then(|| m.loc_of("evidence")),
                delay_reason: m.text("delay-reason").map(Box::new),
                next_steps: m.text("next-steps").map(Box::new),
                withdrawn_reason: m.text("withdrawn-reason").map(Box::new),
                reopen_reason: m.text("reopen-reason").map(Box::new),
                issue: m.str("issue"),
                malformed,
                loc: m.here(),
            }
        })
        .collect();
    let amendments = v
        .tables("amendments")
        .iter()
        .map(|a| Amendment {
            on: a.date("on"),
            reason: a.text("reason"),
            approved_by: a.str("approved-by"),
            changes: a.text("changes"),
            loc: a.here(),
        })
        .collect();
    let assessment = v.table("assessment").map(|a| {
        let mut values = BTreeMap::new();
        for (field, _) in crate::plan::kinds::ASSESSMENT_SCALES {
            if let Some(s) = a.str(field) {
                values.insert((*field).to_string(), s);
            }
        }
        if let Some(by_value) = a.table("did-it-open-government-by-value") {
            for (k, s) in by_value.str_entries() {
                values.insert(format!("did-it-open-government/{}", k.value), s);
            }
        }
        Assessment { by: a.str("by"), on: a.date("on"), values, loc: a.here() }
    });
    let source = v.table("source").map(|s| {
        Box::new(SourceRecord {
            dataset: s.str("dataset"),
            id: s.str("id"),
            url: s.str("url"),
            action_plan: s.str("action-plan"),
            number: s.str("number"),
            loc: s.here(),
        })
    });
    Commitment {
        dir: dir.to_string(),
        id,
        title: v.text("title"),
        lead: v.str("lead"),
        supporting: v.strs("supporting"),
        opportunity: v.str("opportunity"),
        ogp_values: v.strs("ogp-values"),
        policy_areas: v.strs("policy-areas"),
        start: v.date("start"),
        end: v.date("end"),
        status: v.str("status"),
        progress: v.int("progress"),
        withdrawn_reason: v.text("withdrawn-reason"),
        approval,
        milestones,
        amendments,
        assessment,
        source,
        narratives: Vec::new(),
        end_reports: Vec::new(),
        path: path.to_string(),
        loc: file_loc,
    }
}

pub(crate) fn update(v: &View<'_, '_>, path: &str, file_date: Option<crate::date::Date>) -> Update {
    Update {
        path: path.to_string(),
        file_date,
        title: v.text("title"),
        date: v.date("date"),
        kind: v.str("kind"),
        authors: v.strs("authors"),
        commitments: v.strs("commitments"),
        steps: v.strs("steps"),
        loc: v.here(),
    }
}

pub(crate) fn learning(v: &View<'_, '_>) -> Learning {
    let body = v.table("monitoring-body");
    Learning {
        body_members: body.as_ref().map(|b| b.strs("members")).unwrap_or_default(),
        selected_on: body.as_ref().and_then(|b| b.date("selected-on")),
        body_loc: v.key_loc("monitoring-body"),
        questions: v
            .tables("questions")
            .iter()
            .map(|q| Question { id: q.str("id"), text: q.text("text"), loc: q.here() })
            .collect(),
        repository_url: v.table("repository").and_then(|r| r.str("url")),
        reports: v
            .tables("reports")
            .iter()
            .map(|r| Report {
                id: r.str("id"),
                title: r.text("title"),
                due: r.date("due"),
                path: r.str("path"),
                loc: r.here(),
            })
            .collect(),
    }
}
