//! gRPC and gRPC-Web on the server: what differs from Connect once the
//! pipeline has a call. The two share one implementation: they differ
//! only in where trailers go (HTTP/2 trailers, or a final frame in the
//! body) and in gRPC-Web's base64 `-text` variant.

use bytes::{Bytes, BytesMut};
use http::{header, HeaderMap, HeaderValue, Response};

use super::body::RpcBody;
use super::compression::Compression;
use super::envelope::{self, EnvelopeDecoder};
use super::response_writer::{web_trailer_frame, COMPRESS_MIN_BYTES};
use super::wire::{Wire, GRPC_ACCEPT_ENCODING, GRPC_ENCODING};
use super::{grpc_status, web_text};
use crate::service::Protocol;
use crate::Status;

/// The most bytes the body of a unary request may have: one envelope of
/// at most `limit` bytes, a third larger in base64 for gRPC-Web text.
pub(crate) fn unary_wire_limit(wire: Wire, limit: usize) -> usize {
    if wire.protocol == Protocol::GrpcWebText {
        (limit + 5) / 3 * 4 + 8
    } else {
        limit + 5
    }
}

/// The one message of a unary request body, as received.
pub(crate) fn unary_request(
    wire: Wire,
    body: Bytes,
    limit: usize,
    compression: Compression,
) -> Result<Bytes, Status> {
    let body = if wire.protocol == Protocol::GrpcWebText {
        web_text::decode(&body)?
    } else {
        body
    };
    single_message(body, limit, compression)
}

/// Reads the one message a unary request carries.
pub(crate) fn single_message(
    body: Bytes,
    limit: usize,
    compression: Compression,
) -> Result<Bytes, Status> {
    // The usual body: one uncompressed envelope and nothing else, within
    // the limit. Its message is a slice of the body, with no decoder to
    // set up; anything else takes the decoder's path, and its errors.
    if let Some(message) = lone_envelope(&body, limit) {
        return Ok(message);
    }
    let mut decoder = EnvelopeDecoder::new(limit);
    decoder.push(body);
    let Some(frame) = decoder.next_frame()? else {
        // Bytes that do not complete an envelope are a broken request,
        // not a missing one.
        decoder.finish()?;
        return Err(Status::unimplemented(
            "the request has no message; a unary call sends exactly one",
        ));
    };
    if decoder.next_frame()?.is_some() {
        return Err(Status::unimplemented(
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
pub(crate) fn trailers_only(wire: Wire, status: &Status, metadata: HeaderMap) -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::empty());
    let headers = response.headers_mut();
    headers.extend(metadata);
    headers.insert(header::CONTENT_TYPE, wire.content_type());
    headers.insert(GRPC_ACCEPT_ENCODING, Compression::accept_header());
    grpc_status::write_status(status, headers);
    response
}

/// A successful unary response: one envelope, then the status in trailers
/// (HTTP/2 trailers for gRPC, a trailers frame for gRPC-Web).
pub(crate) fn unary_response(
    wire: Wire,
    message: &[u8],
    compression: Compression,
    headers: HeaderMap,
    mut trailers: HeaderMap,
) -> Response<RpcBody> {
    let compress = message.len() >= COMPRESS_MIN_BYTES && compression != Compression::Identity;
    let mut body = BytesMut::with_capacity(message.len() + 5);
    if compress {
        envelope::encode_envelope(
            envelope::FLAG_COMPRESSED,
            &compression.compress(message),
            &mut body,
        );
    } else {
        envelope::encode_envelope(0, message, &mut body);
    }
    grpc_status::write_status(&Status::ok(), &mut trailers);

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
        Protocol::Grpc => RpcBody::with_trailers(body.freeze(), trailers),
        protocol => {
            web_trailer_frame(&trailers, &mut body);
            let body = body.freeze();
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

    fn envelope(flags: u8, message: &[u8]) -> Bytes {
        let mut out = BytesMut::new();
        envelope::encode_envelope(flags, message, &mut out);
        out.freeze()
    }

    #[test]
    fn a_lone_envelope_is_read_in_place_and_anything_else_by_the_decoder() {
        let body = envelope(0, b"hello");
        assert_eq!(lone_envelope(&body, 10).unwrap(), &b"hello"[..]);
        assert_eq!(
            single_message(body.clone(), 10, Compression::Identity).unwrap(),
            &b"hello"[..]
        );
        // Over the limit, compressed, cut short or followed by more: the
        // decoder's answers.
        assert!(lone_envelope(&body, 4).is_none());
        let err = single_message(body.clone(), 4, Compression::Identity).unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted);
        assert!(lone_envelope(&envelope(FLAG, b"x"), 10).is_none());
        assert!(lone_envelope(&body.slice(..6), 10).is_none());
        let err = single_message(body.slice(..6), 10, Compression::Identity).unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        let two = [body.clone(), body].concat();
        let err = single_message(Bytes::from(two), 10, Compression::Identity).unwrap_err();
        assert_eq!(err.code(), Code::Unimplemented);
        assert!(lone_envelope(&Bytes::from_static(b"\0\0"), 10).is_none());
    }

    const FLAG: u8 = envelope::FLAG_COMPRESSED;
}
