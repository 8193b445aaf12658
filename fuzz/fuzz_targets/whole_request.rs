//! Whole requests through the in-memory server: any protocol and codec,
//! method, timeout and compression headers, and body bytes cut into any
//! chunks. The server always answers, in time, with a response its
//! protocol allows: a gRPC answer carries `grpc-status` (in the headers or
//! trailers), a gRPC-Web answer a status in its headers or body, a
//! Connect stream 200 and an end-of-stream message, a Connect unary call
//! 200 or an error status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc_fuzz::service::{chunks, send};

const CONTENT_TYPES: [&str; 10] = [
    "application/grpc",
    "application/grpc+proto",
    "application/grpc+json",
    "application/grpc-web+proto",
    "application/grpc-web+json",
    "application/proto",
    "application/json",
    "application/connect+proto",
    "application/connect+json",
    "text/plain",
];
const METHODS: [&str; 5] = ["Echo", "Collect", "Repeat", "Chat", "Nothing"];
const TIMEOUTS: [(&str, &str); 6] = [
    ("grpc-timeout", "1S"),
    ("grpc-timeout", "0n"),
    ("grpc-timeout", "99999999H"),
    ("connect-timeout-ms", "5000"),
    ("connect-timeout-ms", "x"),
    ("x-none", "1"),
];
const ENCODINGS: [(&str, &str); 6] = [
    ("grpc-encoding", "gzip"),
    ("grpc-encoding", "zstd"),
    ("grpc-encoding", "br"),
    ("content-encoding", "gzip"),
    ("connect-content-encoding", "zstd"),
    ("x-none", "1"),
];

fuzz_target!(|data: &[u8]| {
    let [a, b, cut, rest @ ..] = data else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(a % 10)];
    let method = METHODS[usize::from((a / 10) % 5)];
    let (timeout, timeout_value) = TIMEOUTS[usize::from(b % 6)];
    let (encoding, encoding_value) = ENCODINGS[usize::from((b / 6) % 6)];
    let mut head = http::Request::post(format!("/fuzz.v1.FuzzService/{method}"))
        .header("content-type", content_type)
        .header(timeout, timeout_value)
        .header(encoding, encoding_value);
    if b & 0x80 != 0 {
        head = head.header("connect-protocol-version", "1");
    }
    if content_type.starts_with("application/grpc-web") {
        head = head.header("x-grpc-web", "1");
    }
    let answer = send(head, chunks(rest, &[*cut, cut.rotate_right(2), 0]));
    let status = answer.response.status.as_u16();
    let headers = &answer.response.headers;
    let in_trailers = answer
        .trailers
        .as_ref()
        .is_some_and(|t| t.contains_key("grpc-status"));
    let answered_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if answered_type.starts_with("application/grpc-web") {
        assert_eq!(status, 200);
        assert!(
            headers.contains_key("grpc-status")
                || answer.body.windows(12).any(|w| w == b"grpc-status:"),
            "a gRPC-Web answer without a status"
        );
    } else if answered_type.starts_with("application/grpc") {
        assert_eq!(status, 200);
        assert!(
            headers.contains_key("grpc-status") || in_trailers,
            "no grpc-status"
        );
    } else if answered_type.starts_with("application/connect+") {
        assert_eq!(status, 200);
        // The end-of-stream message: flags 0x02 (or 0x03), then JSON.
        assert!(
            answer.body.len() >= 5 && answer.body.iter().any(|&f| f & 0x02 != 0),
            "a Connect stream without its end"
        );
    } else {
        // Connect unary, or a refusal before any protocol was settled.
        assert!(status == 200 || (400..600).contains(&status), "{status}");
    }
});
