//! The router's fallback: another HTTP service (an axum app, a static
//! file server) that answers every request the router has no method or
//! endpoint for, so that one server, with its TLS, client certificates,
//! HTTP/2 tuning and graceful shutdown, serves both.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt;

use super::mount::MountBody;
use crate::protocol::RpcBody;

/// The body of a request the fallback gets: the request's own body, boxed.
pub type FallbackBody = MountBody;

/// The fallback, its service and response body types erased.
#[derive(Clone)]
pub(crate) struct Fallback(Arc<dyn Answer>);

impl std::fmt::Debug for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fallback")
    }
}

/// What the router calls; one implementation per service type.
trait Answer: Send + Sync + 'static {
    fn answer(
        &self,
        request: Request<FallbackBody>,
    ) -> Pin<Box<dyn Future<Output = Response<RpcBody>> + Send>>;
}

/// A service and what it needs to be called from a shared reference.
struct Wrapped<S>(S);

impl<S, B> Answer for Wrapped<S>
where
    S: tower_service::Service<Request<FallbackBody>, Response = Response<B>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn answer(
        &self,
        request: Request<FallbackBody>,
    ) -> Pin<Box<dyn Future<Output = Response<RpcBody>> + Send>> {
        // A clone, made ready before its call, as tower's contract asks.
        let call = tower::util::ServiceExt::oneshot(self.0.clone(), request);
        // A combinator, not an async block: the compiler cannot see that
        // an async block awaiting `S::Future` is `Send` (its check asks for
        // every lifetime of the body's boxed error type).
        Box::pin(futures_util::FutureExt::map(call, |result| match result {
            Ok(response) => {
                response.map(|body| RpcBody::foreign(body.map_err(Into::into).boxed_unsync()))
            }
            Err(error) => failed(error.into()),
        }))
    }
}

impl Fallback {
    /// Wraps `service`.
    pub(crate) fn new<S, B>(service: S) -> Fallback
    where
        S: tower_service::Service<Request<FallbackBody>, Response = Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Fallback(Arc::new(Wrapped(service)))
    }

    /// The fallback's answer to `request`.
    pub(crate) fn call(
        &self,
        request: Request<FallbackBody>,
    ) -> Pin<Box<dyn Future<Output = Response<RpcBody>> + Send>> {
        self.0.answer(request)
    }
}

/// The fallback service failed (rather than answering with an error
/// status): 500, logged, with nothing of the error in the body.
fn failed(error: Box<dyn std::error::Error + Send + Sync>) -> Response<RpcBody> {
    tracing::error!(
        target: crate::service::telemetry::SERVER_TARGET,
        %error,
        "the fallback service failed"
    );
    let mut response = Response::new(RpcBody::full("internal server error\n"));
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
