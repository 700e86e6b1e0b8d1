//! JSON Schema (draft 2020-12) for each TOML file kind, generated from the same shapes the
//! loader checks against, so editors (taplo, Even Better TOML) and `kept validate` agree.

use serde_json::{Map, Value, json};

use crate::plan::kinds;
use crate::plan::shape::{Field, Shape};

/// Every kind: (schema file stem, file pattern, schema).
pub fn all() -> Vec<(&'static str, &'static str, Value)> {
    kinds::ALL.iter().map(|(name, pattern, fields)| (*name, *pattern, document(name, pattern, fields))).collect()
}

fn document(name: &str, pattern: &str, fields: &[Field]) -> Value {
    let mut schema = table(fields);
    let obj = schema.as_object_mut().expect("table() returns an object");
    obj.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    obj.insert("$id".into(), json!(format!("https://kept.example/schema/v1/{name}.schema.json")));
    obj.insert("title".into(), json!(format!("kept: {pattern}")));
    obj.insert(
        "description".into(),
        json!(format!("{pattern} in an OGP Local plan repository; see docs/plan-format.md")),
    );
    schema
}

fn table(fields: &[Field]) -> Value {
    let mut props = Map::new();
    for f in fields {
        let mut v = shape(&f.shape);
        if let Some(o) = v.as_object_mut() {
            o.insert("description".into(), json!(f.doc));
        }
        props.insert(f.name.to_string(), v);
    }
    let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.name).collect();
    let mut obj = Map::new();
    obj.insert("type".into(), json!("object"));
    obj.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        obj.insert("required".into(), json!(required));
    }
    obj.insert("additionalProperties".into(), json!(false));
    Value::Object(obj)
}

fn shape(s: &Shape) -> Value {
    match s {
        Shape::Str => json!({ "type": "string" }),
        Shape::Id => json!({ "type": "string", "pattern": "^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$" }),
        Shape::Url => json!({ "type": "string", "pattern": "^https?://" }),
        Shape::Text => json!({
            "anyOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "propertyNames": { "pattern": "^[a-z]{2,3}(-[A-Z]{2})?$" },
                    "additionalProperties": { "type": "string" }
                }
            ]
        }),
        // taplo maps TOML local dates to strings with the "date" format.
        Shape::Date => json!({ "type": "string", "format": "date" }),
        Shape::Int(min, max) => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Shape::Bool => json!({ "type": "boolean" }),
        Shape::Enum(values) => json!({ "type": "string", "enum": values }),
        Shape::Array(item) => json!({ "type": "array", "items": shape(item) }),
        Shape::Table(fields) => table(fields),
        Shape::Map(what, values) => json!({
            "type": "object",
            "description": format!("keys: {what}"),
            "additionalProperties": shape(values)
        }),
    }
}
