//! Clients that misbehave, for the abuse scenario of `load_gen`. Each runs
//! until `stop` is set (or its task is aborted) and reconnects when the
//! server closes its connection, to keep the pressure on.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use typerpc::Message;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// One HTTP/2 frame.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The header block of a gRPC POST to `path`, in HPACK without Huffman
/// or indexing: literals with names from the static table.
fn grpc_headers(path: &str) -> Vec<u8> {
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http
    for (name_index, value) in [(&[0x04u8][..], path), (&[0x01][..], "x")] {
        block.extend_from_slice(name_index); // :path, :authority
        block.push(value.len() as u8);
        block.extend_from_slice(value.as_bytes());
    }
    block.extend_from_slice(&[0x0f, 0x10]); // content-type (index 31)
    block.push(16);
    block.extend_from_slice(b"application/grpc");
    block
}

/// Connects, or waits a little and says so.
async fn connect(addr: SocketAddr) -> Option<TcpStream> {
    match TcpStream::connect(addr).await {
        Ok(stream) => Some(stream),
        Err(_) => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            None
        }
    }
}

/// An HTTP/2 connection past its handshake whose incoming frames are read
/// and thrown away.
async fn http2(addr: SocketAddr) -> Option<tokio::net::tcp::OwnedWriteHalf> {
    let stream = connect(addr).await?;
    let (mut read, mut write) = stream.into_split();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        while matches!(read.read(&mut buf).await, Ok(n) if n > 0) {}
    });
    write.write_all(PREFACE).await.ok()?;
    write.write_all(&frame(4, 0, 0, &[])).await.ok()?;
    Some(write)
}

/// Sends an HTTP/1.1 request head one byte a second.
pub async fn slowloris(addr: SocketAddr, stop: Arc<AtomicBool>) {
    let head = b"POST /load.v1.LoadService/Work HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    while !stop.load(Ordering::Relaxed) {
        let Some(mut stream) = connect(addr).await else {
            continue;
        };
        for byte in head.iter().cycle() {
            if stream.write_all(&[*byte]).await.is_err() || stop.load(Ordering::Relaxed) {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Connects and sends nothing.
pub async fn silent(addr: SocketAddr, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let Some(mut stream) = connect(addr).await else {
            continue;
        };
        let mut buf = [0u8; 1024];
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
    }
}

/// Completes an HTTP/2 handshake, then sends nothing.
pub async fn idle_http2(addr: SocketAddr, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let Some(mut stream) = connect(addr).await else {
            continue;
        };
        if stream.write_all(PREFACE).await.is_err() {
            continue;
        }
        let _ = stream.write_all(&frame(4, 0, 0, &[])).await;
        let mut buf = [0u8; 1024];
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
    }
}

/// Opens streams and resets them at once, as fast as it can (HTTP/2
/// rapid reset).
pub async fn rapid_reset(addr: SocketAddr, stop: Arc<AtomicBool>) {
    let headers = grpc_headers("/load.v1.LoadService/Work");
    while !stop.load(Ordering::Relaxed) {
        let Some(mut write) = http2(addr).await else {
            continue;
        };
        let mut id = 1u32;
        'connection: loop {
            let mut batch = Vec::new();
            for _ in 0..50 {
                batch.extend(frame(1, 0x4, id, &headers)); // HEADERS, END_HEADERS
                batch.extend(frame(3, 0, id, &8u32.to_be_bytes())); // RST_STREAM CANCEL
                id += 2;
            }
            if write.write_all(&batch).await.is_err() || id > 1 << 30 {
                break 'connection;
            }
            tokio::task::yield_now().await;
        }
    }
}

/// Sends PING frames in a loop.
pub async fn ping_flood(addr: SocketAddr, stop: Arc<AtomicBool>) {
    flood(addr, stop, frame(6, 0, 0, &[1, 2, 3, 4, 5, 6, 7, 8])).await
}

/// Sends SETTINGS frames in a loop.
pub async fn settings_flood(addr: SocketAddr, stop: Arc<AtomicBool>) {
    // SETTINGS_MAX_CONCURRENT_STREAMS = 100, again and again.
    flood(addr, stop, frame(4, 0, 0, &[0, 3, 0, 0, 0, 100])).await
}

async fn flood(addr: SocketAddr, stop: Arc<AtomicBool>, one: Vec<u8>) {
    let batch: Vec<u8> = one.iter().copied().cycle().take(one.len() * 100).collect();
    while !stop.load(Ordering::Relaxed) {
        let Some(mut write) = http2(addr).await else {
            continue;
        };
        while write.write_all(&batch).await.is_ok() {
            tokio::task::yield_now().await;
        }
    }
}

/// An HTTP/2 client with the protocol's default windows (64 KiB), one
/// connection.
fn h2_client() -> Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .http2_initial_stream_window_size(65_535)
        .http2_initial_connection_window_size(65_535)
        .build_http()
}

fn grpc_request(
    addr: SocketAddr,
    path: &str,
    message: &impl Message,
) -> http::Request<Full<Bytes>> {
    let payload = message.encode_to_vec();
    let mut body = vec![0u8];
    body.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    body.extend_from_slice(&payload);
    http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(Bytes::from(body)))
        .expect("request")
}

/// Opens 100 endless server streams on one connection and never reads
/// them.
pub async fn never_read(addr: SocketAddr, stop: Arc<AtomicBool>) {
    let client = h2_client();
    let request = crate::TickRequest {
        count: u32::MAX,
        every_ms: 0,
        padding: 1024,
    };
    let mut held = Vec::new();
    for _ in 0..100 {
        let call = client.request(grpc_request(addr, "/load.v1.LoadService/Ticks", &request));
        if let Ok(Ok(response)) = tokio::time::timeout(Duration::from_secs(5), call).await {
            held.push(response);
        }
    }
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A slow reader: an endless server stream read one body chunk every
/// 100 ms for a second, then dropped (the client leaves mid-stream); over
/// and over until `stop`.
pub async fn slow_reader(addr: SocketAddr, stop: Arc<AtomicBool>) {
    use http_body_util::BodyExt;
    let request = crate::TickRequest {
        count: u32::MAX,
        every_ms: 0,
        padding: 1024,
    };
    while !stop.load(Ordering::Relaxed) {
        let client = h2_client();
        let call = client.request(grpc_request(addr, "/load.v1.LoadService/Ticks", &request));
        let Ok(Ok(response)) = tokio::time::timeout(Duration::from_secs(5), call).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let mut body = response.into_body();
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if !matches!(body.frame().await, Some(Ok(_))) {
                break;
            }
        }
    }
}

/// Opens `n` chat subscriptions (history 100) over connections of 250
/// streams each and never reads them; answers how many were accepted,
/// once they all were, and holds them for `hold`.
pub async fn chat_subscribers(addr: SocketAddr, n: usize, hold: Duration) -> usize {
    let request = chat::SubscribeRequest {
        history: 100,
        limit: 0,
    };
    let mut held = Vec::new();
    let mut client = h2_client();
    for i in 0..n {
        if i % 250 == 0 {
            client = h2_client();
        }
        let call = client.request(grpc_request(
            addr,
            "/chat.v1.ChatService/Subscribe",
            &request,
        ));
        held.push(tokio::spawn(async move {
            tokio::time::timeout(Duration::from_secs(30), call).await
        }));
    }
    let mut responses = Vec::new();
    for call in held {
        if let Ok(Ok(Ok(response))) = call.await {
            if response.status() == 200 {
                responses.push(response);
            }
        }
    }
    let count = responses.len();
    println!("held,{count}");
    eprintln!("chat: {count} subscriptions open; holding them {hold:?}");
    tokio::time::sleep(hold).await;
    count
}
