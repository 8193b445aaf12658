//! Validation of single types and services: names, numbers, reserved
//! ranges, JSON names; everything protoc and protox would reject.

use super::*;

// ---------------------------------------------------------------------------
// Validation of single types and services.
// ---------------------------------------------------------------------------

pub(super) const IDENTIFIER_RULE: &str =
    "an identifier is an ASCII letter or `_` followed by ASCII letters, digits and `_`";

pub(super) fn check_identifier(
    what: impl FnOnce() -> String,
    name: &str,
) -> Result<(), SchemaError> {
    if naming::is_identifier(name) {
        Ok(())
    } else {
        Err(SchemaError::InvalidName {
            what: what(),
            name: name.to_string(),
            problem: IDENTIFIER_RULE.into(),
        })
    }
}

pub(super) fn check_package(
    what: impl FnOnce() -> String,
    package: &str,
) -> Result<(), SchemaError> {
    if naming::is_dotted_identifier(package) {
        Ok(())
    } else {
        let problem = if package.is_empty() {
            "typerpc needs every type and service in a package; declare one, or set \
             `SchemaBuilder::default_package`"
                .to_string()
        } else {
            format!("a package is identifiers separated by dots; {IDENTIFIER_RULE}")
        };
        Err(SchemaError::InvalidName {
            what: what(),
            name: package.to_string(),
            problem,
        })
    }
}

/// Checks a `file` override: a relative, normalised path ending in `.proto`
/// that can be written in an `import "..."` statement unescaped.
pub(super) fn check_file_path(
    what: impl FnOnce() -> String,
    path: &str,
) -> Result<(), SchemaError> {
    let problem = if !path.ends_with(".proto") {
        Some("the path must end in `.proto`")
    } else if path.starts_with('/') {
        Some("the path must be relative to the include root")
    } else if path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        Some("the path must not contain empty, `.` or `..` segments")
    } else if path
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        Some("the path must not contain quotes, backslashes or control characters")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(SchemaError::InvalidName {
            what: what(),
            name: path.to_string(),
            problem: problem.into(),
        }),
    }
}

pub(super) fn validate_type(record: &Record) -> Result<(), SchemaError> {
    let def = record.def;
    let full = join(&record.package, def.name());
    if !naming::is_dotted_identifier(def.name()) {
        return Err(SchemaError::InvalidName {
            what: format!("{} name", def.kind()),
            name: def.name().to_string(),
            problem: format!(
                "a type name is an identifier, or identifiers separated by dots for nested \
                 types; {IDENTIFIER_RULE}"
            ),
        });
    }
    check_package(
        || format!("package of {} `{}`", def.kind(), def.name()),
        &record.package,
    )?;
    if let Some(path) = def.file() {
        check_file_path(|| format!("file of {} `{full}`", def.kind()), path)?;
    }
    match def {
        TypeDef::Message(message) => validate_message(message, &record.fields, &full),
        TypeDef::Enum(enum_) => validate_enum(enum_, &full),
    }
}

/// One field as protobuf numbers it: oneof members count as fields.
pub(super) struct NumberedField {
    name: &'static str,
    json_name: &'static str,
    number: u32,
}

pub(super) fn validate_message(
    message: &MessageSchema,
    targets: &[FieldTarget],
    full: &str,
) -> Result<(), SchemaError> {
    let mut numbered: Vec<NumberedField> = Vec::new();
    for (field, target) in message.fields.iter().zip(targets) {
        check_identifier(|| format!("field name in message `{full}`"), field.name)?;
        match (field.shape, target) {
            (FieldShape::Oneof(_), FieldTarget::Oneof(oneof, members)) => {
                if oneof.variants.is_empty() {
                    return Err(SchemaError::InvalidName {
                        what: format!("oneof in message `{full}`"),
                        name: field.name.to_string(),
                        problem: "a oneof needs at least one member".into(),
                    });
                }
                for (variant, member) in oneof.variants.iter().zip(members) {
                    check_identifier(
                        || format!("member name of oneof `{}` in message `{full}`", field.name),
                        variant.name,
                    )?;
                    numbered.push(NumberedField {
                        name: variant.name,
                        json_name: variant.json_name,
                        number: member.number,
                    });
                }
            }
            (shape, _) => {
                if let FieldShape::Map(key, _) = shape {
                    if matches!(key, Scalar::Double | Scalar::Float | Scalar::Bytes) {
                        return Err(SchemaError::InvalidName {
                            what: format!(
                                "map key type of field `{}` in message `{full}`",
                                field.name
                            ),
                            name: key.proto_name().to_string(),
                            problem: "map keys must be integers, `bool` or `string`".into(),
                        });
                    }
                }
                numbered.push(NumberedField {
                    name: field.name,
                    json_name: field.json_name,
                    number: field.number,
                });
            }
        }
    }

    // Reserved ranges and names first, since fields are checked against them.
    let mut ranges: Vec<(u32, u32)> = Vec::with_capacity(message.reserved_numbers.len());
    for &(start, end) in message.reserved_numbers {
        let what = || format!("reserved range {start} to {end} of message `{full}`");
        if start == 0 || start > end || end > MAX_FIELD_NUMBER {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!("a reserved range needs 1 <= start <= end <= {MAX_FIELD_NUMBER}"),
            });
        }
        if let Some(&(s, e)) = ranges.iter().find(|&&(s, e)| start <= e && s <= end) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!("it overlaps the reserved range {s} to {e}; merge them"),
            });
        }
        ranges.push((start, end));
    }
    let mut reserved_names: HashSet<&str> = HashSet::new();
    for &name in message.reserved_names {
        // protox only accepts reserved names that start with a letter.
        let valid = naming::is_identifier(name) && !name.starts_with('_');
        if !valid {
            return Err(SchemaError::InvalidName {
                what: format!("reserved field name of message `{full}`"),
                name: name.to_string(),
                problem: "a reserved name is an ASCII letter followed by ASCII letters, digits \
                          and `_`"
                    .into(),
            });
        }
        if !reserved_names.insert(name) {
            return Err(SchemaError::InvalidName {
                what: format!("reserved field name of message `{full}`"),
                name: name.to_string(),
                problem: "it is reserved twice; list each name once".into(),
            });
        }
    }

    let mut by_number: HashMap<u32, &str> = HashMap::new();
    let mut by_json: HashMap<&str, &str> = HashMap::new();
    let mut by_folded: HashMap<String, &str> = HashMap::new();
    for field in &numbered {
        let what = || format!("field `{}` of message `{full}`", field.name);
        let n = field.number;
        if n == 0 || n > MAX_FIELD_NUMBER {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is out of range; field numbers go from 1 to {MAX_FIELD_NUMBER}"
                ),
            });
        }
        if IMPLEMENTATION_RESERVED.contains(&n) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is in 19000 to 19999, which protobuf reserves for itself; \
                     pick another number"
                ),
            });
        }
        if let Some(&(s, e)) = ranges.iter().find(|&&(s, e)| s <= n && n <= e) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is reserved ({s} to {e}); reserved numbers belonged to \
                     deleted fields and must not be reused"
                ),
            });
        }
        if let Some(other) = by_number.insert(n, field.name) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is already used by the field `{other}`; give each field \
                     its own number"
                ),
            });
        }
        if reserved_names.contains(field.name) {
            return Err(SchemaError::InvalidName {
                what: format!("field of message `{full}`"),
                name: field.name.to_string(),
                problem: "the name is reserved; reserved names belonged to deleted fields and \
                          must not be reused"
                    .into(),
            });
        }
        if field.json_name.is_empty() {
            return Err(SchemaError::InvalidName {
                what: format!("JSON name of field `{}` in message `{full}`", field.name),
                name: String::new(),
                problem: "a JSON name must not be empty".into(),
            });
        }
        if field.json_name.starts_with('[') && field.json_name.ends_with(']') {
            return Err(SchemaError::InvalidName {
                what: format!("JSON name of field `{}` in message `{full}`", field.name),
                name: field.json_name.to_string(),
                problem: "protoc rejects JSON names in brackets, which denote extensions".into(),
            });
        }
        if let Some(other) = by_json.insert(field.json_name, field.name) {
            return Err(SchemaError::InvalidName {
                what: format!("JSON name of field `{}` in message `{full}`", field.name),
                name: field.json_name.to_string(),
                problem: format!("the field `{other}` has the same JSON name; rename one of them"),
            });
        }
        // protoc and protox reject proto3 fields whose names differ only in
        // case and underscores, since their default JSON names may collide.
        let folded: String = field
            .name
            .chars()
            .filter(|&c| c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(other) = by_folded.insert(folded, field.name) {
            return Err(SchemaError::InvalidName {
                what: format!("field of message `{full}`"),
                name: field.name.to_string(),
                problem: format!(
                    "it differs from the field `{other}` only in case and underscores, which \
                     proto3 forbids (their JSON names could clash); rename one of them"
                ),
            });
        }
    }
    Ok(())
}

pub(super) fn validate_enum(enum_: &EnumSchema, full: &str) -> Result<(), SchemaError> {
    let Some(first) = enum_.values.first() else {
        return Err(SchemaError::InvalidNumber {
            what: format!("enum `{full}`"),
            problem: "an enum needs at least one value".into(),
        });
    };
    if first.number != 0 {
        return Err(SchemaError::InvalidNumber {
            what: format!("value `{}` of enum `{full}`", first.name),
            problem: format!(
                "the first value of a proto3 enum must be 0 (its default), not {}",
                first.number
            ),
        });
    }
    let mut by_number: HashMap<i32, &str> = HashMap::new();
    for value in enum_.values {
        check_identifier(|| format!("value name of enum `{full}`"), value.name)?;
        // Inside an enum body these words start statements, not values.
        if matches!(value.name, "option" | "reserved") {
            return Err(SchemaError::InvalidName {
                what: format!("value name of enum `{full}`"),
                name: value.name.to_string(),
                problem: "`option` and `reserved` are keywords in an enum body".into(),
            });
        }
        if let Some(other) = by_number.insert(value.number, value.name) {
            return Err(SchemaError::InvalidNumber {
                what: format!("value `{}` of enum `{full}`", value.name),
                problem: format!(
                    "the number {} is already used by `{other}`; aliases are not supported, give \
                     each value its own number",
                    value.number
                ),
            });
        }
    }
    Ok(())
}

pub(super) fn validate_service(service: &ServiceSchema) -> Result<(), SchemaError> {
    check_identifier(|| "service name".into(), service.name)?;
    check_package(
        || format!("package of service `{}`", service.name),
        service.package,
    )?;
    let full = join(service.package, service.name);
    for method in service.methods {
        check_identifier(|| format!("method name in service `{full}`"), method.name)?;
    }
    Ok(())
}
