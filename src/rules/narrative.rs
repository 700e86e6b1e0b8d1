//! `missing-section`: the strategic vision, each commitment's README and each
//! end-of-commitment report have the sections the catalogue requires, with text under them.

use super::{Context, Rule};
use crate::catalogue::RequiredSection;
use crate::diagnostic::Diagnostic;
use crate::plan::Narrative;
use crate::plan::markdown::normalise;

pub struct Narratives;

/// Check one document against the required sections of its kind (`what` names the document
/// in a finding, and is made only for one).
pub(crate) fn check_sections(
    doc: &Narrative,
    required: &[RequiredSection],
    what: impl Fn() -> String,
    out: &mut Vec<Diagnostic>,
) {
    let headings: Vec<String> = doc.sections.iter().map(|s| normalise(&s.title)).collect();
    for req in required {
        let found = req.normalised.iter().find_map(|t| headings.iter().position(|h| h == t)).map(|i| &doc.sections[i]);
        match found {
            None => out.push(
                Diagnostic::error("missing-section", format!("{} has no \"{}\" section", what(), req.titles[0]))
                    .at(doc.path.clone(), 0..0)
                    .help(format!("add a heading, one of: {}", req.titles.join(", "))),
            ),
            Some(s) if !s.has_body => out.push(
                Diagnostic::error("missing-section", format!("section \"{}\" of {} is empty", s.title, what()))
                    .at_loc(&s.loc)
                    .help("write the section's text under its heading"),
            ),
            Some(_) => {}
        }
    }
}

impl Rule for Narratives {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for doc in &cx.plan.vision {
            check_sections(doc, cx.catalogue.sections("vision"), || "the strategic vision".into(), out);
        }
        let (readme, end_report) = (cx.catalogue.sections("commitment"), cx.catalogue.sections("end-of-commitment"));
        for c in &cx.plan.commitments {
            for doc in &c.narratives {
                check_sections(doc, readme, || format!("commitment {}'s narrative", c.id.value), out);
            }
            for doc in &c.end_reports {
                let what = || format!("commitment {}'s end-of-commitment report", c.id.value);
                check_sections(doc, end_report, what, out);
            }
        }
    }
}
