//! gRPC and gRPC-Web, unary. One implementation with a `web` switch, as
//! the two differ only in where trailers go (HTTP/2 trailers, or a final
//! frame in the body) and in gRPC-Web's base64 `-text` variant.

use std::time::Instant;

use base64::Engine;
use bytes::{Bytes, BytesMut};
use http::{header, HeaderMap, HeaderValue, Request, Response, Version};

use super::compression::Compression;
use super::dispatch::Codec;
use super::envelope::{self, EnvelopeDecoder};
use super::{grpc_status, timeout};
use crate::server::body::RpcBody;
use crate::server::router::{read_body, Inner};
use crate::service::{Context, Format, Method};
use crate::Status;

/// Responses smaller than this are not worth compressing.
const COMPRESS_MIN_BYTES: usize = 1024;

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

/// Serves a unary call. `web` is `None` for gRPC, `Some(text)` for gRPC-Web.
pub(crate) async fn unary<B>(
    inner: &Inner,
    method: Option<&Method>,
    request: Request<B>,
    codec: Codec,
    web: Option<bool>,
) -> Response<RpcBody>
where
    B: http_body::Body + Send + 'static,
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
        match decode_text(&body) {
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

    let ctx = Context::for_call(parts.headers, deadline, &parts.extensions);
    let format = match codec {
        Codec::Proto => Format::Proto,
        Codec::Json => Format::Json(inner.json.clone()),
    };
    let future = method.call_unary(ctx.clone(), message, &format);
    let result = match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline.into(), future).await {
            Ok(result) => result,
            Err(_) => Err(Status::deadline_exceeded(
                "the deadline expired before the call completed",
            )),
        },
        None => future.await,
    };
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
            encode_trailer_frame(&trailers, &mut body);
            let body = body.freeze();
            RpcBody::full(if text { encode_text(&body) } else { body })
        }
    };
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

/// gRPC-Web trailers: a frame flagged 0x80 holding HTTP/1-style header lines.
fn encode_trailer_frame(trailers: &HeaderMap, out: &mut BytesMut) {
    let mut block = Vec::with_capacity(64);
    for (name, value) in trailers {
        block.extend_from_slice(name.as_str().as_bytes());
        block.extend_from_slice(b":");
        block.extend_from_slice(value.as_bytes());
        block.extend_from_slice(b"\r\n");
    }
    envelope::encode_envelope(envelope::FLAG_WEB_TRAILERS, &block, out);
}

/// `grpc-web-text` bodies are base64; clients may send several padded
/// chunks back to back, so each chunk is decoded on its own.
fn decode_text(body: &[u8]) -> Result<Bytes, Status> {
    let text: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut rest = &text[..];
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'=')
            .map(|i| {
                let mut j = i;
                while j < rest.len() && rest[j] == b'=' {
                    j += 1;
                }
                j
            })
            .unwrap_or(rest.len());
        base64::engine::general_purpose::STANDARD
            .decode_vec(&rest[..end], &mut out)
            .map_err(|e| {
                Status::invalid_argument(format!("the grpc-web-text body is not base64: {e}"))
            })?;
        rest = &rest[end..];
    }
    Ok(Bytes::from(out))
}

fn encode_text(body: &[u8]) -> Bytes {
    Bytes::from(base64::engine::general_purpose::STANDARD.encode(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_bodies_decode_in_padded_chunks() {
        let a = base64::engine::general_purpose::STANDARD.encode(b"ab");
        let b = base64::engine::general_purpose::STANDARD.encode(b"cde");
        assert_eq!(
            &decode_text(format!("{a}{b}").as_bytes()).unwrap()[..],
            b"abcde"
        );
        assert!(decode_text(b"!!!!").is_err());
    }

    #[test]
    fn web_trailers_are_a_flagged_frame_of_header_lines() {
        let mut trailers = HeaderMap::new();
        trailers.insert("grpc-status", HeaderValue::from_static("0"));
        let mut out = BytesMut::new();
        encode_trailer_frame(&trailers, &mut out);
        assert_eq!(out[0], 0x80);
        assert_eq!(&out[5..], b"grpc-status:0\r\n");
    }
}
