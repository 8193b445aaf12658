//! Rules on messages, their fields, and enums.

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, EnumDescriptorProto, FieldDescriptorProto};

use super::{join, trim, Finding, Index};

pub(super) fn compare_messages(old: &Index, new: &Index, findings: &mut Vec<Finding>) {
    for (name, old_message) in &old.messages {
        // Map entries are compared through the map fields using them.
        if old.is_map_entry(name) {
            continue;
        }
        let Some(new_message) = new.messages.get(name) else {
            if old.used.contains(name) {
                findings.push(Finding {
                    file: old_message.file.to_string(),
                    symbol: name.clone(),
                    change: "message removed or renamed while fields or methods used it"
                        .to_string(),
                });
            }
            continue;
        };
        let mut report = |symbol: String, change: String| {
            findings.push(Finding {
                file: new_message.file.to_string(),
                symbol,
                change,
            })
        };
        compare_fields(
            (old, old_message.def),
            (new, new_message.def),
            name,
            &mut report,
        );
    }
}

fn compare_fields(
    (old_index, old): (&Index, &DescriptorProto),
    (new_index, new): (&Index, &DescriptorProto),
    message: &str,
    report: &mut dyn FnMut(String, String),
) {
    for old_field in &old.field {
        let symbol = join(message, old_field.name());
        let number = old_field.number();
        if let Some(new_field) = new.field.iter().find(|f| f.name() == old_field.name()) {
            if new_field.number() != number {
                report(
                    symbol.clone(),
                    format!("field renumbered from {number} to {}", new_field.number()),
                );
            }
        }
        let Some(new_field) = new.field.iter().find(|f| f.number() == number) else {
            let number_reserved = reserves_number(new, number);
            let name_reserved = new.reserved_name.iter().any(|n| n == old_field.name());
            let missing = match (number_reserved, name_reserved) {
                (true, true) => continue,
                (false, true) => format!("its number {number}"),
                (true, false) => format!("its name {:?} (JSON clients use it)", old_field.name()),
                (false, false) => format!("its number {number} and name {:?}", old_field.name()),
            };
            report(symbol, format!("field removed without reserving {missing}"));
            continue;
        };
        if new_field.name() != old_field.name() {
            report(
                symbol.clone(),
                format!(
                    "field number {number} now belongs to {:?}",
                    new_field.name()
                ),
            );
        }
        let (old_type, new_type) = (
            describe_type(old_index, old_field),
            describe_type(new_index, new_field),
        );
        if old_type != new_type {
            report(
                symbol.clone(),
                format!("field {number} changed type from {old_type} to {new_type}"),
            );
        }
        let (old_oneof, new_oneof) = (real_oneof(old, old_field), real_oneof(new, new_field));
        if old_oneof != new_oneof {
            let change = match (old_oneof, new_oneof) {
                (None, Some(to)) => format!("field {number} moved into oneof {to}"),
                (Some(from), None) => format!("field {number} moved out of oneof {from}"),
                (Some(from), Some(to)) => {
                    format!("field {number} moved from oneof {from} to oneof {to}")
                }
                (None, None) => unreachable!("the oneofs differ"),
            };
            report(symbol, change);
        }
    }
    for new_field in &new.field {
        let old_has_it = old.field.iter().any(|f| f.number() == new_field.number());
        if old_has_it {
            continue;
        }
        let symbol = join(message, new_field.name());
        if reserves_number(old, new_field.number()) {
            report(
                symbol.clone(),
                format!("field takes reserved number {}", new_field.number()),
            );
        }
        if old.reserved_name.iter().any(|n| n == new_field.name()) {
            report(
                symbol,
                format!("field takes reserved name {:?}", new_field.name()),
            );
        }
    }
}

/// Whether a message's reserved ranges (end exclusive) hold `number`.
fn reserves_number(message: &DescriptorProto, number: i32) -> bool {
    message
        .reserved_range
        .iter()
        .any(|r| r.start() <= number && number < r.end())
}

/// The oneof a field belongs to, ignoring the synthetic oneofs of proto3
/// `optional` (adding or dropping `optional` keeps the wire format).
fn real_oneof<'a>(message: &'a DescriptorProto, field: &FieldDescriptorProto) -> Option<&'a str> {
    if field.proto3_optional() {
        return None;
    }
    let index = usize::try_from(field.oneof_index?).ok()?;
    message.oneof_decl.get(index).map(|o| o.name())
}

/// A field's type as `.proto` text writes it: `int32`,
/// `repeated shop.v1.Line`, `map<string, int64>`.
fn describe_type(index: &Index, field: &FieldDescriptorProto) -> String {
    let repeated = field.label() == Label::Repeated;
    if repeated && field.r#type() == Type::Message && index.is_map_entry(trim(field.type_name())) {
        let entry = &index.messages[trim(field.type_name())].def;
        let part = |number| {
            entry
                .field
                .iter()
                .find(|f| f.number() == number)
                .map_or_else(|| "?".to_string(), value_type)
        };
        return format!("map<{}, {}>", part(1), part(2));
    }
    let value = value_type(field);
    if repeated {
        format!("repeated {value}")
    } else {
        value
    }
}

fn value_type(field: &FieldDescriptorProto) -> String {
    match field.r#type() {
        Type::Message | Type::Enum | Type::Group => trim(field.type_name()).to_string(),
        scalar => scalar
            .as_str_name()
            .trim_start_matches("TYPE_")
            .to_ascii_lowercase(),
    }
}

pub(super) fn compare_enums(old: &Index, new: &Index, findings: &mut Vec<Finding>) {
    for (name, old_enum) in &old.enums {
        let Some(new_enum) = new.enums.get(name) else {
            if old.used.contains(name) {
                findings.push(Finding {
                    file: old_enum.file.to_string(),
                    symbol: name.clone(),
                    change: "enum removed or renamed while fields used it".to_string(),
                });
            }
            continue;
        };
        for change in value_changes(old_enum.def, new_enum.def) {
            findings.push(Finding {
                file: new_enum.file.to_string(),
                symbol: name.clone(),
                change,
            });
        }
    }
}

fn value_changes(old: &EnumDescriptorProto, new: &EnumDescriptorProto) -> Vec<String> {
    let mut changes = Vec::new();
    for value in &old.value {
        let number = value.number();
        match new.value.iter().find(|v| v.number() == number) {
            Some(same) if same.name() == value.name() => {}
            // Aliases (`allow_alias`) may keep the old name on another value.
            Some(other) if !new.value.iter().any(|v| v.name() == value.name()) => {
                changes.push(format!(
                    "value {number} renamed from {} to {} (JSON uses the name)",
                    value.name(),
                    other.name()
                ))
            }
            Some(_) => {}
            None => {
                // Enum reserved ranges include their end.
                let reserved = new
                    .reserved_range
                    .iter()
                    .any(|r| r.start() <= number && number <= r.end());
                if !reserved {
                    changes.push(format!(
                        "value {} = {number} removed without reserving its number",
                        value.name()
                    ));
                }
            }
        }
    }
    for value in &new.value {
        let reserved = old
            .reserved_range
            .iter()
            .any(|r| r.start() <= value.number() && value.number() <= r.end());
        if reserved && !old.value.iter().any(|v| v.number() == value.number()) {
            changes.push(format!(
                "value {} takes reserved number {}",
                value.name(),
                value.number()
            ));
        }
    }
    changes
}
