//! Our client against a tonic server (gRPC over HTTP/2): every call
//! shape, errors with details written by tonic, deadlines, and metadata
//! both ways. The tonic service is written by hand the way tonic's code
//! generator writes one: `tonic::server::Grpc` with prost's codec, which
//! serves typerpc's messages because they implement `prost::Message`.

mod common;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use common::shapes::{failure, ErrorDetail, Req, Res, ShapesServiceClient};
use futures_util::StreamExt;
use tonic::codegen::http;
use tonic_prost::ProstCodec;
use typerpc::client::{CallOptions, Protocol};
use typerpc::{stream, Client, Code, Message};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type ResStream = Pin<Box<dyn futures_util::Stream<Item = Result<Res, tonic::Status>> + Send>>;

/// A handler function as a tower service, which is what tonic's
/// `Grpc::unary` and friends take.
struct Handler<F>(F);

impl<F, Q, R> tower_service::Service<tonic::Request<Q>> for Handler<F>
where
    F: FnMut(tonic::Request<Q>) -> BoxFuture<Result<tonic::Response<R>, tonic::Status>>,
{
    type Response = tonic::Response<R>;
    type Error = tonic::Status;
    type Future = BoxFuture<Result<tonic::Response<R>, tonic::Status>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), tonic::Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: tonic::Request<Q>) -> Self::Future {
        (self.0)(request)
    }
}

/// Our error, as tonic carries it: the `google.rpc.Status` bytes in
/// `grpc-status-details-bin`, written by tonic.
fn tonic_failure(code: i32, text: &str) -> tonic::Status {
    let ours = failure(code, text);
    tonic::Status::with_details(
        tonic::Code::from_i32(code),
        ours.message().to_string(),
        ours.to_rpc_status().encode_to_vec().into(),
    )
}

fn echo<T>(request: &tonic::Request<T>, text: String, index: u32) -> Res {
    let metadata = request.metadata();
    Res {
        text,
        index,
        header: metadata
            .get("x-test")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        binary_header: metadata
            .get_bin("x-test-bin")
            .and_then(|v| v.to_bytes().ok())
            .map(|b| b.iter().map(|b| format!("{b:02x}")).collect())
            .unwrap_or_default(),
        ..Res::default()
    }
}

fn with_header<T>(message: T) -> tonic::Response<T> {
    let mut response = tonic::Response::new(message);
    response
        .metadata_mut()
        .insert("x-answer", "tonic".parse().unwrap());
    response
}

#[derive(Clone)]
struct TonicShapes;

impl tonic::server::NamedService for TonicShapes {
    const NAME: &'static str = "shapes.v1.ShapesService";
}

impl tower_service::Service<http::Request<tonic::body::Body>> for TonicShapes {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        Box::pin(async move {
            let gzip = tonic::codec::CompressionEncoding::Gzip;
            let zstd = tonic::codec::CompressionEncoding::Zstd;
            // Compressed both ways: tonic compresses every response in the
            // first encoding the client accepts, so our decompression is
            // tested too.
            let mut grpc = tonic::server::Grpc::new(ProstCodec::<Res, Req>::default())
                .accept_compressed(gzip)
                .accept_compressed(zstd)
                .send_compressed(gzip)
                .send_compressed(zstd);
            let response = match request.uri().path() {
                "/shapes.v1.ShapesService/Unary" => grpc.unary(Handler(unary), request).await,
                "/shapes.v1.ShapesService/ServerStream" => {
                    grpc.server_streaming(Handler(server_stream), request).await
                }
                "/shapes.v1.ShapesService/ClientStream" => {
                    grpc.client_streaming(Handler(client_stream), request).await
                }
                "/shapes.v1.ShapesService/Bidi" => grpc.streaming(Handler(bidi), request).await,
                _ => tonic::Status::unimplemented("no such method").into_http(),
            };
            Ok(response)
        })
    }
}

type Reply<T> = BoxFuture<Result<tonic::Response<T>, tonic::Status>>;

fn unary(request: tonic::Request<Req>) -> Reply<Res> {
    Box::pin(async move {
        let req = request.get_ref().clone();
        tokio::time::sleep(Duration::from_millis(req.delay_ms.into())).await;
        if req.fail_code != 0 {
            return Err(tonic_failure(req.fail_code, &req.text));
        }
        Ok(with_header(echo(&request, req.text, 0)))
    })
}

fn server_stream(request: tonic::Request<Req>) -> Reply<ResStream> {
    Box::pin(async move {
        let req = request.get_ref().clone();
        let items: Vec<Result<Res, tonic::Status>> = (0..req.count)
            .map(|i| Ok(echo(&request, req.text.clone(), i)))
            .chain((req.fail_code != 0).then(|| Err(tonic_failure(req.fail_code, &req.text))))
            .collect();
        let delay = Duration::from_millis(req.delay_ms.into());
        let stream: ResStream = Box::pin(stream::iter(items).then(move |item| async move {
            tokio::time::sleep(delay).await;
            item
        }));
        Ok(with_header(stream))
    })
}

fn client_stream(request: tonic::Request<tonic::Streaming<Req>>) -> Reply<Res> {
    Box::pin(async move {
        let mut requests = request.into_inner();
        let mut texts = Vec::new();
        while let Some(req) = requests.message().await? {
            if req.fail_code != 0 {
                return Err(tonic_failure(req.fail_code, &req.text));
            }
            texts.push(req.text);
        }
        Ok(with_header(Res {
            text: texts.join(","),
            index: texts.len() as u32,
            ..Res::default()
        }))
    })
}

fn bidi(request: tonic::Request<tonic::Streaming<Req>>) -> Reply<ResStream> {
    Box::pin(async move {
        let requests = request.into_inner();
        let stream: ResStream = Box::pin(requests.enumerate().map(|(i, req)| {
            let req = req?;
            Ok(Res {
                text: req.text,
                index: i as u32,
                ..Res::default()
            })
        }));
        Ok(with_header(stream))
    })
}

struct TonicServer {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TonicServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn tonic_server() -> TonicServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TonicShapes)
            .serve_with_incoming_shutdown(
                tonic::transport::server::TcpIncoming::from(listener),
                async {
                    let _ = stopped.await;
                },
            ),
    );
    TonicServer {
        url,
        stop: Some(stop),
    }
}

fn req(text: &str) -> Req {
    Req {
        text: text.into(),
        ..Req::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unary_with_metadata_errors_and_deadlines() {
    let server = tonic_server().await;
    let client = ShapesServiceClient::new(Client::new(&server.url).unwrap());
    let options = CallOptions::new()
        .header("x-test", "to-tonic")
        .binary_header("x-test-bin", &[0xbe, 0xef]);
    let response = client.unary_with(req("hi"), options).await.unwrap();
    assert_eq!(response.message().text, "hi");
    assert_eq!(response.message().header, "to-tonic");
    assert_eq!(response.message().binary_header, "beef");
    assert_eq!(response.headers()["x-answer"], "tonic");

    let error = client
        .unary(Req {
            fail_code: Code::PermissionDenied as i32,
            ..req("nope")
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied);
    assert_eq!(error.message(), "failing: nope");
    assert_eq!(
        error.detail::<ErrorDetail>().unwrap().reason,
        format!("asked for {}", Code::PermissionDenied as i32)
    );

    let error = client
        .unary_with(
            Req {
                delay_ms: 2_000,
                ..req("slow")
            },
            CallOptions::new().timeout(Duration::from_millis(100)),
        )
        .await
        .unwrap_err();
    // The client's own timer says `deadline_exceeded`; tonic's server, when
    // its copy of the deadline fires first, answers `cancelled`.
    assert!(
        matches!(error.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{error:?}"
    );

    // Compressed requests: tonic reads gzip and zstd, and answers in the
    // first encoding our client accepts: zstd, else gzip.
    let big = "z".repeat(10_000);
    for (compression, accept, answer) in [
        (typerpc::client::Compression::Gzip, true, "zstd"),
        (typerpc::client::Compression::Zstd, true, "zstd"),
        (typerpc::client::Compression::Zstd, false, ""),
    ] {
        let compressed = Client::builder(&server.url)
            .compression(compression)
            .accept_compression(accept)
            .build()
            .unwrap();
        let response = ShapesServiceClient::new(compressed)
            .unary_with(req(&big), CallOptions::new())
            .await
            .unwrap();
        assert_eq!(response.message().text, big);
        let encoding = response
            .headers()
            .get("grpc-encoding")
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default();
        assert_eq!(encoding, answer, "{compression:?}, accept {accept}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_streaming_shape() {
    let server = tonic_server().await;
    let client = ShapesServiceClient::new(Client::new(&server.url).unwrap());
    assert_eq!(client.inner().protocol(), Protocol::Grpc);

    let mut responses = client
        .server_stream(Req {
            count: 3,
            ..req("s")
        })
        .await
        .unwrap();
    assert_eq!(responses.headers()["x-answer"], "tonic");
    let mut got = Vec::new();
    while let Some(res) = responses.message().await.unwrap() {
        got.push(res.index);
    }
    assert_eq!(got, [0, 1, 2]);
    assert!(responses.trailers().is_some());

    let items: Vec<_> = client
        .server_stream(Req {
            count: 1,
            fail_code: Code::ResourceExhausted as i32,
            ..req("s")
        })
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    let error = items[1].as_ref().unwrap_err();
    assert_eq!(error.code(), Code::ResourceExhausted);
    assert!(error.detail::<ErrorDetail>().is_some());

    let mut slow = client
        .server_stream_with(
            Req {
                count: 50,
                delay_ms: 50,
                ..req("slow")
            },
            CallOptions::new().timeout(Duration::from_millis(200)),
        )
        .await
        .unwrap();
    let error = loop {
        match slow.message().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the stream outlived its deadline"),
            Err(error) => break error,
        }
    };
    assert_eq!(error.code(), Code::DeadlineExceeded);

    let response = client
        .client_stream(stream::iter(["a", "b"].map(req)))
        .await
        .unwrap();
    assert_eq!((response.text.as_str(), response.index), ("a,b", 2));
    let error = client
        .client_stream(stream::iter([Req {
            fail_code: Code::InvalidArgument as i32,
            ..req("bad")
        }]))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert!(error.detail::<ErrorDetail>().is_some());

    // Full duplex: each answer comes back before the next request goes.
    let (send, receive) = tokio::sync::mpsc::unbounded_channel::<Req>();
    let requests = stream::unfold(receive, |mut receive| async move {
        receive.recv().await.map(|item| (item, receive))
    });
    send.send(req("0")).unwrap();
    let mut responses = client.bidi(requests).await.unwrap();
    for i in 0..3u32 {
        let res = responses.message().await.unwrap().unwrap();
        assert_eq!((res.text, res.index), (i.to_string(), i));
        if i < 2 {
            send.send(req(&(i + 1).to_string())).unwrap();
        }
    }
    drop(send);
    assert!(responses.message().await.unwrap().is_none());
}
