//! The scanner alone: whatever it takes, `toml` takes with the same tree; and it takes the
//! plan files it exists for.

use proptest::prelude::*;

use super::{plain, reference};
use crate::plan::tree::build::scan::scan;
use crate::plan::tree::{Item, Value};

/// The scanner's tree of `text` as `build` would return it, if the scanner takes it.
fn scanned(text: &str) -> Option<Item<'_>> {
    let mut root = Item::new(Value::Table(scan(text)?), 0..0);
    root.value.sort();
    Some(plain(root))
}

#[track_caller]
fn takes(text: &str) {
    let tree = scanned(text).unwrap_or_else(|| panic!("the scanner refused:\n{text}"));
    assert_eq!(Some(tree), reference(text), "{text}");
}

#[track_caller]
fn leaves(text: &str) {
    assert!(scan(text).is_none(), "the scanner took:\n{text}");
}

#[test]
fn takes_the_subset_plan_files_use() {
    takes("");
    takes("#:schema ../x.json\nid = \"C1\"\r\nprogress = 0\nn = -12\nbig = 123456789012345678\n");
    takes("title = { uk = \"Назва\", en = 'Title' }\nempty = {}\nstart = 2025-09-01 # a date\n");
    takes("e = \"tab\\t quote\\\" back\\\\ \\u00e9 \\U0001F600 \\b\\f\\r\\n\"\n\"key \\u0041\" = 1\n");
    takes("a = [\n  \"x\", # one\n  'y',\n]\nb = [[1, 2], [], [{ c = true }]]\n");
    takes("[approval]\nby = \"p\"\n\n[[milestones]]\nid = \"M1\"\n[[ milestones ]]\nid = \"M2\"\n[milestones.x]\n");
    takes("a.b = 1\na . c = false\n\"q\".'l' = 2\n1.2 = 3\n[t]\nx = { y.z = 1, w = 2 }\n");
    takes(include_str!("../../../../template-repo/plan.toml"));
    takes(include_str!("../../../../template-repo/people.toml"));
    takes(include_str!("../../../../template-repo/kept.toml"));
}

#[test]
fn leaves_the_rest_to_the_parsers() {
    for text in [
        "s = \"\"\"multi\"\"\"\n",
        "s = '''multi'''\n",
        "f = 1.5\n",
        "i = +1\n",
        "i = 1_000\n",
        "i = 0x1F\n",
        "i = 007\n",
        "i = 1234567890123456789\n",
        "d = 1979-05-27 07:32:00\n",
        "d = 1979-05-27T07:32:00Z\n",
        "d = 2025-02-30\n",
        "t = 07:32:00\n",
        "s = \"\\x41\"\n",
        "s = \"\\e\"\n",
        "s = \"\\uD800\"\n",
        "s = \"a\u{7f}\"\n",
        "s = 'a\u{1}'\n",
        "# \u{7f}\n",
        "a = 1\rb = 2\n",
        "x = { a = 1, }\n",
        "x = {\n a = 1 }\n",
        "x = [,]\n",
        "\u{feff}a = 1\n",
        "a = truex\n",
        "[[a] ]\n",
        "[ [a]]\n",
        "[]\n",
        "a = 1 b = 2\n",
        "a = 1\na = 2\n",
        "[a]\n[a]\n",
    ] {
        leaves(text);
    }
}

/// Lines of the subset, and some just outside it: keys, values, blanks, comments, endings.
fn lines() -> impl Strategy<Value = String> {
    use prop::sample::select;
    let keys = prop_oneof![
        4 => select(vec!["a", "b", "c", "a.b", "\"a\"", "'b'", " a . c ", "\"\\u0062\"", "1", "-_"]),
        1 => select(vec!["\"\"", "1.2", "é", "a b", "\"a\\x\"", "a..b"]),
    ];
    let values = prop_oneof![
        4 => select(vec![
            "1", "-1", "0", "-0", "123456789012345678", "true", "false", "\"s\"", "\"a\\\"b\"", "\"\t\"",
            "\"\\u00e9\"", "\"\\U0001F600\"", "'lit'", "''", "\"Київ\"", "2025-09-01", "[]", "[1, 2]",
            "[1,]", "[\n1,\n# c\n2\n]", "{}", "{ a = 1 }", "{ a.b = 1, a.c = 2 }", "[{ x = 1 }, { x = 2 }]",
        ]),
        1 => select(vec![
            "007", "1234567890123456789", "+1", "1_0", "truex", "\"\\x41\"", "\"\\uD800\"", "\"\\\"",
            "2025-02-30", "2025-13-01", "2025-09-01 10:00:00", "2025-09-01T10:00:00", "1.5", "\"\"\"m\"\"\"",
            "'''m'''", "[,]", "{ a = 1, }", "{ a = 1, a = 2 }", "{\na = 1 }", "\"unterminated", "[1", "{ a = 1",
        ]),
    ];
    let blanks = select(vec!["", " ", "\t", "  "]);
    let trails = prop_oneof![4 => Just(""), 1 => select(vec![" # note", " #\u{7f}", "#", " \t"])];
    let ends = prop_oneof![6 => Just("\n"), 1 => select(vec!["\r\n", "\r", "", "\n\n"])];
    (0..6usize, keys, values, blanks, trails, ends).prop_map(|(shape, key, value, blank, trail, end)| match shape {
        0..=2 => format!("{blank}{key}{blank}={blank}{value}{trail}{end}"),
        3 => format!("{blank}[{key}]{trail}{end}"),
        4 => format!("[[{key}]]{trail}{end}"),
        _ => format!("{blank}{trail}{end}"),
    })
}

/// A document of such lines, sometimes with one character put in somewhere.
fn documents() -> impl Strategy<Value = String> {
    let inserts = ["\"", "\\", "\n", "\r", "#", "=", ",", "]", "}", "[", "{", ".", " ", "\u{0}", "\u{7f}", "é", "'"];
    (prop::collection::vec(lines(), 0..8), any::<prop::sample::Index>(), 0..inserts.len() * 3).prop_map(
        move |(lines, at, insert)| {
            let mut text: String = lines.concat();
            if let Some(piece) = inserts.get(insert) {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, piece);
            }
            text
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn what_the_scanner_takes_toml_takes_alike(text in documents()) {
        if let Some(tree) = scanned(&text) {
            prop_assert_eq!(Some(tree), reference(&text), "{:?}", text);
        }
    }
}

/// The property above says something only if the scanner takes a fair share of the
/// documents, and `toml` rejects a fair share of those it leaves.
#[test]
fn the_documents_reach_both_sides() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut taken, mut invalid) = (0, 0);
    for _ in 0..1000 {
        let text = documents().new_tree(&mut runner).unwrap().current();
        taken += usize::from(scan(&text).is_some());
        invalid += usize::from(reference(&text).is_none());
    }
    assert!(taken >= 100, "the scanner took only {taken} of 1000");
    assert!(invalid >= 100, "toml rejected only {invalid} of 1000");
}
