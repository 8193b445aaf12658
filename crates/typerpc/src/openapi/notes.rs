//! What descriptors leave out and the document shows: doc comments,
//! validation constraints and declared defaults, keyed by full proto name.
//!
//! From the schema model ([`Notes::from_schema`]) they are complete; from
//! descriptors fetched by reflection ([`Notes::from_descriptors`]) they are
//! whatever comments the server's descriptors carry (many carry none).

use std::collections::{HashMap, HashSet};

use prost_types::{source_code_info::Location, DescriptorProto, FileDescriptorProto};

use crate::schema::model::{FieldShape, MessageSchema, TypeRef};
use crate::schema::SchemaSet;

/// The doc comment, constraints and default of one symbol.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Note {
    pub doc: String,
    pub rules: String,
    pub default: Option<String>,
}

/// Notes by full proto name: `pkg.Message`, `pkg.Message.field`,
/// `pkg.Enum`, `pkg.Enum.VALUE`, `pkg.Service`, `pkg.Service.Method`.
#[derive(Clone, Debug, Default)]
pub struct Notes {
    by_name: HashMap<String, Note>,
}

impl Notes {
    /// No notes: the document shows the structure only.
    pub fn none() -> Notes {
        Notes::default()
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Note> {
        self.by_name.get(name)
    }

    pub(crate) fn doc(&self, name: &str) -> &str {
        self.get(name).map_or("", |n| n.doc.as_str())
    }

    fn put(&mut self, name: String, doc: &str, rules: &str, default: Option<&str>) {
        if doc.trim().is_empty() && rules.is_empty() && default.is_none() {
            return;
        }
        self.by_name.insert(
            name,
            Note {
                doc: doc.trim().to_string(),
                rules: rules.to_string(),
                default: default.map(|d| d.trim().to_string()),
            },
        );
    }

    /// The notes of every service, message and enum of `set`, from the
    /// model's doc comments and `#[rpc(...)]` attributes.
    pub fn from_schema(
        set: &SchemaSet,
        services: &[&'static crate::schema::model::ServiceSchema],
    ) -> Notes {
        let mut notes = Notes::default();
        let mut seen = HashSet::new();
        for service in services {
            let Some(name) = set.full_name_of_service(service) else {
                continue;
            };
            notes.put(name.to_string(), service.doc, "", None);
            for method in service.methods {
                notes.put(format!("{name}.{}", method.name), method.doc, "", None);
                notes.walk_message(set, (method.input)(), &mut seen);
                notes.walk_message(set, (method.output)(), &mut seen);
            }
        }
        notes
    }

    fn walk_type(&mut self, set: &SchemaSet, ty: TypeRef, seen: &mut HashSet<usize>) {
        match ty {
            TypeRef::Scalar(_) => {}
            TypeRef::Message(m) => self.walk_message(set, m(), seen),
            TypeRef::Enum(e) => {
                let e = e();
                if !seen.insert(e as *const _ as usize) {
                    return;
                }
                let Some(name) = set.full_name_of_enum(e) else {
                    return;
                };
                self.put(name.to_string(), e.doc, "", None);
                for value in e.values {
                    self.put(format!("{name}.{}", value.name), value.doc, "", None);
                }
            }
        }
    }

    fn walk_message(
        &mut self,
        set: &SchemaSet,
        m: &'static MessageSchema,
        seen: &mut HashSet<usize>,
    ) {
        if !seen.insert(m as *const _ as usize) {
            return;
        }
        let Some(name) = set.full_name_of_message(m).map(str::to_string) else {
            return;
        };
        self.put(name.clone(), m.doc, "", None);
        for field in m.fields {
            match field.shape {
                FieldShape::Oneof(oneof) => {
                    let oneof = oneof();
                    self.put(format!("{name}.{}", field.name), oneof.doc, "", None);
                    for variant in oneof.variants {
                        self.put(format!("{name}.{}", variant.name), variant.doc, "", None);
                        self.walk_type(set, variant.ty, seen);
                    }
                }
                FieldShape::Singular(ty) | FieldShape::Optional(ty) | FieldShape::Repeated(ty) => {
                    self.put(
                        format!("{name}.{}", field.name),
                        field.doc,
                        field.rules,
                        field.default,
                    );
                    self.walk_type(set, ty, seen);
                }
                FieldShape::Map(_, ty) => {
                    self.put(
                        format!("{name}.{}", field.name),
                        field.doc,
                        field.rules,
                        field.default,
                    );
                    self.walk_type(set, ty, seen);
                }
            }
        }
    }

    /// The comments that `files` carry in their source code info: leading
    /// ones are docs (a `// Validation: ...` line, as typerpc writes it,
    /// becomes the constraints again), a trailing `// default: ...` the
    /// declared default. typerpc's reflection serves them, so a typerpc
    /// server's document by reflection is the one it makes itself.
    pub fn from_descriptors(files: &[FileDescriptorProto]) -> Notes {
        let mut notes = Notes::default();
        for file in files {
            let Some(info) = &file.source_code_info else {
                continue;
            };
            let comments: HashMap<&[i32], &Location> = info
                .location
                .iter()
                .filter(|l| l.leading_comments.is_some() || l.trailing_comments.is_some())
                .map(|l| (l.path.as_slice(), l))
                .collect();
            let package = file.package();
            let prefix = |name: &str| {
                if package.is_empty() {
                    name.to_string()
                } else {
                    format!("{package}.{name}")
                }
            };
            let mut put = |name: String, path: &[i32]| {
                if let Some(location) = comments.get(path) {
                    let text = location.leading_comments();
                    let default = location
                        .trailing_comments()
                        .trim()
                        .strip_prefix("default: ")
                        .map(str::to_string);
                    let mut doc = Vec::new();
                    let mut rules = String::new();
                    for line in text.lines().map(str::trim) {
                        match line.strip_prefix("Validation: ") {
                            Some(r) => rules = r.trim_end_matches('.').to_string(),
                            None => doc.push(line),
                        }
                    }
                    notes.put(name, doc.join("\n").trim(), &rules, default.as_deref());
                }
            };
            // FileDescriptorProto: message_type = 4, enum_type = 5, service = 6.
            for (i, message) in file.message_type.iter().enumerate() {
                walk_descriptor(
                    &prefix(message.name()),
                    message,
                    &mut vec![4, i as i32],
                    &mut put,
                );
            }
            for (i, e) in file.enum_type.iter().enumerate() {
                let name = prefix(e.name());
                put(name.clone(), &[5, i as i32]);
                for (j, v) in e.value.iter().enumerate() {
                    put(format!("{name}.{}", v.name()), &[5, i as i32, 2, j as i32]);
                }
            }
            for (i, s) in file.service.iter().enumerate() {
                let name = prefix(s.name());
                put(name.clone(), &[6, i as i32]);
                for (j, m) in s.method.iter().enumerate() {
                    put(format!("{name}.{}", m.name()), &[6, i as i32, 2, j as i32]);
                }
            }
        }
        notes
    }
}

/// Visits a message's comments and those of its fields, nested messages
/// and enums (DescriptorProto: field = 2, nested_type = 3, enum_type = 4).
fn walk_descriptor(
    name: &str,
    message: &DescriptorProto,
    path: &mut Vec<i32>,
    put: &mut impl FnMut(String, &[i32]),
) {
    put(name.to_string(), path);
    for (i, field) in message.field.iter().enumerate() {
        path.extend([2, i as i32]);
        put(format!("{name}.{}", field.name()), path);
        path.truncate(path.len() - 2);
    }
    for (i, nested) in message.nested_type.iter().enumerate() {
        path.extend([3, i as i32]);
        walk_descriptor(&format!("{name}.{}", nested.name()), nested, path, put);
        path.truncate(path.len() - 2);
    }
    for (i, e) in message.enum_type.iter().enumerate() {
        path.extend([4, i as i32]);
        let enum_name = format!("{name}.{}", e.name());
        put(enum_name.clone(), path);
        for (j, v) in e.value.iter().enumerate() {
            path.extend([2, j as i32]);
            put(format!("{enum_name}.{}", v.name()), path);
            path.truncate(path.len() - 2);
        }
        path.truncate(path.len() - 2);
    }
}
