//! Webhooks from GitHub, GitLab and Gitea/Forgejo: the signature checked over the raw body in
//! constant time, repeated deliveries recognised by their id, and what a delivery asks for.
//!
//! - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, `X-GitHub-Delivery`,
//!   `X-GitHub-Event`.
//! - Gitea and Forgejo: `X-Gitea-Signature` / `X-Forgejo-Signature: <hex HMAC-SHA256>`,
//!   `X-Gitea-Delivery` / `X-Forgejo-Delivery`, `X-Gitea-Event` / `X-Forgejo-Event`.
//! - GitLab: `X-Gitlab-Token: <the secret itself>`, `X-Gitlab-Event-UUID`, `X-Gitlab-Event`.
//!
//! Webhooks are hints: they make the daemon look sooner; the periodic pass is the truth.

use std::collections::{HashSet, VecDeque};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// A forge that sends webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    /// GitHub.
    GitHub,
    /// GitLab.
    GitLab,
    /// Gitea or Forgejo.
    Gitea,
}

impl Forge {
    /// From the path segment (`/hooks/github`).
    pub fn from_path(s: &str) -> Option<Forge> {
        match s {
            "github" => Some(Forge::GitHub),
            "gitlab" => Some(Forge::GitLab),
            "gitea" | "forgejo" => Some(Forge::Gitea),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Forge::GitHub => "github",
            Forge::GitLab => "gitlab",
            Forge::Gitea => "gitea",
        }
    }
}

/// What a delivery asks the daemon to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The repository changed: fetch and publish.
    Push,
    /// An issue changed: sync the tracker.
    Issue,
    /// A ping, or something kept does not follow: nothing.
    Nothing,
}

/// Why a delivery is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No secret is configured for this forge: its deliveries cannot be trusted.
    #[error("no secret is configured for {0} webhooks")]
    NotConfigured(&'static str),
    /// The signature (or token) is missing.
    #[error("the delivery is not signed")]
    Unsigned,
    /// The signature does not match.
    #[error("the signature does not match")]
    BadSignature,
}

/// A header's value, by name (any case).
pub type Headers<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Check a delivery's signature over its raw body, in constant time.
pub fn verify(forge: Forge, secret: Option<&[u8]>, header: Headers<'_>, body: &[u8]) -> Result<(), Refusal> {
    let secret = secret.ok_or(Refusal::NotConfigured(forge.name()))?;
    match forge {
        Forge::GitLab => {
            let token = header("x-gitlab-token").ok_or(Refusal::Unsigned)?;
            // Equal lengths are compared in constant time; a length differs in no secret bit.
            if bool::from(token.as_bytes().ct_eq(secret)) { Ok(()) } else { Err(Refusal::BadSignature) }
        }
        Forge::GitHub => {
            let sig = header("x-hub-signature-256").ok_or(Refusal::Unsigned)?;
            let hex = sig.strip_prefix("sha256=").ok_or(Refusal::BadSignature)?;
            check_hmac(secret, body, hex)
        }
        Forge::Gitea => {
            let sig = header("x-gitea-signature").or_else(|| header("x-forgejo-signature")).ok_or(Refusal::Unsigned)?;
            check_hmac(secret, body, sig.trim())
        }
    }
}

fn check_hmac(secret: &[u8], body: &[u8], hex: &str) -> Result<(), Refusal> {
    let given = decode_hex(hex).ok_or(Refusal::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Refusal::BadSignature)?;
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given).map_err(|_| Refusal::BadSignature)
}

/// The hex HMAC-SHA256 of a body, as the forges sign (for tests and stand-ins).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The delivery's id, by which a repeated delivery is recognised.
pub fn delivery_id(forge: Forge, header: Headers<'_>) -> Option<String> {
    match forge {
        Forge::GitHub => header("x-github-delivery"),
        Forge::GitLab => header("x-gitlab-event-uuid").or_else(|| header("x-gitlab-webhook-uuid")),
        Forge::Gitea => header("x-gitea-delivery").or_else(|| header("x-forgejo-delivery")),
    }
}

/// What a delivery's event asks for.
pub fn ask(forge: Forge, header: Headers<'_>) -> Ask {
    let event = match forge {
        Forge::GitHub => header("x-github-event"),
        Forge::GitLab => header("x-gitlab-event"),
        Forge::Gitea => header("x-gitea-event").or_else(|| header("x-forgejo-event")),
    }
    .unwrap_or_default()
    .to_ascii_lowercase();
    match event.as_str() {
        "push" | "push hook" | "pull_request" | "merge request hook" => Ask::Push,
        "issues" | "issue hook" | "issue_comment" | "milestone" => Ask::Issue,
        _ => Ask::Nothing,
    }
}

/// The repository a delivery is about (`owner/name`; GitLab: the project's path).
pub fn repository(forge: Forge, payload: &serde_json::Value) -> Option<String> {
    let name = match forge {
        Forge::GitHub | Forge::Gitea => payload.get("repository")?.get("full_name")?,
        Forge::GitLab => payload.get("project")?.get("path_with_namespace")?,
    };
    name.as_str().map(str::to_string)
}

/// The delivery ids seen lately (a bounded memory: the oldest are forgotten first).
#[derive(Debug, Default)]
pub struct Seen {
    order: VecDeque<String>,
    set: HashSet<String>,
}

/// How many delivery ids are remembered.
const REMEMBERED: usize = 10_000;

impl Seen {
    /// Whether this id was seen before; remembers it.
    pub fn repeat(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return true;
        }
        if self.order.len() >= REMEMBERED
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        self.order.push_back(id.to_string());
        self.set.insert(id.to_string());
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_string())
    }

    #[test]
    fn githubs_documented_example_verifies() {
        // GitHub's documentation: secret "It's a Secret to Everybody", payload "Hello, World!".
        let body = b"Hello, World!";
        let expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(sign(b"It's a Secret to Everybody", body), expected);
        let h = headers(&[(
            "X-Hub-Signature-256",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        )]);
        assert_eq!(verify(Forge::GitHub, Some(b"It's a Secret to Everybody"), &h, body), Ok(()));
        assert_eq!(verify(Forge::GitHub, Some(b"another secret"), &h, body), Err(Refusal::BadSignature));
        assert_eq!(
            verify(Forge::GitHub, Some(b"It's a Secret to Everybody"), &h, b"Hello, World?"),
            Err(Refusal::BadSignature)
        );
        assert_eq!(verify(Forge::GitHub, None, &h, body), Err(Refusal::NotConfigured("github")));
        assert_eq!(verify(Forge::GitHub, Some(b"s"), &headers(&[]), body), Err(Refusal::Unsigned));
        let h = headers(&[("X-Hub-Signature-256", "sha256=zz")]);
        assert_eq!(verify(Forge::GitHub, Some(b"s"), &h, body), Err(Refusal::BadSignature));
    }

    #[test]
    fn gitea_forgejo_and_gitlab() {
        let body = br#"{"ref":"refs/heads/main"}"#;
        let sig = sign(b"s3cret", body);
        let sig: &'static str = Box::leak(sig.into_boxed_str());
        for name in ["X-Gitea-Signature", "X-Forgejo-Signature"] {
            let pairs: &'static [(&'static str, &'static str)] = Box::leak(Box::new([(name, sig)]));
            assert_eq!(verify(Forge::Gitea, Some(b"s3cret"), &headers(pairs), body), Ok(()));
        }
        assert_eq!(verify(Forge::GitLab, Some(b"tok"), &headers(&[("X-Gitlab-Token", "tok")]), body), Ok(()));
        assert_eq!(
            verify(Forge::GitLab, Some(b"tok"), &headers(&[("X-Gitlab-Token", "tok2")]), body),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn events_and_deliveries() {
        let h = headers(&[("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "72d3162e")]);
        assert_eq!(ask(Forge::GitHub, &h), Ask::Push);
        assert_eq!(delivery_id(Forge::GitHub, &h).as_deref(), Some("72d3162e"));
        assert_eq!(ask(Forge::GitLab, &headers(&[("X-Gitlab-Event", "Issue Hook")])), Ask::Issue);
        assert_eq!(ask(Forge::GitHub, &headers(&[("X-GitHub-Event", "ping")])), Ask::Nothing);
        let mut seen = Seen::default();
        assert!(!seen.repeat("a"));
        assert!(seen.repeat("a"));
        for i in 0..REMEMBERED {
            seen.repeat(&i.to_string());
        }
        assert!(!seen.repeat("a"), "the oldest ids are forgotten first");
    }
}
