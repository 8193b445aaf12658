//! A status in gRPC trailers, and binary metadata.
//!
//! gRPC (and gRPC-Web, in its trailers frame) ends every call with:
//!
//! - `grpc-status`: the code number in decimal ASCII, also for success;
//! - `grpc-message`: the message, UTF-8 then percent-encoded: every byte
//!   outside printable ASCII (0x20..=0x7E), and `%` itself, becomes `%XX`;
//! - `grpc-status-details-bin`: a `google.rpc.Status` ([`RpcStatus`]) with
//!   the same code and message and the details, in base64.
//!
//! Reading is tolerant, as the spec demands of `grpc-message`: a broken
//! percent escape is kept as it is, bytes that are not UTF-8 become U+FFFD,
//! and a `grpc-status-details-bin` that does not decode is ignored in favour
//! of the plain headers. When it decodes but its code contradicts
//! `grpc-status`, the status is `internal` saying so (as grpc-go does:
//! one of the two is lying, and guessing which would hide the bug).
//!
//! Header names ending in `-bin` carry binary values in base64: written in
//! standard base64 without padding, read with or without it, and split on
//! `,` first, since HTTP lets a proxy join repeated headers with commas.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use bytes::BufMut;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::status::RpcStatus;
use crate::{Code, Message, Status};

/// The status code trailer.
pub const GRPC_STATUS: &str = "grpc-status";
/// The status message trailer.
pub const GRPC_MESSAGE: &str = "grpc-message";
/// The `google.rpc.Status` trailer.
pub const GRPC_STATUS_DETAILS: &str = "grpc-status-details-bin";

// The same names parsed once: a lookup or insert by `&str` parses the
// name on every call.
const STATUS_NAME: HeaderName = HeaderName::from_static(GRPC_STATUS);
const MESSAGE_NAME: HeaderName = HeaderName::from_static(GRPC_MESSAGE);
const DETAILS_NAME: HeaderName = HeaderName::from_static(GRPC_STATUS_DETAILS);

/// Standard base64 that reads padded and unpadded input alike, and
/// ignores stray low bits in the last character as other gRPC
/// implementations do.
const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Writes the status into `headers` (the trailers, or the headers of a
/// trailers-only response), replacing any `grpc-status`, `grpc-message`
/// or `grpc-status-details-bin` already there: those names are the
/// protocol's, and a stale one (say, copied from handler metadata) would
/// contradict the status.
pub fn write_status(status: &Status, headers: &mut HeaderMap) {
    // Every response writes this: skip the lookups in an empty map, and
    // take the code's text from a table rather than formatting it.
    if !headers.is_empty() {
        headers.remove(MESSAGE_NAME);
        headers.remove(DETAILS_NAME);
    }
    headers.insert(STATUS_NAME, code_value(status.code().as_i32()));
    if !status.message().is_empty() {
        if let Ok(value) = HeaderValue::from_str(&percent_encode_message(status.message())) {
            headers.insert(MESSAGE_NAME, value);
        }
    }
    if !status.details().is_empty() {
        let bytes = status.to_rpc_status().encode_to_vec();
        headers.insert(DETAILS_NAME, encode_bin(&bytes));
    }
}

/// Writes the status as gRPC-Web trailer lines (`name:value\r\n`) into
/// `out`, after the lines of `trailers` except the three the status owns
/// (replaced, as [`write_status`] does). The same headers as
/// `write_status` writes, without building a map only to print it.
pub(crate) fn write_status_lines(status: &Status, trailers: &HeaderMap, out: &mut impl BufMut) {
    fn line(out: &mut impl BufMut, name: &[u8], value: &[u8]) {
        out.put_slice(name);
        out.put_slice(b":");
        out.put_slice(value);
        out.put_slice(b"\r\n");
    }
    for (name, value) in trailers {
        if *name != STATUS_NAME && *name != MESSAGE_NAME && *name != DETAILS_NAME {
            line(out, name.as_str().as_bytes(), value.as_bytes());
        }
    }
    let code = status.code().as_i32();
    match code_text(code) {
        Some(text) => line(out, GRPC_STATUS.as_bytes(), text.as_bytes()),
        None => line(out, GRPC_STATUS.as_bytes(), code.to_string().as_bytes()),
    }
    if !status.message().is_empty() {
        let message = percent_encode_message(status.message());
        line(out, GRPC_MESSAGE.as_bytes(), message.as_bytes());
    }
    if !status.details().is_empty() {
        let details = STANDARD_NO_PAD.encode(status.to_rpc_status().encode_to_vec());
        line(out, GRPC_STATUS_DETAILS.as_bytes(), details.as_bytes());
    }
}

/// The `grpc-status` value of a code.
fn code_value(code: i32) -> HeaderValue {
    match code_text(code) {
        Some(text) => HeaderValue::from_static(text),
        None => HeaderValue::from(code),
    }
}

/// The decimal text of the codes gRPC defines, from a table rather than
/// formatted.
fn code_text(code: i32) -> Option<&'static str> {
    const CODES: [&str; 17] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|i| CODES.get(i))
        .copied()
}

/// Reads a status from trailers; `None` without `grpc-status` (the caller
/// then infers one from the HTTP status, see
/// [`Code::from_grpc_http_status`]). A `grpc-status` that is not a number
/// is `unknown`; a number we do not know is `Unknown` too.
pub fn read_status(headers: &HeaderMap) -> Option<Status> {
    let raw_code = headers.get(STATUS_NAME)?;
    let message = headers
        .get(MESSAGE_NAME)
        .map(|v| percent_decode_message(v.as_bytes()))
        .unwrap_or_default();
    let Some(code) = parse_code(raw_code.as_bytes()) else {
        let mut text = format!(
            "protocol error: invalid grpc-status {:?}",
            String::from_utf8_lossy(raw_code.as_bytes())
        );
        if !message.is_empty() {
            text.push_str(": ");
            text.push_str(&message);
        }
        return Some(Status::unknown(text));
    };
    let Some(rpc) = read_details(headers) else {
        return Some(Status::new(code, message));
    };
    if Code::from_i32(rpc.code) != code {
        return Some(Status::internal(format!(
            "protocol error: grpc-status-details-bin mismatch: grpc-status {} ({code}), grpc-message {message:?}, but the details say {} ({}), {:?}",
            code.as_i32(),
            rpc.code,
            Code::from_i32(rpc.code),
            rpc.message
        )));
    }
    // The codes agree: the proto's message and details are the full story.
    Some(Status::from_rpc_status(RpcStatus {
        code: code.as_i32(),
        message: rpc.message,
        details: rpc.details,
    }))
}

/// `grpc-status`: 1 or more ASCII digits, whitespace around them allowed.
/// A number past `i32` is a code we do not know: `Unknown`.
fn parse_code(raw: &[u8]) -> Option<Code> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<i32>().map_or(Code::Unknown, Code::from_i32))
}

/// The `google.rpc.Status` in `grpc-status-details-bin`, if there is
/// exactly one value and it decodes.
fn read_details(headers: &HeaderMap) -> Option<RpcStatus> {
    let mut values = headers.get_all(GRPC_STATUS_DETAILS).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let mut pieces = decode_bin_values(value)?;
    if pieces.len() != 1 {
        return None;
    }
    let bytes = pieces.pop()?;
    RpcStatus::decode(&bytes[..]).ok()
}

/// Percent-encodes a `grpc-message`: bytes outside 0x20..=0x7E, and `%`,
/// become `%XX` (upper-case hex). A space at either end is encoded too,
/// since HTTP strips whitespace around header values.
pub fn percent_encode_message(message: &str) -> String {
    let bytes = message.as_bytes();
    let last = bytes.len().saturating_sub(1);
    let mut out = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let edge_space = b == b' ' && (i == 0 || i == last);
        if (0x20..=0x7E).contains(&b) && b != b'%' && !edge_space {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    out
}

/// Decodes a `grpc-message`, never failing: valid `%XX` escapes are
/// decoded, broken ones kept as they are, and bytes that are not UTF-8
/// become U+FFFD. Raw UTF-8 from a sender that did not encode survives.
pub fn percent_decode_message(raw: &[u8]) -> String {
    percent_encoding::percent_decode(raw)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether a header carries binary values (its name ends in `-bin`).
pub fn is_binary_header(name: &HeaderName) -> bool {
    name.as_str().ends_with("-bin")
}

/// A binary metadata value: standard base64, unpadded, as the specs ask
/// senders to write.
pub fn encode_bin(bytes: &[u8]) -> HeaderValue {
    // The base64 alphabet is all valid header bytes.
    HeaderValue::from_str(&STANDARD_NO_PAD.encode(bytes)).unwrap_or(HeaderValue::from_static(""))
}

/// Decodes one binary metadata value, padded or not; `None` if it is not
/// base64. Whitespace around it is ignored.
pub fn decode_bin(value: &[u8]) -> Option<Vec<u8>> {
    BASE64_LENIENT.decode(trim(value)).ok()
}

/// Decodes a binary header value that may hold several values joined with
/// `,` (as HTTP allows for repeated headers); `None` if any is not base64.
pub fn decode_bin_values(value: &HeaderValue) -> Option<Vec<Vec<u8>>> {
    value
        .as_bytes()
        .split(|&b| b == b',')
        .map(decode_bin)
        .collect()
}

fn trim(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;

    #[derive(crate::Message, Clone, Debug, PartialEq)]
    #[rpc(package = "google.rpc")]
    struct ErrorInfo {
        reason: String,
        domain: String,
    }

    /// `google.rpc.Status` as prost's derive reads it: the oracle for the
    /// details bytes.
    #[derive(Clone, PartialEq, prost_derive::Message)]
    struct TheirStatus {
        #[prost(int32, tag = "1")]
        code: i32,
        #[prost(string, tag = "2")]
        message: String,
        #[prost(message, repeated, tag = "3")]
        details: Vec<prost_types::Any>,
    }

    fn info() -> ErrorInfo {
        ErrorInfo {
            reason: "QUOTA".into(),
            domain: "example.com".into(),
        }
    }

    fn written(status: &Status) -> HeaderMap {
        let mut headers = HeaderMap::new();
        write_status(status, &mut headers);
        headers
    }

    /// The gRPC-Web trailer lines, read back into a map.
    fn lines(status: &Status, trailers: &HeaderMap) -> HeaderMap {
        let mut out = BytesMut::new();
        write_status_lines(status, trailers, &mut out);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.ends_with("\r\n"), "{text:?}");
        let mut map = HeaderMap::new();
        for line in text.split_terminator("\r\n") {
            let (name, value) = line.split_once(':').unwrap();
            let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
            map.append(name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn trailer_lines_say_what_the_trailers_map_says() {
        let mut stale = HeaderMap::new();
        stale.insert("x-cost", HeaderValue::from_static("7"));
        stale.append("x-cost", HeaderValue::from_static("8"));
        stale.insert("grpc-message", HeaderValue::from_static("stale"));
        stale.insert(
            "grpc-status-details-bin",
            HeaderValue::from_static("c3RhbGU"),
        );
        stale.insert("grpc-status", HeaderValue::from_static("5"));
        for status in [
            Status::ok(),
            Status::invalid_argument("bad 100% ✓\n").with_detail(&info()),
            Status::new(Code::Internal, " edges "),
        ] {
            for trailers in [HeaderMap::new(), stale.clone()] {
                let mut expected = trailers.clone();
                write_status(&status, &mut expected);
                assert_eq!(lines(&status, &trailers), expected, "{status:?}");
            }
        }
    }

    #[test]
    fn status_round_trips_through_trailers() {
        let status = Status::invalid_argument("bad 100% ✓\n").with_detail(&info());
        let headers = written(&status);
        assert_eq!(headers["grpc-status"], "3");
        assert_eq!(headers["grpc-message"], "bad 100%25 %E2%9C%93%0A");
        assert!(!headers["grpc-status-details-bin"]
            .as_bytes()
            .ends_with(b"="));
        assert_eq!(read_status(&headers), Some(status));
        // Success: the code alone.
        let ok = written(&Status::ok());
        assert_eq!(ok.len(), 1);
        assert_eq!(ok["grpc-status"], "0");
        assert_eq!(read_status(&ok), Some(Status::ok()));
    }

    #[test]
    fn tonic_reads_what_we_write() {
        let status =
            Status::resource_exhausted(" quota: 100% used — try later ").with_detail(&info());
        let headers = written(&status);
        let theirs = tonic::Status::from_header_map(&headers).unwrap();
        assert_eq!(theirs.code(), tonic::Code::ResourceExhausted);
        assert_eq!(theirs.message(), status.message());
        let rpc = <TheirStatus as prost::Message>::decode(theirs.details()).unwrap();
        assert_eq!(rpc.code, 8);
        assert_eq!(rpc.message, status.message());
        assert_eq!(rpc.details.len(), 1);
        assert_eq!(
            rpc.details[0].type_url,
            "type.googleapis.com/google.rpc.ErrorInfo"
        );
        assert_eq!(rpc.details[0].value, info().encode_to_vec());
    }

    #[test]
    fn we_read_what_tonic_writes() {
        let rpc = TheirStatus {
            code: 5,
            message: "no such thing: ✗ 50%".into(),
            details: vec![prost_types::Any {
                type_url: "type.googleapis.com/google.rpc.ErrorInfo".into(),
                value: info().encode_to_vec(),
            }],
        };
        let theirs = tonic::Status::with_details(
            tonic::Code::NotFound,
            rpc.message.clone(),
            prost::Message::encode_to_vec(&rpc).into(),
        );
        let mut headers = HeaderMap::new();
        theirs.add_header(&mut headers).unwrap();
        let status = read_status(&headers).unwrap();
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "no such thing: ✗ 50%");
        assert_eq!(status.detail::<ErrorInfo>(), Some(info()));
        // And a plain status without details.
        let mut headers = HeaderMap::new();
        tonic::Status::unavailable("down {now}")
            .add_header(&mut headers)
            .unwrap();
        assert_eq!(
            read_status(&headers),
            Some(Status::unavailable("down {now}"))
        );
    }

    #[test]
    fn messages_are_percent_encoded_as_the_spec_says() {
        let all: String = (0u8..=0x7F).map(char::from).collect();
        let encoded = percent_encode_message(&all);
        for b in encoded.bytes() {
            assert!((0x20..=0x7E).contains(&b), "{b:#x}");
        }
        assert!(encoded.starts_with("%00%01"));
        assert!(encoded.contains(" !\"#$%25&'()"));
        assert!(encoded.ends_with("}~%7F"));
        assert_eq!(percent_decode_message(encoded.as_bytes()), all);
        assert_eq!(percent_encode_message("é"), "%C3%A9");
        assert_eq!(percent_encode_message(" a b "), "%20a b%20");
        assert_eq!(percent_encode_message(" "), "%20");
        assert_eq!(percent_encode_message(""), "");
        // Every message becomes a valid header value.
        for message in ["\r\nx-injected: 1", "\u{0}\u{7f}\u{80}", "tab\there"] {
            let headers = written(&Status::internal(message));
            assert_eq!(read_status(&headers).unwrap().message(), message);
        }
    }

    #[test]
    fn decoding_messages_never_fails() {
        let cases: [(&[u8], &str); 8] = [
            (b"100%", "100%"),
            (b"%zz%4", "%zz%4"),
            (b"%4g%41", "%4gA"),
            (b"%e2%9c%93", "✓"),
            (b"%FF%FE", "\u{FFFD}\u{FFFD}"),
            (b"%E2%9C", "\u{FFFD}"),
            ("raw ✓".as_bytes(), "raw ✓"),
            (b"", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(percent_decode_message(raw), want, "{raw:?}");
        }
        let mut headers = HeaderMap::new();
        headers.insert("grpc-status", HeaderValue::from_static("2"));
        headers.insert(
            "grpc-message",
            HeaderValue::from_bytes(b"caf\xe9 %").unwrap(),
        );
        assert_eq!(read_status(&headers).unwrap().message(), "caf\u{FFFD} %");
    }

    #[test]
    fn status_codes_are_read_tolerantly() {
        let read = |code: &[u8]| {
            let mut headers = HeaderMap::new();
            headers.insert("grpc-status", HeaderValue::from_bytes(code).unwrap());
            headers.insert("grpc-message", HeaderValue::from_static("m"));
            read_status(&headers).unwrap()
        };
        assert_eq!(read(b"14").code(), Code::Unavailable);
        assert_eq!(read(b" 5 ").code(), Code::NotFound);
        assert_eq!(read(b"17").code(), Code::Unknown);
        assert_eq!(read(b"17").message(), "m");
        assert_eq!(read(b"99999999999999").code(), Code::Unknown);
        for bad in [&b"abc"[..], b"-1", b"+3", b"", b"3 4", b"\xff"] {
            let status = read(bad);
            assert_eq!(status.code(), Code::Unknown, "{bad:?}");
            assert!(status.message().contains("invalid grpc-status"));
            assert!(status.message().ends_with(": m"));
        }
        assert_eq!(read_status(&HeaderMap::new()), None);
    }

    #[test]
    fn broken_details_fall_back_on_the_plain_headers() {
        let status = Status::permission_denied("no").with_detail(&info());
        for broken in [
            HeaderValue::from_static("!!!"),
            HeaderValue::from_static("CAE,CAE"),
            // Valid base64, not a google.rpc.Status.
            encode_bin(&[0x1a, 0xff]),
        ] {
            let mut headers = written(&status);
            headers.insert("grpc-status-details-bin", broken.clone());
            assert_eq!(
                read_status(&headers),
                Some(Status::permission_denied("no")),
                "{broken:?}"
            );
        }
        // Two separate values: ambiguous, so ignored too.
        let mut headers = written(&status);
        let value = headers["grpc-status-details-bin"].clone();
        headers.append("grpc-status-details-bin", value);
        assert_eq!(read_status(&headers), Some(Status::permission_denied("no")));
    }

    #[test]
    fn details_that_contradict_the_code_are_internal() {
        let mut headers = written(&Status::not_found("a").with_detail(&info()));
        headers.insert("grpc-status", HeaderValue::from_static("0"));
        let status = read_status(&headers).unwrap();
        assert_eq!(status.code(), Code::Internal);
        assert!(
            status.message().contains("mismatch"),
            "{}",
            status.message()
        );
        assert!(status.details().is_empty());
    }

    #[test]
    fn the_details_message_wins_when_codes_agree() {
        let mut headers = written(&Status::aborted("from details").with_detail(&info()));
        headers.insert("grpc-message", HeaderValue::from_static("from header"));
        assert_eq!(read_status(&headers).unwrap().message(), "from details");
    }

    #[test]
    fn stale_protocol_headers_are_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-message", HeaderValue::from_static("forged"));
        headers.insert("grpc-status-details-bin", HeaderValue::from_static("CAE"));
        headers.insert("x-custom", HeaderValue::from_static("kept"));
        write_status(&Status::unavailable(""), &mut headers);
        assert_eq!(headers.len(), 2);
        assert_eq!(headers["grpc-status"], "14");
        assert_eq!(headers["x-custom"], "kept");
        assert_eq!(read_status(&headers), Some(Status::unavailable("")));
    }

    #[test]
    fn binary_metadata() {
        assert_eq!(encode_bin(b"a"), "YQ");
        assert_eq!(encode_bin(b""), "");
        assert_eq!(encode_bin(&[0xfb, 0xff]), "+/8");
        assert_eq!(decode_bin(b"YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_bin(b"YQ"), Some(b"a".to_vec()));
        assert_eq!(decode_bin(b" YWI "), Some(b"ab".to_vec()));
        assert_eq!(decode_bin(b""), Some(Vec::new()));
        // Stray low bits are ignored, as Go's decoder does.
        assert_eq!(decode_bin(b"YR"), Some(b"a".to_vec()));
        for bad in [&b"!!"[..], b"Y", b"Y=Q=", b"-_8", b"YQ==YQ=="] {
            assert_eq!(decode_bin(bad), None, "{bad:?}");
        }
        assert_eq!(
            decode_bin_values(&HeaderValue::from_static("YQ, YWI=,")),
            Some(vec![b"a".to_vec(), b"ab".to_vec(), Vec::new()])
        );
        assert_eq!(decode_bin_values(&HeaderValue::from_static("YQ,!")), None);
        for bytes in [&b""[..], b"\0", b"\xff\xfe\xfd", &[7u8; 1000][..]] {
            let value = encode_bin(bytes);
            assert_eq!(decode_bin(value.as_bytes()).as_deref(), Some(bytes));
            assert_eq!(decode_bin_values(&value), Some(vec![bytes.to_vec()]));
        }
        assert!(is_binary_header(&HeaderName::from_static(
            "trace-proto-bin"
        )));
        assert!(!is_binary_header(&HeaderName::from_static("x-binary")));
    }
}
