//! Plain-HTTP endpoints that higher layers attach to a router at one path
//! (the MCP endpoint): they get the request as it came, with a body of
//! one type, and the router that received it.

use std::future::Future;
use std::pin::Pin;

use bytes::{Buf, Bytes};
use http::{Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::BodyExt;

use super::Router;
use crate::protocol::RpcBody;

/// The body a [`Mount`] gets.
pub(crate) type MountBody =
    UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync + 'static>>;

/// What a mount answers with.
pub(crate) type MountFuture = Pin<Box<dyn Future<Output = Response<RpcBody>> + Send>>;

/// An endpoint at a fixed path of a router.
pub(crate) trait Mount: Send + Sync + 'static {
    /// Answers `request`, received by `router` (as configured when the
    /// request came: every service and interceptor).
    fn call(&self, router: Router, request: Request<MountBody>) -> MountFuture;
}

/// `request` with its body boxed as a [`MountBody`].
pub(crate) fn boxed<B>(request: Request<B>) -> Request<MountBody>
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
