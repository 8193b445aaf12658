//! The body of `POST /mobile/checkout`, read as FastAPI reads a pydantic
//! model: malformed JSON, a missing field, a wrong type or an oversized
//! body is answered before anything reaches a backend, naming the field.
//!
//! ```json
//! {"user_id": "123", "product_ids": ["e-1", "e-3"], "payment_info": {"card_token": "tok_visa"}}
//! ```

use axum::http::StatusCode;
use axum::response::Response;
use example_support::rest::{field, invalid, read_object, string, FieldError};
use serde_json::{Map, Value};

/// The largest body accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// The most products one order may have.
const MAX_PRODUCTS: usize = 50;

/// How the order is paid.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentInfo {
    /// The card, as a token from the payment provider.
    pub card_token: String,
}

/// An order from the app.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRequest {
    /// Who orders.
    pub user_id: String,
    /// What, one of each.
    pub product_ids: Vec<String>,
    /// How they pay.
    pub payment_info: PaymentInfo,
}

impl OrderRequest {
    /// Reads and checks the body; the answer to send when it is not an
    /// order.
    pub async fn read(body: axum::body::Body) -> Result<OrderRequest, Response> {
        let object = read_object(body, MAX_BODY).await?;
        let mut errors = Vec::new();
        let object = &object;
        let user_id = string(object, &["body", "user_id"], &mut errors);
        let product_ids = string_list(object, &["body", "product_ids"], &mut errors);
        let card_token = match field(object, &["body", "payment_info"], &mut errors) {
            Some(Value::Object(payment)) => string(
                payment,
                &["body", "payment_info", "card_token"],
                &mut errors,
            ),
            Some(_) => {
                errors.push(FieldError::new(
                    "model_type",
                    &["body", "payment_info"],
                    "Input should be an object",
                ));
                None
            }
            None => None,
        };
        match (user_id, product_ids, card_token) {
            (Some(user_id), Some(product_ids), Some(card_token)) if errors.is_empty() => {
                Ok(OrderRequest {
                    user_id,
                    product_ids,
                    payment_info: PaymentInfo { card_token },
                })
            }
            _ => Err(invalid(StatusCode::UNPROCESSABLE_ENTITY, &errors)),
        }
    }
}

/// A list of 1 to `MAX_PRODUCTS` non-empty strings.
fn string_list(
    object: &Map<String, Value>,
    loc: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<Vec<String>> {
    let Value::Array(items) = field(object, loc, errors)? else {
        errors.push(FieldError::new(
            "list_type",
            loc,
            "Input should be a valid list",
        ));
        return None;
    };
    if items.is_empty() || items.len() > MAX_PRODUCTS {
        errors.push(FieldError::new(
            "too_short",
            loc,
            format!("List should have 1 to {MAX_PRODUCTS} items"),
        ));
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let index = i.to_string();
        let mut item_loc: Vec<&str> = loc.to_vec();
        item_loc.push(&index);
        match item {
            Value::String(s) if !s.is_empty() => out.push(s.clone()),
            _ => errors.push(FieldError::new(
                "string_type",
                &item_loc,
                "Input should be a non-empty string",
            )),
        }
    }
    (out.len() == items.len()).then_some(out)
}
