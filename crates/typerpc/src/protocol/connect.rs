//! The Connect protocol on the server, what differs from gRPC once the
//! pipeline has a call: unary calls are plain HTTP (POST with
//! `application/proto` or `application/json`, GET for idempotent
//! methods), errors a JSON body with an HTTP status from the code, and
//! unary trailers `trailer-` prefixed headers. Streams envelope their
//! messages and end with the end-of-stream message.

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};

use super::body::RpcBody;
use super::compression::Compression;
use super::connect_error;
use super::response_writer::COMPRESS_MIN_BYTES;
use super::wire::Wire;
use crate::service::Codec;
use crate::Status;

/// Checks the value of `connect-protocol-version`, when sent: only `1` exists.
pub(crate) fn check_version(version: Option<&http::HeaderValue>) -> Result<(), Status> {
    match version {
        Some(version) if version != "1" => Err(Status::invalid_argument(format!(
            "connect-protocol-version must be \"1\", got {version:?}"
        ))),
        _ => Ok(()),
    }
}

/// A successful unary response: the message as the body (compressed when
/// worth it), trailers as `trailer-` headers.
pub(crate) fn unary_response(
    wire: Wire,
    message: Vec<u8>,
    compression: Compression,
    headers: HeaderMap,
    trailers: HeaderMap,
) -> Response<RpcBody> {
    let (body, encoding) =
        if message.len() >= COMPRESS_MIN_BYTES && compression != Compression::Identity {
            (compression.compress(&message), Some(compression))
        } else {
            (Bytes::from(message), None)
        };
    let mut response = Response::new(RpcBody::full(body));
    let out = response.headers_mut();
    // Most calls set no metadata: skip the work of merging none.
    if !headers.is_empty() {
        out.extend(headers);
    }
    if !trailers.is_empty() {
        append_trailers(out, trailers);
    }
    out.insert(header::CONTENT_TYPE, wire.content_type());
    if let Some(encoding) = encoding {
        out.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(encoding.name()),
        );
    }
    response
}

/// The Connect unary error response: the code's HTTP status and a JSON
/// body.
#[cold]
#[inline(never)]
pub(crate) fn error_response(
    status: &Status,
    headers: HeaderMap,
    trailers: HeaderMap,
) -> Response<RpcBody> {
    let body = connect_error::to_json(status);
    let mut response = Response::new(RpcBody::full(body));
    *response.status_mut() = StatusCode::from_u16(status.code().connect_http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let out = response.headers_mut();
    out.extend(headers);
    append_trailers(out, trailers);
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// An unknown method: `unimplemented`, with 404 rather than the code's
/// usual 501, so Connect clients can tell a wrong path from an
/// unsupported feature.
#[cold]
#[inline(never)]
pub(crate) fn unimplemented(path: &str) -> Response<RpcBody> {
    let status = Status::unimplemented(format!("no method {path}"));
    let mut response = error_response(&status, HeaderMap::new(), HeaderMap::new());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// 405 for a GET of a method that is not idempotent.
#[cold]
#[inline(never)]
pub(crate) fn get_not_idempotent() -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::full(
        "typerpc: this method is not idempotent; use POST\n",
    ));
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    let headers = response.headers_mut();
    headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Connect sends unary trailers as headers prefixed with `trailer-`.
fn append_trailers(headers: &mut HeaderMap, trailers: HeaderMap) {
    let mut last = None;
    for (name, value) in trailers {
        if let Some(name) = name {
            last = Some(name);
        }
        if let Some(name) = &last {
            if let Ok(prefixed) =
                http::HeaderName::from_bytes(format!("trailer-{}", name.as_str()).as_bytes())
            {
                headers.append(prefixed, value);
            }
        }
    }
}

/// The query of a Connect GET.
pub(crate) struct GetQuery {
    pub message: Bytes,
    pub codec: Codec,
    pub compression: Option<String>,
}

impl GetQuery {
    pub(crate) fn parse(query: &str) -> Result<GetQuery, Status> {
        let mut message = None;
        let mut encoding = None;
        let mut base64 = false;
        let mut compression = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value =
                percent_encoding::percent_decode_str(&value.replace('+', " ")).collect::<Vec<u8>>();
            match key {
                "message" => message = Some(value),
                "encoding" => encoding = Some(String::from_utf8_lossy(&value).into_owned()),
                "base64" => base64 = value == b"1",
                "compression" => compression = Some(String::from_utf8_lossy(&value).into_owned()),
                "connect" if value != b"v1" => {
                    return Err(Status::invalid_argument(
                        "the connect query parameter must be v1",
                    ));
                }
                _ => {}
            }
        }
        let codec = match encoding.as_deref() {
            Some("json") => Codec::Json,
            Some("proto") => Codec::Proto,
            Some(other) => {
                return Err(Status::invalid_argument(format!(
                    "unsupported encoding {other:?}; use proto or json"
                )))
            }
            None => {
                return Err(Status::invalid_argument(
                    "a Connect GET needs the encoding query parameter",
                ))
            }
        };
        let message = message.unwrap_or_default();
        let message = if base64 {
            use base64::Engine;
            let text = String::from_utf8_lossy(&message);
            let trimmed = text.trim_end_matches('=');
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(trimmed)
                .map_err(|e| {
                    Status::invalid_argument(format!(
                        "the message query parameter is not base64url: {e}"
                    ))
                })?
        } else {
            message
        };
        Ok(GetQuery {
            message: Bytes::from(message),
            codec,
            compression,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_query_decodes_percent_and_base64() {
        let q = GetQuery::parse("encoding=json&message=%7B%22a%22%3A1%7D&connect=v1").unwrap();
        assert_eq!(q.codec, Codec::Json);
        assert_eq!(&q.message[..], br#"{"a":1}"#);
        let q = GetQuery::parse("encoding=proto&base64=1&message=CAE").unwrap();
        assert_eq!(&q.message[..], &[8, 1]);
        assert!(GetQuery::parse("message=x").is_err());
        assert!(GetQuery::parse("encoding=xml&message=x").is_err());
        assert!(GetQuery::parse("encoding=json&connect=v2").is_err());
    }
}
