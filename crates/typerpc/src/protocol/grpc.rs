//! gRPC and gRPC-Web on the server: what differs from Connect once the
//! pipeline has a call. The two share one implementation: they differ
//! only in where trailers go (HTTP/2 trailers, or a final frame in the
//! body) and in gRPC-Web's base64 `-text` variant.

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Response};

use super::body::RpcBody;
use super::compression::Compression;
use super::envelope::{self, EnvelopeDecoder};
use super::response_writer::{self, web_trailer_frame, COMPRESS_MIN_BYTES};
use super::unary_read::{count_within, Accumulate, ReadUnary};
use super::wire::{Wire, GRPC_ACCEPT_ENCODING, GRPC_ENCODING};
use super::{grpc_status, web_text};
use crate::service::Protocol;
use crate::service::Room;
use crate::Status;

/// The most bytes the body of a unary request may have: one envelope of
/// at most `limit` bytes, a third larger in base64 for gRPC-Web text.
fn unary_wire_limit(wire: Wire, limit: usize) -> usize {
    if wire.protocol == Protocol::GrpcWebText {
        (limit + 5) / 3 * 4 + 8
    } else {
        limit + 5
    }
}

/// The one message of a unary request body, read as it arrives: a length
/// prefix over the limit is refused (`resource_exhausted`) as soon as its
/// five bytes are in, rather than after the limit's worth of body, or
/// never when the client leaves the body open. Over HTTP/1.1 (`drain`) the
/// rest of a refused body is read first. A body that stalls for `timeout`
/// is `deadline_exceeded`.
pub(crate) fn read_unary_request<B>(
    body: B,
    wire: Wire,
    limit: usize,
    compression: Compression,
    drain: bool,
    timeout: Option<std::time::Duration>,
) -> ReadUnary<B, UnaryReading> {
    let reading = UnaryReading {
        text: wire.protocol == Protocol::GrpcWebText,
        wire_limit: unary_wire_limit(wire, limit),
        limit,
        compression,
        received: 0,
        lone: None,
        decoding: None,
    };
    ReadUnary::new(body, reading, drain, timeout)
}

/// A unary request body so far.
pub(crate) struct UnaryReading {
    /// gRPC-Web's base64 text.
    text: bool,
    /// The most bytes the body may have (see [`unary_wire_limit`]).
    wire_limit: usize,
    /// The most bytes a message may have.
    limit: usize,
    /// How a message marked compressed is.
    compression: Compression,
    received: usize,
    /// The usual body: a first chunk that is exactly one uncompressed
    /// envelope within the limit, its message a slice of the chunk with no
    /// decoder involved. Kept whole, in case more bytes follow.
    lone: Option<Bytes>,
    /// Any other body, decoded as it comes: boxed, and made only then, so
    /// that every call's future is not the size of the decoder.
    decoding: Option<Box<Decoding>>,
}

/// A body that is not one lone envelope, being decoded.
struct Decoding {
    text: Option<web_text::TextDecoder>,
    envelopes: EnvelopeDecoder,
    /// The request's envelope, once complete.
    message: Option<envelope::Frame>,
}

impl Accumulate for UnaryReading {
    fn push(&mut self, chunk: Bytes) -> Result<(), Status> {
        self.received = count_within(self.received, chunk.len(), self.wire_limit)?;
        if !self.text && self.received == chunk.len() && lone_envelope(&chunk, self.limit).is_some()
        {
            self.lone = Some(chunk);
            return Ok(());
        }
        let (text, limit) = (self.text, self.limit);
        let decoding = self.decoding.get_or_insert_with(|| {
            Box::new(Decoding {
                text: text.then(web_text::TextDecoder::default),
                envelopes: EnvelopeDecoder::new(limit),
                message: None,
            })
        });
        // More bytes after a lone envelope: back to the decoder.
        if let Some(lone) = self.lone.take() {
            decoding.envelopes.push(lone);
        }
        let chunk = match &mut decoding.text {
            Some(text) => text.push(&chunk)?,
            None => chunk,
        };
        decoding.envelopes.push(chunk);
        while let Some(frame) = decoding.envelopes.next_frame()? {
            if decoding.message.is_some() {
                return Err(more_than_one());
            }
            decoding.message = Some(frame);
        }
        Ok(())
    }

    fn finish(self) -> Result<Bytes, Status> {
        let (limit, compression) = (self.limit, self.compression);
        if let Some(lone) = &self.lone {
            if let Some(message) = lone_envelope(lone, limit) {
                return Ok(message);
            }
        }
        let mut message = None;
        if let Some(decoding) = self.decoding {
            let Decoding {
                text,
                envelopes,
                message: frame,
            } = *decoding;
            if let Some(text) = &text {
                text.finish()?;
            }
            // Bytes that do not complete an envelope are a broken request.
            envelopes.finish()?;
            message = frame;
        }
        let Some(frame) = message else {
            return Err(Status::unimplemented(
                "the request has no message; a unary call sends exactly one",
            ));
        };
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
}

fn more_than_one() -> Status {
    Status::unimplemented("the request has more than one message; a unary call sends exactly one")
}

/// The message of a body that is exactly one uncompressed envelope of at
/// most `limit` bytes.
fn lone_envelope(body: &Bytes, limit: usize) -> Option<Bytes> {
    let header: [u8; envelope::HEADER_LEN] = body.get(..envelope::HEADER_LEN)?.try_into().ok()?;
    let declared = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    let whole =
        header[0] == 0 && declared <= limit && body.len() - envelope::HEADER_LEN == declared;
    whole.then(|| body.slice(envelope::HEADER_LEN..))
}

/// An answer with no response message: the status and every piece of
/// metadata go in the headers ("trailers-only"), which gRPC and gRPC-Web
/// clients both read. grpc-go and connect-go answer so for calls that end
/// before their first message.
#[cold]
#[inline(never)]
pub(crate) fn trailers_only(wire: Wire, status: &Status, metadata: HeaderMap) -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::empty());
    let headers = response.headers_mut();
    headers.extend(metadata);
    headers.insert(header::CONTENT_TYPE, wire.content_type());
    headers.insert(GRPC_ACCEPT_ENCODING, Compression::accept_header());
    grpc_status::write_status(status, headers);
    response
}

/// The room a unary response leaves around its message for
/// [`unary_response`] to frame it in place: the envelope's header, and
/// for gRPC-Web the trailers frame of a success.
pub(crate) fn response_room(wire: Wire) -> Room {
    let tail = match wire.protocol {
        Protocol::Grpc => 0,
        _ => envelope::HEADER_LEN + response_writer::WEB_OK_TRAILERS_LEN,
    };
    Room {
        head: envelope::HEADER_LEN,
        tail,
    }
}

/// A successful unary response: one envelope, then the status in trailers
/// (HTTP/2 trailers for gRPC, a trailers frame for gRPC-Web). `message`
/// comes with the [`response_room`] of `wire` around it; uncompressed, it
/// becomes the body where it is.
pub(crate) fn unary_response(
    wire: Wire,
    message: Vec<u8>,
    compression: Compression,
    headers: HeaderMap,
    mut trailers: HeaderMap,
) -> Response<RpcBody> {
    let room = response_room(wire);
    let payload = &message[room.head..];
    let compress = payload.len() >= COMPRESS_MIN_BYTES && compression != Compression::Identity;
    let mut body = if compress {
        let compressed = compression.compress(payload);
        let mut body = Vec::with_capacity(room.head + compressed.len() + room.tail);
        body.extend_from_slice(&[envelope::FLAG_COMPRESSED, 0, 0, 0, 0]);
        body.extend_from_slice(&compressed);
        body
    } else {
        message
    };
    let flags = body[0];
    match envelope::encode_header(flags, body.len() - room.head) {
        Ok(header) => body[..room.head].copy_from_slice(&header),
        Err(status) => return trailers_only(wire, &status, headers),
    }

    let mut response = Response::new(RpcBody::empty());
    let out = response.headers_mut();
    if !headers.is_empty() {
        out.extend(headers);
    }
    out.insert(header::CONTENT_TYPE, wire.content_type());
    out.insert(GRPC_ACCEPT_ENCODING, Compression::accept_header());
    if compress {
        out.insert(GRPC_ENCODING, HeaderValue::from_static(compression.name()));
    }
    *response.body_mut() = match wire.protocol {
        // A vector at its full capacity becomes `Bytes` without another
        // allocation, which the room's tail is for.
        Protocol::Grpc => {
            grpc_status::write_status(&Status::ok(), &mut trailers);
            RpcBody::with_trailers(Bytes::from(body), trailers)
        }
        protocol => {
            web_trailer_frame(&Status::ok(), &trailers, &mut body);
            let body = Bytes::from(body);
            RpcBody::full(if protocol == Protocol::GrpcWebText {
                web_text::encode(&body)
            } else {
                body
            })
        }
    };
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use bytes::BytesMut;

    fn envelope(flags: u8, message: &[u8]) -> Bytes {
        let mut out = BytesMut::new();
        envelope::encode_envelope(flags, message, &mut out);
        out.freeze()
    }

    /// The unary request read from a body arriving in `chunks`.
    async fn read(chunks: Vec<Bytes>, limit: usize) -> Result<Bytes, Status> {
        let frames = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::convert::Infallible>(http_body::Frame::data(c))),
        );
        let body = http_body_util::StreamBody::new(frames);
        let wire = Wire::classify(
            &http::Method::POST,
            Some(&http::HeaderValue::from_static("application/grpc")),
        )
        .unwrap();
        read_unary_request(body, wire, limit, Compression::Identity, false, None).await
    }

    #[tokio::test]
    async fn a_lone_envelope_is_read_in_place_and_anything_else_by_the_decoder() {
        let body = envelope(0, b"hello");
        assert_eq!(lone_envelope(&body, 10).unwrap(), &b"hello"[..]);
        assert_eq!(read(vec![body.clone()], 10).await.unwrap(), &b"hello"[..]);
        // Over the limit, compressed, cut short or followed by more: the
        // decoder's answers.
        assert!(lone_envelope(&body, 4).is_none());
        let err = read(vec![body.clone()], 4).await.unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted);
        assert!(lone_envelope(&envelope(FLAG, b"x"), 10).is_none());
        assert!(lone_envelope(&body.slice(..6), 10).is_none());
        let err = read(vec![body.slice(..6)], 10).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        // A lone envelope, then another in a second chunk.
        let err = read(vec![body.clone(), body.clone()], 100)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Unimplemented);
        // A lone envelope, then bytes that complete no envelope.
        let err = read(vec![body.clone(), body.slice(..3)], 100)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        // An envelope split over two chunks.
        let split = vec![body.slice(..3), body.slice(3..)];
        assert_eq!(read(split, 10).await.unwrap(), &b"hello"[..]);
        assert!(lone_envelope(&Bytes::from_static(b"\0\0"), 10).is_none());
    }

    const FLAG: u8 = envelope::FLAG_COMPRESSED;

    /// The frames and HTTP/2 trailers of a unary response to `message`,
    /// encoded with the room its wire leaves.
    async fn answered(
        protocol: Protocol,
        message: &[u8],
        compression: Compression,
        trailers: HeaderMap,
    ) -> (Response<()>, Vec<envelope::Frame>, Option<HeaderMap>) {
        use http_body_util::BodyExt;
        let wire = Wire::for_call(protocol, crate::service::Codec::Proto, false);
        let room = response_room(wire);
        let mut encoded = vec![0; room.head];
        encoded.extend_from_slice(message);
        let response = unary_response(wire, encoded, compression, HeaderMap::new(), trailers);
        let (head, body) = response.into_parts();
        let collected = body.collect().await.unwrap();
        let http_trailers = collected.trailers().cloned();
        let mut decoder = EnvelopeDecoder::new(usize::MAX);
        decoder.push(collected.to_bytes());
        let mut frames = Vec::new();
        while let Some(frame) = decoder.next_frame().unwrap() {
            frames.push(frame);
        }
        decoder.finish().unwrap();
        (Response::from_parts(head, ()), frames, http_trailers)
    }

    #[tokio::test]
    async fn a_unary_response_is_framed_in_the_room_it_was_encoded_with() {
        let short = b"hello".to_vec();
        let long = vec![b'a'; 4 * COMPRESS_MIN_BYTES];
        let mut extra = HeaderMap::new();
        extra.insert("x-extra", HeaderValue::from_static("1"));
        for protocol in [Protocol::Grpc, Protocol::GrpcWeb] {
            for (message, compression) in [
                (&short, Compression::Identity),
                (&short, Compression::Gzip),
                (&long, Compression::Identity),
                (&long, Compression::Gzip),
            ] {
                for trailers in [HeaderMap::new(), extra.clone()] {
                    let case = format!("{protocol:?} {} {compression:?}", message.len());
                    let (head, frames, http_trailers) =
                        answered(protocol, message, compression, trailers.clone()).await;
                    let compressed = frames[0].is_compressed();
                    assert_eq!(
                        compressed,
                        message.len() == long.len() && compression == Compression::Gzip,
                        "{case}"
                    );
                    assert_eq!(
                        head.headers().contains_key(GRPC_ENCODING),
                        compressed,
                        "{case}"
                    );
                    let payload = if compressed {
                        compression
                            .decompress(frames[0].payload(), usize::MAX)
                            .unwrap()
                    } else {
                        Bytes::copy_from_slice(frames[0].payload())
                    };
                    assert_eq!(&payload[..], &message[..], "{case}");
                    let ending = match protocol {
                        Protocol::Grpc => {
                            assert_eq!(frames.len(), 1, "{case}");
                            let http_trailers = http_trailers.unwrap();
                            assert_eq!(http_trailers["grpc-status"], "0", "{case}");
                            assert_eq!(http_trailers.get("x-extra"), trailers.get("x-extra"));
                            continue;
                        }
                        _ => &frames[1],
                    };
                    assert_eq!(frames.len(), 2, "{case}");
                    assert!(ending.is_web_trailers(), "{case}");
                    let lines = std::str::from_utf8(ending.payload()).unwrap();
                    let expected = if trailers.is_empty() {
                        "grpc-status:0\r\n"
                    } else {
                        "x-extra:1\r\ngrpc-status:0\r\n"
                    };
                    assert_eq!(lines, expected, "{case}");
                }
            }
        }
    }
}
