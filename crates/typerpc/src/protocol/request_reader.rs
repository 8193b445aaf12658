//! Reads a request body as a stream of messages: the body's chunks go
//! through the envelope decoder (after base64 for gRPC-Web text), each
//! payload is decompressed when flagged, and the size limit applies to
//! every message, before and after decompression.
//!
//! The stream pulls the body only when the handler asks for the next
//! message, so a handler that reads slowly makes HTTP/2 flow control
//! slow the client down, instead of the server buffering what it sent.

use std::pin::Pin;

use bytes::Bytes;
use futures_util::stream::StreamExt;
use http_body::Body;
use http_body_util::BodyExt;

use super::compression::Compression;
use super::envelope::{EnvelopeDecoder, FLAG_COMPRESSED};
use super::web_text::TextDecoder;
use crate::service::EncodedStream;
use crate::Status;

/// How a request body carries its messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Framing {
    /// The largest message, before and after decompression.
    pub limit: usize,
    /// The call's compression, for messages flagged compressed.
    pub compression: Compression,
    /// The body is base64 (`application/grpc-web-text`).
    pub text: bool,
}

struct Reader<B> {
    body: Pin<Box<B>>,
    envelopes: EnvelopeDecoder,
    text: Option<TextDecoder>,
    framing: Framing,
    body_ended: bool,
    failed: bool,
}

/// The messages of `body`, in order. Errors end the stream: a broken
/// envelope or body is `invalid_argument`, a message over the limit
/// `resource_exhausted`, a body the client stopped sending `canceled`.
pub(crate) fn messages<B>(body: B, framing: Framing) -> EncodedStream
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let reader = Reader {
        body: Box::pin(body),
        envelopes: EnvelopeDecoder::new(framing.limit),
        text: framing.text.then(TextDecoder::default),
        framing,
        body_ended: false,
        failed: false,
    };
    futures_util::stream::unfold(reader, |mut reader| async move {
        if reader.failed {
            return None;
        }
        match reader.next_message().await {
            Ok(Some(message)) => Some((Ok(message), reader)),
            Ok(None) => None,
            Err(status) => {
                reader.failed = true;
                Some((Err(status), reader))
            }
        }
    })
    .boxed()
}

impl<B> Reader<B>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    async fn next_message(&mut self) -> Result<Option<Bytes>, Status> {
        loop {
            if let Some(frame) = self.envelopes.next_frame()? {
                frame.check_flags(FLAG_COMPRESSED)?;
                let compressed = frame.is_compressed();
                return self
                    .framing
                    .compression
                    .decompress_message(compressed, frame.into_payload(), self.framing.limit)
                    .map(Some);
            }
            if self.body_ended {
                if let Some(text) = &self.text {
                    text.finish()?;
                }
                self.envelopes.finish()?;
                return Ok(None);
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    // Request trailers carry nothing any protocol uses.
                    if let Ok(mut data) = frame.into_data() {
                        let len = bytes::Buf::remaining(&data);
                        let chunk = bytes::Buf::copy_to_bytes(&mut data, len);
                        let chunk = match &mut self.text {
                            Some(text) => text.push(&chunk)?,
                            None => chunk,
                        };
                        self.envelopes.push(chunk);
                    }
                }
                Some(Err(error)) => {
                    return Err(Status::canceled(format!(
                        "reading the request failed: {}",
                        error.into()
                    )))
                }
                None => self.body_ended = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::envelope::encode_envelope;
    use crate::Code;
    use bytes::BytesMut;
    use http_body_util::{Full, StreamBody};

    fn framing() -> Framing {
        Framing {
            limit: 100,
            compression: Compression::Gzip,
            text: false,
        }
    }

    async fn read_all(stream: EncodedStream) -> Vec<Result<Bytes, Status>> {
        stream.collect().await
    }

    #[tokio::test]
    async fn messages_split_across_chunks_come_out_whole() {
        let mut wire = BytesMut::new();
        encode_envelope(0, b"first", &mut wire);
        encode_envelope(
            FLAG_COMPRESSED,
            &Compression::Gzip.compress(b"second"),
            &mut wire,
        );
        let wire = wire.freeze();
        // One byte per chunk: the worst case for the decoder.
        let chunks: Vec<Result<http_body::Frame<Bytes>, std::convert::Infallible>> = wire
            .iter()
            .map(|b| Ok(http_body::Frame::data(Bytes::copy_from_slice(&[*b]))))
            .collect();
        let body = StreamBody::new(futures_util::stream::iter(chunks));
        let got: Vec<Bytes> = read_all(messages(body, framing()))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(got, [&b"first"[..], &b"second"[..]]);
    }

    #[tokio::test]
    async fn a_cut_envelope_and_a_large_one_are_errors_that_end_the_stream() {
        let mut wire = BytesMut::new();
        encode_envelope(0, b"ok", &mut wire);
        wire.extend_from_slice(&[0, 0, 0, 0, 9, 1]);
        let got = read_all(messages(Full::new(wire.freeze()), framing())).await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].as_ref().unwrap_err().code(), Code::InvalidArgument);

        let mut wire = BytesMut::new();
        encode_envelope(0, &[0; 101], &mut wire);
        encode_envelope(0, b"never read", &mut wire);
        let got = read_all(messages(Full::new(wire.freeze()), framing())).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_ref().unwrap_err().code(), Code::ResourceExhausted);
    }

    #[tokio::test]
    async fn text_bodies_and_unknown_flags() {
        let mut wire = BytesMut::new();
        encode_envelope(0, b"hi", &mut wire);
        let text = crate::protocol::web_text::encode(&wire);
        let framing = Framing {
            text: true,
            ..framing()
        };
        let got = read_all(messages(Full::new(text), framing)).await;
        assert_eq!(got[0].as_ref().unwrap(), &Bytes::from_static(b"hi"));

        let mut wire = BytesMut::new();
        encode_envelope(0x80, b"trailers?", &mut wire);
        let got = read_all(messages(Full::new(wire.freeze()), self::framing())).await;
        assert!(got[0].is_err());
    }
}
