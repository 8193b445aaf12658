//! Streaming calls over real loopback sockets: every shape through tonic's
//! gRPC client, Connect and gRPC-Web streaming through a plain HTTP client,
//! and the server's behaviour under a slow reader, a client that goes
//! away, a deadline and a panic.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use common::server::TestServer;
use common::streaming::*;
use futures_util::StreamExt;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tonic::codegen::http::uri::PathAndQuery;
use tonic_prost::ProstCodec;
use typerpc::protocol::connect_error;
use typerpc::protocol::envelope::{encode_envelope, EnvelopeDecoder, FLAG_END_STREAM};
use typerpc::{Message, Server};

async fn start() -> (TestServer, Arc<Probe>) {
    let (service, probe) = StreamService::new();
    let server = TestServer::start_with(
        Server::new()
            .add(service)
            .configure(|r| r.register_type::<StopInfo>()),
    )
    .await;
    (server, probe)
}

async fn tonic_client(server: &TestServer) -> tonic::client::Grpc<tonic::transport::Channel> {
    let channel = tonic::transport::Endpoint::from_shared(server.url(""))
        .unwrap()
        .connect()
        .await
        .unwrap();
    tonic::client::Grpc::new(channel)
}

fn path(method: &str) -> PathAndQuery {
    PathAndQuery::try_from(format!("/stream.v1.StreamService/{method}")).unwrap()
}

async fn count(
    client: &mut tonic::client::Grpc<tonic::transport::Channel>,
    method: &str,
    request: CountRequest,
) -> Result<tonic::Response<tonic::codec::Streaming<Counted>>, tonic::Status> {
    client.ready().await.unwrap();
    client
        .server_streaming(
            tonic::Request::new(request),
            path(method),
            ProstCodec::<CountRequest, Counted>::default(),
        )
        .await
}

#[tokio::test]
async fn tonic_server_streaming_with_header_and_trailer() {
    let (server, _) = start().await;
    let mut client = tonic_client(&server).await;
    let response = count(
        &mut client,
        "Count",
        CountRequest {
            to: 5,
            ..CountRequest::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(response.metadata().get("x-stream").unwrap(), "count");
    let mut stream = response.into_inner();
    let mut got = Vec::new();
    while let Some(message) = stream.message().await.unwrap() {
        got.push(message.n);
    }
    assert_eq!(got, [1, 2, 3, 4, 5]);
    let trailers = stream.trailers().await.unwrap().unwrap();
    assert_eq!(trailers.get("x-last").unwrap(), "5");
}

#[tokio::test]
async fn tonic_sees_an_error_after_some_messages_with_its_detail() {
    let (server, _) = start().await;
    let mut client = tonic_client(&server).await;
    let mut stream = count(
        &mut client,
        "Count",
        CountRequest {
            to: 5,
            fail_at: 3,
            ..CountRequest::default()
        },
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(stream.message().await.unwrap().unwrap().n, 1);
    assert_eq!(stream.message().await.unwrap().unwrap().n, 2);
    let status = stream.message().await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Aborted);
    assert_eq!(status.message(), "stopped at 3");
    let details = typerpc::status::RpcStatus::decode(status.details()).unwrap();
    let typed = typerpc::Status::from_rpc_status(details);
    assert_eq!(typed.detail::<StopInfo>(), Some(StopInfo { at: 3 }));

    // An error before any message is trailers-only.
    let status = count(
        &mut client,
        "Count",
        CountRequest {
            to: 2_000_000,
            ..CountRequest::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
}

#[tokio::test]
async fn tonic_client_streaming_sums_and_refuses_bad_input() {
    let (server, _) = start().await;
    let mut client = tonic_client(&server).await;
    let numbers = (1..=100).map(|value| Number { value });
    client.ready().await.unwrap();
    let response = client
        .client_streaming(
            tonic::Request::new(futures_util::stream::iter(numbers)),
            path("Sum"),
            ProstCodec::<Number, Total>::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        response.get_ref(),
        &Total {
            sum: 5050,
            count: 100
        }
    );

    let numbers = [1, 2, -3, 4].map(|value| Number { value });
    client.ready().await.unwrap();
    let status = client
        .client_streaming(
            tonic::Request::new(futures_util::stream::iter(numbers)),
            path("Sum"),
            ProstCodec::<Number, Total>::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(status.message(), "negative number -3 at position 2");

    // No messages at all is a valid client stream.
    client.ready().await.unwrap();
    let response = client
        .client_streaming(
            tonic::Request::new(futures_util::stream::iter(Vec::<Number>::new())),
            path("Sum"),
            ProstCodec::<Number, Total>::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.get_ref(), &Total::default());
}

#[tokio::test]
async fn tonic_bidi_is_full_duplex() {
    let (server, _) = start().await;
    let mut client = tonic_client(&server).await;
    let (tx, rx) = tokio::sync::mpsc::channel::<Number>(1);
    client.ready().await.unwrap();
    let requests = tokio_stream_from(rx);
    let response = client
        .streaming(
            tonic::Request::new(requests),
            path("Double"),
            ProstCodec::<Number, Number>::default(),
        )
        .await
        .unwrap();
    let mut responses = response.into_inner();
    // Each answer arrives before the next request is sent: the server
    // answers while the client is still sending.
    for value in 1..=5 {
        tx.send(Number { value }).await.unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(5), responses.message())
            .await
            .expect("an answer before the request stream ends")
            .unwrap()
            .unwrap();
        assert_eq!(answer.value, value * 2);
    }
    // An error mid-stream ends the call with it.
    tx.send(Number { value: 0 }).await.unwrap();
    let status = responses.message().await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::OutOfRange);
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[tokio::test]
async fn a_deadline_ends_a_stream_midway() {
    let (server, _) = start().await;
    let mut client = tonic_client(&server).await;
    let mut request = tonic::Request::new(CountRequest {
        to: 100,
        delay_ms: 50,
        ..CountRequest::default()
    });
    request.set_timeout(Duration::from_millis(400));
    client.ready().await.unwrap();
    let mut stream = client
        .server_streaming(
            request,
            path("Count"),
            ProstCodec::<CountRequest, Counted>::default(),
        )
        .await
        .unwrap()
        .into_inner();
    let mut received = 0;
    let status = loop {
        match stream.message().await {
            Ok(Some(_)) => received += 1,
            Ok(None) => panic!("the stream finished inside its deadline"),
            Err(status) => break status,
        }
    };
    assert!(
        status.code() == tonic::Code::DeadlineExceeded || status.code() == tonic::Code::Cancelled,
        "{status:?}"
    );
    eprintln!("deadline: {status:?} after {received}");
    assert!((2..20).contains(&received), "received {received}");
}

/// Panics unless the handler's stream is dropped within two seconds.
async fn handler_dropped_soon(probe: &Probe) {
    for _ in 0..100 {
        if probe.dropped.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the handler kept running");
}

#[tokio::test]
async fn a_slow_reader_keeps_the_server_bounded_and_a_cancel_stops_the_handler() {
    let (server, probe) = start().await;
    let mut client = tonic_client(&server).await;
    let mut stream = count(
        &mut client,
        "Endless",
        CountRequest {
            padding: 1024,
            ..CountRequest::default()
        },
    )
    .await
    .unwrap()
    .into_inner();
    stream.message().await.unwrap().unwrap();
    // The client stops reading. An unbounded server would go on producing
    // (millions of messages a second); flow control must stop it once the
    // HTTP/2 windows and send buffers are full (a few MB of 1 KiB messages).
    tokio::time::sleep(Duration::from_millis(700)).await;
    let first = probe.produced.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = probe.produced.load(Ordering::SeqCst);
    assert_eq!(first, second, "the producer kept going while nobody read");
    eprintln!("produced ahead: {first}");
    assert!(
        first < 10_000,
        "produced {first} messages ahead of the reader"
    );
    // Reading resumes the producer.
    for _ in 0..5000 {
        stream.message().await.unwrap().unwrap();
    }
    assert!(probe.produced.load(Ordering::SeqCst) > 5000);
    assert!(!probe.dropped.load(Ordering::SeqCst));

    // Dropping the response stream cancels the call (RST_STREAM): the
    // handler's stream is dropped promptly.
    drop(stream);
    handler_dropped_soon(&probe).await;
    // The connection still serves.
    let mut stream = count(
        &mut client,
        "Count",
        CountRequest {
            to: 2,
            ..CountRequest::default()
        },
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(stream.message().await.unwrap().unwrap().n, 1);
}

/// Our own client: a stream it stops reading stops the server once the
/// client's windows (1 MiB per stream) are full, counted in bytes on the
/// wire. Compressed (the client asks for it by default), 1 KiB of padding
/// is some 40 bytes, so the server runs tens of thousands of messages
/// ahead, still a bounded amount: this is what a soak with compressible
/// padding sees.
#[tokio::test]
async fn our_client_stops_the_server_when_it_stops_reading_counted_on_the_wire() {
    for (compressed, most_ahead) in [(false, 2_000), (true, 60_000)] {
        let (server, probe) = start().await;
        let client = typerpc::Client::builder(&server.url(""))
            .accept_compression(compressed)
            .build()
            .unwrap();
        let mut stream = StreamServiceClient::new(client)
            .endless(CountRequest {
                padding: 1024,
                ..CountRequest::default()
            })
            .await
            .unwrap();
        stream.message().await.unwrap().unwrap();
        let ahead = loop {
            let before = probe.produced.load(Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            let after = probe.produced.load(Ordering::SeqCst);
            if after == before {
                break after;
            }
            assert!(after < most_ahead, "compressed {compressed}: {after} ahead");
        };
        eprintln!("compressed {compressed}: the server stopped {ahead} messages ahead");
        assert!(
            ahead > 500 && ahead < most_ahead,
            "compressed {compressed}: {ahead} ahead"
        );
        if compressed {
            // Far more than a window's worth of uncompressed messages.
            assert!(ahead > 5_000, "{ahead} ahead: was the stream compressed?");
        }
        drop(stream);
        handler_dropped_soon(&probe).await;
    }
}

#[tokio::test]
async fn a_panicking_stream_is_internal_and_the_connection_survives() {
    let (server, _) = start().await;
    let mut client = tonic_client(&server).await;
    let mut stream = count(&mut client, "Explode", CountRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stream.message().await.unwrap().unwrap().n, 0);
    assert_eq!(stream.message().await.unwrap().unwrap().n, 1);
    let status = stream.message().await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Internal);
    assert!(!status.message().contains("secret"), "{status:?}");
    let mut stream = count(
        &mut client,
        "Count",
        CountRequest {
            to: 1,
            ..CountRequest::default()
        },
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(stream.message().await.unwrap().unwrap().n, 1);
}

#[tokio::test]
async fn the_message_limit_applies_to_each_streamed_message() {
    let (service, _) = StreamService::new();
    let server = TestServer::start_with(
        Server::new()
            .add(service)
            .configure(|r| r.max_message_size(64)),
    )
    .await;
    let mut client = tonic_client(&server).await;
    // Many small messages are fine although they add up past the limit.
    let numbers = (1..=50).map(|value| Number { value });
    client.ready().await.unwrap();
    let total = client
        .client_streaming(
            tonic::Request::new(futures_util::stream::iter(numbers)),
            path("Sum"),
            ProstCodec::<Number, Total>::default(),
        )
        .await
        .unwrap();
    assert_eq!(total.get_ref().count, 50);
    // One message over the limit is refused.
    client.ready().await.unwrap();
    let status = client
        .server_streaming(
            tonic::Request::new(Counted {
                n: 1,
                padding: vec![0; 100],
            }),
            path("Count"),
            ProstCodec::<Counted, Counted>::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
}

// Connect and gRPC-Web streaming through a plain HTTP client: the bytes on
// the wire, checked against the spec.

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn http1() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

fn http2() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

fn envelopes(messages: &[Vec<u8>]) -> Bytes {
    let mut out = BytesMut::new();
    for message in messages {
        encode_envelope(0, message, &mut out);
    }
    out.freeze()
}

/// Posts a body and splits the response into its envelopes.
async fn post_stream(
    client: &HttpClient,
    url: String,
    content_type: &str,
    body: Bytes,
) -> (http::StatusCode, http::HeaderMap, Vec<(u8, Bytes)>) {
    let request = Request::post(url)
        .header("content-type", content_type)
        .body(Full::new(body))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let mut decoder = EnvelopeDecoder::new(1 << 20);
    decoder.push(body);
    let mut frames = Vec::new();
    while let Some(frame) = decoder.next_frame().unwrap() {
        frames.push((frame.flags(), frame.into_payload()));
    }
    decoder.finish().unwrap();
    (status, headers, frames)
}

#[tokio::test]
async fn connect_streaming_proto_and_json_over_both_http_versions() {
    let (server, _) = start().await;
    for client in [http1(), http2()] {
        // Server streaming, binary.
        let request = CountRequest {
            to: 3,
            ..CountRequest::default()
        };
        let (status, headers, frames) = post_stream(
            &client,
            server.url("/stream.v1.StreamService/Count"),
            "application/connect+proto",
            envelopes(&[request.encode_to_vec()]),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "application/connect+proto");
        assert_eq!(headers["x-stream"], "count");
        assert_eq!(frames.len(), 4);
        for (i, (flags, payload)) in frames[..3].iter().enumerate() {
            assert_eq!(*flags, 0);
            assert_eq!(Counted::decode(&payload[..]).unwrap().n, i as u32 + 1);
        }
        assert_eq!(frames[3].0, FLAG_END_STREAM);
        let end: serde_json::Value = serde_json::from_slice(&frames[3].1).unwrap();
        assert_eq!(end, serde_json::json!({"metadata": {"x-last": ["3"]}}));

        // Client streaming, JSON: the request is all there (half duplex
        // on HTTP/1.1).
        let body = envelopes(&[br#"{"value":"40"}"#.to_vec(), br#"{"value":2}"#.to_vec()]);
        let (status, _, frames) = post_stream(
            &client,
            server.url("/stream.v1.StreamService/Sum"),
            "application/connect+json",
            body,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(frames.len(), 2);
        let total: serde_json::Value = serde_json::from_slice(&frames[0].1).unwrap();
        assert_eq!(total, serde_json::json!({"sum": "42", "count": 2}));
        let end = connect_error::end_stream_from_json(&frames[1].1).unwrap();
        assert!(end.error.is_none());
        assert_eq!(end.metadata["x-count"], "2");

        // Bidi with an error mid-stream: messages, then the error.
        let body = envelopes(&[br#"{"value":1}"#.to_vec(), br#"{"value":0}"#.to_vec()]);
        let (_, _, frames) = post_stream(
            &client,
            server.url("/stream.v1.StreamService/Double"),
            "application/connect+json",
            body,
        )
        .await;
        assert_eq!(frames.len(), 2);
        assert_eq!(&frames[0].1[..], br#"{"value":"2"}"#);
        let end = connect_error::end_stream_from_json(&frames[1].1).unwrap();
        let error = end.error.unwrap();
        assert_eq!(error.code(), typerpc::Code::OutOfRange);
        assert_eq!(error.message(), "zero has no double worth sending");
    }
}

#[tokio::test]
async fn connect_streaming_errors_travel_in_the_end_stream_message() {
    let (server, _) = start().await;
    let client = http2();
    // A malformed request message: HTTP 200, the error at the end.
    let (status, _, frames) = post_stream(
        &client,
        server.url("/stream.v1.StreamService/Count"),
        "application/connect+proto",
        envelopes(&[vec![0xff, 0xff]]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(frames.len(), 1);
    let end = connect_error::end_stream_from_json(&frames[0].1).unwrap();
    assert_eq!(end.error.unwrap().code(), typerpc::Code::InvalidArgument);

    // A bad timeout header, likewise.
    let request = Request::post(server.url("/stream.v1.StreamService/Count"))
        .header("content-type", "application/connect+proto")
        .header("connect-timeout-ms", "soon")
        .body(Full::new(envelopes(&[Vec::new()])))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);

    // The unary content type on a streaming method, and the reverse: 415.
    let request = Request::post(server.url("/stream.v1.StreamService/Count"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    assert_eq!(client.request(request).await.unwrap().status(), 415);

    // An unknown streaming method: 404.
    let request = Request::post(server.url("/stream.v1.StreamService/Nope"))
        .header("content-type", "application/connect+proto")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(client.request(request).await.unwrap().status(), 404);
}

#[tokio::test]
async fn grpc_web_server_streaming_over_http1_binary_and_text() {
    let (server, _) = start().await;
    let request = CountRequest {
        to: 2,
        ..CountRequest::default()
    }
    .encode_to_vec();
    let (status, headers, frames) = post_stream(
        &http1(),
        server.url("/stream.v1.StreamService/Count"),
        "application/grpc-web+proto",
        envelopes(std::slice::from_ref(&request)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/grpc-web+proto");
    assert_eq!(frames.len(), 3);
    assert_eq!(Counted::decode(&frames[1].1[..]).unwrap().n, 2);
    assert_eq!(frames[2].0, 0x80);
    let trailers = String::from_utf8(frames[2].1.to_vec()).unwrap();
    assert!(trailers.contains("grpc-status:0\r\n"), "{trailers}");
    assert!(trailers.contains("x-last:2\r\n"), "{trailers}");

    // The text variant: base64 chunks, one per flush.
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(envelopes(&[request]));
    let response = http1()
        .request(
            Request::post(server.url("/stream.v1.StreamService/Count"))
                .header("content-type", "application/grpc-web-text")
                .body(Full::new(Bytes::from(text)))
                .unwrap(),
        )
        .await
        .unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let mut decoded = Vec::new();
    for chunk in body.split_inclusive(|b| *b == b'=') {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(chunk) {
            decoded.extend(bytes);
        }
    }
    let mut decoder = EnvelopeDecoder::new(1 << 20);
    decoder.push(Bytes::from(decoded));
    let mut count = 0;
    while let Some(frame) = decoder.next_frame().unwrap() {
        count += 1;
        if frame.is_web_trailers() {
            assert!(std::str::from_utf8(frame.payload())
                .unwrap()
                .contains("grpc-status:0"));
        }
    }
    assert_eq!(count, 3);
}

#[tokio::test]
async fn many_concurrent_streams_on_one_connection() {
    let (server, _) = start().await;
    let client = tonic_client(&server).await;
    let calls = (0..50).map(|i| {
        let mut client = client.clone();
        async move {
            let mut stream = count(
                &mut client,
                "Count",
                CountRequest {
                    to: 20 + i,
                    ..CountRequest::default()
                },
            )
            .await
            .unwrap()
            .into_inner();
            let mut n = 0;
            while let Some(message) = stream.message().await.unwrap() {
                n += 1;
                assert_eq!(message.n, n);
            }
            assert_eq!(n, 20 + i);
        }
    });
    futures_util::future::join_all(calls).await;
}

#[allow(dead_code)]
fn _streams_are_send(stream: typerpc::ResponseStream<Counted>) -> impl Send {
    stream.map(|x| x)
}

/// A gRPC stream that fails before the handler set any response header is
/// answered "trailers-only", as grpc-go and connect-go do: the status in the
/// response headers, no body, no trailers. One that fails, or ends, before
/// its first message but after the handler set headers sends those headers
/// on their own and the status in trailers (as a grpc-go handler that calls
/// `SendHeader`, and connect-go, do): a gRPC client reads a trailers-only
/// answer's metadata as trailers, so the headers would be lost.
#[tokio::test]
async fn grpc_streams_that_end_before_a_message_answer_trailers_only() {
    let (server, _) = start().await;
    let url = server.url("/stream.v1.StreamService/Count");
    let post = |request: CountRequest| {
        Request::post(url.clone())
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(Full::new(envelopes(&[request.encode_to_vec()])))
            .unwrap()
    };
    // Refused before any header was set: trailers-only.
    let response = http2()
        .request(post(CountRequest {
            to: 2_000_000,
            ..CountRequest::default()
        }))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["grpc-status"], "3");
    assert_eq!(headers["content-type"], "application/grpc+proto");
    assert!(!headers.contains_key("x-stream"));
    let collected = response.into_body().collect().await.unwrap();
    assert!(collected.trailers().is_none());
    assert!(collected.to_bytes().is_empty());

    // The handler set `x-stream`, then failed or ended before a message:
    // headers, then the status in trailers.
    for (request, code) in [
        (
            CountRequest {
                to: 3,
                fail_at: 1,
                ..CountRequest::default()
            },
            "10",
        ),
        (CountRequest::default(), "0"),
    ] {
        let response = http2().request(post(request)).await.unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["x-stream"], "count");
        assert_eq!(headers["content-type"], "application/grpc+proto");
        assert!(!headers.contains_key("grpc-status"), "{headers:?}");
        let collected = response.into_body().collect().await.unwrap();
        let trailers = collected.trailers().expect("trailers").clone();
        assert_eq!(trailers["grpc-status"], code);
        assert!(!trailers.contains_key("x-stream"));
        assert!(collected.to_bytes().is_empty());
    }
    // A stream that has a message to send answers with headers first and
    // the status in trailers.
    let body = envelopes(&[CountRequest {
        to: 1,
        ..CountRequest::default()
    }
    .encode_to_vec()]);
    let request = Request::post(url.clone())
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(body))
        .unwrap();
    let response = http2().request(request).await.unwrap();
    assert!(!response.headers().contains_key("grpc-status"));
    let collected = response.into_body().collect().await.unwrap();
    assert_eq!(collected.trailers().unwrap()["grpc-status"], "0");
}
