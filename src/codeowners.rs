//! CODEOWNERS generated from the plan's roles, so the forge requires the same reviews
//! `kept check --proposal` reports: coordinators own the plan, approvers and the commitment's
//! people own each commitment, monitors own end-of-commitment reports.
//!
//! GitHub and GitLab read gitignore-style patterns where the last match wins; Gitea and
//! Forgejo read Go regular expressions. Owners are forge handles from people.toml; people
//! without a handle on that forge are listed in a comment so the gap is visible.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::plan::Plan;

/// A forge that reads CODEOWNERS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    /// GitHub: `.github/CODEOWNERS`.
    Github,
    /// GitLab: `.gitlab/CODEOWNERS`.
    Gitlab,
    /// Gitea and Forgejo: `.gitea/CODEOWNERS`, regular-expression patterns.
    Gitea,
}

impl Forge {
    /// The key of handles in people.toml's `forge` table.
    pub fn key(self) -> &'static str {
        match self {
            Forge::Github => "github",
            Forge::Gitlab => "gitlab",
            Forge::Gitea => "gitea",
        }
    }

    /// Where the forge reads the file.
    pub fn path(self) -> &'static str {
        match self {
            Forge::Github => ".github/CODEOWNERS",
            Forge::Gitlab => ".gitlab/CODEOWNERS",
            Forge::Gitea => ".gitea/CODEOWNERS",
        }
    }
}

struct Owners<'p> {
    plan: &'p Plan,
    forge: Forge,
    missing: BTreeSet<String>,
}

impl Owners<'_> {
    /// Handles of the given ids (organisations stand for their members).
    fn handles(&mut self, ids: &[&str]) -> Vec<String> {
        let mut out = BTreeSet::new();
        for id in ids {
            let members: Vec<&crate::plan::Entity> = match self.plan.entity(id) {
                Some(e) if e.organisation => {
                    // An organisation stands for its members, except automation accounts.
                    let bots: Vec<&str> = self.plan.role_holders("bot").iter().map(|b| b.value.as_str()).collect();
                    self.plan
                        .entities
                        .iter()
                        .filter(|p| {
                            p.member_of.as_ref().is_some_and(|o| &o.value == id) && !bots.contains(&p.id.value.as_str())
                        })
                        .collect()
                }
                Some(e) => vec![e],
                None => Vec::new(),
            };
            for p in members {
                let handle = p
                    .forge
                    .iter()
                    .find(|(f, h)| f.value == self.forge.key() && crate::rules::people::is_handle(&h.value));
                match handle {
                    Some((_, h)) => {
                        out.insert(format!("@{}", h.value.trim_start_matches('@')));
                    }
                    None => {
                        self.missing.insert(p.id.value.clone());
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    fn role(&mut self, role: &str) -> Vec<String> {
        let ids: Vec<String> = self.plan.role_holders(role).iter().map(|h| h.value.clone()).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.handles(&refs)
    }
}

/// The CODEOWNERS file for a forge.
pub fn render(plan: &Plan, forge: Forge) -> String {
    let mut o = Owners { plan, forge, missing: BTreeSet::new() };
    let coordinators = o.role("coordinator");
    let approvers = o.role("approver");
    let monitors = o.role("monitor");
    let mut rules: Vec<(String, Vec<String>, String)> = Vec::new();
    let join = |a: &[String], b: &[String]| -> Vec<String> {
        let mut v: Vec<String> = a.iter().chain(b).cloned().collect();
        v.sort();
        v.dedup();
        v
    };
    rules.push(("*".into(), coordinators.clone(), "the plan: coordinators".into()));
    rules.push((
        "/kept.toml".into(),
        join(&coordinators, &approvers),
        "roles and settings: a coordinator and an approver".into(),
    ));
    rules.push((
        "/commitments/".into(),
        join(&coordinators, &approvers),
        "commitments: coordinators and approvers".into(),
    ));
    for c in &plan.commitments {
        let mut ids: Vec<String> = c.lead.iter().map(|l| l.value.clone()).collect();
        ids.extend(c.milestones.iter().filter_map(|m| m.responsible.as_ref().map(|r| r.value.clone())));
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let reporters = o.handles(&refs);
        rules.push((
            format!("/commitments/{}/", c.dir),
            join(&join(&approvers, &coordinators), &reporters),
            format!("commitment {}: approvers, coordinators, its lead and responsible people", c.id.value),
        ));
        rules.push((
            format!("/commitments/{}/end-of-commitment*", c.dir),
            monitors.clone(),
            format!("commitment {}'s end-of-commitment report: monitors", c.id.value),
        ));
    }
    let mut out = String::new();
    let _ = writeln!(out, "# Generated by `kept codeowners --forge {}` from kept.toml and people.toml.", forge.key());
    let _ = writeln!(out, "# Regenerate it whenever roles or people change; edits here are overwritten.");
    let _ = writeln!(
        out,
        "# The forge asks any one listed owner to approve; kept check also requires both a coordinator\n# and an approver for role changes, and an amendment for changes to approved commitments."
    );
    for (pattern, owners, why) in rules {
        let _ = writeln!(out, "\n# {why}");
        let pattern = match forge {
            Forge::Gitea => gitea_pattern(&pattern),
            _ => pattern,
        };
        if owners.is_empty() {
            let _ = writeln!(out, "# {pattern} (no owner with a {} handle)", forge.key());
        } else {
            let _ = writeln!(out, "{pattern} {}", owners.join(" "));
        }
    }
    if !o.missing.is_empty() {
        let _ = writeln!(
            out,
            "\n# Without a {} handle in people.toml, so not listed: {}",
            forge.key(),
            o.missing.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    out
}

/// A gitignore-style pattern as the Go regular expression Gitea and Forgejo expect.
fn gitea_pattern(pattern: &str) -> String {
    if pattern == "*" {
        return ".*".into();
    }
    let mut re = String::from("^");
    for ch in pattern.trim_start_matches('/').chars() {
        match ch {
            '*' => re.push_str("[^/]*"),
            '.' | '+' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '$' | '|' | '?' | '\\' => {
                re.push('\\');
                re.push(ch);
            }
            c => re.push(c),
        }
    }
    if pattern.ends_with('/') {
        re.push_str(".*");
    } else {
        re.push('$');
    }
    re
}

#[cfg(test)]
mod tests {
    use super::gitea_pattern;

    #[test]
    fn gitea_patterns_are_anchored_regexes() {
        assert_eq!(gitea_pattern("/commitments/UAKLY0003/"), "^commitments/UAKLY0003/.*");
        assert_eq!(gitea_pattern("/kept.toml"), "^kept\\.toml$");
        assert_eq!(gitea_pattern("/commitments/A/end-of-commitment*"), "^commitments/A/end-of-commitment[^/]*$");
    }
}
