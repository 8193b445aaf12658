//! A timer that a busy task can poll for next to nothing.
//!
//! A connection's watchdog waits on one timer for minutes while the
//! connection's task wakes for every request (twice per call over
//! HTTP/1.1), and every wake polls the timer. tokio's `Sleep` registers
//! the task's waker again on each poll (a context lookup, the coop budget
//! and an atomic swap: some 130 instructions, nearly 1 % of a small call).
//! A [`DueSleep`] polls its `Sleep` once, so that the timer wakes the task
//! when it is due, and afterwards only once the clock says it is due or
//! when the task's waker is not the one registered.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use tokio::time::{Instant, Sleep};

pin_project_lite::pin_project! {
    /// Completes at `deadline`, like [`tokio::time::sleep_until`].
    #[derive(Debug)]
    pub(crate) struct DueSleep {
        #[pin]
        sleep: Sleep,
        deadline: Instant,
        // The waker the timer holds: polls with the same one before the
        // deadline have nothing to register.
        registered: Option<Waker>,
    }
}

impl DueSleep {
    /// A timer that completes at `deadline`.
    pub(crate) fn until(deadline: Instant) -> DueSleep {
        DueSleep {
            sleep: tokio::time::sleep_until(deadline),
            deadline,
            registered: None,
        }
    }
}

impl Future for DueSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if let Some(waker) = this.registered {
            if waker.will_wake(cx.waker()) && Instant::now() < *this.deadline {
                return Poll::Pending;
            }
        }
        match this.sleep.poll(cx) {
            Poll::Ready(()) => Poll::Ready(()),
            Poll::Pending => {
                match this.registered {
                    Some(waker) => waker.clone_from(cx.waker()),
                    None => *this.registered = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;
    use std::time::Duration;

    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn it_completes_at_its_deadline_and_wakes_the_task_that_polled_it() {
        let counter = Arc::new(Counter(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&counter));
        let mut cx = Context::from_waker(&waker);
        let deadline = Instant::now() + Duration::from_millis(400);
        let mut sleep = Box::pin(DueSleep::until(deadline));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        // Polls before the deadline, with the same waker, are answered
        // without the timer.
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        tokio::task::yield_now().await;
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        assert_eq!(counter.0.load(Ordering::SeqCst), 0);
        tokio::time::sleep_until(deadline + Duration::from_millis(100)).await;
        assert_eq!(
            counter.0.load(Ordering::SeqCst),
            1,
            "the timer woke the task"
        );
        assert!(sleep.as_mut().poll(&mut cx).is_ready());
    }

    #[tokio::test]
    async fn a_new_waker_is_registered_with_the_timer() {
        let first = Arc::new(Counter(AtomicUsize::new(0)));
        let second = Arc::new(Counter(AtomicUsize::new(0)));
        let mut sleep = Box::pin(DueSleep::until(Instant::now() + Duration::from_millis(50)));
        let waker = Waker::from(Arc::clone(&first));
        assert!(sleep
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        let waker = Waker::from(Arc::clone(&second));
        assert!(sleep
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(
            second.0.load(Ordering::SeqCst),
            1,
            "the last waker is woken"
        );
    }
}
