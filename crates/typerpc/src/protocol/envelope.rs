//! The 5-byte envelope that frames messages in gRPC, gRPC-Web and Connect
//! streaming: one flags byte, a big-endian 32-bit length, the payload.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::Status;

/// The payload is compressed with the call's encoding.
pub const FLAG_COMPRESSED: u8 = 0x01;
/// Connect streaming: the end-of-stream message.
pub const FLAG_END_STREAM: u8 = 0x02;
/// gRPC-Web: the trailers frame.
pub const FLAG_WEB_TRAILERS: u8 = 0x80;

const HEADER_LEN: usize = 5;

/// Appends one envelope to `out`.
pub fn encode_envelope(flags: u8, payload: &[u8], out: &mut BytesMut) {
    out.reserve(HEADER_LEN + payload.len());
    out.put_u8(flags);
    // Payloads are bounded by the message size limit, far below 4 GiB.
    out.put_u32(u32::try_from(payload.len()).unwrap_or(u32::MAX));
    out.put_slice(payload);
}

/// One decoded envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    flags: u8,
    payload: Bytes,
}

impl Frame {
    /// The flags byte.
    pub fn flags(&self) -> u8 {
        self.flags
    }
    /// Whether the payload is compressed.
    pub fn is_compressed(&self) -> bool {
        self.flags & FLAG_COMPRESSED != 0
    }
    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    /// The payload, owned.
    pub fn into_payload(self) -> Bytes {
        self.payload
    }
}

/// Splits a byte stream into envelopes as chunks arrive.
///
/// The length prefix is checked against the limit before any payload is
/// buffered, so a peer announcing 4 GiB costs nothing.
#[derive(Debug)]
pub struct EnvelopeDecoder {
    buffer: BytesMut,
    limit: usize,
}

impl EnvelopeDecoder {
    /// A decoder refusing payloads larger than `limit` bytes.
    pub fn new(limit: usize) -> EnvelopeDecoder {
        EnvelopeDecoder {
            buffer: BytesMut::new(),
            limit,
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, chunk: Bytes) {
        if self.buffer.is_empty() {
            // The common case, a whole message in one chunk, copies nothing
            // until `next_frame` splits it.
            self.buffer = BytesMut::from(chunk);
        } else {
            self.buffer.extend_from_slice(&chunk);
        }
    }

    /// The next complete envelope, `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, Status> {
        if self.buffer.len() < HEADER_LEN {
            return Ok(None);
        }
        let flags = self.buffer[0];
        let len = u32::from_be_bytes([
            self.buffer[1],
            self.buffer[2],
            self.buffer[3],
            self.buffer[4],
        ]) as usize;
        if len > self.limit {
            return Err(Status::resource_exhausted(format!(
                "a message of {len} bytes is larger than the limit of {} bytes",
                self.limit
            )));
        }
        if self.buffer.len() < HEADER_LEN + len {
            return Ok(None);
        }
        self.buffer.advance(HEADER_LEN);
        let payload = self.buffer.split_to(len).freeze();
        Ok(Some(Frame { flags, payload }))
    }

    /// Called at the end of the stream: leftover bytes mean a truncated
    /// or lying envelope.
    pub fn finish(&self) -> Result<(), Status> {
        if self.buffer.is_empty() {
            Ok(())
        } else {
            Err(Status::invalid_argument(format!(
                "the stream ended inside an envelope ({} bytes left over)",
                self.buffer.len()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_across_chunks() {
        let mut out = BytesMut::new();
        encode_envelope(0, b"hello", &mut out);
        encode_envelope(FLAG_COMPRESSED, b"", &mut out);
        let bytes = out.freeze();
        let mut decoder = EnvelopeDecoder::new(100);
        for i in 0..bytes.len() {
            decoder.push(bytes.slice(i..i + 1));
        }
        let first = decoder.next_frame().unwrap().unwrap();
        assert_eq!(first.payload(), b"hello");
        assert!(!first.is_compressed());
        assert!(decoder.next_frame().unwrap().unwrap().is_compressed());
        assert_eq!(decoder.next_frame().unwrap(), None);
        decoder.finish().unwrap();
    }

    #[test]
    fn a_lying_length_is_refused_before_buffering() {
        let mut decoder = EnvelopeDecoder::new(1024);
        decoder.push(Bytes::from_static(&[0, 0xff, 0xff, 0xff, 0xff, 1, 2]));
        let err = decoder.next_frame().unwrap_err();
        assert_eq!(err.code(), crate::Code::ResourceExhausted);
    }

    #[test]
    fn truncated_envelopes_are_errors_at_the_end() {
        let mut decoder = EnvelopeDecoder::new(1024);
        decoder.push(Bytes::from_static(&[0, 0, 0, 0, 9, 1, 2]));
        assert_eq!(decoder.next_frame().unwrap(), None);
        assert!(decoder.finish().is_err());
    }
}
