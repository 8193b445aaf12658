//! Connect GET: any query string (`connect`, `encoding`, `message`,
//! `base64`, `compression`, repeated, missing, broken escapes) on the
//! idempotent method, through the in-memory server. The answer is always
//! a Connect answer: 200 with the message, or an error status with a JSON
//! error body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc_fuzz::service::send;

fuzz_target!(|data: &[u8]| {
    // Bytes a URI cannot hold are escaped, so every input is a request.
    let mut query = String::new();
    for &b in data {
        if b.is_ascii_graphic() && b != b'#' {
            query.push(char::from(b));
        } else {
            query.push_str(&format!("%{b:02X}"));
        }
    }
    let uri = format!("/fuzz.v1.FuzzService/Echo?{query}");
    let Ok(uri) = uri.parse::<http::Uri>() else {
        return;
    };
    let answer = send(http::Request::get(uri), Vec::new());
    let status = answer.response.status.as_u16();
    if status == 200 {
        return;
    }
    assert!((400..600).contains(&status), "{status}");
    let content_type = answer
        .response
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type == "application/json" {
        let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&answer.body);
        assert!(parsed.is_ok(), "an error body that is not JSON");
    }
});
