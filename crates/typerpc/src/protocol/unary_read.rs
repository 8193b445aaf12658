//! Reading the one request message of a unary call, for every protocol.
//!
//! A unary request body arrives in chunks that something turns into the
//! message: the Connect body is the message itself ([`Collected`]), a
//! gRPC or gRPC-Web body is one envelope (`grpc::UnaryReading`). What is
//! the same for both, and lives here, is the reading: the frames of the
//! body, the bound on a stalled body, and reading the rest of a refused
//! body over HTTP/1.1 before the answer.
//!
//! [`ReadUnary`] is written as a future of its own rather than as an
//! `async fn`: every unary call awaits it, and a call's future is moved
//! and allocated whole; a small hand-written state keeps the pipeline's
//! future a fraction of the size that nested `async fn`s would make it.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use http_body::Body;

use super::body::Draining;
use super::body_timer::BodyTimer;
use crate::Status;

/// What a unary request body becomes, chunk by chunk.
pub(crate) trait Accumulate {
    /// Takes the body's next chunk; an error refuses the request.
    fn push(&mut self, chunk: Bytes) -> Result<(), Status>;

    /// The request message, once the body has ended.
    fn finish(self) -> Result<Bytes, Status>;
}

pin_project_lite::pin_project! {
    /// The request message of a unary call, read out of its body (see the
    /// module's documentation).
    pub(crate) struct ReadUnary<B, A> {
        #[pin]
        body: B,
        timer: BodyTimer,
        accumulator: Option<A>,
        // Over HTTP/1.1 the rest of a refused body is read first, so that
        // a client still writing it gets the answer, not a broken pipe.
        drain_on_error: bool,
        // A refusal waiting for the rest of the body to be read (boxed:
        // rare, and every unary call's future would carry its size).
        refused: Option<Box<(Status, Draining)>>,
    }
}

impl<B, A> ReadUnary<B, A> {
    /// Reads `body` into `accumulator`; a body that stalls for `timeout`
    /// is `deadline_exceeded` (see [`BodyTimer`]).
    pub(crate) fn new(
        body: B,
        accumulator: A,
        drain_on_error: bool,
        timeout: Option<std::time::Duration>,
    ) -> ReadUnary<B, A> {
        ReadUnary {
            body,
            timer: BodyTimer::new(timeout),
            accumulator: Some(accumulator),
            drain_on_error,
            refused: None,
        }
    }
}

impl<B, A> Future for ReadUnary<B, A>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    A: Accumulate,
{
    type Output = Result<Bytes, Status>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            if let Some(refused) = this.refused.as_mut() {
                let (_, draining) = &mut **refused;
                ready!(draining.poll(cx, this.body.as_mut()));
                let (status, _) = *this.refused.take().expect("a refusal is waiting");
                return Poll::Ready(Err(status));
            }
            let frame = match ready!(this.timer.poll_frame(cx, this.body.as_mut(), true)) {
                Err(status) => return Poll::Ready(Err(status)),
                Ok(None) => {
                    let accumulator = this.accumulator.take().expect("polled after completion");
                    return Poll::Ready(accumulator.finish());
                }
                Ok(Some(Err(error))) => {
                    return Poll::Ready(Err(Status::canceled(format!(
                        "reading the request body failed: {}",
                        error.into()
                    ))))
                }
                Ok(Some(Ok(frame))) => frame,
            };
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            let chunk = data.copy_to_bytes(data.remaining());
            let accumulator = this.accumulator.as_mut().expect("polled after completion");
            if let Err(status) = accumulator.push(chunk) {
                if !*this.drain_on_error {
                    return Poll::Ready(Err(status));
                }
                *this.refused = Some(Box::new((status, Draining::http1())));
            }
        }
    }
}

/// `so_far` bytes of a body plus a chunk of `more`, refused with
/// `resource_exhausted` past `limit`: every accumulator's bound.
pub(crate) fn count_within(so_far: usize, more: usize, limit: usize) -> Result<usize, Status> {
    let total = so_far.saturating_add(more);
    if total > limit {
        return Err(Status::resource_exhausted(format!(
            "the request body is larger than the limit of {limit} bytes"
        )));
    }
    Ok(total)
}

/// A body that is the message itself (Connect unary), up to a size
/// bound: past it the request is refused with `resource_exhausted`.
#[derive(Debug)]
pub(crate) struct Collected {
    limit: usize,
    len: usize,
    /// Most bodies are one chunk: kept as it is, copied only when more come.
    first: Option<Bytes>,
    joined: Option<BytesMut>,
}

impl Collected {
    /// A body of at most `limit` bytes.
    pub(crate) fn new(limit: usize) -> Collected {
        Collected {
            limit,
            len: 0,
            first: None,
            joined: None,
        }
    }
}

impl Accumulate for Collected {
    fn push(&mut self, chunk: Bytes) -> Result<(), Status> {
        self.len = count_within(self.len, chunk.len(), self.limit)?;
        match (&self.first, &mut self.joined) {
            (None, _) => self.first = Some(chunk),
            (Some(first), None) => {
                let mut joined = BytesMut::with_capacity(first.len() + chunk.len());
                joined.extend_from_slice(first);
                joined.extend_from_slice(&chunk);
                self.joined = Some(joined);
            }
            (Some(_), Some(joined)) => joined.extend_from_slice(&chunk),
        }
        Ok(())
    }

    fn finish(self) -> Result<Bytes, Status> {
        Ok(match self.joined {
            Some(joined) => joined.freeze(),
            None => self.first.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use http_body::Frame;
    use http_body_util::StreamBody;
    use std::time::Duration;

    type Chunk = Result<Frame<Bytes>, std::convert::Infallible>;

    fn body(
        chunks: &[&'static [u8]],
    ) -> StreamBody<futures_util::stream::Iter<std::vec::IntoIter<Chunk>>> {
        let chunks: Vec<Chunk> = chunks
            .iter()
            .map(|c| Ok(Frame::data(Bytes::from_static(c))))
            .collect();
        StreamBody::new(futures_util::stream::iter(chunks))
    }

    #[tokio::test]
    async fn one_chunk_is_kept_and_several_are_joined() {
        let one = ReadUnary::new(body(&[b"hello"]), Collected::new(10), false, None);
        assert_eq!(one.await.unwrap(), &b"hello"[..]);
        let three = ReadUnary::new(body(&[b"he", b"ll", b"o"]), Collected::new(10), false, None);
        assert_eq!(three.await.unwrap(), &b"hello"[..]);
        let empty = ReadUnary::new(body(&[]), Collected::new(10), false, None);
        assert_eq!(empty.await.unwrap(), &b""[..]);
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_refused_after_the_rest_is_read_when_asked() {
        let read = ReadUnary::new(body(&[b"hello", b"world"]), Collected::new(7), false, None);
        assert_eq!(read.await.unwrap_err().code(), Code::ResourceExhausted);
        // Draining: the rest is read, and the refusal still comes.
        let mut chunks = body(&[b"hello", b"world", b"and more"]);
        let read = ReadUnary::new(&mut chunks, Collected::new(7), true, None);
        assert_eq!(read.await.unwrap_err().code(), Code::ResourceExhausted);
        assert!(
            http_body::Body::is_end_stream(&chunks) || {
                use http_body_util::BodyExt;
                chunks.frame().await.is_none()
            }
        );
    }

    #[tokio::test]
    async fn a_stalled_body_is_deadline_exceeded_and_a_failed_one_canceled() {
        let stalled = StreamBody::new(
            futures_util::stream::iter([Ok::<_, std::convert::Infallible>(Frame::data(
                Bytes::from_static(b"x"),
            ))])
            .chain(futures_util::stream::pending::<Chunk>()),
        );
        let read = ReadUnary::new(
            stalled,
            Collected::new(10),
            false,
            Some(Duration::from_millis(30)),
        );
        assert_eq!(read.await.unwrap_err().code(), Code::DeadlineExceeded);
        let failed = StreamBody::new(futures_util::stream::iter([Err::<Frame<Bytes>, _>(
            std::io::Error::other("reset"),
        )]));
        let read = ReadUnary::new(failed, Collected::new(10), false, None);
        let status = read.await.unwrap_err();
        assert_eq!(status.code(), Code::Cancelled);
        assert!(status.message().contains("reset"), "{status:?}");
    }

    use futures_util::StreamExt;
}
