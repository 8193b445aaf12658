//! Messages (fields, oneofs, maps, nested types, reserved numbers and
//! names, extension ranges), enums and extensions.

use std::collections::HashSet;
use std::fmt::Write as _;

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, EnumDescriptorProto, FieldDescriptorProto};

use super::comments::{child, Comments};
use super::options::{self, bracketed, unprinted_suffix};
use super::{indent, quote};

/// The largest field number plus one: `to max` in reserved ranges.
const FIELD_NUMBER_END: i32 = 536_870_912;

/// What a message's printing depends on in its file.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The file is proto3: singular fields have no label.
    pub proto3: bool,
    /// The file's comments, by descriptor path.
    pub comments: &'a Comments,
}

/// Writes `message Name { ... }` at `level`; `path` is the message's
/// descriptor path in its file, for its comments.
///
/// Fields and nested messages are interleaved so that both keep their
/// order: a map field's entry type takes its place among the nested types.
pub fn write_message(
    out: &mut String,
    message: &DescriptorProto,
    path: &[i32],
    level: usize,
    context: Context,
) {
    let pad = indent(level);
    let inner = indent(level + 1);
    context.comments.leading(out, path, level);
    let _ = writeln!(out, "{pad}message {} {{", message.name());
    context.comments.trailing_block(out, path, level);
    if let Some(options) = &message.options {
        for line in options::message_options(options) {
            let _ = writeln!(out, "{inner}{line}");
        }
    }
    let entries: Vec<&DescriptorProto> = message
        .nested_type
        .iter()
        .filter(|nested| is_map_entry(nested))
        .collect();
    // DescriptorProto: field = 2, nested_type = 3, enum_type = 4,
    // extension = 6.
    let mut nested = message.nested_type.iter().enumerate().peekable();
    let mut written_oneofs = HashSet::new();
    for (index, field) in message.field.iter().enumerate() {
        // Nested messages declared before the next map entry come first.
        while let Some(&(at, next)) = nested.peek() {
            if is_map_entry(next) {
                break;
            }
            write_message(out, next, &child(path, 3, at), level + 1, context);
            nested.next();
        }
        let entry = map_entry_of(field, message, &entries);
        if entry.is_some() && nested.peek().is_some_and(|(_, n)| is_map_entry(n)) {
            nested.next();
        }
        match field.oneof_index {
            Some(oneof) if !field.proto3_optional() => {
                if written_oneofs.insert(oneof) {
                    write_oneof(out, message, path, oneof, level + 1, context);
                }
            }
            _ => write_field(
                out,
                field,
                entry,
                &child(path, 2, index),
                level + 1,
                context,
            ),
        }
    }
    for (at, rest) in nested.filter(|(_, n)| !is_map_entry(n)) {
        write_message(out, rest, &child(path, 3, at), level + 1, context);
    }
    for (at, enumeration) in message.enum_type.iter().enumerate() {
        write_enum(out, enumeration, &child(path, 4, at), level + 1, context);
    }
    let mut extensions_path = path.to_vec();
    extensions_path.push(6);
    write_extensions(
        out,
        &message.extension,
        &extensions_path,
        level + 1,
        context,
    );
    for range in &message.extension_range {
        let (start, end) = (range.start(), range.end());
        let _ = writeln!(
            out,
            "{inner}extensions {};",
            range_text(start, end - 1, FIELD_NUMBER_END - 1)
        );
    }
    let reserved: Vec<String> = message
        .reserved_range
        .iter()
        .map(|r| range_text(r.start(), r.end() - 1, FIELD_NUMBER_END - 1))
        .collect();
    write_reserved(out, &reserved, &message.reserved_name, &inner);
    let _ = writeln!(out, "{pad}}}");
}

/// Writes `enum Name { ... }` at `level`; `path` is the enum's
/// descriptor path in its file, for its comments.
pub fn write_enum(
    out: &mut String,
    enumeration: &EnumDescriptorProto,
    path: &[i32],
    level: usize,
    context: Context,
) {
    let pad = indent(level);
    let inner = indent(level + 1);
    context.comments.leading(out, path, level);
    let _ = writeln!(out, "{pad}enum {} {{", enumeration.name());
    context.comments.trailing_block(out, path, level);
    if let Some(options) = &enumeration.options {
        for line in options::enum_options(options) {
            let _ = writeln!(out, "{inner}{line}");
        }
    }
    for (index, value) in enumeration.value.iter().enumerate() {
        let (entries, left) = value
            .options
            .as_ref()
            .map(options::enum_value_options)
            .unwrap_or_default();
        // EnumDescriptorProto: value = 2.
        let value_path = child(path, 2, index);
        context.comments.leading(out, &value_path, level + 1);
        let _ = write!(
            out,
            "{inner}{} = {}{};{}",
            value.name(),
            value.number(),
            bracketed(&entries),
            unprinted_suffix(left)
        );
        context.comments.trailing_line(out, &value_path, level + 1);
    }
    // Enum reserved ranges are inclusive.
    let reserved: Vec<String> = enumeration
        .reserved_range
        .iter()
        .map(|r| range_text(r.start(), r.end(), i32::MAX))
        .collect();
    write_reserved(out, &reserved, &enumeration.reserved_name, &inner);
    let _ = writeln!(out, "{pad}}}");
}

/// Writes `extend .Type { ... }` blocks, one per extended type in order
/// of first appearance; `path` is that of the list of extensions in the
/// file or message (`[7]` in a file, the message's path then `6`).
pub fn write_extensions(
    out: &mut String,
    extensions: &[FieldDescriptorProto],
    path: &[i32],
    level: usize,
    context: Context,
) {
    let mut extendees: Vec<&str> = Vec::new();
    for extension in extensions {
        if !extendees.contains(&extension.extendee()) {
            extendees.push(extension.extendee());
        }
    }
    let pad = indent(level);
    for extendee in extendees {
        let _ = writeln!(out, "{pad}extend {extendee} {{");
        for (index, extension) in extensions
            .iter()
            .enumerate()
            .filter(|(_, e)| e.extendee() == extendee)
        {
            let mut extension_path = path.to_vec();
            extension_path.push(i32::try_from(index).unwrap_or(i32::MAX));
            write_field(out, extension, None, &extension_path, level + 1, context);
        }
        let _ = writeln!(out, "{pad}}}");
    }
}

fn write_oneof(
    out: &mut String,
    message: &DescriptorProto,
    path: &[i32],
    index: i32,
    level: usize,
    context: Context,
) {
    let pad = indent(level);
    let Some(oneof) = usize::try_from(index)
        .ok()
        .and_then(|i| message.oneof_decl.get(i))
    else {
        return;
    };
    // DescriptorProto: oneof_decl = 8.
    let oneof_path = child(path, 8, usize::try_from(index).unwrap_or_default());
    context.comments.leading(out, &oneof_path, level);
    let _ = writeln!(out, "{pad}oneof {} {{", oneof.name());
    context.comments.trailing_block(out, &oneof_path, level);
    if oneof
        .options
        .as_ref()
        .is_some_and(|o| *o != Default::default())
    {
        let _ = writeln!(out, "{pad}  // (some options are not printed)");
    }
    let members = message
        .field
        .iter()
        .enumerate()
        .filter(|(_, f)| f.oneof_index == Some(index) && !f.proto3_optional());
    for (at, field) in members {
        let field_path = child(path, 2, at);
        context.comments.leading(out, &field_path, level + 1);
        let line = field_line(field, None, "");
        let _ = write!(out, "{pad}  {line}");
        context.comments.trailing_line(out, &field_path, level + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

fn write_field(
    out: &mut String,
    field: &FieldDescriptorProto,
    map_entry: Option<&DescriptorProto>,
    path: &[i32],
    level: usize,
    context: Context,
) {
    let label = match field.label() {
        _ if map_entry.is_some() => "",
        Label::Repeated => "repeated ",
        Label::Required => "required ",
        Label::Optional if field.proto3_optional() || !context.proto3 => "optional ",
        Label::Optional => "",
    };
    let line = field_line(field, map_entry, label);
    context.comments.leading(out, path, level);
    let _ = write!(out, "{}{line}", indent(level));
    context.comments.trailing_line(out, path, level);
}

/// `label type name = number [options];`, with the map type for map
/// fields.
fn field_line(
    field: &FieldDescriptorProto,
    map_entry: Option<&DescriptorProto>,
    label: &str,
) -> String {
    let type_text = match map_entry {
        Some(entry) => {
            let key = entry.field.iter().find(|f| f.number() == 1);
            let value = entry.field.iter().find(|f| f.number() == 2);
            format!(
                "map<{}, {}>",
                key.map(type_name).unwrap_or_default(),
                value.map(type_name).unwrap_or_default()
            )
        }
        None => type_name(field),
    };
    let mut entries = Vec::new();
    if let Some(default) = &field.default_value {
        entries.push(format!("default = {}", default_text(field, default)));
    }
    if let Some(json_name) = &field.json_name {
        if *json_name != default_json_name(field.name()) {
            entries.push(format!("json_name = {}", quote(json_name)));
        }
    }
    let (more, left) = field
        .options
        .as_ref()
        .map(options::field_options)
        .unwrap_or_default();
    entries.extend(more);
    let group = if field.r#type() == Type::Group {
        " // groups are not supported"
    } else {
        ""
    };
    format!(
        "{label}{type_text} {} = {}{};{}{group}",
        field.name(),
        field.number(),
        bracketed(&entries),
        unprinted_suffix(left)
    )
}

/// The type as written in a field: a scalar's keyword, or the message's
/// or enum's fully-qualified name.
fn type_name(field: &FieldDescriptorProto) -> String {
    let name = match field.r#type() {
        Type::Message | Type::Enum | Type::Group => return field.type_name().to_string(),
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    };
    name.to_string()
}

/// A default value as written: strings quoted, bytes (already escaped in
/// descriptors) quoted as they are, the rest bare.
fn default_text(field: &FieldDescriptorProto, default: &str) -> String {
    match field.r#type() {
        Type::String => quote(default),
        Type::Bytes => format!("\"{default}\""),
        _ => default.to_string(),
    }
}

/// protoc's JSON name: underscores dropped, the letter after each one
/// upper-cased.
fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn is_map_entry(message: &DescriptorProto) -> bool {
    message.options.as_ref().is_some_and(|o| o.map_entry())
}

/// The map entry type a field refers to, if it is a map field.
fn map_entry_of<'a>(
    field: &FieldDescriptorProto,
    message: &DescriptorProto,
    entries: &[&'a DescriptorProto],
) -> Option<&'a DescriptorProto> {
    if field.label() != Label::Repeated || field.r#type() != Type::Message {
        return None;
    }
    let (prefix, entry) = field.type_name().rsplit_once('.')?;
    if !prefix.ends_with(message.name()) {
        return None;
    }
    entries.iter().copied().find(|e| e.name() == entry)
}

/// `5`, `5 to 9` or `5 to max`, from an inclusive range (`max` being
/// the largest number allowed).
fn range_text(start: i32, last: i32, max: i32) -> String {
    if last == max {
        format!("{start} to max")
    } else if start == last {
        start.to_string()
    } else {
        format!("{start} to {last}")
    }
}

fn write_reserved(out: &mut String, ranges: &[String], names: &[String], pad: &str) {
    if !ranges.is_empty() {
        let _ = writeln!(out, "{pad}reserved {};", ranges.join(", "));
    }
    if !names.is_empty() {
        let quoted: Vec<String> = names.iter().map(|n| quote(n)).collect();
        let _ = writeln!(out, "{pad}reserved {};", quoted.join(", "));
    }
}
