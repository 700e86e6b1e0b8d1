//! The expected shape of each TOML file kind, as data.
//!
//! One description serves two consumers: [`check`] walks a parsed document and reports
//! wrong types, missing required keys, values outside their vocabulary and unknown keys;
//! `crate::schema` turns the same description into JSON Schema for editors.

use crate::diagnostic::Diagnostic;
use crate::plan::toml_doc::Ctx;
use crate::plan::tree::{Item, Table, Value};

/// What a value must look like.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Any string.
    Str,
    /// A safe id: a path component of ASCII letters, digits, `-` and `_`.
    Id,
    /// An `http(s)://` URL.
    Url,
    /// A plain string, or a table of translations keyed by language code.
    Text,
    /// A TOML local date.
    Date,
    /// An integer in a closed range.
    Int(i64, i64),
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// An array whose items have this shape.
    Array(&'static Shape),
    /// A table with these keys.
    Table(&'static [Field]),
    /// A table with any keys (described by the string), whose values have this shape.
    Map(&'static str, &'static Shape),
}

/// One key of a table.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The key.
    pub name: &'static str,
    /// Its value's shape.
    pub shape: Shape,
    /// Whether the key must be present.
    pub required: bool,
    /// One-line description, shown by editors.
    pub doc: &'static str,
}

/// A required field.
pub const fn req(name: &'static str, shape: Shape, doc: &'static str) -> Field {
    Field { name, shape, required: true, doc }
}

/// An optional field.
pub const fn opt(name: &'static str, shape: Shape, doc: &'static str) -> Field {
    Field { name, shape, required: false, doc }
}

/// Whether `s` is a safe id (and so a safe path component).
pub fn is_safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with(['-', '.'])
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `s` looks like a language code (`uk`, `en`, `pt-BR`).
pub fn is_language_code(s: &str) -> bool {
    let (base, region) = s.split_once('-').unwrap_or((s, ""));
    (2..=3).contains(&base.len())
        && base.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty() || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase())))
}

/// Check a document's root table against a table shape.
pub fn check(ctx: &mut Ctx<'_>, root: &Item<'_>, fields: &'static [Field], what: &str) {
    if let Some(table) = root.value.as_table() {
        check_table(ctx, table, root.span(), fields, what);
    }
}

fn check_table(
    ctx: &mut Ctx<'_>,
    table: &Table<'_>,
    span: std::ops::Range<usize>,
    fields: &'static [Field],
    what: &str,
) {
    for field in fields {
        if field.required && !table.contains_key(field.name) {
            let diag = Diagnostic::error("missing-field", format!("{what} is missing `{}`", field.name))
                .help(format!("add `{}`: {}", field.name, field.doc));
            ctx.push_at(diag, header_span(&span));
        }
    }
    for (key, value) in table.iter() {
        let name = key.name.as_ref();
        match fields.iter().find(|f| f.name == name) {
            Some(field) => check_value(ctx, value, &field.shape, name),
            None => {
                let mut diag = Diagnostic::warning("unknown-key", format!("unknown key `{name}` in {what}"));
                diag = match suggest(name, fields.iter().map(|f| f.name)) {
                    Some(s) => diag.help(format!("did you mean `{s}`?")),
                    None => diag.help(format!(
                        "known keys here: {}",
                        fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
                    )),
                };
                ctx.push_at(diag, key.span());
            }
        }
    }
}

/// Point a missing-key diagnostic at the start of its table rather than the whole table.
fn header_span(span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    span.start..span.start
}

fn check_value(ctx: &mut Ctx<'_>, value: &Item<'_>, shape: &Shape, name: &str) {
    let span = value.span();
    let v = &value.value;
    let wrong = |ctx: &mut Ctx<'_>, expected: &str, help: String| {
        let diag = Diagnostic::error("invalid-type", format!("`{name}` should be {expected}, found {}", v.type_name()))
            .help(help);
        ctx.push_at(diag, span.clone());
    };
    match shape {
        Shape::Str | Shape::Id | Shape::Url | Shape::Enum(_) => {
            let Some(s) = v.as_str() else {
                let expected = match shape {
                    Shape::Enum(_) => "one of a fixed set of strings",
                    _ => "a string",
                };
                return wrong(ctx, expected, format!("write it in quotes: {name} = \"...\""));
            };
            match shape {
                Shape::Id if !is_safe_id(s) => {
                    let diag = Diagnostic::error("invalid-id", format!("`{s}` is not a valid id"))
                        .help("ids use only ASCII letters, digits, `-` and `_` (at most 64, not starting with `-` or `.`), so they are safe as file names");
                    ctx.push_at(diag, span);
                }
                Shape::Url if !(s.starts_with("https://") || s.starts_with("http://")) => {
                    let diag =
                        Diagnostic::error("invalid-value", format!("`{name}` should be an http(s) URL, found `{s}`"))
                            .help("write the full address, starting with https://");
                    ctx.push_at(diag, span);
                }
                Shape::Enum(values) if !values.contains(&s) => {
                    let mut diag = Diagnostic::error(
                        "invalid-value",
                        format!("`{name}` must be one of {}, found `{s}`", quote_list(values)),
                    );
                    if let Some(best) = suggest(s, values.iter().copied()) {
                        diag = diag.help(format!("did you mean `{best}`?"));
                    } else {
                        diag = diag.help(format!("use one of {}", quote_list(values)));
                    }
                    ctx.push_at(diag, span);
                }
                _ => {}
            }
        }
        Shape::Text => match v {
            Value::String(_) => {}
            Value::Table(t) => {
                for (lang, text) in t.iter() {
                    if !is_language_code(&lang.name) {
                        let diag = Diagnostic::error(
                            "invalid-value",
                            format!("`{}` in `{name}` is not a language code", lang.name),
                        )
                        .help("key translations by language code, e.g. { uk = \"...\", en = \"...\" }");
                        ctx.push_at(diag, lang.span());
                    }
                    if text.value.as_str().is_none() {
                        let diag = Diagnostic::error(
                            "invalid-type",
                            format!(
                                "translation `{}` of `{name}` should be a string, found {}",
                                lang.name,
                                text.value.type_name()
                            ),
                        )
                        .help("write each translation as a quoted string");
                        ctx.push_at(diag, text.span());
                    }
                }
            }
            _ => wrong(
                ctx,
                "a text",
                format!("write a string, or translations: {name} = {{ uk = \"...\", en = \"...\" }}"),
            ),
        },
        Shape::Date => match v {
            Value::Datetime(dt) if dt.date.is_some() && dt.time.is_none() => {}
            Value::Datetime(_) => {
                let diag = Diagnostic::error("invalid-type", format!("`{name}` should be a date, found a date-time"))
                    .help("write the date only, e.g. 2025-09-30");
                ctx.push_at(diag, span);
            }
            Value::String(s) if crate::date::Date::parse(s).is_some() => {
                wrong(ctx, "a date", format!("remove the quotes: {name} = {s}"))
            }
            _ => wrong(ctx, "a date", format!("write a TOML date without quotes, e.g. {name} = 2025-09-30")),
        },
        Shape::Int(min, max) => match v {
            Value::Integer(digits, _) => {
                if !v.as_i64().is_some_and(|n| (*min..=*max).contains(&n)) {
                    let diag = Diagnostic::error(
                        "invalid-value",
                        format!("`{name}` must be between {min} and {max}, found {digits}"),
                    )
                    .help(format!("use a whole number from {min} to {max}"));
                    ctx.push_at(diag, span);
                }
            }
            _ => wrong(ctx, "an integer", format!("write a whole number from {min} to {max}")),
        },
        Shape::Bool => {
            if v.as_bool().is_none() {
                wrong(ctx, "a boolean", format!("write {name} = true or {name} = false"));
            }
        }
        Shape::Array(item) => match v.as_array() {
            Some(items) => {
                for it in items {
                    match (item, it.value.as_table()) {
                        (Shape::Table(fields), Some(t)) => {
                            check_table(ctx, t, it.span(), fields, &format!("an entry of `{name}`"))
                        }
                        _ => check_value(ctx, it, item, name),
                    }
                }
            }
            None => wrong(ctx, "an array", format!("write a list: {name} = [ ... ]")),
        },
        Shape::Table(fields) => match v.as_table() {
            Some(t) => check_table(ctx, t, span, fields, &format!("`{name}`")),
            None => wrong(ctx, "a table", format!("write a table: [{name}] or {name} = {{ ... }}")),
        },
        Shape::Map(_, values) => match v.as_table() {
            Some(t) => {
                for (k, val) in t.iter() {
                    check_value(ctx, val, values, &format!("{name}.{}", k.name));
                }
            }
            None => wrong(ctx, "a table", format!("write a table: [{name}] or {name} = {{ ... }}")),
        },
    }
}

fn quote_list(values: &[&str]) -> String {
    values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
}

/// The closest candidate to `s`, if close enough to be a likely typo.
pub fn suggest<'a>(s: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(s, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_safe_id("UAKLY0003"));
        assert!(is_safe_id("p-city_it"));
        for bad in ["", "../x", "..%2f", ".hidden", "-x", "a/b", "a b", "ї"] {
            assert!(!is_safe_id(bad), "{bad}");
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("complete", ["completed", "delayed"].into_iter()), Some("completed"));
        assert_eq!(suggest("xyz", ["completed"].into_iter()), None);
    }

    #[test]
    fn language_codes() {
        assert!(is_language_code("uk"));
        assert!(is_language_code("pt-BR"));
        assert!(!is_language_code("English"));
    }
}
