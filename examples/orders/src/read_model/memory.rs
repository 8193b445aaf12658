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
    ) -> BoxFuture<'a, Result<BoxStream<'static, Result<Order, Status>>, Status>> {
        let user_id = user_id.to_owned();
        let changes = stream_of(self.changes.subscribe());
        let mine = changes.filter(move |change| {
            future::ready(
                change
                    .as_ref()
                    .map_or(true, |order| order.user_id == user_id),
            )
        });
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

/// A broadcast receiver as a stream. A watcher that falls more than the
/// channel's capacity behind does not block the projector: its stream ends
/// with `aborted`, saying how many changes it missed, so that it watches
/// again and re-reads instead of missing them silently.
fn stream_of(receiver: broadcast::Receiver<Order>) -> BoxStream<'static, Result<Order, Status>> {
    futures_util::stream::unfold(Some(receiver), |receiver| async move {
        let mut receiver = receiver?;
        match receiver.recv().await {
            Ok(order) => Some((Ok(order), Some(receiver))),
            Err(broadcast::error::RecvError::Lagged(missed)) => Some((
                Err(Status::aborted(format!(
                    "this watch fell {missed} changes behind and missed them; \
                     watch again and re-read the orders"
                ))),
                None,
            )),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use tokio::sync::broadcast;

    use super::stream_of;
    use crate::types::Order;

    fn order(id: &str) -> Order {
        Order {
            order_id: id.into(),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_watcher_too_far_behind_ends_with_aborted_instead_of_skipping() {
        let (sender, receiver) = broadcast::channel(2);
        let mut changes = stream_of(receiver);
        for id in ["a", "b", "c"] {
            sender.send(order(id)).unwrap();
        }
        let status = changes.next().await.unwrap().unwrap_err();
        assert_eq!(status.code(), typerpc::Code::Aborted);
        assert!(status.message().contains("1 changes behind"), "{status}");
        assert!(
            changes.next().await.is_none(),
            "the stream ends after the error"
        );
    }

    #[tokio::test]
    async fn a_watcher_keeping_up_sees_every_change() {
        let (sender, receiver) = broadcast::channel(2);
        let mut changes = stream_of(receiver);
        sender.send(order("a")).unwrap();
        assert_eq!(changes.next().await.unwrap().unwrap().order_id, "a");
        sender.send(order("b")).unwrap();
        drop(sender);
        assert_eq!(changes.next().await.unwrap().unwrap().order_id, "b");
        assert!(changes.next().await.is_none());
    }
}
