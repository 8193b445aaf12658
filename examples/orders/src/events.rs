//! The events the command service appends to the log, as protobuf
//! messages: the log stores each one's binary encoding.

use typerpc::{Message, Status, Timestamp};

use crate::types::{OrderItem, ShippingAddress};

/// The version of the event schema written today.
pub const EVENT_VERSION: u32 = 1;

/// An order was placed.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct OrderCreatedEvent {
    /// The new order's id.
    pub order_id: String,
    /// Who ordered.
    pub user_id: String,
    /// What was ordered.
    pub items: Vec<OrderItem>,
    /// Where it goes.
    pub shipping_address: Option<ShippingAddress>,
    /// When the command service accepted it.
    pub created_at: Option<Timestamp>,
    /// The schema version of this event ([`EVENT_VERSION`]).
    pub event_version: u32,
}

/// An order was cancelled.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct OrderCancelledEvent {
    /// The cancelled order.
    pub order_id: String,
    /// Why.
    pub reason: String,
    /// When the command service accepted the cancellation.
    pub cancelled_at: Option<Timestamp>,
    /// The schema version of this event ([`EVENT_VERSION`]).
    pub event_version: u32,
}

/// Which event.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum EventKind {
    /// An order was placed.
    Created(OrderCreatedEvent),
    /// An order was cancelled.
    Cancelled(OrderCancelledEvent),
}

/// One entry of the log.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct OrderEvent {
    /// The event.
    pub kind: Option<EventKind>,
}

impl OrderEvent {
    /// The order the event is about (empty for an event with no kind).
    pub fn order_id(&self) -> &str {
        match &self.kind {
            Some(EventKind::Created(event)) => &event.order_id,
            Some(EventKind::Cancelled(event)) => &event.order_id,
            None => "",
        }
    }

    /// The binary encoding the log stores.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode_to_vec()
    }

    /// Decodes what the log stored; an entry that does not decode is a
    /// data error, reported with its sequence.
    pub fn from_bytes(sequence: u64, bytes: &[u8]) -> Result<OrderEvent, Status> {
        OrderEvent::decode(bytes).map_err(|e| {
            Status::data_loss(format!("log entry {sequence} is not an order event: {e}"))
        })
    }
}

impl From<OrderCreatedEvent> for OrderEvent {
    fn from(event: OrderCreatedEvent) -> OrderEvent {
        OrderEvent {
            kind: Some(EventKind::Created(event)),
        }
    }
}

impl From<OrderCancelledEvent> for OrderEvent {
    fn from(event: OrderCancelledEvent) -> OrderEvent {
        OrderEvent {
            kind: Some(EventKind::Cancelled(event)),
        }
    }
}
