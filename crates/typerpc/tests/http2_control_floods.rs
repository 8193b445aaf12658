//! The bound on HTTP/2 control frames, over real loopback sockets: a client
//! flooding PING or SETTINGS frames is sent GOAWAY with ENHANCE_YOUR_CALM
//! and closed (seen by hyper-h2, an HTTP/2 implementation of its own),
//! while clients that send PINGs and WINDOW_UPDATEs as they read a large
//! stream (hyper's adaptive window, grpcio's bandwidth probes) are served
//! in full even under a bound far tighter than the default.

mod common;

use std::process::Command;

use bytes::Bytes;
use common::peers::{peer, run_peer};
use common::server::*;
use common::streaming::StreamService;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use typerpc::server::ConnectionSettings;
use typerpc::Server;

/// Floods one connection with PING or SETTINGS frames through hyper-h2,
/// reads what comes back until the connection closes (or every frame is
/// answered), and prints how many answers came and the GOAWAY, as JSON.
const FLOODER: &str = r#"
import json, socket, sys
import h2.config, h2.connection, h2.events, h2.exceptions, h2.settings

host, port = sys.argv[1].rsplit(":", 1)
kind, count = sys.argv[2], int(sys.argv[3])
sock = socket.create_connection((host, int(port)))
sock.settimeout(10)
conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
for i in range(count):
    if kind == "ping":
        conn.ping(i.to_bytes(8, "big"))
    else:
        conn.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 100 + i})
try:
    sock.sendall(conn.data_to_send())
except OSError:
    pass
# The handshake's own SETTINGS is acknowledged too: it is not counted.
answers, goaway, closed = (-1 if kind == "settings" else 0), None, False
answer = h2.events.PingAckReceived if kind == "ping" else h2.events.SettingsAcknowledged
while answers < count:
    try:
        data = sock.recv(65536)
    except ConnectionResetError:
        closed = True
        break
    if not data:
        closed = True
        break
    try:
        events = conn.receive_data(data)
    except h2.exceptions.ProtocolError:
        break
    for event in events:
        if isinstance(event, answer):
            answers += 1
        elif isinstance(event, h2.events.ConnectionTerminated):
            goaway = {"code": int(event.error_code),
                      "reason": (event.additional_data or b"").decode(),
                      "last_stream": event.last_stream_id}
    try:
        sock.sendall(conn.data_to_send())
    except OSError:
        pass
print(json.dumps({"answers": max(answers, 0), "goaway": goaway, "closed": closed}))
"#;

/// Runs the flooder against `addr`; returns its report.
async fn flood(addr: std::net::SocketAddr, kind: &str, count: u32) -> Option<serde_json::Value> {
    let python = peer("python")?;
    let script = std::env::temp_dir().join(format!("typerpc-flooder-{}.py", std::process::id()));
    std::fs::write(&script, FLOODER).unwrap();
    let args = [addr.to_string(), kind.to_string(), count.to_string()];
    let mut command = Command::new(python);
    command.arg(&script).args(args);
    let output = run_peer(command).await;
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

async fn start(limit: Option<u32>) -> TestServer {
    let (streams, _) = StreamService::new();
    TestServer::start_with(
        Server::new()
            .add(EchoService)
            .add(streams)
            .connection_settings(ConnectionSettings {
                max_http2_control_frames_per_second: limit,
                ..ConnectionSettings::default()
            }),
    )
    .await
}

/// A unary gRPC call over a fresh HTTP/2 connection succeeds.
async fn well_behaved_call(server: &TestServer) {
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<Bytes>>();
    let response = client
        .request(grpc_request(
            server,
            "/echo.v1.EchoService/Echo",
            &[0x0a, 0x02, b'h', b'i'],
        ))
        .await
        .unwrap();
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned().unwrap_or_default();
    assert_eq!(trailers["grpc-status"], "0", "{trailers:?}");
}

fn grpc_request(server: &TestServer, path: &str, message: &[u8]) -> http::Request<Full<Bytes>> {
    let mut body = vec![0u8];
    body.extend_from_slice(&(message.len() as u32).to_be_bytes());
    body.extend_from_slice(message);
    http::Request::post(server.url(path))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

#[tokio::test]
async fn a_ping_or_settings_flood_is_sent_goaway_enhance_your_calm_and_closed() {
    let server = start(Some(100)).await;
    for kind in ["ping", "settings"] {
        let Some(report) = flood(server.addr, kind, 1000).await else {
            return;
        };
        let goaway = &report["goaway"];
        assert_eq!(goaway["code"], 11, "{kind}: {report}"); // ENHANCE_YOUR_CALM
        assert_eq!(goaway["reason"], "too many control frames", "{report}");
        assert_eq!(goaway["last_stream"], 0, "{report}");
        assert_eq!(report["closed"], true, "{kind}: {report}");
        let answers = report["answers"].as_u64().unwrap();
        assert!(answers <= 100, "{kind}: {answers} answered past the bound");
        // Other clients are served meanwhile and after.
        well_behaved_call(&server).await;
    }
}

#[tokio::test]
async fn without_the_bound_every_ping_and_settings_frame_is_answered() {
    let server = start(None).await;
    for kind in ["ping", "settings"] {
        let Some(report) = flood(server.addr, kind, 1000).await else {
            return;
        };
        assert_eq!(report["answers"], 1000, "{kind}: {report}");
        assert!(report["goaway"].is_null(), "{kind}: {report}");
    }
}

/// A large server stream: 2,000 messages of 8 KiB.
const BIG_COUNT: &[u8] = &[0x08, 0xd0, 0x0f, 0x20, 0x80, 0x40];
const BIG_MESSAGES: usize = 2000;

/// The client's PINGs (hyper's adaptive window sends one each time data
/// arrives and none is in flight) and WINDOW_UPDATEs come in answer to
/// the server's DATA: they never reach the bound, here set to 10.
#[tokio::test]
async fn a_hyper_client_with_an_adaptive_window_reads_a_large_stream_in_full() {
    let server = start(Some(10)).await;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .http2_adaptive_window(true)
        .build_http::<Full<Bytes>>();
    for _ in 0..3 {
        let response = client
            .request(grpc_request(
                &server,
                "/stream.v1.StreamService/Count",
                BIG_COUNT,
            ))
            .await
            .unwrap();
        let collected = response.into_body().collect().await.unwrap();
        let trailers = collected.trailers().cloned().unwrap_or_default();
        let body = collected.to_bytes();
        assert_eq!(trailers["grpc-status"], "0", "{trailers:?}");
        let mut messages = 0;
        let mut rest = &body[..];
        while rest.len() >= 5 {
            let len = u32::from_be_bytes(rest[1..5].try_into().unwrap()) as usize;
            rest = &rest[5 + len..];
            messages += 1;
        }
        assert_eq!(messages, BIG_MESSAGES);
    }
}

/// grpcio (gRPC's C core) sends a few control frames before its first
/// answer (its SETTINGS, window updates, a bandwidth probe: a bound of 3
/// cuts it off) and a few more as it reads. A bound of 8 leaves it room.
#[tokio::test]
async fn a_grpcio_client_reads_a_large_stream_in_full() {
    let Some(python) = peer("python") else { return };
    let server = start(Some(8)).await;
    let script = format!(
        r#"
import grpc
channel = grpc.insecure_channel("{addr}")
count = channel.unary_stream("/stream.v1.StreamService/Count")
for _ in range(3):
    assert sum(1 for _ in count(bytes({request:?}))) == {messages}
print("ok")
"#,
        addr = server.addr,
        request = BIG_COUNT,
        messages = BIG_MESSAGES,
    );
    let mut command = Command::new(python);
    command.args(["-c", &script]);
    let output = run_peer(command).await;
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}
