//! `priority-score`: each opportunity is scored on the matrix's criteria, within its scale.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;

pub struct Scores;

impl Rule for Scores {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(o) = &cx.plan.opportunities else { return };
        let scale = o.scale.as_ref().map_or(5, |s| s.value);
        let criteria: Vec<&str> = o.criteria.iter().map(|c| c.value.as_str()).collect();
        for item in &o.items {
            let id = item.id.as_ref().map_or("?", |i| i.value.as_str());
            for (criterion, score) in &item.scores {
                if !criteria.contains(&criterion.value.as_str()) {
                    out.push(
                        Diagnostic::error(
                            "priority-score",
                            format!(
                                "opportunity {id} is scored on `{}`, which is not a matrix criterion",
                                criterion.value
                            ),
                        )
                        .at_loc(&criterion.loc)
                        .help(format!("score only the criteria of [matrix]: {}", criteria.join(", "))),
                    );
                } else if score.value < 1 || score.value > scale {
                    out.push(
                        Diagnostic::error(
                            "priority-score",
                            format!(
                                "opportunity {id} scores {} on `{}`, outside 1..{scale}",
                                score.value, criterion.value
                            ),
                        )
                        .at_loc(&score.loc)
                        .help(format!("scores run from 1 to the matrix scale, {scale}")),
                    );
                }
            }
            if let Some(loc) = &item.scores_loc {
                for c in &o.criteria {
                    if !item.scored.contains(&c.value) {
                        out.push(
                            Diagnostic::error(
                                "priority-score",
                                format!("opportunity {id} has no score for `{}`", c.value),
                            )
                            .at_loc(loc)
                            .help("score every criterion of the matrix, so totals compare"),
                        );
                    }
                }
            }
        }
    }
}
