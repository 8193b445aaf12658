//! A small schema over two packages with imports between them, a nested
//! message, enums and well-known types: the fixture of the reflection and
//! export tests.
#![allow(dead_code)]

use typerpc::{service, Message, Status, Timestamp};

/// An amount of money.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "shop.common.v1")]
pub struct Money {
    pub currency: Currency,
    pub units: i64,
}

/// A currency.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "shop.common.v1")]
pub enum Currency {
    Unspecified,
    Eur,
    Usd,
}

/// An order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "shop.v1")]
pub struct Order {
    pub id: String,
    pub total: Option<Money>,
    pub placed_at: Option<Timestamp>,
    pub lines: Vec<OrderLine>,
}

/// One line of an order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "shop.v1", name = "Order.Line")]
pub struct OrderLine {
    pub sku: String,
    pub quantity: u32,
}

/// Which order to get.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "shop.v1")]
pub struct GetOrderRequest {
    pub id: String,
}

/// The shop.
pub struct ShopService;

#[service(package = "shop.v1")]
impl ShopService {
    /// One order by id.
    async fn get_order(&self, req: GetOrderRequest) -> Result<Order, Status> {
        Err(Status::not_found(req.id))
    }
}

/// The schema of the shop service.
pub fn schema() -> typerpc::schema::SchemaSet {
    typerpc::Router::new()
        .add(ShopService)
        .schema()
        .expect("schema")
}
