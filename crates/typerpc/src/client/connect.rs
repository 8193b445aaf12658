//! Connect on the client: unary calls as plain HTTP (POST, or GET for
//! idempotent methods when asked), errors from the JSON body, trailers
//! from `trailer-` headers; and the headers and response head of
//! streaming calls.

use base64::Engine;
use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::BodyExt;

use super::call::Call;
use super::response::Response;
use super::transport::{Body, BoxError};
use super::{Client, Codec};
use crate::protocol::compression::Compression;
use crate::protocol::wire::CONNECT_PROTOCOL_VERSION as PROTOCOL_VERSION;
use crate::protocol::{connect_error, timeout};
use crate::Status;

/// The largest message sent with GET: its base64 fits an 8 KiB URL,
/// the smallest limit common servers and proxies have.
const MAX_GET_MESSAGE_BYTES: usize = 4 * 1024;

fn timeout_header(call: &Call, headers: &mut HeaderMap) {
    if let Some(deadline) = call.deadline {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if let Ok(value) = HeaderValue::from_str(&timeout::format_connect_timeout(left)) {
            headers.insert("connect-timeout-ms", value);
        }
    }
}

/// A unary call; resolves to the undecoded response message.
pub(super) async fn unary(
    client: &Client,
    call: &Call,
    message: Bytes,
) -> Result<Response<Bytes>, Status> {
    let compress =
        call.compression != Compression::Identity && message.len() >= call.compress_min_bytes;
    let message = if compress {
        call.compression.compress(&message)
    } else {
        message
    };
    let encoding = match call.codec {
        Codec::Proto => "proto",
        Codec::Json => "json",
    };
    // Connect GET puts the message in the URL; one too long for the
    // servers and proxies on the way goes as POST, as connect-go does.
    let get = call.get && message.len() <= MAX_GET_MESSAGE_BYTES;
    let mut request = if get {
        // Connect GET: the message in the query, base64url for binary.
        // In the order the Connect spec recommends (it keeps URLs, and so
        // caches, stable): connect, base64, compression, encoding, message.
        let mut query = format!("{}?connect=v1", call.method.path());
        let base64 = call.codec == Codec::Proto || compress;
        if base64 {
            query.push_str("&base64=1");
        }
        if compress {
            query.push_str("&compression=");
            query.push_str(call.compression.name());
        }
        query.push_str("&encoding=");
        query.push_str(encoding);
        query.push_str("&message=");
        if base64 {
            query.push_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&message));
        } else {
            query.extend(percent_encoding::percent_encode(
                &message,
                percent_encoding::NON_ALPHANUMERIC,
            ));
        }
        let mut request = client.request(call, &query, empty_body())?;
        *request.method_mut() = http::Method::GET;
        request
    } else {
        let body = http_body_util::Full::new(message)
            .map_err(|never| -> BoxError { match never {} })
            .boxed_unsync();
        let mut request = client.request(call, call.method.path(), body)?;
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, call.wire.content_type());
        headers.insert(PROTOCOL_VERSION, HeaderValue::from_static("1"));
        if compress {
            headers.insert(
                CONTENT_ENCODING,
                HeaderValue::from_static(call.compression.name()),
            );
        }
        request
    };
    let headers = request.headers_mut();
    timeout_header(call, headers);
    if call.accept_compression {
        headers.insert(ACCEPT_ENCODING, Compression::accept_header());
    }
    let response = client.inner.transport.send(request).await?;
    let (parts, body) = response.into_parts();
    let compression = match parts.headers.get(CONTENT_ENCODING) {
        Some(value) => Compression::from_header(value).map_err(unreadable_compression)?,
        None => Compression::Identity,
    };
    let body = read_limited(body, call.limit).await?;
    let body = compression.decompress_bytes(body, call.limit)?;
    if parts.status != http::StatusCode::OK {
        let (headers, trailers) = split_trailers(parts.headers);
        return Err(
            connect_error::from_json(&body, parts.status.as_u16()).with_metadata(headers, trailers)
        );
    }
    let expected = call.wire.response_media_prefix();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with(expected) {
        // Another codec is the server's mistake (`internal`); something
        // that is no Connect answer at all, a proxy's page say, is
        // `unknown`, as connect-go has it.
        let message = format!("the response has content type {content_type:?}, not {expected}");
        return Err(if content_type.starts_with("application/") {
            Status::internal(message)
        } else {
            Status::unknown(message)
        });
    }
    let (headers, trailers) = split_trailers(parts.headers);
    Ok(Response::new(headers, body, trailers))
}

/// A response compressed in a way this client cannot read: the server
/// broke the negotiation (it may only use what the request accepted), so
/// `internal`, not the `unimplemented` a server answers an unknown
/// request compression with.
fn unreadable_compression(status: Status) -> Status {
    Status::internal(format!(
        "the response is compressed in a way we cannot read: {}",
        status.message()
    ))
}

pub(super) fn empty_body() -> Body {
    http_body_util::Empty::new()
        .map_err(|never| -> BoxError { match never {} })
        .boxed_unsync()
}

/// Connect unary trailers travel as headers prefixed with `trailer-`.
fn split_trailers(all: HeaderMap) -> (HeaderMap, HeaderMap) {
    let mut headers = HeaderMap::new();
    let mut trailers = HeaderMap::new();
    let mut last = None;
    for (name, value) in all {
        if let Some(name) = name {
            last = Some(name);
        }
        let Some(name) = &last else { continue };
        match name.as_str().strip_prefix("trailer-") {
            Some(bare) => {
                if let Ok(bare) = HeaderName::from_bytes(bare.as_bytes()) {
                    trailers.append(bare, value);
                }
            }
            None => {
                headers.append(name.clone(), value);
            }
        }
    }
    (headers, trailers)
}

/// Reads a whole body, refusing one past `limit` bytes (compressed
/// bodies are bounded again when decompressed).
pub(super) async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, Status> {
    let mut out = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| Status::unavailable(format!("reading the response failed: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(Status::resource_exhausted(format!(
                    "the response is larger than the limit of {limit} bytes"
                )));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out.freeze())
}

/// Adds the request headers of a streaming call.
pub(super) fn stream_headers(call: &Call, headers: &mut HeaderMap) {
    headers.insert(CONTENT_TYPE, call.wire.content_type());
    headers.insert(PROTOCOL_VERSION, HeaderValue::from_static("1"));
    timeout_header(call, headers);
    if call.compression != Compression::Identity {
        headers.insert(
            "connect-content-encoding",
            HeaderValue::from_static(call.compression.name()),
        );
    }
    if call.accept_compression {
        headers.insert("connect-accept-encoding", Compression::accept_header());
    }
}

/// Checks the head of a streaming response: anything but 200 is an error
/// in a JSON body, as for unary calls.
pub(super) async fn stream_head(
    response: http::Response<Body>,
    limit: usize,
) -> Result<(http::Response<Body>, Compression), Status> {
    if response.status() != http::StatusCode::OK {
        let status = response.status().as_u16();
        let (parts, body) = response.into_parts();
        let body = read_limited(body, limit).await?;
        return Err(
            connect_error::from_json(&body, status).with_metadata(parts.headers, HeaderMap::new())
        );
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/connect+") {
        return Err(Status::unknown(format!(
            "the response has content type {content_type:?}, not application/connect+..."
        )));
    }
    let compression = match response.headers().get("connect-content-encoding") {
        Some(value) => Compression::from_header(value).map_err(unreadable_compression)?,
        None => Compression::Identity,
    };
    Ok((response, compression))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_headers_become_trailers() {
        let mut all = HeaderMap::new();
        all.append("x-a", HeaderValue::from_static("1"));
        all.append("trailer-x-b", HeaderValue::from_static("2"));
        all.append("trailer-x-b", HeaderValue::from_static("3"));
        let (headers, trailers) = split_trailers(all);
        assert_eq!(headers.len(), 1);
        assert_eq!(trailers.get_all("x-b").iter().count(), 2);
    }
}
