//! Validation end to end: every kind of constraint with the exact
//! violations, `msg.validate()`, and the `invalid_argument` +
//! `google.rpc.BadRequest` answer on gRPC (tonic), gRPC-Web and Connect
//! (JSON and binary), decoded with definitions we did not write; the
//! handler never runs. Interop: a Python grpcio client and `buf curl`.

mod common;
#[path = "common/validation.rs"]
mod fixtures;

use std::process::Command;
use std::sync::atomic::Ordering;

use base64::Engine;
use bytes::Bytes;
use common::server::TestServer;
use fixtures::*;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use typerpc::validate::{BadRequest, Violation};
use typerpc::{Message, Server};

/// `google.rpc.Status` and `google.rpc.BadRequest` as googleapis defines
/// them, through prost's own derive.
mod googleapis {
    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct Status {
        #[prost(int32, tag = "1")]
        pub code: i32,
        #[prost(string, tag = "2")]
        pub message: String,
        #[prost(message, repeated, tag = "3")]
        pub details: Vec<prost_types::Any>,
    }
    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct BadRequest {
        #[prost(message, repeated, tag = "1")]
        pub field_violations: Vec<FieldViolation>,
    }
    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct FieldViolation {
        #[prost(string, tag = "1")]
        pub field: String,
        #[prost(string, tag = "2")]
        pub description: String,
        #[prost(string, tag = "3")]
        pub reason: String,
    }
}

fn triples(violations: &[Violation]) -> Vec<(&str, &str, &str)> {
    violations
        .iter()
        .map(|v| (v.field(), v.rule(), v.description()))
        .collect()
}

fn decoded(bad: &googleapis::BadRequest) -> Vec<(String, String, String)> {
    bad.field_violations
        .iter()
        .map(|v| (v.field.clone(), v.description.clone(), v.reason.clone()))
        .collect()
}

/// The `google.rpc.Status` bytes of an error: its one detail must be a
/// BadRequest with the expected violations.
fn check_rpc_status(bytes: &[u8]) {
    let status = <googleapis::Status as prost::Message>::decode(bytes).unwrap();
    assert_eq!(status.code, 3);
    assert_eq!(status.details.len(), 1);
    assert_eq!(
        status.details[0].type_url,
        "type.googleapis.com/google.rpc.BadRequest"
    );
    let bad =
        <googleapis::BadRequest as prost::Message>::decode(&status.details[0].value[..]).unwrap();
    assert_eq!(decoded(&bad), expected_field_violations());
}

fn expected_message() -> String {
    let listed: Vec<String> = EXPECTED
        .iter()
        .map(|(f, _, d)| format!("{f}: {d}"))
        .collect();
    format!("invalid request: {}", listed.join("; "))
}

#[test]
fn every_constraint_kind_reports_exactly_its_violations() {
    assert_eq!(valid_order().validate(), Ok(()));
    let error = invalid_order().validate().unwrap_err();
    assert_eq!(triples(error.violations()), EXPECTED);
    assert_eq!(error.omitted(), 0);
    let status = error.into_status();
    assert_eq!(status.code(), typerpc::Code::InvalidArgument);
    assert_eq!(status.message(), expected_message());
    let detail: BadRequest = status.detail().unwrap();
    assert_eq!(detail.field_violations.len(), EXPECTED.len());
}

#[test]
fn oneof_members_take_their_own_constraints_and_nest() {
    let mut order = valid_order();
    order.contact = Some(Contact::Mail("x".into()));
    let error = order.validate().unwrap_err();
    assert_eq!(
        triples(error.violations()),
        [("mail", "email", "must be a valid email address")]
    );
    order.contact = Some(Contact::Phone("12a".into()));
    let error = order.validate().unwrap_err();
    assert_eq!(
        triples(error.violations()),
        [
            ("phone", "min_len", "must be at least 7 characters long"),
            ("phone", "pattern", "must match the pattern `^[0-9+ ]+$`"),
        ]
    );
    order.contact = Some(Contact::Seller(Item {
        sku: String::new(),
        price: f64::NAN,
    }));
    let error = order.validate().unwrap_err();
    assert_eq!(
        triples(error.violations()),
        [
            ("seller.sku", "min_len", "must be at least 1 character long"),
            ("seller.price", "gt", "must be greater than 0"),
            (
                "seller.price",
                "finite",
                "must be a finite number (not NaN or infinite)"
            ),
        ]
    );
}

#[test]
fn absent_optional_values_are_not_checked_and_defined_enums_pass() {
    let mut order = valid_order();
    order.nick = None;
    order.tier = Tier::Unspecified;
    assert_eq!(order.validate(), Ok(()));
}

#[test]
fn violations_are_capped_and_counted() {
    let mut order = valid_order();
    order.products = (0..100).map(|_| Item::default()).collect();
    let error = order.validate().unwrap_err();
    assert_eq!(error.len(), typerpc::validate::MAX_VIOLATIONS);
    assert_eq!(error.len() + error.omitted(), 200);
    assert!(error.to_string().ends_with("; and 136 more"));
}

#[test]
fn the_proto_documents_the_constraints() {
    let router = typerpc::Router::new().add(OrderService::default());
    let set = router.schema().unwrap();
    let file = set
        .files()
        .iter()
        .find(|f| f.path.starts_with("validation/"))
        .unwrap();
    let text = set.proto_text(file);
    for line in [
        "  // Validation: min_len = 1, max_len = 8.\n  string name = 1;",
        "  // Validation: pattern = \"^[a-z]+$\".\n  string slug = 3;",
        "  // Validation: ge = 1, le = 100.\n  int32 limit = 10;",
        "  // Validation: not_in = [\"admin\", \"root\"].",
        "  // Validation: min_items = 1, max_items = 3, items(max_len = 3).",
        "  // Validation: keys(min_len = 2), values(ge = 0).",
        "  // Validation: required.\n  oneof contact {",
        "    // Validation: email.\n    string mail = ",
        "  // Validation: validate_with = check_even.",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // protox accepts it.
    let dir = common::peers::proto_dir(&router, "validation-protox");
    protox::compile([&file.path], [&dir]).unwrap();
}

// ---------------------------------------------------------------------------
// Over the wire.

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn start() -> (TestServer, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let service = OrderService::default();
    let calls = service.calls.clone();
    (
        TestServer::start_with(Server::new().add(service)).await,
        calls,
    )
}

const PATH: &str = "/validation.v1.OrderService/Place";

async fn post(
    client: &HttpClient,
    url: String,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, http::HeaderMap, Bytes, Option<http::HeaderMap>) {
    let request = Request::post(url)
        .header("content-type", content_type)
        .header("te", "trailers")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned();
    (status, headers, collected.to_bytes(), trailers)
}

fn connect_details(body: &[u8]) {
    let error: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(error["code"], "invalid_argument");
    assert_eq!(error["message"], expected_message());
    let detail = &error["details"][0];
    assert_eq!(detail["type"], "google.rpc.BadRequest");
    let value = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(detail["value"].as_str().unwrap())
        .unwrap();
    let bad = <googleapis::BadRequest as prost::Message>::decode(&value[..]).unwrap();
    assert_eq!(decoded(&bad), expected_field_violations());
}

#[tokio::test]
async fn connect_json_and_binary_answer_400_with_bad_request() {
    let (server, calls) = start().await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let json = invalid_order().to_json().unwrap().into_bytes();
    let (status, _, body, _) = post(&client, server.url(PATH), "application/json", json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    connect_details(&body);

    let binary = invalid_order().encode_to_vec();
    let (status, _, body, _) = post(&client, server.url(PATH), "application/proto", binary).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    connect_details(&body);

    // A valid order reaches the handler; the invalid ones did not.
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let json = valid_order().to_json().unwrap().into_bytes();
    let (status, _, body, _) = post(&client, server.url(PATH), "application/json", json).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn grpc_web_carries_the_detail_in_its_trailer_frame() {
    let (server, calls) = start().await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let message = invalid_order().encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    let (status, headers, body, _) = post(
        &client,
        server.url(PATH),
        "application/grpc-web+proto",
        framed,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // An error before any message: a trailers-only response puts the
    // status in the headers; otherwise it is in the trailer frame.
    let mut details = None;
    let mut code = None;
    if body.is_empty() {
        code = headers
            .get("grpc-status")
            .map(|v| v.to_str().unwrap().to_string());
        details = headers
            .get("grpc-status-details-bin")
            .map(|v| v.to_str().unwrap().to_string());
    } else {
        assert_eq!(body[0], 0x80, "a trailer frame only");
        let trailer = String::from_utf8(body[5..].to_vec()).unwrap();
        for line in trailer.split("\r\n") {
            if let Some((name, value)) = line.split_once(':') {
                match name.trim() {
                    "grpc-status" => code = Some(value.trim().to_string()),
                    "grpc-status-details-bin" => details = Some(value.trim().to_string()),
                    _ => {}
                }
            }
        }
    }
    assert_eq!(code.as_deref(), Some("3"));
    let details = details.expect("grpc-status-details-bin");
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(details.trim_end_matches('='))
        .unwrap();
    check_rpc_status(&bytes);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn grpc_through_tonic_gets_invalid_argument_with_bad_request() {
    use tonic::codegen::http::uri::PathAndQuery;
    use tonic_prost::ProstCodec;

    let (server, calls) = start().await;
    let channel = tonic::transport::Endpoint::from_shared(server.url(""))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.unwrap();
    let status = client
        .unary(
            tonic::Request::new(invalid_order()),
            PathAndQuery::from_static(PATH),
            ProstCodec::<Order, Receipt>::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(status.message(), expected_message());
    check_rpc_status(status.details());
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    client.ready().await.unwrap();
    let reply = client
        .unary(
            tonic::Request::new(valid_order()),
            PathAndQuery::from_static(PATH),
            ProstCodec::<Order, Receipt>::default(),
        )
        .await
        .unwrap();
    assert!(reply.into_inner().accepted);
}

// ---------------------------------------------------------------------------
// Peers we did not write.

/// googleapis' `google/rpc/error_details.proto`, the part a client needs.
const ERROR_DETAILS_PROTO: &str = r#"syntax = "proto3";
package google.rpc;
message BadRequest {
  message FieldViolation {
    string field = 1;
    string description = 2;
    string reason = 3;
    LocalizedMessage localized_message = 4;
  }
  repeated FieldViolation field_violations = 1;
}
message LocalizedMessage { string locale = 1; string message = 2; }
"#;

const RPC_STATUS_PROTO: &str = r#"syntax = "proto3";
package google.rpc;
import "google/protobuf/any.proto";
message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
"#;

const PYTHON_CLIENT: &str = r#"
import sys, json, grpc
sys.path.insert(0, sys.argv[1])
from validation.v1 import validation_pb2, validation_pb2_grpc
from google.rpc import status_pb2, error_details_pb2

stub = validation_pb2_grpc.OrderServiceStub(grpc.insecure_channel(sys.argv[2]))
order = validation_pb2.Order(limit=0, name="", tags=["abcd"], products=[validation_pb2.Item(sku="", price=1.0)])
try:
    stub.Place(order)
    raise SystemExit("Place accepted an invalid order")
except grpc.RpcError as e:
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
    details = dict(e.trailing_metadata())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(details)
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad), status.details[0].type_url
    print(json.dumps([[v.field, v.description, v.reason] for v in bad.field_violations]))
"#;

#[tokio::test]
async fn python_grpcio_decodes_the_bad_request() {
    let Some(python) = common::peers::peer("python") else {
        return;
    };
    let (server, _) = start().await;
    let router = typerpc::Router::new().add(OrderService::default());
    let schema = common::peers::proto_dir(&router, "validation-grpcio");
    std::fs::create_dir_all(schema.join("google/rpc")).unwrap();
    std::fs::write(schema.join("google/rpc/status.proto"), RPC_STATUS_PROTO).unwrap();
    std::fs::write(
        schema.join("google/rpc/error_details.proto"),
        ERROR_DETAILS_PROTO,
    )
    .unwrap();
    let out = schema.join("py");
    std::fs::create_dir_all(&out).unwrap();
    let generate = Command::new(&python)
        .args(["-m", "grpc_tools.protoc", "-I"])
        .arg(&schema)
        .arg(format!("--python_out={}", out.display()))
        .arg(format!("--grpc_python_out={}", out.display()))
        .args([
            "validation/v1/validation.proto",
            "google/rpc/status.proto",
            "google/rpc/error_details.proto",
        ])
        .output()
        .unwrap();
    assert!(
        generate.status.success(),
        "protoc: {}",
        String::from_utf8_lossy(&generate.stderr)
    );
    let script = schema.join("client.py");
    std::fs::write(&script, PYTHON_CLIENT).unwrap();
    let addr = server.addr.to_string();
    let mut command = Command::new(python);
    command.arg(&script).arg(&out).arg(addr);
    let output = common::peers::run_peer(command).await;
    let seen: Vec<(String, String, String)> = serde_json::from_slice(&output.stdout).unwrap();
    let at_least_one = "must be at least 1 character long";
    let expected: Vec<(String, String, String)> = [
        ("name", at_least_one, "MIN_LEN"),
        ("limit", "must be greater than or equal to 1", "GE"),
        ("tags[0]", "must be at most 3 characters long", "MAX_LEN"),
        ("products[0].sku", at_least_one, "MIN_LEN"),
        ("primary", "is required", "REQUIRED"),
        ("contact", "is required", "REQUIRED"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    // Python's defaults also break `len`, `email`, ...: compare the ones
    // it set on purpose, and check nothing else is missing or extra.
    for e in &expected {
        assert!(seen.contains(e), "missing {e:?} in {seen:?}");
    }
    assert_eq!(seen, peer_order_violations());
}

/// The order the peers send (set fields plus their defaults) and what
/// they must be told about it.
fn peer_order_violations() -> Vec<(String, String, String)> {
    let order = Order {
        tags: vec!["abcd".into()],
        products: vec![Item {
            sku: String::new(),
            price: 1.0,
        }],
        ..Order::default()
    };
    order
        .validate()
        .unwrap_err()
        .iter()
        .map(|v| {
            (
                v.field().to_string(),
                v.description().to_string(),
                v.reason(),
            )
        })
        .collect()
}

/// connect-node, with a registry built from the descriptors typerpc serves
/// (BadRequest registered), decodes the detail itself.
#[tokio::test]
async fn connect_node_decodes_the_bad_request() {
    let Some(node_dir) = common::peers::peers_dir()
        .map(|bin| bin.join("../../node"))
        .filter(|d| d.join("node_modules/@connectrpc/connect-node").exists())
    else {
        let _ = common::peers::peer("connect-node (npm)");
        return;
    };
    let (server, _) = start().await;
    let router = typerpc::Router::new()
        .add(OrderService::default())
        .register_type::<BadRequest>();
    let set = router.schema().unwrap().file_descriptor_set();
    let fds = node_dir.join(format!("validation-{}.binpb", std::process::id()));
    std::fs::write(&fds, prost::Message::encode_to_vec(&set)).unwrap();
    let script = node_dir.join("connect_validation.mjs");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/connect_validation.mjs"
        ),
        &script,
    )
    .unwrap();
    for (http, binary) in [("1.1", "0"), ("2", "1")] {
        let mut command = Command::new("node");
        command
            .arg(&script)
            .arg(&fds)
            .arg(server.url(""))
            .arg(http)
            .arg(binary);
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "http {http}, binary {binary}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let seen: Vec<(String, String, String)> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            seen,
            peer_order_violations(),
            "http {http}, binary {binary}"
        );
    }
    let _ = std::fs::remove_file(fds);
}

#[tokio::test]
async fn buf_curl_receives_the_bad_request_on_every_protocol() {
    let Some(buf) = common::peers::peer("buf") else {
        return;
    };
    let (server, _) = start().await;
    let router = typerpc::Router::new()
        .add(OrderService::default())
        .register_type::<BadRequest>();
    let schema = common::peers::proto_dir(&router, "validation-buf");
    let body = String::from_utf8(invalid_order().to_json().unwrap().into_bytes()).unwrap();
    for (protocol, extra) in [
        ("connect", None),
        ("grpc", Some("--http2-prior-knowledge")),
        ("grpcweb", None),
    ] {
        let mut command = Command::new(&buf);
        command
            .arg("curl")
            .arg("--schema")
            .arg(&schema)
            .arg("--protocol")
            .arg(protocol);
        command.args(extra);
        command.args(["-d", &body]).arg(server.url(PATH));
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert!(!output.status.success());
        let error: serde_json::Value = serde_json::from_slice(&output.stderr)
            .unwrap_or_else(|_| panic!("{protocol}: {}", String::from_utf8_lossy(&output.stderr)));
        assert_eq!(error["code"], "invalid_argument", "{protocol}");
        let detail = &error["details"][0];
        assert_eq!(
            detail["type"], "google.rpc.BadRequest",
            "{protocol}: {error}"
        );
        // buf curl prints the detail's bytes as it received them.
        let value = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(detail["value"].as_str().unwrap().trim_end_matches('='))
            .unwrap();
        let bad = <googleapis::BadRequest as prost::Message>::decode(&value[..]).unwrap();
        let seen = decoded(&bad);
        assert_eq!(seen, expected_field_violations(), "{protocol}");
    }
}

#[tokio::test]
async fn our_client_refuses_an_invalid_request_before_sending_unless_told_not_to() {
    let (server, calls) = start().await;
    for protocol in [
        typerpc::client::Protocol::Grpc,
        typerpc::client::Protocol::GrpcWeb,
        typerpc::client::Protocol::Connect,
    ] {
        let checking = OrderServiceClient::new(
            typerpc::Client::builder(&server.url(""))
                .protocol(protocol)
                .build()
                .unwrap(),
        );
        let sent = calls.load(std::sync::atomic::Ordering::SeqCst);
        let status = checking.place(invalid_order()).await.unwrap_err();
        assert_eq!(
            status.code(),
            typerpc::Code::InvalidArgument,
            "{protocol:?}"
        );
        assert_eq!(status.message(), expected_message(), "{protocol:?}");
        let bad = status.detail::<typerpc::validate::BadRequest>().unwrap();
        assert_eq!(
            bad.field_violations.len(),
            expected_field_violations().len()
        );
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), sent);
        assert!(checking.place(valid_order()).await.unwrap().accepted);

        // Nothing goes on the wire: against a port nobody listens on, the
        // check still answers, where a sent call would be `unavailable`.
        let nowhere = OrderServiceClient::new(
            typerpc::Client::builder("http://127.0.0.1:9")
                .protocol(protocol)
                .build()
                .unwrap(),
        );
        let status = nowhere.place(invalid_order()).await.unwrap_err();
        assert_eq!(
            status.code(),
            typerpc::Code::InvalidArgument,
            "{protocol:?}"
        );
        let status = nowhere.place(valid_order()).await.unwrap_err();
        assert_eq!(status.code(), typerpc::Code::Unavailable, "{protocol:?}");

        // Switched off, the server answers the same.
        let trusting = OrderServiceClient::new(
            typerpc::Client::builder(&server.url(""))
                .protocol(protocol)
                .validate_requests(false)
                .build()
                .unwrap(),
        );
        let before = calls.load(std::sync::atomic::Ordering::SeqCst);
        let status = trusting.place(invalid_order()).await.unwrap_err();
        assert_eq!(
            status.code(),
            typerpc::Code::InvalidArgument,
            "{protocol:?}"
        );
        assert_eq!(status.message(), expected_message(), "{protocol:?}");
        let bad = status.detail::<typerpc::validate::BadRequest>().unwrap();
        assert_eq!(
            bad.field_violations.len(),
            expected_field_violations().len()
        );
        // The server refused it before the handler ran.
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), before);
    }
}
