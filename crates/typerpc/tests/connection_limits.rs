//! The server's bounds against clients that misbehave, over real loopback
//! sockets: each misbehaving connection is closed (or its call answered)
//! in time, while a well-behaved client is served meanwhile. The bounds
//! are configured short so that the tests stay fast.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::server::*;
use common::streaming::{CountRequest, Number, StreamService, StreamServiceClient};
use http::Request;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use typerpc::server::ConnectionSettings;
use typerpc::stream::StreamExt;
use typerpc::Server;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An empty SETTINGS frame: what an HTTP/2 client must send after its preface.
const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];
/// How late a bound may act and still count as in time (a loaded machine).
const SLACK: Duration = Duration::from_secs(2);

/// Settings with every bound long, for a test to shorten the one it tests.
fn long() -> ConnectionSettings {
    ConnectionSettings {
        preface_timeout: Duration::from_secs(60),
        http2_handshake_timeout: Duration::from_secs(60),
        http1_header_read_timeout: Duration::from_secs(60),
        idle_timeout: Some(Duration::from_secs(60)),
        request_body_timeout: Some(Duration::from_secs(60)),
        ..ConnectionSettings::default()
    }
}

async fn start(settings: ConnectionSettings) -> TestServer {
    let (streams, _) = StreamService::new();
    TestServer::start_with(
        Server::new()
            .add(EchoService)
            .add(streams)
            .connection_settings(settings),
    )
    .await
}

/// A Connect JSON call over a fresh HTTP/1.1 connection; panics unless it
/// succeeds within a second.
async fn well_behaved_call(addr: SocketAddr) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::post(format!("http://{addr}/echo.v1.EchoService/Echo"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(br#"{"text":"hi"}"#)))
        .unwrap();
    let call = async {
        let response = client.request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(body.starts_with(br#"{"text":"hi""#), "{body:?}");
    };
    tokio::time::timeout(Duration::from_secs(1), call)
        .await
        .expect("a well-behaved client must be served meanwhile");
}

/// Reads (and drops) what the server sends until it closes the
/// connection; how long that took, or `None` if it stayed open past `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, read_all)
        .await
        .ok()
        .map(|()| start.elapsed())
}

#[tokio::test]
async fn silent_and_half_preface_connections_are_closed_after_the_preface_timeout() {
    let bound = Duration::from_millis(300);
    let server = start(ConnectionSettings {
        preface_timeout: bound,
        ..long()
    })
    .await;
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(TcpStream::connect(server.addr).await.unwrap());
    }
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(&PREFACE[..10]).await.unwrap();
    well_behaved_call(server.addr).await;
    for stream in &mut silent {
        let took = closed_within(stream, bound + SLACK).await;
        assert!(took.is_some(), "a silent connection stayed open");
    }
    let took = closed_within(&mut half, bound + SLACK).await;
    assert!(
        took.is_some(),
        "a connection that sent half a preface stayed open"
    );
    well_behaved_call(server.addr).await;
}

#[tokio::test]
async fn a_preface_without_settings_is_closed_after_the_http2_handshake_timeout() {
    let bound = Duration::from_millis(300);
    let server = start(ConnectionSettings {
        http2_handshake_timeout: bound,
        ..long()
    })
    .await;
    let mut streams = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream.write_all(PREFACE).await.unwrap();
        streams.push(stream);
    }
    well_behaved_call(server.addr).await;
    for stream in &mut streams {
        let took = closed_within(stream, bound + SLACK).await;
        assert!(took.is_some(), "a preface-only connection stayed open");
    }
}

#[tokio::test]
async fn a_slowloris_head_is_closed_after_the_header_read_timeout() {
    let bound = Duration::from_millis(400);
    let server = start(ConnectionSettings {
        http1_header_read_timeout: bound,
        ..long()
    })
    .await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    let head = b"POST /echo.v1.EchoService/Echo HTTP/1.1\r\nhost: x\r\nx-a: b\r\n";
    let start = Instant::now();
    let mut closed = false;
    // One byte every 100 ms: the head would take seconds.
    for byte in head {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if start.elapsed() > bound + SLACK {
            break;
        }
    }
    if !closed {
        closed = closed_within(&mut slow, SLACK).await.is_some();
    }
    assert!(closed, "a slowloris connection stayed open");
    assert!(start.elapsed() < bound + SLACK + SLACK);
    well_behaved_call(server.addr).await;

    // On a keep-alive connection the bound starts again once a response
    // is written: a whole request is answered, the next head that stalls
    // is not waited for.
    let mut keep_alive = TcpStream::connect(server.addr).await.unwrap();
    let body = br#"{"text":"hi"}"#;
    let request = format!(
        "POST /echo.v1.EchoService/Echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    for _ in 0..3 {
        // Requests a little apart, each well within the bound.
        tokio::time::sleep(bound / 2).await;
        keep_alive.write_all(request.as_bytes()).await.unwrap();
        keep_alive.write_all(body).await.unwrap();
        let mut answer = [0u8; 1024];
        let n = keep_alive.read(&mut answer).await.unwrap();
        assert!(
            answer[..n].starts_with(b"HTTP/1.1 200"),
            "{:?}",
            &answer[..n]
        );
    }
    keep_alive
        .write_all(&request.as_bytes()[..20])
        .await
        .unwrap();
    let took = closed_within(&mut keep_alive, bound + SLACK).await;
    assert!(took.is_some(), "a stalled second head was waited for");
}

#[tokio::test]
async fn idle_connections_are_closed_after_the_idle_timeout_and_busy_ones_are_not() {
    let bound = Duration::from_millis(400);
    let server = start(ConnectionSettings {
        idle_timeout: Some(bound),
        ..long()
    })
    .await;
    // HTTP/2: a handshake and then nothing: GOAWAY, then closed.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(PREFACE).await.unwrap();
    idle.write_all(SETTINGS).await.unwrap();
    // A server stream that runs longer than the idle timeout is a call in
    // flight: its connection stays open until it ends.
    let client = typerpc::Client::builder(&format!("http://{}", server.addr))
        .build()
        .unwrap();
    let counter = StreamServiceClient::new(client);
    let busy = async {
        let mut stream = counter
            .count(CountRequest {
                to: 3,
                delay_ms: 300,
                ..Default::default()
            })
            .await
            .unwrap();
        let mut n = 0;
        while let Some(message) = stream.message().await.unwrap() {
            n = message.n;
        }
        n
    };
    let (took, last) = tokio::join!(closed_within(&mut idle, bound + SLACK), busy);
    assert!(took.is_some(), "an idle HTTP/2 connection stayed open");
    assert!(took.unwrap() >= bound - Duration::from_millis(50));
    assert_eq!(last, 3, "a stream longer than the idle timeout was cut");
    well_behaved_call(server.addr).await;
}

#[tokio::test]
async fn at_the_connection_limit_the_server_waits_until_a_connection_closes() {
    let server = start(ConnectionSettings {
        max_connections: 2,
        ..long()
    })
    .await;
    let first = TcpStream::connect(server.addr).await.unwrap();
    let _second = TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The third waits in the backlog: no answer while both are open.
    let waiting = tokio::spawn(well_behaved_call(server.addr));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "served past the connection limit");
    drop(first);
    tokio::time::timeout(Duration::from_secs(2), waiting)
        .await
        .expect("served once a connection closed")
        .unwrap();
}

/// A request whose body sends `first` and then stalls with the stream
/// left open; the body's sender, to keep it open.
fn stalled_body(
    first: &'static [u8],
) -> (
    StreamBody<tokio_stream_like::Receiver>,
    tokio::sync::mpsc::Sender<Result<http_body::Frame<Bytes>, std::convert::Infallible>>,
) {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    sender
        .try_send(Ok(http_body::Frame::data(Bytes::from_static(first))))
        .unwrap();
    (
        StreamBody::new(tokio_stream_like::Receiver(receiver)),
        sender,
    )
}

/// A `Stream` over a tokio channel receiver, without another dependency.
mod tokio_stream_like {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    type Item = Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>;

    pub struct Receiver(pub tokio::sync::mpsc::Receiver<Item>);

    impl futures_util::Stream for Receiver {
        type Item = Item;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
            self.0.poll_recv(cx)
        }
    }
}

/// Sends a gRPC call over HTTP/2 whose body stalls after `first`; the
/// grpc-status it gets and how long that took.
async fn grpc_stalled(addr: SocketAddr, path: &str, first: &'static [u8]) -> (String, Duration) {
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let (body, _keep_open) = stalled_body(first);
    let request = Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(body)
        .unwrap();
    let start = Instant::now();
    let call = async {
        let response = client.request(request).await.unwrap();
        let headers = response.headers().clone();
        let collected = response.into_body().collect().await.unwrap();
        let trailers = collected.trailers().cloned().unwrap_or_default();
        trailers
            .get("grpc-status")
            .or_else(|| headers.get("grpc-status"))
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let status = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("a stalled call must be answered");
    (status, start.elapsed())
}

#[tokio::test]
async fn a_body_stalled_after_one_byte_ends_with_deadline_exceeded() {
    let bound = Duration::from_millis(300);
    let server = start(ConnectionSettings {
        request_body_timeout: Some(bound),
        ..long()
    })
    .await;
    // gRPC unary, then client streaming (inside a message), over HTTP/2.
    let unary = grpc_stalled(server.addr, "/echo.v1.EchoService/Echo", &[0]);
    let streaming = grpc_stalled(server.addr, "/stream.v1.StreamService/Sum", &[0, 0, 0]);
    let ((unary, took_unary), (streaming, took_streaming), ()) =
        tokio::join!(unary, streaming, well_behaved_call(server.addr));
    assert_eq!(unary, "4", "DEADLINE_EXCEEDED");
    assert_eq!(streaming, "4", "DEADLINE_EXCEEDED");
    assert!(took_unary >= bound && took_unary < bound + SLACK);
    assert!(took_streaming >= bound && took_streaming < bound + SLACK);

    // Connect unary over HTTP/1.1, one byte of fifty.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(
            b"POST /echo.v1.EchoService/Echo HTTP/1.1\r\nhost: x\r\n\
              content-type: application/json\r\ncontent-length: 50\r\n\r\n{",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(bound + SLACK, async {
        let mut buf = [0u8; 1024];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    });
    read.await.expect("a stalled Connect body must be answered");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
}

#[tokio::test]
async fn a_stream_may_pause_between_whole_messages() {
    let server = start(ConnectionSettings {
        request_body_timeout: Some(Duration::from_millis(200)),
        ..long()
    })
    .await;
    let client = typerpc::Client::builder(&format!("http://{}", server.addr))
        .build()
        .unwrap();
    let numbers = typerpc::stream::iter([1i64, 2]).then(|value| async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        Number { value }
    });
    let total = StreamServiceClient::new(client).sum(numbers).await.unwrap();
    assert_eq!(total.sum, 3);
}

#[tokio::test]
async fn an_over_limit_length_prefix_is_refused_at_once_with_the_body_open() {
    let server = start(long()).await;
    // Four GiB announced, nothing more sent, the stream left open.
    let (status, took) = grpc_stalled(
        server.addr,
        "/echo.v1.EchoService/Echo",
        &[0, 0xff, 0xff, 0xff, 0xff],
    )
    .await;
    assert_eq!(status, "8", "RESOURCE_EXHAUSTED");
    assert!(took < SLACK, "refused only after {took:?}");
}

#[tokio::test]
async fn past_the_bound_on_calls_in_flight_calls_are_refused_at_once_with_resource_exhausted() {
    let Some(grpcurl) = common::peers::peer("grpcurl") else {
        return;
    };
    let server = start(ConnectionSettings {
        max_calls_in_flight: Some(2),
        ..long()
    })
    .await;
    let client = typerpc::Client::builder(&format!("http://{}", server.addr))
        .build()
        .unwrap();
    let counter = StreamServiceClient::new(client);
    // Two slow server streams hold both places once their first message is in.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = counter
            .count(CountRequest {
                to: 1000,
                delay_ms: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(stream.message().await.unwrap().unwrap().n, 1);
        held.push(stream);
    }
    let addr = server.addr.to_string();
    let grpcurl_echo = || {
        let mut command = tokio::process::Command::new(&grpcurl);
        command.args([
            "-plaintext",
            "-d",
            r#"{"text":"hi"}"#,
            &addr,
            "echo.v1.EchoService/Echo",
        ]);
        command
    };
    // A gRPC client (grpcurl) is told at once, in gRPC.
    let started = Instant::now();
    let refused = grpcurl_echo().output().await.unwrap();
    let said = String::from_utf8_lossy(&refused.stderr).to_string()
        + &String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains("ResourceExhausted"), "{said}");
    assert!(said.contains("limit of 2 calls in flight"), "{said}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // A Connect client over HTTP/1.1 gets 429 and the Connect error.
    let http = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::post(format!("http://{addr}/echo.v1.EchoService/Echo"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(br#"{"text":"hi"}"#)))
        .unwrap();
    let response = http.request(request).await.unwrap();
    assert_eq!(response.status(), 429);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["code"], "resource_exhausted", "{error}");
    // Places come back when the streams end (here, when their client
    // drops them), and calls are served again.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let output = grpcurl_echo().output().await.unwrap();
        if output.status.success() {
            assert!(String::from_utf8_lossy(&output.stdout).contains("\"text\": \"hi\""));
            break;
        }
        assert!(Instant::now() < deadline, "places never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    well_behaved_call(server.addr).await;
}

#[tokio::test]
async fn at_shutdown_idle_keep_alive_connections_are_closed_at_once() {
    let mut server = start(long()).await;
    // HTTP/1.1: one call, then the connection waits for the next request.
    let mut h1 = TcpStream::connect(server.addr).await.unwrap();
    let body = br#"{"text":"hi"}"#;
    let head = format!(
        "POST /echo.v1.EchoService/Echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    h1.write_all(head.as_bytes()).await.unwrap();
    h1.write_all(body).await.unwrap();
    let mut answer = [0u8; 1024];
    let n = h1.read(&mut answer).await.unwrap();
    assert!(
        answer[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        &answer[..n]
    );
    // HTTP/2 (hyper's client): one call, then the connection stays open.
    let io = hyper_util::rt::TokioIo::new(TcpStream::connect(server.addr).await.unwrap());
    let (mut sender, h2) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
        .await
        .unwrap();
    let h2 = tokio::spawn(h2);
    let request = Request::post(format!("http://{}/echo.v1.EchoService/Echo", server.addr))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(body)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    // The idle timeout is a minute: only the shutdown can close them now.
    let stopped = Instant::now();
    server.stop();
    let (h1_closed, h2_closed) = tokio::join!(
        closed_within(&mut h1, SLACK),
        tokio::time::timeout(SLACK, h2)
    );
    assert!(
        h1_closed.is_some(),
        "an idle HTTP/1.1 connection outlived the shutdown"
    );
    assert!(
        h2_closed.is_ok(),
        "an idle HTTP/2 connection outlived the shutdown"
    );
    tokio::time::timeout(SLACK, server.handle.take().unwrap())
        .await
        .expect("the server waited on connections")
        .unwrap()
        .unwrap();
    assert!(stopped.elapsed() < SLACK);
}

/// The kernel's keepalive timer (`keepalive,59sec,0`) of the one
/// established socket `ss` finds with `filter` (`src A dst B`, say), or
/// `None` when that socket has no keepalive.
fn keepalive_timer(filter: &[String]) -> Option<String> {
    let out = std::process::Command::new("ss")
        .args(["-tnoH", "state", "established"])
        .args(filter)
        .output()
        .expect("ss (iproute2) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().count(),
        1,
        "not one socket for {filter:?}: {text:?}"
    );
    let start = text.find("timer:(")? + "timer:(".len();
    let timer = &text[start..start + text[start..].find(')')?];
    timer.starts_with("keepalive").then(|| timer.to_string())
}

/// The whole seconds left on a keepalive timer as `ss` prints it
/// (`keepalive,44sec,0`; it counts down from the idle time): minutes, then
/// seconds, or seconds and milliseconds (`1min`, `1min5sec`, `59sec`,
/// `9.500ms`, `500ms`).
fn seconds_left(timer: &str) -> u64 {
    let bad = || -> u64 { panic!("not a timer `ss` prints: {timer}") };
    let number = |text: &str| text.parse::<u64>().unwrap_or_else(|_| bad());
    let Some(field) = timer.split(',').nth(1) else {
        return bad();
    };
    let (minutes, rest) = match field.split_once("min") {
        Some((minutes, rest)) => (number(minutes), rest),
        None => (0, field),
    };
    let seconds = if rest.is_empty() {
        0
    } else if let Some(seconds) = rest.strip_suffix("sec") {
        number(seconds)
    } else if let Some(millis) = rest.strip_suffix("ms") {
        // `9.500ms` is 9 s and 500 ms; `500ms` alone is under a second.
        millis
            .split_once('.')
            .map_or(0, |(seconds, _)| number(seconds))
    } else {
        bad()
    };
    minutes * 60 + seconds
}

#[test]
fn ss_timers_are_read_in_every_format() {
    for (timer, seconds) in [
        ("keepalive,1min,0", 60),
        ("keepalive,1min5sec,0", 65),
        ("keepalive,59sec,0", 59),
        ("keepalive,9.500ms,0", 9),
        ("keepalive,500ms,0", 0),
    ] {
        assert_eq!(seconds_left(timer), seconds, "{timer}");
    }
}

#[tokio::test]
async fn accepted_connections_have_tcp_keepalive_unless_turned_off() {
    for (keepalive, expected) in [(Some(Duration::from_secs(45)), Some(45)), (None, None)] {
        let server = start(ConnectionSettings {
            tcp_keepalive: keepalive,
            ..long()
        })
        .await;
        let client = TcpStream::connect(server.addr).await.unwrap();
        let local = client.local_addr().unwrap();
        // The server sets its options right after accepting: give it a moment.
        let mut timer = None;
        for _ in 0..50 {
            timer = keepalive_timer(&[
                "src".into(),
                server.addr.to_string(),
                "dst".into(),
                local.to_string(),
            ]);
            if timer.is_some() == expected.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        match expected {
            Some(seconds) => {
                let timer = timer.expect("a keepalive timer");
                let left = seconds_left(&timer);
                assert!(left <= seconds && left + 5 >= seconds, "{timer}");
            }
            None => assert_eq!(timer, None),
        }
    }
}

#[tokio::test]
async fn the_client_sets_tcp_keepalive_on_its_connections() {
    let server = start(ConnectionSettings {
        tcp_keepalive: None,
        ..long()
    })
    .await;
    let client = typerpc::Client::builder(&format!("http://{}", server.addr))
        .build()
        .unwrap();
    let mut stream = StreamServiceClient::new(client)
        .count(CountRequest {
            to: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    while stream.message().await.unwrap().is_some() {}
    // The server's side has none (turned off above): only the client's
    // socket, the one whose peer is the server, can show a timer.
    let timer = keepalive_timer(&["dst".into(), server.addr.to_string()])
        .expect("a keepalive timer on the client's socket");
    let left = seconds_left(&timer);
    assert!((55..=60).contains(&left), "{timer}");
}

#[tokio::test]
async fn the_admin_port_bounds_its_connections_and_their_heads() {
    let admin = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let admin_addr = admin.local_addr().unwrap();
    let server = TestServer::start_with(
        Server::new()
            .add(EchoService)
            .admin_listener(admin)
            .connection_settings(ConnectionSettings {
                http1_header_read_timeout: Duration::from_secs(1),
                ..long()
            }),
    )
    .await;
    // Silent connections fill the port (it serves 64 at once)...
    let mut silent = Vec::new();
    for _ in 0..64 {
        silent.push(TcpStream::connect(admin_addr).await.unwrap());
    }
    // ...so a probe past them waits in the listen backlog, unanswered.
    let mut probe = TcpStream::connect(admin_addr).await.unwrap();
    probe
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: admin\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 256];
    let early = tokio::time::timeout(Duration::from_millis(500), probe.read(&mut answer)).await;
    assert!(
        early.is_err(),
        "served past the admin port's limit: {early:?}"
    );
    // The head timeout closes the silent ones, and the probe is served.
    for stream in &mut silent {
        assert!(
            closed_within(stream, Duration::from_secs(1) + SLACK)
                .await
                .is_some(),
            "a silent admin connection outlived the head timeout"
        );
    }
    let read = tokio::time::timeout(SLACK, probe.read(&mut answer))
        .await
        .expect("the probe is answered once the port has room")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    drop(server);
}
