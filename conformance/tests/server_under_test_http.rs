//! The server-under-test binary driven over raw HTTP exactly as the
//! Connect and gRPC-Web specifications describe the wire (bodies and
//! envelopes built and parsed here by hand, not by typerpc): Connect
//! unary POST and GET, Connect streaming with its end-stream message,
//! gRPC-Web with its trailer frame, deadlines, compression, the receive
//! limit, over HTTP/1.1 and HTTP/2.

mod common;

use std::io::{Read, Write};

use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use common::*;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use typerpc::Message;
use typerpc_conformance::*;

/// What came back: status, headers, the whole body, the trailers.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    trailers: HeaderMap,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no header {name} in {:?}", self.headers))
            .to_str()
            .unwrap()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

async fn send(http2: bool, request: Request<Full<Bytes>>) -> Answer {
    let client = Client::builder(TokioExecutor::new())
        .http2_only(http2)
        .build_http::<Full<Bytes>>();
    let response = client.request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let collected = body.collect().await.unwrap();
    let trailers = collected.trailers().cloned().unwrap_or_default();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: collected.to_bytes(),
        trailers,
    }
}

fn post(sut: &Sut, method: &str, content_type: &str) -> http::request::Builder {
    Request::post(format!("{}{}", sut.url(), path(method))).header("content-type", content_type)
}

fn envelope(flags: u8, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::new();
    out.put_u8(flags);
    out.put_u32(payload.len() as u32);
    out.put_slice(payload);
    out.freeze()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Connect error details: `value` is base64, padded or not.
fn detail_value(detail: &Value) -> Vec<u8> {
    let text = detail["value"].as_str().unwrap().trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text)
        .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn connect_unary_json_over_http1_echoes_headers_trailers_and_timeout() {
    let sut = Sut::plain();
    let body = json!({
        "responseDefinition": {
            "responseHeaders": [{"name": "x-resp-header", "value": ["h1", "h2"]}],
            "responseData": b64(b"answer"),
            "responseTrailers": [{"name": "x-resp-trailer", "value": ["t1"]}],
        },
        "requestData": b64(&[1, 2]),
    });
    let request = post(&sut, "Unary", "application/json")
        .header("connect-protocol-version", "1")
        .header("connect-timeout-ms", "10000")
        .header("x-test-case", "connect-json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let answer = send(false, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(answer.header("content-type"), "application/json");
    let values: Vec<_> = answer.headers.get_all("x-resp-header").iter().collect();
    assert_eq!(values, ["h1", "h2"]);
    assert_eq!(answer.header("trailer-x-resp-trailer"), "t1");
    let payload = &answer.json()["payload"];
    assert_eq!(payload["data"], b64(b"answer"));
    let info = &payload["requestInfo"];
    let timeout: i64 = info["timeoutMs"].as_str().unwrap().parse().unwrap();
    assert!((1..=10_000).contains(&timeout), "timeoutMs {timeout}");
    let headers = info["requestHeaders"].as_array().unwrap();
    assert!(headers.contains(&json!({"name": "x-test-case", "value": ["connect-json"]})));
    let echoed = &info["requests"][0];
    assert_eq!(
        echoed["@type"],
        "type.googleapis.com/connectrpc.conformance.v1.UnaryRequest"
    );
    assert_eq!(echoed["requestData"], b64(&[1, 2]));
    assert_eq!(echoed["responseDefinition"]["responseData"], b64(b"answer"));
}

#[tokio::test]
async fn connect_unary_errors_over_http2_carry_details_and_metadata() {
    let sut = Sut::plain();
    let sent = UnaryRequest {
        response_definition: Some(UnaryResponseDefinition {
            response: Some(UnaryResponseDefinitionResponse::Error(error_definition(
                Code::ResourceExhausted,
                "slow down",
            ))),
            ..unary_data(b"")
        }),
        request_data: Vec::new(),
    };
    let request = post(&sut, "Unary", "application/proto")
        .body(Full::new(Bytes::from(sent.encode_to_vec())))
        .unwrap();
    let answer = send(true, request).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.header("x-resp-header"), "h1");
    assert_eq!(answer.header("trailer-x-resp-trailer"), "t1");
    let error = answer.json();
    assert_eq!(error["code"], "resource_exhausted");
    assert_eq!(error["message"], "slow down");
    let details = error["details"].as_array().unwrap();
    assert_eq!(details[0]["type"], "connectrpc.conformance.v1.Header");
    assert_eq!(
        Header::decode(&detail_value(&details[0])[..]).unwrap(),
        header("detail", &["given"])
    );
    assert_eq!(
        details[1]["type"],
        "connectrpc.conformance.v1.ConformancePayload.RequestInfo"
    );
    let info = ConformancePayloadRequestInfo::decode(&detail_value(&details[1])[..]).unwrap();
    assert_eq!(
        info.requests[0].unpack::<UnaryRequest>().unwrap(),
        Some(sent)
    );
}

#[tokio::test]
async fn connect_get_echoes_the_query_parameters() {
    let sut = Sut::plain();
    let sent = IdempotentUnaryRequest {
        response_definition: Some(unary_data(b"cached")),
        request_data: vec![9; 3],
    };
    for (http2, compress) in [(false, false), (true, true)] {
        let bytes = sent.encode_to_vec();
        let (message, compression) = if compress {
            (gzip(&bytes), "&compression=gzip")
        } else {
            (bytes, "")
        };
        let message = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(message);
        let uri = format!(
            "{}{}?connect=v1&encoding=proto&base64=1{compression}&message={message}",
            sut.url(),
            path("IdempotentUnary")
        );
        let request = Request::get(uri)
            .header("x-test-case", "get")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let answer = send(http2, request).await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        assert_eq!(answer.header("trailer-x-resp-trailer"), "t1");
        let response = IdempotentUnaryResponse::decode(&answer.body[..]).unwrap();
        let payload = response.payload.unwrap();
        assert_eq!(payload.data, b"cached");
        let info = payload.request_info.unwrap();
        assert_eq!(
            info.requests[0].unpack::<IdempotentUnaryRequest>().unwrap(),
            Some(sent.clone())
        );
        let params = info
            .connect_get_info
            .expect("a GET reports its query")
            .query_params;
        let names: Vec<_> = params.iter().map(|p| p.name.as_str()).collect();
        let mut expected = vec!["connect", "encoding", "base64"];
        if compress {
            expected.push("compression");
        }
        expected.push("message");
        assert_eq!(names, expected);
        assert_eq!(echoed(&params, "message"), [message.as_str()]);
    }
}

#[tokio::test]
async fn connect_unary_compresses_both_ways_with_gzip() {
    let sut = Sut::plain();
    let data = vec![b'g'; 20_000];
    let sent = UnaryRequest {
        response_definition: Some(unary_data(&data)),
        request_data: vec![b'r'; 20_000],
    };
    let request = post(&sut, "Unary", "application/proto")
        .header("content-encoding", "gzip")
        .header("accept-encoding", "gzip")
        .body(Full::new(Bytes::from(gzip(&sent.encode_to_vec()))))
        .unwrap();
    let answer = send(false, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-encoding"), "gzip");
    let response = UnaryResponse::decode(&gunzip(&answer.body)[..]).unwrap();
    assert_eq!(response.payload.unwrap().data, data);
}

#[tokio::test]
async fn connect_and_grpc_web_deadlines_are_enforced_by_the_server() {
    let sut = Sut::plain();
    let slow = UnaryRequest {
        response_definition: Some(UnaryResponseDefinition {
            response_delay_ms: 5_000,
            ..unary_data(b"late")
        }),
        request_data: Vec::new(),
    };
    let started = std::time::Instant::now();
    let request = post(&sut, "Unary", "application/proto")
        .header("connect-timeout-ms", "200")
        .body(Full::new(Bytes::from(slow.encode_to_vec())))
        .unwrap();
    let answer = send(false, request).await;
    assert_eq!(answer.json()["code"], "deadline_exceeded");

    let request = post(&sut, "Unary", "application/grpc-web+proto")
        .header("grpc-timeout", "200m")
        .body(Full::new(envelope(0, &slow.encode_to_vec())))
        .unwrap();
    let answer = send(false, request).await;
    assert_eq!(answer.header("grpc-status"), "4");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[tokio::test]
async fn connect_the_receive_limit_applies_to_every_protocol_and_shape() {
    let sut = Sut::start(ServerCompatRequest {
        message_receive_limit: 1024,
        ..plain_request()
    });
    let big = UnaryRequest {
        response_definition: None,
        request_data: vec![0; 2_000],
    };
    let request = post(&sut, "Unary", "application/proto")
        .body(Full::new(Bytes::from(big.encode_to_vec())))
        .unwrap();
    assert_eq!(
        send(false, request).await.json()["code"],
        "resource_exhausted"
    );

    // Under the limit on the wire, over it once decompressed.
    let request = post(&sut, "ClientStream", "application/connect+proto")
        .header("connect-content-encoding", "gzip")
        .body(Full::new(envelope(1, &gzip(&big.encode_to_vec()))))
        .unwrap();
    let answer = send(false, request).await;
    let frames = envelopes(answer.body);
    let end: Value = serde_json::from_slice(&frames.last().unwrap().1).unwrap();
    assert_eq!(end["error"]["code"], "resource_exhausted");
}

#[tokio::test]
async fn connect_server_stream_over_http1_ends_with_the_error_and_trailers() {
    let sut = Sut::plain();
    let sent = ServerStreamRequest {
        response_definition: Some(stream_definition(
            &[b"a", b"b"],
            Some(error_definition(Code::Unavailable, "gone")),
        )),
        request_data: Vec::new(),
    };
    let request = post(&sut, "ServerStream", "application/connect+proto")
        .header("connect-protocol-version", "1")
        .body(Full::new(envelope(0, &sent.encode_to_vec())))
        .unwrap();
    let answer = send(false, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("x-resp-header"), "h1");
    let frames = envelopes(answer.body);
    assert_eq!(frames.len(), 3);
    let first = ServerStreamResponse::decode(&frames[0].1[..]).unwrap();
    assert_eq!(first.payload.as_ref().unwrap().data, b"a");
    assert!(first.payload.unwrap().request_info.is_some());
    assert_eq!(frames[1].0, 0);
    let (flags, end) = &frames[2];
    assert_eq!(*flags, 2, "the end-stream flag");
    let end: Value = serde_json::from_slice(end).unwrap();
    assert_eq!(end["error"]["code"], "unavailable");
    assert_eq!(end["error"]["message"], "gone");
    assert_eq!(end["error"]["details"].as_array().unwrap().len(), 1);
    assert_eq!(end["metadata"]["x-resp-trailer"], json!(["t1"]));
}

#[tokio::test]
async fn connect_client_stream_over_http1_echoes_every_request() {
    let sut = Sut::plain();
    let requests: Vec<ClientStreamRequest> = (0..3u8)
        .map(|i| ClientStreamRequest {
            response_definition: (i == 0).then(|| unary_data(b"sum")),
            request_data: vec![i],
        })
        .collect();
    let mut body = BytesMut::new();
    for request in &requests {
        body.put(envelope(0, &request.encode_to_vec()));
    }
    let request = post(&sut, "ClientStream", "application/connect+proto")
        .body(Full::new(body.freeze()))
        .unwrap();
    let answer = send(false, request).await;
    let frames = envelopes(answer.body);
    assert_eq!(frames.len(), 2);
    let response = ClientStreamResponse::decode(&frames[0].1[..]).unwrap();
    let info = response.payload.unwrap().request_info.unwrap();
    let echoed: Vec<ClientStreamRequest> = info
        .requests
        .iter()
        .map(|a| a.unpack().unwrap().unwrap())
        .collect();
    assert_eq!(echoed, requests);
    let end: Value = serde_json::from_slice(&frames[1].1).unwrap();
    assert!(end.get("error").is_none(), "{end}");
    assert_eq!(end["metadata"]["x-resp-trailer"], json!(["t1"]));
}

#[tokio::test]
async fn connect_half_duplex_bidi_over_http1_in_json() {
    let sut = Sut::plain();
    let first = json!({
        "responseDefinition": {"responseData": [b64(b"x"), b64(b"y")]},
        "requestData": b64(&[0]),
    });
    let second = json!({"requestData": b64(&[1])});
    let mut body = BytesMut::new();
    body.put(envelope(0, first.to_string().as_bytes()));
    body.put(envelope(0, second.to_string().as_bytes()));
    let request = post(&sut, "BidiStream", "application/connect+json")
        .body(Full::new(body.freeze()))
        .unwrap();
    let answer = send(false, request).await;
    assert_eq!(answer.header("content-type"), "application/connect+json");
    let frames = envelopes(answer.body);
    assert_eq!(frames.len(), 3);
    let one: Value = serde_json::from_slice(&frames[0].1).unwrap();
    assert_eq!(one["payload"]["data"], b64(b"x"));
    assert_eq!(
        one["payload"]["requestInfo"]["requests"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let two: Value = serde_json::from_slice(&frames[1].1).unwrap();
    assert_eq!(two["payload"]["data"], b64(b"y"));
    assert!(two["payload"].get("requestInfo").is_none());
    assert_eq!(frames[2].0, 2);
}

/// A gRPC-Web trailer frame's `name: value` lines.
fn web_trailers(frame: &[u8]) -> Vec<(String, String)> {
    String::from_utf8(frame.to_vec())
        .unwrap()
        .split("\r\n")
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect()
}

#[tokio::test]
async fn grpc_web_unary_and_server_stream_over_http1() {
    let sut = Sut::plain();
    let sent = UnaryRequest {
        response_definition: Some(unary_data(b"web")),
        request_data: Vec::new(),
    };
    let request = post(&sut, "Unary", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .body(Full::new(envelope(0, &sent.encode_to_vec())))
        .unwrap();
    let answer = send(false, request).await;
    assert_eq!(answer.header("x-resp-header"), "h1");
    let frames = envelopes(answer.body);
    assert_eq!(frames.len(), 2);
    let response = UnaryResponse::decode(&frames[0].1[..]).unwrap();
    assert_eq!(response.payload.unwrap().data, b"web");
    assert_eq!(frames[1].0, 0x80, "the trailer frame");
    let trailers = web_trailers(&frames[1].1);
    assert!(trailers.contains(&("grpc-status".into(), "0".into())));
    assert!(trailers.contains(&("x-resp-trailer".into(), "t1".into())));

    let sent = ServerStreamRequest {
        response_definition: Some(stream_definition(
            &[b"1", b"2", b"3"],
            Some(error_definition(Code::OutOfRange, "end")),
        )),
        request_data: Vec::new(),
    };
    let request = post(&sut, "ServerStream", "application/grpc-web+proto")
        .body(Full::new(envelope(0, &sent.encode_to_vec())))
        .unwrap();
    let frames = envelopes(send(true, request).await.body);
    assert_eq!(frames.len(), 4);
    let trailers = web_trailers(&frames[3].1);
    assert!(trailers.contains(&("grpc-status".into(), "11".into())));
    assert!(trailers.contains(&("grpc-message".into(), "end".into())));
    assert!(trailers
        .iter()
        .any(|(name, _)| name == "grpc-status-details-bin"));
}

#[tokio::test]
async fn grpc_over_raw_http2_puts_the_status_in_trailers() {
    let sut = Sut::plain();
    let sent = UnaryRequest {
        response_definition: Some(unary_data(b"h2")),
        request_data: Vec::new(),
    };
    let request = post(&sut, "Unary", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(envelope(0, &sent.encode_to_vec())))
        .unwrap();
    let answer = send(true, request).await;
    assert_eq!(answer.header("x-resp-header"), "h1");
    assert_eq!(answer.trailers.get("grpc-status").unwrap(), "0");
    assert_eq!(answer.trailers.get("x-resp-trailer").unwrap(), "t1");
}

#[tokio::test]
async fn connect_stream_headers_over_http1_arrive_before_the_first_delay() {
    let sut = Sut::plain();
    let mut definition = stream_definition(&[b"slow"], None);
    definition.response_delay_ms = 1_500;
    let sent = ServerStreamRequest {
        response_definition: Some(definition),
        request_data: Vec::new(),
    };
    let request = post(&sut, "ServerStream", "application/connect+proto")
        .body(Full::new(envelope(0, &sent.encode_to_vec())))
        .unwrap();
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let started = std::time::Instant::now();
    let response = client.request(request).await.unwrap();
    let head_after = started.elapsed();
    assert_eq!(response.headers()["x-resp-header"], "h1");
    assert!(
        head_after < std::time::Duration::from_millis(1_000),
        "the head took {head_after:?}"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(envelopes(body).len(), 2);
    assert!(started.elapsed() >= std::time::Duration::from_millis(1_400));
}
