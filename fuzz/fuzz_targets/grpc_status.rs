//! A gRPC status in headers: any `grpc-status`, percent-encoded
//! `grpc-message` and `grpc-status-details-bin` read as a status without
//! panicking; a message decodes whatever its escapes, and re-encoding a
//! decoded message decodes to the same text; a status written to headers
//! reads back the same.
#![no_main]

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use typerpc::protocol::grpc_status::{
    decode_bin, decode_bin_values, percent_decode_message, percent_encode_message, read_status,
    write_status,
};

fuzz_target!(|data: &[u8]| {
    // Three fields, split at the first two 0xFF bytes.
    let mut parts = data.splitn(3, |&b| b == 0xFF);
    let code = parts.next().unwrap_or_default();
    let message = parts.next().unwrap_or_default();
    let details = parts.next().unwrap_or_default();

    let text = percent_decode_message(message);
    assert_eq!(
        percent_decode_message(percent_encode_message(&text).as_bytes()),
        text
    );

    let _ = decode_bin(details);
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("grpc-status", code),
        ("grpc-message", message),
        ("grpc-status-details-bin", details),
    ] {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            if name.ends_with("-bin") {
                let _ = decode_bin_values(&value);
            }
            headers.insert(name, value);
        }
    }
    if let Some(status) = read_status(&headers) {
        let mut written = HeaderMap::new();
        write_status(&status, &mut written);
        let again = read_status(&written).expect("our own status reads");
        assert_eq!(again.code(), status.code());
        assert_eq!(again.message(), status.message());
        assert_eq!(again.details(), status.details());
    }
});
