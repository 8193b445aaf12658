//! gRPC and gRPC-Web, every call shape. One implementation with a `web`
//! switch, as the two differ only in where trailers go (HTTP/2 trailers,
//! or a final frame in the body) and in gRPC-Web's base64 `-text` variant.
//!
//! Unary calls take a path of their own (one buffered message in, one
//! out); streaming calls read and write through `request_reader` and
//! `response_writer`.

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::{header, HeaderMap, HeaderValue, Request, Response, Version};

use super::compression::Compression;
use super::dispatch::Codec;
use super::envelope::{self, EnvelopeDecoder};
use super::request_reader::{self, Framing};
use super::response_writer::{web_trailer_frame, Ending, ResponseFrames, Writing};
use super::{grpc_status, timeout, web_text};
use crate::server::body::RpcBody;
use crate::server::router::{read_body, Inner};
use crate::service::{Context, Method};
use crate::Status;

use super::response_writer::COMPRESS_MIN_BYTES;

/// How the response is shaped: plain gRPC, or gRPC-Web (binary or text).
#[derive(Clone, Copy)]
struct Shape {
    codec: Codec,
    /// `None` for gRPC; `Some(text)` for gRPC-Web.
    web: Option<bool>,
}

impl Shape {
    fn content_type(self) -> HeaderValue {
        let value = match (self.web, self.codec) {
            (None, Codec::Proto) => "application/grpc+proto",
            (None, Codec::Json) => "application/grpc+json",
            (Some(false), Codec::Proto) => "application/grpc-web+proto",
            (Some(false), Codec::Json) => "application/grpc-web+json",
            (Some(true), Codec::Proto) => "application/grpc-web-text+proto",
            (Some(true), Codec::Json) => "application/grpc-web-text+json",
        };
        HeaderValue::from_static(value)
    }
}

/// Serves a call. `web` is `None` for gRPC, `Some(text)` for gRPC-Web.
pub(crate) async fn serve<B>(
    inner: &Inner,
    method: Option<&Method>,
    request: Request<B>,
    codec: Codec,
    web: Option<bool>,
) -> Response<RpcBody>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let shape = Shape { codec, web };
    let (parts, body) = request.into_parts();
    if web.is_none() && parts.version != Version::HTTP_2 {
        // gRPC needs HTTP/2 trailers; gRPC-Web exists for HTTP/1.1.
        return trailers_only(
            shape,
            &Status::internal("gRPC requires HTTP/2; use gRPC-Web or Connect over HTTP/1.1"),
            HeaderMap::new(),
        );
    }
    let Some(method) = method else {
        return trailers_only(
            shape,
            &Status::unimplemented(format!("no method {}", parts.uri.path())),
            HeaderMap::new(),
        );
    };
    let deadline = match parts.headers.get("grpc-timeout") {
        Some(value) => match timeout::parse_grpc_timeout(value) {
            Ok(duration) => Some(Instant::now() + duration),
            Err(status) => return trailers_only(shape, &status, HeaderMap::new()),
        },
        None => None,
    };
    let request_compression = match parts.headers.get("grpc-encoding") {
        Some(value) => match Compression::from_header(value) {
            Ok(compression) => compression,
            Err(status) => {
                let mut headers = HeaderMap::new();
                headers.insert("grpc-accept-encoding", Compression::accept_header());
                return trailers_only(shape, &status, headers);
            }
        },
        None => Compression::Identity,
    };
    let response_compression = parts
        .headers
        .get("grpc-accept-encoding")
        .map_or(Compression::Identity, Compression::negotiate);
    let limit = inner.limits.max_message_size;
    if method.is_streaming() {
        let call = StreamingCall {
            shape,
            deadline,
            request: Framing {
                limit,
                compression: request_compression,
                text: web == Some(true),
            },
            response_compression,
        };
        return streaming(inner, method, parts, body, call).await;
    }
    // The body holds one envelope: the limit leaves room for its header,
    // and base64 text is a third larger.
    let wire_limit = if web == Some(true) {
        (limit + 5) / 3 * 4 + 8
    } else {
        limit + 5
    };
    let body = match read_body(body, wire_limit).await {
        Ok(body) => body,
        Err(status) => return trailers_only(shape, &status, HeaderMap::new()),
    };
    let body = if web == Some(true) {
        match web_text::decode(&body) {
            Ok(body) => body,
            Err(status) => return trailers_only(shape, &status, HeaderMap::new()),
        }
    } else {
        body
    };
    let message = match single_message(body, limit, request_compression) {
        Ok(message) => message,
        Err(status) => return trailers_only(shape, &status, HeaderMap::new()),
    };

    let ctx = Context::for_call(
        parts.headers,
        deadline,
        (&parts.method, &parts.uri),
        &parts.extensions,
    );
    let format = codec.format(&inner.json);
    let future = method.call_unary(ctx.clone(), message, &format);
    let result = timeout::within_deadline(deadline, future).await;
    let metadata = ctx.take_response_metadata();
    let response = match result {
        Ok(response) => response,
        Err(status) => {
            let mut headers = metadata.headers;
            headers.extend(metadata.trailers);
            return trailers_only(shape, &status, headers);
        }
    };

    let compress =
        response.len() >= COMPRESS_MIN_BYTES && response_compression != Compression::Identity;
    let mut body = BytesMut::with_capacity(response.len() + 5);
    if compress {
        envelope::encode_envelope(
            envelope::FLAG_COMPRESSED,
            &response_compression.compress(&response),
            &mut body,
        );
    } else {
        envelope::encode_envelope(0, &response, &mut body);
    }
    let mut trailers = metadata.trailers;
    grpc_status::write_status(&Status::ok(), &mut trailers);

    let mut response = Response::new(RpcBody::empty());
    let headers = response.headers_mut();
    headers.extend(metadata.headers);
    headers.insert(header::CONTENT_TYPE, shape.content_type());
    headers.insert("grpc-accept-encoding", Compression::accept_header());
    if compress {
        headers.insert(
            "grpc-encoding",
            HeaderValue::from_static(response_compression.name()),
        );
    }
    *response.body_mut() = match web {
        None => RpcBody::with_trailers(body.freeze(), trailers),
        Some(text) => {
            web_trailer_frame(&trailers, &mut body);
            let body = body.freeze();
            RpcBody::full(if text { web_text::encode(&body) } else { body })
        }
    };
    response
}

/// What a streaming call needs from its request headers.
struct StreamingCall {
    shape: Shape,
    deadline: Option<Instant>,
    request: Framing,
    response_compression: Compression,
}

/// Serves a streaming call (or a unary one's through streams): requests
/// are read as the handler asks for them, responses written as it yields
/// them, the status and trailers sent after the last.
async fn streaming<B>(
    inner: &Inner,
    method: &Method,
    parts: http::request::Parts,
    body: B,
    call: StreamingCall,
) -> Response<RpcBody>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let requests = request_reader::messages(body, call.request);
    let ctx = Context::for_call(
        parts.headers,
        call.deadline,
        (&parts.method, &parts.uri),
        &parts.extensions,
    );
    let format = call.shape.codec.format(&inner.json);
    let future = method.call_streaming(ctx.clone(), requests, &format);
    let result = timeout::within_deadline(call.deadline, future).await;
    let responses = match result {
        Ok(responses) => responses,
        Err(status) => {
            let metadata = ctx.take_response_metadata();
            let mut headers = metadata.headers;
            headers.extend(metadata.trailers);
            return trailers_only(call.shape, &status, headers);
        }
    };
    let writing = Writing {
        compression: call.response_compression,
        text: call.shape.web == Some(true),
        ending: if call.shape.web.is_some() {
            Ending::WebTrailers
        } else {
            Ending::GrpcTrailers
        },
    };
    let mut response = Response::new(RpcBody::empty());
    let headers = response.headers_mut();
    headers.extend(ctx.take_response_headers());
    headers.insert(header::CONTENT_TYPE, call.shape.content_type());
    headers.insert("grpc-accept-encoding", Compression::accept_header());
    if call.response_compression != Compression::Identity {
        headers.insert(
            "grpc-encoding",
            HeaderValue::from_static(call.response_compression.name()),
        );
    }
    *response.body_mut() =
        RpcBody::streaming(ResponseFrames::new(responses, writing, ctx, call.deadline));
    response
}

/// Reads the one message a unary request carries.
fn single_message(body: Bytes, limit: usize, compression: Compression) -> Result<Bytes, Status> {
    let mut decoder = EnvelopeDecoder::new(limit);
    decoder.push(body);
    let Some(frame) = decoder.next_frame()? else {
        // Bytes that do not complete an envelope are a broken request,
        // not a missing one.
        decoder.finish()?;
        return Err(Status::internal(
            "the request has no message; a unary call sends exactly one",
        ));
    };
    if decoder.next_frame()?.is_some() {
        return Err(Status::internal(
            "the request has more than one message; a unary call sends exactly one",
        ));
    }
    decoder.finish()?;
    if frame.is_compressed() {
        if compression == Compression::Identity {
            return Err(Status::internal(
                "a message is marked compressed but the request names no grpc-encoding",
            ));
        }
        compression.decompress(frame.payload(), limit)
    } else {
        Ok(frame.into_payload())
    }
}

/// An error with no response message: the status goes in the headers
/// ("trailers-only"), which gRPC and gRPC-Web clients both read.
fn trailers_only(shape: Shape, status: &Status, metadata: HeaderMap) -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::empty());
    let headers = response.headers_mut();
    headers.extend(metadata);
    headers.insert(header::CONTENT_TYPE, shape.content_type());
    grpc_status::write_status(status, headers);
    response
}
