//! `invalid-value` for identities: forge handles are plain handles and signing keys are one
//! SSH public key per line or an armored OpenPGP key. What identifies people ends up in
//! CODEOWNERS lines and allowed-signers files, so nothing else may ride along.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;

pub struct People;

/// Whether a forge handle is a plain handle (letters, digits, `.`, `_`, `-`; at most 64).
pub fn is_handle(s: &str) -> bool {
    let s = s.strip_prefix('@').unwrap_or(s);
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// An SSH public key as (type, base64 body), if the text is exactly one such key (with an
/// optional comment).
pub fn ssh_key(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    if s.contains(['\n', '\r', '\0']) {
        return None;
    }
    let mut parts = s.split_whitespace();
    let kind = parts.next()?;
    let body = parts.next()?;
    let known = kind.starts_with("ssh-") || kind.starts_with("ecdsa-sha2-") || kind.starts_with("sk-");
    let base64 = body.len() >= 16 && body.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    (known && kind.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'@' | b'.')) && base64)
        .then_some((kind, body))
}

/// Whether the text is one armored OpenPGP public key block.
pub fn pgp_key(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        && s.ends_with("-----END PGP PUBLIC KEY BLOCK-----")
        && s.matches("-----BEGIN").count() == 1
}

impl Rule for People {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for e in &cx.plan.entities {
            for (forge, handle) in &e.forge {
                if !is_handle(&handle.value) {
                    out.push(
                        Diagnostic::error(
                            "invalid-value",
                            format!("`{}` is not a {} handle", handle.value.escape_debug(), forge.value),
                        )
                        .at_loc(&handle.loc)
                        .help("write the handle only: letters, digits, `.`, `_` and `-`"),
                    );
                }
            }
            for key in &e.signing_keys {
                if ssh_key(&key.value).is_none() && !pgp_key(&key.value) {
                    out.push(
                        Diagnostic::error("invalid-value", format!("a signing key of {} is not one SSH or OpenPGP public key", e.id.value))
                            .at_loc(&key.loc)
                            .help("give one key per entry: an SSH public key line (ssh-ed25519 AAAA... comment) or an armored OpenPGP public key block"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_handles() {
        assert!(ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ olena@laptop").is_some());
        assert!(ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ\np-mayor ssh-ed25519 AAAAother").is_none());
        assert!(ssh_key("cert-authority ssh-ed25519 AAAA").is_none());
        assert!(is_handle("okoval-yab"));
        assert!(!is_handle("a\n/kept.toml @a"));
        assert!(pgp_key("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----"));
    }
}
