//! The error details this example sends besides the standard
//! `google.rpc.BadRequest` of validation.

use typerpc::{Message, Status};

/// `google.rpc.ResourceInfo`: which resource a `not_found` is about, in
/// the standard detail any gRPC or Connect client can decode.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc")]
pub struct ResourceInfo {
    /// The kind of resource (`orders.v1.Order`).
    pub resource_type: String,
    /// The resource's name: here, the order id.
    pub resource_name: String,
    /// Who owns it (unused).
    pub owner: String,
    /// What went wrong.
    pub description: String,
}

/// `not_found` for an order id, with a `ResourceInfo` detail naming it.
pub fn order_not_found(order_id: &str) -> Status {
    Status::not_found(format!("order {order_id} not found")).with_detail(&ResourceInfo {
        resource_type: "orders.v1.Order".into(),
        resource_name: order_id.into(),
        owner: String::new(),
        description: "no order with this id has been recorded".into(),
    })
}
