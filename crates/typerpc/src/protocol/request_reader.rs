//! Reads an enveloped body as a stream of messages: the body's chunks go
//! through the envelope decoder (after base64 for gRPC-Web text), each
//! payload is decompressed when flagged, and the size limit applies to
//! every message, before and after decompression.
//!
//! The server reads request bodies with [`messages`]; the client reads
//! response bodies with [`parts`], which also surfaces what ends a
//! response: gRPC-Web's trailers frame (`0x80`), Connect's end-of-stream
//! message (`0x02`) and HTTP trailers (gRPC).
//!
//! The stream pulls the body only when the reader asks for the next
//! message, so a reader that is slow makes HTTP/2 flow control slow the
//! sender down, instead of this side buffering what it sent.

use std::pin::Pin;

use bytes::Bytes;
use futures_util::stream::StreamExt;
use http_body::Body;

use super::body_timer::BodyTimer;
use super::compression::Compression;
use super::envelope::{EnvelopeDecoder, Frame, FLAG_COMPRESSED};
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
    /// After an error (a message over the limit, a broken envelope), read
    /// the rest of the body before reporting it: over HTTP/1.1 a client
    /// still writing its requests then gets the answer, not a broken pipe.
    pub drain_on_error: bool,
    /// How long a message may take to arrive whole once its first byte
    /// is in (`None`: forever). Between messages a stream may wait.
    pub body_timeout: Option<std::time::Duration>,
}

/// One piece of an enveloped body.
#[derive(Debug)]
pub(crate) enum Part {
    /// A message, out of its envelope and decompressed.
    Message(Bytes),
    /// An envelope with a flag other than "compressed" that the caller
    /// allowed (gRPC-Web trailers, Connect end-of-stream), as received.
    Control(Frame),
    /// The body's HTTP trailers.
    Trailers(http::HeaderMap),
}

struct Reader<B> {
    body: Pin<Box<B>>,
    envelopes: EnvelopeDecoder,
    text: Option<TextDecoder>,
    framing: Framing,
    /// Flags besides `FLAG_COMPRESSED` that are surfaced as
    /// [`Part::Control`] rather than refused.
    control_flags: u8,
    body_ended: bool,
    failed: bool,
    timer: BodyTimer,
}

/// The messages of a request body, in order. Errors end the stream: a
/// broken envelope or body is `invalid_argument`, a message over the
/// limit `resource_exhausted`, a body the client stopped sending
/// `canceled`. Request trailers carry nothing any protocol uses.
pub(crate) fn messages<B>(body: B, framing: Framing) -> EncodedStream
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    parts(body, framing, 0)
        .filter_map(|part| {
            std::future::ready(match part {
                Ok(Part::Message(message)) => Some(Ok(message)),
                Ok(_) => None,
                Err(status) => Some(Err(status)),
            })
        })
        .boxed()
}

/// The pieces of an enveloped body, in order: messages, the envelopes
/// flagged with one of `control_flags` (any other flag is a framing
/// error), and the HTTP trailers. Errors end the stream, as for
/// [`messages`].
pub(crate) fn parts<B>(
    body: B,
    framing: Framing,
    control_flags: u8,
) -> futures_util::stream::BoxStream<'static, Result<Part, Status>>
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
        control_flags,
        body_ended: false,
        failed: false,
        timer: BodyTimer::new(framing.body_timeout),
    };
    futures_util::stream::unfold(reader, |mut reader| async move {
        if reader.failed {
            return None;
        }
        match reader.next_part().await {
            Ok(Some(part)) => Some((Ok(part), reader)),
            Ok(None) => None,
            Err(status) => {
                reader.failed = true;
                // A stalled body is not drained: it would stall that too.
                let stalled = status.code() == crate::Code::DeadlineExceeded;
                if reader.framing.drain_on_error && !reader.body_ended && !stalled {
                    super::body::drain(reader.body.as_mut()).await;
                }
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
    async fn next_part(&mut self) -> Result<Option<Part>, Status> {
        loop {
            if let Some(frame) = self.envelopes.next_frame()? {
                self.timer.reset();
                frame.check_flags(FLAG_COMPRESSED | self.control_flags)?;
                if frame.flags() & self.control_flags != 0 {
                    return Ok(Some(Part::Control(frame)));
                }
                let compressed = frame.is_compressed();
                return self
                    .framing
                    .compression
                    .decompress_message(compressed, frame.into_payload(), self.framing.limit)
                    .map(|message| Some(Part::Message(message)));
            }
            if self.body_ended {
                if let Some(text) = &self.text {
                    text.finish()?;
                }
                self.envelopes.finish()?;
                return Ok(None);
            }
            // Bounded only inside a message: streams may pause between them.
            let partial = self.envelopes.buffered_len() > 0
                || self.text.as_ref().is_some_and(TextDecoder::has_pending);
            match self.timer.frame(self.body.as_mut(), partial).await? {
                Some(Ok(frame)) => {
                    let mut data = match frame.into_data() {
                        Ok(data) => data,
                        Err(frame) => {
                            if let Ok(trailers) = frame.into_trailers() {
                                return Ok(Some(Part::Trailers(trailers)));
                            }
                            continue;
                        }
                    };
                    {
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
                        "reading the body failed: {}",
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
            drain_on_error: false,
            body_timeout: None,
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
