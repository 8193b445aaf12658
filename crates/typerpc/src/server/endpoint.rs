//! Plain-HTTP endpoints beside the RPCs, each at one path: the probes
//! (`/healthz`, `/ready`, a health probe), `/metrics`, `/openapi.json`,
//! the docs page, `/mcp`. The modules that define them attach them to a
//! router ([`Router::endpoint`]), so the router knows none; it looks one
//! table up before its methods.
//!
//! Operational endpoints (probes, metrics) move to the server's admin
//! port when it has one; the others stay beside the RPCs.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use http::{Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::BodyExt;

use super::Router;
use crate::protocol::RpcBody;

/// The body of a request an endpoint (or the router's fallback) gets: the
/// request's own body, boxed.
pub type EndpointBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync + 'static>>;

/// What an endpoint answers with.
pub(crate) type EndpointFuture = Pin<Box<dyn Future<Output = Response<RpcBody>> + Send>>;

/// An endpoint at a fixed path of a router.
pub(crate) trait Endpoint: Send + Sync + 'static {
    /// Answers `request`, received by `router` (as configured when the
    /// request came: every service and interceptor).
    fn call(&self, router: Router, request: Request<EndpointBody>) -> EndpointFuture;

    /// For finding endpoints by type (those a module attached).
    fn as_any(&self) -> &dyn Any;
}

/// An endpoint that answers from the request's head alone, at once.
pub(crate) trait HeadEndpoint: Send + Sync + 'static {
    /// Answers a request for the endpoint's path.
    fn answer(&self, request: &http::request::Parts) -> Response<RpcBody>;
}

impl<T: HeadEndpoint> Endpoint for T {
    fn call(&self, _router: Router, request: Request<EndpointBody>) -> EndpointFuture {
        let (parts, _) = request.into_parts();
        Box::pin(std::future::ready(self.answer(&parts)))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Where an endpoint is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Always beside the RPCs (the OpenAPI document, the docs, MCP).
    Beside,
    /// Beside the RPCs, or on the admin port when the server has one
    /// (probes, metrics).
    Operational,
}

/// One entry of a router's endpoint table.
#[derive(Clone)]
pub(crate) struct Entry {
    pub path: String,
    pub placement: Placement,
    pub endpoint: Arc<dyn Endpoint>,
}

/// `request` with its body boxed as an [`EndpointBody`].
pub(crate) fn boxed<B>(request: Request<B>) -> Request<EndpointBody>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    request.map(|body| {
        body.map_frame(|frame| frame.map_data(|mut data| data.copy_to_bytes(data.remaining())))
            .map_err(Into::into)
            .boxed_unsync()
    })
}

/// `path` with a leading `/`.
pub(crate) fn absolute(path: impl Into<String>) -> String {
    let path = path.into();
    if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}
