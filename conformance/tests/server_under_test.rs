//! The server-under-test binary, started through stdin and stdout as the
//! suite's runner starts it, driven over gRPC by tonic: every RPC shape,
//! errors with details, headers and trailers, the echoed timeout,
//! compression and the receive limit. (The server's own deadline is tested
//! over raw HTTP in `server_under_test_http.rs`: tonic's client-side timer
//! would answer first.)

mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use tonic::codec::CompressionEncoding;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use typerpc::Any;
use typerpc_conformance::*;

type Client = tonic::client::Grpc<Channel>;

async fn client(sut: &Sut) -> Client {
    let channel = tonic::transport::Endpoint::from_shared(sut.url())
        .unwrap()
        .connect()
        .await
        .unwrap();
    tonic::client::Grpc::new(channel)
}

fn method(name: &str) -> PathAndQuery {
    PathAndQuery::try_from(path(name)).unwrap()
}

async fn unary(
    client: &mut Client,
    request: tonic::Request<UnaryRequest>,
) -> Result<tonic::Response<UnaryResponse>, tonic::Status> {
    client.ready().await.unwrap();
    client
        .unary(request, method("Unary"), TyperpcCodec::default())
        .await
}

async fn server_stream(
    client: &mut Client,
    request: ServerStreamRequest,
) -> tonic::Response<tonic::codec::Streaming<ServerStreamResponse>> {
    client.ready().await.unwrap();
    client
        .server_streaming(
            tonic::Request::new(request),
            method("ServerStream"),
            TyperpcCodec::default(),
        )
        .await
        .unwrap()
}

fn unary_request(definition: Option<UnaryResponseDefinition>, data: usize) -> UnaryRequest {
    UnaryRequest {
        response_definition: definition,
        request_data: vec![7; data],
    }
}

#[tokio::test]
async fn the_binary_starts_from_stdin_and_keeps_serving_after_stdin_closes() {
    let mut sut = Sut::plain();
    assert_eq!(sut.response.host, "127.0.0.1");
    assert_ne!(sut.response.port, 0);
    assert!(sut.response.pem_cert.is_empty());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        sut.is_running(),
        "the runner closes stdin; the server must stay up"
    );
    let mut client = client(&sut).await;
    unary(&mut client, tonic::Request::new(unary_request(None, 0)))
        .await
        .unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn the_binary_exits_cleanly_on_sigterm() {
    let mut sut = Sut::plain();
    let mut client = client(&sut).await;
    unary(&mut client, tonic::Request::new(unary_request(None, 0)))
        .await
        .unwrap();
    drop(client);
    let status = sut
        .terminate(Duration::from_secs(5))
        .expect("the server exits after SIGTERM");
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn grpc_unary_echoes_request_info_with_headers_and_trailers() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let sent = unary_request(Some(unary_data(b"answer")), 10);
    let mut request = tonic::Request::new(sent.clone());
    request
        .metadata_mut()
        .insert("x-test-case", "unary".parse().unwrap());
    request.set_timeout(Duration::from_secs(20));
    let response = unary(&mut client, request).await.unwrap();

    let metadata = response.metadata().clone();
    let values: Vec<_> = metadata.get_all("x-resp-header").iter().collect();
    assert_eq!(values, ["h1", "h2"]);
    // tonic merges the trailers of a unary call into its metadata.
    assert_eq!(metadata.get("x-resp-trailer").unwrap(), "t1");

    let payload = response.into_inner().payload.unwrap();
    assert_eq!(payload.data, b"answer");
    let info = payload.request_info.unwrap();
    assert_eq!(echoed(&info.request_headers, "x-test-case"), ["unary"]);
    let timeout = info.timeout_ms.expect("the timeout is echoed");
    assert!((1..=20_000).contains(&timeout), "timeout_ms {timeout}");
    assert_eq!(info.requests.len(), 1);
    assert_eq!(
        info.requests[0].unpack::<UnaryRequest>().unwrap(),
        Some(sent)
    );
    assert!(info.connect_get_info.is_none(), "a POST has no GET info");
}

#[tokio::test]
async fn grpc_unary_without_a_definition_returns_only_the_request_info() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let response = unary(&mut client, tonic::Request::new(unary_request(None, 3)))
        .await
        .unwrap();
    assert!(response.metadata().get("x-resp-header").is_none());
    let payload = response.into_inner().payload.unwrap();
    assert!(payload.data.is_empty());
    assert!(payload.request_info.unwrap().timeout_ms.is_none());
}

#[tokio::test]
async fn grpc_unary_errors_carry_the_given_details_the_request_info_and_metadata() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let definition = UnaryResponseDefinition {
        response: Some(UnaryResponseDefinitionResponse::Error(error_definition(
            Code::FailedPrecondition,
            "not now",
        ))),
        ..unary_data(b"")
    };
    let sent = unary_request(Some(definition), 0);
    let status = unary(&mut client, tonic::Request::new(sent.clone()))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    assert_eq!(status.message(), "not now");
    // A trailers-only response: headers and trailers arrive together.
    assert_eq!(status.metadata().get("x-resp-header").unwrap(), "h1");
    assert_eq!(status.metadata().get("x-resp-trailer").unwrap(), "t1");
    let details = tonic_details(&status);
    assert_eq!(details.len(), 2);
    assert_eq!(
        details[0].unpack::<Header>().unwrap(),
        Some(header("detail", &["given"]))
    );
    let info = details[1]
        .unpack::<ConformancePayloadRequestInfo>()
        .unwrap()
        .expect("the request info is the last detail");
    assert_eq!(
        info.requests[0].unpack::<UnaryRequest>().unwrap(),
        Some(sent)
    );
}

#[tokio::test]
async fn grpc_unary_with_gzip_and_zstd_both_ways() {
    let sut = Sut::plain();
    for encoding in [CompressionEncoding::Gzip, CompressionEncoding::Zstd] {
        let mut client = client(&sut)
            .await
            .send_compressed(encoding)
            .accept_compressed(encoding);
        let data = vec![b'z'; 50_000];
        let response = unary(
            &mut client,
            tonic::Request::new(unary_request(Some(unary_data(&data)), 50_000)),
        )
        .await
        .unwrap();
        assert_eq!(
            response.metadata().get("grpc-encoding").unwrap(),
            encoding.to_string().as_str()
        );
        assert_eq!(response.into_inner().payload.unwrap().data, data);
    }
}

#[tokio::test]
async fn grpc_the_receive_limit_rejects_larger_messages_even_compressed() {
    let sut = Sut::start(ServerCompatRequest {
        message_receive_limit: 1024,
        ..plain_request()
    });
    let mut client = client(&sut).await;
    unary(&mut client, tonic::Request::new(unary_request(None, 500)))
        .await
        .unwrap();
    let status = unary(&mut client, tonic::Request::new(unary_request(None, 2_000)))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    // Small on the wire, too large once decompressed.
    let mut client = client.send_compressed(CompressionEncoding::Gzip);
    let status = unary(
        &mut client,
        tonic::Request::new(unary_request(None, 20_000)),
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
}

#[tokio::test]
async fn grpc_server_stream_sends_the_data_then_the_error_and_trailers() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let mut definition = stream_definition(
        &[b"one", b"two", b"three"],
        Some(error_definition(Code::Aborted, "stop")),
    );
    definition.response_delay_ms = 20;
    let sent = ServerStreamRequest {
        response_definition: Some(definition),
        request_data: vec![1, 2, 3],
    };
    let response = server_stream(&mut client, sent.clone()).await;
    assert_eq!(response.metadata().get("x-resp-header").unwrap(), "h1");
    let mut stream = response.into_inner();
    let mut payloads = Vec::new();
    let status = loop {
        match stream.message().await {
            Ok(Some(message)) => payloads.push(message.payload.unwrap()),
            Ok(None) => panic!("the stream must end with the error"),
            Err(status) => break status,
        }
    };
    let data: Vec<_> = payloads.iter().map(|p| p.data.as_slice()).collect();
    assert_eq!(data, [&b"one"[..], b"two", b"three"]);
    let info = payloads[0].request_info.as_ref().unwrap();
    assert_eq!(
        info.requests[0].unpack::<ServerStreamRequest>().unwrap(),
        Some(sent)
    );
    assert!(payloads[1..].iter().all(|p| p.request_info.is_none()));
    assert_eq!(status.code(), tonic::Code::Aborted);
    assert_eq!(status.metadata().get("x-resp-trailer").unwrap(), "t1");
    // Responses were sent, so the request info is not among the details.
    assert_eq!(tonic_details(&status).len(), 1);
}

#[tokio::test]
async fn grpc_server_stream_with_only_an_error_sends_the_request_info_in_it() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let sent = ServerStreamRequest {
        response_definition: Some(stream_definition(
            &[],
            Some(error_definition(Code::Internal, "at once")),
        )),
        request_data: Vec::new(),
    };
    client.ready().await.unwrap();
    let result = client
        .server_streaming(
            tonic::Request::new(sent.clone()),
            method("ServerStream"),
            TyperpcCodec::<ServerStreamRequest, ServerStreamResponse>::default(),
        )
        .await;
    // The headers leave before the error: tonic may see it on the call or
    // on the first read.
    let status = match result {
        Err(status) => status,
        Ok(response) => {
            let mut stream = response.into_inner();
            stream.message().await.unwrap_err()
        }
    };
    assert_eq!(status.code(), tonic::Code::Internal);
    let details = tonic_details(&status);
    let info = details[1]
        .unpack::<ConformancePayloadRequestInfo>()
        .unwrap()
        .unwrap();
    assert_eq!(
        info.requests[0].unpack::<ServerStreamRequest>().unwrap(),
        Some(sent)
    );
}

#[tokio::test]
async fn grpc_server_stream_without_a_definition_is_empty_and_ok() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let response = server_stream(
        &mut client,
        ServerStreamRequest {
            response_definition: None,
            request_data: Vec::new(),
        },
    )
    .await;
    let mut stream = response.into_inner();
    assert!(stream.message().await.unwrap().is_none());
}

#[tokio::test]
async fn grpc_client_stream_echoes_every_request_in_order() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let requests: Vec<ClientStreamRequest> = (0..3u8)
        .map(|i| ClientStreamRequest {
            // Only the first definition counts.
            response_definition: Some(unary_data(&[b'a' + i])),
            request_data: vec![i; 4],
        })
        .collect();
    client.ready().await.unwrap();
    let response = client
        .client_streaming(
            tonic::Request::new(futures_util::stream::iter(requests.clone())),
            method("ClientStream"),
            TyperpcCodec::<ClientStreamRequest, ClientStreamResponse>::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.metadata().get("x-resp-trailer").unwrap(), "t1");
    let payload = response.into_inner().payload.unwrap();
    assert_eq!(payload.data, b"a");
    let echoed: Vec<ClientStreamRequest> = payload
        .request_info
        .unwrap()
        .requests
        .iter()
        .map(|any| any.unpack().unwrap().unwrap())
        .collect();
    assert_eq!(echoed, requests);
}

fn bidi_request(
    full_duplex: bool,
    definition: Option<StreamResponseDefinition>,
    n: u8,
) -> BidiStreamRequest {
    BidiStreamRequest {
        response_definition: definition,
        full_duplex,
        request_data: vec![n],
    }
}

fn unpacked(requests: &[Any]) -> Vec<BidiStreamRequest> {
    requests
        .iter()
        .map(|a| a.unpack().unwrap().unwrap())
        .collect()
}

#[tokio::test]
async fn grpc_full_duplex_bidi_alternates_requests_and_responses() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let definition = stream_definition(
        &[b"r1", b"r2", b"r3"],
        Some(error_definition(Code::DataLoss, "done")),
    );
    let (tx, rx) = tokio::sync::mpsc::channel::<BidiStreamRequest>(4);
    let outgoing = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|request| (request, rx))
    });
    let first = bidi_request(true, Some(definition), 0);
    tx.send(first.clone()).await.unwrap();
    client.ready().await.unwrap();
    let response = client
        .streaming(
            tonic::Request::new(outgoing),
            method("BidiStream"),
            TyperpcCodec::<BidiStreamRequest, BidiStreamResponse>::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.metadata().get("x-resp-header").unwrap(), "h1");
    let mut incoming = response.into_inner();

    // Each response answers the request just sent: full duplex.
    let one = incoming.message().await.unwrap().unwrap().payload.unwrap();
    assert_eq!(one.data, b"r1");
    let info = one.request_info.unwrap();
    assert!(!info.request_headers.is_empty(), "the first has everything");
    assert_eq!(unpacked(&info.requests), [first]);

    let second = bidi_request(true, None, 1);
    tx.send(second.clone()).await.unwrap();
    let two = incoming.message().await.unwrap().unwrap().payload.unwrap();
    assert_eq!(two.data, b"r2");
    let info = two.request_info.unwrap();
    assert!(
        info.request_headers.is_empty(),
        "later ones only the requests"
    );
    assert_eq!(unpacked(&info.requests), [second]);

    // The client finishing flushes what is left, then the error.
    drop(tx);
    let three = incoming.message().await.unwrap().unwrap().payload.unwrap();
    assert_eq!(three.data, b"r3");
    let status = incoming.message().await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::DataLoss);
    assert_eq!(status.metadata().get("x-resp-trailer").unwrap(), "t1");
}

#[tokio::test]
async fn grpc_half_duplex_bidi_reads_everything_before_responding() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let requests = vec![
        bidi_request(false, Some(stream_definition(&[b"x", b"y"], None)), 0),
        bidi_request(false, None, 1),
        bidi_request(false, None, 2),
    ];
    client.ready().await.unwrap();
    let response = client
        .streaming(
            tonic::Request::new(futures_util::stream::iter(requests.clone())),
            method("BidiStream"),
            TyperpcCodec::<BidiStreamRequest, BidiStreamResponse>::default(),
        )
        .await
        .unwrap();
    let mut incoming = response.into_inner();
    let mut payloads = Vec::new();
    while let Some(message) = incoming.message().await.unwrap() {
        payloads.push(message.payload.unwrap());
    }
    assert_eq!(payloads.len(), 2);
    assert_eq!(
        unpacked(&payloads[0].request_info.as_ref().unwrap().requests),
        requests
    );
    assert!(payloads[1].request_info.is_none());
    let trailers = incoming.trailers().await.unwrap().unwrap();
    assert_eq!(trailers.get("x-resp-trailer").unwrap(), "t1");
}

#[tokio::test]
async fn grpc_unimplemented_is_unimplemented() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    client.ready().await.unwrap();
    let status = client
        .unary(
            tonic::Request::new(UnimplementedRequest {}),
            method("Unimplemented"),
            TyperpcCodec::<UnimplementedRequest, UnimplementedResponse>::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn grpc_many_concurrent_calls_on_one_connection() {
    let sut = Sut::plain();
    let client = client(&sut).await;
    let calls = (0..32).map(|i| {
        let mut client = client.clone();
        async move {
            let data = vec![i as u8; 100];
            let response = unary(
                &mut client,
                tonic::Request::new(unary_request(Some(unary_data(&data)), 0)),
            )
            .await
            .unwrap();
            assert_eq!(response.into_inner().payload.unwrap().data, data);
        }
    });
    futures_util::stream::iter(calls)
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
}

#[tokio::test]
async fn grpc_stream_headers_arrive_before_the_first_delay() {
    let sut = Sut::plain();
    let mut client = client(&sut).await;
    let mut definition = stream_definition(&[b"slow"], None);
    definition.response_delay_ms = 1_500;
    let started = std::time::Instant::now();
    let response = server_stream(
        &mut client,
        ServerStreamRequest {
            response_definition: Some(definition),
            request_data: Vec::new(),
        },
    )
    .await;
    let headers_after = started.elapsed();
    assert_eq!(response.metadata().get("x-resp-header").unwrap(), "h1");
    assert!(
        headers_after < Duration::from_millis(1_000),
        "headers took {headers_after:?}"
    );
    let mut stream = response.into_inner();
    let first = stream.message().await.unwrap().unwrap();
    assert_eq!(first.payload.unwrap().data, b"slow");
    assert!(started.elapsed() >= Duration::from_millis(1_400));
}
