//! The deadline of the call being served, propagated to the calls its
//! handler makes.
//!
//! The server runs each unary handler, and each streaming handler and
//! every poll of the stream it returns, inside [`propagate_deadline`] with
//! the deadline the caller sent;
//! a [`Client`](crate::Client) call made while it runs reads
//! [`current_deadline`] and takes the earlier of its own timeout and
//! that deadline. A gateway answering in 50 ms so never waits 2 s on a
//! backend.
//!
//! The deadline lives in a tokio task-local: it follows the handler's own
//! future, not tasks it spawns. Carry it into a spawned task yourself:
//!
//! ```
//! # async fn handler(ctx: &typerpc::Context) {
//! use typerpc::service::propagate_deadline;
//!
//! let deadline = ctx.deadline();
//! tokio::spawn(propagate_deadline(deadline, async move {
//!     // Calls made here are bounded by the incoming call's deadline.
//! }));
//! # }
//! ```
//!
//! A task spawned *without* it (a background log write, say) is not
//! bounded by the request that started it, which is usually what such
//! work wants.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::Stream;

tokio::task_local! {
    static CALL_DEADLINE: Option<Instant>;
}

/// The deadline propagated to the code running now: the incoming call's
/// inside a handler, the one given to [`propagate_deadline`] inside its
/// future, `None` elsewhere.
pub fn current_deadline() -> Option<Instant> {
    CALL_DEADLINE.try_with(|deadline| *deadline).ok().flatten()
}

/// Runs `future` with `deadline` propagated to the client calls it makes
/// (in this task). A deadline already in force that comes earlier is
/// kept: nesting never extends it.
pub fn propagate_deadline<F: Future>(
    deadline: Option<Instant>,
    future: F,
) -> impl Future<Output = F::Output> {
    let deadline = earliest(deadline, current_deadline());
    CALL_DEADLINE.scope(deadline, future)
}

/// `stream` with `deadline` propagated to the client calls made while it
/// produces each item: a streaming handler's stream runs after its
/// function has returned, outside [`propagate_deadline`]'s scope.
pub(crate) fn propagate_deadline_to_stream<S: Stream + Unpin>(
    deadline: Option<Instant>,
    stream: S,
) -> DeadlineStream<S> {
    DeadlineStream {
        deadline: earliest(deadline, current_deadline()),
        stream,
    }
}

/// A stream polled with a deadline in force (see
/// [`propagate_deadline_to_stream`]).
pub(crate) struct DeadlineStream<S> {
    deadline: Option<Instant>,
    stream: S,
}

impl<S: Stream + Unpin> Stream for DeadlineStream<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let deadline = self.deadline;
        CALL_DEADLINE.sync_scope(deadline, || Pin::new(&mut self.stream).poll_next(cx))
    }
}

/// A call's future run within the call's deadline, which is propagated to
/// the client calls it makes: past the deadline the future is dropped
/// (cancelling the handler) and the call is `deadline_exceeded`. Without
/// a deadline it is the future alone.
pub(crate) fn within_deadline<F>(deadline: Option<Instant>, future: F) -> WithinDeadline<F> {
    WithinDeadline {
        future,
        propagated: earliest(deadline, current_deadline()),
        deadline,
        sleep: None,
    }
}

/// See [`within_deadline`]. Written out rather than as `tokio::time::timeout`
/// around `propagate_deadline`: every call awaits it, and this keeps it
/// small and free of a timer until the future first waits.
pub(crate) struct WithinDeadline<F> {
    future: F,
    propagated: Option<Instant>,
    deadline: Option<Instant>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T, F> Future for WithinDeadline<F>
where
    F: Future<Output = Result<T, crate::Status>> + Unpin,
{
    type Output = Result<T, crate::Status>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let polled = match this.propagated {
            None => Pin::new(&mut this.future).poll(cx),
            Some(deadline) => {
                CALL_DEADLINE.sync_scope(Some(deadline), || Pin::new(&mut this.future).poll(cx))
            }
        };
        if polled.is_ready() {
            return polled;
        }
        let Some(deadline) = this.deadline else {
            return Poll::Pending;
        };
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(crate::Status::deadline_exceeded(
                "the deadline expired before the call completed",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The earlier of two optional deadlines.
pub fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_call_within_its_deadline_sees_it_and_one_past_it_is_cut_short() {
        let soon = Instant::now() + Duration::from_millis(40);
        let seen = within_deadline(Some(soon), Box::pin(async { Ok(current_deadline()) }));
        assert_eq!(seen.await.unwrap(), Some(soon));
        let slow = within_deadline(
            Some(Instant::now() + Duration::from_millis(20)),
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(())
            }),
        );
        let status = slow.await.unwrap_err();
        assert_eq!(status.code(), crate::Code::DeadlineExceeded);
        let free = within_deadline(None, Box::pin(async { Ok(current_deadline()) }));
        assert_eq!(free.await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_stream_sees_the_deadline_at_every_poll() {
        use futures_util::StreamExt;
        let soon = Instant::now() + Duration::from_millis(50);
        let seen = futures_util::stream::iter(0..3).then(|_| async {
            tokio::task::yield_now().await;
            current_deadline()
        });
        let seen: Vec<_> = propagate_deadline_to_stream(Some(soon), Box::pin(seen))
            .collect()
            .await;
        assert_eq!(seen, [Some(soon); 3]);
        assert_eq!(current_deadline(), None);
    }

    #[tokio::test]
    async fn the_deadline_is_seen_inside_only_and_nesting_never_extends_it() {
        assert_eq!(current_deadline(), None);
        let soon = Instant::now() + Duration::from_millis(50);
        let later = soon + Duration::from_secs(5);
        propagate_deadline(Some(soon), async move {
            assert_eq!(current_deadline(), Some(soon));
            propagate_deadline(Some(later), async move {
                assert_eq!(current_deadline(), Some(soon));
            })
            .await;
            propagate_deadline(None, async move {
                assert_eq!(current_deadline(), Some(soon));
            })
            .await;
            // A spawned task does not inherit it.
            let spawned = tokio::spawn(async { current_deadline() }).await.unwrap();
            assert_eq!(spawned, None);
        })
        .await;
        assert_eq!(current_deadline(), None);
    }
}
