//! The `.proto` typerpc renders from this crate's types against the
//! official Connect conformance protos.
//!
//! Both sides are compiled by protox; every message and enum of the official
//! package is then looked up by full name in ours and compared field by
//! field (names, numbers, types, labels, `proto3_optional`, oneofs, JSON
//! names, nesting, enum values, map entries), and `ConformanceService` as
//! `#[service]` declares it method by method (types, streaming shapes,
//! idempotency). Comments, options other than
//! `map_entry` and the file layout (one file per package for typerpc, five
//! files officially) are ignored. The round-trip tests then move messages
//! through prost-reflect, driven by the official descriptors, in binary and
//! JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorSet};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use typerpc::schema::{SchemaBuilder, SchemaSet};
use typerpc::{Any, Empty, Enumeration, JsonOptions, Message, Struct, TypeRegistry};
use typerpc_conformance::*;

const PACKAGE: &str = "connectrpc.conformance.v1";

/// The official files, relative to `conformance/proto`.
const OFFICIAL_FILES: [&str; 5] = [
    "connectrpc/conformance/v1/config.proto",
    "connectrpc/conformance/v1/service.proto",
    "connectrpc/conformance/v1/server_compat.proto",
    "connectrpc/conformance/v1/client_compat.proto",
    "connectrpc/conformance/v1/suite.proto",
];

// ---------------------------------------------------------------------------
// Building and compiling both schemas.
// ---------------------------------------------------------------------------

/// Every message (nested ones included) and enum of this crate.
fn our_schema() -> SchemaSet {
    let mut builder = SchemaBuilder::new();
    macro_rules! messages {
        ($($t:ty),* $(,)?) => { $( builder.add_message(<$t as Message>::schema()); )* };
    }
    macro_rules! enums {
        ($($t:ty),* $(,)?) => { $( builder.add_enum(<$t as Enumeration>::schema()); )* };
    }
    // config.proto
    messages!(Config, Features, ConfigCase, TlsCreds);
    enums!(HttpVersion, Protocol, Codec, Compression, StreamType, Code);
    // service.proto
    messages!(
        UnaryResponseDefinition,
        StreamResponseDefinition,
        UnaryRequest,
        UnaryResponse,
        IdempotentUnaryRequest,
        IdempotentUnaryResponse,
        ServerStreamRequest,
        ServerStreamResponse,
        ClientStreamRequest,
        ClientStreamResponse,
        BidiStreamRequest,
        BidiStreamResponse,
        UnimplementedRequest,
        UnimplementedResponse,
        ConformancePayload,
        ConformancePayloadRequestInfo,
        ConformancePayloadConnectGetInfo,
        Error,
        Header,
        RawHttpRequest,
        RawHttpRequestEncodedQueryParam,
        MessageContents,
        StreamContents,
        StreamContentsStreamItem,
        RawHttpResponse,
    );
    // server_compat.proto
    messages!(ServerCompatRequest, ServerCompatResponse);
    // client_compat.proto
    messages!(
        ClientCompatRequest,
        ClientCompatRequestCancel,
        ClientCompatResponse,
        ClientResponseResult,
        ClientErrorResult,
        WireDetails,
    );
    // suite.proto
    messages!(TestSuite, TestCase, TestCaseExpandedSize);
    enums!(TestSuiteTestMode, TestSuiteConnectVersionMode);
    // The service itself, as `#[service]` declares it.
    builder.add_service(<ConformanceService as typerpc::service::Service>::schema());
    builder
        .build()
        .unwrap_or_else(|e| panic!("typerpc rejects the conformance types: {e}"))
}

/// In-memory `.proto` sources for protox.
struct Sources(HashMap<String, String>);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.get(name) {
            Some(source) => File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Our files as `.proto` text (the well-known ones left to protox).
fn our_sources(set: &SchemaSet) -> HashMap<String, String> {
    set.files()
        .iter()
        .filter(|f| !f.is_well_known())
        .map(|f| (f.path.clone(), set.proto_text(f)))
        .collect()
}

/// Compiles our rendered text with protox.
fn compile_ours(set: &SchemaSet) -> FileDescriptorSet {
    let sources = our_sources(set);
    let mut paths: Vec<String> = sources.keys().cloned().collect();
    paths.sort();
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(sources.clone()));
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_imports(true);
    for path in &paths {
        if let Err(err) = compiler.open_file(path) {
            panic!("protox rejected our {path}: {err:?}\n{}", sources[path]);
        }
    }
    compiler.file_descriptor_set()
}

fn include_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("proto")
}

/// Compiles the official files with protox.
fn compile_official() -> FileDescriptorSet {
    let include = include_dir();
    let files: Vec<PathBuf> = OFFICIAL_FILES.iter().map(|f| include.join(f)).collect();
    protox::compile(&files, [&include])
        .unwrap_or_else(|e| panic!("protox rejected the official files: {e:?}"))
}

fn official_pool() -> DescriptorPool {
    DescriptorPool::from_file_descriptor_set(compile_official()).expect("official pool")
}

// ---------------------------------------------------------------------------
// Comparing descriptors.
// ---------------------------------------------------------------------------

/// Every message and enum of one package, by full name (no leading dot).
#[derive(Default)]
struct Index<'a> {
    messages: BTreeMap<String, &'a DescriptorProto>,
    enums: BTreeMap<String, &'a EnumDescriptorProto>,
}

impl<'a> Index<'a> {
    /// Indexes the types of `package` in `set`, nested ones included.
    fn of(set: &'a FileDescriptorSet, package: &str) -> Self {
        let mut index = Index::default();
        for file in set.file.iter().filter(|f| f.package() == package) {
            for message in &file.message_type {
                index.add_message(package, message);
            }
            for enum_ in &file.enum_type {
                index
                    .enums
                    .insert(format!("{package}.{}", enum_.name()), enum_);
            }
        }
        index
    }

    fn add_message(&mut self, scope: &str, message: &'a DescriptorProto) {
        let full = format!("{scope}.{}", message.name());
        for nested in &message.nested_type {
            self.add_message(&full, nested);
        }
        for enum_ in &message.enum_type {
            self.enums.insert(format!("{full}.{}", enum_.name()), enum_);
        }
        self.messages.insert(full, message);
    }
}

fn label_name(field: &FieldDescriptorProto) -> String {
    match field.label {
        Some(n) => Label::try_from(n).map_or_else(|_| n.to_string(), |l| format!("{l:?}")),
        None => "(none)".into(),
    }
}

fn type_name(field: &FieldDescriptorProto) -> String {
    match field.r#type {
        Some(n) => Type::try_from(n).map_or_else(|_| n.to_string(), |t| format!("{t:?}")),
        None => "(none)".into(),
    }
}

/// The oneof a field belongs to, by name (synthetic `_x` oneofs included).
fn oneof_of(message: &DescriptorProto, field: &FieldDescriptorProto) -> Option<String> {
    let index = usize::try_from(field.oneof_index?).ok()?;
    Some(message.oneof_decl.get(index).map_or_else(
        || format!("<bad oneof_index {index}>"),
        |o| o.name().to_string(),
    ))
}

fn is_map_entry(message: &DescriptorProto) -> bool {
    message
        .options
        .as_ref()
        .and_then(|o| o.map_entry)
        .unwrap_or(false)
}

/// Compares two values, recording a difference at `at`.
fn same<T: PartialEq + std::fmt::Debug>(
    problems: &mut Vec<String>,
    at: &str,
    what: &str,
    official: T,
    ours: T,
) {
    if official != ours {
        problems.push(format!(
            "{at}: {what} differs: official {official:?}, ours {ours:?}"
        ));
    }
}

fn compare_message(
    problems: &mut Vec<String>,
    name: &str,
    official: &DescriptorProto,
    ours: &DescriptorProto,
) {
    let at = format!("message {name}");
    same(
        problems,
        &at,
        "map_entry option",
        is_map_entry(official),
        is_map_entry(ours),
    );

    let official_fields: Vec<&str> = official.field.iter().map(|f| f.name()).collect();
    let our_fields: Vec<&str> = ours.field.iter().map(|f| f.name()).collect();
    same(problems, &at, "field order", &official_fields, &our_fields);

    for theirs in &official.field {
        let at = format!("field {name}.{}", theirs.name());
        let Some(mine) = ours.field.iter().find(|f| f.name() == theirs.name()) else {
            problems.push(format!("{at}: missing from ours"));
            continue;
        };
        same(problems, &at, "number", theirs.number, mine.number);
        same(problems, &at, "label", label_name(theirs), label_name(mine));
        same(problems, &at, "type", type_name(theirs), type_name(mine));
        same(
            problems,
            &at,
            "type_name",
            &theirs.type_name,
            &mine.type_name,
        );
        same(
            problems,
            &at,
            "json_name",
            &theirs.json_name,
            &mine.json_name,
        );
        same(
            problems,
            &at,
            "proto3_optional",
            theirs.proto3_optional.unwrap_or(false),
            mine.proto3_optional.unwrap_or(false),
        );
        same(
            problems,
            &at,
            "oneof membership",
            oneof_of(official, theirs),
            oneof_of(ours, mine),
        );
        same(
            problems,
            &at,
            "oneof_index",
            theirs.oneof_index,
            mine.oneof_index,
        );
        same(
            problems,
            &at,
            "default_value",
            &theirs.default_value,
            &mine.default_value,
        );
        same(problems, &at, "extendee", &theirs.extendee, &mine.extendee);
    }
    for mine in &ours.field {
        if !official.field.iter().any(|f| f.name() == mine.name()) {
            problems.push(format!(
                "field {name}.{}: ours has it, the official message does not",
                mine.name()
            ));
        }
    }

    let oneofs = |m: &DescriptorProto| -> Vec<String> {
        m.oneof_decl.iter().map(|o| o.name().to_string()).collect()
    };
    same(problems, &at, "oneofs", oneofs(official), oneofs(ours));

    let names = |list: &[DescriptorProto]| -> BTreeSet<String> {
        list.iter().map(|m| m.name().to_string()).collect()
    };
    same(
        problems,
        &at,
        "nested messages",
        names(&official.nested_type),
        names(&ours.nested_type),
    );
    let enum_names = |list: &[EnumDescriptorProto]| -> BTreeSet<String> {
        list.iter().map(|e| e.name().to_string()).collect()
    };
    same(
        problems,
        &at,
        "nested enums",
        enum_names(&official.enum_type),
        enum_names(&ours.enum_type),
    );
    let ranges = |m: &DescriptorProto| -> Vec<(Option<i32>, Option<i32>)> {
        m.reserved_range.iter().map(|r| (r.start, r.end)).collect()
    };
    same(
        problems,
        &at,
        "reserved ranges",
        ranges(official),
        ranges(ours),
    );
    same(
        problems,
        &at,
        "reserved names",
        &official.reserved_name,
        &ours.reserved_name,
    );
    same(
        problems,
        &at,
        "extension ranges",
        official.extension_range.len(),
        ours.extension_range.len(),
    );
}

fn compare_enum(
    problems: &mut Vec<String>,
    name: &str,
    official: &EnumDescriptorProto,
    ours: &EnumDescriptorProto,
) {
    let values = |e: &EnumDescriptorProto| -> Vec<(String, i32)> {
        e.value
            .iter()
            .map(|v| (v.name().to_string(), v.number()))
            .collect()
    };
    let (theirs, mine) = (values(official), values(ours));
    for (value, number) in &theirs {
        match mine.iter().find(|(n, _)| n == value) {
            None => problems.push(format!(
                "enum value {name}.{value} (= {number}): missing from ours"
            )),
            Some((_, n)) if n != number => problems.push(format!(
                "enum value {name}.{value}: number differs: official {number}, ours {n}"
            )),
            Some(_) => {}
        }
    }
    for (value, number) in &mine {
        if !theirs.iter().any(|(n, _)| n == value) {
            problems.push(format!(
                "enum value {name}.{value} (= {number}): ours has it, the official enum does not"
            ));
        }
    }
    same(
        problems,
        &format!("enum {name}"),
        "value order",
        &theirs,
        &mine,
    );
}

/// Every difference between the official package and `ours`.
fn differences(official: &FileDescriptorSet, ours: &FileDescriptorSet) -> Vec<String> {
    let theirs = Index::of(official, PACKAGE);
    let mine = Index::of(ours, PACKAGE);
    let mut problems = Vec::new();
    assert!(
        theirs.messages.len() > 30 && theirs.enums.len() > 5,
        "the official package looks incomplete: {} messages, {} enums",
        theirs.messages.len(),
        theirs.enums.len()
    );
    for (name, official) in &theirs.messages {
        match mine.messages.get(name) {
            Some(ours) => compare_message(&mut problems, name, official, ours),
            None if mine.enums.contains_key(name) => {
                problems.push(format!("{name}: a message officially, an enum in ours"))
            }
            None => problems.push(format!("message {name}: missing from ours")),
        }
    }
    for (name, official) in &theirs.enums {
        match mine.enums.get(name) {
            Some(ours) => compare_enum(&mut problems, name, official, ours),
            None if mine.messages.contains_key(name) => {
                problems.push(format!("{name}: an enum officially, a message in ours"))
            }
            None => problems.push(format!("enum {name}: missing from ours")),
        }
    }
    for name in mine.messages.keys() {
        if !theirs.messages.contains_key(name) && !theirs.enums.contains_key(name) {
            problems.push(format!(
                "message {name}: ours has it, the official package does not"
            ));
        }
    }
    for name in mine.enums.keys() {
        if !theirs.enums.contains_key(name) && !theirs.messages.contains_key(name) {
            problems.push(format!(
                "enum {name}: ours has it, the official package does not"
            ));
        }
    }
    compare_services(&mut problems, official, ours);
    // Nothing may have floated into another package.
    for file in &ours.file {
        let package = file.package();
        if package != PACKAGE && !file.name().starts_with("google/protobuf/") {
            problems.push(format!(
                "file {}: package `{package}` is neither `{PACKAGE}` nor a well-known type",
                file.name()
            ));
        }
    }
    problems
}

/// The services of a package by full name, their methods by name.
fn services(
    set: &FileDescriptorSet,
) -> BTreeMap<String, BTreeMap<String, prost_types::MethodDescriptorProto>> {
    set.file
        .iter()
        .filter(|f| f.package() == PACKAGE)
        .flat_map(|f| &f.service)
        .map(|service| {
            let methods = service
                .method
                .iter()
                .map(|m| (m.name().to_string(), m.clone()))
                .collect();
            (format!("{PACKAGE}.{}", service.name()), methods)
        })
        .collect()
}

/// Services: the same methods, with the same request and response types,
/// streaming shapes and idempotency levels (which enables Connect GET).
fn compare_services(
    problems: &mut Vec<String>,
    official: &FileDescriptorSet,
    ours: &FileDescriptorSet,
) {
    let theirs = services(official);
    let mine = services(ours);
    same(
        problems,
        "services",
        "names",
        &theirs.keys().collect::<Vec<_>>(),
        &mine.keys().collect::<Vec<_>>(),
    );
    for (service, official_methods) in &theirs {
        let Some(our_methods) = mine.get(service) else {
            continue;
        };
        same(
            problems,
            service,
            "methods",
            &official_methods.keys().collect::<Vec<_>>(),
            &our_methods.keys().collect::<Vec<_>>(),
        );
        for (name, official) in official_methods {
            let Some(ours) = our_methods.get(name) else {
                continue;
            };
            let what = format!("{service}.{name}");
            let shape = |m: &prost_types::MethodDescriptorProto| {
                (
                    m.input_type().trim_start_matches('.').to_string(),
                    m.output_type().trim_start_matches('.').to_string(),
                    m.client_streaming(),
                    m.server_streaming(),
                    m.options
                        .as_ref()
                        .map_or(0, |o| o.idempotency_level() as i32),
                )
            };
            same(
                problems,
                &what,
                "(input, output, client streaming, server streaming, idempotency)",
                &shape(official),
                &shape(ours),
            );
        }
    }
}

fn assert_no_differences(problems: &[String], what: &str) {
    assert!(
        problems.is_empty(),
        "{what} differs from the official protos in {} place(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn rendered_proto_compiles_to_the_official_descriptors() {
    let set = our_schema();
    let ours = compile_ours(&set);
    let problems = differences(&compile_official(), &ours);
    if !problems.is_empty() {
        for (path, text) in our_sources(&set) {
            eprintln!("==== {path}\n{text}");
        }
    }
    assert_no_differences(&problems, "the .proto typerpc renders");
}

#[test]
fn typerpc_descriptors_match_the_official_ones() {
    // What typerpc serves (reflection, the descriptor API) without going
    // through .proto text.
    let set = our_schema();
    let problems = differences(&compile_official(), &set.file_descriptor_set());
    assert_no_differences(&problems, "typerpc's own FileDescriptorSet");
}

#[test]
fn rendered_proto_is_one_file_of_the_package() {
    let set = our_schema();
    let ours: Vec<&str> = set
        .files()
        .iter()
        .filter(|f| !f.is_well_known())
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        ours.len(),
        1,
        "expected one file for {PACKAGE}, got {ours:?}"
    );
    assert_eq!(
        set.files()
            .iter()
            .find(|f| !f.is_well_known())
            .map(|f| f.package.as_str()),
        Some(PACKAGE)
    );
}

// ---------------------------------------------------------------------------
// Round trips through prost-reflect on the official descriptors.
// ---------------------------------------------------------------------------

/// The messages that may sit inside the `Any`s of the samples.
fn registry() -> TypeRegistry {
    TypeRegistry::new()
        .with::<UnaryRequest>()
        .with::<IdempotentUnaryRequest>()
        .with::<ServerCompatRequest>()
        .with::<ConformancePayload>()
        .with::<Header>()
        .with::<Error>()
}

fn json_options() -> JsonOptions {
    JsonOptions::default().with_registry(registry())
}

fn their_json(message: &DynamicMessage) -> serde_json::Value {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::new(&mut out);
    message
        .serialize_with_options(&mut serializer, &SerializeOptions::new())
        .expect("prost-reflect serializes");
    serde_json::from_slice(&out).expect("prost-reflect writes JSON")
}

/// Binary: ours -> prost-reflect (official descriptors) -> ours.
/// JSON: ours and prost-reflect's must be the same value, and each side
/// must read the other's.
fn round_trip<M: Message + PartialEq + std::fmt::Debug>(pool: &DescriptorPool, value: &M) {
    let schema = M::schema();
    let full_name = format!("{}.{}", schema.package.unwrap_or_default(), schema.name);
    let descriptor = pool
        .get_message_by_name(&full_name)
        .unwrap_or_else(|| panic!("{full_name} is not an official message"));

    let ours = value.encode_to_vec();
    let dynamic = DynamicMessage::decode(descriptor.clone(), &ours[..])
        .unwrap_or_else(|e| panic!("{full_name}: prost-reflect cannot decode our bytes: {e}"));
    assert!(
        dynamic.unknown_fields().next().is_none(),
        "{full_name}: prost-reflect saw fields the official schema does not have: {dynamic:?}"
    );
    let theirs = dynamic.encode_to_vec();
    let back = M::decode(&theirs[..])
        .unwrap_or_else(|e| panic!("{full_name}: we cannot decode prost-reflect's bytes: {e}"));
    assert_eq!(
        &back, value,
        "{full_name}: binary round trip through prost-reflect"
    );

    let our_json_text = value
        .to_json_with(&json_options())
        .unwrap_or_else(|e| panic!("{full_name}: our JSON writer fails: {e}"));
    let our_json: serde_json::Value =
        serde_json::from_str(&our_json_text).expect("our JSON parses");
    let theirs_json = their_json(&dynamic);
    assert_eq!(
        our_json, theirs_json,
        "{full_name}: JSON differs (left ours, right prost-reflect)"
    );

    // Each side reads the other's JSON.
    let parsed = M::from_json_with(theirs_json.to_string().as_bytes(), &json_options())
        .unwrap_or_else(|e| panic!("{full_name}: we cannot read prost-reflect's JSON: {e}"));
    assert_eq!(&parsed, value, "{full_name}: reading prost-reflect's JSON");
    let mut deserializer = serde_json::Deserializer::from_str(&our_json_text);
    let from_ours = DynamicMessage::deserialize(descriptor, &mut deserializer)
        .unwrap_or_else(|e| panic!("{full_name}: prost-reflect cannot read our JSON: {e}"));
    // Compared as JSON, not as `DynamicMessage`s: prost-reflect re-encodes
    // the messages packed in `Any`s in field-number order, typerpc in
    // declaration order, so the packed bytes may legitimately differ.
    assert_eq!(
        their_json(&from_ours),
        theirs_json,
        "{full_name}: prost-reflect reading our JSON"
    );
}

fn header(name: &str, values: &[&str]) -> Header {
    Header {
        name: name.into(),
        value: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn server_compat_request() -> ServerCompatRequest {
    ServerCompatRequest {
        protocol: Protocol::GrpcWeb,
        http_version: HttpVersion::Http2,
        use_tls: true,
        client_tls_cert: b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec(),
        message_receive_limit: 200 * 1024,
        server_creds: Some(TlsCreds {
            cert: b"cert \x00\xff bytes".to_vec(),
            key: b"key".to_vec(),
        }),
    }
}

fn unary_request() -> UnaryRequest {
    UnaryRequest {
        response_definition: Some(UnaryResponseDefinition {
            response_headers: vec![header("x-custom", &["a", "b"])],
            response: Some(UnaryResponseDefinitionResponse::Error(Error {
                code: Code::ResourceExhausted,
                message: Some(String::new()),
                details: vec![Any::pack(&header("detail", &["1"]))],
            })),
            response_trailers: vec![header("x-trailer", &[""])],
            response_delay_ms: 250,
            raw_response: Some(RawHttpResponse {
                status_code: 503,
                headers: vec![header("content-type", &["application/proto"])],
                body: Some(RawHttpResponseBody::Stream(StreamContents {
                    items: vec![StreamContentsStreamItem {
                        flags: 2,
                        length: Some(0),
                        payload: Some(MessageContents {
                            data: Some(MessageContentsData::Text("{}".into())),
                            compression: Compression::Gzip,
                        }),
                    }],
                })),
                trailers: vec![],
            }),
        }),
        request_data: vec![0, 1, 2, 255],
    }
}

fn conformance_payload() -> ConformancePayload {
    ConformancePayload {
        data: b"response data".to_vec(),
        request_info: Some(ConformancePayloadRequestInfo {
            request_headers: vec![
                header("x-test-case-name", &["basic unary"]),
                header("accept-encoding", &["gzip", "br"]),
            ],
            timeout_ms: Some(i64::MAX),
            requests: vec![
                Any::pack(&unary_request()),
                Any::pack(&server_compat_request()),
                Any::pack(&ConformancePayload {
                    data: vec![9],
                    request_info: None,
                }),
            ],
            connect_get_info: Some(ConformancePayloadConnectGetInfo {
                query_params: vec![header("encoding", &["proto"]), header("base64", &["1"])],
            }),
        }),
    }
}

#[test]
fn server_compat_request_round_trips_through_the_official_schema() {
    let pool = official_pool();
    round_trip(&pool, &server_compat_request());
    round_trip(
        &pool,
        &ServerCompatRequest {
            protocol: Protocol::Unspecified,
            http_version: HttpVersion::Unspecified,
            use_tls: false,
            client_tls_cert: vec![],
            message_receive_limit: 0,
            server_creds: None,
        },
    );
    round_trip(
        &pool,
        &ServerCompatResponse {
            host: "127.0.0.1".into(),
            port: 54321,
            pem_cert: b"pem".to_vec(),
        },
    );
}

#[test]
fn conformance_payload_with_any_round_trips_through_the_official_schema() {
    let pool = official_pool();
    round_trip(&pool, &conformance_payload());
    round_trip(
        &pool,
        &UnaryResponse {
            payload: Some(conformance_payload()),
        },
    );
    round_trip(&pool, &unary_request());
}

#[test]
fn client_side_messages_round_trip_through_the_official_schema() {
    let pool = official_pool();
    let request = ClientCompatRequest {
        test_name: "Basic/HTTPVersion:2/Protocol:PROTOCOL_CONNECT".into(),
        http_version: HttpVersion::Http1,
        protocol: Protocol::Connect,
        codec: Codec::Json,
        compression: Compression::Identity,
        host: "localhost".into(),
        port: 8080,
        server_tls_cert: vec![1, 2, 3],
        client_tls_creds: Some(TlsCreds {
            cert: vec![4],
            key: vec![5],
        }),
        message_receive_limit: 1,
        service: Some("connectrpc.conformance.v1.ConformanceService".into()),
        method: Some(String::new()),
        stream_type: StreamType::FullDuplexBidiStream,
        use_get_http_method: true,
        request_headers: vec![header("x-a", &["b"])],
        request_messages: vec![Any::pack(&unary_request())],
        timeout_ms: Some(0),
        request_delay_ms: 7,
        cancel: Some(ClientCompatRequestCancel {
            cancel_timing: Some(ClientCompatRequestCancelTiming::BeforeCloseSend(Empty {})),
        }),
        raw_request: Some(RawHttpRequest {
            verb: "GET".into(),
            uri: "/connectrpc.conformance.v1.ConformanceService/IdempotentUnary".into(),
            headers: vec![],
            raw_query_params: vec![header("connect", &["v1"])],
            encoded_query_params: vec![RawHttpRequestEncodedQueryParam {
                name: "message".into(),
                value: Some(MessageContents {
                    data: Some(MessageContentsData::BinaryMessage(Any::pack(
                        &IdempotentUnaryRequest {
                            response_definition: None,
                            request_data: b"query".to_vec(),
                        },
                    ))),
                    compression: Compression::Identity,
                }),
                base64_encode: true,
            }],
            body: Some(RawHttpRequestBody::Unary(MessageContents {
                data: Some(MessageContentsData::Binary(vec![0; 5])),
                compression: Compression::Unspecified,
            })),
        }),
    };
    round_trip(&pool, &request);
    for timing in [
        ClientCompatRequestCancelTiming::AfterCloseSendMs(0),
        ClientCompatRequestCancelTiming::AfterNumResponses(3),
    ] {
        round_trip(
            &pool,
            &ClientCompatRequestCancel {
                cancel_timing: Some(timing),
            },
        );
    }
    round_trip(
        &pool,
        &ClientCompatResponse {
            test_name: "t".into(),
            result: Some(ClientCompatResponseResult::Response(ClientResponseResult {
                response_headers: vec![header("h", &["v"])],
                payloads: vec![conformance_payload()],
                error: Some(Error {
                    code: Code::Unauthenticated,
                    message: None,
                    details: vec![],
                }),
                response_trailers: vec![],
                num_unsent_requests: -1,
                http_status_code: Some(0),
                feedback: vec!["looks fine".into()],
            })),
        },
    );
    round_trip(
        &pool,
        &ClientCompatResponse {
            test_name: String::new(),
            result: Some(ClientCompatResponseResult::Error(ClientErrorResult {
                message: "unsupported".into(),
            })),
        },
    );
    let raw: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        r#"{"code": "unavailable", "message": "down", "details": [{"n": 1.5}, null, true]}"#,
    )
    .unwrap();
    round_trip(
        &pool,
        &WireDetails {
            actual_status_code: 503,
            connect_error_raw: Some(Struct::from(raw)),
            actual_http_trailers: vec![header("grpc-status", &["14"])],
            actual_grpcweb_trailers: Some("grpc-status: 14\r\n".into()),
        },
    );
}

#[test]
fn suite_and_config_round_trip_through_the_official_schema() {
    let pool = official_pool();
    round_trip(
        &pool,
        &TestSuite {
            name: "suite".into(),
            mode: TestSuiteTestMode::Server,
            test_cases: vec![TestCase {
                request: Some(ClientCompatRequest {
                    test_name: "case".into(),
                    stream_type: StreamType::Unary,
                    ..ClientCompatRequest::default()
                }),
                expand_requests: vec![
                    TestCaseExpandedSize {
                        size_relative_to_limit: Some(-4),
                    },
                    TestCaseExpandedSize {
                        size_relative_to_limit: None,
                    },
                ],
                expected_response: Some(ClientResponseResult::default()),
                other_allowed_error_codes: vec![Code::Canceled, Code::DeadlineExceeded],
            }],
            relevant_protocols: vec![Protocol::Grpc, Protocol::GrpcWeb],
            relevant_http_versions: vec![HttpVersion::Http3],
            relevant_codecs: vec![Codec::Proto, Codec::Text],
            relevant_compressions: vec![Compression::Zstd, Compression::Snappy],
            connect_version_mode: TestSuiteConnectVersionMode::Require,
            relies_on_tls: true,
            relies_on_tls_client_certs: false,
            relies_on_connect_get: true,
            relies_on_message_receive_limit: true,
        },
    );
    round_trip(
        &pool,
        &Config {
            features: Some(Features {
                versions: vec![HttpVersion::Http1, HttpVersion::Http2],
                protocols: vec![Protocol::Connect],
                codecs: vec![Codec::Json],
                compressions: vec![Compression::Br, Compression::Deflate],
                stream_types: vec![StreamType::ClientStream, StreamType::HalfDuplexBidiStream],
                supports_h2c: Some(false),
                supports_tls: Some(true),
                supports_tls_client_certs: None,
                supports_trailers: Some(false),
                supports_half_duplex_bidi_over_http1: Some(true),
                supports_connect_get: None,
                supports_message_receive_limit: Some(false),
            }),
            include_cases: vec![ConfigCase {
                version: HttpVersion::Http2,
                protocol: Protocol::GrpcWeb,
                codec: Codec::Proto,
                compression: Compression::Gzip,
                stream_type: StreamType::ServerStream,
                use_tls: Some(false),
                use_tls_client_certs: None,
                use_message_receive_limit: Some(true),
            }],
            exclude_cases: vec![ConfigCase::default()],
        },
    );
    round_trip(
        &pool,
        &StreamResponseDefinition {
            response_headers: vec![],
            response_data: vec![vec![], b"two".to_vec()],
            response_delay_ms: 1,
            error: Some(Error {
                code: Code::Aborted,
                message: Some("no".into()),
                details: vec![Any::pack(&conformance_payload())],
            }),
            response_trailers: vec![header("t", &[])],
            raw_response: None,
        },
    );
    round_trip(
        &pool,
        &BidiStreamRequest {
            response_definition: None,
            full_duplex: true,
            request_data: vec![1],
        },
    );
    round_trip(&pool, &UnimplementedRequest {});
}
