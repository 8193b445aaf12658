//! The public REST API, as the seed's FastAPI app serves it:
//! `POST /api/v1/process` for holders of a Bearer token, rate limited per
//! user, and `GET /api/v1/stats`, open to all and rate limited per
//! address. Errors are FastAPI's: `{"detail": ...}`, 401 without a token,
//! 403 with a wrong one, 422 naming the field of a bad body, 429 with
//! `Retry-After`.
//!
//! ```text
//! curl -X POST localhost:8000/api/v1/process -H "Authorization: Bearer demo-token" \
//!   -H "Content-Type: application/json" -d '{"data": {"message": "Hello from REST"}, "priority": "high"}'
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use example_support::rest::{detail, invalid, optional_string, read_object, FieldError};
use serde_json::{json, Value};
use typerpc::server::PeerAddr;

use crate::messages::DataPayload;
use crate::processor::{DataProcessor, Door};
use crate::rate_limit::RateLimiter;

/// The largest body `POST /api/v1/process` reads.
pub const MAX_BODY: usize = 64 * 1024;

/// What the REST routes share.
#[derive(Debug)]
pub struct PublicApi {
    /// The processor every door uses.
    pub processor: Arc<DataProcessor>,
    /// Bearer tokens and the user each stands for.
    pub tokens: HashMap<String, String>,
    /// The per-client limit.
    pub limiter: RateLimiter,
}

/// The REST routes.
pub fn routes(api: Arc<PublicApi>) -> axum::Router {
    axum::Router::new()
        .route("/api/v1/process", post(process))
        .route("/api/v1/stats", get(stats))
        .with_state(api)
}

/// Public endpoint with authentication.
async fn process(
    State(api): State<Arc<PublicApi>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let start = Instant::now();
    let user = match authenticate(&api, &headers) {
        Ok(user) => user,
        Err(refusal) => return refusal.answer(&api),
    };
    if let Err(refusal) = limit(&api, &format!("user:{user}")) {
        return refusal.answer(&api);
    }
    let payload = match read_payload(body).await {
        Ok(payload) => payload,
        Err(answer) => return answer,
    };
    let result = api.processor.process(Door::Rest, &payload).await;
    axum::Json(json!({
        "result": {
            "processed_content": result.processed_content,
            "timestamp": result.timestamp,
            "request_number": result.request_number,
        },
        "processing_time_ms": start.elapsed().as_secs_f64() * 1000.0,
        "protocol": Door::Rest.protocol(),
        "user": user,
    }))
    .into_response()
}

/// Service stats: open to anyone, limited per address.
async fn stats(
    State(api): State<Arc<PublicApi>>,
    peer: Option<axum::Extension<PeerAddr>>,
) -> Response {
    let client = peer.map_or_else(|| "unknown".to_string(), |p| p.0 .0.ip().to_string());
    if let Err(refusal) = limit(&api, &format!("address:{client}")) {
        return refusal.answer(&api);
    }
    let stats = api.processor.stats();
    axum::Json(json!({
        "total_requests": stats.total_requests,
        "rest_requests": stats.rest_requests,
        "connect_requests": stats.connect_requests,
        "grpc_requests": stats.grpc_requests,
        "rate_limited": stats.rate_limited,
        "uptime_seconds": stats.uptime_seconds,
    }))
    .into_response()
}

/// Why the REST door turned a request away, before reading its body.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Refusal {
    /// No Bearer token: 401, with `WWW-Authenticate: Bearer`.
    NotAuthenticated,
    /// A token nobody holds: 403.
    InvalidToken,
    /// The client's bucket is empty: 429 with `Retry-After`.
    RateLimited(Duration),
}

impl Refusal {
    fn answer(self, api: &PublicApi) -> Response {
        match self {
            Refusal::NotAuthenticated => {
                let mut answer = detail(StatusCode::UNAUTHORIZED, "Not authenticated");
                answer
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                answer
            }
            Refusal::InvalidToken => detail(StatusCode::FORBIDDEN, "Invalid token"),
            Refusal::RateLimited(wait) => {
                let seconds = retry_after_seconds(wait);
                let message = format!(
                    "Rate limit exceeded: {}; retry in {seconds} s",
                    api.limiter.rate()
                );
                let mut answer = detail(StatusCode::TOO_MANY_REQUESTS, message);
                answer
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                answer
            }
        }
    }
}

/// The user of the request's Bearer token.
fn authenticate(api: &PublicApi, headers: &HeaderMap) -> Result<String, Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .ok_or(Refusal::NotAuthenticated)?;
    api.tokens.get(token).cloned().ok_or(Refusal::InvalidToken)
}

/// Takes a call from `client`'s bucket.
fn limit(api: &PublicApi, client: &str) -> Result<(), Refusal> {
    api.limiter.check(client).map_err(|wait| {
        api.processor.count_rate_limited();
        Refusal::RateLimited(wait)
    })
}

/// `Retry-After` counts whole seconds: round up, so a client that waits
/// as told is let in.
fn retry_after_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The body as the seed's `PublicProcessRequest`: `data`, an object, and
/// `priority`, a string (default `normal`). The processor gets the data
/// as a JSON string and the priority as metadata, as in the seed.
async fn read_payload(body: axum::body::Body) -> Result<DataPayload, Response> {
    let object = read_object(body, MAX_BODY).await?;
    let mut errors = Vec::new();
    let data = match object.get("data") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(
                "missing",
                &["body", "data"],
                "Field required",
            ));
            None
        }
        Some(Value::Object(data)) => Some(Value::Object(data.clone()).to_string()),
        Some(_) => {
            errors.push(FieldError::new(
                "dict_type",
                &["body", "data"],
                "Input should be a valid dictionary",
            ));
            None
        }
    };
    let priority = optional_string(&object, &["body", "priority"], "normal", &mut errors);
    match data {
        Some(content) if errors.is_empty() => Ok(DataPayload {
            content,
            metadata: Some(priority),
        }),
        _ => Err(invalid(StatusCode::UNPROCESSABLE_ENTITY, &errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1000)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
