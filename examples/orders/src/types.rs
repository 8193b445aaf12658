//! The messages of the command and query APIs: what callers send and
//! what they get back. The events kept in the log are in [`crate::events`].

use typerpc::{Message, Timestamp};

/// One line of an order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct OrderItem {
    /// The product ordered.
    #[rpc(min_len = 1, max_len = 64)]
    pub product_id: String,
    /// How many; at least one.
    #[rpc(ge = 1, le = 10000)]
    pub quantity: u32,
    /// The price of one unit, in cents of the shop's currency.
    pub unit_price_cents: u32,
}

/// Where an order goes.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct ShippingAddress {
    /// Who receives the parcel.
    #[rpc(min_len = 1, max_len = 100)]
    pub name: String,
    /// Street and number.
    #[rpc(min_len = 1, max_len = 200)]
    pub line1: String,
    /// Flat, floor, company (optional).
    #[rpc(max_len = 200)]
    pub line2: String,
    /// The city.
    #[rpc(min_len = 1, max_len = 100)]
    pub city: String,
    /// The postal code.
    #[rpc(max_len = 20)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code (`DE`, `US`).
    #[rpc(pattern = "^[A-Z]{2}$")]
    pub country: String,
}

/// Where an order stands.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "orders.v1")]
pub enum OrderStatus {
    /// Not set (never in a stored order).
    Unspecified,
    /// Recorded in the log; the order stands.
    Accepted,
    /// Cancelled by the customer.
    Cancelled,
}

/// Command: place an order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct CreateOrderCommand {
    /// Who orders.
    #[rpc(min_len = 1, max_len = 64)]
    pub user_id: String,
    /// What is ordered: at least one item.
    #[rpc(min_items = 1, max_items = 100)]
    pub items: Vec<OrderItem>,
    /// Where it goes.
    #[rpc(required)]
    pub shipping_address: Option<ShippingAddress>,
    /// Makes retries safe: a second command with the same key records
    /// nothing and answers what the first one did. The `idempotency-key`
    /// request header does the same; a key in both must be the same key.
    #[rpc(max_len = 128, pattern = "^[A-Za-z0-9_.:-]*$")]
    pub idempotency_key: String,
}

/// What a command did, once its event is durably in the log.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct CommandResult {
    /// The order the command was about.
    pub order_id: String,
    /// The order's status after the command.
    pub status: OrderStatus,
    /// The log sequence of the command's event. Pass it as
    /// `min_sequence` to a query to read your own write.
    pub sequence: u64,
    /// True when this answer repeats an earlier command's (same
    /// idempotency key, or an order cancelled before); nothing was recorded.
    pub replayed: bool,
}

/// Command: cancel an order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct CancelOrderCommand {
    /// The order to cancel.
    #[rpc(min_len = 1, max_len = 64)]
    pub order_id: String,
    /// Why (optional).
    #[rpc(max_len = 500)]
    pub reason: String,
}

/// An order as the read model holds it.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct Order {
    /// The order's id.
    pub order_id: String,
    /// Who ordered.
    pub user_id: String,
    /// What was ordered.
    pub items: Vec<OrderItem>,
    /// Where it goes.
    pub shipping_address: Option<ShippingAddress>,
    /// Accepted or cancelled.
    pub status: OrderStatus,
    /// The sum of quantity × unit price over the items, in cents.
    pub total_cents: u64,
    /// When the order was accepted.
    pub created_at: Option<Timestamp>,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<Timestamp>,
    /// Why it was cancelled, if it was.
    pub cancel_reason: String,
    /// The log sequence of the order's creation (lists are in this order).
    pub created_sequence: u64,
    /// The log sequence of the last event applied to this order.
    pub version: u64,
}

/// Query: one order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct GetOrderRequest {
    /// The order's id.
    #[rpc(min_len = 1, max_len = 64)]
    pub order_id: String,
    /// Answer only once the read model has applied the log up to this
    /// sequence (a command's `sequence`); 0 answers at once.
    pub min_sequence: u64,
}

/// Query: a user's orders, oldest first, a page at a time.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct ListUserOrdersRequest {
    /// Whose orders.
    #[rpc(min_len = 1, max_len = 64)]
    pub user_id: String,
    /// At most this many orders; 20 when left out.
    #[rpc(default = 20, ge = 1, le = 100)]
    pub page_size: u32,
    /// The `next_page_token` of the previous page; empty for the first.
    #[rpc(max_len = 32)]
    pub page_token: String,
    /// As in `GetOrderRequest`.
    pub min_sequence: u64,
}

/// A page of a user's orders.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct ListUserOrdersResponse {
    /// The orders, oldest first.
    pub orders: Vec<Order>,
    /// Pass it back for the next page; empty on the last page.
    pub next_page_token: String,
    /// The log sequence the read model had applied when it answered.
    pub applied_sequence: u64,
}

/// Query: follow a user's orders.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct WatchOrdersRequest {
    /// Whose orders.
    #[rpc(min_len = 1, max_len = 64)]
    pub user_id: String,
}
