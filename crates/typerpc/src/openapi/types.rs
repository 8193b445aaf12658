//! Message and enum types as JSON Schema, following the proto3 JSON
//! mapping as typerpc reads and writes it.
//!
//! A schema admits every value the JSON reader accepts, so that nothing
//! the document forbids is ever accepted: 64-bit integers are strings (as
//! written) or numbers, 32-bit integers numbers or strings, floats also
//! `"NaN"` and `"Infinity"`, enums names or numbers, bytes base64, and
//! `null` stands for an absent field. Well-known types take their JSON
//! forms (a Timestamp is an RFC 3339 string, a Duration `"1.5s"`, ...).

use std::collections::{BTreeMap, HashMap};

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
};
use serde_json::{json, Map, Value};

use super::notes::Notes;
use super::rules::{self, Target};

/// A key marking the kind of a value schema while constraints are applied;
/// removed before the document is returned.
pub(crate) const KIND: &str = "x-typerpc-kind";

/// Integers given as strings: what the reader accepts (an integral value,
/// possibly with a fraction of zeros or an exponent), loosely.
const INTEGER_STRING: &str = r"^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$";
/// Floats given as strings, and the special values.
const FLOAT_STRING: &str = r"^(NaN|-?Infinity|-?[0-9]*\.?[0-9]*([eE][-+]?[0-9]+)?)$";

/// Where the component schemas are.
pub(crate) const COMPONENTS: &str = "#/components/schemas/";

enum Def<'a> {
    Message(&'a DescriptorProto),
    Enum(&'a EnumDescriptorProto),
}

/// The types of a set of files by full name, and the component schemas
/// built from them.
pub(crate) struct Types<'a> {
    defs: HashMap<String, Def<'a>>,
    notes: &'a Notes,
    /// Component schemas built so far, by full name.
    pub components: BTreeMap<String, Value>,
}

impl<'a> Types<'a> {
    pub fn new(files: &'a [FileDescriptorProto], notes: &'a Notes) -> Types<'a> {
        let mut defs = HashMap::new();
        for file in files {
            let package = file.package();
            let prefix = if package.is_empty() {
                String::new()
            } else {
                format!("{package}.")
            };
            for message in &file.message_type {
                index_message(&prefix, message, &mut defs);
            }
            for e in &file.enum_type {
                defs.insert(format!("{prefix}{}", e.name()), Def::Enum(e));
            }
        }
        Types {
            defs,
            notes,
            components: BTreeMap::new(),
        }
    }

    /// A `$ref` to the component of `type_name` (`.pkg.Message`), built
    /// (with everything it refers to) the first time. An unknown name
    /// gets a schema that admits anything, with a description that says so.
    pub fn reference(&mut self, type_name: &str) -> Value {
        let name = type_name.trim_start_matches('.').to_string();
        if !self.components.contains_key(&name) {
            // Placeholder first: recursive messages refer to themselves.
            self.components.insert(name.clone(), Value::Null);
            let schema = self.build(&name);
            self.components.insert(name.clone(), schema);
        }
        json!({ "$ref": format!("{COMPONENTS}{name}") })
    }

    fn build(&mut self, name: &str) -> Value {
        if let Some(schema) = well_known(name) {
            return schema;
        }
        let mut schema = match self.defs.get(name) {
            Some(Def::Message(m)) => {
                let m: &DescriptorProto = m;
                self.message(name, m)
            }
            Some(Def::Enum(e)) => enum_schema(name, e, self.notes),
            None => return json!({ "description": format!("{name}: not in the schema served") }),
        };
        let doc = self.notes.doc(name);
        if let Value::Object(map) = &mut schema {
            map.insert("title".into(), Value::String(short_name(name).into()));
            let values = map
                .remove("description")
                .and_then(|v| v.as_str().map(str::to_string));
            let description = match (doc.is_empty(), values) {
                (true, None) => None,
                (false, None) => Some(doc.to_string()),
                (true, Some(values)) => Some(values),
                (false, Some(values)) => Some(format!("{doc}\n\n{values}")),
            };
            if let Some(description) = description {
                map.insert("description".into(), Value::String(description));
            }
        }
        schema
    }

    fn message(&mut self, name: &str, message: &DescriptorProto) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        // Members of each real oneof (not proto3 `optional`'s synthetic ones).
        let mut oneofs: BTreeMap<i32, Vec<String>> = BTreeMap::new();
        for field in &message.field {
            let json_name = field
                .json_name
                .clone()
                .unwrap_or_else(|| crate::schema::naming::lower_camel(field.name()));
            let note = self.notes.get(&format!("{name}.{}", field.name())).cloned();
            let in_oneof = field.oneof_index.filter(|_| !field.proto3_optional());
            let (mut schema, target) = self.field(message, field);
            let mut is_required = false;
            if let Value::Object(map) = &mut schema {
                if let Some(note) = &note {
                    let parsed = rules::parse(&note.rules);
                    is_required = rules::apply(&parsed, target, map);
                    // Absent means zero here; a zero that breaks a rule
                    // means the field must be sent.
                    let presence = field.proto3_optional()
                        || in_oneof.is_some()
                        || (field.r#type() == Type::Message && field.label() != Label::Repeated);
                    if !presence && rules::default_breaks(&parsed, target) {
                        is_required = true;
                    }
                    let mut description = note.doc.clone();
                    if !note.rules.is_empty() {
                        if !description.is_empty() {
                            description.push_str("\n\n");
                        }
                        description.push_str(&format!("Validation: {}.", note.rules));
                    }
                    if !description.is_empty() {
                        map.insert("description".into(), Value::String(description));
                    }
                    if let Some(default) = note.default.as_deref().and_then(default_value) {
                        map.insert("default".into(), default);
                    }
                }
            }
            if !is_required && in_oneof.is_none() && accepts_null_as_absent(field) {
                schema = nullable(schema);
            }
            if is_required {
                required.push(Value::String(json_name.clone()));
            }
            if let Some(index) = in_oneof {
                oneofs.entry(index).or_default().push(json_name.clone());
            }
            properties.insert(json_name, schema);
        }
        let mut out = Map::new();
        out.insert("type".into(), json!("object"));
        out.insert("properties".into(), Value::Object(properties));
        out.insert("additionalProperties".into(), json!(false));
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
        let groups: Vec<Value> = oneofs
            .into_values()
            .map(|members| at_most_one(&members))
            .collect();
        match groups.len() {
            0 => {}
            1 => {
                if let Some(Value::Object(group)) = groups.into_iter().next() {
                    out.extend(group);
                }
            }
            _ => {
                let all: Vec<Value> = groups;
                out.insert("allOf".into(), Value::Array(all));
            }
        }
        Value::Object(out)
    }

    /// The schema of one field's value (an array or object for repeated
    /// fields and maps), and what its constraints apply to.
    fn field(
        &mut self,
        message: &DescriptorProto,
        field: &FieldDescriptorProto,
    ) -> (Value, Target) {
        if field.label() == Label::Repeated {
            if let Some(entry) = self.map_entry(message, field) {
                let key = entry.field.iter().find(|f| f.number() == 1);
                let value = entry.field.iter().find(|f| f.number() == 2);
                let (Some(key), Some(value)) = (key, value) else {
                    return (json!({ "type": "object" }), Target::Map);
                };
                let value = self.value(value).0;
                return (
                    json!({
                        "type": "object",
                        "propertyNames": map_key(key.r#type()),
                        "additionalProperties": value,
                    }),
                    Target::Map,
                );
            }
            let items = self.value(field).0;
            return (json!({ "type": "array", "items": items }), Target::Repeated);
        }
        self.value(field)
    }

    /// The nested map-entry message a repeated field is typed with, if any.
    fn map_entry<'m>(
        &self,
        message: &'m DescriptorProto,
        field: &FieldDescriptorProto,
    ) -> Option<&'m DescriptorProto> {
        if field.r#type() != Type::Message {
            return None;
        }
        let short = field.type_name().rsplit('.').next()?;
        message
            .nested_type
            .iter()
            .find(|n| n.name() == short && n.options.as_ref().is_some_and(|o| o.map_entry()))
    }

    /// The schema of one value of a field's type.
    fn value(&mut self, field: &FieldDescriptorProto) -> (Value, Target) {
        let (schema, target) = match field.r#type() {
            Type::Message | Type::Group => (self.reference(field.type_name()), Target::Message),
            Type::Enum => (self.reference(field.type_name()), Target::Enum),
            scalar => scalar_schema(scalar),
        };
        let kind = match target {
            Target::String => "string",
            Target::Bytes => "bytes",
            Target::Number => "number",
            Target::Enum => "enum",
            _ => "message",
        };
        let mut schema = schema;
        if let Value::Object(map) = &mut schema {
            map.insert(KIND.into(), Value::String(kind.into()));
        }
        (schema, target)
    }
}

fn index_message<'a>(
    prefix: &str,
    message: &'a DescriptorProto,
    defs: &mut HashMap<String, Def<'a>>,
) {
    let name = format!("{prefix}{}", message.name());
    let nested = format!("{name}.");
    for inner in &message.nested_type {
        index_message(&nested, inner, defs);
    }
    for e in &message.enum_type {
        defs.insert(format!("{nested}{}", e.name()), Def::Enum(e));
    }
    defs.insert(name, Def::Message(message));
}

/// The last segment of a full name.
pub(crate) fn short_name(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The schema of a scalar type.
pub(crate) fn scalar_schema(ty: Type) -> (Value, Target) {
    let int = |min: i64, max: u64| json!({ "type": ["integer", "string"], "minimum": min, "maximum": max, "pattern": INTEGER_STRING });
    let long = |min: i64, max: u64| json!({ "type": ["string", "integer"], "minimum": min, "maximum": max, "pattern": INTEGER_STRING });
    match ty {
        Type::Double | Type::Float => (
            json!({ "type": ["number", "string"], "pattern": FLOAT_STRING }),
            Target::Number,
        ),
        Type::Int32 | Type::Sint32 | Type::Sfixed32 => {
            (int(i32::MIN.into(), i32::MAX as u64), Target::Number)
        }
        Type::Uint32 | Type::Fixed32 => (int(0, u32::MAX.into()), Target::Number),
        Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
            (long(i64::MIN, i64::MAX as u64), Target::Number)
        }
        Type::Uint64 | Type::Fixed64 => (long(0, u64::MAX), Target::Number),
        Type::Bool => (json!({ "type": "boolean" }), Target::Other),
        Type::String => (json!({ "type": "string" }), Target::String),
        Type::Bytes => (
            json!({ "type": "string", "contentEncoding": "base64" }),
            Target::Bytes,
        ),
        Type::Message | Type::Group | Type::Enum => (json!({}), Target::Other),
    }
}

/// Map keys are JSON object keys: the key's value as a string.
fn map_key(ty: Type) -> Value {
    match ty {
        Type::Bool => json!({ "enum": ["true", "false"] }),
        Type::String => json!({ "type": "string" }),
        _ => json!({ "pattern": INTEGER_STRING }),
    }
}

/// The JSON forms of the well-known types.
fn well_known(name: &str) -> Option<Value> {
    let wrapped = |ty: Type| {
        let mut schema = scalar_schema(ty).0;
        if let Value::Object(map) = &mut schema {
            map.insert("title".into(), Value::String(short_name(name).into()));
        }
        schema
    };
    let name_only = name.strip_prefix("google.protobuf.")?;
    Some(match name_only {
        "Timestamp" => json!({ "title": "Timestamp", "type": "string", "format": "date-time",
            "description": "An RFC 3339 date and time in UTC, such as 2024-01-31T12:00:00Z." }),
        "Duration" => {
            json!({ "title": "Duration", "type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?s$",
            "description": "Seconds with up to nine fractional digits and an `s`, such as 1.5s." })
        }
        "Empty" => {
            json!({ "title": "Empty", "type": "object", "properties": {}, "additionalProperties": false })
        }
        "Struct" => json!({ "title": "Struct", "type": "object" }),
        "Value" => json!({ "title": "Value", "description": "Any JSON value." }),
        "ListValue" => json!({ "title": "ListValue", "type": "array" }),
        "NullValue" => json!({ "title": "NullValue", "type": "null" }),
        "FieldMask" => json!({ "title": "FieldMask", "type": "string",
            "description": "Field paths in lowerCamelCase, separated by commas." }),
        "Any" => json!({ "title": "Any", "type": "object", "required": ["@type"],
            "properties": { "@type": { "type": "string" } },
            "description": "A message of any type: `@type` names it (type.googleapis.com/package.Message), the other members are its JSON (or `value`, for types with a special JSON form)." }),
        "DoubleValue" | "FloatValue" => wrapped(Type::Double),
        "Int64Value" => wrapped(Type::Int64),
        "UInt64Value" => wrapped(Type::Uint64),
        "Int32Value" => wrapped(Type::Int32),
        "UInt32Value" => wrapped(Type::Uint32),
        "BoolValue" => wrapped(Type::Bool),
        "StringValue" => wrapped(Type::String),
        "BytesValue" => wrapped(Type::Bytes),
        _ => return None,
    })
}

fn enum_schema(name: &str, e: &EnumDescriptorProto, notes: &Notes) -> Value {
    let names: Vec<&str> = e.value.iter().map(|v| v.name()).collect();
    let mut lines = Vec::new();
    for v in &e.value {
        let doc = notes.doc(&format!("{name}.{}", v.name()));
        if !doc.is_empty() {
            lines.push(format!(
                "- `{}` ({}): {}",
                v.name(),
                v.number(),
                doc.replace('\n', " ")
            ));
        }
    }
    let mut schema = json!({
        "anyOf": [
            { "type": "string", "enum": names },
            { "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX,
              "description": "The value's number; numbers without a name are kept." },
        ]
    });
    if !lines.is_empty() {
        schema["description"] = Value::String(lines.join("\n"));
    }
    schema
}

/// Whether JSON `null` for this field means "absent" (true except for
/// `google.protobuf.Value` and `NullValue`, where `null` is a value).
fn accepts_null_as_absent(field: &FieldDescriptorProto) -> bool {
    !matches!(
        field.type_name(),
        ".google.protobuf.Value" | ".google.protobuf.NullValue"
    ) || field.label() == Label::Repeated
}

/// `schema`, also admitting `null`.
pub(crate) fn nullable(schema: Value) -> Value {
    match schema {
        Value::Object(mut map) => {
            match map.get_mut("type") {
                Some(Value::String(t)) => {
                    let t = std::mem::take(t);
                    map.insert("type".into(), json!([t, "null"]));
                    return Value::Object(map);
                }
                Some(Value::Array(types)) => {
                    types.push(json!("null"));
                    return Value::Object(map);
                }
                _ => {}
            }
            // A reference (or a schema without a type): keep its
            // description and default beside the choice.
            let mut outer = Map::new();
            for key in ["description", "default"] {
                if let Some(v) = map.remove(key) {
                    outer.insert(key.into(), v);
                }
            }
            outer.insert(
                "anyOf".into(),
                json!([Value::Object(map), { "type": "null" }]),
            );
            Value::Object(outer)
        }
        other => other,
    }
}

/// At most one of `members` is present: exactly one of "only this one is
/// present" for each, and "none is".
fn at_most_one(members: &[String]) -> Value {
    let each: Vec<Value> = members.iter().map(|m| json!({ "required": [m] })).collect();
    let mut choices = each.clone();
    choices.push(json!({ "not": { "anyOf": each } }));
    json!({ "oneOf": choices })
}

/// A declared default (Rust source text) as JSON, when it is a literal.
fn default_value(text: &str) -> Option<Value> {
    let text = text.trim();
    let text = if text.starts_with('"') {
        text.to_string()
    } else {
        text.replace('_', "")
    };
    serde_json::from_str::<Value>(&text)
        .ok()
        .filter(|v| v.is_number() || v.is_boolean() || v.is_string())
}

/// Removes the [`KIND`] markers.
pub(crate) fn strip_kinds(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove(KIND);
            map.values_mut().for_each(strip_kinds);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_kinds),
        _ => {}
    }
}
