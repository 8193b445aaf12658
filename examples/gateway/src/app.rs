//! The gateway's axum app: the routes, the deadline on every request and
//! what the handlers share.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::activity::ActivityLog;
use crate::clients::ServiceClients;

/// What every handler shares.
#[derive(Debug)]
pub struct Gateway {
    /// The backends' clients.
    pub clients: ServiceClients,
    /// The user-activity log, written in the background.
    pub activity: ActivityLog,
}

/// The app: `GET /mobile/home/{user_id}`, `POST /mobile/checkout`,
/// `GET /health` and `GET /activity` (the activity log, for operators),
/// each request within `default_timeout` unless it asks for less or more
/// with `X-Request-Timeout-Ms`.
pub fn app(gateway: Arc<Gateway>, default_timeout: Duration) -> axum::Router {
    axum::Router::new()
        .route("/mobile/home/{user_id}", get(crate::home::mobile_home))
        .route("/mobile/checkout", post(crate::checkout::mobile_checkout))
        .route("/health", get(crate::health::health_check))
        .route("/activity", get(activity))
        .with_state(gateway)
        .layer(axum::middleware::from_fn_with_state(
            default_timeout,
            crate::deadline::with_deadline,
        ))
}

/// `GET /activity`: the activity log, oldest first.
async fn activity(State(gateway): State<Arc<Gateway>>) -> Response {
    let entries: Vec<_> = gateway
        .activity
        .entries()
        .into_iter()
        .map(|a| json!({"user_id": a.user_id, "action": a.action, "at": a.at}))
        .collect();
    axum::Json(json!({ "entries": entries })).into_response()
}
