//! Commit signatures verified against the keys people.toml lists (`signing-keys`).
//!
//! SSH signatures are checked with OpenSSH's `ssh-keygen -Y` against an allowed-signers file
//! built from people.toml; OpenPGP signatures with `gpg` in a throw-away keyring holding only
//! people.toml's keys. Nothing from the user's own keyrings or configuration is trusted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::history::RawSignature;
use crate::plan::Entity;

/// What a commit's signature says about who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// The commit is not signed.
    Unsigned,
    /// Signed by a key people.toml gives to this person.
    Verified {
        /// The people.toml id.
        person: String,
    },
    /// Signed, by a key no one in people.toml has.
    UnknownKey,
    /// Signed, but the signature does not verify.
    Bad {
        /// Why.
        reason: String,
    },
    /// The signature could not be checked here.
    Unverifiable {
        /// Why.
        reason: String,
    },
}

/// A directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "kept-sig-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command, stdin: &[u8]) -> std::io::Result<(bool, String)> {
    let (ok, stdout, stderr) = run_split(cmd, stdin)?;
    Ok((ok, format!("{stdout}{stderr}")))
}

/// Run a command: (success, standard output, standard error).
fn run_split(cmd: &mut Command, stdin: &[u8]) -> std::io::Result<(bool, String, String)> {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    if let Some(mut input) = child.stdin.take() {
        // A tool that exits before reading all its input is not an error here.
        let _ = input.write_all(stdin);
    }
    let out = child.wait_with_output()?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// Verify a commit's signature against people.toml.
pub fn verify(signature: Option<&RawSignature>, people: &[Entity]) -> Status {
    let Some(sig) = signature else { return Status::Unsigned };
    let result = if sig.signature.contains("BEGIN SSH SIGNATURE") {
        verify_ssh(sig, people)
    } else if sig.signature.contains("BEGIN PGP SIGNATURE") {
        verify_pgp(sig, people)
    } else {
        Ok(Status::Unverifiable { reason: "an X.509 or unknown signature format".into() })
    };
    result.unwrap_or_else(|e| Status::Unverifiable { reason: e.to_string() })
}

/// Each person's SSH keys as `type body`: only the parsed parts are ever written out, so a
/// key entry cannot smuggle another line into the allowed-signers file.
fn ssh_keys(people: &[Entity]) -> Vec<(String, String)> {
    people
        .iter()
        .filter(|p| crate::plan::shape::is_safe_id(&p.id.value))
        .flat_map(|p| {
            p.signing_keys
                .iter()
                .filter_map(|k| crate::rules::people::ssh_key(&k.value))
                .map(move |(kind, body)| (p.id.value.clone(), format!("{kind} {body}")))
        })
        .collect()
}

fn verify_ssh(sig: &RawSignature, people: &[Entity]) -> std::io::Result<Status> {
    let keys = ssh_keys(people);
    if keys.is_empty() {
        return Ok(Status::UnknownKey);
    }
    let dir = Scratch::new()?;
    let allowed = dir.0.join("allowed_signers");
    let lines: String = keys.iter().map(|(id, key)| format!("{id} namespaces=\"git\" {key}\n")).collect();
    std::fs::write(&allowed, lines)?;
    let sig_path = dir.0.join("commit.sig");
    std::fs::write(&sig_path, &sig.signature)?;
    let keygen = |args: &[&str], path: &Path| {
        let mut cmd = Command::new("ssh-keygen");
        cmd.args(args).arg("-f").arg(path).arg("-s").arg(&sig_path);
        cmd
    };
    let (found, principals) = run(&mut keygen(&["-Y", "find-principals"], &allowed), &[])?;
    let principal = principals.lines().map(str::trim).find(|l| keys.iter().any(|(id, _)| id == l));
    let Some(principal) = principal.filter(|_| found) else { return Ok(Status::UnknownKey) };
    let mut verify = keygen(&["-Y", "verify", "-n", "git", "-I", principal], &allowed);
    let (ok, text) = run(&mut verify, &sig.payload)?;
    Ok(if ok {
        Status::Verified { person: principal.to_string() }
    } else {
        Status::Bad { reason: text.lines().next().unwrap_or("the signature does not match the commit").to_string() }
    })
}

fn verify_pgp(sig: &RawSignature, people: &[Entity]) -> std::io::Result<Status> {
    let keys: Vec<(&str, &str)> = people
        .iter()
        .flat_map(|p| {
            p.signing_keys
                .iter()
                .filter(|k| crate::rules::people::pgp_key(&k.value))
                .map(move |k| (p.id.value.as_str(), k.value.as_str()))
        })
        .collect();
    if keys.is_empty() {
        return Ok(Status::UnknownKey);
    }
    let dir = Scratch::new()?;
    let gpg = |args: &[&str]| {
        let mut cmd = Command::new("gpg");
        cmd.arg("--homedir").arg(&dir.0).args(["--batch", "--no-tty", "--quiet"]).args(args);
        cmd
    };
    // Learn each key's fingerprint, then import them all.
    let mut owners: Vec<(String, &str)> = Vec::new();
    for (person, key) in &keys {
        let (_, listing) =
            run(&mut gpg(&["--with-colons", "--import-options", "show-only", "--import"]), key.as_bytes())?;
        for line in listing.lines().filter(|l| l.starts_with("fpr:")) {
            if let Some(fpr) = line.split(':').nth(9) {
                owners.push((fpr.to_string(), person));
            }
        }
        run(&mut gpg(&["--import"]), key.as_bytes())?;
    }
    let sig_path = dir.0.join("commit.sig");
    std::fs::write(&sig_path, &sig.signature)?;
    let mut verify = gpg(&["--status-fd", "1", "--verify"]);
    verify.arg(&sig_path).arg("-");
    // Only gpg's machine-readable status lines (standard output) are trusted.
    let (ok, status, _) = run_split(&mut verify, &sig.payload)?;
    let refused = ["[GNUPG:] REVKEYSIG", "[GNUPG:] EXPKEYSIG", "[GNUPG:] EXPSIG", "[GNUPG:] BADSIG", "[GNUPG:] ERRSIG"];
    if refused.iter().any(|r| status.lines().any(|l| l.starts_with(r))) {
        return Ok(Status::Bad { reason: "the OpenPGP signature is bad, expired or made with a revoked key".into() });
    }
    if !status.lines().any(|l| l.starts_with("[GNUPG:] GOODSIG")) && !status.contains("NO_PUBKEY") {
        return Ok(Status::Bad { reason: "the OpenPGP signature does not verify".into() });
    }
    let valid = status.lines().find_map(|l| l.strip_prefix("[GNUPG:] VALIDSIG ")).and_then(|rest| {
        let mut fields = rest.split_whitespace();
        let signing = fields.next()?.to_string();
        let primary = fields.nth(8).map(str::to_string);
        Some((signing, primary))
    });
    match valid {
        Some((signing, primary)) if ok => {
            let person =
                owners.iter().find(|(f, _)| *f == signing || Some(f) == primary.as_ref()).map(|(_, p)| p.to_string());
            Ok(person.map_or(Status::UnknownKey, |person| Status::Verified { person }))
        }
        _ if status.contains("NO_PUBKEY") => Ok(Status::UnknownKey),
        _ => Ok(Status::Bad { reason: "the OpenPGP signature does not verify".into() }),
    }
}
