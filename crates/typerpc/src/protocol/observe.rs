//! Watches one call for its interceptors and its span: counts the
//! messages and bytes each way, shows messages to the interceptors that
//! asked, and reports the outcome exactly once, when the call ends or, if
//! the client went away first, when the last piece of the call is dropped.
//! The report goes to the interceptors' `after` and to the call's span
//! (its status code attributes and the event that logs the end).
//!
//! A method without interceptors, when no `tracing` subscriber wants the
//! call, gets no watch: the pipeline then does none of this work. A unary call keeps its watch on its own future (no
//! allocation); a streaming call shares it, in an [`Observer`], between
//! the request reader and the response writer.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tracing::Span;

use crate::service::telemetry::{self, Side};
use crate::service::{Chain, Context, Direction, Outcome};
use crate::Status;

/// A watch shared by the request reader and the response writer of one
/// streaming call.
pub(crate) type Observer = Arc<CallWatch>;

/// The interceptors' view of one call.
pub(crate) struct CallWatch {
    chain: Chain,
    ctx: Context,
    /// The call's span; disabled when no subscriber wants it.
    span: Span,
    start: Instant,
    request_messages: AtomicU64,
    request_bytes: AtomicU64,
    response_messages: AtomicU64,
    response_bytes: AtomicU64,
    /// How many interceptors entered the call (see `Chain::before`).
    entered: AtomicUsize,
    reported: AtomicBool,
}

impl CallWatch {
    pub(crate) fn new(chain: Chain, ctx: Context, span: Span, start: Instant) -> CallWatch {
        CallWatch {
            chain,
            ctx,
            span,
            start,
            request_messages: AtomicU64::new(0),
            request_bytes: AtomicU64::new(0),
            response_messages: AtomicU64::new(0),
            response_bytes: AtomicU64::new(0),
            entered: AtomicUsize::new(0),
            reported: AtomicBool::new(false),
        }
    }

    /// Runs the interceptors' `before`, in order.
    pub(crate) async fn before(&self) -> Result<(), Status> {
        let (entered, result) = self.chain.before(&self.ctx).await;
        self.entered.store(entered, Ordering::Relaxed);
        result
    }

    /// The call's span.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// A request message reached the handler.
    pub(crate) fn request(&self, message: &[u8]) {
        let id = self.request_messages.fetch_add(1, Ordering::Relaxed);
        telemetry::message(&self.span, true, id + 1, message.len());
        self.request_bytes
            .fetch_add(message.len() as u64, Ordering::Relaxed);
        if self.chain.observes_messages() {
            self.chain.message(&self.ctx, Direction::Request, message);
        }
    }

    /// A response message is being written.
    pub(crate) fn response(&self, message: &[u8]) {
        let id = self.response_messages.fetch_add(1, Ordering::Relaxed);
        telemetry::message(&self.span, false, id + 1, message.len());
        self.response_bytes
            .fetch_add(message.len() as u64, Ordering::Relaxed);
        if self.chain.observes_messages() {
            self.chain.message(&self.ctx, Direction::Response, message);
        }
    }

    /// The call ended: `None` for success. Only the first report counts.
    pub(crate) fn finish(&self, error: Option<&Status>) {
        self.report(error);
    }

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
        telemetry::finish(
            &self.span,
            Side::Server,
            self.ctx.protocol(),
            error,
            outcome.duration,
        );
    }
}

impl Drop for CallWatch {
    fn drop(&mut self) {
        if !*self.reported.get_mut() {
            self.report(Some(&Status::canceled(
                "the client went away before the call ended",
            )));
        }
    }
}
