//! `unsupported-version`: the repository format version and step catalogue must be ones kept knows;
//! declared languages must be language codes.

use super::{Context, Rule};
use crate::catalogue::Catalogue;
use crate::diagnostic::Diagnostic;

pub struct Settings;

impl Rule for Settings {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if let Some(meta) = &cx.plan.meta {
            let own = cx.plan.catalogue.as_ref().map(|c| c.id.as_str());
            if let Some(c) = &meta.catalogue
                && Catalogue::embedded(&c.value).is_none()
                && own != Some(c.value.as_str())
            {
                out.push(
                    Diagnostic::error("unsupported-version", format!("unknown step catalogue `{}`", c.value))
                        .at_loc(&c.loc)
                        .help(match own {
                            Some(own) => format!(
                                "use one of: {}, or `{own}` (the id in catalogue.toml)",
                                Catalogue::available().join(", ")
                            ),
                            None => format!(
                                "use one of: {}, or add your own catalogue.toml with that id",
                                Catalogue::available().join(", ")
                            ),
                        }),
                );
            }
            for lang in &meta.languages {
                if !crate::plan::shape::is_language_code(&lang.value) {
                    out.push(
                        Diagnostic::error("invalid-value", format!("`{}` is not a language code", lang.value))
                            .at_loc(&lang.loc)
                            .help("use ISO 639-1 codes such as \"uk\" and \"en\""),
                    );
                }
            }
            if meta.languages.is_empty() && meta.member.is_some() {
                out.push(
                    Diagnostic::error("invalid-value", "`languages` is empty")
                        .at_loc(&meta.loc)
                        .help("declare at least one language, e.g. languages = [\"uk\", \"en\"]"),
                );
            }
        }
    }
}
