//! The gateway's error answers, shaped as FastAPI's so that a mobile app
//! written against the seed's gateway reads them unchanged:
//! `{"detail": "..."}` for a failure, and for a request that does not
//! validate, 422 with `{"detail": [{"type", "loc", "msg"}]}` where `loc`
//! names the field (`["body", "payment_info", "card_token"]`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use typerpc::{Code, Status};

/// One problem with a request, as FastAPI reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// What kind of problem: `missing`, `string_type`, `json_invalid`...
    pub kind: &'static str,
    /// Where: `["body", "user_id"]`, `["path", "user_id"]`.
    pub loc: Vec<String>,
    /// What is wrong, for people.
    pub msg: String,
}

impl FieldError {
    /// A problem of `kind` at `loc`.
    pub fn new(kind: &'static str, loc: &[&str], msg: impl Into<String>) -> FieldError {
        FieldError {
            kind,
            loc: loc.iter().map(|s| s.to_string()).collect(),
            msg: msg.into(),
        }
    }

    fn to_json(&self) -> Value {
        json!({"type": self.kind, "loc": self.loc, "msg": self.msg})
    }
}

/// A request that does not validate: 422 (400 for a body over the limit),
/// naming each field.
pub fn invalid(status: StatusCode, errors: &[FieldError]) -> Response {
    let detail: Vec<Value> = errors.iter().map(FieldError::to_json).collect();
    (status, axum::Json(json!({"detail": detail}))).into_response()
}

/// A failure with a message: `{"detail": message}`.
pub fn detail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"detail": message.into()}))).into_response()
}

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
