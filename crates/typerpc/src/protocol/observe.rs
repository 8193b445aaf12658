//! Watches one call for its interceptors: counts the messages and bytes
//! each way, shows messages to the interceptors that asked, and reports
//! the outcome exactly once, when the call ends or, if the client went
//! away first, when the last piece of the call is dropped.
//!
//! A method without interceptors gets no observer: the pipeline then does
//! none of this work.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::service::{Chain, Context, Direction, Outcome};
use crate::Status;

/// Shared by the request reader and the response writer of one call.
#[derive(Clone)]
pub(crate) struct Observer {
    inner: Arc<Inner>,
}

struct Inner {
    chain: Chain,
    ctx: Context,
    start: Instant,
    request_messages: AtomicU64,
    request_bytes: AtomicU64,
    response_messages: AtomicU64,
    response_bytes: AtomicU64,
    /// How many interceptors entered the call (see `Chain::before`).
    entered: AtomicUsize,
    reported: AtomicBool,
}

impl Observer {
    pub(crate) fn new(chain: Chain, ctx: Context, start: Instant) -> Observer {
        Observer {
            inner: Arc::new(Inner {
                chain,
                ctx,
                start,
                request_messages: AtomicU64::new(0),
                request_bytes: AtomicU64::new(0),
                response_messages: AtomicU64::new(0),
                response_bytes: AtomicU64::new(0),
                entered: AtomicUsize::new(0),
                reported: AtomicBool::new(false),
            }),
        }
    }

    /// Runs the interceptors' `before`, in order.
    pub(crate) async fn before(&self) -> Result<(), Status> {
        let inner = &self.inner;
        let (entered, result) = inner.chain.before(&inner.ctx).await;
        inner.entered.store(entered, Ordering::Relaxed);
        result
    }

    /// A request message reached the handler.
    pub(crate) fn request(&self, message: &[u8]) {
        let inner = &self.inner;
        inner.request_messages.fetch_add(1, Ordering::Relaxed);
        inner
            .request_bytes
            .fetch_add(message.len() as u64, Ordering::Relaxed);
        if inner.chain.observes_messages() {
            inner.chain.message(&inner.ctx, Direction::Request, message);
        }
    }

    /// A response message is being written.
    pub(crate) fn response(&self, message: &[u8]) {
        let inner = &self.inner;
        inner.response_messages.fetch_add(1, Ordering::Relaxed);
        inner
            .response_bytes
            .fetch_add(message.len() as u64, Ordering::Relaxed);
        if inner.chain.observes_messages() {
            inner
                .chain
                .message(&inner.ctx, Direction::Response, message);
        }
    }

    /// The call ended: `None` for success. Only the first report counts.
    pub(crate) fn finish(&self, error: Option<&Status>) {
        self.inner.report(error);
    }
}

impl Inner {
    fn report(&self, error: Option<&Status>) {
        if self.reported.swap(true, Ordering::AcqRel) {
            return;
        }
        let outcome = Outcome {
            code: error.map_or(crate::Code::Ok, Status::code),
            error,
            duration: self.start.elapsed(),
            request_messages: self.request_messages.load(Ordering::Relaxed),
            request_bytes: self.request_bytes.load(Ordering::Relaxed),
            response_messages: self.response_messages.load(Ordering::Relaxed),
            response_bytes: self.response_bytes.load(Ordering::Relaxed),
        };
        self.chain
            .after(self.entered.load(Ordering::Relaxed), &self.ctx, &outcome);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if !*self.reported.get_mut() {
            self.report(Some(&Status::canceled(
                "the client went away before the call ended",
            )));
        }
    }
}
