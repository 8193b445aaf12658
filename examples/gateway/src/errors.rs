//! The gateway's answer when a backend fails, shaped as FastAPI's errors
//! (`{"detail": "..."}`, see `example_support::rest`) and naming the
//! backend.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use typerpc::{Code, Status};

/// A backend the answer needs failed: 504 when time ran out, 503
/// otherwise; the body says which backend (`"service": "user_service"`).
pub fn backend_failed(service: &str, status: &Status) -> Response {
    let (code, what) = match status.code() {
        Code::DeadlineExceeded => (StatusCode::GATEWAY_TIMEOUT, "did not answer in time"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "is unavailable"),
    };
    let body = json!({
        "detail": format!("{service} {what}: {}", status.message()),
        "service": service,
    });
    (code, axum::Json(body)).into_response()
}
