//! `phase-exit`: every step of every phase before the current one is done with evidence or
//! skipped with a reason, and its exit criteria (named in the catalogue) hold.

use super::{Context, Rule, is_approved_status};
use crate::catalogue::Step;
use crate::diagnostic::Diagnostic;
use crate::plan::{Plan, StepRecord};

pub struct PhaseExit;

/// What a step still lacks, in words; empty when it may be left behind.
pub fn step_gaps(cx: &Context<'_>, step: &Step, record: Option<&StepRecord>) -> Vec<String> {
    let mut gaps = Vec::new();
    match record.and_then(|r| r.status.as_ref()).map(|s| s.value.as_str()) {
        Some("skipped") => {
            if record.and_then(|r| r.reason.as_ref()).is_none_or(|t| t.is_blank()) {
                gaps.push("skipped without a reason".to_string());
            }
            return gaps;
        }
        Some("done") => {
            let r = record.expect("status came from the record");
            if r.completed.is_none() {
                gaps.push("done without a `completed` date".to_string());
            }
            if r.evidence.is_empty() {
                gaps.push("done without evidence".to_string());
            }
        }
        Some(other) => gaps.push(format!("status is {other}, not done or skipped")),
        None => gaps.push("no record in plan.toml [steps]".to_string()),
    }
    for criterion in &step.criteria {
        if let Err(why) = criterion_holds(cx.plan, criterion, cx.today) {
            gaps.push(why);
        }
    }
    gaps
}

fn ids_in_sector(plan: &Plan, ids: &[crate::plan::At<String>], government: bool) -> bool {
    ids.iter().any(|id| {
        plan.entity(&id.value).and_then(|e| e.sector.as_ref()).is_some_and(|s| (s.value == "government") == government)
    })
}

/// The files an exit check reads; when one of them could not be loaded (and was reported),
/// the check is not judged, rather than failing for a reason the user already sees.
fn inputs(name: &str) -> &'static [&'static str] {
    match name {
        "team" | "forum" => &["plan.toml", "people.toml"],
        "monitoring-body" | "learning-plan" | "information-repository" => &["learning.toml"],
        "roadmap" | "awareness" => &["roadmap.toml"],
        "opportunities" | "prioritized" | "solutions" => &["opportunities.toml"],
        _ => &[],
    }
}

/// Check one named exit criterion on a date.
pub fn criterion_holds(plan: &Plan, name: &str, today: crate::date::Date) -> Result<(), String> {
    if inputs(name).iter().any(|f| plan.broken.contains(*f)) {
        return Ok(());
    }
    let fail = |s: &str| Err(s.to_string());
    let meta = plan.meta.as_ref();
    let opps = plan.opportunities.as_ref().map(|o| o.items.as_slice()).unwrap_or_default();
    fn status(c: &crate::plan::Commitment) -> &str {
        c.status.as_ref().map_or("", |s| s.value.as_str())
    }
    // Commitments that count: neither withdrawn nor still drafts.
    let live = || plan.commitments.iter().filter(move |c| !matches!(status(c), "withdrawn" | "draft"));
    match name {
        "team" => match meta.and_then(|m| m.team.as_ref()) {
            Some(t) if t.lead.is_some() && ids_in_sector(plan, &t.members, true) => Ok(()),
            _ => fail("[team] needs a lead and at least one government member"),
        },
        "monitoring-body" => match &plan.learning {
            Some(l) if !l.body_members.is_empty() => Ok(()),
            _ => fail("learning.toml names no [monitoring-body] (it is chosen in phase 1)"),
        },
        "forum" => match meta.and_then(|m| m.forum.as_ref()) {
            Some(f)
                if f.name.is_some()
                    && f.frequency.is_some()
                    && f.communication.is_some()
                    && f.expectations.is_some()
                    && ids_in_sector(plan, &f.members, true)
                    && ids_in_sector(plan, &f.members, false) =>
            {
                Ok(())
            }
            _ => fail(
                "[forum] needs name, frequency, communication, expectations, and members from government and outside it",
            ),
        },
        "roadmap" => match &plan.roadmap {
            Some(r)
                if !r.tasks.is_empty()
                    && r.tasks.iter().all(|t| t.start.is_some() && t.due.is_some() && t.owner.is_some()) =>
            {
                Ok(())
            }
            _ => fail("roadmap.toml needs tasks, each with start, due and owner"),
        },
        "awareness" => match &plan.roadmap {
            Some(r) if !r.awareness.is_empty() => Ok(()),
            _ => fail("roadmap.toml records no [[awareness]] activity"),
        },
        "opportunities" => {
            if opps.iter().any(|o| o.problem.is_some() && !o.root_causes.is_empty()) {
                Ok(())
            } else {
                fail("opportunities.toml needs an opportunity with a problem and root causes")
            }
        }
        "prioritized" => {
            if opps.is_empty() || opps.iter().any(|o| o.scores.is_empty()) {
                fail("every opportunity needs scores on the prioritization matrix")
            } else if !opps.iter().any(|o| o.selected) {
                fail("no opportunity is selected")
            } else {
                Ok(())
            }
        }
        "solutions" => match opps.iter().find(|o| o.selected && o.solutions.is_empty()) {
            Some(o) => {
                Err(format!("selected opportunity {} has no solution", o.id.as_ref().map_or("?", |i| i.value.as_str())))
            }
            None => Ok(()),
        },
        "support-network" => match live().find(|c| c.supporting.is_empty()) {
            Some(c) => Err(format!("commitment {} has no supporting organisations or people", c.id.value)),
            None => Ok(()),
        },
        "vision" => {
            if plan.vision.iter().any(|v| v.language.is_none()) {
                Ok(())
            } else {
                fail("vision.md is missing")
            }
        }
        "commitments" => {
            if plan.commitments.iter().any(|c| status(c) != "withdrawn") {
                Ok(())
            } else {
                fail("the plan has no commitments")
            }
        }
        "approved" => match live()
            .find(|c| !c.status.as_ref().is_some_and(|s| is_approved_status(&s.value)) || c.approval.is_none())
        {
            Some(c) => Err(format!("commitment {} is not approved", c.id.value)),
            None => Ok(()),
        },
        "meetings" => update_of_kind(plan, "meeting"),
        "progress-updates" => update_of_kind(plan, "progress"),
        "milestones-moving" => {
            let stuck = live()
                .flat_map(|c| c.milestones.iter().map(move |m| (c, m)))
                .find(|(_, m)| m.status_str() == "not-started" && m.due.as_ref().is_some_and(|d| d.value < today));
            match stuck {
                Some((c, m)) => {
                    Err(format!("milestone {}/{} is past its due date and not started", c.id.value, m.id.value))
                }
                None => Ok(()),
            }
        }
        "learning-plan" => match &plan.learning {
            Some(l) if !l.body_members.is_empty() && !l.questions.is_empty() => Ok(()),
            _ => fail("learning.toml needs a monitoring body and learning questions"),
        },
        "information-repository" => match plan.learning.as_ref().and_then(|l| l.repository_url.as_ref()) {
            Some(_) => Ok(()),
            None => fail("learning.toml names no [repository] url"),
        },
        "end-of-commitment-reports" => {
            // Every commitment that has ended, completed or not, gets its report.
            let ended = |c: &&crate::plan::Commitment| {
                status(c) == "completed" || c.end.as_ref().is_some_and(|e| e.value < today)
            };
            match live().filter(ended).find(|c| c.end_report().is_none()) {
                Some(c) => Err(format!("commitment {} has ended but has no end-of-commitment.md", c.id.value)),
                None => Ok(()),
            }
        }
        other => Err(format!("the catalogue names an unknown criterion `{other}`")),
    }
}

fn update_of_kind(plan: &Plan, kind: &str) -> Result<(), String> {
    if plan.updates.iter().any(|u| u.kind.as_ref().is_some_and(|k| k.value == kind)) {
        Ok(())
    } else {
        Err(format!("no update of kind `{kind}` in updates/"))
    }
}

impl Rule for PhaseExit {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(meta) = &cx.plan.meta else { return };
        let Some(current) = meta.phase_index() else { return };
        let phase_loc = meta.phase.as_ref().map_or(meta.loc, |p| p.loc);
        for (index, phase, step) in cx.catalogue.steps() {
            if index >= current {
                break;
            }
            let record = meta.step(&step.id);
            let gaps = step_gaps(cx, step, record);
            if gaps.is_empty() {
                continue;
            }
            let loc = record.map_or(phase_loc, |r| r.status.as_ref().map_or(r.loc, |s| s.loc));
            let title = step.title.get("en").map_or("", String::as_str);
            let mut d = Diagnostic::error(
                "phase-exit",
                format!(
                    "step {} ({title}) of phase {} is unfinished, but the plan is in phase {}",
                    step.id,
                    phase.id,
                    meta.phase.as_ref().map_or("", |p| p.value.as_str())
                ),
            )
            .at_loc(&loc)
            .help(format!("finish the step (status = \"done\", completed, evidence) or skip it with a reason, in plan.toml [steps.\"{}\"]", step.id));
            for g in gaps {
                d = d.note(g);
            }
            out.push(d);
        }
    }
}
