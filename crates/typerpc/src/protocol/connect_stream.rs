//! The Connect protocol, streaming: `application/connect+proto` and
//! `application/connect+json`, for client, server and bidirectional
//! methods.
//!
//! Requests and responses are enveloped messages; the response ends with
//! the end-of-stream message (flag `0x02`, JSON) that carries the error, if
//! any, and the trailers. The HTTP status is 200 once the call is routed:
//! errors, even before the first message, travel in the end-of-stream
//! message. Compression is per message (`Connect-Content-Encoding`,
//! negotiated with `Connect-Accept-Encoding`).
//!
//! Over HTTP/2 both sides stream at once; over HTTP/1.1 the client sends
//! its whole request first (half duplex), which needs nothing special here.

use std::time::Instant;

use http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};

use super::compression::Compression;
use super::dispatch::Codec;
use super::request_reader::{self, Framing};
use super::response_writer::{Ending, ResponseFrames, Writing};
use super::{connect, timeout};
use crate::server::body::RpcBody;
use crate::server::router::Inner;
use crate::service::{Context, Method};
use crate::Status;

fn content_type(codec: Codec) -> HeaderValue {
    match codec {
        Codec::Proto => HeaderValue::from_static("application/connect+proto"),
        Codec::Json => HeaderValue::from_static("application/connect+json"),
    }
}

/// What the request headers say about the call.
struct Call {
    deadline: Option<Instant>,
    request_compression: Compression,
    response_compression: Compression,
}

fn read_headers(headers: &HeaderMap) -> Result<Call, Status> {
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
    let request_compression = match headers.get("connect-content-encoding") {
        Some(value) => Compression::from_header(value)?,
        None => Compression::Identity,
    };
    let response_compression =
        Compression::for_response(headers.get("connect-accept-encoding"), request_compression);
    Ok(Call {
        deadline,
        request_compression,
        response_compression,
    })
}

/// Serves a streaming call.
pub(crate) async fn serve<B>(
    inner: &Inner,
    method: Option<&Method>,
    request: Request<B>,
    codec: Codec,
) -> Response<RpcBody>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (parts, body) = request.into_parts();
    let Some(method) = method else {
        // No method: a plain 404, which every Connect client reads as
        // `unimplemented`, as for unary calls.
        let status = Status::unimplemented(format!("no method {}", parts.uri.path()));
        let mut response =
            connect::error_response(&status, codec, HeaderMap::new(), HeaderMap::new());
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    };
    let mut writing = Writing {
        compression: Compression::Identity,
        text: false,
        ending: Ending::ConnectEndStream,
    };
    let call = match read_headers(&parts.headers) {
        Ok(call) => call,
        Err(status) => {
            let ctx = Context::for_call(
                HeaderMap::new(),
                None,
                (&parts.method, &parts.uri),
                &parts.extensions,
            );
            let frames = ResponseFrames::failed(writing, ctx, status);
            return respond(codec, writing, HeaderMap::new(), frames);
        }
    };
    writing.compression = call.response_compression;

    let requests = request_reader::messages(
        body,
        Framing {
            limit: inner.limits.max_message_size,
            compression: call.request_compression,
            text: false,
        },
    );
    let ctx = Context::for_call(
        parts.headers,
        call.deadline,
        (&parts.method, &parts.uri),
        &parts.extensions,
    );
    let format = codec.format(&inner.json);
    let future = method.call_streaming(ctx.clone(), requests, &format);
    let result = timeout::within_deadline(call.deadline, future).await;
    let headers = ctx.take_response_headers();
    let frames = match result {
        Ok(responses) => ResponseFrames::new(responses, writing, ctx, call.deadline),
        Err(status) => ResponseFrames::failed(writing, ctx, status),
    };
    respond(codec, writing, headers, frames)
}

/// The response head (the handler's headers, then the protocol's, which
/// win) and the frames.
fn respond(
    codec: Codec,
    writing: Writing,
    handler_headers: HeaderMap,
    frames: ResponseFrames,
) -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::streaming(frames));
    let headers = response.headers_mut();
    headers.extend(handler_headers);
    headers.insert(header::CONTENT_TYPE, content_type(codec));
    headers.insert("connect-accept-encoding", Compression::accept_header());
    if writing.compression != Compression::Identity {
        headers.insert(
            "connect-content-encoding",
            HeaderValue::from_static(writing.compression.name()),
        );
    }
    response
}
