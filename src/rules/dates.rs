//! `date-order`, `date-outside-period`, `date-in-future`: dates are in order, inside the
//! plan period and the commitment window, and nothing is recorded as done after today.
//!
//! Descriptions of what is checked are built only when something is wrong (closures), as
//! a large plan has tens of thousands of dates and almost all of them are fine.

use super::{Context, Rule};
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::plan::At;

pub struct Dates;

type Opt = Option<At<Date>>;

fn order(what: impl Fn() -> String, a: &Opt, b: &Opt, names: (&str, &str), out: &mut Vec<Diagnostic>) {
    if let (Some(a), Some(b)) = (a, b)
        && a.value > b.value
    {
        let (a_name, b_name) = names;
        out.push(
            Diagnostic::error("date-order", format!("{}: {b_name} {} is before {a_name} {}", what(), b.value, a.value))
                .at_loc(&b.loc)
                .help(format!("{b_name} must not be earlier than {a_name}")),
        );
    }
}

fn within(
    what: impl Fn() -> String,
    d: &Opt,
    range: (Option<Date>, Option<Date>),
    window: impl Fn() -> String,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(d), (Some(lo), Some(hi))) = (d, range) else { return };
    if d.value < lo || d.value > hi {
        let window = window();
        out.push(
            Diagnostic::error(
                "date-outside-period",
                format!("{} {} is outside {window} ({lo} to {hi})", what(), d.value),
            )
            .at_loc(&d.loc)
            .help(format!("move the date inside {window}, or amend {window}")),
        );
    }
}

fn not_future(cx: &Context<'_>, what: impl Fn() -> String, d: &Opt, out: &mut Vec<Diagnostic>) {
    if let Some(d) = d
        && d.value > cx.today
    {
        out.push(
            Diagnostic::error("date-in-future", format!("{} {} is after today ({})", what(), d.value, cx.today))
                .at_loc(&d.loc)
                .help("record things as done only once they happened; plan future dates as due dates"),
        );
    }
}

impl Rule for Dates {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let plan = cx.plan;
        let (pstart, pend) = plan.meta.as_ref().map_or((None, None), |m| (m.start.clone(), m.end.clone()));
        order(|| "plan period".into(), &pstart, &pend, ("start", "end"), out);
        let period = (pstart.map(|d| d.value), pend.map(|d| d.value));
        let plan_period = || "the plan period".to_string();
        if let Some(m) = &plan.meta {
            for s in &m.steps {
                let step = || format!("step {}", s.id.value);
                order(step, &s.started, &s.completed, ("started", "completed"), out);
                not_future(cx, || format!("step {} completed", s.id.value), &s.completed, out);
            }
        }
        for c in &plan.commitments {
            let id = &c.id.value;
            order(|| format!("commitment {id}"), &c.start, &c.end, ("start", "end"), out);
            within(|| format!("commitment {id} start"), &c.start, period, plan_period, out);
            within(|| format!("commitment {id} end"), &c.end, period, plan_period, out);
            let window_range = (c.start.as_ref().map(|d| d.value), c.end.as_ref().map(|d| d.value));
            let window = || format!("commitment {id}'s window");
            for m in &c.milestones {
                let mid = || format!("milestone {id}/{}", m.id.value);
                order(mid, &m.start, &m.due, ("start", "due"), out);
                within(|| format!("{} start", mid()), &m.start, window_range, window, out);
                within(|| format!("{} due", mid()), &m.due, window_range, window, out);
                order(mid, &m.start, &m.completed_on, ("start", "completed-on"), out);
                not_future(cx, || format!("{} completed-on", mid()), &m.completed_on, out);
            }
            if let Some(a) = &c.approval {
                not_future(cx, || format!("commitment {id} approval"), &a.on, out);
                for am in &c.amendments {
                    order(|| format!("commitment {id} amendment"), &a.on, &am.on, ("approval", "amendment"), out);
                }
            }
            for am in &c.amendments {
                not_future(cx, || format!("commitment {id} amendment"), &am.on, out);
            }
            if let Some(a) = &c.assessment {
                not_future(cx, || format!("commitment {id} assessment"), &a.on, out);
            }
        }
        if let Some(r) = &plan.roadmap {
            for t in &r.tasks {
                let what = || format!("roadmap task {}", t.id.as_ref().map_or("?", |i| i.value.as_str()));
                order(what, &t.start, &t.due, ("start", "due"), out);
            }
            for a in &r.awareness {
                let what = || format!("awareness activity {}", a.id.as_ref().map_or("?", |i| i.value.as_str()));
                not_future(cx, what, &a.date, out);
            }
        }
        for u in &plan.updates {
            not_future(cx, || format!("update {}", u.path), &u.date, out);
        }
        if let Some(l) = &plan.learning {
            not_future(cx, || "monitoring body selected-on".into(), &l.selected_on, out);
        }
    }
}
