//! The read model: orders as the queries see them, built by the
//! projector from the log.
//!
//! Two implementations: [`MemoryReadModel`] (the default, rebuilt from
//! the log at every start) and [`RedisReadModel`] (the seed's keys,
//! `order:{id}` and `user_orders:{user_id}`, shared by projector and
//! query processes).
//!
//! The read model keeps the last log sequence it applied (its
//! checkpoint) in the same atomic write as the change itself. That makes
//! the projector idempotent: an event at or below the checkpoint is
//! skipped, so redelivery, a restart mid-stream and a full replay all end
//! in the same state, with every event applied once.

mod memory;
mod redis;

pub use self::redis::RedisReadModel;
pub use memory::MemoryReadModel;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use typerpc::Status;

use crate::types::Order;

/// Where the queries read and the projector writes.
pub trait ReadModel: Send + Sync + 'static {
    /// The last log sequence applied (0: none).
    fn checkpoint(&self) -> BoxFuture<'_, Result<u64, Status>>;

    /// How many events were applied, each counted once; equal to the
    /// checkpoint when the model was built from the start of the log.
    fn applied(&self) -> BoxFuture<'_, Result<u64, Status>>;

    /// One order.
    fn order<'a>(&'a self, order_id: &'a str) -> BoxFuture<'a, Result<Option<Order>, Status>>;

    /// Up to `limit` of a user's orders created after log sequence
    /// `after`, oldest first.
    fn user_orders<'a>(
        &'a self,
        user_id: &'a str,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Order>, Status>>;

    /// Applies the event at `sequence` in one atomic write: stores `view`
    /// (the order as the event left it, if it changed one), moves the
    /// checkpoint to `sequence` and tells watchers. Does nothing and
    /// answers `false` when `sequence` is not past the checkpoint.
    fn commit<'a>(
        &'a self,
        sequence: u64,
        view: Option<&'a Order>,
    ) -> BoxFuture<'a, Result<bool, Status>>;

    /// Every change to a user's orders from now on (the subscription is
    /// in place when the future completes). The stream ends with an error
    /// when it cannot go on without missing a change (a watcher too far
    /// behind, a lost connection), so a watcher never misses one silently.
    fn watch<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<BoxStream<'static, Result<Order, Status>>, Status>>;

    /// Every order, sorted by id: for comparing two builds.
    fn all_orders(&self) -> BoxFuture<'_, Result<Vec<Order>, Status>>;

    /// Forgets every order and the checkpoint, for a rebuild.
    fn clear(&self) -> BoxFuture<'_, Result<(), Status>>;
}
