//! Validation constraints as JSON Schema keywords.
//!
//! The schema model keeps a field's constraints as the text the `.proto`
//! comment shows (`min_len = 1, max_len = 64`, `items(email)`,
//! `pattern = "^[a-z]+$"`). This file reads that text back and turns each
//! constraint JSON Schema can say into its keyword. The rest (`finite`,
//! `validate_with`, a bound given as a constant's name) stays only in the
//! field's description, which always repeats the whole text.

use serde_json::{json, Map, Value};

/// One constraint read from the text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Rule {
    /// `name = value`; the value as written (a string keeps its quotes).
    Value(String, String),
    /// `name` alone (`email`, `unique`, `required`).
    Flag(String),
    /// `items(...)`, `keys(...)`, `values(...)`.
    Each(String, Vec<Rule>),
}

/// Reads a constraint text. Text it cannot read ends the list: what was
/// read before stays, the rest is left to the description.
pub(crate) fn parse(text: &str) -> Vec<Rule> {
    let mut rest = text.trim();
    let mut rules = Vec::new();
    while !rest.is_empty() {
        let Some((rule, after)) = parse_one(rest) else {
            break;
        };
        rules.push(rule);
        rest = after.trim_start();
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None => break,
        }
    }
    rules
}

fn parse_one(text: &str) -> Option<(Rule, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(end);
    if name.is_empty() {
        return None;
    }
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('(') {
        let close = matching_paren(inner)?;
        let rules = parse(&inner[..close]);
        return Some((Rule::Each(name.to_string(), rules), &inner[close + 1..]));
    }
    let Some(value) = rest.strip_prefix('=') else {
        return Some((Rule::Flag(name.to_string()), rest));
    };
    let value = value.trim_start();
    let len = value_len(value)?;
    Some((
        Rule::Value(name.to_string(), value[..len].trim().to_string()),
        &value[len..],
    ))
}

/// The index of the `)` closing a group whose `(` came just before `text`.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string && depth == 0 => return Some(i),
            ')' if !in_string => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The length of the value at the start of `text`: a string (the text
/// keeps a pattern's own quotes unescaped, so a string ends at a quote
/// followed by the end, a `,` or a `)`), a list, or anything up to the next
/// `,` or `)`.
fn value_len(text: &str) -> Option<usize> {
    if let Some(body) = text.strip_prefix('"') {
        let bytes = body.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'"' {
                let after = body[i + 1..].trim_start();
                if after.is_empty() || after.starts_with(',') || after.starts_with(')') {
                    return Some(i + 2);
                }
            }
        }
        return None;
    }
    if text.starts_with('[') {
        let mut in_string = false;
        for (i, c) in text.char_indices() {
            match c {
                '"' => in_string = !in_string,
                ']' if !in_string => return Some(i + 1),
                _ => {}
            }
        }
        return None;
    }
    Some(text.find([',', ')']).unwrap_or(text.len()))
}

/// What a constraint applies to, which decides its keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    String,
    Bytes,
    Number,
    Enum,
    Message,
    Repeated,
    Map,
    Other,
}

/// The keywords for `rules` on a value of kind `target`, added to
/// `schema`. Returns whether the rules include `required`.
pub(crate) fn apply(rules: &[Rule], target: Target, schema: &mut Map<String, Value>) -> bool {
    let mut required = false;
    let mut patterns = Vec::new();
    for rule in rules {
        match rule {
            Rule::Value(name, value) => apply_value(name, value, target, schema, &mut patterns),
            Rule::Flag(name) => match name.as_str() {
                "required" => required = true,
                "unique" if target == Target::Repeated => {
                    schema.insert("uniqueItems".into(), Value::Bool(true));
                }
                "email" | "uri" | "uuid" | "hostname" | "ipv4" | "ipv6"
                    if target == Target::String =>
                {
                    schema.insert("format".into(), Value::String(name.clone()));
                }
                "ip" if target == Target::String => {
                    schema.insert(
                        "anyOf".into(),
                        json!([{ "format": "ipv4" }, { "format": "ipv6" }]),
                    );
                }
                _ => {}
            },
            Rule::Each(name, inner) => {
                let key = match (name.as_str(), target) {
                    ("items", Target::Repeated) => "items",
                    ("keys", Target::Map) => "propertyNames",
                    ("values", Target::Map) => "additionalProperties",
                    _ => continue,
                };
                if let Some(Value::Object(element)) = schema.get_mut(key) {
                    let element_target = element_target(element);
                    apply(inner, element_target, element);
                }
            }
        }
    }
    match patterns.len() {
        0 => {}
        1 => {
            schema.insert("pattern".into(), Value::String(patterns.remove(0)));
        }
        _ => {
            let all: Vec<Value> = patterns
                .into_iter()
                .map(|p| json!({ "pattern": p }))
                .collect();
            schema.insert("allOf".into(), Value::Array(all));
        }
    }
    required
}

/// Whether the value an absent field takes (zero, `""`, empty) breaks
/// one of `rules`: such a field must be sent, so the schema requires it.
pub(crate) fn default_breaks(rules: &[Rule], target: Target) -> bool {
    rules.iter().any(|rule| match rule {
        Rule::Flag(name) => {
            target == Target::String
                && matches!(
                    name.as_str(),
                    "email" | "uri" | "uuid" | "hostname" | "ip" | "ipv4" | "ipv6"
                )
        }
        Rule::Each(..) => false,
        Rule::Value(name, value) => {
            let count = || value.replace('_', "").parse::<u64>().ok();
            let number = || value.replace('_', "").parse::<f64>().ok();
            match (name.as_str(), target) {
                ("min_len" | "len", Target::String | Target::Bytes) => {
                    count().is_some_and(|n| n > 0)
                }
                ("min_items", Target::Repeated | Target::Map) => count().is_some_and(|n| n > 0),
                ("pattern", Target::String) => unquote(value)
                    .and_then(|p| regex::Regex::new(&p).ok())
                    .is_some_and(|r| !r.is_match("")),
                ("prefix" | "suffix" | "contains", Target::String) => {
                    unquote(value).is_some_and(|p| !p.is_empty())
                }
                ("gt", Target::Number) => number().is_some_and(|v| v >= 0.0),
                ("ge", Target::Number) => number().is_some_and(|v| v > 0.0),
                ("lt", Target::Number) => number().is_some_and(|v| v <= 0.0),
                ("le", Target::Number) => number().is_some_and(|v| v < 0.0),
                ("in", Target::String | Target::Number) => {
                    let zero = if target == Target::String {
                        json!("")
                    } else {
                        json!(0)
                    };
                    list(value, target)
                        .is_some_and(|l| !l.as_array().is_some_and(|a| a.contains(&zero)))
                }
                ("not_in", Target::String | Target::Number) => {
                    let zero = if target == Target::String {
                        json!("")
                    } else {
                        json!(0)
                    };
                    list(value, target)
                        .is_some_and(|l| l.as_array().is_some_and(|a| a.contains(&zero)))
                }
                _ => false,
            }
        }
    })
}

/// The kind of an element schema built by this module's caller (it marks
/// each with `x-typerpc-kind`).
fn element_target(schema: &Map<String, Value>) -> Target {
    match schema.get(super::types::KIND).and_then(Value::as_str) {
        Some("string") => Target::String,
        Some("bytes") => Target::Bytes,
        Some("number") => Target::Number,
        Some("enum") => Target::Enum,
        Some("message") => Target::Message,
        _ => Target::Other,
    }
}

fn apply_value(
    name: &str,
    value: &str,
    target: Target,
    schema: &mut Map<String, Value>,
    patterns: &mut Vec<String>,
) {
    let number = || value.replace('_', "").parse::<f64>().ok().map(json_number);
    let count = || value.replace('_', "").parse::<u64>().ok().map(Value::from);
    let text = || unquote(value);
    let insert = |schema: &mut Map<String, Value>, key: &str, v: Option<Value>| {
        if let Some(v) = v {
            schema.insert(key.to_string(), v);
        }
    };
    match (name, target) {
        ("min_len", Target::String) => insert(schema, "minLength", count()),
        ("max_len", Target::String) => insert(schema, "maxLength", count()),
        ("len", Target::String) => {
            insert(schema, "minLength", count());
            insert(schema, "maxLength", count());
        }
        ("pattern", Target::String) => {
            if let Some(p) = text() {
                patterns.push(p);
            }
        }
        ("prefix", Target::String) => {
            if let Some(p) = text() {
                patterns.push(format!("^{}", regex::escape(&p)));
            }
        }
        ("suffix", Target::String) => {
            if let Some(p) = text() {
                patterns.push(format!("{}$", regex::escape(&p)));
            }
        }
        ("contains", Target::String) => {
            if let Some(p) = text() {
                patterns.push(regex::escape(&p));
            }
        }
        ("gt", Target::Number) => insert(schema, "exclusiveMinimum", number()),
        ("ge", Target::Number) => insert(schema, "minimum", number()),
        ("lt", Target::Number) => insert(schema, "exclusiveMaximum", number()),
        ("le", Target::Number) => insert(schema, "maximum", number()),
        ("min_items", Target::Repeated) => insert(schema, "minItems", count()),
        ("max_items", Target::Repeated) => insert(schema, "maxItems", count()),
        ("min_items", Target::Map) => insert(schema, "minProperties", count()),
        ("max_items", Target::Map) => insert(schema, "maxProperties", count()),
        ("in", Target::String | Target::Number) => insert(schema, "enum", list(value, target)),
        ("not_in", Target::String | Target::Number) => {
            if let Some(values) = list(value, target) {
                schema.insert("not".into(), json!({ "enum": values }));
            }
        }
        _ => {}
    }
}

/// A number as JSON, an integer when it is one.
fn json_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// The text of a quoted string value.
fn unquote(value: &str) -> Option<String> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.replace("\\n", "\n"))
}

/// The items of a list value (`[1, 2]`, `["a", "b"]`), when every item is
/// a literal of the target's kind.
fn list(value: &str, target: Target) -> Option<Value> {
    let inner = value.strip_prefix('[')?.strip_suffix(']')?;
    let mut items = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let len = value_len(rest)?;
        let item = rest[..len].trim();
        items.push(match target {
            Target::String => Value::String(unquote(item)?),
            _ => json_number(item.replace('_', "").parse().ok()?),
        });
        rest = rest[len..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Some(Value::Array(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(text: &str, target: Target) -> Value {
        let mut schema = Map::new();
        apply(&parse(text), target, &mut schema);
        Value::Object(schema)
    }

    #[test]
    fn reads_values_flags_and_groups() {
        assert_eq!(
            parse(r#"min_len = 1, pattern = "^a"b$", items(email, max_len = 3), unique"#),
            vec![
                Rule::Value("min_len".into(), "1".into()),
                Rule::Value("pattern".into(), r#""^a"b$""#.into()),
                Rule::Each(
                    "items".into(),
                    vec![
                        Rule::Flag("email".into()),
                        Rule::Value("max_len".into(), "3".into())
                    ]
                ),
                Rule::Flag("unique".into()),
            ]
        );
    }

    #[test]
    fn string_rules_become_string_keywords() {
        assert_eq!(
            keywords(
                r#"min_len = 1, max_len = 64, pattern = "^[a-z0-9_-]*$""#,
                Target::String
            ),
            json!({ "minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9_-]*$" })
        );
        assert_eq!(
            keywords(r#"prefix = "a.", suffix = "z""#, Target::String),
            json!({ "allOf": [{ "pattern": "^a\\." }, { "pattern": "z$" }] })
        );
        assert_eq!(
            keywords(r#"email, in = ["a@b.c", "d@e.f"]"#, Target::String),
            json!({ "format": "email", "enum": ["a@b.c", "d@e.f"] })
        );
    }

    #[test]
    fn bounds_become_numeric_keywords() {
        assert_eq!(
            keywords("ge = 1, le = 100", Target::Number),
            json!({ "minimum": 1, "maximum": 100 })
        );
        assert_eq!(
            keywords("gt = -0.5, lt = 1_000, not_in = [3, 4]", Target::Number),
            json!({ "exclusiveMinimum": -0.5, "exclusiveMaximum": 1000, "not": { "enum": [3, 4] } })
        );
        // A constant's name says nothing JSON Schema can check.
        assert_eq!(keywords("le = MAX", Target::Number), json!({}));
    }

    #[test]
    fn collection_rules_reach_their_elements() {
        let mut schema = Map::new();
        schema.insert(
            "items".into(),
            json!({ "type": "string", super::super::types::KIND: "string" }),
        );
        let required = apply(
            &parse("min_items = 1, unique, items(min_len = 2), required"),
            Target::Repeated,
            &mut schema,
        );
        assert!(required);
        assert_eq!(schema["minItems"], json!(1));
        assert_eq!(schema["uniqueItems"], json!(true));
        assert_eq!(schema["items"]["minLength"], json!(2));
    }

    #[test]
    fn fields_whose_zero_value_breaks_a_rule_must_be_sent() {
        let breaks = |text: &str, target| default_breaks(&parse(text), target);
        assert!(breaks("min_len = 1", Target::String));
        assert!(!breaks("max_len = 3", Target::String));
        assert!(breaks(r#"pattern = "^[a-z]+$""#, Target::String));
        assert!(!breaks(r#"pattern = "^[a-z]*$""#, Target::String));
        assert!(breaks("email", Target::String));
        assert!(breaks("ge = 1, le = 100", Target::Number));
        assert!(!breaks("ge = 0, le = 100", Target::Number));
        assert!(breaks("gt = 0", Target::Number));
        assert!(breaks("lt = -1.5", Target::Number));
        assert!(breaks("not_in = [0, 1]", Target::Number));
        assert!(breaks(r#"in = ["a"]"#, Target::String));
        assert!(breaks("min_items = 1", Target::Repeated));
        assert!(!breaks("items(min_len = 1)", Target::Repeated));
    }

    #[test]
    fn unreadable_text_keeps_what_came_before() {
        assert_eq!(
            parse(r#"min_len = 1, pattern = "unterminated"#),
            vec![Rule::Value("min_len".into(), "1".into())]
        );
        assert_eq!(parse(""), vec![]);
        assert_eq!(parse("items(min_len = 1"), vec![]);
    }
}
