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

use crate::protocol::RpcBody;

/// The body of a request the fallback gets: the request's own body, boxed.
pub type FallbackBody = super::endpoint::EndpointBody;

/// The fallback, its service and response body types erased.
#[derive(Clone)]
pub(crate) struct Fallback(Arc<dyn FallbackService>);

impl std::fmt::Debug for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fallback")
    }
}

/// A service a router can fall back to (see
/// [`Router::fallback`](super::Router::fallback)): any cloneable
/// `tower::Service` over `http::Request<FallbackBody>` answering with an
/// `http::Response` whose body yields [`Bytes`], such as an axum `Router`
/// or a tower-http `ServeDir`. Implemented for every such service.
pub trait FallbackService: Send + Sync + 'static {
    /// Answers `request`. A service that fails instead of answering is a
    /// 500, logged, with nothing of the error in the body.
    fn answer(
        &self,
        request: Request<FallbackBody>,
    ) -> Pin<Box<dyn Future<Output = Response<RpcBody>> + Send>>;
}

impl<S, B> FallbackService for S
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
        let call = tower::util::ServiceExt::oneshot(self.clone(), request);
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
    pub(crate) fn new(service: impl FallbackService) -> Fallback {
        Fallback(Arc::new(service))
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
