//! The checks every server must pass for our client, in every call
//! shape: messages, errors with typed details, deadlines, headers and
//! trailers (binary ones too). Servers implement `ShapesService` (see
//! `shapes.rs`) the same way: ours, tonic's, grpcio's, connect-node's.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use typerpc::client::CallOptions;
use typerpc::{stream, Client, Code};

use super::shapes::*;

pub fn req(text: &str) -> Req {
    Req {
        text: text.into(),
        ..Req::default()
    }
}

/// How the server takes bidirectional calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bidi {
    /// Both ways at once (HTTP/2).
    FullDuplex,
    /// Every request first, then the responses (our server over HTTP/1.1).
    HalfDuplex,
    /// Not at all (servers that refuse bidi over HTTP/1.1).
    Refused,
}

/// Runs every check; `bidi` says how the server takes bidirectional calls.
pub async fn check_all(client: Client, bidi: Bidi) {
    let label = format!("{client:?}");
    let shapes = ShapesServiceClient::new(client);

    // Unary, with metadata both ways.
    let options = CallOptions::new()
        .header("x-test", "hello")
        .binary_header("x-test-bin", &[0xde, 0xad]);
    let response = shapes.unary_with(req("hi"), options.clone()).await.unwrap();
    assert_eq!(response.message().text, "hi", "{label}");
    assert_eq!(response.message().header, "hello", "{label}");
    assert_eq!(response.message().binary_header, "dead", "{label}");
    assert_eq!(response.headers()["x-answer"], "yes", "{label}");
    assert_eq!(response.trailers()["x-trailer"], "done", "{label}");
    assert_eq!(
        typerpc::client::decode_binary_header(&response.trailers()["x-trailer-bin"]).unwrap(),
        [0, 1, 2],
        "{label}"
    );
    assert!(!response.trailers().contains_key("grpc-status"), "{label}");
    assert_eq!(shapes.unary(req("plain")).await.unwrap().text, "plain");

    // Errors keep code, message and typed details.
    let failing = Req {
        fail_code: Code::FailedPrecondition as i32,
        ..req("no")
    };
    let error = shapes.unary(failing.clone()).await.unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition, "{label}: {error:?}");
    assert_eq!(error.message(), "failing: no", "{label}");
    assert_eq!(
        error.detail::<ErrorDetail>().unwrap().reason,
        format!("asked for {}", Code::FailedPrecondition as i32),
        "{label}"
    );

    // Deadlines: sent to the server and enforced here.
    let slow = Req {
        delay_ms: 2_000,
        ..req("slow")
    };
    let started = Instant::now();
    let error = shapes
        .unary_with(slow, CallOptions::new().timeout(Duration::from_millis(100)))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::DeadlineExceeded, "{label}: {error:?}");
    assert!(started.elapsed() < Duration::from_secs(1), "{label}");

    // Server streaming, then an error with details after the messages.
    let mut stream = shapes
        .server_stream(Req {
            count: 3,
            ..req("s")
        })
        .await
        .unwrap();
    assert_eq!(stream.headers()["x-answer"], "yes", "{label}");
    let mut got = Vec::new();
    while let Some(res) = stream.message().await.unwrap() {
        got.push(res.index);
    }
    assert_eq!(got, [0, 1, 2], "{label}");
    assert_eq!(stream.trailers().unwrap()["x-trailer"], "done", "{label}");
    let items: Vec<_> = shapes
        .server_stream(Req {
            count: 2,
            fail_code: Code::Aborted as i32,
            ..req("s")
        })
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{label}");
    let error = items[2].as_ref().unwrap_err();
    assert_eq!(error.code(), Code::Aborted, "{label}");
    assert!(error.detail::<ErrorDetail>().is_some(), "{label}");

    // A streaming deadline ends the stream.
    let mut stream = shapes
        .server_stream_with(
            Req {
                count: 100,
                delay_ms: 50,
                ..req("slow")
            },
            CallOptions::new().timeout(Duration::from_millis(200)),
        )
        .await
        .unwrap();
    let error = loop {
        match stream.message().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("{label}: the stream outlived its deadline"),
            Err(error) => break error,
        }
    };
    assert_eq!(error.code(), Code::DeadlineExceeded, "{label}");

    // Client streaming.
    let requests = stream::iter(["a", "b", "c"].map(req));
    let response = shapes
        .client_stream_with(requests, CallOptions::new())
        .await
        .unwrap();
    assert_eq!(response.message().text, "a,b,c", "{label}");
    assert_eq!(response.message().index, 3, "{label}");
    assert_eq!(response.trailers()["x-trailer"], "done", "{label}");
    let error = shapes
        .client_stream(stream::iter([
            req("a"),
            Req {
                fail_code: Code::OutOfRange as i32,
                ..req("b")
            },
        ]))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::OutOfRange, "{label}");

    // Bidirectional: full duplex, so each answer arrives before the next
    // request is sent.
    if bidi == Bidi::FullDuplex {
        let (send, receive) = tokio::sync::mpsc::unbounded_channel::<Req>();
        let requests = tokio_stream(receive);
        send.send(req("ping-0")).unwrap();
        let mut responses = shapes.bidi(requests).await.unwrap();
        for i in 0..3u32 {
            let res = responses.message().await.unwrap().unwrap();
            assert_eq!(res.text, format!("ping-{i}"), "{label}");
            assert_eq!(res.index, i, "{label}");
            if i < 2 {
                send.send(req(&format!("ping-{}", i + 1))).unwrap();
            }
        }
        drop(send);
        assert!(responses.message().await.unwrap().is_none(), "{label}");
        assert_eq!(
            responses.trailers().unwrap()["x-trailer"],
            "done",
            "{label}"
        );
    } else if bidi == Bidi::Refused {
        let refused = match shapes.bidi(stream::iter([req("x")])).await {
            Err(status) => Some(status),
            Ok(mut responses) => responses.message().await.err(),
        };
        assert!(refused.is_some(), "{label}: a refused bidi call succeeded");
    } else {
        // Over HTTP/1.1, half duplex: every request is sent before the
        // responses come.
        let requests = ["a", "b", "c"].map(req);
        let mut responses = shapes.bidi(stream::iter(requests)).await.unwrap();
        for (i, text) in ["a", "b", "c"].into_iter().enumerate() {
            let res = responses.message().await.unwrap().unwrap();
            assert_eq!((res.text.as_str(), res.index), (text, i as u32), "{label}");
        }
        assert!(responses.message().await.unwrap().is_none(), "{label}");
        assert_eq!(
            responses.trailers().unwrap()["x-trailer"],
            "done",
            "{label}"
        );
    }
}

/// A stream of what a channel receives.
fn tokio_stream<T: Send + 'static>(
    receive: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> impl typerpc::Stream<Item = T> + Send + 'static {
    stream::unfold(receive, |mut receive| async move {
        receive.recv().await.map(|item| (item, receive))
    })
}
