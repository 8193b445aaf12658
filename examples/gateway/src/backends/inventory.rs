//! The inventory service (plain REST, through axum): stock levels by
//! product id, and reserving stock for an order. It answers gRPC health
//! checks on the same port, like the other backends.
//!
//! ```text
//! GET  /inventory?ids=e-1,e-2   -> {"e-1": {"available": 5}, "e-2": {"available": 0}}
//! POST /inventory/reserve {"product_ids": ["e-1"]} -> {"reserved": ["e-1"]}
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{json, Value};

/// Stock levels, in memory.
#[derive(Debug)]
pub struct Inventory {
    stock: Mutex<BTreeMap<String, i64>>,
    delay: Duration,
}

impl Inventory {
    /// The demo's stock: `e-2` is sold out.
    pub fn new(delay: Duration) -> Inventory {
        let stock = [("e-1", 5), ("e-2", 0), ("e-3", 12), ("b-1", 3), ("b-2", 1)]
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        Inventory {
            stock: Mutex::new(stock),
            delay,
        }
    }

    fn stock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, i64>> {
        self.stock.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The REST routes, with gRPC health checking for every other path.
pub fn app(inventory: Arc<Inventory>) -> axum::Router {
    axum::Router::new()
        .route("/inventory", get(levels))
        .route("/inventory/reserve", post(reserve))
        .with_state(inventory)
        .fallback_service(typerpc::Router::new().with_health())
}

/// `GET /inventory?ids=a,b`: the stock of each known product.
async fn levels(State(inventory): State<Arc<Inventory>>, RawQuery(query): RawQuery) -> Response {
    super::simulate_latency(inventory.delay).await;
    let ids = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("ids="))
        .map(|value| value.replace("%2C", ",").replace("%2c", ","));
    let Some(ids) = ids else {
        let detail = [json!({"type": "missing", "loc": ["query", "ids"], "msg": "Field required"})];
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"detail": detail})),
        )
            .into_response();
    };
    let stock = inventory.stock();
    let levels: serde_json::Map<String, Value> = ids
        .split(',')
        .filter_map(|id| {
            stock
                .get(id)
                .map(|n| (id.to_string(), json!({"available": n})))
        })
        .collect();
    axum::Json(Value::Object(levels)).into_response()
}

/// `POST /inventory/reserve`: takes one of each product, or nothing if
/// any is out of stock (409, naming it).
async fn reserve(State(inventory): State<Arc<Inventory>>, body: axum::body::Bytes) -> Response {
    super::simulate_latency(inventory.delay).await;
    let ids: Option<Vec<String>> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("product_ids").cloned())
        .and_then(|v| serde_json::from_value(v).ok());
    let Some(ids) = ids else {
        let detail = "expected {\"product_ids\": [\"...\"]}";
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"detail": detail})),
        )
            .into_response();
    };
    let mut stock = inventory.stock();
    if let Some(missing) = ids.iter().find(|id| stock.get(*id).is_none_or(|n| *n <= 0)) {
        let detail = format!("Product {missing} out of stock");
        return (StatusCode::CONFLICT, axum::Json(json!({"detail": detail}))).into_response();
    }
    for id in &ids {
        if let Some(n) = stock.get_mut(id) {
            *n -= 1;
        }
    }
    axum::Json(json!({"reserved": ids})).into_response()
}
