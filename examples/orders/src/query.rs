//! The query service: answers from the read model only.
//!
//! **Consistency is eventual.** The read model trails the log by however
//! long the projector takes to apply an event (milliseconds when it keeps
//! up). A caller that must see its own write passes the command's
//! `sequence` as `min_sequence`: the query then waits until the read model
//! has applied that far, up to the call's deadline (at most
//! [`QueryOptions::max_wait`]), and fails with `unavailable` — retryable —
//! if it has not.

use std::sync::Arc;
use std::time::{Duration, Instant};

use typerpc::{service, Context, Status, Stream};

use crate::errors::order_not_found;
use crate::read_model::ReadModel;
use crate::types::{
    GetOrderRequest, ListUserOrdersRequest, ListUserOrdersResponse, Order, WatchOrdersRequest,
};

/// How the query service waits for the read model.
#[derive(Clone, Copy, Debug)]
pub struct QueryOptions {
    /// The longest a query with `min_sequence` waits, whatever its deadline.
    pub max_wait: Duration,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            max_wait: Duration::from_secs(5),
        }
    }
}

/// Reads orders from the read model.
#[derive(Clone)]
pub struct OrderQueryService {
    model: Arc<dyn ReadModel>,
    options: QueryOptions,
}

impl OrderQueryService {
    /// A query service over `model`.
    pub fn new(model: Arc<dyn ReadModel>, options: QueryOptions) -> OrderQueryService {
        OrderQueryService { model, options }
    }

    /// Waits until the read model has applied `sequence`, within the
    /// call's deadline; answers the checkpoint reached.
    async fn wait_for(&self, ctx: &Context, sequence: u64) -> Result<u64, Status> {
        let mut budget = self.options.max_wait;
        if let Some(left) = ctx.time_remaining() {
            // Leave a little of the deadline to send the answer.
            budget = budget.min(left.saturating_sub(left / 10));
        }
        let give_up = Instant::now() + budget;
        let mut pause = Duration::from_millis(2);
        loop {
            let checkpoint = self.model.checkpoint().await?;
            if checkpoint >= sequence {
                return Ok(checkpoint);
            }
            if Instant::now() >= give_up {
                return Err(Status::unavailable(format!(
                    "the read model has applied the log up to sequence {checkpoint}, \
                     not yet {sequence}; retry shortly"
                )));
            }
            tokio::time::sleep(pause.min(give_up.saturating_duration_since(Instant::now()))).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

#[service(package = "orders.v1")]
impl OrderQueryService {
    /// One order, as the read model has it: `not_found` (with a
    /// `google.rpc.ResourceInfo` naming the id) when it has no such order.
    /// Eventually consistent: see `min_sequence`.
    #[rpc(idempotent)]
    async fn get_order(&self, ctx: &Context, request: GetOrderRequest) -> Result<Order, Status> {
        self.wait_for(ctx, request.min_sequence).await?;
        self.model
            .order(&request.order_id)
            .await?
            .ok_or_else(|| order_not_found(&request.order_id))
    }

    /// A user's orders, oldest first, a page at a time. Eventually
    /// consistent: see `min_sequence`.
    #[rpc(idempotent)]
    async fn list_user_orders(
        &self,
        ctx: &Context,
        request: ListUserOrdersRequest,
    ) -> Result<ListUserOrdersResponse, Status> {
        let after = match request.page_token.as_str() {
            "" => 0,
            token => token.parse::<u64>().map_err(|_| {
                Status::invalid_argument(format!(
                    "page_token {token:?} is not one this service handed out"
                ))
            })?,
        };
        let applied_sequence = self.wait_for(ctx, request.min_sequence).await?;
        let size = request.page_size as usize;
        let mut orders = self
            .model
            .user_orders(&request.user_id, after, size + 1)
            .await?;
        let next_page_token = if orders.len() > size {
            orders.truncate(size);
            orders
                .last()
                .map(|order| order.created_sequence.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(ListUserOrdersResponse {
            orders,
            next_page_token,
            applied_sequence,
        })
    }

    /// Every change to a user's orders from now on: the order as it stands
    /// after each creation or cancellation, as the projector applies it.
    /// The subscription is in place when the response headers arrive.
    async fn watch_orders(
        &self,
        request: WatchOrdersRequest,
    ) -> Result<impl Stream<Item = Result<Order, Status>>, Status> {
        self.model.watch(&request.user_id).await
    }
}
