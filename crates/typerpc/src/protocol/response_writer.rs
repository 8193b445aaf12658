//! Writes a stream of encoded responses as body frames: each message
//! compressed when worth it and enveloped, then the protocol's ending —
//! HTTP/2 trailers (gRPC), a trailers frame in the body (gRPC-Web), or the
//! end-of-stream message (Connect) — carrying the status and the trailers
//! the handler set.
//!
//! The body pulls the handler's stream only when hyper asks for data,
//! which it does only when the connection (HTTP/2 flow control, or the
//! socket for HTTP/1.1) can take more: a slow reader slows the producer
//! down instead of making the server buffer. Messages that are ready at
//! once are joined into one chunk, up to [`BATCH_BYTES`], so a fast stream
//! costs one write per batch rather than per message.
//!
//! The deadline covers the whole stream: when it passes, the handler's
//! stream is dropped and the call ends with `deadline_exceeded`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::stream::{Stream, StreamExt};
use http::HeaderMap;
use http_body::Frame;

use super::compression::Compression;
use super::envelope::{self, FLAG_COMPRESSED, FLAG_END_STREAM};
use super::observe::Observer;
use super::{connect_error, grpc_status, web_text};
use crate::service::{Context, EncodedResponses};
use crate::Status;

/// Messages smaller than this are sent uncompressed even when the call
/// negotiated compression: below it, compression costs more than it saves.
pub(crate) const COMPRESS_MIN_BYTES: usize = 1024;

/// Ready messages are joined into one body chunk up to about this size.
const BATCH_BYTES: usize = 32 * 1024;

/// The first chunk of a stream is cut at about this size, and each chunk
/// after it may be twice the one before, up to [`BATCH_BYTES`]. hyper
/// takes a chunk from the body before it knows whether the client's flow
/// control window has room, and holds it until it has: a client that
/// never reads pins that first chunk, so it is kept small: 10,000 chat
/// subscribers that never read held 387 MiB with 32 KiB first chunks and
/// 106 MiB with 4 KiB ones (`docs/benchmarks/load.md`). A client that
/// reads gets full batches from the fourth chunk on.
const FIRST_BATCH_BYTES: usize = 4 * 1024;

/// How the response stream ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// gRPC: status and trailers as HTTP/2 trailers.
    GrpcTrailers,
    /// gRPC-Web: status and trailers in a final body frame (flag 0x80).
    WebTrailers,
    /// Connect streaming: the end-of-stream JSON message (flag 0x02).
    ConnectEndStream,
}

/// How each message is written.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Writing {
    /// The negotiated compression (identity for none).
    pub compression: Compression,
    /// Messages smaller than this go uncompressed
    /// ([`COMPRESS_MIN_BYTES`] unless a client chose otherwise).
    pub compress_min_bytes: usize,
    /// gRPC-Web text: every chunk of the body is base64.
    pub text: bool,
    /// How the stream ends.
    pub ending: Ending,
}

impl Writing {
    /// Appends one message's envelope to `out`.
    pub(crate) fn envelope(&self, message: &[u8], out: &mut BytesMut) -> Result<(), Status> {
        if message.len() >= self.compress_min_bytes && self.compression != Compression::Identity {
            envelope::try_encode_envelope(FLAG_COMPRESSED, &self.compression.compress(message), out)
        } else {
            envelope::try_encode_envelope(0, message, out)
        }
    }

    /// The last frame: the status (`None` for success) and trailers.
    pub(crate) fn ending(&self, error: Option<&Status>, mut trailers: HeaderMap) -> Frame<Bytes> {
        match self.ending {
            Ending::GrpcTrailers => {
                grpc_status::write_status(error.unwrap_or(&Status::ok()), &mut trailers);
                Frame::trailers(trailers)
            }
            Ending::WebTrailers => {
                let mut out = BytesMut::new();
                web_trailer_frame(error.unwrap_or(&Status::ok()), &trailers, &mut out);
                Frame::data(self.chunk(out))
            }
            Ending::ConnectEndStream => {
                let json = connect_error::end_stream_to_json(error, &trailers);
                let mut out = BytesMut::with_capacity(json.len() + envelope::HEADER_LEN);
                envelope::encode_envelope(FLAG_END_STREAM, &json, &mut out);
                Frame::data(out.freeze())
            }
        }
    }

    /// A body chunk as it goes on the wire (base64 for gRPC-Web text).
    fn chunk(&self, data: BytesMut) -> Bytes {
        if self.text {
            web_text::encode(&data)
        } else {
            data.freeze()
        }
    }
}

/// gRPC-Web's ending: a frame flagged 0x80 holding HTTP/1-style header
/// lines, the handler's `trailers` and then the `status`, appended to
/// `out` (a `BytesMut`, or the vector a unary response was encoded in).
pub(crate) fn web_trailer_frame<B>(status: &Status, trailers: &HeaderMap, out: &mut B)
where
    B: BufMut + AsMut<[u8]>,
{
    // Most calls end so: a success with no trailers, written whole.
    if trailers.is_empty()
        && status.code() == crate::Code::Ok
        && status.message().is_empty()
        && status.details().is_empty()
    {
        out.put_slice(WEB_OK_TRAILERS);
        return;
    }
    let start = out.as_mut().len();
    out.put_slice(&[envelope::FLAG_WEB_TRAILERS, 0, 0, 0, 0]);
    grpc_status::write_status_lines(status, trailers, out);
    // Trailers come from the server's own metadata; a block past 4 GiB
    // cannot be built in memory first.
    let out = out.as_mut();
    let len = u32::try_from(out.len() - start - envelope::HEADER_LEN).unwrap_or(u32::MAX);
    out[start + 1..start + envelope::HEADER_LEN].copy_from_slice(&len.to_be_bytes());
}

/// The trailers frame of a success with no trailers.
const WEB_OK_TRAILERS: &[u8] = b"\x80\x00\x00\x00\x0fgrpc-status:0\r\n";

/// The length of the trailer lines of a success with no trailers
/// (`grpc-status:0\r\n`): what a unary gRPC-Web body reserves for them.
pub(crate) const WEB_OK_TRAILERS_LEN: usize = WEB_OK_TRAILERS.len() - envelope::HEADER_LEN;

/// The body frames of a streaming response.
pub(crate) struct ResponseFrames {
    responses: Option<EncodedResponses>,
    writing: Writing,
    ctx: Context,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The ending, once decided, waiting for the batch before it to go out.
    ending: Option<Option<Status>>,
    done: bool,
    /// The interceptors' view of the call, if the method has any.
    observer: Option<Observer>,
    /// Where the next chunk is cut (see [`FIRST_BATCH_BYTES`]).
    batch_bytes: usize,
}

impl ResponseFrames {
    /// Frames for `responses`; the trailers come from `ctx` at the end.
    pub(crate) fn new(
        responses: EncodedResponses,
        writing: Writing,
        ctx: Context,
        deadline: Option<Instant>,
        observer: Option<Observer>,
    ) -> ResponseFrames {
        ResponseFrames {
            responses: Some(responses),
            writing,
            ctx,
            deadline: deadline.map(|d| Box::pin(tokio::time::sleep_until(d.into()))),
            ending: None,
            done: false,
            observer,
            batch_bytes: FIRST_BATCH_BYTES,
        }
    }

    fn finish(&mut self) -> Option<Frame<Bytes>> {
        self.done = true;
        // Drop the handler's stream before the ending goes out, so its
        // resources are released as soon as the call is over.
        self.responses = None;
        let mut error = self.ending.take().flatten();
        if let Some(observer) = &self.observer {
            observer.finish(error.as_ref());
        }
        let mut trailers = self.ctx.take_response_metadata().trailers;
        if let Some(status) = &mut error {
            // A status's own metadata travels after the messages too:
            // its headers can no longer go before them.
            let (headers, status_trailers) = status.take_metadata();
            trailers.extend(headers);
            trailers.extend(status_trailers);
        }
        Some(self.writing.ending(error.as_ref(), trailers))
    }
}

impl Stream for ResponseFrames {
    type Item = Frame<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Frame<Bytes>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if this.ending.is_some() {
            return Poll::Ready(this.finish());
        }
        if let Some(deadline) = &mut this.deadline {
            if deadline.as_mut().poll(cx).is_ready() {
                this.ending = Some(Some(Status::deadline_exceeded(
                    "the deadline expired before the stream completed",
                )));
                return Poll::Ready(this.finish());
            }
        }
        let Some(responses) = &mut this.responses else {
            return Poll::Ready(this.finish());
        };
        let mut batch = BytesMut::new();
        loop {
            match responses.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(message))) => {
                    if let Some(observer) = &this.observer {
                        observer.response(&message);
                    }
                    if let Err(status) = this.writing.envelope(&message, &mut batch) {
                        this.ending = Some(Some(status));
                        break;
                    }
                    if batch.len() >= this.batch_bytes {
                        this.batch_bytes = (this.batch_bytes * 2).min(BATCH_BYTES);
                        break;
                    }
                }
                Poll::Ready(Some(Err(status))) => {
                    this.ending = Some(Some(status));
                    break;
                }
                Poll::Ready(None) => {
                    this.ending = Some(None);
                    break;
                }
                Poll::Pending if batch.is_empty() => return Poll::Pending,
                Poll::Pending => break,
            }
        }
        if batch.is_empty() {
            // Nothing to send before the ending.
            return Poll::Ready(this.finish());
        }
        Poll::Ready(Some(Frame::data(this.writing.chunk(batch))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::envelope::EnvelopeDecoder;

    #[test]
    fn the_web_trailers_of_a_plain_success_are_the_lines_write_status_writes() {
        let mut lines = BytesMut::new();
        grpc_status::write_status_lines(&Status::ok(), &HeaderMap::new(), &mut lines);
        assert_eq!(lines.len(), WEB_OK_TRAILERS_LEN);
        let mut frame = BytesMut::new();
        web_trailer_frame(&Status::ok(), &HeaderMap::new(), &mut frame);
        let mut decoder = EnvelopeDecoder::new(1024);
        decoder.push(frame.freeze());
        let frame = decoder.next_frame().unwrap().unwrap();
        assert!(frame.is_web_trailers());
        assert_eq!(frame.payload(), &lines[..]);
        // A success with a message, or with trailers, is written line by
        // line.
        let mut with_message = Vec::new();
        web_trailer_frame(
            &Status::new(crate::Code::Ok, "fine"),
            &HeaderMap::new(),
            &mut with_message,
        );
        assert!(with_message.ends_with(b"grpc-status:0\r\ngrpc-message:fine\r\n"));
    }

    fn writing(ending: Ending) -> Writing {
        Writing {
            compression: Compression::Identity,
            compress_min_bytes: COMPRESS_MIN_BYTES,
            text: false,
            ending,
        }
    }

    async fn frames(
        items: Vec<Result<Vec<u8>, Status>>,
        ending: Ending,
        deadline: Option<Instant>,
    ) -> Vec<Frame<Bytes>> {
        let ctx = Context::new(HeaderMap::new(), None, None);
        ctx.append_response_trailer("x-t".parse().unwrap(), "v".parse().unwrap());
        let responses = futures_util::stream::iter(items).boxed();
        ResponseFrames::new(responses, writing(ending), ctx, deadline, None)
            .collect()
            .await
    }

    #[tokio::test]
    async fn ready_messages_are_batched_and_the_status_goes_in_trailers() {
        let got = frames(
            vec![Ok(b"a".to_vec()), Ok(b"b".to_vec())],
            Ending::GrpcTrailers,
            None,
        )
        .await;
        assert_eq!(got.len(), 2);
        let data = got[0].data_ref().unwrap();
        let mut decoder = EnvelopeDecoder::new(10);
        decoder.push(data.clone());
        assert_eq!(decoder.next_frame().unwrap().unwrap().payload(), b"a");
        assert_eq!(decoder.next_frame().unwrap().unwrap().payload(), b"b");
        let trailers = got[1].trailers_ref().unwrap();
        assert_eq!(trailers["grpc-status"], "0");
        assert_eq!(trailers["x-t"], "v");
    }

    #[tokio::test]
    async fn an_error_after_messages_ends_the_connect_stream() {
        let got = frames(
            vec![
                Ok(b"a".to_vec()),
                Err(Status::not_found("gone")),
                Ok(b"never".to_vec()),
            ],
            Ending::ConnectEndStream,
            None,
        )
        .await;
        assert_eq!(got.len(), 2);
        let end = got[1].data_ref().unwrap();
        assert_eq!(end[0], FLAG_END_STREAM);
        let parsed = connect_error::end_stream_from_json(&end[5..]).unwrap();
        assert_eq!(parsed.error.unwrap().code(), crate::Code::NotFound);
        assert_eq!(parsed.metadata["x-t"], "v");
    }

    #[tokio::test]
    async fn a_passed_deadline_ends_a_stream_that_never_finishes() {
        let ctx = Context::new(HeaderMap::new(), None, None);
        let responses = futures_util::stream::pending().boxed();
        let deadline = Instant::now() + std::time::Duration::from_millis(20);
        let got: Vec<_> = ResponseFrames::new(
            responses,
            writing(Ending::WebTrailers),
            ctx,
            Some(deadline),
            None,
        )
        .collect()
        .await;
        assert_eq!(got.len(), 1);
        let frame = got[0].data_ref().unwrap();
        assert_eq!(frame[0], envelope::FLAG_WEB_TRAILERS);
        assert!(std::str::from_utf8(&frame[5..])
            .unwrap()
            .contains("grpc-status:4"));
    }
}
