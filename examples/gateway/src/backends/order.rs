//! The order service (gRPC): records orders.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use typerpc::{service, Message, Status, Timestamp};

/// An order to record, once paid.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct CreateOrderRequest {
    /// Who ordered.
    #[rpc(min_len = 1)]
    pub user_id: String,
    /// What.
    #[rpc(min_items = 1)]
    pub product_ids: Vec<String>,
    /// The payment that covers it.
    #[rpc(min_len = 1)]
    pub payment_id: String,
}

/// The order recorded.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct OrderResult {
    /// The order's id.
    pub id: String,
    /// When it should arrive.
    pub estimated_delivery: Option<Timestamp>,
}

/// Records orders (in memory: numbers only).
#[derive(Debug, Default)]
pub struct OrderService {
    delay: Duration,
    next_id: AtomicU64,
}

impl OrderService {
    /// An order service that answers after `delay`.
    pub fn new(delay: Duration) -> OrderService {
        OrderService {
            delay,
            next_id: AtomicU64::new(1),
        }
    }
}

/// Three days.
const DELIVERY_SECONDS: i64 = 3 * 24 * 60 * 60;

#[service] // package order.v1, service OrderService
impl OrderService {
    /// Records an order; it ships in three days.
    async fn create_order(&self, _request: CreateOrderRequest) -> Result<OrderResult, Status> {
        super::simulate_latency(self.delay).await;
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let now = Timestamp::now();
        Ok(OrderResult {
            id: format!("ord-{n}"),
            estimated_delivery: Some(Timestamp {
                seconds: now.seconds + DELIVERY_SECONDS,
                nanos: 0,
            }),
        })
    }
}
