//! typerpc's health and reflection types against gRPC's official `.proto`
//! files (`tests/fixtures/grpc`), and its embedded well-known descriptors
//! against protox's.
//!
//! Both sides are descriptors without source info; file options (Java and
//! Go package names and the like) are the only part left out, since the
//! schema model does not render them. Everything else is compared whole:
//! each message (fields with numbers, labels, types, JSON names, oneofs,
//! nested types and enums, map entries), each enum and each service.

use std::collections::BTreeMap;
use std::path::PathBuf;

use prost_types::{FileDescriptorProto, FileDescriptorSet};
use typerpc::schema::SchemaBuilder;

const OFFICIAL_FILES: [&str; 3] = [
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1/reflection.proto",
    "grpc/reflection/v1alpha/reflection.proto",
];

fn compile_official() -> FileDescriptorSet {
    let include = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let files: Vec<PathBuf> = OFFICIAL_FILES.iter().map(|f| include.join(f)).collect();
    protox::compile(&files, [&include])
        .unwrap_or_else(|e| panic!("protox rejected the official files: {e:?}"))
}

fn ours() -> FileDescriptorSet {
    let mut builder = SchemaBuilder::new();
    for service in typerpc::reflection::standard_services() {
        builder.add_service(service);
    }
    builder.build().expect("schema").file_descriptor_set()
}

/// Every item of `list` by name, so that declaration order does not matter.
fn by_name<T: Clone>(list: &[T], name: impl Fn(&T) -> &str) -> BTreeMap<String, T> {
    list.iter()
        .map(|x| (name(x).to_string(), x.clone()))
        .collect()
}

fn compare(official: &FileDescriptorProto, ours: &FileDescriptorProto) -> Vec<String> {
    let mut problems = Vec::new();
    let at = official.name();
    if official.package != ours.package {
        problems.push(format!(
            "{at}: package {:?} vs {:?}",
            official.package, ours.package
        ));
    }
    if official.dependency != ours.dependency {
        problems.push(format!(
            "{at}: imports {:?} vs {:?}",
            official.dependency, ours.dependency
        ));
    }
    let pairs = [
        (
            "message",
            by_name(&official.message_type, |m| m.name())
                .into_iter()
                .map(|(k, v)| (k, format!("{v:#?}")))
                .collect::<BTreeMap<_, _>>(),
            by_name(&ours.message_type, |m| m.name())
                .into_iter()
                .map(|(k, v)| (k, format!("{v:#?}")))
                .collect::<BTreeMap<_, _>>(),
        ),
        (
            "enum",
            by_name(&official.enum_type, |e| e.name())
                .into_iter()
                .map(|(k, v)| (k, format!("{v:#?}")))
                .collect(),
            by_name(&ours.enum_type, |e| e.name())
                .into_iter()
                .map(|(k, v)| (k, format!("{v:#?}")))
                .collect(),
        ),
        (
            "service",
            by_name(&official.service, |s| s.name())
                .into_iter()
                .map(|(k, v)| (k, format!("{v:#?}")))
                .collect(),
            by_name(&ours.service, |s| s.name())
                .into_iter()
                .map(|(k, v)| (k, format!("{v:#?}")))
                .collect(),
        ),
    ];
    for (kind, theirs, mine) in pairs {
        let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
        if names(&theirs) != names(&mine) {
            problems.push(format!(
                "{at}: {kind}s {:?} vs ours {:?}",
                names(&theirs),
                names(&mine)
            ));
        }
        for (name, official) in &theirs {
            if let Some(mine) = mine.get(name) {
                if official != mine {
                    problems.push(format!(
                        "{at}: {kind} {name} differs:\nofficial {official}\nours {mine}"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn health_and_reflection_types_match_the_official_files() {
    let official = compile_official();
    let ours = ours();
    let mut problems = Vec::new();
    for path in OFFICIAL_FILES {
        let theirs = official.file.iter().find(|f| f.name() == path).unwrap();
        match ours.file.iter().find(|f| f.name() == path) {
            Some(mine) => problems.extend(compare(theirs, mine)),
            None => problems.push(format!("{path}: ours has no such file")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn embedded_well_known_files_equal_protox() {
    let embedded = typerpc::reflection::well_known_files();
    let paths: Vec<&String> = embedded.keys().collect();
    let compiled = protox::Compiler::new(Vec::<PathBuf>::new())
        .and_then(|mut c| {
            for path in &paths {
                c.open_file(path.as_str())?;
            }
            Ok(c.file_descriptor_set())
        })
        .expect("protox has the well-known files");
    for file in &compiled.file {
        assert_eq!(Some(file), embedded.get(file.name()), "{}", file.name());
    }
    // Every well-known file typerpc's own types live in is embedded.
    let mut builder = SchemaBuilder::new();
    builder
        .add_message(<typerpc::Any as typerpc::Message>::schema())
        .add_message(<typerpc::Duration as typerpc::Message>::schema())
        .add_message(<typerpc::Empty as typerpc::Message>::schema())
        .add_message(<typerpc::Struct as typerpc::Message>::schema())
        .add_message(<typerpc::Timestamp as typerpc::Message>::schema());
    let set = builder.build().expect("schema");
    for file in set.files() {
        assert!(
            embedded.contains_key(&file.path),
            "{} is not embedded",
            file.path
        );
    }
    assert_eq!(set.files().len(), embedded.len());
}
