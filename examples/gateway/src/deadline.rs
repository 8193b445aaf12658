//! Every request the gateway serves has a deadline: the time the caller
//! gives in `X-Request-Timeout-Ms`, or the gateway's default. typerpc's
//! clients bound every backend call made while the request is served by
//! it ([`typerpc::service::propagate_deadline`]), so a request the caller
//! gives 50 ms never waits 2 s on a slow backend. If the handler still
//! runs at the deadline, the caller gets 504.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use typerpc::service::propagate_deadline;

use example_support::rest::{detail, invalid, FieldError};

/// The header in which a caller gives the request's time budget.
pub const TIMEOUT_HEADER: &str = "x-request-timeout-ms";

/// The most a caller may ask for.
const MAX_TIMEOUT_MS: u64 = 60_000;

/// A little time after the deadline for the handler to say what failed
/// (a 504 naming the backend) before the middleware answers for it.
const GRACE: Duration = Duration::from_millis(25);

/// The middleware: reads the budget, runs the handler with the deadline
/// propagated, answers 504 if it overruns.
pub async fn with_deadline(
    State(default): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let budget = match request.headers().get(TIMEOUT_HEADER) {
        None => default,
        Some(value) => {
            match value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
            {
                Some(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => Duration::from_millis(ms),
                _ => {
                    let error = FieldError::new(
                    "int_parsing",
                    &["header", TIMEOUT_HEADER],
                    format!("Input should be a whole number of milliseconds from 1 to {MAX_TIMEOUT_MS}"),
                );
                    return invalid(StatusCode::UNPROCESSABLE_ENTITY, &[error]);
                }
            }
        }
    };
    let deadline = Instant::now() + budget;
    let handler = propagate_deadline(Some(deadline), next.run(request));
    match tokio::time::timeout_at((deadline + GRACE).into(), handler).await {
        Ok(response) => response,
        Err(_) => detail(
            StatusCode::GATEWAY_TIMEOUT,
            format!("the request's deadline of {} ms passed", budget.as_millis()),
        ),
    }
}
