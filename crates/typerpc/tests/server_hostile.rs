//! Hostile and broken requests: each gets the right error, and the server
//! keeps serving.

mod common;

use bytes::Bytes;
use common::server::*;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use typerpc::Message;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn h2() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

fn envelope(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Sends a gRPC request and returns (grpc-status, grpc-message).
async fn grpc(
    client: &HttpClient,
    server: &TestServer,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> (String, String) {
    let mut request = Request::post(server.url("/echo.v1.EchoService/Echo"))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = client
        .request(request.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned().unwrap_or_default();
    let get = |name: &str| {
        trailers
            .get(name)
            .or_else(|| headers.get(name))
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    (get("grpc-status"), get("grpc-message"))
}

#[tokio::test]
async fn broken_grpc_requests_get_the_right_status() {
    let server = TestServer::start().await;
    let client = h2();
    let good = EchoRequest {
        text: "ok".into(),
        ..EchoRequest::default()
    }
    .encode_to_vec();

    // Truncated envelope: the length says more than was sent.
    let mut truncated = envelope(0, &good);
    truncated.truncate(truncated.len() - 1);
    let (status, message) = grpc(&client, &server, truncated, &[]).await;
    assert_eq!(status, "3", "{message}");
    // A lying length far beyond the limit.
    let (status, _) = grpc(
        &client,
        &server,
        vec![0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3],
        &[],
    )
    .await;
    assert_eq!(status, "8");
    // Compressed flag but no grpc-encoding.
    let (status, message) = grpc(&client, &server, envelope(1, &good), &[]).await;
    assert_eq!(status, "13", "{message}");
    // An encoding we do not speak: unimplemented, naming it.
    let (status, message) = grpc(
        &client,
        &server,
        envelope(1, &good),
        &[("grpc-encoding", "snappy")],
    )
    .await;
    assert_eq!(status, "12");
    assert!(message.contains("snappy"), "{message}");
    // A gzip bomb: 10 MB of zeros in a few KB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut encoder, &vec![0u8; 10 << 20]).unwrap();
    let bomb = encoder.finish().unwrap();
    let (status, _) = grpc(
        &client,
        &server,
        envelope(1, &bomb),
        &[("grpc-encoding", "gzip")],
    )
    .await;
    assert_eq!(status, "8");
    // Not a protobuf message.
    let (status, message) = grpc(&client, &server, envelope(0, &[0xff, 0xff, 0xff]), &[]).await;
    assert_eq!(status, "3", "{message}");
    // Two messages on a unary call, or none: `unimplemented`, as grpc-go
    // and connect-go answer.
    let mut two = envelope(0, &good);
    two.extend(envelope(0, &good));
    assert_eq!(grpc(&client, &server, two, &[]).await.0, "12");
    assert_eq!(grpc(&client, &server, Vec::new(), &[]).await.0, "12");
    // A bad timeout.
    assert_eq!(
        grpc(
            &client,
            &server,
            envelope(0, &good),
            &[("grpc-timeout", "soon")]
        )
        .await
        .0,
        "3"
    );
    // And the server still answers a good call on the same connection.
    assert_eq!(grpc(&client, &server, envelope(0, &good), &[]).await.0, "0");
}

#[tokio::test]
async fn broken_connect_requests_get_the_right_status() {
    let server = TestServer::start().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let send =
        |content_type: &'static str, body: Vec<u8>, headers: Vec<(&'static str, &'static str)>| {
            let mut request = Request::post(server.url("/echo.v1.EchoService/Echo"))
                .header("content-type", content_type);
            for (k, v) in headers {
                request = request.header(k, v);
            }
            let request = request.body(Full::new(Bytes::from(body))).unwrap();
            let client = client.clone();
            async move {
                let response = client.request(request).await.unwrap();
                let status = response.status().as_u16();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                (
                    status,
                    json["code"].as_str().unwrap_or_default().to_string(),
                )
            }
        };
    assert_eq!(
        send("application/json", b"{not json".to_vec(), vec![]).await,
        (400, "invalid_argument".into())
    );
    assert_eq!(
        send("application/proto", vec![0xff, 0xff], vec![]).await,
        (400, "invalid_argument".into())
    );
    assert_eq!(
        send(
            "application/json",
            b"{}".to_vec(),
            vec![("content-encoding", "br")]
        )
        .await,
        (501, "unimplemented".into())
    );
    assert_eq!(
        send(
            "application/json",
            b"{}".to_vec(),
            vec![("content-encoding", "gzip")]
        )
        .await,
        (400, "invalid_argument".into())
    );
    assert_eq!(
        send(
            "application/json",
            b"{}".to_vec(),
            vec![("connect-protocol-version", "2")]
        )
        .await,
        (400, "invalid_argument".into())
    );
    assert_eq!(
        send(
            "application/json",
            b"{}".to_vec(),
            vec![("connect-timeout-ms", "-1")]
        )
        .await,
        (400, "invalid_argument".into())
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut encoder, &vec![b' '; 10 << 20]).unwrap();
    let bomb = encoder.finish().unwrap();
    assert_eq!(
        send("application/json", bomb, vec![("content-encoding", "gzip")]).await,
        (429, "resource_exhausted".into())
    );
    // gzip that is fine is fine.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, br#"{"text":"zipped"}"#).unwrap();
    assert_eq!(
        send(
            "application/json",
            encoder.finish().unwrap(),
            vec![("content-encoding", "gzip")]
        )
        .await
        .0,
        200
    );
}

#[tokio::test]
async fn grpc_json_codec_and_binary_metadata() {
    let server = TestServer::start().await;
    let request = Request::post(server.url("/echo.v1.EchoService/Echo"))
        .header("content-type", "application/grpc+json")
        .header("te", "trailers")
        .header("x-test", "j")
        .header("x-trace-bin", "AAEC")
        .body(Full::new(Bytes::from(envelope(
            0,
            br#"{"text":"as json"}"#,
        ))))
        .unwrap();
    let response = h2().request(request).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/grpc+json");
    let collected = response.into_body().collect().await.unwrap();
    assert_eq!(collected.trailers().unwrap()["grpc-status"], "0");
    let body = collected.to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body[5..]).unwrap();
    assert_eq!(json, serde_json::json!({"text": "as json", "header": "j"}));
}

#[tokio::test]
async fn too_many_headers_are_refused_and_the_server_keeps_serving() {
    let server = TestServer::start().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::post(server.url("/echo.v1.EchoService/Echo"))
        .header("content-type", "application/json");
    for i in 0..150 {
        request = request.header(format!("x-h{i}"), "v");
    }
    let response = client
        .request(request.body(Full::new(Bytes::from_static(b"{}"))).unwrap())
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let request = Request::post(server.url("/echo.v1.EchoService/Echo"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    assert_eq!(
        client.request(request).await.unwrap().status(),
        StatusCode::OK
    );
}
