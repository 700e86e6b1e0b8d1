//! `kept codeowners`: the forge's review rules generated from the plan's roles.

use crate::common::{Scratch, run, template_dir};

#[test]
fn github_codeowners_follow_the_roles() {
    let s = Scratch::new();
    let (code, out, err) = run(s.kept().arg("codeowners").arg(template_dir()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\n* @okoval-yab\n"), "{out}");
    assert!(out.contains("\n/kept.toml @isavchuk-yab @okoval-yab\n"), "{out}");
    assert!(out.contains("\n/commitments/UAYAB0004/end-of-commitment* @mkravets-ynu @tlevchenko-ynu\n"), "{out}");
    // The lead's organisation stands for its members; the bot is never an owner.
    let line = out.lines().find(|l| l.starts_with("/commitments/UAYAB0001/ ")).unwrap();
    assert!(line.contains("@dshevchuk-yab") && !line.contains("kept-bot"), "{line}");
    assert!(
        out.contains("not listed: ") && out.contains("p-oleksandr-hnatiuk"),
        "the mayor has no GitHub handle:\n{out}"
    );

    let plan = s.template();
    let (code, _, err) = run(s.kept().arg("codeowners").arg(&plan).arg("--write"));
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(plan.join(".github/CODEOWNERS")).unwrap();
    assert_eq!(written, out);
}

#[test]
fn gitea_codeowners_use_regular_expressions() {
    let s = Scratch::new();
    let plan = s.template();
    let path = plan.join("people.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("forge = { github = \"okoval-yab\" }", "forge = { gitea = \"okoval\" }");
    std::fs::write(&path, text).unwrap();
    let (code, out, err) = run(s.kept().arg("codeowners").arg(&plan).args(["--forge", "gitea"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\n.* @okoval\n"), "{out}");
    assert!(out.contains("\n^commitments/UAYAB0003/.* @okoval\n"), "{out}");
}
