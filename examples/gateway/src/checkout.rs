//! `POST /mobile/checkout`: inventory check, payment, order, inventory
//! update, in that order; each step needs the one before.
//!
//! Answers: 200 `{"order_id", "status": "confirmed", "estimated_delivery"}`;
//! 400 `{"detail": "Product e-2 out of stock"}`; 402 when the card is
//! declined; 422 for a body that is not an order; 503/504 naming the
//! backend that failed.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use typerpc::Code;

use crate::app::Gateway;
use crate::backends::order::CreateOrderRequest;
use crate::backends::payment::PaymentRequest;
use crate::backends::product::BulkProductsRequest;
use crate::checkout_request::OrderRequest;
use crate::errors::backend_failed;
use example_support::rest::detail;

/// The handler.
pub async fn mobile_checkout(
    State(gateway): State<Arc<Gateway>>,
    body: axum::body::Body,
) -> Response {
    let order = match OrderRequest::read(body).await {
        Ok(order) => order,
        Err(answer) => return answer,
    };
    let clients = &gateway.clients;

    // 1. Validate inventory.
    let levels = match clients.inventory.levels(&order.product_ids).await {
        Ok(levels) => levels,
        Err(status) => return backend_failed("inventory_service", &status),
    };
    for id in &order.product_ids {
        if levels.get(id).copied().unwrap_or(0) <= 0 {
            return detail(
                StatusCode::BAD_REQUEST,
                format!("Product {id} out of stock"),
            );
        }
    }

    // 2. Process payment, for what the products cost.
    let request = BulkProductsRequest {
        ids: order.product_ids.clone(),
    };
    let products = match clients.product.get_bulk_products(request).await {
        Ok(found) => found.products,
        Err(status) => return backend_failed("product_service", &status),
    };
    let amount: f64 = order
        .product_ids
        .iter()
        .filter_map(|id| products.iter().find(|p| &p.id == id))
        .map(|p| p.price)
        .sum();
    let payment = PaymentRequest {
        user_id: order.user_id.clone(),
        card_token: order.payment_info.card_token.clone(),
        amount,
    };
    let payment = match clients.payment.process_payment(payment).await {
        Ok(payment) => payment,
        Err(status) if status.code() == Code::FailedPrecondition => {
            return detail(
                StatusCode::PAYMENT_REQUIRED,
                format!("Payment declined: {}", status.message()),
            )
        }
        Err(status) => return backend_failed("payment_service", &status),
    };

    // 3. Create the order.
    let request = CreateOrderRequest {
        user_id: order.user_id.clone(),
        product_ids: order.product_ids.clone(),
        payment_id: payment.payment_id,
    };
    let created = match clients.order.create_order(request).await {
        Ok(created) => created,
        Err(status) => return backend_failed("order_service", &status),
    };

    // 4. Update the inventory. (A real checkout would refund the payment
    // and cancel the order if this failed; the seed does not.)
    if let Err(status) = clients.inventory.reserve(&order.product_ids).await {
        if status.code() == Code::FailedPrecondition {
            return detail(StatusCode::CONFLICT, status.message().to_string());
        }
        return backend_failed("inventory_service", &status);
    }
    gateway.activity.record(&order.user_id, "checkout");

    let delivery = created
        .estimated_delivery
        .and_then(|t| t.to_rfc3339().ok())
        .unwrap_or_default();
    axum::Json(json!({
        "order_id": created.id,
        "status": "confirmed",
        "estimated_delivery": delivery,
    }))
    .into_response()
}
