//! The server-under-test binary driven by `buf curl`, whose Connect, gRPC
//! and gRPC-Web client is connect-go, the library of the suite's own
//! reference client, reading only the official `.proto` files: every RPC
//! shape over every protocol and HTTP version, errors with details, and
//! response headers and trailers.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine;
use common::*;
use serde_json::{json, Value};
use typerpc::Message;

fn official_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("proto")
}

/// Runs `buf curl` with `input` on stdin.
async fn run(mut command: Command, input: String) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

/// buf curl prints each response message as a JSON object.
fn messages(output: &Output) -> Vec<Value> {
    serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The stream definition every shape below uses, as JSON.
fn definition(data: &[&[u8]]) -> Value {
    json!({
        "responseHeaders": [{"name": "x-resp-header", "value": ["h1"]}],
        "responseData": data.iter().map(|d| b64(d)).collect::<Vec<_>>(),
        "responseTrailers": [{"name": "x-resp-trailer", "value": ["t1"]}],
    })
}

#[tokio::test]
async fn buf_curl_calls_every_shape_over_every_protocol() {
    let Some(buf) = peer("buf") else { return };
    let sut = Sut::plain();
    // gRPC needs HTTP/2; bidi over HTTP/1.1 is half duplex.
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
                .arg(official_schema())
                .args(["--protocol", protocol, "-v", "-d", "@-"]);
            if http2 {
                command.arg("--http2-prior-knowledge");
            }
            command.arg(format!("{}{}", sut.url(), path(method)));
            command
        };
        let what = format!("{protocol} (http2: {http2})");
        // buf's verbose log shows the headers, and the trailers except
        // those inside a gRPC-Web body or ending a client stream (the raw
        // HTTP and tonic tests check those on the wire).
        let check_with = |output: &Output, trailers: bool| {
            let stderr = String::from_utf8_lossy(&output.stderr).to_ascii_lowercase();
            assert!(output.status.success(), "{what}: {stderr}");
            assert!(stderr.contains("x-resp-header: h1"), "{what}: {stderr}");
            if trailers && protocol != "grpcweb" {
                assert!(stderr.contains("x-resp-trailer: t1"), "{what}: {stderr}");
            }
        };
        let check = |output: &Output| check_with(output, true);

        let unary = json!({
            "responseDefinition": {
                "responseHeaders": [{"name": "x-resp-header", "value": ["h1"]}],
                "responseData": b64(b"unary"),
                "responseTrailers": [{"name": "x-resp-trailer", "value": ["t1"]}],
            }
        });
        let output = run(curl("Unary"), unary.to_string()).await;
        check(&output);
        let payload = &messages(&output)[0]["payload"];
        assert_eq!(payload["data"], b64(b"unary"), "{what}");
        assert_eq!(
            payload["requestInfo"]["requests"][0]["@type"],
            "type.googleapis.com/connectrpc.conformance.v1.UnaryRequest",
            "{what}"
        );

        let request = json!({"responseDefinition": definition(&[b"s1", b"s2"])});
        let output = run(curl("ServerStream"), request.to_string()).await;
        check(&output);
        let data: Vec<_> = messages(&output)
            .iter()
            .map(|m| m["payload"]["data"].clone())
            .collect();
        assert_eq!(data, [json!(b64(b"s1")), json!(b64(b"s2"))], "{what}");

        let first = json!({
            "responseDefinition": {
                "responseHeaders": [{"name": "x-resp-header", "value": ["h1"]}],
                "responseData": b64(b"all"),
                "responseTrailers": [{"name": "x-resp-trailer", "value": ["t1"]}],
            },
            "requestData": b64(&[0]),
        });
        let input = format!(
            "{first} {} {}",
            json!({"requestData": b64(&[1])}),
            json!({})
        );
        let output = run(curl("ClientStream"), input).await;
        check_with(&output, false);
        let payload = &messages(&output)[0]["payload"];
        assert_eq!(payload["data"], b64(b"all"), "{what}");
        assert_eq!(
            payload["requestInfo"]["requests"].as_array().unwrap().len(),
            3
        );

        let first = json!({"responseDefinition": definition(&[b"b1", b"b2"]), "fullDuplex": http2});
        let input = format!("{first} {}", json!({"requestData": b64(&[1])}));
        let output = run(curl("BidiStream"), input).await;
        check(&output);
        let responses = messages(&output);
        assert_eq!(responses.len(), 2, "{what}");
        // Full duplex: one request echoed per response; half: both at once.
        let echoed = responses[0]["payload"]["requestInfo"]["requests"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(echoed, if http2 { 1 } else { 2 }, "{what}");
    }
}

#[tokio::test]
async fn buf_curl_sees_errors_with_their_details_on_every_protocol() {
    let Some(buf) = peer("buf") else { return };
    let sut = Sut::plain();
    for (protocol, http2) in [("connect", false), ("grpc", true), ("grpcweb", false)] {
        let mut command = Command::new(&buf);
        command
            .arg("curl")
            .arg("--schema")
            .arg(official_schema())
            .args(["--protocol", protocol, "-d", "@-"]);
        if http2 {
            command.arg("--http2-prior-knowledge");
        }
        command.arg(format!("{}{}", sut.url(), path("Unary")));
        let request = json!({
            "responseDefinition": {
                "error": {
                    "code": "CODE_PERMISSION_DENIED",
                    "message": "no entry",
                    "details": [{
                        "@type": "type.googleapis.com/connectrpc.conformance.v1.Header",
                        "name": "why",
                        "value": ["test"],
                    }],
                },
            },
        });
        let output = run(command, request.to_string()).await;
        let what = format!("{protocol} (http2: {http2})");
        assert!(!output.status.success(), "{what}");
        let error: Value = serde_json::from_slice(&output.stderr)
            .unwrap_or_else(|e| panic!("{what}: {e}: {}", String::from_utf8_lossy(&output.stderr)));
        assert_eq!(error["code"], "permission_denied", "{what}");
        assert_eq!(error["message"], "no entry", "{what}");
        let details = error["details"].as_array().unwrap();
        assert_eq!(
            details[0]["type"], "connectrpc.conformance.v1.Header",
            "{what}"
        );
        let value = details[0]["value"].as_str().unwrap().trim_end_matches('=');
        let value = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(value)
            .unwrap();
        assert_eq!(
            typerpc_conformance::Header::decode(&value[..]).unwrap(),
            header("why", &["test"]),
            "{what}"
        );
        assert_eq!(
            details[1]["type"], "connectrpc.conformance.v1.ConformancePayload.RequestInfo",
            "{what}"
        );
    }
}

#[tokio::test]
async fn buf_curl_over_mutual_tls_with_the_runners_kind_of_certificates() {
    let Some(buf) = peer("buf") else { return };
    let (sut, credentials) = start_tls(true);
    let dir = std::env::temp_dir().join(format!("typerpc-conformance-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let ca = write("server.pem", &sut.response.pem_cert);
    let cert = write("client.pem", credentials.client.0.as_bytes());
    let key = write("client.key", credentials.client.1.as_bytes());
    for protocol in ["connect", "grpc", "grpcweb"] {
        let mut command = Command::new(&buf);
        command
            .arg("curl")
            .arg("--schema")
            .arg(official_schema())
            .args(["--protocol", protocol, "-d", "@-"])
            .arg("--cacert")
            .arg(&ca)
            .arg("--cert")
            .arg(&cert)
            .arg("--key")
            .arg(&key)
            .arg(format!(
                "https://127.0.0.1:{}{}",
                sut.response.port,
                path("Unary")
            ));
        let request = json!({"responseDefinition": {"responseData": b64(b"tls")}});
        let output = run(command, request.to_string()).await;
        assert!(
            output.status.success(),
            "{protocol}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            messages(&output)[0]["payload"]["data"],
            b64(b"tls"),
            "{protocol}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
