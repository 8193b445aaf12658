//! Our client against a scripted server that answers in ways the
//! protocols allow but rarely see, or that break them, and that records
//! what the client sent: every case here is one the official conformance
//! suite's client mode checks.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::shapes::{Req, Res};
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::{BodyExt, StreamBody};
use typerpc::client::{
    Body, BoxError, CallOptions, Codec, Compression, HttpVersion, MethodInfo, Protocol,
};
use typerpc::{Client, Code, Message, Status};

const UNARY: MethodInfo = MethodInfo::new("/shapes.v1.ShapesService/Unary");
const IDEMPOTENT: MethodInfo = MethodInfo::new("/shapes.v1.ShapesService/Unary").idempotent();

/// One scripted answer: headers, body frames (data or trailers).
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    frames: Vec<Frame>,
}

#[derive(Clone)]
enum Frame {
    Data(Vec<u8>),
    Trailers(Vec<(&'static str, &'static str)>),
}

/// What the client sent: the head, and the whole body.
type Seen = Arc<Mutex<Option<(http::request::Parts, Bytes)>>>;

/// A client of `protocol` whose every call gets `answer`.
fn scripted(protocol: Protocol, answer: Answer) -> (typerpc::client::ClientBuilder, Seen) {
    let seen: Seen = Arc::default();
    let record = Arc::clone(&seen);
    let service = tower::service_fn(move |request: Request<Body>| {
        let answer = answer.clone();
        let record = Arc::clone(&record);
        async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await?.to_bytes();
            *record.lock().unwrap() = Some((parts, body));
            let frames = answer.frames.into_iter().map(|frame| {
                Ok::<_, BoxError>(match frame {
                    Frame::Data(data) => http_body::Frame::data(Bytes::from(data)),
                    Frame::Trailers(pairs) => http_body::Frame::trailers(header_map(&pairs)),
                })
            });
            let mut response =
                Response::new(StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync());
            *response.status_mut() = http::StatusCode::from_u16(answer.status).unwrap();
            for (name, value) in answer.headers {
                response
                    .headers_mut()
                    .append(name, HeaderValue::from_str(&value).unwrap());
            }
            Ok::<_, BoxError>(response)
        }
    });
    (Client::in_memory(service).protocol(protocol), seen)
}

fn header_map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_static(value));
    }
    map
}

fn envelope(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn res(text: &str) -> Vec<u8> {
    Res {
        text: text.into(),
        ..Res::default()
    }
    .encode_to_vec()
}

fn req(text: &str) -> Req {
    Req {
        text: text.into(),
        ..Req::default()
    }
}

async fn unary(builder: typerpc::client::ClientBuilder) -> Result<Res, Status> {
    let client = builder.build().unwrap();
    client
        .unary::<Req, Res>(UNARY, req("hi"), CallOptions::new())
        .await
        .map(|response| response.into_message())
}

/// connect-go compresses gRPC-Web's trailers frame like a message (flag
/// 0x81) when the response is compressed; its status must be read.
#[tokio::test]
async fn grpc_web_trailers_frames_may_be_compressed() {
    let trailers = gzip(b"grpc-status: 9\r\ngrpc-message: not now\r\nx-t: 1\r\n");
    let answer = Answer {
        status: 200,
        headers: vec![
            ("content-type", "application/grpc-web+proto".into()),
            ("grpc-encoding", "gzip".into()),
        ],
        frames: vec![Frame::Data(envelope(0x81, &trailers))],
    };
    let (builder, _) = scripted(Protocol::GrpcWeb, answer);
    let error = unary(builder).await.unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition, "{error:?}");
    assert_eq!(error.message(), "not now");
    assert_eq!(error.trailers()["x-t"], "1");
}

/// A head with `grpc-status` followed by trailers is no trailers-only
/// answer: the trailers hold the status.
#[tokio::test]
async fn grpc_trailers_after_a_head_with_a_status_win() {
    let answer = Answer {
        status: 200,
        headers: vec![
            ("content-type", "application/grpc+proto".into()),
            ("grpc-status", "8".into()),
        ],
        frames: vec![Frame::Trailers(vec![
            ("grpc-status", "9"),
            ("grpc-message", "from the trailers"),
        ])],
    };
    let (builder, _) = scripted(Protocol::Grpc, answer);
    let error = unary(builder).await.unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition, "{error:?}");
    assert_eq!(error.message(), "from the trailers");
}

/// On gRPC a head with `grpc-status` and a body is broken; on gRPC-Web the
/// body (with its trailers frame) is read and the head's status ignored.
#[tokio::test]
async fn a_body_after_a_head_with_a_status() {
    let body = [
        envelope(0, &res("x")),
        envelope(0x80, b"grpc-status: 9\r\ngrpc-message: body\r\n"),
    ]
    .concat();
    let (builder, _) = scripted(
        Protocol::Grpc,
        Answer {
            status: 200,
            headers: vec![
                ("content-type", "application/grpc+proto".into()),
                ("grpc-status", "9".into()),
            ],
            frames: vec![Frame::Data(envelope(0, &res("x")))],
        },
    );
    let error = unary(builder).await.unwrap_err();
    assert_eq!(error.code(), Code::Internal, "{error:?}");

    let (builder, _) = scripted(
        Protocol::GrpcWeb,
        Answer {
            status: 200,
            headers: vec![
                ("content-type", "application/grpc-web+proto".into()),
                ("grpc-status", "8".into()),
            ],
            frames: vec![Frame::Data(body)],
        },
    );
    let error = unary(builder).await.unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition, "{error:?}");
    assert_eq!(error.message(), "body");
}

/// gRPC's HTTP-to-code table: 431 is `unknown`, like any status it does
/// not list.
#[tokio::test]
async fn grpc_http_431_is_unknown() {
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb] {
        let (builder, _) = scripted(
            protocol,
            Answer {
                status: 431,
                headers: vec![],
                frames: vec![],
            },
        );
        let error = unary(builder).await.unwrap_err();
        assert_eq!(error.code(), Code::Unknown, "{protocol:?}: {error:?}");
    }
}

/// Connect unary answers the client cannot use: a compression it never
/// accepted or a codec it did not ask for is the server's fault
/// (`internal`); something that is no Connect answer at all is `unknown`.
#[tokio::test]
async fn connect_answers_in_the_wrong_compression_or_content_type() {
    for (header, value, code) in [
        ("content-encoding", "foo", Code::Internal),
        ("content-type", "application/json", Code::Internal),
        ("content-type", "image/jpeg", Code::Unknown),
    ] {
        let mut headers = vec![("content-type", "application/proto".to_string())];
        headers.retain(|(name, _)| *name != header);
        headers.push((header, value.to_string()));
        let (builder, _) = scripted(
            Protocol::Connect,
            Answer {
                status: 200,
                headers,
                frames: vec![Frame::Data(res("x"))],
            },
        );
        let error = unary(builder).await.unwrap_err();
        assert_eq!(error.code(), code, "{header}: {value}: {error:?}");
    }
}

/// `compress_min_bytes(0)` compresses even a tiny request, on every
/// protocol; the default leaves it as it is.
#[tokio::test]
async fn compress_min_bytes_zero_compresses_every_request() {
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        for min in [None, Some(0)] {
            let (content_type, frames) = match protocol {
                Protocol::Connect => ("application/proto", vec![Frame::Data(res("x"))]),
                Protocol::Grpc => (
                    "application/grpc+proto",
                    vec![
                        Frame::Data(envelope(0, &res("x"))),
                        Frame::Trailers(vec![("grpc-status", "0")]),
                    ],
                ),
                _ => (
                    "application/grpc-web+proto",
                    vec![Frame::Data(
                        [
                            envelope(0, &res("x")),
                            envelope(0x80, b"grpc-status: 0\r\n"),
                        ]
                        .concat(),
                    )],
                ),
            };
            let (mut builder, seen) = scripted(
                protocol,
                Answer {
                    status: 200,
                    headers: vec![("content-type", content_type.into())],
                    frames,
                },
            );
            builder = builder.compression(Compression::Gzip);
            if let Some(min) = min {
                builder = builder.compress_min_bytes(min);
            }
            assert_eq!(unary(builder).await.unwrap().text, "x");
            let (parts, body) = seen.lock().unwrap().take().unwrap();
            let label = format!("{protocol:?} {min:?}");
            let compressed = match protocol {
                Protocol::Connect => {
                    parts.headers.get("content-encoding").map(|v| v.as_bytes()) == Some(b"gzip")
                }
                _ => body[0] == 1,
            };
            assert_eq!(compressed, min == Some(0), "{label}");
        }
    }
}

/// A Connect GET puts its query parameters in the order the spec
/// recommends, so equal calls have equal URLs.
#[tokio::test]
async fn connect_get_query_parameters_in_the_recommended_order() {
    for (codec, compress, expected) in [
        (
            Codec::Proto,
            false,
            "connect=v1&base64=1&encoding=proto&message=",
        ),
        (
            Codec::Proto,
            true,
            "connect=v1&base64=1&compression=gzip&encoding=proto&message=",
        ),
        (Codec::Json, false, "connect=v1&encoding=json&message="),
    ] {
        let content_type = match codec {
            Codec::Proto => "application/proto",
            Codec::Json => "application/json",
        };
        let body = match codec {
            Codec::Proto => res("x"),
            Codec::Json => br#"{"text":"x"}"#.to_vec(),
        };
        let (mut builder, seen) = scripted(
            Protocol::Connect,
            Answer {
                status: 200,
                headers: vec![("content-type", content_type.into())],
                frames: vec![Frame::Data(body)],
            },
        );
        builder = builder.codec(codec).connect_get(true);
        if compress {
            builder = builder.compression(Compression::Gzip).compress_min_bytes(0);
        }
        let client = builder.build().unwrap();
        let response = client
            .unary::<Req, Res>(IDEMPOTENT, req("hi"), CallOptions::new())
            .await
            .unwrap();
        assert_eq!(response.message().text, "x");
        let (parts, _) = seen.lock().unwrap().take().unwrap();
        assert_eq!(parts.method, http::Method::GET);
        let query = parts.uri.query().unwrap();
        assert!(query.starts_with(expected), "{query}");
    }
}

/// Over HTTP/1.1 a bidi call is half duplex: allowed for Connect and
/// gRPC-Web, its requests all sent before the responses are read.
#[tokio::test]
async fn bidi_over_http1_is_half_duplex() {
    let server = typerpc::testing::TestServer::start(common::shapes::router()).await;
    for protocol in [Protocol::Connect, Protocol::GrpcWeb, Protocol::GrpcWebText] {
        let client = server
            .client_builder()
            .protocol(protocol)
            .http_version(HttpVersion::Http1)
            .build()
            .unwrap();
        let method = MethodInfo::new("/shapes.v1.ShapesService/Bidi");
        let requests = futures_util::stream::iter(["a", "b"].map(req));
        let mut responses = client
            .bidi_streaming::<Req, Res>(method, requests, CallOptions::new())
            .await
            .unwrap();
        let mut texts = Vec::new();
        while let Some(res) = responses.next().await {
            texts.push(res.unwrap().text);
        }
        assert_eq!(texts, ["a", "b"], "{protocol:?}");
    }
}
