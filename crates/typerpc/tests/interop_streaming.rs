//! Streaming clients we did not write, against a typerpc server, using
//! only the `.proto` (or descriptors) typerpc wrote: `buf curl` over
//! Connect, gRPC and gRPC-Web with requests from stdin, a Python grpcio
//! stub for every shape, and connect-node over HTTP/1.1 and HTTP/2 in
//! both codecs.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::peers::{node_dir, peer, proto_dir, python_stubs};
use common::server::TestServer;
use common::streaming::*;

fn router() -> typerpc::Router {
    let (service, _) = StreamService::new();
    typerpc::Router::new()
        .add(service)
        .register_type::<StopInfo>()
}

async fn start() -> TestServer {
    let (service, _) = StreamService::new();
    TestServer::start_with(
        typerpc::Server::new()
            .add(service)
            .configure(|r| r.register_type::<StopInfo>()),
    )
    .await
}

/// Runs a command with `stdin` as its input, off the async runtime.
async fn run(mut command: Command, stdin: &str) -> Output {
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the peer runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

/// buf curl prints each response message as a JSON object.
fn json_stream(output: &Output) -> Vec<serde_json::Value> {
    serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter::<serde_json::Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
}

#[tokio::test]
async fn buf_curl_streams_over_every_protocol_from_stdin() {
    let Some(buf) = peer("buf") else { return };
    let server = start().await;
    let schema = proto_dir(&router(), "buf-stream");
    // gRPC needs HTTP/2; Connect and gRPC-Web are tried over both, bidi
    // over HTTP/1.1 being half duplex.
    let runs = [
        ("connect", false),
        ("connect", true),
        ("grpc", true),
        ("grpcweb", false),
        ("grpcweb", true),
    ];
    for (protocol, http2) in runs {
        let curl = |method: &str| {
            let mut command = Command::new(&buf);
            command
                .arg("curl")
                .arg("--schema")
                .arg(&schema)
                .args(["--protocol", protocol]);
            if http2 {
                command.arg("--http2-prior-knowledge");
            }
            command.args(["-d", "@-"]);
            command.arg(server.url(&format!("/stream.v1.StreamService/{method}")));
            command
        };
        let what = format!("{protocol} (http2: {http2})");

        let output = run(curl("Count"), r#"{"to": 3}"#).await;
        assert!(
            output.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            json_stream(&output),
            [
                serde_json::json!({"n": 1}),
                serde_json::json!({"n": 2}),
                serde_json::json!({"n": 3})
            ],
            "{what}"
        );

        let output = run(curl("Sum"), r#"{"value": 1} {"value": "2"} {"value": 39}"#).await;
        assert!(
            output.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            json_stream(&output),
            [serde_json::json!({"sum": "42", "count": 3})],
            "{what}"
        );

        let output = run(curl("Double"), r#"{"value": 4} {"value": 5}"#).await;
        assert!(
            output.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            json_stream(&output),
            [
                serde_json::json!({"value": "8"}),
                serde_json::json!({"value": "10"})
            ],
            "{what}"
        );

        // An error after two messages: they are printed, then the error.
        let output = run(curl("Count"), r#"{"to": 5, "fail_at": 3}"#).await;
        assert!(!output.status.success(), "{what}");
        assert_eq!(json_stream(&output).len(), 2, "{what}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("aborted") && stderr.contains("stopped at 3"),
            "{what}: {stderr}"
        );
    }
}

const PYTHON_CLIENT: &str = r#"
import sys, grpc
sys.path.insert(0, sys.argv[1])
from stream.v1 import stream_pb2 as pb, stream_pb2_grpc
from google.rpc import status_pb2

stub = stream_pb2_grpc.StreamServiceStub(grpc.insecure_channel(sys.argv[2]))

# Server streaming, with a header and a trailer.
call = stub.Count(pb.CountRequest(to=4))
assert [m.n for m in call] == [1, 2, 3, 4]
assert ("x-stream", "count") in call.initial_metadata(), call.initial_metadata()
assert ("x-last", "4") in call.trailing_metadata(), call.trailing_metadata()

# An error after two messages, with its detail.
seen = []
try:
    for m in stub.Count(pb.CountRequest(to=5, fail_at=3)):
        seen.append(m.n)
    raise SystemExit("Count did not fail")
except grpc.RpcError as e:
    assert e.code() == grpc.StatusCode.ABORTED, e.code()
    assert e.details() == "stopped at 3", e.details()
    status = status_pb2.Status.FromString(dict(e.trailing_metadata())["grpc-status-details-bin"])
    info = pb.StopInfo()
    status.details[0].Unpack(info)
    assert info.at == 3, info
assert seen == [1, 2], seen

# Client streaming.
total = stub.Sum(iter([pb.Number(value=v) for v in (10, 20, 12)]))
assert (total.sum, total.count) == (42, 3), total
try:
    stub.Sum(iter([pb.Number(value=-1)]))
    raise SystemExit("Sum did not fail")
except grpc.RpcError as e:
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()

# Bidirectional, full duplex: each answer before the next request.
import queue, threading
requests = queue.Queue()
def gen():
    while True:
        item = requests.get()
        if item is None:
            return
        yield pb.Number(value=item)
answers = stub.Double(gen())
for v in (1, 2, 3):
    requests.put(v)
    assert next(answers).value == 2 * v
requests.put(None)
assert list(answers) == []

# A deadline mid-stream.
try:
    for m in stub.Count(pb.CountRequest(to=100, delay_ms=50), timeout=0.3):
        pass
    raise SystemExit("Count did not time out")
except grpc.RpcError as e:
    assert e.code() == grpc.StatusCode.DEADLINE_EXCEEDED, e.code()
print("ok")
"#;

#[tokio::test]
async fn python_grpcio_every_shape() {
    let Some(python) = peer("python") else { return };
    let server = start().await;
    let schema = proto_dir(&router(), "grpcio-stream");
    let out = python_stubs(&python, &schema, &["stream/v1/stream.proto"]);
    let script = schema.join("client.py");
    std::fs::write(&script, PYTHON_CLIENT).unwrap();
    let mut command = Command::new(python);
    command
        .arg(&script)
        .arg(Path::new(&out))
        .arg(server.addr.to_string());
    let output = run(command, "").await;
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}

#[tokio::test]
async fn connect_node_streams_full_duplex_on_http2_and_half_duplex_on_http1() {
    let Some(node_dir) = node_dir() else { return };
    let server = start().await;
    let set = router().schema().unwrap().file_descriptor_set();
    let fds = node_dir.join(format!("stream-{}.binpb", std::process::id()));
    std::fs::write(&fds, prost::Message::encode_to_vec(&set)).unwrap();
    let script = node_dir.join("connect_streaming_client.mjs");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/connect_streaming_client.mjs"
        ),
        &script,
    )
    .unwrap();
    for (http, binary) in [("2", "0"), ("2", "1"), ("1.1", "0"), ("1.1", "1")] {
        let mut command = Command::new("node");
        command
            .arg(&script)
            .arg(&fds)
            .arg(server.url(""))
            .arg(http)
            .arg(binary);
        let output = run(command, "").await;
        assert!(
            output.status.success(),
            "http {http}, binary {binary}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
    }
    let _ = std::fs::remove_file(fds);
}
