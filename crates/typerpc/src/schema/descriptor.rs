//! Rendering one file of a [`SchemaSet`] as a `FileDescriptorProto`.
//!
//! The descriptor is exactly what protoc (or protox) produces when compiling
//! the text that [`super::proto_text`] renders for the same file, minus
//! source code info, so that reflection serves what the `.proto` says. That
//! fixes details which look arbitrary on their own:
//!
//! * every field has its `json_name` set and an explicit `LABEL_OPTIONAL`
//!   unless repeated; names of referenced types are fully qualified with a
//!   leading dot;
//! * a map field is a repeated field of a nested `<PascalField>Entry`
//!   message (`map_entry = true`, `key = 1`, `value = 2`); entries come
//!   before the nested types the text declares after the fields;
//! * a proto3 `optional` field sits in a synthetic oneof `_<field>`, and
//!   synthetic oneofs follow all real oneofs;
//! * reserved ranges are half-open (`end` is exclusive), unlike the text;
//! * streaming flags are set only when true, as protox leaves them unset
//!   otherwise.

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::method_options::IdempotencyLevel;
use prost_types::{
    descriptor_proto::ReservedRange, DescriptorProto, EnumDescriptorProto,
    EnumValueDescriptorProto, FieldDescriptorProto, FileDescriptorProto, MessageOptions,
    MethodDescriptorProto, MethodOptions, OneofDescriptorProto, ServiceDescriptorProto,
    SourceCodeInfo,
};

use super::builder::{
    join, FieldTarget, ProtoFile, ResolvedService, ResolvedType, SchemaSet, Target, TypeDef,
};
use super::model::{EnumSchema, FieldShape, Scalar};
use super::naming;

/// The descriptor of `file`, which must belong to `set`.
pub(super) fn file_descriptor(set: &SchemaSet, file: &ProtoFile) -> FileDescriptorProto {
    let mut message_type = Vec::new();
    let mut enum_type = Vec::new();
    for ty in file.types.iter().filter_map(|&id| set.ty(id)) {
        match ty.def {
            TypeDef::Message(_) => message_type.push(message_descriptor(set, ty)),
            TypeDef::Enum(enum_) => enum_type.push(enum_descriptor(enum_, ty.def.short_name())),
        }
    }
    let service = file
        .services
        .iter()
        .filter_map(|&sid| set.services.get(sid))
        .map(|service| service_descriptor(set, service))
        .collect();
    FileDescriptorProto {
        name: Some(file.path.clone()),
        package: (!file.package.is_empty()).then(|| file.package.clone()),
        dependency: file.dependencies.clone(),
        message_type,
        enum_type,
        service,
        syntax: Some("proto3".to_string()),
        // Well-known files are served as protoc compiles Google's sources.
        source_code_info: (!file.is_well_known()).then(|| SourceCodeInfo {
            location: super::proto_text::render_with_locations(set, file).1,
        }),
        ..Default::default()
    }
}

/// A field number as descriptors store it. Numbers were validated to be at
/// most 2^29 - 1, so the fallback is never taken.
fn number(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The descriptor type of a scalar.
pub(super) fn scalar_type(scalar: Scalar) -> Type {
    match scalar {
        Scalar::Double => Type::Double,
        Scalar::Float => Type::Float,
        Scalar::Int32 => Type::Int32,
        Scalar::Int64 => Type::Int64,
        Scalar::Uint32 => Type::Uint32,
        Scalar::Uint64 => Type::Uint64,
        Scalar::Sint32 => Type::Sint32,
        Scalar::Sint64 => Type::Sint64,
        Scalar::Fixed32 => Type::Fixed32,
        Scalar::Fixed64 => Type::Fixed64,
        Scalar::Sfixed32 => Type::Sfixed32,
        Scalar::Sfixed64 => Type::Sfixed64,
        Scalar::Bool => Type::Bool,
        Scalar::String => Type::String,
        Scalar::Bytes => Type::Bytes,
    }
}

/// A field of the given name, number, label and value type; the caller
/// adds oneof membership and presence.
fn field(
    set: &SchemaSet,
    name: &str,
    json_name: &str,
    number: i32,
    label: Label,
    target: Target,
) -> FieldDescriptorProto {
    let (r#type, type_name) = match target {
        Target::Scalar(scalar) => (scalar_type(scalar), None),
        Target::Type(id) => match set.ty(id) {
            Some(ty) => {
                let kind = match ty.def {
                    TypeDef::Message(_) => Type::Message,
                    TypeDef::Enum(_) => Type::Enum,
                };
                (kind, Some(format!(".{}", ty.full_name)))
            }
            // Unreachable for a set's own files; leave the type unset
            // rather than invent one.
            None => (Type::Message, None),
        },
    };
    FieldDescriptorProto {
        name: Some(name.to_string()),
        number: Some(number),
        label: Some(label as i32),
        r#type: Some(r#type as i32),
        type_name,
        json_name: Some(json_name.to_string()),
        ..Default::default()
    }
}

fn message_descriptor(set: &SchemaSet, ty: &ResolvedType) -> DescriptorProto {
    let TypeDef::Message(message) = ty.def else {
        return DescriptorProto::default();
    };
    let mut fields = Vec::new();
    let mut nested_type = Vec::new();
    let mut enum_type = Vec::new();
    // Real oneofs are numbered in order of appearance, before any synthetic
    // oneof of an `optional` field, whatever the field order.
    let mut oneof_decl: Vec<OneofDescriptorProto> = message
        .fields
        .iter()
        .filter(|f| matches!(f.shape, FieldShape::Oneof(_)))
        .map(|f| OneofDescriptorProto {
            name: Some(f.name.to_string()),
            options: None,
        })
        .collect();
    let mut real_oneof = 0;

    for (schema, target) in message.fields.iter().zip(&ty.fields) {
        let n = number(schema.number);
        match (schema.shape, target) {
            (FieldShape::Singular(_), FieldTarget::Value(t)) => {
                fields.push(field(
                    set,
                    schema.name,
                    schema.json_name,
                    n,
                    Label::Optional,
                    *t,
                ));
            }
            (FieldShape::Repeated(_), FieldTarget::Value(t)) => {
                fields.push(field(
                    set,
                    schema.name,
                    schema.json_name,
                    n,
                    Label::Repeated,
                    *t,
                ));
            }
            (FieldShape::Optional(_), FieldTarget::Value(t)) => {
                let index = i32::try_from(oneof_decl.len()).unwrap_or(i32::MAX);
                oneof_decl.push(OneofDescriptorProto {
                    name: Some(naming::synthetic_oneof_name(schema.name)),
                    options: None,
                });
                fields.push(FieldDescriptorProto {
                    oneof_index: Some(index),
                    proto3_optional: Some(true),
                    ..field(set, schema.name, schema.json_name, n, Label::Optional, *t)
                });
            }
            (FieldShape::Map(..), FieldTarget::Map(key, value)) => {
                let entry = naming::map_entry_name(schema.name);
                nested_type.push(DescriptorProto {
                    name: Some(entry.clone()),
                    field: vec![
                        field(set, "key", "key", 1, Label::Optional, Target::Scalar(*key)),
                        field(set, "value", "value", 2, Label::Optional, *value),
                    ],
                    options: Some(MessageOptions {
                        map_entry: Some(true),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
                fields.push(FieldDescriptorProto {
                    name: Some(schema.name.to_string()),
                    number: Some(n),
                    label: Some(Label::Repeated as i32),
                    r#type: Some(Type::Message as i32),
                    type_name: Some(format!(".{}", join(&ty.full_name, &entry))),
                    json_name: Some(schema.json_name.to_string()),
                    ..Default::default()
                });
            }
            (FieldShape::Oneof(_), FieldTarget::Oneof(oneof, members)) => {
                for (variant, member) in oneof.variants.iter().zip(members) {
                    fields.push(FieldDescriptorProto {
                        oneof_index: Some(real_oneof),
                        ..field(
                            set,
                            variant.name,
                            variant.json_name,
                            number(member.number),
                            Label::Optional,
                            member.target,
                        )
                    });
                }
                real_oneof += 1;
            }
            // The builder resolves each shape to its own kind of target.
            _ => {}
        }
    }

    for child in ty.nested.iter().filter_map(|&id| set.ty(id)) {
        match child.def {
            TypeDef::Message(_) => nested_type.push(message_descriptor(set, child)),
            TypeDef::Enum(enum_) => enum_type.push(enum_descriptor(enum_, child.def.short_name())),
        }
    }

    DescriptorProto {
        name: Some(ty.def.short_name().to_string()),
        field: fields,
        nested_type,
        enum_type,
        oneof_decl,
        reserved_range: message
            .reserved_numbers
            .iter()
            .map(|&(start, end)| ReservedRange {
                start: Some(number(start)),
                // Descriptors store half-open ranges.
                end: Some(number(end).saturating_add(1)),
            })
            .collect(),
        reserved_name: message
            .reserved_names
            .iter()
            .map(|n| n.to_string())
            .collect(),
        ..Default::default()
    }
}

fn enum_descriptor(enum_: &EnumSchema, name: &str) -> EnumDescriptorProto {
    EnumDescriptorProto {
        name: Some(name.to_string()),
        value: enum_
            .values
            .iter()
            .map(|v| EnumValueDescriptorProto {
                name: Some(v.name.to_string()),
                number: Some(v.number),
                options: None,
            })
            .collect(),
        ..Default::default()
    }
}

fn service_descriptor(set: &SchemaSet, service: &ResolvedService) -> ServiceDescriptorProto {
    let type_name = |id: usize| set.ty(id).map(|t| format!(".{}", t.full_name));
    ServiceDescriptorProto {
        name: Some(service.schema.name.to_string()),
        method: service
            .schema
            .methods
            .iter()
            .zip(&service.methods)
            .map(|(method, &(input, output))| MethodDescriptorProto {
                name: Some(method.name.to_string()),
                input_type: type_name(input),
                output_type: type_name(output),
                options: method.idempotent.then(|| MethodOptions {
                    idempotency_level: Some(IdempotencyLevel::NoSideEffects as i32),
                    ..Default::default()
                }),
                client_streaming: method.client_streaming.then_some(true),
                server_streaming: method.server_streaming.then_some(true),
            })
            .collect(),
        options: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::builder::fixtures::*;
    use super::super::builder::SchemaBuilder;
    use super::*;
    use prost_types::FileDescriptorSet;

    /// Our descriptors for every file that is not a well-known one must
    /// equal protox's compilation of our text, field for field.
    /// Returns how many definitions have leading comments.
    fn assert_matches_protox(set: &SchemaSet) -> usize {
        let compiled = compile_with_protox(set);
        let mut checked = 0;
        let mut documented = 0;
        for file in set.files().iter().filter(|f| !f.is_well_known()) {
            let theirs = compiled
                .file
                .iter()
                .find(|f| f.name() == file.path)
                .unwrap_or_else(|| panic!("protox did not compile {}", file.path));
            let mut theirs = theirs.clone();
            let mut ours = set.file_descriptor(file);
            documented += assert_same_locations(&file.path, &ours, &theirs);
            theirs.source_code_info = None;
            ours.source_code_info = None;
            assert_eq!(ours, theirs, "descriptor of {}", file.path);
            checked += 1;
        }
        assert!(checked > 0);
        documented
    }

    /// Each location we record is protox's for the same path (span and
    /// comments), and every comment protox attaches to a definition is in
    /// ours. protox also locates each token, which we leave out.
    /// Returns how many of our locations have leading comments.
    fn assert_same_locations(
        path: &str,
        ours: &FileDescriptorProto,
        theirs: &FileDescriptorProto,
    ) -> usize {
        use std::collections::HashMap;
        let ours = &ours
            .source_code_info
            .as_ref()
            .expect("ours has source info")
            .location;
        let theirs: HashMap<&[i32], _> = theirs
            .source_code_info
            .as_ref()
            .expect("protox records source info")
            .location
            .iter()
            .map(|l| (l.path.as_slice(), l))
            .collect();
        let mut documented = 0;
        for location in ours {
            let theirs = theirs
                .get(location.path.as_slice())
                .unwrap_or_else(|| panic!("{path}: protox has no location {:?}", location.path));
            assert_eq!(
                location.span, theirs.span,
                "{path}: span of {:?}",
                location.path
            );
            assert_eq!(
                location.leading_comments, theirs.leading_comments,
                "{path}: leading comments of {:?}",
                location.path
            );
            assert_eq!(
                location.trailing_comments, theirs.trailing_comments,
                "{path}: trailing comments of {:?}",
                location.path
            );
            documented += usize::from(location.leading_comments.is_some());
        }
        let ours: HashMap<&[i32], _> = ours.iter().map(|l| (l.path.as_slice(), l)).collect();
        for (at, theirs) in &theirs {
            if theirs.leading_comments.is_some() || theirs.trailing_comments.is_some() {
                assert!(
                    ours.contains_key(at),
                    "{path}: we leave out the comments protox has at {at:?}: {theirs:?}"
                );
            }
        }
        documented
    }

    #[test]
    fn rich_schema_matches_protox() {
        let set = rich_builder().build().unwrap();
        let documented = assert_matches_protox(&set);
        assert!(documented >= 5, "only {documented} documented definitions");
    }

    #[test]
    fn shadowing_schema_matches_protox() {
        assert_matches_protox(&shadowing_set());
    }

    #[test]
    fn descriptor_set_is_ordered_and_loads_into_a_pool() {
        let set = rich_builder().build().unwrap();
        let fds: FileDescriptorSet = set.file_descriptor_set();
        let names: Vec<&str> = fds.file.iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "google/protobuf/timestamp.proto",
                "typerpc/test/v1/test.proto",
                "typerpc/other/v1/other.proto",
            ]
        );
        let pool = prost_reflect::DescriptorPool::from_file_descriptor_set(fds).unwrap();
        let everything = pool
            .get_message_by_name("typerpc.test.v1.Everything")
            .unwrap();
        let counts = everything.get_field_by_name("counts").unwrap();
        assert!(counts.is_map());
        let limit = everything.get_field_by_name("limit").unwrap();
        assert!(limit.supports_presence());
        let names = everything.get_field_by_name("names").unwrap();
        assert_eq!(names.json_name(), "nameMap");
        let shape = everything.oneofs().find(|o| o.name() == "shape").unwrap();
        let numbers: Vec<u32> = shape.fields().map(|f| f.number()).collect();
        assert_eq!(numbers, [10, 20, 12, 13]);
        let service = pool
            .get_service_by_name("typerpc.other.v1.OtherService")
            .unwrap();
        let shapes: Vec<(bool, bool)> = service
            .methods()
            .map(|m| (m.is_client_streaming(), m.is_server_streaming()))
            .collect();
        assert_eq!(
            shapes,
            [
                (false, false),
                (true, false),
                (false, true),
                (true, true),
                (false, false)
            ]
        );
    }

    #[test]
    fn descriptor_details() {
        let set = rich_builder().build().unwrap();
        let file = set.file("typerpc/test/v1/test.proto").unwrap();
        let fd = set.file_descriptor(file);
        assert_eq!(fd.syntax(), "proto3");
        assert_eq!(fd.dependency, ["google/protobuf/timestamp.proto"]);
        let everything = &fd.message_type[0];
        assert_eq!(
            everything.reserved_range,
            [
                ReservedRange {
                    start: Some(30),
                    end: Some(31)
                },
                ReservedRange {
                    start: Some(40),
                    end: Some(46)
                },
                ReservedRange {
                    start: Some(1_000_000),
                    end: Some(536_870_912)
                },
            ]
        );
        let oneofs: Vec<&str> = everything.oneof_decl.iter().map(|o| o.name()).collect();
        assert_eq!(oneofs, ["shape", "_limit", "_color", "_maybe"]);
        let entry = everything
            .nested_type
            .iter()
            .find(|m| m.name() == "ByIdEntry")
            .unwrap();
        assert_eq!(entry.options.as_ref().and_then(|o| o.map_entry), Some(true));
        assert_eq!(entry.field[1].type_name(), ".typerpc.test.v1.Scalars");
        let other = set.file("typerpc/other/v1/other.proto").unwrap();
        let method = &set.file_descriptor(other).service[0].method[0];
        assert_eq!(method.input_type(), ".typerpc.test.v1.Everything");
        assert_eq!(
            method.options.as_ref().and_then(|o| o.idempotency_level),
            Some(IdempotencyLevel::NoSideEffects as i32)
        );
        assert_eq!(method.client_streaming, None);
    }

    #[test]
    fn empty_builder_gives_empty_set() {
        let set = SchemaBuilder::new().build().unwrap();
        assert!(set.files().is_empty());
        assert!(set.file_descriptor_set().file.is_empty());
    }
}
