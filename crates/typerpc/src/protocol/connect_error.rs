//! Connect's JSON for errors and for the end of a stream.
//!
//! An error (the body of a failed unary call, and the `error` of an
//! end-of-stream message) is
//!
//! ```json
//! {"code": "unavailable", "message": "overloaded",
//!  "details": [{"type": "google.rpc.RetryInfo", "value": "CgIIPA", "debug": {...}}]}
//! ```
//!
//! with the code's Connect name, the message only when there is one, and
//! each detail's fully-qualified type name (no URL prefix) and its binary
//! encoding in unpadded standard base64. `debug`, the detail as JSON, is
//! optional and written only when asked for ([`to_json_with`]); readers
//! must ignore it.
//!
//! The end-of-stream message that closes every Connect streaming response
//! is `{"error": {...}, "metadata": {"key": ["v1", "v2"]}}`, both parts
//! optional: a successful stream with no trailers ends with `{}`.
//!
//! Reading is lenient where the spec lets a client recover: a body that is
//! not a JSON object, or whose code is missing or not one of the sixteen
//! names, takes its code from the HTTP status (the spec's "HTTP to Error
//! Code" table); unknown keys and `debug` are skipped; a detail whose
//! value is not base64 is dropped rather than losing the whole error.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::message::json::{JsonError, JsonKind, JsonOptions, JsonParser, JsonWriter};
use crate::message::wkt::{TypeRegistry, TYPE_URL_PREFIX};
use crate::{Any, Code, Status};

/// Writes a status as the Connect error JSON, without `debug`.
pub fn to_json(status: &Status) -> Vec<u8> {
    let options = JsonOptions::default();
    let mut out = Vec::with_capacity(64 + status.message().len());
    let mut w = JsonWriter::new(&mut out, &options);
    write_error(status, &mut w, None);
    out
}

/// Writes a status as the Connect error JSON, adding to each detail whose
/// type the options' registry knows (the well-known types if it names
/// none) a `debug` member holding the detail as JSON, for people reading
/// the wire. It shows nothing that `value` does not already carry.
pub fn to_json_with(status: &Status, options: &JsonOptions) -> Vec<u8> {
    let registry = options
        .registry
        .as_deref()
        .unwrap_or_else(|| TypeRegistry::well_known());
    let mut out = Vec::with_capacity(128 + status.message().len());
    let mut w = JsonWriter::new(&mut out, options);
    write_error(status, &mut w, Some(registry));
    out
}

/// Writes the error object at the writer's position.
fn write_error(status: &Status, w: &mut JsonWriter<'_>, debug: Option<&TypeRegistry>) {
    w.begin_object();
    w.key("code");
    // `ok` is not an error code in Connect, and a client would not know
    // it: an error that claims success is of unknown kind.
    let code = match status.code() {
        Code::Ok => Code::Unknown,
        code => code,
    };
    w.string(code.as_connect_str());
    if !status.message().is_empty() {
        w.key("message");
        w.string(status.message());
    }
    if !status.details().is_empty() {
        w.key("details");
        w.begin_array();
        for detail in status.details() {
            w.begin_object();
            w.key("type");
            w.string(detail.type_name());
            w.key("value");
            w.string(&STANDARD_NO_PAD.encode(&detail.value));
            if let Some(json) = debug.and_then(|r| debug_json(r, detail, w)) {
                w.key("debug");
                w.raw_value(&json);
            }
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

/// A detail as JSON, if the registry knows its type and its bytes decode.
fn debug_json(registry: &TypeRegistry, detail: &Any, w: &JsonWriter<'_>) -> Option<String> {
    let entry = registry.get(detail.type_name())?;
    let options = w.options().clone();
    let mut out = Vec::new();
    let mut inner = w.nested(&mut out, &options);
    (entry.write)(&detail.value, &mut inner).ok()?;
    if inner.error().is_some() {
        return None;
    }
    String::from_utf8(out).ok()
}

/// Reads a Connect error body. `http_status` supplies the code when the
/// body has none or is not an error object at all, as the spec asks of
/// clients; the message is then the HTTP status line.
pub fn from_json(body: &[u8], http_status: u16) -> Status {
    let options = JsonOptions::default();
    let mut parser = JsonParser::new(body, &options);
    let parsed = read_error(&mut parser).and_then(|wire| {
        parser.finish()?;
        Ok(wire)
    });
    match parsed {
        Ok(wire) => wire.into_status(Code::from_connect_http_status(http_status)),
        Err(_) => Status::new(
            Code::from_connect_http_status(http_status),
            http_status_line(http_status),
        ),
    }
}

/// What the end of a Connect stream says: an error if the call failed,
/// and the trailing metadata.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EndStream {
    /// The error; `None` for success.
    pub error: Option<Status>,
    /// Trailing metadata (`-bin` values stay base64, as in headers).
    pub metadata: HeaderMap,
}

/// Writes the end-of-stream message. `error` is `None` (or an `ok`
/// status) for a call that succeeded. Metadata values that are not UTF-8
/// are written lossily: JSON strings cannot hold other bytes.
pub fn end_stream_to_json(error: Option<&Status>, metadata: &HeaderMap) -> Vec<u8> {
    let options = JsonOptions::default();
    let mut out = Vec::with_capacity(64);
    let mut w = JsonWriter::new(&mut out, &options);
    w.begin_object();
    if let Some(status) = error.filter(|s| !s.code().is_ok()) {
        w.key("error");
        write_error(status, &mut w, None);
    }
    if !metadata.is_empty() {
        w.key("metadata");
        w.begin_object();
        for name in metadata.keys() {
            w.key(name.as_str());
            w.begin_array();
            for value in metadata.get_all(name) {
                w.string(&String::from_utf8_lossy(value.as_bytes()));
            }
            w.end_array();
        }
        w.end_object();
    }
    w.end_object();
    out
}

/// Reads an end-of-stream message. JSON that is not an object is
/// `internal` (a broken response, as connect-go reports it). Within it,
/// `"error": null` is success; an error without a known code is
/// `unknown` (the stream's HTTP status is 200, which infers nothing).
/// Metadata keys that are not valid header names, and values that are
/// not strings or not valid header values, are left out.
pub fn end_stream_from_json(body: &[u8]) -> Result<EndStream, Status> {
    let options = JsonOptions::default();
    let mut parser = JsonParser::new(body, &options);
    let mut end = EndStream::default();
    let parsed = parser
        .object(|p, key| match key {
            "error" => {
                if !p.take_null()? {
                    end.error = Some(read_error(p)?.into_status(Code::Unknown));
                }
                Ok(())
            }
            "metadata" => read_metadata(p, &mut end.metadata),
            _ => p.skip_value(),
        })
        .and_then(|()| parser.finish());
    match parsed {
        Ok(()) => Ok(end),
        Err(e) => Err(Status::internal(format!(
            "protocol error: invalid end-of-stream message: {e}"
        ))),
    }
}

/// An error object as read, before the fallback code is applied.
#[derive(Default)]
struct WireError {
    code: Option<Code>,
    message: String,
    details: Vec<Any>,
}

impl WireError {
    fn into_status(self, fallback: Code) -> Status {
        Status::new(self.code.unwrap_or(fallback), self.message).with_details(self.details)
    }
}

/// Reads an error object. A code or message of the wrong JSON type is
/// treated as absent; only broken JSON (or a non-object) is an error.
fn read_error(p: &mut JsonParser<'_>) -> Result<WireError, JsonError> {
    let mut wire = WireError::default();
    p.object(|p, key| match key {
        "code" => {
            wire.code = match p.peek_kind()? {
                JsonKind::String => Code::from_connect_str(&p.string()?),
                _ => {
                    p.skip_value()?;
                    None
                }
            };
            Ok(())
        }
        "message" => {
            wire.message = match p.peek_kind()? {
                JsonKind::String => p.string()?.into_owned(),
                _ => {
                    p.skip_value()?;
                    String::new()
                }
            };
            Ok(())
        }
        "details" => {
            if p.peek_kind()? != JsonKind::Array {
                return p.skip_value();
            }
            p.array(|p| {
                if let Some(detail) = read_detail(p)? {
                    wire.details.push(detail);
                }
                Ok(())
            })
        }
        _ => p.skip_value(),
    })?;
    Ok(wire)
}

/// Reads one detail; `None` for one that is not usable (not an object, no
/// type, or a value that is not a base64 string). A missing value is the
/// empty message, whose encoding is empty.
fn read_detail(p: &mut JsonParser<'_>) -> Result<Option<Any>, JsonError> {
    if p.peek_kind()? != JsonKind::Object {
        p.skip_value()?;
        return Ok(None);
    }
    let mut type_name: Option<String> = None;
    let mut value: Option<Vec<u8>> = Some(Vec::new());
    p.object(|p, key| match key {
        "type" if p.peek_kind()? == JsonKind::String => {
            type_name = Some(p.string()?.into_owned());
            Ok(())
        }
        "value" => {
            value = match p.peek_kind()? {
                JsonKind::String => decode_base64(p.string()?.as_bytes()),
                _ => {
                    p.skip_value()?;
                    None
                }
            };
            Ok(())
        }
        _ => p.skip_value(),
    })?;
    Ok(match (type_name, value) {
        (Some(type_name), Some(value)) if !type_name.is_empty() => Some(Any {
            // Connect sends the bare type name; a sender that sent a full
            // URL keeps it.
            type_url: if type_name.contains('/') {
                type_name
            } else {
                format!("{TYPE_URL_PREFIX}{type_name}")
            },
            value,
        }),
        _ => None,
    })
}

/// Reads the `metadata` object into `headers`.
fn read_metadata(p: &mut JsonParser<'_>, headers: &mut HeaderMap) -> Result<(), JsonError> {
    if p.take_null()? {
        return Ok(());
    }
    p.object(|p, key| {
        let name = HeaderName::from_bytes(key.as_bytes()).ok();
        if p.peek_kind()? != JsonKind::Array {
            return p.skip_value();
        }
        p.array(|p| {
            if p.peek_kind()? != JsonKind::String {
                return p.skip_value();
            }
            let text = p.string()?;
            if let (Some(name), Ok(value)) = (&name, HeaderValue::from_str(&text)) {
                headers.append(name.clone(), value);
            }
            Ok(())
        })
    })
}

/// Standard base64 with or without padding, as the spec asks readers to
/// accept.
fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 == 0 {
        STANDARD.decode(text).ok()
    } else {
        STANDARD_NO_PAD.decode(text).ok()
    }
}

/// `HTTP status 503 Service Unavailable`, for errors without a body.
fn http_status_line(status: u16) -> String {
    match http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP status {status} {reason}"),
        None => format!("HTTP status {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;

    #[derive(crate::Message, Clone, Debug, PartialEq)]
    #[rpc(package = "google.rpc")]
    struct RetryInfo {
        retry_delay: Option<crate::Duration>,
    }

    fn json(bytes: &[u8]) -> serde_json::Value {
        serde_json::from_slice(bytes).unwrap()
    }

    fn retry() -> RetryInfo {
        RetryInfo {
            retry_delay: Some(crate::Duration::new(60, 0)),
        }
    }

    #[test]
    fn errors_are_written_as_the_spec_shows() {
        let status = Status::unavailable("overloaded: back off").with_detail(&retry());
        let text = String::from_utf8(to_json(&status)).unwrap();
        let value = json(text.as_bytes());
        assert_eq!(value["code"], "unavailable");
        assert_eq!(value["message"], "overloaded: back off");
        let detail = &value["details"][0];
        assert_eq!(detail["type"], "google.rpc.RetryInfo");
        // Unpadded standard base64 of the binary encoding.
        let encoded = detail["value"].as_str().unwrap();
        assert!(!encoded.ends_with('='));
        assert_eq!(encoded, STANDARD_NO_PAD.encode(retry().encode_to_vec()));
        assert_eq!(encoded, "CgIIPA");
        assert!(detail.get("debug").is_none());
        // The simplest error is just a code.
        assert_eq!(to_json(&Status::canceled("")), br#"{"code":"canceled"}"#);
        // An "ok" status is no Connect error code.
        assert_eq!(json(&to_json(&Status::ok()))["code"], "unknown");
    }

    #[test]
    fn debug_is_written_only_for_known_types() {
        let registry = TypeRegistry::new().with::<RetryInfo>();
        let options = JsonOptions::default().with_registry(registry);
        let status = Status::unavailable("x")
            .with_detail(&retry())
            .with_detail(&crate::Empty {})
            .with_details([Any {
                type_url: "type.googleapis.com/acme.Unknown".into(),
                value: vec![1, 2, 3],
            }]);
        let value = json(&to_json_with(&status, &options));
        assert_eq!(
            value["details"][0]["debug"],
            serde_json::json!({"retryDelay": "60s"})
        );
        assert_eq!(value["details"][1]["debug"], serde_json::json!({}));
        assert!(value["details"][2].get("debug").is_none());
        // A known type with broken bytes gets no debug, and no error.
        let broken = Status::internal("x").with_details([Any {
            type_url: "type.googleapis.com/google.rpc.RetryInfo".into(),
            value: vec![0x0a, 0x09],
        }]);
        let value = json(&to_json_with(&broken, &options));
        assert!(value["details"][0].get("debug").is_none());
        assert_eq!(value["details"][0]["value"], "Cgk");
        // Readers ignore debug.
        assert_eq!(from_json(&to_json_with(&status, &options), 503), status);
    }

    #[test]
    fn errors_round_trip() {
        let statuses = [
            Status::not_found("no \"x\" \u{1F600}\n").with_detail(&crate::Empty {}),
            Status::invalid_argument("")
                .with_detail(&retry())
                .with_detail(&retry()),
            Status::data_loss("lost"),
        ];
        for status in statuses {
            let body = to_json(&status);
            assert_eq!(
                from_json(&body, status.code().connect_http_status()),
                status
            );
            // The body, not the HTTP status, decides the code.
            assert_eq!(from_json(&body, 200), status);
        }
    }

    #[test]
    fn padded_and_unpadded_values_and_full_type_urls_are_read() {
        for body in [
            r#"{"code":"aborted","details":[{"type":"google.rpc.RetryInfo","value":"CgIIPA"}]}"#,
            r#"{"code":"aborted","details":[{"type":"google.rpc.RetryInfo","value":"CgIIPA=="}]}"#,
            r#"{"code":"aborted","details":[{"value":"CgIIPA==","debug":{"a":[1,{"b":null}]},"type":"type.googleapis.com/google.rpc.RetryInfo","x":1}]}"#,
        ] {
            let status = from_json(body.as_bytes(), 409);
            assert_eq!(status.code(), Code::Aborted);
            assert_eq!(status.detail::<RetryInfo>(), Some(retry()), "{body}");
        }
        let custom = from_json(
            br#"{"code":"aborted","details":[{"type":"example.com/acme.X","value":""}]}"#,
            409,
        );
        assert_eq!(custom.details()[0].type_url, "example.com/acme.X");
    }

    #[test]
    fn a_missing_or_unknown_code_comes_from_the_http_status() {
        let cases: [(&[u8], u16, Code, &str); 9] = [
            (br#"{"message":"m"}"#, 503, Code::Unavailable, "m"),
            (
                br#"{"code":"teapot","message":"m"}"#,
                404,
                Code::Unimplemented,
                "m",
            ),
            (br#"{"code":null}"#, 401, Code::Unauthenticated, ""),
            (br#"{"code":"ok"}"#, 429, Code::Unavailable, ""),
            (br#"{"code":5}"#, 403, Code::PermissionDenied, ""),
            (br#"{"code":"NOT_FOUND"}"#, 500, Code::Unknown, ""),
            (br#"{}"#, 400, Code::Internal, ""),
            (
                br#"{"code":"internal","message":7}"#,
                400,
                Code::Internal,
                "",
            ),
            (
                br#"{"code":"internal","details":null}"#,
                200,
                Code::Internal,
                "",
            ),
        ];
        for (body, http_status, code, message) in cases {
            let status = from_json(body, http_status);
            assert_eq!(status.code(), code, "{}", String::from_utf8_lossy(body));
            assert_eq!(status.message(), message);
        }
    }

    #[test]
    fn a_body_that_is_not_an_error_object_falls_back_on_the_http_status() {
        for body in [
            &b""[..],
            b"garbage",
            b"<html>Bad Gateway</html>",
            b"[]",
            b"\"not_found\"",
            br#"{"code":"not_found""#,
            br#"{"code":"not_found"} trailing"#,
            br#"{"code":"not_found","code":}"#,
            &[0xff, 0xfe],
        ] {
            let status = from_json(body, 502);
            assert_eq!(status.code(), Code::Unavailable, "{body:?}");
            assert_eq!(status.message(), "HTTP status 502 Bad Gateway");
            assert!(status.details().is_empty());
        }
        assert_eq!(from_json(b"", 418).code(), Code::Unknown);
        assert_eq!(from_json(b"", 799).message(), "HTTP status 799");
    }

    #[test]
    fn unusable_details_are_dropped_not_fatal() {
        let status = from_json(
            br#"{"code":"unavailable","message":"m","details":[
                {"type":"google.rpc.RetryInfo","value":"!!not base64!!"},
                {"value":"CgIIPA"},
                {"type":"","value":"CgIIPA"},
                {"type":"google.rpc.RetryInfo","value":7},
                "a string",
                null,
                {"type":"google.rpc.RetryInfo","value":"CgIIPA"},
                {"type":"google.protobuf.Empty"}
            ]}"#,
            503,
        );
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(status.message(), "m");
        assert_eq!(status.details().len(), 2);
        assert_eq!(status.detail::<RetryInfo>(), Some(retry()));
        // A missing value is the empty message.
        assert_eq!(status.detail::<crate::Empty>(), Some(crate::Empty {}));
    }

    #[test]
    fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
        let mut body = br#"{"code":"aborted","x":"#.to_vec();
        body.extend(std::iter::repeat_n(b'[', 100_000));
        // Never closed: malformed, so the HTTP status decides.
        let status = from_json(&body, 409);
        assert_eq!(status.code(), Code::Unknown);
        assert_eq!(status.message(), "HTTP status 409 Conflict");
        let mut end = br#"{"metadata":"#.to_vec();
        end.extend(std::iter::repeat_n(b'{', 100_000));
        assert_eq!(
            end_stream_from_json(&end).unwrap_err().code(),
            Code::Internal
        );
    }

    #[test]
    fn end_stream_messages_are_written_as_the_spec_shows() {
        assert_eq!(end_stream_to_json(None, &HeaderMap::new()), b"{}");
        assert_eq!(
            end_stream_to_json(Some(&Status::ok()), &HeaderMap::new()),
            b"{}"
        );
        let mut metadata = HeaderMap::new();
        metadata.append("acme-operation-cost", HeaderValue::from_static("237"));
        metadata.append("x-multi", HeaderValue::from_static("a"));
        metadata.append("x-multi", HeaderValue::from_static("b"));
        metadata.append("trace-bin", HeaderValue::from_static("AAEC"));
        let body = end_stream_to_json(Some(&Status::unavailable("")), &metadata);
        assert_eq!(
            json(&body),
            serde_json::json!({
                "error": {"code": "unavailable"},
                "metadata": {
                    "acme-operation-cost": ["237"],
                    "x-multi": ["a", "b"],
                    "trace-bin": ["AAEC"],
                }
            })
        );
        let obs = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        let mut odd = HeaderMap::new();
        odd.insert("x-latin1", obs);
        assert_eq!(
            json(&end_stream_to_json(None, &odd))["metadata"]["x-latin1"][0],
            "caf\u{FFFD}"
        );
    }

    #[test]
    fn end_stream_messages_round_trip() {
        let mut metadata = HeaderMap::new();
        metadata.append("x-multi", HeaderValue::from_static("a"));
        metadata.append("x-multi", HeaderValue::from_static("b"));
        let error = Status::resource_exhausted("quota").with_detail(&retry());
        for (error, metadata) in [
            (None, HeaderMap::new()),
            (Some(error.clone()), HeaderMap::new()),
            (None, metadata.clone()),
            (Some(error), metadata),
        ] {
            let body = end_stream_to_json(error.as_ref(), &metadata);
            let end = end_stream_from_json(&body).unwrap();
            assert_eq!(end, EndStream { error, metadata });
        }
    }

    #[test]
    fn end_stream_reading_is_lenient_inside_and_strict_outside() {
        let end = end_stream_from_json(br#"{"error":null,"metadata":null,"extra":[1]}"#).unwrap();
        assert_eq!(end, EndStream::default());
        // An error without a usable code is unknown.
        for body in [
            &br#"{"error":{}}"#[..],
            br#"{"error":{"code":null,"message":"m"}}"#,
        ] {
            let error = end_stream_from_json(body).unwrap().error.unwrap();
            assert_eq!(error.code(), Code::Unknown);
        }
        // Metadata that a HeaderMap cannot hold is left out.
        let end = end_stream_from_json(
            br#"{"metadata":{"Good-Key":["v",7,"w"],"bad key":["x"],"x-ctl":["a\nb"],"x-one":"solo"}}"#,
        )
        .unwrap();
        assert_eq!(end.metadata.len(), 2);
        let values: Vec<_> = end.metadata.get_all("good-key").iter().collect();
        assert_eq!(values, ["v", "w"]);
        for bad in [
            &b""[..],
            b"[]",
            b"null",
            br#"{"error":"#,
            br#"{} {}"#,
            br#"{"error":[]}"#,
        ] {
            let err = end_stream_from_json(bad).unwrap_err();
            assert_eq!(err.code(), Code::Internal, "{bad:?}");
            assert!(err.message().contains("end-of-stream"));
        }
    }

    #[test]
    fn the_wire_matches_an_independent_json_reading() {
        // serde_json is the oracle for escaping and structure.
        let message = "tab\t quote\" backslash\\ nul\u{0} bell\u{7} emoji \u{1F600} sep\u{2028}";
        let status = Status::failed_precondition(message).with_detail(&crate::Empty {});
        let value = json(&to_json(&status));
        assert_eq!(value["message"], message);
        assert_eq!(value["details"][0]["type"], "google.protobuf.Empty");
        assert_eq!(value["details"][0]["value"], "");
    }
}
