//! Signed commits, where the plan requires them: verified against people.toml's keys with
//! real SSH signatures made by git and OpenSSH.

use std::path::{Path, PathBuf};

use crate::history::{COORDINATOR, Repo};

fn keypair(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen runs (openssh-client)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    (key, public.trim().to_string())
}

#[test]
fn commits_must_be_signed_by_their_makers_keys() {
    let keys = tempfile::tempdir().unwrap();
    let (olena_key, olena_pub) = keypair(keys.path(), "olena");
    let (stranger_key, _) = keypair(keys.path(), "stranger");
    let mut repo = Repo::template(|dir| {
        let edit = |file: &str, find: &str, replace: &str| {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains(find), "{file}: {find}");
            std::fs::write(path, text.replacen(find, replace, 1)).unwrap();
        };
        edit("kept.toml", "required = false", "required = true");
        edit(
            "people.toml",
            "email = \"o.koval@yablunivka.example\"",
            &format!("email = \"o.koval@yablunivka.example\"\nsigning-keys = [\"{olena_pub}\"]"),
        );
    });
    // The root commit was not signed: checking from the start says so.
    let (code, out) = repo.check(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[signature-required]"), "{out}");
    let root = repo.git(&["rev-parse", "HEAD"]).trim().to_string();

    repo.edit("roadmap.toml", "#:schema", "# reviewed\n#:schema");
    repo.commit_signed(COORDINATOR, &olena_key, "Review the roadmap (signed)");
    let (code, out) = repo.check(&["--base", &root]);
    assert_eq!(code, 0, "a correctly signed commit passes: {out}");

    repo.edit("roadmap.toml", "# reviewed", "# reviewed twice");
    let unsigned = repo.commit(COORDINATOR, "Review again (unsigned)");
    let (code, out) = repo.check(&["--base", "HEAD~1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[signature-required]") && out.contains(&unsigned[..10]), "{out}");

    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.edit("roadmap.toml", "# reviewed", "# reviewed by someone else");
    repo.commit_signed(COORDINATOR, &stranger_key, "Review (signed with a key not in people.toml)");
    let (code, out) = repo.check(&["--base", "HEAD~1", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> =
        v["commits"][0]["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    // The signature is refused, and so what the commit changes: an unverified commit grants no role.
    assert_eq!(codes, ["signature-invalid", "permission-denied"], "{out}");
}

#[test]
fn openpgp_signatures_are_verified_too() {
    let home = tempfile::tempdir().unwrap();
    let gnupg = home.path().join("gnupg");
    std::fs::create_dir(&gnupg).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&str]| {
        let out = std::process::Command::new("gpg")
            .env("GNUPGHOME", &gnupg)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    gpg(&["--quick-gen-key", "Olena Koval <o.koval@yablunivka.example>", "ed25519", "sign", "never"]);
    let public = gpg(&["--armor", "--export", "o.koval@yablunivka.example"]);
    let mut repo = Repo::template(|dir| {
        let path = dir.join("kept.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("required = false", "required = true", 1)).unwrap();
        let path = dir.join("people.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let with_key = text.replacen(
            "email = \"o.koval@yablunivka.example\"",
            &format!("email = \"o.koval@yablunivka.example\"\nsigning-keys = ['''\n{public}''']"),
            1,
        );
        std::fs::write(&path, with_key).unwrap();
    });
    let root = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.edit("roadmap.toml", "#:schema", "# reviewed\n#:schema");
    repo.commit_with_args(
        COORDINATOR,
        "Review the roadmap (OpenPGP-signed)",
        &["-c", "user.signingkey=o.koval@yablunivka.example", "-c", "gpg.format=openpgp", "commit", "-S"],
        &[("GNUPGHOME", gnupg.to_str().unwrap())],
    );
    let (code, out) = repo.check(&["--base", &root, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["commits"][0]["signature"]["status"], "verified", "{out}");
    assert_eq!(v["commits"][0]["signature"]["person"], "p-olena-koval", "{out}");
}
