//! The Connect protocol, unary: POST with `application/proto` or
//! `application/json`, and GET for idempotent methods.
//!
//! Errors are a JSON body with an HTTP status from the code; response
//! trailers travel as `trailer-` prefixed headers.

use std::time::Instant;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};

use super::compression::Compression;
use super::dispatch::Codec;
use super::{connect_error, timeout};
use crate::server::body::RpcBody;
use crate::server::router::{read_body, Inner};
use crate::service::{Context, Method};
use crate::Status;

/// Responses smaller than this are not worth compressing.
const COMPRESS_MIN_BYTES: usize = 1024;

struct Call {
    codec: Codec,
    request_compression: Compression,
    response_compression: Compression,
    deadline: Option<Instant>,
}

fn content_type(codec: Codec) -> HeaderValue {
    match codec {
        Codec::Proto => HeaderValue::from_static("application/proto"),
        Codec::Json => HeaderValue::from_static("application/json"),
    }
}

/// Unary POST.
pub(crate) async fn unary<B>(
    inner: &Inner,
    method: Option<&Method>,
    request: Request<B>,
    codec: Codec,
) -> Response<RpcBody>
where
    B: http_body::Body + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (parts, body) = request.into_parts();
    let call = match read_headers(
        &parts.headers,
        codec,
        parts.headers.get(header::CONTENT_ENCODING),
        parts.headers.get(header::ACCEPT_ENCODING),
    ) {
        Ok(call) => call,
        Err(status) => return error_response(&status, codec, HeaderMap::new(), HeaderMap::new()),
    };
    let Some(method) = method else {
        return unimplemented(parts.uri.path(), codec);
    };
    let limit = inner.limits.max_message_size;
    let body = match read_body(body, limit).await {
        Ok(body) => body,
        Err(status) => return error_response(&status, codec, HeaderMap::new(), HeaderMap::new()),
    };
    let body = match call.request_compression.decompress_bytes(body, limit) {
        Ok(body) => body,
        Err(status) => return error_response(&status, codec, HeaderMap::new(), HeaderMap::new()),
    };
    respond(inner, method, call, parts, body).await
}

/// Unary GET: the message and its encoding are in the query string.
pub(crate) async fn unary_get<B>(
    inner: &Inner,
    method: Option<&Method>,
    request: Request<B>,
) -> Response<RpcBody> {
    let (parts, _body) = request.into_parts();
    let query = match GetQuery::parse(parts.uri.query().unwrap_or("")) {
        Ok(query) => query,
        Err(status) => {
            return error_response(&status, Codec::Json, HeaderMap::new(), HeaderMap::new())
        }
    };
    let codec = query.codec;
    let Some(method) = method else {
        return unimplemented(parts.uri.path(), codec);
    };
    if !method.schema().idempotent {
        let mut response = Response::new(RpcBody::full(
            "typerpc: this method is not idempotent; use POST\n",
        ));
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let compression = query.compression.as_deref().map(HeaderValue::from_str);
    let compression = match compression {
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            return error_response(
                &Status::invalid_argument("invalid compression parameter"),
                codec,
                HeaderMap::new(),
                HeaderMap::new(),
            )
        }
        None => None,
    };
    let call = match read_headers(
        &parts.headers,
        codec,
        compression.as_ref(),
        parts.headers.get(header::ACCEPT_ENCODING),
    ) {
        Ok(call) => call,
        Err(status) => return error_response(&status, codec, HeaderMap::new(), HeaderMap::new()),
    };
    let limit = inner.limits.max_message_size;
    let body = match call.request_compression.decompress(&query.message, limit) {
        Ok(body) => body,
        Err(status) => return error_response(&status, codec, HeaderMap::new(), HeaderMap::new()),
    };
    respond(inner, method, call, parts, body).await
}

fn read_headers(
    headers: &HeaderMap,
    codec: Codec,
    content_encoding: Option<&HeaderValue>,
    accept_encoding: Option<&HeaderValue>,
) -> Result<Call, Status> {
    if let Some(version) = headers.get("connect-protocol-version") {
        if version != "1" {
            return Err(Status::invalid_argument(format!(
                "connect-protocol-version must be \"1\", got {version:?}"
            )));
        }
    }
    let deadline = match headers.get("connect-timeout-ms") {
        Some(value) => Some(Instant::now() + timeout::parse_connect_timeout(value)?),
        None => None,
    };
    let request_compression = match content_encoding {
        Some(value) => Compression::from_header(value)?,
        None => Compression::Identity,
    };
    let response_compression =
        accept_encoding.map_or(Compression::Identity, Compression::negotiate);
    Ok(Call {
        codec,
        request_compression,
        response_compression,
        deadline,
    })
}

async fn respond(
    inner: &Inner,
    method: &Method,
    call: Call,
    parts: http::request::Parts,
    body: Bytes,
) -> Response<RpcBody> {
    let ctx = Context::for_call(
        parts.headers,
        call.deadline,
        (&parts.method, &parts.uri),
        &parts.extensions,
    );
    let format = call.codec.format(&inner.json);
    let future = method.call_unary(ctx.clone(), body, &format);
    let result = timeout::within_deadline(call.deadline, future).await;
    let metadata = ctx.take_response_metadata();
    match result {
        Ok(message) => {
            let (body, encoding) = if message.len() >= COMPRESS_MIN_BYTES
                && call.response_compression != Compression::Identity
            {
                (
                    call.response_compression.compress(&message),
                    Some(call.response_compression),
                )
            } else {
                (Bytes::from(message), None)
            };
            let mut response = Response::new(RpcBody::full(body));
            let out = response.headers_mut();
            out.extend(metadata.headers);
            append_trailers(out, metadata.trailers);
            out.insert(header::CONTENT_TYPE, content_type(call.codec));
            if let Some(encoding) = encoding {
                out.insert(
                    header::CONTENT_ENCODING,
                    HeaderValue::from_static(encoding.name()),
                );
            }
            response
        }
        Err(status) => error_response(&status, call.codec, metadata.headers, metadata.trailers),
    }
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

/// An unknown method: `unimplemented`, with 404 rather than the code's
/// usual 501, so Connect clients can tell a wrong path from an
/// unsupported feature.
fn unimplemented(path: &str, codec: Codec) -> Response<RpcBody> {
    let status = Status::unimplemented(format!("no method {path}"));
    let mut response = error_response(&status, codec, HeaderMap::new(), HeaderMap::new());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// The Connect error response: the code's HTTP status and a JSON body.
pub(crate) fn error_response(
    status: &Status,
    _codec: Codec,
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

/// The query of a Connect GET.
struct GetQuery {
    message: Bytes,
    codec: Codec,
    compression: Option<String>,
}

impl GetQuery {
    fn parse(query: &str) -> Result<GetQuery, Status> {
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
