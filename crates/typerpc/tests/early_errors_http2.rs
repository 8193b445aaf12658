//! Errors the server answers before it has read the request body, over
//! HTTP/2: answering while the client is still sending makes the server
//! reset the stream, and curl then sometimes drops the answer it was sent
//! (an empty reply for a few calls in a hundred). The server reads a small
//! declared body first, so every early answer arrives.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::peers::system_tool;
use common::server::*;
use http::Request;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

#[tokio::test]
async fn curl_gets_every_early_answer_over_h2c() {
    let server = TestServer::start().await;
    let url = server.url("/echo.v1.EchoService/Nope");
    let curl = system_tool("curl", "curl").expect("curl");
    let empty = tokio::task::spawn_blocking(move || {
        (0..100)
            .filter(|_| {
                let output = Command::new(&curl)
                    .args([
                        "-s",
                        "--http2-prior-knowledge",
                        "-H",
                        "content-type: application/json",
                    ])
                    .args(["-d", r#"{"text":"x"}"#, &url])
                    .output()
                    .unwrap();
                !String::from_utf8_lossy(&output.stdout).contains("unimplemented")
            })
            .count()
    })
    .await
    .unwrap();
    assert_eq!(empty, 0, "{empty} of 100 early answers did not reach curl");
}

#[tokio::test]
async fn a_small_body_on_its_way_is_read_before_the_answer() {
    let server = TestServer::start().await;
    let client =
        Client::builder(TokioExecutor::new())
            .http2_only(true)
            .build_http::<StreamBody<
                futures_util::stream::BoxStream<'static, Result<Frame<Bytes>, std::io::Error>>,
            >>();
    let delay = Duration::from_millis(200);
    let body = futures_util::stream::once(async move {
        tokio::time::sleep(delay).await;
        Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(b"{}")))
    });
    let request = Request::post(server.url("/echo.v1.EchoService/Nope"))
        .header("content-type", "application/json")
        .header("content-length", "2")
        .body(StreamBody::new(futures_util::StreamExt::boxed(body)))
        .unwrap();
    let start = Instant::now();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(
        start.elapsed() >= delay,
        "answered after {:?}",
        start.elapsed()
    );
    let text = response.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&text).contains("unimplemented"));
}

#[tokio::test]
async fn a_body_of_unknown_length_is_not_waited_for() {
    let server = TestServer::start().await;
    let client =
        Client::builder(TokioExecutor::new())
            .http2_only(true)
            .build_http::<StreamBody<
                futures_util::stream::BoxStream<'static, Result<Frame<Bytes>, std::io::Error>>,
            >>();
    // A body that never comes: the answer must not wait for it.
    let body = futures_util::stream::pending();
    let request = Request::post(server.url("/echo.v1.EchoService/Nope"))
        .header("content-type", "application/json")
        .body(StreamBody::new(futures_util::StreamExt::boxed(body)))
        .unwrap();
    let response = tokio::time::timeout(Duration::from_secs(2), client.request(request))
        .await
        .expect("the early answer waited for the body")
        .unwrap();
    assert_eq!(response.status(), 404);
}
