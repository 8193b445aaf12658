//! `GET /mobile/home/{user_id}`: the user and what is trending, fetched
//! in parallel, then the stock of the trending products, merged into one
//! answer for the app's home screen.
//!
//! The user and trending products are essential: without either the
//! answer is 503 (504 if time ran out) naming the backend. Inventory is
//! not: without it the products come with `"in_stock": null` and the
//! answer lists `"missing": ["inventory_service"]`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use typerpc::{Code, Timestamp};

use crate::app::Gateway;
use crate::backends::user::UserRequest;
use crate::errors::backend_failed;
use example_support::rest::{invalid, FieldError};

/// The handler.
pub async fn mobile_home(
    State(gateway): State<Arc<Gateway>>,
    Path(user_id): Path<String>,
) -> Response {
    let clients = &gateway.clients;
    // Parallel calls to two backends.
    let (user, trending) = tokio::join!(
        clients.user.get_user(UserRequest {
            id: user_id.clone()
        }),
        clients.recommendation.get_trending(()),
    );
    let user = match user {
        Ok(user) => user,
        // Checked by the client before sending: nothing reached the backend.
        Err(status) if status.code() == Code::InvalidArgument => {
            let error = FieldError::new(
                "string_too_long",
                &["path", "user_id"],
                "user_id must be 1 to 64 characters",
            );
            return invalid(StatusCode::UNPROCESSABLE_ENTITY, &[error]);
        }
        Err(status) => return backend_failed("user_service", &status),
    };
    let trending = match trending {
        Ok(trending) => trending.products,
        Err(status) => return backend_failed("recommendation_service", &status),
    };

    // Then the stock of the trending products; not essential.
    let ids: Vec<String> = trending.iter().map(|p| p.id.clone()).collect();
    let (levels, missing) = match clients.inventory.levels(&ids).await {
        Ok(levels) => (Some(levels), vec![]),
        Err(_) => (None, vec!["inventory_service"]),
    };

    // Logged in the background; the response does not wait.
    gateway.activity.record(&user_id, "home_view");

    let products: Vec<Value> = trending
        .iter()
        .map(|product| {
            let in_stock = match &levels {
                Some(levels) => json!(levels.get(&product.id).copied().unwrap_or(0) > 0),
                None => Value::Null,
            };
            json!({
                "id": product.id,
                "name": product.name,
                "price": product.price,
                "score": product.score,
                "in_stock": in_stock,
            })
        })
        .collect();
    let mut body = json!({
        "user": {
            "name": user.name,
            "membership_level": user.membership_level,
        },
        "trending_products": products,
        "generated_at": Timestamp::now().to_rfc3339().unwrap_or_default(),
    });
    if !missing.is_empty() {
        body["missing"] = json!(missing);
    }
    axum::Json(body).into_response()
}
