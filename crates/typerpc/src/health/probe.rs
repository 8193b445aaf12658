//! Plain-HTTP health probes (Kubernetes `httpGet`, load balancers that do
//! not speak gRPC): the health reporter's status as an HTTP status.

use http::{header, HeaderValue, Method, Response, StatusCode};

use super::{HealthReporter, ServingStatus};
use crate::protocol::RpcBody;

/// Answers a probe: 200 `SERVING`, 503 otherwise, 404 for an unknown
/// service (`?service=package.Service`), 405 for a verb other than GET or
/// HEAD.
pub(crate) fn answer(health: &HealthReporter, request: &http::request::Parts) -> Response<RpcBody> {
    if request.method != Method::GET && request.method != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "use GET\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
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
