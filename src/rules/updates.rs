//! `update-date`: an update's front-matter date is the date in its file name.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;

pub struct Updates;

impl Rule for Updates {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in &cx.plan.updates {
            if let (Some(file), Some(date)) = (u.file_date, &u.date)
                && file != date.value
            {
                out.push(
                    Diagnostic::error(
                        "update-date",
                        format!("update dated {} but its file name says {file}", date.value),
                    )
                    .at_loc(&date.loc)
                    .help("make the front matter date and the file name agree"),
                );
            }
        }
    }
}
