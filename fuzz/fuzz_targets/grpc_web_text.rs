//! gRPC-Web text: a base64 body cut into chunks anywhere (inside a
//! quantum, between padded blocks), through the in-memory server. The
//! answer is always gRPC-Web text: 200 with `grpc-status` in the headers
//! or a trailers frame at the end of a base64 body that decodes.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use typerpc_fuzz::service::{chunks, send};

fn request(method: &str) -> http::request::Builder {
    http::Request::post(format!("/fuzz.v1.FuzzService/{method}"))
        .header("content-type", "application/grpc-web-text")
        .header("x-grpc-web", "1")
}

fuzz_target!(|data: &[u8]| {
    let [select, cut, rest @ ..] = data else {
        return;
    };
    let method = ["Echo", "Collect", "Repeat", "Chat"][usize::from(select % 4)];
    // Half the time the body is valid base64 of the input (so envelopes
    // get through); otherwise the raw input.
    let body = if select & 0x80 == 0 {
        Bytes::from(base64_encode(rest))
    } else {
        Bytes::copy_from_slice(rest)
    };
    let answer = send(
        request(method),
        chunks(&body, &[*cut, cut.wrapping_add(3), 1]),
    );
    assert_eq!(answer.response.status, 200);
    if answer.response.headers.contains_key("grpc-status") {
        return;
    }
    let decoded = base64_decode(&answer.body).expect("the answer is base64");
    // The last frame is the trailers frame (flag 0x80) with a status.
    assert!(
        decoded.windows(12).any(|w| w == b"grpc-status:"),
        "no status at the end of the answer"
    );
});

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for block in data.chunks(3) {
        let b = [
            block[0],
            *block.get(1).unwrap_or(&0),
            *block.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= block.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]);
            } else {
                out.push(b'=');
            }
        }
    }
    out
}

/// Decodes base64 made of padded blocks, as gRPC-Web text answers are.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for block in text.chunks(4) {
        if block.len() != 4 {
            return None;
        }
        let mut n = 0u32;
        let mut pad = 0;
        for &c in block {
            let v = match c {
                b'=' => {
                    pad += 1;
                    0
                }
                _ => ALPHABET.iter().position(|&a| a == c)? as u32,
            };
            n = (n << 6) | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad.min(2)]);
    }
    Some(out)
}
