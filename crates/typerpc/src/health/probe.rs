//! Plain-HTTP health probes (Kubernetes `httpGet`, load balancers that do
//! not speak gRPC): the health reporter's status as an HTTP status, and
//! the two probes Kubernetes asks for, live and ready.
//!
//! Liveness and readiness differ on purpose: a draining server is alive
//! (restarting it would cut the calls it is finishing) but not ready (it
//! should get no new calls), and a service marked NOT_SERVING makes the
//! pod unready, not dead.

use http::{header, HeaderValue, Method, Response, StatusCode};

use super::{HealthReporter, ServingStatus};
use crate::protocol::RpcBody;
use crate::server::endpoint::HeadEndpoint;

/// A health probe at a path of the user's choosing
/// ([`Router::health_probe`](crate::Router::health_probe)): 200 `SERVING`,
/// 503 otherwise, 404 for an unknown service (`?service=package.Service`),
/// 405 for a verb other than GET or HEAD.
pub(crate) struct HealthProbe(pub HealthReporter);

impl HeadEndpoint for HealthProbe {
    fn answer(&self, request: &http::request::Parts) -> Response<RpcBody> {
        answer(&self.0, request)
    }
}

fn answer(health: &HealthReporter, request: &http::request::Parts) -> Response<RpcBody> {
    if let Some(refusal) = refuse_verb(request) {
        return refusal;
    }
    let service = request
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("service="))
        .map(|name| {
            percent_encoding::percent_decode_str(name)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    match health.check(&service) {
        Ok(ServingStatus::Serving) => text(StatusCode::OK, "SERVING\n"),
        Ok(_) => text(StatusCode::SERVICE_UNAVAILABLE, "NOT_SERVING\n"),
        Err(status) => text(StatusCode::NOT_FOUND, &format!("{}\n", status.message())),
    }
}

/// `/healthz`: alive whenever the process answers at all.
pub(crate) struct Live;

impl HeadEndpoint for Live {
    fn answer(&self, request: &http::request::Parts) -> Response<RpcBody> {
        if let Some(refusal) = refuse_verb(request) {
            return refusal;
        }
        text(StatusCode::OK, "alive\n")
    }
}

/// `/ready`: every service SERVING and the server not shutting down.
pub(crate) struct Ready(pub HealthReporter);

impl HeadEndpoint for Ready {
    fn answer(&self, request: &http::request::Parts) -> Response<RpcBody> {
        if let Some(refusal) = refuse_verb(request) {
            return refusal;
        }
        if self.0.is_shutting_down() {
            return text(StatusCode::SERVICE_UNAVAILABLE, "draining\n");
        }
        let not_serving: Vec<String> = self
            .0
            .statuses()
            .into_iter()
            .filter(|(_, status)| *status != ServingStatus::Serving)
            .map(|(name, _)| {
                if name.is_empty() {
                    "(server)".to_string()
                } else {
                    name
                }
            })
            .collect();
        if not_serving.is_empty() {
            text(StatusCode::OK, "ready\n")
        } else {
            let body = format!("not serving: {}\n", not_serving.join(", "));
            text(StatusCode::SERVICE_UNAVAILABLE, &body)
        }
    }
}

/// 405 for a verb other than GET or HEAD.
fn refuse_verb(request: &http::request::Parts) -> Option<Response<RpcBody>> {
    if request.method == Method::GET || request.method == Method::HEAD {
        return None;
    }
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "use GET\n");
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    Some(response)
}

fn text(status: StatusCode, body: &str) -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::full(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
