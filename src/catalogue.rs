//! The step catalogue: phases, steps, exit criteria and required narrative sections, as data.
//!
//! OGP has published variants of the co-creation step list, so the list is shipped as TOML
//! inside the binary (`src/catalogue/*.toml`) and chosen by the plan's `catalogue` key; a
//! plan may also carry its own `catalogue.toml`, checked by [`Catalogue::problems`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::plan::Text;

/// The exit checks a catalogue may name (implemented in `rules::phase_exit`).
pub const CRITERIA: &[&str] = &[
    "team",
    "monitoring-body",
    "forum",
    "roadmap",
    "awareness",
    "opportunities",
    "prioritized",
    "solutions",
    "support-network",
    "vision",
    "commitments",
    "approved",
    "meetings",
    "milestones-moving",
    "progress-updates",
    "learning-plan",
    "information-repository",
    "end-of-commitment-reports",
];

/// The narrative document kinds whose sections a catalogue lists.
pub const DOCUMENTS: &[&str] = &["vision", "commitment", "end-of-commitment"];

/// The catalogue used when a plan names none.
pub const DEFAULT: &str = "ogp-local-2024";

const EMBEDDED: &[(&str, &str)] = &[("ogp-local-2024", include_str!("catalogue/ogp-local-2024.toml"))];

/// A version of the co-creation step list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Its id, e.g. `ogp-local-2024`.
    pub id: String,
    /// Its title.
    pub title: Translations,
    /// The phases, in order.
    pub phases: Vec<Phase>,
    /// Required sections by document kind (`vision`, `commitment`, `end-of-commitment`).
    pub documents: BTreeMap<String, Document>,
}

/// Translations of a UI text, keyed by language.
pub type Translations = BTreeMap<String, String>;

/// A phase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// `prepare`, `discover`, `draft`, `implement` or `learn`.
    pub id: String,
    /// Its title.
    pub title: Translations,
    /// Its steps.
    pub steps: Vec<Step>,
}

/// A step of a phase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `1.1` and so on.
    pub id: String,
    /// Its title.
    pub title: Translations,
    /// Names of the exit checks (see `rules::phase_exit`).
    pub criteria: Vec<String>,
}

/// Required sections of one document kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The sections.
    pub sections: Vec<RequiredSection>,
}

/// One required section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredSection {
    /// Stable key.
    pub key: String,
    /// Accepted heading titles, any language.
    pub titles: Vec<String>,
    /// The titles normalised for matching (filled when the catalogue is loaded).
    #[serde(skip)]
    pub normalised: Vec<String>,
}

impl Catalogue {
    /// An embedded catalogue by id.
    pub fn embedded(id: &str) -> Option<Catalogue> {
        let (_, text) = EMBEDDED.iter().find(|(name, _)| *name == id)?;
        // The embedded catalogues are tested to parse and to have no problems (tests below).
        Catalogue::parse(text).ok()
    }

    /// Parse a catalogue; the error is the parser's message and span.
    pub fn parse(text: &str) -> Result<Catalogue, (String, Option<std::ops::Range<usize>>)> {
        let mut catalogue: Catalogue = toml::from_str(text).map_err(|e| (e.message().to_string(), e.span()))?;
        for doc in catalogue.documents.values_mut() {
            for s in &mut doc.sections {
                s.normalised = s.titles.iter().map(|t| crate::plan::markdown::normalise(t)).collect();
            }
        }
        Ok(catalogue)
    }

    /// What makes a catalogue unusable: the five phases in order, steps with unique ids,
    /// known exit checks and document kinds, sections with titles.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let ids: Vec<&str> = self.phases.iter().map(|p| p.id.as_str()).collect();
        if ids != crate::plan::PHASES {
            out.push(format!(
                "phases must be {} in this order, found {}",
                crate::plan::PHASES.join(", "),
                ids.join(", ")
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (_, phase, step) in self.steps() {
            if !seen.insert(step.id.as_str()) {
                out.push(format!("step id {} is used twice", step.id));
            }
            for c in &step.criteria {
                if !CRITERIA.contains(&c.as_str()) {
                    out.push(format!(
                        "step {} names unknown exit check `{c}` (known: {})",
                        step.id,
                        CRITERIA.join(", ")
                    ));
                }
            }
            if step.title.is_empty() {
                out.push(format!("step {} of phase {} has no title", step.id, phase.id));
            }
        }
        for phase in &self.phases {
            if phase.steps.is_empty() {
                out.push(format!("phase {} has no steps", phase.id));
            }
        }
        for (kind, doc) in &self.documents {
            if !DOCUMENTS.contains(&kind.as_str()) {
                out.push(format!("unknown document kind `{kind}` (known: {})", DOCUMENTS.join(", ")));
            }
            for s in &doc.sections {
                if s.titles.is_empty() {
                    out.push(format!("section `{}` of {kind} lists no heading titles", s.key));
                }
            }
        }
        out
    }

    /// The ids of the embedded catalogues.
    pub fn available() -> Vec<&'static str> {
        EMBEDDED.iter().map(|(id, _)| *id).collect()
    }

    /// Every step, in order, with its phase's index.
    pub fn steps(&self) -> impl Iterator<Item = (usize, &Phase, &Step)> {
        self.phases.iter().enumerate().flat_map(|(i, p)| p.steps.iter().map(move |s| (i, p, s)))
    }

    /// A step by id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps().find(|(_, _, s)| s.id == id).map(|(_, _, s)| s)
    }

    /// The required sections of a document kind.
    pub fn sections(&self, kind: &str) -> &[RequiredSection] {
        self.documents.get(kind).map_or(&[], |d| d.sections.as_slice())
    }
}

/// Pick a translation for the first language that has one.
pub fn tr<'a>(t: &'a Translations, langs: &[String]) -> &'a str {
    langs.iter().find_map(|l| t.get(l)).or_else(|| t.get("en")).or_else(|| t.values().next()).map_or("", String::as_str)
}

impl From<&Translations> for Text {
    fn from(t: &Translations) -> Text {
        Text::Translated(t.iter().map(|(k, v)| (crate::intern::Lang::new(k), v.clone())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_found() {
        let mut c = Catalogue::embedded(DEFAULT).unwrap();
        c.phases.swap(0, 1);
        c.phases[2].steps[0].criteria.push("telepathy".into());
        let p = c.problems();
        assert!(p.iter().any(|p| p.contains("in this order")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("`telepathy`")), "{p:?}");
        assert!(Catalogue::parse("id = 3").is_err());
    }

    #[test]
    fn embedded_catalogues_parse_and_cover_five_phases() {
        for id in Catalogue::available() {
            let c = Catalogue::embedded(id).expect("embedded catalogue parses");
            assert_eq!(c.problems(), Vec::<String>::new());
            let phases: Vec<_> = c.phases.iter().map(|p| p.id.as_str()).collect();
            assert_eq!(phases, crate::plan::PHASES);
            assert!(c.steps().count() >= 15);
            for kind in ["vision", "commitment", "end-of-commitment"] {
                assert!(!c.sections(kind).is_empty(), "{kind}");
            }
        }
    }
}
