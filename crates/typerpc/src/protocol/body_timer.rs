//! The bound on a stalled request body: a client that sends one byte of
//! its request and then nothing must not hold a call, its task and its
//! buffers forever.
//!
//! The timer starts only when the server would otherwise wait: a body
//! whose bytes are already in (most small calls) never creates one, so the
//! bound costs nothing on the fast path.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use http_body::{Body, Frame};

use crate::Status;

/// A body's next frame (`None`: it ended), or the status of a body that
/// stalled.
pub(crate) type NextFrame<B> =
    Result<Option<Result<Frame<<B as Body>::Data>, <B as Body>::Error>>, Status>;

/// One running bound on a request body.
#[derive(Debug)]
pub(crate) struct BodyTimer {
    limit: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl BodyTimer {
    /// A bound of `limit` (`None`: wait forever), not started yet.
    pub(crate) fn new(limit: Option<Duration>) -> BodyTimer {
        BodyTimer { limit, sleep: None }
    }

    /// Stops the timer: the next wait starts a new one (a streaming
    /// call's message arrived whole).
    pub(crate) fn reset(&mut self) {
        self.sleep = None;
    }

    /// The body's next frame; `deadline_exceeded` (logged) once the
    /// timer, started at the first wait since the last reset, has run
    /// out. With `armed` false the wait is unbounded (a stream between
    /// messages).
    pub(crate) async fn frame<B: Body>(
        &mut self,
        mut body: Pin<&mut B>,
        armed: bool,
    ) -> NextFrame<B> {
        std::future::poll_fn(|cx| self.poll_frame(cx, body.as_mut(), armed)).await
    }

    /// [`frame`](Self::frame) as a poll, for readers written as futures
    /// of their own.
    pub(crate) fn poll_frame<B: Body>(
        &mut self,
        cx: &mut std::task::Context<'_>,
        body: Pin<&mut B>,
        armed: bool,
    ) -> Poll<NextFrame<B>> {
        if let Poll::Ready(frame) = body.poll_frame(cx) {
            return Poll::Ready(Ok(frame));
        }
        let limit = match self.limit {
            Some(limit) if armed => limit,
            _ => return Poll::Pending,
        };
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(stalled(limit))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The status of a call whose request body stalled.
fn stalled(limit: Duration) -> Status {
    tracing::info!(
        target: crate::service::telemetry::SERVER_TARGET,
        timeout_ms = limit.as_millis() as u64,
        "a request body stalled past the request body timeout; the call ends"
    );
    Status::deadline_exceeded(format!(
        "the request body stalled: it did not arrive within the server's request body timeout of {limit:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http_body_util::StreamBody;

    type Chunk = Result<Frame<Bytes>, std::convert::Infallible>;

    #[tokio::test]
    async fn a_stalled_body_ends_in_deadline_exceeded_and_a_ready_one_needs_no_timer() {
        let stalled = StreamBody::new(
            futures_util::stream::iter([Ok::<_, std::convert::Infallible>(Frame::data(
                Bytes::from_static(b"x"),
            ))])
            .chain(futures_util::stream::pending::<Chunk>()),
        );
        let mut body = std::pin::pin!(stalled);
        let mut timer = BodyTimer::new(Some(Duration::from_millis(50)));
        assert!(timer.frame(body.as_mut(), true).await.unwrap().is_some());
        assert!(timer.sleep.is_none(), "a ready frame starts no timer");
        let error = timer.frame(body.as_mut(), true).await.unwrap_err();
        assert_eq!(error.code(), crate::Code::DeadlineExceeded);
    }

    #[tokio::test]
    async fn unarmed_waits_are_unbounded() {
        let mut body = std::pin::pin!(StreamBody::new(futures_util::stream::pending::<Chunk>()));
        let mut timer = BodyTimer::new(Some(Duration::from_millis(20)));
        let wait = timer.frame(body.as_mut(), false);
        assert!(tokio::time::timeout(Duration::from_millis(200), wait)
            .await
            .is_err());
    }

    use futures_util::StreamExt;
}
