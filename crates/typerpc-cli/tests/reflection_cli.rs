//! `typerpc list`, `describe`, `proto --from` and `call` against a typerpc
//! server started in the test.

mod common;

use common::{assert_same_files, compile, proto_files, temp_dir, typerpc};
use typerpc::testing::TestServer;
use typerpc::{service, Message, RequestStream, ResponseStream, Router, Server, Status};

/// Two numbers to add.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "counter.v1")]
pub struct AddRequest {
    #[rpc(le = 1000)]
    pub a: i32,
    pub b: i32,
}

/// A sum.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "counter.v1")]
pub struct Sum {
    pub total: i32,
}

/// Why a request was refused: an error detail.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "counter.v1")]
pub struct Refusal {
    pub reason: String,
}

/// How far to count.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "counter.v1")]
pub struct CountRequest {
    /// The last number sent.
    #[rpc(default = 3, ge = 0)]
    pub up_to: i32,
    pub label: Option<String>,
}

/// One count.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "counter.v1")]
pub struct Tick {
    pub n: i32,
}

pub struct CounterService;

#[service]
impl CounterService {
    /// Adds two numbers; negative ones are refused.
    async fn add(&self, request: AddRequest) -> Result<Sum, Status> {
        if request.a < 0 || request.b < 0 {
            let refusal = Refusal {
                reason: "negative".into(),
            };
            return Err(
                Status::invalid_argument("negative numbers are not counted").with_detail(&refusal)
            );
        }
        Ok(Sum {
            total: request.a + request.b,
        })
    }

    /// Counts from 1 to `up_to`.
    async fn count(&self, request: CountRequest) -> Result<ResponseStream<Tick>, Status> {
        let ticks = (1..=request.up_to).map(|n| Ok(Tick { n }));
        Ok(ResponseStream::new(typerpc::stream::iter(ticks)))
    }

    /// Sums the numbers sent.
    async fn total(&self, mut ticks: RequestStream<Tick>) -> Result<Sum, Status> {
        let mut total = 0;
        while let Some(tick) = ticks.message().await? {
            total += tick.n;
        }
        Ok(Sum { total })
    }

    /// Answers each number with its double.
    async fn double(&self, ticks: RequestStream<Tick>) -> Result<ResponseStream<Tick>, Status> {
        use typerpc::stream::StreamExt;
        Ok(ResponseStream::new(
            ticks.map(|tick| tick.map(|t| Tick { n: t.n * 2 })),
        ))
    }
}

/// The counter service, with its error detail type.
fn counter(router: Router) -> Router {
    router.add(CounterService).register_type::<Refusal>()
}

/// A server with the counter service, and health and reflection as
/// every `Server` has them.
async fn server() -> TestServer {
    TestServer::start_server(Server::new().configure(counter)).await
}

const PROTOCOLS: [&str; 3] = ["grpc", "grpcweb", "connect"];

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_services_then_methods() {
    let server = server().await;
    let url = server.url();
    let services = typerpc(&["list", &url], "").await.ok();
    assert_eq!(
        services.lines(),
        [
            "counter.v1.CounterService",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
        ]
    );
    let methods = typerpc(&["list", &url, "counter.v1.CounterService"], "")
        .await
        .ok();
    assert_eq!(
        methods.lines(),
        [
            "counter.v1.CounterService.Add",
            "counter.v1.CounterService.Count",
            "counter.v1.CounterService.Total",
            "counter.v1.CounterService.Double",
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_prints_proto_syntax() {
    let server = server().await;
    let url = server.url();
    let service = typerpc(&["describe", &url, "counter.v1.CounterService"], "")
        .await
        .ok();
    assert!(
        service
            .stdout
            .starts_with("counter.v1.CounterService is a service:\nservice CounterService {\n"),
        "{}",
        service.stdout
    );
    assert!(
        service
            .stdout
            .contains("  rpc Count ( CountRequest ) returns ( stream Tick );"),
        "{}",
        service.stdout
    );
    let message = typerpc(&["describe", &url, "counter.v1.CountRequest"], "")
        .await
        .ok();
    // The comments of the `.proto` the server writes: docs, validation
    // rules and defaults.
    assert_eq!(
        message.stdout,
        "counter.v1.CountRequest is a message:\n\
         // How far to count.\n\
         message CountRequest {\n\
         \x20 // The last number sent.\n\
         \x20 // Validation: ge = 0.\n\
         \x20 optional int32 up_to = 1; // default: 3\n\
         \x20 optional string label = 2;\n\
         }\n"
    );
    let method = typerpc(&["describe", &url, "counter.v1.CounterService.Total"], "")
        .await
        .ok();
    assert_eq!(
        method.stdout,
        "counter.v1.CounterService.Total is a method:\n\
         // Sums the numbers sent.\n\
         rpc Total ( stream Tick ) returns ( Sum );\n"
    );
    let unknown = typerpc(&["describe", &url, "counter.v1.Nope"], "").await;
    assert_eq!(unknown.code, 1);
    assert_eq!(
        unknown.stderr.trim(),
        format!("typerpc: the server at {url} knows no symbol \"counter.v1.Nope\"")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn proto_from_writes_the_servers_schema() {
    // The schema the server writes itself: its services' files without
    // health and reflection.
    let expected_dir = temp_dir("proto-expected");
    let schema = counter(Router::new()).schema().unwrap();
    typerpc::schema::write_proto_files(&schema, &expected_dir).unwrap();
    let expected_files: Vec<String> = proto_files(&expected_dir)
        .into_iter()
        .filter(|f| !f.starts_with("google/protobuf/"))
        .collect();
    let server = server().await;
    let out = temp_dir("proto-out");
    let run = typerpc(
        &[
            "proto",
            "--from",
            &server.url(),
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    )
    .await
    .ok();
    let written = proto_files(&out);
    assert_eq!(run.lines().len(), written.len(), "{run:#?}");
    assert_eq!(
        written,
        [
            "counter/v1/counter.proto",
            "grpc/health/v1/health.proto",
            "grpc/reflection/v1/reflection.proto",
            "grpc/reflection/v1alpha/reflection.proto",
        ]
    );
    let names: Vec<&str> = expected_files.iter().map(String::as_str).collect();
    assert_same_files(
        &compile(&expected_dir, &expected_files),
        &compile(&out, &written),
        &names,
    );
    // The comments survive: docs, validation rules and defaults sit on the
    // same definitions in the written file as in the server's own.
    let comments = |dir: &std::path::Path| {
        let set = protox::compile(["counter/v1/counter.proto"], [dir]).unwrap();
        let file = set
            .file
            .iter()
            .find(|f| f.name() == "counter/v1/counter.proto")
            .unwrap();
        let mut found: Vec<(Vec<i32>, Option<String>, Option<String>)> = file
            .source_code_info
            .iter()
            .flat_map(|info| &info.location)
            .filter(|l| l.leading_comments.is_some() || l.trailing_comments.is_some())
            .map(|l| {
                (
                    l.path.clone(),
                    l.leading_comments.clone(),
                    l.trailing_comments.clone(),
                )
            })
            .collect();
        found.sort();
        found
    };
    let expected = comments(&expected_dir);
    assert!(expected.len() >= 5, "{expected:?}");
    assert!(expected
        .iter()
        .any(|(_, _, t)| t.as_deref() == Some(" default: 3\n")));
    assert_eq!(comments(&out), expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn call_unary_over_each_protocol() {
    let server = server().await;
    let url = server.url();
    for protocol in PROTOCOLS {
        let run = typerpc(
            &[
                "call",
                &url,
                "counter.v1.CounterService/Add",
                "-d",
                r#"{"a": 2, "b": 3}"#,
                "--protocol",
                protocol,
            ],
            "",
        )
        .await
        .ok();
        assert_eq!(run.stdout, "{\"total\":5}\n", "{protocol}");
    }
    for protocol in ["grpcweb", "connect"] {
        let run = typerpc(
            &[
                "call",
                &url,
                "counter.v1.CounterService/Add",
                "-d",
                r#"{"a": 1}"#,
                "--protocol",
                protocol,
                "--http1",
                "-H",
                "x-trace: 1",
            ],
            "",
        )
        .await
        .ok();
        assert_eq!(run.stdout, "{\"total\":1}\n", "{protocol} over HTTP/1.1");
    }
    let pretty = typerpc(
        &[
            "call",
            &url,
            "counter.v1.CounterService/Add",
            "-d",
            r#"{"a": 1}"#,
            "--pretty",
        ],
        "",
    )
    .await
    .ok();
    assert_eq!(pretty.stdout, "{\n  \"total\": 1\n}\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn call_streams_over_each_protocol() {
    let server = server().await;
    let url = server.url();
    for protocol in PROTOCOLS {
        let ticks = typerpc(
            &[
                "call",
                &url,
                "counter.v1.CounterService/Count",
                "-d",
                r#"{"upTo": 3}"#,
                "--protocol",
                protocol,
            ],
            "",
        )
        .await
        .ok();
        assert_eq!(
            ticks.lines(),
            [r#"{"n":1}"#, r#"{"n":2}"#, r#"{"n":3}"#],
            "{protocol}"
        );
        let inline = typerpc(
            &[
                "call",
                &url,
                "counter.v1.CounterService/Total",
                "-d",
                r#"{"n": 4} {"n": 5}"#,
                "--protocol",
                protocol,
            ],
            "",
        )
        .await
        .ok();
        assert_eq!(inline.stdout, "{\"total\":9}\n", "{protocol}");
        let stdin = typerpc(
            &[
                "call",
                &url,
                "counter.v1.CounterService/Total",
                "-d",
                "@-",
                "--protocol",
                protocol,
            ],
            "{\"n\": 1}\n{\"n\": 2}\n{\"n\": 3}\n",
        )
        .await
        .ok();
        assert_eq!(stdin.stdout, "{\"total\":6}\n", "{protocol}");
    }
    let bidi = typerpc(
        &["call", &url, "counter.v1.CounterService/Double", "-d", "@-"],
        "{\"n\": 1}\n{\"n\": 21}\n",
    )
    .await
    .ok();
    assert_eq!(bidi.lines(), [r#"{"n":2}"#, r#"{"n":42}"#]);
}

#[tokio::test(flavor = "multi_thread")]
async fn call_errors_are_clear() {
    let server = server().await;
    let url = server.url();
    let add = "counter.v1.CounterService/Add";

    let status = typerpc(
        &[
            "call",
            &url,
            add,
            "-d",
            r#"{"a": -1}"#,
            "--protocol",
            "connect",
        ],
        "",
    )
    .await;
    assert_eq!(status.code, 1);
    assert_eq!(
        status.stderr.trim(),
        "typerpc: invalid_argument: negative numbers are not counted\n  counter.v1.Refusal: {\"reason\":\"negative\"}"
    );

    // A validation failure: the standard google.rpc.BadRequest detail is
    // decoded though the server's reflection need not describe it.
    let invalid = typerpc(&["call", &url, add, "-d", r#"{"a": 5000}"#], "").await;
    assert_eq!(invalid.code, 1);
    let mut lines = invalid.stderr.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("typerpc: invalid_argument: "),
        "{invalid:#?}"
    );
    let detail = lines.next().unwrap_or_default();
    let json = detail
        .strip_prefix("  google.rpc.BadRequest: ")
        .unwrap_or_else(|| panic!("{invalid:#?}"));
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(json["fieldViolations"][0]["field"], "a", "{json}");
    assert_eq!(json["fieldViolations"][0]["reason"], "LE", "{json}");

    let unknown = typerpc(&["call", &url, "counter.v1.CounterService/Subtract"], "").await;
    assert_eq!(unknown.code, 1);
    assert_eq!(
        unknown.stderr.trim(),
        "typerpc: unknown method Subtract in service counter.v1.CounterService (it has: Add, Count, Total, Double)"
    );

    let unknown_service = typerpc(&["call", &url, "counter.v1.Nope/Add"], "").await;
    assert_eq!(unknown_service.code, 1);
    assert!(
        unknown_service
            .stderr
            .contains("knows no symbol \"counter.v1.Nope\""),
        "{unknown_service:#?}"
    );

    let bad_json = typerpc(&["call", &url, add, "-d", r#"{"a": 1"#], "").await;
    assert_eq!(bad_json.code, 1);
    assert!(
        bad_json
            .stderr
            .starts_with("typerpc: invalid JSON request: "),
        "{bad_json:#?}"
    );

    let bad_field = typerpc(&["call", &url, add, "-d", r#"{"c": 1}"#], "").await;
    assert_eq!(bad_field.code, 1);
    assert!(
        bad_field
            .stderr
            .starts_with("typerpc: invalid request for counter.v1.AddRequest: "),
        "{bad_field:#?}"
    );

    let bad_stdin = typerpc(
        &["call", &url, "counter.v1.CounterService/Total", "-d", "@-"],
        "{\"n\": 1}\n{\"n\": \"x\"}\n",
    )
    .await;
    assert_eq!(bad_stdin.code, 1);
    assert!(
        bad_stdin
            .stderr
            .contains("invalid request for counter.v1.Tick"),
        "{bad_stdin:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn urls_without_a_scheme_are_http_and_bad_ones_are_named_once() {
    let server = server().await;
    let address = server.url().trim_start_matches("http://").to_string();
    let listed = typerpc(&["list", &address], "").await.ok();
    assert!(
        listed.lines().contains(&"counter.v1.CounterService"),
        "{listed:#?}"
    );
    let bad = typerpc(&["list", "ftp://example.invalid"], "").await;
    assert_eq!(bad.code, 1);
    assert_eq!(
        bad.stderr.trim(),
        "typerpc: the URL \"ftp://example.invalid\" must start with http:// or https://"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_servers_and_servers_without_reflection_are_named() {
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let unreachable = typerpc(&["list", &url], "").await;
    assert_eq!(unreachable.code, 1);
    assert_eq!(
        unreachable.stderr.trim(),
        format!("typerpc: cannot reach {url}: connection refused")
    );

    let server = TestServer::start_server(
        Server::new()
            .configure(|router| router.add(CounterService))
            .without_reflection(),
    )
    .await;
    let url = server.url();
    for args in [
        vec!["list", &url],
        vec!["call", &url, "counter.v1.CounterService/Add"],
    ] {
        let run = typerpc(&args, "").await;
        assert_eq!(run.code, 1);
        assert_eq!(
            run.stderr.trim(),
            format!("typerpc: the server at {url} does not serve reflection (grpc.reflection.v1 or v1alpha)")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_from_describes_the_servers_connect_endpoints() {
    let server = server().await;
    let run = typerpc(&["openapi", "--from", &server.url()], "")
        .await
        .ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    // What reflection serves is what the schema renders, comments
    // included: the same document as the server makes from its own schema
    // model, with its doc comments, constraints and defaults.
    let set = counter(Router::new()).schema().unwrap();
    let expected = typerpc::openapi::document(
        &set,
        &[<CounterService as typerpc::service::Service>::schema()],
        &typerpc::openapi::Info::default(),
    );
    assert_eq!(doc, expected);
    let text = doc.to_string();
    assert!(
        text.contains("The last number sent."),
        "the field's doc comment"
    );
    assert!(
        text.contains("Validation: ge = 0"),
        "the field's constraint"
    );
    assert!(doc["paths"]["/counter.v1.CounterService/Add"]["post"].is_object());
    assert!(
        doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .all(|p| !p.contains("grpc.")),
        "health and reflection are left out"
    );

    let out = temp_dir("openapi-out").join("openapi.json");
    let run = typerpc(
        &[
            "openapi",
            "--from",
            &server.url(),
            "--service",
            "grpc.health.v1.Health",
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    )
    .await
    .ok();
    assert_eq!(run.stdout, "");
    let health: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(health["paths"]["/grpc.health.v1.Health/Check"]["post"].is_object());

    let unknown = typerpc(
        &["openapi", "--from", &server.url(), "--service", "no.Such"],
        "",
    )
    .await;
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("has no service \"no.Such\""),
        "{}",
        unknown.stderr
    );
}
