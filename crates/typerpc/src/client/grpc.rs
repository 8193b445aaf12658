//! gRPC and gRPC-Web on the client: the request headers, the response
//! head (including trailers-only responses, which carry the status in
//! the headers), and gRPC-Web's trailers frame.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Response};

use super::call::Call;
use super::transport::{Body, BoxError};
use crate::protocol::compression::Compression;
use crate::protocol::grpc_status::{self, GRPC_MESSAGE, GRPC_STATUS, GRPC_STATUS_DETAILS};
use crate::protocol::timeout;
use crate::protocol::wire::Wire;
use crate::{Code, Status};

/// Adds the protocol's request headers.
pub(super) fn headers(call: &Call, headers: &mut HeaderMap) {
    headers.insert(CONTENT_TYPE, call.wire.content_type());
    if call.wire.protocol.is_grpc_web() {
        headers.insert("x-grpc-web", HeaderValue::from_static("1"));
    } else {
        // Required by the gRPC spec: proxies must pass trailers on.
        headers.insert("te", HeaderValue::from_static("trailers"));
    }
    if let Some(deadline) = call.deadline {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        headers.insert("grpc-timeout", timeout::grpc_timeout_header(left));
    }
    if call.compression != Compression::Identity {
        headers.insert(
            "grpc-encoding",
            HeaderValue::from_static(call.compression.name()),
        );
    }
    if call.accept_compression {
        headers.insert("grpc-accept-encoding", Compression::accept_header());
    }
}

/// What the response head says.
pub(super) enum Head {
    /// Messages follow, compressed (when flagged) with this.
    Stream(Response<Body>, Compression),
    /// The call ended successfully without a message: the response
    /// headers, and the block that held the status (the headers again for
    /// a trailers-only answer).
    Ended(HeaderMap, HeaderMap),
}

/// Checks the response head. A failed trailers-only response is its
/// status; other HTTP statuses than 200 map as the gRPC spec says.
///
/// A head with `grpc-status` is a trailers-only answer only if nothing
/// follows it, as the gRPC spec has clients check: on gRPC a body makes it
/// a broken response (`internal`) and trailers after it hold the real
/// status; on gRPC-Web, whose trailers are in the body, a body is read as
/// usual and the status in the head ignored.
pub(super) async fn head(response: Response<Body>, wire: Wire) -> Result<Head, Status> {
    let mut response = response;
    if response.headers().contains_key(GRPC_STATUS) {
        let (parts, mut body) = response.into_parts();
        let mut trailers = None;
        while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
            let frame = frame
                .map_err(|e| Status::unavailable(format!("reading the response failed: {e}")))?;
            match frame.into_data() {
                Ok(data) if data.is_empty() => {}
                Ok(data) if wire.protocol.is_grpc_web() => {
                    // Put the body back together and read it as a stream.
                    let first = futures_util::stream::once(async move {
                        Ok::<_, BoxError>(http_body::Frame::data(data))
                    });
                    let rest = http_body_util::BodyStream::new(body);
                    let body = http_body_util::StreamBody::new(futures_util::StreamExt::chain(
                        first, rest,
                    ));
                    response =
                        Response::from_parts(parts, http_body_util::BodyExt::boxed_unsync(body));
                    return stream_head(response, wire);
                }
                Ok(_) => {
                    return Err(Status::internal(
                        "protocol error: a response with grpc-status in its headers has a body",
                    ))
                }
                Err(frame) => trailers = frame.into_trailers().ok(),
            }
        }
        let (headers, block) = match trailers {
            Some(trailers) if !wire.protocol.is_grpc_web() => {
                (without_status(parts.headers), trailers)
            }
            // Trailers-only: the application's metadata is in this one
            // block, and is the call's trailers.
            _ => (HeaderMap::new(), parts.headers),
        };
        let status = status_of(&block);
        if !status.code().is_ok() {
            return Err(status.with_metadata(headers, without_status(block)));
        }
        let headers = if headers.is_empty() {
            block.clone()
        } else {
            headers
        };
        return Ok(Head::Ended(headers, block));
    }
    stream_head(response, wire)
}

/// Checks the head of a response whose messages follow.
fn stream_head(response: Response<Body>, wire: Wire) -> Result<Head, Status> {
    let headers = response.headers();
    let http_status = response.status().as_u16();
    if http_status != 200 {
        return Err(Status::new(
            Code::from_grpc_http_status(http_status),
            format!("the server answered with HTTP status {http_status}"),
        )
        .with_metadata(response.into_parts().0.headers, HeaderMap::new()));
    }
    let expected = wire.response_media_prefix();
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // The media type, then nothing or a `+codec` suffix or parameters:
    // `application/grpc` must not accept `application/grpc-web`.
    let rest = content_type.strip_prefix(expected);
    if !rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(['+', ';'])) {
        return Err(Status::unknown(format!(
            "the response has content type {content_type:?}, not {expected}"
        )));
    }
    let compression = match headers.get("grpc-encoding") {
        Some(value) => Compression::from_header(value).map_err(|s| {
            Status::internal(format!(
                "the response is compressed in a way we cannot read: {}",
                s.message()
            ))
        })?,
        None => Compression::Identity,
    };
    Ok(Head::Stream(response, compression))
}

/// The status in trailers; trailers without one are `internal` (the
/// server broke the protocol).
pub(super) fn status_of(trailers: &HeaderMap) -> Status {
    grpc_status::read_status(trailers).unwrap_or_else(|| {
        Status::internal("protocol error: the response trailers have no grpc-status")
    })
}

/// The trailers the application sees: the protocol's own removed.
pub(super) fn without_status(mut trailers: HeaderMap) -> HeaderMap {
    for name in [GRPC_STATUS, GRPC_MESSAGE, GRPC_STATUS_DETAILS] {
        trailers.remove(name);
    }
    trailers.remove(CONTENT_TYPE);
    // A trailers-only answer is also the response head: leave out the
    // protocol's headers too.
    trailers.remove("grpc-accept-encoding");
    trailers.remove("grpc-encoding");
    trailers
}

/// gRPC-Web's trailers frame: `name:value` lines ending in CRLF. Lines
/// that are not valid headers are skipped.
pub(super) fn parse_web_trailers(block: &[u8]) -> HeaderMap {
    let mut trailers = HeaderMap::new();
    for line in block.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = HeaderName::from_bytes(line[..colon].trim_ascii());
        let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (name, value) {
            trailers.append(name, value);
        }
    }
    trailers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_trailers_parse_as_headers() {
        let trailers = parse_web_trailers(
            b"grpc-status:5\r\nGRPC-Message: gone\r\nx-a:1\r\nx-a:2\r\nbroken\r\n",
        );
        assert_eq!(status_of(&trailers).code(), Code::NotFound);
        assert_eq!(status_of(&trailers).message(), "gone");
        let rest = without_status(trailers);
        assert_eq!(rest.get_all("x-a").iter().count(), 2);
        assert_eq!(rest.len(), 2);
    }
}
