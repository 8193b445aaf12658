//! A status in gRPC trailers: `grpc-status`, `grpc-message`
//! (percent-encoded) and `grpc-status-details-bin` (base64 of
//! `google.rpc.Status`).

use base64::Engine;
use http::{HeaderMap, HeaderValue};
use percent_encoding::{percent_decode_str, AsciiSet, CONTROLS};

use crate::status::RpcStatus;
use crate::{Code, Message, Status};

/// Bytes `grpc-message` percent-encodes: everything outside printable
/// ASCII, and `%` itself.
const MESSAGE_ESCAPES: &AsciiSet = &CONTROLS.add(b'%').add(0x7f);

/// Writes the status into `headers` (trailers, or the headers of a
/// trailers-only response).
pub fn write_status(status: &Status, headers: &mut HeaderMap) {
    headers.insert("grpc-status", HeaderValue::from(status.code().as_i32()));
    if !status.message().is_empty() {
        let encoded =
            percent_encoding::utf8_percent_encode(status.message(), MESSAGE_ESCAPES).to_string();
        if let Ok(value) = HeaderValue::from_str(&encoded) {
            headers.insert("grpc-message", value);
        }
    }
    if !status.details().is_empty() {
        let bytes = status.to_rpc_status().encode_to_vec();
        let encoded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
        if let Ok(value) = HeaderValue::from_str(&encoded) {
            headers.insert("grpc-status-details-bin", value);
        }
    }
}

/// Reads a status from trailers; `None` without `grpc-status`.
pub fn read_status(headers: &HeaderMap) -> Option<Status> {
    let code = headers
        .get("grpc-status")?
        .to_str()
        .ok()?
        .trim()
        .parse::<i32>()
        .ok()
        .map(Code::from_i32)?;
    let message = headers
        .get("grpc-message")
        .map(|v| {
            percent_decode_str(&String::from_utf8_lossy(v.as_bytes()))
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    let details = headers
        .get("grpc-status-details-bin")
        .and_then(|v| decode_bin(v.as_bytes()))
        .and_then(|bytes| RpcStatus::decode(&bytes[..]).ok())
        .map(|rpc| rpc.details)
        .unwrap_or_default();
    Some(Status::new(code, message).with_details(details))
}

/// Decodes a `-bin` header value, padded or not.
pub fn decode_bin(value: &[u8]) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = value.iter().copied().filter(|&b| b != b'=').collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_trailers() {
        let status = Status::invalid_argument("bad 100% ✓\n").with_detail(&crate::Empty {});
        let mut headers = HeaderMap::new();
        write_status(&status, &mut headers);
        assert_eq!(headers["grpc-status"], "3");
        assert_eq!(headers["grpc-message"], "bad 100%25 %E2%9C%93%0A");
        assert_eq!(read_status(&headers), Some(status));
    }

    #[test]
    fn bin_values_decode_with_or_without_padding() {
        assert_eq!(decode_bin(b"YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_bin(b"YQ"), Some(b"a".to_vec()));
        assert_eq!(decode_bin(b"!!"), None);
    }
}
