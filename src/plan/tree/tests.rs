//! The fast tree must be `toml`'s tree, value for value and span for span, and must never
//! accept a document `toml` rejects.

use proptest::prelude::*;

use super::*;

mod scan;

/// `toml`'s own tree of a document, if it parses.
fn reference(text: &str) -> Option<Item<'_>> {
    parse_with_toml(text).ok().map(plain)
}

/// The tree without the flags that only matter while building.
fn plain(mut item: Item<'_>) -> Item<'_> {
    fn clear(v: &mut Value<'_>) {
        match v {
            Value::Table(t) => {
                (t.implicit, t.dotted, t.inline) = (false, false, false);
                t.entries.iter_mut().for_each(|(_, i)| clear(&mut i.value));
            }
            Value::Array(a) => {
                a.of_tables = false;
                a.items.iter_mut().for_each(|i| clear(&mut i.value));
            }
            _ => {}
        }
    }
    clear(&mut item.value);
    item
}

/// The fast path accepts `text` and agrees with `toml`.
#[track_caller]
fn agrees(text: &str) {
    let fast = build::build(text).unwrap_or_else(|| panic!("the fast path refused:\n{text}"));
    let reference = reference(text).unwrap_or_else(|| panic!("toml refused what the fast path took:\n{text}"));
    assert_eq!(plain(fast), reference, "{text}");
}

/// Both refuse `text`, and `parse` gives `toml`'s errors.
#[track_caller]
fn refused(text: &str) {
    assert!(build::build(text).is_none(), "the fast path took:\n{text}");
    assert!(parse(text).is_err(), "toml took:\n{text}");
}

#[test]
fn values_and_spans_match_toml() {
    agrees("");
    agrees("# only a comment\n\n");
    agrees("a = 1\nb = 0x1F\nc = 0o17\nd = 0b101\ne = 1_000\nf = +3\n");
    agrees("f = 1.5\ng = -2e10\nh = inf\ni = nan\nj = 6.626e-34\n");
    agrees("t = true\nu = false\n");
    agrees("d = 2025-09-30\nt = 07:32:00\nl = 1979-05-27T07:32:00\no = 1979-05-27T00:32:00.999-07:00\n");
    agrees(
        r#"s = "esc \" \\ \u00e9 \t"
l = 'literal \n'
m = """
multi
line \
  joined"""
n = '''
raw ''lines'''
u = "Київ — громада"
"#,
    );
    agrees("a = [1, 2, 3]\nb = [[1, 2], ['x'], []]\nc = [\n  1, # one\n  2,\n]\n");
    agrees("title = { uk = \"Назва\", en = \"Title\" }\nempty = {}\nnest = { a = { b = [1, { c = 2 }] } }\n");
    agrees("a.b.c = 1\na.b.d = 2\na.e = 3\n\"quoted key\" = 4\n'lit.key' = 5\n\"\" = 6\n");
    agrees("x = { a.b = 1, a.c = 2, d = 3 }\n");
}

#[test]
fn tables_match_toml() {
    agrees("[a]\nx = 1\n[b]\ny = 2\n");
    agrees("[a.b.c]\nx = 1\n[a]\ny = 2\n[a.b]\nz = 3\n");
    agrees("[[m]]\nid = 1\n[[m]]\nid = 2\n[m.sub]\nk = 1\n[[m.list]]\nq = 1\n[[m.list]]\nq = 2\n");
    agrees("[fruit]\napple.color = 'red'\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n");
    agrees("[x.y.z]\n[x]\ny.w = 1\n");
    agrees("top = 1\n[ spaced . header ]\nk = 'v'\n[\"quoted\".'header']\nk = 2\n");
    agrees(include_str!("../../../template-repo/plan.toml"));
    agrees(include_str!("../../../template-repo/people.toml"));
    agrees(include_str!("../../../template-repo/roadmap.toml"));
    agrees(include_str!("../../../template-repo/opportunities.toml"));
    agrees(include_str!("../../../template-repo/learning.toml"));
    agrees(include_str!("../../../template-repo/kept.toml"));
}

#[test]
fn template_commitments_take_the_fast_path() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("template-repo/commitments");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path().join("commitment.toml")).unwrap();
        agrees(&text);
        assert!(build::scan::scan(&text).is_some(), "the scanner refused:\n{text}");
        seen += 1;
    }
    assert!(seen >= 4);
}

#[test]
fn what_toml_forbids_is_refused() {
    refused("a = 1\na = 2\n");
    refused("a.b = 1\na.b = 2\n");
    refused("a = 1\na.b = 2\n");
    refused("a = { b = 1 }\na.c = 2\n");
    refused("a = { b = 1 }\n[a.c]\n");
    refused("a = { b = 1, b = 2 }\n");
    refused("a = { b.c = 1, b = 2 }\n");
    refused("[a]\n[a]\n");
    refused("[a]\nb = 1\n[a.b]\n");
    refused("[a.b]\n[a]\nb.c = 1\n");
    refused("[a]\nb.c = 1\n[a.b]\n");
    refused("[a]\nx = 1\n[[a]]\n");
    refused("[[a]]\n[a]\n");
    refused("a = [1]\n[[a]]\n");
    refused("a = [1]\n[a.b]\n");
    refused("x = 'unterminated\n");
    refused("x = \"bad \\q escape\"\n");
    refused("x = 1979-13-45\n");
    refused("x = \n");
    refused("= 1\n");
    refused("[a\nb = 1\n");
    refused("x = [1, 2\n");
    refused("x = { a = 1\n");
    refused("x = 1 y = 2\n");
    refused("x = \"ctrl \u{7} char\"\n");
    refused("# comment with \u{7f} delete\n");
    refused(&format!("x = {}1{}\n", "[".repeat(100), "]".repeat(100)));
}

#[test]
fn unusual_legal_shapes_load_through_toml() {
    // More keys than the fast path's linear search allows.
    let many: String = (0..build::MAX_KEYS + 5).map(|i| format!("k{i} = {i}\n")).collect();
    assert!(build::build(&many).is_none());
    let root = parse(&many).expect("toml parses it");
    assert_eq!(root.value.as_table().unwrap().len(), build::MAX_KEYS + 5);
    assert_eq!(root.value.as_table().unwrap().get("k7").unwrap().value.as_i64(), Some(7));
    // Keys come back in order through either path.
    let keys: Vec<_> = root.value.as_table().unwrap().iter().map(|(k, _)| k.name.to_string()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

/// Documents near the plan's own: each template file with one edit.
fn mutated() -> impl Strategy<Value = String> {
    let sources = [
        include_str!("../../../template-repo/plan.toml"),
        include_str!("../../../template-repo/people.toml"),
        include_str!("../../../template-repo/roadmap.toml"),
    ];
    let pieces = [
        "",
        "=",
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        ".",
        ",",
        "\"",
        "'",
        "\n",
        "#",
        "\\",
        "a",
        "a.b",
        "x = 1\n",
        "[t]\n",
        "[[t]]\n",
        "[t.u]\n",
        "= {a=1}\n",
        "2025-01-01",
        "\u{0}",
        "\u{7f}",
    ];
    (0..sources.len(), any::<prop::sample::Index>(), 0..4usize, 0..pieces.len(), any::<prop::sample::Index>()).prop_map(
        move |(s, at, cut, piece, line)| {
            let text = sources[s];
            let mut at = at.index(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + cut).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let mut out = format!("{}{}{}", &text[..at], pieces[piece], &text[end..]);
            // Sometimes repeat a whole line elsewhere (duplicate keys and headers).
            let lines: Vec<&str> = text.lines().collect();
            if cut == 3 {
                out.push('\n');
                out.push_str(lines[line.index(lines.len())]);
                out.push('\n');
            }
            out
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn never_disagrees_with_toml(text in mutated()) {
        match build::build(&text) {
            Some(fast) => prop_assert_eq!(Some(plain(fast)), reference(&text)),
            None => {
                // Refused: `parse` falls back to toml, whatever toml says.
                prop_assert_eq!(parse(&text).ok().map(plain), reference(&text));
            }
        }
    }
}

/// Documents of table headers and dotted keys over a few names: TOML's rules for tables.
fn tables() -> impl Strategy<Value = String> {
    let lines = [
        "[a]",
        "[b]",
        "[a.b]",
        "[b.a]",
        "[a.b.c]",
        "[[a]]",
        "[[b]]",
        "[[a.b]]",
        "[[b.c]]",
        "[ a . \"b\" ]",
        "a = 1",
        "b = 2",
        "c = 3",
        "a.b = 1",
        "b.c = 2",
        "a.b.c = 3",
        "c.a = 4",
        "a = { x = 1 }",
        "b = { c.d = 1, e = 2 }",
        "c = [1, 2]",
        "a = [{ x = 1 }]",
        "'a'.b = 5",
        "\"b\" = 6",
    ];
    prop::collection::vec(0..lines.len(), 0..12)
        .prop_map(move |picks| picks.into_iter().map(|i| format!("{}\n", lines[i])).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn table_rules_agree_with_toml(text in tables()) {
        let fast = build::build(&text).map(plain);
        let reference = reference(&text);
        if fast.is_some() {
            prop_assert_eq!(fast, reference);
        } else {
            prop_assert_eq!(parse(&text).ok().map(plain), reference);
        }
    }
}

#[test]
fn nesting_is_bounded_at_the_loaders_limit() {
    let nested = |depth: usize| format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    let limit = crate::plan::toml_doc::MAX_DEPTH;
    agrees(&nested(limit));
    assert!(fast(&nested(limit + 1)).is_none());
    // The loader then names the problem instead of a syntax error.
    let mut diags = Vec::new();
    let mut ctx = crate::plan::toml_doc::Ctx { file: "deep.toml".into(), offset: 0, diags: &mut diags };
    assert!(crate::plan::toml_doc::parse(&mut ctx, &nested(limit + 1)).is_none());
    assert_eq!(diags.iter().map(|d| d.code).collect::<Vec<_>>(), ["nesting-too-deep"]);
}

/// Edge cases from a review of the fast path against `toml`'s parser (table rules, key
/// decoding, line endings, numbers and date-times, malformed documents): whatever the fast
/// path accepts, `toml` accepts with the same tree.
#[test]
fn reviewed_edge_cases_never_disagree() {
    let cases: &[&str] = &[
        "[a.b]\n[a]\n",
        "[a.b]\nx=1\n[ a ]\ny=2\n",
        "[[a]]\n[a]\n",
        "a.b.c = 1\n[a.b.d]\n",
        "a.b.c = 1\n[a.x]\n",
        "a.b.c = 1\n[a.b]\n",
        "a.b.c = 1\n[a]\n",
        "[a]\nb.c=1\n[a.b.d]\n",
        "x = {\n a = 1,\n b = 2,\n}\n",
        "x = { # c\n a = 1 }\n",
        "x = { a = 1, }\n",
        "x = 99999999999999999999\n",
        "x = -0\ny = +0\nz = 0x_1\n",
        "x = -inf\ny = +nan\nz = 1e1_000\nw = 1_0.0_1\n",
        "x = 1979-05-27 07:32:00Z\n",
        "x = 1979-05-27t07:32:00z\n",
        "x = 07:32\n",
        "x = 1979-05-27T07:32Z\n",
        "x = 1979-05-27T07:32:00.123456789123+05:30\n",
        "x = 2024-02-30\n",
        "x = 2023-02-29\n",
        "x = 1979-05-27T24:00:00\n",
        "x = 1979-05-27T23:59:60\n",
        "x = 1979-05-27T23:59:60Z\n",
        "x = 00:00:60\n",
        "x = 1979-05-27T07:32:00+24:00\n",
        "x = 0000-01-01\n",
        "\"a\\u0062\" = 1\nab = 2\n",
        "'a' = 1\n\"a\" = 2\n",
        "\"\" = 1\n[\"\"]\n",
        "[\"\"]\nx = 1\n",
        "[\"a\"]\n[a.b]\n[ 'a' . \"c\" ]\n",
        "[a]\n[a.b]\n[a.b.c]\n[a.b]\n",
        "a . b = 1\n a . c = 2\n",
        "[[a]]\n[[a.b]]\n[a.b.c]\n",
        "[a]\n[[a.b]]\n[a]\n",
        "a = 1\n[a.b]\n",
        "[a.b]\nc = 1\n[a]\nb.d = 1\n",
        "[a.b.c]\n[a]\nb.d = 1\n[a.b.e]\n",
        "[a.b.c]\n[a]\nb.d = 1\n[a.b]\n",
        "\u{feff}a = 1\n[b]\nc = 2\n",
        "a = 1\r\n[b]\r\nc = \"\"\"\r\nx\r\n\"\"\"\r\n",
        "a = [\n  1, # c\n  # d\n  2\n  ,\n]\n",
        "a = [[]]\n",
        "a = []\n[[a]]\n",
        "[[a]]\n[[a]]\n[a.b]\n[[a]]\n[a.b]\n",
        "[[a.b]]\n[a]\n[[a.b]]\n",
        "[[a.b]]\n[a]\nb = 1\n",
        "[[a.b]]\n[a]\nb.c = 1\n",
        "[a]\n[[a]]\n",
        "[[a]]\nb = { c = 1 }\n[a.b.d]\n",
        "[[a]]\nb = [1]\n[[a.b]]\n",
        "x = { a = { b = 1 }, a.c = 2 }\n",
        "x = { a.b = 1, a = { c = 2 } }\n",
        "x = { a.b = 1, a.c.d = 2, a.c.e = 3 }\n",
        "x = { a.b = 1, a.b.c = 2 }\n",
        "x = { a = 1, a.b = 2 }\n",
        "x = {}\nx.y = 1\n",
        "x.y = {}\nx.y.z = 1\n",
        "x.y = {}\n[x.y.z]\n",
        "x.y = {}\n[x.z]\n",
        "x.y = []\n[[x.y]]\n",
        "x.y = 1\n[x]\n",
        "[x]\ny.z = 1\n[x.y.w]\nq = 1\n",
        "[x]\n\"y\".z = 1\n['x'.y.w]\n",
        "a=1#c\nb=2 #c\n[c]#c\n[[d]] # c\n",
        "a = \"\\e\\x41\"\n",
        "a = 'x'\nb = \"\"\"a\\\n\n   b\"\"\"\n",
        "a = 0o777\nb = 0b0\nc = 0xdead_BEEF\nd = -9223372036854775808\ne = 9223372036854775808\n",
        "a = 0.0\nb = -0.0\nc = 1E2\nd = 1e+2\ne = 1.e2\n",
        "a = 01\n",
        "a = 1__0\n",
        "a.\"\".b = 1\n",
        "[a.'']\n",
        "a = { }\nb = {\n}\n",
        "a = { b = 1 # comment\n, c = 2 }\n",
        "a = [ { b = 1 }, { b = 2 } ]\n[[a]]\n",
        "[a]\n[b]\n[a.c]\n[b.c]\n[a.c.d]\n",
        "[[a]]\n[a.b]\n[[a.b.c]]\n[a.b.c.d]\n[[a]]\n",
        "[[a.b]]\n[[a]]\n",
        "1 = 1\n1.2 = 3\n",
        "1.2 = 3\n",
        "true = 1\ninf = 2\nnan.x = 3\n",
        "a = true\nb = tru\n",
        "[a]\n\n\n",
        "\n\n[a]",
        "a = 1",
        "a = \"x\"# c",
        "[a]\r\n",
        "a = 1\rb = 2\n",
        "a = \"\t\"\n",
        "a = 'x\u{80}y'\n",
        "# \u{1}\n",
        "a = \"\"\"\u{7f}\"\"\"\n",
        "a = '''\n\r\n'''\n",
        "a.b = 1\na.b.c = 2\n",
        "a = [1,2,]\n",
        "a = [,]\n",
        "a = {,}\n",
        "a = {b=1,,c=2}\n",
        "a = [1\n,2]\n",
        "[ [a] ]\n",
        "[[ a ]]\n",
        "[ a ]]\n",
        "[[a] ]\n",
        "a =\n1\n",
        "a\n= 1\n",
        "a.\nb = 1\n",
        "[a.\nb]\n",
        "a = { b = \n 1 }\n",
        "a = { b \n = 1 }\n",
        "a = { b. \n c = 1 }\n",
        "a = [ 1 \n ]\n",
        "a = {b=1}{c=2}\n",
        "a = [1][2]\n",
        "a = 1 2\n",
        "[a] b = 1\n",
        "a = 1 [b]\n",
        "a = 1, b = 2\n",
        "a = 1\n= 2\n",
        "[a]\n[]\n",
        "[a.]\n",
        "[.a]\n",
        "a..b = 1\n",
        ".a = 1\n",
        "a = {b = {c = {d = {e = {}}}}}\n",
    ];
    for text in cases {
        if let Some(fast) = build::build(text) {
            assert_eq!(Some(plain(fast)), reference(text), "{text:?}");
        } else {
            assert_eq!(parse(text).ok().map(plain), reference(text), "{text:?}");
        }
    }
}
