//! The 5-byte envelope that frames messages in gRPC, gRPC-Web and Connect
//! streaming: one flags byte, a big-endian 32-bit length, the payload.
//!
//! The flags byte means different things per protocol, so this file only
//! names the bits and leaves checking them to the protocol
//! ([`Frame::check_flags`]):
//!
//! | bit    | gRPC                | gRPC-Web            | Connect streaming  |
//! |--------|---------------------|---------------------|--------------------|
//! | `0x01` | compressed          | compressed          | compressed         |
//! | `0x02` | —                   | —                   | end-of-stream JSON |
//! | `0x80` | —                   | trailers frame      | —                  |
//!
//! The decoder is incremental: it takes body chunks as they arrive (DATA
//! frame boundaries have nothing to do with envelope boundaries) and
//! yields whole frames, without copying a payload that lies in one chunk.
//! It reads the length prefix before it keeps any of the payload, so a
//! peer that announces 4 GiB is refused after five bytes and never makes
//! it allocate.

use std::collections::VecDeque;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::Status;

/// The payload is compressed with the call's encoding (every protocol).
pub const FLAG_COMPRESSED: u8 = 0x01;
/// Connect streaming: the end-of-stream message (JSON), last in a
/// response.
pub const FLAG_END_STREAM: u8 = 0x02;
/// gRPC-Web: the trailers frame, last in a response.
pub const FLAG_WEB_TRAILERS: u8 = 0x80;

/// The envelope header: flags byte and 32-bit length.
pub const HEADER_LEN: usize = 5;

/// The largest payload the 32-bit length can announce.
pub const MAX_PAYLOAD_LEN: u64 = u32::MAX as u64;

/// The 5-byte header for a payload of `len` bytes; `resource_exhausted`
/// when `len` does not fit the 32-bit length field. For callers that send
/// the header and a payload they already hold as two buffers.
pub fn encode_header(flags: u8, len: usize) -> Result<[u8; HEADER_LEN], Status> {
    let len = u32::try_from(len).map_err(|_| {
        Status::resource_exhausted(format!(
            "a message of {len} bytes does not fit an envelope (at most {MAX_PAYLOAD_LEN} bytes)"
        ))
    })?;
    let [a, b, c, d] = len.to_be_bytes();
    Ok([flags, a, b, c, d])
}

/// Appends one envelope to `out`; `resource_exhausted` (and nothing
/// written) when the payload is longer than the length field can say.
pub fn try_encode_envelope(flags: u8, payload: &[u8], out: &mut BytesMut) -> Result<(), Status> {
    let header = encode_header(flags, payload.len())?;
    out.reserve(HEADER_LEN + payload.len());
    out.put_slice(&header);
    out.put_slice(payload);
    Ok(())
}

/// Appends one envelope to `out`.
///
/// Payloads are bounded by the message size limit, far below the 4 GiB
/// the length field allows; a larger one is a bug in the caller, and
/// rather than write a frame whose length lies, nothing is written (use
/// [`try_encode_envelope`] to be told).
pub fn encode_envelope(flags: u8, payload: &[u8], out: &mut BytesMut) {
    let _ = try_encode_envelope(flags, payload, out);
}

/// One decoded envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    flags: u8,
    payload: Bytes,
}

impl Frame {
    /// A frame (for clients and tests that build one by hand).
    pub fn new(flags: u8, payload: Bytes) -> Frame {
        Frame { flags, payload }
    }

    /// The flags byte.
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Whether the payload is compressed ([`FLAG_COMPRESSED`]).
    pub fn is_compressed(&self) -> bool {
        self.flags & FLAG_COMPRESSED != 0
    }

    /// Whether this is Connect's end-of-stream message
    /// ([`FLAG_END_STREAM`]).
    pub fn is_end_stream(&self) -> bool {
        self.flags & FLAG_END_STREAM != 0
    }

    /// Whether this is gRPC-Web's trailers frame ([`FLAG_WEB_TRAILERS`]).
    pub fn is_web_trailers(&self) -> bool {
        self.flags & FLAG_WEB_TRAILERS != 0
    }

    /// Checks that no flag outside `allowed` is set, e.g.
    /// `FLAG_COMPRESSED` for a gRPC request. Any other bit is a framing
    /// error: `internal`, as gRPC implementations report a payload format
    /// they do not know and as connect-go reports unexpected flags.
    pub fn check_flags(&self, allowed: u8) -> Result<(), Status> {
        let unexpected = self.flags & !allowed;
        if unexpected == 0 {
            Ok(())
        } else {
            Err(Status::internal(format!(
                "protocol error: unexpected envelope flags {:#04x}",
                self.flags
            )))
        }
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
/// Push each chunk with [`push`](Self::push), take frames with
/// [`next_frame`](Self::next_frame) until it says `None`, and call
/// [`finish`](Self::finish) when the body ends, so that a truncated last
/// envelope is an error rather than silence.
///
/// Memory: the decoder holds the chunks it was given (no copy) and
/// allocates only to join a payload that spans chunks, and only once all
/// of its bytes have arrived, so what it allocates is bounded by what the
/// peer actually sent. A length prefix over the limit is refused as soon
/// as its five bytes are in, and from then on the decoder drops what it
/// is given and repeats the error.
#[derive(Debug)]
pub struct EnvelopeDecoder {
    chunks: VecDeque<Bytes>,
    /// The total length of `chunks`.
    buffered: usize,
    limit: usize,
    failed: Option<Status>,
}

impl EnvelopeDecoder {
    /// A decoder refusing payloads larger than `limit` bytes.
    pub fn new(limit: usize) -> EnvelopeDecoder {
        EnvelopeDecoder {
            chunks: VecDeque::new(),
            buffered: 0,
            limit,
            failed: None,
        }
    }

    /// The payload limit in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes received but not yet returned in a frame.
    pub fn buffered_len(&self) -> usize {
        self.buffered
    }

    /// Adds received bytes. After an error they are dropped.
    pub fn push(&mut self, chunk: Bytes) {
        if self.failed.is_some() || chunk.is_empty() {
            return;
        }
        self.buffered = self.buffered.saturating_add(chunk.len());
        self.chunks.push_back(chunk);
        // Check a newly complete header now, so that a caller pushing
        // several chunks before asking for frames cannot make the decoder
        // hold the body of a message it will refuse anyway.
        if let Some((_, len)) = self.peek_header() {
            if len > self.limit {
                self.fail(too_large(len, self.limit));
            }
        }
    }

    /// The next complete envelope, `None` when more bytes are needed.
    /// Errors (`resource_exhausted` for a payload over the limit) are
    /// sticky: every later call returns the same error.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, Status> {
        if let Some(status) = &self.failed {
            return Err(status.clone());
        }
        let Some((flags, len)) = self.peek_header() else {
            return Ok(None);
        };
        if len > self.limit {
            let status = too_large(len, self.limit);
            self.fail(status.clone());
            return Err(status);
        }
        if self.buffered - HEADER_LEN < len {
            return Ok(None);
        }
        self.advance(HEADER_LEN);
        let payload = self.take(len);
        Ok(Some(Frame { flags, payload }))
    }

    /// Called at the end of the body: leftover bytes mean the last
    /// envelope was cut short (or its length prefix lied), which is
    /// `invalid_argument`: the peer sent a broken request. (The gRPC spec
    /// names no code for this; connect-go, which serves all three
    /// protocols, uses this one.) A decoder that failed earlier repeats
    /// that error.
    pub fn finish(&self) -> Result<(), Status> {
        if let Some(status) = &self.failed {
            return Err(status.clone());
        }
        if self.buffered == 0 {
            return Ok(());
        }
        Err(Status::invalid_argument(match self.peek_header() {
            Some((_, len)) => format!(
                "protocol error: the body ended after {} of the {len} bytes an envelope announced",
                self.buffered - HEADER_LEN
            ),
            None => format!(
                "protocol error: the body ended inside an envelope header ({} of {HEADER_LEN} bytes)",
                self.buffered
            ),
        }))
    }

    fn fail(&mut self, status: Status) {
        self.chunks.clear();
        self.buffered = 0;
        self.failed = Some(status);
    }

    /// The flags and length of the envelope at the front, once all five
    /// header bytes are in.
    fn peek_header(&self) -> Option<(u8, usize)> {
        if self.buffered < HEADER_LEN {
            return None;
        }
        let mut header = [0u8; HEADER_LEN];
        let mut filled = 0;
        for chunk in &self.chunks {
            let n = (HEADER_LEN - filled).min(chunk.len());
            header[filled..filled + n].copy_from_slice(&chunk[..n]);
            filled += n;
            if filled == HEADER_LEN {
                break;
            }
        }
        let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
        // A length that does not fit usize (16-bit targets) is over any
        // limit.
        Some((header[0], usize::try_from(len).unwrap_or(usize::MAX)))
    }

    /// Drops `n` buffered bytes from the front; `n <= self.buffered`.
    fn advance(&mut self, mut n: usize) {
        self.buffered -= n;
        while n > 0 {
            let Some(front) = self.chunks.front_mut() else {
                return;
            };
            if front.len() > n {
                front.advance(n);
                return;
            }
            n -= front.len();
            self.chunks.pop_front();
        }
    }

    /// Takes `n` buffered bytes from the front; `n <= self.buffered`. No
    /// copy when they lie in one chunk.
    fn take(&mut self, n: usize) -> Bytes {
        if let Some(front) = self.chunks.front_mut() {
            if front.len() >= n {
                let out = front.split_to(n);
                if front.is_empty() {
                    self.chunks.pop_front();
                }
                self.buffered -= n;
                return out;
            }
        }
        // All `n` bytes are here (the caller checked), so this allocation
        // is no larger than what the peer sent.
        let mut out = BytesMut::with_capacity(n);
        let mut left = n;
        while left > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            let k = left.min(front.len());
            out.put_slice(&front[..k]);
            front.advance(k);
            if front.is_empty() {
                self.chunks.pop_front();
            }
            left -= k;
        }
        self.buffered -= n - left;
        out.freeze()
    }
}

fn too_large(len: usize, limit: usize) -> Status {
    Status::resource_exhausted(format!(
        "a message of {len} bytes is larger than the limit of {limit} bytes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    fn stream(frames: &[(u8, &[u8])]) -> Bytes {
        let mut out = BytesMut::new();
        for (flags, payload) in frames {
            encode_envelope(*flags, payload, &mut out);
        }
        out.freeze()
    }

    fn drain(decoder: &mut EnvelopeDecoder) -> Vec<Frame> {
        let mut frames = Vec::new();
        while let Some(frame) = decoder.next_frame().unwrap() {
            frames.push(frame);
        }
        frames
    }

    #[test]
    fn the_wire_format_is_flags_then_big_endian_length() {
        let mut out = BytesMut::new();
        encode_envelope(FLAG_COMPRESSED, b"abc", &mut out);
        assert_eq!(&out[..], &[1, 0, 0, 0, 3, b'a', b'b', b'c']);
        assert_eq!(encode_header(0x80, 258).unwrap(), [0x80, 0, 0, 1, 2]);
        let mut out = BytesMut::new();
        try_encode_envelope(0, b"", &mut out).unwrap();
        assert_eq!(&out[..], &[0, 0, 0, 0, 0]);
    }

    #[test]
    fn lengths_past_32_bits_are_refused_not_truncated() {
        // Only meaningful where usize is wider than 32 bits.
        if let Ok(len) = usize::try_from(MAX_PAYLOAD_LEN + 1) {
            let err = encode_header(0, len).unwrap_err();
            assert_eq!(err.code(), Code::ResourceExhausted);
            assert!(encode_header(0, len - 1).is_ok());
        }
    }

    #[test]
    fn frames_split_across_chunks() {
        let bytes = stream(&[(0, b"hello"), (FLAG_COMPRESSED, b""), (0x80, b"t:1\r\n")]);
        let mut decoder = EnvelopeDecoder::new(100);
        let mut frames = Vec::new();
        for i in 0..bytes.len() {
            decoder.push(bytes.slice(i..i + 1));
            frames.extend(drain(&mut decoder));
        }
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].payload(), b"hello");
        assert!(!frames[0].is_compressed());
        assert!(frames[1].is_compressed());
        assert!(frames[1].payload().is_empty());
        assert!(frames[2].is_web_trailers());
        assert_eq!(frames[2].payload(), b"t:1\r\n");
        assert_eq!(decoder.buffered_len(), 0);
        decoder.finish().unwrap();
    }

    #[test]
    fn any_split_of_a_stream_gives_the_same_frames() {
        let payloads: Vec<Vec<u8>> = (0..20u8).map(|i| vec![i; usize::from(i) * 7]).collect();
        let frames: Vec<(u8, &[u8])> = payloads
            .iter()
            .enumerate()
            .map(|(i, p)| ((i % 3) as u8, &p[..]))
            .collect();
        let bytes = stream(&frames);
        // A small deterministic generator picks the chunk sizes.
        let mut seed = 0x2545_f491_u32;
        for _ in 0..200 {
            let mut decoder = EnvelopeDecoder::new(1000);
            let mut got = Vec::new();
            let mut at = 0;
            while at < bytes.len() {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let n = (seed as usize % 40).min(bytes.len() - at);
                decoder.push(bytes.slice(at..at + n));
                at += n;
                got.extend(drain(&mut decoder));
            }
            decoder.finish().unwrap();
            assert_eq!(got.len(), frames.len());
            for (frame, (flags, payload)) in got.iter().zip(&frames) {
                assert_eq!(frame.flags(), *flags);
                assert_eq!(frame.payload(), *payload);
            }
        }
    }

    #[test]
    fn a_payload_inside_one_chunk_is_not_copied() {
        let bytes = stream(&[(0, b"first"), (0, b"second")]);
        let mut decoder = EnvelopeDecoder::new(100);
        decoder.push(bytes.clone());
        let frames = drain(&mut decoder);
        assert_eq!(frames[0].payload().as_ptr(), bytes[5..].as_ptr());
        assert_eq!(frames[1].payload().as_ptr(), bytes[15..].as_ptr());
    }

    #[test]
    fn a_lying_length_is_refused_before_buffering() {
        let mut decoder = EnvelopeDecoder::new(1024);
        decoder.push(Bytes::from_static(&[0, 0xff, 0xff, 0xff, 0xff, 1, 2]));
        // Refused at once: nothing of the body is kept.
        assert_eq!(decoder.buffered_len(), 0);
        decoder.push(Bytes::from(vec![0u8; 4096]));
        assert_eq!(decoder.buffered_len(), 0);
        let err = decoder.next_frame().unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted);
        assert!(err.message().contains("4294967295"), "{}", err.message());
        // Sticky.
        assert_eq!(decoder.next_frame().unwrap_err(), err);
        assert_eq!(decoder.finish().unwrap_err(), err);
    }

    #[test]
    fn the_limit_is_inclusive() {
        let mut decoder = EnvelopeDecoder::new(4);
        decoder.push(stream(&[(0, b"four")]));
        assert_eq!(drain(&mut decoder)[0].payload(), b"four");
        decoder.push(stream(&[(0, b"five!")]));
        assert_eq!(
            decoder.next_frame().unwrap_err().code(),
            Code::ResourceExhausted
        );
        // A zero limit still allows empty messages.
        let mut decoder = EnvelopeDecoder::new(0);
        decoder.push(stream(&[(0, b"")]));
        assert_eq!(drain(&mut decoder).len(), 1);
        assert_eq!(decoder.limit(), 0);
    }

    #[test]
    fn a_header_split_over_chunks_is_checked_when_complete() {
        let mut decoder = EnvelopeDecoder::new(10);
        decoder.push(Bytes::from_static(&[0, 0]));
        decoder.push(Bytes::from_static(&[0]));
        assert_eq!(decoder.next_frame().unwrap(), None);
        decoder.push(Bytes::from_static(&[1, 0]));
        assert_eq!(
            decoder.next_frame().unwrap_err().code(),
            Code::ResourceExhausted
        );
    }

    #[test]
    fn truncated_envelopes_are_errors_at_the_end() {
        let mut decoder = EnvelopeDecoder::new(1024);
        decoder.push(Bytes::from_static(&[0, 0, 0, 0, 9, 1, 2]));
        assert_eq!(decoder.next_frame().unwrap(), None);
        let err = decoder.finish().unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().contains("2 of the 9 bytes"),
            "{}",
            err.message()
        );

        let mut decoder = EnvelopeDecoder::new(1024);
        decoder.push(Bytes::from_static(&[0, 0, 0]));
        assert_eq!(decoder.next_frame().unwrap(), None);
        let err = decoder.finish().unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("3 of 5"), "{}", err.message());

        // Empty chunks change nothing; an empty body is fine.
        let mut decoder = EnvelopeDecoder::new(1024);
        decoder.push(Bytes::new());
        assert_eq!(decoder.next_frame().unwrap(), None);
        decoder.finish().unwrap();
    }

    #[test]
    fn flags_are_checked_by_the_protocol() {
        let frame = Frame::new(FLAG_COMPRESSED, Bytes::new());
        frame.check_flags(FLAG_COMPRESSED).unwrap();
        assert!(!frame.is_end_stream());
        let frame = Frame::new(FLAG_END_STREAM | FLAG_COMPRESSED, Bytes::from_static(b"{}"));
        assert!(frame.is_end_stream() && frame.is_compressed());
        frame
            .check_flags(FLAG_COMPRESSED | FLAG_END_STREAM)
            .unwrap();
        let err = frame.check_flags(FLAG_COMPRESSED).unwrap_err();
        assert_eq!(err.code(), Code::Internal);
        assert!(err.message().contains("0x03"), "{}", err.message());
        assert_eq!(
            Frame::new(0x40, Bytes::new())
                .check_flags(0)
                .unwrap_err()
                .code(),
            Code::Internal
        );
        assert_eq!(frame.clone().into_payload(), Bytes::from_static(b"{}"));
    }
}
