//! The scanner alone: whatever it takes, `toml` takes with the same tree; and it takes the
//! plan files it exists for.

use proptest::prelude::*;

use super::{plain, reference};
use crate::plan::tree::build::events;
use crate::plan::tree::build::scan::scan;
use crate::plan::tree::{Item, Value};

/// The scanner's tree of `text` as `build` would return it, if the scanner takes it. The
/// event path must then build the very same tree, flags and entry order included (the
/// comparison with `toml` sees neither).
#[track_caller]
fn scanned(text: &str) -> Option<Item<'_>> {
    let table = scan(text)?;
    assert_eq!(Some(&table), events(text).as_ref(), "the event path differs on {text:?}");
    let mut root = Item::new(Value::Table(table), 0..0);
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

/// Cases from a review of the scanner against `toml` 1.2 (`toml_parser` 1.1, which takes some
/// of TOML 1.1), about 570: each alone, with each line ending, after a header and between two
/// lines.
#[rustfmt::skip]
const REVIEWED: &[&str] = &[
    // whitespace and line endings
    "a=1", "a\t=\t1\t", "\ta = 1", "  [a]  \n", "\t[[a]]\t#c\n", "a = 1\r\n", "a = 1\r", "a = 1\r\r\n",
    "\r\n", "\r", "\n\r", "a = [\r\n1\r\n]\r\n", "a = [\r1]\n", "a = [1\r]\n", "a = 1 #c\r\n", "a = 1 #c\r",
    "#c\rb=1\n", "a = 1\n\n\n", "\n\n", "   ", "\t", "\u{b}a = 1", "\u{c}a = 1", "a = 1\u{c}", "a =\u{a0}1",
    "a\u{3000}= 1", "[a]\r", "[a]\r\n", "[a]\u{85}", "a = 1\u{2028}",
    // comments
    "# \t tab\n", "#\u{0}\n", "#\u{1f}\n", "#\u{7f}\n", "#\u{80}\n", "# é\n", "a = [1 #\u{7f}\n]", "a = [1 #\u{0}\n]",
    "#\r\n", "##\n", "a = 1#", "a = 1 #", "[a]#", "a = [#\n]", "a = [1#\n]", "a = [ # a\r\n # b\r\n ]",
    "a = {b=1}#x\n", "a = 'x'#x\n", "a = \"x\"#\u{9}\n", "#\u{9f}\n", "#\u{fffe}\n", "#\u{10ffff}\n",
    // bare keys
    "A-Z_09 = 1", "-- = 1", "_ = 1", "- = 1", "é = 1", "a\u{a0} = 1", "a+b = 1", "a$b = 1", "a:b = 1", "a@ = 1",
    "a/b=1", "1 = 1", "1.2.3 = 1", "-1 = 1", "+1 = 1", "true = 1", "false.true = 1", "2025-09-01 = 1",
    "1e5 = 1", "0x1 = 1", "a.1e5 = 1", "inf = 1", "nan = 1", "a . b . c = 1", "a.\tb = 1", "a .b = 1",
    "a. b = 1", "a..b = 1", ".a = 1", "a. = 1", "a = 1\n b = 2", "a\"b\" = 1", "a'b' = 1", "a\\b = 1",
    "ab\u{301} = 1", "Ω = 1", "a\u{0} = 1", "a\u{7f} = 1",
    // quoted keys
    "\"\" = 1", "'' = 1", "\"a b\" = 1", "\"a\\tb\" = 1", "'a\\tb' = 1", "\"a\\e\" = 1", "\"a\\x41\" = 1",
    "\"\\u0000\" = 1", "\"a\".\"b\" = 1", "\"a\"b = 1", "\"a\" \"b\" = 1", "\"\"\"a\"\"\" = 1", "'''a''' = 1",
    "\"a\n\" = 1", "'a\n' = 1", "\"a\t\" = 1", "'a\t' = 1", "\"a\u{7f}\" = 1", "'a\u{7f}' = 1",
    "\"a\u{1}\" = 1", "\"\\\"\" = 1", "'\"' = 1", "\"'\" = 1", "\"a\" = 1\na = 2", "\"\\u0061\" = 1\na = 2",
    "'a' = 1\n\"a\" = 2", "\"a\".b = 1\na.c = 2", "\"\\uD800\" = 1", "\"\\U0001F600\" = 1", "\"é\" = 1",
    "\"a\"\"b\" = 1", "''.'' = 1", "\"\".\"\" = 1", "\"\"\"\" = 1", "'''' = 1", "\"\\\" = 1",
    // basic strings
    "s = \"\\b\\t\\n\\f\\r\\\"\\\\\"", "s = \"\\/\"", "s = \"\\a\"", "s = \"\\e\"", "s = \"\\x41\"",
    "s = \"\\xZZ\"", "s = \"\\x4\"", "s = \"\\u12\"", "s = \"\\u00E9\"", "s = \"\\u00e9\"", "s = \"\\uD800\"",
    "s = \"\\uDFFF\"", "s = \"\\U00110000\"", "s = \"\\U0010FFFF\"", "s = \"\\U0000D800\"", "s = \"\\UFFFFFFFF\"",
    "s = \"\\0\"", "s = \"\\'\"", "s = \"\\ \"", "s = \"\\", "s = \"a\\\"", "s = \"\\u{41}\"", "s = \"\\u+041\"",
    "s = \"\\u-041\"", "s = \"\\u 041\"", "s = \"\\U+0000041\"", "s = \"\\u004\"", "s = \"\\u0041\\u0042\"",
    "s = \"\\uabcd\"", "s = \"\\uFFFE\"", "s = \"\\u0000\"", "s = \"\\U00000000\"", "s = \"\u{0}\"",
    "s = \"\u{1f}\"", "s = \"\u{7f}\"", "s = \"\u{80}\"", "s = \"\u{9f}\"", "s = \"\t\"", "s = \"a\rb\"",
    "s = \"a\r\nb\"", "s = \"a\nb\"", "s = \"é\\né\"", "s = \"é\\\"\"", "s = \"\\\\\\\\\"", "s = \"\\\\\\\"",
    "s = \"a\" \"b\"", "s = \"a\"\"b\"", "s = \"\"", "s = \"\"\"\"", "s = \"\"\"\"\"", "s = \"\"\"\"\"\"",
    "s = \"\" #", "s = \"\"x", "s = \"x\"y", "s = x\"y\"", "s = \"\\u00e9", "s = \"\\U0001F600\\t\"",
    "s = \"😀\"", "s = \"\\ud83d\\ude00\"", "s = \"a\\\nb\"", "s = \"\\\r\n\"", "s = \"\\\t\"",
    // literal strings
    "s = 'a\\'", "s = 'a\"b'", "s = 'a\tb'", "s = ''", "s = '''", "s = ''''", "s = '''''", "s = ''''''",
    "s = '\\u0041'", "s = 'a\u{7f}'", "s = 'a\u{0}'", "s = 'a\rb'", "s = 'a\nb'", "s = 'é'", "s = 'a'b'",
    "s = 'a''b'", "s = 'a' 'b'", "s = '#'", "s = '\"'", "s = 'x", "s = ''x",
    // integers
    "i = 0", "i = -0", "i = +0", "i = 00", "i = -00", "i = 01", "i = -01", "i = 1_0", "i = 123456789012345678",
    "i = 999999999999999999", "i = -999999999999999999", "i = 1234567890123456789", "i = 9223372036854775807",
    "i = -9223372036854775808", "i = 9223372036854775808", "i = 1e5", "i = 1.", "i = 1.0", "i = 0x1",
    "i = 0o1", "i = 0b1", "i = 0d1", "i = 1a", "i = 1-", "i = -1-", "i = 1:2", "i = 1-2", "i = 1--2", "i = - 1",
    "i = --1", "i = -+1", "i = -", "i = +", "i = 1 ", "i = 1\t", "i = 1 2", "i = 1,", "i = 1]", "i = 1}",
    "i = 1=", "i = 1[", "i = 1{", "i = 1.5", "i = 1.x", "i = 0.", "i = -0.0", "i = 1_", "i = _1", "i = 1__0",
    "i = 0_0", "i = 0 0", "i = 12_345", "i = ١", "i = 1é", "i = 1'x'", "i = 1\"x\"", "i = 000000000000000000",
    "i = -1 #c",
    // booleans
    "b = true", "b = false", "b = True", "b = TRUE", "b = tru", "b = truee", "b = true1", "b = true_",
    "b = true-", "b = true.x", "b = true:", "b = true ", "b = true#", "b = true,", "b = [true,false]",
    "b = t", "b = f", "b = FALSE", "b = fals", "b = true true", "b = true\"\"",
    // dates
    "d = 2025-09-01", "d = 0000-01-01", "d = 9999-12-31", "d = 2025-02-29", "d = 2024-02-29",
    "d = 2100-02-29", "d = 2000-02-29", "d = 2025-00-01", "d = 2025-01-00", "d = 2025-13-01", "d = 2025-01-32",
    "d = 2025-04-31", "d = 2025-09-01 07:32:00", "d = 2025-09-01 07:32", "d = 2025-09-01  07:32:00",
    "d = 2025-09-01\t07:32:00", "d = 2025-09-01 x", "d = 2025-09-01T07:32:00", "d = 2025-09-01t",
    "d = 2025-09-01Z", "d = 2025-9-01", "d = 25-09-01", "d = 2025-09-1", "d = 20250-09-01",
    "d = 2025-09-01 #c", "d = [2025-09-01 ]", "d = [2025-09-01 ,1]", "d = {a=2025-09-01 }",
    "d = 2025-09-01 1", "d = 2025-09-01 -1", "d = 2025-09-01 T07:32:00", "d = 2025-09-01 z",
    "d = 2025-09-01 .5", "d = 2025-09-01.5", "d = 2025-09-01-", "d = 2025-09-01:", "d = 2025-09-01+01:00",
    "d = -2025-09-01", "d = +2025-09-01", "d = 2025-09-01 ", "d = 2025-09-01\t", "d = [2025-09-01\n]",
    "d = [2025-09-01 07:32:00]", "d = [2025-09-01 a]", "d = 2025_09_01", "d = 2025-09-01 \"x\"",
    "d = 2025-09-01 'x'", "d = 2025-09-01 [", "d = 2025-09-01 {", "d = [2025-09-01 {}]",
    "d = 2025-09-01 =", "d = 2025-09-01 ,", "d = 2025-09-01,", "d = 1979-05-27", "d = 2025-1a-01",
    "d = 2025-09-01 07", "d = 2025-09-01 0", "d = 2025-09-01 00:00:00Z",
    // arrays
    "a = []", "a = [ ]", "a = [\n]", "a = [#c\n]", "a = [1,]", "a = [1,,]", "a = [,]", "a = [,1]", "a = [1 2]",
    "a = [1,\n2,\n]", "a = [\n1\n,\n2\n]", "a = [1 , 2 ,]", "a = [[1],[2]]", "a = [ [ ] ]", "a = [1]#c",
    "a = [1]x", "a = ['a' 'b']", "a = [1\r\n,2]", "a = [{}]", "a = [{},{}]", "a = [{a=1},]", "a = [1]]",
    "a = [[1]", "a = [", "a = ]", "a = [1,2", "a = [\"a\",'b',\"\\u0041\"]", "a = [1,'a',true,2025-09-01,[],{}]",
    "a = [ 1 ]\n[a]", "a = [\t1\t,\t2\t]", "a = [1\n2]", "a = [1 #c\n,2]", "a = [1,#c\n2]", "a = [1 =]",
    "a = [=]", "a = [a]", "a = [1.]", "a = [.]", "a = [1.5]", "a = [[[]]]", "a = [\n\n\n]",
    "a = [\r\n\r\n]", "a = [\r]", "a = [ 1\r\n ]", "a = [1 # c \u{7f}\n]", "a = [1, # c\r\n 2]",
    // inline tables
    "t = {}", "t = { }", "t = {\n}", "t = {a=1}", "t = {a=1,}", "t = { a = 1 , b = 2 }", "t = {a=1 b=2}",
    "t = {a=1,,b=2}", "t = {,}", "t = {a.b=1}", "t = {a=1,a=2}", "t = {a={}}", "t = {a=[1,\n2]}",
    "t = {a=[#c\n1]}", "t = {a=1}#c", "t = {a=1}x", "t = {\"a\"=1}", "t = {'a'.b=1}", "t = {a= }",
    "t = { = 1}", "t = {a}", "t = {a=1}{}", "t = {a=1\n}", "t = {\na=1}", "t = {a=1 #c\n}", "t = {\t}",
    "t = {\ta\t=\t1\t}", "t = {a=1,\n b=2}", "t = {a.b=1, a.c=2}", "t = {a.b=1, a={}}", "t = {a={b=1}, a.c=2}",
    "t = { a = { b = { c = 1 } } }", "t = {a=[{b=1},{b=2}]}", "t = {a=1}\nt.b=2", "t = {a=1}\n[t]",
    "t = {a=1}\n[t.b]", "t = {", "t = }", "t = {a=1", "t = {a=1,", "t = {a=", "t = {a", "t = {\"\"=1}",
    "t = {''=1}", "t = {a=1}}", "t = {{}}", "t = {a=1\r\n}", "t = {a=[\r\n1]}", "t = {a=[1]\r\n}",
    "t = {a . b = 1}", "t = {a=1 , }", "t = { , a = 1 }", "t = {a==1}", "t = {a=1=2}", "t = {1=1}",
    "t = {a=2025-09-01}", "t = {a=2025-09-01 }", "t = {a=-0}", "t = {a=true}",
    // headers
    "[a]", "[ a ]", "[\ta\t]", "[a . b]", "[\"a\"]", "['']", "[[a]]", "[[ a ]]", "[ [a] ]", "[[a] ]", "[a]]",
    "[[a]]]", "[a]x", "[a] #c", "[a]#c", "[]", "[[]]", "[.a]", "[a.]", "[a..b]", "[a b]", "[[a]]\n[[a]]",
    "[a]\n[a]", "[a]\n[b]\n[a.c]", "[a\n]", "[\na]", "[a]\n\n[b]", "[[a]]x", "[[a]] #c", "[a]\t", "[a] ",
    "[a] = 1", "[a] b = 1", "[[a]]\r\n[a.b]\r\n", "[ \"a\" . 'b' . c ]", "[a] [b]", "[a][b]", "[[a]][[b]]",
    "[a=1]", "[a,b]", "[{a}]", "[1.2]", "[true]", "[2025-09-01]", "[-]", "[é]", "[\"é\"]", "[a\r]", "[a]\r\nb=1",
    "[[a]", "[[a", "[a", "[", "[[", "]", "]]", "[a]]]", "[[[a]]]", "[ [ a ] ]",
    // BOM and end of file
    "\u{feff}a = 1\n", "a = 1\n\u{feff}", "\u{feff}", "\u{feff}\u{feff}a=1", "a = \u{feff}1", "a = 1", "a = ",
    "a", "a =", "[a", "a = [", "a = {", "a = \"", "a = '", "#", "a = 1 #", "a = \"x", "[[a]", "a.", "a.b",
    "\"a\"", "'a'", "a = 1\n#", "a = 1\n ", "a = 1\n\t",
    // misc
    "a = 1 = 2", "a = = 1", "a == 1", "= 1", "a = 1\nb", "a = 1\n=", "a = 1\n[", "a = 1, b = 2",
    "a = 1 b = 2", "a = 1;", "a = 1 ;", "a = inf", "a = nan", "a = -inf", "a = 1e10", "a = 07:32:00",
    "a = 07:32", "a = 1979-05-27 07:32", "a = \"\"\"x\"\"\"", "a = '''x'''", "a = \"\"\"\nx\"\"\"",
    "a=1\nb=2\nc=3\n", "a.b=1\na.c=2\n[a.d]\n", "x = [[1, 2], [], [{ c = true }]]\n",
    "s = \"\\t\u{7f}\"", "s = \"\\t\u{0}\"", "s = \"\\té\u{1}\"", "s = \"\\té\\\"", "\"a\\u002eb\" = 1\na.b = 2",
    "\"a\\u002eb\" = 1\n\"a.b\" = 2", "\"\\u005b\" = 1", "s = \"\\u0022\"", "s = \"\\u005C\"", "s = \"é\\",
    "[\"a\\u0020b\"]\n['a b']", "a = 1\n\u{feff}b = 2", "s = \"\\U0001f600\\u00e9\\n\"",
];

#[test]
fn reviewed_cases_agree_wherever_the_scanner_takes_them() {
    let mut cases: Vec<String> = Vec::new();
    for s in REVIEWED {
        cases.extend([
            s.to_string(),
            format!("{s}\n"),
            format!("{s}\r\n"),
            format!("[h]\n{s}\n"),
            format!("q = 1\n{s}\nz = 2\n"),
        ]);
    }
    let limit = crate::plan::toml_doc::MAX_DEPTH;
    for d in [1, 2, limit - 1, limit, limit + 1, 100] {
        let path = vec!["a"; d].join(".");
        cases.extend([
            format!("x = {}1{}\n", "[".repeat(d), "]".repeat(d)),
            format!("x = {}{{}}{}\n", "{a=".repeat(d), "}".repeat(d)),
            format!("x = {}1{}\n", "[{a=".repeat(d.div_ceil(2)), "}]".repeat(d.div_ceil(2))),
            format!("{path} = 1\n"),
            format!("[{path}]\n"),
            format!("x = {{ {path} = 1 }}\n"),
        ]);
    }
    for n in [127, 128, 129, 200] {
        let lines: String = (0..n).map(|i| format!("k{i} = {i}\n")).collect();
        let pairs: Vec<String> = (0..n).map(|i| format!("k{i}={i}")).collect();
        cases.extend([lines.clone(), format!("[t]\n{lines}"), format!("t = {{{}}}\n", pairs.join(","))]);
    }
    let mut taken = 0;
    for text in &cases {
        if let Some(tree) = scanned(text) {
            assert_eq!(Some(tree), reference(text), "{text:?}");
            taken += 1;
        }
    }
    assert!(taken > 1000, "the scanner took only {taken} of {} cases", cases.len());
}

/// Lines of the subset, and with `edges` also some just outside it: keys, values, blanks,
/// comments, line endings.
fn lines(edges: bool) -> BoxedStrategy<String> {
    use prop::sample::select;
    let words = |words: Vec<&'static str>| select(words).prop_map(String::from).boxed();
    let pick = |good: BoxedStrategy<String>, edge: Vec<&'static str>| {
        if edges { prop_oneof![4 => good, 1 => words(edge)].boxed() } else { good }
    };
    // Mostly distinct names, so that not every document repeats a key; a few that collide
    // once decoded or dotted.
    let names = (0..40u32).prop_map(|n| format!("k{n}"));
    let fixed = words(vec!["a", "a.b", "\"a\"", "'b'", " a . c ", "\"\\u0062\"", "1", "-_", "\"\"", "1.2"]);
    let keys = pick(prop_oneof![2 => names, 1 => fixed].boxed(), vec!["é", "a b", "\"a\\x\"", "a..b"]);
    let values = pick(
        words(vec![
            "1",
            "-1",
            "0",
            "-0",
            "123456789012345678",
            "true",
            "false",
            "\"s\"",
            "\"a\\\"b\"",
            "\"\t\"",
            "\"\\u00e9\"",
            "\"\\U0001F600\"",
            "'lit'",
            "''",
            "\"Київ\"",
            "2025-09-01",
            "[]",
            "[1, 2]",
            "[1,]",
            "[\n1,\n# c\n2\n]",
            "{}",
            "{ a = 1 }",
            "{ a.b = 1, a.c = 2 }",
            "[{ x = 1 }, { x = 2 }]",
        ]),
        vec![
            "007",
            "1234567890123456789",
            "+1",
            "1_0",
            "truex",
            "\"\\x41\"",
            "\"\\uD800\"",
            "\"\\\"",
            "2025-02-30",
            "2025-13-01",
            "2025-09-01 10:00:00",
            "2025-09-01T10:00:00",
            "1.5",
            "\"\"\"m\"\"\"",
            "'''m'''",
            "[,]",
            "{ a = 1, }",
            "{ a = 1, a = 2 }",
            "{\na = 1 }",
            "\"unterminated",
            "[1",
            "{ a = 1",
        ],
    );
    let blanks = words(vec!["", " ", "\t", "  "]);
    let trails = pick(words(vec!["", "", " # note"]), vec![" #\u{7f}", "#", " \t"]);
    let ends = pick(words(vec!["\n", "\n", "\r\n"]), vec!["\r", "", "\n\n"]);
    (0..6usize, keys, values, blanks, trails, ends)
        .prop_map(|(shape, key, value, blank, trail, end)| match shape {
            0..=2 => format!("{blank}{key}{blank}={blank}{value}{trail}{end}"),
            3 => format!("{blank}[{key}]{trail}{end}"),
            4 => format!("[[{key}]]{trail}{end}"),
            _ => format!("{blank}{trail}{end}"),
        })
        .boxed()
}

/// A document of lines with edges, sometimes with one character put in somewhere; or a
/// document of the subset with one character put in, a near miss. And whether one was.
fn documents() -> impl Strategy<Value = (String, bool)> {
    let inserts = ["\"", "\\", "\n", "\r", "#", "=", ",", "]", "}", "[", "{", ".", " ", "\u{0}", "\u{7f}", "é", "'"];
    let edged = (prop::collection::vec(lines(true), 0..6), 0..inserts.len() * 4);
    let near = (prop::collection::vec(lines(false), 1..8), 0..inserts.len());
    (prop_oneof![2 => edged, 1 => near], any::<prop::sample::Index>()).prop_map(move |((lines, insert), at)| {
        let mut text: String = lines.concat();
        let piece = inserts.get(insert);
        if let Some(piece) = piece {
            let mut at = at.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, piece);
        }
        (text, piece.is_some())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn what_the_scanner_takes_toml_takes_alike((text, _) in documents()) {
        if let Some(tree) = scanned(&text) {
            prop_assert_eq!(Some(tree), reference(&text), "{:?}", text);
        }
    }
}

/// The property above can fail only on documents the scanner takes, so it says something
/// only if those include near misses: documents with a character put in, and documents
/// beside others that `toml` rejects or the scanner leaves to the parsers.
#[test]
fn the_documents_reach_both_sides() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut taken, mut taken_mutated, mut left_valid, mut invalid) = (0, 0, 0, 0);
    for _ in 0..1000 {
        let (text, mutated) = documents().new_tree(&mut runner).unwrap().current();
        let valid = reference(&text).is_some();
        let took = scan(&text).is_some();
        taken += usize::from(took);
        taken_mutated += usize::from(took && mutated);
        left_valid += usize::from(!took && valid);
        invalid += usize::from(!valid);
    }
    let counts =
        format!("taken {taken}, of them mutated {taken_mutated}, valid but left {left_valid}, invalid {invalid}");
    assert!(taken >= 150 && taken_mutated >= 50 && left_valid >= 10 && invalid >= 300, "{counts}");
}
