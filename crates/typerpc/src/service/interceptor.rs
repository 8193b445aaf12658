//! Interceptors: code that runs around every call a router serves, for
//! authentication, logging, metrics, tracing and rate limits.
//!
//! An [`Interceptor`] sees the call through its [`Context`]: the
//! procedure, call shape, protocol, codec, request headers, peer address,
//! TLS identity and deadline. Before the handler it may reject the call
//! (the handler then never runs), set response headers and trailers, and
//! leave typed values in the context for the handler
//! ([`Context::insert`]). After the call it observes the [`Outcome`]:
//! the code, the duration, and the messages and bytes each way. If it
//! asks to, it sees each message as it passes.
//!
//! Interceptors are added to a [`Router`](crate::Router) for every
//! method, for one service or for one method; `before` runs in the order
//! they were added and `after` in the reverse order, as if each wrapped
//! the ones added after it.
//!
//! ```
//! use typerpc::service::{interceptor_fn, Interceptor, Outcome};
//! use typerpc::{Context, Status};
//!
//! /// The caller, as the auth interceptor found it.
//! #[derive(Clone, Debug)]
//! struct User(String);
//!
//! // A closure for the common case: look, then let the call in or not.
//! let auth = interceptor_fn(|ctx: &Context| {
//!     match ctx.request_headers().get("authorization").and_then(|v| v.to_str().ok()) {
//!         Some("Bearer let-me-in") => {
//!             ctx.insert(User("ada".into()));
//!             Ok(())
//!         }
//!         _ => Err(Status::unauthenticated("a bearer token is required")),
//!     }
//! });
//!
//! // A type for one that also observes outcomes.
//! struct Log;
//! impl Interceptor for Log {
//!     fn after(&self, ctx: &Context, outcome: &Outcome) {
//!         println!("{} {} in {:?}", ctx.procedure(), outcome.code, outcome.duration);
//!     }
//! }
//! # let _ = (auth, Log);
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::Context;
use crate::{Code, Status};

/// Runs around calls. Every method has a default that does nothing, so an
/// interceptor implements only what it needs.
pub trait Interceptor: Send + Sync + 'static {
    /// Runs before the request is read and the handler called. Rejecting
    /// (`Before::reject`, or `Err(status).into()`) ends the call with that
    /// status, sent with the headers and trailers set so far.
    fn before<'a>(&'a self, ctx: &'a Context) -> Before<'a> {
        let _ = ctx;
        Before::proceed()
    }

    /// Runs once the call is over, however it ended (a rejection by an
    /// interceptor, an error, a deadline, a client that went away).
    fn after(&self, ctx: &Context, outcome: &Outcome<'_>) {
        let _ = (ctx, outcome);
    }

    /// Whether [`on_message`](Self::on_message) should be called: off by
    /// default, so that interceptors that do not look at messages cost
    /// nothing per message.
    fn observes_messages(&self) -> bool {
        false
    }

    /// Sees each message, encoded in the call's codec (uncompressed, out
    /// of its envelope): requests as the handler reads them, responses as
    /// they are written.
    fn on_message(&self, ctx: &Context, direction: Direction, message: &[u8]) {
        let _ = (ctx, direction, message);
    }
}

/// What [`Interceptor::before`] decided, now or after awaiting something
/// (a token lookup, a rate limiter).
pub struct Before<'a>(BeforeState<'a>);

enum BeforeState<'a> {
    Ready(Result<(), Status>),
    Waiting(Pin<Box<dyn Future<Output = Result<(), Status>> + Send + 'a>>),
}

impl<'a> Before<'a> {
    /// Let the call go on.
    pub fn proceed() -> Before<'a> {
        Before(BeforeState::Ready(Ok(())))
    }

    /// End the call with `status`; the handler does not run.
    pub fn reject(status: Status) -> Before<'a> {
        Before(BeforeState::Ready(Err(status)))
    }

    /// Decide once `future` resolves.
    ///
    /// ```
    /// use typerpc::service::{Before, Interceptor};
    /// use typerpc::{Context, Status};
    ///
    /// struct RemoteAuth;
    /// impl Interceptor for RemoteAuth {
    ///     fn before<'a>(&'a self, ctx: &'a Context) -> Before<'a> {
    ///         Before::wait(async move {
    ///             let token = ctx.request_headers().get("authorization");
    ///             // ... ask an identity service about `token` ...
    ///             token.map(|_| ()).ok_or_else(|| Status::unauthenticated("no token"))
    ///         })
    ///     }
    /// }
    /// ```
    pub fn wait(future: impl Future<Output = Result<(), Status>> + Send + 'a) -> Before<'a> {
        Before(BeforeState::Waiting(Box::pin(future)))
    }

    /// The decision.
    pub(crate) async fn resolve(self) -> Result<(), Status> {
        match self.0 {
            BeforeState::Ready(result) => result,
            BeforeState::Waiting(future) => future.await,
        }
    }
}

impl From<Result<(), Status>> for Before<'_> {
    fn from(result: Result<(), Status>) -> Self {
        Before(BeforeState::Ready(result))
    }
}

impl std::fmt::Debug for Before<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            BeforeState::Ready(result) => f.debug_tuple("Before").field(result).finish(),
            BeforeState::Waiting(_) => f.write_str("Before(<future>)"),
        }
    }
}

/// Which way a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client to the handler.
    Request,
    /// From the handler to the client.
    Response,
}

/// How a call ended, for [`Interceptor::after`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Outcome<'a> {
    /// The code the client was sent (`Ok` on success).
    pub code: Code,
    /// The error, when the call failed.
    pub error: Option<&'a Status>,
    /// From when the call was routed until its last byte was handed to
    /// the connection (or it was abandoned).
    pub duration: Duration,
    /// Request messages the handler was given.
    pub request_messages: u64,
    /// Their encoded size (uncompressed), in bytes.
    pub request_bytes: u64,
    /// Response messages written.
    pub response_messages: u64,
    /// Their encoded size (uncompressed), in bytes.
    pub response_bytes: u64,
}

/// An interceptor from a closure that decides before each call, for the
/// common case of letting calls in or not (authentication, say).
///
/// ```
/// use typerpc::service::interceptor_fn;
/// use typerpc::{Context, Status};
///
/// let only_json = interceptor_fn(|ctx: &Context| match ctx.codec() {
///     typerpc::client::Codec::Json => Ok(()),
///     _ => Err(Status::invalid_argument("this API speaks JSON")),
/// });
/// let router = typerpc::Router::new().intercept(only_json);
/// # let _ = router;
/// ```
pub fn interceptor_fn<F>(before: F) -> InterceptorFn<F>
where
    F: Fn(&Context) -> Result<(), Status> + Send + Sync + 'static,
{
    InterceptorFn(before)
}

/// The interceptor [`interceptor_fn`] makes.
#[derive(Clone, Copy)]
pub struct InterceptorFn<F>(F);

impl<F> std::fmt::Debug for InterceptorFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InterceptorFn")
    }
}

impl<F> Interceptor for InterceptorFn<F>
where
    F: Fn(&Context) -> Result<(), Status> + Send + Sync + 'static,
{
    fn before<'a>(&'a self, ctx: &'a Context) -> Before<'a> {
        (self.0)(ctx).into()
    }
}

/// The interceptors of one method, in order.
#[derive(Clone, Default)]
pub(crate) struct Chain {
    interceptors: Arc<[Arc<dyn Interceptor>]>,
    observes_messages: bool,
}

impl Chain {
    pub(crate) fn new(interceptors: Vec<Arc<dyn Interceptor>>) -> Chain {
        let observes_messages = interceptors.iter().any(|i| i.observes_messages());
        Chain {
            interceptors: interceptors.into(),
            observes_messages,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.interceptors.is_empty()
    }

    pub(crate) fn observes_messages(&self) -> bool {
        self.observes_messages
    }

    /// Runs every `before` in order; the first rejection wins. Returns
    /// how many interceptors entered the call: those whose `before` ran,
    /// the rejecting one included. Only they see its end, as if each
    /// wrapped the ones after it.
    pub(crate) async fn before(&self, ctx: &Context) -> (usize, Result<(), Status>) {
        for (at, interceptor) in self.interceptors.iter().enumerate() {
            if let Err(status) = interceptor.before(ctx).resolve().await {
                return (at + 1, Err(status));
            }
        }
        (self.interceptors.len(), Ok(()))
    }

    /// Runs the `after` of the first `entered` interceptors, last first.
    pub(crate) fn after(&self, entered: usize, ctx: &Context, outcome: &Outcome<'_>) {
        for interceptor in self.interceptors[..entered].iter().rev() {
            interceptor.after(ctx, outcome);
        }
    }

    /// Shows a message to the interceptors that asked.
    pub(crate) fn message(&self, ctx: &Context, direction: Direction, message: &[u8]) {
        for interceptor in self.interceptors.iter() {
            if interceptor.observes_messages() {
                interceptor.on_message(ctx, direction, message);
            }
        }
    }
}
