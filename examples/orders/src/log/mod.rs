//! The event log: a durable, ordered sequence of order events.
//!
//! Two implementations: [`EmbeddedLog`], a file on this machine (redb),
//! the default; and [`JetStreamLog`], a NATS JetStream stream, for
//! deployments where the command service and the projector run apart.
//! The trait is what a third one (Kafka, say) implements: appending with
//! an idempotency key and an expected last sequence of the order, reading
//! an order's last event, and following the log from a sequence.
//!
//! Errors are [`Status`]es: a log that cannot be reached is
//! `unavailable`, an append that lost a race for the order is `aborted`.

mod embedded;
mod jetstream;

pub use embedded::EmbeddedLog;
pub use jetstream::{JetStreamLog, JetStreamOptions};

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use typerpc::Status;

use crate::events::OrderEvent;

/// An event with its place in the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The log sequence, from 1, increasing with every append.
    pub sequence: u64,
    /// The event.
    pub event: OrderEvent,
}

/// The result of an append.
#[derive(Clone, Debug, PartialEq)]
pub struct Appended {
    /// The event as the log holds it: the one appended, or, when the
    /// idempotency key was seen before, the first event appended with it.
    pub recorded: Recorded,
    /// True when the key was seen before and nothing was appended.
    pub duplicate: bool,
}

/// How to append.
#[derive(Clone, Copy, Debug, Default)]
pub struct AppendOptions<'a> {
    /// Appends at most once per key: a second append with the key returns
    /// the first one's event.
    pub idempotency_key: Option<&'a str>,
    /// Appends only if the order's last event is at this sequence (0: the
    /// order has no event); otherwise the append fails with `aborted`.
    pub expected_last: Option<u64>,
}

/// A durable, ordered log of order events.
pub trait EventLog: Send + Sync + 'static {
    /// Appends `event` durably; returns once the log has it (on disk, or
    /// acknowledged by the broker).
    fn append<'a>(
        &'a self,
        event: &'a OrderEvent,
        options: AppendOptions<'a>,
    ) -> BoxFuture<'a, Result<Appended, Status>>;

    /// The last event of one order, if it has any.
    fn last_of_order<'a>(
        &'a self,
        order_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Recorded>, Status>>;

    /// The log's last sequence (0 when empty).
    fn head(&self) -> BoxFuture<'_, Result<u64, Status>>;

    /// Every event from `sequence` on, in order, then each new one as it
    /// is appended; the stream ends only with an error.
    fn follow(&self, sequence: u64) -> BoxStream<'static, Result<Recorded, Status>>;
}
