//! How an event changes an order's view: a pure function, so the
//! projector, a replay and the tests all fold events the same way.

use crate::events::{EventKind, OrderEvent};
use crate::types::{Order, OrderStatus};

/// The order's view after the event at `sequence`, given its view before
/// (`None`: the read model has not seen the order). `None` back means the
/// event changes no order: a cancellation of an unknown order, an event
/// already reflected in the view, an event with no kind.
pub fn apply(current: Option<&Order>, sequence: u64, event: &OrderEvent) -> Option<Order> {
    if current.is_some_and(|order| order.version >= sequence) {
        return None;
    }
    match event.kind.as_ref()? {
        EventKind::Created(created) => {
            if current.is_some() {
                // An order id is created once; a second creation is ignored.
                return None;
            }
            let total_cents = created
                .items
                .iter()
                .map(|item| u64::from(item.quantity) * u64::from(item.unit_price_cents))
                .sum();
            Some(Order {
                order_id: created.order_id.clone(),
                user_id: created.user_id.clone(),
                items: created.items.clone(),
                shipping_address: created.shipping_address.clone(),
                status: OrderStatus::Accepted,
                total_cents,
                created_at: created.created_at,
                cancelled_at: None,
                cancel_reason: String::new(),
                created_sequence: sequence,
                version: sequence,
            })
        }
        EventKind::Cancelled(cancelled) => {
            let current = current?;
            if current.status == OrderStatus::Cancelled {
                return None;
            }
            Some(Order {
                status: OrderStatus::Cancelled,
                cancelled_at: cancelled.cancelled_at,
                cancel_reason: cancelled.reason.clone(),
                version: sequence,
                ..current.clone()
            })
        }
    }
}
