//! The read model in this process's memory: the default, rebuilt from the
//! log at every start.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::{self, BoxFuture};
use futures_util::stream::{BoxStream, StreamExt};
use tokio::sync::broadcast;
use typerpc::Status;

use super::ReadModel;
use crate::types::Order;

#[derive(Default)]
struct State {
    checkpoint: u64,
    applied: u64,
    orders: HashMap<String, Order>,
    /// User id → created sequence → order id.
    by_user: HashMap<String, BTreeMap<u64, String>>,
}

/// Orders in memory.
#[derive(Clone)]
pub struct MemoryReadModel {
    state: Arc<Mutex<State>>,
    changes: broadcast::Sender<Order>,
}

impl Default for MemoryReadModel {
    fn default() -> Self {
        MemoryReadModel::new()
    }
}

impl MemoryReadModel {
    /// An empty read model.
    pub fn new() -> MemoryReadModel {
        MemoryReadModel {
            state: Arc::default(),
            changes: broadcast::channel(1024).0,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ReadModel for MemoryReadModel {
    fn checkpoint(&self) -> BoxFuture<'_, Result<u64, Status>> {
        Box::pin(future::ready(Ok(self.state().checkpoint)))
    }

    fn applied(&self) -> BoxFuture<'_, Result<u64, Status>> {
        Box::pin(future::ready(Ok(self.state().applied)))
    }

    fn order<'a>(&'a self, order_id: &'a str) -> BoxFuture<'a, Result<Option<Order>, Status>> {
        Box::pin(future::ready(Ok(self
            .state()
            .orders
            .get(order_id)
            .cloned())))
    }

    fn user_orders<'a>(
        &'a self,
        user_id: &'a str,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Order>, Status>> {
        let state = self.state();
        let orders = state
            .by_user
            .get(user_id)
            .map(|ids| {
                ids.range(after.saturating_add(1)..)
                    .take(limit)
                    .filter_map(|(_, id)| state.orders.get(id).cloned())
                    .collect()
            })
            .unwrap_or_default();
        Box::pin(future::ready(Ok(orders)))
    }

    fn commit<'a>(
        &'a self,
        sequence: u64,
        view: Option<&'a Order>,
    ) -> BoxFuture<'a, Result<bool, Status>> {
        let mut state = self.state();
        if sequence <= state.checkpoint {
            return Box::pin(future::ready(Ok(false)));
        }
        if let Some(order) = view {
            state
                .by_user
                .entry(order.user_id.clone())
                .or_default()
                .insert(order.created_sequence, order.order_id.clone());
            state.orders.insert(order.order_id.clone(), order.clone());
            // Nobody watching is fine.
            let _ = self.changes.send(order.clone());
        }
        state.checkpoint = sequence;
        state.applied += 1;
        Box::pin(future::ready(Ok(true)))
    }

    fn watch<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<BoxStream<'static, Order>, Status>> {
        let user_id = user_id.to_owned();
        let changes = tokio_stream_of(self.changes.subscribe());
        let mine = changes.filter(move |order| future::ready(order.user_id == user_id));
        Box::pin(future::ready(Ok(mine.boxed())))
    }

    fn all_orders(&self) -> BoxFuture<'_, Result<Vec<Order>, Status>> {
        let mut orders: Vec<Order> = self.state().orders.values().cloned().collect();
        orders.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        Box::pin(future::ready(Ok(orders)))
    }

    fn clear(&self) -> BoxFuture<'_, Result<(), Status>> {
        *self.state() = State::default();
        Box::pin(future::ready(Ok(())))
    }
}

/// A broadcast receiver as a stream; a watcher that falls more than the
/// channel's capacity behind skips what it missed rather than blocking
/// the projector.
fn tokio_stream_of(receiver: broadcast::Receiver<Order>) -> BoxStream<'static, Order> {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(order) => return Some((order, receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .boxed()
}
