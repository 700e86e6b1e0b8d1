//! Property test: mutated plan files never panic the loader or the rules, and every
//! diagnostic points inside the file it names.

use proptest::prelude::*;

use kept::plan::source::MemSource;

fn template() -> Vec<(String, Vec<u8>)> {
    kept::template::files().into_iter().map(|(p, c)| (p, c.to_vec())).collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Byte(usize, u8),
    DeleteLine(usize),
    DuplicateLine(usize),
    Truncate(usize),
    Insert(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let tokens = prop::sample::select(vec![
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'''",
        "=",
        "\n",
        "[[milestones]]\n",
        "x = 1\n",
        "status = \"completed\"\n",
        "due = 1999-01-01\n",
        "id = \"../x\"\n",
        "ї",
        "\u{0}",
        ".",
        "#",
        "[steps.\"9.9\"]\n",
        "= [[[[",
        "1979-05-27T07:32:00Z",
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), tokens).prop_map(|(i, t)| Mutation::Insert(i, t.to_string())),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Byte(i, b) => {
            let i = i % bytes.len();
            bytes[i] = *b;
        }
        Mutation::Truncate(i) => bytes.truncate(i % bytes.len()),
        Mutation::Insert(i, t) => {
            let i = i % bytes.len();
            bytes.splice(i..i, t.bytes());
        }
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut lines: Vec<&str> = text.split('\n').collect();
            let i = i % lines.len();
            if matches!(m, Mutation::DeleteLine(_)) {
                lines.remove(i);
            } else {
                lines.insert(i, lines[i]);
            }
            *bytes = lines.join("\n").into_bytes();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_plans_never_panic(file in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..6)) {
        let files = template();
        let tomls: Vec<usize> = files.iter().enumerate().filter(|(_, (p, _))| p.ends_with(".toml") || p.ends_with(".md")).map(|(i, _)| i).collect();
        let target = tomls[file % tomls.len()];
        let mut mem = MemSource::new();
        for (i, (path, contents)) in files.iter().enumerate() {
            let mut contents = contents.clone();
            if i == target {
                for m in &mutations {
                    apply(&mut contents, m);
                }
            }
            mem.insert(path, contents);
        }
        let loaded = kept::plan::load(&mem);
        let report = kept::rules::validate(&loaded, kept::Date::parse("2026-11-26").unwrap());
        let _ = kept::status::compute(&loaded.plan, &kept::catalogue::Catalogue::embedded("ogp-local-2024").unwrap(), kept::Date::parse("2026-11-26").unwrap());
        for d in &report.diagnostics {
            if let (Some(file), Some(span)) = (&d.file, &d.span) {
                if let Some(text) = loaded.plan.sources.text(file) {
                    prop_assert!(span.start <= span.end && span.end <= text.len(), "{d:?} outside {file} ({} bytes)", text.len());
                }
            }
        }
    }
}
