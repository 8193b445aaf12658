//! Our client against our server, over every protocol, codec and HTTP
//! version, in every call shape: messages, errors with typed details,
//! deadlines, headers and trailers (binary ones too). The same checks run
//! through the in-memory client.

mod common;

use common::client_checks::{check_all, req, Bidi};
use common::shapes::*;
use futures_util::StreamExt;
use typerpc::client::{CallOptions, Codec, HttpVersion, Protocol};
use typerpc::testing::TestServer;
use typerpc::{Client, Code};

/// Every combination the protocols allow.
fn configs() -> Vec<(Protocol, Codec, HttpVersion)> {
    let mut all = Vec::new();
    for codec in [Codec::Proto, Codec::Json] {
        all.push((Protocol::Grpc, codec, HttpVersion::Http2));
        for http in [HttpVersion::Http2, HttpVersion::Http1] {
            all.push((Protocol::GrpcWeb, codec, http));
            all.push((Protocol::GrpcWebText, codec, http));
            all.push((Protocol::Connect, codec, http));
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_protocol_codec_and_http_version_over_a_socket() {
    let server = TestServer::start(router()).await;
    for (protocol, codec, http) in configs() {
        let client = server
            .client_builder()
            .protocol(protocol)
            .codec(codec)
            .http_version(http)
            .build()
            .unwrap();
        let bidi = if http == HttpVersion::Http2 {
            Bidi::FullDuplex
        } else {
            Bidi::HalfDuplex
        };
        check_all(client, bidi).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_protocol_in_memory() {
    for (protocol, codec, http) in configs() {
        if http == HttpVersion::Http1 {
            continue;
        }
        let client = Client::in_memory(router())
            .protocol(protocol)
            .codec(codec)
            .build()
            .unwrap();
        check_all(client, Bidi::FullDuplex).await;
    }
}

#[tokio::test]
async fn compression_both_ways_and_connect_get() {
    let server = TestServer::start(router()).await;
    let big = "x".repeat(64 * 1024);
    for protocol in [
        Protocol::Grpc,
        Protocol::GrpcWeb,
        Protocol::GrpcWebText,
        Protocol::Connect,
    ] {
        for compression in [
            typerpc::client::Compression::Gzip,
            typerpc::client::Compression::Zstd,
        ] {
            let client = server
                .client_builder()
                .protocol(protocol)
                .compression(compression)
                .build()
                .unwrap();
            let shapes = ShapesServiceClient::new(client);
            assert_eq!(shapes.unary(req(&big)).await.unwrap().text, big);
            let stream = shapes
                .server_stream(Req {
                    count: 2,
                    ..req(&big)
                })
                .await
                .unwrap();
            assert_eq!(stream.collect::<Vec<_>>().await.len(), 2);
        }
    }
    // GET for the idempotent method, with the codec in the query.
    for codec in [Codec::Proto, Codec::Json] {
        let client = server
            .client_builder()
            .protocol(Protocol::Connect)
            .codec(codec)
            .http_version(HttpVersion::Http1)
            .connect_get(true)
            .build()
            .unwrap();
        let shapes = ShapesServiceClient::new(client);
        let response = shapes
            .unary_with(
                req("get me"),
                CallOptions::new().header("x-test", "via-get"),
            )
            .await
            .unwrap();
        assert_eq!(response.message().header, "via-get");
        assert_eq!(response.trailers()["x-trailer"], "done");
    }
}

#[tokio::test]
async fn limits_and_unreachable_servers() {
    let server = TestServer::start(router()).await;
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        let client = server
            .client_builder()
            .protocol(protocol)
            .max_message_size(1024)
            .build()
            .unwrap();
        let error = ShapesServiceClient::new(client)
            .unary(req(&"y".repeat(4096)))
            .await
            .unwrap_err();
        assert_eq!(
            error.code(),
            Code::ResourceExhausted,
            "{protocol:?}: {error:?}"
        );
    }
    let addr = server.addr();
    server.shutdown().await;
    let client = ShapesServiceClient::connect(&format!("http://{addr}"))
        .await
        .unwrap();
    assert_eq!(
        client.unary(req("anyone?")).await.unwrap_err().code(),
        Code::Unavailable
    );
    assert!(Client::builder("ftp://x").build().is_err());
    assert!(Client::builder("http://x")
        .http_version(HttpVersion::Http1)
        .build()
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_is_shared_by_many_tasks() {
    let server = TestServer::start(router()).await;
    let shapes = ShapesServiceClient::new(server.client(Protocol::Grpc));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let shapes = shapes.clone();
            tokio::spawn(async move { shapes.unary(req(&i.to_string())).await.unwrap().text })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap(), i.to_string());
    }
}

/// Connect GET is really GET (and only for idempotent methods): a server
/// in front of the router records each request's HTTP method.
#[tokio::test]
async fn connect_get_sends_get_for_idempotent_methods_only() {
    use std::sync::{Arc, Mutex};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: http::Request<hyper::body::Incoming>| {
                        record.lock().unwrap().push((
                            request.method().to_string(),
                            request.uri().path().to_string(),
                        ));
                        let mut router = router();
                        tower_service::Service::call(&mut router, request)
                    },
                );
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            });
        }
    });
    let client = Client::builder(&url)
        .protocol(Protocol::Connect)
        .connect_get(true)
        .build()
        .unwrap();
    let shapes = ShapesServiceClient::new(client);
    assert_eq!(shapes.unary(req("get")).await.unwrap().text, "get");
    let streamed = shapes
        .client_stream(typerpc::stream::iter([req("post")]))
        .await;
    assert_eq!(streamed.unwrap().text, "post");
    // Per call, GET can be turned off again.
    let options = CallOptions::new().connect_get(false);
    assert_eq!(
        shapes
            .unary_with(req("p"), options)
            .await
            .unwrap()
            .message()
            .text,
        "p"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (
                "GET".to_string(),
                "/shapes.v1.ShapesService/Unary".to_string()
            ),
            (
                "POST".to_string(),
                "/shapes.v1.ShapesService/ClientStream".to_string()
            ),
            (
                "POST".to_string(),
                "/shapes.v1.ShapesService/Unary".to_string()
            ),
        ]
    );
}

/// A request that cannot be sent (here: a timestamp JSON cannot show)
/// fails the call with the reason, not with what the server makes of a
/// body cut short.
#[tokio::test]
async fn a_request_that_cannot_be_encoded_is_the_error() {
    use typerpc::{service, Message, RequestStream, Status, Timestamp};

    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "clock.v1")]
    pub struct When {
        pub at: Option<Timestamp>,
    }

    pub struct ClockService;

    #[service]
    impl ClockService {
        /// Counts the instants.
        async fn count(&self, mut whens: RequestStream<When>) -> Result<When, Status> {
            while whens.message().await?.is_some() {}
            Ok(When { at: None })
        }
    }

    let router = typerpc::Router::new().add(ClockService);
    let server = TestServer::start(router).await;
    let beyond = When {
        at: Some(Timestamp {
            seconds: i64::MAX,
            nanos: 0,
        }),
    };
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        let client = server
            .client_builder()
            .protocol(protocol)
            .codec(Codec::Json)
            .build()
            .unwrap();
        let requests = typerpc::stream::iter([When { at: None }, beyond.clone()]);
        let error = ClockServiceClient::new(client)
            .count(requests)
            .await
            .unwrap_err();
        assert_eq!(error.code(), Code::Internal, "{protocol:?}: {error:?}");
        assert!(
            error.message().contains("no JSON form"),
            "{protocol:?}: {error:?}"
        );
    }
}

/// The deadline reaches the server (`grpc-timeout`, `Connect-Timeout-Ms`),
/// from the call's options or the client's default.
#[tokio::test]
async fn deadlines_are_propagated() {
    let server = TestServer::start(router()).await;
    for protocol in [
        Protocol::Grpc,
        Protocol::GrpcWeb,
        Protocol::GrpcWebText,
        Protocol::Connect,
    ] {
        let shapes = ShapesServiceClient::new(server.client(protocol));
        let options = CallOptions::new().timeout(std::time::Duration::from_secs(5));
        let left = shapes.unary_with(req("t"), options).await.unwrap();
        let left = left.message().timeout_ms;
        assert!(left > 4_000 && left <= 5_000, "{protocol:?}: {left}");
        let streamed = shapes
            .server_stream_with(
                Req {
                    count: 1,
                    ..req("t")
                },
                CallOptions::new().timeout(std::time::Duration::from_secs(3)),
            )
            .await
            .unwrap()
            .message()
            .await
            .unwrap()
            .unwrap();
        assert!(
            streamed.timeout_ms > 2_000 && streamed.timeout_ms <= 3_000,
            "{protocol:?}"
        );
        assert_eq!(shapes.unary(req("none")).await.unwrap().timeout_ms, 0);

        let client = server
            .client_builder()
            .protocol(protocol)
            .timeout(std::time::Duration::from_secs(7))
            .build()
            .unwrap();
        let left = ShapesServiceClient::new(client)
            .unary(req("d"))
            .await
            .unwrap()
            .timeout_ms;
        assert!(left > 6_000 && left <= 7_000, "{protocol:?}: {left}");
    }
}

/// Connections are reused: on HTTP/2 concurrent calls from every clone
/// share one connection; on HTTP/1.1 sequential calls reuse a pooled one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_reused_and_http2_multiplexes() {
    let server = TestServer::start(router()).await;
    let shapes = ShapesServiceClient::new(server.client(Protocol::Grpc));
    // One call first: the connection is then open for the rest.
    let first = shapes.unary(req("open")).await.unwrap().peer;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let shapes = shapes.clone();
            tokio::spawn(async move {
                let slow = Req {
                    delay_ms: 50,
                    ..req("m")
                };
                shapes.unary(slow).await.unwrap().peer
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), first, "a second connection was opened");
    }

    let client = server
        .client_builder()
        .protocol(Protocol::Connect)
        .http_version(HttpVersion::Http1)
        .build()
        .unwrap();
    let shapes = ShapesServiceClient::new(client);
    let first = shapes.unary(req("a")).await.unwrap().peer;
    for _ in 0..5 {
        // The pool takes a finished HTTP/1.1 connection back in a task of
        // its own: a call made at that very moment opens another.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert_eq!(shapes.unary(req("b")).await.unwrap().peer, first);
    }
}
