//! Health checking and reflection on a default `Server`, seen by clients
//! we did not write: grpcurl and `buf curl` with no `.proto` files
//! (reflection only, over each protocol), Python's grpcio health client,
//! plain HTTP probes and Connect JSON.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::peers::peer;
use common::server::{EchoService, ErrorInfo, TestServer};
use common::streaming::StreamService;
use typerpc::health::ServingStatus;
use typerpc::Server;

fn server() -> Server {
    let (stream, _) = StreamService::new();
    Server::new()
        .add(EchoService)
        .add(stream)
        .health_probe("/healthz")
        .configure(|r| r.register_type::<ErrorInfo>())
}

async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || {
        command
            .stdin(Stdio::null())
            .output()
            .expect("the peer runs")
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn grpcurl_lists_describes_and_calls_through_reflection_only() {
    let Some(grpcurl) = peer("grpcurl") else {
        return;
    };
    let server = TestServer::start_with(server()).await;
    let addr = server.addr.to_string();

    let mut list = Command::new(&grpcurl);
    list.args(["-plaintext", &addr, "list"]);
    let services: Vec<String> = stdout(&run(list).await)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        services,
        [
            "echo.v1.EchoService",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
            "stream.v1.StreamService",
        ]
    );

    let mut describe = Command::new(&grpcurl);
    describe.args(["-plaintext", &addr, "describe", "stream.v1.StreamService"]);
    let text = stdout(&run(describe).await);
    assert!(
        text.contains(
            "rpc Double ( stream .stream.v1.Number ) returns ( stream .stream.v1.Number );"
        ),
        "{text}"
    );
    let mut describe = Command::new(&grpcurl);
    describe.args(["-plaintext", &addr, "describe", "echo.v1.EchoRequest"]);
    let text = stdout(&run(describe).await);
    assert!(text.contains("int64 count = 2;"), "{text}");

    let mut call = Command::new(&grpcurl);
    call.args([
        "-plaintext",
        "-d",
        r#"{"text":"refl","count":4}"#,
        &addr,
        "echo.v1.EchoService/Echo",
    ]);
    let body: serde_json::Value = serde_json::from_str(&stdout(&run(call).await)).unwrap();
    assert_eq!(body["text"], "refl");
    assert_eq!(body["count"], "4");

    // An unknown symbol is NOT_FOUND through reflection.
    let mut describe = Command::new(&grpcurl);
    describe.args(["-plaintext", &addr, "describe", "no.such.Thing"]);
    let output = run(describe).await;
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not found"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A request with one constraint.
#[derive(typerpc::Message, Clone, Debug, PartialEq)]
#[rpc(package = "signup.v1")]
pub struct JoinRequest {
    #[rpc(min_len = 1)]
    pub name: String,
}

pub struct SignupService;

#[typerpc::service]
impl SignupService {
    /// Joins.
    async fn join(&self, req: JoinRequest) -> Result<JoinRequest, typerpc::Status> {
        Ok(req)
    }
}

/// The detail a failed validation carries, `google.rpc.BadRequest`, is
/// described by reflection, so grpcurl shows it decoded.
#[tokio::test]
async fn grpcurl_decodes_the_bad_request_detail_of_a_failed_validation() {
    let Some(grpcurl) = peer("grpcurl") else {
        return;
    };
    let server = TestServer::start_with(Server::new().add(SignupService)).await;
    let mut call = Command::new(&grpcurl);
    call.args([
        "-plaintext",
        "-d",
        r#"{"name": ""}"#,
        &server.addr.to_string(),
        "signup.v1.SignupService/Join",
    ]);
    let output = run(call).await;
    assert!(!output.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("InvalidArgument"), "{text}");
    assert!(!text.contains("not recognized"), "{text}");
    assert!(
        text.contains("type.googleapis.com/google.rpc.BadRequest"),
        "{text}"
    );
    assert!(text.contains("fieldViolations"), "{text}");
    assert!(text.contains(r#""field":"name""#), "{text}");
}

#[tokio::test]
async fn buf_curl_lists_services_and_calls_over_every_protocol_without_proto_files() {
    let Some(buf) = peer("buf") else { return };
    let server = TestServer::start_with(server()).await;
    for (protocol, http2) in [("connect", false), ("grpc", true), ("grpcweb", false)] {
        let mut list = Command::new(&buf);
        list.args(["curl", "--protocol", protocol, "--list-services"]);
        if http2 {
            list.arg("--http2-prior-knowledge");
        }
        list.arg(server.url(""));
        let text = stdout(&run(list).await);
        assert!(text.contains("echo.v1.EchoService"), "{protocol}: {text}");
        assert!(text.contains("grpc.health.v1.Health"), "{protocol}: {text}");

        let mut call = Command::new(&buf);
        call.args(["curl", "--protocol", protocol, "-d", r#"{"to": 2}"#]);
        if http2 {
            call.arg("--http2-prior-knowledge");
        }
        call.arg(server.url("/stream.v1.StreamService/Count"));
        let text = stdout(&run(call).await);
        assert!(text.contains("\"n\": 2"), "{protocol}: {text}");
    }
}

const PYTHON_HEALTH: &str = r#"
import sys, threading, time, grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

channel = grpc.insecure_channel(sys.argv[1])
stub = health_pb2_grpc.HealthStub(channel)
S = health_pb2.HealthCheckResponse
assert stub.Check(health_pb2.HealthCheckRequest(service="")).status == S.SERVING
assert stub.Check(health_pb2.HealthCheckRequest(service="echo.v1.EchoService")).status == S.SERVING
try:
    stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"))
    raise SystemExit("unknown service did not fail")
except grpc.RpcError as e:
    assert e.code() == grpc.StatusCode.NOT_FOUND, e.code()

# Watch: the current status, then each change the server makes.
seen = []
watch = stub.Watch(health_pb2.HealthCheckRequest(service="stream.v1.StreamService"))
print("watching", flush=True)
try:
    for response in watch:
        seen.append(S.ServingStatus.Name(response.status))
        print(seen[-1], flush=True)
except grpc.RpcError as e:
    print("ended", e.code().name, flush=True)
"#;

#[tokio::test]
async fn grpcio_health_client_sees_changes_and_not_serving_at_shutdown() {
    let Some(python) = peer("python") else { return };
    let mut server = TestServer::start_with(server()).await;
    let health = reporter_of(&server);
    let script = std::env::temp_dir().join(format!("typerpc-health-{}.py", std::process::id()));
    std::fs::write(&script, PYTHON_HEALTH).unwrap();
    let mut child = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(server.addr.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    async fn next_line(
        lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    ) -> String {
        tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the health client answers in time")
            .unwrap()
            .unwrap_or_default()
    }
    // Fails with the client's stderr if the checks before Watch failed.
    let first = next_line(&mut lines).await;
    if first != "watching" {
        let output = child.wait_with_output().await.unwrap();
        panic!("{first}\n{}", String::from_utf8_lossy(&output.stderr));
    }
    assert_eq!(next_line(&mut lines).await, "SERVING");
    health.set_not_serving("stream.v1.StreamService");
    assert_eq!(next_line(&mut lines).await, "NOT_SERVING");
    health.set_serving("stream.v1.StreamService");
    assert_eq!(next_line(&mut lines).await, "SERVING");
    // Graceful shutdown: NOT_SERVING, then the watch ends.
    server.stop();
    assert_eq!(next_line(&mut lines).await, "NOT_SERVING");
    assert_eq!(next_line(&mut lines).await, "ended UNAVAILABLE");
    let _ = child.wait().await;
    let _ = std::fs::remove_file(script);
}

/// The reporter of the server a test started, shared with the router.
fn reporter_of(server: &TestServer) -> typerpc::health::HealthReporter {
    server
        .health
        .clone()
        .expect("the server serves health checks")
}

#[tokio::test]
async fn http_probes_and_connect_json_health_checks() {
    let mut server = TestServer::start_with(server()).await;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let get = |path: &str| {
        let request = http::Request::get(server.url(path))
            .body(http_body_util::Full::default())
            .unwrap();
        let client = client.clone();
        async move {
            use http_body_util::BodyExt;
            let response = client.request(request).await.unwrap();
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    assert_eq!(get("/healthz").await, (200, "SERVING\n".into()));
    assert_eq!(get("/healthz?service=echo.v1.EchoService").await.0, 200);
    assert_eq!(get("/healthz?service=nope.v1.Nope").await.0, 404);
    let health = reporter_of(&server);
    health.set_status("echo.v1.EchoService", ServingStatus::NotServing);
    assert_eq!(
        get("/healthz?service=echo.v1.EchoService").await,
        (503, "NOT_SERVING\n".into())
    );

    // The health service speaks Connect JSON like any other.
    use http_body_util::BodyExt;
    let request = http::Request::post(server.url("/grpc.health.v1.Health/Check"))
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            br#"{"service":"echo.v1.EchoService"}"#,
        )))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], br#"{"status":"NOT_SERVING"}"#);
    let request = http::Request::post(server.url("/grpc.health.v1.Health/List"))
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(b"{}")))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let body: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["statuses"][""]["status"], "SERVING");
    assert_eq!(
        body["statuses"]["stream.v1.StreamService"]["status"],
        "SERVING"
    );

    // Once shutdown starts the whole server reads NOT_SERVING.
    health.shutdown();
    assert_eq!(get("/healthz").await.0, 503);
    health.resume();
    server.stop();
}

#[tokio::test]
async fn reflection_and_health_can_be_switched_off() {
    let server = TestServer::start_with(server().without_reflection().without_health()).await;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    for path in [
        "/grpc.health.v1.Health/Check",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    ] {
        let request = http::Request::post(server.url(path))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from_static(b"{}")))
            .unwrap();
        let status = client.request(request).await.unwrap().status();
        assert_eq!(status, 404, "{path}");
    }
}
