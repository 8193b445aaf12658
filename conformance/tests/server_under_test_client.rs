//! The server-under-test binary, started through stdin and stdout as the
//! suite's runner starts it, driven by typerpc's own typed client (the
//! `ConformanceServiceClient` that `#[service]` generates) over every
//! protocol, both codecs and both HTTP versions: every RPC shape, response
//! headers and trailers, errors with details, timeouts, Connect GET and
//! compression.

mod common;

use std::time::Duration;

use common::*;
use typerpc::client::{CallOptions, Codec, Compression, HttpVersion, Protocol};
use typerpc::Code;
use typerpc_conformance::server::ConformanceServiceClient;
use typerpc_conformance::*;

/// Every protocol, codec and HTTP version a client can combine.
fn combinations() -> Vec<(Protocol, Codec, HttpVersion)> {
    let mut all = Vec::new();
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        for codec in [Codec::Proto, Codec::Json] {
            for http in [HttpVersion::Http2, HttpVersion::Http1] {
                if protocol == Protocol::Grpc && http == HttpVersion::Http1 {
                    continue; // gRPC needs HTTP/2
                }
                all.push((protocol, codec, http));
            }
        }
    }
    all
}

fn client(
    sut: &Sut,
    (protocol, codec, http): (Protocol, Codec, HttpVersion),
) -> ConformanceServiceClient {
    ConformanceServiceClient::new(
        typerpc::Client::builder(&sut.url())
            .protocol(protocol)
            .codec(codec)
            .http_version(http)
            .register_type::<UnaryRequest>()
            .register_type::<ServerStreamRequest>()
            .register_type::<ClientStreamRequest>()
            .register_type::<BidiStreamRequest>()
            .register_type::<IdempotentUnaryRequest>()
            .register_type::<Header>()
            .register_type::<ConformancePayloadRequestInfo>()
            .build()
            .unwrap(),
    )
}

fn values<'a>(headers: &'a http::HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect()
}

#[tokio::test]
async fn unary_with_headers_trailers_and_echoed_request_info() {
    let sut = Sut::plain();
    for combination in combinations() {
        let client = client(&sut, combination);
        let response = client
            .unary_with(
                UnaryRequest {
                    response_definition: Some(unary_data(b"answer")),
                    request_data: vec![1; 10],
                },
                CallOptions::new()
                    .header("x-conformance", "ours")
                    .timeout(Duration::from_secs(20)),
            )
            .await
            .unwrap_or_else(|e| panic!("{combination:?}: {e:?}"));
        assert_eq!(
            values(response.headers(), "x-resp-header"),
            ["h1", "h2"],
            "{combination:?}"
        );
        assert_eq!(
            values(response.trailers(), "x-resp-trailer"),
            ["t1"],
            "{combination:?}"
        );
        let payload = response.message().payload.clone().unwrap();
        assert_eq!(payload.data, b"answer", "{combination:?}");
        let info = payload.request_info.unwrap();
        assert_eq!(
            echoed(&info.request_headers, "x-conformance"),
            ["ours"],
            "{combination:?}"
        );
        let timeout = info.timeout_ms.unwrap();
        assert!(
            (15_000..=20_000).contains(&timeout),
            "{combination:?}: {timeout}"
        );
        let echoed_request: UnaryRequest = info.requests[0].unpack().unwrap().unwrap();
        assert_eq!(echoed_request.request_data, vec![1; 10], "{combination:?}");
    }
}

#[tokio::test]
async fn errors_carry_their_details_and_the_request_info() {
    let sut = Sut::plain();
    for combination in combinations() {
        let client = client(&sut, combination);
        let status = client
            .unary(UnaryRequest {
                response_definition: Some(UnaryResponseDefinition {
                    response: Some(UnaryResponseDefinitionResponse::Error(error_definition(
                        typerpc_conformance::Code::ResourceExhausted,
                        "too much",
                    ))),
                    ..unary_data(b"")
                }),
                request_data: Vec::new(),
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::ResourceExhausted, "{combination:?}");
        assert_eq!(status.message(), "too much", "{combination:?}");
        let given: Header = status.details()[0].unpack().unwrap().unwrap();
        assert_eq!(given.name, "detail", "{combination:?}");
        let info: ConformancePayloadRequestInfo = status.details()[1].unpack().unwrap().unwrap();
        assert_eq!(info.requests.len(), 1, "{combination:?}");

        let status = client
            .unimplemented(UnimplementedRequest {})
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented, "{combination:?}");
    }
}

#[tokio::test]
async fn every_stream_shape_with_an_error_after_the_messages() {
    let sut = Sut::plain();
    for combination in combinations() {
        let client = client(&sut, combination);
        // Server stream: two messages, then the error and the trailers.
        let mut stream = client
            .server_stream(ServerStreamRequest {
                response_definition: Some(stream_definition(
                    &[b"one", b"two"],
                    Some(error_definition(typerpc_conformance::Code::Aborted, "stop")),
                )),
                request_data: Vec::new(),
            })
            .await
            .unwrap_or_else(|e| panic!("{combination:?}: {e:?}"));
        assert_eq!(
            values(stream.headers(), "x-resp-header"),
            ["h1"],
            "{combination:?}"
        );
        let first = stream.message().await.unwrap().unwrap();
        assert_eq!(first.payload.unwrap().data, b"one", "{combination:?}");
        let second = stream.message().await.unwrap().unwrap();
        assert_eq!(second.payload.unwrap().data, b"two", "{combination:?}");
        let status = stream.message().await.unwrap_err();
        assert_eq!(status.code(), Code::Aborted, "{combination:?}");
        assert_eq!(status.message(), "stop", "{combination:?}");

        // Client stream: every request echoed in the one response.
        let requests = (0..3u8).map(|i| ClientStreamRequest {
            response_definition: (i == 0).then(|| unary_data(b"summed")),
            request_data: vec![i],
        });
        let response = client
            .client_stream_with(typerpc::stream::iter(requests), CallOptions::new())
            .await
            .unwrap_or_else(|e| panic!("{combination:?}: {e:?}"));
        let payload = response.message().payload.clone().unwrap();
        assert_eq!(payload.data, b"summed", "{combination:?}");
        assert_eq!(
            payload.request_info.unwrap().requests.len(),
            3,
            "{combination:?}"
        );
        assert_eq!(
            values(response.trailers(), "x-resp-trailer"),
            ["t1"],
            "{combination:?}"
        );

        // Bidi, half duplex (full duplex needs HTTP/2 and is below).
        if combination.2 == HttpVersion::Http2 {
            let requests = (0..2u8).map(|i| BidiStreamRequest {
                response_definition: (i == 0).then(|| stream_definition(&[b"a", b"b"], None)),
                full_duplex: false,
                request_data: vec![i],
            });
            let mut stream = client
                .bidi_stream(typerpc::stream::iter(requests))
                .await
                .unwrap_or_else(|e| panic!("{combination:?}: {e:?}"));
            let mut data = Vec::new();
            while let Some(message) = stream.message().await.unwrap() {
                data.push(message.payload.unwrap().data);
            }
            assert_eq!(data, [b"a".to_vec(), b"b".to_vec()], "{combination:?}");
            assert_eq!(
                values(&stream.trailers().unwrap(), "x-resp-trailer"),
                ["t1"],
                "{combination:?}"
            );
        }
    }
}

#[tokio::test]
async fn full_duplex_bidi_answers_each_request_in_turn() {
    let sut = Sut::plain();
    for protocol in [Protocol::Grpc, Protocol::Connect, Protocol::GrpcWeb] {
        let client = client(&sut, (protocol, Codec::Proto, HttpVersion::Http2));
        let (tx, mut rx) = tokio::sync::mpsc::channel::<BidiStreamRequest>(1);
        let requests = typerpc::stream::poll_fn(move |cx| rx.poll_recv(cx));
        tx.send(BidiStreamRequest {
            response_definition: Some(stream_definition(&[b"x", b"y"], None)),
            full_duplex: true,
            request_data: vec![0],
        })
        .await
        .unwrap();
        let mut stream = client.bidi_stream(requests).await.unwrap();
        let first = stream.message().await.unwrap().unwrap();
        assert_eq!(first.payload.unwrap().data, b"x", "{protocol:?}");
        tx.send(BidiStreamRequest {
            response_definition: None,
            full_duplex: true,
            request_data: vec![1],
        })
        .await
        .unwrap();
        let second = stream.message().await.unwrap().unwrap();
        let payload = second.payload.unwrap();
        assert_eq!(payload.data, b"y", "{protocol:?}");
        // Only the requests since the last response are echoed.
        assert_eq!(
            payload.request_info.unwrap().requests.len(),
            1,
            "{protocol:?}"
        );
        drop(tx);
        assert!(stream.message().await.unwrap().is_none(), "{protocol:?}");
    }
}

#[tokio::test]
async fn connect_get_timeouts_and_compression() {
    let sut = Sut::plain();
    for codec in [Codec::Proto, Codec::Json] {
        let client = client(&sut, (Protocol::Connect, codec, HttpVersion::Http1));
        let response = client
            .idempotent_unary_with(
                IdempotentUnaryRequest {
                    response_definition: Some(unary_data(b"got")),
                    request_data: Vec::new(),
                },
                CallOptions::new().connect_get(true),
            )
            .await
            .unwrap();
        let info = response
            .message()
            .payload
            .clone()
            .unwrap()
            .request_info
            .unwrap();
        // The server saw a GET: it echoes the query parameters.
        let query = info.connect_get_info.unwrap().query_params;
        assert!(
            query.iter().any(|h| h.name == "message"),
            "{codec:?}: {query:?}"
        );
    }
    for combination in combinations() {
        let client = client(&sut, combination);
        // A response slower than the deadline is `deadline_exceeded`.
        let status = client
            .unary_with(
                UnaryRequest {
                    response_definition: Some(UnaryResponseDefinition {
                        response_delay_ms: 2_000,
                        ..unary_data(b"late")
                    }),
                    request_data: Vec::new(),
                },
                CallOptions::new().timeout(Duration::from_millis(200)),
            )
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::DeadlineExceeded, "{combination:?}");
        // Compressed requests and responses.
        for compression in [Compression::Gzip, Compression::Zstd] {
            let response = client
                .unary_with(
                    UnaryRequest {
                        response_definition: Some(unary_data(&[9; 4096])),
                        request_data: vec![8; 4096],
                    },
                    CallOptions::new().compression(compression),
                )
                .await
                .unwrap_or_else(|e| panic!("{combination:?} {compression:?}: {e:?}"));
            assert_eq!(
                response.message().payload.clone().unwrap().data,
                vec![9; 4096]
            );
        }
    }
}
