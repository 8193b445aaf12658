//! Errors the server answers before it has read the request body, over
//! HTTP/1.1: a client that is still writing its body must still read the
//! status. The server reads (and discards, within a bound) the rest of the
//! body before it answers, as the reference implementations do; otherwise
//! it would close the connection under the writing client, which then sees
//! a broken pipe instead of the status.

mod common;

use std::time::Duration;

use common::server::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Writes a request head and then `body_len` bytes in slow chunks, then
/// reads the whole response; returns its status line and the whole
/// response. Fails if
/// writing fails: the status must reach a client that writes slowly.
async fn slow_request(server: &TestServer, head: &str, body_len: usize) -> (String, String) {
    slow_request_after(server, head, &[], body_len).await
}

/// The same, with `prefix` written first as the start of the body.
async fn slow_request_after(
    server: &TestServer,
    head: &str,
    prefix: &[u8],
    body_len: usize,
) -> (String, String) {
    let mut socket = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let total = prefix.len() + body_len;
    let head = format!("{head}content-length: {total}\r\nconnection: close\r\n\r\n");
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(prefix).await.unwrap();
    let chunk = vec![b'x'; body_len / 16];
    let mut sent = 0;
    while sent < body_len {
        tokio::time::sleep(Duration::from_millis(15)).await;
        let n = chunk.len().min(body_len - sent);
        socket
            .write_all(&chunk[..n])
            .await
            .unwrap_or_else(|e| panic!("writing the body failed after {sent} bytes: {e}"));
        sent += n;
    }
    let mut response = Vec::new();
    socket.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.lines().next().unwrap_or("").to_string();
    (status, text)
}

#[tokio::test]
async fn an_unknown_method_is_answered_to_a_client_still_writing() {
    let server = TestServer::start().await;
    let head =
        "POST /echo.v1.EchoService/Nope HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n";
    let (status, body) = slow_request(&server, head, 64 * 1024).await;
    assert_eq!(status, "HTTP/1.1 404 Not Found", "{body}");
    assert!(body.contains("unimplemented"), "{body}");
}

#[tokio::test]
async fn an_unsupported_content_type_is_answered_to_a_client_still_writing() {
    let server = TestServer::start().await;
    let head = "POST /echo.v1.EchoService/Echo HTTP/1.1\r\nhost: x\r\ncontent-type: text/csv\r\n";
    let (status, _) = slow_request(&server, head, 64 * 1024).await;
    assert_eq!(status, "HTTP/1.1 415 Unsupported Media Type");
}

#[tokio::test]
async fn an_unknown_compression_is_answered_to_a_client_still_writing() {
    let server = TestServer::start().await;
    let head = "POST /echo.v1.EchoService/Echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc-web+proto\r\ngrpc-encoding: snappy\r\n";
    let (status, response) = slow_request(&server, head, 64 * 1024).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    // Trailers-only: the status is in the head.
    assert!(response.contains("grpc-status: 12"), "{response}");
}

#[tokio::test]
async fn a_message_over_the_limit_is_answered_to_a_client_still_writing() {
    let server = TestServer::start_with(
        typerpc::Server::new()
            .add(EchoService)
            .configure(|r| r.max_message_size(1024)),
    )
    .await;
    let head =
        "POST /echo.v1.EchoService/Echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n";
    let (status, body) = slow_request(&server, head, 64 * 1024).await;
    assert_eq!(status, "HTTP/1.1 429 Too Many Requests", "{body}");
    assert!(body.contains("resource_exhausted"), "{body}");
}

#[tokio::test]
async fn a_streamed_message_over_the_limit_is_answered_to_a_client_still_writing() {
    let (stream, _) = common::streaming::StreamService::new();
    let server = TestServer::start_with(
        typerpc::Server::new()
            .add(stream)
            .configure(|r| r.max_message_size(1024)),
    )
    .await;
    let head = "POST /stream.v1.StreamService/Sum HTTP/1.1\r\nhost: x\r\ncontent-type: application/connect+json\r\n";
    // One envelope announcing 60,000 bytes, far over the limit.
    let len = 60_000usize;
    let mut prefix = vec![0u8];
    prefix.extend_from_slice(&(len as u32).to_be_bytes());
    let (status, response) = slow_request_after(&server, head, &prefix, len).await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{response}");
    assert!(response.contains("resource_exhausted"), "{response}");
}

/// A unary or server-streaming call takes exactly one request message: none
/// or two are `unimplemented` (as grpc-go and connect-go answer), over
/// HTTP/1.1 on gRPC-Web and Connect streams alike.
#[tokio::test]
async fn no_request_message_or_two_on_a_server_stream_is_unimplemented() {
    use typerpc::Message;
    let (stream, _) = common::streaming::StreamService::new();
    let server = TestServer::start_with(typerpc::Server::new().add(stream)).await;
    let one = common::streaming::CountRequest {
        to: 1,
        ..Default::default()
    }
    .encode_to_vec();
    let mut envelope = vec![0u8];
    envelope.extend_from_slice(&(one.len() as u32).to_be_bytes());
    envelope.extend_from_slice(&one);
    let two = [envelope.clone(), envelope].concat();
    for (content_type, expected) in [
        ("application/grpc-web+proto", "grpc-status: 12"),
        ("application/connect+proto", "unimplemented"),
    ] {
        for body in [&two[..], &[][..]] {
            let head = format!(
                "POST /stream.v1.StreamService/Count HTTP/1.1\r\nhost: x\r\ncontent-type: {content_type}\r\n"
            );
            let (status, response) = slow_request_after(&server, &head, body, 0).await;
            assert_eq!(status, "HTTP/1.1 200 OK", "{response}");
            assert!(
                response.contains(expected),
                "{content_type}, {} bytes: {response}",
                body.len()
            );
        }
    }
}

/// A later request message over the limit, after one that was fine, is
/// answered to a client still writing, on Connect and gRPC-Web streams.
#[tokio::test]
async fn a_later_streamed_message_over_the_limit_is_answered_to_a_client_still_writing() {
    use typerpc::Message;
    let (stream, _) = common::streaming::StreamService::new();
    let server = TestServer::start_with(
        typerpc::Server::new()
            .add(stream)
            .configure(|r| r.max_message_size(1024)),
    )
    .await;
    let first = common::streaming::Number { value: 1 }.encode_to_vec();
    let len = 60_000usize;
    let mut prefix = vec![0u8];
    prefix.extend_from_slice(&(first.len() as u32).to_be_bytes());
    prefix.extend_from_slice(&first);
    prefix.push(0);
    prefix.extend_from_slice(&(len as u32).to_be_bytes());
    for (content_type, expected) in [
        ("application/connect+proto", "resource_exhausted"),
        ("application/grpc-web+proto", "grpc-status:8"),
    ] {
        let head = format!(
            "POST /stream.v1.StreamService/Sum HTTP/1.1\r\nhost: x\r\ncontent-type: {content_type}\r\n"
        );
        let (status, response) = slow_request_after(&server, &head, &prefix, len).await;
        assert_eq!(status, "HTTP/1.1 200 OK", "{response}");
        let squeezed = response.replace("grpc-status: ", "grpc-status:");
        assert!(squeezed.contains(expected), "{content_type}: {response}");
    }
}
