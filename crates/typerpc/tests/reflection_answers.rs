//! The reflection logic on a schema over several packages: what it lists,
//! finds and sends, checked by decoding what it serves with prost-reflect
//! and against what protox compiles from the written `.proto` files.

#[path = "common/shop.rs"]
mod shop;

use std::sync::Arc;

use prost::Message as _;
use prost_reflect::DescriptorPool;
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use typerpc::reflection::v1::{
    ExtensionRequest, MessageRequest, MessageResponse, ServerReflectionRequest,
};
use typerpc::reflection::{v1alpha, ReflectionIndex, ReflectionSession};
use typerpc::schema::{write_proto_files, SchemaBuilder, SchemaSet};
use typerpc::service::Service;
use typerpc::Code;

/// The shop service plus health and reflection, as a server would index it.
fn schema() -> SchemaSet {
    let mut builder = SchemaBuilder::new();
    builder.add_service(shop::ShopService::schema());
    for service in typerpc::reflection::standard_services() {
        builder.add_service(service);
    }
    builder.build().expect("schema")
}

fn session() -> ReflectionSession {
    ReflectionSession::new(Arc::new(ReflectionIndex::new(&schema())))
}

fn ask(session: &mut ReflectionSession, request: MessageRequest) -> MessageResponse {
    let response = session
        .answer(ServerReflectionRequest {
            host: "localhost".into(),
            message_request: Some(request.clone()),
        })
        .expect("answered");
    assert_eq!(response.valid_host, "localhost");
    assert_eq!(
        response.original_request.and_then(|r| r.message_request),
        Some(request)
    );
    response.message_response.expect("a response")
}

/// The decoded files of a file descriptor response.
fn files(response: MessageResponse) -> Vec<FileDescriptorProto> {
    match response {
        MessageResponse::FileDescriptorResponse(files) => files
            .file_descriptor_proto
            .iter()
            .map(|bytes| FileDescriptorProto::decode(bytes.as_slice()).expect("a descriptor"))
            .collect(),
        other => panic!("expected files, got {other:?}"),
    }
}

fn names(files: &[FileDescriptorProto]) -> Vec<&str> {
    files.iter().map(|f| f.name()).collect()
}

fn error_code(response: MessageResponse) -> (i32, String) {
    match response {
        MessageResponse::ErrorResponse(e) => (e.error_code, e.error_message),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn lists_every_service_sorted() {
    let MessageResponse::ListServicesResponse(list) =
        ask(&mut session(), MessageRequest::ListServices("*".into()))
    else {
        panic!("expected a list");
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
            "shop.v1.ShopService",
        ]
    );
}

#[test]
fn a_service_comes_with_its_dependencies_and_decodes_into_a_pool() {
    let served = files(ask(
        &mut session(),
        MessageRequest::FileContainingSymbol("shop.v1.ShopService".into()),
    ));
    assert_eq!(
        names(&served),
        [
            "shop/v1/shop.proto",
            "google/protobuf/timestamp.proto",
            "shop/common/v1/common.proto",
        ]
    );
    let pool = DescriptorPool::from_file_descriptor_set(FileDescriptorSet { file: served })
        .expect("prost-reflect accepts what reflection serves");
    let service = pool.get_service_by_name("shop.v1.ShopService").unwrap();
    let method = service.methods().next().unwrap();
    assert_eq!(method.name(), "GetOrder");
    assert_eq!(method.input().full_name(), "shop.v1.GetOrderRequest");
    let order = method.output();
    assert_eq!(order.full_name(), "shop.v1.Order");
    let total = order.get_field_by_name("total").unwrap();
    assert_eq!(
        total.kind().as_message().unwrap().full_name(),
        "shop.common.v1.Money"
    );
    assert!(pool.get_message_by_name("shop.v1.Order.Line").is_some());
    assert!(pool.get_enum_by_name("shop.common.v1.Currency").is_some());
}

#[test]
fn each_file_is_sent_once_per_stream_except_the_one_asked_for() {
    let mut stream = session();
    let first = files(ask(
        &mut stream,
        MessageRequest::FileByFilename("shop/v1/shop.proto".into()),
    ));
    assert_eq!(first.len(), 3);
    let again = files(ask(
        &mut stream,
        MessageRequest::FileByFilename("shop/v1/shop.proto".into()),
    ));
    assert_eq!(names(&again), ["shop/v1/shop.proto"]);
    let dependency = files(ask(
        &mut stream,
        MessageRequest::FileContainingSymbol("shop.common.v1.Money".into()),
    ));
    assert_eq!(names(&dependency), ["shop/common/v1/common.proto"]);
    // A new stream starts afresh.
    let fresh = files(ask(
        &mut session(),
        MessageRequest::FileByFilename("shop/v1/shop.proto".into()),
    ));
    assert_eq!(fresh.len(), 3);
}

#[test]
fn finds_every_kind_of_symbol() {
    let cases = [
        ("shop.v1.ShopService.GetOrder", "shop/v1/shop.proto"),
        ("shop.v1.Order", "shop/v1/shop.proto"),
        (".shop.v1.Order", "shop/v1/shop.proto"),
        ("shop.v1.Order.Line", "shop/v1/shop.proto"),
        ("shop.v1.Order.Line.sku", "shop/v1/shop.proto"),
        ("shop.v1.Order.placed_at", "shop/v1/shop.proto"),
        ("shop.common.v1.Currency", "shop/common/v1/common.proto"),
        ("shop.common.v1.CURRENCY_EUR", "shop/common/v1/common.proto"),
        (
            "google.protobuf.Timestamp",
            "google/protobuf/timestamp.proto",
        ),
        (
            "grpc.health.v1.HealthCheckResponse.SERVING",
            "grpc/health/v1/health.proto",
        ),
        (
            "grpc.reflection.v1.ServerReflectionRequest.message_request",
            "grpc/reflection/v1/reflection.proto",
        ),
    ];
    for (symbol, file) in cases {
        let served = files(ask(
            &mut session(),
            MessageRequest::FileContainingSymbol(symbol.into()),
        ));
        assert_eq!(served[0].name(), file, "{symbol}");
    }
}

#[test]
fn unknown_names_are_not_found_and_the_stream_goes_on() {
    let mut stream = session();
    let not_found = Code::NotFound as i32;
    for request in [
        MessageRequest::FileContainingSymbol("shop.v1.Nope".into()),
        MessageRequest::FileContainingSymbol("shop.common.v1.Currency.CURRENCY_EUR".into()),
        MessageRequest::FileByFilename("shop/v2/shop.proto".into()),
        MessageRequest::FileContainingExtension(ExtensionRequest {
            containing_type: "shop.v1.Order".into(),
            extension_number: 100,
        }),
        MessageRequest::AllExtensionNumbersOfType("shop.v1.Nope".into()),
        MessageRequest::AllExtensionNumbersOfType("shop.v1.ShopService".into()),
    ] {
        let (code, message) = error_code(ask(&mut stream, request.clone()));
        assert_eq!(code, not_found, "{request:?}: {message}");
        assert!(!message.is_empty());
    }
    assert!(matches!(
        ask(&mut stream, MessageRequest::ListServices(String::new())),
        MessageResponse::ListServicesResponse(_)
    ));
}

#[test]
fn a_message_has_no_extension_numbers() {
    match ask(
        &mut session(),
        MessageRequest::AllExtensionNumbersOfType("shop.v1.Order".into()),
    ) {
        MessageResponse::AllExtensionNumbersResponse(numbers) => {
            assert_eq!(numbers.base_type_name, "shop.v1.Order");
            assert!(numbers.extension_number.is_empty());
        }
        other => panic!("expected extension numbers, got {other:?}"),
    }
}

#[test]
fn a_request_without_a_question_ends_the_stream() {
    let status = session()
        .answer(ServerReflectionRequest {
            host: String::new(),
            message_request: None,
        })
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[test]
fn v1alpha_answers_like_v1() {
    let response = session()
        .answer_v1alpha(v1alpha::ServerReflectionRequest {
            host: "h".into(),
            message_request: Some(v1alpha::MessageRequest::FileContainingSymbol(
                "shop.v1.Order".into(),
            )),
        })
        .unwrap();
    assert_eq!(response.valid_host, "h");
    let Some(v1alpha::MessageResponse::FileDescriptorResponse(files)) = response.message_response
    else {
        panic!("expected files");
    };
    assert_eq!(files.file_descriptor_proto.len(), 3);
}

#[test]
fn what_reflection_serves_equals_what_was_written() {
    let set = schema();
    let dir = std::env::temp_dir().join(format!("typerpc-reflection-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = write_proto_files(&set, &dir).unwrap();
    let compiled = protox::compile(&written, [&dir]).expect("protox compiles the written files");
    let _ = std::fs::remove_dir_all(&dir);

    let mut stream = session();
    let mut checked = 0;
    let mut commented = 0;
    for file in set.files() {
        let mut served = files(ask(
            &mut stream,
            MessageRequest::FileByFilename(file.path.clone()),
        ));
        let expected = if file.is_well_known() {
            typerpc::reflection::well_known_files()[&file.path].clone()
        } else {
            let mut compiled = compiled
                .file
                .iter()
                .find(|f| f.name() == file.path)
                .unwrap_or_else(|| panic!("{} was not written", file.path))
                .clone();
            // The comments served are those of the written file, where
            // the written file has them.
            let theirs = compiled
                .source_code_info
                .take()
                .expect("protox keeps source info");
            let ours = served[0]
                .source_code_info
                .take()
                .expect("served with source info");
            for location in &ours.location {
                let written = theirs
                    .location
                    .iter()
                    .find(|l| l.path == location.path)
                    .unwrap_or_else(|| panic!("{}: nothing at {:?}", file.path, location.path));
                assert_eq!(location.span, written.span, "{}", file.path);
                assert_eq!(location.leading_comments, written.leading_comments);
                assert_eq!(location.trailing_comments, written.trailing_comments);
                commented += usize::from(location.leading_comments.is_some());
            }
            compiled
        };
        assert_eq!(served[0], expected, "{}", file.path);
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} files");
    assert!(
        commented >= 3,
        "only {commented} documented definitions served"
    );
}
